/* SPDX-License-Identifier: Apache-2.0 */
/* The supervisor: starts the services of a directory of service files in
 * dependency order, restarts them by policy, keeps their logs, and answers
 * `berth ctl` on a unix socket. One single-threaded epoll loop over a
 * signalfd, one timerfd (armed for the next deadline only: an idle system
 * makes no wake-ups), the control socket, and each service's log pipe. */
#ifndef BERTH_SUPERVISE_H
#define BERTH_SUPERVISE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "berth/config.h"
#include "berth/supervise/lifecycle.h"
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "berth/spec/service.h"
#include "berth/runtime/state.h"

/* ---- log ring (logring.c) ---- */

/* The last `max` bytes a service wrote; never blocks the writer. Its
 * memory grows with the output, up to max. */
struct logring {
	char *buf;
	size_t cap, max;	/* cap: the room it has now */
	size_t len, head;	/* head: where the next byte goes */
	uint64_t total;		/* bytes ever written: followers' positions */
};
int logring_init(struct logring *r, size_t max);
void logring_free(struct logring *r);
void logring_write(struct logring *r, const char *p, size_t n);
/* Bytes from position `from` (a `total` seen before) to now, as up to two
 * pieces; a position that has fallen out of the ring starts at the oldest. */
size_t logring_since(const struct logring *r, uint64_t from, const char **p1, size_t *n1, const char **p2, size_t *n2);

/* ---- services (service.c) ---- */

/* A service's container (pid 0: none), as far as the loop needs it: to
 * signal it and to match its exit. The rest of its state (bundle, hooks)
 * is on disk, where a cleaner reads it; keeping a whole struct state per
 * service cost 5.7 KiB each. */
struct svc_container {
	pid_t pid;
	uint64_t start_time;
	char *cgroup;		/* malloc'd; NULL: none */
};
struct svc;
void svc_container_set(struct svc *s, const struct state *st);
void svc_container_clear(struct svc *s);
/* st: the container's state on disk, or (gone, or another container's)
 * what the loop knew of it. */
void svc_container_state(const struct svc *s, const char *root, struct state *st);

/* Running, ready or stopping: a container exists. */
bool svc_running(const struct svc *s);
/* Running, or its container being made or cleared away: not to be
 * started again yet. */
bool svc_active(const struct svc *s);
bool svc_gone(const struct svc *s);

struct supervisor;
/* A service's update under way (update.c). */
struct svc_update {
	bool active;		/* a trial runs, or is being started */
	bool started;		/* the trial's own container is being made */
	bool created;		/* ...and was made */
	bool pinned;		/* its pin is known to exist */
	bool from_reload;	/* its file changed: update to what it names, once read */
	int64_t deadline_ms;	/* ready by then, or rolled back */
	int64_t settle_ms;	/* after ready, this long without an end */
	int64_t commit_ms;	/* ready + settle; 0: not ready yet */
};
struct watch {
	enum { W_SIGNAL, W_TIMER, W_LISTEN, W_CLIENT, W_LOG, W_NOTIFY, W_CONDITION, W_PIDFD, W_WATCHDOG, W_CONSOLE, W_STARTER,
		W_PATHS } kind;
	void *ptr;
};

#define SVC_LINE 256	/* a console or kmsg copy's longest line */
/* How much of the first error of a start that made no container the
 * supervisor keeps for ctl status (the rest is in its log). */
#define SVC_START_ERROR_LEN 200

