/* SPDX-License-Identifier: Apache-2.0 */
/* run = create + start + wait, with signals forwarded and the container's
 * exit status as berth's, then the container deleted (as runc does). */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"
#include "berth/util/util.h"
#include "berth/util/trace.h"

int cmd_run(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		CREATE_LONGOPTS,
		{ "detach", no_argument, 'd' },
		{ "keep", no_argument, OPT_KEEP }, { 0 }
	};
	static const struct cmd_help help = { "run", "[options] ID", create_help,
		"  -d, --detach            return once the container runs\n"
		"  --keep                  do not delete the container when it exits\n" };
	struct create_opts o = { 0 };
	int c, code, detach = 0, keep = 0;
	while ((c = cli_getopt(argc, argv, "b:dh", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		if (c == 'd')
			detach = 1;
		else if (c == OPT_KEEP)
			keep = 1;
		else if (create_option(c, &o) < 0)
			return 1;
	}
	if (cli_need_args(argc, argv, 1, 1, &help) < 0)
		return 1;
	o.id = argv[cli_optind];
	o.systemd_cgroup = g->systemd_cgroup;
	o.foreground = !detach;
	o.start = true;
	/* Block signals before the container exists: one sent in between is
	 * queued and forwarded, not lost (nor fatal to us). */
	int sfd = detach ? -1 : signalfd_all();
	if (!detach && sfd < 0)
		return log_error("signalfd: %m"), 1;
	struct state st;
	if (container_create(g->root, &o, &st) < 0)
		return 1;
	TRACE("started");
	if (detach)
		return 0;
	int status = forward_until_exit(sfd, st.pid, o.console_master);
	TRACE("exited, waited for");
	if (o.console_master >= 0)
		close(o.console_master);
	if (status < 0) {
		log_error("waiting for container \"%s\": %m", o.id);
		return 1;
	}
	if (!keep && container_destroy(g->root, &st) < 0)
		return 1;
	TRACE("deleted");
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
