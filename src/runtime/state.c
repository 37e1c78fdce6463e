/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/util/json.h"
#include "berth/linux/cgroup.h"
#include "berth/config.h"
#include "berth/util/log.h"
#include "berth/spec/service.h"
#include "berth/runtime/state.h"
#include "berth/util/util.h"
#include "berth/util/json_write.h"

const char *status_name(enum status st)
{
	static const char *const names[] = { "creating", "created", "running", "stopped", "paused" };
	return names[st];
}

int state_check_id(const char *id)
{
	if (!name_is_valid(id))
		return log_error("invalid container id \"%s\": use letters, digits, '_', '+', '-' and '.'", id);
	return 0;
}

int state_dir(const char *root, const char *id, char *dir, size_t cap)
{
	return str_cat(dir, cap, root, "/", id, (char *)NULL) < 0 ? -1 : 0;
}

int state_save(const char *dir, const struct state *st)
{
	struct jw w;
	jw_init(&w, false);
	jw_object(&w, NULL);
	jw_string(&w, "id", st->id);
	jw_int(&w, "pid", st->pid);
	/* A string: start times exceed what a double holds exactly. */
	char t[32];
	snprintf(t, sizeof(t), "%llu", (unsigned long long)st->start_time);
	jw_string(&w, "startTime", t);
	jw_string(&w, "bundle", st->bundle);
	jw_string(&w, "rootfs", st->rootfs);
	jw_string(&w, "created", st->created);
	jw_string(&w, "cgroup", st->cgroup);
	if (st->systemd_unit[0])
		jw_string(&w, "systemdUnit", st->systemd_unit);
	jw_u64(&w, "owner", st->owner);
	jw_u64(&w, "hooks", st->hooks);
	if (st->creating)
		jw_bool(&w, "creating", true);
	jw_end(&w);
	char *text = jw_finish(&w);
	if (!text)
		return log_error("out of memory");
	int fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 ? -1 : write_file_atomic(fd, "state.json", text, strlen(text));
	if (r < 0)
		log_error("%s/state.json: %m", dir);
	if (fd >= 0)
		close(fd);
	free(text);
	return r;
}

/* A string member into out (cut at cap), "" when absent. By hand, not
 * snprintf: `list` loads every container's state, and this was a sixth
 * of its time. */
static void copy_string(const cJSON *o, const char *key, char *out, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	const char *s = cJSON_IsString(v) ? v->valuestring : "";
	size_t n = strnlen(s, cap - 1);
	memcpy(out, s, n);
	out[n] = 0;
}

/* state.json's text (malloc'd); NULL with errno, or with st filled in
 * for a create killed before its first write. The path is on the heap: a
 * supervisor loads states from its loop, whose stack keeps for good every
 * page it ever touched. */
static char *state_text(const char *root, const char *id, struct state *st)
{
	/* Of its size: a 4 KiB block is mapped and unmapped by musl's
	 * allocator each time, which `list` did for every container. */
	size_t cap = strlen(root) + strlen(id) + sizeof("//state.json");
	char *path = cap > PATH_MAX ? NULL : malloc(cap), *text = NULL;
	if (!path) {
		if (cap > PATH_MAX)
			errno = ENAMETOOLONG;
		return NULL;
	}
	state_dir(root, id, path, cap);
	strcat(path, "/state.json");
	text = read_file(path, NULL);
	if (!text && errno == ENOENT) {
		/* A create killed before its first write: a directory that
		 * exists holds nothing else (see berth/state.h). */
		struct stat sb;
		path[strlen(path) - strlen("/state.json")] = 0;
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			memset(st, 0, sizeof(*st));
			snprintf(st->id, sizeof(st->id), "%s", id);
			st->creating = true;
			errno = 0;
		} else
			errno = ENOENT;
	}
	int e = errno;
	free(path);
	errno = e;
	return text;
}

