/* SPDX-License-Identifier: Apache-2.0 */
/* Starting a service's container, beside the loop, never in it.
 *
 * Creating a container runs hooks and mounts that may take any time (a
 * createRuntime hook that never returns, a mount that blocks). So a
 * short-lived child, the starter, clears a stale container of the same
 * name, creates and starts the new one, sends back its state (and the
 * terminal's master) over a socket, and exits. Meanwhile the loop goes on
 * reaping, answering ctl, feeding the watchdog and starting other
 * services. A starter still busy at start-timeout is killed with its
 * process group, what it made is removed by a cleaner child, and the
 * service counts a failure. The container's init, orphaned when the
 * starter exits, comes back to the supervisor (a child subreaper, or PID
 * 1), whose SIGCHLD it then is. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/runtime/container.h"
#include "berth/runtime/network.h"
#include "berth/util/inroot.h"
#include "berth/util/log.h"
#include "berth/util/trace.h"
#include "berth/supervise/supervise.h"
#include "berth/util/util.h"

struct start_result {
	int ok;
	struct state st;
	char addresses[NET_DESCRIBE_LEN];	/* its network's, for ctl status */
	char error[SVC_START_ERROR_LEN];	/* when not ok: the first error it logged */
};

/* A container of this name left by a supervisor that died, or by a
 * starter that was killed: its processes, cgroup and state go. (A stale
 * container is cleared by the starter itself, before it creates.) */
static void clear_stale(const char *root, const char *name)
{
	struct state old;
	if (state_load(root, name, &old) == 0)
		container_destroy(root, &old);
}

/* Every child of the loop does one service's work: it dies with the
 * supervisor (a new one clears what it left), does not hold the
 * supervisor's lock (a new one could not start), and writes its messages
 * straight to stderr, not into the loop's console queue, each naming the
 * service. */
static void child_of_loop(struct supervisor *sv, const struct svc *s, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	loop_leave(sv, s);
	log_set_writer(NULL, NULL);
	static char subject[8 + 256];
	snprintf(subject, sizeof(subject), "service %s", s->name);
	log_set_subject(subject);
}

/* A port another service publishes (its container is there, or being
 * made or cleared): the first to start keeps it. */
static int publish_clash(struct supervisor *sv, const struct svc *s)
{
	for (size_t i = 0; i < s->conf.net.n_publish; i++)
		for (size_t j = 0; j < sv->n; j++) {
			const struct svc *o = sv->svcs[j];
			if (o == s || !svc_active(o))
				continue;
			for (size_t k = 0; k < o->conf.net.n_publish; k++)
				if (net_publish_clash(&s->conf.net.publish[i], &o->conf.net.publish[k]))
					return log_error("port %u/%s is published by service %s",
							 s->conf.net.publish[i].host_port,
							 net_proto_name(s->conf.net.publish[i].proto), o->name);
		}
	return 0;
}

struct wiring {
	const struct svc *s;
	const struct net_plan *plan;
};

static int wire_network(pid_t pid, void *arg)
{
	const struct wiring *w = arg;
	int r = network_attach(&w->s->conf.net, w->s->name, pid, w->plan);
	TRACE("starter: network attached");
	return r;
}

/* A sysctl of the net.* tree may name the container's links (eth0):
 * they must be there before init applies it. */
static bool sysctl_needs_links(const struct spec *spec)
{
	for (size_t i = 0; i < spec->n_sysctl; i++)
		if (!strncmp(spec->sysctl[i].key, "net.", 4))
			return true;
	return false;
}

