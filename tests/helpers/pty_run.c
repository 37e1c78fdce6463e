/* SPDX-License-Identifier: Apache-2.0 */
/* A terminal for a test: runs PROGRAM on a new pty as its controlling
 * terminal and copies everything it writes to stdout.
 *   -a        answer as a terminal does: ESC[12;34R for every ESC[6n
 *   -p TEXT   the prompt (default "$ ")
 *   -t LINE   type LINE once the prompt has appeared one more time than
 *             lines typed so far (repeatable, in order)
 * Exits with PROGRAM's status; 124 after 30 s. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t count(const char *hay, size_t n, const char *needle)
{
	size_t c = 0, k = strlen(needle);
	for (size_t i = 0; k && i + k <= n; i++)
		if (!memcmp(hay + i, needle, k))
			c++;
	return c;
}

int main(int argc, char **argv)
{
	int answer = 0, o;
	const char *prompt = "$ ";
	char *lines[32];
	size_t nlines = 0, typed = 0;
	while ((o = getopt(argc, argv, "+ap:t:")) != -1) {
		if (o == 'a')
			answer = 1;
		else if (o == 'p')
			prompt = optarg;
		else if (o == 't' && nlines < 32)
			lines[nlines++] = optarg;
		else
			return 2;
	}
	if (optind >= argc)
		return 2;
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return perror("pty"), 2;
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		int s = open(ptsname(m), O_RDWR);
		if (s < 0)
			_exit(2);
		ioctl(s, TIOCSCTTY, 0);
		dup2(s, 0), dup2(s, 1), dup2(s, 2);
		close(m);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	alarm(30);
	static char out[1 << 16];
	size_t n = 0, asked = 0;
	for (;;) {
		struct pollfd p = { .fd = m, .events = POLLIN };
		if (poll(&p, 1, -1) < 0)
			break;
		ssize_t k = read(m, out + n, sizeof(out) - 1 - n);
		if (k <= 0)
			break;	/* EIO: every slave end closed */
		fwrite(out + n, 1, (size_t)k, stdout);
		fflush(stdout);
		n += (size_t)k;
		for (size_t q = count(out, n, "\033[6n"); answer && asked < q; asked++)
			if (write(m, "\033[12;34R", 8) != 8)
				return 2;
		if (typed < nlines && count(out, n, prompt) > typed) {
			dprintf(m, "%s\n", lines[typed]);
			typed++;
		}
		if (n >= sizeof(out) - 1)
			n = 0;
	}
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return 2;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
