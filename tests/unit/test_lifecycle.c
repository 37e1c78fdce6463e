/* SPDX-License-Identifier: Apache-2.0 */
/* The supervisor's lifecycle table and restart policy, with no kernel:
 * every state x event pair against a grid written out here by hand, then
 * the stories a device lives through (crash loops, backoff, stop during
 * backoff, reload during start, a dependency that fails). */
#include <stdio.h>
#include <string.h>
#include "berth/supervise/lifecycle.h"

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) { passed++; } \
	else { failed++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

static const struct lifecycle_policy always = {
	.restart_on_success = true, .restart_on_failure = true,
	.restart_delay_ms = 500, .restart_max_delay_ms = 4000, .restart_reset_ms = 10000,
	.restart_limit = 5, .start_timeout_ms = 30000, .stop_timeout_ms = 5000,
};

/* The next state of each pair, one letter per state (W S R Y X B O D F K
 * as in enum svc_state; '.' = unchanged), with want_up set, not stopping,
 * an exit that failed, and the policy above. A column per event, in
 * enum svc_event order:
 *   file-ok file-broken deps-broken deps-fixed adopted may-start created
 *   create-failed ready exited start stop restart shutdown timer cleaned */
static const char *const grid[SVC_NSTATES] = {
	/* W */ ". K K . Y S . . . . . O . O . .",
	/* S */ ". . X . . . R B . . . X X X B .",
	/* R */ ". . X . . . . . Y B . X X X . .",
	/* Y */ ". . X . . . . . . B . X X X . .",
	/* X */ ". . . . . . . . . W . . . . . W",
	/* B */ "W K K . . . . . . . W O W O W .",
	/* O */ "W K K . . . . . . . W . W . . .",
	/* D */ "W K K . . . . . . . W . W . . .",
	/* F */ "W K K . . . . . . . W . W . . .",
	/* K */ "W . . . . . . . . . . . . . . .",
};
static const char letters[] = "WSRYXBODFK";

/* And the actions of each pair that has some. */
static const struct { enum svc_state s; enum svc_event e; unsigned act; } actions[] = {
	{ SVC_WAITING, EV_MAY_START, ACT_CREATE },
	{ SVC_STARTING, EV_CREATED, ACT_WATCH },
	{ SVC_STARTING, EV_DEPS_BROKEN, ACT_ABORT },
	{ SVC_STARTING, EV_STOP, ACT_ABORT },
	{ SVC_STARTING, EV_RESTART, ACT_ABORT },
	{ SVC_STARTING, EV_SHUTDOWN, ACT_ABORT },
	{ SVC_STARTING, EV_TIMER, ACT_ABORT },
	{ SVC_RUNNING, EV_DEPS_BROKEN, ACT_SIGNAL },
	{ SVC_RUNNING, EV_EXITED, ACT_TEARDOWN },
	{ SVC_RUNNING, EV_STOP, ACT_SIGNAL },
	{ SVC_RUNNING, EV_RESTART, ACT_SIGNAL },
	{ SVC_RUNNING, EV_SHUTDOWN, ACT_SIGNAL },
	{ SVC_READY, EV_DEPS_BROKEN, ACT_SIGNAL },
	{ SVC_READY, EV_EXITED, ACT_TEARDOWN },
	{ SVC_READY, EV_STOP, ACT_SIGNAL },
	{ SVC_READY, EV_RESTART, ACT_SIGNAL },
	{ SVC_READY, EV_SHUTDOWN, ACT_SIGNAL },
	{ SVC_STOPPING, EV_EXITED, ACT_TEARDOWN },
	{ SVC_STOPPING, EV_TIMER, ACT_KILL },
};

static unsigned expected_actions(enum svc_state s, enum svc_event e)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (actions[i].s == s && actions[i].e == e)
			return actions[i].act;
	return 0;
}

static struct lifecycle in_state(enum svc_state s)
{
	struct lifecycle lc;
	lifecycle_init(&lc, false);
	lc.state = s;
	lc.started_ms = 1000;
	return lc;
}

