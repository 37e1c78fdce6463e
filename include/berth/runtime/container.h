/* SPDX-License-Identifier: Apache-2.0 */
/* Container lifecycle on top of the state store: what create, start, run,
 * kill and delete share. */
#ifndef BERTH_CONTAINER_H
#define BERTH_CONTAINER_H
#include <stdbool.h>
#include <sys/types.h>
#include "berth/spec/resources.h"
#include "berth/runtime/state.h"

struct create_opts {
	const char *id;
	const char *bundle;
	const char *pid_file;
	int preserve_fds;
	bool no_pivot;
	const char *console_socket;	/* --console-socket: where the pty master goes */
	bool foreground;		/* `run` without -d: the terminal stays with berth */
	int console_master;		/* out (foreground + terminal): the pty master, else -1 */
	const int *stdio;		/* fds for the process's 0, 1, 2; NULL: inherit berth's */
	int notify_fd;			/* > 0: becomes fd 3 of the process (readiness) */
	bool systemd_cgroup;		/* --systemd-cgroup: a scope systemd makes */
	int (*on_namespaces)(pid_t pid, void *arg);	/* see struct launch */
	void *ns_arg;
	bool ns_before_setup;
	bool start;		/* started as soon as created (run, the supervisor) */
	/* The host directories containers can write, below which a bind
	 * source's links stay inside (the supervisor's: every service's);
	 * NULL: this container's own. */
	const struct fences *fences;
};
/* Adds the host directories s's container can write to f; -1 logged.
 * near: another container's spec (the supervisor's service that
 * starts), or NULL: each directory on the way to one of near's bind
 * sources is looked up (that lookup goes through it anyway), any other
 * taken from the kernel's cache only, never waited on
 * (fences_add_cached): a mount that hangs under one service must not
 * stop another's start. */
int container_writable_dirs(const struct spec *s, struct fences *f, const struct spec *near);

/* Creates the container (stopped before exec until container_start; with
 * o->start, started: it returns once the program runs, poststart hooks
 * run).
 * On failure nothing is left: no state directory, process or cgroup. */
int container_create(const char *root, struct create_opts *o, struct state *out);
/* The same from a spec in hand (a service file): `saved` is kept in the
 * state directory as `saved_name` (config.json or service.conf), for the
 * commands that need the spec later. */
int container_create_spec(const char *root, struct create_opts *o, struct spec *s, const char *saved_name,
			  const char *saved, size_t saved_len, struct state *out);
struct exec_opts {
	const char *console_socket;
	int preserve_fds;
	int console_master;	/* out: the pty master kept for a foreground exec, or -1 */
	pid_t pid;		/* out: the new process, as the host sees it */
};
/* Start s->process in the running container st (its namespaces, cgroup,
 * and s's seccomp filter); the process is berth's child. */
int container_exec(const char *root, const struct state *st, const struct spec *s, struct exec_opts *o);

/* --pid-file, written atomically (shims poll for it). */
int write_pid_file(const char *path, pid_t pid);

/* Forward signals to pid (berth's child) and relay the terminal `master`
 * (-1: none) to berth's stdio until pid exits; returns its wait status. */
int forward_until_exit(int sfd, pid_t pid, int master);
/* berth's own window size onto the pty's master (stdin's, else stdout's). */
void forward_winsize(int master);
/* Releases the init (exec.fifo), then runs poststart hooks. */
int container_start(const char *root, const char *id);
/* Load a container's state; logs "container X does not exist". */
int container_load(const char *root, const char *id, struct state *st);
/* Kill whatever is left (SIGKILL to the cgroup), remove the cgroup, run
 * poststop hooks, remove the state directory. */
int container_destroy(const char *root, const struct state *st);
/* Wait up to timeout_ms for the init to die (it may not be our child). */
int container_wait_dead(const struct state *st, int timeout_ms);

/* operate.c: what is done to a running container, by `berth kill`,
 * pause, resume, update, ps and events and by the supervisor: the one
 * way in from cmd/ and supervise/ (they do not reach into linux/).
 * Each logs why it failed. */
/* sig to its init, or (all) to every process of its cgroup; a paused
 * container is thawed for SIGKILL (a frozen v1 task dies only thawed). */
int container_signal(const struct state *st, int sig, bool all);
/* The same to the init alone, without logging: -1 and errno (ESRCH:
 * gone, reaped, or another process has its pid now). */
int container_signal_init(const struct state *st, int sig);
/* Freeze (pause) or thaw (resume) every process. */
int container_freeze(const struct state *st, bool freeze);
/* Apply what r sets to its cgroup (`berth update`). */
int container_update(const struct state *st, const struct resources *r);
/* Its processes, into a malloc'd array (*pids NULL, n 1: only the init
 * is known, in a build without cgroups). */
int container_pids(const struct state *st, pid_t **pids, size_t *n);
/* Its cgroup's figures, in runc's units. */
int container_stats(const struct state *st, struct cgroup_stats *s);

#endif
