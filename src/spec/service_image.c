/* SPDX-License-Identifier: Apache-2.0 */
/* image = NAME[:TAG]: a service whose root is an image of the store. The
 * root is shared by every service of that image and by the next update's
 * fallback, so it is never written: the service gets a tmpfs overlay
 * unless it says `overlay = /DIR` (kept) or `overlay = none` (read-only).
 * The image config's Entrypoint + Cmd, Env, WorkingDir and User are the
 * defaults that exec =, env =, cwd = and user = replace; its ExposedPorts
 * are published from a bridge unless [network] says publish =. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/image/pin.h"
#include "berth/image/store.h"
#include "berth/spec/ini.h"
#include "berth/util/inroot.h"
#include "berth/util/json.h"
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "keys.h"

/* Field `field` (0-based: 2 the id, 3 passwd's group) of NAME's line in
 * the image's own /etc/passwd or /etc/group, read inside the root; -1 when
 * it is not there. */
static int64_t db_number(const char *rootfs, const char *db, const char *name, int field)
{
	int root = openat(AT_FDCWD, rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int pfd = root < 0 ? -1 : inroot_open(root, db, 0);
	struct fd_path fp;
	int fd = pfd < 0 ? -1 : openat(AT_FDCWD, fd_path(pfd, &fp), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char *text = fd < 0 ? NULL : read_fd(fd, NULL);
	int64_t id = -1;
	size_t len = strlen(name);
	for (char *line = text; line && *line && id < 0;) {
		char *end = strchrnul(line, '\n'), *f = line;
		if (!strncmp(line, name, len) && line[len] == ':') {
			for (int i = 0; i < field && f; i++)
				f = memchr(f, ':', (size_t)(end - f)), f = f ? f + 1 : NULL;
			char num[24];
			uint64_t v;
			size_t n = f ? strcspn(f, ":\n") : 0;
			if (n && n < sizeof(num)) {
				memcpy(num, f, n);
				num[n] = '\0';
				if (parse_u64(num, &v) == 0 && v < UINT32_MAX)
					id = (int64_t)v;
			}
		}
		line = *end ? end + 1 : end;
	}
	free(text);
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	if (root >= 0)
		close(root);
	return id;
}

/* User: "uid", "uid:gid", "name", "name:group" (names from the image); a
 * name alone gets its passwd group, a number alone the same number. */
static int image_user(struct jctx *j, struct spec_process *p, const char *rootfs, const char *user)
{
	char u[256];
	snprintf(u, sizeof(u), "%s", user);
	char *g = strchr(u, ':');
	if (g)
		*g++ = '\0';
	uint64_t v;
	bool numeric = parse_u64(u, &v) == 0 && v < UINT32_MAX;
	int64_t uid = numeric ? (int64_t)v : db_number(rootfs, "/etc/passwd", u, 2), gid;
	if (g)
		gid = parse_u64(g, &v) == 0 && v < UINT32_MAX ? (int64_t)v : db_number(rootfs, "/etc/group", g, 2);
	else
		gid = numeric ? uid : db_number(rootfs, "/etc/passwd", u, 3);
	if (uid < 0 || gid < 0)
		return jerr_at(j, "User", "\"%s\": not a number, nor a name in the image's /etc/passwd and /etc/group "
			       "(set user = UID:GID)", user);
	p->uid = (uid_t)uid;
	p->gid = (gid_t)gid;
	return 0;
}

/* ExposedPorts: {"80/tcp": {}, ...}, published from a bridge by default. */
static int image_ports(struct jctx *j, struct service_conf *c, const cJSON *conf, int line)
{
	const cJSON *ports = NULL, *p;
	if (j_object(j, conf, "ExposedPorts", &ports) < 0)
		return -1;
	size_t mark = jpath_key(j, "ExposedPorts");
	for (p = ports ? ports->child : NULL; p; p = p->next)
		if (network_expose(c, p->string, line) < 0)
			return jerr_at(j, p->string, "expected PORT[/tcp|/udp], the port from 1 to 65535");
	jpath_pop(j, mark);
	return 0;
}

static int image_defaults(struct service_conf *c, const struct image_found *f, const char *origin, int line)
{
	struct jctx j = { .origin = origin, .arena = &c->spec.arena };
	cJSON *doc = j_parse(&j, f->config, f->config_len);
	if (!doc)
		return -1;
	struct spec_process *p = &c->spec.process;
	const cJSON *conf = NULL;
	const char *const *entry = NULL, *const *cmd = NULL, *const *env = NULL;
	const char *cwd = NULL, *user = NULL;
	size_t n_entry = 0, n_cmd = 0, n_env = 0;
	int r = -1;
	if (j_object(&j, doc, "config", &conf) < 0)
		goto out;
	if (conf) {
		size_t mark = jpath_key(&j, "config");
		if (j_strings(&j, conf, "Entrypoint", &entry, &n_entry) < 0 || j_strings(&j, conf, "Cmd", &cmd, &n_cmd) < 0 ||
		    j_strings(&j, conf, "Env", &env, &n_env) < 0 || j_string(&j, conf, "WorkingDir", &cwd) < 0 ||
		    j_string(&j, conf, "User", &user) < 0)
			goto out;
		if (user && *user && image_user(&j, p, f->rootfs, user) < 0)
			goto out;
		if (image_ports(&j, c, conf, line) < 0)
			goto out;
		jpath_pop(&j, mark);
	}
	for (size_t i = 0; i < n_entry; i++)
		p->args = arena_vec_add(&c->spec.arena, p->args, entry[i]);
	for (size_t i = 0; i < n_cmd; i++)
		p->args = arena_vec_add(&c->spec.arena, p->args, cmd[i]);
	/* The default spec's PATH and TERM first, the image's after: the
	 * image's win in env_merge, the file's env = over both. */
	for (size_t i = 0; i < n_env; i++)
		if (strchr(env[i], '=') && env[i][0] != '=')
			p->env = arena_vec_add(&c->spec.arena, p->env, env[i]);
	if (cwd && cwd[0] == '/')
		p->cwd = cwd;
	r = 0;
out:
	j_release(&j);
	return r;
}

int service_image_base(struct service_conf *c, const struct ini_entry *e, const char *file)
{
	const char *store = image_store_dir();
	char what[600];
	snprintf(what, sizeof(what), "%s:%d: image", file, e->line);
	struct image_ref parsed;
	if (image_ref_parse(e->value, &parsed, what) < 0)
		return -1;
	/* What an import of this name replaces: a reload that finds it
	 * changed updates the service to the new image. */
	char *ref = image_ref_path(store, e->value);
	if (ref) {
		service_source_note(c, arena_strdup(&c->spec.arena, ref));
		free(ref);
	}
	struct service_image *im = c->image = arena_alloc(&c->spec.arena, sizeof(*c->image));
	memset(im, 0, sizeof(*im));
	im->ref = arena_strdup(&c->spec.arena, e->value);
	struct image_pin pin;
	bool named = image_ref_id(store, e->value, im->candidate, NULL) == 0;
	if (image_pin_read(store, c->name, &pin) < 0)
		memset(&pin, 0, sizeof(pin));
	const char *chosen = pin.trial.id[0] ? pin.trial.id : pin.committed.id[0] ? pin.committed.id : NULL;
	if (!chosen && !named)
		return log_error("%s: no image %s:%s in %s (berth image import)", what, parsed.name, parsed.tag, store);
	struct image_found f;
	if (chosen && image_load(store, chosen, &f, what) < 0) {
		image_found_free(&f);
		if (!named)
			return -1;
		log_warn("%s: the pinned sha256:%.12s is gone from the store: running what %s names", what, chosen,
			 e->value);
		chosen = NULL;
	}
	if (!chosen && image_load(store, im->candidate, &f, what) < 0) {
		image_found_free(&f);
		return -1;
	}
	snprintf(im->id, sizeof(im->id), "%s", f.id);
	im->trial = pin.trial.id[0] && !strcmp(f.id, pin.trial.id);
	c->spec.root_path = arena_strdup(&c->spec.arena, f.rootfs);
	c->spec.bundle = arena_strdup(&c->spec.arena, f.dir);
	c->spec.overlay = OVERLAY_TMPFS;
	char origin[700];
	snprintf(origin, sizeof(origin), "%s: %s's config (sha256:%.12s)", what, e->value, f.id);
	int r = image_defaults(c, &f, origin, e->line);
	image_found_free(&f);
	return r;
}

int service_image_file(struct service_conf *c)
{
	struct service_image *im = c->image = arena_alloc(&c->spec.arena, sizeof(*c->image));
	memset(im, 0, sizeof(*im));
	im->ref = c->spec.root_path;
	im->file = true;
	struct image_pin pin;
	if (image_pin_read(image_store_dir(), c->name, &pin) < 0)
		memset(&pin, 0, sizeof(pin));
	const struct image_version *v = image_version_is_file(&pin.trial) ? &pin.trial
		: image_version_is_file(&pin.committed) ? &pin.committed : NULL;
	/* A pinned file that is gone (an updater removed the old one): what
	 * rootfs names, as an image service falls back to its name. Only a
	 * file ctl update gave is looked at here, never the named one. */
	struct stat st;
	if (v && strcmp(v->ref, im->ref) && (stat(v->ref, &st) < 0 || !S_ISREG(st.st_mode))) {
		log_warn("%s: the pinned %s is gone: running %s, which rootfs names", c->file, v->ref, im->ref);
		v = NULL;
	}
	if (v) {
		c->spec.root_path = arena_strdup(&c->spec.arena, v->ref);
		im->trial = v == &pin.trial;
	}
	/* rootfs-digest vouches for the file rootfs names, not for another
	 * that an update chose (ctl update refuses one where it is set). */
	if (strcmp(c->spec.root_path, im->ref))
		c->spec.root_digest = NULL;
	snprintf(im->id, sizeof(im->id), "%s", PIN_FILE);
	return 0;
}
