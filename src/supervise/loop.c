/* SPDX-License-Identifier: Apache-2.0 */
/* The supervisor's one loop: epoll over a signalfd (children's exits,
 * shutdown), a timerfd armed only for the next deadline (a backoff's end,
 * a stop timeout), the control socket and the services' pipes. Nothing
 * wakes it when nothing happens. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/util/log.h"
#include "berth/util/trace.h"
#include "berth/supervise/supervise.h"
#include "berth/util/util.h"

void loop_add(struct supervisor *sv, int fd, struct watch *w, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = w };
	if (epoll_ctl(sv->epfd, EPOLL_CTL_ADD, fd, &e) < 0)
		log_error("epoll: %m");
}

void loop_del(struct supervisor *sv, int fd)
{
	epoll_ctl(sv->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void loop_close(struct supervisor *sv, int *fd)
{
	if (*fd < 0)
		return;
	loop_del(sv, *fd);
	close(*fd);
	*fd = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Only close, never loop_del: the epoll instance is the parent's too,
 * and a DEL here would take its watches away. A client's connection a
 * child kept would never see its end (ctl logs waited as long as a
 * ready = path watcher lived); a listening socket would take connections
 * nobody answers once the supervisor is gone. */
void loop_leave(struct supervisor *sv, const struct svc *own)
{
	int *fds[] = { &sv->epfd, &sv->sigfd, &sv->timerfd, &sv->listenfd, &sv->lockfd, &sv->mountinfofd,
		       &sv->netlinkfd, &sv->wdfd, &sv->wdtimer, &sv->console_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		close_fd(fds[i]);
	control_leave(sv);
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		int *sfds[] = { &s->log_fd, &s->notify_fd, &s->pidfd, &s->starter_fd, &s->paths_fd, &s->log_file_fd,
				&s->ready_wfd };
		for (size_t k = 0; k < ARRAY_SIZE(sfds) - (s == own); k++)
			close_fd(sfds[k]);
	}
}

void loop_arm_timer(struct supervisor *sv)
{
	int64_t next = 0;
	for (size_t i = 0; i < sv->n; i++) {
		const struct svc *s = sv->svcs[i];
		int64_t due[] = { s->lc.deadline_ms, s->cleaner ? s->cleaner_deadline_ms : 0, update_deadline(s) };
		for (size_t k = 0; k < ARRAY_SIZE(due); k++)
			if (due[k] && (!next || due[k] < next))
				next = due[k];
	}
	if (!sv->settled && (!next || sv->boot_ms + BOOT_SETTLE_MS < next))
		next = sv->boot_ms + BOOT_SETTLE_MS;
	struct itimerspec t = { 0 };
	if (next) {
		/* Absolute, so that time spent in between does not shift it. */
		t.it_value.tv_sec = next / 1000;
		t.it_value.tv_nsec = (next % 1000) * 1000000 + 1;
	}
	timerfd_settime(sv->timerfd, TFD_TIMER_ABSTIME, &t, NULL);
}

static void reap(struct supervisor *sv)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		svc_reaped(sv, pid, status);
}

/* Whether the loop ends (every service down) is asked after each batch
 * of events, whatever asked for the stop. */
static void on_signal(struct supervisor *sv)
{
	struct signalfd_siginfo si;
	while (read(sv->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(sv);
			break;
		case SIGHUP:
			if (!sv->stopping) {
				log_info("supervisor: reloading %s", sv->config_dir);
				svc_reload(sv);
			}
			break;
		case SIGTERM:
		case SIGINT:
		case SIGUSR1:
		case SIGUSR2:
			/* As PID 1, busybox init's meanings; else all stop us. */
			if (sv->pid1) {
				char why[16];	/* "SIGTERM" (strsignal's texts cost 748 bytes) */
				snprintf(why, sizeof(why), "SIG%s", signal_name((int)si.ssi_signo));
				supervisor_power(sv, si.ssi_signo == SIGUSR1 ? POWER_HALT : si.ssi_signo == SIGUSR2 ? POWER_OFF
					: POWER_REBOOT, why);
				break;
			}
			if (!sv->stopping)
				log_info("supervisor: stopping every service");
			svc_shutdown(sv);
			break;
		default:
			break;
		}
	}
	if (!sv->stopping)
		svc_schedule(sv);
}

/* What the loop holds, let go: at its end, and when the supervisor
 * cannot start or go on. Its console queue is written out first and the
 * log goes straight to stderr again: nothing drains the queue after
 * this, and what comes next (PID 1's emergency shell and its messages)
 * must reach the console. */
