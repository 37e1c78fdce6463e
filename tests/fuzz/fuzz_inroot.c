/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the in-root path resolver (src/util/inroot.c).
 *
 * The input builds a small random tree of directories, files and symlinks
 * (targets with "..", absolute paths, missing components, links to the
 * sibling "outside" directory) under a fresh root, then resolves a random
 * path in it, with random flags. Whatever happens:
 * - an fd returned names something inside the root;
 * - nothing appears outside the root;
 * - without creation flags, berth's own walk and openat2(RESOLVE_IN_ROOT)
 *   agree on what the path names (or both fail);
 * - the same path from the host's "/", with the root as a fence (a
 *   directory a container can write; host_open_fenced), reached as it is
 *   or through a host link to it, names what inroot_open names: the
 *   fence is crossed, and nothing outside it is reached; the fence known
 *   by a lookup or from the kernel's cache (fences_add_cached). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/util/util.h"

static char base[4096], root[4200], outside[4200], hop[4200];

static const char *const words[] = { "a", "b", "..", ".", "missing", "outside", "/", "c", "a/b", "x" };

/* A path from input bytes: up to 6 components from `words`. */
static size_t take_path(const uint8_t **d, size_t *n, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = 0;
	if (!*n)
		return 0;
	unsigned k = **d % 7;
	(*d)++, (*n)--;
	for (unsigned i = 0; i < k && *n; i++, (*d)++, (*n)--) {
		const char *w = words[**d % (sizeof(words) / sizeof(words[0]))];
		bool abs_start = i == 0 && (**d & 0x80);
		len += (size_t)snprintf(out + len, cap - len, "%s%s", abs_start ? "/" : i ? "/" : "", w);
		if (len >= cap)
			return cap - 1;
	}
	return len;
}

/* The tree is made through the kernel's own in-root lookup of each
 * parent, so that making it never follows a link out of the root. */
static int kernel_parent(int rootfd, char *rel, const char **name)
{
	struct { unsigned long long flags, mode, resolve; } how = { O_PATH | O_CLOEXEC, 0, 0x10 /* IN_ROOT */ };
	char *slash = strrchr(rel, '/');
	*name = slash ? slash + 1 : rel;
	if (slash)
		*slash = 0;
	if (!**name || !strcmp(*name, ".") || !strcmp(*name, ".."))
		return -1;
	return (int)syscall(SYS_openat2, rootfd, slash ? (*rel ? rel : "/") : ".", &how, sizeof(how));
}

