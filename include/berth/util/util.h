/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers used by more than one module. Functions returning int
 * return 0 on success and -1 after logging what failed, unless noted. */
#ifndef BERTH_UTIL_H
#define BERTH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* fs.c */
/* Whole file into a malloc'd, NUL-terminated buffer; NULL with errno set. */
char *read_file(const char *path, size_t *len);
char *read_file_at(int dirfd, const char *path, size_t *len);
char *read_fd(int fd, size_t *len);	/* to end of file; fd stays open */
int write_file(const char *path, const char *data, size_t len, mode_t mode);	/* no logging */
/* fchmodat(dirfd, name, mode, 0): name's mode, following a final link
 * (callers name what they made). musl's fchmodat also carries an
 * emulation of AT_SYMLINK_NOFOLLOW, 380 bytes berth never asks for. */
int chmod_at(int dirfd, const char *name, mode_t mode);
/* A file the kernel provides (cgroup, /proc, /sys), written; never
 * created, so that a path that leads elsewhere fails instead of making a
 * file there. No logging. */
int write_kernel_file(const char *path, const char *data, size_t len);
/* /proc/self/REL written, opened by proc_self_open (berth/util/inroot.h). */
int proc_self_write(const char *rel, const char *data, size_t len);
/* Write to path.tmp then rename: readers never see a partial file. */
int write_file_atomic(int dirfd, const char *name, const char *data, size_t len);
/* The same, surviving a power cut once it returns: the file and the
 * directory are synced (no logging). */
int write_file_durable(int dirfd, const char *name, const char *data, size_t len, mode_t mode);
int mkdir_p(const char *path, mode_t mode);					/* no logging */
int remove_tree(const char *path);						/* no logging */
int remove_tree_at(int dirfd, const char *name);	/* name under dirfd; symlinks not followed */
int write_all(int fd, const void *buf, size_t len);				/* no logging */
ssize_t read_all(int fd, void *buf, size_t len);				/* no logging */

/* strutil.c */
bool str_starts(const char *s, const char *prefix);
/* The strings up to NULL, one after another, into out: the length, or -1
 * (out cut, still terminated) when they do not fit. For paths built once
 * per container by `list` and `state`, where musl's snprintf costs more
 * than the system calls around it. */
int str_cat(char *out, size_t cap, ...);
/* Split s in place into words (blanks between): at most max of them in
 * words[]; returns how many, or max + 1 when more follow. What musl's
 * sscanf("%s %s") did for berth, without linking scanf. */
size_t str_words(char *s, char **words, size_t max);
/* The line of text at *at, its '\n' replaced by a NUL, *at moved past
 * it; NULL at the end of the text. Whole lines however long, where a
 * fgets buffer cut a long one into two (a cgroup path, a ps line):
 *	for (char *at = text, *line; (line = next_line(&at));) */
char *next_line(char **at);
/* fork(), less what only a threaded program needs (atfork handlers, the
 * C library's locks): berth has one thread, and musl's fork() is 460
 * bytes more. _Fork is musl's since 1.2.3 and glibc's since 2.34. */
#if defined(__UCLIBC__) || (defined(__GLIBC__) && __GLIBC__ * 100 + __GLIBC_MINOR__ < 234)
#define proc_fork() fork()
#else
#define proc_fork() _Fork()
#endif
/* Room for `need` bytes in the malloc'd p (of *cap bytes, p NULL at 0):
 * p itself when it has it, else p realloc'd to twice over (from 256) and
 * *cap updated; NULL when memory is out, p then unchanged. For buffers
 * written piece by piece (json_write, dbus). */
void *buffer_reserve(void *p, size_t *cap, size_t need);
/* strstr by the plain loop: berth looks for short words in short texts,
 * and musl's two-way search is 1.3 KB of the static binary. */
char *str_find(const char *hay, const char *needle);
/* Sort strings in strcmp order, in place. */
void str_sort(char **v, size_t n);
/* v in decimal, in buf; returns where the digits start. */
const char *str_utoa(unsigned long v, char buf[static 21]);
/* A container id or service name, as runc allows them: letters, digits,
 * '_', '+', '-', '.'; not "." or "..". */
bool name_is_valid(const char *s);
/* Whether a component of `path` is "." or ".." (a path joined to a
 * directory as a string must not climb out of it). */
bool path_has_dot_component(const char *path);
/* The decimal number s starts with (digits only: no sign, blank or base)
 * in *out, and *end (if not NULL) past it; -1 if s starts with no digit
 * or the number needs more than 64 bits. */
int str_scan_u64(const char *s, uint64_t *out, const char **end);
/* The number the kernel wrote at s: its leading digits' value, 0 if there
 * are none, UINT64_MAX if too large (as strtoull). */
