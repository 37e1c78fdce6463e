/* SPDX-License-Identifier: Apache-2.0 */
/* JSON text written as it goes, without a tree: state.json, `state`,
 * `list -f json`, `events`, `features` and the seccomp agent's message.
 * The text is what cJSON_PrintUnformatted and (pretty) cJSON_Print make
 * of the same values, byte for byte, so that readers of berth's output
 * see no change; numbers are integers, written exactly (uint64_t). */
#ifndef BERTH_JSON_WRITE_H
#define BERTH_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_DEPTH 8

struct jw {
	char *buf;
	size_t len, cap;
	bool pretty, failed;	/* failed: out of memory, or nested too deep */
	int depth;		/* open objects and arrays: cJSON indents by these */
	char open[JW_DEPTH];	/* '{' or '[' */
	bool has_items[JW_DEPTH];
};

void jw_init(struct jw *w, bool pretty);
/* Each value is a member named `key` of the open object, or (key NULL)
 * an element of the open array, or the whole text. */
void jw_object(struct jw *w, const char *key);
void jw_array(struct jw *w, const char *key);
void jw_end(struct jw *w);	/* closes the innermost object or array */
void jw_string(struct jw *w, const char *key, const char *v);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_int(struct jw *w, const char *key, long long v);
void jw_bool(struct jw *w, const char *key, bool v);
/* Text that is JSON already (another writer's), as it is. */
void jw_raw(struct jw *w, const char *key, const char *json);
/* The text (malloc'd, the caller frees it); NULL if out of memory or
 * nested deeper than JW_DEPTH. */
char *jw_finish(struct jw *w);

#endif
