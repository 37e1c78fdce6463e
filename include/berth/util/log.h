/* SPDX-License-Identifier: Apache-2.0 */
/* Messages for people: "berth: what: why". Errors go to stderr and, with
 * --log, to a file in runc's text or json format (containerd reads it). */
#ifndef BERTH_LOG_H
#define BERTH_LOG_H
#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* path may be NULL (stderr only); json selects --log-format json. */
int log_open(const char *path, int json, int debug);
int log_debug_enabled(void);

/* Messages for the terminal go to writer (NULL: stderr), a line at a
 * time: the supervisor's console, which never blocks it. */
void log_set_writer(void (*writer)(void *ctx, const char *line, size_t len), void *ctx);
/* Redirect all messages to fn (the container's init sends them to the
 * runtime over its sync socket, since its stderr belongs to the container). */
void log_set_sink(void (*fn)(int level, const char *msg));
/* Name what every later message of this process is about ("service
 * web"): a child doing one service's work says so on each line, whatever
 * code under it speaks. The string must outlive the process's messages.
 * Returns the subject it replaces (NULL: none), to put back. */
const char *log_set_subject(const char *subject);
/* From now on, the first error this process logs is also copied into buf
 * (cut to cap): what a child that works for another process (the
 * supervisor's starter) tells it went wrong, beside logging it. An error
 * a container's init reports (log_message) takes the place of the
 * process's own, once: what the runtime logs about an init that failed
 * and died is a consequence (its namespaces gone, say), logged sooner. */
void log_keep_first_error(char *buf, size_t cap);
/* Deliver an already formatted message (the runtime side of that socket). */
void log_message(int level, const char *msg);

int log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* returns -1 */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
