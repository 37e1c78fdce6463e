/* Container creation, top to bottom.
 *
 * The runtime clones the init process into its new namespaces; init sets
 * up the container while the runtime serves it over a socketpair (cgroup
 * placement and id maps must be done from outside, prestart and
 * createRuntime hooks run in the runtime's namespaces). When init reports
 * "created" it blocks opening exec.fifo, which `berth start` unblocks.
 * Errors inside init travel to the runtime as messages, so they reach the
 * user's terminal and --log file, not the container's stderr. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include "berth/cgroup.h"
#include "berth/hooks.h"
#include "berth/launch.h"
#include "berth/linux.h"
#include "berth/log.h"
#include "berth/state.h"
#include "berth/util.h"

enum sync_type { SYNC_GO, SYNC_HOOKS, SYNC_HOOKS_DONE, SYNC_CREATED, SYNC_LOG, SYNC_SECCOMP_LISTENER,
		 SYNC_CONSOLE };

struct sync_msg {
	uint32_t type;
	int32_t value;		/* GO: init's host pid; LOG: level */
	char text[3840];
	int fd;			/* received with the message (not sent as data) */
};

/* passed: an fd to send along (SCM_RIGHTS), or -1. */
static int sync_send_fd(int fd, enum sync_type type, int value, const char *text, int passed)
{
	struct sync_msg m = { .type = type, .value = value };
	size_t len = offsetof(struct sync_msg, text);
	if (text) {
		snprintf(m.text, sizeof(m.text), "%s", text);
		len += strlen(m.text) + 1;
	}
	return send_with_fd(fd, &m, len, passed) < 0 ? -1 : 0;
}

static int sync_send(int fd, enum sync_type type, int value, const char *text)
{
	return sync_send_fd(fd, type, value, text, -1);
}

/* 1: message; 0: peer gone; -1: error */
static int sync_recv(int fd, struct sync_msg *m)
{
	size_t head = offsetof(struct sync_msg, text);
	ssize_t n = recv_with_fd(fd, m, head + sizeof(m->text) - 1, &m->fd);
	if (n <= 0)
		return (int)n;
	if ((size_t)n < head)
		return -1;
	m->text[(size_t)n - head] = 0;
	return 1;
}

/* ---- inside the container's init ---- */

static int init_sync_fd = -1;

static void log_to_runtime(int level, const char *msg)
{
	if (sync_send(init_sync_fd, SYNC_LOG, level, msg) < 0)
		dprintf(2, "berth: %s\n", msg);
}

/* The state hooks see during creation; pid is the init's, as the host sees it. */
static char *launch_state_json(const struct launch *l, pid_t host_pid, enum status status)
{
	struct state st = { .pid = host_pid };
	snprintf(st.id, sizeof(st.id), "%s", l->id);
	snprintf(st.bundle, sizeof(st.bundle), "%s", l->spec->bundle ? l->spec->bundle : "");
	return state_json(&st, status, l->spec, false);
}

