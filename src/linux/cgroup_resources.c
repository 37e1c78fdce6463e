/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources onto the cgroup, one controller at a time, each through
 * the hierarchy that has it: on a hybrid host memory may be a v1
 * controller while hugetlb is only on the unified hierarchy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include "berth/linux/cgroup.h"
#include "berth/config.h"
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "cgroup_fs.h"

#define ANY(r, mask) (((r)->set & (mask)) != 0)
#define BIT(f) (1ull << (f))

static bool want_memory(const struct resources *r)
{
	return ANY(r, BIT(R_MEM_LIMIT) | BIT(R_MEM_RESERVATION) | BIT(R_MEM_SWAP) | BIT(R_MEM_KERNEL) |
		   BIT(R_MEM_KERNEL_TCP) | BIT(R_MEM_SWAPPINESS) | BIT(R_MEM_DISABLE_OOM_KILLER) |
		   BIT(R_MEM_USE_HIERARCHY));
}
static bool want_cpu(const struct resources *r)
{
	return ANY(r, BIT(R_CPU_SHARES) | BIT(R_CPU_QUOTA) | BIT(R_CPU_BURST) | BIT(R_CPU_PERIOD) |
		   BIT(R_CPU_RT_RUNTIME) | BIT(R_CPU_RT_PERIOD) | BIT(R_CPU_IDLE));
}
static bool want_cpuset(const struct resources *r) { return r->cpus || r->mems; }
/* A share comes from a service file (CONFIG_INI): no build without
 * one carries tasks_share. */
static bool share_pids(const struct resources *r) { return ENABLE_INI && !res_has(r, R_PIDS_LIMIT) && r->pids_share > 0; }
static bool want_pids(const struct resources *r) { return res_has(r, R_PIDS_LIMIT) || share_pids(r); }
static bool want_blkio(const struct resources *r)
{
	size_t n = r->n_weight_devices;
	for (int t = 0; t < THROTTLES; t++)
		n += r->n_throttle[t];
	return n || ANY(r, BIT(R_BLKIO_WEIGHT) | BIT(R_BLKIO_LEAF_WEIGHT));
}
static bool want_hugetlb(const struct resources *r) { return r->n_hugepages > 0; }
static bool want_net_cls(const struct resources *r) { return res_has(r, R_NET_CLASS_ID); }
static bool want_net_prio(const struct resources *r) { return r->n_net_priorities > 0; }
static bool want_devices(const struct resources *r) { return r->has_devices; }
static bool want_rdma(const struct resources *r) { return r->n_rdma > 0; }

/* Settings both versions spell alike. */
static int cg_cpuset(const char *dir, const struct resources *r)
{
	if (r->cpus && cg_write(dir, "cpuset.cpus", r->cpus, "cpu.cpus") < 0)
		return -1;
	if (r->mems && cg_write(dir, "cpuset.mems", r->mems, "cpu.mems") < 0)
		return -1;
	return 0;
}

/* A count from a file: 0 if there is none, INT64_MAX for "max". */
static int64_t read_count(const char *dir, const char *file)
{
	char *text = cg_read(dir, file);
	int64_t v = !text ? 0 : strncmp(text, "max", 3) ? (int64_t)str_u64_at(text) : INT64_MAX;
	free(text);
	return v;
}

/* share percent of the tasks the host allows dir: the kernel's pid_max
 * and threads-max, and the pids.max of each cgroup above it; -1 (max)
 * where none of them can be read. */
static int64_t tasks_share(const char *dir, int share)
{
	static const char *const kernel[] = { "pid_max", "threads-max" };
	int64_t most = INT64_MAX;
	for (size_t i = 0; i < ARRAY_SIZE(kernel); i++) {
		int64_t v = read_count("/proc/sys/kernel", kernel[i]);
		if (v > 0 && v < most)
			most = v;
	}
	char up[512];
	snprintf(up, sizeof(up), "%s", dir);
	for (char *slash; (slash = strrchr(up, '/')) && slash > up;) {
		*slash = 0;
		int64_t v = read_count(up, "pids.max");
		if (!v)		/* the root has none */
			break;
		if (v < most)
			most = v;
	}
	if (most == INT64_MAX)
		return -1;
	return most * share / 100 > 0 ? most * share / 100 : 1;
}