static _Noreturn void starter(struct supervisor *sv, struct svc *s, int stdio[3], int notify_fd, int result_fd,
			      pid_t parent)
{
	/* Its own process group, so that a deadline kills the hooks too. */
	setpgid(0, 0);
	child_of_loop(sv, s, parent);
	TRACE("starter: forked");
	struct start_result res = { 0 };
	log_keep_first_error(res.error, sizeof(res.error));
	clear_stale(sv->root, s->name);
	TRACE("starter: stale cleared");
	struct create_opts o = {
		.id = s->name, .stdio = s->conf.spec.process.terminal ? NULL : stdio,
		.notify_fd = s->conf.ready == READY_NOTIFY ? notify_fd : -1, .foreground = true, .start = true,
	};
	/* Its network: files and addresses before the container is made,
	 * links once its namespace exists, all before its program runs. */
	char net_files[4096];
	supervisor_net_files(sv, net_files);
	struct net_plan plan;
	int r = publish_clash(sv, s);
	if (r == 0)
		r = network_prepare(&s->conf.net, s->name, &s->conf.spec, net_files, sv->lease_dir, &plan);
	TRACE("starter: network prepared");
	/* Its links are made while its init sets up its mounts. */
	struct wiring w = { s, &plan };
	o.on_namespaces = wire_network;
	o.ns_arg = &w;
	o.ns_before_setup = sysctl_needs_links(&s->conf.spec);
	/* What any service can write: one service planting a link where
	 * another's source lies below is the same escape as a service
	 * planting it on its own way (container_writable_dirs says which
	 * of the other services' directories are looked up). */
	struct fences fences = { 0 };
	if (r == 0)
		r = container_writable_dirs(&s->conf.spec, &fences, NULL);
	for (size_t j = 0; r == 0 && j < sv->n; j++)
		if (sv->svcs[j] != s)
			r = container_writable_dirs(&sv->svcs[j]->conf.spec, &fences, &s->conf.spec);
	o.fences = &fences;
	if (r == 0)
		r = container_create_spec(sv->root, &o, &s->conf.spec, "service.conf", s->text, s->text_len, &res.st);
	if (r < 0)	/* nothing of its network stays behind either */
		network_forget(&s->conf.net, net_files, s->name);
	res.ok = r == 0;
	if (res.ok)
		network_describe(&plan, res.addresses, sizeof(res.addresses));
	if (send_with_fd(result_fd, &res, sizeof(res), res.ok ? o.console_master : -1) < 0)
		_exit(1);
	_exit(0);
}

static void close_start_fds(struct supervisor *sv, struct svc *s)
{
	loop_close(sv, &s->starter_fd);
	loop_close(sv, &s->log_fd);
	loop_close(sv, &s->notify_fd);
	if (s->ready_wfd >= 0)
		close(s->ready_wfd);
	s->ready_wfd = -1;
}

int svc_start_now(struct supervisor *sv, struct svc *s)
{
	int logp[2] = { -1, -1 }, notp[2] = { -1, -1 }, sp[2] = { -1, -1 };
	int devnull = openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);
	bool notify = s->conf.ready == READY_NOTIFY || s->conf.ready == READY_PATH;
	if (devnull < 0 || output_open_fifo(sv, s, logp) < 0 || (notify && pipe2(notp, O_CLOEXEC) < 0) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		log_error("service %s: pipe: %m", s->name);
		goto fail;
	}
	svc_container_clear(s);	/* known again once the starter answers */
	free(s->start_error);	/* and why it failed, if it does */
	s->start_error = NULL;
	pid_t parent = getpid(), pid = proc_fork();
	if (pid == 0) {
		close(sp[0]);
		int stdio[3] = { devnull, logp[1], logp[1] };
		starter(sv, s, stdio, notify ? notp[1] : -1, sp[1], parent);
	}
	if (pid < 0) {
		log_error("service %s: fork: %m", s->name);
		goto fail;
	}
	setpgid(pid, pid);	/* also here: the deadline may come first */
	close(devnull);
	close(logp[1]);
	close(sp[1]);
	if (s->conf.ready == READY_PATH)
		s->ready_wfd = notp[1];	/* the watcher's, once the container runs */
	else if (notify)
		close(notp[1]);
	s->starter = pid;
	s->starter_fd = sp[0];
	s->log_fd = logp[0];	/* watched once the container is there */
	s->notify_fd = notp[0];
	s->starter_w = (struct watch){ W_STARTER, s };
	loop_add(sv, s->starter_fd, &s->starter_w, EPOLLIN);
	return 0;
