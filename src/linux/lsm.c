/* SPDX-License-Identifier: Apache-2.0 */
/* AppArmor profiles and SELinux labels. Both take effect at exec: the
 * label for the next exec is written to /proc/self/attr/..., as runc
 * does. A spec that names one on a kernel without that LSM is refused:
 * running the container unconfined would be a silent downgrade. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/config.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

bool lsm_apparmor_enabled(void)
{
	char *v = read_file("/sys/module/apparmor/parameters/enabled", NULL);
	bool on = v && v[0] == 'Y';
	free(v);
	return on;
}

bool lsm_selinux_enabled(void)
{
	struct stat st;
	return stat("/sys/fs/selinux/enforce", &st) == 0 || stat("/selinux/enforce", &st) == 0;
}

static int write_attr(const char *file, const char *value, const char *what)
{
	if (write_file(file, value, strlen(value), 0) < 0)
		return log_error("%s: writing %s: %m", what, file);
	return 0;
}

int lsm_apply(const struct spec *s)
{
	const struct spec_process *p = &s->process;
	if (p->apparmor_profile && *p->apparmor_profile) {
		if (!ENABLE_APPARMOR)
			return log_error("process.apparmorProfile: not in this build (CONFIG_APPARMOR)");
		if (!lsm_apparmor_enabled())
			return log_error("process.apparmorProfile \"%s\": AppArmor is not enabled on this kernel",
					 p->apparmor_profile);
		char v[512];
		snprintf(v, sizeof(v), "exec %s", p->apparmor_profile);
		/* Newer kernels keep each LSM's attributes in a subdirectory. */
		const char *file = access("/proc/self/attr/apparmor/exec", F_OK) == 0 ? "/proc/self/attr/apparmor/exec"
										      : "/proc/self/attr/exec";
		if (write_attr(file, v, "process.apparmorProfile") < 0)
			return -1;
	}
	if (p->selinux_label && *p->selinux_label) {
		if (!ENABLE_SELINUX)
			return log_error("process.selinuxLabel: not in this build (CONFIG_SELINUX)");
		if (!lsm_selinux_enabled())
			return log_error("process.selinuxLabel \"%s\": SELinux is not enabled on this kernel", p->selinux_label);
		if (write_attr("/proc/self/attr/exec", p->selinux_label, "process.selinuxLabel") < 0)
			return -1;
	}
	return 0;
}

const char *lsm_mount_data(const struct spec *s, const char *data, char *buf, size_t cap)
{
	if (!ENABLE_SELINUX || !s->mount_label || !*s->mount_label || !lsm_selinux_enabled())
		return data;
	snprintf(buf, cap, "%s%scontext=\"%s\"", data ? data : "", data ? "," : "", s->mount_label);
	return buf;
}
