/* SPDX-License-Identifier: Apache-2.0 */
/* A new process in a running container (berth exec).
 *
 * A helper child joins the container's namespaces, user namespace first
 * (it grants the rights to join the others); the pid and time
 * namespaces only apply to children, so the helper clones the real
 * process with CLONE_PARENT: it lands in every namespace and is berth's
 * own child, so berth can wait for it. It is born in the container's v2
 * cgroup and joins the v1 ones itself (or berth moves it, from a user
 * namespace), then goes through the same last steps as a container's
 * init (child.c) and execs. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/linux/cgroup.h"
#include "berth/runtime/child.h"
#include "berth/runtime/container.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* The order to join them: user first, mount late (it changes what paths
 * mean), pid and time last (they only take effect for children). */
static const struct { unsigned char kind; char proc[7]; } join_order[] = {
	{ NS_USER, "user" }, { NS_IPC, "ipc" }, { NS_UTS, "uts" }, { NS_NET, "net" }, { NS_CGROUP, "cgroup" },
	{ NS_MNT, "mnt" }, { NS_PID, "pid" }, { NS_TIME, "time" },
};

/* Open the init's namespaces now, while its pid is known to be it; for a
 * container without a mount namespace of its own, its root (a chroot in
 * the shared one), which the process then enters the same way. */
static int open_namespaces(const struct spec *s, const struct state *st, int fds[], int *root_fd)
{
	if (!s->ns[NS_MNT].wanted) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/root", (int)st->pid);
		*root_fd = openat(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*root_fd < 0)
			return log_error("container \"%s\": %s: %m", st->id, path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(join_order); i++) {
		fds[i] = -1;
		if (!s->ns[join_order[i].kind].wanted)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)st->pid, join_order[i].proc);
		fds[i] = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return log_error("container \"%s\": %s: %m", st->id, path);
	}
	if (!proc_is_alive(st->pid, st->start_time))
		return log_error("container \"%s\" is not running", st->id);
	return 0;
}

static void close_all(int fds[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static _Noreturn void exec_process(const struct spec *s, const struct seccomp_filter *f, int sync_fd,
				   int preserve_fds, struct cgroup_join *join, int root_fd)
{
	char exe[4096];
	pid_t host_pid = child_begin(sync_fd);
	if (join && !spec_userns(s) && cgroup_join_self(join) < 0)
		_exit(1);
	if (join)
		cgroup_join_close(join);
	if (root_fd >= 0 && (fchdir(root_fd) < 0 || chroot(".") < 0)) {
		log_error("entering the container's root: %m");
		_exit(1);
	}
	if (root_fd >= 0)
		close(root_fd);
	if ((s->process.terminal && child_console(s, false) < 0) ||
	    child_finish(s, f, host_pid, preserve_fds, exe, sizeof(exe)) < 0 || child_done(false) < 0)
		_exit(1);
	process_exec(s, exe);
	_exit(127);
}

struct exec_child {
	const struct spec *s;
	const struct seccomp_filter *f;
	int sync_fd, other_fd, preserve_fds;
	struct cgroup_join *join;
	int root_fd;	/* the chroot to enter, or -1 (in the mount namespace) */
};

static void exec_child(void *arg, bool born)
{
	struct exec_child *c = arg;
	close(c->other_fd);
	if (c->join)
		c->join->born_in_v2 = born;
	exec_process(c->s, c->f, c->sync_fd, c->preserve_fds, c->join, c->root_fd);
}

/* The process, cloned by a helper inside the container's namespaces (a
 * pid namespace is entered only by children); returns its pid, as the
 * host sees it. */
static pid_t spawn(const struct spec *s, const struct seccomp_filter *f, int fds[], int root_fd, int sv[2],
		   int preserve_fds, struct cgroup_join *join)
{
	struct ns_join joins[ARRAY_SIZE(join_order)];
	char what[ARRAY_SIZE(join_order)][48];
	for (size_t i = 0; i < ARRAY_SIZE(join_order); i++) {
		snprintf(what[i], sizeof(what[i]), "the container's %s namespace", ns_name(join_order[i].kind));
		joins[i] = (struct ns_join){ fds[i], ns_clone_flag(join_order[i].kind), what[i] };
	}
	struct exec_child c = { s, f, sv[1], sv[0], preserve_fds, join, root_fd };
	bool born = false;
	pid_t pid = clone_via_helper(joins, ARRAY_SIZE(joins), 0, join ? join->v2_dir : -1, &born, exec_child, &c);
	if (pid < 0)
		return log_error("could not enter the container");
	if (join)
		join->born_in_v2 = born;
	return pid;
}

int container_exec(const char *root, const struct state *st, const struct spec *s, struct exec_opts *o)
{
	int fds[ARRAY_SIZE(join_order)], sv[2] = { -1, -1 }, root_fd = -1;
	struct cgroup_join join = { .v2_dir = -1 };
	bool have_join = false;
	struct seccomp_filter filter = { 0 };
	char cache[4096];
	pid_t pid = -1;
	int r = -1;
	o->console_master = -1;
	snprintf(cache, sizeof(cache), "%s/.seccomp", root);
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		fds[i] = -1;
	if (open_namespaces(s, st, fds, &root_fd) < 0 || (s->seccomp && seccomp_filter_prepare(s->seccomp, cache, &filter) < 0))
		goto out;
	if (st->cgroup[0]) {
		int placed = cgroup_prepare(st->cgroup, NULL, &join);
		if (placed < 0)
			goto out;
		have_join = placed == 0;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_error("socketpair: %m");
		goto out;
	}
	/* The process is seen in the container from its clone on, holding
	 * the host's fds (stdio until the terminal's, the sync socket) and,
	 * in a user namespace, no capability there that the container's
	 * root lacks: with CAP_SYS_PTRACE, that root could take them
	 * (pidfd_getfd, ptrace) while the process is dumpable. So it is
	 * born not dumpable (clone keeps it; the exec makes the program
	 * dumpable again). berth itself needs no core dump or tracer now. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		log_error("PR_SET_DUMPABLE: %m");
		goto out;
	}
	pid = spawn(s, &filter, fds, root_fd, sv, o->preserve_fds, have_join ? &join : NULL);
	close(sv[1]);
	if (pid <= 0)
		goto out;
	struct child_server serve = {
		.spec = s, .id = st->id, .pid = pid, .listener_status = STATUS_RUNNING,
		.console_socket = o->console_socket,
	};
	bool served = !(have_join && spec_userns(s) && cgroup_join_pid(&join, pid) < 0) &&
		      sync_send(sv[0], SYNC_GO, pid, NULL) == 0 && child_serve(&serve, sv[0]) == 0;
	/* A pty berth relays has berth's window size before the program
	 * runs, not some time after: its first `stty size` must see it. */
	if (served && serve.console_master >= 0)
		forward_winsize(serve.console_master);
	if (!served || child_release(sv[0]) < 0) {
		if (serve.console_master >= 0)
			close(serve.console_master);
		if (serve.pid) {
			kill(pid, SIGKILL);
			wait_child_timeout(pid, -1);
		}
		goto out;
	}
	o->console_master = serve.console_master;
	o->pid = pid;
	r = 0;
out:
	if (have_join)
		cgroup_join_close(&join);
	close_all(fds, ARRAY_SIZE(fds));
	if (root_fd >= 0)
		close(root_fd);
	if (sv[0] >= 0)
		close(sv[0]);
	seccomp_filter_free(&filter);
	return r;
}
