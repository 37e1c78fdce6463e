/* SPDX-License-Identifier: Apache-2.0 */
/* Readiness: when a running service counts as ready, so that what
 * requires it may start. ready = none: at once; notify: a line on the
 * notify pipe; path: a file inside its root (conditions.c watches it);
 * exit: its successful end (lifecycle.c's done). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "berth/log.h"
#include "berth/supervise.h"

void svc_become_ready(struct supervisor *sv, struct svc *s)
{
	if (s->lc.state != SVC_RUNNING)
		return;
	svc_event(sv, s, EV_READY, false);
	s->ready_ms = now_ms();
	if (s->conf.ready != READY_NONE)
		log_info("service %s: ready", s->name);
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
	if (n <= 0 || s->lc.state == SVC_READY)
		loop_close(sv, &s->notify_fd);
}

/* ready = path: the file may have appeared. True if one became ready. */
bool svc_check_ready_paths(struct supervisor *sv)
{
	bool any = false;
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		if (s->lc.state == SVC_RUNNING && s->conf.ready == READY_PATH && conditions_ready_path(sv, s)) {
			svc_become_ready(sv, s);
			any = true;
		}
	}
	return any;
}
