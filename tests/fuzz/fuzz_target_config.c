/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the Kconfig .config reader of `berth check --config`
 * (src/spec/target.c): any text. Nothing may be read outside it; a text
 * it takes has, as its last line naming SUPERVISOR, CONFIG_SUPERVISOR=y,
 * and each feature is set exactly when the last line naming it says y. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "berth/spec/target.h"
#include "quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The model: in TF_* order, as Kconfig names them. */
static const char *const names[TF_COUNT] = {
	"USERNS", "TERMINAL", "SCHED", "PERSONALITY", "SECCOMP", "HOOKS", "IMAGE_ROOT", "IDMAP_MOUNTS",
	"NETWORK", "NET_PUBLISH", "IMAGE_STORE",
};

/* The mask a text that is taken must give, or -1 if it cannot be. */
static long model(const char *text)
{
	long mask = 0;
	int supervisor = 0;
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		if (len >= 18 && !memcmp(line, "CONFIG_SUPERVISOR=", 18))
			supervisor = len == 19 && line[18] == 'y';
		for (int f = 0; f < TF_COUNT; f++) {
			size_t n = strlen(names[f]);
			if (len == 7 + n + 2 && !memcmp(line, "CONFIG_", 7) && !memcmp(line + 7, names[f], n) && line[7 + n] == '=')
				mask = line[8 + n] == 'y' ? mask | 1L << f : mask & ~(1L << f);
		}
		line += len + (line[len] == '\n');
	}
	return supervisor ? mask : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(fuzz_quiet);
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	long mask = target_parse_config(text, "fuzz.config");
	if (mask < -1 || mask >= 1L << TF_COUNT)
		abort();
	if (mask >= 0 && model(text) != mask)
		abort();
	free(text);
	return 0;
}
