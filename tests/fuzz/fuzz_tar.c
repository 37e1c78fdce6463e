/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for what an image import reads (src/image/): the bytes are a
 * blob (gzip or plain) holding a tar stream, applied twice as two layers
 * (the first byte says where the second begins) into a fresh root beside
 * an "outside" directory holding a decoy. Whatever the archive says
 * (names with "..", absolute names, symlinks and hard links pointing
 * anywhere, whiteouts, pax and GNU records, sizes of any kind):
 * - the decoy is untouched and nothing else appears outside the root;
 * - nothing appears beside the root and the outside directory. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/image/tar.h"
#include "berth/image/unpack.h"
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[4096], root[4200], outside[4200], decoy[4300];

static void remove_base(void)
{
	remove_tree(base);
}

/* The names in dir, sorted, as "a b c". */
static void names(const char *dir, char *out, size_t cap)
{
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort);
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
			len += (size_t)snprintf(out + len, cap > len ? cap - len : 0, "%s ", v[i]->d_name);
		free(v[i]);
	}
	if (n >= 0)
		free(v);
}

static void apply(int rootfd, const uint8_t *data, size_t size)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, data, size) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	struct blob b;
	struct tar t;
	struct unpack_stats st = { 0 };
	if (blob_open(&b, fd, "fuzz") == 0) {
		tar_init(&t, &b);
		if (unpack_tar(rootfd, &t, UNPACK_LAYER, &st) == 0)
			blob_drain(&b);
		tar_free(&t);
	}
	blob_close(&b);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(fuzz_quiet);
	if (!base[0]) {
		const char *tmp = getenv("TESTROOT");
		snprintf(base, sizeof(base), "%s/berth-fuzz-tar-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
		snprintf(root, sizeof(root), "%s/root", base);
		snprintf(outside, sizeof(outside), "%s/outside", base);
		snprintf(decoy, sizeof(decoy), "%s/decoy", outside);
		atexit(remove_base);
	}
	remove_tree(base);
	if (mkdir(base, 0755) < 0 || mkdir(root, 0755) < 0 || mkdir(outside, 0755) < 0 ||
	    write_file(decoy, "decoy", 5, 0644) < 0)
		abort();
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		abort();
	size_t split = size ? (size_t)data[0] * 512 : 0;
	if (size)
		data++, size--;
	if (split > size)
		split = size;
	apply(rootfd, data, split);
	apply(rootfd, data + split, size - split);
	close(rootfd);
	char got[512];
	size_t len;
	char *text = read_file(decoy, &len);
	names(outside, got, sizeof(got));
	if (!text || len != 5 || memcmp(text, "decoy", 5) || strcmp(got, "decoy ")) {
		fprintf(stderr, "outside the root: [%s], the decoy: [%s]\n", got, text ? text : "(gone)");
		abort();
	}
	free(text);
	names(base, got, sizeof(got));
	if (strcmp(got, "outside root ")) {
		fprintf(stderr, "beside the root: [%s]\n", got);
		abort();
	}
	return 0;
}
