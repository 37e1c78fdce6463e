/* SPDX-License-Identifier: Apache-2.0 */
/* printf's formatting without floating point (CONFIG_SMALL_PRINTF).
 *
 * musl's vfprintf carries a correctly rounding formatter of long doubles
 * (with its tables, about 8 KB of the static binary) that berth never
 * uses: it prints no floating-point number, and the numbers it gives
 * cJSON to print are integers. In the static musl link this definition
 * takes the place of libc's, and every printf of musl (snprintf, dprintf,
 * asprintf, fprintf, ...) formats through it; the output goes to the
 * stream with fwrite, in pieces of up to OUT_BUF bytes.
 *
 * What it formats, as C99 and musl do: the conversions d i u o x X c s,
 * %m (strerror of errno as it was on the call) and %%; the flags - + space
 * # 0; a width and a precision, each a number or *; the lengths hh h l ll
 * j z t. Anything else (a floating-point conversion, %p, %n, wide
 * characters, numbered arguments) is refused: EINVAL and -1, as musl
 * refuses an invalid conversion, rather than a wrong text.
 * tests/unit/small_printf.c compares it with glibc's in musl's static
 * link on each machine; tests/fuzz/fuzz_printf.c, conversion by
 * conversion. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* The tests build it under another name, beside the C library's. */
#ifndef SMALL_VFPRINTF
#define SMALL_VFPRINTF vfprintf
#endif

#define OUT_BUF 256

enum { LEFT = 1, PLUS = 2, SPACE = 4, ALT = 8, ZERO = 16 };

struct out {
	FILE *f;
	size_t used, total;
	bool failed;
	char buf[OUT_BUF];
};

static void flush(struct out *o)
{
	if (o->used && fwrite(o->buf, 1, o->used, o->f) != o->used)
		o->failed = true;
	o->used = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
	o->total += n;
	while (n) {
		if (o->used == OUT_BUF)
			flush(o);
		size_t k = OUT_BUF - o->used < n ? OUT_BUF - o->used : n;
		memcpy(o->buf + o->used, s, k);
		o->used += k;
		s += k;
		n -= k;
	}
}

static void pad(struct out *o, char c, size_t n)
{
	char run[16];
	memset(run, c, sizeof(run));
	for (; n > sizeof(run); n -= sizeof(run))
		put(o, run, sizeof(run));
	put(o, run, n);
}

/* The field around a text of len bytes: spaces before (or after, with
 * '-'), or zeros between prefix and text. */
static void field(struct out *o, const char *prefix, size_t zeros, const char *text, size_t len, unsigned flags,
		  size_t width)
{
	size_t pl = strlen(prefix), all = pl + zeros + len, fill = width > all ? width - all : 0;
	if (!(flags & (LEFT | ZERO)))
		pad(o, ' ', fill);
	put(o, prefix, pl);
	if ((flags & (LEFT | ZERO)) == ZERO)
		pad(o, '0', fill);
	pad(o, '0', zeros);
	put(o, text, len);
	if (flags & LEFT)
		pad(o, ' ', fill);
}

static void integer(struct out *o, uintmax_t v, bool negative, char conv, unsigned flags, size_t width, int prec)
{
	char digits[3 * sizeof(v) + 1], *end = digits + sizeof(digits), *d = end;
	unsigned base = conv == 'o' ? 8 : conv == 'x' || conv == 'X' ? 16 : 10;
	const char *set = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	for (; v; v /= base)
		*--d = set[v % base];
	size_t n = (size_t)(end - d), zeros = prec < 0 ? !n : (size_t)prec > n ? (size_t)prec - n : 0;
	if (conv == 'o' && (flags & ALT) && !zeros)
		zeros = 1;	/* '#': the first digit a zero */
	const char *prefix = "";
	if (negative)
		prefix = "-";
	else if (conv == 'd' || conv == 'i')
		prefix = flags & PLUS ? "+" : flags & SPACE ? " " : "";
	else if ((flags & ALT) && n && base == 16)
		prefix = conv == 'x' ? "0x" : "0X";
	if (prec >= 0)
		flags &= ~(unsigned)ZERO;
	field(o, prefix, zeros, d, n, flags, width);
}

