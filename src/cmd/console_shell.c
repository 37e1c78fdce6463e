/* SPDX-License-Identifier: Apache-2.0 */
/* berth console-shell [PROGRAM [ARG...]]: the console's line mode chosen
 * once (linux/tty.c), then PROGRAM (default /bin/sh) in its place. For
 * the console line of busybox init's inittab; berth as PID 1 does the
 * same for its own shells. */
#include <stdio.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"

int cmd_console_shell(struct globals *g, int argc, char **argv)
{
	(void)g;
	static const struct cli_option opts[] = { { "help", no_argument, 'h' }, { 0 } };
	static const struct cmd_help help = { "console-shell", "[PROGRAM [ARG...]]",
		"  PROGRAM   what to run on this terminal (default /bin/sh); where the\n"
		"            terminal does not answer a cursor query within 2 s,\n"
		"            its echo is turned off first (plain lines, no more queries)\n", NULL };
	int c, code;
	/* "+": PROGRAM's own options are not ours. */
	while ((c = cli_getopt(argc, argv, "+h", opts, &help, &code)) != -1)
		if (c == -2)
			return code;
	char *sh[] = { "/bin/sh", NULL };
	char **run = cli_optind < argc ? argv + cli_optind : sh;
	if (tty_choose_line_mode(0, TTY_ANSWER_MS) == 0)
		log_info("console-shell: the console did not answer a terminal query: "
			 "plain lines, without echo");
	execv(run[0], run);
	return log_error("console-shell: %s: %m", run[0]), 127;
}
