/* SPDX-License-Identifier: Apache-2.0 */
/* Reading what an image is made of: a blob (a file, gunzipped where it is
 * gzip, hashed as it is read) and the tar stream inside it, entry by
 * entry. Everything read here is untrusted: sizes, names and link targets
 * are checked before anything is written (image/unpack.c). */
#ifndef BERTH_IMAGE_TAR_H
#define BERTH_IMAGE_TAR_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "berth/util/sha256.h"

/* A blob read from fd: raw bytes hashed into `raw` (what a descriptor's
 * digest names), the bytes after gunzip hashed into `plain` (a layer's
 * diff_id). gzip is known by its magic number; anything else is read as
 * is. */
struct blob {
	int fd;
	const char *origin;	/* for messages */
	struct sha256 raw, plain;
	uint64_t raw_bytes, plain_bytes;
	void *z;		/* gunzip state, NULL for a plain blob */
	unsigned char *in;	/* compressed bytes not yet inflated */
	size_t in_len;
	bool in_eof, z_end;
};
/* Starts reading fd (owned by the caller) from where it is. -1 (logged):
 * a compression berth cannot read (zstd, bzip2, xz). */
int blob_open(struct blob *b, int fd, const char *origin);
/* Up to n bytes of the blob's content; 0 at its end; -1 (logged). */
ssize_t blob_read(struct blob *b, void *buf, size_t n);
/* Reads to the end, so that both digests cover the whole blob. */
int blob_drain(struct blob *b);
void blob_close(struct blob *b);
/* "sha256:HEX" of what was read (raw or plain) equals `digest`? */
bool blob_digest_is(struct sha256 *hash_copy, const char *digest);

/* One tar entry. path and link are the reader's (valid until the next
 * tar_next); path is as the archive has it, not yet cleaned. */
struct tar_entry {
	char type;	/* '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo */
	const char *path, *link;
	uint64_t size;	/* bytes of content (files) */
	mode_t mode;	/* permission and set-id bits */
	uid_t uid;
	gid_t gid;
	int64_t mtime;
	unsigned dev_major, dev_minor;
};

struct tar {
	struct blob *in;
	uint64_t offset;	/* of the current header, for messages */
	uint64_t pos;		/* of the next header */
	uint64_t left;		/* content bytes of the current entry not yet read */
	unsigned pad;		/* then these bytes up to the next 512 */
	char *path, *link;	/* malloc'd, from the header, GNU or pax records */
	char *pax_path, *pax_link;	/* for the next entry */
	bool pax_size_set;
	uint64_t pax_size;
};
void tar_init(struct tar *t, struct blob *in);
/* The next entry: 1, or 0 at the end of the archive, or -1 (logged with
 * the blob's name and the entry's offset). Content not read by the caller
 * is skipped. */
int tar_next(struct tar *t, struct tar_entry *e);
/* Content of the current entry: up to n bytes, 0 at its end, -1 (logged). */
ssize_t tar_read(struct tar *t, void *buf, size_t n);
void tar_free(struct tar *t);
#endif
