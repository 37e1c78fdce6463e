/* SPDX-License-Identifier: Apache-2.0 */
/* The config.json parser's parts, one file each under src/spec/: the
 * sections that other inputs (`berth update -r`, `exec --process`) reuse. */
#ifndef BERTH_OCI_H
#define BERTH_OCI_H
#include "berth/util/json.h"
#include "berth/spec/spec.h"

/* linux.resources, at the current JSON path. */
int oci_parse_resources(struct jctx *j, const cJSON *obj, struct resources *r, struct arena *a);
/* A whole file holding one linux.resources object (runc update -r). */
int oci_resources_from_text(struct resources *r, struct arena *a, const char *text, size_t len,
			    const char *origin);

/* linux.seccomp, at the current JSON path. */
int oci_parse_seccomp(struct jctx *j, const cJSON *obj, struct spec_seccomp **out, struct arena *a);

/* oci_process_extras.c */
int oci_parse_io_priority(struct jctx *j, const cJSON *obj, struct spec_process *p);
int oci_parse_scheduler(struct jctx *j, const cJSON *obj, struct spec_process *p);
int oci_parse_personality(struct jctx *j, const cJSON *obj, struct spec *s);

#endif
