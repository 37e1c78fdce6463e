/* SPDX-License-Identifier: Apache-2.0 */
/* What a service writes: into its ring (for ctl logs), its log-file, and
 * copies of whole lines to the console and /dev/kmsg.
 *
 * None of it may stop the loop, whatever the service does: the log file
 * is opened without following links anywhere on its path and without
 * blocking (a planted symlink or FIFO is refused), the console is
 * written through a non-blocking description of its own, and the copies
 * are rate-limited per service; a line that cannot go out at once is
 * dropped and counted (`ctl status`). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "berth/supervise/supervise.h"
#include "berth/util/inroot.h"
#include "berth/util/util.h"

/* ---- the console ----
 *
 * Written without ever blocking: what the console cannot take at once
 * waits in a bounded queue, flushed as the console drains (EPOLLOUT); a
 * line that finds the queue full is dropped. A slow serial line loses
 * nothing in a burst, and a console that never drains costs the loop
 * nothing. */

#define CONSOLE_QUEUE (16 * 1024)
#define CONSOLE_LAST_MS 2000	/* 16 KiB at 115200 baud take 1.4 s */

static ssize_t console_put(struct supervisor *sv, const char *p, size_t n)
{
	return sv->console_is_socket ? send(sv->console_fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL)
				     : write(sv->console_fd, p, n);
}

static void console_arm(struct supervisor *sv, bool want)
{
	if (want == sv->console_armed)
		return;
	sv->console_armed = want;	/* first: loop_add may log, which comes back here */
	if (want)
		loop_add(sv, sv->console_fd, &sv->console_w, EPOLLOUT);
	else
		loop_del(sv, sv->console_fd);
}

/* true if the line went out or waits in the queue, false if dropped. */
static bool console_write(struct supervisor *sv, const char *p, size_t n)
{
	if (sv->console_fd < 0)
		return false;
	if (!sv->console_q_len) {
		ssize_t w = console_put(sv, p, n);
		if (w == (ssize_t)n)
			return true;
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return false;
		if (w > 0)
			p += w, n -= (size_t)w;	/* the rest of a started line must follow */
		else if (n > CONSOLE_QUEUE)
			return false;
	} else if (sv->console_q_len + n > CONSOLE_QUEUE) {
		return false;
	}
	memcpy(sv->console_q + sv->console_q_len, p, n);
	sv->console_q_len += n;
	console_arm(sv, true);
	return true;
}

/* Writes out of the queue what the console takes now; false once the
 * console is gone (the queue is then dropped: nothing to wait for). */
static bool console_flush(struct supervisor *sv)
{
	while (sv->console_q_len) {
		ssize_t w = console_put(sv, sv->console_q, sv->console_q_len);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			sv->console_q_len = 0;
			return false;
		}
		if (w <= 0)
			return true;
		memmove(sv->console_q, sv->console_q + w, sv->console_q_len - (size_t)w);
		sv->console_q_len -= (size_t)w;
	}
	return true;
}

void output_console_ready(struct supervisor *sv)
{
	console_flush(sv);
	console_arm(sv, sv->console_q_len > 0);
}

/* The supervisor's own messages take the same way (log_set_writer). */
static void console_log_line(void *ctx, const char *line, size_t len)
{
	console_write(ctx, line, len);
}

int output_console_open(struct supervisor *sv)
{
	int fd = sv->pid1 ? STDOUT_FILENO : STDERR_FILENO;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return log_error("supervisor: the console (fd %d): %m; log-console copies are off", fd);
	sv->console_is_socket = S_ISSOCK(st.st_mode);
	if (S_ISREG(st.st_mode) || sv->console_is_socket) {
		/* A file takes every write at once; a socket takes
		 * MSG_DONTWAIT per call (journald's stdout). */
		sv->console_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	} else {
		/* A terminal, a serial line, a pipe: a description of our
		 * own, non-blocking. O_NONBLOCK on the inherited one would
		 * also reach the shell or init that shares it. */
		char path[32];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		sv->console_fd = openat(AT_FDCWD, path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	}
	sv->console_q = sv->console_fd >= 0 ? malloc(CONSOLE_QUEUE) : NULL;
	if (!sv->console_q) {
		if (sv->console_fd >= 0)
			close(sv->console_fd);
		sv->console_fd = -1;
		return log_error("supervisor: the console (fd %d) cannot be written without blocking: %m; "
				 "log-console copies are off", fd);
	}
	sv->console_q_len = 0;
	sv->console_armed = false;
	sv->console_w = (struct watch){ W_CONSOLE, NULL };
	log_set_writer(console_log_line, sv);
	return 0;
}

void output_console_close(struct supervisor *sv)
{
	log_set_writer(NULL, NULL);
	if (sv->console_fd < 0)
		return;
	/* What is still queued goes out now, as the console drains (nothing
	 * else will write it), for CONSOLE_LAST_MS at most: a console that
	 * takes nothing loses the rest. */
	int64_t end = now_ms() + CONSOLE_LAST_MS;
	while (sv->console_q_len) {
		struct pollfd p = { .fd = sv->console_fd, .events = POLLOUT };
		int64_t left = end - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || !console_flush(sv))
			break;
	}
	console_arm(sv, false);
	close(sv->console_fd);
	free(sv->console_q);
	sv->console_q = NULL;
	sv->console_fd = -1;
}

