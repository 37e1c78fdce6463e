/* SPDX-License-Identifier: Apache-2.0 */
/* config.json (OCI runtime spec 1.x) -> struct spec.
 * Unknown fields are ignored, as the spec requires; every known field is
 * type-checked and its errors name the JSON path. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "berth/config.h"
#include "berth/spec/oci.h"
#include "berth/util/log.h"
#include "berth/linux/mountopts.h"
#include "berth/spec/spec.h"
#include "berth/util/util.h"

/* A field of a feature this build left out, where it checks files for
 * no other build either (no `berth check`): refused as it is met, with
 * its path, as spec_validate would refuse it parsed, so that the build
 * carries no parser for it (3-5 KB of the tiny build). */
#define READS(symbol) (ENABLE_##symbol || ENABLE_CMD_CHECK)
static int left_out(struct jctx *j, const char *key, const char *symbol)
{
	return jerr_at(j, key, "not in this build (CONFIG_%s)", symbol);
}

/* ociVersion: any 1.x.y, pre-releases included (runc/crun accept podman's
 * 1.2.1 and friends); another major version is refused. */
static int check_version(struct jctx *j, const char *v)
{
	const char *end;
	uint64_t major;
	if (str_scan_u64(v, &major, &end) < 0 || *end != '.')
		return jerr(j, "\"%s\" is not a version (expected 1.x.y)", v);
	if (major != 1)
		return jerr(j, "version %s is not supported: berth implements the OCI runtime spec 1.x", v);
	return 0;
}

static int parse_root(struct jctx *j, struct spec *s, const cJSON *root)
{
	if (j_string(j, root, "path", &s->root_path) < 0 || j_bool(j, root, "readonly", &s->root_readonly) < 0)
		return -1;
	if (!s->root_path)
		return jerr_at(j, "path", "required");
	return 0;
}

static int parse_rlimits(struct jctx *j, struct spec_process *p, const cJSON *arr, struct arena *a)
{
	p->n_rlimits = (size_t)cJSON_GetArraySize(arr);
	p->rlimits = arena_array(a, p->n_rlimits, sizeof(*p->rlimits));
	EACH(j, arr, i, e) {
		struct spec_rlimit *r = &p->rlimits[i];
		const char *type = NULL;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if (j_string(j, e, "type", &type) < 0 || j_u64(j, e, "soft", &r->soft) < 0 ||
		    j_u64(j, e, "hard", &r->hard) < 0)
			return -1;
		if (!type)
			return jerr_at(j, "type", "required");
		r->resource = str_starts(type, "RLIMIT_") ? rlimit_from_name(type + 7, false) : -1;
		if (r->resource < 0)
			return jerr_at(j, "type", "unknown rlimit \"%s\"", type);
		for (size_t k = 0; k < i; k++)
			if (p->rlimits[k].resource == r->resource)
				return jerr_at(j, "type", "%s is given twice", type);
		if (r->soft > r->hard)
			return jerr(j, "soft limit %llu is above the hard limit %llu",
				    (unsigned long long)r->soft, (unsigned long long)r->hard);
	}
	return 0;
}

static const char *const cap_set_names[CAP_SETS] = {
	"bounding", "effective", "inheritable", "permitted", "ambient"
};

static int parse_caps(struct jctx *j, struct spec_process *p, const cJSON *obj)
{
	p->has_caps = true;
	for (int set = 0; set < CAP_SETS; set++) {
		const char *const *names;
		size_t n;
		int r = j_strings(j, obj, cap_set_names[set], &names, &n);
		if (r < 0)
			return -1;
		for (size_t i = 0; r > 0 && i < n; i++) {
			int cap = cap_from_name(names[i]);
			if (cap < 0) {
				/* As runc: a name from a newer kernel must not stop
				 * the container, but the user should hear of it. */
				log_warn("%s: process.capabilities.%s: unknown capability \"%s\" ignored",
					 j->origin, cap_set_names[set], names[i]);
				continue;
			}
			p->caps[set] |= 1ull << cap;
		}
	}
	return 0;
}

