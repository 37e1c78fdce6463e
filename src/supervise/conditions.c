/* SPDX-License-Identifier: Apache-2.0 */
/* What services wait for without a bus, and without polling: a mount
 * (the kernel flags /proc/self/mountinfo with POLLPRI when the mount
 * table changes), a path (inotify on its nearest existing directory),
 * a network link (rtnetlink link messages). Events only wake the loop;
 * each condition is then simply checked again. OpenWrt's uxc starts
 * containers before their volumes are mounted: `wait-for = mounted:/data`
 * is the cure. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

static bool met(const struct wait_cond *w)
{
	struct stat st;
	switch (w->kind) {
	case WAIT_MOUNTED: return is_mount_point(w->arg);
	case WAIT_PATH: return stat(w->arg, &st) == 0;
	case WAIT_LINK: return link_is_up(w->arg);
	}
	return false;
}

/* The nearest directory above path that exists, into dir. */
static bool nearest_dir(const char *path, char *dir, size_t cap)
{
	snprintf(dir, cap, "%s", path);
	for (;;) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			return false;
		if (slash == dir)
			slash[1] = 0;
		else
			*slash = 0;
		struct stat st;
		if (stat(dir, &st) == 0)
			return true;
		if (slash == dir)
			return false;
	}
}

/* inotify on the nearest directory that exists: its creation events
 * lead, one level at a time, to the path itself. A level made between
 * the look and the watch would send no event: look again after each
 * watch, and go down while the next level has appeared. */
static void watch_path(struct supervisor *sv, const char *path)
{
	char dir[4096], again[4096];
	if (!nearest_dir(path, dir, sizeof(dir)))
		return;
	for (int depth = 0; depth < 64; depth++) {
		inotify_add_watch(sv->inotifyfd, dir, IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE | IN_ONLYDIR);
		if (!nearest_dir(path, again, sizeof(again)) || !strcmp(again, dir))
			return;
		snprintf(dir, sizeof(dir), "%s", again);
	}
}

static int open_sources(struct supervisor *sv)
{
	if (sv->inotifyfd >= 0)
		return 0;
	sv->inotifyfd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (sv->inotifyfd < 0)
		return log_error("inotify: %m");
	sv->inotify_w = (struct watch){ W_CONDITION, NULL };
	loop_add(sv, sv->inotifyfd, &sv->inotify_w, EPOLLIN);
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

const char *conditions_blocker(struct supervisor *sv, const struct svc *s, char *buf, size_t cap)
{
	static const char *const what[] = { "mounted", "path", "link" };
	for (size_t i = 0; i < s->conf.n_wait_for; i++) {
		const struct wait_cond *w = &s->conf.wait_for[i];
		if (met(w))
			continue;
		if (open_sources(sv) == 0 && w->kind == WAIT_PATH)
			watch_path(sv, w->arg);
		snprintf(buf, cap, "waiting for %s:%s", what[w->kind], w->arg);
		return buf;
	}
	return NULL;
}

void conditions_event(struct supervisor *sv)
{
	char buf[4096];
	/* Consume the events; what they say is checked again, whole. */
	while (sv->inotifyfd >= 0 && read(sv->inotifyfd, buf, sizeof(buf)) > 0)
		;
	while (sv->netlinkfd >= 0 && recv(sv->netlinkfd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	if (sv->mountinfofd >= 0) {	/* a read clears the POLLPRI */
		lseek(sv->mountinfofd, 0, SEEK_SET);
		while (read(sv->mountinfofd, buf, sizeof(buf)) > 0)
			;
	}
}
