/* SPDX-License-Identifier: Apache-2.0 */
/* A service's life, in the spirit of s6-supervise's actions[state][event]:
 * one table says, for each state and event, the next state and what the
 * supervisor must do. Three outcomes are decided by more than the pair:
 *
 *   BY_POLICY  an end (an exit, a failed or timed-out start): the restart
 *              policy picks done, stopped, backoff or failed;
 *   SETTLE     down as asked: waiting again if still wanted up, else
 *              stopped (broken if its dependencies broke meanwhile);
 *   KEEP       nothing changes (most pairs: an event that does not
 *              concern that state, such as a late answer).
 *
 * Pure: the clock and the supervisor's shutdown flag come in as input. */
#include <stddef.h>
#include "berth/supervise/lifecycle.h"

enum { KEEP = -1, BY_POLICY = -2, SETTLE = -3 };

struct rule {
	signed char next;	/* a state, or KEEP, BY_POLICY, SETTLE */
	unsigned char act;
};

#define W SVC_WAITING
#define S SVC_STARTING
#define R SVC_RUNNING
#define Y SVC_READY
#define X SVC_STOPPING
#define B SVC_BACKOFF
#define O SVC_STOPPED
#define D SVC_DONE
#define K SVC_BROKEN
#define _ { KEEP, 0 }

