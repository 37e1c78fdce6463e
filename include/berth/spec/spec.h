/* SPDX-License-Identifier: Apache-2.0 */
/* The one in-memory description of a container.
 *
 * Every front-end (config.json, INI service files, CLI flags) fills a
 * struct spec; nothing after the parsers knows which format it came from.
 * All memory hangs off spec->arena and is released by spec_free(): parsers
 * may bail out at any point without leaking. */
#ifndef BERTH_SPEC_H
#define BERTH_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "berth/config.h"
#include "berth/util/arena.h"
#include "berth/spec/resources.h"
#include "berth/linux/seccomp.h"

/* The runtime spec version berth implements: what state JSON, `list -f
 * json`, the seccomp agent's message and `features` report. */
#define OCI_VERSION "1.2.0"

/* Namespace kinds, in the order they are joined or created. */
enum ns_kind { NS_USER, NS_PID, NS_NET, NS_IPC, NS_UTS, NS_MNT, NS_CGROUP, NS_TIME, NS_COUNT };

struct spec_namespace {
	bool wanted;		/* listed in linux.namespaces */
	const char *path;	/* join this one instead of creating; NULL: new */
};

struct spec_idmap {
	uint32_t container_id, host_id, size;
};

/* An idmapped bind mount (mount_setattr(MOUNT_ATTR_IDMAP)). */
enum mount_idmap { IDMAP_NONE, IDMAP_FLAT, IDMAP_RECURSIVE };

struct spec_mount {
	const char *destination;
	const char *type;	/* NULL for bind mounts without a type */
	const char *source;
	unsigned long flags;	/* MS_* to set */
	unsigned long clear;	/* MS_* explicitly cleared ("rw", "dev", ...) */
	unsigned long propagation; /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE [| MS_REC] */
	const char *data;	/* filesystem options, comma separated */
	bool bind;		/* "bind" or "rbind" in options, or type "bind" */
	bool recursive_bind;	/* "rbind" */
	bool copy_up;		/* "tmpcopyup": a tmpfs starts with what it covers */
	enum mount_idmap idmap;	/* "idmap", "ridmap", or mappings given */
	struct spec_idmap *uid_mappings, *gid_mappings;	/* none: the container's */
	size_t n_uid_mappings, n_gid_mappings;
};

struct spec_rlimit {
	int resource;		/* RLIMIT_* */
	uint64_t soft, hard;
};

struct spec_device {
	const char *path;
	char type;		/* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	mode_t mode;		/* permission bits; has_mode says if given */
	bool has_mode, has_uid, has_gid;
	uid_t uid;
	gid_t gid;
};

struct spec_hook {
	const char *path;
	const char *const *args;	/* NULL-terminated; NULL: argv = { path } */
	const char *const *env;		/* NULL-terminated; NULL: empty */
	int timeout;			/* seconds; 0: none */
};

enum hook_kind { HOOK_PRESTART, HOOK_CREATE_RUNTIME, HOOK_CREATE_CONTAINER,
		 HOOK_START_CONTAINER, HOOK_POSTSTART, HOOK_POSTSTOP, HOOK_KINDS };


/* Capability sets, one bit per CAP_* number. */
enum cap_set { CAPS_BOUNDING, CAPS_EFFECTIVE, CAPS_INHERITABLE, CAPS_PERMITTED,
	       CAPS_AMBIENT, CAP_SETS };

struct spec_process {
	bool terminal;
	uint32_t console_width, console_height;	/* consoleSize; 0: unset */
	const char *const *args;	/* NULL-terminated, at least one */
	const char *const *env;		/* NULL-terminated */
	const char *cwd;
	uid_t uid;
	gid_t gid;
	const gid_t *additional_gids;
	size_t n_additional_gids;
	bool has_umask;
	mode_t umask;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_caps;			/* "capabilities" given: else keep none */
	uint64_t caps[CAP_SETS];
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_io_priority;
	int io_class, io_priority;	/* IOPRIO_CLASS_* (1 RT, 2 BE, 3 IDLE), 0..7 */
	bool has_scheduler;
	struct spec_scheduler {
		int policy;		/* SCHED_* */
		int nice, priority;
		uint64_t flags;		/* SCHED_FLAG_* */
		uint64_t runtime, deadline, period;
	} scheduler;
	const char *apparmor_profile;
	const char *selinux_label;
};

