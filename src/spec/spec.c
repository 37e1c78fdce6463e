#include <sched.h>
#include <string.h>
#include "berth/spec.h"

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
