/* config.json "mounts", mounted under the new root before pivot_root.
 * Destinations are resolved with secure_join: a rootfs whose /proc is a
 * symlink to /etc cannot make berth mount over the host's files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/cgroup.h"
#include "berth/linux.h"
#include "berth/log.h"
#include "berth/util.h"

/* A directory, or an empty file for a bind mount of a file. */
static int make_mountpoint(const char *dest, bool dir)
{
	char parent[4096];
	snprintf(parent, sizeof(parent), "%s", dest);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		if (mkdir_p(parent, 0755) < 0)
			return -1;
	}
	if (dir)
		return mkdir_p(dest, 0755);
	int fd = open(dest, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return errno == EISDIR ? 0 : -1;
	close(fd);
	return 0;
}

static int remount_bind(const struct spec_mount *m, const char *dest, const char *what)
{
	unsigned long want = m->flags & ~(unsigned long)MS_REMOUNT;
	if (!want)
		return 0;
	if (mount(NULL, dest, NULL, MS_REMOUNT | MS_BIND | want | mount_locked_flags(dest), NULL) < 0)
		return log_error("%s: remounting with its options: %m", what);
	return 0;
}

static int mount_bind(const struct spec *s, const struct spec_mount *m, const char *dest, const char *what)
{
	if (!m->source)
		return log_error("%s: a bind mount needs a source", what);
	char *src = m->source[0] == '/' ? strdup(m->source) : NULL;
	if (!src && asprintf(&src, "%s/%s", s->bundle, m->source) < 0)
		return log_error("out of memory");
	struct stat st;
	int r = -1;
	if (stat(src, &st) < 0)
		log_error("%s: source %s: %m", what, src);
	else if (make_mountpoint(dest, S_ISDIR(st.st_mode)) < 0)
		log_error("%s: creating mount point %s: %m", what, dest);
	else if (mount(src, dest, NULL, MS_BIND | (m->recursive_bind ? MS_REC : 0), NULL) < 0)
		log_error("%s: bind mounting %s: %m", what, src);
	else
		r = remount_bind(m, dest, what);
	free(src);
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

static int mount_fs(const struct spec *s, const struct spec_mount *m, const char *dest, const char *what)
{
	if (make_mountpoint(dest, true) < 0)
		return log_error("%s: creating mount point %s: %m", what, dest);
	const char *src = m->source ? m->source : m->type;
	/* linux.mountLabel labels the filesystems the container gets fresh. */
	char labelled[1024];
	const char *data = !strcmp(m->type, "tmpfs") || !strcmp(m->type, "devpts") || !strcmp(m->type, "mqueue")
		? lsm_mount_data(s, m->data, labelled, sizeof(labelled)) : m->data;
	int r = mount(src, dest, m->type, m->flags & ~(unsigned long)MS_REMOUNT, data);
	char nogid[1024];
	if (r < 0 && errno == EINVAL && !strcmp(m->type, "devpts") && s->ns[NS_USER].wanted && data && strstr(data, "gid="))
		r = mount(src, dest, m->type, m->flags & ~(unsigned long)MS_REMOUNT, without_gid(data, nogid, sizeof(nogid)));
	if (r < 0) {
		/* sysfs needs a network namespace of our own; without one,
		 * as runc does, show the host's sysfs read-only instead. */
		if (errno == EPERM && !strcmp(m->type, "sysfs") &&
		    mount("/sys", dest, NULL, MS_BIND | MS_REC, NULL) == 0)
			return mount(NULL, dest, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | mount_locked_flags(dest), NULL) < 0
				? log_error("%s: remounting /sys read-only: %m", what) : 0;
		return log_error("%s: mounting %s (%s%s%s): %m", what, m->type,
				 m->data ? "options " : "no options", m->data ? m->data : "", "");
	}
	return 0;
}

static int mount_one(const struct spec *s, size_t i, const char *cgroup_path)
{
	const struct spec_mount *m = &s->mounts[i];
	char what[600];
	snprintf(what, sizeof(what), "mounts[%zu] (%s)", i, m->destination);
	char *dest = secure_join(s->root_path, m->destination);
	if (!dest)
		return log_error("%s: resolving under %s: %m", what, s->root_path);
	int r;
	if (m->bind)
		r = mount_bind(s, m, dest, what);
	else if (!m->type)
		r = log_error("%s: type: required unless options hold \"bind\" or \"rbind\"", what);
	else if (!strcmp(m->type, "cgroup"))
		r = make_mountpoint(dest, true) < 0 ? log_error("%s: creating %s: %m", what, dest)
			: cgroup_mount(dest, cgroup_path, m->flags, s->ns[NS_CGROUP].wanted);
	else
		r = mount_fs(s, m, dest, what);
	if (r == 0 && m->propagation && mount(NULL, dest, NULL, m->propagation, NULL) < 0)
		r = log_error("%s: setting propagation: %m", what);
	free(dest);
	return r;
}

int mounts_setup(const struct spec *s, const char *cgroup_path)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (mount_one(s, i, cgroup_path) < 0)
			return -1;
	return 0;
}
