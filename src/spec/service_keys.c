/* SPDX-License-Identifier: Apache-2.0 */
/* Every key a service file may hold, and what it does to the container's
 * spec or to the service's supervision. berth.conf(5) (docs/man/berth.conf.5.md) is the
 * reference; this table and that page list the same keys. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "berth/spec/ini.h"
#include "berth/util/log.h"
#include "berth/linux/mountopts.h"
#include "berth/spec/oci.h"
#include "berth/util/util.h"
#include "berth/spec/target.h"
#include "keys.h"


static int get_bool(struct key_ctx *k, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcasecmp(k->e->value, yes[i]) || !strcasecmp(k->e->value, no[i])) {
			*out = !strcasecmp(k->e->value, yes[i]);
			return 0;
		}
	return KERR(k, "\"%s\" is not a boolean (yes or no)", k->e->value);
}

static int get_duration(struct key_ctx *k, int64_t *ms)
{
	if (parse_duration_ms(k->e->value, ms) < 0)
		return KERR(k, "\"%s\" is not a duration (\"500ms\", \"30s\", \"5m\")", k->e->value);
	return 0;
}

static int get_size(struct key_ctx *k, int64_t *bytes)
{
	if (parse_size(k->e->value, bytes) < 0 || *bytes == -1)
		return KERR(k, "\"%s\" is not a size (\"64M\", \"512k\", bytes)", k->e->value);
	return 0;
}

static int get_int(struct key_ctx *k, int64_t min, int64_t max, int64_t *out)
{
	if (parse_i64(k->e->value, out) < 0 || *out < min || *out > max)
		return KERR(k, "\"%s\" is not a number from %lld to %lld", k->e->value, (long long)min, (long long)max);
	return 0;
}

/* An int field of the service, within [min, max]. */
static int get_int_field(struct key_ctx *k, int64_t min, int64_t max, int *out)
{
	int64_t n;
	if (get_int(k, min, max, &n) < 0)
		return -1;
	*out = (int)n;
	return 0;
}

/* "max" or a size, as cgroup v2 files take them; -1 for max. */
static int get_limit(struct key_ctx *k, int64_t *out)
{
	if (!strcmp(k->e->value, "max")) {
		*out = -1;
		return 0;
	}
	return get_size(k, out);
}

/* ---- [service] ---- */

static int k_base(struct key_ctx *k)
{
	(void)k;	/* rootfs/bundle: read by load_base */
	return 0;
}

static int k_exec(struct key_ctx *k)
{
	const char *err;
	const char *const *words = split_command(k->e->value, k->a, &err);
	if (!words)
		return KERR(k, "%s", err);
	struct spec_process *p = &k->c->spec.process;
	if (!k->e->continuation) {
		p->args = words;
		return 0;
	}
	for (const char *const *w = words; *w; w++)	/* an indented line goes on */
		p->args = arena_vec_add(k->a, p->args, *w);
	return 0;
}

static int k_env(struct key_ctx *k)
{
	const char *v = k->e->value;
	size_t key = strcspn(v, "=");
	if (!key || !v[key])
		return KERR(k, "\"%s\": expected NAME=VALUE", v);
	struct spec_process *p = &k->c->spec.process;
	p->env = arena_vec_add(k->a, p->env, v);	/* env_merge drops what it replaces */
	return 0;
}

static size_t env_name_len(const char *v)
{
	return strcspn(v, "=");
}

static uint32_t env_name_hash(const char *v)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (size_t i = 0, n = env_name_len(v); i < n; i++)
		h = (h ^ (unsigned char)v[i]) * 16777619u;
	return h;
}

/* A variable set twice (by the bundle and the file, or twice in the
 * file) keeps its first place and its last value: one pass over a hash
 * of the names, linear however many there are. */
static void env_merge(struct spec_process *p, struct arena *a)
{
	const char **env = (const char **)p->env;
	size_t n = 0;
	while (env && env[n])
		n++;
	if (n < 2)
		return;
	size_t cap = 4;
	while (cap < 2 * n)
		cap *= 2;
	size_t *slot = arena_array(a, cap, sizeof(*slot));	/* index + 1; 0: empty */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = env_name_len(env[i]);
		size_t h = env_name_hash(env[i]) & (cap - 1);
		while (slot[h] && (env_name_len(env[slot[h] - 1]) != len || strncmp(env[slot[h] - 1], env[i], len)))
			h = (h + 1) & (cap - 1);
		if (slot[h]) {
			env[slot[h] - 1] = env[i];
			continue;
		}
		env[kept] = env[i];
		slot[h] = ++kept;
	}
	env[kept] = NULL;
}

