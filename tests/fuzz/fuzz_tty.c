/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the console's answer to a cursor query (src/linux/tty.c):
 * whatever comes back on a serial line, in pieces of any size. Each piece
 * is a length byte and that many bytes. Nothing may be read or written
 * outside the buffer; a short answer (ESC [ up to 8 digits ; up to 8
 * digits R) anywhere in the stream must be found, and nothing may be
 * found in a stream without an answer of any length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "berth/linux/linux.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s holds ESC [ D{1,max} ; D{1,max} R. */
static int holds(const uint8_t *s, size_t n, size_t max)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != 033 || s[i + 1] != '[')
			continue;
		size_t j = i + 2, a = 0, b = 0;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			a++, j++;
		if (!a || a > max || j >= n || s[j++] != ';')
			continue;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			b++, j++;
		if (b && b <= max && j < n && s[j] == 'R')
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *stream = malloc(size + 1);
	if (!stream)
		return 0;
	size_t len = 0;
	struct tty_answer a = { .n = 0 };
	int found = 0;
	for (size_t i = 0; i < size && !found;) {
		size_t k = data[i++] % 100;
		if (k > size - i)
			k = size - i;
		memcpy(stream + len, data + i, k);
		len += k;
		found = tty_answer_feed(&a, (const char *)data + i, k);
		i += k;
		if (a.n > sizeof(a.buf))
			abort();
	}
	if (found && !holds(stream, len, SIZE_MAX))
		abort();	/* an answer where the stream has none */
	if (!found && holds(stream, len, 8))
		abort();	/* a short answer missed */
	free(stream);
	return 0;
}