static void release(struct supervisor *sv)
{
	control_close_all(sv);
	control_unlisten(sv);
	watchdog_close(sv);
	svc_free_all(sv);
	output_console_close(sv);
	int *fds[] = { &sv->timerfd, &sv->sigfd, &sv->epfd, &sv->mountinfofd, &sv->netlinkfd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

static int setup(struct supervisor *sv)
{
	sigset_t set;
	sigemptyset(&set);
	int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE };
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return log_error("sigprocmask: %m");
	/* A container's init outlives the starter that made it (start.c):
	 * orphans come to us, not to the system's init. */
	if (!sv->pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return log_error("supervisor: PR_SET_CHILD_SUBREAPER: %m");
	sv->epfd = epoll_create1(EPOLL_CLOEXEC);
	/* Without a console that can be written without blocking, services
	 * run all the same, without console copies. */
	if (sv->epfd >= 0)
		output_console_open(sv);
	sv->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	sv->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sv->epfd < 0 || sv->sigfd < 0 || sv->timerfd < 0)
		return log_error("supervisor: %m");
	sv->sig_w = (struct watch){ W_SIGNAL, NULL };
	sv->timer_w = (struct watch){ W_TIMER, NULL };
	loop_add(sv, sv->sigfd, &sv->sig_w, EPOLLIN);
	loop_add(sv, sv->timerfd, &sv->timer_w, EPOLLIN);
	return control_listen(sv);
}

int supervise_run(struct supervisor *sv)
{
	sv->boot_ms = now_ms();
	TRACE("supervisor: started");
	sv->mountinfofd = sv->netlinkfd = sv->wdfd = sv->wdtimer = sv->console_fd = -1;
	sv->listenfd = sv->lockfd = sv->epfd = sv->sigfd = sv->timerfd = -1;
	if (setup(sv) < 0) {
		release(sv);
		return -1;
	}
	update_recover();	/* before any service file is read: no trial survives a restart */
	if (svc_load_all(sv) < 0) {
		release(sv);
		return -1;
	}
	/* Without its watchdog a device still runs its services. */
	if (sv->watchdog && watchdog_open(sv, sv->watchdog) < 0)
		log_error("supervisor: going on without the watchdog");
	order_check(sv);
	TRACE("supervisor: services read");
	log_info("supervisor: %zu service%s from %s", sv->n, sv->n == 1 ? "" : "s", sv->config_dir);
	svc_schedule(sv);
	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(sv->epfd, ev, 16, -1);
		if (n < 0 && errno != EINTR) {
			log_error("epoll_wait: %m");
			release(sv);
			return -1;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;
			switch (w->kind) {
			case W_SIGNAL:
				on_signal(sv);
				break;
			case W_TIMER: {
				uint64_t ticks;
				if (read(sv->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					log_debug("timerfd: %m");
				svc_timeouts(sv);
				if (!sv->stopping)
					svc_schedule(sv);
				else
					loop_arm_timer(sv);
				break;
			}
			case W_LISTEN:
				control_accept(sv);
				break;
			case W_CLIENT:
				control_client(sv, w->ptr, ev[i].events);
				break;
			case W_LOG:
				svc_log_ready(sv, w->ptr);
				break;
			case W_NOTIFY:
				svc_notify_ready(sv, w->ptr);
				break;
			case W_STARTER:
				svc_start_result(sv, w->ptr);
				break;
			case W_CONSOLE:
				output_console_ready(sv);
				break;
			case W_WATCHDOG:
				watchdog_pet(sv);
				break;
			case W_PIDFD:
				svc_adopted_exit(sv, w->ptr);
				svc_schedule(sv);
				break;
			case W_CONDITION:
				conditions_event(sv);
				svc_schedule(sv);
				break;
			case W_PATHS:
				conditions_paths_seen(sv, w->ptr);
				svc_schedule(sv);
				break;
			}
		}
		/* Nothing is freed while ev[] may still point into it. */
		svc_forget_removed(sv);
		svc_boot_settled(sv);
		/* Asked here, not only after a signal: a stop asked through ctl
		 * (poweroff, reboot) or by a service's failure-action when
		 * nothing runs has no exit to wait for, and no signal would
		 * ever come (PID 1 hung so, seen on the boards when the one
		 * service that ran had failed). */
		if (sv->stopping && svc_shutdown(sv)) {
			log_info("supervisor: every service is down");
			release(sv);
			return 0;
		}
	}
}