/* Rows: states; columns: events, in enum order. */
static const struct rule table[SVC_NSTATES][SVC_NEVENTS] = {
	[SVC_WAITING] = {
		[EV_FILE_OK] = { SETTLE, 0 }, [EV_FILE_BROKEN] = { K, 0 }, [EV_DEPS_BROKEN] = { K, 0 },
		[EV_DEPS_FIXED] = _, [EV_ADOPTED] = { Y, 0 }, [EV_MAY_START] = { S, ACT_CREATE },
		[EV_CREATED] = _, [EV_CREATE_FAILED] = _, [EV_READY] = _, [EV_EXITED] = _,
		[EV_START] = _, [EV_STOP] = { O, 0 }, [EV_RESTART] = _, [EV_SHUTDOWN] = { O, 0 },
		[EV_TIMER] = _, [EV_CLEANED] = _,
	},
	[SVC_STARTING] = {
		[EV_FILE_OK] = _, [EV_FILE_BROKEN] = _, [EV_DEPS_BROKEN] = { X, ACT_ABORT },
		[EV_DEPS_FIXED] = _, [EV_ADOPTED] = _, [EV_MAY_START] = _,
		[EV_CREATED] = { R, ACT_WATCH }, [EV_CREATE_FAILED] = { BY_POLICY, 0 }, [EV_READY] = _,
		[EV_EXITED] = _, [EV_START] = _, [EV_STOP] = { X, ACT_ABORT }, [EV_RESTART] = { X, ACT_ABORT },
		[EV_SHUTDOWN] = { X, ACT_ABORT }, [EV_TIMER] = { BY_POLICY, ACT_ABORT }, [EV_CLEANED] = _,
	},
	[SVC_RUNNING] = {
		[EV_FILE_OK] = _, [EV_FILE_BROKEN] = _, [EV_DEPS_BROKEN] = { X, ACT_SIGNAL },
		[EV_DEPS_FIXED] = _, [EV_ADOPTED] = _, [EV_MAY_START] = _, [EV_CREATED] = _,
		[EV_CREATE_FAILED] = _, [EV_READY] = { Y, 0 }, [EV_EXITED] = { BY_POLICY, ACT_TEARDOWN },
		[EV_START] = _, [EV_STOP] = { X, ACT_SIGNAL }, [EV_RESTART] = { X, ACT_SIGNAL },
		[EV_SHUTDOWN] = { X, ACT_SIGNAL }, [EV_TIMER] = _, [EV_CLEANED] = _,
	},
	[SVC_READY] = {
		[EV_FILE_OK] = _, [EV_FILE_BROKEN] = _, [EV_DEPS_BROKEN] = { X, ACT_SIGNAL },
		[EV_DEPS_FIXED] = _, [EV_ADOPTED] = _, [EV_MAY_START] = _, [EV_CREATED] = _,
		[EV_CREATE_FAILED] = _, [EV_READY] = _, [EV_EXITED] = { BY_POLICY, ACT_TEARDOWN },
		[EV_START] = _, [EV_STOP] = { X, ACT_SIGNAL }, [EV_RESTART] = { X, ACT_SIGNAL },
		[EV_SHUTDOWN] = { X, ACT_SIGNAL }, [EV_TIMER] = _, [EV_CLEANED] = _,
	},
	[SVC_STOPPING] = {
		[EV_FILE_OK] = _, [EV_FILE_BROKEN] = _, [EV_DEPS_BROKEN] = _, [EV_DEPS_FIXED] = _,
		[EV_ADOPTED] = _, [EV_MAY_START] = _, [EV_CREATED] = _, [EV_CREATE_FAILED] = _,
		[EV_READY] = _, [EV_EXITED] = { SETTLE, ACT_TEARDOWN }, [EV_START] = _, [EV_STOP] = _,
		[EV_RESTART] = _, [EV_SHUTDOWN] = _, [EV_TIMER] = { KEEP, ACT_KILL }, [EV_CLEANED] = { SETTLE, 0 },
	},
	[SVC_BACKOFF] = {
		[EV_FILE_OK] = { SETTLE, 0 }, [EV_FILE_BROKEN] = { K, 0 }, [EV_DEPS_BROKEN] = { K, 0 },
		[EV_DEPS_FIXED] = _, [EV_ADOPTED] = _, [EV_MAY_START] = _, [EV_CREATED] = _,
		[EV_CREATE_FAILED] = _, [EV_READY] = _, [EV_EXITED] = _, [EV_START] = { W, 0 },
		[EV_STOP] = { O, 0 }, [EV_RESTART] = { W, 0 }, [EV_SHUTDOWN] = { O, 0 }, [EV_TIMER] = { W, 0 },
		[EV_CLEANED] = _,
	},
	[SVC_STOPPED] = {
		[EV_FILE_OK] = { SETTLE, 0 }, [EV_FILE_BROKEN] = { K, 0 }, [EV_DEPS_BROKEN] = { K, 0 },
		[EV_DEPS_FIXED] = _, [EV_ADOPTED] = _, [EV_MAY_START] = _, [EV_CREATED] = _,
		[EV_CREATE_FAILED] = _, [EV_READY] = _, [EV_EXITED] = _, [EV_START] = { W, 0 }, [EV_STOP] = _,
		[EV_RESTART] = { W, 0 }, [EV_SHUTDOWN] = _, [EV_TIMER] = _, [EV_CLEANED] = _,
	},
	[SVC_DONE] = {
		[EV_FILE_OK] = { SETTLE, 0 }, [EV_FILE_BROKEN] = { K, 0 }, [EV_DEPS_BROKEN] = { K, 0 },
		[EV_DEPS_FIXED] = _, [EV_ADOPTED] = _, [EV_MAY_START] = _, [EV_CREATED] = _,
		[EV_CREATE_FAILED] = _, [EV_READY] = _, [EV_EXITED] = _, [EV_START] = { W, 0 }, [EV_STOP] = _,
		[EV_RESTART] = { W, 0 }, [EV_SHUTDOWN] = _, [EV_TIMER] = _, [EV_CLEANED] = _,
	},
	[SVC_FAILED] = {
		[EV_FILE_OK] = { SETTLE, 0 }, [EV_FILE_BROKEN] = { K, 0 }, [EV_DEPS_BROKEN] = { K, 0 },
		[EV_DEPS_FIXED] = _, [EV_ADOPTED] = _, [EV_MAY_START] = _, [EV_CREATED] = _,
		[EV_CREATE_FAILED] = _, [EV_READY] = _, [EV_EXITED] = _, [EV_START] = { W, 0 }, [EV_STOP] = _,
		[EV_RESTART] = { W, 0 }, [EV_SHUTDOWN] = _, [EV_TIMER] = _, [EV_CLEANED] = _,
	},
	[SVC_BROKEN] = {
		[EV_FILE_OK] = { SETTLE, 0 }, [EV_FILE_BROKEN] = _, [EV_DEPS_BROKEN] = _,
		[EV_DEPS_FIXED] = { SETTLE, 0 }, [EV_ADOPTED] = _, [EV_MAY_START] = _, [EV_CREATED] = _,
		[EV_CREATE_FAILED] = _, [EV_READY] = _, [EV_EXITED] = _, [EV_START] = _, [EV_STOP] = _,
		[EV_RESTART] = _, [EV_SHUTDOWN] = _, [EV_TIMER] = _, [EV_CLEANED] = _,
	},
};

