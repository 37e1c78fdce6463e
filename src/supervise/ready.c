/* SPDX-License-Identifier: Apache-2.0 */
/* Readiness: when a running service counts as ready, so that what
 * requires it may start. ready = none: at once; notify: a line on the
 * notify pipe; path: a file inside its root, which a watcher child
 * reports as a line on the same pipe; exit: its successful end
 * (lifecycle.c's done). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/util/log.h"
#include "berth/supervise/supervise.h"

void svc_become_ready(struct supervisor *sv, struct svc *s)
{
	if (s->lc.state != SVC_RUNNING)
		return;
	svc_event(sv, s, EV_READY, false);
	bool first = !s->ready_ms;
	if (first)
		s->ready_ms = now_ms();
	if (s->conf.ready != READY_NONE && first)
		log_info("service %s: ready, %lld ms after the supervisor", s->name, (long long)(s->ready_ms - sv->boot_ms));
	else if (s->conf.ready != READY_NONE)
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

/* Watch the nearest existing directory of path inside the root (by
 * its fd: a link planted there is followed inside the root only). */
static void watch_nearest(int inotifyfd, int rootfd, const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *slash; (slash = strrchr(dir, '/'));) {
		*slash = 0;
		int fd = inroot_open(rootfd, dir[0] ? dir : "/", 0);
		if (fd < 0)
			continue;
		char proc[32];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		inotify_add_watch(inotifyfd, proc, IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE | IN_ONLYDIR);
		close(fd);
		return;
	}
}

/* ready = path, beside the loop: the path is inside the service's root,
 * which the service controls and which may sit on a mount that blocks
 * (FUSE, NFS), so the loop never looks there itself. This child (the
 * starter, once its container runs) looks, sleeps on inotify, and
 * writes a line to the notify pipe once the path is there. Each event
 * makes it look again, whole; a slow timeout covers what inotify on one
 * directory cannot see (an ancestor replaced by a rename). */
static int wait_path(int rootfd, int in, const char *path, int notify_fd)
{
	for (;;) {
		int fd = rootfd >= 0 ? inroot_open(rootfd, path, 0) : -1;
		if (fd >= 0) {
			close(fd);
			return write(notify_fd, "\n", 1) == 1 ? 0 : -1;
		}
		if (rootfd >= 0 && in >= 0)
			watch_nearest(in, rootfd, path);
		struct pollfd p[2] = { { .fd = in, .events = POLLIN }, { .fd = notify_fd, .events = 0 } };
		/* notify_fd's POLLERR: the supervisor closed its end. */
		if (poll(p, 2, 2000) > 0 && (p[1].revents & (POLLERR | POLLHUP)))
			return -1;
		char buf[4096];
		if (p[0].revents & POLLIN && read(in, buf, sizeof(buf)) < 0 && errno != EINTR)
			return -1;
	}
}

_Noreturn void ready_path_watch(const char *root, const char *path, int notify_fd)
{
	int rootfd = openat(AT_FDCWD, root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_exit(wait_path(rootfd, inotify_init1(IN_CLOEXEC), path, notify_fd) < 0);
}

/* wait-for = path, the same way from the supervisor's own root: a line
 * for each path condition, in order, as it is found. The device's paths
 * may lead into a mount that hangs too (a dead NFS server). */
_Noreturn void wait_for_paths_watch(const struct service_conf *c, int notify_fd)
{
	int rootfd = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC), in = inotify_init1(IN_CLOEXEC);
	for (size_t i = 0; i < c->n_wait_for; i++)
		if (c->wait_for[i].kind == WAIT_PATH && wait_path(rootfd, in, c->wait_for[i].arg, notify_fd) < 0)
			_exit(1);
	_exit(0);
}
