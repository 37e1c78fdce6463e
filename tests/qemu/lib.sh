# SPDX-License-Identifier: Apache-2.0
# Shared by the QEMU tests: the board builder (board/common/lib.sh) for
# ARCH's board, and a boot with the serial console captured.
# Needs: arch, top, work set by the caller.

record() { echo "$1 $2" >> "${RESULTS:-/dev/null}"; echo "  $(echo "$1" | tr A-Z a-z)  $2"; }

board_top=$top
. "$top/board/common/lib.sh"
board_load "qemu-$arch"

# vm_tree DIR BERTH: the board's bare system; the caller adds /sbin/init.
# console_has FILE PATTERN: a line of FILE (a console log, its \r
# removed) matches PATTERN (grep -E). A FILE not there yet has none.
console_has() { tr -d '\r' 2>/dev/null < "$1" | grep -Eq -- "$2"; }	# (2> first: FILE may not be there)
# wait_line FILE PATTERN SECONDS: until a line of FILE (a console log
# being written) matches PATTERN, at most SECONDS.
wait_line() {
	_end=$(($(date +%s) + $3))
	until console_has "$1" "$2"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.5
	done
}
vm_tree() { board_base "$1" "$2"; }

# vm_boot DIR LOG [TIMEOUT]: pack DIR as the initramfs and boot the
# board's kernel with it (command line words: $VM_CMDLINE).
vm_boot() {
	board_pack "$1" "$work/initrd.gz"
	BOARD_MEM=1024 timeout "${3:-1500}" sh "$top/board/common/boot.sh" "$BOARD" "$work/initrd.gz" ${VM_CMDLINE:-} > "$2" 2>&1
}

# vm_results LOG WHAT QEMU-EXIT: what a VM printed between its marker
# lines (whole lines: a console that echoes the command holding them does
# not count), each recorded as "WHAT: ..."; a VM that never printed the
# end marker is a failure, with the console's last lines.
vm_results() {
	if ! tr -d '\r' < "$1" | grep -qx '===BERTH-END==='; then
		record FAIL "$2: the VM ran the tests to the end (qemu exit $3)"
		tail -30 "$1"
		return
	fi
	grep -m1 'berth-vm:' "$1"
	tr -d '\r' < "$1" | sed -n '/^===BERTH-RESULTS===$/,/^===BERTH-END===$/p' |
		grep -E '^(PASS|FAIL|SKIP) ' | while read -r _verdict _text; do
			record "$_verdict" "$2: $_text"
		done
}