int state_load(const char *root, const char *id, struct state *st)
{
	char *text = state_text(root, id, st);
	if (!text)
		return errno ? -1 : 0;
	struct arena tree = { 0 };
	cJSON *o = json_parse(&tree, text, strlen(text), NULL);
	free(text);
	if (!cJSON_IsObject(o)) {
		arena_free(&tree);
		return log_error("%s/%s/state.json: corrupt state file", root, id);
	}
	memset(st, 0, sizeof(*st));
	copy_string(o, "id", st->id, sizeof(st->id));
	copy_string(o, "bundle", st->bundle, sizeof(st->bundle));
	copy_string(o, "rootfs", st->rootfs, sizeof(st->rootfs));
	copy_string(o, "created", st->created, sizeof(st->created));
	copy_string(o, "cgroup", st->cgroup, sizeof(st->cgroup));
	copy_string(o, "systemdUnit", st->systemd_unit, sizeof(st->systemd_unit));
	char t[32];
	copy_string(o, "startTime", t, sizeof(t));
	st->start_time = str_u64_at(t);
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(o, "pid");
	const cJSON *owner = cJSON_GetObjectItemCaseSensitive(o, "owner");
	const cJSON *hooks = cJSON_GetObjectItemCaseSensitive(o, "hooks");
	/* A state file without the field (older berth): assume hooks. */
	st->hooks = cJSON_IsNumber(hooks) ? (unsigned)hooks->valuedouble : ~0u;
	st->pid = cJSON_IsNumber(pid) ? (pid_t)pid->valuedouble : 0;
	st->owner = cJSON_IsNumber(owner) ? (uid_t)owner->valuedouble : 0;
	st->creating = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "creating"));
	arena_free(&tree);
	return 0;
}

enum status state_status(const char *root, const struct state *st)
{
	if (st->pid <= 0 || !proc_is_alive(st->pid, st->start_time))
		return STATUS_STOPPED;
	if (st->creating)
		return STATUS_CREATING;
	char fifo[4096];
	str_cat(fifo, sizeof(fifo), root, "/", st->id, "/exec.fifo", (char *)NULL);
	if (access(fifo, F_OK) == 0)
		return STATUS_CREATED;
	return cgroup_is_frozen(st->cgroup) ? STATUS_PAUSED : STATUS_RUNNING;
}

int state_spec(const char *root, const char *id, struct spec *s)
{
	char dir[4096];
	if (state_dir(root, id, dir, sizeof(dir)) < 0)
		return log_error("container id too long");
	/* A supervised service keeps its service file instead. */
	char conf[4200];
	snprintf(conf, sizeof(conf), "%s/service.conf", dir);
	if (ENABLE_INI && access(conf, F_OK) == 0) {
		struct service_conf c;
		if (service_load(&c, conf) < 0)
			return -1;
		spec_free(s);
		*s = c.spec;	/* the arena moves with it; c is not freed */
		return 0;
	}
	if (oci_load(s, dir) < 0)
		return -1;
	return 0;
}

char *state_json(const struct state *st, enum status status, const struct spec *s, bool full)
{
	struct jw w;
	jw_init(&w, full);
	jw_object(&w, NULL);
	jw_string(&w, "ociVersion", OCI_VERSION);
	jw_string(&w, "id", st->id);
	jw_int(&w, "pid", status == STATUS_STOPPED ? 0 : st->pid);
	jw_string(&w, "status", status_name(status));
	jw_string(&w, "bundle", st->bundle);
	if (full) {
		jw_string(&w, "rootfs", st->rootfs);
		jw_string(&w, "created", st->created);
		char owner[32] = "";
		if (st->owner)
			snprintf(owner, sizeof(owner), "%u", (unsigned)st->owner);
		jw_string(&w, "owner", owner);
	}
	if (s && s->n_annotations) {
		jw_object(&w, "annotations");
		for (size_t i = 0; i < s->n_annotations; i++)
			jw_string(&w, s->annotations[i].key, s->annotations[i].value);
		jw_end(&w);
	}
	jw_end(&w);
	char *text = jw_finish(&w);
	if (!text)
		fatal("out of memory");
	return text;
}
