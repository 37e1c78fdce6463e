/* SPDX-License-Identifier: Apache-2.0 */
/* Operations on a running container, for cmd/ and supervise/: they name
 * the container (its state) and the runtime picks the mechanism (a
 * signal, the cgroup's freezer, its controllers). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include "berth/linux/cgroup.h"
#include "berth/linux/systemd_cgroup.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* A build without cgroups, or a container made without one. */
static int no_cgroup(const struct state *st, const char *what)
{
	return log_error("container \"%s\" has no cgroup to %s (this build or this container has none)", st->id, what);
}

int container_signal_init(const struct state *st, int sig)
{
	/* The init of this container, not a process that took its pid. */
	if (proc_signal(st->pid, st->start_time, sig) < 0)
		return -1;
	if (sig == SIGKILL && st->cgroup[0])
		cgroup_thaw_killed(st->cgroup);
	return 0;
}

int container_signal(const struct state *st, int sig, bool all)
{
	if (all && st->cgroup[0])
		return cgroup_kill_all(st->cgroup, sig);
	if (container_signal_init(st, sig) < 0)
		return log_error("kill %d: %m", (int)st->pid);
	return 0;
}

int container_freeze(const struct state *st, bool freeze)
{
	if (!st->cgroup[0])
		return no_cgroup(st, "freeze");
	return cgroup_freeze(st->cgroup, freeze);
}

int container_update(const struct state *st, const struct resources *r)
{
	if (!st->cgroup[0])
		return no_cgroup(st, "update");
	/* systemd owns a scope's own files: it learns the new limits too,
	 * or a daemon-reload would put the old ones back (as runc does). */
	if (st->systemd_unit[0] && systemd_scope_update(st->systemd_unit, r) < 0)
		return -1;
	return cgroup_update(st->cgroup, r);
}

int container_pids(const struct state *st, pid_t **pids, size_t *n)
{
	*pids = NULL;
	*n = 1;
	return st->cgroup[0] ? cgroup_pids(st->cgroup, pids, n) : 0;
}

int container_stats(const struct state *st, struct cgroup_stats *s)
{
	if (!st->cgroup[0])
		return no_cgroup(st, "read figures from");
	return cgroup_stats(st->cgroup, s);
}
