#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The parsers at scale: `berth check` of a 1 MB service file (every
# repeated key, thousands of times) and of a service over a bundle whose
# config.json has 10,000 mounts. Wall time and peak memory, each the best
# of RUNS. Parsing must stay linear: both well under 100 ms, and peak
# memory a small multiple of the input.
#
# usage: bench/parse.sh [RUNS]   (BERTH=path to the binary)
set -eu
runs=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
work=$(mktemp -d /tmp/berth-parse.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs" "$work/bundle/rootfs"

# About 1 MB of [service] and [container] lines, four repeated keys.
awk -v root="$work/rootfs" 'BEGIN {
	print "[service]"; print "rootfs = " root; print "exec = /bin/true"
	for (i = 0; i < 9000; i++) printf "env = VAR%d=value-%d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", i, i
	print "[container]"
	for (i = 0; i < 6000; i++) {
		printf "mount = tmpfs:/mnt/m%d:size=1m\n", i
		printf "sysctl = net.ipv4.conf.x%d.forwarding=1\n", i
		printf "mount = /srv/data%d:/data/d%d:ro\n", i, i
	}
}' > "$work/big.conf"

# config.json with 10,000 mounts, through a service over the bundle.
"$BERTH" spec -b "$work/bundle" 2>/dev/null || cat > "$work/bundle/config.json" <<'JSON'
{"ociVersion":"1.0.2","process":{"args":["/bin/true"],"cwd":"/"},"root":{"path":"rootfs"},"mounts":[],"linux":{"namespaces":[{"type":"mount"}]}}
JSON
jq '.mounts += [range(10000) | {destination: "/mnt/m\(.)", type: "tmpfs", source: "tmpfs", options: ["nosuid","size=1m"]}]' \
	"$work/bundle/config.json" > "$work/bundle/c.tmp" && mv "$work/bundle/c.tmp" "$work/bundle/config.json"
printf '[service]\nbundle = %s\n' "$work/bundle" > "$work/bundle.conf"

# measure NAME FILE INPUT: best wall time (ms) and peak RSS (KiB) of RUNS.
measure() {
	best_ms=999999 best_kb=999999
	i=0
	while [ $i -lt "$runs" ]; do
		out=$( { /usr/bin/time -f '%e %M' "$BERTH" check -q "$2" >/dev/null; } 2>&1 | tail -n1)
		ms=$(echo "$out" | awk '{ printf "%d", $1 * 1000 }')
		kb=$(echo "$out" | awk '{ print $2 }')
		[ "$ms" -lt "$best_ms" ] && best_ms=$ms
		[ "$kb" -lt "$best_kb" ] && best_kb=$kb
		i=$((i + 1))
	done
	size=$(wc -c < "$3")
	printf '%-40s %8d bytes  %5d ms  %6d KiB peak RSS (%.1fx the input)\n' "$1" "$size" "$best_ms" "$best_kb" \
		"$(echo "$best_kb $size" | awk '{ print $1 * 1024 / $2 }')"
}
"$BERTH" check -q "$work/big.conf" >/dev/null
"$BERTH" check -q "$work/bundle.conf" >/dev/null
measure "service file, 27,000 repeated keys" "$work/big.conf" "$work/big.conf"
measure "config.json, 10,000 mounts" "$work/bundle.conf" "$work/bundle/config.json"
