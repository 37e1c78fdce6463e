/* SPDX-License-Identifier: Apache-2.0 */
/* --systemd-cgroup (berth/systemd_cgroup.h): a transient scope from
 * systemd's manager over D-Bus (its private socket as root, else the
 * system bus), as runc's systemd driver asks for it: the unit named from
 * cgroupsPath, in its slice, with the container's init in it, Delegate
 * (the subtree is berth's to write), accounting on, and the limits
 * systemd itself would otherwise reset on a daemon-reload. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include "berth/linux/systemd_cgroup.h"
#include "berth/util/dbus.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

#define SYSTEMD_PRIVATE "/run/systemd/private"
#define SYSTEM_BUS "/run/dbus/system_bus_socket"
#define TIMEOUT_MS 30000

/* A unit name's characters, as systemd's unit_name_is_valid wants them
 * (no escapes: berth makes none). */
static bool unit_chars(const char *s)
{
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') && !(*s >= '0' && *s <= '9') &&
		    !strchr(":-_.", *s))
			return false;
	return true;
}

/* "a-b-c.slice" lives at /a.slice/a-b.slice/a-b-c.slice ("-.slice": /). */
static int slice_path(const char *slice, char *out, size_t cap)
{
	size_t n = strlen(slice);
	if (n <= 6 || strcmp(slice + n - 6, ".slice") || !unit_chars(slice))
		return log_error("linux.cgroupsPath: \"%s\" is not a slice (expected NAME.slice)", slice);
	out[0] = 0;
	if (!strcmp(slice, "-.slice"))
		return 0;
	size_t base = n - 6, len = 0;
	if (slice[0] == '-' || slice[base - 1] == '-' || str_find(slice, "--"))
		return log_error("linux.cgroupsPath: slice \"%s\": a dash may not begin, end or double", slice);
	for (size_t i = 0; i <= base; i++) {
		if (i < base && slice[i] != '-')
			continue;
		int w = snprintf(out + len, cap - len, "/%.*s.slice", (int)i, slice);
		if (w < 0 || (size_t)w >= cap - len)
			return log_error("linux.cgroupsPath: slice \"%s\" too long", slice);
		len += (size_t)w;
	}
	return 0;
}

int systemd_scope_parse(const char *cgroups_path, const char *id, struct systemd_scope *s)
{
	char buf[1024];
	const char *p = cgroups_path && *cgroups_path ? cgroups_path : NULL;
	if (!p) {
		snprintf(buf, sizeof(buf), "system.slice:berth:%s", id);
		p = buf;
	}
	const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':'))
		return log_error("linux.cgroupsPath: \"%s\": with --systemd-cgroup, expected \"slice:prefix:name\"", p);
	size_t ls = (size_t)(c1 - p), lp = (size_t)(c2 - c1 - 1);
	const char *name = c2 + 1;
	if (!*name || !unit_chars(name) || (lp && !unit_chars(c1 + 1)))
		return log_error("linux.cgroupsPath: \"%s\": the prefix and name may hold letters, digits, \"-_.\"; "
				 "the name is required", p);
	size_t nl = strlen(name);
	if (nl > 6 && !strcmp(name + nl - 6, ".slice"))
		return log_error("linux.cgroupsPath: \"%s\": berth makes a scope for the container, not a slice", p);
	if (ls >= sizeof(s->slice))
		return log_error("linux.cgroupsPath: \"%s\": slice too long", p);
	snprintf(s->slice, sizeof(s->slice), "%.*s", (int)ls, p);
	if (!ls)
		snprintf(s->slice, sizeof(s->slice), "system.slice");
	int w = snprintf(s->unit, sizeof(s->unit), "%.*s%s%s.scope", (int)lp, c1 + 1, lp ? "-" : "", name);
	if (w < 0 || (size_t)w >= sizeof(s->unit))
		return log_error("linux.cgroupsPath: \"%s\": the unit name is too long", p);
	char sp[768];
	if (slice_path(s->slice, sp, sizeof(sp)) < 0)
		return -1;
	snprintf(s->path, sizeof(s->path), "%s/%s", sp, s->unit);
	return 0;
}

/* ---- talking to systemd ---- */