#undef W
#undef S
#undef R
#undef Y
#undef X
#undef B
#undef O
#undef D
#undef K
#undef _

const char *svc_state_name(enum svc_state s)
{
	static const char *const names[SVC_NSTATES] = { "waiting", "starting", "running", "ready", "stopping",
							"backoff", "stopped", "done", "failed", "broken" };
	return (unsigned)s < SVC_NSTATES ? names[s] : "?";
}

const char *svc_event_name(enum svc_event e)
{
	static const char *const names[SVC_NEVENTS] = {
		"file-ok", "file-broken", "deps-broken", "deps-fixed", "adopted", "may-start", "created",
		"create-failed", "ready", "exited", "start", "stop", "restart", "shutdown", "timer", "cleaned",
	};
	return (unsigned)e < SVC_NEVENTS ? names[e] : "?";
}

void lifecycle_init(struct lifecycle *lc, bool broken)
{
	*lc = (struct lifecycle){ .state = broken ? SVC_BROKEN : SVC_WAITING, .want_up = true };
}

int64_t restart_backoff_ms(const struct lifecycle_policy *p, int failures)
{
	int64_t d = p->restart_delay_ms;
	for (int i = 1; i < failures && d < p->restart_max_delay_ms; i++)
		d *= 2;
	return d < p->restart_max_delay_ms ? d : p->restart_max_delay_ms;
}

struct restart_decision restart_decide(const struct lifecycle_policy *p, int failures, int64_t ran_ms, bool success,
				       bool want_up, bool stopping)
{
	struct restart_decision d = { RV_STOP, failures, 0 };
	/* A run as long as restart-reset forgives the failures before it. */
	if (success || ran_ms >= p->restart_reset_ms)
		d.failures = 0;
	if (!success)
		d.failures++;
	if (success && p->done_on_success) {
		d.verdict = RV_DONE;
		return d;
	}
	bool again = success ? p->restart_on_success : p->restart_on_failure;
	if (!want_up || stopping)
		return d;
	/* A failure that is not restarted (restart = no, or restart-limit
	 * reached) leaves the service failed: those that require it are
	 * told it will not come, `ctl wait` counts it, failure-action and
	 * critical apply. A clean end not restarted is a stop. */
	if (!success && (!again || (p->restart_limit && d.failures >= p->restart_limit))) {
		d.verdict = RV_GIVE_UP;
		return d;
	}
	if (!again)
		return d;
	d.verdict = RV_BACKOFF;
	d.delay_ms = restart_backoff_ms(p, d.failures);
	return d;
}

/* An end: the policy says what follows. A start that made no container
 * ran for no time, however long it took. */