static int parse_process_user(struct jctx *j, struct spec_process *p, const cJSON *u, struct arena *a)
{
	uint32_t uid = 0, gid = 0, umask_v;
	const cJSON *gids = NULL;
	int has_umask;
	if (j_u32(j, u, "uid", &uid) < 0 || j_u32(j, u, "gid", &gid) < 0 ||
	    (has_umask = j_u32(j, u, "umask", &umask_v)) < 0 || j_array(j, u, "additionalGids", &gids) < 0)
		return -1;
	p->uid = uid;
	p->gid = gid;
	if (has_umask) {
		if (umask_v > 0777) {
			size_t m = jpath_key(j, "umask");
			jerr(j, "%o is not a file mode mask (0 to 0777)", umask_v);
			jpath_pop(j, m);
			return -1;
		}
		p->has_umask = true;
		p->umask = umask_v;
	}
	if (gids) {
		size_t mark = jpath_key(j, "additionalGids");
		gid_t *v = arena_array(a, (size_t)cJSON_GetArraySize(gids), sizeof(*v));
		EACH(j, gids, i, e) {
			uint64_t g;
			if (j_u64_at(j, e, &g) < 0)
				return -1;
			if (g > UINT32_MAX - 1)
				return jerr(j, "%llu is not a group id", (unsigned long long)g);
			v[i] = (gid_t)g;
			p->n_additional_gids = i + 1;
		}
		p->additional_gids = v;
		jpath_pop(j, mark);
	}
	return 0;
}

static int parse_process(struct jctx *j, struct spec *s, const cJSON *proc)
{
	struct spec_process *p = &s->process;
	const cJSON *user = NULL, *caps = NULL, *rlimits = NULL, *size = NULL, *ioprio = NULL, *sched = NULL;
	int64_t oom;
	int r;
	if (j_bool(j, proc, "terminal", &p->terminal) < 0 || j_strings(j, proc, "args", &p->args, NULL) < 0 ||
	    j_strings(j, proc, "env", &p->env, NULL) < 0 || j_string(j, proc, "cwd", &p->cwd) < 0 ||
	    j_bool(j, proc, "noNewPrivileges", &p->no_new_privileges) < 0 ||
	    j_object(j, proc, "user", &user) < 0 || j_object(j, proc, "capabilities", &caps) < 0 ||
	    j_array(j, proc, "rlimits", &rlimits) < 0 || j_object(j, proc, "consoleSize", &size) < 0 ||
	    j_object(j, proc, "ioPriority", &ioprio) < 0 || j_object(j, proc, "scheduler", &sched) < 0 ||
	    j_string(j, proc, "apparmorProfile", &p->apparmor_profile) < 0 ||
	    j_string(j, proc, "selinuxLabel", &p->selinux_label) < 0 ||
	    (r = j_i64(j, proc, "oomScoreAdj", -1000, 1000, &oom)) < 0)
		return -1;
	if (r) {
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int)oom;
	}
	if (!p->args || !p->args[0])
		return jerr_at(j, "args", "required, with at least the program to run");
	if (!p->cwd)
		return jerr_at(j, "cwd", "required");
	size_t mark;
	if ((ioprio || sched) && !READS(SCHED))
		return left_out(j, ioprio ? "ioPriority" : "scheduler", "SCHED");
	if (ioprio)
		SUB(j, "ioPriority", oci_parse_io_priority(j, ioprio, p));
	if (sched)
		SUB(j, "scheduler", oci_parse_scheduler(j, sched, p));
	if (size) {
		mark = jpath_key(j, "consoleSize");
		if (j_u32(j, size, "height", &p->console_height) < 0 || j_u32(j, size, "width", &p->console_width) < 0)
			return -1;
		jpath_pop(j, mark);
	}
	if (user) {
		mark = jpath_key(j, "user");
		if (parse_process_user(j, p, user, &s->arena) < 0)
			return -1;
		jpath_pop(j, mark);
	}
	if (caps) {
		mark = jpath_key(j, "capabilities");
		if (parse_caps(j, p, caps) < 0)
			return -1;
		jpath_pop(j, mark);
	}
	if (rlimits) {
		mark = jpath_key(j, "rlimits");
		if (parse_rlimits(j, p, rlimits, &s->arena) < 0)
			return -1;
		jpath_pop(j, mark);
	}
	return 0;
}

