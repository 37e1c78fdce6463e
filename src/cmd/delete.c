/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"

int cmd_delete(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		{ "force", no_argument, 'f' }, { "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "delete", "[-f|--force] ID",
		"  -f, --force   kill a running container first\n", NULL };
	int c, code, force = 0;
	while ((c = cli_getopt(argc, argv, "fh", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		force = 1;
	}
	if (cli_need_args(argc, argv, 1, 1, &help) < 0)
		return 1;
	const char *id = argv[cli_optind];
	struct state st;
	if (state_check_id(id) < 0)
		return 1;
	if (state_load(g->root, id, &st) < 0) {
		/* As runc: forcing the delete of what is not there succeeds. */
		if (errno == ENOENT && force)
			return 0;
		if (errno == ENOENT)
			return log_error("container \"%s\" does not exist", id), 1;
		return log_error("container \"%s\": %m", id), 1;
	}
	enum status status = state_status(g->root, &st);
	/* A created container never ran its process: runc deletes it too. */
	if ((status == STATUS_RUNNING || status == STATUS_PAUSED || status == STATUS_CREATING) && !force)
		return log_error("cannot delete container \"%s\": it is %s (stop it first, or use --force)",
				 id, status_name(status)), 1;
	return container_destroy(g->root, &st) < 0 ? 1 : 0;
}