static unsigned by_policy(struct lifecycle *lc, const struct lifecycle_policy *p, const struct lifecycle_input *in,
			  enum svc_event ev)
{
	bool ran = ev == EV_EXITED;
	struct restart_decision d = restart_decide(p, lc->failures, ran ? in->now_ms - lc->started_ms : 0,
						   ran && in->success, lc->want_up, in->stopping);
	lc->failures = d.failures;
	switch (d.verdict) {
	case RV_DONE:
		lc->state = SVC_DONE;
		return 0;
	case RV_STOP:
		lc->state = SVC_STOPPED;
		return 0;
	case RV_GIVE_UP:
		lc->state = SVC_FAILED;
		return ACT_GIVE_UP | (p->reboot_on_failure ? ACT_REBOOT : 0);
	case RV_BACKOFF:
		break;
	}
	lc->state = SVC_BACKOFF;
	lc->restarts++;
	lc->backoff_ms = d.delay_ms;
	lc->deadline_ms = in->now_ms + d.delay_ms;
	return 0;
}

unsigned lifecycle_step(struct lifecycle *lc, const struct lifecycle_policy *p, enum svc_event ev,
			const struct lifecycle_input *in)
{
	if ((unsigned)lc->state >= SVC_NSTATES || (unsigned)ev >= SVC_NEVENTS)
		return 0;
	/* What an event says about the operator's wish and the past,
	 * whatever the state. */
	switch (ev) {
	case EV_START:
	case EV_RESTART:
		/* Wanted up again; a broken one once its file is mended. */
		lc->want_up = true;
		lc->failures = 0;
		break;
	case EV_STOP:
		lc->want_up = false;
		break;
	case EV_MAY_START:
		if (!lc->want_up || in->stopping)
			return 0;
		break;
	case EV_FILE_OK:
	case EV_FILE_BROKEN:
		if (lifecycle_running(lc) || lc->state == SVC_STARTING)
			return 0;	/* a changed file applies once the old container is down */
		lc->failures = 0;
		lc->order_broken = false;
		break;
	case EV_DEPS_BROKEN:
		if (lc->state == SVC_BROKEN)
			return 0;
		lc->order_broken = true;
		break;
	case EV_DEPS_FIXED:
		if (!lc->order_broken)
			return 0;
		lc->order_broken = false;
		break;
	default:
		break;
	}
	struct rule r = table[lc->state][ev];
	unsigned act = r.act;
	if (ev == EV_TIMER)
		lc->deadline_ms = 0;
	if (r.next == KEEP)
		return act;
	lc->deadline_ms = 0;
	if (r.next == BY_POLICY) {
		act |= by_policy(lc, p, in, ev);
	} else if (r.next == SETTLE) {
		if (lc->order_broken) {
			lc->state = SVC_BROKEN;
		} else if (lc->want_up && !in->stopping) {
			lc->state = SVC_WAITING;
			lc->failures = 0;
		} else {
			lc->state = SVC_STOPPED;
		}
	} else {
		lc->state = (enum svc_state)r.next;
	}
	/* A run begins with its creation, or now for an adopted one. */
	if (lc->state == SVC_STARTING || ev == EV_ADOPTED)
		lc->started_ms = in->now_ms;
	if (act & ACT_CREATE)
		lc->deadline_ms = in->now_ms + p->start_timeout_ms;
	if (act & ACT_SIGNAL)
		lc->deadline_ms = in->now_ms + p->stop_timeout_ms;
	return act;
}

enum dep_verdict lifecycle_requires(const struct lifecycle *dep)
{
	switch (dep->state) {
	case SVC_READY:
	case SVC_DONE:
		return DEP_MET;
	case SVC_FAILED:
	case SVC_BROKEN:
	case SVC_STOPPED:	/* by ctl, or ended well and not restarted */
		return DEP_NEVER;
	default:
		return DEP_WAIT;
	}
}

enum dep_verdict lifecycle_after(const struct lifecycle *dep)
{
	if (!dep->want_up)
		return DEP_MET;
	switch (dep->state) {
	case SVC_READY:
	case SVC_DONE:
	case SVC_FAILED:
	case SVC_BROKEN:
	case SVC_STOPPED:
		return DEP_MET;
	default:
		return DEP_WAIT;
	}
}

bool lifecycle_running(const struct lifecycle *lc)
{
	return lc->state == SVC_RUNNING || lc->state == SVC_READY || lc->state == SVC_STOPPING;
}
