/* SPDX-License-Identifier: Apache-2.0 */
/* AppArmor profiles and SELinux labels. Both take effect at exec: the
 * label for the next exec is written to /proc/self/attr/..., as runc
 * does. A spec that names one on a kernel without that LSM is refused:
 * running the container unconfined would be a silent downgrade. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/config.h"
#include "berth/linux/linux.h"
#include "berth/util/inroot.h"
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

/* /proc/self/REL, opened so that nothing mounted over it is taken for
 * it (proc_self_open): a process of the container must not be able to
 * catch the label and leave the exec unconfined. */
static int write_attr(const char *rel, const char *value, const char *what)
{
	if (proc_self_write(rel, value, strlen(value)) < 0)
		return log_error("%s: writing /proc/self/%s: %m%s", what, rel,
				 errno == EXDEV ? " (something is mounted over it)" : "");
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
		int fd = proc_self_open("attr/apparmor", O_PATH | O_DIRECTORY);
		const char *rel = fd >= 0 ? "attr/apparmor/exec" : "attr/exec";
		if (fd >= 0)
			close(fd);
		if (write_attr(rel, v, "process.apparmorProfile") < 0)
			return -1;
	}
	if (p->selinux_label && *p->selinux_label) {
		if (!ENABLE_SELINUX)
			return log_error("process.selinuxLabel: not in this build (CONFIG_SELINUX)");
		if (!lsm_selinux_enabled())
			return log_error("process.selinuxLabel \"%s\": SELinux is not enabled on this kernel", p->selinux_label);
		if (write_attr("attr/exec", p->selinux_label, "process.selinuxLabel") < 0)
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