static void test_every_pair(void)
{
	struct lifecycle_input in = { .now_ms = 2000 };
	int pairs = 0;
	for (int s = 0; s < SVC_NSTATES; s++) {
		CHECK(strlen(grid[s]) == 2 * SVC_NEVENTS - 1);
		for (int e = 0; e < SVC_NEVENTS; e++) {
			struct lifecycle lc = in_state((enum svc_state)s);
			unsigned act = lifecycle_step(&lc, &always, (enum svc_event)e, &in);
			char want = grid[s][2 * e], got = lc.state == (enum svc_state)s ? '.' : letters[lc.state];
			unsigned want_act = expected_actions((enum svc_state)s, (enum svc_event)e);
			if (got != want || act != want_act)
				printf("FAIL %s + %s: got %c (actions %#x), expected %c (actions %#x)\n",
				       svc_state_name((enum svc_state)s), svc_event_name((enum svc_event)e), got, act, want,
				       want_act);
			CHECK(got == want && act == want_act);
			CHECK((unsigned)lc.state < SVC_NSTATES);
			/* A deadline exactly where one is due. */
			bool timed = lc.state == SVC_STARTING || lc.state == SVC_BACKOFF ||
				     (lc.state == SVC_STOPPING && (act & ACT_SIGNAL));
			if (lc.state != (enum svc_state)s)
				CHECK(timed == (lc.deadline_ms != 0));
			pairs++;
		}
	}
	CHECK(pairs == SVC_NSTATES * SVC_NEVENTS);
	CHECK(!strcmp(svc_state_name(SVC_BROKEN), "broken") && !strcmp(svc_event_name(EV_CLEANED), "cleaned"));
}

static unsigned step(struct lifecycle *lc, const struct lifecycle_policy *p, enum svc_event e, int64_t now)
{
	struct lifecycle_input in = { .now_ms = now };
	return lifecycle_step(lc, p, e, &in);
}

static unsigned exit_at(struct lifecycle *lc, const struct lifecycle_policy *p, bool success, int64_t now)
{
	struct lifecycle_input in = { .now_ms = now, .success = success };
	return lifecycle_step(lc, p, EV_EXITED, &in);
}

/* Start a waiting service and get it running at `now`. */
static void start(struct lifecycle *lc, const struct lifecycle_policy *p, int64_t now)
{
	CHECK(step(lc, p, EV_MAY_START, now) == ACT_CREATE && lc->state == SVC_STARTING);
	CHECK(lc->deadline_ms == now + p->start_timeout_ms);
	CHECK(step(lc, p, EV_CREATED, now) == ACT_WATCH && lc->state == SVC_RUNNING && !lc->deadline_ms);
	CHECK(step(lc, p, EV_READY, now) == 0 && lc->state == SVC_READY);
}

static void test_backoff_sequence(void)
{
	struct lifecycle_policy p = always;
	CHECK(restart_backoff_ms(&p, 1) == 500 && restart_backoff_ms(&p, 2) == 1000);
	CHECK(restart_backoff_ms(&p, 3) == 2000 && restart_backoff_ms(&p, 4) == 4000);
	CHECK(restart_backoff_ms(&p, 5) == 4000 && restart_backoff_ms(&p, 60) == 4000);
	p.restart_limit = 0;
	struct lifecycle lc;
	lifecycle_init(&lc, false);
	int64_t t = 0, want[] = { 500, 1000, 2000, 4000, 4000, 4000 };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		start(&lc, &p, t);
		CHECK(exit_at(&lc, &p, false, t + 100) == ACT_TEARDOWN);
		CHECK(lc.state == SVC_BACKOFF && lc.backoff_ms == want[i] && lc.deadline_ms == t + 100 + want[i]);
		CHECK(lc.failures == (int)i + 1 && lc.restarts == (int)i + 1);
		t = lc.deadline_ms;
		CHECK(step(&lc, &p, EV_TIMER, t) == 0 && lc.state == SVC_WAITING && !lc.deadline_ms);
	}
}

