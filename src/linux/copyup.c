/* SPDX-License-Identifier: Apache-2.0 */
/* tmpcopyup: a tmpfs mounted over a directory of the image starts with
 * that directory's contents (podman run --read-only gives /tmp, /var/tmp
 * and /run this way), as runc and crun do. Copied fd to fd: the source is
 * the image's, so nothing in it is followed: a symlink is copied as a
 * symlink, a name is opened with O_NOFOLLOW relative to its directory's
 * fd, and the walk never leaves the tree it started in. Files, directories,
 * symlinks, device nodes and FIFOs keep their mode, owner, times and (where
 * both filesystems have them) extended attributes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

#define COPYUP_MAX_DEPTH 64

/* Extended attributes, best effort: security.* may be refused, and tmpfs
 * keeps only some namespaces. */
static void copy_xattrs(int from, int to)
{
	char names[4096], value[4096];
	ssize_t n = flistxattr(from, names, sizeof(names));
	for (ssize_t i = 0; i > -1 && i < n; i += (ssize_t)strlen(names + i) + 1) {
		ssize_t len = fgetxattr(from, names + i, value, sizeof(value));
		if (len >= 0)
			fsetxattr(to, names + i, value, (size_t)len, 0);
	}
}

/* Owner, mode and times of `to`, taken from st. */
static int copy_meta(int to, const struct stat *st, const char *path)
{
	if (fchownat(to, "", st->st_uid, st->st_gid, AT_EMPTY_PATH) < 0 || fchmod(to, st->st_mode & 07777) < 0)
		return log_error("tmpcopyup: %s: %m", path);
	futimens(to, (struct timespec[]){ st->st_atim, st->st_mtim });
	return 0;
}

static int copy_data(int from, int to, const char *path)
{
	char buf[16384];
	for (;;) {
		ssize_t n = copy_file_range(from, NULL, to, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
			return log_error("tmpcopyup: %s: %m", path);
		break;	/* a kernel or filesystem without it: plain copy */
	}
	for (ssize_t n; (n = read(from, buf, sizeof(buf))) != 0;) {
		if (n < 0 || write(to, buf, (size_t)n) != n)
			return log_error("tmpcopyup: %s: %m", path);
	}
	return 0;
}

static int copy_dir(int from, int to, const char *path, int depth);

static int copy_entry(int from, int to, const char *name, const char *path, int depth)
{
	struct stat st;
	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return log_error("tmpcopyup: %s: %m", path);
	int src = -1, dst = -1, r = 0;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		if ((mkdirat(to, name, 0700) < 0 && errno != EEXIST) ||
		    (src = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		    (dst = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			r = log_error("tmpcopyup: %s: %m", path);
			break;
		}
		r = copy_dir(src, dst, path, depth + 1);
		if (r == 0) {
			copy_xattrs(src, dst);
			r = copy_meta(dst, &st, path);
		}
		break;
	case S_IFREG:
		if ((src = openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0 ||
		    (dst = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
			r = log_error("tmpcopyup: %s: %m", path);
			break;
		}
		r = copy_data(src, dst, path);
		if (r == 0) {
			copy_xattrs(src, dst);
			r = copy_meta(dst, &st, path);
		}
		break;
	case S_IFLNK: {
		char target[4096];
		ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);
		if (n >= 0)
			target[n] = 0;
		if (n < 0 || symlinkat(target, to, name) < 0 ||
		    fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) {
			r = log_error("tmpcopyup: %s: %m", path);
			break;
		}
		utimensat(to, name, (struct timespec[]){ st.st_atim, st.st_mtim }, AT_SYMLINK_NOFOLLOW);
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
		if (mknodat(to, name, st.st_mode, st.st_rdev) < 0 ||
		    fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    chmod_at(to, name, st.st_mode & 07777) < 0)
			r = log_error("tmpcopyup: %s: %m", path);
		break;
	default:	/* a socket: meaningless without its listener */
		break;
	}
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	return r;
}

static int copy_dir(int from, int to, const char *path, int depth)
{
	if (depth > COPYUP_MAX_DEPTH)
		return log_error("tmpcopyup: %s: more than %d directories deep", path, COPYUP_MAX_DEPTH);
	int fd = dup(from);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return log_error("tmpcopyup: %s: %m", path);
	}
	int r = 0;
	for (struct dirent *e; r == 0 && (errno = 0, e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);	/* for messages only */
		r = copy_entry(from, to, e->d_name, sub, depth);
	}
	closedir(d);
	return r;
}

int copy_up(int from, int to, const char *path, bool keep_mode)
{
	struct stat st;
	if (fstat(from, &st) < 0)
		return log_error("tmpcopyup: %s: %m", path);
	if (copy_dir(from, to, path, 0) < 0)
		return -1;
	/* The tmpfs's root takes the directory's owner, and its mode unless
	 * the mount's options gave one. */
	if (fchownat(to, "", st.st_uid, st.st_gid, AT_EMPTY_PATH) < 0 || (!keep_mode && fchmod(to, st.st_mode & 07777) < 0))
		return log_error("tmpcopyup: %s: %m", path);
	return 0;
}
