/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: config.json parser and validation. Any input must
 * parse or fail cleanly, without crashes, leaks or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include "berth/util/log.h"
#include "berth/spec/spec.h"
#include "quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec s;
	log_set_sink(fuzz_quiet);
	spec_init(&s);
	if (oci_parse(&s, (const char *)data, size, "fuzz.json") == 0)
		spec_validate(&s);
	spec_free(&s);
	return 0;
}
