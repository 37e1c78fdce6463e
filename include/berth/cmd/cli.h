/* SPDX-License-Identifier: Apache-2.0 */
/* The runc-compatible command line. Each command returns berth's exit
 * code (runc's: 0, 1 on any error; `run` returns the container's). */
#ifndef BERTH_CLI_H
#define BERTH_CLI_H
#include <getopt.h>	/* no_argument, required_argument, optional_argument */
#include <stdbool.h>

struct globals {
	const char *root;	/* --root */
	int root_given;		/* else the default (per user when not root) */
	const char *log;	/* --log */
	int log_json;		/* --log-format json */
	int debug;		/* --debug */
	int systemd_cgroup;	/* --systemd-cgroup */
};

/* A long option: getopt_long's struct option without the flag pointer,
 * which berth never used (16 bytes an option instead of 32, on 64-bit). */
struct cli_option {
	const char *name;
	int has_arg;	/* no_argument, required_argument or optional_argument */
	int val;
};

typedef int cmd_fn(struct globals *g, int argc, char **argv);
cmd_fn cmd_create, cmd_start, cmd_run, cmd_state, cmd_kill, cmd_delete, cmd_list, cmd_spec,
	cmd_update, cmd_pause, cmd_resume, cmd_ps, cmd_events, cmd_features,
	cmd_exec, cmd_check, cmd_supervise, cmd_ctl, cmd_init, cmd_console_shell, cmd_image;

/* berth's own getopt_long, in a fifth of musl's size: the next option of
 * argv from cli_optind, its value in cli_optarg; -1 at the first argument
 * when shortopts starts with '+', else at the end, the arguments moved
 * after the options; '?' (logged, naming `who`) for a bad option. Short
 * options cluster ("-dt", "-bDIR", "-b DIR"); long ones are --name,
 * --name=VALUE or --name VALUE, spelled in full (runc takes no
 * abbreviations either), and with long_only also -name (getopt_long_only,
 * for runc's global options). cli_optind = 0 starts again. */
extern int cli_optind;
extern char *cli_optarg;
int cli_next_option(int argc, char **argv, const char *shortopts, const struct cli_option *longopts,
		    const char *who, bool long_only);
/* cli_next_option over a command's own options, with "h" for help; prints
 * the usage on --help or a bad option. Returns the option, -1 at the end,
 * or -2 when the command should exit (code in *exit_code). */
struct cmd_help {
	const char *name, *usage, *options;
	const char *more_options;	/* printed after options (run's, after create's) */
};
int cli_getopt(int argc, char **argv, const char *shortopts, const struct cli_option *longopts,
	       const struct cmd_help *help, int *exit_code);
/* Exactly `n` positional arguments after options; logs otherwise. */
int cli_need_args(int argc, char **argv, int min, int max, const struct cmd_help *help);
int cli_usage(const struct cmd_help *help, int code);
/* For commands that take only an ID (start, state): the ID, or NULL with
 * the exit code in *exit_code (help shown, or a usage error). */
const char *cli_only_id(int argc, char **argv, const struct cmd_help *help, int *exit_code);

/* create and run share runc's creation options. */
enum { OPT_PID_FILE = 256, OPT_CONSOLE_SOCKET, OPT_NO_PIVOT, OPT_NO_NEW_KEYRING, OPT_PRESERVE_FDS, OPT_KEEP };
#define CREATE_LONGOPTS \
	{ "bundle", required_argument, 'b' }, \
	{ "pid-file", required_argument, OPT_PID_FILE }, \
	{ "console-socket", required_argument, OPT_CONSOLE_SOCKET }, \
	{ "no-pivot", no_argument, OPT_NO_PIVOT }, \
	{ "no-new-keyring", no_argument, OPT_NO_NEW_KEYRING }, \
	{ "preserve-fds", required_argument, OPT_PRESERVE_FDS }, \
	{ "help", no_argument, 'h' }

/* Their help, one text for both. */
extern const char create_help[];

struct create_opts;
/* Applies one of CREATE_LONGOPTS; -1 (logged) on a bad value. */
int create_option(int c, struct create_opts *o);

#endif
