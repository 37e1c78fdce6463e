/* SPDX-License-Identifier: Apache-2.0 */
/* Hierarchies are found in /proc/self/mountinfo rather than assumed at
 * /sys/fs/cgroup: embedded systems mount them in many places, and hybrid
 * hosts (v1 controllers plus a cgroup2 mount) are common. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include "berth/linux/cgroup.h"
#include "berth/config.h"
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/mountinfo.h"
#include "berth/util/util.h"
#include "cgroup_fs.h"

#define CGROUP_MAGIC 0x27e0eb
#define CGROUP2_MAGIC 0x63677270
/* Per-mount flags a bind remount can change. */
#define MOUNT_ATTR_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_NOATIME)

/* `word` is one of the items of `list`, separated by any of `seps`. */
static bool has_word(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = str_find(p, word)); p += n)
		if ((p == list || strchr(seps, p[-1])) && (!p[n] || strchr(seps, p[n])))
			return true;
	return false;
}

struct found {
	struct hierarchy *h;
	int n, max;
};

static int add_hierarchy(const struct mountinfo *m, void *arg)
{
	struct found *f = arg;
	struct hierarchy *h = f->h;
	bool v2 = !strcmp(m->fstype, "cgroup2");
	if ((!v2 || !ENABLE_CGROUP_V2) && (strcmp(m->fstype, "cgroup") || !ENABLE_CGROUP_V1))
		return 0;
	/* A path or option list too long for the table is left out, not cut. */
	if (strlen(m->mount_point) >= sizeof(h->mnt) || strlen(m->super_options) >= sizeof(h->opts))
		return 0;
	/* The same hierarchy mounted twice (an rbind of /sys into a
	 * rootfs, say): the first, the host's own, is the one to use. */
	for (int i = 0; i < f->n; i++)
		if (h[i].v2 == v2 && !strcmp(h[i].opts, m->super_options))
			return 0;
	/* A bind mount of a sub-cgroup is not the hierarchy's root.
	 * Inside a cgroup namespace the real root reads "/.." (as
	 * many as the namespace is deep): that one still counts. */
	bool is_root = true;
	for (const char *p = m->root; *p && is_root; p += 3)
		is_root = !strncmp(p, "/..", 3);
	if (strcmp(m->root, "/") && !is_root)
		return 0;
	/* A hierarchy covered by a later mount (a tmpfs over
	 * /sys/fs/cgroup/unified) is listed but unreachable. */
	struct statfs sf;
	if (statfs(m->mount_point, &sf) < 0 || sf.f_type != (v2 ? CGROUP2_MAGIC : CGROUP_MAGIC))
		return 0;
	snprintf(h[f->n].mnt, sizeof(h->mnt), "%s", m->mount_point);
	snprintf(h[f->n].opts, sizeof(h->opts), "%s", m->super_options);
	h[f->n].v2 = v2;
	return ++f->n == f->max;
}

static int hierarchies(struct hierarchy *h, int max)
{
	struct found f = { h, 0, max };
	if (max > 0 && mountinfo_each(add_hierarchy, &f) < 0)
		return log_error("/proc/self/mountinfo: %m");
	return f.n;
}

/* The runtime's own cgroup in hierarchy h, from /proc/self/cgroup. */
static int own_cgroup(const struct hierarchy *h, char *out, size_t cap)
{
	char *text = read_file("/proc/self/cgroup", NULL);
	if (!text)
		return log_error("/proc/self/cgroup: %m");
	int found = -1;
	for (char *at = text, *line; found < 0 && (line = next_line(&at));) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		const char *ctrls = c1 + 1;
		bool match = false;
		if (hier_v2(h)) {
			match = !*ctrls && !strncmp(line, "0", 1);
		} else if (*ctrls) {
			/* "cpu,cpuacct" matches a hierarchy mounted with both */
			char list[256];
			snprintf(list, sizeof(list), "%s", ctrls);
			match = true;
			for (char *save, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
				match = match && has_word(h->opts, t, ",");
		}
		if (match) {
			snprintf(out, cap, "%s", c2 + 1);
			found = 0;
		}
	}
	free(text);
	if (found < 0)
		snprintf(out, cap, "/");
	return 0;
}

/* The hierarchies, read from mountinfo once per process and again only
 * when the kernel says the mount table changed (an open mountinfo polls
 * POLLPRI then, proc(5)): `list` of 200 containers reads it once, not
 * once per container. A child (another pid) reads its own, unless it
 * took its parent's at its birth (cgroup_hierarchies_inherit). */
