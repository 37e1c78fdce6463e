#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What [network] adds to a service's start. The supervisor starts a chain
# of N services (each requires the one before, ready at once), so that the
# time to the last one ready is N starts one after another; the figure is
# that time divided by N, for mode = none, mode = bridge, and bridge with
# a published port, in the same run, in a network namespace of the
# bench's own. For comparison, podman's start with its default bridge
# network against --network none (if podman is there; berth as its
# runtime). Median of RUNS.
# usage: bench/network.sh   (as root; BERTH=path, RUNS=5, N=20)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
RUNS=${RUNS:-5}
N=${N:-20}
. "$here/lib.sh"
supervisor_workdir net
sock=$work/ctl.sock
busybox_rootfs "$work/rootfs" sh sleep true
ctl() { "$BERTH" ctl -s "$sock" "$@"; }

# services DIR MODE-LINES...: the chain in DIR, each with these
# [network] lines.
services() {
	conf=$work/$1; shift
	rm -rf "$conf" && mkdir -p "$conf"
	i=0
	while [ "$i" -lt "$N" ]; do
		{ printf '[service]\nrootfs = %s\nexec = sleep 100000\nstop-signal = KILL\n' "$work/rootfs"
		  [ "$i" -gt 0 ] && echo "requires = s$((i - 1))"
		  echo "[network]"
		  for l in "$@"; do echo "$l" | sed "s/PORT/$((20000 + i))/"; done; } > "$conf/s$i.conf"
		i=$((i + 1))
	done
}

# boot DIR: one boot of DIR's services in a fresh namespace: ms per
# start (the last TO-READY / N).
boot() {
	rm -rf "$work/state"	# the leases stay, as on a device that reboots
	unshare -n "$BERTH" --root "$work/state" supervise -c "$work/$1" -s "$sock" --lease-dir "$work/leases" \
		> "$work/log" 2>&1 & SP=$!
	"$BERTH" ctl -s "$sock" wait --timeout 120 >/dev/null 2>&1 || { cat "$work/log" >&2; exit 1; }
	ctl list | awk -v n="$N" 'NR > 1 { v = $NF; if (v ~ /ms$/) v = substr(v, 1, length(v) - 2); else if (v ~ /s$/) v = substr(v, 1, length(v) - 1) * 1000; if (v + 0 > m + 0) m = v + 0 } END { printf "%.2f\n", m / n }'
	kill "$SP"; wait "$SP" 2>/dev/null || true; SP=
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "a service's start, by network mode ($N in a chain, median of $RUNS; $(nproc) cores, $(uname -r))"
services none "mode = none"
services bridge "mode = bridge"
services publish "mode = bridge" "publish = PORT:80"
# The modes take turns, so that what else the machine does weighs on
# each alike.
r=0
while [ "$r" -lt "$RUNS" ]; do
	for m in none bridge publish; do boot $m >> "$work/times.$m"; done
	r=$((r + 1))
done
none=$(median < "$work/times.none")
bridge=$(median < "$work/times.bridge")
publish=$(median < "$work/times.publish")
printf '%-28s %8s ms\n' "mode = none" "$none"
printf '%-28s %8s ms  (+%s)\n' "mode = bridge" "$bridge" "$(echo "$bridge $none" | awk '{ printf "%.2f", $1 - $2 }')"
printf '%-28s %8s ms  (+%s)\n' "mode = bridge, publish" "$publish" "$(echo "$publish $none" | awk '{ printf "%.2f", $1 - $2 }')"

# podman's own networking (netavark or CNI) around the same rootfs, with
# berth as its runtime so that only the network part differs; storage of
# its own under the bench's directory.
if command -v podman >/dev/null 2>&1; then
	P="podman --root $work/podman/root --runroot $work/podman/run --storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime $BERTH"
	U="--ulimit nofile=1024:1024 --ulimit nproc=4096:4096"
	tar -C "$work/rootfs" -c . | $P import -q - localhost/berth-bench >/dev/null 2>&1
	p() { s=$(date +%s%N); $P run --rm $U --network "$1" localhost/berth-bench true >/dev/null 2>&1 || echo failed; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
	pn=$(for r in $(seq 1 "$RUNS"); do p none; done | median)
	pb=$(for r in $(seq 1 "$RUNS"); do p bridge; done | median)
	printf '%-28s %8s ms\n%-28s %8s ms  (+%s)\n' "podman run --network none" "$pn" "podman run --network bridge" "$pb" $((pb - pn))
	$P rmi -a >/dev/null 2>&1 || true
else
	echo "(no podman here: no comparison)"
fi
