/* SPDX-License-Identifier: Apache-2.0 */
/* The end of a device's run, once the services are down: every other
 * process is asked to leave, then made to; filesystems are synced and
 * unmounted (remounted read-only where they cannot go), and the kernel
 * reboots, halts or powers off. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "berth/init/init.h"
#include "berth/util/log.h"
#include "berth/util/mountinfo.h"
#include "berth/util/util.h"

/* Reaps what has exited; true once no child is left. */
static bool all_reaped(void *sigchld_fd)
{
	struct signalfd_siginfo si;
	while (read(*(int *)sigchld_fd, &si, sizeof(si)) > 0)
		;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

/* Reap for up to ms, woken by SIGCHLD; true once no child is left. */
static bool reap_for(int ms)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	bool done = wait_for(all_reaped, &fd, fd, POLLIN, ms) == 0;
	if (fd >= 0)
		close(fd);
	return done;
}

/* Every mount point, in mountinfo's order (malloc'd; n of them). */
struct mount_points {
	char **v;
	size_t n, cap;
};

static int note_mount_point(const struct mountinfo *m, void *arg)
{
	struct mount_points *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return 1;	/* out of memory: unmount what is known */
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(m->mount_point)))
		return 1;
	l->n++;
	return 0;
}

static void unmount_all(void)
{
	struct mount_points l = { NULL, 0, 0 };
	mountinfo_each(note_mount_point, &l);
	/* Newest first: children before their parents. */
	for (size_t i = l.n; i-- > 0;) {
		const char *mnt = l.v[i];
		if (strcmp(mnt, "/") && umount2(mnt, 0) < 0 && umount2(mnt, MNT_DETACH) < 0)
			mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL);
		free(l.v[i]);
	}
	free(l.v);
	mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
}

_Noreturn void init_power(enum power_action a)
{
	static const char *const what[] = { "rebooting", "rebooting", "halting", "powering off" };
	log_info("init: %s", what[a]);
	kill(-1, SIGTERM);
	if (!reap_for(2000)) {
		kill(-1, SIGKILL);
		reap_for(1000);
	}
	sync();
	unmount_all();
	sync();
	int cmd = a == POWER_HALT ? RB_HALT_SYSTEM : a == POWER_OFF ? RB_POWER_OFF : RB_AUTOBOOT;
	reboot(cmd);
	/* Only reached if the kernel refused: an init must not exit. */
	log_error("init: reboot(2): %m");
	for (;;)
		pause();
}
