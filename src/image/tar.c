/* SPDX-License-Identifier: Apache-2.0 */
/* A tar reader for image layers and archives: ustar headers with their
 * checksum, GNU long names (L, K) and base-256 numbers, and pax extended
 * headers (path, linkpath, size; the rest is skipped). Every number and
 * length is checked against what the format allows before it is used. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/image/tar.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

#define BLOCK 512
#define NAME_MAX_LEN 4096	/* PATH_MAX: longer names are refused */
#define PAX_MAX (1024 * 1024)

struct ustar {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], type, linkname[100];
	char magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8], prefix[155], pad[12];
};

void tar_init(struct tar *t, struct blob *in)
{
	memset(t, 0, sizeof(*t));
	t->in = in;
}

void tar_free(struct tar *t)
{
	free(t->path), free(t->link), free(t->pax_path), free(t->pax_link);
	t->path = t->link = t->pax_path = t->pax_link = NULL;
}

static int bad(struct tar *t, const char *what)
{
	return log_error("%s: the tar entry at byte %llu: %s", t->in->origin, (unsigned long long)t->offset, what);
}

/* Exactly n bytes, or an error naming a cut archive. */
static int read_exact(struct tar *t, void *buf, size_t n)
{
	for (size_t at = 0; at < n;) {
		ssize_t got = blob_read(t->in, (char *)buf + at, n - at);
		if (got < 0)
			return -1;
		if (got == 0)
			return bad(t, "the archive ends in the middle of it");
		at += (size_t)got;
	}
	return 0;
}

