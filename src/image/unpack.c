/* SPDX-License-Identifier: Apache-2.0 */
/* A tar stream into a directory, as image layers are applied (the OCI
 * image spec's "Applying Changesets"): each entry's parent resolved with
 * inroot_open_parent, so symlinks (the layer's own and its lower layers')
 * resolve inside the directory; whiteouts hide only what lower layers
 * made, so the paths this layer made are remembered. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "berth/image/unpack.h"
#include "berth/util/inroot.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

#define WHITEOUT ".wh."
#define OPAQUE ".wh..wh..opq"

int unpack_clean_path(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = in; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (len && !(len == 1 && p[0] == '.')) {
			if (n + len + 2 > cap)
				return -1;
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p = end;
	}
	out[n] = '\0';
	return 0;
}

/* The paths this layer made: an open-addressing set of strings. */
struct pathset {
	char **slot;
	size_t cap, n;
};

static size_t hash(const char *s)
{
	size_t h = 5381;
	while (*s)
		h = h * 33 ^ (unsigned char)*s++;
	return h;
}

static bool set_has(const struct pathset *ps, const char *s)
{
	if (!ps->cap)
		return false;
	for (size_t i = hash(s) & (ps->cap - 1);; i = (i + 1) & (ps->cap - 1)) {
		if (!ps->slot[i])
			return false;
		if (!strcmp(ps->slot[i], s))
			return true;
	}
}

static int set_add(struct pathset *ps, const char *s)
{
	if (set_has(ps, s))
		return 0;
	if ((ps->n + 1) * 2 > ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 256;
		char **slot = calloc(cap, sizeof(*slot));
		if (!slot)
			return log_error("out of memory");
		for (size_t i = 0; i < ps->cap; i++) {
			if (!ps->slot[i])
				continue;
			size_t j = hash(ps->slot[i]) & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = ps->slot[i];
		}
		free(ps->slot);
		ps->slot = slot, ps->cap = cap;
	}
	size_t i = hash(s) & (ps->cap - 1);
	while (ps->slot[i])
		i = (i + 1) & (ps->cap - 1);
	if (!(ps->slot[i] = strdup(s)))
		return log_error("out of memory");
	ps->n++;
	return 0;
}

static void set_free(struct pathset *ps)
{
	for (size_t i = 0; i < ps->cap; i++)
		free(ps->slot[i]);
	free(ps->slot);
}

struct unpack {
	int rootfd;
	struct tar *t;
	unsigned flags;
	bool owners;
	struct unpack_stats *st;
	struct pathset made;
	char path[PATH_MAX];	/* the entry's, cleaned */
};

static int fail(struct unpack *u, const char *what)
{
	return log_error("%s: %s: %s: %m", u->t->in->origin, u->path, what);
}

/* .wh..wh..opq in directory dirfd (path `dir`): what lower layers put in
 * it goes; what this layer put there stays. */
static int apply_opaque(struct unpack *u, int parent, const char *dir)
{
	int fd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail(u, "opaque directory");
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return fail(u, "opaque directory");
	}
	int r = 0;
	struct dirent *e;
	char child[PATH_MAX + 258];	/* dir, "/", a name */
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s%s%s", dir, *dir ? "/" : "", e->d_name);
		if (!set_has(&u->made, child) && remove_tree_at(fd, e->d_name) < 0 && errno != ENOENT)
			r = fail(u, "removing what it hides");
	}
	closedir(d);
	return r;
}

static int apply_whiteout(struct unpack *u, int parent, const char *name)
{
	const char *dir_end = strrchr(u->path, '/');
	size_t dlen = dir_end ? (size_t)(dir_end - u->path) : 0;
	char dir[PATH_MAX];
	memcpy(dir, u->path, dlen);
	dir[dlen] = '\0';
	if (!strcmp(name, OPAQUE))
		return apply_opaque(u, parent, dir);
	const char *hidden = name + strlen(WHITEOUT);
	char target[PATH_MAX];
	if ((size_t)snprintf(target, sizeof(target), "%s%s%s", dir, dlen ? "/" : "", hidden) >= sizeof(target))
		return log_error("%s: %s: a path longer than %d bytes", u->t->in->origin, u->path, PATH_MAX - 1);
	if (!*hidden || !strcmp(hidden, ".") || !strcmp(hidden, ".."))
		return log_error("%s: %s: a whiteout that names nothing", u->t->in->origin, u->path);
	if (set_has(&u->made, target))
		return 0;	/* whiteouts hide lower layers only */
	if (remove_tree_at(parent, hidden) < 0 && errno != ENOENT)
		return fail(u, "whiteout");
	return 0;
}

/* Whatever sits at name goes, unless both it and the entry are directories
 * (a directory's contents from lower layers stay). */
static int clear_place(struct unpack *u, int parent, const char *name, char type)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail(u, "stat");
	if (type == '5' && S_ISDIR(st.st_mode))
		return 1;
	if (remove_tree_at(parent, name) < 0 && errno != ENOENT)
		return fail(u, "replacing what was there");
	return 0;
}

