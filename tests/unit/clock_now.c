/* SPDX-License-Identifier: Apache-2.0 */
/* clock_now (src/util/clock.c) in musl's static link: what it reads lies
 * between two reads of the C library's clock_gettime, for the realtime
 * and the monotonic clock. Built with -DCLOCK_GETTIME64=4095 (no such
 * call) on 32-bit, the 64-bit call fails as on kernels before 5.1 and
 * the 32-bit one is read instead. */
#include <stdio.h>
#include <time.h>
#include "berth/util/util.h"

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(void)
{
	const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC };
	for (int i = 0; i < 2; i++) {
		struct timespec before, got = { -1, -1 }, after;
		clock_gettime(clocks[i], &before);
		clock_now(clocks[i], &got);
		clock_gettime(clocks[i], &after);
		if (got.tv_nsec < 0 || got.tv_nsec >= 1000000000L || ns(&got) < ns(&before) || ns(&got) > ns(&after)) {
			fprintf(stderr, "clock %d: %lld.%09ld not between %lld.%09ld and %lld.%09ld\n", (int)clocks[i],
				(long long)got.tv_sec, got.tv_nsec, (long long)before.tv_sec, before.tv_nsec,
				(long long)after.tv_sec, after.tv_nsec);
			return 1;
		}
	}
	return 0;
}
