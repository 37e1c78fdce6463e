/* SPDX-License-Identifier: Apache-2.0 */
/* --systemd-cgroup, runc's systemd cgroup driver: the container's cgroup
 * is a transient scope that systemd makes and delegates to berth, which
 * then writes every limit through cgroupfs as for any other cgroup. On a
 * cgroup v2 (unified) host. */
#ifndef BERTH_SYSTEMD_CGROUP_H
#define BERTH_SYSTEMD_CGROUP_H
#include <sys/types.h>
#include "berth/config.h"
#include "berth/spec/resources.h"

struct systemd_scope {
	char slice[256];	/* "system.slice" */
	char unit[256];		/* "berth-ID.scope" */
	char path[1024];	/* its cgroup: "/system.slice/berth-ID.scope" */
};

#ifdef CONFIG_SYSTEMD_CGROUP
/* cgroupsPath in runc's systemd form, "slice:prefix:name" (empty:
 * "system.slice:berth:ID"; an empty slice is system.slice, an empty
 * prefix gives the unit "name.scope"). 0, or -1 logged. */
int systemd_scope_parse(const char *cgroups_path, const char *id, struct systemd_scope *s);
/* StartTransientUnit with pid in it, Delegate=yes and r's main limits as
 * its properties (so that systemd, which owns the scope's own cgroup
 * files, keeps them on a daemon-reload); returns once pid is in the
 * scope's cgroup. 0, or -1 logged. */
int systemd_scope_start(const struct systemd_scope *s, pid_t pid, const struct resources *r);
/* SetUnitProperties with r's main limits (`berth update`). */
int systemd_scope_update(const char *unit, const struct resources *r);
#else
static inline int systemd_scope_update(const char *unit, const struct resources *r)
{
	(void)unit, (void)r;
	return -1;
}
static inline int systemd_scope_parse(const char *cgroups_path, const char *id, struct systemd_scope *s)
{
	(void)cgroups_path, (void)id, (void)s;
	return -1;
}
static inline int systemd_scope_start(const struct systemd_scope *s, pid_t pid, const struct resources *r)
{
	(void)s, (void)pid, (void)r;
	return -1;
}
#endif

#endif
