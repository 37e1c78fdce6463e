/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the service-file front-end (src/spec/ini.c, service_keys.c). */
#ifndef BERTH_INI_H
#define BERTH_INI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "berth/util/arena.h"
#include "berth/spec/service.h"

struct ini_entry {
	const char *section, *key, *value;
	int line;
	bool continuation;	/* an indented line continuing the key before */
};

struct ini_doc {
	const char *file;
	struct ini_entry *e;
	size_t n, cap;
	struct arena *arena;
};

/* Every key of the file's text, in order; errors logged with file and
 * line. */
int ini_read(struct ini_doc *d, const char *text, size_t len, const char *path);
/* Log "file:line: key: message"; returns -1. */
int ini_error(const struct ini_entry *e, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* service_keys.c */
void service_defaults(struct service_conf *c);
/* Apply d->e[i] to c; -1 (logged) if the key or value is wrong. */
int service_apply(struct service_conf *c, const struct ini_doc *d, size_t i);
/* Checks across keys, once all are read. */
int service_finish(struct service_conf *c);

#endif
