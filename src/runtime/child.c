/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime <-> child protocol and the steps every container process
 * takes before exec (see berth/child.h). */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/runtime/child.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

int sync_send_fd(int fd, enum sync_type type, int value, const char *text, int passed)
{
	struct sync_msg m = { .type = type, .value = value };
	size_t len = offsetof(struct sync_msg, text);
	if (text) {
		snprintf(m.text, sizeof(m.text), "%s", text);
		len += strlen(m.text) + 1;
	}
	return send_with_fd(fd, &m, len, passed) < 0 ? -1 : 0;
}

int sync_send(int fd, enum sync_type type, int value, const char *text)
{
	return sync_send_fd(fd, type, value, text, -1);
}

int sync_recv(int fd, struct sync_msg *m)
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

/* ---- in the child ---- */

/* The child is single-threaded and this is its one connection. */
static int child_sync_fd = -1;

static void log_to_runtime(int level, const char *msg)
{
	if (sync_send(child_sync_fd, SYNC_LOG, level, msg) < 0)
		dprintf(2, "berth: %s\n", msg);
}

pid_t child_begin(int sync_fd)
{
	struct sync_msg m;
	sigset_t none;
	/* The runtime blocked signals to forward them; the container starts
	 * with a clean mask and default dispositions, the ones its caller
	 * ignored included (nohup; a CI runner ignored all it could). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal_default(sig);
	child_sync_fd = sync_fd;
	log_set_sink(log_to_runtime);
	/* If the runtime dies mid-setup, so do we: nothing half-made remains. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (sync_recv(sync_fd, &m) <= 0 || m.type != SYNC_GO)
		_exit(1);
	return m.value;
}

int child_mounts_from_runtime(const struct spec *s, int **out)
{
	*out = NULL;
	size_t asked = 0;
	for (size_t i = 0; i < s->n_mounts; i++)
		asked += s->mounts[i].idmap != IDMAP_NONE;
	if (!asked)
		return 0;
	int *fds = malloc(s->n_mounts * sizeof(*fds));
	if (!fds)
		return log_error("out of memory");
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct sync_msg m;
		fds[i] = -1;
		if (s->mounts[i].idmap == IDMAP_NONE)
			continue;
		if (sync_send(child_sync_fd, SYNC_MOUNT, (int)i, NULL) < 0 || sync_recv(child_sync_fd, &m) <= 0 ||
		    m.type != SYNC_MOUNT_FD || m.fd < 0) {
			child_mounts_close(fds, i);
			return -1;	/* the runtime said why */
		}
		fds[i] = m.fd;
	}
	*out = fds;
	return 0;
}

int child_image_from_runtime(void)
{
	struct sync_msg m;
	if (sync_send(child_sync_fd, SYNC_MOUNT, SYNC_MOUNT_IMAGE_ROOT, NULL) < 0 || sync_recv(child_sync_fd, &m) <= 0 ||
	    m.type != SYNC_MOUNT_FD || m.fd < 0)
		return -1;
	return m.fd;
}

void child_mounts_close(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}

int child_console(const struct spec *s, bool make_console)
{
	int master = console_open(&s->process, make_console);
	if (master < 0)
		return -1;
	int r = sync_send_fd(child_sync_fd, SYNC_CONSOLE, 0, NULL, master);
	close(master);
	return r < 0 ? log_error("passing the terminal to the runtime: %m") : 0;
}

/* Load the filter; a listener (SCMP_ACT_NOTIFY) goes to the runtime,
 * which hands it to the agent at listenerPath. */
static int child_seccomp(const struct seccomp_filter *f, pid_t host_pid)
{
	int listener = seccomp_filter_load(f);
	if (listener <= 0)
		return listener;
	int r = sync_send_fd(child_sync_fd, SYNC_SECCOMP_LISTENER, host_pid, NULL, listener);
	close(listener);
	return r < 0 ? log_error("passing the seccomp listener to the runtime: %m") : 0;
}

