/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the image layouts an import reads (src/image/manifest.c):
 * index.json or manifest.json (the first byte chooses), and an image
 * config. The input is "LAYOUT-JSON \0 CONFIG-JSON"; every "@CFG@" in the
 * first becomes the config's real digest ("@HEX@" its hex), so that the fuzzer gets past the
 * digest check into the config's own parsing. Whatever the JSON says
 * (paths with "..", absolute paths, digests of any form, nested indexes,
 * counts that do not match), manifest_load returns 0 or -1, reads only
 * inside the layout, and frees what it took. The same config is then a
 * store's image that a service file names (spec/service_image.c, where
 * the store is in the build): its Entrypoint, Cmd, Env, WorkingDir, User
 * and ExposedPorts become the service's defaults, or a clear error. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/image/manifest.h"
#include "berth/spec/service.h"
#include "berth/util/sha256.h"
#include "berth/util/util.h"
#include "quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[4096];

static void remove_base(void)
{
	remove_tree(base);
}

/* The config as the image "web" of a store at base/store, its root an
 * empty directory with an /etc/passwd naming "app", and a service on a
 * bridge that runs it. */
static void service_from_config(const char *digest, const char *config, size_t clen)
{
	char path[4600];
	snprintf(path, sizeof(path), "%s/store", base);
	setenv("BERTH_IMAGE_STORE", path, 1);
	snprintf(path, sizeof(path), "%s/store/roots/%s/rootfs/etc", base, digest + 7);
	if (mkdir_p(path, 0755) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/store/roots/%s/rootfs/etc/passwd", base, digest + 7);
	static const char passwd[] = "app:x:1000:1000::/:/bin/sh\n";
	if (write_file(path, passwd, sizeof(passwd) - 1, 0644) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/store/roots/%s/config.json", base, digest + 7);
	if (write_file(path, config, clen, 0644) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/store/refs", base);
	if (mkdir_p(path, 0755) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/store/refs/web:latest", base);
	if (write_file(path, digest, strlen(digest), 0644) < 0)
		abort();
	static const char text[] = "[service]\nimage = web\n[network]\nmode = bridge\n";
	struct service_conf c;
	int r = service_load_text(&c, text, sizeof(text) - 1, "/fuzz/web.conf");
	if (r == 0 && (!c.spec.root_path || !c.spec.process.args))
		abort();
	service_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(fuzz_quiet);
	if (!base[0]) {
		const char *tmp = getenv("TESTROOT");
		snprintf(base, sizeof(base), "%s/berth-fuzz-manifest-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
		atexit(remove_base);
	}
	if (size < 1)
		return 0;
	bool docker = data[0] & 1, named = data[0] & 2;
	data++, size--;
	const uint8_t *nul = memchr(data, 0, size);
	size_t llen = nul ? (size_t)(nul - data) : size;
	const char *config = nul ? (const char *)nul + 1 : "";
	size_t clen = nul ? size - llen - 1 : 0;
	remove_tree(base);
	char blobs[4200], path[4400];
	snprintf(blobs, sizeof(blobs), "%s/blobs/sha256", base);
	if (mkdir_p(blobs, 0755) < 0)
		abort();
	/* The config under its digest. */
	struct sha256 c;
	unsigned char d[32];
	char name[72];
	sha256_init(&c);
	sha256_update(&c, config, clen);
	sha256_final(&c, d);
	sha256_name(d, name);
	snprintf(path, sizeof(path), "%s/%s", blobs, name + 7);
	if (write_file(path, config, clen, 0644) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/%s.json", base, name + 7);
	if (write_file(path, config, clen, 0644) < 0)
		abort();
	/* The layout's JSON, with @CFG@ made the config's digest. */
	char *text = malloc(llen * 14 + 1);
	size_t n = 0;
	for (size_t i = 0; i < llen;) {
		if (llen - i >= 5 && !memcmp(data + i, "@CFG@", 5)) {
			memcpy(text + n, name, 71);
			n += 71, i += 5;
		} else if (llen - i >= 5 && !memcmp(data + i, "@HEX@", 5)) {
			memcpy(text + n, name + 7, 64);
			n += 64, i += 5;
		} else {
			text[n++] = (char)data[i++];
		}
	}
	snprintf(path, sizeof(path), "%s/%s", base, docker ? "manifest.json" : "index.json");
	if (write_file(path, text, n, 0644) < 0)
		abort();
	free(text);
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		abort();
	struct image_manifest m;
	int r = manifest_load(fd, "fuzz", named ? "web:1" : NULL, &m);
	if (r == 0 && (!m.config || !m.config_path || (m.n_layers && !m.layers)))
		abort();
	for (size_t i = 0; r == 0 && i < m.n_layers; i++)
		if (!m.layers[i].path || !m.layers[i].diff_id)
			abort();
	manifest_free(&m);
	close(fd);
	service_from_config(name, config, clen);
	return 0;
}