struct svc {
	struct service_conf conf;
	char *name;			/* the file's name without .conf, as conf.name (malloc'd) */
	char *file;			/* its service file (malloc'd) */
	struct lifecycle lc;		/* its state: lifecycle.c's alone to change */
	struct svc_container ctr;	/* its container, as far as the loop needs it */
	char *addresses;		/* its network's, as its starter said (NULL: none known) */
	int log_fd, notify_fd;		/* read ends; -1 */
	int pidfd;			/* an adopted container's init; -1 */
	pid_t starter, cleaner, watcher;	/* start.c's children at work; 0 */
	pid_t killer;			/* ...SIGKILL to all its container's cgroup; 0 */
	pid_t paths_watcher;		/* wait-for = path's child (conditions.c); 0 */
	int paths_fd;			/* ...its lines; -1 */
	size_t paths_seen;		/* ...how many of its paths it found, in order */
	int64_t cleaner_deadline_ms;	/* past it the cleaner (poststop hooks...) is killed */
	bool cleaner_retried;		/* ...and a second one sent, once */
	int ready_wfd;			/* ready = path: the watcher's end of notify_fd; -1 */
	int starter_fd;			/* the starter's answer; -1 */
	struct watch log_w, notify_w, pid_w, starter_w, paths_w;
	struct logring ring;
	int log_file_fd;		/* -1: not open */
	size_t log_file_bytes;
	bool log_file_refused;		/* a link, FIFO...: said once */
	char *line;			/* a partial line for console/kmsg copies (SVC_LINE; malloc'd at the first) */
	size_t line_len;
	int64_t tokens, tokens_ms;	/* log-rate's bucket (thousandths of a line), and when */
	uint64_t lines_dropped, drops_told;	/* console/kmsg copies not made; of them, reported */
	int64_t exec_ms, ready_ms;	/* boot timing: when its first run was started and became ready */
	int last_status;		/* wait status of the last exit; -1 none */
	char why[320];			/* why it waits or failed */
	char *start_error;		/* the first error of its last start that made no container, or NULL */
	char *text;			/* the service file as read */
	size_t text_len;
	bool seen, reread, removed;	/* reload: in the directory; changed; gone */
	struct svc_update update;	/* image services (CONFIG_IMAGE_STORE) */
};

/* What to do once every service is down (as PID 1). */
enum power_action { POWER_NONE, POWER_REBOOT, POWER_HALT, POWER_OFF };

struct client;
/* A child reaped before anyone knew it was theirs (a container's init
 * whose starter has not answered yet). */
struct unclaimed {
	pid_t pid;
	int status;
};
struct supervisor {
	const char *root, *config_dir, *socket_path;
	const char *lease_dir;		/* [network]: addresses kept across reboots */
	struct svc **svcs;		/* each allocated alone: watches point at them */
	size_t n;
	int epfd, sigfd, timerfd, listenfd;
	int lockfd;			/* <socket>.lock, held while we run */
	dev_t socket_dev;		/* the socket we made: removed at exit if still ours */
	ino_t socket_ino;
	int mountinfofd, netlinkfd;	/* conditions.c; -1 until needed */
	int wdfd, wdtimer;		/* the hardware watchdog; -1: none */
	bool wd_starving;		/* a critical service failed: not petting */
	const char *watchdog;		/* its device, NULL: none */
	struct watch sig_w, timer_w, listen_w, mountinfo_w, netlink_w, wd_w;
	struct client *clients;
	struct unclaimed unclaimed[16];
	unsigned next_unclaimed;
	int console_fd;			/* non-blocking; -1: no console copies */
	bool console_is_socket;		/* written with send(MSG_DONTWAIT) */
	char *console_q;		/* what the console could not take yet */
	size_t console_q_len;
	bool console_armed;		/* waiting for EPOLLOUT */
	struct watch console_w;
	int64_t boot_ms;
	bool stopping;			/* shutting down: nothing (re)starts */
	bool pid1;
	enum power_action power;	/* PID 1: what was asked for, once asked */
	const char *skip;		/* ",a,b,": services not to start (berth.skip) */
	bool settled;			/* the boot has settled (svc_boot_settled) */
	bool boot_ok;			/* ...with every service it wanted up, up */
	char boot_summary[192];		/* ...its summary line (ctl wait) */
	void (*on_settled)(struct supervisor *sv);	/* then: PID 1's berth.shell */
};

/* service.c: the table of services. */
/* Load every service file of the directory (broken ones as SVC_BROKEN). */
int svc_load_all(struct supervisor *sv);
void svc_free_all(struct supervisor *sv);
/* Read the directory again: start new files, stop removed ones, restart
 * changed ones (SIGHUP, ctl reload). */
void svc_reload(struct supervisor *sv);
/* A changed file, read again once its old container is down. */
void svc_apply_reread(struct supervisor *sv, struct svc *s);
/* Free the removed services that are down. */
void svc_forget_removed(struct supervisor *sv);
struct svc *svc_find(struct supervisor *sv, const char *name);

/* events.c: the one way a service's state changes. The event goes
 * through lifecycle.c's table; its actions are carried out here
 * (success: EV_EXITED's status was 0). */
void svc_event(struct supervisor *sv, struct svc *s, enum svc_event ev, bool success);
/* Start whatever may start now; arm the timer for the next deadline. */
void svc_schedule(struct supervisor *sv);
/* A child exited (SIGCHLD): find its service and handle it. */
void svc_reaped(struct supervisor *sv, pid_t pid, int status);
/* Where the services' /etc/hosts, resolv.conf and addresses are kept
 * ([network]): ROOT/.network. */
