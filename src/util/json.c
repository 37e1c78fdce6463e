/* SPDX-License-Identifier: Apache-2.0 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "berth/util/json.h"
#include "berth/util/log.h"
#include "berth/spec/resources.h"

/* The path is extended for every field and element parsed, so this is
 * on the hot path of every parse: plain copies, no printf. */
static void jpath_append(struct jctx *j, const char *s, size_t n)
{
	if (n > sizeof(j->path) - 1 - j->len)
		n = sizeof(j->path) - 1 - j->len;
	memcpy(j->path + j->len, s, n);
	j->len += n;
	j->path[j->len] = 0;
}

size_t jpath_key(struct jctx *j, const char *key)
{
	size_t mark = j->len;
	if (j->len)
		jpath_append(j, ".", 1);
	jpath_append(j, key, strlen(key));
	return mark;
}

size_t jpath_index(struct jctx *j, size_t i)
{
	char buf[24], *p = buf + sizeof(buf);
	*--p = ']';
	do
		*--p = (char)('0' + i % 10);
	while (i /= 10);
	*--p = '[';
	size_t mark = j->len;
	jpath_append(j, p, (size_t)(buf + sizeof(buf) - p));
	return mark;
}

void jpath_pop(struct jctx *j, size_t mark)
{
	j->len = mark;
	j->path[mark] = 0;
}

int jerr(struct jctx *j, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->len)
		return log_error("%s: %s: %s", j->origin, j->path, msg);
	return log_error("%s: %s", j->origin, msg);
}

int jerr_at(struct jctx *j, const char *key, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t mark = jpath_key(j, key);
	jerr(j, "%s", msg);
	jpath_pop(j, mark);
	return -1;
}

const char *jtype(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "null";
}

/* Look up key; 0 when absent or JSON null (the spec treats both alike). */
static const cJSON *field(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return v && !cJSON_IsNull(v) ? v : NULL;
}

/* Run `check` on field `key` with the path extended by it. */
#define WITH_FIELD(j, obj, key, v, body) do { \
	const cJSON *v = field(obj, key); \
	if (!v) \
		return 0; \
	size_t mark_ = jpath_key(j, key); \
	int r_ = (body); \
	jpath_pop(j, mark_); \
	return r_; \
} while (0)

int j_string_at(struct jctx *j, const cJSON *v, const char **out)
{
	if (!cJSON_IsString(v))
		return jerr(j, "expected a string, got %s", jtype(v));
	*out = arena_strdup(j->arena, v->valuestring);
	return 1;
}

int j_string(struct jctx *j, const cJSON *obj, const char *key, const char **out)
{
	WITH_FIELD(j, obj, key, v, j_string_at(j, v, out));
}

static int bool_at(struct jctx *j, const cJSON *v, bool *out)
{
	if (!cJSON_IsBool(v))
		return jerr(j, "expected true or false, got %s", jtype(v));
	*out = cJSON_IsTrue(v);
	return 1;
}

int j_bool(struct jctx *j, const cJSON *obj, const char *key, bool *out)
{
	WITH_FIELD(j, obj, key, v, bool_at(j, v, out));
}

/* A whole number as text, with no floating-point conversion: berth's
 * printf has none (CONFIG_SMALL_PRINTF). */
static const char *whole_number(double d, char buf[32])
{
	if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
		snprintf(buf, 32, "%lld", (long long)d);
	else if (d >= 0 && d < 18446744073709551616.0)
		snprintf(buf, 32, "%llu", (unsigned long long)d);
	else
		snprintf(buf, 32, "%s", d < 0 ? "a number below -2^63" : "a number of 2^64 or more");
	return buf;
}

static int i64_at(struct jctx *j, const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	char text[32];
	if (!cJSON_IsNumber(v))
		return jerr(j, "expected an integer, got %s", jtype(v));
	double d = v->valuedouble;
	if (d != floor(d))
		return jerr(j, "expected an integer, got a fraction");
	if (d < (double)min || d > (double)max)
		return jerr(j, "%s is out of range (%lld to %lld)", whole_number(d, text), (long long)min, (long long)max);
	*out = (int64_t)d;
	return 1;
}

int j_i64(struct jctx *j, const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out)
{
	WITH_FIELD(j, obj, key, v, i64_at(j, v, min, max, out));
}

int j_u64_at(struct jctx *j, const cJSON *v, uint64_t *out)
{
	if (!cJSON_IsNumber(v))
		return jerr(j, "expected a non-negative integer, got %s", jtype(v));
	double d = v->valuedouble;
	char text[32];
	if (d != floor(d))
		return jerr(j, "expected a non-negative integer, got a fraction");
	if (d < 0)
		return jerr(j, "expected a non-negative integer, got %s", whole_number(d, text));
	/* cJSON keeps numbers as doubles: 2^64-1 (RLIM_INFINITY as Go writes
	 * it) arrives as 2^64, which must saturate rather than overflow. */
	*out = d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
	return 1;
}

