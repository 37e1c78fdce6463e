/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks: fork, state JSON on stdin, wait up to the hook's timeout. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth/runtime/hooks.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

static const char *const hook_names[HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"
};

static int run_one(const struct spec_hook *h, const char *name, size_t i, const char *state)
{
	int in[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return log_error("hooks.%s[%zu]: pipe: %m", name, i);
	pid_t pid = proc_fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return log_error("hooks.%s[%zu]: fork: %m", name, i);
	}
	if (pid == 0) {
		static const char *const no_env[] = { NULL };
		const char *argv0[] = { h->path, NULL };
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(in[0], 0) < 0)
			_exit(126);
		execve(h->path, (char *const *)(h->args ? h->args : argv0),
		       (char *const *)(h->env ? h->env : no_env));
		dprintf(2, "berth: hooks.%s[%zu]: exec %s: %s\n", name, i, h->path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	/* A hook that does not read its stdin must not fail us: ignore EPIPE. */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	write_all(in[1], state, strlen(state));
	close(in[1]);
	signal(SIGPIPE, old);
	int status = wait_child_timeout(pid, h->timeout > 0 ? h->timeout * 1000 : -1);
	if (status < 0 && errno == ETIMEDOUT) {
		kill(pid, SIGKILL);
		wait_child_timeout(pid, -1);
		return log_error("hooks.%s[%zu] (%s): timed out after %d s", name, i, h->path, h->timeout);
	}
	if (status < 0)
		return log_error("hooks.%s[%zu] (%s): wait: %m", name, i, h->path);
	if (WIFSIGNALED(status))
		return log_error("hooks.%s[%zu] (%s): killed by signal %d", name, i, h->path, WTERMSIG(status));
	if (WEXITSTATUS(status))
		return log_error("hooks.%s[%zu] (%s): exited with status %d", name, i, h->path, WEXITSTATUS(status));
	return 0;
}

/* The runtime spec: a failing prestart, createRuntime, createContainer
 * or startContainer hook stops the creation at once; a failing poststart
 * or poststop hook is a warning, and "the remaining hooks and lifecycle
 * continue": every one of them runs. -1 if any failed. */
int hooks_run(const struct spec *s, enum hook_kind k, const char *state)
{
	bool keep_going = k == HOOK_POSTSTART || k == HOOK_POSTSTOP;
	int r = 0;
	for (size_t i = 0; i < s->n_hooks[k]; i++)
		if (run_one(&s->hooks[k][i], hook_names[k], i, state) < 0) {
			r = -1;
			if (!keep_going)
				break;
		}
	return r;
}
