/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "berth/linux/cgroup.h"
#include "berth/config.h"
#include "berth/runtime/container.h"
#include "berth/runtime/hooks.h"
#include "berth/runtime/launch.h"
#include "berth/linux/linux.h"
#include "berth/util/inroot.h"
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "berth/util/trace.h"

int write_pid_file(const char *path, pid_t pid)
{
	char v[16];
	int n = snprintf(v, sizeof(v), "%d", (int)pid);
	/* runc writes it atomically too: shims poll for it. */
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.berth-tmp", path);
	if (write_file(tmp, v, (size_t)n, 0644) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return log_error("--pid-file %s: %m", path);
	}
	return 0;
}

/* Keep the config.json text the container was made from, so that later
 * commands see the spec as it was created even if the bundle changes. */
static int keep_config(int dirfd, const char *name, const char *text, size_t len)
{
	if (write_file_atomic(dirfd, name, text, len) < 0)
		return log_error("saving %s: %m", name);
	return 0;
}

/* runc's rules: a terminal must go somewhere, and a socket needs one. */
static int check_console(const struct spec *s, const struct create_opts *o)
{
	if (s->process.terminal && !o->console_socket && !o->foreground)
		return log_error("process.terminal is true: give --console-socket to receive the terminal, "
				 "or run the container in the foreground");
	if (o->console_socket && !s->process.terminal)
		return log_error("--console-socket given, but process.terminal is false");
	return 0;
}

static int check_rootfs(const struct spec *s)
{
	struct stat st;
	if (stat(s->root_path, &st) < 0)
		return log_error("root.path %s: %m", s->root_path);
	if (spec_root_image(s) && !S_ISREG(st.st_mode))
		return log_error("rootfs %s: not an image file", s->root_path);
	if (s->root_digest && !spec_root_image(s))
		return log_error("rootfs %s: rootfs-digest is an image file's, and this is a directory", s->root_path);
	if (!spec_root_image(s) && !S_ISDIR(st.st_mode))
		return log_error("root.path %s: not a directory%s", s->root_path,
				 S_ISREG(st.st_mode) ? " (an image file is a service's rootfs only, as runc takes none)" : "");
	return 0;
}

/* The container as recorded while it is being made (berth/state.h). */
struct recording {
	const char *dir;
	struct state *st;
	const char *pid_file;
};

static int record_cloned(struct launch *l)
{
	struct recording *rec = l->arg;
	rec->st->pid = l->pid;
	rec->st->start_time = proc_start_time(l->pid);
	return state_save(rec->dir, rec->st);
}

/* --systemd-cgroup: the scope and its cgroup are recorded once systemd
 * made them for this container, never before: a scope of that name that
 * exists already is another container's, which a failed create must not
 * stop (if init dies before this, its scope empties and systemd removes
 * it by itself). */
static int record_scope(struct launch *l)
{
	struct recording *rec = l->arg;
	snprintf(rec->st->cgroup, sizeof(rec->st->cgroup), "%s", l->scope->path);
	snprintf(rec->st->systemd_unit, sizeof(rec->st->systemd_unit), "%s", l->scope->unit);
	return state_save(rec->dir, rec->st);
}

static int record_created(struct launch *l)
{
	struct recording *rec = l->arg;
	rec->st->creating = false;
	snprintf(rec->st->cgroup, sizeof(rec->st->cgroup), "%s", l->cgroup ? l->cgroup : "");
	if (state_save(rec->dir, rec->st) < 0 || (rec->pid_file && write_pid_file(rec->pid_file, l->pid) < 0))
		return -1;
	return 0;
}

static int teardown(const char *root, const struct state *st, bool poststop);

/* The hooks of kind k of spec s, given the container's state as status. */
static int spec_hooks(const struct state *st, const struct spec *s, enum hook_kind k, enum status status)
{
	if (!spec_hooks_of(s, k))
		return 0;
	char *json = state_json(st, status, s, false);
	int r = hooks_run(s, k, json);
	free(json);
	return r;
}

/* Once the program runs (after start, or at release: o->start); a failed
 * one does not stop it (runc). */
#define POSTSTART_FAILED "container \"%s\": a poststart hook failed; the container keeps running"

