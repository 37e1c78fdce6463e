/* SPDX-License-Identifier: Apache-2.0 */
/* JSON written as it goes (see json_write.h). berth builds no tree for
 * what it prints: the values are at hand in order, and cJSON's printer
 * with its tree (2.5 KB of the binary, a malloc per value) did the same
 * with more steps. cJSON still reads every JSON text berth reads. */
#include <stdlib.h>
#include <string.h>
#include "berth/util/json_write.h"
#include "berth/util/util.h"

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->failed)
		return;
	char *b = buffer_reserve(w->buf, &w->cap, w->len + n + 1);
	if (!b) {
		w->failed = true;
		return;
	}
	w->buf = b;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

static void puts_(struct jw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void tabs(struct jw *w, int n)
{
	while (n-- > 0)
		put(w, "\t", 1);
}

/* A string with cJSON's escapes: the two-letter ones, \u00xx for the
 * other control characters, every other byte as it is (UTF-8 stays). */
static void quoted(struct jw *w, const char *s)
{
	put(w, "\"", 1);
	for (const char *run = s = s ? s : "";; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 32 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(s - run));
		if (!c)
			break;
		/* Each character with an escape of its own, then its letter. */
		const char *two = strchr("\"\"\\\\\bb\ff\nn\rr\tt", c);
		char esc[7] = { '\\', two ? two[1] : 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15] };
		put(w, esc, two ? 2 : 6);
		run = s + 1;
	}
	put(w, "\"", 1);
}

/* What comes before a value: the separator after the previous one, and
 * an object member's indent and name. */
static void before(struct jw *w, const char *key)
{
	if (!w->depth)
		return;
	int top = w->depth - 1;
	bool in_object = w->open[top] == '{';
	if (w->has_items[top])
		puts_(w, !w->pretty ? "," : in_object ? ",\n" : ", ");
	w->has_items[top] = true;
	if (in_object) {
		if (w->pretty)
			tabs(w, w->depth);
		quoted(w, key);
		put(w, ":\t", w->pretty ? 2 : 1);
	}
}

static void open_(struct jw *w, const char *key, char bracket)
{
	before(w, key);
	if (w->depth == JW_DEPTH) {
		w->failed = true;
		return;
	}
	w->open[w->depth] = bracket;
	w->has_items[w->depth++] = false;
	put(w, &bracket, 1);
	if (bracket == '{' && w->pretty)
		put(w, "\n", 1);
}

void jw_init(struct jw *w, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->pretty = pretty;
}

void jw_object(struct jw *w, const char *key)
{
	open_(w, key, '{');
}

void jw_array(struct jw *w, const char *key)
{
	open_(w, key, '[');
}

void jw_end(struct jw *w)
{
	if (!w->depth || w->failed)
		return;
	int top = --w->depth;
	if (w->open[top] == '[') {
		put(w, "]", 1);
		return;
	}
	if (w->pretty) {
		if (w->has_items[top])
			put(w, "\n", 1);
		tabs(w, top);
	}
	put(w, "}", 1);
}

void jw_string(struct jw *w, const char *key, const char *v)
{
	before(w, key);
	quoted(w, v);
}

static void number(struct jw *w, const char *key, bool negative, uint64_t v)
{
	char buf[21], *p = buf + sizeof(buf);
	before(w, key);
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if (negative)
		*--p = '-';
	put(w, p, (size_t)(buf + sizeof(buf) - p));
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	number(w, key, false, v);
}

void jw_int(struct jw *w, const char *key, long long v)
{
	number(w, key, v < 0, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	before(w, key);
	puts_(w, v ? "true" : "false");
}

void jw_raw(struct jw *w, const char *key, const char *json)
{
	before(w, key);
	puts_(w, json);
}

char *jw_finish(struct jw *w)
{
	if (w->failed || w->depth || !w->buf) {
		free(w->buf);
		w->buf = NULL;
		return NULL;
	}
	return w->buf;
}
