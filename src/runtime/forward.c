/* SPDX-License-Identifier: Apache-2.0 */
/* A foreground container process (run, exec): signals sent to berth go
 * to it, and with a terminal, berth relays the pty to its own stdio in
 * raw mode, window size changes included, until the process exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "berth/runtime/container.h"
#include "berth/util/util.h"

void forward_winsize(int master)
{
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0 || ioctl(1, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Copy what is readable from `from` to `to`: 1 copied, 0 nothing to
 * read now, -1 end of input (EIO: the pty's last slave is closed). */
static int pump(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	write_all(to, buf, (size_t)n);
	return 1;
}

int forward_until_exit(int sfd, pid_t pid, int master)
{
	struct termios saved;
	bool raw = master >= 0 && tcgetattr(0, &saved) == 0;	/* ENOTTY unless 0 is a terminal */
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
	}
	if (master >= 0) {
		forward_winsize(master);
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	}
	int in = master >= 0 ? 0 : -1, out = master, status = -1;
	for (;;) {
		struct pollfd p[3] = { { sfd, POLLIN, 0 }, { in, POLLIN, 0 }, { out, POLLIN, 0 } };
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[2].revents && pump(out, 1) < 0)
			out = -1;
		if (p[1].revents && pump(in, master) < 0)
			in = -1;
		if (!(p[0].revents & POLLIN))
			continue;
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH && master >= 0) {
			forward_winsize(master);
		} else if (si.ssi_signo == SIGCHLD) {
			pid_t r = waitpid(pid, &status, WNOHANG);
			if (r == pid || (r < 0 && errno == ECHILD))
				break;
		} else if (si.ssi_signo != SIGURG) {
			kill(pid, (int)si.ssi_signo);
		}
	}
	/* What the process wrote just before it exited. */
	while (out >= 0 && pump(out, 1) > 0)
		;
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	return status;
}