/* `symbol`: the Kconfig symbol that reads them; without it (and without
 * `berth check`) mappings are refused as met, as validate_build refuses
 * them otherwise, and this build carries no parser for them. */
static int parse_idmaps(struct jctx *j, const cJSON *arr, bool reads, const char *symbol, struct spec_idmap **out,
			size_t *n, struct arena *a)
{
	*n = (size_t)cJSON_GetArraySize(arr);
	if (!reads)
		return *n ? jerr(j, "not in this build (CONFIG_%s)", symbol) : 0;
	*out = arena_array(a, *n, sizeof(**out));
	EACH(j, arr, i, e) {
		struct spec_idmap *m = &(*out)[i];
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if (j_u32(j, e, "containerID", &m->container_id) < 0 || j_u32(j, e, "hostID", &m->host_id) < 0 ||
		    j_u32(j, e, "size", &m->size) < 0)
			return -1;
		if (!m->size)
			return jerr_at(j, "size", "must be at least 1");
	}
	return 0;
}

static int parse_mounts(struct jctx *j, struct spec *s, const cJSON *arr)
{
	s->n_mounts = (size_t)cJSON_GetArraySize(arr);
	s->mounts = arena_array(&s->arena, s->n_mounts, sizeof(*s->mounts));
	EACH(j, arr, i, e) {
		struct spec_mount *m = &s->mounts[i];
		const char *const *opts = NULL;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if (j_string(j, e, "destination", &m->destination) < 0 || j_string(j, e, "type", &m->type) < 0 ||
		    j_string(j, e, "source", &m->source) < 0 || j_strings(j, e, "options", &opts, NULL) < 0)
			return -1;
		if (!m->destination)
			return jerr_at(j, "destination", "required");
		if (m->type && !strcmp(m->type, "bind"))
			m->bind = true;
		char where[600];
		snprintf(where, sizeof(where), "%s: %s.options", j->origin, j->path);
		for (size_t k = 0; opts && opts[k]; k++)
			if (mountopt_apply(m, &s->arena, opts[k], where) < 0)
				return -1;
		const cJSON *uidm = NULL, *gidm = NULL;
		if (j_array(j, e, "uidMappings", &uidm) < 0 || j_array(j, e, "gidMappings", &gidm) < 0)
			return -1;
		if (uidm)
			SUB(j, "uidMappings", parse_idmaps(j, uidm, READS(IDMAP_MOUNTS), "IDMAP_MOUNTS", &m->uid_mappings,
							   &m->n_uid_mappings, &s->arena));
		if (gidm)
			SUB(j, "gidMappings", parse_idmaps(j, gidm, READS(IDMAP_MOUNTS), "IDMAP_MOUNTS", &m->gid_mappings,
							   &m->n_gid_mappings, &s->arena));
		/* The spec asks for "idmap" or "ridmap" beside mappings (so that
		 * older runtimes fail rather than ignore them); without, the
		 * mappings still apply, not recursively, as runc does. */
		if ((uidm || gidm) && m->idmap == IDMAP_NONE)
			m->idmap = IDMAP_FLAT;
		/* A bind source is the host's; a relative one, the bundle's. */
		if ((m->bind || m->idmap) && m->source && m->source[0] != '/' && s->bundle)
			m->source = arena_printf(&s->arena, "%s/%s", s->bundle, m->source);
	}
	return 0;
}