static int k_user(struct key_ctx *k)
{
	uint64_t uid, gid;
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", k->e->value);
	char *colon = strchr(buf, ':');
	if (colon)
		*colon = 0;
	if (parse_u64(buf, &uid) < 0 || uid >= UINT32_MAX || (colon && (parse_u64(colon + 1, &gid) < 0 || gid >= UINT32_MAX)))
		return KERR(k, "\"%s\": expected UID or UID:GID, as numbers", k->e->value);
	k->c->spec.process.uid = (uid_t)uid;
	k->c->spec.process.gid = colon ? (gid_t)gid : (gid_t)uid;
	return 0;
}

static int k_cwd(struct key_ctx *k)
{
	if (k->e->value[0] != '/')
		return KERR(k, "\"%s\" is not an absolute path", k->e->value);
	k->c->spec.process.cwd = k->e->value;
	return 0;
}

static int k_hostname(struct key_ctx *k)
{
	k->c->spec.hostname = k->e->value;
	return 0;
}

static int k_terminal(struct key_ctx *k)
{
	return get_bool(k, &k->c->spec.process.terminal);
}

static int k_restart(struct key_ctx *k)
{
	static const char *const names[] = { "no", "on-failure", "always" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(k->e->value, names[i])) {
			k->c->restart = (enum restart_policy)i;
			return 0;
		}
	return KERR(k, "\"%s\": expected no, on-failure or always", k->e->value);
}

static int k_restart_delay(struct key_ctx *k) { return get_duration(k, &k->c->restart_delay_ms); }
static int k_restart_max_delay(struct key_ctx *k) { return get_duration(k, &k->c->restart_max_delay_ms); }
static int k_restart_reset(struct key_ctx *k) { return get_duration(k, &k->c->restart_reset_ms); }
static int k_stop_timeout(struct key_ctx *k) { return get_duration(k, &k->c->stop_timeout_ms); }

/* update-timeout, update-settle: how an update (ctl update, or a reload
 * that finds a new image) proves itself before it is committed. */
static int k_update_timeout(struct key_ctx *k)
{
	if (get_duration(k, &k->c->update_timeout_ms) < 0)
		return -1;
	return k->c->update_timeout_ms > 0 ? 0 : KERR(k, "\"%s\": an update needs some time (above zero)", k->e->value);
}

static int k_update_settle(struct key_ctx *k) { return get_duration(k, &k->c->update_settle_ms); }

static int k_restart_limit(struct key_ctx *k) { return get_int_field(k, 0, 1000000, &k->c->restart_limit); }

static int k_failure_action(struct key_ctx *k)
{
	if (strcmp(k->e->value, "none") && strcmp(k->e->value, "reboot"))
		return KERR(k, "\"%s\": expected none or reboot", k->e->value);
	k->c->reboot_on_failure = !strcmp(k->e->value, "reboot");
	return 0;
}

static int k_critical(struct key_ctx *k) { return get_bool(k, &k->c->critical); }

