/* SPDX-License-Identifier: Apache-2.0 */
/* The state store: one directory per container under --root,
 *   <root>/<id>/state.json   what the runtime knows (written atomically)
 *   <root>/<id>/config.json  the spec as created (hooks, annotations)
 *   <root>/<id>/exec.fifo    exists between create and start; init writes
 *                            EXEC_FIFO_STARTED when `start` opens it, keeps
 *                            it open close-on-exec (EOF: the user program
 *                            runs), and writes EXEC_FIFO_FAILED if it dies
 *                            before that exec. `run` and the supervisor
 *                            start at release instead (launch.h: start):
 *                            the FIFO only marks "created" until the exec
 * Status is derived, never stored: a dead init is "stopped" whatever the
 * file says, and the start time guards against PID reuse.
 *
 * state.json exists from the first step of create on, marked "creating",
 * and is rewritten as soon as there is more to find (the cgroup before it
 * is made, the init's pid once it exists): a runtime killed at any point
 * leaves what `delete -f` needs to remove everything. A state directory
 * without state.json (killed between mkdir and the first write) holds
 * nothing else and reads as a creating container with no pid. */
#ifndef BERTH_STATE_H
#define BERTH_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "berth/spec/spec.h"

#define EXEC_FIFO_STARTED "0"
#define EXEC_FIFO_FAILED "x"

enum status { STATUS_CREATING, STATUS_CREATED, STATUS_RUNNING, STATUS_STOPPED, STATUS_PAUSED };

struct state {
	char id[256];
	pid_t pid;
	uint64_t start_time;	/* /proc/<pid>/stat field 22 */
	char bundle[2048];
	char rootfs[2048];
	char created[40];	/* RFC 3339, UTC */
	char cgroup[1024];	/* as resolved at create */
	char systemd_unit[256];	/* --systemd-cgroup: the scope holding it, else "" */
	uid_t owner;
	unsigned hooks;		/* bit (1 << enum hook_kind) per kind the spec has */
	bool creating;		/* create has not finished (or was killed) */
};

const char *status_name(enum status st);
/* runc's rule: letters, digits, '_', '+', '-', '.'; not "." or "..". */
int state_check_id(const char *id);	/* name_is_valid, with a message */
/* dir = root/id; returns -1 (silently) when the name would not fit. */
int state_dir(const char *root, const char *id, char *dir, size_t cap);
int state_save(const char *dir, const struct state *st);
/* -1 with errno ENOENT when there is no such container (not logged). */
int state_load(const char *root, const char *id, struct state *st);
enum status state_status(const char *root, const struct state *st);
/* The container's spec as it was created, from its state directory. */
int state_spec(const char *root, const char *id, struct spec *s);
/* The OCI state JSON (malloc'd): ociVersion, id, status, pid, bundle,
 * annotations; `full` adds runc's rootfs, created and owner. */
char *state_json(const struct state *st, enum status status, const struct spec *s, bool full);

#endif
