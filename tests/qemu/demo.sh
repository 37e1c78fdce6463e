#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make demo` as a newcomer sees it: board/common/demo.sh boots the board
# with a shell on the serial console; once the services have settled, type
# `berth ctl list` and `berth ctl poweroff` into it, as a person would.
# usage: tests/qemu/demo.sh ARCH [BERTH]   (no BERTH: `make demo ARCH=...` itself)
set -u
arch=$1 berth=${2:-}
how="make demo"; [ -z "$berth" ] || how="board/common/demo.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/qemu-demo-$arch
. "$top/tests/qemu/lib.sh"
rm -rf "$work" && mkdir -p "$work"
log=$work/console.log
mkfifo "$work/keys"
: > "$log"
# The terminal: make demo runs in a person's, which answers a cursor
# query (ESC[6n) as every terminal emulator does. So berth keeps the
# console's echo and ash its line editing.
(
	exec 4>"$work/keys"
	esc=$(printf '\033') n=0
	while :; do
		q=$(grep -o "$esc\[6n" "$log" | wc -l)
		while [ "$n" -lt "$q" ]; do printf '\033[24;1R' >&4; n=$((n + 1)); done
		sleep 0.2
	done
) &
answerer=$!
# The typist: waits for the shell's prompt (PID 1 starts the shell once the
# boot has settled), types the list, waits for its answer, then powers off.
(
	exec 3>"$work/keys"
	wait_line "$log" "init: a shell on the console" 900
	# The list is to show crashy failed: on a loaded machine the boot may
	# settle (15 s at most) before crashy's last restart.
	wait_line "$log" "service crashy: failed" 300
	wait_line "$log" "/ # " 300
	printf 'berth ctl list\n' >&3
	wait_line "$log" "^web +ready" 120
	printf 'berth ctl poweroff\n' >&3
	wait_line "$log" "reboot: Power down" 300
) &
typist=$!
if [ -n "$berth" ]; then
	timeout 900 sh "$top/board/common/demo.sh" "$arch" "$berth" < "$work/keys" > "$log" 2>&1
else
	timeout 1200 make --no-print-directory -C "$top" demo ARCH="$arch" < "$work/keys" > "$log" 2>&1
fi
rc=$?
kill "$typist" "$answerer" 2>/dev/null
tr -d '\r' < "$log" > "$work/console.txt"
# The list typed at the prompt (not welcome's, whose lines start with [welcome]).
if grep -q '^\(/ # .*\)\?berth ctl list$' "$work/console.txt" && grep -q '^web  *ready' "$work/console.txt" &&
	grep -q '^crashy  *failed' "$work/console.txt" && grep -q '^setup  *done' "$work/console.txt"; then
	record PASS "qemu-$arch demo ($how): berth ctl list typed on the serial console shows the services"
else
	record FAIL "qemu-$arch demo ($how): berth ctl list typed on the serial console shows the services"; tail -20 "$work/console.txt"
fi
if grep -q "did not answer a terminal query" "$work/console.txt"; then
	record FAIL "qemu-$arch demo ($how): a terminal that answers keeps the console's echo and ash's line editing"
else
	record PASS "qemu-$arch demo ($how): a terminal that answers keeps the console's echo and ash's line editing"
fi
if [ $rc -eq 0 ] && grep -q "reboot: Power down" "$work/console.txt"; then
	record PASS "qemu-$arch demo ($how): berth ctl poweroff on the console powers the board off"
else
	record FAIL "qemu-$arch demo ($how): berth ctl poweroff on the console powers the board off (exit $rc)"
fi
