/* SPDX-License-Identifier: Apache-2.0 */
/* Typed access to cJSON trees with the JSON path of every error:
 * "config.json: process.user.uid: expected a non-negative integer". */
#ifndef BERTH_JSON_H
#define BERTH_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "berth/util/arena.h"

struct jctx {
	const char *origin;	/* file name for messages */
	struct arena *arena;	/* where strings and arrays are copied */
	struct arena tree;	/* the parsed tree (j_parse), until j_release */
	char path[512];		/* current JSON path */
	size_t len;
};

/* Descend into .key or [i]; return a mark to restore with jpath_pop. */
size_t jpath_key(struct jctx *j, const char *key);
size_t jpath_index(struct jctx *j, size_t i);
void jpath_pop(struct jctx *j, size_t mark);
/* Log "origin: path: message"; returns -1. */
int jerr(struct jctx *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same about field `key` of the current object. */
int jerr_at(struct jctx *j, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *jtype(const cJSON *v);

/* Field getters: 1 = found and stored, 0 = absent or null, -1 = wrong type
 * or range (logged). The *_at forms read a value already in hand. */
int j_string(struct jctx *j, const cJSON *obj, const char *key, const char **out);
int j_bool(struct jctx *j, const cJSON *obj, const char *key, bool *out);
int j_i64(struct jctx *j, const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out);
int j_u64(struct jctx *j, const cJSON *obj, const char *key, uint64_t *out);
int j_u32(struct jctx *j, const cJSON *obj, const char *key, uint32_t *out);
int j_object(struct jctx *j, const cJSON *obj, const char *key, const cJSON **out);
int j_array(struct jctx *j, const cJSON *obj, const char *key, const cJSON **out);
/* Array of strings -> NULL-terminated vector in the arena. */
int j_strings(struct jctx *j, const cJSON *obj, const char *key, const char *const **out, size_t *n);
/* Object of strings -> key/value pairs in the arena. */
struct spec_keyval;
int j_keyvals(struct jctx *j, const cJSON *obj, struct spec_keyval **out, size_t *n, struct arena *a);
int j_string_at(struct jctx *j, const cJSON *v, const char **out);
int j_u64_at(struct jctx *j, const cJSON *v, uint64_t *out);

/* Parse JSON text into j->tree; on a syntax error logs
 * "origin:line:col: malformed JSON" and returns NULL. The tree is freed
 * by j_release, not cJSON_Delete: what is read from it must be copied
 * (the j_* getters copy into j->arena). */
cJSON *j_parse(struct jctx *j, const char *text, size_t len);
void j_release(struct jctx *j);
/* The same without a jctx: the tree in `tree` (arena_free it), cJSON's
 * error position in *errp; NULL and nothing held on a syntax error. */
cJSON *json_parse(struct arena *tree, const char *text, size_t len, const char **errp);

/* Iterate the elements of JSON array `arr`, extending the error path with
 * [i] around `body`; `body` may `return -1`, so the path is only restored
 * on the success path (errors end the parse). */
#define EACH(j, arr, i, e) \
	for (size_t i = 0, m_##i = 0; i == 0; i = 1) \
	for (const cJSON *e = (arr) ? (arr)->child : NULL; \
	     e && ((m_##i = jpath_index(j, i)), 1); \
	     jpath_pop(j, m_##i), e = e->next, i++)

/* Run `call` with .key on the error path; return -1 from the caller if
 * it fails. */
#define SUB(j, key, call) do { \
	size_t m_sub_ = jpath_key(j, key); \
	if ((call) < 0) \
		return -1; \
	jpath_pop(j, m_sub_); \
} while (0)

#endif
