/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "berth/util/util.h"

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_cat(char *out, size_t cap, ...)
{
	va_list ap;
	size_t len = 0;
	int r = 0;
	va_start(ap, cap);
	for (const char *s; (s = va_arg(ap, const char *));) {
		size_t n = strlen(s);
		if (n >= cap - len) {
			n = cap - len - 1;
			r = -1;
		}
		memcpy(out + len, s, n);
		len += n;
	}
	va_end(ap);
	out[len] = 0;
	return r < 0 ? -1 : (int)len;
}

void str_sort(char **v, size_t n)
{
	/* Shell sort: a few lines where musl's qsort (smoothsort) is 2 KB,
	 * and about n^1.3 comparisons for the hundreds of names berth sorts. */
	for (size_t gap = n / 2; gap; gap = gap == 2 ? 1 : gap * 5 / 11)
		for (size_t i = gap; i < n; i++) {
			char *x = v[i];
			size_t j = i;
			for (; j >= gap && strcmp(v[j - gap], x) > 0; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
}

void *buffer_reserve(void *p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return p;
	size_t want = *cap ? *cap * 2 : 256;
	while (want < need)
		want *= 2;
	void *bigger = realloc(p, want);
	if (bigger)
		*cap = want;
	return bigger;
}

char *str_find(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (!strncmp(p, needle, n))
			return (char *)p;
	return n ? NULL : (char *)hay;
}

char *next_line(char **at)
{
	char *line = *at;
	if (!*line)
		return NULL;
	char *end = line + strcspn(line, "\n");
	*at = *end ? end + 1 : end;
	*end = 0;
	return line;
}

size_t str_words(char *s, char **words, size_t max)
{
	size_t n = 0;
	for (;;) {
		s += strspn(s, " \t\n");
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		words[n++] = s;
		s += strcspn(s, " \t\n");
		if (!*s)
			return n;
		*s++ = 0;
	}
}

const char *str_utoa(unsigned long v, char buf[static 21])
{
	char *p = buf + 20;
	*p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

/* Decimal digits only: berth reads numbers the kernel wrote and numbers
 * a user gave, never hex or octal, so it needs none of strtoull's bases,
 * locale or leading blanks (musl's intscan, 2.5 KB in all). */
int str_scan_u64(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == s)
		return -1;
	*out = v;
	if (end)
		*end = p;
	return 0;
}

uint64_t str_u64_at(const char *s)
{
	uint64_t v;
	if (str_scan_u64(s, &v, NULL) < 0)
		return *s >= '0' && *s <= '9' ? UINT64_MAX : 0;
	return v;
}

int parse_u64(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	if (!s || str_scan_u64(s, &v, &end) < 0 || *end)
		return -1;
	*out = v;	/* only a whole number: on junk, *out is as it was */
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	uint64_t v;
	if (!s)
		return -1;
	bool neg = *s == '-';
	if (parse_u64(s + (neg || *s == '+'), &v) < 0 || v > (uint64_t)INT64_MAX + neg)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* Names in place, not pointers to them: 8 bytes a signal, not 16 and
 * the name's own bytes besides. */
static const struct {
	char name[7];
	unsigned char num;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "IOT", SIGIOT }, { "BUS", SIGBUS },
	{ "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
	{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "POLL", SIGPOLL }, { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

int signal_from_name(const char *s)
{
	uint64_t n;
	if (parse_u64(s, &n) == 0)
		return n >= 1 && n < (uint64_t)_NSIG ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (!strcasecmp(s, signals[i].name))
			return signals[i].num;
	/* RTMIN, RTMIN+3, RTMAX-2 as kill(1) spells them */
	int base = 0, sign = 1;
	if (!strncasecmp(s, "RTMIN", 5))
		base = SIGRTMIN;
	else if (!strncasecmp(s, "RTMAX", 5))
		base = SIGRTMAX, sign = -1;
	else
		return -1;
	s += 5;
	if (!*s)
		return base;
	if ((sign > 0 && *s != '+') || (sign < 0 && *s != '-') || parse_u64(s + 1, &n) < 0)
		return -1;
	long sig = base + sign * (long)n;
	return sig >= SIGRTMIN && sig <= SIGRTMAX ? (int)sig : -1;
}

const char *signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (signals[i].num == sig)
			return signals[i].name;
	return NULL;
}

/* Indexed by capability number (linux/capability.h). */
static const char *const caps[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
	"SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
	"NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL",
	"SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

int cap_from_name(const char *s)
{
	if (strncasecmp(s, "CAP_", 4))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
		if (!strcasecmp(s + 4, caps[i]))
			return (int)i;
	return -1;
}

const char *cap_name(int cap)
{
	return cap >= 0 && cap < (int)ARRAY_SIZE(caps) ? caps[cap] : NULL;
}

int cap_last_known(void)
{
	return (int)ARRAY_SIZE(caps) - 1;
}

int parse_size(const char *s, int64_t *out)
{
	/* "64m", "64M", "64MB", "64MiB", "1g", "4096", and -1 for unlimited:
	 * what runc's and docker's --memory accept (binary multiples). */
	if (!strcmp(s, "-1")) {
		*out = -1;
		return 0;
	}
	const char *end;
	uint64_t v;
	if (str_scan_u64(s, &v, &end) < 0)
		return -1;
	static const char units[] = "kmgtp";
	unsigned shift = 0;
	const char *u = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
	if (u) {
		shift = 10 * (unsigned)(u - units + 1);
		end++;
		if (tolower((unsigned char)*end) == 'i')
			end++;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || v > (uint64_t)(INT64_MAX >> shift))
		return -1;
	*out = (int64_t)(v << shift);
	return 0;
}

int parse_duration_ms(const char *s, int64_t *ms)
{
	/* "500ms", "30s", "5m", "1h", or plain seconds ("5"). */
	static const struct { const char *unit; int64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "", 1000 },
	};
	const char *end;
	uint64_t v;
	if (str_scan_u64(s, &v, &end) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(end, units[i].unit)) {
			if (v > (uint64_t)(INT64_MAX / units[i].ms))
				return -1;
			*ms = (int64_t)v * units[i].ms;
			return 0;
		}
	return -1;
}

bool name_is_valid(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 200 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("_+-.", *p)))
			return false;
	return true;
}

bool path_has_dot_component(const char *path)
{
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if ((n == 1 || n == 2) && p[0] == '.' && p[n - 1] == '.')
			return true;
		p += n;
	}
	return false;
}
