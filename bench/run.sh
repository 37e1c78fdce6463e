#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Start latency of `run` of /bin/true in a busybox bundle with each
# runtime's default spec, berth vs crun vs runc in the same run; median
# milliseconds per container and ratios, peak RSS, binary size. Then the
# same with podman's default seccomp profile (Docker's), and what the
# profile adds to each runtime's start.
#
# crun 1.8 refuses this host's hybrid cgroup layout, so every runtime runs
# in a private mount namespace where /sys/fs/cgroup/unified is covered by
# an empty tmpfs: all three see a pure cgroup v1 host, and nothing they
# create lands in the host's shared cgroup tmpfs.
#
# usage: bench/run.sh [RUNS]   (as root; BERTH=path to the binary)
set -eu
runs=${1:-50}
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
PROFILE=/usr/share/containers/seccomp.json
. "$here/lib.sh"
cgroup_v1_view "$0" "$runs"
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
busybox_rootfs "$work/rootfs" true sh
case $(uname -m) in x86_64) goarch=amd64;; aarch64) goarch=arm64;; *) goarch=$(uname -m);; esac

# bundle_for RUNTIME [seccomp]: its own default spec, made to run /bin/true,
# optionally with podman's default profile for the spec's capabilities.
bundle_for() {
	d=$work/$1${2:+-$2}; mkdir -p "$d"; cp -a "$work/rootfs" "$d/rootfs"  # runc refuses a symlinked rootfs
	case $1 in berth) "$BERTH" spec -b "$d";; *) (cd "$d" && $1 spec);; esac
	jq '.process.terminal = false | .process.args = ["/bin/true"] | del(.linux.seccomp)' "$d/config.json" > "$d/c" && mv "$d/c" "$d/config.json"
	if [ -n "${2:-}" ]; then
		caps=$(jq -c '.process.capabilities.bounding' "$d/config.json")
		prof=$(jq -c --arg arch "$goarch" --argjson caps "$caps" -f "$here/../tests/seccomp/podman-to-oci.jq" "$PROFILE")
		jq --argjson sc "$prof" '.linux.seccomp = $sc' "$d/config.json" > "$d/c" && mv "$d/c" "$d/config.json"
	fi
	echo "$d"
}
now_ns() { date +%s%N; }
# medians_ms RUNTIME-CMD BUNDLE...: the median start time of each bundle,
# runs interleaved (a, b, a, b, ...) so that drift in the machine's state
# (cgroup RCU grace periods, page cache) falls on all of them alike.
# With GAP (seconds), the machine idles that long before each start, as
# on a device where containers start one by one: the cold case.
medians_ms() {
	cmd=$1; shift
	i=0
	for bd in "$@"; do : > "$work/times-$(basename "$bd")"; done
	while [ $i -lt "$runs" ]; do
		for bd in "$@"; do
			[ -z "${GAP:-}" ] || sleep "$GAP"
			t0=$(now_ns)
			$cmd --root "$work/state" run --bundle "$bd" "b$i" >/dev/null 2>&1 || { echo "$cmd run failed" >&2; exit 1; }
			t1=$(now_ns)
			echo $(( t1 - t0 )) >> "$work/times-$(basename "$bd")"
		done
		i=$((i + 1))
	done
	for bd in "$@"; do
		sort -n "$work/times-$(basename "$bd")" | awk '{a[NR]=$1} END {printf "%.2f ", a[int((NR+1)/2)] / 1e6}'
	done
}
peak_rss_kb() {
	/usr/bin/time -f %M $1 --root "$work/state" run --bundle "$2" rss 2>&1 >/dev/null | tail -n1
}
printf '%-6s %10s %10s %10s %12s %14s %10s\n' runtime "median ms" "vs berth" "peak RSS" "binary" "+seccomp ms" "overhead"
base=""
for rt in berth crun runc; do
	case $rt in berth) cmd=$BERTH;; *) cmd=$(command -v $rt) || continue;; esac
	plain=$(bundle_for $rt)
	$cmd --root "$work/state" run --bundle "$plain" warm >/dev/null 2>&1 || true
	sc_ms="-" over="-"
	if [ -f "$PROFILE" ]; then
		sc=$(bundle_for $rt seccomp)
		$cmd --root "$work/state" run --bundle "$sc" warm >/dev/null 2>&1 || true
		set -- $(medians_ms "$cmd" "$plain" "$sc")
		ms=$1 sc_ms=$2
		over=$(echo "$sc_ms $ms" | awk '{printf "%+.2f", $1 - $2}')
	else
		ms=$(medians_ms "$cmd" "$plain")
	fi
	[ -n "$base" ] || base=$ms
	rss=$(peak_rss_kb "$cmd" "$plain")
	printf '%-6s %10s %9.2fx %7s KiB %8s KiB %14s %10s\n' $rt "$ms" "$(echo "$ms $base" | awk '{print $1 / $2}')" "$rss" \
		$(( $(stat -L -c %s "$cmd") / 1024 )) "$sc_ms" "$over"
done
echo "($runs runs each, back to back, $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d))"
echo
# Cold: one start every 200 ms. On cgroup v1, moving a process into a
# cgroup waits for an RCU grace period unless one just passed; berth's
# init joins its cgroups itself (no global lock) and is born in its v2
# cgroup (clone3), so it does not wait.
cold_runs=$(( runs < 20 ? runs : 20 ))
printf '%-6s %16s %10s\n' runtime "cold median ms" "vs berth"
base=""
for rt in berth crun runc; do
	case $rt in berth) cmd=$BERTH;; *) cmd=$(command -v $rt) || continue;; esac
	ms=$(runs=$cold_runs GAP=0.2 medians_ms "$cmd" "$work/$rt")
	[ -n "$base" ] || base=$ms
	printf '%-6s %16s %9.2fx\n' $rt "$ms" "$(echo "$ms $base" | awk '{print $1 / $2}')"
done
echo "($cold_runs runs each, 200 ms apart)"