static struct {
	pid_t pid;	/* who read them; 0: nobody yet (and no initializer: in .bss) */
	int watch;	/* /proc/self/mountinfo, opened before the read; -1: none */
	bool inherited;	/* the parent's, valid at the clone: kept for good */
	int n;
	struct hierarchy h[MAX_HIERARCHIES];
} known;

void cgroup_hierarchies_inherit(void)
{
	if (known.pid == 0 || known.pid == getpid() || known.watch < 0 || known.n < 0)
		return;
	/* The watch is the parent's open file: no event since its read means
	 * the table it read is the one this namespace was copied from. */
	struct pollfd p = { .fd = known.watch, .events = POLLPRI };
	if (poll(&p, 1, 0) != 0)
		return;
	known.pid = getpid();
	known.watch = -1;
	known.inherited = true;
}

static int hierarchies_now(const struct hierarchy **h)
{
	if (known.inherited && known.pid == getpid()) {
		*h = known.h;
		return known.n;
	}
	known.inherited = false;
	bool fresh = known.pid == getpid() && known.watch >= 0;
	if (fresh) {
		struct pollfd p = { .fd = known.watch, .events = POLLPRI };
		fresh = poll(&p, 1, 0) == 0;
		if (!fresh)
			close(known.watch);
	}
	if (!fresh) {
		/* A fork's copy of the watch is not closed: the child may
		 * have reused that number since. It is close-on-exec. */
		known.pid = getpid();
		known.watch = openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
		known.n = hierarchies(known.h, MAX_HIERARCHIES);
		if (known.n < 0 || known.watch < 0) {
			if (known.watch >= 0)
				close(known.watch);
			known.watch = -1;
		}
	}
	*h = known.h;
	return known.n;
}

int cg_open(struct cgroup_ctx *c, const char *path)
{
	c->path = path;
	c->v2 = -1;
	c->n = hierarchies_now(&c->h);
	if (c->n < 0)
		return -1;
	for (int i = 0; i < c->n; i++)
		if (hier_v2(&c->h[i]))
			c->v2 = i;
	return 0;
}

void cg_dir(const struct cgroup_ctx *c, int h, char *out, size_t cap)
{
	str_cat(out, cap, c->h[h].mnt, strcmp(c->path, "/") ? c->path : "", (char *)NULL);
}

int cg_controller(const struct cgroup_ctx *c, const char *v1name, const char *v2name, char *out, size_t cap)
{
	for (int i = 0; v1name && i < c->n; i++)
		if (!hier_v2(&c->h[i]) && has_word(c->h[i].opts, v1name, ",")) {
			cg_dir(c, i, out, cap);
			return 1;
		}
	if (c->v2 < 0 || !v2name)
		return 0;
	cg_dir(c, c->v2, out, cap);
	if (!*v2name)
		return 2;	/* needs no controller: the device eBPF program */
	char *have = cg_read(out, "cgroup.controllers");
	bool found = have && has_word(have, v2name, " \n");
	free(have);
	return found ? 2 : 0;
}

char *cg_read(const char *dir, const char *file)
{
	char path[1024];
	str_cat(path, sizeof(path), dir, "/", file, (char *)NULL);
	return read_file(path, NULL);
}

bool cg_has_file(const char *dir, const char *file)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

int cg_write(const char *dir, const char *file, const char *value, const char *field)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (write_kernel_file(path, value, strlen(value)) < 0)
		return log_error("linux.resources.%s: writing \"%s\" to %s: %m", field, value, path);
	return 0;
}

