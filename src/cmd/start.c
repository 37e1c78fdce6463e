#include "berth/cli.h"
#include "berth/container.h"

int cmd_start(struct globals *g, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	static const struct cmd_help help = { "start", "ID", "" };
	int c, code;
	while ((c = cli_getopt(argc, argv, "h", opts, &help, &code)) != -1)
		if (c == -2)
			return code;
	if (cli_need_args(argc, argv, 1, 1, &help) < 0)
		return 1;
	return container_start(g->root, argv[optind]) < 0 ? 1 : 0;
}
