#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Where a `berth run` of /bin/true spends its time, step by step: a build
# with CONFIG_TRACE marks the end of each step (in the runtime, its sealed
# copy and the container's init) in the file BERTH_TRACE names; this
# runs RUNS starts, one trace each, and prints each step's median
# duration (from the mark before it, whichever process made that one) and
# its share of the median total. Same bundle and mount namespace as
# bench/run.sh and bench/floor.sh.
# usage: bench/steps.sh [RUNS]   (as root; BERTH=a build with CONFIG_TRACE:
#   cp configs/x86_64_defconfig build/trace/.config; echo CONFIG_TRACE=y >> build/trace/.config
#   make O=build/trace olddefconfig && make O=build/trace)
set -eu
runs=${1:-100}
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/trace/berth}
. "$here/lib.sh"
cgroup_v1_view "$0" "$runs"
work=$(mktemp -d /tmp/berth-bench-steps.XXXXXX)
trap 'umount "$work/state" 2>/dev/null; rm -rf "$work"' EXIT
# The state directory on a tmpfs, as /run is on a device (here / is ext4).
mkdir -p "$work/state" && mount -t tmpfs berth-state "$work/state"
mkdir -p "$work/bundle" "$work/traces"
busybox_rootfs "$work/bundle/rootfs" true
"$BERTH" spec -b "$work/bundle"
jq '.process.terminal = false | .process.args = ["/bin/true"] | del(.linux.seccomp)' "$work/bundle/config.json" > "$work/c" &&
	mv "$work/c" "$work/bundle/config.json"
"$BERTH" --root "$work/state" run --bundle "$work/bundle" warm >/dev/null
i=0
while [ $i -lt "$runs" ]; do
	BERTH_TRACE=$work/traces/$i "$BERTH" --root "$work/state" run --bundle "$work/bundle" "s$i" >/dev/null
	i=$((i + 1))
done
[ -s "$work/traces/0" ] || { echo "bench/steps.sh: $BERTH wrote no trace: build it with CONFIG_TRACE=y (see the usage)" >&2; exit 1; }
# Each trace in time order; a step seen twice in one start (main, before
# and after the sealed copy's exec) is told apart by its count.
for f in "$work"/traces/*; do sort -n "$f" | awk -v run="${f##*/}" '
	{ t = $1; $1 = ""; $2 = ""; sub(/^  /, ""); n = ++seen[$0]; step = n > 1 ? $0 " #" n : $0
	  if (NR > 1) printf "%s\t%d\t%.0f\n", step, NR, (t - last) * 1e6; else first = t
	  last = t }
	END { printf "total (first mark to last)\t999\t%.0f\n", (last - first) * 1e6 }'
done > "$work/deltas"
awk -F'\t' -v runs="$runs" -v cores="$(nproc)" -v kernel="$(uname -r)" -v day="$(date -u +%Y-%m-%d)" '
	{ if (!($1 in sum)) names[++n] = $1; v[$1, ++c[$1]] = $3; sum[$1] += $3 }
	function med(k,   m, i, j, a, x) { m = c[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]
		for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return a[int((m + 1) / 2)] }
	END {
		k = "total (first mark to last)"; total = sum[k] / c[k]
		printf "%-46s %9s %9s %7s\n", "step (ends at the mark)", "median us", "mean us", "share"
		for (i = 1; i <= n; i++) { k = names[i]; if (k ~ /^total/) continue
			printf "%-46s %9d %9d %6.1f%%\n", k, med(k), sum[k] / c[k], 100 * sum[k] / c[k] / total }
		k = "total (first mark to last)"
		printf "%-46s %9d %9d\n", "total", med(k), total
		printf "(%d starts; the means add up to the total, the medians need not; %d cores, %s, %s)\n", runs, cores, kernel, day
	}' "$work/deltas"
