/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_clone_flags(const struct spec *s)
{
	static const enum ns_kind with_clone[] = { NS_USER, NS_PID, NS_NET, NS_IPC, NS_UTS, NS_MNT };
	int flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(with_clone); i++)
		if (s->ns[with_clone[i]].wanted && !s->ns[with_clone[i]].path)
			flags |= ns_clone_flag(with_clone[i]);
	return flags;
}

static int join(enum ns_kind k, const char *path)
{
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error("linux.namespaces: %s namespace %s: %m", ns_name(k), path);
	int r = setns(fd, ns_clone_flag(k));
	close(fd);
	if (r < 0)
		return log_error("linux.namespaces: joining %s namespace %s: %m", ns_name(k), path);
	return 0;
}

static int write_time_offsets(const struct spec *s)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "monotonic %lld %lld\nboottime %lld %lld\n",
			 (long long)s->time_offsets[0][0], (long long)s->time_offsets[0][1],
			 (long long)s->time_offsets[1][0], (long long)s->time_offsets[1][1]);
	if (proc_self_write("timens_offsets", buf, (size_t)n) < 0)
		return log_error("linux.timeOffsets: /proc/self/timens_offsets: %m");
	return 0;
}

int ns_enter_for_children(const struct spec *s, struct ns_saved *saved)
{
	saved->pid_fd = saved->time_fd = -1;
	if (s->ns[NS_PID].path) {
		saved->pid_fd = openat(AT_FDCWD, "/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (saved->pid_fd < 0 || join(NS_PID, s->ns[NS_PID].path) < 0)
			goto fail;
	}
	if (s->ns[NS_TIME].wanted) {
		saved->time_fd = openat(AT_FDCWD, "/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
		if (saved->time_fd < 0) {
			log_error("linux.namespaces: time namespace: this kernel has none (/proc/self/ns/time: %m)");
			goto fail;
		}
		if (s->ns[NS_TIME].path) {
			if (join(NS_TIME, s->ns[NS_TIME].path) < 0)
				goto fail;
		} else if (unshare(CLONE_NEWTIME) < 0) {
			log_error("linux.namespaces: new time namespace: %m");
			goto fail;
		} else if (s->has_time_offsets && write_time_offsets(s) < 0) {
			goto fail;
		}
	}
	return 0;
fail:
	ns_restore(saved);
	return -1;
}

void ns_restore(struct ns_saved *saved)
{
	if (saved->pid_fd >= 0) {
		if (setns(saved->pid_fd, CLONE_NEWPID) < 0)
			log_warn("restoring pid namespace: %m");
		close(saved->pid_fd);
	}
	if (saved->time_fd >= 0) {
		if (setns(saved->time_fd, CLONE_NEWTIME) < 0)
			log_warn("restoring time namespace: %m");
		close(saved->time_fd);
	}
	saved->pid_fd = saved->time_fd = -1;
}

int ns_join_paths(const struct spec *s)
{
	/* A user namespace given by path was joined before the clone (by
	 * launch.c's helper), so that it owns the namespaces created. */
	static const enum ns_kind order[] = { NS_NET, NS_IPC, NS_UTS, NS_CGROUP, NS_MNT };
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (s->ns[order[i]].path && join(order[i], s->ns[order[i]].path) < 0)
			return -1;
	return 0;
}

int ns_unshare_cgroup(const struct spec *s)
{
	if (s->ns[NS_CGROUP].wanted && !s->ns[NS_CGROUP].path && unshare(CLONE_NEWCGROUP) < 0)
		return log_error("linux.namespaces: new cgroup namespace: %m");
	return 0;
}

int ns_set_names(const struct spec *s)
{
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return log_error("hostname \"%s\": %m", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return log_error("domainname \"%s\": %m", s->domainname);
	return 0;
}
