/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"

int cmd_state(struct globals *g, int argc, char **argv)
{
	static const struct cmd_help help = { "state", "ID", "", NULL };
	int code;
	const char *id = cli_only_id(argc, argv, &help, &code);
	if (!id)
		return code;
	struct state st;
	if (container_load(g->root, id, &st) < 0)
		return 1;
	struct spec s;
	spec_init(&s);
	/* Annotations come from the saved spec; a damaged one only costs them. */
	int have_spec = state_spec(g->root, st.id, &s) == 0;
	char *json = state_json(&st, state_status(g->root, &st), have_spec ? &s : NULL, true);
	puts(json);
	free(json);
	spec_free(&s);
	return 0;
}