const char *supervisor_net_files(const struct supervisor *sv, char buf[4096]);
/* An adopted container's pidfd said it exited. */
void svc_adopted_exit(struct supervisor *sv, struct svc *s);
/* The timer fired: backoffs that ended, start and stop timeouts. */
void svc_timeouts(struct supervisor *sv);
/* Stop everything in reverse dependency order; true once all are down. */
bool svc_shutdown(struct supervisor *sv);
/* Once, when every service is ready, done, failed, stopped or broken (or
 * BOOT_SETTLE_MS have passed): one summary line, then on_settled. */
#define BOOT_SETTLE_MS 15000
void svc_boot_settled(struct supervisor *sv);

/* ready.c */
void svc_become_ready(struct supervisor *sv, struct svc *s);
void svc_notify_ready(struct supervisor *sv, struct svc *s);
/* ready = path, in a child: a line on notify_fd once path exists inside
 * root. */
_Noreturn void ready_path_watch(const char *root, const char *path, int notify_fd);
/* wait-for = path, in a child: a line on notify_fd for each of c's path
 * conditions, in order, once it exists. */
_Noreturn void wait_for_paths_watch(const struct service_conf *c, int notify_fd);

/* start.c: creating and clearing containers beside the loop. */
int svc_start_now(struct supervisor *sv, struct svc *s);
void svc_start_result(struct supervisor *sv, struct svc *s);	/* the starter answered */
void svc_start_watch(struct supervisor *sv, struct svc *s);	/* ACT_WATCH */
void svc_spawn_paths_watcher(struct supervisor *sv, struct svc *s);	/* wait-for = path */
void svc_start_abort(struct supervisor *sv, struct svc *s);	/* ACT_ABORT: kill it, clear what it made */
void svc_kill(struct supervisor *sv, struct svc *s);	/* ACT_KILL */
void svc_teardown(struct supervisor *sv, struct svc *s);	/* ACT_TEARDOWN */
void svc_cleaner_timeout(struct supervisor *sv, struct svc *s);
void svc_unclaimed_add(struct supervisor *sv, pid_t pid, int status);
bool svc_unclaimed_exit(struct supervisor *sv, pid_t pid, int *status);

/* output.c: a service's output to its ring, log file, console and kmsg;
 * nothing in it blocks. */
int output_console_open(struct supervisor *sv);
void output_console_close(struct supervisor *sv);
/* The console can take more: flush the queue. */
void output_console_ready(struct supervisor *sv);
/* The log pipe became readable; drain: read what is left (at its exit). */
void svc_log_ready(struct supervisor *sv, struct svc *s);
void svc_log_drain(struct supervisor *sv, struct svc *s);
void output_close(struct svc *s);
/* The service's output FIFO in <root>/.logs: logp[0] the supervisor's
 * non-blocking reader, logp[1] the container's end; both -1 on failure. */
int output_open_fifo(struct supervisor *sv, const struct svc *s, int logp[2]);
/* order.c: dependency checks at load time (unknown names, cycles). */
void order_check(struct supervisor *sv);
/* Why s may not start yet (NULL: it may). */
const char *order_blocker(struct supervisor *sv, const struct svc *s, char *buf, size_t cap);
/* A requirement that will not come (failed, broken or stopped): s
 * cannot start until an operator or a reload changes that. */
const struct svc *order_never(struct supervisor *sv, const struct svc *s);

/* conditions.c: wait-for, woken by inotify, mountinfo and rtnetlink
 * events; no polling. */
const char *conditions_blocker(struct supervisor *sv, struct svc *s, char *buf, size_t cap);
/* wait-for = path: its watcher's lines (W_PATHS); forgotten when the
 * service starts, stops waiting or goes. */
void conditions_paths_seen(struct supervisor *sv, struct svc *s);
void conditions_forget(struct supervisor *sv, struct svc *s);
void conditions_event(struct supervisor *sv);

#ifndef CONFIG_NETWORK_LEASE_DIR
#define CONFIG_NETWORK_LEASE_DIR "/var/lib/berth/network"	/* named in help texts either way */
#endif

