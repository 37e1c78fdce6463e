/* SPDX-License-Identifier: Apache-2.0 */
/* Dependencies between services: `requires` (must be ready first) and
 * `after` (ordering only). Unknown names and cycles are found once, at
 * load: the services concerned are reported and not started; the rest
 * boot. */
#include <stdio.h>
#include <string.h>
#include "berth/spec/deps.h"
#include "berth/util/log.h"
#include "berth/supervise/supervise.h"

static void mark_broken(struct supervisor *sv, struct svc *s, const char *fmt, const char *arg)
{
	snprintf(s->why, sizeof(s->why), fmt, arg);
	log_error("service %s: %s: %s", s->name, svc_active(s) ? "stopping it" : "not started", s->why);
	svc_event(sv, s, EV_DEPS_BROKEN, false);
}

/* Broken by its file or its dependencies (perhaps still stopping). */
static bool broken(const struct svc *s)
{
	return s->lc.state == SVC_BROKEN || s->lc.order_broken;
}

static bool skip_broken(size_t i, void *arg) { return broken(((struct supervisor *)arg)->svcs[i]); }

static void refuse(size_t i, const char *why, void *arg)
{
	struct supervisor *sv = arg;
	mark_broken(sv, sv->svcs[i], "%s", why);
}

void order_check(struct supervisor *sv)
{
	/* Checked afresh (after a reload, what was missing may be there). */
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svcs[i]->lc.order_broken) {
			svc_event(sv, sv->svcs[i], EV_DEPS_FIXED, false);
			sv->svcs[i]->why[0] = 0;
		}
	const struct service_conf *confs[sv->n + 1];
	for (size_t i = 0; i < sv->n; i++)
		confs[i] = &sv->svcs[i]->conf;
	deps_run(&(struct deps_check){ confs, sv->n, skip_broken, refuse, sv });
}

/* The first requirement of s whose verdict is v. */
static const struct svc *requirement(struct supervisor *sv, const struct svc *s, enum dep_verdict v)
{
	for (const char *const *n = s->conf.requires; n && *n; n++) {
		const struct svc *d = svc_find(sv, *n);
		if (d && lifecycle_requires(&d->lc) == v)	/* !d: order_check reported it */
			return d;
	}
	return NULL;
}

const struct svc *order_never(struct supervisor *sv, const struct svc *s)
{
	return requirement(sv, s, DEP_NEVER);
}

const char *order_blocker(struct supervisor *sv, const struct svc *s, char *buf, size_t cap)
{
	const struct svc *d = order_never(sv, s);
	if (d) {
		snprintf(buf, cap, "requires %s, which is %s", d->name, svc_state_name(d->lc.state));
		return buf;
	}
	if ((d = requirement(sv, s, DEP_WAIT))) {
		snprintf(buf, cap, "waiting for %s to be ready", d->name);
		return buf;
	}
	for (const char *const *n = s->conf.after; n && *n; n++) {
		d = svc_find(sv, *n);
		if (!d || lifecycle_after(&d->lc) == DEP_MET)
			continue;
		snprintf(buf, cap, "after %s, which is %s", d->name, svc_state_name(d->lc.state));
		return buf;
	}
	return NULL;
}
