/* SPDX-License-Identifier: Apache-2.0 */
/* exec: run a new process in a running container, as runc does: the
 * container's process (env, user, capabilities, limits, seccomp) with
 * what the flags change, or a whole process from --process FILE. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/runtime/container.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

enum { X_CWD = 256, X_PID_FILE, X_CONSOLE, X_NNP, X_PRESERVE, X_IGNORE_PAUSED, X_LABEL, X_APPARMOR, X_CGROUP };

struct exec_flags {
	const char *process_file, *cwd, *user, *pid_file, *apparmor, *label;
	const char *env[64], *caps[64], *gids[64];
	size_t n_env, n_caps, n_gids;
	bool tty, detach, nnp, ignore_paused;
};

static int add(const char **list, size_t *n, const char *v, const char *flag)
{
	if (*n == 64)
		return log_error("exec: too many %s options", flag);
	list[(*n)++] = v;
	return 0;
}

/* "1000", "1000:1000". Names would have to be looked up in the
 * container's /etc/passwd; callers (podman, containerd) pass numbers. */
static int parse_user_flag(const char *u, struct spec_process *p)
{
	uint64_t uid, gid;
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", u);
	char *colon = strchr(buf, ':');
	if (colon)
		*colon = 0;
	if (parse_u64(buf, &uid) < 0 || uid > UINT32_MAX - 1 || (colon && (parse_u64(colon + 1, &gid) < 0 || gid > UINT32_MAX - 1)))
		return log_error("exec: --user \"%s\": expected UID[:GID] as numbers", u);
	p->uid = (uid_t)uid;
	if (colon)
		p->gid = (gid_t)gid;
	return 0;
}

/* env: the container's, with --env entries replacing same-named ones. */
static const char *const *merge_env(struct spec *s, const struct exec_flags *f)
{
	size_t n = 0;
	for (const char *const *e = s->process.env; e && *e; e++)
		n++;
	const char **out = arena_array(&s->arena, n + f->n_env + 1, sizeof(*out));
	size_t k = 0;
	for (const char *const *e = s->process.env; e && *e; e++) {
		size_t key = strcspn(*e, "=");
		bool replaced = false;
		for (size_t i = 0; i < f->n_env && !replaced; i++)
			replaced = !strncmp(f->env[i], *e, key) && f->env[i][key] == '=';
		if (!replaced)
			out[k++] = *e;
	}
	for (size_t i = 0; i < f->n_env; i++)
		out[k++] = f->env[i];
	return out;
}

static int apply_flags(struct spec *s, const struct exec_flags *f, char **cmd)
{
	struct spec_process *p = &s->process;
	if (f->process_file) {
		size_t len;
		char *text = read_file(f->process_file, &len);
		if (!text)
			return log_error("exec: --process %s: %m", f->process_file);
		int r = oci_process_from_text(s, text, len, f->process_file);
		free(text);
		if (r < 0)
			return -1;
	} else {
		p->args = (const char *const *)cmd;
		p->env = merge_env(s, f);
		p->terminal = f->tty;
		if (f->cwd)
			p->cwd = f->cwd;
		if (f->user && parse_user_flag(f->user, p) < 0)
			return -1;
	}
	if (f->nnp)
		p->no_new_privileges = true;
	if (f->apparmor)
		p->apparmor_profile = f->apparmor;
	if (f->label)
		p->selinux_label = f->label;
	for (size_t i = 0; i < f->n_caps; i++) {
		int cap = cap_from_name(f->caps[i]);
		if (cap < 0)
			return log_error("exec: --cap \"%s\": unknown capability", f->caps[i]);
		p->has_caps = true;
		for (int set = 0; set < CAP_SETS; set++)
			if (set != CAPS_AMBIENT)
				p->caps[set] |= 1ull << cap;
	}
	if (f->n_gids) {
		gid_t *g = arena_array(&s->arena, f->n_gids, sizeof(*g));
		for (size_t i = 0; i < f->n_gids; i++) {
			uint64_t v;
			if (parse_u64(f->gids[i], &v) < 0 || v > UINT32_MAX - 1)
				return log_error("exec: --additional-gids \"%s\": not a group id", f->gids[i]);
			g[i] = (gid_t)v;
		}
		p->additional_gids = g;
		p->n_additional_gids = f->n_gids;
	}
	if (!p->cwd || p->cwd[0] != '/')
		return log_error("exec: the working directory must be an absolute path");
	return 0;
}

