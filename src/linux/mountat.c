/* SPDX-License-Identifier: Apache-2.0 */
/* mount(2) onto a path inside the container's root, resolved by file
 * descriptor (berth/inroot.h): the destination is walked from the root's
 * fd, made if missing, and the mount targets that very fd through
 * /proc/self/fd/N, so a rootfs changed meanwhile cannot redirect it. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/linux/mountapi.h"

unsigned long mount_locked_flags(int fd)
{
	/* statfs's f_flags are the mount's (2.6.36+), as statvfs gives
	 * them; musl's fstatvfs is that call and a copy of every field. */
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return 0;
	static const struct { unsigned long st, ms; } map[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	unsigned long f = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sf.f_flags & map[i].st)
			f |= map[i].ms;
	return f;
}

/* mount(2) onto what fd holds, then close it; errno is mount's. */
static int mount_on(int fd, const char *src, const char *type, unsigned long flags, const char *data)
{
	if (fd < 0)
		return -1;
	struct fd_path p;
	int r = mount(src, fd_path(fd, &p), type, flags, data);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

int mount_at(int rootfd, const char *dest, unsigned how, const char *src, const char *type, unsigned long flags,
	     const char *data)
{
	return mount_on(inroot_open(rootfd, dest, how), src, type, flags, data);
}

/* A path through the fd of the mount point names the directory under the
 * new mount; what is mounted there now is found by resolving again. */
int mounted_at(int rootfd, const char *dest, unsigned how)
{
	return inroot_open(rootfd, dest, how & INROOT_NO_SYMLINKS);
}

int remount_at(int rootfd, const char *dest, unsigned how, unsigned long flags, const char *data)
{
	int fd = mounted_at(rootfd, dest, how);
	unsigned long keep = fd >= 0 && (flags & MS_BIND) ? mount_locked_flags(fd) : 0;
	return mount_on(fd, NULL, NULL, MS_REMOUNT | flags | keep, data);
}

int propagate_at(int rootfd, const char *dest, unsigned how, unsigned long propagation)
{
	return mount_on(mounted_at(rootfd, dest, how), NULL, NULL, propagation, NULL);
}

int move_mount_at(int rootfd, const char *dest, unsigned how, int detached)
{
	int fd = inroot_open(rootfd, dest, how);
	if (fd < 0)
		return -1;
	int r = (int)syscall(SYS_move_mount, detached, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH_ | MOVE_MOUNT_T_EMPTY_PATH_);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}
