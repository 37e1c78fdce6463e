/* SPDX-License-Identifier: Apache-2.0 */
/* Events to services: what the loop learns (an exit, a deadline, a
 * starter's answer, a ctl command, a dependency made ready) becomes an
 * event for lifecycle.c's table, and the actions the table returns are
 * carried out here. Every action that may take time (creating a
 * container, killing all of one, clearing one away) runs in a child
 * beside the loop (start.c); here only signals are sent to pids and fds
 * watched. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include "berth/runtime/container.h"
#include "berth/util/log.h"
#include "berth/supervise/supervise.h"

/* The service file's say in its life, as lifecycle.c takes it. */
static struct lifecycle_policy policy_of(const struct service_conf *c)
{
	return (struct lifecycle_policy){
		.restart_on_success = c->restart == RESTART_ALWAYS,
		.restart_on_failure = c->restart != RESTART_NO,
		.done_on_success = c->ready == READY_EXIT,
		.restart_delay_ms = c->restart_delay_ms,
		.restart_max_delay_ms = c->restart_max_delay_ms,
		.restart_reset_ms = c->restart_reset_ms,
		.restart_limit = c->restart_limit,
		.reboot_on_failure = c->reboot_on_failure,
		.start_timeout_ms = c->start_timeout_ms,
		.stop_timeout_ms = c->stop_timeout_ms,
	};
}

static void give_up(struct supervisor *sv, struct svc *s, unsigned act)
{
	log_error("service %s: failed: %s", s->name, s->why);
	if (!(act & ACT_REBOOT))
		return;
	if (!sv->pid1) {
		log_warn("service %s: failure-action = reboot applies to berth as PID 1 only", s->name);
		return;
	}
	char why[300];
	snprintf(why, sizeof(why), "service %s failed (failure-action = reboot)", s->name);
	supervisor_power(sv, POWER_REBOOT, why);
}

/* Why a start ended without a container (in buf, if it needs one); NULL:
 * it had one. */
static const char *start_failure(const struct svc *s, enum svc_event ev, enum svc_state was, char *buf, size_t cap)
{
	if (ev == EV_CREATE_FAILED && s->start_error) {
		snprintf(buf, cap, "its container could not be created: %s", s->start_error);
		return buf;
	}
	if (ev == EV_CREATE_FAILED)
		return "its container could not be created";
	if (ev == EV_TIMER && was == SVC_STARTING)
		return "its container was not created within start-timeout";
	return NULL;
}

/* What ctl status says beside the state, for the states the table
 * enters by itself. */
static void tell(const struct supervisor *sv, struct svc *s, enum svc_event ev, enum svc_state was)
{
	char buf[sizeof(s->why)];
	const char *failed_start = start_failure(s, ev, was, buf, sizeof(buf));
	switch (s->lc.state) {
	case SVC_STARTING:
		snprintf(s->why, sizeof(s->why), "its container is being created");
		break;
	case SVC_RUNNING:
	case SVC_READY:
		s->why[0] = 0;
		break;
	case SVC_DONE:	/* ready = exit: done is its readiness */
		if (!s->ready_ms) {
			s->ready_ms = now_ms();
			log_info("service %s: done, %lld ms after the supervisor", s->name,
				 (long long)(s->ready_ms - sv->boot_ms));
		} else {
			log_info("service %s: done", s->name);
		}
		break;
	case SVC_BACKOFF:
		snprintf(s->why, sizeof(s->why), "%s%srestarting in %lld ms", failed_start ? failed_start : "",
			 failed_start ? "; " : "", (long long)s->lc.backoff_ms);
		/* On a serial console, the backoff is what tells a crash loop apart. */
		if (s->lc.failures)
			log_info("service %s: restarting in %lld ms (%d failure%s in a row)", s->name,
				 (long long)s->lc.backoff_ms, s->lc.failures, s->lc.failures == 1 ? "" : "s");
		break;
	case SVC_FAILED:
		if (s->conf.restart == RESTART_NO)
			snprintf(s->why, sizeof(s->why), "not restarted (restart = no)%s%s", failed_start ? ": " : "",
				 failed_start ? failed_start : "");
		else
			snprintf(s->why, sizeof(s->why), "%d failure%s in a row (restart-limit)%s%s", s->lc.failures,
				 s->lc.failures == 1 ? "" : "s", failed_start ? "; the last: " : "",
				 failed_start ? failed_start : "");
		break;
	case SVC_STOPPED:
		if (failed_start)
			snprintf(s->why, sizeof(s->why), "%s", failed_start);
		break;
	default:
		break;
	}
}

