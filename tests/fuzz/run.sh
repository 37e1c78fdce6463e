#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build each fuzz target with clang's libFuzzer (+ASan/UBSan) and run it
# for N seconds from a seed corpus of real configs. A crash is a failure.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-30}
out=build/fuzz
mkdir -p "$out/corpus-oci" "$out/corpus-confinement" "$out/corpus-service" "$out/corpus-inroot"
record() { echo "$1 $2" >> "${RESULTS:-/dev/null}"; echo "  $(echo "$1" | tr A-Z a-z)  $2"; }
. tests/parser_sources.sh

# Seeds for config.json: the default specs, and every config the
# integration tests made.
build/test/berth spec -b "$out" 2>/dev/null; mv -f "$out/config.json" "$out/corpus-oci/default.json" 2>/dev/null
build/test/berth spec --rootless -b "$out" 2>/dev/null; mv -f "$out/config.json" "$out/corpus-oci/rootless.json" 2>/dev/null
for f in "${TESTROOT:-/tmp/berth-tests}"/bundles/*/config.json; do
	[ -f "$f" ] && cp "$f" "$out/corpus-oci/$(basename "$(dirname "$f")").json"
done
# Seeds for the confinement parsers: "1" + resources, "0" + seccomp,
# taken from the same configs (podman's default profile among them).
for f in "$out"/corpus-oci/*.json; do
	n=$(basename "$f" .json)
	r=$(jq -c '.linux.resources // empty' "$f" 2>/dev/null) && [ -n "$r" ] && printf '1%s' "$r" > "$out/corpus-confinement/r-$n"
	s=$(jq -c '.linux.seccomp // empty' "$f" 2>/dev/null) && [ -n "$s" ] && printf '0%s' "$s" > "$out/corpus-confinement/s-$n"
done

# Seeds for service files: the examples and the test suite's.
for f in docs/examples/*.conf "${TESTROOT:-/tmp/berth-tests}"/supervise/conf/*.conf; do
	[ -f "$f" ] && cp "$f" "$out/corpus-service/$(basename "$f")"
done

# fuzz TARGET DESCRIPTION CORPUS
fuzz() {
	if ! clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Ibuild/asan/include \
		-o "$out/$1" "tests/fuzz/$1.c" $PARSER_SRC -lcjson -linih -lm > "$out/build-$1.log" 2>&1; then
		record FAIL "fuzz: build $1"; tail -20 "$out/build-$1.log"; return
	fi
	if "$out/$1" -max_total_time="$secs" -print_final_stats=1 -max_len=65536 -timeout=10 "$out/$3" > "$out/$1.log" 2>&1; then
		record PASS "fuzz: $2, ${secs}s ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$1.log" | grep -o '[0-9]*$' || echo "?") runs)"
	else
		record FAIL "fuzz: $2"; grep -A20 'ERROR' "$out/$1.log" | head -30
	fi
}
fuzz fuzz_oci "config.json parser" corpus-oci
fuzz fuzz_confinement "linux.resources and linux.seccomp parsers" corpus-confinement
fuzz fuzz_service "service files (inih + keys)" corpus-service
fuzz fuzz_inroot "in-root path resolver (random symlink trees stay inside the root; the walk agrees with openat2)" corpus-inroot
