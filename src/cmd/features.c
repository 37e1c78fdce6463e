/* SPDX-License-Identifier: Apache-2.0 */
/* features: what this build of berth implements, as the OCI features
 * document (runtime-spec features.md), so that a caller can tell what a
 * small Kconfig build left out before it asks for it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "berth/cmd/cli.h"
#include "berth/config.h"
#include "berth/linux/linux.h"
#include "berth/linux/mountopts.h"
#include "berth/spec/spec.h"
#include "berth/util/util.h"

static void add_strings(cJSON *o, const char *key, const char *(*name)(size_t))
{
	cJSON *a = cJSON_AddArrayToObject(o, key);
	for (size_t i = 0; name(i); i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(name(i)));
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
	static const struct cmd_help help = { "features", "", "" };
	(void)g;
	int c, code;
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	while ((c = cli_getopt(argc, argv, "h", opts, &help, &code)) != -1)
		if (c == -2)
			return code;
	if (cli_need_args(argc, argv, 0, 0, &help) < 0)
		return 1;
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "ociVersionMin", "1.0.0");
	cJSON_AddStringToObject(f, "ociVersionMax", "1.2.0");
	add_strings(f, "hooks", hook_name);
	add_strings(f, "mountOptions", mountopt_name);
	cJSON *lx = cJSON_AddObjectToObject(f, "linux");
	add_strings(lx, "namespaces", namespace_name);
	add_strings(lx, "capabilities", capability_name);
	cJSON *cg = cJSON_AddObjectToObject(lx, "cgroup");
	cJSON_AddBoolToObject(cg, "v1", ENABLE_CGROUP_V1);
	cJSON_AddBoolToObject(cg, "v2", ENABLE_CGROUP_V2);
	cJSON_AddBoolToObject(cg, "systemd", ENABLE_SYSTEMD_CGROUP);
	cJSON_AddBoolToObject(cg, "systemdUser", false);
	cJSON_AddBoolToObject(cg, "rdma", ENABLE_CGROUP_V1 || ENABLE_CGROUP_V2);
	cJSON *sc = cJSON_AddObjectToObject(lx, "seccomp");
	cJSON_AddBoolToObject(sc, "enabled", ENABLE_SECCOMP);
	if (ENABLE_SECCOMP) {
		add_strings(sc, "actions", action_name);
		add_strings(sc, "operators", op_name);
		add_strings(sc, "archs", sc_arch_name);
		add_strings(sc, "knownFlags", sc_flag_name);
		add_strings(sc, "supportedFlags", supported_flag);
	}
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(lx, "apparmor"), "enabled", ENABLE_APPARMOR);
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(lx, "selinux"), "enabled", ENABLE_SELINUX);
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(lx, "intelRdt"), "enabled", false);
	cJSON *idmap = cJSON_AddObjectToObject(cJSON_AddObjectToObject(lx, "mountExtensions"), "idmap");
	cJSON_AddBoolToObject(idmap, "enabled", ENABLE_IDMAP_MOUNTS);
	cJSON *ann = cJSON_AddObjectToObject(f, "annotations");
	cJSON_AddStringToObject(ann, "org.opencontainers.runc.checkpoint.enabled", "false");
	cJSON_AddStringToObject(ann, "io.github.berth.version", BERTH_VERSION);
	char *text = cJSON_Print(f);
	cJSON_Delete(f);
	if (!text)
		return 1;
	puts(text);
	free(text);
	return 0;
}
