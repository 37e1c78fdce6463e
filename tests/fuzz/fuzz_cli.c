/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for berth's option parser (cli_next_option, src/cmd/cli.c)
 * against the C library's getopt_long and getopt_long_only: the input
 * picks a mode ('+' or not, long_only or not) and up to 16 arguments from
 * a vocabulary of options, clusters, values, "--", "-" and plain words.
 * Both parse the same argv; the options returned, their values, the final
 * order of argv and where the arguments start must be the same, up to the
 * first bad option (which both must report). The vocabulary spells long
 * options in full: berth takes no abbreviations (as runc), glibc does. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/cmd/cli.h"
#include "quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const words[] = {
	"-a", "-b", "-bX", "-ab", "-ba", "-abY", "-aa", "--alpha", "--beta", "--beta=Z", "--beta=",
	"--gamma", "--gamma=W", "--alpha=V", "--", "-", "arg1", "arg2", "-c", "--zeta", "-alpha",
	"-beta", "-beta=Q", "-gamma", "-gamma=R", "-a-", "---", "--=x",
};

/* The same options for each: berth's struct has no flag pointer. */
static const struct option longopts[] = {
	{ "alpha", no_argument, NULL, 'A' },
	{ "beta", required_argument, NULL, 'B' },
	{ "gamma", optional_argument, NULL, 'G' },
	{ 0 },
};
static const struct cli_option cli_longopts[] = {
	{ "alpha", no_argument, 'A' },
	{ "beta", required_argument, 'B' },
	{ "gamma", optional_argument, 'G' },
	{ 0 },
};

struct step {
	int c;
	const char *arg;
};

#define MAX_ARGS 17

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(fuzz_quiet);
	if (size < 1)
		return 0;
	int mode = data[0];
	bool in_order = mode & 1, long_only = mode & 2;
	const char *shortopts = in_order ? "+ab:" : "ab:";
	char *mine[MAX_ARGS + 1], *theirs[MAX_ARGS + 1];
	int argc = 1;
	mine[0] = theirs[0] = "cmd";
	for (size_t i = 1; i < size && argc < MAX_ARGS; i++, argc++)
		mine[argc] = theirs[argc] = (char *)words[data[i] % (sizeof(words) / sizeof(words[0]))];
	mine[argc] = theirs[argc] = NULL;

	struct step a[2 * MAX_ARGS], b[2 * MAX_ARGS];
	size_t na = 0, nb = 0;
	cli_optind = 0;
	for (int c; na < 2 * MAX_ARGS && (c = cli_next_option(argc, mine, shortopts, cli_longopts, "cmd", long_only)) != -1;) {
		a[na++] = (struct step){ c, cli_optarg };
		if (c == '?')
			break;
	}
	optind = 0;
	opterr = 0;
	for (int c; nb < 2 * MAX_ARGS &&
		    (c = long_only ? getopt_long_only(argc, theirs, shortopts, longopts, NULL)
				   : getopt_long(argc, theirs, shortopts, longopts, NULL)) != -1;) {
		b[nb++] = (struct step){ c, optarg };
		if (c == '?')
			break;
	}
	bool error = nb && b[nb - 1].c == '?';
	if (na != nb)
		abort();
	for (size_t i = 0; i < na; i++) {
		if (a[i].c != b[i].c)
			abort();
		if (a[i].c != '?' && (!a[i].arg != !b[i].arg || (a[i].arg && strcmp(a[i].arg, b[i].arg))))
			abort();
	}
	/* After an error the command stops; where each left argv is moot. */
	if (error)
		return 0;
	if (cli_optind != optind)
		abort();
	for (int i = 0; i < argc; i++)
		if (strcmp(mine[i], theirs[i]))
			abort();
	return 0;
}