uint64_t str_u64_at(const char *s);
int parse_u64(const char *s, uint64_t *out);		/* decimal only; -1 on junk */
int parse_i64(const char *s, int64_t *out);		/* an optional sign, then as parse_u64 */
/* A byte count with an optional binary unit ("64m", "1GiB"), or -1. */
int parse_size(const char *s, int64_t *out);
/* "500ms", "30s", "5m", "1h" (or bare seconds) -> milliseconds. */
int parse_duration_ms(const char *s, int64_t *ms);
/* "SIGKILL", "KILL", "kill" or "9" -> 9; -1 if unknown. */
int signal_from_name(const char *s);
const char *signal_name(int sig);
/* CAP_SYS_ADMIN -> 21; -1 if unknown. */
int cap_from_name(const char *s);
const char *cap_name(int cap);
int cap_last_known(void);

/* proc.c */
/* Field 22 of /proc/PID/stat: survives PID reuse checks. 0 if gone. */
uint64_t proc_start_time(pid_t pid);
/* true if pid exists, is not a zombie and has the given start time. */
bool proc_is_alive(pid_t pid, uint64_t start_time);
int pidfd_open_compat(pid_t pid);
/* sig to the process behind pidfd, which cannot be another that took its
 * pid since; pidfd < 0 (a kernel before 5.3): kill(2) of pid. */
int pidfd_signal(int pidfd, pid_t pid, int sig);
/* sig to pid if it is still the live process that started at start_time
 * (0: any): a pidfd taken before the check pins it until the signal goes.
 * ESRCH when it is gone or another has its pid. */
int proc_signal(pid_t pid, uint64_t start_time, int sig);
/* fork(2) with clone flags (namespaces): the child returns 0 on the same
 * stack. With cgroup_fd >= 0 (a cgroup v2 directory), the child is born
 * in that cgroup where the kernel can (clone3, 5.7+): *into_cgroup says. */
pid_t clone_fork(unsigned long flags, int cgroup_fd, bool *into_cgroup);	/* -1 when the kernel lacks pidfds */
/* A namespace to join: an open /proc/PID/ns/X (or bind-mounted) file, its
 * CLONE_NEW* type, and what to call it in an error. */
struct ns_join {
	int fd;
	int nstype;
	const char *what;
};
/* Fork a helper that joins these namespaces (fd -1: skipped), then clones
 * (flags, born in cgroup_fd where it can, as clone_fork) with CLONE_PARENT,
 * so that the child is ours, made inside namespaces we cannot enter
 * ourselves (a user namespace owning the new ones; a pid namespace). The
 * child runs child(arg, born_in_cgroup) and must not return. Returns the
 * child's pid; -1 if the helper failed (it logged why). */
pid_t clone_via_helper(const struct ns_join *joins, size_t n, unsigned long flags, int cgroup_fd, bool *born,
		       void (*child)(void *arg, bool born), void *arg);
/* Wait up to timeout_ms (-1: forever) for a child to exit; returns its
 * wait status, or -1 with errno ETIMEDOUT. */
int wait_child_timeout(pid_t pid, int timeout_ms);
/* waitfor.c: wait up to timeout_ms (-1: forever) until done(arg) is true,
 * looking again each time fd (if >= 0) reports `events` (POLLIN of a
 * pidfd or signalfd; POLLPRI of a cgroup.events file, re-armed here),
 * else every 10 ms. 0 once done; -1 with errno ETIMEDOUT. */
int wait_for(bool (*done)(void *arg), void *arg, int fd, short events, int timeout_ms);
/* clock.c: the monotonic clock in milliseconds; the time now in UTC as
 * RFC 3339 with nanoseconds, "2026-12-02T13:55:20.123456789Z" (cap:
 * UTC_STAMP_LEN). */
int64_t now_ms(void);
#define UTC_STAMP_LEN 40
void utc_stamp(char *out, size_t cap);
/* The same for a time given in seconds since the epoch (and nanoseconds). */
void utc_format(int64_t secs, long nsec, char *out, size_t cap);
/* clock_gettime(2) by the system call (clock.c says why). */
struct timespec;
void clock_now(int clock_id, struct timespec *ts);

/* fdpass.c: one message with (fd >= 0) or without an fd in SCM_RIGHTS.
 * recv_with_fd sets *fd to the fd received (close-on-exec) or -1. */
ssize_t send_with_fd(int sock, const void *buf, size_t len, int fd);
ssize_t recv_with_fd(int sock, void *buf, size_t len, int *fd);
/* A connected unix stream socket (close-on-exec), or -1 with errno. */
int unix_connect(const char *path);

/* signals.c */
/* sig's disposition back to SIG_DFL, whatever the caller set. */
void signal_default(int sig);
/* Block every signal we forward/handle, return a signalfd for them. */
int signalfd_all(void);

#endif
