/* SPDX-License-Identifier: Apache-2.0 */
/* update: change a running container's resource limits, from runc's
 * flags or a linux.resources JSON file (-r FILE, "-" for stdin). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"
#include "berth/spec/oci.h"
#include "berth/util/util.h"

enum { U_SIZE = 0x100, U_NUMBER = 0x200, U_CPUS = 0x400, U_MEMS, U_RESOURCES };

/* Each flag names the scalar it sets and how its value reads. */
static const struct cli_option opts[] = {
	{ "resources", required_argument, 'r' },
	{ "memory", required_argument, U_SIZE | R_MEM_LIMIT },
	{ "memory-reservation", required_argument, U_SIZE | R_MEM_RESERVATION },
	{ "memory-swap", required_argument, U_SIZE | R_MEM_SWAP },
	{ "kernel-memory", required_argument, U_SIZE | R_MEM_KERNEL },
	{ "kernel-memory-tcp", required_argument, U_SIZE | R_MEM_KERNEL_TCP },
	{ "cpu-share", required_argument, U_NUMBER | R_CPU_SHARES },
	{ "cpu-quota", required_argument, U_NUMBER | R_CPU_QUOTA },
	{ "cpu-period", required_argument, U_NUMBER | R_CPU_PERIOD },
	{ "cpu-burst", required_argument, U_NUMBER | R_CPU_BURST },
	{ "cpu-rt-runtime", required_argument, U_NUMBER | R_CPU_RT_RUNTIME },
	{ "cpu-rt-period", required_argument, U_NUMBER | R_CPU_RT_PERIOD },
	{ "cpu-idle", required_argument, U_NUMBER | R_CPU_IDLE },
	{ "pids-limit", required_argument, U_NUMBER | R_PIDS_LIMIT },
	{ "blkio-weight", required_argument, U_NUMBER | R_BLKIO_WEIGHT },
	{ "cpuset-cpus", required_argument, U_CPUS },
	{ "cpuset-mems", required_argument, U_MEMS },
	{ "help", no_argument, 'h' },
	{ 0 }
};

static const struct cmd_help help = { "update", "[options] ID",
	"  -r, --resources FILE      linux.resources JSON (\"-\": standard input)\n"
	"  --memory SIZE             memory limit (\"64m\"; -1: unlimited)\n"
	"  --memory-reservation SIZE, --memory-swap SIZE (memory+swap),\n"
	"  --kernel-memory SIZE, --kernel-memory-tcp SIZE\n"
	"  --cpu-share N, --cpu-quota N, --cpu-period N, --cpu-burst N, --cpu-idle N,\n"
	"  --cpu-rt-runtime N, --cpu-rt-period N, --cpuset-cpus LIST, --cpuset-mems LIST\n"
	"  --pids-limit N            (-1: unlimited)\n"
	"  --blkio-weight N          10 to 1000\n", NULL };

static int read_resources(const char *file, struct resources *r, struct arena *a)
{
	size_t len;
	char *text = !strcmp(file, "-") ? read_fd(0, &len) : read_file(file, &len);
	if (!text)
		return log_error("--resources %s: %m", file);
	int ret = oci_resources_from_text(r, a, text, len, !strcmp(file, "-") ? "<stdin>" : file);
	free(text);
	return ret;
}

static int flag_value(int c, const char *arg, struct resources *r)
{
	const char *name = NULL;
	for (const struct cli_option *o = opts; o->name && !name; o++)
		if (o->val == c)
			name = o->name;
	int64_t v;
	if (c & U_SIZE) {
		if (parse_size(arg, &v) < 0)
			return log_error("update: --%s: \"%s\" is not a size (bytes, or with k, m, g; -1 for no limit)", name, arg);
	} else if (parse_i64(arg, &v) < 0) {
		return log_error("update: --%s: \"%s\" is not a number", name, arg);
	}
	res_put(r, (enum res_scalar)(c & 0xff), v);
	return 0;
}

int cmd_update(struct globals *g, int argc, char **argv)
{
	struct resources r = { 0 };
	struct arena a = { 0 };
	const char *file = NULL;
	int c, code, ret = 1;
	while ((c = cli_getopt(argc, argv, "r:h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if (c == 'r')
			file = cli_optarg;
		else if (c == U_CPUS)
			r.cpus = cli_optarg;
		else if (c == U_MEMS)
			r.mems = cli_optarg;
		else if (flag_value(c, cli_optarg, &r) < 0)
			return 1;
	}
	if (cli_need_args(argc, argv, 1, 1, &help) < 0)
		return 1;
	const char *id = argv[cli_optind];
	/* As runc: with -r, the file is the whole update and flags are not mixed in. */
	if (file && (r.set || r.cpus || r.mems))
		return log_error("update: give either --resources or flags, not both"), 1;
	if (file && read_resources(file, &r, &a) < 0)
		goto out;
	struct state st;
	if (container_load(g->root, id, &st) < 0)
		goto out;
	enum status status = state_status(g->root, &st);
	if (status == STATUS_STOPPED) {
		log_error("container \"%s\" is not running", id);
		goto out;
	}
	ret = container_update(&st, &r) < 0 ? 1 : 0;
out:
	arena_free(&a);
	return ret;
}