int cg_writef(const char *dir, const char *file, const char *field, const char *fmt, ...)
{
	char value[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return cg_write(dir, file, value, field);
}

const char *cg_limit(int64_t v, char *buf, size_t cap)
{
	if (v < 0)
		return "max";
	snprintf(buf, cap, "%lld", (long long)v);
	return buf;
}

char *cgroup_resolve(const char *cgroups_path, const char *id)
{
	const char *p = cgroups_path && *cgroups_path ? cgroups_path : id;
	if (p[0] == '/')
		return strdup(p);
	/* Relative: under our own cgroup. Take it from the first hierarchy;
	 * a runtime in different places per controller is not supported. */
	const struct hierarchy *h;
	int n = hierarchies_now(&h);
	char own[512] = "/";
	if (n > 0 && own_cgroup(&h[0], own, sizeof(own)) < 0)
		return NULL;
	char *out;
	if (asprintf(&out, "%s%s%s", own, own[strlen(own) - 1] == '/' ? "" : "/", p) < 0)
		return NULL;
	return out;
}

/* v1 cpuset refuses tasks until cpus and mems are set: copy the parent's,
 * at every level we created, as runc does. */
static int cpuset_init(const char *mnt, const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char parent[512];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	if (!slash || slash < parent + strlen(mnt))
		return 0;
	*slash = 0;
	if (strlen(parent) > strlen(mnt) && cpuset_init(mnt, parent) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *cur = cg_read(dir, files[i]);
		bool empty = cur && (cur[0] == '\n' || !cur[0]);
		free(cur);
		if (!empty)
			continue;
		char *val = cg_read(parent, files[i]);
		if (!val || cg_write(dir, files[i], val, "cpu") < 0) {
			free(val);
			return log_error("cgroup %s: copying %s from the parent: %m", dir, files[i]);
		}
		free(val);
	}
	return 0;
}

/* A cgroup file or directory we may not write. */
static bool denied(int e)
{
	return e == EACCES || e == EPERM || e == EROFS;
}

/* Enable in `level`'s cgroup.subtree_control every controller it offers,
 * those it lists as enabled too: the kernel lists a controller there
 * before it has made that controller's files in the cgroups below, so a
 * creation beside another that only read the list could write a limit
 * whose file was not there yet (ENOENT, on boards starting services side
 * by side). The write takes the kernel's cgroup lock, so once it returns
 * every enabling begun before it is complete; an enabled controller it
 * names again is a no-op. */
static void v2_enable_level(const char *level)
{
	char *avail = cg_read(level, "cgroup.controllers");
	char want[256] = "";
	size_t len = 0;
	for (char *save, *t = avail ? strtok_r(avail, " \n", &save) : NULL; t; t = strtok_r(NULL, " \n", &save))
		len += (size_t)snprintf(want + len, len < sizeof(want) ? sizeof(want) - len : 0, "+%s ", t);
	if (len && len < sizeof(want)) {
		char path[600];
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", level);
		/* One refused controller fails the whole write: then one by
		 * one. A file we may not write refuses each of them alike. */
		if (write_kernel_file(path, want, len) < 0 && !denied(errno))
			for (char *save, *t = strtok_r(want, " ", &save); t; t = strtok_r(NULL, " ", &save))
				if (write_kernel_file(path, t, strlen(t)) < 0)
					log_debug("%s: %s: %m", path, t);
	}
	free(avail);
}

/* v2 controllers work only where every ancestor's cgroup.subtree_control
 * enables them. Enable all that each level offers, as runc does, so that a
 * later `update` finds them too. A level that refuses (one holding
 * processes of its own) is left as it is: a setting that then finds its
 * controller missing says so. */
static void v2_enable_controllers(const char *mnt, const char *dir)
{
	char parent[512];
	size_t base = strlen(mnt);
	snprintf(parent, sizeof(parent), "%s", dir);
	char *last = strrchr(parent, '/');
	if (!last || last < parent + base)
		return;
	*last = 0;
	for (size_t pos = base;;) {
		char c = parent[pos];
		parent[pos] = 0;
		v2_enable_level(parent);
		parent[pos] = c;
		if (!c)
			break;
		char *next = strchr(parent + pos + 1, '/');
		pos = next ? (size_t)(next - parent) : strlen(parent);
	}
}

int cgroup_prepare(const char *path, const struct resources *r, struct cgroup_join *j)
{
	struct cgroup_ctx c;
	memset(j, 0, sizeof(*j));
	j->v2_dir = -1;
	if (cg_open(&c, path) < 0)
		return -1;
	for (int i = 0; i < c.n; i++) {
		char dir[512];
		cg_dir(&c, i, dir, sizeof(dir));
		if (mkdir_p(dir, 0755) < 0) {
			/* An unprivileged user (rootless) usually owns no
			 * cgroup: without limits to apply, go on without
			 * one, as runc does. */
			bool refused = denied(errno);
			if (geteuid() != 0 && refused && (!r || !cg_wanted(r))) {
				log_debug("cgroup %s: %m; running without a cgroup", dir);
				for (int k = 0; k < i; k++) {
					cg_dir(&c, k, dir, sizeof(dir));
					rmdir(dir);
				}
				return 1;
			}
			return log_error("cgroup %s: %m%s", dir, geteuid() != 0 && refused ?
					 " (an unprivileged user cannot apply linux.resources here)" : "");
		}
		if (!hier_v2(&c.h[i]) && has_word(c.h[i].opts, "cpuset", ",") && cpuset_init(c.h[i].mnt, dir) < 0)
			return -1;
		if (hier_v2(&c.h[i]))
			v2_enable_controllers(c.h[i].mnt, dir);
	}
	/* Limits are in place before the process is: nothing runs unlimited. */
	if (r && cg_apply(&c, r) < 0)
		return -1;
	/* Opened now, so the process can join from inside its own mount
	 * namespace. v1: "tasks", which a single-threaded process joins by
	 * writing 0 without the kernel's global threadgroup lock (whose RCU
	 * grace period costs 5-20 ms per start); v2: cgroup.procs, and the
	 * directory for clone3(CLONE_INTO_CGROUP), which needs no move. */
	for (int i = 0; i < c.n; i++) {
		char dir[512], file[600];
		cg_dir(&c, i, dir, sizeof(dir));
		snprintf(file, sizeof(file), "%s/%s", dir, hier_v2(&c.h[i]) ? "cgroup.procs" : "tasks");
		j->fds[j->n] = openat(AT_FDCWD, file, O_WRONLY | O_CLOEXEC);
		if (j->fds[j->n] < 0) {
			cgroup_join_close(j);
			return log_error("cgroup %s: %m", file);
		}
		j->v2[j->n++] = hier_v2(&c.h[i]);
		if (hier_v2(&c.h[i]) && (j->v2_dir = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			cgroup_join_close(j);
			return log_error("cgroup %s: %m", dir);
		}
	}
	return 0;
}

/* Write `value` to every join file not yet done (v2: unless born there). */
static int join_write(struct cgroup_join *j, const char *value)
{
	for (int i = 0; i < j->n; i++) {
		bool v2 = !ENABLE_CGROUP_V1 || j->v2[i];
		if (v2 && j->born_in_v2)
			continue;
		if (write(j->fds[i], value, strlen(value)) < 0)
			return log_error("cgroup: joining (%s): %m", v2 ? "cgroup.procs" : "tasks");
	}
	return 0;
}

int cgroup_join_self(struct cgroup_join *j)
{
	return join_write(j, "0");
}

int cgroup_join_pid(struct cgroup_join *j, pid_t pid)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", (int)pid);
	return join_write(j, v);
}

void cgroup_join_close(struct cgroup_join *j)
{
	for (int i = 0; i < j->n; i++)
		close(j->fds[i]);
	if (j->v2_dir >= 0)
		close(j->v2_dir);
	j->n = 0;
	j->v2_dir = -1;
}

/* The cgroup went away: never there (ENOENT), or removed while we read
 * it (ENODEV: systemd collecting an emptied scope, another delete). */
static bool cg_gone(int e) { return e == ENOENT || e == ENODEV; }

void cg_walk_tree(int dirfd, const char *name, struct cg_walk *w)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 && w->visit(w, fd) ? fdopendir(fd) : NULL;
	if (!d) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (!cg_gone(e) && !w->error)
			w->error = e;
		return;
	}
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			cg_walk_tree(fd, e->d_name, w);
	closedir(d);
}

