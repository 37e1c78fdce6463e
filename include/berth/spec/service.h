/* SPDX-License-Identifier: Apache-2.0 */
/* A service: one container the supervisor keeps running, described by an
 * INI file (NAME.conf) that either describes its container in full or
 * points at an OCI bundle whose config.json it overrides. The container
 * part becomes the same struct spec a config.json does. */
#ifndef BERTH_SERVICE_H
#define BERTH_SERVICE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "berth/config.h"
#include "berth/spec/network.h"
#include "berth/spec/spec.h"

/* pids.max's default: this percent of the tasks the host allows (its
 * pid_max, threads-max, and the pids.max above the service's cgroup). */
#define SERVICE_PIDS_SHARE 15

enum restart_policy { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };
/* When a service counts as ready, so that its dependents start. */
enum ready_kind { READY_NONE, READY_NOTIFY, READY_PATH, READY_EXIT };
/* What a service waits for before it starts at all. */
enum wait_kind { WAIT_MOUNTED, WAIT_PATH, WAIT_LINK };

struct wait_cond {
	enum wait_kind kind;
	const char *arg;	/* mount point, path or interface name */
};

struct service_conf {
	const char *name;	/* the file's name without .conf */
	const char *file;	/* for messages */
	struct spec spec;	/* the container; its arena holds everything here */

	enum restart_policy restart;
	int64_t restart_delay_ms, restart_max_delay_ms, restart_reset_ms;
	int restart_limit;	/* this many failures within restart-reset: failed (0: never) */
	bool reboot_on_failure;	/* a failed service reboots the device */
	bool critical;		/* the hardware watchdog stops while it is failed */

	const char *const *after;	/* started after these (if they exist) */
	const char *const *requires;	/* ...which must also be ready */
	enum ready_kind ready;
	const char *ready_path;		/* READY_PATH: inside the container's rootfs */
	struct wait_cond *wait_for;
	size_t n_wait_for;

	int stop_signal;
	int64_t stop_timeout_ms;
	int64_t start_timeout_ms;	/* creating + starting the container, hooks included */

	size_t log_size;		/* in-memory ring */
	const char *log_file;		/* NULL: none */
	size_t log_file_size;		/* rotate past this */
	int log_files;			/* rotated files kept */
	bool log_console, log_kmsg;	/* copy lines there, prefixed with the name */
	int log_rate, log_burst;	/* copies: lines a second (0: no limit), burst */
	int pids_share;			/* pids.max = N%: N; a number or max: -1; 0: not given */

	struct net_conf net;		/* [network] (CONFIG_NETWORK) */
	/* image = (CONFIG_IMAGE_STORE): the name the file gives, what that
	 * name holds now, and the version the service runs: its pin's trial
	 * or committed version (berth/image/pin.h), else the candidate. */
	struct service_image {
		const char *ref;	/* image = NAME[:TAG], or the file rootfs = names */
		char candidate[65];	/* "": the name is not in the store */
		char id[65];		/* the root that runs (its path when file) */
		bool trial;
		bool file;		/* rootfs = a squashfs or erofs file: spec.root_path runs */
	} *image;			/* in the arena; NULL: not an image service */
	int64_t update_timeout_ms;	/* an update must be ready within this */
	int64_t update_settle_ms;	/* ...and keep running this long after */
	/* The file besides this one that the container came from (a bundle's
	 * config.json, an image's ref in the store), as it was when read: a
	 * reload restarts the service when it changes, as when its own
	 * file does. path NULL: none. */
	struct conf_source {
		const char *path;
		uint64_t dev, ino, size;
		int64_t mtime_ns;
	} source;
};

/* A squashfs or erofs file by its name (.squashfs, .sqfs, .erofs, .img):
 * an image root. The name alone: the parser reads no file. */
bool service_names_image_file(const char *path);
/* A service's name: its file's name without .conf, at *base (n bytes). */
size_t service_name_of(const char *path, const char **base);
/* Read one service file. Errors are logged as "file:line: key: what was
 * wrong"; on error nothing is kept (service_free is still safe). */
int service_load(struct service_conf *c, const char *path);
/* The same from the file's text, already read (the supervisor keeps that
 * very text: what it parsed is what it saves and compares); `path` names
 * it in messages and names the service. */
int service_load_text(struct service_conf *c, const char *text, size_t len, const char *path);
void service_free(struct service_conf *c);
/* Records what c->source.path is now (before it is read). */
void service_source_note(struct service_conf *c, const char *path);
/* Whether c's source has changed (or gone) since it was read. */
bool service_source_changed(const struct service_conf *c);

/* Two services of one directory that ask for one address on a bridge,
 * or one published port: -1, reported against b (CONFIG_NETWORK). */
#ifdef CONFIG_NETWORK
int service_network_clash(const struct service_conf *a, const struct service_conf *b);
#else
static inline int service_network_clash(const struct service_conf *a, const struct service_conf *b)
{
	(void)a, (void)b;
	return 0;
}
#endif

/* The .conf files of DIR, sorted, as malloc'd paths (*names, each freed by the
 * caller); the count, or -1 (logged). */
int service_dir_list(const char *dir, char ***names);

/* `exec = ...` and other command lines: words with '...', "..." and
 * backslash quoting as a shell reads them, into a NULL-terminated vector. */
const char *const *split_command(const char *line, struct arena *a, const char **error);

#endif
