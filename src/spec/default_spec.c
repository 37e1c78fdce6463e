/* SPDX-License-Identifier: Apache-2.0 */
/* runc's default config.json (hostname "berth"), or its rootless variant
 * mapping the caller to root in a user namespace: what `berth spec`
 * writes and what a service file with `rootfs =` starts from. */
#include <stdio.h>
#include <unistd.h>
#include "berth/spec/spec.h"

/* The default config.json in pieces, around the three in which the
 * rootless one differs: string literals, so that the plain one is a single
 * constant the compiler makes (a service file's rootfs = starts from it,
 * for each service: nothing printed, no buffer); the rootless one is
 * printed from the plain one's other pieces, found by their lengths. */
#define HEAD_TO_DEVPTS_GID \
	"{\n" \
	"\t\"ociVersion\": \"" OCI_VERSION "\",\n" \
	"\t\"process\": {\n" \
	"\t\t\"terminal\": true,\n" \
	"\t\t\"user\": {\n\t\t\t\"uid\": 0,\n\t\t\t\"gid\": 0\n\t\t},\n" \
	"\t\t\"args\": [\n\t\t\t\"sh\"\n\t\t],\n" \
	"\t\t\"env\": [\n" \
	"\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n" \
	"\t\t\t\"TERM=xterm\"\n\t\t],\n" \
	"\t\t\"cwd\": \"/\",\n" \
	"\t\t\"capabilities\": {\n" \
	"\t\t\t\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n" \
	"\t\t\t\"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n" \
	"\t\t\t\"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n" \
	"\t\t},\n" \
	"\t\t\"rlimits\": [\n\t\t\t{\n\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n" \
	"\t\t\t\t\"hard\": 1024,\n\t\t\t\t\"soft\": 1024\n\t\t\t}\n\t\t],\n" \
	"\t\t\"noNewPrivileges\": true\n" \
	"\t},\n" \
	"\t\"root\": {\n\t\t\"path\": \"rootfs\",\n\t\t\"readonly\": true\n\t},\n" \
	"\t\"hostname\": \"berth\",\n" \
	"\t\"mounts\": [\n" \
	"\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n" \
	"\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n" \
	"\t\t  \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"] },\n" \
	"\t\t{ \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n" \
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\""
#define HEAD_TO_SYS_MOUNTS \
	"] },\n" \
	"\t\t{ \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n" \
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"] },\n" \
	"\t\t{ \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n" \
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"nodev\"] },\n"
#define HEAD_TO_LINUX \
	"\t],\n" \
	"\t\"linux\": {\n"
#define HEAD_REST \
	"\t\t\"maskedPaths\": [\n" \
	"\t\t\t\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\",\n" \
	"\t\t\t\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\",\n" \
	"\t\t\t\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"\n" \
	"\t\t],\n" \
	"\t\t\"readonlyPaths\": [\n" \
	"\t\t\t\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"\n" \
	"\t\t]\n" \
	"\t}\n" \
	"}\n"

#define DEVPTS_GID ", \"gid=5\""
#define SYS_MOUNTS \
	"\t\t{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n" \
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"] },\n" \
	"\t\t{ \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n" \
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"] }\n"
#define LINUX_ROOT \
	"\t\t\"resources\": {\n\t\t\t\"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ]\n\t\t},\n" \
	"\t\t\"namespaces\": [\n" \
	"\t\t\t{ \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n" \
	"\t\t\t{ \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }\n" \
	"\t\t],\n"

static const char plain[] = HEAD_TO_DEVPTS_GID DEVPTS_GID HEAD_TO_SYS_MOUNTS SYS_MOUNTS HEAD_TO_LINUX LINUX_ROOT HEAD_REST;

/* Where each piece of plain starts (sizeof a literal emits nothing). */
#define LEN(literal) (sizeof(literal) - 1)
enum {
	AT_DEVPTS_GID = LEN(HEAD_TO_DEVPTS_GID),
	AT_SHM = AT_DEVPTS_GID + LEN(DEVPTS_GID),
	AT_SYS_MOUNTS = AT_SHM + LEN(HEAD_TO_SYS_MOUNTS),
	AT_LINUX = AT_SYS_MOUNTS + LEN(SYS_MOUNTS),
	AT_LINUX_ROOT = AT_LINUX + LEN(HEAD_TO_LINUX),
	AT_REST = AT_LINUX_ROOT + LEN(LINUX_ROOT),
};

/* Rootless: sysfs cannot be mounted without owning the network
 * namespace's user namespace, so bind the host's read-only. */
static const char sys_mounts_rootless[] =
	"\t\t{ \"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\",\n"
	"\t\t  \"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"] }\n";

static const char linux_rootless[] =
	"\t\t\"uidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
	"\t\t\"gidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
	"\t\t\"namespaces\": [\n"
	"\t\t\t{ \"type\": \"pid\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" },\n"
	"\t\t\t{ \"type\": \"mount\" }, { \"type\": \"cgroup\" }, { \"type\": \"user\" }\n"
	"\t\t],\n";

const char *default_spec(size_t *len)
{
	*len = LEN(plain);
	return plain;
}

int default_spec_json(char *out, size_t cap, bool rootless)
{
	if (!rootless)
		return snprintf(out, cap, "%s", plain);
	char linux_part[1024];
	snprintf(linux_part, sizeof(linux_part), linux_rootless, (unsigned)geteuid(), (unsigned)getegid());
	return snprintf(out, cap, "%.*s%.*s%s%.*s%s%s", AT_DEVPTS_GID, plain, AT_SYS_MOUNTS - AT_SHM, plain + AT_SHM,
			sys_mounts_rootless, AT_LINUX_ROOT - AT_LINUX, plain + AT_LINUX, linux_part, plain + AT_REST);
}
