/* SPDX-License-Identifier: Apache-2.0 */
/* berth spec: writes default_spec_json() as config.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/util/log.h"
#include "berth/spec/spec.h"
#include "berth/util/util.h"

int cmd_spec(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		{ "bundle", required_argument, 'b' }, { "rootless", no_argument, 'r' },
		{ "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "spec", "[--rootless] [-b|--bundle DIR]",
		"  -b, --bundle DIR   where to write config.json (default: here)\n"
		"  --rootless         a spec for an unprivileged user (user namespace)\n", NULL };
	const char *bundle = ".";
	int c, code, rootless = 0;
	while ((c = cli_getopt(argc, argv, "b:h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if (c == 'b')
			bundle = cli_optarg;
		else
			rootless = 1;
	}
	if (cli_need_args(argc, argv, 0, 0, &help) < 0)
		return 1;
	char text[8192];
	int n = default_spec_json(text, sizeof(text), rootless);
	char path[4096];
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	int fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return log_error("%s exists: remove it first", path), 1;
		return log_error("%s: %m", path), 1;
	}
	if (write_all(fd, text, (size_t)n) < 0 || close(fd) < 0)
		return log_error("%s: %m", path), 1;
	(void)g;
	return 0;
}
