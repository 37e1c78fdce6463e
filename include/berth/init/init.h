/* SPDX-License-Identifier: Apache-2.0 */
/* berth as PID 1: early mounts, the supervisor's loop, power signals and
 * the shutdown sequence (src/init/). */
#ifndef BERTH_INIT_H
#define BERTH_INIT_H
#include <stdbool.h>
#include "berth/supervise/supervise.h"	/* enum power_action */

struct init_options {
	bool debug;		/* berth.debug */
	bool shell;		/* berth.shell: a shell on the console too */
	bool cgroup_v1;		/* berth.cgroup=v1 (and what was mounted) */
	char skip[512];		/* berth.skip=a,b as ",a,b," */
};

/* /proc, which the sealed copy needs (init.c runs from one before the
 * rest); then init_early: the kernel command line into o, the rest. */
void init_mount_proc(void);
void init_early(struct init_options *o);
void init_read_cmdline(struct init_options *o);

/* Kill what is left, sync, unmount, then reboot(2): never returns. */
_Noreturn void init_power(enum power_action a);

/* The kernel starts berth as /init or /sbin/init: argv[0] ends in
 * "init" and it is PID 1. */
int pid1_main(int argc, char **argv);

#endif