int child_finish(const struct spec *s, const struct seccomp_filter *f, pid_t host_pid, int preserve_fds,
		 char *exe, size_t exe_cap)
{
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, so it
	 * goes in before the capabilities are dropped; with it, as late as
	 * possible, so that the profile sees few of berth's own syscalls. */
	bool nnp = s->process.no_new_privileges;
	if (s->seccomp && !nnp && child_seccomp(f, host_pid) < 0)
		return -1;
	if (process_limits(s) < 0 || process_sched(s) < 0)
		return -1;
	/* Not dumpable from here to the exec (which makes the program so
	 * again): once its capabilities are no more than those of a process
	 * in the container, the same user there could otherwise open
	 * /proc/PID/fd, cwd or environ of this one, which still holds the
	 * host's files (the state directory, the runtime's fds), as runc
	 * learned (CVE-2016-9962). Until the drop, its full set keeps them
	 * out. Set after process_limits, whose /proc/self/oom_score_adj
	 * a non-dumpable process in a user namespace no longer owns. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return log_error("PR_SET_DUMPABLE: %m");
	if (caps_drop_bounding(s) < 0 || process_identity(s) < 0 || caps_apply(s) < 0)
		return -1;
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return log_error("process.noNewPrivileges: %m");
	if (process_cwd(s) < 0 || process_find_exec(s, exe, exe_cap) < 0 || fds_close_on_exec(preserve_fds) < 0 ||
	    process_personality(s) < 0 || lsm_apply(s) < 0)
		return -1;
	if (s->seccomp && nnp && child_seccomp(f, host_pid) < 0)
		return -1;
	return 0;
}

int child_done(bool until_exec)
{
	struct sync_msg m;
	int r = sync_send(child_sync_fd, SYNC_CREATED, 0, NULL);
	if (r == 0 && (sync_recv(child_sync_fd, &m) <= 0 || m.type != SYNC_RELEASE))
		r = -1;	/* the runtime is gone: so are we */
	if (r == 0)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	log_set_sink(NULL);
	if (r == 0 && until_exec)
		return 0;	/* close-on-exec: the exec closes it */
	close(child_sync_fd);
	child_sync_fd = -1;
	return r;
}

void child_exec_failed(void)
{
	if (child_sync_fd >= 0)
		sync_send(child_sync_fd, SYNC_EXEC_FAILED, 0, NULL);
}

/* ---- in the runtime ---- */

int child_release(int fd)
{
	if (sync_send(fd, SYNC_RELEASE, 0, NULL) < 0)
		return log_error("releasing the container process: %m");
	/* The child closes its end once it no longer dies with us (a
	 * runtime that exited sooner would take it along: PDEATHSIG), or,
	 * released until its exec, by executing the program. */
	struct sync_msg m;
	bool failed = false;
	while (sync_recv(fd, &m) > 0) {
		if (m.fd >= 0)
			close(m.fd);
		failed |= m.type == SYNC_EXEC_FAILED;
	}
	return failed ? -1 : 0;
}

char *child_state_json(const struct spec *s, const char *id, pid_t pid, enum status status)
{
	struct state st = { .pid = pid };
	snprintf(st.id, sizeof(st.id), "%s", id);
	snprintf(st.bundle, sizeof(st.bundle), "%s", s->bundle ? s->bundle : "");
	return state_json(&st, status, s, false);
}

static int take_console(struct child_server *c, int fd)
{
	if (!c->console_socket) {
		c->console_master = fd;
		return 0;
	}
	int r = console_send(c->console_socket, fd);
	close(fd);
	return r;
}

static int give_listener(const struct child_server *c, int fd)
{
	char *state = child_state_json(c->spec, c->id, c->pid, c->listener_status);
	int r = seccomp_filter_send_listener(c->spec->seccomp, state, c->pid, fd);
	free(state);
	close(fd);
	return r;
}

int child_serve(struct child_server *c, int fd)
{
	struct sync_msg m;
	bool failed = false;
	c->console_master = -1;
	for (;;) {
		int r = sync_recv(fd, &m);
		if (r < 0)
			return log_error("talking to the container process: %m");
		if (r == 0)
			break;
		switch (m.type) {
		case SYNC_CONSOLE:
			if (m.fd < 0 || take_console(c, m.fd) < 0)
				return -1;
			break;
		case SYNC_SECCOMP_LISTENER:
			if (m.fd < 0 || give_listener(c, m.fd) < 0)
				return -1;
			break;
		case SYNC_LOG:
			log_message(m.value, m.text);
			failed |= m.value == LOG_ERROR;
			break;
		case SYNC_MOUNT: {
			int made = c->mount && m.value >= SYNC_MOUNT_IMAGE_ROOT ? c->mount(c->arg, m.value) : -1;
			r = made >= 0 ? sync_send_fd(fd, SYNC_MOUNT_FD, m.value, NULL, made) : -1;
			if (made >= 0)
				close(made);
			if (made < 0)
				return -1;
			if (r < 0)
				return log_error("talking to the container process: %m");
			break;
		}
		case SYNC_HOOKS:
			if (!c->hooks || c->hooks(c->arg) < 0)
				return -1;
			if (sync_send(fd, SYNC_HOOKS_DONE, 0, NULL) < 0)
				return log_error("talking to the container process: %m");
			break;
		case SYNC_CREATED:
			return failed ? -1 : 0;
		default:
			if (m.fd >= 0)
				close(m.fd);
		}
	}
	if (failed)
		return -1;
	int status = wait_child_timeout(c->pid, -1);
	c->pid = 0;
	return log_error("the container process exited during setup (%s %d)",
			 status >= 0 && WIFSIGNALED(status) ? "signal" : "status",
			 status >= 0 && WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}
