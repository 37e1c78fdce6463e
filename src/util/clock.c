/* SPDX-License-Identifier: Apache-2.0 */
/* The two clocks berth reads: the monotonic one for every deadline and
 * duration, and UTC for the timestamps it writes (state's "created",
 * log lines). The UTC stamp is formatted here rather than by strftime,
 * which would link musl's time zone code (about 7 KiB) for nothing: a
 * UTC stamp has no zone to look up. */
#include <stdio.h>
#include <time.h>
#include "berth/util/util.h"

int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void utc_stamp(char *out, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}
