/* SPDX-License-Identifier: Apache-2.0 */
/* The image inside a layout: index.json (an OCI layout, possibly an index
 * of platforms) or manifest.json (docker save), down to one manifest, its
 * config and its layers, with the digests each must have. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/image/manifest.h"
#include "berth/util/inroot.h"
#include "berth/util/json.h"
#include "berth/util/log.h"
#include "berth/util/sha256.h"
#include "berth/util/util.h"

#define JSON_MAX (4 * 1024 * 1024)	/* a manifest, index or config */

#if defined(__x86_64__)
#define GOARCH "amd64"
#elif defined(__aarch64__)
#define GOARCH "arm64"
#elif defined(__arm__)
#define GOARCH "arm"
#elif defined(__i386__)
#define GOARCH "386"
#elif defined(__riscv) && __riscv_xlen == 64
#define GOARCH "riscv64"
#else
#define GOARCH "unknown"
#endif

int digest_check(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != 71)
		return -1;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return -1;
	return 0;
}

int layout_open_file(int layoutfd, const char *path, const char *origin)
{
	int pfd = inroot_open(layoutfd, path, 0);
	if (pfd < 0)
		return log_error("%s: %s: %m", origin, path);
	struct stat st;
	struct fd_path p;
	int fd = -1;
	if (fstat(pfd, &st) < 0)
		log_error("%s: %s: %m", origin, path);
	else if (!S_ISREG(st.st_mode))
		log_error("%s: %s: not a regular file", origin, path);
	else if ((fd = openat(AT_FDCWD, fd_path(pfd, &p), O_RDONLY | O_CLOEXEC)) < 0)
		log_error("%s: %s: %m", origin, path);
	close(pfd);
	return fd;
}

/* A JSON file of the layout, whole; with `digest`, checked against it. */
static char *read_json(int layoutfd, const char *path, const char *digest, const char *origin, size_t *len)
{
	int fd = layout_open_file(layoutfd, path, origin);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *text = NULL;
	if (fstat(fd, &st) < 0 || st.st_size > JSON_MAX)
		log_error("%s: %s: larger than 4 MiB, not a manifest or config", origin, path);
	else if (!(text = read_fd(fd, len)))
		log_error("%s: %s: %m", origin, path);
	close(fd);
	if (text && digest) {
		struct sha256 c;
		unsigned char d[32];
		char name[72];
		sha256_init(&c);
		sha256_update(&c, text, *len);
		sha256_final(&c, d);
		sha256_name(d, name);
		if (strcmp(name, digest)) {
			log_error("%s: %s: its content has digest %s, not %s", origin, path, name, digest);
			free(text);
			return NULL;
		}
	}
	return text;
}

/* The JSON file at path, parsed into j's tree; j names it in messages. */
static cJSON *parse_json(struct image_manifest *m, struct jctx *j, int layoutfd, const char *path,
			 const char *digest)
{
	size_t len;
	char *text = read_json(layoutfd, path, digest, m->origin, &len);
	if (!text)
		return NULL;
	cJSON *doc = j_parse(j, text, len);
	free(text);
	return doc;
}

/* A descriptor's digest, checked for form; its blob's path. */
static const char *descriptor_blob(struct jctx *j, const cJSON *desc, const char **digest)
{
	if (j_string(j, desc, "digest", digest) < 1)
		return jerr(j, "a descriptor needs a digest"), NULL;
	if (digest_check(*digest) < 0)
		return jerr_at(j, "digest", "\"%.80s\": expected sha256: and 64 lowercase hex digits", *digest), NULL;
	return arena_printf(j->arena, "blobs/sha256/%s", *digest + 7);
}

static bool platform_is_ours(const cJSON *desc)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(desc, "platform");
	const cJSON *arch = cJSON_GetObjectItemCaseSensitive(p, "architecture");
	const cJSON *os = cJSON_GetObjectItemCaseSensitive(p, "os");
	return cJSON_IsString(arch) && !strcmp(arch->valuestring, GOARCH) &&
	       (!cJSON_IsString(os) || !strcmp(os->valuestring, "linux"));
}

static bool ref_name_is(const cJSON *desc, const char *want)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(desc, "annotations");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "org.opencontainers.image.ref.name");
	if (!want || !cJSON_IsString(n))
		return false;
	const char *tag = strrchr(want, ':');
	return !strcmp(n->valuestring, want) || (tag && !strcmp(n->valuestring, tag + 1));
}