static int copy_content(struct unpack *u, int fd)
{
	char buf[64 * 1024];
	ssize_t got;
	while ((got = tar_read(u->t, buf, sizeof(buf))) > 0) {
		if (write_all(fd, buf, (size_t)got) < 0)
			return fail(u, "write");
		u->st->bytes += (uint64_t)got;
	}
	return got < 0 ? -1 : 0;
}

/* Owner, then mode (chown clears set-id bits), then times, on an fd that
 * holds exactly what was made. */
static int set_meta_fd(struct unpack *u, int fd, const struct tar_entry *e, bool times)
{
	if (u->owners && fchown(fd, e->uid, e->gid) < 0)
		return fail(u, "chown");
	if (fchmod(fd, e->mode) < 0)
		return fail(u, "chmod");
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = e->mtime } };
	if (times && futimens(fd, ts) < 0)
		return fail(u, "set times");
	return 0;
}

static int make_entry(struct unpack *u, int parent, const char *name, const struct tar_entry *e)
{
	int r = clear_place(u, parent, name, e->type);
	if (r < 0)
		return -1;
	int fd;
	switch (e->type) {
	case '0':
		fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return fail(u, "create");
		r = copy_content(u, fd);
		if (!r)
			r = set_meta_fd(u, fd, e, true);
		close(fd);
		return r;
	case '5':
		if (!r && mkdirat(parent, name, 0700) < 0)
			return fail(u, "mkdir");
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return fail(u, "open directory");
		/* A directory's time changes as entries land in it: not kept. */
		r = set_meta_fd(u, fd, e, false);
		close(fd);
		return r;
	case '2': {
		if (symlinkat(e->link, parent, name) < 0)
			return fail(u, "symlink");
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = e->mtime } };
		if (u->owners && fchownat(parent, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return fail(u, "chown");
		utimensat(parent, name, ts, AT_SYMLINK_NOFOLLOW);	/* not every filesystem has link times */
		return 0;
	}
	case '1': {
		/* The target, resolved inside the root like any name. */
		char target[PATH_MAX];
		const char *tname;
		if (unpack_clean_path(e->link, target, sizeof(target)) < 0 || !*target)
			return log_error("%s: %s: a hard link to \"%s\", outside the image", u->t->in->origin, u->path,
					 e->link);
		int tparent = inroot_open_parent(u->rootfd, target, 0, &tname);
		if (tparent < 0)
			return fail(u, "hard link target");
		r = linkat(tparent, tname, parent, name, 0);
		close(tparent);
		return r < 0 ? fail(u, "hard link") : 0;
	}
	case '6':
		/* Just made by this single-threaded import in its own directory:
		 * nothing can have replaced it by a symlink meanwhile. */
		if (mknodat(parent, name, S_IFIFO | 0600, 0) < 0 ||
		    (u->owners && fchownat(parent, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0) ||
		    chmod_at(parent, name, e->mode) < 0)
			return fail(u, "fifo");
		return 0;
	default:	/* '3', '4': skipped before */
		return 0;
	}
}

static int apply_entry(struct unpack *u, const struct tar_entry *e)
{
	if (unpack_clean_path(e->path, u->path, sizeof(u->path)) < 0)
		return log_error("%s: \"%.200s\": a name that climbs out with \"..\", or is too long", u->t->in->origin,
				 e->path);
	if (!*u->path)
		return 0;	/* "./": the directory itself, which is ours */
	if (e->type == '3' || e->type == '4') {
		u->st->devices_skipped++;
		return 0;
	}
	const char *base = strrchr(u->path, '/'), *name;
	bool whiteout = (u->flags & UNPACK_LAYER) && !strncmp(base ? base + 1 : u->path, WHITEOUT, strlen(WHITEOUT));
	/* A whiteout in a directory that is not there hides nothing: it
	 * makes no directory. */
	int parent = inroot_open_parent(u->rootfd, u->path, whiteout ? 0 : INROOT_MKDIR, &name);
	if (parent < 0 && whiteout && errno == ENOENT)
		return 0;
	if (parent < 0)
		return fail(u, "parent directory");
	int r;
	if (whiteout) {
		r = apply_whiteout(u, parent, name);
	} else {
		r = make_entry(u, parent, name, e);
		if (!r && (u->flags & UNPACK_LAYER))
			r = set_add(&u->made, u->path);
	}
	close(parent);
	u->st->entries++;
	return r;
}

int unpack_tar(int rootfd, struct tar *t, unsigned flags, struct unpack_stats *st)
{
	struct unpack u = { .rootfd = rootfd, .t = t, .flags = flags, .st = st };
	u.owners = (flags & UNPACK_LAYER) && geteuid() == 0;
	struct tar_entry e;
	int r;
	while ((r = tar_next(t, &e)) > 0)
		if (apply_entry(&u, &e) < 0) {
			r = -1;
			break;
		}
	set_free(&u.made);
	return r;
}
