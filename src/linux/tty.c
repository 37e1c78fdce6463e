/* SPDX-License-Identifier: Apache-2.0 */
/* A console's line mode, chosen once, before a shell gets the console.
 *
 * A terminal (a person's minicom, picocom or screen, QEMU's -nographic
 * window) answers a cursor position query, ESC[6n, with ESC[ROW;COLR. A
 * record of the console (a file, a pipe, a serial logger) never does.
 * busybox ash, built with FEATURE_EDITING_ASK_TERMINAL as Debian builds
 * it, sends that query after every prompt. Where nothing answers, each
 * query is a raw escape sequence in the record, for nothing.
 *
 * So berth asks once. Where no answer comes, it turns the console's echo
 * off and keeps ECHONL, so that each line still ends. ash then reads plain
 * lines (its fallback when echo is off) and never asks again; a client
 * in line mode (socat, a logger that types) echoes on its own side anyway.
 * Where the answer comes, nothing changes: line editing, history, and
 * ash's queries, which the terminal keeps answering. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "berth/linux/linux.h"
#include "berth/util/util.h"

/* Whether buf holds ESC [ DIGITS ; DIGITS R. */
static bool holds_position(const char *buf, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (buf[i] != '\033' || buf[i + 1] != '[')
			continue;
		size_t j = i + 2;
		int fields = 0, digits = 0;
		for (; j < n; j++) {
			char c = buf[j];
			if (c >= '0' && c <= '9')
				digits++;
			else if (c == ';' && digits && !fields)
				fields = 1, digits = 0;
			else
				break;
		}
		if (j < n && buf[j] == 'R' && fields && digits)
			return true;
	}
	return false;
}

bool tty_answer_feed(struct tty_answer *a, const char *bytes, size_t n)
{
	while (n) {
		if (a->n == sizeof(a->buf)) {	/* keep the tail: the answer may straddle */
			memmove(a->buf, a->buf + sizeof(a->buf) / 2, sizeof(a->buf) / 2);
			a->n = sizeof(a->buf) / 2;
		}
		size_t k = sizeof(a->buf) - a->n;
		if (k > n)
			k = n;
		memcpy(a->buf + a->n, bytes, k);
		a->n += k, bytes += k, n -= k;
		if (holds_position(a->buf, a->n))
			return true;
	}
	return false;
}

/* Asks the terminal on fd where its cursor is; true if it answers within
 * timeout_ms. The fd is in non-canonical mode without echo. */
static bool terminal_answers(int fd, int timeout_ms)
{
	if (write(fd, "\033[6n", 4) != 4)
		return false;
	struct tty_answer a = { .n = 0 };
	int64_t end = now_ms() + timeout_ms;
	for (;;) {
		int64_t left = end - now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		char chunk[64];
		ssize_t k = read(fd, chunk, sizeof(chunk));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		if (tty_answer_feed(&a, chunk, (size_t)k))
			return true;
	}
}

int tty_choose_line_mode(int fd, int timeout_ms)
{
	struct termios saved, probe;
	if (tcgetattr(fd, &saved) < 0)
		return -1;
	probe = saved;
	probe.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	probe.c_cc[VMIN] = 1;
	probe.c_cc[VTIME] = 0;
	/* Keys pressed during the boot are neither an answer nor a command. */
	if (tcsetattr(fd, TCSAFLUSH, &probe) < 0)
		return -1;
	bool answered = terminal_answers(fd, timeout_ms);
	struct termios after = saved;
	if (!answered) {
		after.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHOKE | ECHOCTL);
		after.c_lflag |= ICANON | ECHONL;
	}
	/* TCSAFLUSH: what came with or after the answer is dropped too. */
	if (tcsetattr(fd, TCSAFLUSH, &after) < 0)
		return -1;
	return answered;
}
