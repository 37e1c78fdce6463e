/* SPDX-License-Identifier: Apache-2.0 */
/* A process being set up inside a container (a container's init, or a
 * process `berth exec` starts) and the runtime serving it, over a
 * SOCK_SEQPACKET pair. The child's errors travel to the runtime as
 * messages, so they reach the user's terminal and --log file, not the
 * container's stderr; fds it makes (the terminal, the seccomp listener)
 * travel with SCM_RIGHTS. */
#ifndef BERTH_CHILD_H
#define BERTH_CHILD_H
#include <stdbool.h>
#include <sys/types.h>
#include "berth/linux/seccomp.h"
#include "berth/spec/spec.h"
#include "berth/runtime/state.h"

enum sync_type { SYNC_GO, SYNC_HOOKS, SYNC_HOOKS_DONE, SYNC_CREATED, SYNC_LOG, SYNC_SECCOMP_LISTENER,
		 SYNC_CONSOLE, SYNC_RELEASE, SYNC_MOUNT, SYNC_MOUNT_FD, SYNC_EXEC_FAILED };

struct sync_msg {
	uint32_t type;
	int32_t value;		/* GO: the child's host pid; LOG: level; MOUNT: index */
	char text[3840];
	int fd;			/* received with the message (not sent as data) */
};

/* passed: an fd to send along, or -1. */
int sync_send_fd(int fd, enum sync_type type, int value, const char *text, int passed);
int sync_send(int fd, enum sync_type type, int value, const char *text);
/* 1: message; 0: peer gone; -1: error */
int sync_recv(int fd, struct sync_msg *m);

/* ---- in the child ---- */

/* Reset signals, route log messages to the runtime, die with it, and
 * wait for its go: returns the child's pid as the host sees it. */
pid_t child_begin(int sync_fd);
/* The mounts the runtime makes (idmapped ones, berth/linux.h): an array
 * of n_mounts fds, -1 where init mounts by itself; NULL when there are
 * none (*out), or -1 on failure (the runtime said why). */
int child_mounts_from_runtime(const struct spec *s, int **out);
void child_mounts_close(int *fds, size_t n);
/* An image root's mount, made by the runtime (linux/image.c); its fd, or
 * -1 (the runtime said why). */
#define SYNC_MOUNT_IMAGE_ROOT (-1)
int child_image_from_runtime(void);
/* The pty (process.terminal); its master goes to the runtime. */
int child_console(const struct spec *s, bool make_console);
/* The last steps before exec, in runc's order: seccomp (early without
 * no_new_privs), rlimits, capabilities, identity, no_new_privs, cwd, the
 * executable's path into exe, close-on-exec for inherited fds. */
int child_finish(const struct spec *s, const struct seccomp_filter *f, pid_t host_pid, int preserve_fds,
		 char *exe, size_t exe_cap);
/* Tell the runtime setup is done and wait for its release (it has
 * recorded the child by then): a runtime killed before that takes the
 * child with it (PR_SET_PDEATHSIG, or the socket's end), so nothing it
 * did not record survives it. Messages go to stderr from then on.
 * until_exec: the socket stays open (close-on-exec) so that the exec
 * closing it tells the runtime the program runs; child_exec_failed says
 * it will not. */
int child_done(bool until_exec);
void child_exec_failed(void);

/* ---- in the runtime ---- */

struct child_server {
	const struct spec *spec;
	const char *id;
	pid_t pid;			/* the child, as the host sees it */
	enum status listener_status;	/* state the seccomp agent is told */
	const char *console_socket;	/* send the terminal there, or... */
	int console_master;		/* ...keep it (out; -1: none) */
	int (*hooks)(void *arg);	/* SYNC_HOOKS: prestart + createRuntime */
	/* SYNC_MOUNT: a detached mount's fd: mounts[i], or the image root
	 * (SYNC_MOUNT_IMAGE_ROOT). */
	int (*mount)(void *arg, int i);
	void *arg;
};
/* Serve until the child reports SYNC_CREATED: 0, or -1 when it failed
 * (its errors logged) or died. The child then waits for child_release,
 * which returns once the child has stopped dying with the runtime (or,
 * released until its exec, has executed the program: -1 if it reported
 * that it could not, on its stderr). */
int child_serve(struct child_server *c, int fd);
int child_release(int fd);
/* The OCI state the hooks and the seccomp agent see during setup. */
char *child_state_json(const struct spec *s, const char *id, pid_t pid, enum status status);

#endif