/* The manifest to use among an index's: the only one; else the one named
 * `want`; else the only one for this machine's architecture. */
static const cJSON *choose(struct jctx *j, const cJSON *list, const char *want)
{
	int n = cJSON_GetArraySize(list), ours = 0;
	const cJSON *named = NULL, *mine = NULL, *e;
	if (n == 1)
		return list->child;
	cJSON_ArrayForEach(e, list) {
		if (ref_name_is(e, want))
			named = e;
		if (platform_is_ours(e))
			mine = e, ours++;
	}
	if (named)
		return named;
	if (ours == 1)
		return mine;
	if (!n)
		jerr(j, "no images");
	else
		jerr(j, "%d images, none named %s, and %d for linux/" GOARCH ": name one with NAME:TAG", n,
		     want ? want : "(no name given)", ours);
	return NULL;
}

static int oci_manifest(struct image_manifest *m, int layoutfd, const char *path, const char *digest, int depth)
{
	char origin[600];
	snprintf(origin, sizeof(origin), "%s: %s", m->origin, path);
	struct jctx j = { .origin = origin, .arena = &m->arena };
	cJSON *doc = parse_json(m, &j, layoutfd, path, digest);
	if (!doc)
		return -1;
	const cJSON *list = NULL, *config = NULL, *layers = NULL;
	int r = -1;
	if (j_array(&j, doc, "manifests", &list) > 0) {
		/* An index: of platforms, or of tags (index.json). */
		const cJSON *pick;
		const char *d, *blob;
		size_t mark = jpath_key(&j, "manifests");
		if (depth > 4)
			jerr(&j, "indexes nested more than 4 deep");
		else if ((pick = choose(&j, list, m->want)) && (blob = descriptor_blob(&j, pick, &d)))
			r = oci_manifest(m, layoutfd, blob, d, depth + 1);
		jpath_pop(&j, mark);
		j_release(&j);
		return r;
	}
	if (j_object(&j, doc, "config", &config) < 1) {
		jerr(&j, "neither an index (manifests) nor a manifest (config)");
		goto out;
	}
	size_t mark = jpath_key(&j, "config");
	const char *blob = descriptor_blob(&j, config, &m->config_digest);
	jpath_pop(&j, mark);
	if (!blob)
		goto out;
	m->config_path = blob;
	if (j_array(&j, doc, "layers", &layers) < 1) {
		jerr(&j, "a manifest needs layers");
		goto out;
	}
	m->n_layers = (size_t)cJSON_GetArraySize(layers);
	m->layers = arena_array(&m->arena, m->n_layers + 1, sizeof(*m->layers));
	EACH(&j, layers, i, e) {
		const char *type = NULL;
		if (j_string(&j, e, "mediaType", &type) < 0)
			goto out;
		if (type && str_find(type, "zstd")) {
			jerr(&j, "a zstd layer (%s): berth reads plain and gzip layers", type);
			goto out;
		}
		if (!(m->layers[i].path = descriptor_blob(&j, e, &m->layers[i].digest)))
			goto out;
	}
	r = 0;
out:
	j_release(&j);
	return r;
}

/* "blobs/sha256/HEX" or "HEX.json" or "HEX/layer.tar": the digest its
 * name gives, if it gives one. */
static const char *digest_from_name(struct arena *a, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char hex[65];
	if (strlen(base) >= 64) {
		memcpy(hex, base, 64);
		hex[64] = '\0';
		const char *d = arena_printf(a, "sha256:%s", hex);
		if (digest_check(d) == 0 && (!base[64] || !strcmp(base + 64, ".json")))
			return d;
	}
	return NULL;
}

