/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
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
	/* Kernels before 5.11: walk /proc/self/fd. */
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return log_error("/proc/self/fd: %m");
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
