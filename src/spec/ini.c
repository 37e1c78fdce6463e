/* SPDX-License-Identifier: Apache-2.0 */
/* Service files (NAME.conf): read with inih, then turned into a struct
 * spec (the container) and a struct service_conf (its supervision).
 *
 * The file is read whole first, so that `bundle =` or `rootfs =` decides
 * the base wherever it stands, and every other key then changes that base
 * in file order. Errors say "file:line: key: what was wrong". */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ini.h>
#include "berth/spec/ini.h"
#include "berth/util/log.h"
#include "berth/spec/oci.h"
#include "berth/spec/service.h"
#include "berth/spec/target.h"
#include "berth/util/util.h"
#include "keys.h"

struct reader {
	const char *at, *end;	/* the text still to read */
	int line;
	int too_long;		/* first line past inih's limit, 0: none */
	bool continuation;	/* this line starts with a blank */
	struct ini_doc *doc;
};

/* Walks a line as a service file quotes it: '...' and "..." protect what
 * they hold, a backslash the character after it. Returns where a comment
 * starts (an unprotected # or ; after a blank, as in systemd units and
 * s6-rc), or NULL. With unescape, "\#" and "\;" outside quotes lose their
 * backslash, in place. One walk for both, so that what is a comment and
 * what is kept can never disagree.
 *
 * inih (Debian's and upstream's defaults alike) cuts a line at a ';'
 * after a blank, quoted or not: the line reader hides a quoted one from
 * it as HIDDEN_SEMICOLON, which the handler turns back. */
#define HIDDEN_SEMICOLON '\x1f'
static char *scan_line(char *s, bool unescape)
{
	char quote = 0, *out = s;
	for (char *p = s; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			else if (!unescape && *p == ';' && (p[-1] == ' ' || p[-1] == '\t'))
				*p = HIDDEN_SEMICOLON;	/* inih would cut the line there */
			else if (quote == '"' && *p == '\\' && p[1])
				*out++ = *p++;
		} else if (*p == '\\' && p[1]) {
			if (!unescape || (p[1] != '#' && p[1] != ';'))
				*out++ = *p;
			p++;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if ((*p == '#' || *p == ';') && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
			if (!unescape)
				return p;
		}
		*out++ = *p;
	}
	*out = 0;
	return NULL;
}

/* A blank followed by # or ; left in a value: it was quoted or escaped,
 * so it is not a comment, although it may have been meant as one. exec
 * is split like a shell line, where quoting it is the way to keep it. */
static void warn_kept_hash(const char *file, int line, const char *key, const char *value)
{
	if (!strcmp(key, "exec"))
		return;
	for (const char *p = value; *p; p++)
		if ((*p == '#' || *p == ';') && p > value && (p[-1] == ' ' || p[-1] == '\t')) {
			log_warn("%s:%d: %s: \"%s\" keeps \"%c\" and what follows (it is quoted or escaped); "
				 "a comment needs an unquoted blank before it", file, line, key, value, *p);
			return;
		}
}

/* inih's line reader, counting lines: inih itself tells a handler no
 * line number unless built for it, and Debian's is not. Comments at the
 * end of a line are cut here, whatever inih was built to do. */
static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	if (r->at >= r->end || num < 2)
		return NULL;
	const char *nl = memchr(r->at, '\n', (size_t)(r->end - r->at));
	const char *stop = nl ? nl + 1 : r->end;	/* the line, its newline too */
	size_t len = (size_t)(stop - r->at);
	r->line++;
	if (len > (size_t)num - 1) {
		if (!r->too_long)
			r->too_long = r->line;
		len = (size_t)num - 1;
	}
	memcpy(str, r->at, len);
	str[len] = 0;
	r->at = stop;
	r->continuation = str[0] == ' ' || str[0] == '\t';
	char *comment = scan_line(str, false);
	if (comment) {
		while (comment > str && (comment[-1] == ' ' || comment[-1] == '\t'))
			comment--;
		strcpy(comment, "\n");
	}
	return str;
}

static int collect(void *user, const char *section, const char *name, const char *value)
{
	struct reader *r = user;
	struct ini_doc *d = r->doc;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;	/* most service files have a few keys */
		struct ini_entry *bigger = arena_array(d->arena, cap, sizeof(*bigger));
		if (d->n)
			memcpy(bigger, d->e, d->n * sizeof(*bigger));
		d->e = bigger;
		d->cap = cap;
	}
	char *v = arena_strdup(d->arena, value);
	for (char *h = v; (h = strchr(h, HIDDEN_SEMICOLON)); )
		*h = ';';
	warn_kept_hash(d->file, r->line, name, v);
	scan_line(v, true);
	d->e[d->n++] = (struct ini_entry){
		.section = arena_strdup(d->arena, section), .key = arena_strdup(d->arena, name),
		.value = v, .line = r->line, .continuation = r->continuation,
	};
	return 1;
}

