/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for what --systemd-cgroup reads: D-Bus replies as they come
 * off the socket (src/util/dbus.c: the 16-byte head gives the length, the
 * rest is parsed), and cgroupsPath in systemd's "slice:prefix:name" form
 * (src/linux/systemd_cgroup.c). The first byte chooses which. Nothing may
 * read outside the input; a parsed scope's names must be well formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "berth/linux/systemd_cgroup.h"
#include "berth/util/dbus.h"
#include "berth/util/log.h"
#include "quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(fuzz_quiet);
	if (size < 1)
		return 0;
	uint8_t which = data[0];
	data++, size--;
	if (which & 1) {
		char *path = malloc(size + 1);
		if (!path)
			return 0;
		memcpy(path, data, size);
		path[size] = 0;
		struct systemd_scope s;
		if (systemd_scope_parse(path, "id", &s) == 0) {
			size_t n = strlen(s.unit);
			if (n < 7 || strcmp(s.unit + n - 6, ".scope") || strchr(s.unit, '/') || s.path[0] != '/' ||
			    strstr(s.path, "/../") || strstr(s.path, "//"))
				abort();
		}
		free(path);
		return 0;
	}
	if (size < 16)
		return 0;
	size_t len = dbus_message_length(data);
	if (!len || len > size)
		return 0;
	/* Exactly the message, in a buffer of its own: ASan sees any read past it. */
	unsigned char *msg = malloc(len);
	if (!msg)
		return 0;
	memcpy(msg, data, len);
	int type;
	uint32_t to;
	struct dbus_reply r;
	if (dbus_parse_reply(msg, len, &type, &to, &r) == 0 &&
	    (memchr(r.name, 0, sizeof(r.name)) == NULL || memchr(r.message, 0, sizeof(r.message)) == NULL))
		abort();
	free(msg);
	return 0;
}
