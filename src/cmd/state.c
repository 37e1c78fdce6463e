#include <stdio.h>
#include <stdlib.h>
#include "berth/cli.h"
#include "berth/container.h"

int cmd_state(struct globals *g, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	static const struct cmd_help help = { "state", "ID", "" };
	int c, code;
	while ((c = cli_getopt(argc, argv, "h", opts, &help, &code)) != -1)
		if (c == -2)
			return code;
	if (cli_need_args(argc, argv, 1, 1, &help) < 0)
		return 1;
	struct state st;
	if (container_load(g->root, argv[optind], &st) < 0)
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
