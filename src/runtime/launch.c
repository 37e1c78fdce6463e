/* SPDX-License-Identifier: Apache-2.0 */
/* Container creation, top to bottom.
 *
 * The runtime clones the init process into its new namespaces; init sets
 * up the container while the runtime serves it over a socketpair (cgroup
 * placement and id maps must be done from outside, prestart and
 * createRuntime hooks run in the runtime's namespaces). When init reports
 * "created" it blocks opening exec.fifo, which `berth start` unblocks; or,
 * for `run` and the supervisor (l->start), goes on to its exec when the
 * runtime releases it, and the exec closing the socket tells the runtime.
 * Errors inside init travel to the runtime as messages, so they reach the
 * user's terminal and --log file, not the container's stderr. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include "berth/linux/cgroup.h"
#include "berth/runtime/child.h"
#include "berth/runtime/container.h"
#include "berth/runtime/hooks.h"
#include "berth/runtime/launch.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/runtime/state.h"
#include "berth/util/util.h"
#include "berth/util/trace.h"

/* The state hooks see during creation; pid is the init's, as the host
 * sees it. The runtime spec's lifecycle numbers the environment's
 * creation step 2, the prestart, createRuntime and createContainer hooks
 * steps 3 to 5, startContainer 7, and defines "creating" as step 2 and
 * "created" as after it, the program neither executed nor exited: so
 * these four kinds see "created" (as crun; runc says "creating" for the
 * first three). poststart sees "running", poststop "stopped". */
static char *launch_state_json(const struct launch *l, pid_t host_pid, enum status status)
{
	return child_state_json(l->spec, l->id, host_pid, status);
}

/* No directory of the host stays open in init while paths from the
 * config are resolved (CVE-2024-21626): the state directory's fd gives
 * way to an O_PATH fd of exec.fifo alone, reopened later through the
 * container's own /proc (checked to be a fresh procfs). A container
 * without /proc keeps the directory's fd, never reachable by path, as
 * magic links are not followed. */
static int init_hold_fifo_only(struct launch *l)
{
	bool has_proc = false;
	for (size_t i = 0; i < l->spec->n_mounts; i++)
		has_proc |= l->spec->mounts[i].type && !strcmp(l->spec->mounts[i].type, "proc");
	if (l->state_dirfd >= 0 && l->start) {
		close(l->state_dirfd);	/* started when released: no FIFO to wait on */
		l->state_dirfd = -1;
	}
	if (l->state_dirfd < 0 || !has_proc)
		return 0;
	l->fifo_fd = openat(l->state_dirfd, "exec.fifo", O_PATH | O_CLOEXEC);
	if (l->fifo_fd < 0)
		return log_error("exec.fifo: %m");
	close(l->state_dirfd);
	l->state_dirfd = -1;
	return 0;
}

/* Opening a FIFO for writing blocks until `berth start` opens it for
 * reading: that is the "created" state. The byte written says "started";
 * the fd then stays open, close-on-exec, so that its closing tells
 * `berth start` the user program was executed (poststart hooks run after
 * that, not before). A failure in between writes a second byte. Returns
 * the open fd. */
static int init_wait_for_start(const struct launch *l)
{
	int fd;
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", l->fifo_fd);
	while ((fd = l->fifo_fd >= 0 ? openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC)
				     : openat(l->state_dirfd, "exec.fifo", O_WRONLY | O_CLOEXEC)) < 0 && errno == EINTR)
		;
	close(l->fifo_fd >= 0 ? l->fifo_fd : l->state_dirfd);
	if (fd < 0)
		return log_error("exec.fifo: %m");
	if (write_all(fd, EXEC_FIFO_STARTED, 1) < 0) {
		close(fd);
		return log_error("exec.fifo: %m");
	}
	return fd;
}

/* Everything inside the new root, before pivot_root: each path resolved
 * by fd from rootfd (berth/inroot.h). sysctl goes before readonlyPaths,
 * which usually include /proc/sys. */
