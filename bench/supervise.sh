#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The supervisor's costs: its idle RSS with 1, 10 and 100 running
# services (and that an idle supervisor makes no wake-ups at all), the
# time from a container's death to its replacement running (backoff 0),
# and boot to all services ready in QEMU (from tests/qemu/boot.sh).
# usage: bench/supervise.sh   (as root; BERTH=path to the binary)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
. "$here/lib.sh"
supervisor_workdir sv
sock=$work/ctl.sock
busybox_rootfs "$work/rootfs" sh sleep true
ctl() { "$BERTH" ctl -s "$sock" "$@"; }
ready_count() { ctl list 2>/dev/null | awk '$2 == "ready"' | wc -l; }

# supervise N: N services running sleep, all ready.
supervise() {
	rm -rf "$work/conf" && mkdir -p "$work/conf"
	i=0
	while [ $i -lt "$1" ]; do
		printf '[service]\nrootfs = %s\nexec = sleep 100000\nstop-signal = KILL\nrestart-delay = 0ms\n' "$work/rootfs" \
			> "$work/conf/s$i.conf"
		i=$((i + 1))
	done
	"$BERTH" --root "$work/state" supervise -c "$work/conf" -s "$sock" > "$work/log" 2>&1 & SP=$!
	while [ "$(ready_count)" -lt "$1" ]; do sleep 0.2; done
}
stop() { kill $SP; wait $SP 2>/dev/null || true; SP=; }

printf '%-10s %12s %12s %22s\n' services "idle RSS" "of it stack" "wake-ups in 3 s idle"
for n in 1 10 100; do
	supervise $n
	sleep 1
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$SP/status)
	# the pages its deepest call ever touched: kept for good
	stk=$(awk '/\[stack\]/ { s = 1; next } /^[0-9a-f]+-/ { s = 0 } s && /^Rss:/ { print $2 }' /proc/$SP/smaps)
	cs0=$(awk '/ctxt_switches/ { s += $2 } END { print s }' /proc/$SP/status)
	sleep 3
	cs1=$(awk '/ctxt_switches/ { s += $2 } END { print s }' /proc/$SP/status)
	printf '%-10s %8s KiB %8s KiB %22s\n' $n "$rss" "$stk" $((cs1 - cs0))
	stop
done

# Death to replacement: kill -9 the container's init, time until a new
# one is running (restart-delay 0), median of 20.
supervise 1
: > "$work/times"
for k in $(seq 1 20); do
	pid=$(ctl list | awk '$1 == "s0" && $2 == "ready" { print $3 }')
	t0=$(date +%s%N)
	kill -9 "$pid"
	while :; do
		p2=$(ctl list | awk '$1 == "s0" && $2 == "ready" { print $3 }')
		[ -n "$p2" ] && [ "$p2" != "$pid" ] && break
	done
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 )) >> "$work/times"
done
stop
echo
echo "death to replacement running (restart-delay 0): median $(sort -n "$work/times" | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}') ms of 20"

# Boot to ready, in the QEMU boot test's VM (PID 1, x86_64, TCG).
log=$here/../build/qemu-boot-x86_64/console-pid1.log
if [ -f "$log" ]; then
	echo "QEMU (TCG, x86_64) boot test, berth as PID 1: services ready $(tr -d '\r' < "$log" |
		awk '$1 == "[selftest]" && ($2 == "setup" || $2 == "web") { print $2 " " $NF }' | tr '\n' ' ')after the supervisor started;" \
		"power down at $(grep -o '\[ *[0-9.]*\] reboot: Power down' "$log" | grep -o '[0-9.]*' | head -n1) s of kernel time"
else
	echo "(run tests/qemu/boot.sh first for the boot figure)"
fi
