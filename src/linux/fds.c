/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Whatever the runtime's caller left open (a shim's sockets, a terminal,
 * a leaked log file) must not reach the container: runc's CVE-2024-21626
 * was a leaked fd to the host's cgroupfs. */
int fds_close_on_exec(int preserve)
{
	unsigned first = 3 + (unsigned)preserve;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
#endif
	return fds_cloexec_walk(first);
}

/* Kernels before 5.11 (and what refuses close_range): each fd listed in
 * /proc/self/fd, which in `exec` is the container's /proc. It is opened
 * as proc_self_open opens a file of ours there (a procfs's root, no
 * mount crossed), or a container could hide an fd from the walk with a
 * tmpfs over /proc and have it reach its process. */
int fds_cloexec_walk(unsigned first)
{
	int dfd = proc_self_open("fd", O_RDONLY | O_DIRECTORY);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return log_error("/proc/self/fd: %m");
	}
	int self = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		uint64_t n;
		if (parse_u64(e->d_name, &n) < 0 || n < first || n == (uint64_t)self)
			continue;
		int fd = (int)n;
		int flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
			closedir(d);
			return log_error("fd %d: %m", fd);
		}
	}
	closedir(d);
	return 0;
}
