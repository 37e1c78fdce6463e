/* Each service's life: waiting for its dependencies, running, ready,
 * exited and restarted after a backoff that doubles from restart-delay
 * to restart-max-delay (reset by a run of restart-reset), failed after
 * restart-limit failures in a row. The container is made with the same
 * code as `berth create`, its output going to the service's log pipe. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "berth/cgroup.h"
#include "berth/container.h"
#include "berth/log.h"
#include "berth/supervise.h"
#include "berth/util.h"

const char *svc_state_name(enum svc_state s)
{
	static const char *const names[] = { "waiting", "starting", "running", "ready", "stopping", "backoff",
					     "stopped", "done", "failed", "broken" };
	return names[s];
}

int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}


struct svc *svc_find(struct supervisor *sv, const char *name)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!svc_gone(sv->svcs[i]) && !strcmp(sv->svcs[i]->name, name))
			return sv->svcs[i];
	return NULL;
}

/* Read and parse one service file into s (text kept: what a reload
 * compares, and what the container's state directory keeps). A broken
 * file is reported and its service skipped; the rest boot. */
static void svc_read(struct svc *s, const char *file)
{
	snprintf(s->file, sizeof(s->file), "%s", file);
	s->name = s->name_buf;
	s->text = read_file(file, &s->text_len);
	if (!s->text || service_load_text(&s->conf, s->text, s->text_len, file) < 0) {
		if (!s->text)
			log_error("%s: %m", file);
		const char *base = strrchr(file, '/');
		snprintf(s->name_buf, sizeof(s->name_buf), "%s", base ? base + 1 : file);
		if (strlen(s->name_buf) > 5)
			s->name_buf[strlen(s->name_buf) - 5] = 0;	/* without .conf */
		s->state = SVC_BROKEN;
		snprintf(s->why, sizeof(s->why), "errors in %s (berth check shows them)", file);
		log_error("service %s: not started: its file has errors", s->name);
		return;
	}
	snprintf(s->name_buf, sizeof(s->name_buf), "%s", s->conf.name);
	s->state = SVC_WAITING;
	s->why[0] = 0;
}

static struct svc *svc_new(struct supervisor *sv, const char *file)
{
	struct svc **bigger = realloc(sv->svcs, (sv->n + 1) * sizeof(*bigger));
	struct svc *s = calloc(1, sizeof(*s));
	if (!bigger || !s) {
		free(s);
		if (bigger)
			sv->svcs = bigger;
		log_error("out of memory");
		return NULL;
	}
	sv->svcs = bigger;
	sv->svcs[sv->n++] = s;
	s->log_fd = s->notify_fd = s->pidfd = s->log_file_fd = s->starter_fd = -1;
	s->last_status = -1;
	s->want_up = true;
	svc_read(s, file);
	if (s->state != SVC_BROKEN && logring_init(&s->ring, s->conf.log_size) < 0)
		log_error("out of memory");
	return s;
}

/* Forget the file's reading (its conf and text), keeping the runtime
 * state (logs, counters). */
static void svc_unread(struct svc *s)
{
	service_free(&s->conf);
	free(s->text);
	s->text = NULL;
}

static void svc_free(struct supervisor *sv, struct svc *s)
{
	loop_close(sv, &s->log_fd);
	loop_close(sv, &s->notify_fd);
	loop_close(sv, &s->pidfd);
	loop_close(sv, &s->starter_fd);
	output_close(s);
	logring_free(&s->ring);
	svc_unread(s);
	free(s);
}

/* The container of a service a previous supervisor started, still
 * running: watched through a pidfd (it is not our child, so no SIGCHLD
 * and no exit status), its output read again from its log FIFO. */
static bool adopt(struct supervisor *sv, struct svc *s)
{
	struct state st;
	if (s->state != SVC_WAITING || state_load(sv->root, s->name, &st) < 0 || state_status(sv->root, &st) != STATUS_RUNNING)
		return false;
	int pidfd = pidfd_open_compat(st.pid);
	if (pidfd < 0) {
		log_warn("service %s: its container (pid %d) runs, but this kernel has no pidfds to watch it: "
			 "replacing it", s->name, (int)st.pid);
		return false;
	}
	int logp[2] = { -1, -1 };
	if (!s->conf.spec.process.terminal && output_open_fifo(sv, s, logp) == 0) {
		close(logp[1]);
		s->log_fd = logp[0];
		s->log_w = (struct watch){ W_LOG, s };
		loop_add(sv, s->log_fd, &s->log_w, EPOLLIN);
	}
	s->st = st;
	s->pidfd = pidfd;
	s->pid_w = (struct watch){ W_PIDFD, s };
	loop_add(sv, pidfd, &s->pid_w, EPOLLIN);
	s->state = SVC_READY;
	s->started_ms = s->exec_ms = s->ready_ms = now_ms();
	log_info("service %s: adopted its running container (pid %d)", s->name, (int)st.pid);
	return true;
}