static int init_wait_for_start(const struct launch *l)
{
	/* Opening a FIFO for writing blocks until `berth start` opens it for
	 * reading: that is the "created" state. */
	int fd;
	while ((fd = openat(l->state_dirfd, "exec.fifo", O_WRONLY | O_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (fd < 0)
		return log_error("exec.fifo: %m");
	int r = write_all(fd, "0", 1);
	close(fd);
	close(l->state_dirfd);
	return r < 0 ? log_error("exec.fifo: %m") : 0;
}

static int init_mkdir_cwd(const struct spec *s)
{
	char *cwd = secure_join(s->root_path, s->process.cwd);
	int r = cwd && mkdir_p(cwd, 0755) == 0 ? 0 : log_error("process.cwd %s: %m", s->process.cwd);
	free(cwd);
	return r;
}

/* Load the filter; a listener (SCMP_ACT_NOTIFY) goes to the runtime,
 * which hands it to the agent at listenerPath. */
static int init_seccomp(const struct launch *l, pid_t host_pid)
{
	int listener = seccomp_filter_load(&l->seccomp);
	if (listener <= 0)
		return listener;
	int r = sync_send_fd(init_sync_fd, SYNC_SECCOMP_LISTENER, host_pid, NULL, listener);
	close(listener);
	return r < 0 ? log_error("passing the seccomp listener to the runtime: %m") : 0;
}

/* The pty, made in the container's /dev/pts; its master goes to the runtime. */
static int init_console(const struct spec *s)
{
	int master = console_open(&s->process, true);
	if (master < 0)
		return -1;
	int r = sync_send_fd(init_sync_fd, SYNC_CONSOLE, 0, NULL, master);
	close(master);
	return r < 0 ? log_error("passing the terminal to the runtime: %m") : 0;
}

static int init_setup(const struct launch *l, pid_t host_pid, char *exe, size_t exe_cap)
{
	const struct spec *s = l->spec;
	struct sync_msg m;
	char *state;
	int r;

	if (userns_become_root(s) < 0 || ns_join_paths(s) < 0 || ns_unshare_cgroup(s) < 0 ||
	    ns_set_names(s) < 0)
		return -1;
	if (rootfs_prepare(s) < 0 || mounts_setup(s, l->cgroup) < 0 || devices_setup(s) < 0 ||
	    init_mkdir_cwd(s) < 0)
		return -1;
	if (s->n_hooks[HOOK_PRESTART] || s->n_hooks[HOOK_CREATE_RUNTIME]) {
		if (sync_send(init_sync_fd, SYNC_HOOKS, 0, NULL) < 0 || sync_recv(init_sync_fd, &m) <= 0 ||
		    m.type != SYNC_HOOKS_DONE)
			return -1;	/* the runtime reported why */
	}
	if (s->n_hooks[HOOK_CREATE_CONTAINER]) {
		state = launch_state_json(l, host_pid, STATUS_CREATING);
		r = hooks_run(s, HOOK_CREATE_CONTAINER, state);
		free(state);
		if (r < 0)
			return -1;
	}
	/* sysctl before readonlyPaths, which usually include /proc/sys. */
	if (rootfs_pivot(s, l->no_pivot) < 0 || (s->process.terminal && init_console(s) < 0) ||
	    sysctl_apply(s) < 0 || paths_mask_and_protect(s) < 0 || rootfs_finish(s) < 0)
		return -1;
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, so it
	 * goes in before the capabilities are dropped; with it, as late as
	 * possible, so that the profile sees few of berth's own syscalls. */
	bool nnp = s->process.no_new_privileges;
	if (s->seccomp && !nnp && init_seccomp(l, host_pid) < 0)
		return -1;
	if (process_limits(s) < 0 || caps_drop_bounding(s) < 0 || process_identity(s) < 0 ||
	    caps_apply(s) < 0)
		return -1;
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return log_error("process.noNewPrivileges: %m");
	if (process_cwd(s) < 0 || process_find_exec(s, exe, exe_cap) < 0 ||
	    fds_close_on_exec(l->preserve_fds) < 0)
		return -1;
	if (s->seccomp && nnp && init_seccomp(l, host_pid) < 0)
		return -1;
	return 0;
}

static _Noreturn void init_main(struct launch *l, int sync_fd)
{
	struct sync_msg m;
	char exe[4096];
	sigset_t none;

	/* The runtime blocked signals to forward them; the container starts
	 * with a clean mask and default dispositions. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	init_sync_fd = sync_fd;
	log_set_sink(log_to_runtime);
	/* If the runtime dies mid-setup, so do we: nothing half-made remains. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (sync_recv(sync_fd, &m) <= 0 || m.type != SYNC_GO)
		_exit(1);
	pid_t host_pid = m.value;
	if (init_setup(l, host_pid, exe, sizeof(exe)) < 0)
		_exit(1);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (sync_send(sync_fd, SYNC_CREATED, 0, NULL) < 0)
		_exit(1);
	close(sync_fd);
	log_set_sink(NULL);
	/* From here on, errors can only go to the container's stderr. */
	if (l->state_dirfd >= 0 && init_wait_for_start(l) < 0)
		_exit(1);
	if (l->spec->n_hooks[HOOK_START_CONTAINER]) {
		char *state = launch_state_json(l, host_pid, STATUS_CREATED);
		if (hooks_run(l->spec, HOOK_START_CONTAINER, state) < 0)
			_exit(1);
		free(state);
	}
	process_exec(l->spec, exe);
	_exit(127);
}

/* ---- in the runtime ---- */

static int runtime_hooks(const struct launch *l)
{
	char *json = launch_state_json(l, l->pid, STATUS_CREATING);
	int r = hooks_run(l->spec, HOOK_PRESTART, json);
	if (r == 0)
		r = hooks_run(l->spec, HOOK_CREATE_RUNTIME, json);
	free(json);
	return r;
}

/* Serve init until it is created; -1 if it failed (its errors logged). */
static int serve_init(struct launch *l, int fd)
{
	struct sync_msg m;
	bool failed = false;
	for (;;) {
		int r = sync_recv(fd, &m);
		if (r < 0)
			return log_error("talking to the container's init: %m");
		if (r == 0)
			break;
		if (m.fd >= 0 && m.type != SYNC_SECCOMP_LISTENER && m.type != SYNC_CONSOLE)
			close(m.fd);
		switch (m.type) {
		case SYNC_CONSOLE:
			if (!l->console_socket) {
				l->console_master = m.fd;
				break;
			}
			r = console_send(l->console_socket, m.fd);
			close(m.fd);
			if (r < 0)
				return -1;
			break;
		case SYNC_SECCOMP_LISTENER: {
			char *state = launch_state_json(l, l->pid, STATUS_CREATING);
			int sent = seccomp_filter_send_listener(l->spec->seccomp, state, l->pid, m.fd);
			free(state);
			close(m.fd);
			if (sent < 0)
				return -1;
			break;
		}
		case SYNC_LOG:
			log_message(m.value, m.text);
			if (m.value == LOG_ERROR)
				failed = true;
			break;
		case SYNC_HOOKS:
			if (runtime_hooks(l) < 0)
				return -1;
			if (sync_send(fd, SYNC_HOOKS_DONE, 0, NULL) < 0)
				return log_error("talking to the container's init: %m");
			break;
		case SYNC_CREATED:
			return failed ? -1 : 0;
		}
	}
	if (!failed) {
		int status = wait_child_timeout(l->pid, -1);
		l->pid = 0;
		return log_error("container init exited during setup (%s %d)",
				 status >= 0 && WIFSIGNALED(status) ? "signal" : "status",
				 status >= 0 && WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
	return -1;
}

static pid_t clone_init(int flags)
{
	/* A raw clone behaves like fork (same stack, copy-on-write), with
	 * the namespace flags applied at once so that every namespace made
	 * here is owned by the new user namespace. */
	return (pid_t)syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), 0, 0, 0, 0);
}

static int clone_and_serve(struct launch *l)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return log_error("socketpair: %m");
	struct ns_saved saved;
	if (ns_enter_for_children(l->spec, &saved) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	l->pid = clone_init(ns_clone_flags(l->spec));
	if (l->pid == 0) {
		close(sv[0]);
		init_main(l, sv[1]);
	}
	int clone_errno = errno;
	ns_restore(&saved);
	close(sv[1]);
	if (l->pid < 0) {
		close(sv[0]);
		errno = clone_errno;
		return log_error("creating the container's namespaces: %m%s",
				 clone_errno == EINVAL ? " (a namespace type this kernel lacks?)" : "");
	}
	int r = 0;
	if (l->cgroup && cgroup_enter(l->cgroup, l->pid, &l->spec->resources) < 0)
		r = -1;
	if (r == 0 && userns_write_maps(l->spec, l->pid) < 0)
		r = -1;
	if (r == 0 && sync_send(sv[0], SYNC_GO, l->pid, NULL) < 0)
		r = log_error("starting the container's init: %m");
	if (r == 0)
		r = serve_init(l, sv[0]);
	close(sv[0]);
	if (r < 0) {
		if (l->pid > 0) {
			kill(l->pid, SIGKILL);
			wait_child_timeout(l->pid, -1);
		}
		if (l->cgroup)
			cgroup_remove(l->cgroup);
		if (l->console_master >= 0)
			close(l->console_master);
		l->console_master = -1;
		l->pid = 0;
	}
	return r;
}

int launch_container(struct launch *l)
{
	l->console_master = -1;
	/* Compiled here, before the clone: init inherits it, and the cache
	 * is written once, by the runtime. */
	if (l->spec->seccomp && seccomp_filter_prepare(l->spec->seccomp, l->cache_dir, &l->seccomp) < 0)
		return -1;
	int r = clone_and_serve(l);
	seccomp_filter_free(&l->seccomp);
	return r;
}
