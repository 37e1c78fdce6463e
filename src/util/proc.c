/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "berth/util/log.h"
#include "berth/util/util.h"

/* Reads "pid (comm) S ... starttime" where comm may hold spaces and ')':
 * everything after the last ')' is fixed-format. Returns the state char. */
static char proc_stat(pid_t pid, uint64_t *start_time)
{
	char path[64], digits[21], s[1024];
	str_cat(path, sizeof(path), "/proc/", str_utoa((unsigned long)pid, digits), "/stat", (char *)NULL);
	/* Into the stack, not read_file's heap block: musl's allocator
	 * maps and unmaps a page for it each time, and `list` asks once
	 * per container. Field 22 comes within the first 600 bytes (a
	 * 64-character comm, 19 numbers of at most 20 digits). */
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read_all(fd, s, sizeof(s) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	s[n] = 0;
	char *p = strrchr(s, ')');
	char state = 0;
	*start_time = 0;
	if (p && p[1] == ' ') {
		state = p[2];
		/* starttime is field 22; after ')' comes field 3 (state). */
		int field = 3;
		for (p += 2; *p && field < 22; p++)
			if (*p == ' ')
				field++;
		*start_time = str_u64_at(p);
	}
	return state;
}

uint64_t proc_start_time(pid_t pid)
{
	uint64_t t;
	return proc_stat(pid, &t) ? t : 0;
}

bool proc_is_alive(pid_t pid, uint64_t start_time)
{
	uint64_t t;
	char state = proc_stat(pid, &t);
	return state && state != 'Z' && state != 'X' && (!start_time || t == start_time);
}

int pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

int pidfd_signal(int pidfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (pidfd >= 0)
		return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#endif
	return kill(pid, sig);
}

int proc_signal(pid_t pid, uint64_t start_time, int sig)
{
	/* No pidfd (before 5.3, or a seccomp filter that does not know
	 * pidfd_open): kill(2) after the check. A pid <= 0 (a process group,
	 * every process) has no /proc entry, so it is never alive here. */
	int fd = pidfd_open_compat(pid), r = -1;
	if (proc_is_alive(pid, start_time))
		r = pidfd_signal(fd, pid, sig);
	else
		errno = ESRCH;
	if (fd >= 0)
		close(fd);	/* a pidfd's close does not fail: errno stays */
	return r;
}

struct child_wait {
	pid_t pid;
	int status, err;	/* err: waitpid failed */
	bool gone;
};

static bool child_exited(void *arg)
{
	struct child_wait *w = arg;
	pid_t r = waitpid(w->pid, &w->status, WNOHANG);
	if (r == w->pid)
		return w->gone = true;
	if (r < 0 && errno != EINTR) {
		w->err = errno;
		return true;
	}
	return false;
}

int wait_child_timeout(pid_t pid, int timeout_ms)
{
	int status;
	if (timeout_ms < 0) {
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return -1;
		return status;
	}
	struct child_wait w = { .pid = pid };
	int pfd = pidfd_open_compat(pid);
	int r = wait_for(child_exited, &w, pfd, POLLIN, timeout_ms);
	if (pfd >= 0)
		close(pfd);
	if (r < 0)
		return -1;
	if (!w.gone) {
		errno = w.err;
		return -1;
	}
	return w.status;
}

/* clone3's argument, as in linux/sched.h (5.7+), which older kernel
 * headers lack. */
struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE_INTO_CGROUP_FLAG 0x200000000ULL

pid_t clone_fork(unsigned long flags, int cgroup_fd, bool *into_cgroup)
{
#ifdef SYS_clone3
	if (cgroup_fd >= 0) {
		struct clone_args_v2 a = { .flags = flags | CLONE_INTO_CGROUP_FLAG, .exit_signal = SIGCHLD,
					   .cgroup = (uint64_t)cgroup_fd };
		long pid = syscall(SYS_clone3, &a, sizeof(a));
		if (pid >= 0) {
			*into_cgroup = true;
			return (pid_t)pid;
		}
		/* Before 5.7 (ENOSYS, E2BIG, EINVAL) and on refusals the
		 * plain clone below reports what is really wrong, if anything. */
	}
#endif
	if (into_cgroup)
		*into_cgroup = false;
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

pid_t clone_via_helper(const struct ns_join *joins, size_t n, unsigned long flags, int cgroup_fd, bool *born,
		       void (*child)(void *arg, bool born), void *arg)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return log_error("pipe: %m");
	pid_t helper = proc_fork();
	if (helper == 0) {
		close(p[0]);
		for (size_t i = 0; i < n; i++)
			if (joins[i].fd >= 0 && setns(joins[i].fd, joins[i].nstype) < 0) {
				log_error("joining %s: %m", joins[i].what);
				_exit(1);
			}
		bool b = false;
		pid_t pid = clone_fork(CLONE_PARENT | flags, cgroup_fd, &b);
		if (pid == 0) {
			close(p[1]);
			child(arg, b);
			_exit(127);
		}
		int msg[2] = { pid, b };
		_exit(pid < 0 || write(p[1], msg, sizeof(msg)) != sizeof(msg));
	}
	close(p[1]);
	int msg[2] = { -1, 0 };
	int status = helper < 0 ? -1 : wait_child_timeout(helper, -1);
	bool got = status == 0 && read_all(p[0], msg, sizeof(msg)) == sizeof(msg);
	close(p[0]);
	if (!got) {
		errno = helper < 0 ? errno : EINVAL;
		return -1;
	}
	if (born)
		*born = msg[1];
	return msg[0];
}