int svc_load_all(struct supervisor *sv)
{
	char **files;
	int n = service_dir_list(sv->config_dir, &files);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct svc *s = svc_new(sv, files[i]);
		if (s && sv->skip && s->state != SVC_BROKEN) {
			char word[220];
			snprintf(word, sizeof(word), ",%s,", s->name);
			if (strstr(sv->skip, word)) {
				s->want_up = false;
				s->state = SVC_STOPPED;
				snprintf(s->why, sizeof(s->why), "skipped (berth.skip on the kernel command line)");
			}
		}
		/* As PID 1 nothing survives from before: only a restarted
		 * supervisor finds containers to adopt. */
		if (s && !sv->pid1)
			adopt(sv, s);
		free(files[i]);
	}
	free(files);
	return 0;
}

void svc_adopted_exit(struct supervisor *sv, struct svc *s)
{
	loop_close(sv, &s->pidfd);
	/* Not our child: its status is the reaper's. Count it a failure. */
	svc_reaped(sv, s->st.pid, -1);
}

void svc_free_all(struct supervisor *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		svc_free(sv, sv->svcs[i]);
	free(sv->svcs);
	sv->svcs = NULL;
	sv->n = 0;
}

bool svc_running(const struct svc *s)
{
	return s->state == SVC_RUNNING || s->state == SVC_READY || s->state == SVC_STOPPING;
}

bool svc_active(const struct svc *s)
{
	return svc_running(s) || s->state == SVC_STARTING || s->cleaner > 0;
}

/* Removed from the directory and down: freed once the events in hand are
 * handled (svc_forget_removed), and no longer there for anyone asking. */
bool svc_gone(const struct svc *s)
{
	return s->removed && !svc_active(s);
}

/* A changed file takes effect once the old container is down. */
static void svc_apply_reread(struct supervisor *sv, struct svc *s)
{
	if (!s->reread || svc_active(s))
		return;
	s->reread = false;
	size_t old_cap = s->ring.cap;
	char file[sizeof(s->file)];
	snprintf(file, sizeof(file), "%s", s->file);	/* svc_read writes s->file */
	svc_unread(s);
	svc_read(s, file);
	if (s->state != SVC_BROKEN && s->conf.log_size != old_cap) {
		logring_free(&s->ring);
		logring_init(&s->ring, s->conf.log_size);
	}
	s->failures = 0;
	s->deadline_ms = 0;
	(void)sv;
}

void svc_reload(struct supervisor *sv)
{
	char **files;
	int n = service_dir_list(sv->config_dir, &files);
	if (n < 0)
		return;
	for (size_t i = 0; i < sv->n; i++)
		sv->svcs[i]->seen = false;
	for (int i = 0; i < n; i++) {
		struct svc *s = NULL;
		for (size_t k = 0; k < sv->n && !s; k++)
			if (!strcmp(sv->svcs[k]->file, files[i]))
				s = sv->svcs[k];
		if (!s) {
			s = svc_new(sv, files[i]);
			if (s)
				log_info("service %s: new", s->name);
		} else {
			size_t len;
			char *text = read_file(files[i], &len);
			if (text && (!s->text || len != s->text_len || memcmp(text, s->text, len))) {
				log_info("service %s: its file changed: %s", s->name, svc_active(s) ? "restarting" : "reread");
				s->reread = true;
				s->want_up = true;
				if (svc_active(s))
					svc_stop(sv, s);
				svc_apply_reread(sv, s);
			}
			free(text);
		}
		if (s)
			s->seen = true;
		free(files[i]);
	}
	free(files);
	/* Gone from the directory: stopped, then forgotten. */
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		if (s->seen || s->removed)
			continue;
		log_info("service %s: its file is gone: stopping it", s->name);
		s->removed = true;
		s->want_up = false;
		svc_stop(sv, s);
	}
	order_check(sv);
}

/* Frees removed services that are down. Only between batches of events:
 * a service's watches (log FIFO, notify pipe, pidfd) and the clients
 * following it may have events later in the batch being handled. */