static int docker_manifest(struct image_manifest *m, int layoutfd, const char *want)
{
	char origin[600];
	snprintf(origin, sizeof(origin), "%s: manifest.json", m->origin);
	struct jctx j = { .origin = origin, .arena = &m->arena };
	cJSON *doc = parse_json(m, &j, layoutfd, "manifest.json", NULL);
	if (!doc)
		return -1;
	int r = -1, n = cJSON_GetArraySize(doc);
	const cJSON *pick = NULL, *e, *layers = NULL;
	if (!cJSON_IsArray(doc) || !n) {
		jerr(&j, "expected an array of images");
		goto out;
	}
	cJSON_ArrayForEach(e, doc) {
		const cJSON *tags = cJSON_GetObjectItemCaseSensitive(e, "RepoTags"), *t;
		cJSON_ArrayForEach(t, tags) if (want && cJSON_IsString(t) && !strcmp(t->valuestring, want)) pick = e;
	}
	if (!pick && n == 1)
		pick = doc->child;
	if (!pick) {
		jerr(&j, "%d images, none tagged %s: name one with NAME:TAG", n, want ? want : "(no name given)");
		goto out;
	}
	if (j_string(&j, pick, "Config", &m->config_path) < 1 || j_array(&j, pick, "Layers", &layers) < 1) {
		jerr(&j, "an image needs Config and Layers");
		goto out;
	}
	if (!(m->config_digest = digest_from_name(&m->arena, m->config_path))) {
		jerr(&j, "Config \"%.80s\" is not named by its digest, so it cannot be checked", m->config_path);
		goto out;
	}
	m->n_layers = (size_t)cJSON_GetArraySize(layers);
	m->layers = arena_array(&m->arena, m->n_layers + 1, sizeof(*m->layers));
	EACH(&j, layers, i, l) {
		if (j_string_at(&j, l, &m->layers[i].path) < 0)
			goto out;
		/* blobs/sha256/HEX names its digest; HEX/layer.tar names an id. */
		if (!strncmp(m->layers[i].path, "blobs/", 6))
			m->layers[i].digest = digest_from_name(&m->arena, m->layers[i].path);
	}
	r = 0;
out:
	j_release(&j);
	return r;
}

static int read_config(struct image_manifest *m, int layoutfd)
{
	m->config = read_json(layoutfd, m->config_path, m->config_digest, m->origin, &m->config_len);
	if (!m->config)
		return -1;
	char origin[600];
	snprintf(origin, sizeof(origin), "%s: config %s", m->origin, m->config_path);
	struct jctx j = { .origin = origin, .arena = &m->arena };
	cJSON *doc = j_parse(&j, m->config, m->config_len);
	const cJSON *rootfs = NULL, *ids = NULL;
	int r = -1;
	if (!doc)
		return -1;
	size_t mark = jpath_key(&j, "rootfs");
	if (j_object(&j, doc, "rootfs", &rootfs) < 1 || j_array(&j, rootfs, "diff_ids", &ids) < 1) {
		jerr(&j, "an image config needs rootfs.diff_ids");
		goto out;
	}
	if ((size_t)cJSON_GetArraySize(ids) != m->n_layers) {
		jerr_at(&j, "diff_ids", "%d layers named, but the manifest has %zu", cJSON_GetArraySize(ids), m->n_layers);
		goto out;
	}
	jpath_key(&j, "diff_ids");
	EACH(&j, ids, i, d) {
		if (j_string_at(&j, d, &m->layers[i].diff_id) < 0)
			goto out;
		if (digest_check(m->layers[i].diff_id) < 0) {
			jerr(&j, "\"%.80s\": expected sha256: and 64 lowercase hex digits", m->layers[i].diff_id);
			goto out;
		}
	}
	jpath_pop(&j, mark);
	const cJSON *arch = cJSON_GetObjectItemCaseSensitive(doc, "architecture");
	if (cJSON_IsString(arch) && strcmp(arch->valuestring, GOARCH))
		log_warn("%s: the image is for %s; this machine is %s", m->origin, arch->valuestring, GOARCH);
	r = 0;
out:
	j_release(&j);
	return r;
}

static bool has_file(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int manifest_load(int layoutfd, const char *origin, const char *want, struct image_manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->origin = origin;
	m->want = want;
	int r;
	if (has_file(layoutfd, "index.json")) {
		r = oci_manifest(m, layoutfd, "index.json", NULL, 0);
	} else if (has_file(layoutfd, "manifest.json")) {
		r = docker_manifest(m, layoutfd, want);
	} else {
		return log_error("%s: neither an OCI image layout (index.json) nor a docker-archive (manifest.json)", origin);
	}
	return r < 0 ? -1 : read_config(m, layoutfd);
}

void manifest_free(struct image_manifest *m)
{
	free(m->config);
	arena_free(&m->arena);
	memset(m, 0, sizeof(*m));
}