/* The pids of a cgroup and of every cgroup below it: with a writable
 * cgroup mount a container's processes move into cgroups of its own
 * making, and a signal or `ps` must reach them there too (runc and crun
 * read the whole tree as well). A cgroup removed meanwhile has none; one
 * that cannot be read is noted and the rest still read, so that a
 * container cannot hide its other processes from a kill by making one
 * cgroup unreadable (too deep for the open-file limit). */
struct pid_list {
	struct cg_walk w;	/* first: the visit's argument */
	pid_t *v;
	size_t n, cap;
};

static bool add_pids(struct cg_walk *w, int fd)
{
	struct pid_list *l = (struct pid_list *)w;
	char *text = read_file_at(fd, "cgroup.procs", NULL);
	if (!text)
		return false;
	for (char *save, *t = strtok_r(text, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 16;
			pid_t *bigger = realloc(l->v, cap * sizeof(*l->v));
			if (!bigger) {
				w->error = ENOMEM;
				break;
			}
			l->v = bigger;
			l->cap = cap;
		}
		l->v[l->n++] = (pid_t)str_u64_at(t);
	}
	free(text);
	return true;
}

/* quiet: a second read of the same tree, whose warning the first gave. */
static int read_pids(const char *path, pid_t **pids, size_t *count, bool quiet)
{
	struct cgroup_ctx c;
	*pids = NULL;
	*count = 0;
	if (cg_open(&c, path) < 0)
		return -1;
	if (c.n == 0)
		return 0;
	/* Every hierarchy holds all of the container's processes, each in
	 * the container's cgroup or below it; prefer v2 if present. */
	char dir[512];
	cg_dir(&c, c.v2 >= 0 ? c.v2 : 0, dir, sizeof(dir));
	struct pid_list l = { { add_pids, 0 }, NULL, 0, 0 };
	cg_walk_tree(AT_FDCWD, dir, &l.w);
	if (l.w.error) {
		errno = l.w.error;
		if (!l.n) {
			free(l.v);
			return log_error("%s: reading cgroup.procs: %m", dir);
		}
		if (!quiet)
			log_warn("%s: a cgroup below it cannot be read, its processes are left out: %m", dir);
	}
	*pids = l.v;
	*count = l.n;
	return 0;
}

