/* SPDX-License-Identifier: Apache-2.0 */
/* Power requests (ctl poweroff|reboot|halt, failure-action = reboot, the
 * power signals to PID 1) all go one way. As PID 1 the supervisor stops
 * every service in reverse dependency order and returns to init, which
 * powers off; a signal to itself would be the wrong path. Under busybox
 * init it asks that init, with busybox's signals; another PID 1 is not
 * signalled: the same signals mean other things to it (SIGTERM re-executes
 * systemd), and a supervisor started by hand on a host must not reach it. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "berth/util/log.h"
#include "berth/supervise/supervise.h"

static const char *const action_names[] = {
	[POWER_NONE] = "nothing", [POWER_REBOOT] = "reboot", [POWER_HALT] = "halt", [POWER_OFF] = "poweroff",
};

int supervisor_power(struct supervisor *sv, enum power_action a, const char *why)
{
	if (!sv->pid1) {
		/* busybox init is the busybox binary, whatever its link's name:
		 * busybox, or Yocto's busybox.nosuid. */
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/1/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return log_error("supervisor: %s: init (pid 1) not asked: whether it is busybox init is not known "
					 "(/proc/1/exe: %m)", why);
		exe[n] = 0;
		const char *base = strrchr(exe, '/');
		if (strncmp(base ? base + 1 : exe, "busybox", 7)) {
			errno = EPERM;
			return log_error("supervisor: %s: init (pid 1) not asked: it is %s, not busybox init", why, exe);
		}
		int sig = a == POWER_OFF ? SIGUSR2 : a == POWER_HALT ? SIGUSR1 : SIGTERM;
		if (kill(1, sig) < 0)
			return log_error("supervisor: %s: asking init (pid 1) to %s: %m", why, action_names[a]);
		log_info("supervisor: %s: asked init (pid 1) to %s", why, action_names[a]);
		return 0;
	}
	if (!sv->power)
		sv->power = a;
	if (!sv->stopping)
		log_info("supervisor: %s: stopping every service, then %s", why, action_names[sv->power]);
	svc_shutdown(sv);
	return 0;
}
