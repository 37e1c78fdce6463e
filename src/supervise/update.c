/* SPDX-License-Identifier: Apache-2.0 */
/* Updates of image services: a new version runs as a trial, is committed
 * once it has been ready for update-settle, and is rolled back when it is
 * not ready within update-timeout, ends before it is committed, or its
 * image cannot be read. Which version runs is the service's pin in the
 * store (berth/image/pin.h); the parser reads it, so changing version is
 * writing the pin and reading the service file again, as a reload does.
 * The trial watches the service's lifecycle from outside: nothing here
 * changes a state but through svc_event. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "berth/image/pin.h"
#include "berth/image/store.h"
#include "berth/supervise/supervise.h"

static void say(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
}

/* What runs now, and what the file names: a root of the store by id, or
 * an image file by path. */
static struct image_version running(const struct svc *s)
{
	const struct service_image *im = s->conf.image;
	struct image_version v;
	snprintf(v.id, sizeof(v.id), "%s", im->id);
	snprintf(v.ref, sizeof(v.ref), "%s", im->file ? s->conf.spec.root_path : im->ref);
	return v;
}

static struct image_version named(const struct svc *s)
{
	const struct service_image *im = s->conf.image;
	struct image_version v;
	snprintf(v.id, sizeof(v.id), "%s", im->file ? PIN_FILE : im->candidate);
	snprintf(v.ref, sizeof(v.ref), "%s", im->ref);
	return v;
}

/* ctl update NAME FILE: a squashfs or erofs file, as rootfs = takes one. */
static int file_version(const struct svc *s, const char *path, struct image_version *v, char *msg, size_t cap)
{
	struct stat st;
	if (s->conf.spec.root_digest)
		return say(msg, cap, "%s: rootfs-digest vouches for the file rootfs names: change both in %s and reload",
			   s->name, s->file), -1;
	if (path[0] != '/' || strpbrk(path, " \t\n") || strlen(path) >= sizeof(v->ref) || !service_names_image_file(path))
		return say(msg, cap, "%s: \"%s\": expected the absolute path of a squashfs or erofs file "
			   "(.squashfs, .sqfs, .erofs, .img; no blanks)", s->name, path), -1;
	if (stat(path, &st) < 0)
		return say(msg, cap, "%s: %s: %s", s->name, path, strerror(errno)), -1;
	if (!S_ISREG(st.st_mode))
		return say(msg, cap, "%s: %s: not a regular file", s->name, path), -1;
	snprintf(v->id, sizeof(v->id), "%s", PIN_FILE);
	snprintf(v->ref, sizeof(v->ref), "%s", path);
	return 0;
}

/* Read the service file again (its pin chooses the version) and run
 * that, if it is wanted up. */
static void switch_version(struct supervisor *sv, struct svc *s)
{
	s->reread = true;
	if (s->lc.want_up)
		svc_event(sv, s, EV_RESTART, false);
	svc_apply_reread(sv, s);
}

static void finish(struct supervisor *sv, struct svc *s, bool ok, const char *why)
{
	const char *store = image_store_dir();
	struct image_pin pin;
	s->update = (struct svc_update){ .pinned = true };
	if (image_pin_read(store, s->name, &pin) <= 0 || !pin.trial.id[0]) {
		log_error("service %s: its pin in %s/pins lost the update's trial: running what it names", s->name, store);
		switch_version(sv, s);
		return;
	}
	char trial[IMAGE_VERSION_NAME], committed[IMAGE_VERSION_NAME];
	image_version_name(&pin.trial, trial);
	if (ok) {
		log_info("service %s: updated to %s: committed", s->name, trial);
		pin.previous = pin.committed;
		pin.committed = pin.trial;
		snprintf(pin.last, sizeof(pin.last), "updated to %s", trial);
	} else {
		log_error("service %s: the update to %s failed: %s: back to %s", s->name, trial, why,
			  image_version_name(&pin.committed, committed));
		snprintf(pin.last, sizeof(pin.last), "rolled back from %s: %s", trial, why);
	}
	memset(&pin.trial, 0, sizeof(pin.trial));
	image_pin_write(store, s->name, &pin);
	if (!ok)
		switch_version(sv, s);
}