int cgroup_pids(const char *path, pid_t **pids, size_t *count)
{
	return read_pids(path, pids, count, false);
}

static bool pid_listed(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* SIGKILL to the whole tree by the kernel, in one write (v2's cgroup.kill,
 * 5.14+): no process forks a child past it, and none sits too deep in
 * the tree for add_pids to find. -1 where there is no such file. */
static int kill_tree(const char *path)
{
	struct cgroup_ctx c;
	char dir[512], file[600];
	if (cg_open(&c, path) < 0 || c.v2 < 0)
		return -1;
	cg_dir(&c, c.v2, dir, sizeof(dir));
	str_cat(file, sizeof(file), dir, "/cgroup.kill", (char *)NULL);
	return write_kernel_file(file, "1", 1);
}

/* A pid read from cgroup.procs may be gone, and taken by a process
 * elsewhere, before the signal goes: each is pinned by a pidfd, and
 * signalled only if the cgroup still lists its pid once all are
 * pinned. The pidfd then holds that member, or a process that has died
 * meanwhile (ESRCH). Without pidfds (before 5.3), kill(2). */
static int signal_members(const char *path, int sig)
{
	pid_t *pids, *now;
	size_t n, n_now;
	if (cgroup_pids(path, &pids, &n) < 0)
		return -1;
	int *fds = malloc((n + 1) * sizeof(*fds));
	for (size_t i = 0; fds && i < n; i++)
		fds[i] = pidfd_open_compat(pids[i]);
	if (fds && read_pids(path, &now, &n_now, true) == 0) {
		for (size_t i = 0; i < n; i++)
			if (pid_listed(now, n_now, pids[i]) && pidfd_signal(fds[i], pids[i], sig) < 0 && errno != ESRCH)
				log_warn("kill %d: %m", (int)pids[i]);
		free(now);
	}
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(pids);
	return 0;
}

/* Any other signal than SIGKILL goes with the members frozen, as runc
 * sends them: a process that forks between the read of the members and
 * the signal would leave a child the signal misses (a chain of short
 * lives, each forking the next, outlived every kill --all TERM). A
 * SIGKILL that the kernel cannot send itself (v1, before 5.14) is not
 * held: its thaw (cgroup_thaw_killed) must not wait on a member that
 * does not freeze, and delete kills until none is left. */
int cgroup_kill_all(const char *path, int sig)
{
	if (sig == SIGKILL) {
		int r = kill_tree(path) == 0 ? 0 : signal_members(path, sig);
		cgroup_thaw_killed(path);
		return r;
	}
	bool held = cgroup_hold(path);
	int r = signal_members(path, sig);
	if (held && cgroup_freeze(path, false) < 0)
		r = -1;
	return r;
}

bool cgroup_is_empty(const char *path)
{
	pid_t *pids;
	size_t n;
	if (cgroup_pids(path, &pids, &n) < 0)
		return true;
	free(pids);
	return n == 0;
}

int cgroup_events_open(const char *path)
{
	struct cgroup_ctx c;
	char dir[512], file[600];
	if (cg_open(&c, path) < 0 || c.v2 < 0)
		return -1;
	cg_dir(&c, c.v2, dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/cgroup.events", dir);
	int fd = openat(AT_FDCWD, file, O_RDONLY | O_CLOEXEC);
	char buf[256];
	if (fd >= 0 && read(fd, buf, sizeof(buf)) < 0) {	/* armed from now on */
		close(fd);
		fd = -1;
	}
	return fd;
}

struct rmdir_try {
	const char *dir;
	int err;
};

static bool rmdir_done(void *arg)
{
	struct rmdir_try *t = arg;
	int r = rmdir(t->dir);
	/* EBUSY: processes not yet gone, or cgroups made below it (a
	 * read-write cgroup mount lets the container's processes make them,
	 * as systemd inside does): each goes before its parent. Its control
	 * files cannot be unlinked, and need not be. */
	if (r < 0 && errno == EBUSY) {
		remove_tree(t->dir);
		r = rmdir(t->dir);
	}
	t->err = r < 0 && !cg_gone(errno) ? errno : 0;
	return t->err != EBUSY;
}

int cgroup_remove(const char *path)
{
	struct cgroup_ctx c;
	int r = 0;
	if (!strcmp(path, "/") || cg_open(&c, path) < 0)
		return 0;
	/* Just-killed processes leave the cgroup asynchronously: EBUSY
	 * until then, for up to a second; v2 says when in cgroup.events. */
	int events = cgroup_events_open(path);
	for (int i = 0; i < c.n; i++) {
		char dir[512];
		cg_dir(&c, i, dir, sizeof(dir));
		struct rmdir_try t = { dir, 0 };
		wait_for(rmdir_done, &t, events, POLLPRI, 1000);
		if (t.err) {
			errno = t.err;
			r = log_error("cgroup %s: %m", dir);
		}
	}
	if (events >= 0)
		close(events);
	return r;
}

static int bind_cgroup_dir(int rootfd, const char *src, const char *dest, unsigned long flags)
{
	if (mount_at(rootfd, dest, INROOT_MKDIR, src, NULL, MS_BIND, NULL) < 0)
		return log_error("cgroup mount: binding %s on %s: %m", src, dest);
	if (remount_at(rootfd, dest, 0, MS_BIND | (flags & MOUNT_ATTR_FLAGS), NULL) < 0)
		return log_error("cgroup mount: remounting %s: %m", dest);
	return 0;
}

int cgroup_mount(int rootfd, const char *dest, const char *path, unsigned long flags, bool cgroupns)
{
	struct cgroup_ctx c;
	if (cg_open(&c, path) < 0)
		return -1;
	bool pure_v2 = c.n == 1 && c.v2 == 0;
	/* A fresh cgroup2 mount shows the cgroup namespace's root. Some
	 * kernels refuse it from a user namespace (EBUSY, EPERM); the bind
	 * mount of the container's own cgroup shows the same, as crun does. */
	if (pure_v2 && cgroupns && mount_at(rootfd, dest, INROOT_MKDIR, "cgroup2", "cgroup2", flags & MOUNT_ATTR_FLAGS, NULL) == 0)
		return 0;
	if (pure_v2 && cgroupns && errno != EBUSY && errno != EPERM)
		return log_error("cgroup mount: %s: %m", dest);
	char src[600];
	if (pure_v2) {
		cg_dir(&c, 0, src, sizeof(src));
		return bind_cgroup_dir(rootfd, src, dest, flags);
	}
	if (mount_at(rootfd, dest, INROOT_MKDIR, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return log_error("cgroup mount: tmpfs on %s: %m", dest);
	/* Everything below is in that fresh tmpfs, ours alone. */
	int tmpfd = mounted_at(rootfd, dest, 0);
	if (tmpfd < 0)
		return log_error("cgroup mount: %s: %m", dest);
	int r = 0;
	/* v1's hierarchies (without CGROUP_V1, only "no cgroup at all" comes
	 * here, and the tmpfs stays empty). */
	for (int i = 0; ENABLE_CGROUP_V1 && r == 0 && i < c.n; i++) {
		const char *name = strrchr(c.h[i].mnt, '/');
		name = name ? name + 1 : c.h[i].mnt;
		cg_dir(&c, i, src, sizeof(src));
		r = bind_cgroup_dir(tmpfd, src, name, flags);
		/* "cpu,cpuacct" is also reachable as cpu and cpuacct. */
		char list[256];
		snprintf(list, sizeof(list), "%s", name);
		for (char *save, *t = strtok_r(list, ",", &save); r == 0 && strchr(name, ',') && t; t = strtok_r(NULL, ",", &save))
			if (symlinkat(name, tmpfd, t) < 0 && errno != EEXIST)
				r = log_error("cgroup mount: %s/%s: %m", dest, t);
	}
	close(tmpfd);
	if (r == 0 && (flags & MS_RDONLY) &&
	    remount_at(rootfd, dest, 0, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		r = log_error("cgroup mount: remounting %s read-only: %m", dest);
	return r;
}
