/* SPDX-License-Identifier: Apache-2.0 */
/* Rules that hold whatever file format the spec came from. Each failure
 * names the field the way config.json spells it. */
#include <string.h>
#include "berth/config.h"
#include "berth/util/log.h"
#include "berth/spec/spec.h"
#include "berth/spec/target.h"
#include "berth/util/util.h"

static int need_absolute(const char *what, const char *path)
{
	if (!path || path[0] != '/')
		return log_error("%s: \"%s\" is not an absolute path", what, path ? path : "");
	return 0;
}

static int check_paths(const char *what, const char *const *paths)
{
	for (size_t i = 0; paths && paths[i]; i++)
		if (need_absolute(what, paths[i]) < 0)
			return -1;
	return 0;
}

/* Which namespace makes a sysctl safe to set (as runc decides): anything
 * else would change the host. */
static enum ns_kind sysctl_namespace(const char *key)
{
	static const char *const ipc_keys[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	};
	for (size_t i = 0; i < ARRAY_SIZE(ipc_keys); i++)
		if (!strcmp(key, ipc_keys[i]))
			return NS_IPC;
	if (str_starts(key, "fs.mqueue."))
		return NS_IPC;
	if (str_starts(key, "net."))
		return NS_NET;
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
		return NS_UTS;
	return NS_COUNT;
}

static int validate_sysctl(const struct spec *s)
{
	for (size_t i = 0; i < s->n_sysctl; i++) {
		const char *key = s->sysctl[i].key;
		if (!*key || str_find(key, "..") || key[0] == '.' || key[0] == '/')
			return log_error("linux.sysctl: \"%s\" is not a sysctl name", key);
		enum ns_kind k = sysctl_namespace(key);
		if (k == NS_COUNT)
			return log_error("linux.sysctl: %s is not namespaced: setting it would change the host", key);
		if (!s->ns[k].wanted)
			return log_error("linux.sysctl: %s needs a %s namespace in linux.namespaces", key, ns_name(k));
	}
	return 0;
}

/* A spec that asks for what the build that runs it left out must fail,
 * not be half honoured (berth/spec/target.h: this build, or for `berth
 * check --config`, the device's). */
static int validate_build(const struct spec *s)
{
	const char *b = target_build();
	if (!target_has(TF_USERNS) && s->ns[NS_USER].wanted)
		return log_error("linux.namespaces: user namespaces are not in %s (CONFIG_USERNS)", b);
	if (!target_has(TF_TERMINAL) && s->process.terminal)
		return log_error("process.terminal: terminals are not in %s (CONFIG_TERMINAL)", b);
	if (!target_has(TF_SCHED) && (s->process.has_scheduler || s->process.has_io_priority))
		return log_error("process.scheduler/ioPriority: not in %s (CONFIG_SCHED)", b);
	if (!target_has(TF_PERSONALITY) && s->has_personality)
		return log_error("linux.personality: not in %s (CONFIG_PERSONALITY)", b);
	if (!target_has(TF_SECCOMP) && s->seccomp)
		return log_error("linux.seccomp: not in %s (CONFIG_SECCOMP)", b);
	for (int k = 0; !target_has(TF_HOOKS) && k < HOOK_KINDS; k++)
		if (s->n_hooks[k])
			return log_error("hooks: not in %s (CONFIG_HOOKS)", b);
	if (!target_has(TF_IMAGE_ROOT) && (s->root_image || s->overlay != OVERLAY_NONE || s->root_digest))
		return log_error("rootfs %s: image roots and overlays are not in %s (CONFIG_IMAGE_ROOT)",
				 s->root_path, b);
	return 0;
}

/* An image root and an overlay are mounted by berth inside the
 * container's mount namespace, by real root: squashfs and erofs cannot be
 * mounted in a user namespace, and a persistent upper layer would take
 * the namespace's ids. overlayfs takes its paths in a comma- and
 * colon-separated option string. */
static int validate_root_layers(const struct spec *s)
{
	const char *what = s->root_image ? "an image root" : "overlay =";
	if (!s->ns[NS_MNT].wanted)
		return log_error("rootfs %s: %s needs a mount namespace of its own", s->root_path, what);
	if (s->ns[NS_USER].wanted)
		return log_error("rootfs %s: %s is mounted by real root, not inside a user namespace", s->root_path, what);
	if (s->overlay != OVERLAY_NONE && s->root_readonly)
		return log_error("rootfs %s: overlay = makes the root writable and read-only = yes keeps it read-only: give one",
				 s->root_path);
	if (s->overlay != OVERLAY_NONE && strpbrk(s->root_path, ",:\\"))
		return log_error("rootfs %s: an overlay's lower layer cannot have ',', ':' or '\\' in its path", s->root_path);
	return 0;
}