/* Started at release: no longer "created" (no exec.fifo), poststart. */
static void started(int dirfd, const struct state *st, const struct spec *s)
{
	unlinkat(dirfd, "exec.fifo", 0);
	if (spec_hooks(st, s, HOOK_POSTSTART, STATUS_RUNNING) < 0)
		log_warn(POSTSTART_FAILED, st->id);
}

static bool init_dead(void *st)
{
	return !proc_is_alive(((const struct state *)st)->pid, ((const struct state *)st)->start_time);
}

int container_wait_dead(const struct state *st, int timeout_ms)
{
	int pidfd = pidfd_open_compat(st->pid);
	int r = wait_for(init_dead, (void *)st, pidfd, POLLIN, timeout_ms);
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

/* Killed until none is left: with a shared pid namespace, processes can
 * outlive init, and a fork can race the kill. */
static bool cgroup_emptied(void *path)
{
	if (cgroup_is_empty(path))
		return true;
	cgroup_kill_all(path, SIGKILL);
	return false;
}


/* Whether dir is on the way to one of s's bind sources, by the text of
 * the paths: looking that source up goes through it anyway. */
static bool on_the_way(const struct spec *s, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const char *src = s->mounts[i].source;
		if (s->mounts[i].bind && src && !strncmp(src, dir, n) && (src[n] == '/' || !src[n]))
			return true;
	}
	return false;
}

static int add_dir(struct fences *f, const char *dir, const struct spec *near)
{
	return ENABLE_SUPERVISOR && near && !on_the_way(near, dir) ? fences_add_cached(f, dir) : fences_add(f, dir);
}

/* Its root unless read-only, an overlay's directory, its writable bind
 * sources. */
int container_writable_dirs(const struct spec *s, struct fences *f, const struct spec *near)
{
	int r = 0;
	if (!s->root_readonly && !(ENABLE_IMAGE_ROOT && s->root_image) && !(ENABLE_INI && s->overlay))
		r = add_dir(f, s->root_path, near);
	if (ENABLE_INI && r == 0 && s->overlay == OVERLAY_DIR)
		r = add_dir(f, s->overlay_dir, near);
	for (size_t i = 0; r == 0 && i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (m->bind && m->source && !(m->flags & MS_RDONLY))
			r = add_dir(f, m->source, near);
	}
	return r < 0 ? log_error("out of memory") : 0;
}

int container_create_spec(const char *root, struct create_opts *o, struct spec *s, const char *saved_name,
			  const char *saved, size_t saved_len, struct state *out)
{
	char dir[4096];
	int dirfd = -1, r = -1;
	char *cgroup = NULL;
	bool made_dir = false;
	struct fences own = { 0 };

	o->console_master = -1;
	if (state_check_id(o->id) < 0 || spec_validate(s) < 0 || check_rootfs(s) < 0 || check_console(s, o) < 0)
		return -1;
	if (mkdir_p(root, 0700) < 0)
		return log_error("--root %s: %m", root);
	if (state_dir(root, o->id, dir, sizeof(dir)) < 0)
		return log_error("container id too long");
	devices_cgroup_rules(s);
	struct systemd_scope scope;
	if (o->systemd_cgroup) {
		if (systemd_scope_parse(s->cgroups_path, o->id, &scope) < 0)
			return -1;
		if (!(cgroup = strdup(scope.path)))
			return log_error("out of memory");
	} else if (ENABLE_CGROUP_V1 || ENABLE_CGROUP_V2) {
		cgroup = cgroup_resolve(s->cgroups_path, o->id);
		if (!cgroup)
			return log_error("linux.cgroupsPath: %m");
	}
	/* 0711: a container's non-root user must reach exec.fifo. */
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			log_error("container \"%s\" already exists", o->id);
		else
			log_error("%s: %m", dir);
		free(cgroup);
		return -1;
	}
	made_dir = true;
	/* From here on, state.json says what exists, "creating" until done. */
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", o->id);
	snprintf(out->bundle, sizeof(out->bundle), "%s", s->bundle ? s->bundle : "");
	snprintf(out->rootfs, sizeof(out->rootfs), "%s", s->root_path);
	snprintf(out->cgroup, sizeof(out->cgroup), "%s", cgroup && !o->systemd_cgroup ? cgroup : "");
	utc_stamp(out->created, sizeof(out->created));
	out->owner = getuid();
	out->creating = true;
	for (int k = 0; k < HOOK_KINDS; k++)
		if (spec_hooks_of(s, k))
			out->hooks |= 1u << k;
	if (state_save(dir, out) < 0)
		goto out;
	dirfd = openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || keep_config(dirfd, saved_name, saved, saved_len) < 0) {
		if (dirfd < 0)
			log_error("%s: %m", dir);
		goto out;
	}
	if (mkfifoat(dirfd, "exec.fifo", 0622) < 0 || chmod_at(dirfd, "exec.fifo", 0622) < 0) {
		log_error("%s/exec.fifo: %m", dir);
		goto out;
	}
	TRACE("state directory made");
	char cache[4096], digests[4096];
	snprintf(cache, sizeof(cache), "%s/.seccomp", root);
	snprintf(digests, sizeof(digests), "%s/.digests", root);
	struct recording rec = { dir, out, o->pid_file };
	if (!o->fences && container_writable_dirs(s, &own, NULL) < 0)
		goto out;
	struct launch l = {
		.spec = s, .id = o->id, .cgroup = cgroup, .scope = o->systemd_cgroup ? &scope : NULL,
		.state_dirfd = dirfd, .state_dir = dir, .fifo_fd = -1, .fences = o->fences ? o->fences : &own,
		.preserve_fds = o->preserve_fds, .no_pivot = o->no_pivot, .cache_dir = cache, .digest_dir = digests,
		.console_socket = o->console_socket, .stdio = o->stdio, .notify_fd = o->notify_fd,
		.on_cloned = record_cloned, .on_scoped = record_scope, .on_created = record_created, .arg = &rec,
		.on_namespaces = o->on_namespaces, .ns_arg = o->ns_arg, .ns_before_setup = o->ns_before_setup,
		.start = o->start,
	};
	if (launch_container(&l) < 0)
		goto out;
	TRACE("created");
	if (o->start)
		started(dirfd, out, s);
	o->console_master = l.console_master;
	r = 0;