static int cg_pids(const char *dir, const struct resources *r)
{
	char buf[32];
	int64_t v = share_pids(r) ? tasks_share(dir, r->pids_share) : r->v[R_PIDS_LIMIT];
	return cg_write(dir, "pids.max", cg_limit(v, buf, sizeof(buf)), "pids.limit");
}

static int cg_rdma(const char *dir, const struct resources *r)
{
	for (size_t i = 0; i < r->n_rdma; i++)
		if (cg_writef(dir, "rdma.max", "rdma", "%s %s", r->rdma[i].key, r->rdma[i].value) < 0)
			return -1;
	return 0;
}

int cg_hugetlb(const char *dir, const struct resources *r, const char *suffix)
{
	for (size_t i = 0; i < r->n_hugepages; i++) {
		char file[64];
		snprintf(file, sizeof(file), "hugetlb.%s.%s", r->hugepages[i].page_size, suffix);
		if (!cg_has_file(dir, file))
			return log_error("linux.resources.hugepageLimits: this kernel has no %s huge pages",
					 r->hugepages[i].page_size);
		if (cg_writef(dir, file, "hugepageLimits", "%llu", (unsigned long long)r->hugepages[i].limit) < 0)
			return -1;
	}
	return 0;
}

#ifdef CONFIG_CGROUP_V1
#define V1(fn) fn
#else
#define V1(fn) NULL
#endif
#ifdef CONFIG_CGROUP_V2
#define V2(fn) fn
#else
#define V2(fn) NULL
#endif
#ifdef CONFIG_CGROUP_BPF_DEVICES
#define V2_DEVICES cgv2_devices
#else
#define V2_DEVICES NULL
#endif

const struct cg_controller cg_controllers[] = {
	{ "cpuset", "cpuset", "cpu.cpus/mems", want_cpuset, cg_cpuset, cg_cpuset },
	{ "memory", "memory", "memory", want_memory, V1(cgv1_memory), V2(cgv2_memory) },
	{ "cpu", "cpu", "cpu", want_cpu, V1(cgv1_cpu), V2(cgv2_cpu) },
	{ "pids", "pids", "pids", want_pids, cg_pids, cg_pids },
	{ "blkio", "io", "blockIO", want_blkio, V1(cgv1_blkio), V2(cgv2_io) },
	{ "hugetlb", "hugetlb", "hugepageLimits", want_hugetlb, V1(cgv1_hugetlb), V2(cgv2_hugetlb) },
	{ "net_cls", NULL, "network.classID", want_net_cls, V1(cgv1_net_cls), NULL },
	{ "net_prio", NULL, "network.priorities", want_net_prio, V1(cgv1_net_prio), NULL },
	{ "rdma", "rdma", "rdma", want_rdma, cg_rdma, cg_rdma },
	/* v2 has no devices controller: an eBPF program attached to the
	 * cgroup does its job, so "devices" stands for that there. */
	{ "devices", "", "devices", want_devices, V1(cgv1_devices), V2_DEVICES },
};
const size_t cg_n_controllers = ARRAY_SIZE(cg_controllers);