fail:
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		int *fds[] = { &logp[i], &notp[i], &sp[i] };
		for (size_t k = 0; k < ARRAY_SIZE(fds); k++)
			if (*fds[k] >= 0)
				close(*fds[k]);
	}
	return -1;
}

/* The starter's answer, taken into s: 1 the container runs, 0 it could
 * not be made (or was aborted meanwhile), -1 not there yet. The answer
 * holds a struct state (6 KB): it is received on the heap, as the
 * supervisor's stack keeps for good every page it ever touched. */
static int take_start_result(struct supervisor *sv, struct svc *s, int *master)
{
	static struct start_result spare;	/* out of heap: read all the same (bss, untouched till then) */
	struct start_result *heap = malloc(sizeof(*heap)), *res = heap ? heap : &spare;
	ssize_t n = recv_with_fd(s->starter_fd, res, sizeof(*res), master);
	int made = -1;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		goto out;
	loop_close(sv, &s->starter_fd);
	made = s->lc.state == SVC_STARTING && n == (ssize_t)sizeof(*res) && res->ok;
	free(s->start_error);
	s->start_error = !made && n == (ssize_t)sizeof(*res) && res->error[0] ? strdup(res->error) : NULL;
	if (made) {
		svc_container_set(s, &res->st);
		free(s->addresses);
		s->addresses = res->addresses[0] ? strdup(res->addresses) : NULL;
	}
out:
	free(heap);
	return made;
}

/* The starter answered: the container runs, or could not be made. */
void svc_start_result(struct supervisor *sv, struct svc *s)
{
	int master = -1;
	int made = take_start_result(sv, s, &master);
	if (made < 0)
		return;
	if (!made) {
		if (master >= 0)
			close(master);
		if (s->lc.state == SVC_STARTING) {	/* else: aborted meanwhile */
			/* What its init wrote before it failed (the kernel's
			 * refusal of its program, say) is in the log pipe. */
			if (s->log_fd >= 0 && fcntl(s->log_fd, F_SETFL, O_NONBLOCK) == 0)
				svc_log_drain(sv, s);
			close_start_fds(sv, s);
			svc_event(sv, s, EV_CREATE_FAILED, false);
			svc_schedule(sv);
		}
		return;
	}
	bool first = !s->exec_ms;	/* boot timing: its first start only */
	if (first)
		s->exec_ms = now_ms();
	/* A terminal service's output is its pty. */
	if (master >= 0) {
		close(s->log_fd);
		s->log_fd = master;
	}
	svc_event(sv, s, EV_CREATED, false);
	if (first)	/* on a serial console: where the boot's time goes */
		log_info("service %s: started (pid %d), %lld ms after the supervisor", s->name, (int)s->ctr.pid,
			 (long long)(s->exec_ms - sv->boot_ms));
	else
		log_info("service %s: started (pid %d)", s->name, (int)s->ctr.pid);
	if (s->conf.ready == READY_NONE)
		svc_become_ready(sv, s);
	/* It may have exited already: its SIGCHLD came before this answer. */
	int status;
	if (svc_unclaimed_exit(sv, s->ctr.pid, &status))
		svc_reaped(sv, s->ctr.pid, status);
	svc_schedule(sv);
}

/* ready = path: a watcher child looks inside the root (ready.c), never
 * the loop. It dies with the container (events.c kills it). The root is
 * the container's own, as its init sees it (/proc/PID/root): an image
 * root or an overlay is mounted in the container's mount namespace
 * only, and a directory root shows the same files either way. */
static void spawn_ready_watcher(struct supervisor *sv, struct svc *s)
{
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)s->ctr.pid);
	pid_t parent = getpid(), pid = proc_fork();
	if (pid == 0) {
		child_of_loop(sv, s, parent);
		ready_path_watch(s->ctr.pid > 0 ? root : s->conf.spec.root_path, s->conf.ready_path, s->ready_wfd);
	}
	if (pid < 0)
		log_error("service %s: fork: %m (ready = path cannot be watched)", s->name);
	s->watcher = pid > 0 ? pid : 0;
	close(s->ready_wfd);
	s->ready_wfd = -1;
}

