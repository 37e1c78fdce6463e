/* SPDX-License-Identifier: Apache-2.0 */
/* ps: the container's processes. JSON is the list of host pids (as runc);
 * the table is ps(1)'s own output (default -ef, busybox ps too), cut to
 * the lines whose PID column is one of the container's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Column of "PID" in ps's header, counted in whitespace-separated words. */
static int pid_column(char *header)
{
	int col = 0;
	for (char *save, *t = strtok_r(header, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++)
		if (!strcmp(t, "PID"))
			return col;
	return -1;
}

static long word(const char *line, int col)
{
	const char *p = line;
	for (int i = 0; i <= col; i++) {
		p += strspn(p, " \t");
		if (i == col)
			return (long)str_u64_at(p);
		p += strcspn(p, " \t");
	}
	return -1;
}

static int ps_table(char **ps_args, const pid_t *pids, size_t n)
{
	int fds[2];
	if (pipe(fds) < 0)
		return log_error("pipe: %m");
	pid_t child = proc_fork();
	if (child < 0)
		return log_error("fork: %m");
	if (child == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp("ps", ps_args);
		log_error("ps: %m");
		_exit(127);
	}
	close(fds[1]);
	/* ps's output, whole lines however long (a command line can be). */
	char *text = read_fd(fds[0], NULL), *at = text, *line;
	close(fds[0]);
	int col = -1, r = 0;
	if (text && (line = next_line(&at))) {
		puts(line);
		col = pid_column(line);
		if (col < 0)
			r = log_error("ps: its output has no PID column");
		while ((line = next_line(&at)))
			if (col >= 0 && has_pid(pids, n, word(line, col)))
				puts(line);
	}
	free(text);
	int status;
	waitpid(child, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		r = log_error("ps failed");
	return r;
}

int cmd_ps(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		{ "format", required_argument, 'f' }, { "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "ps", "[-f|--format table|json] ID [ps options]",
		"  -f, --format FMT   table (ps -ef, or the ps options given) or json (pids)\n", NULL };
	int c, code, json = 0;
	while ((c = cli_getopt(argc, argv, "+f:h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if (!strcmp(cli_optarg, "json"))
			json = 1;
		else if (strcmp(cli_optarg, "table"))
			return log_error("ps: --format \"%s\": expected table or json", cli_optarg), 1;
	}
	if (cli_need_args(argc, argv, 1, argc, &help) < 0)
		return 1;
	const char *id = argv[cli_optind];
	if (json && argc - cli_optind > 1)
		return log_error("ps: ps options cannot be given with --format json"), 1;
	struct state st;
	if (container_load(g->root, id, &st) < 0)
		return 1;
	if (state_status(g->root, &st) == STATUS_STOPPED)
		return log_error("container \"%s\" is not running", id), 1;
	pid_t *pids, init_only = st.pid;
	size_t n;
	/* Without a cgroup (a build with none), the init is all we know of. */
	if (container_pids(&st, &pids, &n) < 0)
		return 1;
	const pid_t *list = pids ? pids : &init_only;
	int r = 0;
	if (json) {
		putchar('[');
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)list[i]);
		puts("]");
	} else {
		char *dflt[] = { "ps", "-ef", NULL };
		char **args = dflt;
		if (argc - cli_optind > 1) {
			args = argv + cli_optind;	/* argv[cli_optind] becomes ps's argv[0] */
			args[0] = "ps";
		}
		r = ps_table(args, list, n);
	}
	free(pids);
	return r < 0 ? 1 : 0;
}