static void build_tree(int rootfd, const uint8_t **d, size_t *n)
{
	char target[512], rel[256];
	for (int ops = 0; ops < 12 && *n >= 2; ops++) {
		uint8_t op = **d;
		(*d)++, (*n)--;
		take_path(d, n, rel, sizeof(rel));
		take_path(d, n, target, sizeof(target));
		if (op & 0x40)	/* a link straight at the host's side */
			snprintf(target, sizeof(target), "%s", outside);
		const char *name;
		int dir = kernel_parent(rootfd, rel, &name);
		if (dir < 0)
			continue;
		switch (op % 4) {
		case 0:
			mkdirat(dir, name, 0755);
			break;
		case 1:
			close(openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
			break;
		default:
			symlinkat(target, dir, name);
		}
		close(dir);
	}
}

/* Is what fd names inside root? /proc tells the kernel's own view. */
static int inside(int fd)
{
	char link[64], where[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t len = readlink(link, where, sizeof(where) - 1);
	if (len < 0)
		return 0;
	where[len] = 0;
	size_t rl = strlen(root);
	return !strncmp(where, root, rl) && (where[rl] == 0 || where[rl] == '/');
}

static bool same_file(int a, int b)
{
	struct stat x, y;
	return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Two resolutions of one path: they may count a loop differently
 * (ELOOP); otherwise they name the same thing, or both fail. */
static void agree(const char *path, const char *an, int a, int a_errno, const char *bn, int b, int b_errno)
{
	if (a_errno != ELOOP && b_errno != ELOOP && (a >= 0) != (b >= 0)) {
		fprintf(stderr, "%s: %s %s, %s %s\n", path, an, a >= 0 ? "ok" : strerror(a_errno), bn,
			b >= 0 ? "ok" : strerror(b_errno));
		abort();
	}
	if (a >= 0 && b >= 0 && !same_file(a, b)) {
		fprintf(stderr, "%s: %s and %s differ\n", path, an, bn);
		abort();
	}
}

static bool outside_is_empty(void)
{
	DIR *dir = opendir(outside);
	if (!dir)
		return false;
	struct dirent *e;
	int n = 0;
	while ((e = readdir(dir)))
		n++;
	closedir(dir);
	return n == 2;
}

static void remove_base(void)
{
	remove_tree(base);
}

/* The host's path of `path` below `top` (the root, or a host link to
 * it), resolved with the root as a fence: as inroot_open, never out. */
static void check_fenced(int rootfd, const char *path, const char *top, bool cached)
{
	struct fences f = { 0 };
	char host[5000];
	if (!*path)
		return;
	/* Either way the root is known: it was just made, so it is cached. */
	if ((cached ? fences_add_cached : fences_add)(&f, root) < 0 || f.n != 1)
		abort();
	int walked = inroot_open(rootfd, path, INROOT_WALK);
	int walk_errno = errno;
	snprintf(host, sizeof(host), "%s/%s", top, path);
	int crossed;
	int fd = host_open_fenced(host, &f, &crossed);
	int e = errno;
	if (crossed != 0) {
		fprintf(stderr, "%s: the fence was not seen\n", host);
		abort();
	}
	if (fd >= 0 && !inside(fd)) {
		fprintf(stderr, "%s: left the fence\n", host);
		abort();
	}
	agree(host, "fenced", fd, e, "in-root", walked, walk_errno);
	if (fd >= 0)
		close(fd);
	if (walked >= 0)
		close(walked);
	fences_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!base[0]) {
		/* Under the suite's test root when there is one; gone at exit. */
		const char *tmp = getenv("TESTROOT");
		snprintf(base, sizeof(base), "%s/berth-fuzz-inroot-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
		snprintf(root, sizeof(root), "%s/root", base);
		snprintf(outside, sizeof(outside), "%s/outside", base);
		snprintf(hop, sizeof(hop), "%s/hop", base);
		atexit(remove_base);
	}
	remove_tree(base);
	if (mkdir(base, 0755) < 0 || mkdir(root, 0755) < 0 || mkdir(outside, 0755) < 0 || symlink("root", hop) < 0)
		abort();
	if (size < 1)
		return 0;
	unsigned flags = data[0] & (INROOT_MKDIR | INROOT_MKFILE | INROOT_NO_SYMLINKS);
	bool via_hop = data[0] & 0x80, cached = data[0] & 0x40;
	data++, size--;
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		abort();
	build_tree(rootfd, &data, &size);
	char path[512];
	take_path(&data, &size, path, sizeof(path));
	int walked = inroot_open(rootfd, path, flags | INROOT_WALK);
	int walk_errno = errno;
	if (walked >= 0 && !inside(walked)) {
		fprintf(stderr, "walk: %s left the root\n", path);
		abort();
	}
	if (!(flags & (INROOT_MKDIR | INROOT_MKFILE))) {
		int kernel = inroot_open(rootfd, path, flags);
		int kernel_errno = errno;
		if (kernel >= 0 && !inside(kernel))
			abort();
		agree(path, "walk", walked, walk_errno, "openat2", kernel, kernel_errno);
		if (kernel >= 0)
			close(kernel);
	}
	if (!(flags & (INROOT_MKDIR | INROOT_MKFILE)))
		check_fenced(rootfd, path, via_hop ? hop : root, cached);
	if (walked >= 0)
		close(walked);
	close(rootfd);
	if (!outside_is_empty()) {
		fprintf(stderr, "%s: something was made outside the root\n", path);
		abort();
	}
	return 0;
}
