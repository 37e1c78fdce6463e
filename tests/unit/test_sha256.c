/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (src/util/sha256.c) against FIPS 180-4's examples, and the same
 * digest whatever pieces the data comes in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "berth/util/sha256.h"

static int passed, failed;
#define CHECK(cond) do { \
	if (cond) passed++; \
	else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

static void name_of(const void *data, size_t n, char *out)
{
	struct sha256 c;
	unsigned char d[32];
	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final(&c, d);
	sha256_name(d, out);
}

int main(void)
{
	char got[72];
	name_of("abc", 3, got);
	CHECK(!strcmp(got, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	name_of("", 0, got);
	CHECK(!strcmp(got, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";	/* 56 bytes: two blocks */
	name_of(two, strlen(two), got);
	CHECK(!strcmp(got, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
	char *a = malloc(1000000);
	memset(a, 'a', 1000000);
	name_of(a, 1000000, got);
	CHECK(!strcmp(got, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
	/* In pieces of every size from 1 to 130: the same digest. */
	for (size_t step = 1; step <= 130; step++) {
		struct sha256 c;
		unsigned char d[32];
		char piecewise[72];
		sha256_init(&c);
		for (size_t at = 0; at < 5000; at += step)
			sha256_update(&c, a + at, at + step <= 5000 ? step : 5000 - at);
		sha256_final(&c, d);
		sha256_name(d, piecewise);
		name_of(a, 5000, got);
		CHECK(!strcmp(piecewise, got));
	}
	/* From a file descriptor, as an image is read. */
	char path[] = "/tmp/berth-sha256-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, a, 1000000) == 1000000);
	unsigned char d[32];
	CHECK(sha256_fd(fd, d) == 0);
	sha256_name(d, got);
	CHECK(!strcmp(got, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
	close(fd);
	unlink(path);
	free(a);
	printf("sha256: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
