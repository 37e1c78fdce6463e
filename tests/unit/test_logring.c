/* SPDX-License-Identifier: Apache-2.0 */
/* A service's log ring: no memory before the first byte, growth that
 * keeps the bytes in order, the wrap at the configured size, a follower's
 * position, and a write larger than the ring. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/supervise/supervise.h"

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) { passed++; } \
	else { failed++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

static char pattern(uint64_t i) { return (char)('a' + i % 23); }

static void write_n(struct logring *r, size_t n)
{
	char *b = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		b[i] = pattern(r->total + i);
	logring_write(r, b, n);
	free(b);
}

/* What the ring gives from position `from` is the stream's bytes from
 * there, in order, and exactly `want` of them. */
static bool holds(const struct logring *r, uint64_t from, size_t want)
{
	const char *p1, *p2;
	size_t n1, n2, n = logring_since(r, from, &p1, &n1, &p2, &n2);
	if (n != want || n1 + n2 != n)
		return false;
	uint64_t pos = r->total - n;
	for (size_t i = 0; i < n1; i++)
		if (p1[i] != pattern(pos + i))
			return false;
	for (size_t i = 0; i < n2; i++)
		if (p2[i] != pattern(pos + n1 + i))
			return false;
	return true;
}

int main(void)
{
	struct logring r;
	CHECK(logring_init(&r, 10000) == 0);
	CHECK(!r.buf && r.cap == 0);			/* nothing said, nothing kept */
	CHECK(holds(&r, 0, 0));
	write_n(&r, 100);
	CHECK(r.cap == 4096 && holds(&r, 0, 100));	/* the first 4 KiB */
	write_n(&r, 4000);
	CHECK(r.cap == 8192 && holds(&r, 0, 4100));	/* doubled, in order */
	uint64_t mark = r.total;
	write_n(&r, 4900);
	CHECK(r.cap == 10000 && holds(&r, 0, 9000));	/* up to the size asked, not past */
	CHECK(holds(&r, mark, 4900));			/* a follower gets what came since */
	write_n(&r, 3000);
	CHECK(r.cap == 10000 && r.len == 10000 && holds(&r, 0, 10000));	/* wrapped: the last 10000 */
	CHECK(holds(&r, mark, 7900));			/* still in the ring */
	write_n(&r, 25000);
	CHECK(holds(&r, 0, 10000));			/* one write larger than the ring: its tail */
	CHECK(holds(&r, mark, 10000));			/* a position that fell out starts at the oldest */
	logring_free(&r);

	/* A first write larger than the ring; a ring smaller than 4 KiB. */
	logring_init(&r, 1000);
	write_n(&r, 5000);
	CHECK(r.cap == 1000 && holds(&r, 0, 1000));
	logring_free(&r);

	/* Many small writes grow it as one large one would. */
	logring_init(&r, 65536);
	for (int i = 0; i < 1000; i++)
		write_n(&r, 37);
	CHECK(r.cap == 65536 && holds(&r, 0, 37000));
	for (int i = 0; i < 1000; i++)
		write_n(&r, 37);
	CHECK(holds(&r, 0, 65536));
	logring_free(&r);

	printf("logring: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