static void test_reset_after_good_run(void)
{
	struct lifecycle lc;
	lifecycle_init(&lc, false);
	start(&lc, &always, 0);
	exit_at(&lc, &always, false, 100);
	step(&lc, &always, EV_TIMER, lc.deadline_ms);
	start(&lc, &always, 1000);
	exit_at(&lc, &always, false, 1100);
	CHECK(lc.failures == 2 && lc.backoff_ms == 1000);
	step(&lc, &always, EV_TIMER, lc.deadline_ms);
	/* A run as long as restart-reset: the failures before it are forgiven. */
	start(&lc, &always, 3000);
	exit_at(&lc, &always, false, 3000 + always.restart_reset_ms);
	CHECK(lc.failures == 1 && lc.backoff_ms == 500 && lc.state == SVC_BACKOFF);
	/* A success forgives too, and restart = always brings it back. */
	step(&lc, &always, EV_TIMER, lc.deadline_ms);
	start(&lc, &always, 20000);
	exit_at(&lc, &always, true, 20001);
	CHECK(lc.failures == 0 && lc.state == SVC_BACKOFF);
}

static void test_crash_loop_limit(void)
{
	struct lifecycle_policy p = always;
	p.restart_limit = 3;
	p.reboot_on_failure = true;
	struct lifecycle lc;
	lifecycle_init(&lc, false);
	unsigned act = 0;
	int64_t t = 0;
	for (int i = 0; i < 3; i++) {
		start(&lc, &p, t);
		act = exit_at(&lc, &p, false, t + 10);
		if (lc.state == SVC_BACKOFF) {
			t = lc.deadline_ms;
			step(&lc, &p, EV_TIMER, t);
		}
	}
	CHECK(lc.state == SVC_FAILED && lc.failures == 3 && lc.restarts == 2);
	CHECK(act == (ACT_TEARDOWN | ACT_GIVE_UP | ACT_REBOOT));
	/* Failed stays failed, until the operator says otherwise. */
	CHECK(step(&lc, &p, EV_MAY_START, t + 99999) == 0 && lc.state == SVC_FAILED);
	CHECK(step(&lc, &p, EV_START, t) == 0 && lc.state == SVC_WAITING && lc.failures == 0);
	/* Creation failing counts the same, and start-timeout too. */
	p.reboot_on_failure = false;
	lifecycle_init(&lc, false);
	step(&lc, &p, EV_MAY_START, 0);
	CHECK(step(&lc, &p, EV_CREATE_FAILED, 1) == 0 && lc.state == SVC_BACKOFF && lc.failures == 1);
	step(&lc, &p, EV_TIMER, lc.deadline_ms);
	step(&lc, &p, EV_MAY_START, 2000);
	CHECK(step(&lc, &p, EV_TIMER, 2000 + p.start_timeout_ms) == ACT_ABORT && lc.state == SVC_BACKOFF);
	step(&lc, &p, EV_TIMER, lc.deadline_ms);
	step(&lc, &p, EV_MAY_START, 90000);
	CHECK(step(&lc, &p, EV_TIMER, 90000 + p.start_timeout_ms) == (ACT_ABORT | ACT_GIVE_UP) &&
	      lc.state == SVC_FAILED);
}

