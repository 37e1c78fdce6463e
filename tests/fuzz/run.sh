#!/bin/sh
# Build each fuzz target with clang's libFuzzer (+ASan/UBSan) and run it
# for N seconds from a seed corpus of real configs. A crash is a failure.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-30}
out=build/fuzz
mkdir -p "$out/corpus-oci"
record() { echo "$1 $2" >> "${RESULTS:-/dev/null}"; echo "  $(echo "$1" | tr A-Z a-z)  $2"; }
. tests/parser_sources.sh
src="$PARSER_SRC"
if ! clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Ibuild/asan/include \
	-o "$out/fuzz_oci" tests/fuzz/fuzz_oci.c $src -lcjson -lm > "$out/build.log" 2>&1; then
	record FAIL "fuzz: build fuzz_oci"; tail -20 "$out/build.log"; exit 0
fi
# Seeds: the default specs, and every config the integration tests made.
build/test/berth spec -b "$out" 2>/dev/null; mv -f "$out/config.json" "$out/corpus-oci/default.json" 2>/dev/null
build/test/berth spec --rootless -b "$out" 2>/dev/null; mv -f "$out/config.json" "$out/corpus-oci/rootless.json" 2>/dev/null
for f in "${TESTROOT:-/tmp/berth-tests}"/bundles/*/config.json; do
	[ -f "$f" ] && cp "$f" "$out/corpus-oci/$(basename "$(dirname "$f")").json"
done
if "$out/fuzz_oci" -max_total_time="$secs" -print_final_stats=1 -max_len=16384 -timeout=10 "$out/corpus-oci" > "$out/fuzz_oci.log" 2>&1; then
	record PASS "fuzz: config.json parser, ${secs}s ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/fuzz_oci.log" | grep -o '[0-9]*$' || echo "?") runs)"
else
	record FAIL "fuzz: config.json parser"; grep -A20 'ERROR' "$out/fuzz_oci.log" | head -30
fi
