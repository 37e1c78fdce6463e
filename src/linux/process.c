/* SPDX-License-Identifier: Apache-2.0 */
/* The container process itself: limits, identity, working directory and
 * the final execve. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "berth/util/inroot.h"
#include "berth/linux/linux.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

/* The process's ids by their system calls. musl's wrappers also stop
 * every other thread to change its ids too (__synccall: 2 KB of the
 * static binary); the processes that call these have one thread.
 * 32-bit arm and x86 have calls for 32-bit ids beside the 16-bit ones. */
#ifdef SYS_setresuid32
#define SYS_SETRESUID SYS_setresuid32
#define SYS_SETRESGID SYS_setresgid32
#define SYS_SETGROUPS SYS_setgroups32
#else
#define SYS_SETRESUID SYS_setresuid
#define SYS_SETRESGID SYS_setresgid
#define SYS_SETGROUPS SYS_setgroups
#endif

int process_set_gid_uid(gid_t gid, uid_t uid)
{
	if (syscall(SYS_SETRESGID, gid, gid, gid) < 0)
		return -1;
	return (int)syscall(SYS_SETRESUID, uid, uid, uid);
}

static int set_rlimit(const struct spec_rlimit *r)
{
	struct rlimit rl = {
		.rlim_cur = r->soft == UINT64_MAX ? RLIM_INFINITY : (rlim_t)r->soft,
		.rlim_max = r->hard == UINT64_MAX ? RLIM_INFINITY : (rlim_t)r->hard,
	};
	/* Not setrlimit: musl's keeps a fallback for kernels without
	 * prlimit64 that runs on every thread (__synccall). */
	if (prlimit(0, r->resource, &rl, NULL) == 0)
		return 0;
	struct rlimit cur;
	if (errno == EPERM && prlimit(0, r->resource, NULL, &cur) == 0 && rl.rlim_max > cur.rlim_max)
		return log_error("process.rlimits: RLIMIT_%s: hard limit %llu is above this host's hard limit %llu, "
				 "and raising it needs CAP_SYS_RESOURCE", rlimit_name(r->resource),
				 (unsigned long long)r->hard, (unsigned long long)cur.rlim_max);
	return log_error("process.rlimits: RLIMIT_%s: %m", rlimit_name(r->resource));
}

int process_limits(const struct spec *s)
{
	const struct spec_process *p = &s->process;
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (set_rlimit(&p->rlimits[i]) < 0)
			return -1;
	if (p->has_oom_score_adj) {
		char v[16];
		int n = snprintf(v, sizeof(v), "%d", p->oom_score_adj);
		if (proc_self_write("oom_score_adj", v, (size_t)n) < 0)
			return log_error("process.oomScoreAdj: %d: %m%s", p->oom_score_adj,
					 errno == EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
	}
	return 0;
}

int process_identity(const struct spec *s)
{
	const struct spec_process *p = &s->process;
	/* Keep the permitted set across setuid so caps_apply can pick. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return log_error("prctl(PR_SET_KEEPCAPS): %m");
	if (syscall(SYS_SETGROUPS, p->n_additional_gids, p->additional_gids) < 0 && errno != EPERM)
		return log_error("process.user.additionalGids: %m");
	if (syscall(SYS_SETRESGID, p->gid, p->gid, p->gid) < 0)
		return log_error("process.user.gid %u: %m", (unsigned)p->gid);
	if (syscall(SYS_SETRESUID, p->uid, p->uid, p->uid) < 0)
		return log_error("process.user.uid %u: %m", (unsigned)p->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return log_error("prctl(PR_SET_KEEPCAPS): %m");
	if (p->has_umask)
		umask(p->umask);
	return 0;
}

/* Resolved inside the container's root like every other path, magic
 * links refused, so "/proc/self/fd/N" cannot lead to a directory of the
 * host that berth holds open (CVE-2024-21626); then checked to be
 * reachable from the root. */
int process_cwd(const struct spec *s)
{
	const char *cwd = s->process.cwd;
	int root = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return log_error("process.cwd: opening /: %m");
	int fd = inroot_open(root, cwd, 0);
	int e = errno;
	close(root);
	if (fd < 0) {
		errno = e;
		return log_error("process.cwd %s: %m%s", cwd, e == ELOOP ? " (a symlink loop, or a link of /proc/*/fd)" : "");
	}
	int r = fchdir(fd);
	e = errno;
	close(fd);
	if (r < 0) {
		errno = e;
		return log_error("process.cwd %s: %m", cwd);
	}
	char where[PATH_MAX];
	long n = syscall(SYS_getcwd, where, sizeof(where));
	if (n < 0 || where[0] != '/')
		return log_error("process.cwd %s: the directory is outside the container's root", cwd);
	return 0;
}

int process_make_cwd(const struct spec *s, int rootfd)
{
	int fd = inroot_open(rootfd, s->process.cwd, INROOT_MKDIR);
	if (fd < 0)
		return log_error("process.cwd %s: %m", s->process.cwd);
	close(fd);
	return 0;
}

static const char *env_path(const struct spec *s)
{
	for (const char *const *e = s->process.env; e && *e; e++)
		if (str_starts(*e, "PATH="))
			return *e + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

int process_find_exec(const struct spec *s, char *out, size_t cap)
{
	const char *arg0 = s->process.args[0];
	if (strchr(arg0, '/')) {
		snprintf(out, cap, "%s", arg0);
		if (access(out, X_OK) < 0)
			return log_error("process.args[0]: exec \"%s\": %m", arg0);
		return 0;
	}
	const char *path = env_path(s);
	while (*path) {
		size_t n = strcspn(path, ":");
		struct stat st;
		snprintf(out, cap, "%.*s%s%s", (int)n, n ? path : ".", "/", arg0);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
		path += n + (path[n] == ':');
	}
	return log_error("process.args[0]: exec: \"%s\": executable file not found in $PATH", arg0);
}

int process_exec(const struct spec *s, const char *path)
{
	static const char *const no_env[] = { NULL };
	execve(path, (char *const *)s->process.args, (char *const *)(s->process.env ? s->process.env : no_env));
	return log_error("exec %s: %m", path);
}