/* after = a b, requires = c: names separated by blanks or commas. */
static int add_names(struct key_ctx *k, const char *const **list)
{
	char *copy = arena_strdup(k->a, k->e->value);
	for (char *save, *t = strtok_r(copy, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		if (!name_is_valid(t))
			return KERR(k, "\"%s\" is not a service name", t);
		*list = arena_vec_add(k->a, *list, t);
	}
	return 0;
}

static int k_after(struct key_ctx *k) { return add_names(k, &k->c->after); }
static int k_requires(struct key_ctx *k) { return add_names(k, &k->c->requires); }

static int k_ready(struct key_ctx *k)
{
	const char *v = k->e->value;
	struct service_conf *c = k->c;
	if (!strcmp(v, "none"))
		c->ready = READY_NONE;
	else if (!strcmp(v, "notify"))
		c->ready = READY_NOTIFY;
	else if (!strcmp(v, "exit"))
		c->ready = READY_EXIT;
	else if (str_starts(v, "path:") && v[5] == '/')
		c->ready = READY_PATH, c->ready_path = v + 5;
	else
		return KERR(k, "\"%s\": expected none, notify, exit or path:/FILE", v);
	return 0;
}

static int k_wait_for(struct key_ctx *k)
{
	static const struct { const char *prefix; enum wait_kind kind; } kinds[] = {
		{ "mounted:", WAIT_MOUNTED }, { "path:", WAIT_PATH }, { "link:", WAIT_LINK },
	};
	const char *v = k->e->value;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!str_starts(v, kinds[i].prefix))
			continue;
		const char *arg = v + strlen(kinds[i].prefix);
		if (kinds[i].kind != WAIT_LINK ? arg[0] != '/' : !*arg || strchr(arg, '/'))
			return KERR(k, "\"%s\": expected %s", v, kinds[i].kind == WAIT_LINK ? "an interface name" : "an absolute path");
		struct service_conf *c = k->c;
		c->wait_for = arena_grow(k->a, (void *)c->wait_for, c->n_wait_for, sizeof(*c->wait_for));
		c->wait_for[c->n_wait_for++] = (struct wait_cond){ kinds[i].kind, arg };
		return 0;
	}
	return KERR(k, "\"%s\": expected mounted:/PATH, path:/PATH or link:IFACE", v);
}

static int k_start_timeout(struct key_ctx *k)
{
	int64_t ms;
	if (get_duration(k, &ms) < 0)
		return -1;
	if (ms <= 0)
		return KERR(k, "\"%s\": a creation needs some time (above zero)", k->e->value);
	k->c->start_timeout_ms = ms;
	return 0;
}

static int k_stop_signal(struct key_ctx *k)
{
	int sig = signal_from_name(k->e->value);
	if (sig <= 0)
		return KERR(k, "\"%s\" is not a signal", k->e->value);
	k->c->stop_signal = sig;
	return 0;
}

static int k_log_size(struct key_ctx *k)
{
	int64_t v;
	if (get_size(k, &v) < 0)
		return -1;
	if (v < 1024 || v > 64 << 20)
		return KERR(k, "%lld: the ring must hold 1k to 64M", (long long)v);
	k->c->log_size = (size_t)v;
	return 0;
}

static int k_log_file(struct key_ctx *k)
{
	if (k->e->value[0] != '/')
		return KERR(k, "\"%s\" is not an absolute path", k->e->value);
	k->c->log_file = k->e->value;
	return 0;
}

static int k_log_file_size(struct key_ctx *k)
{
	int64_t v;
	if (get_size(k, &v) < 0)
		return -1;
	k->c->log_file_size = (size_t)v;
	return 0;
}

static int k_log_files(struct key_ctx *k) { return get_int_field(k, 0, 100, &k->c->log_files); }

static int k_log_console(struct key_ctx *k) { return get_bool(k, &k->c->log_console); }
static int k_log_kmsg(struct key_ctx *k) { return get_bool(k, &k->c->log_kmsg); }

static int k_log_rate(struct key_ctx *k) { return get_int_field(k, 0, 1000000, &k->c->log_rate); }

static int k_log_burst(struct key_ctx *k) { return get_int_field(k, 1, 1000000, &k->c->log_burst); }

/* ---- [container] ---- */

static int k_read_only(struct key_ctx *k) { return get_bool(k, &k->c->spec.root_readonly); }

/* rootfs-digest = sha256:HEX: the image file's digest, checked before it
 * is mounted (linux/image.c). Kept in lowercase, as sha256sum prints it. */