int ini_read(struct ini_doc *d, const char *text, size_t len, const char *path)
{
	struct reader r = { .doc = d, .at = text, .end = text + len };
	d->file = arena_strdup(d->arena, path);
	int bad = ini_parse_stream(read_line, &r, collect, &r);
	if (r.too_long)
		return log_error("%s:%d: the line is longer than %d characters; continue it on an indented line",
				 path, r.too_long, INI_MAX_LINE - 2);
	if (bad > 0)
		return log_error("%s:%d: expected \"key = value\", a [section] or a comment", path, bad);
	if (bad < 0)
		return log_error("%s: out of memory", path);
	return 0;
}

int ini_error(const struct ini_entry *e, const char *file, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return log_error("%s:%d: %s: %s", file, e->line, e->key, msg);
}

/* berth's default spec, around a root the caller sets. */
static int load_default_spec(struct service_conf *c, const char *file)
{
	size_t len;
	const char *text = default_spec(&len);
	char origin[600];
	snprintf(origin, sizeof(origin), "%s (default spec)", file);
	if (oci_parse(&c->spec, text, len, origin) < 0)
		return -1;
	/* A service's output goes to its log, not to a terminal; its
	 * hostname is its name unless the file says otherwise. */
	c->spec.process.terminal = false;
	c->spec.hostname = NULL;
	c->spec.process.args = NULL;	/* exec = is required */
	c->spec.root_readonly = false;
	return 0;
}

/* An image root (linux/image.c) is known by its name: the parser reads no
 * file. The supervisor parses in its loop, where a rootfs on a mount that
 * hangs would hang it; the runtime, beside the loop, checks what it is. */
bool service_names_image_file(const char *path)
{
	static const char *const suffixes[] = { ".squashfs", ".sqfs", ".erofs", ".img" };
	size_t len = strlen(path);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);
		if (len > k && !strcmp(path + len - k, suffixes[i]))
			return true;
	}
	return false;
}

/* What a file asks of the build that will run it beyond its spec
 * (spec_validate checks that): sections and keys of features that build
 * may have left out (berth/spec/target.h). `berth check` for another
 * build also needs them itself, to read what they say. */
static int check_target(const struct ini_doc *d)
{
	static const struct {
		const char *section, *key;	/* key NULL: any in the section */
		enum target_feature f;
		const char *what;
	} needs[] = {
		{ "network", NULL, TF_NETWORK, "[network]" },
		{ "network", "publish", TF_NET_PUBLISH, "published ports" },
		{ "service", "image", TF_IMAGE_STORE, "images" },
	};
	for (size_t i = 0; i < d->n; i++)
		for (size_t k = 0; k < ARRAY_SIZE(needs); k++) {
			const struct ini_entry *e = &d->e[i];
			if (strcmp(e->section, needs[k].section) || (needs[k].key && strcmp(e->key, needs[k].key)))
				continue;
			if (!target_has(needs[k].f))
				return ini_error(e, d->file, "%s: not in %s (CONFIG_%s)", needs[k].what, target_build(),
						 target_symbol(needs[k].f));
			if (!(TARGET_THIS_BUILD >> needs[k].f & 1))
				return ini_error(e, d->file, "%s: %s has them, but this berth was built without "
						 "CONFIG_%s and cannot check them", needs[k].what, target_build(),
						 target_symbol(needs[k].f));
		}
	return 0;
}

/* The base spec: a bundle's config.json, berth's default around a rootfs,
 * or an image of the store (spec/service_image.c). */