void svc_forget_removed(struct supervisor *sv)
{
	size_t k = 0;
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		if (svc_gone(s)) {
			control_forget(sv, s);
			svc_free(sv, s);
			continue;
		}
		sv->svcs[k++] = s;
	}
	sv->n = k;
}

/* ---- readiness ---- */

void svc_become_ready(struct supervisor *sv, struct svc *s)
{
	if (s->state != SVC_RUNNING)
		return;
	s->state = SVC_READY;
	s->ready_ms = now_ms();
	if (s->conf.ready != READY_NONE)
		log_info("service %s: ready", s->name);
	(void)sv;
}

void svc_notify_ready(struct supervisor *sv, struct svc *s)
{
	char buf[256];
	ssize_t n = read(s->notify_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && memchr(buf, '\n', (size_t)n)) {
		svc_become_ready(sv, s);
		svc_schedule(sv);
	}
	if (n <= 0 || s->state == SVC_READY)
		loop_close(sv, &s->notify_fd);
}

/* ---- exit and restart ---- */

static int64_t backoff_ms(const struct svc *s)
{
	int64_t d = s->conf.restart_delay_ms;
	for (int i = 1; i < s->failures && d < s->conf.restart_max_delay_ms; i++)
		d *= 2;
	return d < s->conf.restart_max_delay_ms ? d : s->conf.restart_max_delay_ms;
}

static void give_up(struct supervisor *sv, struct svc *s)
{
	s->state = SVC_FAILED;
	snprintf(s->why, sizeof(s->why), "%d failures in a row (restart-limit)", s->failures);
	log_error("service %s: failed: %s", s->name, s->why);
	if (s->conf.reboot_on_failure && !sv->pid1) {
		log_warn("service %s: failure-action = reboot applies to berth as PID 1 only", s->name);
	} else if (s->conf.reboot_on_failure) {
		char why[sizeof(s->name_buf) + 40];
		snprintf(why, sizeof(why), "service %s failed (failure-action = reboot)", s->name);
		supervisor_power(sv, POWER_REBOOT, why);
	}
}

/* After an exit or a failed start: back off and retry, or stop. */
static void after_exit(struct supervisor *sv, struct svc *s, bool success)
{
	int64_t ran = now_ms() - s->started_ms;
	if (ran >= s->conf.restart_reset_ms)
		s->failures = 0;
	if (!success)
		s->failures++;
	else
		s->failures = 0;
	bool restart = s->want_up && !sv->stopping &&
		       (s->conf.restart == RESTART_ALWAYS || (s->conf.restart == RESTART_ON_FAILURE && !success));
	if (s->conf.ready == READY_EXIT && success) {
		s->state = SVC_DONE;
		s->ready_ms = now_ms();
		log_info("service %s: done", s->name);
		return;
	}
	if (!restart) {
		s->state = SVC_STOPPED;
		return;
	}
	if (!success && s->conf.restart_limit && s->failures >= s->conf.restart_limit) {
		give_up(sv, s);
		return;
	}
	s->state = SVC_BACKOFF;
	s->deadline_ms = now_ms() + backoff_ms(s);
	s->restarts++;
	snprintf(s->why, sizeof(s->why), "restarting in %lld ms", (long long)backoff_ms(s));
	/* On a serial console, the backoff is what tells a crash loop apart. */
	if (s->failures)
		log_info("service %s: %s (%d failure%s in a row)", s->name, s->why, s->failures,
			 s->failures == 1 ? "" : "s");
}

void svc_failed_to_start(struct supervisor *sv, struct svc *s)
{
	s->last_status = -1;
	s->started_ms = now_ms();
	snprintf(s->why, sizeof(s->why), "the container could not be created");
	after_exit(sv, s, false);
}

/* start.c's children: the starter answers through its socket, so its
 * exit only says it is gone; a cleaner's says the name is free again. */
