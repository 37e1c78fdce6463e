/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "berth/util/arena.h"
#include "berth/util/log.h"

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

/* Blocks of 4,076 bytes, header included: with the 4-byte header of
 * musl's malloc that is one 4,080-byte slot, where 4,096 would take a
 * 4,672-byte one (a supervisor keeps two or three per service). A typical
 * config.json fits in two or three. */
#define BLOCK_BYTES 4076
#define BLOCK_DATA (BLOCK_BYTES - sizeof(struct arena_block))

/* One block of the usual size is static, for whichever arena needs one
 * while it is free: musl's allocator gives a freed block's pages back to
 * the kernel at once, so a loop that parses and frees (`list`: a
 * state.json per container, each in a JSON tree's arena) paid an mmap
 * and a munmap for every pass. Not a freed block kept for reuse: that
 * would pin a group of musl's 4 KiB slots (20 KiB more of a supervisor
 * with 10 services). */
static union {
	struct arena_block b;
	char bytes[BLOCK_BYTES];
} static_block;
static bool static_block_taken;

/* size bytes at an offset aligned to align (a power of two), zeroed. */
static void *take(struct arena *a, size_t size, size_t align)
{
	struct arena_block *b = a->head;
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
	if (!b || at > b->size || b->size - at < size) {
		size_t cap = size > BLOCK_DATA ? size : BLOCK_DATA;
		if (cap == BLOCK_DATA && !static_block_taken)
			b = &static_block.b, static_block_taken = true;
		else if (!(b = malloc(sizeof(*b) + cap)))
			fatal("out of memory");
		b->used = 0;
		b->size = cap;
		at = 0;
		/* Big allocations get their own block behind the current one,
		 * so the current block's free space is not wasted. */
		if (a->head && size > BLOCK_DATA) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = (char *)b->data + at;
	b->used = at + size;
	memset(p, 0, size);
	return p;
}

void *arena_alloc(struct arena *a, size_t size)
{
	return take(a, size, sizeof(max_align_t));
}

void *arena_array(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		fatal("out of memory");
	return arena_alloc(a, n * size);
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(take(a, n, 1), s, n);	/* a string needs no alignment */
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = take(a, (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* The record of p, or NULL. Few arrays grow at once: a parser appends to
 * one list per repeated key. */
static struct arena_growing *growing_find(struct arena *a, const void *p)
{
	for (unsigned i = 0; p && i < ARENA_GROWING; i++)
		if (a->growing[i].p == p)
			return &a->growing[i];
	return NULL;
}

static struct arena_growing *growing_record(struct arena *a, void *p, size_t cap, size_t len)
{
	struct arena_growing *g = &a->growing[a->next_growing++ % ARENA_GROWING];
	*g = (struct arena_growing){ p, cap, len };
	return g;
}

void *arena_grow(struct arena *a, void *p, size_t n, size_t size)
{
	struct arena_growing *g = growing_find(a, p);
	if (g && n < g->cap) {
		g->len = n + 1;
		return p;
	}
	size_t cap = n < 4 ? 8 : 2 * n;
	void *bigger = arena_array(a, cap, size);
	if (n)
		memcpy(bigger, p, n * size);
	if (g)
		*g = (struct arena_growing){ bigger, cap, n + 1 };
	else
		growing_record(a, bigger, cap, n + 1);
	return bigger;
}

const char *const *arena_vec_add(struct arena *a, const char *const *v, const char *s)
{
	struct arena_growing *g = growing_find(a, v);
	size_t n = 0;
	/* The recorded length, if the vector still ends there (whoever
	 * shortened it in place since is counted again). */
	if (g && g->len >= 1 && !v[g->len - 1] && (g->len == 1 || v[g->len - 2]))
		n = g->len - 1;
	else
		while (v && v[n])
			n++;
	/* n strings and the NULL in use, room wanted for one more; an empty
	 * vector grows to two first (its string and the NULL). */
	const char **out = v ? arena_grow(a, (void *)v, n + 1, sizeof(*out))
			     : arena_grow(a, arena_grow(a, NULL, 0, sizeof(*out)), 1, sizeof(*out));
	out[n] = s;
	out[n + 1] = NULL;
	return out;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		if (b == &static_block.b)
			static_block_taken = false;
		else
			free(b);
		b = next;
	}
	a->head = NULL;
	memset(a->growing, 0, sizeof(a->growing));
}

size_t arena_blocks(const struct arena *a)
{
	size_t n = 0;
	for (const struct arena_block *b = a->head; b; b = b->next)
		n++;
	return n;
}
