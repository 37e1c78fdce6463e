/* SPDX-License-Identifier: Apache-2.0 */
/* A command line as a shell reads its words: blanks separate them,
 * '...' keeps everything literally, "..." keeps blanks and lets \ escape
 * " \ and $, a bare \ escapes the next character. No expansion happens:
 * `exec = sh -c 'echo $HOME'` is what it says. */
#include <string.h>
#include "berth/spec/service.h"

const char *const *split_command(const char *line, struct arena *a, const char **error)
{
	size_t cap = strlen(line) + 1, n = 0;
	/* At most one word per two characters, plus the terminator. */
	const char **argv = arena_array(a, cap / 2 + 2, sizeof(*argv));
	char *buf = arena_alloc(a, cap), *out = buf;
	const char *p = line;
	*error = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		char *word = out;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');
				if (!end) {
					*error = "unterminated '...'";
					return NULL;
				}
				memcpy(out, p + 1, (size_t)(end - p - 1));
				out += end - p - 1;
				p = end + 1;
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && p[1] && strchr("\"\\$", p[1]))
						p++;
					*out++ = *p;
				}
				if (*p != '"') {
					*error = "unterminated \"...\"";
					return NULL;
				}
				p++;
			} else if (*p == '\\') {
				if (!p[1]) {
					*error = "a \\ at the end of the line";
					return NULL;
				}
				*out++ = p[1];
				p += 2;
			} else {
				*out++ = *p++;
			}
		}
		*out++ = 0;
		argv[n++] = word;
	}
	argv[n] = NULL;
	if (!n)
		*error = "no command";
	return n ? argv : NULL;
}
