/* SPDX-License-Identifier: Apache-2.0 */
/* Paths inside a container's root, resolved by file descriptor.
 *
 * Every path berth opens, creates or mounts inside a root it does not
 * trust goes through here: it is walked from an fd of that root as if the
 * root were "/" (symlinks are resolved inside it, ".." never climbs above
 * it, magic links of procfs are not followed), missing components are
 * made relative to the directory fd already held, and the caller gets an
 * fd, not a string, so that nothing can be swapped between the check and
 * the use (CVE-2021-30465). openat2(RESOLVE_IN_ROOT) does the walk where
 * the kernel has it (5.6+); elsewhere berth walks component by component
 * with O_PATH | O_NOFOLLOW. */
#ifndef BERTH_INROOT_H
#define BERTH_INROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum inroot_flags {
	INROOT_MKDIR = 1,	/* make missing directories, the last one too (0755) */
	INROOT_MKFILE = 2,	/* make missing parents, the last component an empty file */
	INROOT_NO_SYMLINKS = 4,	/* refuse any symlink on the way (ELOOP) */
	INROOT_WALK = 8,	/* never use openat2 (tests compare the two) */
};

/* An O_PATH | O_CLOEXEC fd of `path` inside the directory rootfd, or -1
 * with errno set. A final symlink is followed (inside the root). */
int inroot_open(int rootfd, const char *path, unsigned flags);

/* The parent of `path`, opened as inroot_open does with flags, and the
 * last component's name, for mknodat/symlinkat/unlinkat. The name
 * points into path; a path ending in "/", "." or ".." has no last
 * component and is refused with EINVAL. */
int inroot_open_parent(int rootfd, const char *path, unsigned flags, const char **name);

/* Directories of the host that a container can write (a writable bind
 * mount's source, a writable root), known by device and inode. */
struct fence {
	dev_t dev;
	ino_t ino;
};
struct fences {
	struct fence *at;
	size_t n;
};
/* Adds what `path` opens to, if it is a directory (nothing otherwise,
 * nor when it cannot be opened: its own mount will say why); -1 out of
 * memory. */
int fences_add(struct fences *f, const char *path);
/* The same without ever waiting on the filesystem (another service's
 * directory may be on a mount that hangs): the path as the kernel's
 * cache has it (openat2's RESOLVE_CACHED) and attributes as cached
 * (AT_STATX_DONT_SYNC). A path not in the cache, or a kernel without
 * RESOLVE_CACHED (before 5.12), leaves it out. */
int fences_add_cached(struct fences *f, const char *path);
void fences_free(struct fences *f);

/* An O_PATH | O_CLOEXEC fd of the host's absolute `path`, followed as
 * open(2) follows it until it reaches one of the fences (f NULL or
 * empty: open(2) itself). From there on that directory is the root, as
 * for inroot_open: a link a container planted below it resolves inside
 * it, which the container could reach anyway, never out to the host.
 * Links of procfs (/proc/self, namespace files) are the kernel's and
 * are followed by the kernel. *crossed: the fence's index, or -1 when
 * the path met none. */
int host_open_fenced(const char *path, const struct fences *f, int *crossed);

/* "/proc/self/fd/N": a path naming exactly what an fd holds, for mount(2)
 * and for reopening an O_PATH fd. */
struct fd_path {
	char s[32];
};
const char *fd_path(int fd, struct fd_path *buf);
/* realpath(3) by the kernel: the path of what `path` opens to, from an
 * O_PATH fd's /proc/self/fd link; -1 with errno (ENAMETOOLONG past cap). */
int fd_real_path(const char *path, char *out, size_t cap);

/* true when what fd holds is the root of a filesystem whose statfs magic
 * is `magic` (a fresh procfs or sysfs, not a directory of the image). */
bool fd_is_fs_root(int fd, long magic);

/* /proc/self/REL (a file of this process's own: "attr/exec",
 * "oom_score_adj"), opened with flags so that nothing mounted over it is
 * taken for it: /proc must be a procfs's root, and the path below it
 * must not cross a mount (openat2's RESOLVE_NO_XDEV; on kernels without
 * openat2, the path in that procfs). A process of a container with
 * CAP_SYS_ADMIN in its user namespace can bind a file of its own over
 * /proc/PID/attr/exec as `berth exec` makes PID, which would then write
 * the LSM label there and run unconfined (runc's CVE-2025-52881). -1
 * with errno: EXDEV for such a mount. */
int proc_self_open(const char *rel, int flags);

#endif
