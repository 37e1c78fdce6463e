/* SPDX-License-Identifier: Apache-2.0 */
/* Mount option words ("ro", "nosuid", "rbind", "rslave", "size=64k") to
 * mount(2) flags, propagation and data, shared by every front-end. */
#ifndef BERTH_MOUNTOPTS_H
#define BERTH_MOUNTOPTS_H
#include "berth/spec/spec.h"

/* Adds one option word to m; unknown words become filesystem data.
 * Returns -1 (after logging with `where`) for options berth cannot honour. */
int mountopt_apply(struct spec_mount *m, struct arena *a, const char *word, const char *where);
/* "rslave" etc. -> MS_SLAVE|MS_REC; 0 if not a propagation word. */
unsigned long propagation_from_name(const char *s);

/* The i-th option word berth knows (for `berth features`); NULL past the end. */
const char *mountopt_name(size_t i);

#endif
