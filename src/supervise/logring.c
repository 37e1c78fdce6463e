/* SPDX-License-Identifier: Apache-2.0 */
/* A service's recent output: a ring the supervisor writes as fast as the
 * service produces, so a slow reader (a `logs -f` client on a serial
 * console) costs the service nothing; such a reader skips ahead.
 *
 * The memory comes as the output does: nothing for a service that has
 * said nothing, then room doubled from 4 KiB up to the configured size.
 * It only grows before it first wraps (the bytes are then in order from
 * the start), so growing is one realloc. */
#include <stdlib.h>
#include <string.h>
#include "berth/supervise/supervise.h"

#define RING_FIRST 4096

int logring_init(struct logring *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max;
	return 0;
}

void logring_free(struct logring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* Room for n more bytes without wrapping, as far as max allows. Out of
 * memory, the ring keeps the size it has (and wraps from then on). */
static void grow(struct logring *r, size_t n)
{
	size_t want = r->cap ? r->cap : RING_FIRST;
	while (want < r->len + n && want < r->max)
		want *= 2;
	if (want > r->max)
		want = r->max;
	char *p = realloc(r->buf, want);
	if (!p) {
		r->max = r->cap;
		return;
	}
	r->buf = p;
	r->cap = want;
}

void logring_write(struct logring *r, const char *p, size_t n)
{
	r->total += n;
	if (r->cap < r->max && r->len + n > r->cap)
		grow(r, n);
	if (!r->cap)
		return;		/* no memory at all: the bytes are counted, not kept */
	if (n >= r->cap) {	/* only the tail fits */
		p += n - r->cap;
		n = r->cap;
	}
	size_t first = r->cap - r->head < n ? r->cap - r->head : n;
	memcpy(r->buf + r->head, p, first);
	memcpy(r->buf, p + first, n - first);
	r->head = (r->head + n) % r->cap;
	r->len = r->len + n > r->cap ? r->cap : r->len + n;
}

size_t logring_since(const struct logring *r, uint64_t from, const char **p1, size_t *n1, const char **p2, size_t *n2)
{
	uint64_t oldest = r->total - r->len;
	if (from < oldest)
		from = oldest;
	size_t n = (size_t)(r->total - from);
	size_t start = r->cap ? (r->head + r->cap - n) % r->cap : 0;
	*p1 = r->buf + start;
	*n1 = r->cap - start < n ? r->cap - start : n;
	*p2 = r->buf;
	*n2 = n - *n1;
	return n;
}
