/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include "berth/util/mountinfo.h"
#include "berth/util/util.h"

/* The kernel writes a space, tab, newline and backslash in a path as
 * \040, \011, \012 and \134: undone in place (never into a NUL, which
 * no path holds). */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		int c = s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
				s[3] <= '7' ? (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0') : 0;
		if (c) {
			*o++ = (char)c;
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

/* The next field of *p, cut off in place; NULL when there is none. */
static char *field(char **p)
{
	char *s = *p;
	if (!*s)
		return NULL;
	char *end = strchr(s, ' ');
	if (end) {
		*end = 0;
		*p = end + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

/* id parent major:minor root mount-point options [optional fields...] -
 * fstype source super-options */
int mountinfo_parse(char *line, struct mountinfo *m)
{
	line[strcspn(line, "\n")] = 0;
	char *p = line, *f = NULL;
	for (int i = 0; i < 3; i++)
		if (!(f = field(&p)) || !*f)
			return -1;
	char *root = field(&p), *mount_point = field(&p), *options = field(&p);
	if (!options)
		return -1;
	while ((f = field(&p)) && strcmp(f, "-"))
		;
	char *fstype = f ? field(&p) : NULL, *source = field(&p), *super = field(&p);
	if (!fstype || !source || !*fstype || !*source || !*root || !*mount_point)
		return -1;
	unescape(root);
	unescape(mount_point);
	unescape(source);
	*m = (struct mountinfo){ root, mount_point, options, fstype, source, super ? super : "" };
	return 0;
}

int mountinfo_each(int (*fn)(const struct mountinfo *m, void *arg), void *arg)
{
	size_t len;
	char *text = read_file("/proc/self/mountinfo", &len);
	if (!text)
		return -1;
	int r = 0;
	struct mountinfo m;
	for (char *at = text, *line; !r && (line = next_line(&at));)
		if (mountinfo_parse(line, &m) == 0)
			r = fn(&m, arg);
	free(text);
	return r;
}