static int parse(int argc, char **argv, struct exec_flags *f, struct exec_opts *o, int *code)
{
	static const struct cli_option opts[] = {
		{ "process", required_argument, 'p' }, { "tty", no_argument, 't' },
		{ "detach", no_argument, 'd' }, { "env", required_argument, 'e' },
		{ "user", required_argument, 'u' }, { "cap", required_argument, 'c' },
		{ "additional-gids", required_argument, 'g' }, { "cwd", required_argument, X_CWD },
		{ "pid-file", required_argument, X_PID_FILE }, { "console-socket", required_argument, X_CONSOLE },
		{ "no-new-privs", no_argument, X_NNP }, { "preserve-fds", required_argument, X_PRESERVE },
		{ "ignore-paused", no_argument, X_IGNORE_PAUSED }, { "process-label", required_argument, X_LABEL },
		{ "apparmor", required_argument, X_APPARMOR }, { "cgroup", required_argument, X_CGROUP },
		{ "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "exec", "[options] ID [COMMAND [ARG...]]",
		"  -p, --process FILE      the whole process as OCI JSON\n"
		"  -t, --tty               allocate a terminal\n"
		"  -d, --detach            return once the process runs\n"
		"  -e, --env K=V           add or replace an environment variable\n"
		"  -u, --user UID[:GID]    run as this user\n"
		"  -c, --cap CAP           add a capability\n"
		"  -g, --additional-gids GID\n"
		"  --cwd DIR               working directory\n"
		"  --pid-file FILE         write the process's pid to FILE\n"
		"  --console-socket PATH   send the terminal's master there\n"
		"  --no-new-privs          set no_new_privs\n"
		"  --preserve-fds N        pass fds 3..3+N-1\n"
		"  --ignore-paused         allow exec into a paused container\n"
		"  --apparmor PROFILE      AppArmor profile for the process\n"
		"  --process-label LABEL   SELinux label for the process\n", NULL };
	int c;
	uint64_t n;
	/* '+': the command's own options after the ID are not berth's. */
	while ((c = cli_getopt(argc, argv, "+p:tde:u:c:g:h", opts, &help, code)) != -1) {
		switch (c) {
		case -2: return -1;
		case 'p': f->process_file = cli_optarg; break;
		case 't': f->tty = true; break;
		case 'd': f->detach = true; break;
		case 'e':
			if (!strchr(cli_optarg, '='))
				return log_error("exec: --env \"%s\": expected KEY=VALUE", cli_optarg);
			if (add(f->env, &f->n_env, cli_optarg, "--env") < 0)
				return -1;
			break;
		case 'u': f->user = cli_optarg; break;
		case 'c': if (add(f->caps, &f->n_caps, cli_optarg, "--cap") < 0) return -1; break;
		case 'g': if (add(f->gids, &f->n_gids, cli_optarg, "--additional-gids") < 0) return -1; break;
		case X_CWD: f->cwd = cli_optarg; break;
		case X_PID_FILE: f->pid_file = cli_optarg; break;
		case X_CONSOLE: o->console_socket = cli_optarg; break;
		case X_NNP: f->nnp = true; break;
		case X_IGNORE_PAUSED: f->ignore_paused = true; break;
		case X_PRESERVE:
			if (parse_u64(cli_optarg, &n) < 0 || n > 1024)
				return log_error("exec: --preserve-fds \"%s\" is not a count of file descriptors", cli_optarg);
			o->preserve_fds = (int)n;
			break;
		case X_LABEL: f->label = cli_optarg; break;
		case X_APPARMOR: f->apparmor = cli_optarg; break;
		case X_CGROUP:
			return log_error("exec: --cgroup: sub-cgroups are not supported; the process joins the container's cgroup");
		default: return -1;
		}
	}
	*code = 1;
	if (cli_optind >= argc)
		return log_error("exec: a container id is required"), cli_usage(&help, 1), -1;
	if (!f->process_file && cli_optind + 1 >= argc)
		return log_error("exec: a command (or --process FILE) is required"), -1;
	return 0;
}

int cmd_exec(struct globals *g, int argc, char **argv)
{
	struct exec_flags f = { 0 };
	struct exec_opts o = { 0 };
	int code = 1;
	if (parse(argc, argv, &f, &o, &code) < 0)
		return code;
	const char *id = argv[cli_optind];
	struct state st;
	struct spec s;
	spec_init(&s);
	int ret = 1, sfd = -1;
	if (container_load(g->root, id, &st) < 0 || state_spec(g->root, id, &s) < 0 ||
	    apply_flags(&s, &f, argv + cli_optind + 1) < 0)
		goto out;
	enum status status = state_status(g->root, &st);
	if (status == STATUS_STOPPED || (status == STATUS_PAUSED && !f.ignore_paused)) {
		log_error("cannot exec in container \"%s\": it is %s", id, status_name(status));
		goto out;
	}
	if (s.process.terminal && f.detach && !o.console_socket) {
		log_error("exec: a terminal for a detached process needs --console-socket");
		goto out;
	}
	if (o.console_socket && !s.process.terminal) {
		log_error("exec: --console-socket given, but the process has no terminal (-t)");
		goto out;
	}
	/* Signals blocked before the process exists: none is lost. */
	if (!f.detach && (sfd = signalfd_all()) < 0) {
		log_error("signalfd: %m");
		goto out;
	}
	if (container_exec(g->root, &st, &s, &o) < 0 || (f.pid_file && write_pid_file(f.pid_file, o.pid) < 0))
		goto out;
	if (f.detach) {
		ret = 0;
		goto out;
	}
	int wstatus = forward_until_exit(sfd, o.pid, o.console_master);
	ret = wstatus < 0 ? 1 : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
out:
	if (o.console_master >= 0)
		close(o.console_master);
	spec_free(&s);
	return ret;
}