static int connect_manager(struct dbus *c)
{
	struct statfs fs;
	if (statfs("/sys/fs/cgroup", &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
		return log_error("--systemd-cgroup: berth supports systemd's cgroups on a cgroup v2 (unified) host only");
	if (access(SYSTEMD_PRIVATE, F_OK) == 0)
		return dbus_open(c, SYSTEMD_PRIVATE, false, TIMEOUT_MS);
	if (access(SYSTEM_BUS, F_OK) == 0)
		return dbus_open(c, SYSTEM_BUS, true, TIMEOUT_MS);
	return log_error("--systemd-cgroup: systemd is not running here (neither %s nor %s)", SYSTEMD_PRIVATE, SYSTEM_BUS);
}

/* Call the manager's `member` with body b (freed here); an error reply is
 * logged as "doing: message (name)". */
static int manager_call(const char *member, const char *sig, struct dbus_buf *b, const char *doing)
{
	struct dbus c;
	struct dbus_reply r;
	int rc = connect_manager(&c);
	if (rc == 0) {
		rc = dbus_call(&c, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", member, sig, b, &r);
		dbus_close(&c);
	}
	dbus_buf_free(b);
	if (rc == 0 && r.error)
		rc = log_error("--systemd-cgroup: %s: %s (%s)", doing, r.message, r.name);
	return rc;
}

/* One (sv) of the properties array. */
static void prop(struct dbus_buf *b, const char *name, const char *type)
{
	dbus_put_struct(b);
	dbus_put_string(b, name);
	dbus_put_signature(b, type);
}

static void prop_bool(struct dbus_buf *b, const char *name, bool v)
{
	prop(b, name, "b");
	dbus_put_bool(b, v);
}

static void prop_u64(struct dbus_buf *b, const char *name, uint64_t v)
{
	prop(b, name, "t");
	dbus_put_u64(b, v);
}

/* The limits runc hands systemd, in its units (v2 names: unified host). */
static void limit_props(struct dbus_buf *b, const struct resources *r)
{
	if (!r)
		return;
	if (res_has(r, R_MEM_LIMIT) && r->v[R_MEM_LIMIT] > 0)
		prop_u64(b, "MemoryMax", (uint64_t)r->v[R_MEM_LIMIT]);
	if (res_has(r, R_PIDS_LIMIT))
		prop_u64(b, "TasksMax", r->v[R_PIDS_LIMIT] > 0 ? (uint64_t)r->v[R_PIDS_LIMIT] : UINT64_MAX);
	if (res_has(r, R_CPU_SHARES) && r->v[R_CPU_SHARES] > 0)
		prop_u64(b, "CPUWeight", res_shares_to_weight((uint64_t)r->v[R_CPU_SHARES]));
	if (res_has(r, R_CPU_QUOTA) && r->v[R_CPU_QUOTA] > 0) {
		uint64_t period = res_has(r, R_CPU_PERIOD) && r->v[R_CPU_PERIOD] > 0 ? (uint64_t)r->v[R_CPU_PERIOD] : 100000;
		/* systemd counts in 10 ms steps: round up, as runc does. */
		uint64_t per_sec = (uint64_t)r->v[R_CPU_QUOTA] * 1000000 / period;
		prop_u64(b, "CPUQuotaPerSecUSec", (per_sec + 9999) / 10000 * 10000);
		if (res_has(r, R_CPU_PERIOD))
			prop_u64(b, "CPUQuotaPeriodUSec", period);
	}
}

struct in_scope {
	pid_t pid;
	const char *path;
	bool there, gone;
};

static bool pid_in_scope(void *arg)
{
	struct in_scope *w = arg;
	char file[64];
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)w->pid);
	char *text = read_file(file, NULL);
	if (!text) {
		w->gone = true;
		return true;
	}
	for (char *at = text, *line; (line = next_line(&at));)
		if (!strncmp(line, "0::", 3))
			w->there = !strcmp(line + 3, w->path);
	free(text);
	return w->there;
}

int systemd_scope_start(const struct systemd_scope *s, pid_t pid, const struct resources *r)
{
	struct dbus_buf b = { 0 };
	char description[320];
	snprintf(description, sizeof(description), "berth container %s", s->unit);
	dbus_put_string(&b, s->unit);
	dbus_put_string(&b, "fail");
	struct dbus_array props = dbus_array_begin(&b, 8);
	prop(&b, "Description", "s");
	dbus_put_string(&b, description);
	prop(&b, "Slice", "s");
	dbus_put_string(&b, s->slice);
	prop_bool(&b, "Delegate", true);
	prop(&b, "PIDs", "au");
	struct dbus_array pids = dbus_array_begin(&b, 4);
	dbus_put_u32(&b, (uint32_t)pid);
	dbus_array_end(&b, pids);
	prop_bool(&b, "MemoryAccounting", true);
	prop_bool(&b, "CPUAccounting", true);
	prop_bool(&b, "TasksAccounting", true);
	prop_bool(&b, "IOAccounting", true);
	limit_props(&b, r);
	dbus_array_end(&b, props);
	struct dbus_array aux = dbus_array_begin(&b, 8);
	dbus_array_end(&b, aux);
	char doing[300];
	snprintf(doing, sizeof(doing), "systemd refused the scope %s", s->unit);
	if (manager_call("StartTransientUnit", "ssa(sv)a(sa(sv))", &b, doing) < 0)
		return -1;
	/* The job runs as soon as systemd gets to it: wait until the
	 * process is in the scope's cgroup, before it may run anything. */
	struct in_scope w = { pid, s->path, false, false };
	if (wait_for(pid_in_scope, &w, -1, 0, TIMEOUT_MS) < 0 || !w.there)
		return log_error("--systemd-cgroup: the container's init %s the scope %s (cgroup %s)",
				 w.gone ? "died before it was in" : "is not, after 30 s, in", s->unit, s->path);
	return 0;
}

int systemd_scope_update(const char *unit, const struct resources *r)
{
	struct dbus_buf b = { 0 };
	dbus_put_string(&b, unit);
	dbus_put_bool(&b, true);	/* runtime: not written to /etc */
	struct dbus_array props = dbus_array_begin(&b, 8);
	limit_props(&b, r);
	dbus_array_end(&b, props);
	char doing[300];
	snprintf(doing, sizeof(doing), "updating %s", unit);
	return manager_call("SetUnitProperties", "sba(sv)", &b, doing);
}
