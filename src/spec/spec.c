/* SPDX-License-Identifier: Apache-2.0 */
#include <sched.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include "berth/spec/spec.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

void spec_init(struct spec *s)
{
	memset(s, 0, sizeof(*s));
}

void spec_free(struct spec *s)
{
	arena_free(&s->arena);
	memset(s, 0, sizeof(*s));
}

int ns_clone_flag(enum ns_kind k)
{
	static const int flags[NS_COUNT] = {
		[NS_USER] = CLONE_NEWUSER, [NS_PID] = CLONE_NEWPID, [NS_NET] = CLONE_NEWNET,
		[NS_IPC] = CLONE_NEWIPC, [NS_UTS] = CLONE_NEWUTS, [NS_MNT] = CLONE_NEWNS,
		[NS_CGROUP] = CLONE_NEWCGROUP, [NS_TIME] = CLONE_NEWTIME,
	};
	return flags[k];
}

/* The names of struct spec's vocabulary, for messages: here, with the
 * type, so that linux/ names what it applies without the parsers (which
 * a build may leave out). */
static const char *const ns_names[NS_COUNT] = {
	[NS_USER] = "user", [NS_PID] = "pid", [NS_NET] = "network", [NS_IPC] = "ipc",
	[NS_UTS] = "uts", [NS_MNT] = "mount", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

const char *ns_name(enum ns_kind k)
{
	return ns_names[k];
}

/* By resource number (0 to 15 on every Linux ABI), names in the table:
 * the longest, "SIGPENDING", fills it with its NUL. */
static const char rlimit_names[RLIMIT_NLIMITS][11] = {
	[RLIMIT_CPU] = "CPU", [RLIMIT_FSIZE] = "FSIZE", [RLIMIT_DATA] = "DATA", [RLIMIT_STACK] = "STACK",
	[RLIMIT_CORE] = "CORE", [RLIMIT_RSS] = "RSS", [RLIMIT_NPROC] = "NPROC", [RLIMIT_NOFILE] = "NOFILE",
	[RLIMIT_MEMLOCK] = "MEMLOCK", [RLIMIT_AS] = "AS", [RLIMIT_LOCKS] = "LOCKS",
	[RLIMIT_SIGPENDING] = "SIGPENDING", [RLIMIT_MSGQUEUE] = "MSGQUEUE", [RLIMIT_NICE] = "NICE",
	[RLIMIT_RTPRIO] = "RTPRIO", [RLIMIT_RTTIME] = "RTTIME",
};

const char *rlimit_name(int resource)
{
	return resource >= 0 && resource < RLIMIT_NLIMITS && *rlimit_names[resource] ? rlimit_names[resource] : "?";
}

int rlimit_from_name(const char *name, bool any_case)
{
	for (int i = 0; i < RLIMIT_NLIMITS; i++)
		if (*rlimit_names[i] && !(any_case ? strcasecmp : strcmp)(name, rlimit_names[i]))
			return i;
	return -1;
}

static const char *const res_scalar_names[R_SCALARS] = {
	[R_MEM_LIMIT] = "memory.limit", [R_MEM_RESERVATION] = "memory.reservation", [R_MEM_SWAP] = "memory.swap",
	[R_MEM_KERNEL] = "memory.kernel", [R_MEM_KERNEL_TCP] = "memory.kernelTCP",
	[R_MEM_SWAPPINESS] = "memory.swappiness", [R_MEM_DISABLE_OOM_KILLER] = "memory.disableOOMKiller",
	[R_MEM_USE_HIERARCHY] = "memory.useHierarchy", [R_CPU_SHARES] = "cpu.shares", [R_CPU_QUOTA] = "cpu.quota",
	[R_CPU_BURST] = "cpu.burst", [R_CPU_PERIOD] = "cpu.period", [R_CPU_RT_RUNTIME] = "cpu.realtimeRuntime",
	[R_CPU_RT_PERIOD] = "cpu.realtimePeriod", [R_CPU_IDLE] = "cpu.idle", [R_PIDS_LIMIT] = "pids.limit",
	[R_BLKIO_WEIGHT] = "blockIO.weight", [R_BLKIO_LEAF_WEIGHT] = "blockIO.leafWeight",
	[R_NET_CLASS_ID] = "network.classID",
};

const char *res_scalar_name(enum res_scalar f)
{
	return f < R_SCALARS && res_scalar_names[f] ? res_scalar_names[f] : "?";
}