int j_u64(struct jctx *j, const cJSON *obj, const char *key, uint64_t *out)
{
	WITH_FIELD(j, obj, key, v, j_u64_at(j, v, out));
}

static int u32_at(struct jctx *j, const cJSON *v, uint32_t *out)
{
	int64_t x;
	int r = i64_at(j, v, 0, UINT32_MAX, &x);
	if (r > 0)
		*out = (uint32_t)x;
	return r;
}

int j_u32(struct jctx *j, const cJSON *obj, const char *key, uint32_t *out)
{
	WITH_FIELD(j, obj, key, v, u32_at(j, v, out));
}

static int object_at(struct jctx *j, const cJSON *v, const cJSON **out)
{
	if (!cJSON_IsObject(v))
		return jerr(j, "expected an object, got %s", jtype(v));
	*out = v;
	return 1;
}

int j_object(struct jctx *j, const cJSON *obj, const char *key, const cJSON **out)
{
	WITH_FIELD(j, obj, key, v, object_at(j, v, out));
}

static int array_at(struct jctx *j, const cJSON *v, const cJSON **out)
{
	if (!cJSON_IsArray(v))
		return jerr(j, "expected an array, got %s", jtype(v));
	*out = v;
	return 1;
}

int j_array(struct jctx *j, const cJSON *obj, const char *key, const cJSON **out)
{
	WITH_FIELD(j, obj, key, v, array_at(j, v, out));
}

static int strings_at(struct jctx *j, const cJSON *v, const char *const **out, size_t *count)
{
	if (!cJSON_IsArray(v))
		return jerr(j, "expected an array of strings, got %s", jtype(v));
	size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
	const char **vec = arena_array(j->arena, n + 1, sizeof(*vec));
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		size_t mark = jpath_index(j, i);
		int r = j_string_at(j, e, &vec[i]);
		jpath_pop(j, mark);
		if (r < 0)
			return -1;
		i++;
	}
	*out = vec;
	if (count)
		*count = n;
	return 1;
}

int j_strings(struct jctx *j, const cJSON *obj, const char *key, const char *const **out, size_t *n)
{
	WITH_FIELD(j, obj, key, v, strings_at(j, v, out, n));
}

int j_keyvals(struct jctx *j, const cJSON *obj, struct spec_keyval **out, size_t *n, struct arena *a)
{
	*n = (size_t)cJSON_GetArraySize(obj);
	*out = arena_array(a, *n, sizeof(**out));
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, obj) {
		size_t mark = jpath_key(j, e->string);
		(*out)[i].key = arena_strdup(a, e->string);
		if (j_string_at(j, e, &(*out)[i].value) < 0)
			return -1;
		jpath_pop(j, mark);
		i++;
	}
	return 0;
}

/* cJSON's nodes and strings go to the arena that `tree` points at while a
 * parse runs: a tree is then freed in one go (cJSON_Delete freed it node
 * by node, and with musl's allocator that took more time than the parse
 * itself: half of what a service file's parse cost). berth only reads the
 * trees it parses, so nothing is freed or grown in between. */
static struct arena *tree;

static void *tree_alloc(size_t size)
{
	return arena_alloc(tree, size);
}

static void tree_free(void *p)
{
	(void)p;	/* the arena goes as a whole */
}

cJSON *json_parse(struct arena *a, const char *text, size_t len, const char **errp)
{
	cJSON_Hooks hooks = { tree_alloc, tree_free };
	tree = a;
	cJSON_InitHooks(&hooks);
	cJSON *doc = cJSON_ParseWithLengthOpts(text, len, errp, 0);
	cJSON_InitHooks(NULL);	/* any other use of cJSON: its own malloc */
	tree = NULL;
	if (!doc)
		arena_free(a);
	return doc;
}

cJSON *j_parse(struct jctx *j, const char *text, size_t len)
{
	const char *errp = NULL;
	cJSON *doc = json_parse(&j->tree, text, len, &errp);
	if (!doc) {
		/* Turn cJSON's error pointer into a line and column. */
		size_t line = 1, col = 1;
		for (const char *p = text; errp && p < errp && p < text + len; p++, col++)
			if (*p == '\n')
				line++, col = 0;
		log_error("%s:%zu:%zu: malformed JSON", j->origin, line, col);
	}
	return doc;
}

void j_release(struct jctx *j)
{
	arena_free(&j->tree);
}
