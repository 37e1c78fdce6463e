/* SPDX-License-Identifier: Apache-2.0 */
/* berth: command dispatch and runc's global options, nothing else. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/config.h"
#include "generated/commit.h"
#include "berth/init/init.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/trace.h"

struct command {
	const char *name;
	cmd_fn *fn;
	int enters_container;	/* runs code inside a container: protect_exe first */
	const char *summary;
};

static const struct command commands[] = {
#ifdef CONFIG_OCI_RUNTIME
	{ "create", cmd_create, 1, "create a container from a bundle, stopped before its process" },
	{ "start", cmd_start, 0, "start the process of a created container" },
	{ "run", cmd_run, 1, "create and start a container, wait for it" },
	{ "exec", cmd_exec, 1, "run a new process in a running container" },
	{ "state", cmd_state, 0, "print a container's state as OCI JSON" },
	{ "kill", cmd_kill, 0, "send a signal to a container's init (or all its processes)" },
	{ "delete", cmd_delete, 0, "delete a stopped container (-f: any)" },
	{ "list", cmd_list, 0, "list containers" },
#endif
#ifdef CONFIG_CMD_UPDATE
	{ "update", cmd_update, 0, "change the resource limits of a running container" },
#endif
#ifdef CONFIG_CMD_PAUSE
	{ "pause", cmd_pause, 0, "freeze every process of a container" },
	{ "resume", cmd_resume, 0, "thaw a paused container" },
#endif
#ifdef CONFIG_CMD_PS
	{ "ps", cmd_ps, 0, "list the processes of a container" },
#endif
#ifdef CONFIG_CMD_EVENTS
	{ "events", cmd_events, 0, "resource usage and OOM events of a container" },
#endif
#ifdef CONFIG_CMD_FEATURES
	{ "features", cmd_features, 0, "what this build supports (OCI features JSON)" },
#endif
#ifdef CONFIG_INIT
	{ "init", cmd_init, 0, "be the system's init (as PID 1)" },
#endif
#ifdef CONFIG_CMD_CONSOLE_SHELL
	{ "console-shell", cmd_console_shell, 0, "a shell on this terminal, echo off where it does not answer" },
#endif
#ifdef CONFIG_SUPERVISOR
	{ "supervise", cmd_supervise, 1, "run the services of a directory of service files" },
	{ "ctl", cmd_ctl, 0, "talk to the supervisor (list, status, start, stop, logs, exec...)" },
#endif
#ifdef CONFIG_IMAGE_STORE
	{ "image", cmd_image, 0, "import, list and remove images in the image store" },
#endif
#ifdef CONFIG_CMD_CHECK
	{ "check", cmd_check, 0, "validate service files without running anything" },
#endif
#ifdef CONFIG_CMD_SPEC
	{ "spec", cmd_spec, 0, "write a default config.json" },
#endif
};

static int usage(int code)
{
	FILE *out = code ? stderr : stdout;
	fprintf(out, "usage: berth [global options] COMMAND [options] [arguments]\n\n"
		"A minimal container launcher for embedded Linux (runc-compatible).\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nglobal options:\n"
		"  --root DIR          state directory (default " CONFIG_DEFAULT_ROOT ")\n"
		"  --log FILE          also write messages to FILE\n"
		"  --log-format FMT    text or json\n"
		"  --debug             debug messages\n"
		"  -v, --version       print the version\n"
		"  -h, --help          this help\n");
	return code;
}

int main(int argc, char **argv)
{
	/* A caller that ignores SIGCHLD (some daemons do, and their children
	 * inherit it) would have the kernel reap berth's children unasked:
	 * `run` then waited for its container's init for good. */
	signal_default(SIGCHLD);
#ifdef CONFIG_INIT
	/* The kernel starts us as /init or /sbin/init. */
	size_t len = strlen(argv[0]);
	if (getpid() == 1 && len >= 4 && !strcmp(argv[0] + len - 4, "init"))
		return pid1_main(argc, argv);
#endif
	TRACE("main");
	static const struct cli_option opts[] = {
		{ "root", required_argument, 'r' },
		{ "log", required_argument, 'l' },
		{ "log-format", required_argument, 'f' },
		{ "debug", no_argument, 'd' },
		{ "systemd-cgroup", no_argument, 's' },
		{ "rootless", required_argument, 'R' },
		{ "criu", required_argument, 'C' },
		{ "version", no_argument, 'v' },
		{ "help", no_argument, 'h' },
		{ 0 }
	};
	struct globals g = { .root = CONFIG_DEFAULT_ROOT };
	const char *log_format = "text";
	int c;
	/* '+': global options end at the command; urfave/cli (runc) also
	 * accepts them with one dash (long_only). */
	while ((c = cli_next_option(argc, argv, "+vh", opts, "berth", true)) != -1) {
		switch (c) {
		case 'r': g.root = cli_optarg; g.root_given = 1; break;
		case 'l': g.log = cli_optarg; break;
		case 'f': log_format = cli_optarg; break;
		case 'd': g.debug = 1; break;
		case 's':
			if (!ENABLE_SYSTEMD_CGROUP) {
				log_error("--systemd-cgroup: not in this build (CONFIG_SYSTEMD_CGROUP)");
				return 1;
			}
			g.systemd_cgroup = 1;
			break;
		case 'R': case 'C': break;	/* accepted for compatibility */
		case 'v':
			printf("berth version %s\ncommit: %s\nspec: " OCI_VERSION "\n", BERTH_VERSION, BERTH_COMMIT);
			return 0;
		case 'h': return usage(0);
		default: return usage(1);
		}
	}
	/* As runc: an unprivileged user keeps state in its own runtime dir. */
	static char user_root[4096];	/* not on the stack under every command */
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (!g.root_given && geteuid() != 0 && xdg && *xdg) {
		snprintf(user_root, sizeof(user_root), "%s/berth", xdg);
		g.root = user_root;
	}
	if (strcmp(log_format, "text") && strcmp(log_format, "json")) {
		log_error("--log-format: \"%s\": expected text or json", log_format);
		return 1;
	}
	g.log_json = !strcmp(log_format, "json");
	if (log_open(g.log, g.log_json, g.debug) < 0)
		return 1;
	if (cli_optind >= argc)
		return usage(1);
	const char *name = argv[cli_optind];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(name, commands[i].name))
			continue;
		if (commands[i].enters_container && protect_exe(argv) < 0)
			return 1;
		argc -= cli_optind;
		argv += cli_optind;
		cli_optind = 0;	/* start again for the command's options */
		return commands[i].fn(&g, argc, argv);
	}
	log_error("unknown command \"%s\" (berth --help lists them)", name);
	return 1;
}
