/* SPDX-License-Identifier: Apache-2.0 */
/* Usage figures for `berth events`, from whichever hierarchy holds each
 * controller, normalised to runc's units (nanoseconds, bytes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/linux/cgroup.h"
#include "berth/util/util.h"
#include "cgroup_fs.h"

/* The number after "key " in a flat-keyed file ("oom_kill 3"). */
static uint64_t keyed(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return str_u64_at(p + n + 1);
	return 0;
}

/* A single-value file; "max" (no limit) reads as 0, as runc reports it. */
static uint64_t value(const char *dir, const char *file)
{
	char *v = cg_read(dir, file);
	uint64_t out = v && strncmp(v, "max", 3) ? str_u64_at(v) : 0;
	free(v);
	return out;
}

static uint64_t keyed_file(const char *dir, const char *file, const char *key)
{
	char *v = cg_read(dir, file);
	uint64_t out = v ? keyed(v, key) : 0;
	free(v);
	return out;
}

static void cpu_stats(const struct cgroup_ctx *c, struct cgroup_stats *s)
{
	char dir[512];
	bool acct = cg_controller(c, "cpuacct", NULL, dir, sizeof(dir)) == 1;
	if (acct) {
		/* cpuacct.stat counts USER_HZ (100 Hz) ticks. */
		s->cpu_total_ns = value(dir, "cpuacct.usage");
		s->cpu_user_ns = keyed_file(dir, "cpuacct.stat", "user") * 10000000ull;
		s->cpu_kernel_ns = keyed_file(dir, "cpuacct.stat", "system") * 10000000ull;
	}
	int version = cg_controller(c, "cpu", "cpu", dir, sizeof(dir));
	char *st = version ? cg_read(dir, "cpu.stat") : NULL;
	if (st) {
		s->cpu_periods = keyed(st, "nr_periods");
		s->cpu_throttled_periods = keyed(st, "nr_throttled");
		if (version == 2) {
			s->cpu_total_ns = keyed(st, "usage_usec") * 1000;
			s->cpu_user_ns = keyed(st, "user_usec") * 1000;
			s->cpu_kernel_ns = keyed(st, "system_usec") * 1000;
			s->cpu_throttled_ns = keyed(st, "throttled_usec") * 1000;
		} else {
			s->cpu_throttled_ns = keyed(st, "throttled_time");
		}
	}
	s->has_cpu = acct || st;
	free(st);
}

static void memory_stats(const struct cgroup_ctx *c, struct cgroup_stats *s)
{
	char dir[512];
	int version = cg_controller(c, "memory", "memory", dir, sizeof(dir));
	if (version == 1) {
		s->mem_usage = value(dir, "memory.usage_in_bytes");
		s->mem_limit = value(dir, "memory.limit_in_bytes");
		s->mem_max = value(dir, "memory.max_usage_in_bytes");
		s->mem_failcnt = value(dir, "memory.failcnt");
		s->swap_usage = value(dir, "memory.memsw.usage_in_bytes");
		s->swap_limit = value(dir, "memory.memsw.limit_in_bytes");
		s->oom_kills = keyed_file(dir, "memory.oom_control", "oom_kill");
	} else if (version == 2) {
		s->mem_usage = value(dir, "memory.current");
		s->mem_limit = value(dir, "memory.max");
		s->mem_max = value(dir, "memory.peak");
		s->mem_failcnt = keyed_file(dir, "memory.events", "max");
		s->swap_usage = value(dir, "memory.swap.current");
		s->swap_limit = value(dir, "memory.swap.max");
		s->oom_kills = keyed_file(dir, "memory.events", "oom_kill");
	}
	s->has_memory = version != 0;
}

int cgroup_stats(const char *path, struct cgroup_stats *s)
{
	struct cgroup_ctx c;
	char dir[512];
	memset(s, 0, sizeof(*s));
	if (cg_open(&c, path) < 0)
		return -1;
	cpu_stats(&c, s);
	memory_stats(&c, s);
	if (cg_controller(&c, "pids", "pids", dir, sizeof(dir))) {
		s->pids_current = value(dir, "pids.current");
		s->pids_limit = value(dir, "pids.max");
		s->has_pids = true;
	}
	return 0;
}