static int init_fill_root(const struct launch *l, int sync_fd, int rootfd, pid_t host_pid)
{
	const struct spec *s = l->spec;
	struct sync_msg m;
	/* Without a mount namespace, nothing is mounted or made (see rootfs.c). */
	if (s->ns[NS_MNT].wanted) {
		int *made = NULL;
		int r = child_mounts_from_runtime(s, &made);
		if (r == 0)
			r = mounts_setup(s, rootfd, l->cgroup, made, l->fences);
		child_mounts_close(made, s->n_mounts);
		TRACE("init: mounts");
		if (r < 0 || devices_setup(s, rootfd) < 0)
			return -1;
		TRACE("init: devices");
	}
	if (process_make_cwd(s, rootfd) < 0)
		return -1;
	if (spec_hooks_of(s, HOOK_PRESTART) || spec_hooks_of(s, HOOK_CREATE_RUNTIME)) {
		if (sync_send(sync_fd, SYNC_HOOKS, 0, NULL) < 0 || sync_recv(sync_fd, &m) <= 0 ||
		    m.type != SYNC_HOOKS_DONE)
			return -1;	/* the runtime reported why */
	}
	if (spec_hooks_of(s, HOOK_CREATE_CONTAINER)) {
		char *state = launch_state_json(l, host_pid, STATUS_CREATED);
		int r = hooks_run(s, HOOK_CREATE_CONTAINER, state);
		free(state);
		if (r < 0)
			return -1;
	}
	int r = sysctl_apply(s, rootfd) < 0 || paths_mask_and_protect(s, rootfd) < 0 ? -1 : 0;
	TRACE("init: sysctl, masked and read-only paths");
	return r;
}

static int init_setup(const struct launch *l, int sync_fd, pid_t host_pid, char *exe, size_t exe_cap)
{
	const struct spec *s = l->spec;
	if (userns_become_root(s) < 0 || ns_join_paths(s) < 0 || ns_unshare_cgroup(s) < 0 ||
	    ns_set_names(s) < 0)
		return -1;
	TRACE("init: namespaces");
	int image = spec_root_image(s) ? child_image_from_runtime() : -1;
	if (spec_root_image(s) && image < 0)
		return -1;
	int rootfd = rootfs_prepare(s, l->state_dir, image);
	if (image >= 0)
		close(image);
	if (rootfd < 0)
		return -1;
	TRACE("init: root prepared");
	int r = init_fill_root(l, sync_fd, rootfd, host_pid);
	if (r == 0)
		r = rootfs_pivot(s, rootfd, l->no_pivot);
	close(rootfd);
	TRACE("init: pivot_root");
	if (r < 0 || (s->process.terminal && child_console(s, true) < 0) || rootfs_finish(s) < 0)
		return -1;
	TRACE("init: root finished");
	r = child_finish(s, &l->seccomp, host_pid, l->preserve_fds, exe, exe_cap);
	TRACE("init: limits, identity, capabilities, seccomp");
	return r;
}

static bool joins_itself(const struct launch *l);

/* A service's stdio (its log pipe) and readiness fd (3), in place before
 * init opens anything. Every source moves above 3 first, so that none is
 * overwritten before it is copied. */
static int init_stdio(struct launch *l, int *sync_fd)
{
	if (!l->stdio && l->notify_fd <= 0)
		return 0;
	int src[4] = { l->stdio ? l->stdio[0] : -1, l->stdio ? l->stdio[1] : -1, l->stdio ? l->stdio[2] : -1,
		       l->notify_fd > 0 ? l->notify_fd : -1 };
	for (int i = 0; i < 4; i++)
		if (src[i] >= 0 && (src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 10)) < 0)
			return -1;
	if (*sync_fd <= 3 && (*sync_fd = fcntl(*sync_fd, F_DUPFD_CLOEXEC, 10)) < 0)
		return -1;
	for (int i = 0; i < 4; i++)
		if (src[i] >= 0 && dup2(src[i], i) < 0)
			return -1;
	if (l->notify_fd > 0 && l->preserve_fds < 1)
		l->preserve_fds = 1;
	return 0;
}