struct spec {
	struct arena arena;
	const char *oci_version;
	const char *bundle;		/* absolute; set by the caller */
	const char *root_path;		/* absolute (resolved against bundle) */
	bool root_readonly;
	/* root_path names a squashfs or erofs file, mounted read-only from a
	 * loop device (service files only: IMAGE_ROOT, linux/image.c). */
	bool root_image;
	const char *root_digest;	/* "sha256:" + 64 hex digits, or NULL */
	/* A writable layer over the root (service files: overlay =). */
	enum spec_overlay { OVERLAY_NONE, OVERLAY_TMPFS, OVERLAY_DIR } overlay;
	int64_t overlay_size;		/* OVERLAY_TMPFS: bytes, 0: tmpfs's default */
	const char *overlay_dir;	/* OVERLAY_DIR: holds upper/ and work/ */
	const char *hostname;
	const char *domainname;
	struct spec_process process;

	struct spec_mount *mounts;
	size_t n_mounts;

	struct spec_namespace ns[NS_COUNT];
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	int64_t time_offsets[2][2];	/* [monotonic|boottime][secs|nanosecs] */
	bool has_time_offsets;

	struct spec_device *devices;
	size_t n_devices;
	const char *const *masked_paths;
	const char *const *readonly_paths;
	unsigned long rootfs_propagation;	/* 0: default (rslave, as runc) */
	struct spec_keyval *sysctl;
	size_t n_sysctl;
	const char *cgroups_path;
	bool has_personality;
	unsigned long personality;	/* PER_LINUX, PER_LINUX32 */
	const char *mount_label;	/* SELinux context for the container's mounts */
	struct resources resources;
	struct spec_seccomp *seccomp;	/* NULL: no filter */

	struct spec_hook *hooks[HOOK_KINDS];
	size_t n_hooks[HOOK_KINDS];

	struct spec_keyval *annotations;
	size_t n_annotations;
};

/* The user namespace the runtime makes or joins: none in a build
 * without CONFIG_USERNS, whose parser refuses one, so that its paths
 * (the helper process, the maps, the joins from outside) drop out there.
 * (spec_validate, which also checks for `berth check`'s other builds,
 * reads the spec's own fields.) */
static inline bool spec_userns(const struct spec *s)
{
	return ENABLE_USERNS && s->ns[NS_USER].wanted;
}
static inline const char *spec_userns_path(const struct spec *s)
{
	return ENABLE_USERNS ? s->ns[NS_USER].path : NULL;
}

/* An image file as the root: only service files name one, and only a
 * build with CONFIG_IMAGE_ROOT mounts it (the same reasoning). */
static inline bool spec_root_image(const struct spec *s)
{
	return ENABLE_IMAGE_ROOT && s->root_image;
}

/* Hooks of kind k to run: none in a build without CONFIG_HOOKS, whose
 * parser refuses them. */
static inline bool spec_hooks_of(const struct spec *s, enum hook_kind k)
{
	return ENABLE_HOOKS && s->n_hooks[k];
}

void spec_init(struct spec *s);
void spec_free(struct spec *s);

/* Checks that hold whatever the front-end: absolute paths, known values,
 * combinations the kernel would reject. Logs "what: why" and returns -1. */
int spec_validate(const struct spec *s);

/* config.json text -> spec. `origin` names the file in errors
 * ("config.json: process.args[0]: expected a string"). */
int oci_parse(struct spec *s, const char *json, size_t len, const char *origin);
/* bundle/config.json: its text (malloc'd, NUL-terminated) or NULL, logged. */
char *oci_read(const char *bundle, size_t *len);
/* Parse text read from `bundle` and resolve root.path against it. */
int oci_from_text(struct spec *s, const char *bundle, const char *text, size_t len);
int oci_load(struct spec *s, const char *bundle);
/* A process object alone (exec --process FILE) replaces s->process. */
int oci_process_from_text(struct spec *s, const char *text, size_t len, const char *origin);

/* runc's default config.json (rootless: the caller mapped to root);
 * returns its length. */
int default_spec_json(char *out, size_t cap, bool rootless);
/* The plain one, a constant of *len bytes. */
const char *default_spec(size_t *len);

const char *ns_name(enum ns_kind k);
int ns_clone_flag(enum ns_kind k);
/* A resource limit's name without "RLIMIT_" (RLIMIT_NOFILE: "NOFILE"),
 * "?" for none; and back (case-insensitive if asked), -1 for none. */
const char *rlimit_name(int resource);
int rlimit_from_name(const char *name, bool any_case);

#endif
