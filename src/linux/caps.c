/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities, in runc's order: trim the bounding set while still root,
 * then (after the uid change, with the permitted set kept) set effective,
 * permitted and inheritable in one capset, then the ambient set. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

#define CAPS_VERSION_3 0x20080522

struct caps_header {
	uint32_t version;
	int pid;
};
struct caps_data {
	uint32_t effective, permitted, inheritable;
};

/* Every capability the kernel has, up to the first it refuses as
 * unknown (EINVAL): no /proc/sys/kernel/cap_last_cap to read, which in
 * `exec` is the container's /proc, free to say a lower number and keep
 * capabilities in the bounding set. */
int caps_drop_bounding(const struct spec *s)
{
	if (!s->process.has_caps)
		return 0;
	for (int c = 0; c < 64; c++) {
		if (s->process.caps[CAPS_BOUNDING] & (1ull << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			return log_error("process.capabilities.bounding: dropping %d: %m", c);
		}
	}
	return 0;
}

int caps_apply(const struct spec *s)
{
	const struct spec_process *p = &s->process;
	if (!p->has_caps)
		return 0;
	struct caps_header h = { CAPS_VERSION_3, 0 };
	struct caps_data d[2];
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(p->caps[CAPS_EFFECTIVE] >> (32 * i));
		d[i].permitted = (uint32_t)(p->caps[CAPS_PERMITTED] >> (32 * i));
		d[i].inheritable = (uint32_t)(p->caps[CAPS_INHERITABLE] >> (32 * i));
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return log_error("process.capabilities: capset: %m");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return log_error("process.capabilities.ambient: %m");
	/* The kernel only raises ambient capabilities that are permitted and
	 * inheritable; the spec says what cannot be granted is a warning. */
	uint64_t grantable = p->caps[CAPS_PERMITTED] & p->caps[CAPS_INHERITABLE];
	for (int c = 0; c < 64; c++) {
		if (!(p->caps[CAPS_AMBIENT] & (1ull << c)))
			continue;
		if (!(grantable & (1ull << c)) || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			log_warn("process.capabilities.ambient: CAP_%s not raised: it must be permitted and inheritable",
				 cap_name(c) ? cap_name(c) : "?");
	}
	return 0;
}
