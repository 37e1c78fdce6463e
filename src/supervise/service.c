/* SPDX-License-Identifier: Apache-2.0 */
/* The table of services: one per file of the service directory, read
 * once, read again on reload, adopted from a previous supervisor, freed
 * once removed and down. What happens to each is lifecycle.c's table,
 * driven by events.c. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "berth/runtime/network.h"
#include "berth/util/log.h"
#include "berth/supervise/supervise.h"
#include "berth/util/util.h"

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
static bool svc_read(struct svc *s)
{
	const char *file = s->file;
	s->text = read_file(file, &s->text_len);
	if (!s->text || service_load_text(&s->conf, s->text, s->text_len, file) < 0) {
		if (!s->text)
			log_error("%s: %m", file);
		snprintf(s->why, sizeof(s->why), "errors in %s (berth check shows them)", file);
		log_error("service %s: not started: its file has errors", s->name);
		return false;
	}
	s->why[0] = 0;
	return true;
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
	/* Its name is the parser's (a broken file has no other). */
	const char *base;
	size_t len = service_name_of(file, &base);
	s->file = strdup(file);
	s->name = strndup(base, len);
	if (!s->file || !s->name) {
		free(s->file), free(s->name), free(s);
		log_error("out of memory");
		return NULL;
	}
	sv->svcs[sv->n++] = s;
	s->log_fd = s->notify_fd = s->pidfd = s->log_file_fd = s->starter_fd = s->ready_wfd = s->paths_fd = -1;
	s->last_status = -1;
	bool ok = svc_read(s);
	lifecycle_init(&s->lc, !ok);
	if (ok && logring_init(&s->ring, s->conf.log_size) < 0)
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

void svc_container_set(struct svc *s, const struct state *st)
{
	svc_container_clear(s);
	s->ctr.pid = st->pid;
	s->ctr.start_time = st->start_time;
	s->ctr.cgroup = st->cgroup[0] ? strdup(st->cgroup) : NULL;
	if (st->cgroup[0] && !s->ctr.cgroup)	/* then only its init is signalled */
		log_warn("service %s: out of memory (its cgroup is forgotten)", s->name);
}

void svc_container_clear(struct svc *s)
{
	free(s->ctr.cgroup);
	memset(&s->ctr, 0, sizeof(s->ctr));
}

void svc_container_state(const struct svc *s, const char *root, struct state *st)
{
	if (root && state_load(root, s->name, st) == 0 && st->pid == s->ctr.pid && st->start_time == s->ctr.start_time)
		return;
	memset(st, 0, sizeof(*st));
	snprintf(st->id, sizeof(st->id), "%s", s->name);
	st->pid = s->ctr.pid;
	st->start_time = s->ctr.start_time;
	snprintf(st->cgroup, sizeof(st->cgroup), "%s", s->ctr.cgroup ? s->ctr.cgroup : "");
}

static void svc_free(struct supervisor *sv, struct svc *s)
{
	conditions_forget(sv, s);
	loop_close(sv, &s->log_fd);
	loop_close(sv, &s->notify_fd);
	loop_close(sv, &s->pidfd);
	loop_close(sv, &s->starter_fd);
	if (s->ready_wfd >= 0)
		close(s->ready_wfd);
	output_close(s);
	logring_free(&s->ring);
	svc_unread(s);
	free(s->addresses);
	free(s->start_error);
	svc_container_clear(s);
	free(s->line);
	free(s->name);
	free(s->file);
	free(s);
}

const char *supervisor_net_files(const struct supervisor *sv, char buf[4096])
{
	snprintf(buf, 4096, "%s/.network", sv->root);
	return buf;
}

/* What its network recorded. A frame of its own: the path's buffer is
 * not held under the events adopt() sends. */
__attribute__((noinline)) static char *recorded_addresses(struct supervisor *sv, const char *name)
{
	char net_files[4096];
	return network_recorded(supervisor_net_files(sv, net_files), name);
}

/* The container of a service a previous supervisor started, still
 * running: watched through a pidfd (it is not our child, so no SIGCHLD
 * and no exit status), its output read again from its log FIFO. Its
 * state (6 KB) is on the heap: this frame stays under the events it
 * sends, and the supervisor's stack keeps every page it ever touched. */
