/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

int create_option(int c, struct create_opts *o)
{
	uint64_t n;
	switch (c) {
	case 'b': o->bundle = cli_optarg; return 0;
	case OPT_PID_FILE: o->pid_file = cli_optarg; return 0;
	case OPT_NO_PIVOT: o->no_pivot = true; return 0;
	case OPT_NO_NEW_KEYRING: return 0;
	case OPT_CONSOLE_SOCKET: o->console_socket = cli_optarg; return 0;
	case OPT_PRESERVE_FDS:
		if (parse_u64(cli_optarg, &n) < 0 || n > 1024)
			return log_error("--preserve-fds: \"%s\" is not a count of file descriptors", cli_optarg);
		o->preserve_fds = (int)n;
		return 0;
	}
	return log_error("unexpected option");
}

const char create_help[] =
	"  -b, --bundle DIR        the bundle (default: the current directory)\n"
	"  --pid-file FILE         write the init's pid to FILE\n"
	"  --no-pivot              MS_MOVE + chroot instead of pivot_root\n"
	"  --preserve-fds N        pass fds 3..3+N-1 to the container\n";

int cmd_create(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = { CREATE_LONGOPTS, { 0 } };
	static const struct cmd_help help = { "create", "[options] ID", create_help, NULL };
	struct create_opts o = { 0 };
	int c, code;
	while ((c = cli_getopt(argc, argv, "b:h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if (create_option(c, &o) < 0)
			return 1;
	}
	if (cli_need_args(argc, argv, 1, 1, &help) < 0)
		return 1;
	o.id = argv[cli_optind];
	o.systemd_cgroup = g->systemd_cgroup;
	struct state st;
	return container_create(g->root, &o, &st) < 0 ? 1 : 0;
}
