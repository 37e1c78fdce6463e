/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources: what a container may use, as the OCI spec words it
 * (cgroup v1 terms: shares, blkio, memory+swap). cgroup_v1.c writes it to
 * v1 controller files and cgroup_v2.c translates it for the unified
 * hierarchy, the way runc and crun convert it. `berth update` fills the
 * same type from flags or a resources.json. */
#ifndef BERTH_RESOURCES_H
#define BERTH_RESOURCES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Scalar settings; bit (1 << R_x) in `set` says the spec gave it. */
enum res_scalar {
	R_MEM_LIMIT, R_MEM_RESERVATION, R_MEM_SWAP, R_MEM_KERNEL, R_MEM_KERNEL_TCP,
	R_MEM_SWAPPINESS, R_MEM_DISABLE_OOM_KILLER, R_MEM_USE_HIERARCHY,
	R_CPU_SHARES, R_CPU_QUOTA, R_CPU_BURST, R_CPU_PERIOD, R_CPU_RT_RUNTIME, R_CPU_RT_PERIOD,
	R_CPU_IDLE, R_PIDS_LIMIT, R_BLKIO_WEIGHT, R_BLKIO_LEAF_WEIGHT, R_NET_CLASS_ID,
	R_SCALARS
};

/* blockIO.weightDevice[] and the throttle*Device[] lists. */
struct res_blkio_device {
	int64_t major, minor;
	uint64_t value;		/* weight or rate */
	uint64_t leaf_weight;
	bool has_value, has_leaf_weight;
};
enum res_throttle { THROTTLE_READ_BPS, THROTTLE_WRITE_BPS, THROTTLE_READ_IOPS, THROTTLE_WRITE_IOPS, THROTTLES };

/* linux.resources.devices[]: one cgroup device rule. */
struct res_device_rule {
	bool allow;
	char type;		/* 'a', 'c' or 'b' */
	int64_t major, minor;	/* -1: any ("*") */
	char access[4];		/* subset of "rwm" */
};

struct res_hugepage {
	const char *page_size;	/* "2MB", "1GB" as the kernel names them */
	uint64_t limit;
};

struct spec_keyval {
	const char *key, *value;
};

struct resources {
	uint64_t set;			/* bits of enum res_scalar */
	int64_t v[R_SCALARS];
	const char *cpus, *mems;	/* cpuset lists; NULL: not given */
	struct res_blkio_device *weight_devices;
	size_t n_weight_devices;
	struct res_blkio_device *throttle[THROTTLES];
	size_t n_throttle[THROTTLES];
	struct res_hugepage *hugepages;
	size_t n_hugepages;
	struct spec_keyval *net_priorities;	/* interface -> priority */
	size_t n_net_priorities;
	struct res_device_rule *devices;
	size_t n_devices;
	bool has_devices;		/* "devices" given (even empty) */
	bool devices_completed;		/* devices_cgroup_rules added its rules */
	struct spec_keyval *rdma;		/* device -> "hca_handle=N hca_object=N" */
	size_t n_rdma;
	struct spec_keyval *unified;		/* v2 file -> value */
	size_t n_unified;
	/* No pids.limit: this percent of the tasks the host allows the
	 * cgroup (pid_max, threads-max, the pids.max above it), where there
	 * is a pids controller: a service's pids.max = N%, 15 by default;
	 * 0: none. */
	int pids_share;
};

static inline bool res_has(const struct resources *r, enum res_scalar f)
{
	return r->set & (1ull << f);
}
static inline void res_put(struct resources *r, enum res_scalar f, int64_t v)
{
	r->set |= 1ull << f;
	r->v[f] = v;
}

/* runc's mapping of cpu shares [2, 262144] onto cgroup v2's (and
 * systemd's) weight [1, 10000]. */
static inline uint64_t res_shares_to_weight(uint64_t shares)
{
	return shares < 2 ? 1 : 1 + ((shares - 2) * 9999) / 262142;
}

/* How the scalar is named in config.json ("memory.limit"), for messages. */
const char *res_scalar_name(enum res_scalar f);

/* What `berth events` reports, in runc's units; 0 where unknown. */
struct cgroup_stats {
	bool has_cpu, has_memory, has_pids;
	uint64_t cpu_total_ns, cpu_user_ns, cpu_kernel_ns;
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_ns;
	uint64_t mem_usage, mem_limit, mem_max, mem_failcnt, swap_usage, swap_limit, oom_kills;
	uint64_t pids_current, pids_limit;
};

#endif
