/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for berth's printf (src/util/printf.c, CONFIG_SMALL_PRINTF)
 * against the C library's: the input is a run of conversions, each made
 * of bytes (which conversion, flags, width and precision as numbers or
 * *, length, argument, text around it); each is formatted by both, and
 * the texts and counts must be the same. Only what C defines: no '0' or
 * precision on %c, no '#' on decimal, no length on %c %s %m. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_VFPRINTF small_vfprintf
#include "../../src/util/printf.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned byte(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t bytes8(struct in *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | byte(in);
	return v;
}

static int ours(char *buf, size_t cap, int saved_errno, const char *fmt, ...)
{
	FILE *f = fmemopen(buf, cap, "w");
	if (!f)
		abort();
	setvbuf(f, NULL, _IONBF, 0);
	va_list ap;
	va_start(ap, fmt);
	errno = saved_errno;
	int r = small_vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	return r;
}

/* The same call to both, through snprintf's buffer for the reference. */
#define BOTH(...)                                                                    \
	do {                                                                         \
		errno = e;                                                           \
		want = snprintf(ref, sizeof(ref), __VA_ARGS__);                       \
		got = ours(mine, sizeof(mine), e, __VA_ARGS__);                       \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	while (in.n) {
		static const char convs[] = "diouxXcsm%", *lens[] = { "", "hh", "h", "l", "ll", "j", "z", "t" };
		char conv = convs[byte(&in) % (sizeof(convs) - 1)];
		unsigned flags = byte(&in), wmode = byte(&in), pmode = byte(&in);
		int width = (int)(byte(&in) % 80) - (wmode & 1 ? 40 : 0), prec = (int)(byte(&in) % 80) - 20;
		const char *len = lens[byte(&in) % 8];
		uint64_t v = bytes8(&in);
		int e = (int)(byte(&in) % 140);
		char text[64];
		size_t tn = byte(&in) % sizeof(text);
		for (size_t i = 0; i < tn; i++)
			text[i] = (char)(byte(&in) | 1);	/* no NUL inside */
		text[tn] = 0;
		if (strchr("csm", conv))
			len = "", flags &= ~16u, pmode = conv == 'c' ? 0 : pmode;
		if (!strchr("oxX", conv))
			flags &= ~8u;
		char fmt[64], *f = fmt;
		*f++ = 'a';
		*f++ = '%';
		if (conv != '%') {
			for (int i = 0; i < 5; i++)
				if (flags & 1u << i)
					*f++ = "-+ #0"[i];
			if (wmode % 3 == 1)
				f += sprintf(f, "%d", width < 0 ? -width : width);
			else if (wmode % 3 == 2)
				*f++ = '*';
			if (pmode % 3 == 1)
				f += sprintf(f, ".%d", prec < 0 ? 0 : prec);
			else if (pmode % 3 == 2)
				*f++ = '.', *f++ = '*';
			f += sprintf(f, "%s", len);
		}
		*f++ = conv;
		*f++ = 'z';
		*f = 0;
		bool star_w = wmode % 3 == 2, star_p = pmode % 3 == 2;
		char ref[512], mine[512];
		int want, got;
		/* The argument in the type the length says; * first. */
#define ARG(x)                                                                       \
	do {                                                                         \
		if (star_w && star_p)                                                \
			BOTH(fmt, width, prec, x);                                   \
		else if (star_w)                                                     \
			BOTH(fmt, width, x);                                         \
		else if (star_p)                                                     \
			BOTH(fmt, prec, x);                                          \
		else                                                                 \
			BOTH(fmt, x);                                                \
	} while (0)
		bool sign = conv == 'd' || conv == 'i';
		if (conv == '%' || conv == 'm')
			ARG(0);
		else if (conv == 's')
			ARG(text);
		else if (conv == 'c')
			ARG((int)(v & 0xff));
		else if (!strcmp(len, "l"))
			ARG(sign ? (long)v : (long)(unsigned long)v);
		else if (!strcmp(len, "ll"))
			ARG(sign ? (long long)v : (long long)(unsigned long long)v);
		else if (!strcmp(len, "j"))
			ARG((intmax_t)v);
		else if (!strcmp(len, "z"))
			ARG((ssize_t)v);
		else if (!strcmp(len, "t"))
			ARG((ptrdiff_t)v);
		else
			ARG((int)v);
		if (want != got || (want >= 0 && memcmp(ref, mine, (size_t)want))) {
			fprintf(stderr, "format \"%s\": the C library's %d \"%s\", ours %d \"%.*s\"\n", fmt, want, ref, got,
				got < 0 ? 0 : got, mine);
			abort();
		}
	}
	return 0;
}
