/* SPDX-License-Identifier: Apache-2.0 */
/* Paths inside a container's root, resolved by file descriptor (see
 * berth/inroot.h). Replaces a string-based "secure join", which stopped
 * checking once a component was missing and raced with renames. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/magic.h>
#include "berth/util/inroot.h"
#include "berth/util/util.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define RESOLVE_NO_XDEV_ 0x01
#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_NO_SYMLINKS_ 0x04
#define RESOLVE_IN_ROOT_ 0x10

struct open_how_ {
	unsigned long long flags, mode, resolve;
};

#define MAX_LINKS 40	/* the kernel's MAXSYMLINKS */
#define MAX_DEPTH 256	/* directories held open at once */

/* Set once openat2 is found missing (ENOSYS, or a seccomp filter that
 * says EPERM): from then on berth walks. */
static bool no_openat2;

/* A library preloaded to follow the files a program makes (fakeroot,
 * pseudo: how Buildroot and Yocto import images as a user) sees the libc
 * calls only, and cannot place what is made under a directory fd that
 * openat2, a raw syscall, gave. The walk, as safe, uses libc's openat. */
static bool walk_only(void)
{
	static int preloaded = -1;
	if (preloaded < 0) {
		const char *p = getenv("LD_PRELOAD");
		preloaded = p && *p;
	}
	return preloaded || no_openat2;
}

static int try_openat2(int rootfd, const char *path, unsigned flags)
{
	struct open_how_ how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT_ | RESOLVE_NO_MAGICLINKS_ | (flags & INROOT_NO_SYMLINKS ? RESOLVE_NO_SYMLINKS_ : 0),
	};
	/* EAGAIN: a rename or mount raced the lookup; the kernel asks us to
	 * try again rather than risk a wrong answer. */
	for (int tries = 0; tries < 16; tries++) {
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			return (int)fd;
	}
	return -1;
}

/* One at a time: a few per service, made once per start. The same
 * directory twice (services sharing a source) is harmless: the first
 * match is the one reported. Inlined: without the supervisor,
 * fences_add is its one caller, and GCC at -Os would not. */
static inline __attribute__((always_inline)) int fence_append(struct fences *f, dev_t dev, ino_t ino)
{
	struct fence *at = realloc(f->at, (f->n + 1) * sizeof(*at));
	if (!at)
		return -1;
	f->at = at;
	f->at[f->n++] = (struct fence){ dev, ino };
	return 0;
}

int fences_add(struct fences *f, const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 || !S_ISDIR(st.st_mode) ? 0 : fence_append(f, st.st_dev, st.st_ino);
}

/* statx(2)'s answer, as far as needed (the kernel's struct statx). */
struct statx_ {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad;
	uint64_t ino, size, blocks, attributes_mask;
	struct { int64_t sec; uint32_t nsec; int32_t pad; } times[4];
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
#define RESOLVE_CACHED_ 0x20
#define STATX_TYPE_INO_ (0x1U | 0x100U)
#define AT_STATX_DONT_SYNC_ 0x4000

int fences_add_cached(struct fences *f, const char *path)
{
	struct open_how_ how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_CACHED_ };
	long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	/* Not in the cache (EAGAIN), or no RESOLVE_CACHED (before 5.12):
	 * left out. */
	if (fd < 0)
		return 0;
	struct statx_ sx;
	long r = syscall(SYS_statx, (int)fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC_, STATX_TYPE_INO_, &sx);
	close((int)fd);
	return r < 0 || !S_ISDIR(sx.mode) ? 0 : fence_append(f, makedev(sx.dev_major, sx.dev_minor), (ino_t)sx.ino);
}

void fences_free(struct fences *f)
{
	free(f->at);
	*f = (struct fences){ 0 };
}

/* The walk: a stack of directory fds from the root down, so that ".."
 * is a pop (never below the floor, whatever is renamed meanwhile). */
struct walk {
	int fd[MAX_DEPTH];
	int depth;	/* fd[0] is the root, not ours */
	int floor;	/* ".." and absolute links stop here: the root, or the fence */
	int links;
	unsigned flags;
	const struct fences *fences;	/* a host's path: the first one met is the floor */
	int crossed;			/* its index, or -1 */
};

static int top(const struct walk *w)
{
	return w->fd[w->depth];
}

static void pop_to(struct walk *w, int depth)
{
	while (w->depth > depth)
		close(w->fd[w->depth--]);
}

/* st: what fd is, to see whether it is a fence. */
static int push(struct walk *w, int fd, const struct stat *st)
{
	if (w->depth + 1 >= MAX_DEPTH) {
		close(fd);
		errno = ENAMETOOLONG;
		return -1;
	}
	w->fd[++w->depth] = fd;
	for (size_t i = 0; w->fences && w->crossed < 0 && i < w->fences->n; i++)
		if (w->fences->at[i].dev == st->st_dev && w->fences->at[i].ino == st->st_ino) {
			w->crossed = (int)i;
			w->floor = w->depth;
		}
	return 0;
}

