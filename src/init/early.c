/* SPDX-License-Identifier: Apache-2.0 */
/* What an init does before anything else runs: the kernel's filesystems,
 * the cgroup hierarchy, the hostname, the loopback link, the modules of
 * /etc/modules, and the kernel command line's berth.* words. Each mount
 * that is already there (an initramfs that did it, devtmpfs automount,
 * or this init's /proc from before it re-ran itself from a sealed copy)
 * is left as it is. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/init/init.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* Something is mounted on path: it is on another device than its parent
 * directory. (A procfs or tmpfs mounted again would stack, not fail.) */
static bool mounted_on(const char *path)
{
	char parent[256];
	struct stat st, up;
	snprintf(parent, sizeof(parent), "%s/..", path);
	return stat(path, &st) == 0 && stat(parent, &up) == 0 && st.st_dev != up.st_dev;
}

static void early_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
	mkdir_p(dst, 0755);
	if (mounted_on(dst))
		return;
	if (mount(src, dst, type, flags, data) < 0 && errno != EBUSY)
		log_warn("init: mounting %s on %s: %m", type, dst);
}

static bool kernel_has(const char *fs)
{
	char *list = read_file("/proc/filesystems", NULL);
	char word[64];
	snprintf(word, sizeof(word), "\t%s\n", fs);
	bool has = list && str_find(list, word);
	free(list);
	return has;
}

/* cgroup v2 where the kernel has it (unless berth.cgroup=v1), else a
 * tmpfs of v1 hierarchies, one per controller the kernel enables. */
static void mount_cgroups(struct init_options *o)
{
	if (!o->cgroup_v1 && kernel_has("cgroup2")) {
		early_mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, "nsdelegate");
		return;
	}
	o->cgroup_v1 = true;	/* what was mounted, for the log */
	early_mount("tmpfs", "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
	char *text = read_file("/proc/cgroups", NULL), *w[4];	/* subsys_name hierarchy num_cgroups enabled */
	for (char *at = text, *line; text && (line = next_line(&at));)
		if (line[0] != '#' && str_words(line, w, 4) >= 4 && strcmp(w[3], "0") && strlen(w[0]) < 64) {
			char dst[128];
			snprintf(dst, sizeof(dst), "/sys/fs/cgroup/%s", w[0]);
			early_mount("cgroup", dst, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, w[0]);
		}
	free(text);
}

static void loopback_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0))
		log_warn("init: bringing up lo: %m");
	if (fd >= 0)
		close(fd);
}

static void set_hostname(void)
{
	char *name = read_file("/etc/hostname", NULL);
	if (!name)
		return;
	name[strcspn(name, " \t\n")] = 0;
	if (*name && sethostname(name, strlen(name)) < 0)
		log_warn("init: hostname \"%s\": %m", name);
	free(name);
}

void init_read_cmdline(struct init_options *o)
{
	char *cmdline = read_file("/proc/cmdline", NULL);
	for (char *save, *w = cmdline ? strtok_r(cmdline, " \t\n", &save) : NULL; w; w = strtok_r(NULL, " \t\n", &save)) {
		if (!strcmp(w, "berth.debug"))
			o->debug = true;
		else if (!strcmp(w, "berth.shell"))
			o->shell = true;
		else if (!strcmp(w, "berth.cgroup=v1"))
			o->cgroup_v1 = true;
		else if (str_starts(w, "berth.skip="))
			snprintf(o->skip, sizeof(o->skip), ",%s,", w + strlen("berth.skip="));
	}
	free(cmdline);
}

/* The kernel modules /etc/modules names, one a line (NAME [ARGS...]; #
 * comments), loaded with /sbin/modprobe before any service starts, as
 * Debian's, Alpine's and Buildroot's systems load theirs: the drivers of
 * a modular kernel that nothing else would load (a NIC, with no udev to
 * follow its modalias). Each gets 10 s; a failure is a warning. */
static void load_modules(void)
{
	char *text = read_file("/etc/modules", NULL);
	for (char *at = text, *line; text && (line = next_line(&at));) {
		char *argv[16], *save, *w = strtok_r(line, " \t\r\n", &save);
		if (!w || *w == '#')
			continue;
		int n = 0;
		argv[n++] = "modprobe";
		for (; w && *w != '#' && n < 15; w = strtok_r(NULL, " \t\r\n", &save))
			argv[n++] = w;
		argv[n] = NULL;
		pid_t pid = proc_fork();
		if (pid == 0) {
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			execv("/sbin/modprobe", argv);
			_exit(127);
		}
		int st = pid > 0 ? wait_child_timeout(pid, 10000) : -1;
		if (st == 0)
			continue;
		if (st < 0 && pid > 0) {
			kill(pid, SIGKILL);	/* reaped later, with the orphans, if stuck */
			wait_child_timeout(pid, 1000);
			log_warn("init: /etc/modules: modprobe %s: no answer in 10 s", argv[1]);
		} else if (st < 0) {
			log_warn("init: /etc/modules: fork: %m");
		} else {
			log_warn("init: /etc/modules: modprobe %s failed (%s %d)", argv[1],
				 WIFEXITED(st) ? "status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		}
	}
	free(text);
}

void init_mount_proc(void)
{
	umask(022);
	early_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

void init_early(struct init_options *o)
{
	init_mount_proc();
	init_read_cmdline(o);
	early_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	early_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=755");
	early_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=620,ptmxmode=666");
	early_mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	early_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	mount_cgroups(o);
	set_hostname();
	loopback_up();
	load_modules();
}
