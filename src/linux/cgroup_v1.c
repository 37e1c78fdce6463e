/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources in cgroup v1 files: the spec's own terms, so mostly a
 * number written where its name says. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "cgroup_fs.h"

/* Write scalar f of r to file if r sets it. */
static int write_scalar(const char *dir, const char *file, const struct resources *r, enum res_scalar f)
{
	if (!res_has(r, f))
		return 0;
	return cg_writef(dir, file, res_scalar_name(f), "%lld", (long long)r->v[f]);
}

/* A setting the kernel dropped (kmem limits are gone since 6.x kernels,
 * as runc notes): warn and go on, the container is no less confined. */
static int put_if_present(const char *dir, const char *file, const struct resources *r, enum res_scalar f)
{
	if (!res_has(r, f))
		return 0;
	if (!cg_has_file(dir, file)) {
		log_warn("linux.resources.%s: ignored, this kernel has no %s", res_scalar_name(f), file);
		return 0;
	}
	return write_scalar(dir, file, r, f);
}

int cgv1_memory(const char *dir, const struct resources *r)
{
	/* memsw (memory+swap) must stay >= the memory limit at every step:
	 * raising both goes swap first, lowering both goes memory first. */
	if (write_scalar(dir, "memory.limit_in_bytes", r, R_MEM_LIMIT) < 0) {
		if (!res_has(r, R_MEM_SWAP) || write_scalar(dir, "memory.memsw.limit_in_bytes", r, R_MEM_SWAP) < 0 ||
		    write_scalar(dir, "memory.limit_in_bytes", r, R_MEM_LIMIT) < 0)
			return -1;
	} else if (res_has(r, R_MEM_SWAP)) {
		if (!cg_has_file(dir, "memory.memsw.limit_in_bytes"))
			return log_error("linux.resources.memory.swap: this kernel has no swap accounting "
					 "(memory.memsw.limit_in_bytes; boot with swapaccount=1)");
		if (write_scalar(dir, "memory.memsw.limit_in_bytes", r, R_MEM_SWAP) < 0)
			return -1;
	}
	if (write_scalar(dir, "memory.soft_limit_in_bytes", r, R_MEM_RESERVATION) < 0 ||
	    put_if_present(dir, "memory.kmem.limit_in_bytes", r, R_MEM_KERNEL) < 0 ||
	    put_if_present(dir, "memory.kmem.tcp.limit_in_bytes", r, R_MEM_KERNEL_TCP) < 0 ||
	    write_scalar(dir, "memory.swappiness", r, R_MEM_SWAPPINESS) < 0 ||
	    put_if_present(dir, "memory.use_hierarchy", r, R_MEM_USE_HIERARCHY) < 0)
		return -1;
	if (res_has(r, R_MEM_DISABLE_OOM_KILLER) && r->v[R_MEM_DISABLE_OOM_KILLER] &&
	    cg_write(dir, "memory.oom_control", "1", "memory.disableOOMKiller") < 0)
		return -1;
	return 0;
}

int cgv1_cpu(const char *dir, const struct resources *r)
{
	/* The period first: a quota is checked against the current period. */
	if (write_scalar(dir, "cpu.shares", r, R_CPU_SHARES) < 0 || write_scalar(dir, "cpu.cfs_period_us", r, R_CPU_PERIOD) < 0 ||
	    write_scalar(dir, "cpu.cfs_quota_us", r, R_CPU_QUOTA) < 0 ||
	    put_if_present(dir, "cpu.cfs_burst_us", r, R_CPU_BURST) < 0 ||
	    put_if_present(dir, "cpu.idle", r, R_CPU_IDLE) < 0)
		return -1;
	if ((res_has(r, R_CPU_RT_PERIOD) || res_has(r, R_CPU_RT_RUNTIME)) && !cg_has_file(dir, "cpu.rt_runtime_us"))
		return log_error("linux.resources.cpu.realtimeRuntime: this kernel has no realtime group "
				 "scheduling (CONFIG_RT_GROUP_SCHED)");
	return write_scalar(dir, "cpu.rt_period_us", r, R_CPU_RT_PERIOD) < 0 ||
	       write_scalar(dir, "cpu.rt_runtime_us", r, R_CPU_RT_RUNTIME) < 0 ? -1 : 0;
}

