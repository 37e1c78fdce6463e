/* ctl: talk to a running supervisor over its control socket:
 *   list | status NAME | start NAME | stop NAME | restart NAME |
 *   logs [-f] NAME | exec NAME COMMAND...
 * exec runs here, not in the supervisor: it is `berth exec` on the
 * service's container, in the supervisor's state directory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "berth/cli.h"
#include "berth/config.h"
#include "berth/log.h"
#include "berth/util.h"

static int ctl_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path))
		return log_error("--socket %s: too long", path);
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return log_error("no supervisor at %s: %m", path);
	}
	return fd;
}

/* Send the words, then copy the answer: its first byte is the verdict. */
static int request(const char *path, char **words, int n, char *capture, size_t cap)
{
	int fd = ctl_connect(path);
	if (fd < 0)
		return 1;
	char buf[4096];
	size_t len = 0;
	for (int i = 0; i < n; i++) {
		size_t w = strlen(words[i]) + 1;
		if (!words[i][0] || len + w + 1 > sizeof(buf)) {
			close(fd);
			return log_error("ctl: empty or too long arguments"), 1;
		}
		memcpy(buf + len, words[i], w);
		len += w;
	}
	buf[len++] = 0;
	if (write_all(fd, buf, len) < 0) {
		close(fd);
		return log_error("ctl: %m"), 1;
	}
	int verdict = -1;
	ssize_t got;
	size_t kept = 0;
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		char *p = buf;
		if (verdict < 0) {
			verdict = buf[0] == '0' ? 0 : 1;
			p++, got--;
		}
		if (capture) {
			size_t take = (size_t)got < cap - 1 - kept ? (size_t)got : cap - 1 - kept;
			memcpy(capture + kept, p, take);
			kept += take;
			capture[kept] = 0;
		} else {
			write_all(verdict ? 2 : 1, p, (size_t)got);
		}
	}
	close(fd);
	if (verdict < 0)
		return log_error("ctl: the supervisor closed the connection without an answer"), 1;
	return verdict;
}

int cmd_ctl(struct globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	static const struct cmd_help help = { "ctl", "[--socket PATH] COMMAND [ARGS]",
		"  -s, --socket PATH   the supervisor's socket (default " CONFIG_SUPERVISE_SOCKET ")\n"
		"commands: list, status NAME, start NAME, stop NAME, restart NAME,\n"
		"          logs [-f] NAME, exec NAME COMMAND [ARG...]\n" };
	const char *path = CONFIG_SUPERVISE_SOCKET;
	int c, code;
	(void)g;
	while ((c = cli_getopt(argc, argv, "+s:h", opts, &help, &code)) != -1) {
		if (c == -2)
			return code;
		path = optarg;
	}
	if (optind >= argc)
		return cli_usage(&help, 1);
	if (!strcmp(argv[optind], "exec")) {
		if (argc - optind < 3)
			return log_error("ctl exec: expected NAME COMMAND [ARG...]"), 1;
		char root[4096];
		char *q[] = { "root" };
		if (request(path, q, 1, root, sizeof(root)) != 0)
			return 1;
		root[strcspn(root, "\n")] = 0;
		/* berth --root ROOT exec [-t] NAME COMMAND...: a new berth, so
		 * that it runs from its sealed copy as any exec does. */
		int n = argc - optind - 1;
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
			args[k++] = argv[optind + 1 + i];
		execv("/proc/self/exe", args);
		return log_error("ctl exec: %m"), 1;
	}
	return request(path, argv + optind, argc - optind, NULL, 0);
}
