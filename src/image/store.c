/* SPDX-License-Identifier: Apache-2.0 */
/* The image store: import (archive -> layout -> layers -> root), list,
 * remove, and the lookup a service's `image =` makes. One import or
 * removal at a time (flock on STORE/lock); lookups take no lock, since a
 * ref is replaced by rename and a root is complete before any ref names
 * it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/config.h"
#include "berth/image/manifest.h"
#include "berth/image/pin.h"
#include "berth/image/store.h"
#include "berth/image/tar.h"
#include "berth/image/unpack.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/';
}

static bool tag_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

int image_ref_parse(const char *s, struct image_ref *r, const char *what)
{
	const char *colon = strrchr(s, ':');
	size_t nlen = colon ? (size_t)(colon - s) : strlen(s);
	const char *tag = colon ? colon + 1 : "latest";
	bool ok = nlen && nlen < sizeof(r->name) && *tag && strlen(tag) < sizeof(r->tag) && tag[0] != '.' &&
		  tag[0] != '-' && s[0] != '/' && s[nlen - 1] != '/' && s[0] != '.';
	for (size_t i = 0; ok && i < nlen; i++)
		ok = name_char(s[i]) && !(s[i] == '/' && (s[i + 1] == '/' || s[i + 1] == '.'));
	for (const char *p = tag; ok && *p; p++)
		ok = tag_char(*p);
	if (!ok)
		return log_error("%s: \"%s\": expected NAME[:TAG] (NAME: lowercase letters, digits, '.', '_', '-' "
				 "and '/' between parts; TAG: letters, digits, '.', '_', '-')", what, s);
	memcpy(r->name, s, nlen);
	r->name[nlen] = '\0';
	strcpy(r->tag, tag);
	return 0;
}

const char *image_store_dir(void)
{
	const char *dir = getenv("BERTH_IMAGE_STORE");
	return dir && *dir ? dir : CONFIG_IMAGE_STORE_DIR;
}

/* refs/NAME:TAG, with NAME's '/' as '+' (which no name has). */
static void ref_file(const struct image_ref *r, char *out, size_t cap)
{
	snprintf(out, cap, "%s:%s", r->name, r->tag);
	for (char *p = out; *p; p++)
		if (*p == '/')
			*p = '+';
}

static void ref_from_file(const char *file, char *out, size_t cap)
{
	snprintf(out, cap, "%s", file);
	for (char *p = out; *p; p++)
		if (*p == '+')
			*p = '/';
}

