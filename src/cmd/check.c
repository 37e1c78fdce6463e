/* SPDX-License-Identifier: Apache-2.0 */
/* check: validate service files without running anything, so that an
 * image build (Buildroot, Yocto) fails on a broken one. Every file is
 * checked and every error reported; the exit status is 1 if any failed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "berth/cmd/cli.h"
#include "berth/config.h"
#include "berth/util/log.h"
#include "berth/spec/service.h"

static int check_file(const char *path, int quiet)
{
	struct service_conf c;
	int r = service_load(&c, path);
	if (r == 0 && !quiet)
		printf("%s: ok (%s)\n", path, c.name);
	service_free(&c);
	return r;
}

int cmd_check(struct globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "check", "[-q] [DIR|FILE...]",
		"  -q, --quiet   print only errors\n"
		"Validates service files (default: " CONFIG_SERVICE_DIR "/*.conf).\n" };
	int c, code, quiet = 0;
	(void)g;
	while ((c = cli_getopt(argc, argv, "qh", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		quiet = 1;
	}
	const char *dflt[] = { CONFIG_SERVICE_DIR };
	const char **paths = argc > optind ? (const char **)argv + optind : dflt;
	int n = argc > optind ? argc - optind : 1, failed = 0, files = 0;
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) < 0) {
			log_error("%s: %m", paths[i]);
			failed++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			files++;
			failed += check_file(paths[i], quiet) < 0;
			continue;
		}
		char **names;
		int count = service_dir_list(paths[i], &names);
		if (count < 0) {
			failed++;
			continue;
		}
		for (int k = 0; k < count; k++) {
			files++;
			failed += check_file(names[k], quiet) < 0;
			free(names[k]);
		}
		free(names);
	}
	if (!quiet || failed)
		printf("%d service file%s, %d with errors\n", files, files == 1 ? "" : "s", failed);
	return failed ? 1 : 0;
}
