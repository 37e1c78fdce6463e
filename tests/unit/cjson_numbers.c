/* SPDX-License-Identifier: Apache-2.0 */
/* The patched cJSON of berth's static build (scripts/patches/cjson-1-*)
 * reads numbers with a decimal reader of its own: compared here, linked
 * against that library, with the C library's strtod, which rounds
 * correctly. Integers up to 2^64 and numbers of at most 15 significant
 * digits within 1e22 of 1 must come out the same, bit for bit; any other
 * within 16 ulps (one rounding per power of 1e22 it is scaled by); each
 * must stop where strtod stops; and what cJSON prints of a double must
 * read back as that double. Prints "N numbers" on stderr; exits 1 at
 * the first difference. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

static uint64_t seed = 1;
static unsigned rnd(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(seed >> 33) % n;
}

static int64_t ulps(double a, double b)
{
	int64_t x, y;
	memcpy(&x, &a, 8);
	memcpy(&y, &b, 8);
	if ((x < 0) != (y < 0))
		return a == b ? 0 : INT64_MAX;
	return x > y ? x - y : y - x;
}

/* exact: the reader must give strtod's double bit for bit. */
static int check(const char *text, int exact)
{
	/* What unpatched cJSON does: a number starts with '-' or a digit,
	 * strtod converts the run of characters it collects. */
	char run[64], *want_end;
	size_t collected = strspn(text, "0123456789+-eE.");
	snprintf(run, sizeof(run), "%.*s", (int)collected, text);
	double want = strtod(run, &want_end);
	size_t want_len = text[0] == '-' || (text[0] >= '0' && text[0] <= '9') ? (size_t)(want_end - run) : 0;
	const char *end = NULL;
	cJSON *item = cJSON_ParseWithOpts(text, &end, 0);
	size_t got_len = item ? (size_t)(end - text) : 0;
	if (!want_len && !item)
		return 0;	/* neither reads a number there */
	if (!item || !cJSON_IsNumber(item) || got_len != want_len) {
		fprintf(stderr, "%s: strtod reads %zu characters, cJSON %s %zu\n", text, want_len,
			item ? "stops after" : "fails at", got_len);
		return -1;
	}
	double got = item->valuedouble;
	cJSON_Delete(item);
	if (exact ? memcmp(&got, &want, sizeof(got)) != 0 : ulps(got, want) > 16) {
		fprintf(stderr, "%s: strtod %a, cJSON %a\n", text, want, got);
		return -1;
	}
	/* and printed back: a double strtod reads as itself */
	cJSON *n = cJSON_CreateNumber(want);
	char *printed = cJSON_PrintUnformatted(n);
	double again = printed && strcmp(printed, "null") ? strtod(printed, NULL) : want;
	if (!printed || memcmp(&again, &want, sizeof(again)) != 0) {
		fprintf(stderr, "%s: printed as %s, which reads as %a, not %a\n", text, printed ? printed : "(nothing)",
			again, want);
		return -1;
	}
	free(printed);
	cJSON_Delete(n);
	return 0;
}

int main(void)
{
	static const char *const exact[] = {
		"0", "-0", "1", "-1", "7", "4294967295", "4294967296", "-2147483648", "9007199254740992",
		"9007199254740993", "18446744073709551615", "18446744073709551616", "9223372036854775807",
		"-9223372036854775808", "123456789012345678901234567890", "1e22", "1e15", "0.5", "0.1", "-0.25",
		"3.14159", "1.5e3", "2E-3", "1e+2", "100e-2", "1.", "-.5", "0.000001", "123456.789012345",
	};
	static const char *const close_enough[] = {
		"1e300", "1e-300", "1e400", "-1e400", "1e-400", "2.2250738585072014e-308", "1.7976931348623157e308",
		"0.30000000000000004", "123456789.123456789123", "1e23", "8.98846567431158e307",
	};
	static const char *const not_numbers[] = { "-", "e5", "-e", "1e", "1e+", "1.e", "--1", "1-", "1e5e",
						    "0x10", "1.2.3", "+" };
	size_t n = 0;
	for (size_t i = 0; i < sizeof(exact) / sizeof(*exact); i++, n++)
		if (check(exact[i], 1) < 0)
			return 1;
	for (size_t i = 0; i < sizeof(close_enough) / sizeof(*close_enough); i++, n++)
		if (check(close_enough[i], 0) < 0)
			return 1;
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(*not_numbers); i++, n++)
		if (check(not_numbers[i], 0) < 0)
			return 1;
	char text[64];
	for (int i = 0; i < 200000; i++, n++) {
		int len;
		switch (rnd(4)) {
		case 0:	/* an integer of up to 20 digits */
			snprintf(text, sizeof(text), "%s%llu", rnd(2) ? "-" : "",
				       (unsigned long long)rnd(1u << 30) * rnd(1u << 30) * (1 + rnd(16)) >> rnd(60));
			if (check(text, 1) < 0)
				return 1;
			break;
		case 1:	/* up to 15 significant digits, a decimal point, |exponent| <= 22 */
			snprintf(text, sizeof(text), "%.*f", (int)rnd(8), (double)rnd(10000000) / (1 + rnd(1000)));
			if (check(text, 1) < 0)
				return 1;
			break;
		case 2:	/* a double as printf gives it, any exponent */
		{
			double d;
			uint64_t bits = ((uint64_t)rnd(1u << 31) << 33) ^ ((uint64_t)rnd(1u << 31) << 2) ^ rnd(4);
			memcpy(&d, &bits, 8);
			if (isnan(d) || isinf(d))
				continue;
			snprintf(text, sizeof(text), "%.*g", 1 + (int)rnd(17), d);
			if (check(text, 0) < 0)
				return 1;
			break;
		}
		default:	/* junk of the characters parse_number collects */
			len = (int)rnd(8);
			text[0] = "-0123456789"[rnd(11)];
			for (int k = 1; k <= len; k++)
				text[k] = "0123456789+-eE."[rnd(15)];
			text[len + 1] = 0;
			if (check(text, 0) < 0)
				return 1;
		}
	}
	fprintf(stderr, "%zu numbers\n", n);
	return 0;
}
