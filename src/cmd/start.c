/* SPDX-License-Identifier: Apache-2.0 */
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"

int cmd_start(struct globals *g, int argc, char **argv)
{
	static const struct cmd_help help = { "start", "ID", "", NULL };
	int code;
	const char *id = cli_only_id(argc, argv, &help, &code);
	if (!id)
		return code;
	return container_start(g->root, id) < 0 ? 1 : 0;
}
