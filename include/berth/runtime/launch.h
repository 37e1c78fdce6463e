/* SPDX-License-Identifier: Apache-2.0 */
/* Creating a container: the one sequence that every front-end (the OCI
 * CLI, the supervisor) goes through. */
#ifndef BERTH_LAUNCH_H
#define BERTH_LAUNCH_H
#include <stdbool.h>
#include <sys/types.h>
#include "berth/linux/cgroup.h"
#include "berth/linux/seccomp.h"
#include "berth/linux/systemd_cgroup.h"
#include "berth/spec/spec.h"

struct launch {
	const struct spec *spec;
	const char *id;
	const char *cgroup;	/* resolved cgroup path, NULL: none (out: NULL if none was made) */
	const struct systemd_scope *scope;	/* --systemd-cgroup: systemd makes cgroup, as this */
	int state_dirfd;	/* holds exec.fifo; -1: exec at once (no start) */
	bool start;		/* released is started: init executes the program
				 * at once, not on exec.fifo, and launch_container
				 * returns once it has (run, the supervisor) */
	const char *state_dir;	/* its path: an image root's mount points go there */
	const struct fences *fences;	/* host directories containers can write (mounts_setup) */
	int fifo_fd;		/* private: init's O_PATH fd of exec.fifo, or -1 */
	int preserve_fds;	/* fds 3..3+n-1 reach the container */
	bool no_pivot;		/* MS_MOVE + chroot instead of pivot_root */
	const char *cache_dir;	/* compiled seccomp filters; NULL: no cache */
	const char *digest_dir;	/* image digests already checked (rootfs-digest) */
	const int *stdio;	/* the process's 0, 1, 2 (NULL: inherited) */
	int notify_fd;		/* > 0: the process's fd 3 */
	const char *console_socket;	/* process.terminal: send the master there... */
	int console_master;		/* ...or keep it here (out; -1: none) */
	struct seccomp_filter seccomp;	/* private: compiled before the clone */
	struct cgroup_join *join;	/* private: the cgroup, ready to join */
	pid_t pid;		/* out: the init process, as the host sees it */
	/* Called as soon as init exists (pid set), and once it is created,
	 * before it is released: each records the container where a killed
	 * runtime's successor finds it. A failure fails the creation. */
	int (*on_cloned)(struct launch *l);
	int (*on_scoped)(struct launch *l);	/* --systemd-cgroup: systemd made the scope */
	int (*on_created)(struct launch *l);
	void *arg;
	/* The caller's work on init's namespaces (the supervisor wires its
	 * network): done while init sets itself up (mounts, ...), which
	 * overlaps the two; or, when init's setup needs it done
	 * (`ns_before_setup`), before that starts. A failure fails the
	 * creation. */
	int (*on_namespaces)(pid_t pid, void *arg);
	void *ns_arg;
	bool ns_before_setup;
};

/* Returns once the container is created (its init waits on exec.fifo;
 * with `start`, once its program was executed) or creation failed; on
 * failure the init is killed and reaped, and the cgroup is left to the
 * caller's teardown (container.c), which removes it with whatever else
 * state.json says exists. */
int launch_container(struct launch *l);
/* Says that container id's process stopped before it executed its
 * program (its reason is on its stderr); returns -1. */
int log_exec_failed(const char *id);

#endif
