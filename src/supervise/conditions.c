/* SPDX-License-Identifier: Apache-2.0 */
/* What services wait for without a bus, and without polling: a mount
 * (the kernel flags /proc/self/mountinfo with POLLPRI when the mount
 * table changes), a network link (rtnetlink link messages), a path (a
 * child watches it with inotify and says when it is there). Events only
 * wake the loop; each condition is then simply checked again. OpenWrt's uxc starts
 * containers before their volumes are mounted: `wait-for = mounted:/data`
 * is the cure. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "berth/util/log.h"
#include "berth/util/mountinfo.h"
#include "berth/supervise/supervise.h"
#include "berth/util/util.h"

static int is_this_mount_point(const struct mountinfo *m, void *path)
{
	return !strcmp(m->mount_point, path);
}

static bool is_mount_point(const char *path)
{
	return mountinfo_each(is_this_mount_point, (void *)path) > 0;
}

/* Up and running, asked of this network namespace (sysfs may show
 * another's). */
static bool link_is_up(const char *iface)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool up = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	if (fd >= 0)
		close(fd);
	return up;
}

/* A mount or a link: asked of the kernel, which answers at once. A path
 * is looked for by a child (conditions_blocker). */
static bool met(const struct wait_cond *w)
{
	return w->kind == WAIT_MOUNTED ? is_mount_point(w->arg) : link_is_up(w->arg);
}

static int open_sources(struct supervisor *sv)
{
	if (sv->mountinfofd >= 0 || sv->netlinkfd >= 0)
		return 0;
	sv->mountinfofd = openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (sv->mountinfofd >= 0) {
		sv->mountinfo_w = (struct watch){ W_CONDITION, NULL };
		loop_add(sv, sv->mountinfofd, &sv->mountinfo_w, EPOLLPRI);
	}
	sv->netlinkfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	if (sv->netlinkfd >= 0 && bind(sv->netlinkfd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		sv->netlink_w = (struct watch){ W_CONDITION, NULL };
		loop_add(sv, sv->netlinkfd, &sv->netlink_w, EPOLLIN);
	}
	return 0;
}

/* wait-for = path is looked for beside the loop, never by it: the path
 * may lead into a mount that hangs (a dead NFS server, a FUSE daemon that
 * never answers), where a stat would stop PID 1 and with it every
 * service and the watchdog. A child (ready.c) sends a line for each path
 * as it appears, in order; paths_seen counts them until the service
 * starts. A path that goes again before then is not noticed. */
const char *conditions_blocker(struct supervisor *sv, struct svc *s, char *buf, size_t cap)
{
	static const char *const what[] = { "mounted", "path", "link" };
	size_t paths = 0;
	for (size_t i = 0; i < s->conf.n_wait_for; i++) {
		const struct wait_cond *w = &s->conf.wait_for[i];
		if (w->kind == WAIT_PATH ? paths++ < s->paths_seen : met(w))
			continue;
		if (w->kind != WAIT_PATH)
			open_sources(sv);
		else if (s->paths_fd < 0)
			svc_spawn_paths_watcher(sv, s);
		snprintf(buf, cap, "waiting for %s:%s", what[w->kind], w->arg);
		return buf;
	}
	return NULL;
}

void conditions_paths_seen(struct supervisor *sv, struct svc *s)
{
	char buf[64];
	ssize_t n = read(s->paths_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	for (ssize_t i = 0; i < n; i++)
		s->paths_seen += buf[i] == '\n';
	if (n <= 0)	/* all found (it has exited), or it died */
		loop_close(sv, &s->paths_fd);
}

void conditions_forget(struct supervisor *sv, struct svc *s)
{
	if (s->paths_watcher > 0)
		kill(s->paths_watcher, SIGKILL);	/* reaped by the loop */
	loop_close(sv, &s->paths_fd);
	s->paths_seen = 0;
}

void conditions_event(struct supervisor *sv)
{
	char buf[4096];
	/* Consume the events; what they say is checked again, whole. */
	while (sv->netlinkfd >= 0 && recv(sv->netlinkfd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	if (sv->mountinfofd >= 0) {	/* a read clears the POLLPRI */
		lseek(sv->mountinfofd, 0, SEEK_SET);
		while (read(sv->mountinfofd, buf, sizeof(buf)) > 0)
			;
	}
}