out:
	if (dirfd >= 0)
		close(dirfd);
	/* What state.json says exists; a container that was created but
	 * failed to start (o->start) is deleted as after a failed start:
	 * with its poststop hooks. */
	if (r < 0 && made_dir)
		teardown(root, out, o->start && !out->creating);
	free(cgroup);
	fences_free(&own);
	return r;
}

int container_create(const char *root, struct create_opts *o, struct state *out)
{
	struct spec s;
	char bundle[4096];
	size_t len;
	spec_init(&s);
	o->console_master = -1;
	if (state_check_id(o->id) < 0)
		return -1;
	if (fd_real_path(o->bundle ? o->bundle : ".", bundle, sizeof(bundle)) < 0)
		return log_error("bundle %s: %m", o->bundle ? o->bundle : ".");
	char *text = oci_read(bundle, &len);
	int r = -1;
	TRACE("config.json read");
	if (text && oci_from_text(&s, bundle, text, len) == 0 && (TRACE("config.json parsed"), 1))
		r = container_create_spec(root, o, &s, "config.json", text, len, out);
	free(text);
	spec_free(&s);
	return r;
}

int container_load(const char *root, const char *id, struct state *st)
{
	if (state_check_id(id) < 0)
		return -1;
	if (state_load(root, id, st) < 0) {
		if (errno == ENOENT)
			return log_error("container \"%s\" does not exist", id);
		return log_error("container \"%s\": %m", id);
	}
	return 0;
}

static int run_state_hooks(const char *root, const struct state *st, enum hook_kind k, enum status status)
{
	/* Loading the saved spec costs a parse of config.json: only when
	 * it has hooks of this kind. */
	if (!ENABLE_HOOKS || !(st->hooks & (1u << k)))
		return 0;
	struct spec s;
	spec_init(&s);
	int r = state_spec(root, st->id, &s);
	if (r == 0)
		r = spec_hooks(st, &s, k, status);
	spec_free(&s);
	return r;
}

/* Waits on exec.fifo (see berth/state.h): for init's "started" byte, then
 * for the end of the file, which comes when init executes the user
 * program (the fd is close-on-exec) or dies. 0 once executed, -1 if init
 * died first or reported that it failed before the exec. */