static void test_policies(void)
{
	struct lifecycle_policy no = always, on_failure = always, oneshot = always;
	no.restart_on_success = no.restart_on_failure = false;
	on_failure.restart_on_success = false;
	oneshot.restart_on_success = false;
	oneshot.done_on_success = true;
	struct lifecycle lc;
	lifecycle_init(&lc, false);
	start(&lc, &no, 0);
	/* A failure not restarted is the service failed: a dependent is
	 * told it will not come, failure-action applies. */
	CHECK(exit_at(&lc, &no, false, 5) == (ACT_TEARDOWN | ACT_GIVE_UP) && lc.state == SVC_FAILED && lc.failures == 1);
	CHECK(lifecycle_requires(&lc) == DEP_NEVER && lifecycle_after(&lc) == DEP_MET);
	lifecycle_init(&lc, false);
	start(&lc, &no, 0);
	CHECK(exit_at(&lc, &no, true, 5) == ACT_TEARDOWN && lc.state == SVC_STOPPED);
	/* ...and so is a start that made no container. */
	lifecycle_init(&lc, false);
	step(&lc, &no, EV_MAY_START, 0);
	CHECK(step(&lc, &no, EV_CREATE_FAILED, 3) == ACT_GIVE_UP && lc.state == SVC_FAILED);
	/* Stopped by the operator, it is stopped, not failed. */
	lifecycle_init(&lc, false);
	start(&lc, &no, 0);
	step(&lc, &no, EV_STOP, 4);
	CHECK(exit_at(&lc, &no, false, 5) == ACT_TEARDOWN && lc.state == SVC_STOPPED);
	lifecycle_init(&lc, false);
	start(&lc, &on_failure, 0);
	exit_at(&lc, &on_failure, true, 5);
	/* Ended well, not restarted: it will not be ready again unless
	 * started by hand, and one that requires it is told so. */
	CHECK(lc.state == SVC_STOPPED && lifecycle_requires(&lc) == DEP_NEVER);
	lifecycle_init(&lc, false);
	start(&lc, &on_failure, 0);
	exit_at(&lc, &on_failure, false, 5);
	CHECK(lc.state == SVC_BACKOFF);
	lifecycle_init(&lc, false);
	start(&lc, &oneshot, 0);
	exit_at(&lc, &oneshot, true, 5);
	CHECK(lc.state == SVC_DONE && lifecycle_requires(&lc) == DEP_MET);
	/* While the supervisor shuts down nothing comes back. */
	lifecycle_init(&lc, false);
	start(&lc, &always, 0);
	struct lifecycle_input in = { .now_ms = 10, .stopping = true };
	CHECK(lifecycle_step(&lc, &always, EV_EXITED, &in) == ACT_TEARDOWN && lc.state == SVC_STOPPED);
	lifecycle_init(&lc, false);
	CHECK(lifecycle_step(&lc, &always, EV_MAY_START, &in) == 0 && lc.state == SVC_WAITING);
}

static void test_stop(void)
{
	struct lifecycle lc;
	/* Stop during backoff: stopped at once, its timer gone. */
	lifecycle_init(&lc, false);
	start(&lc, &always, 0);
	exit_at(&lc, &always, false, 10);
	CHECK(lc.state == SVC_BACKOFF && lc.deadline_ms);
	CHECK(step(&lc, &always, EV_STOP, 20) == 0 && lc.state == SVC_STOPPED && !lc.deadline_ms && !lc.want_up);
	CHECK(step(&lc, &always, EV_TIMER, 9999) == 0 && lc.state == SVC_STOPPED);
	/* Stop while running: signal, then SIGKILL at stop-timeout, then the exit. */
	lifecycle_init(&lc, false);
	start(&lc, &always, 0);
	CHECK(step(&lc, &always, EV_STOP, 100) == ACT_SIGNAL && lc.state == SVC_STOPPING);
	CHECK(lc.deadline_ms == 100 + always.stop_timeout_ms);
	CHECK(step(&lc, &always, EV_TIMER, lc.deadline_ms) == ACT_KILL && lc.state == SVC_STOPPING && !lc.deadline_ms);
	CHECK(exit_at(&lc, &always, false, 6000) == ACT_TEARDOWN && lc.state == SVC_STOPPED && lc.failures == 0);
	/* Restart while running: back to waiting once it has exited. */
	lifecycle_init(&lc, false);
	start(&lc, &always, 0);
	CHECK(step(&lc, &always, EV_RESTART, 100) == ACT_SIGNAL);
	CHECK(exit_at(&lc, &always, false, 200) == ACT_TEARDOWN && lc.state == SVC_WAITING && lc.want_up);
}

/* A changed file while its container is being created: the creation is
 * killed, cleared, and the service waits to start with the new file. */
