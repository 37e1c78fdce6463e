/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "berth/cmd/cli.h"
#include "berth/util/log.h"

int cli_usage(const struct cmd_help *h, int code)
{
	FILE *out = code ? stderr : stdout;
	fprintf(out, "usage: berth [global options] %s %s\n", h->name, h->usage);
	if (h->options && *h->options)
		fprintf(out, "\n%s%s", h->options, h->more_options ? h->more_options : "");
	return code;
}

int cli_optind = 1;
char *cli_optarg;
static int cluster;	/* the next letter of the short options in argv[cli_optind], or 0 */
static int value_at;	/* where that argument's separate value is, before moving */

static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1];
}

/* Options may follow arguments ("berth delete ID --force"): the option at
 * argv[from] is moved to argv[to], and the arguments between one place on,
 * so that they end up after every option, as getopt_long leaves them. */
static void bring(char **argv, int to, int from)
{
	char *arg = argv[from];
	memmove(argv + to + 1, argv + to, (size_t)(from - to) * sizeof(*argv));
	argv[to] = arg;
}

/* The option's separate value: the next argument, moved next to it. */
static int take_value(int argc, char **argv, const char *who, const char *option)
{
	if (value_at >= argc) {
		log_error("%s: option %s needs a value", who, option);
		cli_optind++;
		return '?';
	}
	bring(argv, cli_optind + 1, value_at);
	cli_optarg = argv[cli_optind + 1];
	cli_optind += 2;
	return 0;
}

static int long_option(int argc, char **argv, const char *name, const struct cli_option *o, const char *who)
{
	const char *arg = argv[cli_optind], *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	for (; o->name; o++) {
		if (strncmp(o->name, name, len) || o->name[len])
			continue;
		if (eq && o->has_arg == no_argument) {
			log_error("%s: option --%s takes no value", who, o->name);
			cli_optind++;
			return '?';
		}
		if (eq)
			cli_optarg = (char *)eq + 1;
		else if (o->has_arg == required_argument)
			return take_value(argc, argv, who, arg) ? '?' : o->val;
		cli_optind++;
		return o->val;
	}
	return -1;
}

/* The next short option of the cluster at argv[cli_optind] ("-dt",
 * "-bDIR", "-b DIR"). */
static int short_option(int argc, char **argv, const char *shortopts, const char *who)
{
	char *arg = argv[cli_optind];
	int c = (unsigned char)arg[cluster++];
	const char *spec = c != ':' ? strchr(shortopts, c) : NULL;
	bool last = !arg[cluster];
	if (!spec || spec[1] != ':') {
		if (last)
			cli_optind++, cluster = 0;
		if (!spec)
			return log_error("%s: unknown option -%c", who, c), '?';
		return c;
	}
	if (!last)
		cli_optarg = arg + cluster, cli_optind++;
	else if (take_value(argc, argv, who, arg))
		c = '?';
	cluster = 0;
	return c;
}

int cli_next_option(int argc, char **argv, const char *shortopts, const struct cli_option *longopts,
		    const char *who, bool long_only)
{
	if (!cli_optind)
		cli_optind = 1, cluster = 0;
	cli_optarg = NULL;
	bool in_order = *shortopts == '+';
	shortopts += in_order;
	if (cluster)
		return short_option(argc, argv, shortopts, who);
	int i = cli_optind;
	while (!in_order && i < argc && !is_option(argv[i]))
		i++;
	if (i >= argc || !is_option(argv[i]))
		return -1;
	bring(argv, cli_optind, i);
	value_at = i + 1;
	char *arg = argv[cli_optind];
	if (!strcmp(arg, "--")) {
		cli_optind++;
		return -1;
	}
	if (arg[1] == '-' || long_only) {
		int c = long_option(argc, argv, arg + 1 + (arg[1] == '-'), longopts, who);
		if (c != -1)
			return c;
		if (arg[1] == '-') {
			log_error("%s: unknown option %s", who, arg);
			cli_optind++;
			return '?';
		}
	}
	/* (With long_only, "-x" that names no long option is short -x.) */
	cluster = 1;
	return short_option(argc, argv, shortopts, who);
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct cli_option *longopts,
	       const struct cmd_help *help, int *exit_code)
{
	int c = cli_next_option(argc, argv, shortopts, longopts, help->name, false);
	if (c == 'h' || c == '?') {
		*exit_code = cli_usage(help, c == 'h' ? 0 : 1);
		return -2;
	}
	return c;
}

int cli_need_args(int argc, char **argv, int min, int max, const struct cmd_help *h)
{
	int n = argc - cli_optind;
	if (n < min || n > max) {
		if (n < min)
			log_error("%s: %s", h->name, min == 1 ? "a container id is required" : "missing arguments");
		else
			log_error("%s: unexpected argument \"%s\"", h->name, argv[cli_optind + max]);
		cli_usage(h, 1);
		return -1;
	}
	return 0;
}

const char *cli_only_id(int argc, char **argv, const struct cmd_help *help, int *exit_code)
{
	static const struct cli_option opts[] = { { "help", no_argument, 'h' }, { 0 } };
	int c;
	*exit_code = 1;
	while ((c = cli_getopt(argc, argv, "h", opts, help, exit_code)) != -1)
		if (c == -2)
			return NULL;
	if (cli_need_args(argc, argv, 1, 1, help) < 0)
		return NULL;
	return argv[cli_optind];
}