static int apply_unified(const struct cgroup_ctx *c, const struct resources *r)
{
	if (!r->n_unified)
		return 0;
	if (c->v2 < 0)
		return log_error("linux.resources.unified: needs cgroup v2, and this host has no unified hierarchy");
	char dir[512];
	cg_dir(c, c->v2, dir, sizeof(dir));
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *key = r->unified[i].key;
		size_t n = strcspn(key, ".");
		char ctrl[64];
		snprintf(ctrl, sizeof(ctrl), "%.*s", (int)n, key);
		/* The kernel answers a write to a disabled controller's file
		 * with ENOENT: say which controller is missing instead. */
		bool enabled = !strcmp(ctrl, "cgroup") || cg_has_file(dir, key);
		if (!enabled)
			return log_error("linux.resources.unified: %s: no such file in %s (the %s controller is not enabled there)",
					 key, dir, ctrl);
		char field[300];
		snprintf(field, sizeof(field), "unified.%s", key);
		if (cg_write(dir, key, r->unified[i].value, field) < 0)
			return -1;
	}
	return 0;
}

bool cg_wanted(const struct resources *r)
{
	for (size_t i = 0; i < cg_n_controllers; i++)
		if (cg_controllers[i].wanted(r))
			return true;
	return r->n_unified > 0;
}

int cg_apply(const struct cgroup_ctx *c, const struct resources *r)
{
	for (size_t i = 0; i < cg_n_controllers; i++) {
		const struct cg_controller *k = &cg_controllers[i];
		if (!k->wanted(r))
			continue;
		char dir[512];
		int version = cg_controller(c, k->v1, k->v2, dir, sizeof(dir));
		if (!version && k->wanted == want_pids && share_pids(r))
			continue;	/* only a share of the host's tasks: nothing to share here */
		if (!version)
			return log_error("linux.resources.%s: this host has no %s controller%s", k->field, k->v1,
					 c->v2 >= 0 && k->v2 ? " (neither in cgroup v1 nor enabled in cgroup v2)" : "");
		int (*fn)(const char *, const struct resources *) = version == 1 ? k->apply_v1 : k->apply_v2;
		if (!fn)
			return log_error("linux.resources.%s: not supported on cgroup v%d%s", k->field, version,
					 version == 2 && !strcmp(k->v1, "devices") ? " in this build (CONFIG_CGROUP_BPF_DEVICES)" : "");
		if (fn(dir, r) < 0)
			return -1;
	}
	return apply_unified(c, r);
}

int cgroup_update(const char *path, const struct resources *r)
{
	struct cgroup_ctx c;
	if (cg_open(&c, path) < 0)
		return -1;
	return cg_apply(&c, r);
}

/* ---- freezer: v1 freezer.state, v2 cgroup.freeze ---- */

static int freezer(const struct cgroup_ctx *c, char *dir, size_t cap)
{
	if (ENABLE_CGROUP_V1 && cg_controller(c, "freezer", NULL, dir, cap))
		return 1;
	if (c->v2 < 0)
		return 0;
	cg_dir(c, c->v2, dir, cap);
	return cg_has_file(dir, "cgroup.freeze") ? 2 : 0;
}

/* version: 1 (only in a build with cgroup v1) or 2. */
static bool is_frozen(int version, const char *dir)
{
	bool v1 = ENABLE_CGROUP_V1 && version == 1;
	char *v = cg_read(dir, v1 ? "freezer.state" : "cgroup.events");
	bool frozen = v && (v1 ? !strncmp(v, "FROZEN", 6) : str_find(v, "frozen 1") != NULL);
	free(v);
	return frozen;
}

struct freeze_wait {
	int version;
	const char *dir;
	bool freeze;
};

static bool freeze_reached(void *arg)
{
	const struct freeze_wait *w = arg;
	return is_frozen(w->version, w->dir) == w->freeze;
}

static int write_freezer(int version, const char *dir, bool freeze)
{
	bool v1 = ENABLE_CGROUP_V1 && version == 1;
	return cg_write(dir, v1 ? "freezer.state" : "cgroup.freeze", v1 ? (freeze ? "FROZEN" : "THAWED") : (freeze ? "1" : "0"),
			"freezer");
}

enum freeze_how { THAW, FREEZE, HOLD };