static int blkio_devices(const char *dir, const char *file, const struct res_blkio_device *d, size_t n,
			 const char *field)
{
	for (size_t i = 0; i < n; i++)
		if (d[i].has_value && cg_writef(dir, file, field, "%lld:%lld %llu", (long long)d[i].major,
						(long long)d[i].minor, (unsigned long long)d[i].value) < 0)
			return -1;
	return 0;
}

int cgv1_blkio(const char *dir, const struct resources *r)
{
	static const char *const throttle_files[THROTTLES] = {
		"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
	};
	/* CFQ's blkio.weight is gone with CFQ; BFQ offers blkio.bfq.weight. */
	const char *weight = cg_has_file(dir, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
	bool weights = res_has(r, R_BLKIO_WEIGHT) || res_has(r, R_BLKIO_LEAF_WEIGHT) || r->n_weight_devices;
	if (weights && !cg_has_file(dir, weight))
		return log_error("linux.resources.blockIO.weight: this kernel has no proportional I/O scheduler "
				 "for cgroups (neither blkio.weight nor blkio.bfq.weight)");
	if (write_scalar(dir, weight, r, R_BLKIO_WEIGHT) < 0 || put_if_present(dir, "blkio.leaf_weight", r, R_BLKIO_LEAF_WEIGHT) < 0)
		return -1;
	char dev_file[64];
	snprintf(dev_file, sizeof(dev_file), "%s_device", weight);
	if (blkio_devices(dir, !strcmp(weight, "blkio.weight") ? dev_file : weight, r->weight_devices,
			  r->n_weight_devices, "blockIO.weightDevice") < 0)
		return -1;
	for (int t = 0; t < THROTTLES; t++)
		if (blkio_devices(dir, throttle_files[t], r->throttle[t], r->n_throttle[t], "blockIO.throttle") < 0)
			return -1;
	return 0;
}

int cgv1_hugetlb(const char *dir, const struct resources *r)
{
	return cg_hugetlb(dir, r, "limit_in_bytes");
}

int cgv1_net_cls(const char *dir, const struct resources *r)
{
	return write_scalar(dir, "net_cls.classid", r, R_NET_CLASS_ID);
}

int cgv1_net_prio(const char *dir, const struct resources *r)
{
	for (size_t i = 0; i < r->n_net_priorities; i++)
		if (cg_writef(dir, "net_prio.ifpriomap", "network.priorities", "%s %s", r->net_priorities[i].key,
			      r->net_priorities[i].value) < 0)
			return -1;
	return 0;
}

/* "c 1:3 rwm", with "*" for an absent number. */
static void device_rule_text(const struct res_device_rule *d, char *out, size_t cap)
{
	char major[16] = "*", minor[16] = "*";
	if (d->major >= 0)
		snprintf(major, sizeof(major), "%lld", (long long)d->major);
	if (d->minor >= 0)
		snprintf(minor, sizeof(minor), "%lld", (long long)d->minor);
	snprintf(out, cap, "%c %s:%s %s", d->type, major, minor, d->access);
}

/* The rules in order, each to devices.allow or devices.deny, as crun
 * does: "a" denied first turns the cgroup into an allow list. Each file
 * is opened once: the kernel takes each write as one rule. */
int cgv1_devices(const char *dir, const struct resources *r)
{
	int fds[2] = { -1, -1 }, ret = 0;	/* deny, allow */
	for (size_t i = 0; i < r->n_devices && ret == 0; i++) {
		const struct res_device_rule *d = &r->devices[i];
		char text[64], path[1024];
		if (d->type == 'a')
			snprintf(text, sizeof(text), "a");
		else
			device_rule_text(d, text, sizeof(text));
		int *fd = &fds[d->allow];
		snprintf(path, sizeof(path), "%s/%s", dir, d->allow ? "devices.allow" : "devices.deny");
		if ((*fd < 0 && (*fd = openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC)) < 0) || write_all(*fd, text, strlen(text)) < 0)
			ret = log_error("linux.resources.devices: writing \"%s\" to %s: %m", text, path);
	}
	for (int k = 0; k < 2; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	return ret;
}