int update_begin(struct supervisor *sv, struct svc *s, const char *want, int64_t timeout_ms, int64_t settle_ms, char *msg,
		 size_t cap)
{
	const char *store = image_store_dir();
	const struct service_image *im = s->conf.image;
	if (!im || !im->id[0])
		return say(msg, cap, "%s: not an image service (image = NAME, or rootfs = FILE.squashfs|.erofs, in its file)",
			   s->name), -1;
	if (s->update.active)
		return say(msg, cap, "%s: an update is under way (ctl rollback %s ends it)", s->name, s->name), -1;
	struct image_version to = named(s);
	if (im->file && want && file_version(s, want, &to, msg, cap) < 0)
		return -1;
	if (!im->file) {
		if (want && want[0] == '/')
			return say(msg, cap, "%s: runs an image of the store: update it to an image NAME[:TAG], not a file",
				   s->name), -1;
		snprintf(to.ref, sizeof(to.ref), "%s", want ? want : im->ref);
		if (image_ref_id(store, to.ref, to.id, "ctl update") < 0)
			return say(msg, cap, "%s: no image %s in %s (berth image import)", s->name, to.ref, store), -1;
	}
	struct image_pin pin;
	if (image_pin_read(store, s->name, &pin) < 0)
		return say(msg, cap, "%s: its pin in %s/pins cannot be read", s->name, store), -1;
	if (!pin.committed.id[0])
		pin.committed = running(s);
	char name[IMAGE_VERSION_NAME], back[IMAGE_VERSION_NAME];
	image_version_name(&to, name);
	if (image_version_same(&to, &pin.committed))
		return say(msg, cap, "%s: already runs %s", s->name, name), 0;
	pin.trial = to;
	if (image_pin_write(store, s->name, &pin) < 0)
		return say(msg, cap, "%s: its pin in %s/pins cannot be written", s->name, store), -1;
	s->update = (struct svc_update){ .active = true, .pinned = true, .deadline_ms = now_ms() + timeout_ms,
					 .settle_ms = settle_ms };
	log_info("service %s: updating to %s: to be ready within %lld ms and run %lld ms more, or rolled back to %s",
		 s->name, name, (long long)timeout_ms, (long long)settle_ms, image_version_name(&pin.committed, back));
	switch_version(sv, s);
	say(msg, cap, "%s: updating to %s", s->name, name);
	return 0;
}

int update_rollback(struct supervisor *sv, struct svc *s, char *msg, size_t cap)
{
	const char *store = image_store_dir();
	if (s->update.active) {
		finish(sv, s, false, "ended by hand (ctl rollback)");
		return say(msg, cap, "%s: the update was rolled back", s->name), 0;
	}
	struct image_pin pin;
	if (!s->conf.image || image_pin_read(store, s->name, &pin) <= 0 || !pin.previous.id[0])
		return say(msg, cap, "%s: no previous version to go back to", s->name), -1;
	struct image_version back = pin.previous;
	pin.previous = pin.committed;
	pin.committed = back;
	char name[IMAGE_VERSION_NAME];
	image_version_name(&back, name);
	snprintf(pin.last, sizeof(pin.last), "rolled back by hand to %s", name);
	if (image_pin_write(store, s->name, &pin) < 0)
		return say(msg, cap, "%s: its pin in %s/pins cannot be written", s->name, store), -1;
	log_info("service %s: rolled back by hand to %s", s->name, name);
	switch_version(sv, s);
	return say(msg, cap, "%s: back to %s", s->name, name), 0;
}

/* A service that came up on its image with no pin yet: that version is
 * its committed one from now on, so that an import of a new version under
 * the same name goes through an update, never straight into a boot. */
static void pin_first(struct svc *s)
{
	const char *store = image_store_dir();
	struct image_pin pin;
	s->update.pinned = true;
	if (image_pin_read(store, s->name, &pin) != 0)
		return;
	char name[IMAGE_VERSION_NAME];
	pin.committed = running(s);
	snprintf(pin.last, sizeof(pin.last), "first run of %s", image_version_name(&pin.committed, name));
	image_pin_write(store, s->name, &pin);
}

