/* SPDX-License-Identifier: Apache-2.0 */
/* Waiting for something to become true, written once. Where the kernel
 * tells when to look again (a pidfd turns readable when its process
 * exits; a cgroup's cgroup.events flags POLLPRI when "populated" or
 * "frozen" changes; a signalfd when SIGCHLD comes), the wait sleeps on
 * that. Where it does not (v1 cgroups, kernels before pidfds), it looks
 * every 10 ms: the one polling loop in berth, for old kernels only. */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include "berth/util/util.h"

int wait_for(bool (*done)(void *), void *arg, int fd, short events, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		if (done(arg))
			return 0;
		int64_t left = deadline < 0 ? -1 : deadline - now_ms();
		if (deadline >= 0 && left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (fd < 0) {
			int64_t nap = left < 0 || left > 10 ? 10 : left;
			nanosleep(&(struct timespec){ .tv_nsec = nap * 1000000 }, NULL);
			continue;
		}
		struct pollfd p = { .fd = fd, .events = events };
		if (poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left) > 0 && (events & POLLPRI)) {
			/* A kernfs file is armed again by reading it. */
			char buf[256];
			lseek(fd, 0, SEEK_SET);
			if (read(fd, buf, sizeof(buf)) < 0 && errno != EINTR)
				fd = -1;	/* cannot be re-armed: look every 10 ms */
		}
	}
}
