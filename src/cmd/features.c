/* SPDX-License-Identifier: Apache-2.0 */
/* features: what this build of berth implements, as the OCI features
 * document (runtime-spec features.md), so that a caller can tell what a
 * small Kconfig build left out before it asks for it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/config.h"
#include "berth/linux/linux.h"
#include "berth/linux/mountopts.h"
#include "berth/spec/spec.h"
#include "berth/util/json_write.h"
#include "berth/util/util.h"

static void add_strings(struct jw *w, const char *key, const char *(*name)(size_t))
{
	jw_array(w, key);
	for (size_t i = 0; name(i); i++)
		jw_string(w, NULL, name(i));
	jw_end(w);
}

/* {"enabled": on} */
static void enabled(struct jw *w, const char *key, bool on)
{
	jw_object(w, key);
	jw_bool(w, "enabled", on);
	jw_end(w);
}

static const char *hook_name(size_t i)
{
	static const char *const names[] = {
		"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"
	};
	return ENABLE_HOOKS && i < ARRAY_SIZE(names) ? names[i] : NULL;
}

static const char *namespace_name(size_t i)
{
	/* The spec's sorted order; "user" only with CONFIG_USERNS. */
	static const enum ns_kind order[] = { NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_TIME, NS_USER, NS_UTS };
	if (!ENABLE_USERNS && i >= 6)
		i++;
	return i < ARRAY_SIZE(order) ? ns_name(order[i]) : NULL;
}

static const char *capability_name(size_t i)
{
	static char buf[40];
	if (i > (size_t)cap_last_known())
		return NULL;
	snprintf(buf, sizeof(buf), "CAP_%s", cap_name((int)i));
	return buf;
}

static const char *action_name(size_t i) { return i < SC_ACTIONS ? sc_action_name((enum sc_action)i) : NULL; }
static const char *op_name(size_t i) { return i < SC_OPS ? sc_op_name((enum sc_op)i) : NULL; }

/* The flags this kernel takes: with no program, a known flag fails with
 * EFAULT and an unknown one with EINVAL (runc probes the same way). */
static const char *supported_flag(size_t i)
{
	/* WAIT_KILLABLE_RECV is only valid with NEW_LISTENER (8). */
	static const unsigned long bits[] = { 1, 2, 4, 32 | 8 };
	for (size_t k = 0, found = 0; sc_flag_name(k); k++) {
		errno = 0;
		if (syscall(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, bits[k], NULL) < 0 && errno == EFAULT &&
		    found++ == i)
			return sc_flag_name(k);
	}
	return NULL;
}

int cmd_features(struct globals *g, int argc, char **argv)
{
	static const struct cmd_help help = { "features", "", "", NULL };
	(void)g;
	int c, code;
	static const struct cli_option opts[] = { { "help", no_argument, 'h' }, { 0 } };
	while ((c = cli_getopt(argc, argv, "h", opts, &help, &code)) != -1)
		if (c == -2)
			return code;
	if (cli_need_args(argc, argv, 0, 0, &help) < 0)
		return 1;
	struct jw w;
	jw_init(&w, true);
	jw_object(&w, NULL);
	jw_string(&w, "ociVersionMin", "1.0.0");
	jw_string(&w, "ociVersionMax", OCI_VERSION);
	add_strings(&w, "hooks", hook_name);
	add_strings(&w, "mountOptions", mountopt_name);
	jw_object(&w, "linux");
	add_strings(&w, "namespaces", namespace_name);
	add_strings(&w, "capabilities", capability_name);
	jw_object(&w, "cgroup");
	jw_bool(&w, "v1", ENABLE_CGROUP_V1);
	jw_bool(&w, "v2", ENABLE_CGROUP_V2);
	jw_bool(&w, "systemd", ENABLE_SYSTEMD_CGROUP);
	jw_bool(&w, "systemdUser", false);
	jw_bool(&w, "rdma", ENABLE_CGROUP_V1 || ENABLE_CGROUP_V2);
	jw_end(&w);
	jw_object(&w, "seccomp");
	jw_bool(&w, "enabled", ENABLE_SECCOMP);
	if (ENABLE_SECCOMP) {
		add_strings(&w, "actions", action_name);
		add_strings(&w, "operators", op_name);
		add_strings(&w, "archs", sc_arch_name);
		add_strings(&w, "knownFlags", sc_flag_name);
		add_strings(&w, "supportedFlags", supported_flag);
	}
	jw_end(&w);
	enabled(&w, "apparmor", ENABLE_APPARMOR);
	enabled(&w, "selinux", ENABLE_SELINUX);
	enabled(&w, "intelRdt", false);
	jw_object(&w, "mountExtensions");
	enabled(&w, "idmap", ENABLE_IDMAP_MOUNTS);
	jw_end(&w);
	jw_end(&w);
	jw_object(&w, "annotations");
	jw_string(&w, "org.opencontainers.runc.checkpoint.enabled", "false");
	jw_string(&w, "io.github.berth.version", BERTH_VERSION);
	jw_end(&w);
	jw_end(&w);
	char *text = jw_finish(&w);
	if (!text)
		return 1;
	puts(text);
	free(text);
	return 0;
}
