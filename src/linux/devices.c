/* SPDX-License-Identifier: Apache-2.0 */
/* /dev inside the container: the default devices every OCI runtime
 * provides, those in linux.devices, and the usual symlinks. In a user
 * namespace mknod is refused, so the host's node is bind-mounted instead. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

static const struct spec_device default_devices[] = {
	{ "/dev/null", 'c', 1, 3, 0666, true, false, false, 0, 0 },
	{ "/dev/zero", 'c', 1, 5, 0666, true, false, false, 0, 0 },
	{ "/dev/full", 'c', 1, 7, 0666, true, false, false, 0, 0 },
	{ "/dev/random", 'c', 1, 8, 0666, true, false, false, 0, 0 },
	{ "/dev/urandom", 'c', 1, 9, 0666, true, false, false, 0, 0 },
	{ "/dev/tty", 'c', 5, 0, 0666, true, false, false, 0, 0 },
};

static const char *const default_links[][2] = {
	{ "/proc/self/fd", "/dev/fd" },
	{ "/proc/self/fd/0", "/dev/stdin" },
	{ "/proc/self/fd/1", "/dev/stdout" },
	{ "/proc/self/fd/2", "/dev/stderr" },
	{ "pts/ptmx", "/dev/ptmx" },
};

/* The node made at parent/name, held without following a link that a
 * racing rootfs may have swapped in; -1 (errno ELOOP) if it is not a node. */
static int open_node(int parent, const char *name)
{
	int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))) {
		close(fd);
		errno = ELOOP;
		return -1;
	}
	return fd;
}

static int bind_host_device(const struct spec_device *d, int parent, const char *name)
{
	int fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0000);
	if (fd < 0)
		return log_error("linux.devices %s: %m", d->path);
	close(fd);
	struct fd_path p;
	int r = 0;
	if ((fd = open_node(parent, name)) < 0 || mount(d->path, fd_path(fd, &p), NULL, MS_BIND, NULL) < 0)
		r = log_error("linux.devices %s: binding the host's node: %m", d->path);
	if (fd >= 0)
		close(fd);
	return r;
}

static int create_device(const struct spec *s, int rootfd, const struct spec_device *d)
{
	const char *name;
	int parent = inroot_open_parent(rootfd, d->path, INROOT_MKDIR, &name);
	if (parent < 0)
		return log_error("linux.devices %s: parent directory: %m", d->path);
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t perm = d->has_mode ? d->mode & 07777 : 0666;
	int r = -1, fd = -1;
	struct fd_path p;
	if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
		log_error("linux.devices %s: replacing: %m", d->path);
	else if (mknodat(parent, name, type | perm, makedev((unsigned)d->major, (unsigned)d->minor)) < 0) {
		if (errno == EPERM && spec_userns(s))
			r = bind_host_device(d, parent, name);
		else
			log_error("linux.devices %s: mknod: %m", d->path);
	} else if ((fd = open_node(parent, name)) < 0 || chmod(fd_path(fd, &p), perm) < 0 ||
		   ((d->has_uid || d->has_gid) &&
		    fchownat(fd, "", d->has_uid ? d->uid : (uid_t)-1, d->has_gid ? d->gid : (gid_t)-1, AT_EMPTY_PATH) < 0))
		log_error("linux.devices %s: setting owner and mode: %m", d->path);
	else
		r = 0;
	if (fd >= 0)
		close(fd);
	close(parent);
	return r;
}

static bool listed(const struct spec *s, const char *path)
{
	for (size_t i = 0; i < s->n_devices; i++)
		if (!strcmp(s->devices[i].path, path))
			return true;
	return false;
}

/* A bind-mounted host /dev already has everything. */
static bool dev_is_bind(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, "/dev") && s->mounts[i].bind)
			return true;
	return false;
}

static int make_link(int rootfd, const char *target, const char *path)
{
	const char *name;
	int parent = inroot_open_parent(rootfd, path, INROOT_MKDIR, &name);
	int r = 0;
	/* /dev/ptmx may be a device node left by the image. */
	if (parent < 0 || (!strcmp(name, "ptmx") && unlinkat(parent, name, 0) < 0 && errno != ENOENT) ||
	    (symlinkat(target, parent, name) < 0 && errno != EEXIST))
		r = log_error("symlink %s: %m", path);
	if (parent >= 0)
		close(parent);
	return r;
}

int devices_setup(const struct spec *s, int rootfd)
{
	bool defaults = !dev_is_bind(s);
	mode_t old = umask(0);
	int r = 0;
	for (size_t i = 0; defaults && r == 0 && i < ARRAY_SIZE(default_devices); i++)
		if (!listed(s, default_devices[i].path))
			r = create_device(s, rootfd, &default_devices[i]);
	for (size_t i = 0; r == 0 && i < s->n_devices; i++)
		r = create_device(s, rootfd, &s->devices[i]);
	umask(old);
	for (size_t i = 0; defaults && r == 0 && i < ARRAY_SIZE(default_links); i++)
		r = make_link(rootfd, default_links[i][0], default_links[i][1]);
	return r;
}

/* The device cgroup must let the container use the nodes it was given,
 * whatever linux.resources.devices says before: append allow rules for
 * the default devices, the pty devices and linux.devices, as runc does. */
void devices_cgroup_rules(struct spec *s)
{
	struct resources *r = &s->resources;
	if (!r->has_devices || r->devices_completed)
		return;	/* a supervised service's spec is used again on restart */
	r->devices_completed = true;
	static const struct res_device_rule pty_rules[] = {
		{ true, 'c', 136, -1, "rwm" },	/* /dev/pts/N */
		{ true, 'c', 5, 2, "rwm" },	/* /dev/ptmx */
		{ true, 'c', 5, 1, "rwm" },	/* /dev/console */
	};
	size_t n = r->n_devices + ARRAY_SIZE(default_devices) + ARRAY_SIZE(pty_rules) + s->n_devices;
	struct res_device_rule *rules = arena_array(&s->arena, n, sizeof(*rules));
	memcpy(rules, r->devices, r->n_devices * sizeof(*rules));
	size_t k = r->n_devices;
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++)
		rules[k++] = (struct res_device_rule){ true, 'c', default_devices[i].major, default_devices[i].minor, "rwm" };
	for (size_t i = 0; i < ARRAY_SIZE(pty_rules); i++)
		rules[k++] = pty_rules[i];
	for (size_t i = 0; i < s->n_devices; i++)
		if (s->devices[i].type != 'p')	/* fifos are not device-controlled */
			rules[k++] = (struct res_device_rule){ true, s->devices[i].type == 'b' ? 'b' : 'c',
							      s->devices[i].major, s->devices[i].minor, "rwm" };
	r->devices = rules;
	r->n_devices = k;
}
