/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (FIPS 180-4), for image digests: what an image file is, checked
 * before it becomes a root. */
#ifndef BERTH_SHA256_H
#define BERTH_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char block[64];
	size_t n;	/* bytes in block */
};
void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
void sha256_final(struct sha256 *c, unsigned char digest[32]);
/* The digest of what fd reads from its start to its end; -1 (errno) on a
 * read error. */
int sha256_fd(int fd, unsigned char digest[32]);
/* "sha256:" + 64 lowercase hex digits into out (72 bytes at least). */
void sha256_name(const unsigned char digest[32], char *out);

#endif
