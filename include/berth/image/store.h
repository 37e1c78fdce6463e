/* SPDX-License-Identifier: Apache-2.0 */
/* The image store (CONFIG_IMAGE_STORE_DIR, or BERTH_IMAGE_STORE, or
 * --store): images imported from OCI and docker archives, unpacked and
 * ready to be a container's root.
 *
 *   STORE/roots/ID/rootfs        the image's layers applied in order
 *   STORE/roots/ID/config.json   its config, as the archive had it
 *   STORE/refs/NAME:TAG          "sha256:ID", NAME's '/' written '+'
 *   STORE/tmp/                   imports under way; emptied by the next
 *
 * ID is the config's sha256, as docker's image id. An import writes
 * everything under tmp/, syncs it, renames it into roots/, then replaces
 * the ref with a synced rename: a power cut at any moment leaves either
 * the old ref or the new one, each naming a complete root. */
#ifndef BERTH_IMAGE_STORE_H
#define BERTH_IMAGE_STORE_H
#include <stdbool.h>
#include <stddef.h>

struct image_ref {
	char name[201];	/* lowercase letters, digits, '.', '_', '-', '/' */
	char tag[129];	/* "latest" when not given */
};
/* "NAME[:TAG]" -> ref; -1 (logged, naming `what`) when malformed. */
int image_ref_parse(const char *s, struct image_ref *r, const char *what);

/* The store's directory: BERTH_IMAGE_STORE, else CONFIG_IMAGE_STORE_DIR. */
const char *image_store_dir(void);

/* FILE (a docker-archive or oci-archive, plain or gzip) or DIR (an OCI
 * image layout, or a docker save unpacked) as ref. Prints what it
 * imported. -1 (logged): nothing changed but what tmp/ holds. */
int image_import(const char *store, const char *source, const char *ref);
int image_list(const char *store, bool quiet);
/* Forgets ref, and removes its root unless another ref names it. */
int image_remove(const char *store, const char *ref);

/* What a service needs of an image: its root's path and its config's
 * text (malloc'd; image_found_free). -1 (logged, as `what`). */
struct image_found {
	char id[65];
	char *dir;	/* STORE/roots/ID */
	char *rootfs;	/* STORE/roots/ID/rootfs */
	char *config;
	size_t config_len;
};
/* What ref names now (what NULL: a name not in the store fails quietly,
 * errno ENOENT); what root id holds. */
int image_ref_id(const char *store, const char *ref, char id[65], const char *what);
int image_load(const char *store, const char *id, struct image_found *f, const char *what);
/* STORE/refs/NAME:TAG, the file a new import of ref replaces (malloc'd;
 * NULL when ref is malformed). */
char *image_ref_path(const char *store, const char *ref);
void image_found_free(struct image_found *f);
#endif
