/* SPDX-License-Identifier: Apache-2.0 */
/* Unknown names and cycles among the services' `requires` and `after`:
 * the services concerned are refused, the rest go on. A depth-first
 * search over both kinds of edge; after a cycle is refused, the search
 * starts again among the rest, for other cycles. */
#include <stdio.h>
#include <string.h>
#include "berth/spec/deps.h"

long deps_find(const struct deps_check *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->svcs[i]->name, name))
			return (long)i;
	return -1;
}

/* colour: 0 new, 1 on the path, 2 done. True when a cycle was refused. */
static bool visit(const struct deps_check *d, size_t i, char *colour, size_t *path, size_t depth)
{
	colour[i] = 1;
	path[depth] = i;
	const struct service_conf *s = d->svcs[i];
	const char *const *lists[2] = { s->requires, s->after };
	for (int l = 0; l < 2; l++)
		for (const char *const *n = lists[l]; n && *n; n++) {
			long k = deps_find(d, *n);
			if (k < 0 || d->skip((size_t)k, d->arg))
				continue;
			if (colour[k] == 1) {
				/* The cycle: from k's place on the path to here. */
				size_t from = 0, len = 0;
				char trail[512];
				while (path[from] != (size_t)k)
					from++;
				for (size_t p = from; p <= depth; p++)
					len += (size_t)snprintf(trail + len, len < sizeof(trail) ? sizeof(trail) - len : 0, "%s -> ",
								d->svcs[path[p]]->name);
				snprintf(trail + (len < sizeof(trail) ? len : sizeof(trail) - 1),
					 len < sizeof(trail) ? sizeof(trail) - len : 1, "%s", *n);
				char why[600];
				snprintf(why, sizeof(why), "dependency cycle: %s", trail);
				for (size_t p = from; p <= depth; p++)
					d->refuse(path[p], why, d->arg);
				return true;
			}
			if (colour[k] == 0 && visit(d, (size_t)k, colour, path, depth + 1))
				return true;
		}
	colour[i] = 2;
	return false;
}

void deps_run(const struct deps_check *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct service_conf *s = d->svcs[i];
		for (const char *const *n = s->requires; !d->skip(i, d->arg) && n && *n; n++)
			if (deps_find(d, *n) < 0) {
				char why[300];
				snprintf(why, sizeof(why), "requires \"%s\", which has no service file", *n);
				d->refuse(i, why, d->arg);
			}
	}
	char colour[d->n + 1];
	size_t path[d->n + 1];
	for (bool again = true; again;) {
		again = false;
		memset(colour, 0, sizeof(colour));
		for (size_t i = 0; i < d->n && !again; i++)
			if (!colour[i] && !d->skip(i, d->arg))
				again = visit(d, i, colour, path, 0);
	}
}
