/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/util/util.h"

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* One read(), EINTR retried: what it got (0 at end of file), or -1. */
static ssize_t read_some(int fd, char *to, size_t room)
{
	ssize_t r;
	while ((r = read(fd, to, room)) < 0 && errno == EINTR)
		;
	return r;
}

char *read_fd(int fd, size_t *len)
{
	/* Most files read here are small (a cgroup file, state.json,
	 * config.json, a line of /proc). They are read into the stack and
	 * then copied into a block of their size, so that malloc is asked
	 * for that block once: for a 4 KiB buffer that is shrunk later,
	 * musl's allocator maps a fresh one and unmaps it again, two mmaps
	 * and a munmap per file. Only a file that fills the stack buffer
	 * grows on the heap. */
	char first[4096];
	size_t n = 0;
	ssize_t r = 1;
	while (n < sizeof(first) && (r = read_some(fd, first + n, sizeof(first) - n)) > 0)
		n += (size_t)r;
	if (r < 0)
		return NULL;
	/* r == 0: all of it is in first; else first is full, and more may come. */
	size_t cap = r == 0 ? n + 1 : 2 * sizeof(first);
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	memcpy(buf, first, n);
	while (r != 0) {
		if (n == cap - 1) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = bigger;
			cap *= 2;
		}
		if ((r = read_some(fd, buf + n, cap - n - 1)) < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return NULL;
		}
		n += (size_t)r;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	/* What is kept (a service file, for the life of the supervisor) is
	 * kept at its size, not the buffer's. */
	if (cap - n > 256) {
		char *fit = realloc(buf, n + 1);
		if (fit)
			buf = fit;
	}
	return buf;
}

char *read_file_at(int dirfd, const char *path, size_t *len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = read_fd(fd, len);
	int e = errno;
	close(fd);
	errno = e;
	return buf;
}

char *read_file(const char *path, size_t *len)
{
	return read_file_at(AT_FDCWD, path, len);
}

/* data written to fd (an open's result), which is then closed. */
static int write_and_close(int fd, const char *data, size_t len)
{
	if (fd < 0)
		return -1;
	int r = write_all(fd, data, len);
	int e = errno;
	if (close(fd) < 0 && r == 0)
		return -1;
	errno = e;
	return r;
}

int write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	return write_and_close(openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode), data, len);
}

int chmod_at(int dirfd, const char *name, mode_t mode)
{
	return (int)syscall(SYS_fchmodat, dirfd, name, mode);
}

int write_kernel_file(const char *path, const char *data, size_t len)
{
	return write_and_close(openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC), data, len);
}

int proc_self_write(const char *rel, const char *data, size_t len)
{
	return write_and_close(proc_self_open(rel, O_WRONLY), data, len);
}

static int replace_file(int dirfd, const char *name, const char *data, size_t len, mode_t mode, bool durable)
{
	char tmp[256];
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0) || close(fd) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	/* The rename itself reaches the disk with the directory. */
	return durable ? fsync(dirfd) : 0;
}

int write_file_atomic(int dirfd, const char *name, const char *data, size_t len)
{
	return replace_file(dirfd, name, data, len, 0600, false);
}

int write_file_durable(int dirfd, const char *name, const char *data, size_t len, mode_t mode)
{
	return replace_file(dirfd, name, data, len, mode, true);
}

/* 0 if path is a directory; -1 (ENOTDIR if it is something else). */
static int existing_dir(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* mkdir_p's slow way: the missing parents, from the deepest one that
 * exists down, in a copy of path (heap, not a PATH_MAX buffer on the
 * stack of everything that makes a directory, the supervisor's too). */
static int mkdir_parents(const char *path, mode_t mode)
{
	char *buf = strdup(path);
	if (!buf)
		return -1;
	size_t n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = 0;
	int r = -1;
	bool made;
	for (;;) {
		if ((made = mkdir(buf, mode) == 0) || errno == EEXIST)
			break;
		char *slash = strrchr(buf, '/');
		if (errno != ENOENT || !slash || slash == buf)
			goto out;
		*slash = 0;
	}
	for (size_t len = strlen(buf); len < n; len = strlen(buf)) {
		buf[len] = '/';
		if (!(made = mkdir(buf, mode) == 0) && errno != EEXIST)
			goto out;
	}
	r = made ? 0 : existing_dir(buf);
out:;
	int e = errno;
	free(buf);
	errno = e;
	return r;
}

/* The common case first: the parent exists, and the path costs one
 * mkdir, not one per component from / (a container's cgroup in nine
 * hierarchies and its state directory made 40 failed mkdirs, each a full
 * path walk). On ENOENT it walks back to the deepest ancestor that
 * exists, then forward, making each level. */
int mkdir_p(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0)
		return 0;
	if (errno == ENOENT)
		return mkdir_parents(path, mode);
	return errno == EEXIST ? existing_dir(path) : -1;
}

int remove_tree_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP ? unlinkat(dirfd, name, 0) : -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	struct dirent *e;
	int r = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/* d_type may be DT_UNKNOWN: unlinkat then says EISDIR. */
		if (e->d_type != DT_DIR && unlinkat(fd, e->d_name, 0) == 0)
			continue;
		if (e->d_type == DT_DIR || errno == EISDIR) {
			if (remove_tree_at(fd, e->d_name) < 0)
				r = -1;
		} else if (errno != ENOENT) {
			r = -1;
		}
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -1;
	return r;
}

int remove_tree(const char *path)
{
	return remove_tree_at(AT_FDCWD, path);
}
