/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>
#include "berth/cmd/cli.h"
#include "berth/util/log.h"

int cli_usage(const struct cmd_help *h, int code)
{
	FILE *out = code ? stderr : stdout;
	fprintf(out, "usage: berth [global options] %s %s\n", h->name, h->usage);
	if (h->options && *h->options)
		fprintf(out, "\n%s", h->options);
	return code;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       const struct cmd_help *help, int *exit_code)
{
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == 'h' || c == '?') {
		*exit_code = cli_usage(help, c == 'h' ? 0 : 1);
		return -2;
	}
	return c;
}

int cli_need_args(int argc, char **argv, int min, int max, const struct cmd_help *h)
{
	int n = argc - optind;
	if (n < min || n > max) {
		if (n < min)
			log_error("%s: %s", h->name, min == 1 ? "a container id is required" : "missing arguments");
		else
			log_error("%s: unexpected argument \"%s\"", h->name, argv[optind + max]);
		cli_usage(h, 1);
		return -1;
	}
	return 0;
}

const char *cli_only_id(int argc, char **argv, const struct cmd_help *help, int *exit_code)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	*exit_code = 1;
	while ((c = cli_getopt(argc, argv, "h", opts, help, exit_code)) != -1)
		if (c == -2)
			return NULL;
	if (cli_need_args(argc, argv, 1, 1, help) < 0)
		return NULL;
	return argv[optind];
}
