/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "mounts", mounted under the new root before pivot_root.
 * Destinations are resolved by fd inside the root (mountat.c): a rootfs
 * whose /proc is a symlink to the host's /etc cannot make berth mount
 * over the host's files, now or by swapping links while it works. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include "berth/linux/cgroup.h"
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

int bind_source_open(const char *src, const struct fences *f, const char *what)
{
	int crossed;
	int fd = host_open_fenced(src, f, &crossed);
	if (fd < 0)
		log_error("%s: source %s: %m%s", what, src, crossed < 0 ? "" :
			  " (a link below a directory a container can write is followed only inside it)");
	return fd;
}

/* A bind mount's source is the host's (the config's author names it):
 * held by fd, so that what was checked is what gets mounted. An
 * idmapped one comes made (`made`, a detached mount) and is attached. */
static int mount_bind(int rootfd, const struct spec_mount *m, int made, const struct fences *f, const char *what)
{
	const char *src = m->source;
	if (!src)
		return log_error("%s: a bind mount needs a source", what);
	int srcfd = made >= 0 ? made : bind_source_open(src, f, what);
	struct stat st;
	struct fd_path p;
	int r = -1;
	unsigned how = 0;
	if (srcfd < 0)
		;	/* said */
	else if (fstat(srcfd, &st) < 0)
		log_error("%s: source %s: %m", what, src);
	else if ((how = S_ISDIR(st.st_mode) ? INROOT_MKDIR : INROOT_MKFILE), made >= 0
		 ? move_mount_at(rootfd, m->destination, how, made) < 0
		 : mount_at(rootfd, m->destination, how, fd_path(srcfd, &p), NULL,
			    MS_BIND | (m->recursive_bind ? MS_REC : 0), NULL) < 0)
		log_error("%s: %s %s: %m", what, made >= 0 ? "attaching the idmapped mount of" : "bind mounting", src);
	else if ((m->flags & ~(unsigned long)MS_REMOUNT) &&
		 remount_at(rootfd, m->destination, how, MS_BIND | (m->flags & ~(unsigned long)MS_REMOUNT), NULL) < 0)
		log_error("%s: remounting with its options: %m", what);
	else
		r = 0;
	if (srcfd >= 0 && srcfd != made)
		close(srcfd);
	return r;
}

/* devpts's gid=5 (tty) means nothing in a user namespace that does not
 * map group 5, and the kernel says EINVAL: mount it without, as crun. */
static const char *without_gid(const char *data, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = 0;
	for (const char *p = data; p && *p;) {
		size_t len = strcspn(p, ",");
		if (strncmp(p, "gid=", 4))
			n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%.*s", n ? "," : "", (int)len, p);
		p += len + (p[len] == ',');
	}
	return n < cap ? buf : data;
}

/* procfs and sysfs go on a real directory, never through a symlink of
 * the image (CVE-2019-19921): what the container sees as /proc must be
 * the fresh procfs, or masking /proc/... would protect nothing. */
static bool kernel_fs(const char *type)
{
	return !strcmp(type, "proc") || !strcmp(type, "sysfs");
}

static int check_kernel_fs(int rootfd, const struct spec_mount *m, const char *what)
{
	long magic = !strcmp(m->type, "proc") ? PROC_SUPER_MAGIC : SYSFS_MAGIC;
	int fd = mounted_at(rootfd, m->destination, INROOT_NO_SYMLINKS);
	bool fresh = fd >= 0 && fd_is_fs_root(fd, magic);
	if (fd >= 0)
		close(fd);
	return fresh ? 0 : log_error("%s: after mounting %s there, %s is not its root", what, m->type, m->destination);
}

