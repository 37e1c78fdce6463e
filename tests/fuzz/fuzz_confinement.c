/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the linux.resources and linux.seccomp parsers alone
 * (the parts `berth update -r` and seccomp profiles feed), so the fuzzer
 * spends its time there rather than on the rest of config.json. The
 * first byte picks the parser; the rest is the JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "berth/util/log.h"
#include "berth/spec/oci.h"
#include "quiet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_sink(fuzz_quiet);
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	if (data[0] & 1) {
		struct resources r = { 0 };
		struct arena a = { 0 };
		oci_resources_from_text(&r, &a, text, len, "fuzz.json");
		arena_free(&a);
		return 0;
	}
	static const char head[] = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, "
				   "\"process\": {\"args\": [\"a\"], \"cwd\": \"/\"}, \"linux\": {\"seccomp\": ";
	char *doc = malloc(sizeof(head) + len + 3);
	if (!doc)
		return 0;
	memcpy(doc, head, sizeof(head) - 1);
	memcpy(doc + sizeof(head) - 1, text, len);
	memcpy(doc + sizeof(head) - 1 + len, "}}", 3);
	struct spec s;
	spec_init(&s);
	if (oci_parse(&s, doc, sizeof(head) - 1 + len + 2, "fuzz.json") == 0)
		spec_validate(&s);
	spec_free(&s);
	free(doc);
	return 0;
}