/* ---- the log FIFO ---- */

/* A service's output goes through a FIFO kept in <root>/.logs, not a
 * pipe: the container holds it open for reading too, so when the
 * supervisor is restarted (not as PID 1) the container neither dies of
 * SIGPIPE nor loses what it wrote meanwhile (up to the pipe's 64 KiB,
 * then its writes wait); the next supervisor opens the FIFO and goes on.
 * logp[0]: the supervisor's non-blocking reader; logp[1]: the
 * container's blocking reader-writer (a file description of its own, as
 * O_NONBLOCK is shared by descriptions, not fds). */
int output_open_fifo(struct supervisor *sv, const struct svc *s, int logp[2])
{
	/* The path on the heap, not 4 KiB on the loop's stack for every
	 * start: the supervisor keeps every stack page it ever touched. */
	char *path;
	if (asprintf(&path, "%s/.logs/%s.fifo", sv->root, s->name) < 0)
		return log_error("service %s: %m", s->name);
	int r = -1;
	char *name = strrchr(path, '/');
	*name = 0;	/* <root>/.logs first */
	if (mkdir_p(path, 0700) < 0)
		goto fail;
	*name = '/';
	if (mkfifo(path, 0600) < 0 && errno != EEXIST)
		goto fail;
	logp[0] = openat(AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	logp[1] = logp[0] < 0 ? -1 : openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC);
	if (logp[1] >= 0)
		r = 0;
	else if (logp[0] >= 0) {
		close(logp[0]);
		logp[0] = -1;
	}
fail:
	if (r < 0)
		log_error("service %s: %s: %m", s->name, path);
	free(path);
	return r;
}

/* ---- the rate limit: a token bucket per service ---- */

/* One token per line, counted in thousandths: log-rate tokens a second,
 * log-burst at most; a service starts with a full bucket. */
static bool take_token(struct svc *s, int64_t now)
{
	const struct service_conf *c = &s->conf;
	if (!c->log_rate)
		return true;
	int64_t full = (int64_t)c->log_burst * 1000;
	s->tokens = s->tokens_ms ? s->tokens + (now - s->tokens_ms) * c->log_rate : full;
	if (s->tokens > full)
		s->tokens = full;
	s->tokens_ms = now;
	if (s->tokens < 1000)
		return false;
	s->tokens -= 1000;
	return true;
}

/* ---- the log file ---- */

static void log_file_close(struct svc *s)
{
	if (s->log_file_fd >= 0)
		close(s->log_file_fd);
	s->log_file_fd = -1;
}

/* log-file's directory, reached with no symlink on the way (and the
 * file's name in it): a service that can write a directory on that path
 * could plant one, and the supervisor would then create, append to,
 * rotate and remove files of that name in a directory of the service's
 * choosing. Every use of the file is relative to this fd. */
static int log_dir_open(const char *path, const char **name)
{
	int root = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	int dir = inroot_open_parent(root, path, INROOT_NO_SYMLINKS, name);
	int e = errno;
	close(root);
	errno = e;
	return dir;
}

/* Where the service can write the log's directory it can plant a link
 * to a host file, a FIFO that never drains, or a hard link: each is
 * refused, once, with the reason. */
static int log_file_open(struct svc *s)
{
	const char *path = s->conf.log_file, *name;
	int dir = log_dir_open(path, &name);
	const char *why = NULL;
	int fd = -1;
	struct stat st;
	if (dir < 0)
		why = errno == ELOOP ? "has a symlink on its path (a service could plant one: name it without)" : strerror(errno);
	else if ((fd = openat(dir, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
			      0600)) < 0)
		why = errno == ELOOP ? "is a symlink" : errno == ENXIO ? "is a FIFO" : strerror(errno);
	else if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "is not a regular file";
	else if (st.st_nlink > 1)
		why = "has other hard links";
	if (dir >= 0)
		close(dir);
	if (why) {
		if (fd >= 0)
			close(fd);
		if (!s->log_file_refused)
			log_warn("service %s: log-file %s %s: not writing to it", s->name, path, why);
		s->log_file_refused = true;
		return -1;
	}
	s->log_file_refused = false;
	s->log_file_fd = fd;
	s->log_file_bytes = (size_t)st.st_size;
	return 0;
}

/* Rotate: file.N-1 -> file.N ... file -> file.1; keep log-files of them.
 * A directory that has a symlink on its path now is left as it is: the
 * open that follows says why. */
