/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/linux/cgroup*.c: the hierarchies found on this host and
 * where a container's cgroup lives in each. */
#ifndef BERTH_CGROUP_FS_H
#define BERTH_CGROUP_FS_H
#include <stdbool.h>
#include <stddef.h>
#include "berth/config.h"
#include "berth/linux/cgroup.h"
#include "berth/spec/resources.h"

#define MAX_HIERARCHIES CGROUP_MAX_HIERARCHIES

struct hierarchy {
	char mnt[256];		/* where it is mounted */
	char opts[256];		/* super options: controllers for v1 */
	bool v2;
};

/* A v1 hierarchy is found only with CONFIG_CGROUP_V1 (add_hierarchy
 * takes none otherwise); said here, the compiler drops the v1 paths
 * (cpuset set-up, "tasks", v1 controller names) from a v2-only build. */
static inline bool hier_v2(const struct hierarchy *h)
{
	return !ENABLE_CGROUP_V1 || h->v2;
}

/* One container's cgroup as one command sees it. The hierarchies are the
 * process's (cgroup.c reads mountinfo once, and again when it changes). */
struct cgroup_ctx {
	const char *path;	/* the container's cgroup, from each root */
	const struct hierarchy *h;
	int n;
	int v2;			/* index of the unified hierarchy, -1: none */
};

int cg_open(struct cgroup_ctx *c, const char *path);
/* h's directory for the container. */
void cg_dir(const struct cgroup_ctx *c, int h, char *out, size_t cap);

/* Where controller `v1name` (cgroup v1 spelling; `v2name` on the unified
 * hierarchy, NULL where v2 has none, "" for what v2 does without a
 * controller) is mounted for this container: a v1
 * hierarchy that has it, else the unified one if the container's cgroup
 * there lists it. Returns 1 (v1) or 2 (v2) with the directory in out, or
 * 0 when this host has no such controller. */
int cg_controller(const struct cgroup_ctx *c, const char *v1name, const char *v2name, char *out, size_t cap);

/* Each cgroup of the tree at dirfd/name, a parent before its children,
 * given to visit as an open directory; the first error of one that is
 * still there but cannot be opened, or that visit fails (errno), is kept
 * in error, and the walk goes on without what is below it. */
struct cg_walk {
	bool (*visit)(struct cg_walk *w, int dirfd);
	int error;
};
void cg_walk_tree(int dirfd, const char *name, struct cg_walk *w);

/* Write one cgroup file; errors name the spec field and the file. */
int cg_write(const char *dir, const char *file, const char *value, const char *field);
int cg_writef(const char *dir, const char *file, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A cgroup file's contents (malloc'd), NULL if missing. */
char *cg_read(const char *dir, const char *file);
bool cg_has_file(const char *dir, const char *file);

/* Each controller's settings, in each version's files. The same functions
 * serve create and `berth update`: each writes only what r sets. */
struct cg_controller {
	const char *v1, *v2;	/* names; NULL: that version has none (see cg_controller) */
	const char *field;	/* linux.resources.<field> in messages */
	bool (*wanted)(const struct resources *r);
	int (*apply_v1)(const char *dir, const struct resources *r);
	int (*apply_v2)(const char *dir, const struct resources *r);
};
extern const struct cg_controller cg_controllers[];
extern const size_t cg_n_controllers;
/* r asks for some limit. */
bool cg_wanted(const struct resources *r);
/* Every controller r asks for, then linux.resources.unified. */
int cg_apply(const struct cgroup_ctx *c, const struct resources *r);

/* cgroup_v1.c and cgroup_v2.c: one function per controller. */
int cgv1_memory(const char *dir, const struct resources *r);
int cgv1_cpu(const char *dir, const struct resources *r);
int cgv1_blkio(const char *dir, const struct resources *r);
int cgv1_hugetlb(const char *dir, const struct resources *r);
int cgv1_net_cls(const char *dir, const struct resources *r);
int cgv1_net_prio(const char *dir, const struct resources *r);
int cgv1_devices(const char *dir, const struct resources *r);
int cgv2_memory(const char *dir, const struct resources *r);
int cgv2_cpu(const char *dir, const struct resources *r);
int cgv2_io(const char *dir, const struct resources *r);
int cgv2_hugetlb(const char *dir, const struct resources *r);
/* cgroup_bpf.c: the v2 device controller is an eBPF program. */
int cgv2_devices(const char *dir, const struct resources *r);

/* hugetlb.<size>.<suffix> for each of r's page sizes. */
int cg_hugetlb(const char *dir, const struct resources *r, const char *suffix);
/* "max" for negative limits (v2 and pids), the number otherwise. */
const char *cg_limit(int64_t v, char *buf, size_t cap);

#endif
