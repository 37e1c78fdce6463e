#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `list` at scale: N running containers (sleep in a busybox bundle) under
# berth and under crun, then each runtime's `list` timed, CPU (user+sys)
# and wall, median of RUNS; berth's as a ratio of crun's, for each N. The
# same private mount namespace as bench/run.sh (a pure cgroup v1 view,
# which crun 1.8 needs on this hybrid host).
# usage: bench/list.sh [RUNS] [N...]   (as root; BERTH=path; default 10 runs, N = 50 100 200)
set -eu
runs=${1:-10}
[ $# -gt 0 ] && shift
sizes=${*:-50 100 200}
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
. "$here/lib.sh"
cgroup_v1_view "$0" "$runs" $sizes
work=$(mktemp -d /tmp/berth-bench-list.XXXXXX)
cleanup() {
	for rt in "$BERTH" crun; do
		for id in $($rt --root "$work/state-$(basename "$rt")" list -q 2>/dev/null); do
			$rt --root "$work/state-$(basename "$rt")" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT
busybox_rootfs "$work/rootfs" sleep
for rt in berth crun; do
	d=$work/bundle-$rt; mkdir -p "$d"; cp -a "$work/rootfs" "$d/rootfs"
	case $rt in berth) "$BERTH" spec -b "$d";; *) (cd "$d" && crun spec);; esac
	jq '.process.terminal = false | .process.args = ["/bin/sleep", "100000"] | del(.linux.seccomp)' \
		"$d/config.json" > "$d/c" && mv "$d/c" "$d/config.json"
done

# cpu_ms CMD...: the median user+sys and wall milliseconds of one CMD,
# over RUNS samples of 10 in a row (time(1) counts in 10 ms steps).
cpu_ms() {
	: > "$work/t"
	i=0
	while [ $i -lt "$runs" ]; do
		/usr/bin/time -f '%U %S %e' -o "$work/one" sh -c 'for k in 1 2 3 4 5 6 7 8 9 10; do "$@" >/dev/null 2>&1; done' sh "$@"
		awk '{ printf "%d %d\n", ($1 + $2) * 100, $3 * 100 }' "$work/one" >> "$work/t"
		i=$((i + 1))
	done
	cpu=$(cut -d' ' -f1 "$work/t" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	wall=$(cut -d' ' -f2 "$work/t" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	echo "$cpu $wall"
}

echo "list of N running containers: median CPU (user+sys) and wall ms over $runs runs"
printf '%6s %14s %14s %12s\n' N "berth cpu/wall" "crun cpu/wall" "berth/crun"
have=0
for n in $sizes; do
	while [ $have -lt "$n" ]; do
		"$BERTH" --root "$work/state-berth" run -d --bundle "$work/bundle-berth" "c$have" >/dev/null
		crun --root "$work/state-crun" run -d --bundle "$work/bundle-crun" "c$have" >/dev/null
		have=$((have + 1))
	done
	b=$(cpu_ms "$BERTH" --root "$work/state-berth" list)
	c=$(cpu_ms crun --root "$work/state-crun" list)
	got=$("$BERTH" --root "$work/state-berth" list -q | wc -l)
	[ "$got" = "$n" ] || { echo "berth list shows $got containers, not $n" >&2; exit 1; }
	echo "$n $b $c" | awk '{ r = $4 ? $2 / $4 : 0; printf "%6d %8d/%-5d %8d/%-5d %12s\n", $1, $2, $3, $4, $5, ($4 ? sprintf("%.2f", $2 / $4) : "n/a") }'
done