void update_observe(struct supervisor *sv, struct svc *s)
{
	struct svc_update *u = &s->update;
	enum svc_state st = s->lc.state;
	if (!u->active) {
		/* An image file is named by its path, which an import cannot
		 * change under it: it needs a pin only once it is updated. */
		if ((st == SVC_READY || st == SVC_DONE) && s->conf.image && !s->conf.image->file && !u->pinned)
			pin_first(s);
		return;
	}
	if (st == SVC_BROKEN) {
		char why[200];
		snprintf(why, sizeof(why), "its image cannot run: %s", s->why);
		finish(sv, s, false, why);
		return;
	}
	/* The old container is gone and the file read again: the trial's own. */
	if (st == SVC_STARTING && !s->reread && s->conf.image && s->conf.image->trial)
		u->started = true;
	if (!u->started)
		return;
	if (st == SVC_RUNNING)
		u->created = true;
	if (st == SVC_DONE || (st == SVC_READY && !u->settle_ms)) {
		finish(sv, s, true, NULL);
	} else if (st == SVC_READY) {
		u->commit_ms = now_ms() + u->settle_ms;
	} else if (st == SVC_BACKOFF || st == SVC_FAILED || st == SVC_STOPPED) {
		char why[320], how[SVC_START_ERROR_LEN + 40];
		int w = s->last_status;
		if (!u->created && !u->commit_ms)
			snprintf(how, sizeof(how), "its container could not be created%s%s", s->start_error ? ": " : "",
				 s->start_error ? s->start_error : "");
		else if (WIFSIGNALED(w))
			snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(w));
		else
			snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(w));
		if (st == SVC_STOPPED && !s->lc.want_up)
			snprintf(why, sizeof(why), "stopped by hand");
		else
			snprintf(why, sizeof(why), "it ended %s (%s)",
				 u->commit_ms ? "after it was ready, within update-settle" : "before it was ready", how);
		finish(sv, s, false, why);
	}
}

void update_timeouts(struct supervisor *sv)
{
	int64_t now = now_ms();
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		struct svc_update *u = &s->update;
		if (!u->active)
			continue;
		if (u->commit_ms && now >= u->commit_ms) {
			finish(sv, s, true, NULL);
		} else if (!u->commit_ms && now >= u->deadline_ms) {
			char why[100];
			snprintf(why, sizeof(why), "not ready within update-timeout (%lld ms)",
				 (long long)(s->conf.update_timeout_ms));
			finish(sv, s, false, why);
		}
	}
}

int64_t update_deadline(const struct svc *s)
{
	const struct svc_update *u = &s->update;
	return !u->active ? 0 : u->commit_ms ? u->commit_ms : u->deadline_ms;
}

void update_after_reread(struct supervisor *sv, struct svc *s)
{
	if (!s->update.from_reload)
		return;
	s->update.from_reload = false;
	char msg[600];
	if (!s->conf.image || s->update.active)
		return;
	struct image_version want = named(s), now = running(s);
	if (want.id[0] && !image_version_same(&want, &now) &&
	    update_begin(sv, s, NULL, s->conf.update_timeout_ms, s->conf.update_settle_ms, msg, sizeof(msg)) < 0)
		log_error("service %s: %s", s->name, msg);
}

void update_describe(const struct svc *s, char *out, size_t cap)
{
	const struct service_image *im = s->conf.image;
	struct image_pin pin;
	char a[IMAGE_VERSION_NAME], b[IMAGE_VERSION_NAME];
	size_t n = 0;
	out[0] = '\0';
	if (!im)
		return;
	if (im->file)
		n += (size_t)snprintf(out + n, cap - n, "image file: %s\nrunning: %s", im->ref, s->conf.spec.root_path);
	else
		n += (size_t)snprintf(out + n, cap - n, "image: %s (sha256:%.12s)\nrunning: sha256:%.12s", im->ref,
				      im->candidate[0] ? im->candidate : "-", im->id);
	n += (size_t)snprintf(out + n, cap - n, "%s\n", im->trial && s->update.active ? " (on trial)" : "");
	if (image_pin_read(image_store_dir(), s->name, &pin) <= 0 || n >= cap)
		return;
	if (pin.committed.id[0] && n < cap)
		n += (size_t)snprintf(out + n, cap - n, "committed: %s\n", image_version_name(&pin.committed, a));
	if (pin.previous.id[0] && n < cap)
		n += (size_t)snprintf(out + n, cap - n, "previous: %s\n", image_version_name(&pin.previous, b));
	if (s->update.active && n < cap)
		n += (size_t)snprintf(out + n, cap - n, "update: to %s, %s in %lld ms\n", image_version_name(&pin.trial, a),
				      s->update.commit_ms ? "committed" : "rolled back unless ready",
				      (long long)(update_deadline(s) - now_ms()));
	if (pin.last[0] && n < cap)
		snprintf(out + n, cap - n, "last update: %s\n", pin.last);
}

void update_forget(const struct svc *s)
{
	if (s->conf.image && image_pin_remove(image_store_dir(), s->name) == 0)
		log_info("service %s: its file is gone: so is its pin (berth image rm frees what only it kept)", s->name);
}

void update_recover(void)
{
	image_pins_recover(image_store_dir());
}
