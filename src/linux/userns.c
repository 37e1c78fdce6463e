/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

int userns_write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n, const char *field)
{
	char buf[4096], path[64];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
				 m[i].container_id, m[i].host_id, m[i].size);
		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			return log_error("%s: too many mappings", field);
		len += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (write_kernel_file(path, buf, len) < 0)
		return log_error("%s: writing %s: %m (ranges overlapping, or not allowed for this user?)", field, path);
	return 0;
}

/* newuidmap/newgidmap (shadow's setuid helpers) PID c h s ...: they
 * grant an unprivileged user the ranges /etc/subuid and /etc/subgid give
 * it, which the kernel alone would not. */
static int run_helper(const char *helper, pid_t pid, const struct spec_idmap *m, size_t n, const char *field)
{
	char *argv[3 + 3 * 64 + 1], nums[1 + 3 * 64][12];
	if (n > 64)
		return log_error("%s: too many mappings", field);
	size_t k = 0;
	argv[k++] = (char *)helper;
	snprintf(nums[0], sizeof(nums[0]), "%d", (int)pid);
	argv[k++] = nums[0];
	for (size_t i = 0; i < n; i++) {
		uint32_t v[3] = { m[i].container_id, m[i].host_id, m[i].size };
		for (int f = 0; f < 3; f++) {
			char *slot = nums[1 + 3 * i + (size_t)f];
			snprintf(slot, 12, "%u", v[f]);
			argv[k++] = slot;
		}
	}
	argv[k] = NULL;
	pid_t child = proc_fork();
	if (child < 0)
		return log_error("%s: fork: %m", field);
	if (child == 0) {
		execvp(helper, argv);
		_exit(127);
	}
	int status = wait_child_timeout(child, -1);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			return log_error("%s: %s is needed to map more than your own id (install shadow's uidmap)",
					 field, helper);
		return log_error("%s: %s refused the mapping (are the ranges in /etc/sub%cid?)", field, helper,
				 helper[3] == 'u' ? 'u' : 'g');
	}
	return 0;
}

/* An unprivileged user may map only its own id, and a gid map only after
 * giving up setgroups (the kernel's rule since CVE-2014-8989). */
static bool own_id_only(const struct spec_idmap *m, size_t n, uint32_t own)
{
	return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

int userns_write_maps(const struct spec *s, pid_t pid)
{
	if (!spec_userns(s) || spec_userns_path(s))
		return 0;
	if (geteuid() == 0)
		return userns_write_map(pid, "uid_map", s->uid_mappings, s->n_uid_mappings, "linux.uidMappings") < 0 ||
		       userns_write_map(pid, "gid_map", s->gid_mappings, s->n_gid_mappings, "linux.gidMappings") < 0 ? -1 : 0;
	if (own_id_only(s->uid_mappings, s->n_uid_mappings, geteuid())) {
		if (userns_write_map(pid, "uid_map", s->uid_mappings, s->n_uid_mappings, "linux.uidMappings") < 0)
			return -1;
	} else if (run_helper("newuidmap", pid, s->uid_mappings, s->n_uid_mappings, "linux.uidMappings") < 0) {
		return -1;
	}
	if (own_id_only(s->gid_mappings, s->n_gid_mappings, getegid())) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		if (write_kernel_file(path, "deny", 4) < 0)
			return log_error("linux.gidMappings: %s: %m", path);
		return userns_write_map(pid, "gid_map", s->gid_mappings, s->n_gid_mappings, "linux.gidMappings");
	}
	return run_helper("newgidmap", pid, s->gid_mappings, s->n_gid_mappings, "linux.gidMappings");
}

int userns_become_root(const struct spec *s)
{
	if (!spec_userns(s))
		return 0;
	/* Setup (device nodes, mount points) should be owned by the
	 * container's root; without a mapping for 0 we stay unmapped. */
	if (process_set_gid_uid(0, 0) < 0)
		log_debug("user namespace: container root is not mapped: %m");
	return 0;
}