static _Noreturn void run_container_init(struct launch *l, int sync_fd)
{
	char exe[4096];
	/* A mount namespace given by path is not a copy of the runtime's. */
	if (!l->spec->ns[NS_MNT].path)
		cgroup_hierarchies_inherit();
	if (init_stdio(l, &sync_fd) < 0)
		_exit(1);
	pid_t host_pid = child_begin(sync_fd);
	TRACE("init: go received");
	if (joins_itself(l)) {
		if (cgroup_join_self(l->join) < 0)
			_exit(1);
		cgroup_join_close(l->join);
		TRACE("init: joined its cgroups");
	}
	if (init_hold_fifo_only(l) < 0 || init_setup(l, sync_fd, host_pid, exe, sizeof(exe)) < 0 ||
	    child_done(l->start) < 0)
		_exit(1);
	/* From here on, errors can only go to the container's stderr. */
	int started = -1;
	TRACE("init: created, released");
	if (l->state_dirfd >= 0 || l->fifo_fd >= 0) {
		if ((started = init_wait_for_start(l)) < 0)
			_exit(1);
		TRACE("init: started (exec.fifo)");
	}
	if (spec_hooks_of(l->spec, HOOK_START_CONTAINER)) {
		char *state = launch_state_json(l, host_pid, STATUS_CREATED);
		if (hooks_run(l->spec, HOOK_START_CONTAINER, state) == 0 && (TRACE("init: execve"), 1))
			process_exec(l->spec, exe);
	} else {
		TRACE("init: execve");
		process_exec(l->spec, exe);
	}
	if (started >= 0)
		write_all(started, EXEC_FIFO_FAILED, 1);
	child_exec_failed();
	_exit(127);
}

/* ---- in the runtime ---- */

static int runtime_hooks(void *arg)
{
	const struct launch *l = arg;
	char *json = launch_state_json(l, l->pid, STATUS_CREATED);
	int r = hooks_run(l->spec, HOOK_PRESTART, json);
	if (r == 0)
		r = hooks_run(l->spec, HOOK_CREATE_RUNTIME, json);
	free(json);
	return r;
}

/* An idmapped mount needs rights over the source's filesystem that an
 * init in its own user namespace lacks, and an image root a loop device
 * that init's cgroup keeps it from: the runtime makes them. */
static int runtime_mount(void *arg, int i)
{
	const struct launch *l = arg;
	if (i == SYNC_MOUNT_IMAGE_ROOT)
		return spec_root_image(l->spec) ? image_root_detached(l->spec, l->digest_dir) : -1;
	return idmount_make(l->spec, (size_t)i, l->pid, l->fences);
}

/* A user namespace takes away the rights over the host's cgroup files
 * that joining by itself needs: the runtime moves such an init. */
static bool joins_itself(const struct launch *l)
{
	return l->join && !spec_userns(l->spec);
}

struct init_child {
	struct launch *l;
	int sv[2];
};

static void init_child(void *arg, bool born)
{
	struct init_child *c = arg;
	if (c->l->join)
		c->l->join->born_in_v2 = born;
	close(c->sv[0]);
	run_container_init(c->l, c->sv[1]);
}

/* A user namespace given by path must own the namespaces made with the
 * init, so the clone has to happen inside it: a helper joins it and
 * clones init with CLONE_PARENT (init stays the runtime's child), as
 * exec does. Returns init's pid in the runtime. */
static pid_t clone_in_userns(struct launch *l, unsigned long flags, int sv[2])
{
	const char *path = spec_userns_path(l->spec);
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error("linux.namespaces: user namespace %s: %m", path);
	char what[4200];
	snprintf(what, sizeof(what), "user namespace %s (linux.namespaces)", path);
	struct ns_join join = { fd, CLONE_NEWUSER, what };
	struct init_child c = { l, { sv[0], sv[1] } };
	bool born = false;
	pid_t pid = clone_via_helper(&join, 1, flags, l->join ? l->join->v2_dir : -1, &born, init_child, &c);
	close(fd);
	if (pid > 0 && l->join)
		l->join->born_in_v2 = born;
	return pid;
}

/* --systemd-cgroup: systemd makes the scope around the init it is given,
 * so only now that init exists (waiting for its go); then the limits go
 * into the scope's cgroup as into any other. */
static int place_in_scope(struct launch *l)
{
	struct cgroup_join join;
	if (systemd_scope_start(l->scope, l->pid, &l->spec->resources) < 0 ||
	    (l->on_scoped && l->on_scoped(l) < 0) || cgroup_prepare(l->cgroup, &l->spec->resources, &join) != 0)
		return -1;
	cgroup_join_close(&join);
	return 0;
}