void svc_event(struct supervisor *sv, struct svc *s, enum svc_event ev, bool success)
{
	struct lifecycle_policy p = policy_of(&s->conf);
	struct lifecycle_input in = { .now_ms = now_ms(), .stopping = sv->stopping, .success = success };
	enum svc_state was = s->lc.state;
	unsigned act = lifecycle_step(&s->lc, &p, ev, &in);
	if (s->lc.state != was) {
		log_debug("service %s: %s: %s -> %s", s->name, svc_event_name(ev), svc_state_name(was),
			  svc_state_name(s->lc.state));
		tell(sv, s, ev, was);
	}
	if (act & ACT_ABORT)
		svc_start_abort(sv, s);		/* EV_CLEANED follows */
	if (act & ACT_TEARDOWN)
		svc_teardown(sv, s);
	/* Never kill(0, ...): that would be the supervisor's own group. The
	 * supervisor's own containers are its children until it reaps them;
	 * an adopted one is signalled through the pidfd it is watched by. */
	if (act & ACT_SIGNAL && s->ctr.pid > 0 && pidfd_signal(s->pidfd, s->ctr.pid, s->conf.stop_signal) < 0 &&
	    errno != ESRCH)
		log_error("service %s: kill: %m", s->name);
	if (act & ACT_KILL && s->ctr.pid > 0)
		svc_kill(sv, s);
	if (act & ACT_WATCH)
		svc_start_watch(sv, s);
	if (act & ACT_GIVE_UP)
		give_up(sv, s, act);
	if (act & ACT_CREATE && svc_start_now(sv, s) < 0)
		svc_event(sv, s, EV_CREATE_FAILED, false);
	/* Last, once the step's own actions are done: an update may answer
	 * with events of its own (a rollback restarts the service). */
	if (s->lc.state != was)
		update_observe(sv, s);
}

/* start.c's children: the starter answers through its socket and the
 * ready = path watcher through the notify pipe, so their exits (and a
 * killer's) only say they are gone; a cleaner's says the name is free
 * again. */
static bool reaped_helper(struct supervisor *sv, pid_t pid)
{
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		pid_t *helper = s->starter == pid ? &s->starter : s->watcher == pid ? &s->watcher
			      : s->paths_watcher == pid ? &s->paths_watcher : s->killer == pid ? &s->killer : NULL;
		if (helper) {
			*helper = 0;
			return true;
		}
		if (s->cleaner == pid) {
			s->cleaner = 0;
			svc_event(sv, s, EV_CLEANED, false);
			svc_apply_reread(sv, s);
			return true;
		}
	}
	return false;
}

void svc_reaped(struct supervisor *sv, pid_t pid, int status)
{
	if (reaped_helper(sv, pid))
		return;
	struct svc *s = NULL;
	for (size_t i = 0; i < sv->n && !s; i++)
		if (sv->svcs[i]->ctr.pid == pid && svc_running(sv->svcs[i]))
			s = sv->svcs[i];
	if (!s) {
		/* Perhaps a container whose starter has not answered yet. */
		svc_unclaimed_add(sv, pid, status);
		return;
	}
	if (s->watcher > 0)	/* its ready = path watcher */
		kill(s->watcher, SIGKILL);
	svc_log_drain(sv, s);
	loop_close(sv, &s->log_fd);
	loop_close(sv, &s->notify_fd);
	loop_close(sv, &s->pidfd);
	s->last_status = status;
	bool success = status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (status < 0)
		log_info("service %s: its adopted container exited (status unknown)", s->name);
	else if (WIFSIGNALED(status))
		log_info("service %s: killed by signal %d", s->name, WTERMSIG(status));
	else
		log_info("service %s: exited with status %d", s->name, WEXITSTATUS(status));
	svc_event(sv, s, EV_EXITED, success);	/* its teardown starts beside the loop */
	svc_apply_reread(sv, s);
}

void svc_adopted_exit(struct supervisor *sv, struct svc *s)
{
	loop_close(sv, &s->pidfd);
	/* Not our child: its status is the reaper's. Count it a failure. */
	svc_reaped(sv, s->ctr.pid, -1);
}