static int skip(struct tar *t, uint64_t n)
{
	char buf[16 * 1024];
	while (n) {
		size_t k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		if (read_exact(t, buf, k) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* An octal field (NUL or space ended), or GNU's base-256 (high bit set). */
static int number(const char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if ((unsigned char)f[0] & 0x80) {
		if ((unsigned char)f[0] != 0x80)
			return -1;	/* negative, or more than 64 bits */
		for (size_t i = 1; i < len; i++) {
			if (v >> 56)
				return -1;
			v = v << 8 | (unsigned char)f[i];
		}
		*out = v;
		return 0;
	}
	size_t i = 0;
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 61)
			return -1;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

static bool checksum_ok(const unsigned char *h, const struct ustar *u)
{
	uint64_t want;
	if (number(u->chksum, sizeof(u->chksum), &want) < 0)
		return false;
	uint64_t sum = 0;
	for (size_t i = 0; i < BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return sum == want;
}

/* A NUL-terminated copy of a field that may fill its whole width. */
static char *field(const char *f, size_t len)
{
	size_t n = strnlen(f, len);
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, f, n);
		s[n] = '\0';
	}
	return s;
}

/* Content of a meta entry (GNU long name, pax records) into memory. */
static char *read_meta(struct tar *t, uint64_t size)
{
	if (size > PAX_MAX) {
		bad(t, "an extended header larger than 1 MiB");
		return NULL;
	}
	char *s = malloc((size_t)size + 1);
	if (!s) {
		log_error("out of memory");
		return NULL;
	}
	if (read_exact(t, s, (size_t)size) < 0 || skip(t, (BLOCK - size % BLOCK) % BLOCK) < 0) {
		free(s);
		return NULL;
	}
	s[size] = '\0';
	return s;
}

/* pax records: "LEN KEY=VALUE\n", LEN counting the whole record. */
static int parse_pax(struct tar *t, char *s, uint64_t size)
{
	for (uint64_t at = 0; at < size;) {
		char *rec = s + at;
		const char *end;
		uint64_t len;
		if (str_scan_u64(rec, &len, &end) < 0 || *end != ' ' || len < 5 || len > size - at || rec[len - 1] != '\n')
			return bad(t, "a malformed pax record");
		rec[len - 1] = '\0';
		char *key = rec + (end - rec) + 1;	/* past the space */
		char *eq = strchr(key, '=');
		if (!eq)
			return bad(t, "a pax record without '='");
		*eq = '\0';
		const char *value = eq + 1;
		size_t vlen = (size_t)(rec + len - 1 - value);
		if (strlen(value) != vlen && (!strcmp(key, "path") || !strcmp(key, "linkpath")))
			return bad(t, "a NUL byte inside a pax path");
		if (!strcmp(key, "path") || !strcmp(key, "linkpath")) {
			if (vlen >= NAME_MAX_LEN)
				return bad(t, "a name longer than 4095 bytes");
			char **slot = key[0] == 'p' ? &t->pax_path : &t->pax_link;
			free(*slot);
			if (!(*slot = strdup(value)))
				return log_error("out of memory");
		} else if (!strcmp(key, "size")) {
			if (parse_u64(value, &t->pax_size) < 0)
				return bad(t, "a pax size that is not a number");
			t->pax_size_set = true;
		}
		at += len;
	}
	return 0;
}

static bool all_zero(const unsigned char *h)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

int tar_next(struct tar *t, struct tar_entry *e)
{
	if (skip(t, t->left + t->pad) < 0)
		return -1;
	t->left = t->pad = 0;
	free(t->path), free(t->link);
	t->path = t->link = NULL;
	char *gnu_path = NULL, *gnu_link = NULL;
	int r = -1;
	for (;;) {
		t->offset = t->pos;
		unsigned char h[BLOCK];
		size_t got = 0;
		while (got < BLOCK) {
			ssize_t n = blob_read(t->in, h + got, BLOCK - got);
			if (n < 0)
				goto out;
			if (n == 0)
				break;
			got += (size_t)n;
		}
		if (got == 0 || (got == BLOCK && all_zero(h))) {
			/* The end: two zero blocks, or (as many writers leave it) the
			 * end of the stream on a block boundary. */
			r = 0;
			goto out;
		}
		if (got < BLOCK) {
			bad(t, "the archive ends in the middle of a header");
			goto out;
		}
		const struct ustar *u = (const struct ustar *)h;
		uint64_t size, mode, uid, gid, mtime, major = 0, minor = 0;
		if (!checksum_ok(h, u)) {
			bad(t, "the header's checksum is wrong (not a tar archive, or damaged)");
			goto out;
		}
		if (number(u->size, sizeof(u->size), &size) < 0 || number(u->mode, sizeof(u->mode), &mode) < 0 ||
		    number(u->uid, sizeof(u->uid), &uid) < 0 || number(u->gid, sizeof(u->gid), &gid) < 0 ||
		    number(u->mtime, sizeof(u->mtime), &mtime) < 0 || uid > 0xfffffffe || gid > 0xfffffffe) {
			bad(t, "a number field is not a number");
			goto out;
		}
		bool ustar = !memcmp(u->magic, "ustar", 5);
		if (ustar && (number(u->devmajor, sizeof(u->devmajor), &major) < 0 ||
			      number(u->devminor, sizeof(u->devminor), &minor) < 0 || major > 0xfff || minor > 0xfffff)) {
			bad(t, "a device number is out of range");
			goto out;
		}
		t->pos += BLOCK;
		char type = u->type ? u->type : '0';
		if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
			char *meta = read_meta(t, size);
			if (!meta)
				goto out;
			t->pos += size + (BLOCK - size % BLOCK) % BLOCK;
			if (type == 'x') {
				int p = parse_pax(t, meta, size);
				free(meta);
				if (p < 0)
					goto out;
			} else if (type == 'g') {
				free(meta);	/* global defaults: nothing berth uses */
			} else {
				if (strlen(meta) >= NAME_MAX_LEN) {
					free(meta);
					bad(t, "a name longer than 4095 bytes");
					goto out;
				}
				char **slot = type == 'L' ? &gnu_path : &gnu_link;
				free(*slot);
				*slot = meta;
			}
			continue;
		}
		if (t->pax_size_set)
			size = t->pax_size;
		/* The name: pax, then GNU, then ustar's prefix/name. */
		if (t->pax_path) {
			t->path = t->pax_path, t->pax_path = NULL;
		} else if (gnu_path) {
			t->path = gnu_path, gnu_path = NULL;
		} else {
			char *name = field(u->name, sizeof(u->name));
			char *prefix = ustar ? field(u->prefix, sizeof(u->prefix)) : NULL;
			if (prefix && *prefix && name) {
				t->path = malloc(strlen(prefix) + strlen(name) + 2);
				if (t->path)
					sprintf(t->path, "%s/%s", prefix, name);
				free(name);
			} else {
				t->path = name;
			}
			free(prefix);
		}
		if (t->pax_link)
			t->link = t->pax_link, t->pax_link = NULL;
		else if (gnu_link)
			t->link = gnu_link, gnu_link = NULL;
		else
			t->link = field(u->linkname, sizeof(u->linkname));
		t->pax_size_set = false;
		if (!t->path || !t->link) {
			log_error("out of memory");
			goto out;
		}
		if (!t->path[0]) {
			bad(t, "an entry without a name");
			goto out;
		}
		if (type == '7')
			type = '0';	/* contiguous file: a file */
		if (!strchr("0123456", type)) {
			char what[64];
			snprintf(what, sizeof(what), "entry type '%c' is not one berth reads", type >= ' ' && type < 127 ? type : '?');
			bad(t, what);
			goto out;
		}
		/* Only a file has content: the other types are a header alone,
		 * whatever their size field says (as Go's archive/tar, which
		 * wrote most layers, reads them). */
		uint64_t content = type == '0' ? size : 0;
		*e = (struct tar_entry){
			.type = type, .path = t->path, .link = t->link, .size = type == '0' ? size : 0,
			.mode = (mode_t)(mode & 07777), .uid = (uid_t)uid, .gid = (gid_t)gid,
			.mtime = (int64_t)(mtime > INT64_MAX ? INT64_MAX : mtime),
			.dev_major = (unsigned)major, .dev_minor = (unsigned)minor,
		};
		if (content > UINT64_MAX - BLOCK * 2) {
			bad(t, "a size too large for any file");
			goto out;
		}
		t->left = content;
		t->pad = (unsigned)((BLOCK - content % BLOCK) % BLOCK);
		t->pos += content + t->pad;
		r = 1;
		break;
	}
out:
	free(gnu_path), free(gnu_link);
	return r;
}

ssize_t tar_read(struct tar *t, void *buf, size_t n)
{
	if (n > t->left)
		n = (size_t)t->left;
	if (!n)
		return 0;
	ssize_t got = blob_read(t->in, buf, n);
	if (got == 0)
		return bad(t, "the archive ends in the middle of a file");
	if (got > 0)
		t->left -= (uint64_t)got;
	return got;
}