/* HOLD freezes unless there is no freezer or the cgroup is frozen
 * already (paused), and says so by returning 1; a freeze it could not
 * complete is a warning, not an error (the signal goes unfrozen, as
 * runc sends it). Freezing completes asynchronously (v1 shows FREEZING
 * meanwhile; v2 says "frozen" in cgroup.events, with POLLPRI): waited
 * for, 2 s at most, and a freeze that does not complete is undone. */
static int freeze_to(const char *path, enum freeze_how how)
{
	struct cgroup_ctx c;
	char dir[512];
	if (cg_open(&c, path) < 0)
		return -1;
	int version = freezer(&c, dir, sizeof(dir));
	if (how == HOLD && (!version || is_frozen(version, dir)))
		return 1;
	if (!version)
		return log_error(ENABLE_CGROUP_V1 ? "cgroup %s: this host has no freezer (neither the v1 freezer controller nor cgroup.freeze)"
						  : "cgroup %s: this kernel has no freezer (cgroup.freeze, Linux 5.2)", path);
	bool freeze = how != THAW;
	if (write_freezer(version, dir, freeze) < 0)
		return -1;
	struct freeze_wait w = { version, dir, freeze };
	int events = version == 2 ? cgroup_events_open(path) : -1;
	int r = wait_for(freeze_reached, &w, events, POLLPRI, 2000);
	if (events >= 0)
		close(events);
	if (r == 0)
		return 0;
	if (freeze)
		write_freezer(version, dir, false);
#define NOT_WITHIN "cgroup %s: the container did not %s within 2 s"
	if (how == HOLD) {	/* the signal goes all the same */
		log_warn(NOT_WITHIN, path, "freeze");
		return -1;
	}
	return log_error(NOT_WITHIN, path, freeze ? "freeze" : "thaw");
}

int cgroup_freeze(const char *path, bool freeze)
{
	return freeze_to(path, freeze ? FREEZE : THAW);
}

bool cgroup_hold(const char *path)
{
	return *path && freeze_to(path, HOLD) == 0;
}

bool cgroup_is_frozen(const char *path)
{
	struct cgroup_ctx c;
	char dir[512];
	if (!*path || cg_open(&c, path) < 0)
		return false;
	int version = freezer(&c, dir, sizeof(dir));
	return version && is_frozen(version, dir);
}

/* v1: a frozen cgroup thawed. */
static bool thaw_v1(struct cg_walk *w, int fd)
{
	(void)w;
	char *state = read_file_at(fd, "freezer.state", NULL);
	if (state && strncmp(state, "THAWED", 6)) {
		int sfd = openat(fd, "freezer.state", O_WRONLY | O_CLOEXEC);
		if (sfd < 0 || write(sfd, "THAWED", 6) < 0)
			log_warn("thawing a cgroup below the container's: %m");
		if (sfd >= 0)
			close(sfd);
	}
	free(state);
	return true;
}

/* A paused container being killed is thawed, as runc does: a task frozen
 * by v1's freezer dies of SIGKILL only once thawed. And so is every
 * cgroup below it, since a thawed parent leaves a child that froze
 * itself frozen: a container with a writable cgroup mount could freeze
 * one of its own making and so outlive every kill (delete -f failed
 * with "Resource busy" and left it). v2's frozen tasks die of SIGKILL
 * frozen, so a v2-only build has nothing to do here. Not waited for: the
 * signal takes effect as each thaw completes, and the supervisor's loop,
 * which must not block, kills through here too. */
void cgroup_thaw_killed(const char *path)
{
	struct cgroup_ctx c;
	char dir[512];
	if (!ENABLE_CGROUP_V1 || !*path || cg_open(&c, path) < 0 || freezer(&c, dir, sizeof(dir)) != 1)
		return;
	struct cg_walk w = { thaw_v1, 0 };
	cg_walk_tree(AT_FDCWD, dir, &w);
}
