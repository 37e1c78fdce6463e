/* SPDX-License-Identifier: Apache-2.0 */
/* The build that will run a spec or a service file, and the features of
 * it that a file can ask for. For every command that runs containers it
 * is this build, fixed when it was compiled. `berth check` on a build
 * host checks files for another build, the device's: `--config FILE`
 * reads that build's Kconfig .config; without it, a build that runs
 * nothing (check_defconfig, host_defconfig) refuses no feature, since it
 * cannot know which the device has. */
#ifndef BERTH_SPEC_TARGET_H
#define BERTH_SPEC_TARGET_H
#include <stddef.h>
#include <sys/stat.h>
#include "berth/util/util.h"
#include "berth/config.h"

enum target_feature {
	TF_USERNS, TF_TERMINAL, TF_SCHED, TF_PERSONALITY, TF_SECCOMP, TF_HOOKS, TF_IMAGE_ROOT,
	TF_IDMAP_MOUNTS,
	/* Also read by parsers that this build may lack (a [network]
	 * section, image = NAME): checking them for another build needs
	 * them here too. */
	TF_NETWORK, TF_NET_PUBLISH, TF_IMAGE_STORE,
	TF_COUNT
};

/* A feature's Kconfig symbol, without CONFIG_. */
static inline const char *target_symbol(enum target_feature f)
{
	static const char *const symbols[TF_COUNT] = {
		[TF_USERNS] = "USERNS", [TF_TERMINAL] = "TERMINAL", [TF_SCHED] = "SCHED",
		[TF_PERSONALITY] = "PERSONALITY", [TF_SECCOMP] = "SECCOMP", [TF_HOOKS] = "HOOKS",
		[TF_IMAGE_ROOT] = "IMAGE_ROOT", [TF_IDMAP_MOUNTS] = "IDMAP_MOUNTS", [TF_NETWORK] = "NETWORK",
		[TF_NET_PUBLISH] = "NET_PUBLISH", [TF_IMAGE_STORE] = "IMAGE_STORE",
	};
	return symbols[f];
}

/* This build's features, as a mask of 1 << TF_*. */
#define TARGET_THIS_BUILD \
	((unsigned)ENABLE_USERNS << TF_USERNS | (unsigned)ENABLE_TERMINAL << TF_TERMINAL | \
	 (unsigned)ENABLE_SCHED << TF_SCHED | (unsigned)ENABLE_PERSONALITY << TF_PERSONALITY | \
	 (unsigned)ENABLE_SECCOMP << TF_SECCOMP | (unsigned)ENABLE_HOOKS << TF_HOOKS | \
	 (unsigned)ENABLE_IMAGE_ROOT << TF_IMAGE_ROOT | (unsigned)ENABLE_IDMAP_MOUNTS << TF_IDMAP_MOUNTS | \
	 (unsigned)ENABLE_NETWORK << TF_NETWORK | (unsigned)ENABLE_NET_PUBLISH << TF_NET_PUBLISH | \
	 (unsigned)ENABLE_IMAGE_STORE << TF_IMAGE_STORE)

#ifdef CONFIG_CMD_CHECK
extern unsigned target_features;
/* "this build", or "the build of FILE" after target_use_config. */
const char *target_build(void);
#define target_has(f) ((target_features >> (f)) & 1u)
/* Parse a Kconfig .config (text, NUL-terminated; path names it in
 * errors): the mask of its features, or -1 with an error (file:line)
 * for a line that is not .config or a build that runs no service files. */
long target_parse_config(const char *text, const char *path);
/* Read and parse FILE, and check every file against it from now on. */
int target_use_config(const char *path);

/* --sysroot DIR: the device's root filesystem as the image build has it.
 * Files that service files name (seccomp profiles, bundles, device
 * nodes) are looked up there, inside it (its absolute symlinks stay in
 * it), not on the build host. Given several (Buildroot's overlays, then
 * its target directory), the first that has a file gives it. */
int target_add_sysroot(const char *dir);
size_t target_sysroots(void);
/* For messages about such a file: "" or " (looked up in --sysroot)". */
const char *target_sysroot_note(void);
/* read_file and stat, through the sysroots when there are any. */
char *target_read_file(const char *path, size_t *len);
int target_stat(const char *path, struct stat *st);
#else
/* Compile-time constants: branches for what this build lacks vanish. */
#define target_has(f) ((TARGET_THIS_BUILD >> (f)) & 1u)
#define target_build() "this build"
#define target_sysroots() ((size_t)0)
#define target_sysroot_note() ""
#define target_read_file(path, len) read_file(path, len)
#define target_stat(path, st) stat(path, st)
#endif

#endif
