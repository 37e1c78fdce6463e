/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "berth/config.h"
#include "berth/util/log.h"
#include "berth/util/util.h"

static struct {
	int fd;			/* --log file, or -1 */
	int json;
	int debug;
	/* Where the person at the terminal reads: stderr, or a writer that
	 * never blocks (the supervisor's console queue). */
	void (*err_writer)(void *ctx, const char *line, size_t len);
	void *err_ctx;
	void (*sink)(int level, const char *msg);
	const char *subject;	/* what every message of this process is about */
	char *first_error;	/* log_keep_first_error's buffer, or NULL */
	size_t first_error_cap;
	bool init_error_kept;	/* it holds the container init's own report */
} logger = { .fd = -1 };

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int log_open(const char *path, int json, int debug)
{
	logger.json = json;
	logger.debug = debug;
	if (!path)
		return 0;
	logger.fd = openat(AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (logger.fd < 0)
		return log_error("--log %s: %m", path);
	return 0;
}

int log_debug_enabled(void)
{
	return logger.debug;
}

void log_set_writer(void (*writer)(void *ctx, const char *line, size_t len), void *ctx)
{
	logger.err_writer = writer;
	logger.err_ctx = ctx;
}

void log_set_sink(void (*fn)(int level, const char *msg))
{
	logger.sink = fn;
}

const char *log_set_subject(const char *subject)
{
	const char *was = logger.subject;
	logger.subject = subject;
	return was;
}

/* JSON string body with the escapes RFC 8259 requires. */
static size_t json_escape(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = 0;
	return n;
}

/* Not inlined: its 8 KiB of buffers would otherwise sit in every
 * caller's frame, and the supervisor, which has no log file, would keep
 * them in its stack for good. */
__attribute__((noinline)) static void write_log_file(int level, const char *msg)
{
	char line[4096 + 256];
	char stamp[UTC_STAMP_LEN];
	utc_stamp(stamp, sizeof(stamp));
	int n;
	char esc[4096];
	/* logrus quotes text values the same way */
	size_t e = 0;
	if (logger.subject) {
		e = json_escape(esc, sizeof(esc), logger.subject);
		e += json_escape(esc + e, sizeof(esc) - e, ": ");
	}
	json_escape(esc + e, sizeof(esc) - e, msg);
	if (logger.json) {
		n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
			     level_names[level], esc, stamp);
	} else {
		n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n",
			     stamp, level_names[level], esc);
	}
	if (n > (int)sizeof(line))
		n = sizeof(line);
	if (write(logger.fd, line, (size_t)n) < 0) {
		/* Nowhere left to report it; the message still went to stderr. */
	}
}

/* A message is formatted once, in place, behind the head its terminal
 * line needs ("berth: warning: service web: "), in a buffer on the stack
 * that holds the usual message; a longer one is formatted again on the
 * heap. A log call is on the stack of everything that logs, and the
 * supervisor's stack keeps for good every page it ever touched. */
#define HEAD_MAX 288	/* "berth: warning: service " and a name of 255 */
#define LINE_STACK 640
#define MSG_MAX 4096	/* longer messages are cut */

static size_t line_head(char *line, int level)
{
	int n = snprintf(line, HEAD_MAX, "berth: %s%s%s", level == LOG_WARN ? "warning: " : "",
			 logger.subject ? logger.subject : "", logger.subject ? ": " : "");
	return n < HEAD_MAX ? (size_t)n : HEAD_MAX - 1;	/* a subject cut short, not the message */
}

/* line: the head (head bytes), then the message, with room for one more
 * byte (the newline). */
static void emit(int level, char *line, size_t head)
{
	const char *msg = line + head;
	/* (Only the supervisor keeps one: other builds have no code for it.) */
	if (ENABLE_SUPERVISOR && level == LOG_ERROR && logger.first_error && !logger.first_error[0])
		snprintf(logger.first_error, logger.first_error_cap, "%s", msg);
	/* Named where it is written out: a message that comes through a sink
	 * is named once, by the process that writes it. */
	if (logger.sink) {
		logger.sink(level, msg);
		return;
	}
	if (logger.fd >= 0)
		write_log_file(level, msg);
	/* Problems always reach the person at the terminal; chatter only
	 * when there is no log file to hold it. */
	if (level > LOG_WARN && logger.fd >= 0)
		return;
	/* One write per line: lines from several processes do not mix. */
	size_t len = head + strlen(msg);
	line[len++] = '\n';
	if (logger.err_writer)
		logger.err_writer(logger.err_ctx, line, len);
	else if (write(STDERR_FILENO, line, len) < 0) {
		/* Nowhere left to say it. */
	}
}

static void vlog(int level, const char *fmt, va_list ap)
{
	if (level == LOG_DEBUG && !logger.debug)
		return;
	int saved = errno;
	char small[LINE_STACK], *line = small;
	size_t head = line_head(small, level);
	va_list again;
	va_copy(again, ap);
	errno = saved;	/* %m is the caller's errno */
	if (vsnprintf(small + head, sizeof(small) - 1 - head, fmt, ap) >= (int)(sizeof(small) - 1 - head) &&
	    (line = malloc(HEAD_MAX + MSG_MAX + 1))) {
		memcpy(line, small, head);
		errno = saved;
		vsnprintf(line + head, MSG_MAX, fmt, again);
	} else
		line = small;	/* it fits; or no heap: the message as cut */
	va_end(again);
	emit(level, line, head);
	if (line != small)
		free(line);
	errno = saved;
}

/* A message formatted elsewhere (a container's init sends its own). */
void log_message(int level, const char *msg)
{
	if (level == LOG_DEBUG && !logger.debug)
		return;
	size_t n = strlen(msg);
	if (n > MSG_MAX - 1)
		n = MSG_MAX - 1;
	char *line = malloc(HEAD_MAX + n + 2);
	if (!line)
		return;
	size_t head = line_head(line, level);
	memcpy(line + head, msg, n);
	line[head + n] = 0;
	if (ENABLE_SUPERVISOR && level == LOG_ERROR && logger.first_error && !logger.init_error_kept) {
		logger.first_error[0] = 0;	/* emit keeps it */
		logger.init_error_kept = true;
	}
	emit(level, line, head);
	free(line);
}

void log_keep_first_error(char *buf, size_t cap)
{
	if (cap)
		buf[0] = 0;
	logger.first_error = cap ? buf : NULL;
	logger.first_error_cap = cap;
	logger.init_error_kept = false;
}

int log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
	return -1;
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_WARN, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	if (!logger.debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

_Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}
