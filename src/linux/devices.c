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
#include "berth/linux.h"
#include "berth/log.h"
#include "berth/util.h"

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

static int bind_host_device(const struct spec_device *d, const char *dest)
{
	int fd = open(dest, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0000);
	if (fd < 0)
		return log_error("linux.devices %s: %m", d->path);
	close(fd);
	if (mount(d->path, dest, NULL, MS_BIND, NULL) < 0)
		return log_error("linux.devices %s: binding the host's node: %m", d->path);
	return 0;
}

static int create_device(const struct spec *s, const struct spec_device *d)
{
	char *dest = secure_join(s->root_path, d->path);
	if (!dest)
		return log_error("linux.devices %s: %m", d->path);
	char *slash = strrchr(dest, '/');
	int r = -1;
	*slash = 0;
	if (mkdir_p(dest, 0755) < 0) {
		log_error("linux.devices %s: parent directory: %m", d->path);
		goto out;
	}
	*slash = '/';
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t perm = d->has_mode ? d->mode & 07777 : 0666;
	if (unlink(dest) < 0 && errno != ENOENT) {
		log_error("linux.devices %s: replacing: %m", d->path);
		goto out;
	}
	if (mknod(dest, type | perm, makedev((unsigned)d->major, (unsigned)d->minor)) < 0) {
		if (errno == EPERM && s->ns[NS_USER].wanted)
			r = bind_host_device(d, dest);
		else
			log_error("linux.devices %s: mknod: %m", d->path);
		goto out;
	}
	if (chmod(dest, perm) < 0 ||
	    ((d->has_uid || d->has_gid) && chown(dest, d->has_uid ? d->uid : (uid_t)-1, d->has_gid ? d->gid : (gid_t)-1) < 0)) {
		log_error("linux.devices %s: setting owner and mode: %m", d->path);
		goto out;
	}
	r = 0;
out:
	free(dest);
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

int devices_setup(const struct spec *s)
{
	bool defaults = !dev_is_bind(s);
	mode_t old = umask(0);
	int r = 0;
	for (size_t i = 0; defaults && r == 0 && i < ARRAY_SIZE(default_devices); i++)
		if (!listed(s, default_devices[i].path))
			r = create_device(s, &default_devices[i]);
	for (size_t i = 0; r == 0 && i < s->n_devices; i++)
		r = create_device(s, &s->devices[i]);
	umask(old);
	for (size_t i = 0; defaults && r == 0 && i < ARRAY_SIZE(default_links); i++) {
		char *link = secure_join(s->root_path, default_links[i][1]);
		if (!link)
			return log_error("%s: %m", default_links[i][1]);
		/* /dev/ptmx may be a device node left by the image */
		if (i == ARRAY_SIZE(default_links) - 1)
			unlink(link);
		if (symlink(default_links[i][0], link) < 0 && errno != EEXIST)
			r = log_error("symlink %s: %m", default_links[i][1]);
		free(link);
	}
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