void svc_timeouts(struct supervisor *sv)
{
	int64_t now = now_ms();
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		if (s->cleaner && s->cleaner_deadline_ms && now >= s->cleaner_deadline_ms)
			svc_cleaner_timeout(sv, s);
		if (s->lc.deadline_ms && now >= s->lc.deadline_ms) {
			if (s->lc.state == SVC_STARTING)
				log_error("service %s: its container was not created within %lld ms (start-timeout): "
					  "killing its creation", s->name, (long long)s->conf.start_timeout_ms);
			svc_event(sv, s, EV_TIMER, false);
		}
	}
	update_timeouts(sv);
}

void svc_schedule(struct supervisor *sv)
{
	/* A start can make others startable (ready = none): go round
	 * until nothing changes. */
	for (bool changed = true; changed && !sv->stopping;) {
		changed = false;
		for (size_t i = 0; i < sv->n; i++) {
			struct svc *s = sv->svcs[i];
			bool waits = s->lc.state == SVC_WAITING && s->lc.want_up;
			/* A live watcher always has its pipe: paths_fd says it. */
			if (!waits && (s->paths_fd >= 0 || s->paths_seen))
				conditions_forget(sv, s);	/* looked for anew next time */
			if (!waits || s->cleaner || s->killer)
				continue;
			if (order_blocker(sv, s, s->why, sizeof(s->why)) ||
			    conditions_blocker(sv, s, s->why, sizeof(s->why)))
				continue;
			conditions_forget(sv, s);
			svc_event(sv, s, EV_MAY_START, false);
			changed = true;
		}
	}
	loop_arm_timer(sv);
}

void svc_boot_settled(struct supervisor *sv)
{
	if (sv->settled || sv->stopping)
		return;
	int count[SVC_NSTATES] = { 0 };
	bool busy = false;
	for (size_t i = 0; i < sv->n; i++) {
		const struct lifecycle *lc = &sv->svcs[i]->lc;
		count[lc->state]++;
		/* One that waits for a requirement that will not come is as
		 * settled as that requirement. */
		busy |= lc->state == SVC_STARTING || lc->state == SVC_RUNNING || lc->state == SVC_BACKOFF ||
			(lc->state == SVC_WAITING && lc->want_up && !order_never(sv, sv->svcs[i]));
	}
	int64_t took = now_ms() - sv->boot_ms;
	if (busy && took < BOOT_SETTLE_MS)
		return;
	sv->settled = true;
	sv->boot_ok = !busy && !count[SVC_FAILED] && !count[SVC_BROKEN];
	char *line = sv->boot_summary;
	size_t cap = sizeof(sv->boot_summary);
	size_t len = (size_t)snprintf(line, cap, "boot %s after %lld ms: ", busy ? "still busy" : "settled", (long long)took);
	const char *sep = "";
	for (int st = 0; st < SVC_NSTATES; st++)
		if (count[st]) {
			len += (size_t)snprintf(line + len, len < cap ? cap - len : 0, "%s%d %s", sep, count[st],
						svc_state_name((enum svc_state)st));
			sep = ", ";
		}
	if (!*sep)
		snprintf(line + len, len < cap ? cap - len : 0, "no services");
	log_info("supervisor: %s (berth ctl list)", line);
	control_boot_settled(sv);
	if (sv->on_settled)
		sv->on_settled(sv);
}

/* A service others still need: something up requires or comes after it. */
static bool needed(struct supervisor *sv, const struct svc *s)
{
	for (size_t i = 0; i < sv->n; i++) {
		const struct svc *o = sv->svcs[i];
		if (o == s || !svc_active(o))
			continue;
		for (const char *const *n = o->conf.requires; n && *n; n++)
			if (!strcmp(*n, s->name))
				return true;
		for (const char *const *n = o->conf.after; n && *n; n++)
			if (!strcmp(*n, s->name))
				return true;
	}
	return false;
}

bool svc_shutdown(struct supervisor *sv)
{
	sv->stopping = true;
	bool all_down = true;
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		/* Dependents first; independent services in parallel. */
		if (!svc_active(s) || !needed(sv, s))
			svc_event(sv, s, EV_SHUTDOWN, false);
		if (svc_active(s))
			all_down = false;
	}
	loop_arm_timer(sv);
	return all_down;
}