/* wait-for = path: a child looks (ready.c), never the loop. Its lines
 * come to the loop through paths_fd (conditions.c). */
void svc_spawn_paths_watcher(struct supervisor *sv, struct svc *s)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_error("service %s: pipe: %m (wait-for = path cannot be watched)", s->name);
		return;
	}
	pid_t parent = getpid(), pid = proc_fork();
	if (pid == 0) {
		close(p[0]);
		child_of_loop(sv, s, parent);
		wait_for_paths_watch(&s->conf, p[1]);
	}
	close(p[1]);
	if (pid < 0) {
		log_error("service %s: fork: %m (wait-for = path cannot be watched)", s->name);
		close(p[0]);
		return;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	s->paths_watcher = pid;
	s->paths_fd = p[0];
	s->paths_w = (struct watch){ W_PATHS, s };
	loop_add(sv, s->paths_fd, &s->paths_w, EPOLLIN);
}

/* The container runs: its output and notify pipe are watched. */
void svc_start_watch(struct supervisor *sv, struct svc *s)
{
	if (s->ready_wfd >= 0)
		spawn_ready_watcher(sv, s);
	fcntl(s->log_fd, F_SETFL, O_NONBLOCK);
	s->log_w = (struct watch){ W_LOG, s };
	loop_add(sv, s->log_fd, &s->log_w, EPOLLIN);
	if (s->notify_fd >= 0) {
		s->notify_w = (struct watch){ W_NOTIFY, s };
		loop_add(sv, s->notify_fd, &s->notify_w, EPOLLIN);
	}
}

/* spawn_cleaner's child. Its own function, not inlined: its buffers
 * (10 KB) are the child's alone, not a frame the loop's stack holds while
 * spawn_cleaner goes on with events. */
__attribute__((noinline)) static _Noreturn void cleaner(struct supervisor *sv, struct svc *s, int wait_pidfd, pid_t parent)
{
	setpgid(0, 0);	/* its deadline kills its hooks too */
	child_of_loop(sv, s, parent);
	if (wait_pidfd >= 0)
		poll(&(struct pollfd){ .fd = wait_pidfd, .events = POLLIN }, 1, 5000);
	if (s->ctr.pid > 0 || s->ctr.cgroup) {
		struct state st;
		svc_container_state(s, sv->root, &st);
		container_destroy(sv->root, &st);
	} else
		clear_stale(sv->root, s->name);
	char net_files[4096];
	network_forget(&s->conf.net, supervisor_net_files(sv, net_files), s->name);
	_exit(0);
}

/* A cleaner child clears a container away beside the loop: the one in
 * st if known, else whatever state the name has on disk. It first waits
 * (up to 5 s) for the process behind wait_pidfd, so that nothing adds
 * to what it clears. The service may start again once it is reaped. */
static void spawn_cleaner(struct supervisor *sv, struct svc *s, int wait_pidfd)
{
	pid_t parent = getpid(), pid = proc_fork();
	if (pid == 0)
		cleaner(sv, s, wait_pidfd, parent);
	if (wait_pidfd >= 0)
		close(wait_pidfd);
	if (pid < 0)
		log_error("service %s: fork: %m (what is left of its container is removed at its next start)",
			  s->name);
	if (pid > 0)
		setpgid(pid, pid);
	s->cleaner = pid > 0 ? pid : 0;
	/* Its poststop hooks may have no timeout of their own: the same
	 * deadline as a creation's. */
	s->cleaner_deadline_ms = now_ms() + s->conf.start_timeout_ms;
	svc_container_clear(s);
	if (!s->cleaner)
		svc_event(sv, s, EV_CLEANED, false);
}

