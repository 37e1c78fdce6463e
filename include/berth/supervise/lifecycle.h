/* SPDX-License-Identifier: Apache-2.0 */
/* A service's life as one table: (state, event) -> (next state, actions),
 * with the restart policy beside it as a pure function. No kernel, no
 * clock, no I/O: supervise/service.c feeds events in and carries the
 * actions out, and nothing else assigns a service's state. The unit
 * tests drive it alone (tests/unit/test_lifecycle.c). */
#ifndef BERTH_LIFECYCLE_H
#define BERTH_LIFECYCLE_H
#include <stdbool.h>
#include <stdint.h>

enum svc_state {
	SVC_WAITING,	/* for dependencies (or wait-for conditions) */
	SVC_STARTING,	/* a starter child is creating its container */
	SVC_RUNNING,	/* started, not ready yet */
	SVC_READY,	/* running and ready (dependents may start) */
	SVC_STOPPING,	/* stop signal sent (or its creation killed), waiting for the end */
	SVC_BACKOFF,	/* exited; restarting after a delay */
	SVC_STOPPED,	/* ended well and not restarted, or stopped by ctl */
	SVC_DONE,	/* ready = exit: ran to success */
	SVC_FAILED,	/* failed, not restarted: restart = no or restart-limit */
	SVC_BROKEN,	/* its service file has errors, or its dependencies do */
};
#define SVC_NSTATES (SVC_BROKEN + 1)
const char *svc_state_name(enum svc_state s);

enum svc_event {
	EV_FILE_OK,		/* its file was (re)read and is valid (only while down) */
	EV_FILE_BROKEN,		/* ...has errors */
	EV_DEPS_BROKEN,		/* it requires a missing service, or sits on a cycle */
	EV_DEPS_FIXED,		/* a reload made its dependencies whole again */
	EV_ADOPTED,		/* a previous supervisor's container of it still runs */
	EV_MAY_START,		/* dependencies ready, wait-for met, nothing left to clear */
	EV_CREATED,		/* the starter made and started its container */
	EV_CREATE_FAILED,	/* ...could not */
	EV_READY,		/* notify, ready = path, or at once (ready = none) */
	EV_EXITED,		/* its container's init exited (input: success) */
	EV_START,		/* ctl start */
	EV_STOP,		/* ctl stop, berth.skip, or its file removed */
	EV_RESTART,		/* ctl restart, or its file changed */
	EV_SHUTDOWN,		/* the supervisor stops (it is asked once no dependent is up) */
	EV_TIMER,		/* its deadline passed */
	EV_CLEANED,		/* what a killed creation left is cleared */
};
#define SVC_NEVENTS (EV_CLEANED + 1)
const char *svc_event_name(enum svc_event e);

/* What the driver must do after a step; several may be set. */
enum {
	ACT_CREATE = 1 << 0,	/* spawn the starter (deadline: start-timeout) */
	ACT_WATCH = 1 << 1,	/* watch the new container's output and notify pipe */
	ACT_SIGNAL = 1 << 2,	/* send the stop signal (deadline: stop-timeout) */
	ACT_KILL = 1 << 3,	/* SIGKILL all that is left in its cgroup */
	ACT_ABORT = 1 << 4,	/* kill the starter; a cleaner clears what it made (then EV_CLEANED) */
	ACT_TEARDOWN = 1 << 5,	/* clear the exited container, beside the loop */
	ACT_GIVE_UP = 1 << 6,	/* the crash-loop limit: say so */
	ACT_REBOOT = 1 << 7,	/* ...and failure-action = reboot */
};

/* The service file's say in its life. */
struct lifecycle_policy {
	bool restart_on_success, restart_on_failure;	/* restart = always | on-failure | no */
	bool done_on_success;				/* ready = exit */
	int64_t restart_delay_ms, restart_max_delay_ms, restart_reset_ms;
	int restart_limit;				/* failures in a row before failed; 0: never */
	bool reboot_on_failure;
	int64_t start_timeout_ms, stop_timeout_ms;
};

struct lifecycle {
	enum svc_state state;
	bool want_up;		/* the operator's wish: ctl stop clears it */
	bool order_broken;	/* BROKEN by its dependencies, not its file */
	int failures;		/* in a row */
	int restarts;		/* in all */
	int64_t started_ms;	/* its last start began */
	int64_t deadline_ms;	/* backoff end, start or stop timeout; 0: none */
	int64_t backoff_ms;	/* the delay of the last backoff */
};

/* What the world says along with an event. */
struct lifecycle_input {
	int64_t now_ms;
	bool stopping;		/* the supervisor shuts down: nothing (re)starts */
	bool success;		/* EV_EXITED: status 0 */
};

/* A new life: waiting, or broken if its file is. */
void lifecycle_init(struct lifecycle *lc, bool broken);
/* One step; returns the ACT_* to carry out. Every state x event pair has
 * an outcome (most: nothing happens). */
unsigned lifecycle_step(struct lifecycle *lc, const struct lifecycle_policy *p, enum svc_event ev,
			const struct lifecycle_input *in);

/* ---- the restart policy ---- */
enum restart_verdict { RV_DONE, RV_STOP, RV_BACKOFF, RV_GIVE_UP };
struct restart_decision {
	enum restart_verdict verdict;
	int failures;		/* in a row, after this end */
	int64_t delay_ms;	/* RV_BACKOFF */
};
/* A run (or a start) that began ran_ms ago ended, well or not. */
struct restart_decision restart_decide(const struct lifecycle_policy *p, int failures, int64_t ran_ms, bool success,
				       bool want_up, bool stopping);
/* restart-delay, doubled per failure in a row after the first, up to
 * restart-max-delay. */
int64_t restart_backoff_ms(const struct lifecycle_policy *p, int failures);

/* ---- dependencies, as one service sees another ---- */
enum dep_verdict { DEP_MET, DEP_WAIT, DEP_NEVER };
/* requires = X: X ready (or done); never while X is failed, broken or
 * stopped on purpose. */
enum dep_verdict lifecycle_requires(const struct lifecycle *dep);
/* after = X: ordering only; X down for good does not hold anyone. */
enum dep_verdict lifecycle_after(const struct lifecycle *dep);
/* A container exists or is being made or cleared: not to start again. */
bool lifecycle_running(const struct lifecycle *lc);

#endif
