/* SPDX-License-Identifier: Apache-2.0 */
/* berth as PID 1: mount what the kernel gives, then be the supervisor,
 * reaping every orphan (its loop reaps any child), and turn SIGTERM
 * (reboot), SIGUSR1 (halt), SIGUSR2 (power off) and ctrl-alt-del (SIGINT,
 * reboot) into an orderly shutdown, as busybox init does. It never exits:
 * a fatal error drops to a shell on the console where there is one, else
 * reboots after a pause. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/config.h"
#include "berth/init/init.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/trace.h"
#include "berth/util/util.h"
#include "berth/supervise/supervise.h"

/* A shell on the console, in a session of its own, in the line mode the
 * console calls for (linux/tty.c). */
static pid_t console_shell(void)
{
	if (access(CONFIG_INIT_SHELL, X_OK) < 0)
		return -1;
	pid_t pid = proc_fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		int fd = openat(AT_FDCWD, "/dev/console", O_RDWR);
		if (fd >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			/* Asked once: a console nobody answers (a record, not a
			 * person) gets no more terminal queries from the shell. */
			if (tty_choose_line_mode(0, TTY_ANSWER_MS) == 0)
				log_info("init: the console did not answer a terminal query: "
					 "the shell reads plain lines, without echo");
		}
		execl(CONFIG_INIT_SHELL, CONFIG_INIT_SHELL, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void shell_after_boot(struct supervisor *sv)
{
	(void)sv;
	if (console_shell() > 0)
		log_info("init: a shell on the console (berth.shell)");
}

static _Noreturn void emergency(void)
{
	log_error("init: cannot supervise the services");
	pid_t shell = console_shell();
	if (shell > 0) {
		log_error("init: a shell on the console; leaving it reboots");
		while (waitpid(shell, NULL, 0) < 0)
			;
	} else {
		log_error("init: no %s: rebooting in 10 s", CONFIG_INIT_SHELL);
		sleep(10);
	}
	init_power(POWER_REBOOT);
}

int pid1_main(int argc, char **argv)
{
	(void)argc;
	struct init_options o = { 0 };
	/* The containers are clones of this process: run from a sealed copy
	 * (CVE-2019-5736), unless the binary is on a read-only filesystem.
	 * First thing, with only /proc mounted (the copy finds it there), so
	 * that the early work, modprobe and all, is done once. A failure
	 * costs the protection, not the boot. */
	init_mount_proc();
	if (protect_exe(argv) < 0)
		log_error("init: going on from the berth binary itself");
	init_early(&o);
	TRACE("init: early done");
	if (o.debug)
		log_open(NULL, 0, 1);
	/* ctrl-alt-del comes as SIGINT, not as an immediate reboot. */
	reboot(RB_DISABLE_CAD);
	log_info("init: berth %s starting the services of %s", BERTH_VERSION, CONFIG_SERVICE_DIR);
	log_info("init: cgroup %s", o.cgroup_v1 ? "v1, one hierarchy per controller, on /sys/fs/cgroup/*"
						: "v2 on /sys/fs/cgroup");
	log_debug("init: berth.debug%s%s%s%s", o.shell ? " berth.shell" : "", o.cgroup_v1 ? " berth.cgroup=v1" : "",
		  o.skip[0] ? " berth.skip=" : "", o.skip[0] ? o.skip : "");
	struct supervisor sv = {
		.root = CONFIG_DEFAULT_ROOT, .config_dir = CONFIG_SERVICE_DIR, .socket_path = CONFIG_SUPERVISE_SOCKET,
		.lease_dir = CONFIG_NETWORK_LEASE_DIR, .pid1 = true, .skip = o.skip,
		/* berth.shell: the prompt comes after the boot's lines, not
		 * buried under them. */
		.on_settled = o.shell ? shell_after_boot : NULL,
	};
	/* A device with a watchdog wants it fed by its init. */
	if (ENABLE_WATCHDOG && access(CONFIG_WATCHDOG_DEVICE, W_OK) == 0)
		sv.watchdog = CONFIG_WATCHDOG_DEVICE;
	if (supervise_run(&sv) < 0)
		emergency();
	init_power(sv.power ? sv.power : POWER_REBOOT);
}

int cmd_init(struct globals *g, int argc, char **argv)
{
	(void)g;
	if (getpid() != 1)
		return log_error("init: berth is not PID 1 (use `berth supervise` under another init)"), 1;
	return pid1_main(argc, argv);
}