static int clone_and_serve(struct launch *l)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return log_error("socketpair: %m");
	struct ns_saved saved;
	if (ns_enter_for_children(l->spec, &saved) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	/* All new namespaces at once, so that every one made here is owned
	 * by the new user namespace; on cgroup v2, born in the cgroup. */
	unsigned long flags = (unsigned long)ns_clone_flags(l->spec);
	if (spec_userns_path(l->spec)) {
		l->pid = clone_in_userns(l, flags, sv);
	} else {
		l->pid = clone_fork(flags, l->join ? l->join->v2_dir : -1, l->join ? &l->join->born_in_v2 : NULL);
		if (l->pid == 0) {
			close(sv[0]);
			run_container_init(l, sv[1]);
		}
	}
	int clone_errno = errno;
	TRACE("cloned");
	ns_restore(&saved);
	close(sv[1]);
	if (l->pid < 0) {
		close(sv[0]);
		errno = clone_errno;
		return log_error("creating the container's namespaces: %m%s",
				 clone_errno == EINVAL ? " (a namespace type this kernel lacks?)" : "");
	}
	int r = l->on_cloned ? l->on_cloned(l) : 0;
	if (r == 0 && l->scope && place_in_scope(l) < 0)
		r = -1;
	if (r == 0 && l->join && !joins_itself(l) && cgroup_join_pid(l->join, l->pid) < 0)
		r = -1;
	if (r == 0 && userns_write_maps(l->spec, l->pid) < 0)
		r = -1;
	if (r == 0 && l->on_namespaces && l->ns_before_setup)
		r = l->on_namespaces(l->pid, l->ns_arg);
	if (r == 0 && sync_send(sv[0], SYNC_GO, l->pid, NULL) < 0)
		r = log_error("starting the container's init: %m");
	TRACE("init let go");
	/* Init's messages (mount fds, logs) wait in the socket meanwhile. */
	if (r == 0 && l->on_namespaces && !l->ns_before_setup)
		r = l->on_namespaces(l->pid, l->ns_arg);
	struct child_server serve = {
		.spec = l->spec, .id = l->id, .pid = l->pid, .listener_status = STATUS_CREATING,
		.console_socket = l->console_socket, .arg = l,
		/* What init can ask the runtime for only where the build has it. */
		.hooks = ENABLE_HOOKS ? runtime_hooks : NULL,
		.mount = ENABLE_IMAGE_ROOT || ENABLE_IDMAP_MOUNTS ? runtime_mount : NULL,
	};
	if (r == 0) {
		r = child_serve(&serve, sv[0]);
		TRACE("init served");
		l->console_master = serve.console_master;
		if (!serve.pid)
			l->pid = 0;	/* it died and was reaped */
	}
	/* A pty berth relays has berth's window size before the program
	 * runs, not some time after: its first `stty size` must see it. */
	if (r == 0 && l->start && l->console_master >= 0)
		forward_winsize(l->console_master);
	if (r == 0 && l->on_created)
		r = l->on_created(l);
	if (r == 0 && (r = child_release(sv[0])) < 0 && l->start)
		log_exec_failed(l->id);
	close(sv[0]);
	if (r < 0) {
		if (l->pid > 0) {
			kill(l->pid, SIGKILL);
			wait_child_timeout(l->pid, -1);
		}
		if (l->console_master >= 0)
			close(l->console_master);
		l->console_master = -1;
		l->pid = 0;
	}
	return r;
}

int log_exec_failed(const char *id)
{
	return log_error("container \"%s\": its process failed before executing the program (see its stderr)", id);
}

int launch_container(struct launch *l)
{
	l->console_master = -1;
	/* Compiled here, before the clone: init inherits it, and the cache
	 * is written once, by the runtime. */
	if (l->spec->seccomp && seccomp_filter_prepare(l->spec->seccomp, l->cache_dir, &l->seccomp) < 0)
		return -1;
	/* The cgroup and its limits exist before the process does. */
	struct cgroup_join join;
	int placed = l->cgroup && !l->scope ? cgroup_prepare(l->cgroup, &l->spec->resources, &join) : 1;
	TRACE("cgroup made");
	int r = placed < 0 ? -1 : 0;
	if (placed == 1 && !l->scope)
		l->cgroup = NULL;	/* none in this build, or rootless without limits */
	l->join = placed == 0 ? &join : NULL;
	if (r == 0)
		r = clone_and_serve(l);
	if (l->join)
		cgroup_join_close(l->join);
	l->join = NULL;
	/* On failure the init is killed and reaped (clone_and_serve); the
	 * cgroup is the caller's to remove, with the rest of the container. */
	seccomp_filter_free(&l->seccomp);
	return r;
}