static bool adopt(struct supervisor *sv, struct svc *s)
{
	struct state *st = malloc(sizeof(*st));
	if (!st || s->lc.state != SVC_WAITING || state_load(sv->root, s->name, st) < 0 ||
	    state_status(sv->root, st) != STATUS_RUNNING) {
		free(st);
		return false;
	}
	int pidfd = pidfd_open_compat(st->pid);
	if (pidfd < 0) {
		log_warn("service %s: its container (pid %d) runs, but this kernel has no pidfds to watch it: "
			 "replacing it", s->name, (int)st->pid);
		free(st);
		return false;
	}
	/* Checked again now that the pidfd holds it: the init may have died
	 * since, and its pid gone to another process. */
	if (!proc_is_alive(st->pid, st->start_time)) {
		close(pidfd);
		free(st);
		return false;
	}
	int logp[2] = { -1, -1 };
	if (!s->conf.spec.process.terminal && output_open_fifo(sv, s, logp) == 0) {
		close(logp[1]);
		s->log_fd = logp[0];
		s->log_w = (struct watch){ W_LOG, s };
		loop_add(sv, s->log_fd, &s->log_w, EPOLLIN);
	}
	svc_container_set(s, st);
	s->pidfd = pidfd;
	s->pid_w = (struct watch){ W_PIDFD, s };
	loop_add(sv, pidfd, &s->pid_w, EPOLLIN);
	svc_event(sv, s, EV_ADOPTED, false);
	s->exec_ms = s->ready_ms = s->lc.started_ms;
	free(s->addresses);
	s->addresses = recorded_addresses(sv, s->name);
	log_info("service %s: adopted its running container (pid %d)", s->name, (int)st->pid);
	/* It runs from another root than its file now gives (an update's
	 * trial that the restart dropped, or a file changed meanwhile): the
	 * file wins, as a reload would have it. */
	bool moved = s->conf.spec.root_path && strcmp(st->rootfs, s->conf.spec.root_path);
	if (moved)
		log_info("service %s: its container runs from %s, its file now says %s: restarting", s->name, st->rootfs,
			 s->conf.spec.root_path);
	free(st);
	if (moved)
		svc_event(sv, s, EV_RESTART, false);
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
		if (s && sv->skip && s->lc.state != SVC_BROKEN) {
			char word[220];
			snprintf(word, sizeof(word), ",%s,", s->name);
			if (str_find(sv->skip, word)) {
				svc_event(sv, s, EV_STOP, false);
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
	return lifecycle_running(&s->lc);
}

bool svc_active(const struct svc *s)
{
	return svc_running(s) || s->lc.state == SVC_STARTING || s->cleaner > 0 || s->killer > 0;
}

/* Removed from the directory and down: freed once the events in hand are
 * handled (svc_forget_removed), and no longer there for anyone asking. */
bool svc_gone(const struct svc *s)
{
	return s->removed && !svc_active(s);
}

/* A changed file takes effect once the old container is down. */
void svc_apply_reread(struct supervisor *sv, struct svc *s)
{
	if (!s->reread || svc_active(s))
		return;
	s->reread = false;
	size_t old_max = s->ring.max;
	conditions_forget(sv, s);	/* its paths may be others now */
	svc_unread(s);
	bool ok = svc_read(s);
	if (ok && s->conf.log_size != old_max) {
		logring_free(&s->ring);
		logring_init(&s->ring, s->conf.log_size);
	}
	svc_event(sv, s, ok ? EV_FILE_OK : EV_FILE_BROKEN, false);
	if (ok)
		update_after_reread(sv, s);
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
			/* Back before its old container was cleared away (its
			 * teardown runs beside the loop): it is wanted again, and
			 * must not be forgotten once that teardown ends. */
			if (s->removed) {
				s->removed = false;
				log_info("service %s: its file is back", s->name);
				svc_event(sv, s, EV_START, false);
			}
			size_t len;
			char *text = read_file(files[i], &len);
			bool changed = text && (!s->text || len != s->text_len || memcmp(text, s->text, len));
			/* Or what it names: a bundle's config.json, an image's ref. */
			bool source = text && !changed && s->conf.source.path && service_source_changed(&s->conf);
			if (source && s->conf.image && !s->conf.image->file) {
				/* A new import under its image's name: an update,
				 * committed or rolled back by what it does. */
				char msg[300];
				log_info("service %s: %s changed: updating", s->name, s->conf.source.path);
				if (update_begin(sv, s, NULL, s->conf.update_timeout_ms, s->conf.update_settle_ms, msg,
						 sizeof(msg)) < 0)
					log_error("service %s", msg);
			} else if (changed || source) {
				log_info("service %s: %s changed: %s", s->name, source ? s->conf.source.path : "its file",
					 svc_active(s) ? "restarting" : "reread");
				s->update.from_reload = true;	/* its image name may have changed */
				s->reread = true;
				svc_event(sv, s, EV_RESTART, false);	/* wanted up again, with the new file */
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
		svc_event(sv, s, EV_STOP, false);
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
			update_forget(s);
			control_forget(sv, s);
			svc_free(sv, s);
			continue;
		}
		sv->svcs[k++] = s;
	}
	sv->n = k;
}