/* watchdog.c (CONFIG_WATCHDOG) */
#ifndef CONFIG_WATCHDOG_DEVICE
#define CONFIG_WATCHDOG_DEVICE "/dev/watchdog"	/* named in help texts either way */
#endif
#ifdef CONFIG_WATCHDOG
int watchdog_open(struct supervisor *sv, const char *dev);
void watchdog_pet(struct supervisor *sv);
void watchdog_close(struct supervisor *sv);
#else
static inline int watchdog_open(struct supervisor *sv, const char *d) { (void)sv, (void)d; return log_error("watchdog: not in this build (CONFIG_WATCHDOG)"); }
static inline void watchdog_pet(struct supervisor *sv) { (void)sv; }
static inline void watchdog_close(struct supervisor *sv) { (void)sv; }
#endif

/* update.c (CONFIG_IMAGE_STORE): an image service tries a new version,
 * commits it or rolls back (berth/image/pin.h). update_begin and
 * update_rollback put what to tell the operator in msg; -1: refused. */
#ifdef CONFIG_IMAGE_STORE
int update_begin(struct supervisor *sv, struct svc *s, const char *ref, int64_t timeout_ms, int64_t settle_ms, char *msg,
		 size_t cap);
int update_rollback(struct supervisor *sv, struct svc *s, char *msg, size_t cap);
void update_observe(struct supervisor *sv, struct svc *s);	/* s changed state */
void update_timeouts(struct supervisor *sv);
int64_t update_deadline(const struct svc *s);			/* 0: none */
void update_after_reread(struct supervisor *sv, struct svc *s);	/* its file was read again */
void update_describe(const struct svc *s, char *out, size_t cap);	/* for ctl status */
void update_recover(void);					/* at start: trials cut short */
void update_forget(const struct svc *s);			/* its file is gone, it is down */
#else
static inline int update_begin(struct supervisor *sv, struct svc *s, const char *ref, int64_t timeout_ms, int64_t settle_ms,
			       char *msg, size_t cap)
{
	(void)sv, (void)s, (void)ref, (void)timeout_ms, (void)settle_ms;
	snprintf(msg, cap, "images are not in this build (CONFIG_IMAGE_STORE)");
	return -1;
}
static inline void update_observe(struct supervisor *sv, struct svc *s) { (void)sv, (void)s; }
static inline void update_timeouts(struct supervisor *sv) { (void)sv; }
static inline int64_t update_deadline(const struct svc *s) { (void)s; return 0; }
static inline void update_after_reread(struct supervisor *sv, struct svc *s) { (void)sv, (void)s; }
static inline void update_describe(const struct svc *s, char *out, size_t cap) { (void)s, (void)cap; out[0] = '\0'; }
static inline void update_recover(void) {}
static inline void update_forget(const struct svc *s) { (void)s; }
#endif

/* control.c: the `berth ctl` socket. */
/* Refuses (-1, logged) while another supervisor holds the socket. */
int control_listen(struct supervisor *sv);
void control_unlisten(struct supervisor *sv);
void control_accept(struct supervisor *sv);
void control_client(struct supervisor *sv, struct client *c, uint32_t events);
/* New log bytes of s: pass them to `logs -f` followers. */
void control_log_follow(struct supervisor *sv, struct svc *s);
void control_close_all(struct supervisor *sv);
/* s goes away: its followers are hung up. */
void control_forget(struct supervisor *sv, struct svc *s);
/* loop_leave's part: the clients' connections, closed in a child. */
void control_leave(struct supervisor *sv);
/* The boot has settled: answer the clients waiting for it (ctl wait). */
void control_boot_settled(struct supervisor *sv);

/* power.c: the one way to power off, halt or reboot: as PID 1, stop
 * every service and let init do it; under another init (busybox's),
 * ask it with its signals. -1 (logged) if it could not be asked. */
int supervisor_power(struct supervisor *sv, enum power_action a, const char *why);

/* loop.c */
int supervise_run(struct supervisor *sv);
void loop_add(struct supervisor *sv, int fd, struct watch *w, uint32_t events);
void loop_del(struct supervisor *sv, int fd);
/* loop_del, close, and *fd = -1; nothing if already -1. */
void loop_close(struct supervisor *sv, int *fd);
void loop_arm_timer(struct supervisor *sv);
/* In a child of the loop (a starter, a watcher, a cleaner): close every
 * descriptor the loop holds, but own's ready_wfd, the ready watcher's. */
void loop_leave(struct supervisor *sv, const struct svc *own);

#endif