/* A cleaner past its deadline (a poststop hook that does not return):
 * killed with its hooks, and a second cleaner finishes the job; the
 * hooks are not run twice (container.c), so it ends. A second one past
 * its deadline is killed too, and what is left waits for the next start. */
void svc_cleaner_timeout(struct supervisor *sv, struct svc *s)
{
	pid_t old = s->cleaner;
	log_error("service %s: clearing its container took over %lld ms (start-timeout): killing that%s", s->name,
		  (long long)s->conf.start_timeout_ms, s->cleaner_retried ? "" : ", and clearing it without its hooks");
	int pidfd = pidfd_open_compat(old);
	kill(-old, SIGKILL);
	s->cleaner_deadline_ms = 0;
	if (s->cleaner_retried) {	/* EV_CLEANED once it is reaped */
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	s->cleaner_retried = true;
	s->cleaner = 0;		/* the old one's exit is nobody's now */
	spawn_cleaner(sv, s, pidfd);
}

/* Stop a start in progress: the starter and its process group are
 * killed, and a cleaner removes what they made. */
void svc_start_abort(struct supervisor *sv, struct svc *s)
{
	pid_t starter = s->starter;
	int starter_pidfd = starter > 0 ? pidfd_open_compat(starter) : -1;
	if (starter > 0)
		kill(-starter, SIGKILL);
	close_start_fds(sv, s);
	svc_container_clear(s);	/* what the starter made is on disk */
	s->cleaner_retried = false;
	spawn_cleaner(sv, s, starter_pidfd);
}

/* SIGKILL to all of the container's cgroup, and a thaw where a freezer
 * holds it: a walk of its cgroup tree, which a writable cgroup mount lets
 * the container make as large as it likes. Its own frame: struct state
 * is 6 KB. */
__attribute__((noinline)) static void kill_cgroup(const struct svc *s)
{
	struct state st;
	svc_container_state(s, NULL, &st);
	container_signal(&st, SIGKILL, true);
}

/* Past stop-timeout: the init is killed from the loop (its pid is held
 * by its pidfd, or by being our child not yet reaped), the rest of its
 * cgroup by a killer child, for the walk's sake. With no child the loop
 * walks the tree itself: late is better than left running. */
void svc_kill(struct supervisor *sv, struct svc *s)
{
	log_warn("service %s: still running %lld ms after its stop signal: SIGKILL", s->name,
		 (long long)s->conf.stop_timeout_ms);
	pidfd_signal(s->pidfd, s->ctr.pid, SIGKILL);
	if (!s->ctr.cgroup || s->killer)
		return;
	pid_t parent = getpid(), pid = proc_fork();
	if (pid == 0) {
		child_of_loop(sv, s, parent);
		kill_cgroup(s);
		_exit(0);
	}
	if (pid < 0) {
		log_error("service %s: fork: %m (its cgroup is killed from the loop)", s->name);
		kill_cgroup(s);
	}
	s->killer = pid > 0 ? pid : 0;
}

/* The container exited: its cgroup, leftover processes and state go,
 * once a killer still at work is done (up to the cleaner's 5 s; the
 * service does not start again before both are gone). */
void svc_teardown(struct supervisor *sv, struct svc *s)
{
	s->cleaner_retried = false;
	spawn_cleaner(sv, s, s->killer ? pidfd_open_compat(s->killer) : -1);
}

/* ---- exits nobody claimed yet ---- */

void svc_unclaimed_add(struct supervisor *sv, pid_t pid, int status)
{
	struct unclaimed *u = &sv->unclaimed[sv->next_unclaimed++ % ARRAY_SIZE(sv->unclaimed)];
	u->pid = pid;
	u->status = status;
}

bool svc_unclaimed_exit(struct supervisor *sv, pid_t pid, int *status)
{
	for (size_t i = 0; i < ARRAY_SIZE(sv->unclaimed); i++)
		if (sv->unclaimed[i].pid == pid) {
			*status = sv->unclaimed[i].status;
			sv->unclaimed[i].pid = 0;
			return true;
		}
	return false;
}