/* Make the missing component `name` in the current directory: a
 * directory, or (the last one, with INROOT_MKFILE) an empty file. Either
 * exists afterwards, made by us or by someone else (EEXIST). */
static int make_missing(struct walk *w, const char *name, bool last)
{
	if (last && (w->flags & INROOT_MKFILE)) {
		int fd = openat(top(w), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return errno == EEXIST ? 0 : -1;
		close(fd);
		return 0;
	}
	return mkdirat(top(w), name, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* The work list: what is left of the path, with symlink targets put in
 * front of it as they are met. */
struct todo {
	char *buf;
	char *rest;
};

static int todo_prepend(struct todo *t, const char *target)
{
	size_t tlen = strlen(target), rlen = strlen(t->rest);
	char *next = malloc(tlen + 1 + rlen + 1);
	if (!next)
		return -1;
	memcpy(next, target, tlen);
	/* A final link's target stays final: no "/" that would demand a
	 * directory. */
	size_t sep = rlen ? 1 : 0;
	next[tlen] = '/';
	memcpy(next + tlen + sep, t->rest, rlen + 1);
	free(t->buf);
	t->buf = t->rest = next;
	return 0;
}

/* Next component (NUL-terminated in place); *last says whether nothing
 * follows it, not even a "/" (which, as for the kernel, asks for a
 * directory). NULL when none is left. */
static char *todo_next(struct todo *t, bool *last)
{
	while (*t->rest == '/')
		t->rest++;
	if (!*t->rest)
		return NULL;
	char *comp = t->rest;
	size_t n = strcspn(comp, "/");
	t->rest = comp + n;
	*last = !*t->rest;
	if (*t->rest)
		*t->rest++ = 0;
	return comp;
}

/* A symlink met at `fd` (the link itself): its target goes in front of
 * the work list, resolved from the root when absolute, else from the
 * directory that holds the link. */
/* follow() and step() are inlined into the walk's loop, their one
 * caller, which GCC at -Os leaves undone: 184 bytes less (aarch64 tiny). */
static inline __attribute__((always_inline)) int follow(struct walk *w, struct todo *t, int fd)
{
	char target[PATH_MAX];
	if (w->flags & INROOT_NO_SYMLINKS || ++w->links > MAX_LINKS) {
		errno = ELOOP;
		return -1;
	}
	ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = 0;
	if (target[0] == '/')
		pop_to(w, w->floor);
	return todo_prepend(t, target);
}

static inline __attribute__((always_inline)) int step(struct walk *w, struct todo *t, const char *comp, bool last)
{
	if (!strcmp(comp, "."))
		return 0;
	if (!strcmp(comp, "..")) {
		pop_to(w, w->depth > w->floor ? w->depth - 1 : w->floor);
		return 0;
	}
	int fd;
	for (int made = 0;; made++) {
		fd = openat(top(w), comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || !(w->flags & (INROOT_MKDIR | INROOT_MKFILE)) || made == 8)
			break;
		if (make_missing(w, comp, last) < 0)
			return -1;
	}
	if (fd < 0)
		return -1;
	struct stat st;
	struct statfs sf;
	int r = fstatat(fd, "", &st, AT_EMPTY_PATH);
	/* On a host's path, short of a fence: procfs's own links (/proc/self,
	 * a namespace file) are the kernel's to follow, no container's. */
	if (r == 0 && S_ISLNK(st.st_mode) && w->fences && w->crossed < 0 && fstatfs(fd, &sf) == 0 &&
	    sf.f_type == PROC_SUPER_MAGIC) {
		close(fd);
		fd = openat(top(w), comp, O_PATH | O_CLOEXEC);
		r = fd < 0 ? -1 : fstatat(fd, "", &st, AT_EMPTY_PATH);
	}
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		r = follow(w, t, fd);
		close(fd);
		return r;
	}
	if (!last && !S_ISDIR(st.st_mode)) {
		close(fd);
		errno = ENOTDIR;
		return -1;
	}
	return push(w, fd, &st);
}

static int walk_from(struct walk *w, const char *path)
{
	struct todo t = { strdup(path), NULL };
	if (!t.buf)
		return -1;
	t.rest = t.buf;
	int r = 0;
	bool last;
	for (char *comp; r == 0 && (comp = todo_next(&t, &last));)
		r = step(w, &t, comp, last);
	int e = errno;
	free(t.buf);
	if (r < 0) {
		pop_to(w, 0);
		errno = e;
		return -1;
	}
	if (w->depth == 0)
		return openat(w->fd[0], ".", O_PATH | O_CLOEXEC);
	int fd = w->fd[w->depth--];
	pop_to(w, 0);
	return fd;
}

int inroot_open(int rootfd, const char *path, unsigned flags)
{
	if (!*path) {	/* as open(2) says */
		errno = ENOENT;
		return -1;
	}
	if (!(flags & INROOT_WALK) && !walk_only()) {
		int fd = try_openat2(rootfd, path, flags);
		if (fd >= 0)
			return fd;
		if (errno == ENOSYS || errno == EPERM || errno == E2BIG)
			no_openat2 = true;
		else if (errno != ENOENT || !(flags & (INROOT_MKDIR | INROOT_MKFILE)))
			return -1;
		/* Something is missing and must be made: the walk does that,
		 * one held directory at a time. */
	}
	struct walk w = { .fd = { rootfd }, .flags = flags };
	return walk_from(&w, path);
}

int inroot_open_parent(int rootfd, const char *path, unsigned flags, const char **name)
{
	size_t len = strlen(path);
	while (len > 0 && path[len - 1] != '/')
		len--;
	const char *base = path + len;
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || strchr(base, '/')) {
		errno = EINVAL;
		return -1;
	}
	/* "name" alone: its parent is the root itself. */
	char *dir = len ? strndup(path, len) : strdup("/");
	if (!dir)
		return -1;
	int fd = inroot_open(rootfd, dir, flags);
	int e = errno;
	free(dir);
	errno = e;
	*name = base;
	return fd;
}

int host_open_fenced(const char *path, const struct fences *f, int *crossed)
{
	*crossed = -1;
	if (!f || !f->n)
		return openat(AT_FDCWD, path, O_PATH | O_CLOEXEC);
	int root = openat(AT_FDCWD, "/", O_PATH | O_CLOEXEC);
	if (root < 0)
		return -1;
	struct walk w = { .fd = { root }, .fences = f, .crossed = -1 };
	int fd = walk_from(&w, path), e = errno;
	*crossed = w.crossed;
	close(root);
	errno = e;
	return fd;
}

const char *fd_path(int fd, struct fd_path *buf)
{
	snprintf(buf->s, sizeof(buf->s), "/proc/self/fd/%d", fd);
	return buf->s;
}

/* One open and one readlink, where musl's realpath asks about each
 * component in turn (and is 1.3 KB of the static binary). */
int fd_real_path(const char *path, char *out, size_t cap)
{
	int fd = openat(AT_FDCWD, path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct fd_path fp;
	ssize_t n = readlink(fd_path(fd, &fp), out, cap);
	int e = n < 0 ? errno : ENAMETOOLONG;
	close(fd);
	if (n < 0 || (size_t)n >= cap) {
		errno = e;
		return -1;
	}
	out[n] = 0;
	return 0;
}

bool fd_is_fs_root(int fd, long magic)
{
	struct statfs sf;
	struct stat st, up;
	if (fstatfs(fd, &sf) < 0 || (long)sf.f_type != magic || fstatat(fd, "", &st, AT_EMPTY_PATH) < 0)
		return false;
	/* A mount's root sits on another device than its parent directory. */
	int parent = openat(fd, "..", O_PATH | O_CLOEXEC);
	if (parent < 0)
		return false;
	int r = fstatat(parent, "", &up, AT_EMPTY_PATH);
	close(parent);
	return r == 0 && up.st_dev != st.st_dev;
}

/* The procfs root inode (the kernel's PROC_ROOT_INO). */
#define PROC_ROOT_INO_ 1

/* The id of the mount that fd is on, from its fdinfo in the procfs
 * `proc` (3.15+); -1 where the kernel does not say. */
static long mount_id(int proc, int fd)
{
	char path[48];
	snprintf(path, sizeof(path), "self/fdinfo/%d", fd);
	char *text = read_file_at(proc, path, NULL);
	const char *at = text ? str_find(text, "mnt_id:\t") : NULL;	/* the kernel's format */
	long id = at ? (long)str_u64_at(at + 8) : -1;
	free(text);
	return id;
}

int proc_self_open(const char *rel, int flags)
{
	char path[64];
	if ((size_t)snprintf(path, sizeof(path), "self/%s", rel) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int proc = openat(AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (proc < 0)
		return -1;
	struct statfs sf;
	struct stat st;
	struct open_how_ how = {
		.flags = (unsigned)flags | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_NO_XDEV_ | RESOLVE_NO_MAGICLINKS_,
	};
	int fd = -1;
	/* A procfs's root, wherever it is mounted from: a directory of
	 * procfs bound there would have another inode. */
	if (fstatfs(proc, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC || fstat(proc, &st) < 0 || st.st_ino != PROC_ROOT_INO_)
		errno = EXDEV;
	else	/* no EAGAIN: that is for lookups scoped to a root */
		fd = (int)syscall(SYS_openat2, proc, path, &how, sizeof(how));
	/* No openat2 (before 5.6): the path, then whether what it reached
	 * is on the same mount as /proc. */
	if (fd < 0 && (errno == ENOSYS || errno == EPERM || errno == E2BIG) &&
	    (fd = openat(proc, path, flags | O_CLOEXEC | O_NOFOLLOW)) >= 0 && mount_id(proc, fd) != mount_id(proc, proc)) {
		close(fd);
		fd = -1;
		errno = EXDEV;
	}
	int e = errno;
	close(proc);
	errno = e;
	return fd;
}
