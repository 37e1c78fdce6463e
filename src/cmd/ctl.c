/* SPDX-License-Identifier: Apache-2.0 */
/* ctl: talk to a running supervisor over its control socket:
 *   list | status NAME | start NAME | stop NAME | restart NAME |
 *   logs [-f] NAME | exec NAME COMMAND... | wait [--timeout SECONDS]
 * exec runs here, not in the supervisor: it is `berth exec` on the
 * service's container, in the supervisor's state directory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include "berth/cmd/cli.h"
#include "berth/config.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

static int ctl_connect(const char *path)
{
	int fd = unix_connect(path);
	return fd < 0 ? log_error("no supervisor at %s: %m", path) : fd;
}

/* The words, each NUL-terminated, and an empty one to end the request. */
static int send_request(int fd, char **words, int n)
{
	char buf[4096];
	size_t len = 0;
	for (int i = 0; i < n; i++) {
		size_t w = strlen(words[i]) + 1;
		if (!words[i][0] || len + w + 1 > sizeof(buf))
			return log_error("ctl: empty or too long arguments");
		memcpy(buf + len, words[i], w);
		len += w;
	}
	buf[len++] = 0;
	return write_all(fd, buf, len) < 0 ? log_error("ctl: %m") : 0;
}

/* ctl console NAME: the service's terminal here, raw, until ctrl-] (or
 * the service's end). What it printed before comes first. */
#define DETACH 0x1d
static int console(const char *path, char **words)
{
	int fd = ctl_connect(path);
	if (fd < 0 || send_request(fd, words, 2) < 0)
		return 1;
	char verdict;
	if (read(fd, &verdict, 1) != 1)
		return log_error("ctl: the supervisor closed the connection without an answer"), 1;
	if (verdict != '0') {
		char buf[512];
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0)
			write_all(2, buf, (size_t)n);
		return 1;
	}
	struct termios saved;
	bool raw = tcgetattr(0, &saved) == 0;	/* ENOTTY unless 0 is a terminal */
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
		dprintf(2, "[attached to %s: detach with ctrl-]]\r\n", words[1]);
	}
	bool in_open = true;
	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { in_open ? 0 : -1, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		char buf[4096];
		if (p[0].revents) {
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				break;
			write_all(1, buf, (size_t)n);
		}
		if (p[1].revents) {
			ssize_t n = read(0, buf, sizeof(buf));
			char *stop = n > 0 ? memchr(buf, DETACH, (size_t)n) : NULL;
			if (n > 0)
				write_all(fd, buf, stop ? (size_t)(stop - buf) : (size_t)n);
			if (stop)
				break;
			if (n <= 0)
				in_open = false;	/* keep showing its output */
		}
	}
	if (raw) {
		tcsetattr(0, TCSANOW, &saved);
		dprintf(2, "\n[detached]\n");
	}
	close(fd);
	return 0;
}

/* Send the words on fd, then copy the answer: its first byte is the
 * verdict. timeout_ms (-1: none) bounds the wait for it. */
static int exchange(int fd, char **words, int n, char *capture, size_t cap, int timeout_ms)
{
	char buf[4096];
	if (send_request(fd, words, n) < 0) {
		close(fd);
		return 1;
	}
	int verdict = -1;
	ssize_t got;
	size_t kept = 0;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (timeout_ms >= 0 && poll(&p, 1, timeout_ms) == 0) {
			close(fd);
			return log_error("ctl: no answer from the supervisor within %d s", timeout_ms / 1000), 1;
		}
		if ((got = read(fd, buf, sizeof(buf))) <= 0)
			break;
		char *p0 = buf;
		if (verdict < 0) {
			verdict = buf[0] == '0' ? 0 : 1;
			p0++, got--;
		}
		if (capture) {
			size_t take = (size_t)got < cap - 1 - kept ? (size_t)got : cap - 1 - kept;
			memcpy(capture + kept, p0, take);
			kept += take;
			capture[kept] = 0;
		} else {
			write_all(verdict ? 2 : 1, p0, (size_t)got);
		}
	}
	close(fd);
	if (verdict < 0)
		return log_error("ctl: the supervisor closed the connection without an answer"), 1;
	return verdict;
}

