/* SPDX-License-Identifier: Apache-2.0 */
/* Idmapped bind mounts ("idmap", "ridmap", mounts[].uidMappings): the
 * files under the mount appear with their owners translated, with no
 * chown of the source.
 *
 * mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN over the user
 * namespace the source's filesystem was mounted in (the host's), which a
 * container's init in a user namespace of its own does not have: so the
 * runtime makes the mount, detached (open_tree(OPEN_TREE_CLONE)), and
 * init attaches it under its root with move_mount (mounts.c), as runc
 * does. The mapping is a user namespace: the container's, or, for a mount
 * with mappings of its own, one made here for the purpose, held by a
 * child that exits once the mount refers to it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/linux/mountapi.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* A user namespace with these mappings: a child cloned into a new one
 * waits on a pipe while the runtime writes its maps and opens it. */
static int userns_for(const struct spec_mount *m, const char *what)
{
	int hold[2];
	if (pipe2(hold, O_CLOEXEC) < 0)
		return log_error("%s: pipe: %m", what);
	pid_t pid = clone_fork(CLONE_NEWUSER, -1, NULL);
	if (pid == 0) {
		char c;
		close(hold[1]);
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(hold[0]);
	int fd = -1;
	char field[700], path[64];
	if (pid < 0) {
		log_error("%s: a user namespace for the mapping: %m", what);
	} else {
		snprintf(field, sizeof(field), "%s: uidMappings", what);
		if (userns_write_map(pid, "uid_map", m->uid_mappings, m->n_uid_mappings, field) == 0) {
			snprintf(field, sizeof(field), "%s: gidMappings", what);
			if (userns_write_map(pid, "gid_map", m->gid_mappings, m->n_gid_mappings, field) == 0) {
				snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
				if ((fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC)) < 0)
					log_error("%s: %s: %m", what, path);
			}
		}
	}
	close(hold[1]);
	if (pid > 0)
		wait_child_timeout(pid, -1);
	return fd;
}

static int container_userns(pid_t init_pid, const char *what)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)init_pid);
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error("%s: the container's user namespace (%s): %m", what, path);
	return fd;
}

int idmount_make(const struct spec *s, size_t i, pid_t init_pid, const struct fences *f)
{
	if (i >= s->n_mounts || s->mounts[i].idmap == IDMAP_NONE || !s->mounts[i].source)
		return log_error("the container process asked for mounts[%zu], which is no idmapped mount", i);
	const struct spec_mount *m = &s->mounts[i];
	char what[600];
	snprintf(what, sizeof(what), "mounts[%zu] (%s)", i, m->destination);
	const char *src = m->source;
	int srcfd = bind_source_open(src, f, what);
	int tree = srcfd < 0 ? -1 : (int)syscall(SYS_open_tree, srcfd, "",
				OPEN_TREE_CLONE_ | O_CLOEXEC | AT_EMPTY_PATH | (m->recursive_bind ? AT_RECURSIVE : 0));
	int userns = -1;
	if (srcfd >= 0)
		close(srcfd);
	if (srcfd < 0) {
		;	/* said */
	} else if (tree < 0) {
		log_error("%s: source %s: %m%s", what, src, errno == ENOSYS ? " (idmapped mounts need Linux 5.12)" : "");
	} else if ((userns = m->n_uid_mappings ? userns_for(m, what) : container_userns(init_pid, what)) >= 0) {
		struct mount_attr_ attr = { .attr_set = MOUNT_ATTR_IDMAP_, .userns_fd = (uint64_t)userns };
		unsigned flags = AT_EMPTY_PATH | (m->idmap == IDMAP_RECURSIVE ? AT_RECURSIVE : 0);
		if (syscall(SYS_mount_setattr, tree, "", flags, &attr, sizeof(attr)) < 0) {
			int e = errno;
			log_error("%s: idmapping %s: %m%s", what, src,
				  e == ENOSYS ? " (idmapped mounts need Linux 5.12)"
				  : e == EINVAL ? " (its filesystem cannot be idmapped on this kernel, or it is idmapped already)"
				  : e == EPERM ? " (only root in the host's user namespace can idmap it)" : "");
			close(tree);
			tree = -1;
		}
		close(userns);
	} else {
		close(tree);
		tree = -1;
	}
	return tree;
}
