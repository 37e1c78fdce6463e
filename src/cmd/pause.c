/* SPDX-License-Identifier: Apache-2.0 */
/* pause / resume: freeze and thaw every process of the container. */
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"

static int freeze(struct globals *g, int argc, char **argv, bool pause)
{
	static const struct cmd_help pause_help = { "pause", "ID", "", NULL }, resume_help = { "resume", "ID", "", NULL };
	int code;
	const char *id = cli_only_id(argc, argv, pause ? &pause_help : &resume_help, &code);
	if (!id)
		return code;
	struct state st;
	if (container_load(g->root, id, &st) < 0)
		return 1;
	enum status status = state_status(g->root, &st), want = pause ? STATUS_RUNNING : STATUS_PAUSED;
	if (status != want)
		return log_error("cannot %s container \"%s\": it is %s, not %s", pause ? "pause" : "resume", id,
				 status_name(status), status_name(want)), 1;
	return container_freeze(&st, pause) < 0 ? 1 : 0;
}

int cmd_pause(struct globals *g, int argc, char **argv)
{
	return freeze(g, argc, argv, true);
}

int cmd_resume(struct globals *g, int argc, char **argv)
{
	return freeze(g, argc, argv, false);
}