/* The runtime spec on "idmap"/"ridmap" and a mount's uidMappings. */
static int validate_idmap(const struct spec *s, const struct spec_mount *m, size_t i)
{
	if (!target_has(TF_IDMAP_MOUNTS))
		return log_error("mounts[%zu].uidMappings: idmapped mounts are not in %s (CONFIG_IDMAP_MOUNTS)", i,
				 target_build());
	if (!m->bind)
		return log_error("mounts[%zu].options: \"idmap\" and \"ridmap\" apply to bind mounts only", i);
	if (!m->n_uid_mappings != !m->n_gid_mappings)
		return log_error("mounts[%zu]: uidMappings and gidMappings go together (the spec: both or neither)", i);
	if (!m->n_uid_mappings && !s->ns[NS_USER].wanted)
		return log_error("mounts[%zu]: an idmapped mount without uidMappings/gidMappings takes the container's "
				 "user namespace, and there is none", i);
	return 0;
}

static int needs_mount_ns(const char *field, const char *why)
{
	return log_error("%s: needs a mount namespace (linux.namespaces has no \"mount\"): %s", field, why);
}

/* No "mount" in linux.namespaces: the container shares the runtime's
 * mount namespace (the spec: an unlisted type is inherited) and its root
 * is a chroot into root.path, as crun does. What would have to be
 * mounted or created there would land in the host's mount table or its
 * files, so each such field is refused by name, not silently dropped. */
static int validate_without_mount_ns(const struct spec *s)
{
	if (s->n_mounts)
		return needs_mount_ns("mounts", "they would be made in the runtime's own mount namespace");
	if (s->masked_paths && s->masked_paths[0])
		return needs_mount_ns("linux.maskedPaths", "masking a path is a mount");
	if (s->readonly_paths && s->readonly_paths[0])
		return needs_mount_ns("linux.readonlyPaths", "protecting a path is a mount");
	if (s->root_readonly)
		return needs_mount_ns("root.readonly", "remounting the root would change the host's mount");
	if (s->n_devices)
		return needs_mount_ns("linux.devices", "the nodes would be made among the host's files");
	if (s->n_sysctl)
		return needs_mount_ns("linux.sysctl", "it is written through the container's own /proc");
	if (s->process.terminal)
		return needs_mount_ns("process.terminal", "the pty comes from the container's own devpts");
	if (s->rootfs_propagation)
		return needs_mount_ns("linux.rootfsPropagation", "it is that namespace's propagation");
	return 0;
}

int spec_validate(const struct spec *s)
{
	const struct spec_process *p = &s->process;
	if (validate_build(s) < 0)
		return -1;
	if (!s->ns[NS_MNT].wanted && validate_without_mount_ns(s) < 0)
		return -1;
	if (target_has(TF_IMAGE_ROOT) && (s->root_image || s->overlay != OVERLAY_NONE) && validate_root_layers(s) < 0)
		return -1;
	if (need_absolute("process.cwd", p->cwd) < 0 || validate_sysctl(s) < 0 ||
	    check_paths("linux.maskedPaths", s->masked_paths) < 0 ||
	    check_paths("linux.readonlyPaths", s->readonly_paths) < 0)
		return -1;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if (need_absolute("mounts[].destination", m->destination) < 0)
			return -1;
		if (m->idmap != IDMAP_NONE && validate_idmap(s, m, i) < 0)
			return -1;
		if (m->copy_up && (m->bind || !m->type || strcmp(m->type, "tmpfs")))
			return log_error("mounts[%zu].options: \"tmpcopyup\" applies to a tmpfs mount only (this one is %s)",
					 i, m->bind ? "a bind mount" : m->type ? m->type : "without a type");
	}
	for (size_t i = 0; i < s->n_devices; i++)
		if (need_absolute("linux.devices[].path", s->devices[i].path) < 0)
			return -1;
	for (int k = 0; k < HOOK_KINDS; k++)
		for (size_t i = 0; i < s->n_hooks[k]; i++)
			if (need_absolute("hooks[].path", s->hooks[k][i].path) < 0)
				return -1;
	/* Joined to each hierarchy's mount point as a string: a ".." would
	 * make and fill directories anywhere on the host (runc cleans it
	 * away; a path that says one thing and means another is refused). */
	if (s->cgroups_path && path_has_dot_component(s->cgroups_path))
		return log_error("linux.cgroupsPath: \"%s\": \".\" and \"..\" are not allowed in a cgroup path",
				 s->cgroups_path);
	if ((s->hostname || s->domainname) && !s->ns[NS_UTS].wanted)
		return log_error("hostname/domainname: a uts namespace is needed to set them");
	if ((s->n_uid_mappings || s->n_gid_mappings) && !s->ns[NS_USER].wanted)
		return log_error("linux.uidMappings: mappings are given but there is no user namespace");
	if (s->ns[NS_USER].wanted && !s->ns[NS_USER].path && (!s->n_uid_mappings || !s->n_gid_mappings))
		return log_error("linux.uidMappings/gidMappings: a new user namespace needs both");
	if (s->has_time_offsets && (!s->ns[NS_TIME].wanted || s->ns[NS_TIME].path))
		return log_error("linux.timeOffsets: a new time namespace is needed to set them");
	return 0;
}
