/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/cmd/cli.h"
#include "berth/util/log.h"
#include "berth/runtime/state.h"
#include "berth/util/json_write.h"

int cmd_list(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		{ "format", required_argument, 'f' }, { "quiet", no_argument, 'q' },
		{ "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "list", "[-q|--quiet] [-f|--format table|json]", "", NULL };
	int c, code, quiet = 0, json = 0;
	while ((c = cli_getopt(argc, argv, "f:qh", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if (c == 'q')
			quiet = 1;
		else if (!strcmp(cli_optarg, "json"))
			json = 1;
		else if (strcmp(cli_optarg, "table"))
			return log_error("list: --format \"%s\": expected table or json", cli_optarg), 1;
	}
	if (cli_need_args(argc, argv, 0, 0, &help) < 0)
		return 1;
	DIR *d = opendir(g->root);
	if (!d && errno != ENOENT)
		return log_error("--root %s: %m", g->root), 1;
	struct jw w;
	jw_init(&w, false);
	if (json)
		jw_array(&w, NULL);
	if (!quiet && !json)
		printf("%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct state st;
		if (e->d_name[0] == '.' || state_load(g->root, e->d_name, &st) < 0)
			continue;
		enum status status = state_status(g->root, &st);
		int pid = status == STATUS_STOPPED ? 0 : (int)st.pid;
		if (quiet) {
			puts(st.id);
		} else if (json) {
			jw_object(&w, NULL);
			jw_string(&w, "ociVersion", OCI_VERSION);
			jw_string(&w, "id", st.id);
			jw_int(&w, "pid", pid);
			jw_string(&w, "status", status_name(status));
			jw_string(&w, "bundle", st.bundle);
			jw_string(&w, "rootfs", st.rootfs);
			jw_string(&w, "created", st.created);
			jw_string(&w, "owner", st.owner ? "" : "root");
			jw_end(&w);
		} else {
			printf("%-12s %-8d %-10s %-40s %-31s %s\n", st.id, pid, status_name(status), st.bundle,
			       st.created, st.owner ? "" : "root");
		}
	}
	if (d)
		closedir(d);
	if (json) {
		jw_end(&w);
		char *text = jw_finish(&w);
		if (!text)
			return log_error("out of memory"), 1;
		puts(text);
		free(text);
	}
	return 0;
}
