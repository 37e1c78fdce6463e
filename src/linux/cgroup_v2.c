/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources translated for the unified hierarchy, with the
 * conversions runc and crun use, so that one config.json means the same
 * under every runtime. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "cgroup_fs.h"

/* A v1-only setting: refused if it asks for something, as runc does. */
static int v1_only(const struct resources *r, enum res_scalar f, bool warn_only)
{
	if (!res_has(r, f))
		return 0;
	if (warn_only) {
		log_warn("linux.resources.%s: ignored on cgroup v2", res_scalar_name(f));
		return 0;
	}
	return log_error("linux.resources.%s: not supported on cgroup v2", res_scalar_name(f));
}

/* The current value of one field of a v2 file ("max 100000" -> field 0). */
static int64_t current_field(const char *dir, const char *file, int field, int64_t fallback)
{
	char *v = cg_read(dir, file);
	int64_t out = fallback;
	char *save, *t = v ? strtok_r(v, " \n", &save) : NULL;
	for (int i = 0; t && i < field; i++)
		t = strtok_r(NULL, " \n", &save);
	if (t)
		out = !strcmp(t, "max") ? -1 : (int64_t)str_u64_at(t);
	free(v);
	return out;
}

int cgv2_memory(const char *dir, const struct resources *r)
{
	char buf[32];
	/* kernel memory is always accounted and has no own limit on v2;
	 * hierarchy is always on; the OOM killer cannot be turned off. */
	if (v1_only(r, R_MEM_KERNEL, true) < 0 || v1_only(r, R_MEM_KERNEL_TCP, true) < 0 ||
	    v1_only(r, R_MEM_USE_HIERARCHY, true) < 0 || v1_only(r, R_MEM_DISABLE_OOM_KILLER, true) < 0 ||
	    v1_only(r, R_MEM_SWAPPINESS, false) < 0)
		return -1;
	if (res_has(r, R_MEM_RESERVATION) &&
	    cg_write(dir, "memory.low", cg_limit(r->v[R_MEM_RESERVATION], buf, sizeof(buf)), "memory.reservation") < 0)
		return -1;
	/* The spec's swap is memory+swap (v1's memsw); v2 limits swap alone. */
	if (res_has(r, R_MEM_SWAP)) {
		int64_t swap = r->v[R_MEM_SWAP];
		int64_t limit = res_has(r, R_MEM_LIMIT) ? r->v[R_MEM_LIMIT] : current_field(dir, "memory.max", 0, -1);
		int64_t swap_only = swap < 0 ? -1 : limit < 0 ? -2 : swap - limit;
		if (swap_only == -2 || (swap >= 0 && swap_only < 0))
			return log_error("linux.resources.memory.swap: %lld must be at least memory.limit (%lld)",
					 (long long)swap, (long long)limit);
		if (!cg_has_file(dir, "memory.swap.max"))
			return log_error("linux.resources.memory.swap: this kernel has no swap accounting (memory.swap.max)");
		/* Lowering: memory first keeps usage within both at each step. */
		if (res_has(r, R_MEM_LIMIT) &&
		    cg_write(dir, "memory.max", cg_limit(limit, buf, sizeof(buf)), "memory.limit") < 0)
			return -1;
		return cg_write(dir, "memory.swap.max", cg_limit(swap_only, buf, sizeof(buf)), "memory.swap");
	}
	if (res_has(r, R_MEM_LIMIT) &&
	    cg_write(dir, "memory.max", cg_limit(r->v[R_MEM_LIMIT], buf, sizeof(buf)), "memory.limit") < 0)
		return -1;
	return 0;
}

int cgv2_cpu(const char *dir, const struct resources *r)
{
	if (v1_only(r, R_CPU_RT_RUNTIME, false) < 0 || v1_only(r, R_CPU_RT_PERIOD, false) < 0)
		return -1;
	if (res_has(r, R_CPU_SHARES)) {
		uint64_t weight = res_shares_to_weight((uint64_t)r->v[R_CPU_SHARES]);
		if (cg_writef(dir, "cpu.weight", "cpu.shares", "%llu", (unsigned long long)weight) < 0)
			return -1;
	}
	if (res_has(r, R_CPU_QUOTA) || res_has(r, R_CPU_PERIOD)) {
		/* cpu.max holds both: keep the half not being changed. */
		int64_t quota = res_has(r, R_CPU_QUOTA) ? r->v[R_CPU_QUOTA] : current_field(dir, "cpu.max", 0, -1);
		int64_t period = res_has(r, R_CPU_PERIOD) ? r->v[R_CPU_PERIOD] : current_field(dir, "cpu.max", 1, 100000);
		char buf[32];
		if (cg_writef(dir, "cpu.max", "cpu.quota", "%s %lld", cg_limit(quota, buf, sizeof(buf)),
			      (long long)period) < 0)
			return -1;
	}
	if (res_has(r, R_CPU_BURST) &&
	    cg_writef(dir, "cpu.max.burst", "cpu.burst", "%lld", (long long)r->v[R_CPU_BURST]) < 0)
		return -1;
	if (res_has(r, R_CPU_IDLE) && cg_writef(dir, "cpu.idle", "cpu.idle", "%lld", (long long)r->v[R_CPU_IDLE]) < 0)
		return -1;
	return 0;
}

/* blkio weight [10, 1000] onto io.weight [1, 10000] (runc's mapping);
 * BFQ's io.bfq.weight takes the v1 range as it is. */
static uint64_t io_weight(uint64_t w, bool bfq)
{
	return bfq ? w : 1 + (w - 10) * 9999 / 990;
}

int cgv2_io(const char *dir, const struct resources *r)
{
	static const char *const keys[THROTTLES] = { "rbps", "wbps", "riops", "wiops" };
	if (v1_only(r, R_BLKIO_LEAF_WEIGHT, true) < 0)
		return -1;
	bool bfq = cg_has_file(dir, "io.bfq.weight");
	const char *file = bfq ? "io.bfq.weight" : "io.weight";
	bool weights = res_has(r, R_BLKIO_WEIGHT) || r->n_weight_devices;
	if (weights && !cg_has_file(dir, file))
		return log_error("linux.resources.blockIO.weight: this kernel has no proportional I/O control "
				 "for cgroups (neither io.bfq.weight nor io.weight)");
	if (res_has(r, R_BLKIO_WEIGHT) &&
	    cg_writef(dir, file, "blockIO.weight", "%llu", (unsigned long long)io_weight((uint64_t)r->v[R_BLKIO_WEIGHT], bfq)) < 0)
		return -1;
	for (size_t i = 0; i < r->n_weight_devices; i++) {
		const struct res_blkio_device *d = &r->weight_devices[i];
		if (d->has_value && cg_writef(dir, file, "blockIO.weightDevice", "%lld:%lld %llu", (long long)d->major,
					      (long long)d->minor, (unsigned long long)io_weight(d->value, bfq)) < 0)
			return -1;
	}
	for (int t = 0; t < THROTTLES; t++)
		for (size_t i = 0; i < r->n_throttle[t]; i++) {
			const struct res_blkio_device *d = &r->throttle[t][i];
			if (cg_writef(dir, "io.max", "blockIO.throttle", "%lld:%lld %s=%llu", (long long)d->major,
				      (long long)d->minor, keys[t], (unsigned long long)d->value) < 0)
				return -1;
		}
	return 0;
}

int cgv2_hugetlb(const char *dir, const struct resources *r)
{
	return cg_hugetlb(dir, r, "max");
}

