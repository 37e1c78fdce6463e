#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot to all ready: the supervisor starts N services whose containers
# take 200 ms each to become ready (ready = path), either all independent
# or in chains of 5 (each requires the one before). Independent services
# start in parallel, so the time should be close to the longest chain
# (1 x 200 ms, or 5 x 200 ms), not to the sum (N x 200 ms). The figure is
# the supervisor's own: the largest TO-READY in `ctl list` (from its start
# to each service's readiness). Median of RUNS runs.
# usage: bench/boot_ready.sh   (as root; BERTH=path, RUNS=5, SIZES="10 50")
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
RUNS=${RUNS:-5}
SIZES=${SIZES:-10 50}
DELAY_MS=200
. "$here/lib.sh"
supervisor_workdir boot
sock=$work/ctl.sock
busybox_rootfs "$work/rootfs" sh sleep touch
mkdir -p "$work/rootfs/ready"
ctl() { "$BERTH" ctl -s "$sock" "$@"; }
not_ready() { ctl list 2>/dev/null | awk 'NR > 1 && $2 != "ready" { n++ } END { exit !(n || NR < 2) }'; }

# services N CHAIN: N services in chains of CHAIN (1: independent).
services() {
	rm -rf "$work/conf" && mkdir -p "$work/conf"
	i=0
	while [ "$i" -lt "$1" ]; do
		req=""
		[ $((i % $2)) -ne 0 ] && req="requires = s$((i - 1))"
		printf '[service]\nrootfs = %s\nexec = sh -c "sleep %s; touch /ready/s%d; exec sleep 100000"\nready = path:/ready/s%d\nstop-signal = KILL\n%s\n' \
			"$work/rootfs" "0.$DELAY_MS" "$i" "$i" "$req" > "$work/conf/s$i.conf"
		i=$((i + 1))
	done
}

# One boot: the largest TO-READY, in ms.
boot() {
	rm -f "$work/rootfs/ready/"*
	"$BERTH" --root "$work/state" supervise -c "$work/conf" -s "$sock" > "$work/log" 2>&1 & SP=$!
	while not_ready; do sleep 0.1; done
	ctl list | awk 'NR > 1 { v = $NF; if (v ~ /ms$/) v = substr(v, 1, length(v) - 2); else if (v ~ /s$/) v = substr(v, 1, length(v) - 1) * 1000; if (v + 0 > m + 0) m = v + 0 } END { print m }'
	kill "$SP"; wait "$SP" 2>/dev/null || true; SP=
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "boot to all ready, services taking ${DELAY_MS} ms each to be ready (median of $RUNS; $(nproc) cores, $(uname -r))"
printf '%-9s %-14s %12s %16s %14s\n' services topology "all ready" "longest chain" "sum"
for n in $SIZES; do
	for chain in 1 5; do
		services "$n" "$chain"
		: > "$work/times"
		r=0
		while [ "$r" -lt "$RUNS" ]; do boot >> "$work/times"; r=$((r + 1)); done
		topo=independent
		[ "$chain" -gt 1 ] && topo="chains of $chain"
		printf '%-9s %-14s %9s ms %13s ms %11s ms\n' "$n" "$topo" "$(median < "$work/times")" \
			$((chain * DELAY_MS)) $((n * DELAY_MS))
	done
done
