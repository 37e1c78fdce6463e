/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <signal.h>
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

int cmd_kill(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		{ "all", no_argument, 'a' }, { "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "kill", "[-a|--all] ID [SIGNAL]",
		"  -a, --all   signal every process in the container's cgroup\n"
		"SIGNAL is a name (TERM, SIGTERM) or a number; default SIGTERM.\n", NULL };
	int c, code, all = 0;
	while ((c = cli_getopt(argc, argv, "ah", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		all = 1;
	}
	if (cli_need_args(argc, argv, 1, 2, &help) < 0)
		return 1;
	const char *id = argv[cli_optind];
	int sig = SIGTERM;
	if (argc - cli_optind == 2 && (sig = signal_from_name(argv[cli_optind + 1])) < 0)
		return log_error("kill: unknown signal \"%s\"", argv[cli_optind + 1]), 1;
	struct state st;
	if (container_load(g->root, id, &st) < 0)
		return 1;
	enum status status = state_status(g->root, &st);
	if (status == STATUS_STOPPED && !all)
		return log_error("container \"%s\" is not running", id), 1;
	return container_signal(&st, sig, all) < 0 ? 1 : 0;
}