static void test_reload_during_start(void)
{
	struct lifecycle lc;
	lifecycle_init(&lc, false);
	step(&lc, &always, EV_MAY_START, 0);
	CHECK(step(&lc, &always, EV_RESTART, 10) == ACT_ABORT && lc.state == SVC_STOPPING && !lc.deadline_ms);
	/* The file is read again only once it is down. */
	CHECK(step(&lc, &always, EV_FILE_OK, 11) == 0 && lc.state == SVC_STOPPING);
	/* A late answer from the killed starter changes nothing. */
	CHECK(step(&lc, &always, EV_CREATED, 12) == 0 && lc.state == SVC_STOPPING);
	CHECK(step(&lc, &always, EV_CLEANED, 20) == 0 && lc.state == SVC_WAITING);
	CHECK(step(&lc, &always, EV_FILE_OK, 21) == 0 && lc.state == SVC_WAITING);
	/* The new file has errors: broken, and ctl start does not help. */
	CHECK(step(&lc, &always, EV_FILE_BROKEN, 22) == 0 && lc.state == SVC_BROKEN);
	CHECK(step(&lc, &always, EV_START, 23) == 0 && lc.state == SVC_BROKEN);
	CHECK(step(&lc, &always, EV_DEPS_FIXED, 24) == 0 && lc.state == SVC_BROKEN);
	CHECK(step(&lc, &always, EV_FILE_OK, 25) == 0 && lc.state == SVC_WAITING);
	/* Removed while starting: stopped for good once cleared. */
	step(&lc, &always, EV_MAY_START, 30);
	step(&lc, &always, EV_STOP, 31);
	CHECK(step(&lc, &always, EV_CLEANED, 32) == 0 && lc.state == SVC_STOPPED && !lc.want_up);
}

/* A dependency that fails while a dependent waits for it. */
static void test_dependency_fails(void)
{
	struct lifecycle_policy p = always;
	p.restart_limit = 1;
	struct lifecycle dep, after;
	lifecycle_init(&dep, false);
	CHECK(lifecycle_requires(&dep) == DEP_WAIT && lifecycle_after(&dep) == DEP_WAIT);
	step(&dep, &p, EV_MAY_START, 0);
	CHECK(lifecycle_requires(&dep) == DEP_WAIT);
	step(&dep, &p, EV_CREATED, 1);
	CHECK(lifecycle_requires(&dep) == DEP_WAIT);
	exit_at(&dep, &p, false, 2);
	CHECK(dep.state == SVC_FAILED);
	CHECK(lifecycle_requires(&dep) == DEP_NEVER);	/* the dependent is told it will not come */
	CHECK(lifecycle_after(&dep) == DEP_MET);	/* after = orders only */
	step(&dep, &p, EV_START, 3);
	CHECK(lifecycle_requires(&dep) == DEP_WAIT);
	step(&dep, &p, EV_STOP, 4);
	CHECK(lifecycle_requires(&dep) == DEP_NEVER && lifecycle_after(&dep) == DEP_MET);
	/* Broken dependencies while running: stopped, then broken. */
	lifecycle_init(&after, false);
	start(&after, &p, 0);
	CHECK(step(&after, &p, EV_DEPS_BROKEN, 5) == ACT_SIGNAL && after.state == SVC_STOPPING);
	CHECK(exit_at(&after, &p, false, 6) == ACT_TEARDOWN && after.state == SVC_BROKEN);
	CHECK(lifecycle_requires(&after) == DEP_NEVER);
	CHECK(step(&after, &p, EV_DEPS_FIXED, 7) == 0 && after.state == SVC_WAITING);
}

static void test_adopted(void)
{
	struct lifecycle lc;
	lifecycle_init(&lc, false);
	CHECK(step(&lc, &always, EV_ADOPTED, 500) == 0 && lc.state == SVC_READY && lc.started_ms == 500);
	CHECK(lifecycle_running(&lc));
	CHECK(exit_at(&lc, &always, false, 600) == ACT_TEARDOWN && lc.state == SVC_BACKOFF);
	CHECK(!lifecycle_running(&lc));
}

int main(void)
{
	test_every_pair();
	test_backoff_sequence();
	test_reset_after_good_run();
	test_crash_loop_limit();
	test_policies();
	test_stop();
	test_reload_during_start();
	test_dependency_fails();
	test_adopted();
	printf("lifecycle: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