static int load_base(struct service_conf *c, struct ini_doc *d)
{
	const struct ini_entry *root = NULL, *bundle = NULL, *image = NULL, *e = NULL;
	int given = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct ini_entry *x = &d->e[i];
		if (strcmp(x->section, "service"))
			continue;
		if (!strcmp(x->key, "rootfs"))
			root = e = x, given++;
		else if (!strcmp(x->key, "bundle"))
			bundle = e = x, given++;
		else if (!strcmp(x->key, "image"))
			image = e = x, given++;
	}
	if (given > 1)
		return ini_error(e, d->file, "give one of rootfs, bundle or image, not several");
	if (!e)
		return log_error("%s: [service] needs rootfs = DIR (the container's root), bundle = DIR (an OCI bundle)"
				 IF_IMAGE_STORE(" or image = NAME[:TAG] (berth image import)"), d->file);
	if (image)
		return load_default_spec(c, d->file) < 0 ? -1 : service_image_base(c, image, d->file);
	if (e->value[0] != '/')
		return ini_error(e, d->file, "\"%s\" is not an absolute path", e->value);
	if (bundle) {
		char *config = arena_printf(&c->spec.arena, "%s/config.json", bundle->value);
		service_source_note(c, config);
		size_t len;
		char *text = target_read_file(config, &len);
		if (!text)
			return ini_error(bundle, d->file, "%s%s: %m", config, target_sysroot_note());
		int r = oci_from_text(&c->spec, bundle->value, text, len);
		free(text);
		if (r < 0)
			return -1;
		/* Through a service file, a bundle's root.path may name an image
		 * file; the runc command line never sets this, and refuses one. */
		c->spec.root_image = service_names_image_file(c->spec.root_path);
		return 0;
	}
	if (load_default_spec(c, d->file) < 0)
		return -1;
	char *dir = arena_strdup(&c->spec.arena, root->value), *parent = arena_strdup(&c->spec.arena, root->value);
	c->spec.root_path = dir;
	c->spec.bundle = dirname(parent);
	c->spec.root_image = service_names_image_file(dir);
	return 0;
}

size_t service_name_of(const char *path, const char **base)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (n > 5 && !strcmp(b + n - 5, ".conf"))
		n -= 5;
	*base = b;
	return n;
}

static const char *service_name(const char *path, struct arena *a)
{
	const char *base;
	size_t n = service_name_of(path, &base);
	char *name = arena_alloc(a, n + 1);
	memcpy(name, base, n);
	return name;
}

int service_load(struct service_conf *c, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		memset(c, 0, sizeof(*c));
		spec_init(&c->spec);
		return log_error("%s: %m", path);
	}
	int r = service_load_text(c, text, len, path);
	free(text);
	return r;
}

int service_load_text(struct service_conf *c, const char *text, size_t len, const char *path)
{
	memset(c, 0, sizeof(*c));
	spec_init(&c->spec);
	struct arena *a = &c->spec.arena;
	struct ini_doc d = { .arena = a };
	c->file = arena_strdup(a, path);
	c->name = service_name(path, a);
	if (!name_is_valid(c->name))
		return log_error("%s: \"%s\" cannot name a service: the file name (without .conf) is its container id "
				 "(letters, digits, '_', '+', '-', '.')", path, c->name);
	if (ini_read(&d, text, len, path) < 0 || check_target(&d) < 0 || load_base(c, &d) < 0)
		return -1;
	service_defaults(c);
	int errors = 0;
	for (size_t i = 0; i < d.n; i++)
		if (service_apply(c, &d, i) < 0)
			errors++;
	if (errors || (c->spec.root_image && !c->image && service_image_file(c) < 0) || service_finish(c) < 0)
		return -1;
	/* The spec's rules name config.json's fields: say which file. */
	const char *subject = log_set_subject(path);
	int r = spec_validate(&c->spec);
	log_set_subject(subject);
	return r;
}

int service_dir_list(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	if (!d)
		return log_error("%s: %m", dir);
	size_t n = 0, cap = 16;
	char **v = malloc(cap * sizeof(*v));
	struct dirent *e;
	while (v && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".conf"))
			continue;
		if (n == cap) {
			char **bigger = realloc(v, (cap *= 2) * sizeof(*v));
			if (!bigger)
				break;
			v = bigger;
		}
		if (asprintf(&v[n], "%s/%s", dir, e->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	if (!v)
		return log_error("out of memory");
	str_sort(v, n);
	*names = v;
	return (int)n;
}

static void source_stat(const char *path, struct conf_source *out)
{
	struct stat st;
	memset(out, 0, sizeof(*out));
	out->path = path;
	if (stat(path, &st) == 0) {
		out->dev = st.st_dev, out->ino = st.st_ino, out->size = (uint64_t)st.st_size;
		out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	}
}

void service_source_note(struct service_conf *c, const char *path)
{
	source_stat(path, &c->source);
}

bool service_source_changed(const struct service_conf *c)
{
	if (!c->source.path)
		return false;
	struct conf_source now;
	source_stat(c->source.path, &now);
	return now.dev != c->source.dev || now.ino != c->source.ino || now.size != c->source.size ||
	       now.mtime_ns != c->source.mtime_ns;
}

void service_free(struct service_conf *c)
{
	spec_free(&c->spec);
	memset(c, 0, sizeof(*c));
}