static int open_dir_at(int dirfd, const char *name, bool make)
{
	if (make && mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
		return -1;
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* The store, locked for a change; its tmp/ emptied of what an import cut
 * short (a crash, a power cut) left. */
struct store {
	const char *dir;
	int fd, lock;
};

static int store_lock(struct store *s, const char *dir)
{
	s->dir = dir;
	s->fd = s->lock = -1;
	if (mkdir_p(dir, 0700) < 0 || (s->fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return log_error("image store %s: %m", dir);
	static const char *const subdirs[] = { "roots", "refs", "tmp" };
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++)
		if (mkdirat(s->fd, subdirs[i], 0700) < 0 && errno != EEXIST)
			return log_error("image store %s/%s: %m", dir, subdirs[i]);
	s->lock = openat(s->fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lock < 0 || flock(s->lock, LOCK_EX) < 0)
		return log_error("image store %s/lock: %m", dir);
	int tmp = open_dir_at(s->fd, "tmp", false);
	DIR *d = tmp >= 0 ? fdopendir(tmp) : NULL;
	if (!d)
		return log_error("image store %s/tmp: %m", dir);
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			remove_tree_at(tmp, e->d_name);
	closedir(d);
	return 0;
}

static void store_unlock(struct store *s)
{
	if (s->lock >= 0)
		close(s->lock);
	if (s->fd >= 0)
		close(s->fd);
}

static int sync_dir(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 ? -1 : fsync(fd);
	if (fd >= 0)
		close(fd);
	return r;
}

/* Whether a container has root ID mounted: its overlay's lowerdir, or a
 * bind of it, in some mount namespace's table. Each namespace is read
 * once (many processes share one). */
static bool root_in_use(const char *id)
{
	char needle[NAME_MAX + 16];
	snprintf(needle, sizeof(needle), "/roots/%s/rootfs", id);
	DIR *proc = opendir("/proc");
	if (!proc)
		return true;	/* cannot tell: keep it */
	ino_t seen[256];
	size_t n_seen = 0;
	bool used = false;
	struct dirent *e;
	while (!used && (e = readdir(proc))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%s/ns/mnt", e->d_name);
		if (stat(path, &st) < 0)
			continue;
		bool known = false;
		for (size_t i = 0; i < n_seen && !known; i++)
			known = seen[i] == st.st_ino;
		if (known)
			continue;
		if (n_seen < ARRAY_SIZE(seen))
			seen[n_seen++] = st.st_ino;
		snprintf(path, sizeof(path), "/proc/%s/mountinfo", e->d_name);
		char *table = read_file(path, NULL);
		used = table && str_find(table, needle);
		free(table);
	}
	closedir(proc);
	return used;
}

/* Every root no ref names and no container has mounted goes: moved into
 * tmp/ first, so that a crash in the middle leaves only what the next
 * change empties. A root in use stays until a later import or rm. */
/* The ids refs and pins name, one a line (malloc'd; NULL: unreadable).
 * All of them or none: a ref or pin left out of it because it could not
 * be read (out of memory, of fds) would have its root collected. */
static char *kept_ids(struct store *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int refs = open_dir_at(s->fd, "refs", false);
	DIR *d = refs >= 0 ? fdopendir(refs) : NULL;
	struct dirent *e;
	bool ok = out && d;
	while (ok && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *id = read_file_at(refs, e->d_name, NULL);
		if (id && !strncmp(id, "sha256:", 7))
			fprintf(out, "%.64s\n", id + 7);
		ok = id || errno == ENOENT;	/* one removed meanwhile names nothing */
		free(id);
	}
	if (d)
		closedir(d);
	else if (refs >= 0)
		close(refs);
	if (out) {
		if (ok && image_pins_list(s->dir, out) < 0)
			ok = false;
		/* a write the memory stream could not take fails its close */
		if (fclose(out) != 0)
			ok = false;
	}
	if (!ok) {
		free(text);
		return NULL;
	}
	return text;
}

static int collect_garbage(struct store *s)
{
	int roots = open_dir_at(s->fd, "roots", false);
	DIR *od = roots >= 0 ? fdopendir(roots) : NULL;
	char *kept = kept_ids(s);
	int r = 0;
	if (!od || !kept) {
		r = log_error("image store %s: %m", s->dir);
		goto out;
	}
	struct dirent *o;
	while ((o = readdir(od))) {
		if (o->d_name[0] == '.')
			continue;
		/* Every line of kept is 64 digits and a newline: a match is a line. */
		char line[NAME_MAX + 2];
		snprintf(line, sizeof(line), "%s\n", o->d_name);
		if (strlen(o->d_name) == 64 && str_find(kept, line))
			continue;	/* named, or what a service runs or may roll back to */
		if (root_in_use(o->d_name)) {
			log_info("image store %s: sha256:%.12s is no longer named but a container runs from it: "
				 "kept until a later import or rm", s->dir, o->d_name);
			continue;
		}
		char from[300], to[300];
		snprintf(from, sizeof(from), "roots/%s", o->d_name);
		snprintf(to, sizeof(to), "tmp/gc.%s", o->d_name);
		if (renameat(s->fd, from, s->fd, to) < 0 || remove_tree_at(s->fd, to) < 0)
			r = log_error("image store %s: removing %s: %m", s->dir, from);
	}
out:
	free(kept);
	if (od)
		closedir(od);
	else if (roots >= 0)
		close(roots);
	return r;
}

/* An archive into work/archive, where it becomes a layout. Its files are
 * untrusted like a layer's, but they are blobs: no owners, no whiteouts. */
static int unpack_archive(int workfd, const char *source)
{
	/* "-": standard input (docker save | berth image import - NAME). A
	 * path the user gave may be a pipe too: it is read as a stream. */
	bool in = !strcmp(source, "-");
	int fd = in ? 0 : openat(AT_FDCWD, source, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error("%s: %m", source);
	int afd = open_dir_at(workfd, "archive", true);
	struct blob b = { .fd = -1 };
	struct tar t;
	struct unpack_stats st = { 0 };
	int r = -1;
	if (afd < 0)
		log_error("%s: %m", source);
	else if (blob_open(&b, fd, source) == 0) {
		tar_init(&t, &b);
		r = unpack_tar(afd, &t, 0, &st);
		tar_free(&t);
		if (r == 0 && st.entries == 0)
			r = log_error("%s: an empty archive", source);
	}
	blob_close(&b);
	if (!in)
		close(fd);
	if (afd >= 0)
		close(afd);
	return r;
}

static int apply_layer(int rootfd, int layoutfd, const char *origin, const struct image_layer *l,
		       struct unpack_stats *st)
{
	char name[600];
	snprintf(name, sizeof(name), "%s: %s", origin, l->path);
	int fd = layout_open_file(layoutfd, l->path, origin);
	if (fd < 0)
		return -1;
	struct blob b;
	struct tar t;
	int r = blob_open(&b, fd, name);
	if (r == 0) {
		tar_init(&t, &b);
		r = unpack_tar(rootfd, &t, UNPACK_LAYER, st);
		tar_free(&t);
	}
	/* Both digests cover the whole blob, whatever follows the tar's end. */
	if (r == 0)
		r = blob_drain(&b);
	if (r == 0 && l->digest && !blob_digest_is(&b.raw, l->digest))
		r = log_error("%s: the blob's digest is not %s (damaged or altered)", name, l->digest);
	if (r == 0 && !blob_digest_is(&b.plain, l->diff_id))
		r = log_error("%s: the layer's content does not match its diff_id %s (damaged or altered)", name,
			      l->diff_id);
	blob_close(&b);
	close(fd);
	return r;
}

static int import_into(struct store *s, int workfd, const char *source, const char *want, char id[65])
{
	struct stat st;
	if (strcmp(source, "-") && stat(source, &st) < 0)
		return log_error("%s: %m", source);
	int layoutfd;
	if (strcmp(source, "-") && S_ISDIR(st.st_mode)) {
		layoutfd = openat(AT_FDCWD, source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		if (unpack_archive(workfd, source) < 0)
			return -1;
		layoutfd = open_dir_at(workfd, "archive", false);
	}
	if (layoutfd < 0)
		return log_error("%s: %m", source);
	struct image_manifest m;
	int r = manifest_load(layoutfd, source, want, &m);
	int rootfd = r < 0 ? -1 : open_dir_at(workfd, "rootfs", true);
	if (r == 0 && rootfd < 0)
		r = log_error("image store %s: %m", s->dir);
	struct unpack_stats us = { 0 };
	for (size_t i = 0; r == 0 && i < m.n_layers; i++)
		r = apply_layer(rootfd, layoutfd, source, &m.layers[i], &us);
	if (r == 0 && fchmod(rootfd, 0755) < 0)
		r = log_error("image store %s: %m", s->dir);
	if (r == 0 && write_file_durable(workfd, "config.json", m.config, m.config_len, 0644) < 0)
		r = log_error("image store %s: config.json: %m", s->dir);
	if (r == 0) {
		memcpy(id, m.config_digest + 7, 64);
		id[64] = '\0';
		if (us.devices_skipped)
			log_warn("%s: %u device nodes skipped: a container's devices come from its spec", source,
				 us.devices_skipped);
		printf("%s: %zu layers, %llu files, %llu bytes\n", source, m.n_layers, (unsigned long long)us.entries,
		       (unsigned long long)us.bytes);
	}
	manifest_free(&m);
	if (rootfd >= 0)
		close(rootfd);
	close(layoutfd);
	return r;
}

int image_import(const char *dir, const char *source, const char *refstr)
{
	struct image_ref ref;
	struct store s;
	if (image_ref_parse(refstr, &ref, "image import") < 0)
		return -1;
	int r = store_lock(&s, dir);
	char work[64], want[340], id[65], root[100], refname[340], text[80];
	snprintf(work, sizeof(work), "tmp/import.%d", (int)getpid());
	snprintf(want, sizeof(want), "%s:%s", ref.name, ref.tag);
	int workfd = r < 0 ? -1 : open_dir_at(s.fd, work, true);
	if (r == 0 && workfd < 0)
		r = log_error("image store %s: %m", dir);
	if (r == 0)
		r = import_into(&s, workfd, source, want, id);
	if (workfd >= 0) {
		remove_tree_at(workfd, "archive");
		close(workfd);
	}
	if (r == 0) {
		/* Everything on disk before any name points at it. */
		snprintf(root, sizeof(root), "roots/%s", id);
		int refs = open_dir_at(s.fd, "refs", false);
		ref_file(&ref, refname, sizeof(refname));
		int n = snprintf(text, sizeof(text), "sha256:%s\n", id);
		if (syncfs(s.fd) < 0)
			r = log_error("image store %s: sync: %m", dir);
		else if (renameat(s.fd, work, s.fd, root) < 0 && errno != EEXIST && errno != ENOTEMPTY)
			r = log_error("image store %s: %s: %m", dir, root);
		else if (sync_dir(s.fd, "roots") < 0 || refs < 0 ||
			 write_file_durable(refs, refname, text, (size_t)n, 0644) < 0)
			r = log_error("image store %s: refs/%s: %m", dir, refname);
		else
			printf("%s sha256:%s\n", want, id);
		if (refs >= 0)
			close(refs);
	}
	if (s.fd >= 0) {
		remove_tree_at(s.fd, work);	/* an image the store had already */
		if (r == 0)
			collect_garbage(&s);
	}
	store_unlock(&s);
	return r;
}

int image_list(const char *dir, bool quiet)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/refs", dir);
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : log_error("image store %s: %m", path);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || str_find(e->d_name, ".tmp"))
			continue;
		char **more = realloc(names, (n + 1) * sizeof(*names));
		if (!more || !(more[n] = strdup(e->d_name))) {
			names = more;
			break;
		}
		names = more, n++;
	}
	str_sort(names, n);
	if (!quiet && n)
		printf("%-40s %s\n", "IMAGE", "ID");
	for (size_t i = 0; i < n; i++) {
		char ref[340];
		char *id = read_file_at(dirfd(d), names[i], NULL);
		ref_from_file(names[i], ref, sizeof(ref));
		if (quiet)
			printf("%s\n", ref);
		else
			printf("%-40s %.19s\n", ref, id ? id : "?");
		free(id);
		free(names[i]);
	}
	free(names);
	closedir(d);
	return 0;
}

int image_remove(const char *dir, const char *refstr)
{
	struct image_ref ref;
	struct store s;
	if (image_ref_parse(refstr, &ref, "image rm") < 0)
		return -1;
	int r = store_lock(&s, dir);
	char refname[340];
	ref_file(&ref, refname, sizeof(refname));
	int refs = r < 0 ? -1 : open_dir_at(s.fd, "refs", false);
	if (r == 0 && (refs < 0 || unlinkat(refs, refname, 0) < 0))
		r = errno == ENOENT ? log_error("image rm: no image %s:%s in %s", ref.name, ref.tag, dir)
				    : log_error("image store %s: %m", dir);
	if (r == 0 && fsync(refs) < 0)
		r = log_error("image store %s: %m", dir);
	if (refs >= 0)
		close(refs);
	if (r == 0)
		r = collect_garbage(&s);
	store_unlock(&s);
	return r;
}

int image_ref_id(const char *dir, const char *refstr, char id[65], const char *what)
{
	struct image_ref ref;
	if (image_ref_parse(refstr, &ref, what ? what : "image") < 0)
		return -1;
	char refname[340], path[4600];
	ref_file(&ref, refname, sizeof(refname));
	snprintf(path, sizeof(path), "%s/refs/%s", dir, refname);
	char *text = read_file(path, NULL);
	if (!text && errno == ENOENT && !what)
		return -1;
	if (!text)
		return log_error("%s: no image %s:%s in %s (berth image import)", what, ref.name, ref.tag, dir);
	text[strcspn(text, "\n")] = '\0';
	bool ok = !strncmp(text, "sha256:", 7) && strlen(text) == 71 && strspn(text + 7, "0123456789abcdef") == 64;
	if (ok)
		memcpy(id, text + 7, 65);
	free(text);
	return ok ? 0 : log_error("%s: %s: not an image id", what ? what : "image", path);
}

int image_load(const char *dir, const char *id, struct image_found *f, const char *what)
{
	char path[4600];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	if (asprintf(&f->dir, "%s/roots/%s", dir, f->id) < 0 || asprintf(&f->rootfs, "%s/rootfs", f->dir) < 0) {
		f->rootfs = NULL;
		return log_error("out of memory");
	}
	snprintf(path, sizeof(path), "%s/config.json", f->dir);
	if (!(f->config = read_file(path, &f->config_len)))
		return log_error("%s: sha256:%.12s: %s: %m", what, id, path);
	return 0;
}

char *image_ref_path(const char *dir, const char *refstr)
{
	struct image_ref ref;
	char refname[340], *path;
	if (image_ref_parse(refstr, &ref, "image") < 0)
		return NULL;
	ref_file(&ref, refname, sizeof(refname));
	return asprintf(&path, "%s/refs/%s", dir, refname) < 0 ? NULL : path;
}

void image_found_free(struct image_found *f)
{
	free(f->dir), free(f->rootfs), free(f->config);
	memset(f, 0, sizeof(*f));
}
