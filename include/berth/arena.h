/* A bump allocator: many small allocations, one free. Used for everything a
 * parse produces, so that an error anywhere leaves nothing to clean up. */
#ifndef BERTH_ARENA_H
#define BERTH_ARENA_H
#include <stddef.h>

struct arena_block;
struct arena {
	struct arena_block *head;
};

/* Zeroed memory; exits with a message when memory is exhausted. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_array(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);

#endif
