/* SPDX-License-Identifier: Apache-2.0 */
/* A container's root from an image file, and a writable layer over a
 * root, both attached inside the container's own mount namespace so that
 * they go with it: nothing to unmount at stop, nothing a crash can leave
 * mounted.
 *
 * The image (squashfs or erofs, told apart by their magic numbers) is
 * attached to a free loop device, read-only and with autoclear: the
 * device lets go of the file when its last user does, and its last user
 * is the mount, which goes when the namespace does. The runtime makes that
 * mount, detached (fsopen, fsmount): the container's init already sits in
 * its cgroup, whose device rules do not let it open a loop device. init
 * moves it into place. The mount points are directories under the
 * container's state directory (image/lower, image/rw, image/root), empty
 * in every other namespace. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/linux/mountapi.h"
#include "berth/util/log.h"
#include "berth/util/sha256.h"
#include "berth/util/util.h"

/* squashfs: "hsqs" at 0; erofs: 0xE0F5E1E2, little-endian, at 1024. */
static const char *image_type(int fd, const char *path)
{
	unsigned char b[4];
	if (pread(fd, b, 4, 0) == 4 && !memcmp(b, "hsqs", 4))
		return "squashfs";
	if (pread(fd, b, 4, 1024) == 4 && b[0] == 0xe2 && b[1] == 0xe1 && b[2] == 0xf5 && b[3] == 0xe0)
		return "erofs";
	log_error("rootfs %s: neither a squashfs nor an erofs image", path);
	return NULL;
}

/* Kernels before 5.8 have no LOOP_CONFIGURE: the file, then the flags.
 * The device is read-only because the file was opened so. */
static int loop_set_fd(int dev, int img, const char *path)
{
	if (ioctl(dev, LOOP_SET_FD, img) < 0)
		return -1;
	struct loop_info64 info = { .lo_flags = LO_FLAGS_AUTOCLEAR };
	snprintf((char *)info.lo_file_name, sizeof(info.lo_file_name), "%s", path);
	if (ioctl(dev, LOOP_SET_STATUS64, &info) < 0) {
		int e = errno;
		ioctl(dev, LOOP_CLR_FD, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/* Attaches img to a free loop device; returns the device's fd and its
 * name in name, or -1. Another process may take the device between
 * GET_FREE and the attach (EBUSY): then the next one. Direct I/O keeps
 * the file's pages out of the page cache twice, where the file's
 * filesystem allows it (the kernel falls back to buffered otherwise). */
static int loop_attach(int img, const char *path, char *name, size_t cap)
{
	int ctl = openat(AT_FDCWD, "/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return log_error("rootfs %s: /dev/loop-control: %m (a kernel with loop devices: CONFIG_BLK_DEV_LOOP)",
				 path);
	int fd = -1;
	for (int tries = 0; tries < 64; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			log_error("rootfs %s: no free loop device: %m", path);
			break;
		}
		snprintf(name, cap, "/dev/loop%d", n);
		int dev = openat(AT_FDCWD, name, O_RDONLY | O_CLOEXEC);
		if (dev < 0) {
			log_error("rootfs %s: %s: %m", path, name);
			break;
		}
		struct loop_config c = { .fd = (unsigned)img };
		c.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR | LO_FLAGS_DIRECT_IO;
		snprintf((char *)c.info.lo_file_name, sizeof(c.info.lo_file_name), "%s", path);
		int r = ioctl(dev, LOOP_CONFIGURE, &c);
		if (r < 0 && errno == EINVAL) {	/* before 5.8, or no direct I/O here */
			c.info.lo_flags &= ~(unsigned)LO_FLAGS_DIRECT_IO;
			r = ioctl(dev, LOOP_CONFIGURE, &c);
			if (r < 0 && (errno == EINVAL || errno == ENOTTY))
				r = loop_set_fd(dev, img, path);
		}
		if (r == 0) {
			fd = dev;
			break;
		}
		int e = errno;
		close(dev);
		if (e != EBUSY) {
			errno = e;
			log_error("rootfs %s: attaching it to %s: %m", path, name);
			break;
		}
	}
	close(ctl);
	return fd;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return log_error("%s: %m", path);
	return 0;
}

/* The filesystem of dev, made and mounted read-only, attached nowhere. */
static int fs_detached(const char *type, const char *dev, const char *path)
{
	int fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC_);
	if (fs < 0)
		return log_error("rootfs %s: fsopen %s: %m%s", path, type,
				 errno == ENOSYS ? " (Linux 5.2 or later)" : errno == ENODEV ? " (not in this kernel)" : "");
	int m = -1;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING_, "source", dev, 0) < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG_, "ro", NULL, 0) < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE_, NULL, NULL, 0) < 0)
		log_error("rootfs %s: mounting %s (%s): %m", path, dev, type);
	else if ((m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC_, MOUNT_ATTR_RDONLY_)) < 0)
		log_error("rootfs %s: fsmount: %m", path);
	close(fs);
	return m;
}

/* What identifies one version of the file: a write moves its ctime, which
 * no one sets back. */
