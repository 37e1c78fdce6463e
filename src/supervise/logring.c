/* SPDX-License-Identifier: Apache-2.0 */
/* A service's recent output: a fixed ring the supervisor writes as fast
 * as the service produces, so a slow reader (a `logs -f` client on a
 * serial console) costs the service nothing; such a reader skips ahead. */
#include <stdlib.h>
#include <string.h>
#include "berth/supervise/supervise.h"

int logring_init(struct logring *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->buf = malloc(cap);
	if (!r->buf)
		return -1;
	r->cap = cap;
	return 0;
}

void logring_free(struct logring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void logring_write(struct logring *r, const char *p, size_t n)
{
	r->total += n;
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
	size_t start = (r->head + r->cap - n) % (r->cap ? r->cap : 1);
	*p1 = r->buf + start;
	*n1 = r->cap - start < n ? r->cap - start : n;
	*p2 = r->buf;
	*n2 = n - *n1;
	return n;
}
