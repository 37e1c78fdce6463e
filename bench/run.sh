#!/bin/sh
# Start latency of `run` of /bin/true in a busybox bundle with each
# runtime's default spec, berth vs crun vs runc in the same run; median
# milliseconds per container and ratios, peak RSS, binary size.
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
if [ -z "${BERTH_BENCH_INNER:-}" ]; then
	export BERTH BERTH_BENCH_INNER=1
	exec unshare -m sh -c 'mount --make-rprivate / && { ! mountpoint -q /sys/fs/cgroup/unified || mount -t tmpfs none /sys/fs/cgroup/unified; } && exec sh "$0" "$@"' "$0" "$runs"
fi
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/dev"
cp /bin/busybox "$work/rootfs/bin/"
ln -s busybox "$work/rootfs/bin/true"; ln -s busybox "$work/rootfs/bin/sh"

# bundle_for RUNTIME: its own default spec, made to run /bin/true.
bundle_for() {
	d=$work/$1; mkdir -p "$d"; cp -a "$work/rootfs" "$d/rootfs"  # runc refuses a symlinked rootfs
	case $1 in berth) "$BERTH" spec -b "$d";; *) (cd "$d" && $1 spec);; esac
	jq '.process.terminal = false | .process.args = ["/bin/true"]' "$d/config.json" > "$d/c" && mv "$d/c" "$d/config.json"
}
now_ns() { date +%s%N; }
# median_ms RUNTIME-CMD BUNDLE
median_ms() {
	cmd=$1 bd=$2 i=0
	: > "$work/times"
	while [ $i -lt "$runs" ]; do
		t0=$(now_ns)
		$cmd --root "$work/state" run --bundle "$bd" "b$i" >/dev/null 2>&1 || { echo "$cmd run failed" >&2; exit 1; }
		t1=$(now_ns)
		echo $(( t1 - t0 )) >> "$work/times"
		i=$((i + 1))
	done
	sort -n "$work/times" | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1e6}'
}
peak_rss_kb() {
	/usr/bin/time -f %M $1 --root "$work/state" run --bundle "$2" rss 2>&1 >/dev/null | tail -n1
}
printf '%-6s %10s %10s %10s %12s\n' runtime "median ms" "vs berth" "peak RSS" "binary"
base=""
for rt in berth crun runc; do
	case $rt in berth) cmd=$BERTH;; *) cmd=$(command -v $rt) || continue;; esac
	bundle_for $rt
	$cmd --root "$work/state" run --bundle "$work/$rt" warm >/dev/null 2>&1 || true
	ms=$(median_ms "$cmd" "$work/$rt")
	[ -n "$base" ] || base=$ms
	rss=$(peak_rss_kb "$cmd" "$work/$rt")
	printf '%-6s %10s %9.2fx %7s KiB %8s KiB\n' $rt "$ms" "$(echo "$ms $base" | awk '{print $1 / $2}')" "$rss" $(( $(stat -L -c %s "$cmd") / 1024 ))
done
echo "($runs runs each, $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d))"
