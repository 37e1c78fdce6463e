/* SPDX-License-Identifier: Apache-2.0 */
/* linux.sysctl, written through the container's own /proc/sys (resolved
 * inside the root), before readonlyPaths make it read-only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

static int write_sysctl(int rootfd, const char *path, const char *value)
{
	int fd = inroot_open(rootfd, path, 0);
	if (fd < 0)
		return -1;
	struct fd_path p;
	int wfd = openat(AT_FDCWD, fd_path(fd, &p), O_WRONLY | O_CLOEXEC);
	int e = errno;
	close(fd);
	if (wfd < 0) {
		errno = e;
		return -1;
	}
	int r = write_all(wfd, value, strlen(value));
	e = errno;
	close(wfd);
	errno = e;
	return r;
}

int sysctl_apply(const struct spec *s, int rootfd)
{
	for (size_t i = 0; i < s->n_sysctl; i++) {
		char path[512];
		int n = snprintf(path, sizeof(path), "/proc/sys/%s", s->sysctl[i].key);
		if (n < 0 || (size_t)n >= sizeof(path))
			return log_error("linux.sysctl: %s: name too long", s->sysctl[i].key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		const char *v = s->sysctl[i].value;
		if (write_sysctl(rootfd, path, v) < 0)
			return log_error("linux.sysctl: %s = \"%s\": %m", s->sysctl[i].key, v);
	}
	return 0;
}
