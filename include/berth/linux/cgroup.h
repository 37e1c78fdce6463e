/* SPDX-License-Identifier: Apache-2.0 */
/* Placing containers in cgroups, on v1, v2 and hybrid hosts alike.
 * A container's cgroup is one path (relative to each hierarchy's root)
 * that exists in every hierarchy berth uses; state.json records it. */
#ifndef BERTH_CGROUP_H
#define BERTH_CGROUP_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "berth/spec/resources.h"

/* cgroupsPath as runc reads it: absolute = from each hierarchy's root;
 * relative (or empty, meaning the container id) = under the cgroup the
 * runtime itself is in. Returns a malloc'd absolute path. */
char *cgroup_resolve(const char *cgroups_path, const char *id);
/* In a child just cloned with a copy of the caller's mount namespace (or
 * the same one): keep the hierarchies the parent read, if its table has
 * not changed since, rather than read them again. For the container's
 * init, which mounts them in the container: its own mounts from then on
 * (its root, /proc, /dev) move none of them. */
void cgroup_hierarchies_inherit(void);
/* A container's cgroup made ready for a process to join. The files are
 * opened by the runtime, so the process can join from inside its mount
 * namespace; close-on-exec, and closed by cgroup_join_close. */
#define CGROUP_MAX_HIERARCHIES 24
struct cgroup_join {
	int n;
	int fds[CGROUP_MAX_HIERARCHIES];	/* v1 "tasks", v2 "cgroup.procs" */
	bool v2[CGROUP_MAX_HIERARCHIES];
	int v2_dir;		/* for clone3(CLONE_INTO_CGROUP); -1: no v2 */
	bool born_in_v2;	/* the process was cloned into it: no move there */
};
/* mkdir in every hierarchy, apply r (may be NULL), open the join files.
 * Returns 1, having done nothing, for an unprivileged user who may not
 * make the cgroup and asks for no limit. On a later failure the caller
 * kills the process, then calls cgroup_remove. */
int cgroup_prepare(const char *path, const struct resources *r, struct cgroup_join *j);
/* In the process itself, before it does anything else: join by writing
 * "0" (no global lock on v1). Needs the rights of the runtime: not from
 * inside a new user namespace. */
int cgroup_join_self(struct cgroup_join *j);
/* In the runtime: move pid in (user namespaces, exec fallback). */
int cgroup_join_pid(struct cgroup_join *j, pid_t pid);
void cgroup_join_close(struct cgroup_join *j);
/* `berth update`: apply what r sets to a live container's cgroup. */
int cgroup_update(const char *path, const struct resources *r);
/* Freeze or thaw every process (v1 freezer, v2 cgroup.freeze). */
int cgroup_freeze(const char *path, bool freeze);
bool cgroup_is_frozen(const char *path);
/* Frozen for a signal to every member, unless it is already (paused) or
 * cannot be (no freezer; a freeze not done within 2 s, which is said):
 * returns whether it froze it, and so must thaw it (cgroup_freeze). */
bool cgroup_hold(const char *path);
/* After a SIGKILL: every v1 cgroup of the tree that is frozen thawed,
 * so that it takes effect (v2's frozen tasks die of it frozen). */
void cgroup_thaw_killed(const char *path);

int cgroup_stats(const char *path, struct cgroup_stats *s);
/* Send sig to every process of the cgroup and of those below it (kill
 * --all); SIGKILL by the kernel where it can (cgroup.kill), and thawed;
 * any other with the members frozen meanwhile (cgroup_hold). */
int cgroup_kill_all(const char *path, int sig);
/* true when the cgroup has no process left (in any hierarchy). */
bool cgroup_is_empty(const char *path);
/* The v2 cgroup.events file of path, read once (so that POLLPRI says the
 * next change of "populated" or "frozen"), for wait_for; -1: no v2. */
int cgroup_events_open(const char *path);
/* rmdir in every hierarchy; quiet when already gone. */
int cgroup_remove(const char *path);
/* Pids in the cgroup, into a malloc'd array. */
int cgroup_pids(const char *path, pid_t **pids, size_t *n);

/* A "cgroup" mount at dest inside the root (resolved by fd, made if
 * missing): cgroup2 itself when the container has its own cgroup
 * namespace on a v2 host, otherwise the container's own cgroups
 * bind-mounted (a tmpfs of them on v1/hybrid). */
int cgroup_mount(int rootfd, const char *dest, const char *path, unsigned long flags, bool cgroupns);

#endif
