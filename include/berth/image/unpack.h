/* SPDX-License-Identifier: Apache-2.0 */
/* Writing a tar stream into a directory, every path resolved inside it
 * (berth/util/inroot.h): whatever an entry's name, link target or the
 * symlinks earlier entries made, nothing is written outside the directory.
 * Names with ".." are refused, not cleaned, since no honest archive has
 * them. Device nodes are skipped: a container gets its devices from its
 * spec, never from its image. */
#ifndef BERTH_IMAGE_UNPACK_H
#define BERTH_IMAGE_UNPACK_H
#include <stdint.h>
#include "berth/image/tar.h"

enum unpack_flags {
	/* An image layer: whiteouts (.wh.NAME, .wh..wh..opq) remove what
	 * lower layers left, and files get the owners the layer gives them
	 * (when berth runs as root). Without it: an archive's own files,
	 * owned by whoever imports. */
	UNPACK_LAYER = 1,
};

struct unpack_stats {
	uint64_t entries, bytes;
	unsigned devices_skipped;
};

/* Every entry of t into the directory rootfd. -1 (logged): the stream, a
 * name, or the filesystem failed; what was written stays for the caller
 * to remove. */
int unpack_tar(int rootfd, struct tar *t, unsigned flags, struct unpack_stats *st);

/* An entry's name made relative and plain ("./a//b/" -> "a/b") into out
 * (PATH_MAX): 0, or -1 for a name with a ".." component or too long.
 * "" is the directory itself. */
int unpack_clean_path(const char *in, char *out, size_t cap);
#endif