static int mount_fs(const struct spec *s, int rootfd, const struct spec_mount *m, const char *what)
{
	unsigned how = INROOT_MKDIR | (kernel_fs(m->type) ? INROOT_NO_SYMLINKS : 0);
	const char *src = m->source ? m->source : m->type;
	unsigned long flags = m->flags & ~(unsigned long)MS_REMOUNT;
	/* linux.mountLabel labels the filesystems the container gets fresh. */
	char labelled[1024];
	const char *data = !strcmp(m->type, "tmpfs") || !strcmp(m->type, "devpts") || !strcmp(m->type, "mqueue")
		? lsm_mount_data(s, m->data, labelled, sizeof(labelled)) : m->data;
	/* tmpcopyup: hold what will be covered, to copy it in afterwards. */
	int covered = -1;
	if (m->copy_up) {
		int at = inroot_open(rootfd, m->destination, 0);
		covered = at >= 0 ? openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		if (at >= 0)
			close(at);
		if (covered < 0 && errno != ENOENT)
			return log_error("%s: tmpcopyup: %s: %m", what, m->destination);
	}
	int r = mount_at(rootfd, m->destination, how, src, m->type, flags, data);
	char nogid[1024];
	if (r < 0 && errno == EINVAL && !strcmp(m->type, "devpts") && spec_userns(s) && data && str_find(data, "gid="))
		r = mount_at(rootfd, m->destination, how, src, m->type, flags, without_gid(data, nogid, sizeof(nogid)));
	if (r < 0 && errno == ELOOP && kernel_fs(m->type))
		return log_error("%s: the rootfs has a symlink on the way to %s; %s is mounted only on a real directory",
				 what, m->destination, m->type);
	/* sysfs needs a network namespace of our own; without one,
	 * as runc does, show the host's sysfs read-only instead. */
	if (r < 0 && errno == EPERM && !strcmp(m->type, "sysfs")) {
		if (mount_at(rootfd, m->destination, how, "/sys", NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    remount_at(rootfd, m->destination, how, MS_BIND | MS_RDONLY, NULL) < 0)
			return log_error("%s: binding the host's /sys read-only: %m", what);
		return 0;
	}
	if (r < 0) {
		if (covered >= 0)
			close(covered);
		return log_error("%s: mounting %s (%s%s): %m", what, m->type, m->data ? "options " : "no options",
				 m->data ? m->data : "");
	}
	if (covered >= 0) {
		int fresh = mounted_at(rootfd, m->destination, 0);
		int top = fresh >= 0 ? openat(fresh, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		r = top >= 0 ? copy_up(covered, top, m->destination, data && str_find(data, "mode="))
			     : log_error("%s: tmpcopyup: the new tmpfs: %m", what);
		close(covered);
		if (fresh >= 0)
			close(fresh);
		if (top >= 0)
			close(top);
		if (r < 0)
			return -1;
	}
	return kernel_fs(m->type) ? check_kernel_fs(rootfd, m, what) : 0;
}

static int mount_one(const struct spec *s, int rootfd, size_t i, const char *cgroup_path, int made,
		     const struct fences *f)
{
	const struct spec_mount *m = &s->mounts[i];
	char what[600];
	snprintf(what, sizeof(what), "mounts[%zu] (%s)", i, m->destination);
	int r;
	if (m->bind)
		r = mount_bind(rootfd, m, made, f, what);
	else if (!m->type)
		r = log_error("%s: type: required unless options hold \"bind\" or \"rbind\"", what);
	else if (!strcmp(m->type, "cgroup"))
		r = cgroup_mount(rootfd, m->destination, cgroup_path, m->flags, s->ns[NS_CGROUP].wanted);
	else
		r = mount_fs(s, rootfd, m, what);
	if (r == 0 && m->propagation && propagate_at(rootfd, m->destination, 0, m->propagation) < 0)
		r = log_error("%s: setting propagation: %m", what);
	return r;
}

int mounts_setup(const struct spec *s, int rootfd, const char *cgroup_path, const int *made, const struct fences *f)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (mount_one(s, rootfd, i, cgroup_path, made ? made[i] : -1, f) < 0)
			return -1;
	return 0;
}
