/* SPDX-License-Identifier: Apache-2.0 */
/* What an image is made of, from the directory an archive was unpacked
 * into (or an OCI image layout on disk): its config blob and its layers in
 * order, each with the digests it must have. Two layouts: the OCI image
 * layout (oci-layout + index.json: skopeo, podman, buildah, Buildroot and
 * Yocto image builders) and `docker save`'s manifest.json. Every path in
 * them is resolved inside the directory. */
#ifndef BERTH_IMAGE_MANIFEST_H
#define BERTH_IMAGE_MANIFEST_H
#include <stddef.h>
#include "berth/util/arena.h"

struct image_layer {
	const char *path;	/* in the layout */
	const char *digest;	/* "sha256:HEX" of the blob as stored; NULL: not named (docker's layer.tar) */
	const char *diff_id;	/* "sha256:HEX" of the tar inside, from the config */
};

struct image_manifest {
	struct arena arena;	/* everything below */
	const char *origin;	/* for messages */
	const char *want;	/* "name:tag" to choose among several images, or NULL */
	const char *config_path, *config_digest;
	char *config;		/* the config blob's text (malloc'd), digest checked */
	size_t config_len;
	struct image_layer *layers;
	size_t n_layers;
};

/* Finds the image in the layout at layoutfd. `want` ("name:tag") chooses
 * among several images; a layout with one image needs none. Then reads
 * and checks the config, and takes the layers' diff_ids from it. -1
 * (logged) on anything missing, malformed or not matching its digest. */
int manifest_load(int layoutfd, const char *origin, const char *want, struct image_manifest *m);
void manifest_free(struct image_manifest *m);

/* A regular file of the layout, opened for reading (never a fifo or a
 * device a hostile archive put there); -1 (logged). */
int layout_open_file(int layoutfd, const char *path, const char *origin);

/* "sha256:" and 64 lowercase hex digits? */
int digest_check(const char *digest);
#endif
