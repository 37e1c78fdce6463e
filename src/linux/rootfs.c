/* SPDX-License-Identifier: Apache-2.0 */
/* The container's root: made a mount of its own before the mounts go in,
 * switched to with pivot_root(2) (or MS_MOVE + chroot where the host root
 * is an initramfs, which cannot be pivoted), then sealed. A container
 * without a mount namespace of its own gets a chroot into root.path and
 * nothing else: no mount may touch the namespace it shares with the host
 * (spec_validate refuses the fields that would need one). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/util/inroot.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* pivot_root refuses a shared parent mount: the mount holding the root is
 * made private. It is found as crun finds it: from the root's directory
 * upwards, the first on which MS_PRIVATE does not fail with EINVAL (not a
 * mount point) is the one. No read of /proc/self/mountinfo, which grows
 * with every mount on the host (hundreds on a Kubernetes node). The path
 * is resolved first, so that the walk goes up real directories. */
static int make_holding_mount_private(const char *root)
{
	char dir[PATH_MAX];
	if (fd_real_path(root, dir, sizeof(dir)) < 0)
		return log_error("root.path %s: %m", root);
	for (;;) {
		if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) == 0)
			return 0;
		if (errno != EINVAL || !strcmp(dir, "/"))
			return log_error("making the mount holding %s private: %m", root);
		char *slash = strrchr(dir, '/');
		slash[slash == dir] = 0;	/* "/a" goes to "/" */
	}
}

static int open_root(const char *root)
{
	int rootfd = openat(AT_FDCWD, root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error("root.path %s: %m%s", root,
				 errno == ENOTDIR ? " (a directory; an image file is a service's rootfs only)" : "");
	return rootfd;
}

int rootfs_prepare(const struct spec *s, const char *state_dir, int image)
{
	if (!s->ns[NS_MNT].wanted)
		return open_root(s->root_path);
	/* Nothing mounted in here may reach the host, unless asked. */
	unsigned long prop = s->rootfs_propagation ? s->rootfs_propagation : MS_SLAVE | MS_REC;
	if (mount(NULL, "/", NULL, prop | MS_REC, NULL) < 0)
		return log_error("making / %s: %m", prop & MS_SHARED ? "shared" : "slave");
	/* An image or an overlay: mounted now, in this namespace only. */
	char root[PATH_MAX];
	if (image_root_mount(s, state_dir, image, root, sizeof(root)) < 0)
		return -1;
	if (make_holding_mount_private(root) < 0)
		return -1;
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return log_error("root.path %s: bind mount: %m", root);
	return open_root(root);
}

/* From the root's directory (the current one). */
static int chroot_here(const struct spec *s)
{
	if (chroot(".") < 0 || chdir("/") < 0)
		return log_error("chroot %s: %m", s->root_path);
	return 0;
}

/* Initramfs roots: move the new root over / and chroot into it. */
static int move_root(const struct spec *s)
{
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return log_error("root.path %s: moving over /: %m", s->root_path);
	return chroot_here(s);
}

int rootfs_pivot(const struct spec *s, int rootfd, bool no_pivot)
{
	if (fchdir(rootfd) < 0)
		return log_error("root.path %s: %m", s->root_path);
	if (!s->ns[NS_MNT].wanted)
		return chroot_here(s);
	if (no_pivot)
		return move_root(s);
	int oldroot = openat(AT_FDCWD, "/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		return log_error("open /: %m");
	/* pivot_root(".", ".") stacks the old root under the new one; it is
	 * then detached from there, with no directory left behind. */
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		int e = errno;
		close(oldroot);
		/* An initramfs (ramfs or tmpfs as the first root) cannot be
		 * pivoted away from: there alone MS_MOVE + chroot stands in.
		 * Anywhere else EINVAL is a fault (a shared mount left on the
		 * way, say), and a chroot, weaker, is not silently put in
		 * pivot_root's place. */
		struct statfs host;
		if (e == EINVAL && statfs("/", &host) == 0 && (host.f_type == RAMFS_MAGIC || host.f_type == TMPFS_MAGIC)) {
			log_debug("pivot_root: %s; the host root is an initramfs: using MS_MOVE", strerror(e));
			return move_root(s);
		}
		errno = e;
		return log_error("pivot_root %s: %m", s->root_path);
	}
	int r = 0;
	if (fchdir(oldroot) < 0)
		r = log_error("fchdir to the old root: %m");
	else if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		r = log_error("making the old root slave: %m");
	else if (umount2(".", MNT_DETACH) < 0)
		r = log_error("detaching the old root: %m");
	else if (chdir("/") < 0)
		r = log_error("chdir /: %m");
	close(oldroot);
	return r;
}

int rootfs_finish(const struct spec *s)
{
	int root = s->root_readonly ? openat(AT_FDCWD, "/", O_PATH | O_CLOEXEC) : -1;
	unsigned long locked = root >= 0 ? mount_locked_flags(root) : 0;
	if (root >= 0)
		close(root);
	if (s->root_readonly && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked, NULL) < 0)
		return log_error("root.readonly: remounting / read-only: %m");
	if (s->rootfs_propagation && mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
		return log_error("linux.rootfsPropagation: %m");
	return 0;
}