static void version_of(const struct stat *st, char *out, size_t cap)
{
	snprintf(out, cap, "%llu %llu %lld %lld.%09ld %lld.%09ld\n", (unsigned long long)st->st_dev,
		 (unsigned long long)st->st_ino, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
		 st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* rootfs-digest: the file read through img is the one the service file
 * names. Hashed once per version of the file: the version that matched is
 * kept in digest_dir, named by the digest, so a restart reads a line
 * instead of the image. The loop device reads the same open file. */
static int check_digest(const struct spec *s, int img, const char *digest_dir)
{
	struct stat before, after;
	char was[160], now[160];
	if (fstat(img, &before) < 0)
		return log_error("rootfs %s: %m", s->root_path);
	version_of(&before, was, sizeof(was));
	int dir = openat(AT_FDCWD, digest_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *name = s->root_digest + 7;
	size_t len = 0;
	char *known = dir >= 0 ? read_file_at(dir, name, &len) : NULL;
	bool same = known && !strcmp(known, was);
	free(known);
	if (same) {
		close(dir);
		log_debug("rootfs %s: %s, known for this version of the file", s->root_path, s->root_digest);
		return 0;
	}
	unsigned char d[32];
	char got[72];
	int64_t t0 = now_ms();
	if (sha256_fd(img, d) < 0) {
		if (dir >= 0)
			close(dir);
		return log_error("rootfs %s: reading it: %m", s->root_path);
	}
	sha256_name(d, got);
	int r = 0;
	if (strcmp(got, s->root_digest))
		r = log_error("rootfs %s: its digest is %s, not the %s of rootfs-digest", s->root_path, got,
			      s->root_digest);
	else if (fstat(img, &after) < 0 || (version_of(&after, now, sizeof(now)), strcmp(was, now)))
		r = log_error("rootfs %s: changed while its digest was taken", s->root_path);
	else {
		log_debug("rootfs %s: %s checked in %lld ms", s->root_path, got, (long long)(now_ms() - t0));
		if (dir < 0 && mkdir_p(digest_dir, 0700) == 0)
			dir = openat(AT_FDCWD, digest_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0 || write_file_atomic(dir, name, was, strlen(was)) < 0)
			log_warn("rootfs %s: cannot keep its digest in %s: %m (it will be taken again)", s->root_path,
				 digest_dir);
	}
	if (dir >= 0)
		close(dir);
	return r;
}

int image_root_detached(const struct spec *s, const char *digest_dir)
{
	int img = openat(AT_FDCWD, s->root_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (img < 0)
		return log_error("rootfs %s: %m", s->root_path);
	if (s->root_digest && check_digest(s, img, digest_dir) < 0) {
		close(img);
		return -1;
	}
	char dev[32];
	const char *type = image_type(img, s->root_path);
	int loop = type ? loop_attach(img, s->root_path, dev, sizeof(dev)) : -1;
	close(img);
	if (loop < 0)
		return -1;
	int m = fs_detached(type, dev, s->root_path);
	close(loop);	/* the mount holds the device now; autoclear does the rest */
	return m;
}

/* The runtime's detached mount of the image, moved onto lower. */
static int attach_image(const struct spec *s, int image, const char *lower)
{
	int to = openat(AT_FDCWD, lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (to < 0)
		return log_error("%s: %m", lower);
	int r = (int)syscall(SYS_move_mount, image, "", to, "", MOVE_MOUNT_F_EMPTY_PATH_ | MOVE_MOUNT_T_EMPTY_PATH_);
	if (r < 0)
		log_error("rootfs %s: attaching its mount: %m", s->root_path);
	close(to);
	return r;
}

/* The writable layer: upper/ and work/ in a tmpfs of the namespace's own,
 * or in the service's directory. */
static int overlay_dirs(const struct spec *s, const char *rw, char *upper, char *work)
{
	const char *dir = rw;
	if (s->overlay == OVERLAY_TMPFS) {
		char opts[64] = "mode=0755";
		if (s->overlay_size)
			snprintf(opts, sizeof(opts), "mode=0755,size=%lld", (long long)s->overlay_size);
		if (mount("tmpfs", rw, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
			return log_error("overlay = tmpfs: %m");
	} else {
		dir = s->overlay_dir;
		if (mkdir_p(dir, 0755) < 0)
			return log_error("overlay = %s: %m", dir);
	}
	snprintf(upper, PATH_MAX, "%s/upper", dir);
	snprintf(work, PATH_MAX, "%s/work", dir);
	return make_dir(upper) < 0 || make_dir(work) < 0 ? -1 : 0;
}

int image_root_mount(const struct spec *s, const char *state_dir, int image, char *root, size_t cap)
{
	if (!s->root_image && s->overlay == OVERLAY_NONE) {
		snprintf(root, cap, "%s", s->root_path);
		return 0;
	}
	char base[PATH_MAX], lower[PATH_MAX], rw[PATH_MAX], merged[PATH_MAX];
	snprintf(base, sizeof(base), "%s/image", state_dir);
	snprintf(lower, sizeof(lower), "%s/lower", base);
	snprintf(rw, sizeof(rw), "%s/rw", base);
	snprintf(merged, sizeof(merged), "%s/root", base);
	if (make_dir(base) < 0 || make_dir(lower) < 0 || make_dir(rw) < 0 || make_dir(merged) < 0)
		return -1;
	const char *low = s->root_path;
	if (s->root_image) {
		if (attach_image(s, image, lower) < 0)
			return -1;
		low = lower;
	}
	if (s->overlay == OVERLAY_NONE) {
		snprintf(root, cap, "%s", low);
		return 0;
	}
	char upper[PATH_MAX], work[PATH_MAX], opts[3 * PATH_MAX + 40];
	if (overlay_dirs(s, rw, upper, work) < 0)
		return -1;
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", low, upper, work);
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		return log_error("overlay over %s: %m%s", s->root_path,
				 errno == ENODEV ? " (no overlayfs in this kernel)" : "");
	snprintf(root, cap, "%s", merged);
	return 0;
}
