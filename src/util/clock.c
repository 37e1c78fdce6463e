/* SPDX-License-Identifier: Apache-2.0 */
/* The two clocks berth reads: the monotonic one for every deadline and
 * duration, and UTC for the timestamps it writes (state's "created",
 * log lines). The UTC stamp is formatted here rather than by strftime,
 * which would link musl's time zone code (about 7 KiB) for nothing: a
 * UTC stamp has no zone to look up. */
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "berth/util/util.h"

/* By the system call, not musl's clock_gettime: that looks the vDSO's
 * up first (__vdsosym, 0.8-1 KB of the static binary) to spare a
 * fraction of a microsecond, where berth reads the clock a few times a
 * command or a supervisor event. */
#if defined(SYS_clock_gettime64) && !defined(CLOCK_GETTIME64)
#define CLOCK_GETTIME64 SYS_clock_gettime64	/* the unit test sets 4095: no such call */
#endif
void clock_now(int id, struct timespec *ts)
{
#ifdef CLOCK_GETTIME64
	/* 32-bit: musl's timespec has a 64-bit tv_sec, which the 64-bit
	 * call fills; kernels before 5.1 have only the 32-bit one. */
	if (syscall(CLOCK_GETTIME64, id, ts) == 0)
		return;
	long t32[2] = { 0, 0 };
	syscall(SYS_clock_gettime32, id, t32);
	ts->tv_sec = t32[0];
	ts->tv_nsec = t32[1];
#else
	syscall(SYS_clock_gettime, id, ts);
#endif
}

int64_t now_ms(void)
{
	struct timespec t;
	clock_now(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Days since 1970-01-01 as a date of the proleptic Gregorian calendar:
 * counted from 0000-03-01 in 400-year eras (146,097 days each), so that
 * the leap day ends a year. What gmtime_r did for the stamp, without
 * musl's __secs_to_tm (0.8 KB with its weekday and year-day). */
static void civil_date(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	days += 719468;	/* 0000-03-01 to 1970-01-01 */
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned day_of_era = (unsigned)(days - era * 146097);
	unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	unsigned month_from_march = (5 * day_of_year + 2) / 153;
	*d = day_of_year - (153 * month_from_march + 2) / 5 + 1;
	*m = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
	*y = era * 400 + year_of_era + (*m <= 2);
}

void utc_format(int64_t secs, long nsec, char *out, size_t cap)
{
	int64_t days = (secs >= 0 ? secs : secs - 86399) / 86400, y;
	unsigned s = (unsigned)(secs - days * 86400), m, d;
	civil_date(days, &y, &m, &d);
	snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%09ldZ", (long long)y, m, d, s / 3600, s / 60 % 60,
		 s % 60, nsec);
}

void utc_stamp(char *out, size_t cap)
{
	struct timespec ts;
	clock_now(CLOCK_REALTIME, &ts);
	utc_format(ts.tv_sec, ts.tv_nsec, out, cap);
}