static int wait_started_then_executed(int fd, const char *id, const struct state *st)
{
	int pidfd = pidfd_open_compat(st->pid);
	bool started = false;
	int r = -1;
	for (;;) {
		/* Before the first byte, no writer has the FIFO open, so no
		 * end of file can show that init died: its pidfd does. */
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		int watch_pid = !started && pidfd >= 0;
		int n = poll(p, 1 + watch_pid, started || pidfd >= 0 ? -1 : 100);
		if (n < 0 && errno != EINTR) {
			log_error("poll: %m");
			break;
		}
		char byte;
		ssize_t got = (p[0].revents & (POLLIN | POLLHUP)) ? read(fd, &byte, 1) : -1;
		if (got == 1 && byte == EXEC_FIFO_STARTED[0] && !started) {
			started = true;
			continue;
		}
		if (got == 1 || (got == 0 && !started)) {
			log_exec_failed(id);
			break;
		}
		if (got == 0) {
			r = 0;
			break;
		}
		if (!started && ((watch_pid && p[1].revents) || !proc_is_alive(st->pid, st->start_time))) {
			log_error("container \"%s\": init died before it could start", id);
			break;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

int container_start(const char *root, const char *id)
{
	struct state st;
	if (container_load(root, id, &st) < 0)
		return -1;
	enum status status = state_status(root, &st);
	if (status != STATUS_CREATED)
		return log_error("cannot start container \"%s\": it is %s, not created", id, status_name(status));
	char fifo[4096];
	snprintf(fifo, sizeof(fifo), "%s/%s/exec.fifo", root, id);
	/* Non-blocking open for reading lets init's blocked open for
	 * writing complete. */
	int fd = openat(AT_FDCWD, fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return log_error("%s: %m", fifo);
	int r = wait_started_then_executed(fd, id, &st);
	close(fd);
	unlink(fifo);
	if (r < 0)
		return -1;
	if (run_state_hooks(root, &st, HOOK_POSTSTART, STATUS_RUNNING) < 0)
		log_warn(POSTSTART_FAILED, id);
	return 0;
}

/* Poststop hooks run at most once: a teardown killed in one (the
 * supervisor's deadline, a delete interrupted) is finished by the next
 * without running them again, or it could never end. */
static bool poststop_first_time(const char *dir, const char *id)
{
	char mark[4200];
	snprintf(mark, sizeof(mark), "%s/poststop.started", dir);
	int fd = openat(AT_FDCWD, mark, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return true;
	}
	if (errno == EEXIST)
		log_warn("container \"%s\": its poststop hooks were interrupted once; not run again", id);
	return errno == ENOENT;	/* no state directory: nothing marks them, run them */
}

/* The one teardown: its processes (the init, then whatever is left in
 * its cgroup), its cgroup, its poststop hooks (a container that was
 * created), its state directory. For delete, run's end, the supervisor,
 * and a create that failed half-way. */
static int teardown(const char *root, const struct state *st, bool poststop)
{
	int r = 0;
	if (st->pid > 0 && container_signal_init(st, SIGKILL) == 0 && container_wait_dead(st, 10000) < 0)
		r = log_error("container \"%s\": init %d survived SIGKILL", st->id, (int)st->pid);
	if (st->cgroup[0]) {
		int events = cgroup_events_open(st->cgroup);
		wait_for(cgroup_emptied, (void *)st->cgroup, events, POLLPRI, 1000);
		if (events >= 0)
			close(events);
		/* A systemd scope's cgroup (--systemd-cgroup) is systemd's:
		 * emptied here, the scope is stopped and its cgroup removed
		 * by systemd, which learns it is empty by reading its
		 * cgroup.events when that changes. Removing it ourselves
		 * raced that read, and a scope whose file was gone first
		 * stayed active for good. (Nor a StopUnit: systemd 252 never
		 * answered one that arrived while it collected the unit.) */
		if (!(ENABLE_SYSTEMD_CGROUP && st->systemd_unit[0]) && cgroup_remove(st->cgroup) < 0)
			r = -1;
	}
	char dir[4096];
	state_dir(root, st->id, dir, sizeof(dir));
	if (poststop && ENABLE_HOOKS && (st->hooks & (1u << HOOK_POSTSTOP)) && poststop_first_time(dir, st->id) &&
	    run_state_hooks(root, st, HOOK_POSTSTOP, STATUS_STOPPED) < 0)
		log_warn("container \"%s\": a poststop hook failed", st->id);
	if (remove_tree(dir) < 0)
		r = log_error("%s: %m", dir);
	return r;
}

int container_destroy(const char *root, const struct state *st)
{
	return teardown(root, st, true);
}