static int k_rootfs_digest(struct key_ctx *k)
{
	const char *v = k->e->value;
	if (strncmp(v, "sha256:", 7) || strlen(v) != 7 + 64 || strspn(v + 7, "0123456789abcdefABCDEF") != 64)
		return KERR(k, "\"%s\": expected sha256: and 64 hex digits (sha256sum's)", v);
	char *d = arena_strdup(k->a, v);
	for (char *p = d + 7; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	k->c->spec.root_digest = d;
	return 0;
}

/* overlay = none | tmpfs[:SIZE] | /DIR: a writable layer over the root,
 * lost at stop (tmpfs) or kept in DIR (its upper/ and work/). */
static int k_overlay(struct key_ctx *k)
{
	struct spec *s = &k->c->spec;
	const char *v = k->e->value;
	if (!strcmp(v, "none")) {
		s->overlay = OVERLAY_NONE;
		return 0;
	}
	if (!strncmp(v, "tmpfs", 5) && (!v[5] || v[5] == ':')) {
		s->overlay = OVERLAY_TMPFS;
		s->overlay_size = 0;
		if (v[5] && (parse_size(v + 6, &s->overlay_size) < 0 || s->overlay_size <= 0))
			return KERR(k, "\"%s\": expected tmpfs:SIZE (\"64M\", \"512k\")", v);
		return 0;
	}
	if (v[0] == '/') {
		if (strpbrk(v, ",:\\"))
			return KERR(k, "\"%s\": an overlay directory cannot have ',', ':' or '\\' in its path "
				       "(overlayfs's separators)", v);
		s->overlay = OVERLAY_DIR;
		s->overlay_dir = arena_strdup(k->a, v);
		return 0;
	}
	return KERR(k, "\"%s\": expected none, tmpfs[:SIZE] or an absolute directory", v);
}
static int k_nnp(struct key_ctx *k) { return get_bool(k, &k->c->spec.process.no_new_privileges); }

/* mount = SOURCE:DESTINATION[:OPTIONS]: a bind mount of a host path
 * (SOURCE starts with /), or a filesystem by type (tmpfs:/tmp:size=8m). */
static int k_mount(struct key_ctx *k)
{
	struct spec *s = &k->c->spec;
	char *v = arena_strdup(k->a, k->e->value);
	char *dst = strchr(v, ':');
	if (!dst)
		return KERR(k, "\"%s\": expected SOURCE:DESTINATION[:OPTIONS]", k->e->value);
	*dst++ = 0;
	char *opts = strchr(dst, ':');
	if (opts)
		*opts++ = 0;
	if (dst[0] != '/' || !*v)
		return KERR(k, "\"%s\": the destination must be an absolute path", k->e->value);
	s->mounts = arena_grow(k->a, (void *)s->mounts, s->n_mounts, sizeof(*s->mounts));
	struct spec_mount *m = &s->mounts[s->n_mounts];
	memset(m, 0, sizeof(*m));
	m->destination = dst;
	m->source = v;
	if (v[0] == '/') {
		m->bind = m->recursive_bind = true;
	} else {
		m->type = v;
		m->flags = MS_NOSUID | MS_NODEV;
	}
	char where[600];
	snprintf(where, sizeof(where), "%s:%d: mount", k->file, k->e->line);
	for (char *save, *t = opts ? strtok_r(opts, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
		if (mountopt_apply(m, k->a, t, where) < 0)
			return -1;
	s->n_mounts++;
	return 0;
}

static int k_namespaces(struct key_ctx *k)
{
	struct spec *s = &k->c->spec;
	bool want[NS_COUNT] = { false };
	char *copy = arena_strdup(k->a, k->e->value);
	for (char *save, *t = strtok_r(copy, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		int kind = -1;
		for (int n = 0; n < NS_COUNT; n++)
			if (!strcmp(t, ns_name((enum ns_kind)n)) || (n == NS_NET && !strcmp(t, "net")) ||
			    (n == NS_MNT && !strcmp(t, "mnt")))
				kind = n;
		if (kind < 0)
			return KERR(k, "\"%s\" is not a namespace (pid, network, ipc, uts, mount, cgroup, user, time)", t);
		want[kind] = true;
	}
	if (!want[NS_MNT])
		return KERR(k, "the mount namespace is needed (berth sets up the root filesystem in it)");
	for (int n = 0; n < NS_COUNT; n++) {
		s->ns[n].wanted = want[n];
		s->ns[n].path = NULL;
	}
	return 0;
}

/* capability = CAP_X adds it (bounding, effective, permitted); -CAP_X drops it. */
static int k_capability(struct key_ctx *k)
{
	const char *v = k->e->value;
	bool drop = v[0] == '-';
	int cap = cap_from_name(v + drop);
	if (cap < 0)
		return KERR(k, "\"%s\" is not a capability (CAP_NET_ADMIN, or -CAP_NET_ADMIN to drop it)", v);
	struct spec_process *p = &k->c->spec.process;
	p->has_caps = true;
	for (int set = 0; set < CAP_SETS; set++) {
		if (drop)
			p->caps[set] &= ~(1ull << cap);
		else if (set != CAPS_AMBIENT && set != CAPS_INHERITABLE)
			p->caps[set] |= 1ull << cap;
	}
	return 0;
}

/* device = /dev/ttyUSB0: the host's node, made in the container and allowed. */
static int k_device(struct key_ctx *k)
{
	struct spec *s = &k->c->spec;
	struct stat st;
	if (k->e->value[0] != '/')
		return KERR(k, "%s: not an absolute path", k->e->value);
	if (target_stat(k->e->value, &st) < 0) {
		/* Checked for a device's root filesystem (--sysroot), whose
		 * /dev the kernel makes at boot: the node is looked up there
		 * when the service starts. */
		if (errno != ENOENT || !target_sysroots() || !str_starts(k->e->value, "/dev/"))
			return KERR(k, "%s%s: %m", k->e->value, target_sysroot_note());
		st = (struct stat){ .st_mode = S_IFCHR | 0600 };
	}
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return KERR(k, "%s is not a device node", k->e->value);
	s->devices = arena_grow(k->a, (void *)s->devices, s->n_devices, sizeof(*s->devices));
	s->devices[s->n_devices++] = (struct spec_device){
		.path = k->e->value, .type = S_ISBLK(st.st_mode) ? 'b' : 'c', .major = major(st.st_rdev),
		.minor = minor(st.st_rdev), .mode = st.st_mode & 07777, .has_mode = true,
		.uid = st.st_uid, .gid = st.st_gid, .has_uid = true, .has_gid = true,
	};
	return 0;
}

static int k_sysctl(struct key_ctx *k)
{
	struct spec *s = &k->c->spec;
	char *v = arena_strdup(k->a, k->e->value), *eq = strchr(v, '=');
	if (!eq || eq == v)
		return KERR(k, "\"%s\": expected NAME=VALUE", k->e->value);
	*eq = 0;
	s->sysctl = arena_grow(k->a, (void *)s->sysctl, s->n_sysctl, sizeof(*s->sysctl));
	s->sysctl[s->n_sysctl++] = (struct spec_keyval){ v, eq + 1 };
	return 0;
}

/* seccomp = /etc/berth/seccomp/default.json: a linux.seccomp object. */
static int k_seccomp(struct key_ctx *k)
{
	size_t len;
	char *text = target_read_file(k->e->value, &len);
	if (!text)
		return KERR(k, "%s%s: %m", k->e->value, target_sysroot_note());
	struct jctx j = { .origin = k->e->value, .arena = k->a };
	cJSON *doc = j_parse(&j, text, len);
	free(text);
	int r = doc && cJSON_IsObject(doc) ? oci_parse_seccomp(&j, doc, &k->c->spec.seccomp, k->a) : -1;
	if (doc && !cJSON_IsObject(doc))
		KERR(k, "%s: expected a JSON object (linux.seccomp)", k->e->value);
	j_release(&j);
	return r;
}

/* rlimit = NOFILE=1024[:4096] */
static int k_rlimit(struct key_ctx *k)
{
	char *v = arena_strdup(k->a, k->e->value), *eq = strchr(v, '=');
	if (!eq)
		return KERR(k, "\"%s\": expected NAME=SOFT[:HARD]", k->e->value);
	*eq++ = 0;
	int res = rlimit_from_name(str_starts(v, "RLIMIT_") ? v + 7 : v, true);
	if (res < 0)
		return KERR(k, "\"%s\" is not a resource limit (NOFILE, NPROC, CORE, ...)", v);
	char *colon = strchr(eq, ':');
	if (colon)
		*colon++ = 0;
	uint64_t soft, hard;
	bool soft_inf = !strcmp(eq, "unlimited"), hard_inf = colon && !strcmp(colon, "unlimited");
	if ((!soft_inf && parse_u64(eq, &soft) < 0) || (colon && !hard_inf && parse_u64(colon, &hard) < 0))
		return KERR(k, "\"%s\": limits are numbers or \"unlimited\"", k->e->value);
	soft = soft_inf ? UINT64_MAX : soft;
	hard = !colon ? soft : hard_inf ? UINT64_MAX : hard;
	if (soft > hard)
		return KERR(k, "the soft limit is above the hard one");
	struct spec_process *p = &k->c->spec.process;
	size_t i = 0;
	while (i < p->n_rlimits && p->rlimits[i].resource != res)
		i++;
	if (i == p->n_rlimits) {
		p->rlimits = arena_grow(k->a, (void *)p->rlimits, p->n_rlimits, sizeof(*p->rlimits));
		p->n_rlimits++;
	}
	p->rlimits[i] = (struct spec_rlimit){ res, soft, hard };
	return 0;
}

static int k_oom_score_adj(struct key_ctx *k)
{
	int64_t v;
	if (get_int(k, -1000, 1000, &v) < 0)
		return -1;
	k->c->spec.process.has_oom_score_adj = true;
	k->c->spec.process.oom_score_adj = (int)v;
	return 0;
}

static int k_cgroup(struct key_ctx *k)
{
	if (path_has_dot_component(k->e->value))
		return KERR(k, "\"%s\": \".\" and \"..\" are not allowed in a cgroup path", k->e->value);
	k->c->spec.cgroups_path = k->e->value;
	return 0;
}

/* ---- [resources]: cgroup v2's names, mapped to linux.resources ---- */

static struct resources *res(struct key_ctx *k) { return &k->c->spec.resources; }

static int k_memory_max(struct key_ctx *k)
{
	int64_t v;
	if (get_limit(k, &v) < 0)
		return -1;
	res_put(res(k), R_MEM_LIMIT, v);
	return 0;
}

static int k_memory_low(struct key_ctx *k)
{
	int64_t v;
	if (get_limit(k, &v) < 0)
		return -1;
	res_put(res(k), R_MEM_RESERVATION, v);
	return 0;
}

/* memory.swap.max is swap alone; the spec's swap is memory + swap, so
 * it is settled in service_finish once memory.max is known. */
static int k_memory_swap_max(struct key_ctx *k)
{
	int64_t v;
	if (get_limit(k, &v) < 0)
		return -1;
	res_put(res(k), R_MEM_SWAP, v);
	return 0;
}

/* Keys with no linux.resources field of their own go as unified keys. */
static int k_unified(struct key_ctx *k)
{
	struct resources *r = res(k);
	r->unified = arena_grow(k->a, (void *)r->unified, r->n_unified, sizeof(*r->unified));
	r->unified[r->n_unified++] = (struct spec_keyval){ k->e->key, k->e->value };
	return 0;
}

static int k_cpu_max(struct key_ctx *k)
{
	char text[64], *w[2];
	size_t n = strlen(k->e->value) < sizeof(text) ? str_words(strcpy(text, k->e->value), w, 2) : 3;
	if (n < 1)
		return KERR(k, "expected \"QUOTA [PERIOD]\" in microseconds, or \"max\"");
	int64_t q = -1, p = 100000;
	if (n > 2 || (strcmp(w[0], "max") && (parse_i64(w[0], &q) < 0 || q <= 0)) ||
	    (n == 2 && (parse_i64(w[1], &p) < 0 || p < 1000 || p > 1000000)))
		return KERR(k, "\"%s\": expected \"QUOTA [PERIOD]\" in microseconds (period 1000 to 1000000), or \"max\"",
			    k->e->value);
	res_put(res(k), R_CPU_QUOTA, q);
	res_put(res(k), R_CPU_PERIOD, p);
	return 0;
}

static int k_cpu_weight(struct key_ctx *k)
{
	int64_t w;
	if (get_int(k, 1, 10000, &w) < 0)
		return -1;
	/* The inverse of runc's shares -> weight mapping. */
	res_put(res(k), R_CPU_SHARES, 2 + ((w - 1) * 262142) / 9999);
	return 0;
}

static int k_cpuset_cpus(struct key_ctx *k) { res(k)->cpus = k->e->value; return 0; }
static int k_cpuset_mems(struct key_ctx *k) { res(k)->mems = k->e->value; return 0; }

static int k_pids_max(struct key_ctx *k)
{
	const char *v = k->e->value, *end;
	uint64_t share;
	int64_t n = -1;
	if (str_scan_u64(v, &share, &end) == 0 && *end == '%') {
		if (end[1] || share < 1 || share > 100)
			return KERR(k, "\"%s\" is not a share from 1%% to 100%%", v);
		k->c->pids_share = (int)share;
		return 0;
	}
	if (strcmp(v, "max") && get_int(k, 1, INT32_MAX, &n) < 0)
		return -1;
	res_put(res(k), R_PIDS_LIMIT, n);
	k->c->pids_share = -1;
	return 0;
}

static int k_io_weight(struct key_ctx *k)
{
	int64_t w;
	if (get_int(k, 1, 10000, &w) < 0)
		return -1;
	res_put(res(k), R_BLKIO_WEIGHT, 10 + ((w - 1) * 990) / 9999);
	return 0;
}

static const struct key {
	const char *section, *name;
	int (*fn)(struct key_ctx *);
	bool repeatable;
} keys[] = {
	{ "service", "rootfs", k_base, false }, { "service", "bundle", k_base, false },
	{ "service", "image", k_base, false },
	{ "service", "overlay", k_overlay, false }, { "service", "rootfs-digest", k_rootfs_digest, false },
	{ "service", "exec", k_exec, false }, { "service", "env", k_env, true },
	{ "service", "user", k_user, false }, { "service", "cwd", k_cwd, false },
	{ "service", "hostname", k_hostname, false }, { "service", "terminal", k_terminal, false },
	{ "service", "restart", k_restart, false }, { "service", "restart-delay", k_restart_delay, false },
	{ "service", "restart-max-delay", k_restart_max_delay, false },
	{ "service", "restart-reset", k_restart_reset, false }, { "service", "restart-limit", k_restart_limit, false },
	{ "service", "failure-action", k_failure_action, false }, { "service", "critical", k_critical, false },
	{ "service", "after", k_after, true }, { "service", "requires", k_requires, true },
	{ "service", "ready", k_ready, false }, { "service", "wait-for", k_wait_for, true },
	{ "service", "stop-signal", k_stop_signal, false }, { "service", "stop-timeout", k_stop_timeout, false },
	{ "service", "log-size", k_log_size, false }, { "service", "log-file", k_log_file, false },
	{ "service", "log-file-size", k_log_file_size, false }, { "service", "log-files", k_log_files, false },
	{ "service", "log-console", k_log_console, false }, { "service", "log-kmsg", k_log_kmsg, false },
	{ "service", "start-timeout", k_start_timeout, false },
	{ "service", "update-timeout", k_update_timeout, false }, { "service", "update-settle", k_update_settle, false },
	{ "service", "log-rate", k_log_rate, false }, { "service", "log-burst", k_log_burst, false },
	{ "container", "read-only", k_read_only, false }, { "container", "mount", k_mount, true },
	{ "container", "namespaces", k_namespaces, false }, { "container", "capability", k_capability, true },
	{ "container", "device", k_device, true }, { "container", "sysctl", k_sysctl, true },
	{ "container", "seccomp", k_seccomp, false }, { "container", "no-new-privileges", k_nnp, false },
	{ "container", "rlimit", k_rlimit, true }, { "container", "oom-score-adj", k_oom_score_adj, false },
	{ "container", "cgroup", k_cgroup, false },
	{ "resources", "memory.max", k_memory_max, false }, { "resources", "memory.low", k_memory_low, false },
	{ "resources", "memory.high", k_unified, false }, { "resources", "memory.swap.max", k_memory_swap_max, false },
	{ "resources", "cpu.max", k_cpu_max, false }, { "resources", "cpu.weight", k_cpu_weight, false },
	{ "resources", "cpuset.cpus", k_cpuset_cpus, false }, { "resources", "cpuset.mems", k_cpuset_mems, false },
	{ "resources", "pids.max", k_pids_max, false }, { "resources", "io.weight", k_io_weight, false },
#ifdef CONFIG_NETWORK
	{ "network", "mode", k_net_mode, false }, { "network", "bridge", k_net_bridge, false },
	{ "network", "bridge-address", k_net_bridge_address, true }, { "network", "parent", k_net_parent, false },
	{ "network", "macvlan-mode", k_net_macvlan_mode, false }, { "network", "address", k_net_address, true },
	{ "network", "gateway", k_net_gateway, true }, { "network", "mtu", k_net_mtu, false },
	{ "network", "mac", k_net_mac, false }, { "network", "dns", k_net_dns, true },
	{ "network", "dns-search", k_net_dns_search, true }, { "network", "hosts", k_net_hosts, true },
#endif
#ifdef CONFIG_NET_PUBLISH
	{ "network", "publish", k_net_publish, true },
#endif
};

void service_defaults(struct service_conf *c)
{
	c->restart = RESTART_ON_FAILURE;
	c->restart_delay_ms = 1000;
	c->restart_max_delay_ms = 30000;
	c->restart_reset_ms = 60000;
	c->stop_signal = SIGTERM;
	c->stop_timeout_ms = 10000;
	c->start_timeout_ms = 30000;
	c->update_timeout_ms = 60000;
	c->update_settle_ms = 10000;
	c->log_size = 64 * 1024;
	c->log_file_size = 1024 * 1024;
	c->log_files = 2;
	/* A 115200-baud serial line carries ~140 lines of 80 characters a
	 * second: one service alone must not fill it. */
	c->log_rate = 100;
	c->log_burst = 500;
}

int service_apply(struct service_conf *c, const struct ini_doc *d, size_t i)
{
	const struct ini_entry *e = &d->e[i];
	struct key_ctx k = { .c = c, .e = e, .file = d->file, .a = &c->spec.arena };
	bool section_known = false;
	for (size_t n = 0; n < ARRAY_SIZE(keys); n++) {
		if (strcmp(keys[n].section, e->section))
			continue;
		section_known = true;
		if (strcmp(keys[n].name, e->key))
			continue;
		/* A key given twice: the second is a mistake, unless it may
		 * repeat or continues the first on an indented line. */
		for (size_t j = 0; !keys[n].repeatable && !e->continuation && j < i; j++)
			if (!strcmp(d->e[j].section, e->section) && !strcmp(d->e[j].key, e->key))
				return ini_error(e, d->file, "given twice (first at line %d)", d->e[j].line);
		return keys[n].fn(&k);
	}
	if (!section_known)
		return log_error("%s:%d: [%s]: unknown section (expected [service], [container], [resources]"
				 IF_NETWORK(" or [network]") ")",
				 d->file, e->line, e->section);
	return ini_error(e, d->file, "unknown key in [%s] (berth.conf(5) lists them)", e->section);
}

int service_finish(struct service_conf *c)
{
	struct resources *r = &c->spec.resources;
	if (res_has(r, R_MEM_SWAP) && r->v[R_MEM_SWAP] >= 0) {
		if (!res_has(r, R_MEM_LIMIT) || r->v[R_MEM_LIMIT] < 0)
			return log_error("%s: memory.swap.max needs memory.max (the kernel limits memory+swap)", c->file);
		r->v[R_MEM_SWAP] += r->v[R_MEM_LIMIT];
	}
	if (!c->spec.process.args || !c->spec.process.args[0])
		return log_error("%s: [service] needs exec = COMMAND (or a bundle whose config.json has process.args)",
				 c->file);
	if (c->ready == READY_EXIT && c->restart == RESTART_ALWAYS)
		return log_error("%s: ready = exit is for one-shot tasks: restart = always would run it forever", c->file);
	if (!c->spec.hostname && c->spec.ns[NS_UTS].wanted)
		c->spec.hostname = c->name;
	if (c->ready == READY_NOTIFY)	/* where to write the readiness line */
		c->spec.process.env = arena_vec_add(&c->spec.arena, c->spec.process.env, "BERTH_NOTIFY_FD=3");
	env_merge(&c->spec.process, &c->spec.arena);
	if (c->restart_delay_ms > c->restart_max_delay_ms)
		c->restart_max_delay_ms = c->restart_delay_ms;
	/* A share of the host's tasks unless a limit is given (a bundle's
	 * pids.limit too): one service forking without end must leave the
	 * others room to fork, as systemd's DefaultTasksMax does. */
	if (c->pids_share > 0 || (c->pids_share == 0 && !res_has(r, R_PIDS_LIMIT))) {
		r->set &= ~(1ull << R_PIDS_LIMIT);
		r->pids_share = c->pids_share > 0 ? c->pids_share : SERVICE_PIDS_SHARE;
	}
	for (const char *const *n = c->requires; n && *n; n++)
		if (!strcmp(*n, c->name))
			return log_error("%s: requires itself", c->file);
	return network_finish(c);
}
