/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the mountinfo reader (src/util/mountinfo.c): any text,
 * split into lines as mountinfo_each() splits the file. Nothing may be
 * read or written outside the line; a line it takes has every field,
 * each a string inside the line, no longer than the line, and the
 * separator's fields (fstype, source) not empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "berth/util/mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const char *s, const char *line, size_t len)
{
	return s && s >= line && s <= line + len && strlen(s) <= len - (size_t)(s - line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	for (char *line = text, *next; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		else
			next = line + strlen(line);
		size_t len = strlen(line);
		struct mountinfo m;
		if (mountinfo_parse(line, &m) < 0)
			continue;
		if (!inside(m.root, line, len) || !inside(m.mount_point, line, len) || !inside(m.options, line, len) ||
		    !inside(m.fstype, line, len) || !inside(m.source, line, len) || !*m.source ||
		    (*m.super_options && !inside(m.super_options, line, len)) || !*m.fstype || !*m.root ||
		    !*m.mount_point)
			abort();
	}
	free(text);
	return 0;
}