static bool reaped_helper(struct supervisor *sv, pid_t pid)
{
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		if (s->starter == pid) {
			s->starter = 0;
			return true;
		}
		if (s->cleaner == pid) {
			s->cleaner = 0;
			if (s->state == SVC_STOPPING)	/* a start stopped meanwhile */
				s->state = s->want_up && !sv->stopping ? SVC_WAITING : SVC_STOPPED;
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
		if (sv->svcs[i]->st.pid == pid && svc_running(sv->svcs[i]))
			s = sv->svcs[i];
	if (!s) {
		/* Perhaps a container whose starter has not answered yet. */
		svc_unclaimed_add(sv, pid, status);
		return;
	}
	svc_log_drain(sv, s);
	loop_close(sv, &s->log_fd);
	loop_close(sv, &s->notify_fd);
	loop_close(sv, &s->pidfd);
	/* Whatever else is left in its cgroup, its cgroup and its state. */
	container_destroy(sv->root, &s->st);
	s->st.pid = 0;
	s->last_status = status;
	s->deadline_ms = 0;
	bool success = status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (status < 0)
		log_info("service %s: its adopted container exited (status unknown)", s->name);
	else if (WIFSIGNALED(status))
		log_info("service %s: killed by signal %d", s->name, WTERMSIG(status));
	else
		log_info("service %s: exited with status %d", s->name, WEXITSTATUS(status));
	if (s->state == SVC_STOPPING) {
		s->state = SVC_STOPPED;
		if (s->want_up && !sv->stopping) {	/* ctl restart, or a changed file */
			s->state = SVC_WAITING;
			s->failures = 0;
		}
	} else {
		after_exit(sv, s, success);
	}
	svc_apply_reread(sv, s);
}

int svc_stop(struct supervisor *sv, struct svc *s)
{
	switch (s->state) {
	case SVC_RUNNING:
	case SVC_READY:
		if (kill(s->st.pid, s->conf.stop_signal) < 0 && errno != ESRCH)
			return log_error("service %s: kill: %m", s->name);
		s->state = SVC_STOPPING;
		s->deadline_ms = now_ms() + s->conf.stop_timeout_ms;
		return 0;
	case SVC_STARTING:
		/* Done once its cleaner has cleared what the starter made. */
		svc_start_abort(sv, s);
		s->state = s->cleaner ? SVC_STOPPING : s->want_up && !sv->stopping ? SVC_WAITING : SVC_STOPPED;
		return 0;
	case SVC_WAITING:
	case SVC_BACKOFF:
		s->state = SVC_STOPPED;
		s->deadline_ms = 0;
		return 0;
	default:
		return 0;
	}
	(void)sv;
}

void svc_timeouts(struct supervisor *sv)
{
	int64_t now = now_ms();
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		if (!s->deadline_ms || now < s->deadline_ms)
			continue;
		s->deadline_ms = 0;
		if (s->state == SVC_BACKOFF) {
			s->state = SVC_WAITING;
		} else if (s->state == SVC_STARTING) {
			svc_start_timeout(sv, s);
		} else if (s->state == SVC_STOPPING && s->cleaner) {
			/* a stopped start: its cleaner has no deadline of ours */
		} else if (s->state == SVC_STOPPING) {
			log_warn("service %s: still running %lld ms after its stop signal: SIGKILL", s->name,
				 (long long)s->conf.stop_timeout_ms);
			if (s->st.cgroup[0])
				cgroup_kill_all(s->st.cgroup, SIGKILL);
			kill(s->st.pid, SIGKILL);
		}
	}
}

void svc_schedule(struct supervisor *sv)
{
	/* A start can make others startable (ready = none): go round
	 * until nothing changes. */
	for (bool changed = true; changed && !sv->stopping;) {
		changed = false;
		/* ready = path: the file may have appeared. */
		for (size_t i = 0; i < sv->n; i++) {
			struct svc *s = sv->svcs[i];
			if (s->state == SVC_RUNNING && s->conf.ready == READY_PATH && conditions_ready_path(sv, s)) {
				svc_become_ready(sv, s);
				changed = true;
			}
		}
		for (size_t i = 0; i < sv->n; i++) {
			struct svc *s = sv->svcs[i];
			if (s->state != SVC_WAITING || !s->want_up || s->cleaner)
				continue;
			if (order_blocker(sv, s, s->why, sizeof(s->why)) ||
			    conditions_blocker(sv, s, s->why, sizeof(s->why)))
				continue;
			svc_start_now(sv, s);
			changed = true;
		}
	}
	loop_arm_timer(sv);
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
		if (s->state == SVC_WAITING || s->state == SVC_BACKOFF)
			s->state = SVC_STOPPED;
		if (svc_active(s))
			all_down = false;
		/* Dependents first; independent services in parallel. */
		if ((s->state == SVC_RUNNING || s->state == SVC_READY || s->state == SVC_STARTING) && !needed(sv, s))
			svc_stop(sv, s);
	}
	loop_arm_timer(sv);
	return all_down;
}