static int parse_hooks(struct jctx *j, struct spec *s, const cJSON *hooks)
{
	static const char *const names[HOOK_KINDS] = {
		"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"
	};
	for (int k = 0; k < HOOK_KINDS; k++) {
		const cJSON *arr;
		int r = j_array(j, hooks, names[k], &arr);
		if (r <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		/* Refused as met where nothing reads them (validate_build says
		 * the same of a spec made otherwise), without their parser. */
		if (!READS(HOOKS)) {
			if (cJSON_GetArraySize(arr))
				return left_out(j, names[k], "HOOKS");
			continue;
		}
		size_t mark = jpath_key(j, names[k]);
		s->n_hooks[k] = (size_t)cJSON_GetArraySize(arr);
		s->hooks[k] = arena_array(&s->arena, s->n_hooks[k], sizeof(struct spec_hook));
		EACH(j, arr, i, e) {
			struct spec_hook *h = &s->hooks[k][i];
			int64_t timeout = 0;
			int has_timeout;
			if (!cJSON_IsObject(e))
				return jerr(j, "expected an object, got %s", jtype(e));
			if (j_string(j, e, "path", &h->path) < 0 || j_strings(j, e, "args", &h->args, NULL) < 0 ||
			    j_strings(j, e, "env", &h->env, NULL) < 0 ||
			    (has_timeout = j_i64(j, e, "timeout", INT_MIN, INT_MAX, &timeout)) < 0)
				return -1;
			if (!h->path)
				return jerr_at(j, "path", "required");
			if (has_timeout && timeout <= 0)
				return jerr_at(j, "timeout", "must be greater than zero, got %lld", (long long)timeout);
			h->timeout = (int)timeout;
		}
		jpath_pop(j, mark);
	}
	return 0;
}

static int parse_namespaces(struct jctx *j, struct spec *s, const cJSON *arr)
{
	EACH(j, arr, i, e) {
		const char *type = NULL, *path = NULL;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if (j_string(j, e, "type", &type) < 0 || j_string(j, e, "path", &path) < 0)
			return -1;
		if (!type)
			return jerr_at(j, "type", "required");
		int k = -1;
		for (int n = 0; n < NS_COUNT; n++)
			if (!strcmp(type, ns_name((enum ns_kind)n)))
				k = n;
		if (k < 0)
			return jerr_at(j, "type", "unknown namespace type \"%s\" (expected pid, network, mount, ipc, uts, user, cgroup or time)", type);
		if (s->ns[k].wanted)
			return jerr_at(j, "type", "the %s namespace is listed twice", type);
		s->ns[k].wanted = true;
		s->ns[k].path = path && *path ? path : NULL;
	}
	return 0;
}


static int parse_devices(struct jctx *j, struct spec *s, const cJSON *arr)
{
	s->n_devices = (size_t)cJSON_GetArraySize(arr);
	s->devices = arena_array(&s->arena, s->n_devices, sizeof(*s->devices));
	EACH(j, arr, i, e) {
		struct spec_device *d = &s->devices[i];
		const char *type = NULL;
		uint32_t mode, uid, gid;
		int hm, hu, hg, hmaj, hmin;
		if (!cJSON_IsObject(e))
			return jerr(j, "expected an object, got %s", jtype(e));
		if (j_string(j, e, "path", &d->path) < 0 || j_string(j, e, "type", &type) < 0 ||
		    (hmaj = j_i64(j, e, "major", 0, INT32_MAX, &d->major)) < 0 ||
		    (hmin = j_i64(j, e, "minor", 0, INT32_MAX, &d->minor)) < 0 ||
		    (hm = j_u32(j, e, "fileMode", &mode)) < 0 || (hu = j_u32(j, e, "uid", &uid)) < 0 ||
		    (hg = j_u32(j, e, "gid", &gid)) < 0)
			return -1;
		if (!d->path)
			return jerr_at(j, "path", "required");
		if (!type || strlen(type) != 1 || !strchr("cbup", type[0]))
			return jerr_at(j, "type", "expected \"c\", \"b\", \"u\" or \"p\"");
		d->type = type[0];
		if (d->type != 'p' && (!hmaj || !hmin))
			return jerr_at(j, "major", "major and minor are required for a %s device",
				    d->type == 'b' ? "block" : "character");
		if (hm && mode > 07777)
			return jerr_at(j, "fileMode", "%o is not a permission mode", mode);
		d->has_mode = hm, d->mode = mode;
		d->has_uid = hu, d->uid = uid;
		d->has_gid = hg, d->gid = gid;
	}
	return 0;
}

static int parse_time_offsets(struct jctx *j, struct spec *s, const cJSON *obj)
{
	static const char *const clocks[2] = { "monotonic", "boottime" };
	for (int c = 0; c < 2; c++) {
		const cJSON *o;
		int r = j_object(j, obj, clocks[c], &o);
		if (r < 0)
			return -1;
		if (!r)
			continue;
		size_t mark = jpath_key(j, clocks[c]);
		uint32_t ns = 0;
		if (j_i64(j, o, "secs", INT64_MIN / 2, INT64_MAX / 2, &s->time_offsets[c][0]) < 0 ||
		    j_u32(j, o, "nanosecs", &ns) < 0)
			return -1;
		if (ns >= 1000000000u)
			return jerr_at(j, "nanosecs", "%u is not below one second", ns);
		s->time_offsets[c][1] = ns;
		s->has_time_offsets = true;
		jpath_pop(j, mark);
	}
	return 0;
}

static int parse_linux(struct jctx *j, struct spec *s, const cJSON *lx)
{
	const cJSON *nss = NULL, *uidm = NULL, *gidm = NULL, *devs = NULL, *sysctl = NULL, *toff = NULL,
		    *res = NULL, *seccomp = NULL, *pers = NULL;
	const char *prop = NULL;
	if (j_array(j, lx, "namespaces", &nss) < 0 || j_array(j, lx, "uidMappings", &uidm) < 0 ||
	    j_array(j, lx, "gidMappings", &gidm) < 0 || j_array(j, lx, "devices", &devs) < 0 ||
	    j_object(j, lx, "sysctl", &sysctl) < 0 || j_object(j, lx, "timeOffsets", &toff) < 0 ||
	    j_strings(j, lx, "maskedPaths", &s->masked_paths, NULL) < 0 ||
	    j_strings(j, lx, "readonlyPaths", &s->readonly_paths, NULL) < 0 ||
	    j_string(j, lx, "rootfsPropagation", &prop) < 0 ||
	    j_string(j, lx, "cgroupsPath", &s->cgroups_path) < 0 || j_object(j, lx, "resources", &res) < 0 ||
	    j_object(j, lx, "seccomp", &seccomp) < 0 || j_object(j, lx, "personality", &pers) < 0 ||
	    j_string(j, lx, "mountLabel", &s->mount_label) < 0)
		return -1;
	if (nss)
		SUB(j, "namespaces", parse_namespaces(j, s, nss));
	if (uidm)
		SUB(j, "uidMappings", parse_idmaps(j, uidm, READS(USERNS), "USERNS", &s->uid_mappings, &s->n_uid_mappings,
						   &s->arena));
	if (gidm)
		SUB(j, "gidMappings", parse_idmaps(j, gidm, READS(USERNS), "USERNS", &s->gid_mappings, &s->n_gid_mappings,
						   &s->arena));
	if (devs)
		SUB(j, "devices", parse_devices(j, s, devs));
	if (sysctl)
		SUB(j, "sysctl", j_keyvals(j, sysctl, &s->sysctl, &s->n_sysctl, &s->arena));
	if (toff)
		SUB(j, "timeOffsets", parse_time_offsets(j, s, toff));
	if (res)
		SUB(j, "resources", oci_parse_resources(j, res, &s->resources, &s->arena));
	if (seccomp && !READS(SECCOMP))
		return left_out(j, "seccomp", "SECCOMP");
	if (seccomp)
		SUB(j, "seccomp", oci_parse_seccomp(j, seccomp, &s->seccomp, &s->arena));
	if (pers && !READS(PERSONALITY))
		return left_out(j, "personality", "PERSONALITY");
	if (pers)
		SUB(j, "personality", oci_parse_personality(j, pers, s));
	if (prop && *prop) {
		s->rootfs_propagation = propagation_from_name(prop);
		if (!s->rootfs_propagation) {
			return jerr_at(j, "rootfsPropagation", "unknown propagation \"%s\" (expected private, rprivate, shared, rshared, slave, rslave, unbindable or runbindable)", prop);
		}
	}
	return 0;
}

/* Parse each optional top-level object with its name on the path. */
static int parse_section(struct jctx *j, struct spec *s, const cJSON *doc, const char *key,
			 int (*fn)(struct jctx *, struct spec *, const cJSON *), bool required)
{
	const cJSON *obj;
	int r = j_object(j, doc, key, &obj);
	if (r < 0)
		return -1;
	if (!r)
		return required ? jerr(j, "%s: required", key) : 0;
	size_t mark = jpath_key(j, key);
	if (fn(j, s, obj) < 0)
		return -1;
	jpath_pop(j, mark);
	return 0;
}

int oci_parse(struct spec *s, const char *text, size_t len, const char *origin)
{
	struct jctx j = { .origin = origin, .arena = &s->arena };
	cJSON *doc = j_parse(&j, text, len);
	if (!doc)
		return -1;
	int r = -1;
	const cJSON *ann = NULL;
	if (!cJSON_IsObject(doc)) {
		jerr(&j, "expected a JSON object at the top level, got %s", jtype(doc));
		goto out;
	}
	if (j_string(&j, doc, "ociVersion", &s->oci_version) < 0)
		goto out;
	if (!s->oci_version) {
		jerr_at(&j, "ociVersion", "required");
		goto out;
	}
	size_t mark = jpath_key(&j, "ociVersion");
	if (check_version(&j, s->oci_version) < 0)
		goto out;
	jpath_pop(&j, mark);
	if (j_string(&j, doc, "hostname", &s->hostname) < 0 || j_string(&j, doc, "domainname", &s->domainname) < 0 ||
	    parse_section(&j, s, doc, "root", parse_root, true) < 0 ||
	    parse_section(&j, s, doc, "process", parse_process, true) < 0 ||
	    parse_section(&j, s, doc, "linux", parse_linux, false) < 0 ||
	    parse_section(&j, s, doc, "hooks", parse_hooks, false) < 0 ||
	    j_object(&j, doc, "annotations", &ann) < 0)
		goto out;
	const cJSON *mounts;
	int has = j_array(&j, doc, "mounts", &mounts);
	if (has < 0)
		goto out;
	if (has) {
		mark = jpath_key(&j, "mounts");
		if (parse_mounts(&j, s, mounts) < 0)
			goto out;
		jpath_pop(&j, mark);
	}
	if (ann) {
		mark = jpath_key(&j, "annotations");
		if (j_keyvals(&j, ann, &s->annotations, &s->n_annotations, &s->arena) < 0)
			goto out;
		jpath_pop(&j, mark);
	}
	r = 0;
out:
	j_release(&j);
	return r;
}

int oci_process_from_text(struct spec *s, const char *text, size_t len, const char *origin)
{
	struct jctx j = { .origin = origin, .arena = &s->arena };
	cJSON *doc = j_parse(&j, text, len);
	if (!doc)
		return -1;
	memset(&s->process, 0, sizeof(s->process));
	int r = cJSON_IsObject(doc) ? parse_process(&j, s, doc)
				    : jerr(&j, "expected a JSON object (a process), got %s", jtype(doc));
	j_release(&j);
	return r;
}

char *oci_read(const char *bundle, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	char *text = read_file(path, len);
	if (!text)
		log_error("%s: %m", path);
	return text;
}

int oci_from_text(struct spec *s, const char *bundle, const char *text, size_t len)
{
	char origin[4096];
	snprintf(origin, sizeof(origin), "%s/config.json", bundle);
	s->bundle = arena_strdup(&s->arena, bundle);
	if (oci_parse(s, text, len, origin) < 0)
		return -1;
	if (s->root_path[0] != '/')
		s->root_path = arena_printf(&s->arena, "%s/%s", bundle, s->root_path);
	return 0;
}

int oci_load(struct spec *s, const char *bundle)
{
	size_t len;
	char *text = oci_read(bundle, &len);
	if (!text)
		return -1;
	int r = oci_from_text(s, bundle, text, len);
	free(text);
	return r;
}
