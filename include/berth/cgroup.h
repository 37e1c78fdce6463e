/* Placing containers in cgroups, on v1, v2 and hybrid hosts alike.
 * A container's cgroup is one path (relative to each hierarchy's root)
 * that exists in every hierarchy berth uses; state.json records it. */
#ifndef BERTH_CGROUP_H
#define BERTH_CGROUP_H
#include <stdbool.h>
#include <sys/types.h>

/* cgroupsPath as runc reads it: absolute = from each hierarchy's root;
 * relative (or empty, meaning the container id) = under the cgroup the
 * runtime itself is in. Returns a malloc'd absolute path. */
char *cgroup_resolve(const char *cgroups_path, const char *id);
/* mkdir in every hierarchy and move pid in. On failure the caller kills
 * pid, then calls cgroup_remove (a cgroup with a live process cannot go). */
int cgroup_enter(const char *path, pid_t pid);
/* Send sig to every process of the cgroup (kill --all). */
int cgroup_kill_all(const char *path, int sig);
/* true when the cgroup has no process left (in any hierarchy). */
bool cgroup_is_empty(const char *path);
/* rmdir in every hierarchy; quiet when already gone. */
int cgroup_remove(const char *path);
/* Pids in the cgroup, into a malloc'd array. */
int cgroup_pids(const char *path, pid_t **pids, size_t *n);

/* A "cgroup" mount at dest (already created): cgroup2 itself when the
 * container has its own cgroup namespace on a v2 host, otherwise the
 * container's own cgroups bind-mounted (a tmpfs of them on v1/hybrid). */
int cgroup_mount(const char *dest, const char *path, unsigned long flags, bool cgroupns);

#endif
