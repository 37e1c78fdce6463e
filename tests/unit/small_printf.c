/* SPDX-License-Identifier: Apache-2.0 */
/* berth's printf (src/util/printf.c) where it is used: linked statically
 * with musl, in place of musl's vfprintf, under every printf of musl.
 * Prints what snprintf, vsnprintf, asprintf, dprintf, fprintf and printf
 * make of formats of the kinds berth uses; tests/unit/run.sh compares
 * that with the same program built against glibc. Built with
 * -DSMALL_PRINTF it also checks that the refusals are berth's: a
 * floating-point conversion, %p, %n and wide characters fail (EINVAL),
 * which musl's own vfprintf would have formatted. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void show(const char *what, int r, const char *text)
{
	printf("%s: %d [%s]\n", what, r, r < 0 ? "" : text);
}

static int via_v(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int main(void)
{
	char b[600];
	int r;
#define CASE(...) (r = snprintf(b, sizeof(b), __VA_ARGS__), show(#__VA_ARGS__, r, b))
	CASE("plain text");
	CASE("%s=%d", "pid", 42);
	CASE("[%8s|%-8s|%.3s|%.*s|%*s]", "ab", "cd", "efghij", 2, "klm", -5, "n");
	CASE("%d %d %d %i", 0, -1, INT_MIN, INT_MAX);
	/* long is 32 bits on armv7: values that print the same on all three. */
	CASE("%u %lu %llu %zu", 0u, (unsigned long)UINT_MAX, ULLONG_MAX, (size_t)12345);
	CASE("%ld %lld %jd %td %zd", (long)INT_MIN, LLONG_MIN, (intmax_t)-7, (ptrdiff_t)-8, (ssize_t)-9);
	CASE("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	CASE("%o %#o %#o %x %#x %X %#X %#x", 8u, 8u, 0u, 255u, 255u, 255u, 255u, 0u);
	CASE("%02d:%02d:%02d.%09ld", 1, 2, 3, 45678L);
	CASE("%016llx %08x %04x %02x", 0xdeadbeefULL, 0xabcu, 0x1u, 0xfu);
	CASE("[%5d|%-5d|%05d|%+d|% d|%+5d|%-+5d|%.3d|%5.3d|%-05d]", 7, 7, -7, 7, 7, 7, 7, 7, -7, 7);
	CASE("[%.0d|%+.0d|%5.0d|%#.0o|%#.0x]", 0, 0, 0, 0u, 0u);
	CASE("[%c|%3c|%-3c]", 'x', 'y', 'z');
	CASE("[%s]", (char *)NULL);
	CASE("100%% of %s", "it");
	CASE("[%*d|%-*d|%.*d|%*.*d]", 6, 1, 6, 2, 4, 3, -6, -2, 4);
	errno = ENOENT;
	CASE("open: %m (%d)", 5);
	errno = EACCES;
	CASE("[%-20m|%.6m]");
	r = snprintf(b, 6, "%s", "truncated text");
	show("snprintf into 6 bytes", r, b);
	r = snprintf(NULL, 0, "%d-%s", 12345, "counted");
	show("snprintf(NULL, 0)", r, "");
	r = via_v(b, sizeof(b), "%s %u", "vsnprintf", 3u);
	show("vsnprintf", r, b);
	char big[1000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	char *a = NULL;
	r = asprintf(&a, "<%s|%d>", big, 1);
	printf("asprintf: %d, %zu bytes, ends %s\n", r, a ? strlen(a) : 0, a ? a + strlen(a) - 4 : "");
	free(a);
	/* The streams: dprintf to a pipe (one write for a short line),
	 * stderr (unbuffered) into the same pipe, stdout (buffered). */
	int p[2];
	if (pipe(p) < 0)
		return 1;
	r = dprintf(p[1], "dprintf %s %d\n", "line", 1);
	int saved = dup(2);
	dup2(p[1], 2);
	int r2 = fprintf(stderr, "fprintf(stderr) %05d\n", 42);
	dup2(saved, 2);
	close(p[1]);
	ssize_t n = read(p[0], b, sizeof(b) - 1);
	b[n < 0 ? 0 : n] = 0;
	printf("dprintf %d, fprintf(stderr) %d, the pipe got: %s", r, r2, b);
	close(p[0]);
	r = printf("printf of a long line: %s\n", big);
	printf("printf returned %d\n", r);
#ifdef SMALL_PRINTF
	/* Refused, with nothing made up: musl's would have printed them. */
	static const char *refused[] = { "%g", "%f", "%.0f", "%e", "%a", "%p", "%n", "%lc", "%ls", "%1$d", "%Lf", "%", "%5%" };
	int fails = 0;
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		int x = 0;
		errno = 0;
		if (i < 5)
			r = snprintf(b, sizeof(b), refused[i], 1.5);
		else
			r = snprintf(b, sizeof(b), refused[i], &x);
		if (r != -1 || errno != EINVAL) {
			fprintf(stderr, "FAIL: \"%s\" gave %d (errno %d), not -1 (EINVAL)\n", refused[i], r, errno);
			fails++;
		}
	}
	errno = 0;
	r = snprintf(b, sizeof(b), "%99999999999d", 1);
	if (r != -1 || errno != EOVERFLOW) {
		fprintf(stderr, "FAIL: a width past INT_MAX gave %d (errno %d)\n", r, errno);
		fails++;
	}
	fprintf(stderr, "refusals: %d failed\n", fails);
	return fails != 0;
#else
	return 0;
#endif
}
