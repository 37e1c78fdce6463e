/* SPDX-License-Identifier: Apache-2.0 */
/* A blob as it is read: gunzipped by zlib where it is gzip (what `docker
 * save` leaves plain and skopeo, podman and registries compress), and
 * hashed on the way, raw and plain, so that each byte is read once and the
 * digests cover exactly what was applied. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "berth/image/tar.h"
#include "berth/util/log.h"

#define IN_SIZE (64 * 1024)

static ssize_t read_raw(struct blob *b, void *buf, size_t n)
{
	ssize_t got;
	do
		got = read(b->fd, buf, n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return log_error("%s: %m", b->origin);
	sha256_update(&b->raw, buf, (size_t)got);
	b->raw_bytes += (uint64_t)got;
	return got;
}

int blob_open(struct blob *b, int fd, const char *origin)
{
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->origin = origin;
	sha256_init(&b->raw);
	sha256_init(&b->plain);
	b->in = malloc(IN_SIZE);
	if (!b->in)
		return log_error("out of memory");
	/* The first bytes say what the blob is; they are kept for the reader. */
	while (b->in_len < 6) {
		ssize_t got = read_raw(b, b->in + b->in_len, IN_SIZE - b->in_len);
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		b->in_len += (size_t)got;
	}
	const unsigned char *m = b->in;
	if (b->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return log_error("%s: a zstd blob: berth reads plain and gzip layers (convert with skopeo copy "
				 "--dest-compress-format gzip)", origin);
	if ((b->in_len >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') ||
	    (b->in_len >= 6 && !memcmp(m, "\xfd" "7zXZ", 5)))
		return log_error("%s: a bzip2 or xz blob: berth reads plain and gzip layers", origin);
	if (b->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
		z_stream *z = calloc(1, sizeof(*z));
		if (!z || inflateInit2(z, 16 + MAX_WBITS) != Z_OK) {
			free(z);
			return log_error("%s: cannot start gunzip", origin);
		}
		b->z = z;
	}
	return 0;
}

static ssize_t inflate_some(struct blob *b, void *buf, size_t n)
{
	z_stream *z = b->z;
	for (;;) {
		if (b->z_end)
			return 0;
		if (!b->in_len && !b->in_eof) {
			ssize_t got = read_raw(b, b->in, IN_SIZE);
			if (got < 0)
				return -1;
			b->in_len = (size_t)got;
			b->in_eof = got == 0;
			z->next_in = b->in;
			z->avail_in = (uInt)got;
		} else if (z->next_in == NULL) {
			z->next_in = b->in;
			z->avail_in = (uInt)b->in_len;
		}
		z->next_out = buf;
		z->avail_out = (uInt)(n > (1u << 30) ? 1u << 30 : n);
		int r = inflate(z, Z_NO_FLUSH);
		size_t made = (size_t)((unsigned char *)z->next_out - (unsigned char *)buf);
		b->in_len = z->avail_in;
		if (!b->in_len) {
			z->next_in = NULL;
		}
		if (r == Z_STREAM_END) {
			/* gzip allows members one after another (pigz, cat a.gz b.gz). */
			unsigned char *rest = z->next_in;
			size_t rest_len = b->in_len;
			if (!rest_len && !b->in_eof) {
				ssize_t got = read_raw(b, b->in, IN_SIZE);
				if (got < 0)
					return -1;
				rest = b->in, rest_len = (size_t)got;
				b->in_eof = got == 0;
			}
			if (!rest_len) {
				b->z_end = true;
			} else {
				inflateReset(z);
				memmove(b->in, rest, rest_len);
				b->in_len = rest_len;
				z->next_in = b->in;
				z->avail_in = (uInt)rest_len;
			}
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			return log_error("%s: not valid gzip at byte %llu: %s", b->origin,
					 (unsigned long long)b->raw_bytes, z->msg ? z->msg : "inflate failed");
		} else if (!made && b->in_eof && !b->in_len) {
			return log_error("%s: the gzip stream is cut short", b->origin);
		}
		if (made)
			return (ssize_t)made;
	}
}

ssize_t blob_read(struct blob *b, void *buf, size_t n)
{
	ssize_t got;
	if (b->z) {
		got = inflate_some(b, buf, n);
	} else if (b->in_len) {
		/* The bytes read to learn what the blob is. */
		got = (ssize_t)(n < b->in_len ? n : b->in_len);
		memcpy(buf, b->in, (size_t)got);
		memmove(b->in, b->in + got, b->in_len - (size_t)got);
		b->in_len -= (size_t)got;
	} else if ((got = read_raw(b, buf, n)) < 0) {
		return -1;
	}
	if (got > 0) {
		sha256_update(&b->plain, buf, (size_t)got);
		b->plain_bytes += (uint64_t)got;
	}
	return got;
}

int blob_drain(struct blob *b)
{
	char buf[16 * 1024];
	ssize_t got;
	while ((got = blob_read(b, buf, sizeof(buf))) > 0)
		;
	return got < 0 ? -1 : 0;
}

void blob_close(struct blob *b)
{
	if (b->z) {
		inflateEnd(b->z);
		free(b->z);
	}
	free(b->in);
	b->z = NULL;
	b->in = NULL;
}

bool blob_digest_is(struct sha256 *hash, const char *digest)
{
	unsigned char d[32];
	char name[72];
	sha256_final(hash, d);
	sha256_name(d, name);
	return digest && !strcmp(name, digest);
}
