#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The parsers stay linear: bench/parse.sh's 1 MB service file and
# 10,000-mount config.json, with bounds generous enough for any machine
# (the figures themselves are the benchmark's; a quadratic parser took
# 36 s and 2 GB for 8,000 mount lines).
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(BERTH=$BERTH sh "$here/bench/parse.sh" 1 2>&1); RC=$?
echo "$OUT" | sed 's/^/  /'
expect "bench/parse.sh runs" 0 "$RC"
echo "$OUT" | while read -r line; do
	ms=$(echo "$line" | sed -n 's/.* \([0-9]*\) ms .*/\1/p')
	kb=$(echo "$line" | sed -n 's/.* \([0-9]*\) KiB peak.*/\1/p')
	what=$(echo "$line" | cut -c1-40 | sed "s/ *$//")
	if [ -n "$ms" ] && [ "$ms" -lt 3000 ] && [ "$kb" -lt 262144 ]; then ok "linear parse: $what"
	else fail "linear parse: $what" "$line"; fi
done
