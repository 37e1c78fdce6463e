/* SPDX-License-Identifier: Apache-2.0 */
/* Dependencies between the services of a directory: `requires` (which
 * must exist) and `after`, ordering only. Checked the same way by the
 * supervisor at load and by `berth check`, without a kernel. */
#ifndef BERTH_SPEC_DEPS_H
#define BERTH_SPEC_DEPS_H
#include <stdbool.h>
#include <stddef.h>
#include "berth/spec/service.h"

struct deps_check {
	const struct service_conf *const *svcs;
	size_t n;
	/* A service left out (already broken): not checked, and not an edge
	 * to follow (a service requiring it is not refused for that). */
	bool (*skip)(size_t i, void *arg);
	/* Service i is refused: it requires an unknown service, or sits on a
	 * cycle; why says which ("dependency cycle: a -> b -> a"). After this,
	 * skip(i) must be true. */
	void (*refuse)(size_t i, const char *why, void *arg);
	void *arg;
};

/* The index of the service of that name among svcs, or -1. */
long deps_find(const struct deps_check *d, const char *name);
void deps_run(const struct deps_check *d);

#endif
