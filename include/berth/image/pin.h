/* SPDX-License-Identifier: Apache-2.0 */
/* Which version of an image a service runs: STORE/pins/SERVICE, written
 * by the supervisor's updates (supervise/update.c), read when the
 * service file is parsed (spec/service_image.c).
 *
 *   committed ID REF   what the service runs (ready, and settled)
 *   previous ID REF    what it ran before: `ctl rollback` goes back to it
 *   trial ID REF       an update under way: run until it is committed or
 *                      rolled back; a supervisor that starts finds none
 *                      (image_pins_recover), so a power cut during a trial
 *                      boots the committed version
 *   last TEXT          the last update's outcome
 *
 * ID is a root of the store (64 hex digits), or `file` for a service whose
 * rootfs is a squashfs or erofs file: REF is then that file's path.
 *
 * Each write goes to a temporary file, is synced and renamed over the
 * old one: a power cut leaves one or the other, whole. The roots pins
 * name are kept by the store's garbage collection. */
#ifndef BERTH_IMAGE_PIN_H
#define BERTH_IMAGE_PIN_H
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct image_version {
	char id[65];	/* "" : none */
	char ref[340];
};
struct image_pin {
	struct image_version committed, previous, trial;
	char last[400];
};
#define PIN_FILE "file"
static inline bool image_version_is_file(const struct image_version *v) { return !strcmp(v->id, PIN_FILE); }
static inline bool image_version_same(const struct image_version *a, const struct image_version *b)
{
	return !strcmp(a->id, b->id) && (!image_version_is_file(a) || !strcmp(a->ref, b->ref));
}
/* "sha256:0123456789ab (web:2)", or the file's path. */
#define IMAGE_VERSION_NAME 364
const char *image_version_name(const struct image_version *v, char buf[IMAGE_VERSION_NAME]);
/* 1: read; 0: there is none (p zeroed); -1 (logged): unreadable. */
int image_pin_read(const char *store, const char *service, struct image_pin *p);
int image_pin_write(const char *store, const char *service, const struct image_pin *p);
/* The service is gone: its pin too, so that the store may let its roots go. */
int image_pin_remove(const char *store, const char *service);
/* At a supervisor's start: every trial left by a crash or a power cut is
 * dropped (the committed version runs), and `last` says so. */
void image_pins_recover(const char *store);
/* Every id the store's pins name, one a line, to out (for the store's
 * garbage collection); -1 if a pin could not be read (no pins: 0). */
int image_pins_list(const char *store, FILE *out);
#endif
