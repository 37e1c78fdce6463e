/* SPDX-License-Identifier: Apache-2.0 */
/* Dependencies between services: `requires` (must be ready first) and
 * `after` (ordering only). Unknown names and cycles are found once, at
 * load: the services concerned are reported and not started; the rest
 * boot. */
#include <stdio.h>
#include <string.h>
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

/* Depth-first search over both kinds of edge; colours: 0 new, 1 on the
 * path, 2 done. Returns the index where a cycle closes, or -1. */
static int visit(struct supervisor *sv, size_t i, char *colour, size_t *path, size_t depth, char *trail, size_t cap)
{
	colour[i] = 1;
	path[depth] = i;
	const struct svc *s = sv->svcs[i];
	const char *const *lists[2] = { s->conf.requires, s->conf.after };
	for (int l = 0; l < 2; l++)
		for (const char *const *n = lists[l]; n && *n; n++) {
			struct svc *d = svc_find(sv, *n);
			if (!d || broken(d))
				continue;
			size_t k = 0;
			while (sv->svcs[k] != d)
				k++;
			if (colour[k] == 1) {
				/* The cycle: from k's place on the path to here. */
				size_t from = 0;
				while (path[from] != k)
					from++;
				size_t len = 0;
				for (size_t p = from; p <= depth; p++)
					len += (size_t)snprintf(trail + len, len < cap ? cap - len : 0, "%s -> ",
								sv->svcs[path[p]]->name);
				snprintf(trail + (len < cap ? len : cap - 1), len < cap ? cap - len : 1, "%s", d->name);
				for (size_t p = from; p <= depth; p++)
					mark_broken(sv, sv->svcs[path[p]], "dependency cycle: %s", trail);
				return (int)k;
			}
			if (colour[k] == 0) {
				int c = visit(sv, k, colour, path, depth + 1, trail, cap);
				if (c >= 0)
					return c;
			}
		}
	colour[i] = 2;
	return -1;
}

void order_check(struct supervisor *sv)
{
	/* Checked afresh (after a reload, what was missing may be there). */
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svcs[i]->lc.order_broken) {
			svc_event(sv, sv->svcs[i], EV_DEPS_FIXED, false);
			sv->svcs[i]->why[0] = 0;
		}
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		for (const char *const *n = s->conf.requires; !broken(s) && n && *n; n++)
			if (!svc_find(sv, *n))
				mark_broken(sv, s, "requires \"%s\", which has no service file", *n);
	}
	char colour[sv->n + 1];
	size_t path[sv->n + 1];
	char trail[512];
	for (bool again = true; again;) {
		again = false;
		memset(colour, 0, sizeof(colour));
		for (size_t i = 0; i < sv->n && !again; i++) {
			if (colour[i] || broken(sv->svcs[i]))
				continue;
			/* A cycle's services are marked broken: look again for
			 * other cycles among the rest. */
			again = visit(sv, i, colour, path, 0, trail, sizeof(trail)) >= 0;
		}
	}
}

const char *order_blocker(struct supervisor *sv, const struct svc *s, char *buf, size_t cap)
{
	for (const char *const *n = s->conf.requires; n && *n; n++) {
		const struct svc *d = svc_find(sv, *n);
		if (!d)
			continue;	/* order_check reported it */
		enum dep_verdict v = lifecycle_requires(&d->lc);
		if (v == DEP_MET)
			continue;
		if (v == DEP_NEVER)
			snprintf(buf, cap, "requires %s, which is %s", d->name, svc_state_name(d->lc.state));
		else
			snprintf(buf, cap, "waiting for %s to be ready", d->name);
		return buf;
	}
	for (const char *const *n = s->conf.after; n && *n; n++) {
		const struct svc *d = svc_find(sv, *n);
		if (!d || lifecycle_after(&d->lc) == DEP_MET)
			continue;
		snprintf(buf, cap, "after %s, which is %s", d->name, svc_state_name(d->lc.state));
		return buf;
	}
	return NULL;
}
