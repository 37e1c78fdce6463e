/* SPDX-License-Identifier: Apache-2.0 */
/* A bump allocator: many small allocations, one free. Used for everything a
 * parse produces, so that an error anywhere leaves nothing to clean up. */
#ifndef BERTH_ARENA_H
#define BERTH_ARENA_H
#include <stddef.h>

struct arena_block;
/* Arrays being appended to: where each is and how much room it has, so
 * that appending one at a time stays linear (arena_grow). */
struct arena_growing {
	void *p;
	size_t cap, len;
};
#define ARENA_GROWING 8
struct arena {
	struct arena_block *head;
	struct arena_growing growing[ARENA_GROWING];
	unsigned next_growing;
};

/* Zeroed memory; exits with a message when memory is exhausted. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_array(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);
/* How many blocks it holds: what a long-lived arena (a supervisor's, per
 * service) costs, in 4 KiB. */
size_t arena_blocks(const struct arena *a);
/* p[0..n) with room for one more element: p itself while it has room,
 * else a copy with twice the room. Appending n elements one by one costs
 * O(n) time and at most ~4n elements of arena, whoever made p (an array
 * from config.json grows as well as one begun here). */
void *arena_grow(struct arena *a, void *p, size_t n, size_t size);
/* Append s to a NULL-terminated vector, in amortized constant time. */
const char *const *arena_vec_add(struct arena *a, const char *const *v, const char *s);

#endif
