/* SPDX-License-Identifier: Apache-2.0 */
/* The pins: one small text file per service that has run from an image
 * (berth/image/pin.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/image/pin.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

static void version_parse(struct image_version *v, char *rest)
{
	char *w[2];
	size_t n = str_words(rest, w, 2);
	bool root = n >= 1 && strlen(w[0]) == 64 && strspn(w[0], "0123456789abcdef") == 64;
	if (root || (n >= 2 && !strcmp(w[0], PIN_FILE) && w[1][0] == '/')) {
		snprintf(v->id, sizeof(v->id), "%s", w[0]);
		snprintf(v->ref, sizeof(v->ref), "%s", n >= 2 ? w[1] : "");
	}
}

const char *image_version_name(const struct image_version *v, char buf[IMAGE_VERSION_NAME])
{
	if (image_version_is_file(v))
		snprintf(buf, IMAGE_VERSION_NAME, "%s", v->ref);
	else
		snprintf(buf, IMAGE_VERSION_NAME, "sha256:%.12s (%s)", v->id, v->ref);
	return buf;
}

int image_pin_read(const char *store, const char *service, struct image_pin *p)
{
	memset(p, 0, sizeof(*p));
	char path[4400];
	snprintf(path, sizeof(path), "%s/pins/%s", store, service);
	char *text = read_file(path, NULL);
	if (!text)
		return errno == ENOENT ? 0 : log_error("%s: %m", path);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "committed ", 10))
			version_parse(&p->committed, line + 10);
		else if (!strncmp(line, "previous ", 9))
			version_parse(&p->previous, line + 9);
		else if (!strncmp(line, "trial ", 6))
			version_parse(&p->trial, line + 6);
		else if (!strncmp(line, "last ", 5))
			snprintf(p->last, sizeof(p->last), "%s", line + 5);
	}
	free(text);
	return 1;
}

int image_pin_write(const char *store, const char *service, const struct image_pin *p)
{
	char dir[4200], text[2048];
	snprintf(dir, sizeof(dir), "%s/pins", store);
	if (mkdir_p(dir, 0700) < 0)
		return log_error("%s: %m", dir);
	size_t n = 0;
	const struct image_version *v[] = { &p->committed, &p->previous, &p->trial };
	static const char *const names[] = { "committed", "previous", "trial" };
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		if (v[i]->id[0])
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s %s %s\n", names[i], v[i]->id,
					      v[i]->ref[0] ? v[i]->ref : "-");
	if (p->last[0])
		n += (size_t)snprintf(text + n, sizeof(text) - n, "last %s\n", p->last);
	int fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 ? -1 : write_file_durable(fd, service, text, n, 0644);
	if (r < 0)
		log_error("%s/%s: %m", dir, service);
	if (fd >= 0)
		close(fd);
	return r;
}

int image_pin_remove(const char *store, const char *service)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/pins/%s", store, service);
	if (unlink(path) < 0 && errno != ENOENT)
		return log_error("%s: %m", path);
	return 0;
}

/* Each pin, by service name: fn(store, name, pin, arg). The path and the
 * pin (1.6 KB) are on the heap: the supervisor runs this at its start, and
 * its stack keeps for good every page it ever touched. -1 if a pin, or
 * the directory of them, could not be read (no pins at all is 0). */
static int each_pin(const char *store, void (*fn)(const char *, const char *, struct image_pin *, void *), void *arg)
{
	char *dir;
	struct image_pin *p = malloc(sizeof(*p));
	if (!p || asprintf(&dir, "%s/pins", store) < 0) {
		free(p);
		return -1;
	}
	DIR *d = opendir(dir);
	int r = d || errno == ENOENT ? 0 : -1;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && !str_find(e->d_name, ".tmp")) {
			int got = image_pin_read(store, e->d_name, p);
			if (got > 0)
				fn(store, e->d_name, p, arg);
			else if (got < 0)
				r = -1;
		}
	if (d)
		closedir(d);
	free(dir);
	free(p);
	return r;
}

static void recover_one(const char *store, const char *name, struct image_pin *p, void *arg)
{
	(void)arg;
	if (!p->trial.id[0])
		return;
	char trial[IMAGE_VERSION_NAME], committed[IMAGE_VERSION_NAME];
	log_warn("service %s: the update to %s was cut short (a crash or a power cut): it runs %s, its committed "
		 "version", name, image_version_name(&p->trial, trial), image_version_name(&p->committed, committed));
	snprintf(p->last, sizeof(p->last), "interrupted: the trial of %.340s was cut short by a restart", trial);
	memset(&p->trial, 0, sizeof(p->trial));
	image_pin_write(store, name, p);
}

void image_pins_recover(const char *store)
{
	each_pin(store, recover_one, NULL);
}

static void list_one(const char *store, const char *name, struct image_pin *p, void *arg)
{
	(void)store, (void)name;
	const struct image_version *v[] = { &p->committed, &p->previous, &p->trial };
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		if (v[i]->id[0] && !image_version_is_file(v[i]))
			fprintf(arg, "%s\n", v[i]->id);
}

int image_pins_list(const char *store, FILE *out)
{
	return each_pin(store, list_one, out);
}
