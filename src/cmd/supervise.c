/* SPDX-License-Identifier: Apache-2.0 */
/* supervise: run the services of a directory of service files in the
 * foreground until SIGTERM or SIGINT, which stops them all in reverse
 * dependency order. */
#include <string.h>
#include "berth/cmd/cli.h"
#include "berth/config.h"
#include "berth/supervise/supervise.h"

int cmd_supervise(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		{ "config-dir", required_argument, 'c' }, { "socket", required_argument, 's' },
		{ "watchdog", optional_argument, 'w' }, { "lease-dir", required_argument, 'l' },
		{ "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "supervise", "[--config-dir DIR] [--socket PATH]",
		"  -c, --config-dir DIR   service files (default " CONFIG_SERVICE_DIR ")\n"
		"  -s, --socket PATH      control socket (default " CONFIG_SUPERVISE_SOCKET ")\n"
		"  --watchdog[=DEV]       pet a hardware watchdog (default " CONFIG_WATCHDOG_DEVICE ")\n"
		"  --lease-dir DIR        [network]: the addresses services were given (default\n"
		"                         " CONFIG_NETWORK_LEASE_DIR ")\n", NULL };
	struct supervisor sv = { .root = g->root, .config_dir = CONFIG_SERVICE_DIR, .socket_path = CONFIG_SUPERVISE_SOCKET,
				 .lease_dir = CONFIG_NETWORK_LEASE_DIR };
	int c, code;
	while ((c = cli_getopt(argc, argv, "c:s:h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if (c == 'c')
			sv.config_dir = cli_optarg;
		else if (c == 'w')
			sv.watchdog = cli_optarg ? cli_optarg : CONFIG_WATCHDOG_DEVICE;
		else if (c == 'l')
			sv.lease_dir = cli_optarg;
		else
			sv.socket_path = cli_optarg;
	}
	if (cli_need_args(argc, argv, 0, 0, &help) < 0)
		return 1;
	return supervise_run(&sv) < 0 ? 1 : 0;
}
