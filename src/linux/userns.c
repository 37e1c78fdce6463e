#include <stdio.h>
#include <unistd.h>
#include "berth/linux.h"
#include "berth/log.h"
#include "berth/util.h"

static int write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n, const char *field)
{
	char buf[4096], path[64];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
				 m[i].container_id, m[i].host_id, m[i].size);
		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			return log_error("linux.%s: too many mappings", field);
		len += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (write_file(path, buf, len, 0) < 0)
		return log_error("linux.%s: writing %s: %m (ranges overlapping, or not allowed for this user?)", field, path);
	return 0;
}

int userns_write_maps(const struct spec *s, pid_t pid)
{
	if (!s->ns[NS_USER].wanted || s->ns[NS_USER].path)
		return 0;
	if (write_map(pid, "uid_map", s->uid_mappings, s->n_uid_mappings, "uidMappings") < 0 ||
	    write_map(pid, "gid_map", s->gid_mappings, s->n_gid_mappings, "gidMappings") < 0)
		return -1;
	return 0;
}

int userns_become_root(const struct spec *s)
{
	if (!s->ns[NS_USER].wanted)
		return 0;
	/* Setup (device nodes, mount points) should be owned by the
	 * container's root; without a mapping for 0 we stay unmapped. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		log_debug("user namespace: container root is not mapped: %m");
	return 0;
}
