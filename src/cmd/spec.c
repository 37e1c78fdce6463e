/* berth spec: runc's default config.json (hostname "berth"), or its
 * rootless variant mapping the caller to root in a user namespace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "berth/cli.h"
#include "berth/log.h"
#include "berth/util.h"

static const char head[] =
	"{\n"
	"\t\"ociVersion\": \"1.2.0\",\n"
	"\t\"process\": {\n"
	"\t\t\"terminal\": true,\n"
	"\t\t\"user\": {\n\t\t\t\"uid\": 0,\n\t\t\t\"gid\": 0\n\t\t},\n"
	"\t\t\"args\": [\n\t\t\t\"sh\"\n\t\t],\n"
	"\t\t\"env\": [\n"
	"\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
	"\t\t\t\"TERM=xterm\"\n\t\t],\n"
	"\t\t\"cwd\": \"/\",\n"
	"\t\t\"capabilities\": {\n"
	"\t\t\t\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"\t\t\t\"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"\t\t\t\"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
	"\t\t},\n"
	"\t\t\"rlimits\": [\n\t\t\t{\n\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n"
	"\t\t\t\t\"hard\": 1024,\n\t\t\t\t\"soft\": 1024\n\t\t\t}\n\t\t],\n"
	"\t\t\"noNewPrivileges\": true\n"
	"\t},\n"
	"\t\"root\": {\n\t\t\"path\": \"rootfs\",\n\t\t\"readonly\": true\n\t},\n"
	"\t\"hostname\": \"berth\",\n"
	"\t\"mounts\": [\n"
	"\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
	"\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
	"\t\t  \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"] },\n"
	"\t\t{ \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s] },\n"
	"\t\t{ \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"] },\n"
	"\t\t{ \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"nodev\"] },\n"
	"%s"
	"\t],\n"
	"\t\"linux\": {\n"
	"%s"
	"\t\t\"maskedPaths\": [\n"
	"\t\t\t\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\",\n"
	"\t\t\t\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\",\n"
	"\t\t\t\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"\n"
	"\t\t],\n"
	"\t\t\"readonlyPaths\": [\n"
	"\t\t\t\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"\n"
	"\t\t]\n"
	"\t}\n"
	"}\n";

static const char sys_mounts[] =
	"\t\t{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"] },\n"
	"\t\t{ \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
	"\t\t  \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"] }\n";

/* Rootless: sysfs cannot be mounted without owning the network
 * namespace's user namespace, so bind the host's read-only. */
static const char sys_mounts_rootless[] =
	"\t\t{ \"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\",\n"
	"\t\t  \"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"] }\n";

static const char linux_root[] =
	"\t\t\"resources\": {\n\t\t\t\"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ]\n\t\t},\n"
	"\t\t\"namespaces\": [\n"
	"\t\t\t{ \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
	"\t\t\t{ \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }\n"
	"\t\t],\n";

static const char linux_rootless[] =
	"\t\t\"uidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
	"\t\t\"gidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
	"\t\t\"namespaces\": [\n"
	"\t\t\t{ \"type\": \"pid\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" },\n"
	"\t\t\t{ \"type\": \"mount\" }, { \"type\": \"cgroup\" }, { \"type\": \"user\" }\n"
	"\t\t],\n";

int cmd_spec(struct globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' }, { "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "spec", "[--rootless] [-b|--bundle DIR]",
		"  -b, --bundle DIR   where to write config.json (default: here)\n"
		"  --rootless         a spec for an unprivileged user (user namespace)\n" };
	const char *bundle = ".";
	int c, code, rootless = 0;
	while ((c = cli_getopt(argc, argv, "b:h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if (c == 'b')
			bundle = optarg;
		else
			rootless = 1;
	}
	if (cli_need_args(argc, argv, 0, 0, &help) < 0)
		return 1;
	char linux_part[1024];
	if (rootless)
		snprintf(linux_part, sizeof(linux_part), linux_rootless, (unsigned)geteuid(), (unsigned)getegid());
	char text[8192];
	int n = snprintf(text, sizeof(text), head, rootless ? "" : ", \"gid=5\"",
			 rootless ? sys_mounts_rootless : sys_mounts, rootless ? linux_part : linux_root);
	char path[4096];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return log_error("%s exists: remove it first", path), 1;
		return log_error("%s: %m", path), 1;
	}
	if (write_all(fd, text, (size_t)n) < 0 || close(fd) < 0)
		return log_error("%s: %m", path), 1;
	(void)g;
	return 0;
}
