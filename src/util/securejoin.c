/* Path resolution confined to a root directory, for mount destinations and
 * device paths that a hostile rootfs may have turned into symlinks
 * (CVE-2015-3627-style escapes). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/util.h"

#define MAX_LINKS 255

/* Pop the last component of resolved[0..*len). Never climbs above root. */
static void pop_component(char *resolved, size_t *len)
{
	while (*len > 0 && resolved[*len - 1] != '/')
		(*len)--;
	if (*len > 0)
		(*len)--;
	resolved[*len] = 0;
}

char *secure_join(const char *root, const char *path)
{
	size_t rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	char resolved[PATH_MAX] = "";	/* "/a/b", relative to root */
	size_t len = 0;
	char *todo = strdup(path);
	if (!todo)
		return NULL;
	int links = 0;
	bool missing = false;	/* once a component is absent, stop looking */
	char *rest = todo;
	while (rest && *rest) {
		char *slash = strchr(rest, '/');
		if (slash)
			*slash = 0;
		char *comp = rest;
		rest = slash ? slash + 1 : NULL;
		if (!*comp || !strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			pop_component(resolved, &len);
			continue;
		}
		size_t clen = strlen(comp);
		if (rootlen + len + 1 + clen >= PATH_MAX)
			goto too_long;
		resolved[len] = '/';
		memcpy(resolved + len + 1, comp, clen + 1);
		if (missing) {
			len += 1 + clen;
			continue;
		}
		char full[PATH_MAX];
		memcpy(full, root, rootlen);
		memcpy(full + rootlen, resolved, len + 1 + clen + 1);
		struct stat st;
		if (lstat(full, &st) < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				goto fail;
			missing = true;
			len += 1 + clen;
			continue;
		}
		if (!S_ISLNK(st.st_mode)) {
			len += 1 + clen;
			continue;
		}
		if (++links > MAX_LINKS) {
			errno = ELOOP;
			goto fail;
		}
		char target[PATH_MAX];
		ssize_t tlen = readlink(full, target, sizeof(target) - 1);
		if (tlen < 0)
			goto fail;
		target[tlen] = 0;
		resolved[len] = 0;
		if (target[0] == '/')
			len = 0, resolved[0] = 0;
		/* New work list: the link's target, then what was left. */
		size_t restlen = rest ? strlen(rest) : 0;
		char *next = malloc((size_t)tlen + restlen + 2);
		if (!next)
			goto fail;
		memcpy(next, target, (size_t)tlen);
		next[tlen] = '/';
		memcpy(next + tlen + 1, rest ? rest : "", restlen + 1);
		free(todo);
		todo = rest = next;
	}
	free(todo);
	char *out = malloc(rootlen + len + 2);
	if (!out)
		return NULL;
	memcpy(out, root, rootlen);
	memcpy(out + rootlen, resolved, len + 1);
	if (!len && rootlen == 0)
		strcpy(out, "/");
	return out;
too_long:
	errno = ENAMETOOLONG;
fail:
	{
		int e = errno;
		free(todo);
		errno = e;
	}
	return NULL;
}