static void log_file_rotate(struct svc *s)
{
	const struct service_conf *c = &s->conf;
	const char *name;
	log_file_close(s);
	int dir = log_dir_open(c->log_file, &name);
	if (dir < 0)
		return;
	for (int i = c->log_files; i > 0; i--) {
		char from[300], to[300];
		snprintf(from, sizeof(from), i > 1 ? "%s.%d" : "%s", name, i - 1);
		snprintf(to, sizeof(to), "%s.%d", name, i);
		renameat(dir, from, dir, to);
	}
	if (!c->log_files)
		unlinkat(dir, name, 0);
	close(dir);
}

/* Append to log-file, no file growing past log-file-size. */
static void log_file_write(struct svc *s, const char *p, size_t n)
{
	const struct service_conf *c = &s->conf;
	while (c->log_file && n) {
		if (s->log_file_fd >= 0 && c->log_file_size && s->log_file_bytes >= c->log_file_size)
			log_file_rotate(s);
		if (s->log_file_fd < 0) {
			if (log_file_open(s) < 0)
				return;
			continue;	/* it may be full already */
		}
		size_t room = c->log_file_size ? c->log_file_size - s->log_file_bytes : n;
		ssize_t w = write(s->log_file_fd, p, n < room ? n : room);
		if (w <= 0) {
			log_warn("service %s: log-file %s: %m", s->name, c->log_file);
			log_file_close(s);
			return;
		}
		s->log_file_bytes += (size_t)w;
		p += w;
		n -= (size_t)w;
	}
}

void output_close(struct svc *s)
{
	log_file_close(s);
}

/* ---- console and kmsg copies ---- */

static void kmsg_write(struct svc *s, const char *p, size_t n)
{
	int k = openat(AT_FDCWD, "/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	if (k < 0)
		return;
	if (write(k, p, n) < 0)
		log_debug("service %s: /dev/kmsg: %m", s->name);
	close(k);
}

static void copy_line(struct supervisor *sv, struct svc *s, int64_t now)
{
	char rec[SVC_LINE + 256];
	int len;
	/* One write per line: the console does not interleave half lines,
	 * and /dev/kmsg takes each write as a record. */
	if (!take_token(s, now)) {
		s->lines_dropped++;
		return;
	}
	/* After a gap, say how much is missing before going on. */
	if (s->lines_dropped > s->drops_told && s->conf.log_console) {
		len = snprintf(rec, sizeof(rec), "[%s] (%llu lines dropped: log-rate, or the console was full)\n",
			       s->name, (unsigned long long)(s->lines_dropped - s->drops_told));
		if (console_write(sv, rec, (size_t)len))
			s->drops_told = s->lines_dropped;
	}
	if (s->conf.log_console && (len = snprintf(rec, sizeof(rec), "[%s] %s\n", s->name, s->line)) > 0 &&
	    !console_write(sv, rec, (size_t)len < sizeof(rec) ? (size_t)len : sizeof(rec) - 1))
		s->lines_dropped++;
	if (s->conf.log_kmsg && (len = snprintf(rec, sizeof(rec), "<6>%s: %s\n", s->name, s->line)) > 0)
		kmsg_write(s, rec, (size_t)len < sizeof(rec) ? (size_t)len : sizeof(rec) - 1);
}

/* Whole lines (or full line buffers) to the console and/or /dev/kmsg. */
static void copy_lines(struct supervisor *sv, struct svc *s, const char *p, size_t n)
{
	if (!s->conf.log_console && !s->conf.log_kmsg)
		return;
	if (!s->line && !(s->line = malloc(SVC_LINE))) {
		s->lines_dropped++;
		return;
	}
	int64_t now = now_ms();
	for (size_t i = 0; i < n; i++) {
		bool full = s->line_len == SVC_LINE - 1;
		if (p[i] != '\n' && !full) {
			s->line[s->line_len++] = p[i];
			continue;
		}
		s->line[s->line_len] = 0;
		copy_line(sv, s, now);
		s->line_len = 0;
		if (full && p[i] != '\n')
			s->line[s->line_len++] = p[i];
	}
}

/* One page a wake-up: a chatty service is read over several turns of
 * the loop, its neighbours' in between, and the stack a read needs (which
 * stays in the supervisor's RSS for good) is 4 KiB, not 16. svc_log_drain
 * reads 64 pages, four times a pipe's capacity. */
void svc_log_ready(struct supervisor *sv, struct svc *s)
{
	char buf[4096];
	ssize_t n = read(s->log_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {	/* every writer is gone */
		loop_close(sv, &s->log_fd);
		return;
	}
	logring_write(&s->ring, buf, (size_t)n);
	log_file_write(s, buf, (size_t)n);
	copy_lines(sv, s, buf, (size_t)n);
	control_log_follow(sv, s);
}

void svc_log_drain(struct supervisor *sv, struct svc *s)
{
	for (int i = 0; s->log_fd >= 0 && i < 64; i++)
		svc_log_ready(sv, s);
}