/* A width or precision in the format, or -1 past INT_MAX. */
static int number(const char **p)
{
	int n = 0;
	for (; **p >= '0' && **p <= '9'; (*p)++) {
		if (n > (INT_MAX - (**p - '0')) / 10)
			return -1;
		n = n * 10 + (**p - '0');
	}
	return n;
}

int SMALL_VFPRINTF(FILE *restrict f, const char *restrict fmt, va_list ap);
int SMALL_VFPRINTF(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	int saved_errno = errno;
	struct out o = { .f = f };
	va_list args;
	va_copy(args, ap);
	int err = 0;
	for (const char *p = fmt; *p && !err;) {
		const char *pct = strchr(p, '%');
		if (!pct)
			pct = p + strlen(p);
		put(&o, p, (size_t)(pct - p));
		if (!*pct)
			break;
		p = pct + 1;
		if (*p == '%') {
			put(&o, "%", 1);
			p++;
			continue;
		}
		unsigned flags = 0;
		for (const char *k; *p && (k = strchr("-+ #0", *p)); p++)
			flags |= 1u << (k - "-+ #0");
		int width, prec = -1;
		if (*p == '*') {
			p++;
			width = va_arg(args, int);
			if (width < 0)
				flags |= LEFT;
			width = width == INT_MIN ? -1 : width < 0 ? -width : width;
		} else {
			width = number(&p);
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				p++;
				int q = va_arg(args, int);
				prec = q < 0 ? -1 : q;
			} else if ((prec = number(&p)) < 0) {
				err = EOVERFLOW;
				break;
			}
		}
		if (width < 0) {
			err = EOVERFLOW;
			break;
		}
		/* hh h l ll j z t, as the number of bytes of the argument. */
		char len = 0;
		if (*p == 'h' || *p == 'l') {
			len = *p++;
			if (*p == len) {
				len = len == 'h' ? 'H' : 'L';
				p++;
			}
		} else if (*p == 'j' || *p == 'z' || *p == 't') {
			len = *p++;
		}
		char conv = *p ? *p++ : 0;
		switch (conv) {
		case 'd':
		case 'i': {
			intmax_t v;
			switch (len) {
			case 'H': v = (signed char)va_arg(args, int); break;
			case 'h': v = (short)va_arg(args, int); break;
			case 'l': v = va_arg(args, long); break;
			case 'L': v = va_arg(args, long long); break;
			case 'j': v = va_arg(args, intmax_t); break;
			case 'z': v = va_arg(args, ssize_t); break;
			case 't': v = va_arg(args, ptrdiff_t); break;
			default: v = va_arg(args, int); break;
			}
			integer(&o, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0, conv, flags, (size_t)width, prec);
			break;
		}
		case 'u':
		case 'o':
		case 'x':
		case 'X': {
			uintmax_t v;
			switch (len) {
			case 'H': v = (unsigned char)va_arg(args, unsigned); break;
			case 'h': v = (unsigned short)va_arg(args, unsigned); break;
			case 'l': v = va_arg(args, unsigned long); break;
			case 'L': v = va_arg(args, unsigned long long); break;
			case 'j': v = va_arg(args, uintmax_t); break;
			case 'z': v = va_arg(args, size_t); break;
			case 't': v = (uintmax_t)va_arg(args, ptrdiff_t); break;
			default: v = va_arg(args, unsigned); break;
			}
			integer(&o, v, false, conv, flags, (size_t)width, prec);
			break;
		}
		case 'c':
		case 's':
		case 'm': {
			char c;
			const char *s = &c;
			if (len) {
				err = EINVAL;	/* wide characters */
				break;
			}
			if (conv == 'c')
				c = (char)va_arg(args, int);
			else if (!(s = conv == 'm' ? strerror(saved_errno) : va_arg(args, const char *)))
				s = "(null)";
			size_t n = conv == 'c' ? 1 : prec < 0 ? strlen(s) : strnlen(s, (size_t)prec);
			field(&o, "", 0, s, n, flags & ~(unsigned)ZERO, (size_t)width);
			break;
		}
		default:
			err = EINVAL;
		}
	}
	va_end(args);
	flush(&o);
	if (!err && o.total > INT_MAX)
		err = EOVERFLOW;
	if (err) {
		errno = err;
		return -1;
	}
	return o.failed ? -1 : (int)o.total;
}