static int request(const char *path, char **words, int n, char *capture, size_t cap)
{
	int fd = ctl_connect(path);
	return fd < 0 ? 1 : exchange(fd, words, n, capture, cap, -1);
}

struct reach {
	const char *path;
	int fd, err;
};

static bool reached(void *arg)
{
	struct reach *r = arg;
	r->fd = unix_connect(r->path);
	r->err = errno;
	return r->fd >= 0;
}

/* ctl wait: until the boot has settled, at most timeout_s seconds. Under
 * busybox init the supervisor starts beside the console's shell, so its
 * socket may not be there yet: look for it until then. */
static int wait_boot(const char *path, int timeout_s)
{
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	struct reach r = { path, -1, 0 };
	if (wait_for(reached, &r, -1, 0, timeout_s * 1000) < 0) {
		errno = r.err;
		return log_error("ctl wait: no supervisor at %s after %d s: %m", path, timeout_s), 1;
	}
	int64_t left = deadline - now_ms();
	char *w[] = { "wait" };
	return exchange(r.fd, w, 1, NULL, 0, left > 0 ? (int)left : 0);
}

int cmd_ctl(struct globals *g, int argc, char **argv)
{
	static const struct cli_option opts[] = {
		{ "socket", required_argument, 's' }, { "help", no_argument, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "ctl", "[--socket PATH] COMMAND [ARGS]",
		"  -s, --socket PATH   the supervisor's socket (default " CONFIG_SUPERVISE_SOCKET ")\n"
		"commands: list, status NAME, start NAME, stop NAME, restart NAME,\n"
		"          logs [-f] NAME, console NAME (detach: ctrl-]), exec NAME COMMAND [ARG...],\n"
		"          reload, wait [--timeout SECONDS], poweroff, reboot, halt\n"
#ifdef CONFIG_IMAGE_STORE
		"          update NAME [IMAGE|FILE] [--timeout DURATION] [--settle DURATION],\n"
		"          rollback NAME (image services)\n"
#endif
		, NULL };
	const char *path = CONFIG_SUPERVISE_SOCKET;
	int c, code;
	(void)g;
	while ((c = cli_getopt(argc, argv, "+s:h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		path = cli_optarg;
	}
	if (cli_optind >= argc)
		return cli_usage(&help, 1);
	if (!strcmp(argv[cli_optind], "console")) {
		if (argc - cli_optind != 2)
			return log_error("ctl console: expected NAME"), 1;
		return console(path, argv + cli_optind);
	}
	if (!strcmp(argv[cli_optind], "wait")) {
		int n = argc - cli_optind;
		uint64_t secs = 60;
		bool timeout_ok = n == 3 && !strcmp(argv[cli_optind + 1], "--timeout") &&
				  parse_u64(argv[cli_optind + 2], &secs) == 0 && secs > 0 && secs <= 86400;
		if (n != 1 && !timeout_ok)
			return log_error("ctl wait: expected [--timeout SECONDS] (1 to 86400)"), 1;
		return wait_boot(path, (int)secs);
	}
	if (!strcmp(argv[cli_optind], "exec")) {
		if (argc - cli_optind < 3)
			return log_error("ctl exec: expected NAME COMMAND [ARG...]"), 1;
		char root[4096];
		char *q[] = { "root" };
		if (request(path, q, 1, root, sizeof(root)) != 0)
			return 1;
		root[strcspn(root, "\n")] = 0;
		/* berth --root ROOT exec [-t] NAME COMMAND...: a new berth, so
		 * that it runs from its sealed copy as any exec does. */
		int n = argc - cli_optind - 1;
		char **args = calloc((size_t)n + 6, sizeof(*args));
		if (!args)
			return 1;
		int k = 0;
		args[k++] = "berth";
		args[k++] = "--root";
		args[k++] = root;
		args[k++] = "exec";
		if (isatty(0) && isatty(1))	/* a person at a terminal */
			args[k++] = "-t";
		for (int i = 0; i < n; i++)
			args[k++] = argv[cli_optind + 1 + i];
		execv("/proc/self/exe", args);
		return log_error("ctl exec: %m"), 1;
	}
	return request(path, argv + cli_optind, argc - cli_optind, NULL, 0);
}
