/* SPDX-License-Identifier: Apache-2.0 */
/* check: validate service files without running anything, so that an
 * image build (Buildroot, Yocto) fails on a broken one. Every file is
 * checked and every error reported; the exit status is 1 if any failed. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "berth/cmd/cli.h"
#include "berth/config.h"
#include "berth/util/log.h"
#include "berth/spec/deps.h"
#include "berth/spec/service.h"
#include "berth/spec/target.h"

static int check_file(const char *path, int quiet)
{
	struct service_conf c;
	int r = service_load(&c, path);
	if (r == 0 && !quiet)
		printf("%s: ok (%s)\n", path, c.name);
	service_free(&c);
	return r;
}

struct loaded {
	struct service_conf c;
	bool ok;
};

static bool skip_failed(size_t i, void *arg) { return !((struct loaded *)arg)[i].ok; }

static void refuse(size_t i, const char *why, void *arg)
{
	struct loaded *v = arg;
	log_error("%s: %s", v[i].c.file, why);
	v[i].ok = false;
}

/* A directory is checked as the supervisor would load it: each file, then
 * what the files ask of one another (dependencies that exist and make no
 * cycle, addresses and ports only one may have). Returns how many failed. */
static int check_dir(const char *dir, int quiet, int *files)
{
	char **names;
	int count = service_dir_list(dir, &names);
	if (count < 0)
		return 1;
	struct loaded *v = calloc((size_t)count + 1, sizeof(*v));
	const struct service_conf **confs = calloc((size_t)count + 1, sizeof(*confs));
	if (!v || !confs) {
		log_error("check: out of memory");
		count = 0;
	}
	for (int k = 0; k < count; k++) {
		v[k].ok = service_load(&v[k].c, names[k]) == 0;
		confs[k] = &v[k].c;
	}
	deps_run(&(struct deps_check){ confs, (size_t)count, skip_failed, refuse, v });
	for (int k = 0; k < count; k++)
		for (int j = 0; j < k && v[k].ok; j++)
			if (v[j].ok && service_network_clash(&v[j].c, &v[k].c) < 0)
				v[k].ok = false;
	int failed = 0;
	for (int k = 0; k < count; k++) {
		if (v[k].ok && !quiet)
			printf("%s: ok (%s)\n", names[k], v[k].c.name);
		failed += !v[k].ok;
		service_free(&v[k].c);
		free(names[k]);
	}
	*files += count;
	free(v);
	free(confs);
	free(names);
	return failed;
}

int cmd_check(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		{ "quiet", no_argument, 'q' }, { "config", required_argument, 'c' },
		{ "sysroot", required_argument, 's' }, { "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "check", "[-q] [-c .config] [--sysroot DIR...] [DIR|FILE...]",
		"  -q, --quiet         print only errors\n"
		"  -c, --config FILE   check for the berth built with this Kconfig .config\n"
		"                      (the device's): refuse what that build left out\n"
		"  --sysroot DIR       the device's root filesystem: files that service\n"
		"                      files name are read there (repeat: first has it)\n"
		"Validates service files (default: " CONFIG_SERVICE_DIR "/*.conf).\n", NULL };
	int c, code, quiet = 0;
	(void)g;
	while ((c = cli_getopt(argc, argv, "qc:s:h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if ((c == 'c' && target_use_config(cli_optarg) < 0) || (c == 's' && target_add_sysroot(cli_optarg) < 0))
			return 1;
		quiet |= c == 'q';
	}
	const char *dflt[] = { CONFIG_SERVICE_DIR };
	const char **paths = argc > cli_optind ? (const char **)argv + cli_optind : dflt;
	int n = argc > cli_optind ? argc - cli_optind : 1, failed = 0, files = 0;
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
		failed += check_dir(paths[i], quiet, &files);
	}
	if (!quiet || failed)
		printf("%d service file%s, %d with errors\n", files, files == 1 ? "" : "s", failed);
	return failed ? 1 : 0;
}
