/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: service files (inih and the key mapping onto the
 * spec). Any input must load or fail cleanly, without crashes, leaks or
 * undefined behaviour. */
#include "berth/util/log.h"
#include "berth/spec/service.h"
#include "quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(fuzz_quiet);
	struct service_conf c;
	service_load_text(&c, (const char *)data, size, "/etc/berth/fuzz.conf");
	service_free(&c);
	return 0;
}
