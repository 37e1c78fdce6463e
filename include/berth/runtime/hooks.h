/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_HOOKS_H
#define BERTH_HOOKS_H
#include "berth/config.h"
#include "berth/spec/spec.h"

#ifdef CONFIG_HOOKS
/* Run every hook of kind k with the state JSON on its stdin, each killed
 * at its timeout. Returns -1 at the first failure (logged). */
int hooks_run(const struct spec *s, enum hook_kind k, const char *state_json);
#else
static inline int hooks_run(const struct spec *s, enum hook_kind k, const char *state_json)
{
	(void)k, (void)state_json;
	return 0;
}
#endif

#endif
