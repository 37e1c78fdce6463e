# SPDX-License-Identifier: Apache-2.0
# Shared by the integration tests (POSIX sh, also runs under busybox sh).
# Each test file calls `ok`/`fail` per check; results go to $RESULTS.
: "${BERTH:?BERTH must name the berth binary}"
: "${RESULTS:=/dev/null}"
TESTROOT=${TESTROOT:-/tmp/berth-tests}
ROOT=$TESTROOT/state		# --root for every test
BUSYBOX=${BUSYBOX:-/bin/busybox}
T=${T:-$(basename "$0" .sh)}

ok()   { echo "PASS $T: $1" >> "$RESULTS"; echo "  ok   $1"; }
# The results file keeps why: the summary of a run lists its failures
# and skips with what was expected and what came.
fail() { echo "FAIL $T: $1${2:+: $2}" >> "$RESULTS"; echo "  FAIL $1${2:+: $2}"; }
skip() { echo "SKIP $T: $1${2:+ ($2)}" >> "$RESULTS"; echo "  skip $1${2:+ ($2)}"; }

# check DESC CMD...: passes when CMD succeeds.
check() { _desc=$1; shift; if "$@" >/dev/null 2>&1; then ok "$_desc"; else fail "$_desc"; fi; }
# expect DESC WANT GOT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "wanted [$2], got [$3]"; fi; }
# expect_match DESC PATTERN TEXT (grep -E)
expect_match() { if printf '%s\n' "$3" | grep -Eq -- "$2"; then ok "$1"; else fail "$1" "[$3] does not match /$2/"; fi; }

b() { "$BERTH" --root "$ROOT" "$@"; }

# wait_until SECONDS CMD...: run CMD every 50 ms until it succeeds; false
# once SECONDS have passed. Tests wait for the event, never a fixed time.
wait_until() {
	_deadline=$(($(date +%s) + $1)); shift
	until "$@"; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.05
	done
}
# ready_again NAME OLD-PID: the service NAME is ready again, in a container
# other than OLD-PID's (p2: the new pid). The caller defines ctl.
ready_again() { p2=$(ctl list | awk -v n="$1" '$1 == n && $2 == "ready" { print $3 }'); [ -n "$p2" ] && [ "$p2" != "$2" ]; }
# exited PID: a child of ours has exited (a zombie not yet waited for counts).
exited() { _st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null); [ -z "$_st" ] || [ "$_st" = Z ]; }

# A busybox-static rootfs, made once and copied per bundle.
ROOTFS_CACHE=$TESTROOT/rootfs
make_rootfs_cache() {
	[ -x "$ROOTFS_CACHE/bin/busybox" ] && return 0
	mkdir -p "$ROOTFS_CACHE/bin" "$ROOTFS_CACHE/proc" "$ROOTFS_CACHE/sys" "$ROOTFS_CACHE/dev" \
		"$ROOTFS_CACHE/etc" "$ROOTFS_CACHE/tmp" "$ROOTFS_CACHE/root"
	cp "$BUSYBOX" "$ROOTFS_CACHE/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$ROOTFS_CACHE/bin/$a"
	done
	echo "root:x:0:0:root:/root:/bin/sh" > "$ROOTFS_CACHE/etc/passwd"
	echo "root:x:0:" > "$ROOTFS_CACHE/etc/group"
}

# host_helper NAME DEST: tests/helpers/NAME.c built at DEST, to run here.
host_helper() { cc -O2 -o "$2" "$(dirname "$0")/../helpers/$1.c" 2>/dev/null; }
# static_helper NAME DEST: tests/helpers/NAME.c built static at DEST, for
# a container; a VM without a compiler has it built already in tests/bin.
static_helper() {
	if [ -x "$(dirname "$0")/../bin/$1" ]; then cp "$(dirname "$0")/../bin/$1" "$2"
	else cc -static -O2 -o "$2" "$(dirname "$0")/../helpers/$1.c" 2>/dev/null; fi
}

# new_bundle NAME [sh -c script]: a bundle with berth's default spec,
# no terminal, running the script. Prints the bundle directory.
new_bundle() {
	make_rootfs_cache
	bd=$TESTROOT/bundles/$1
	rm -rf "$bd"
	mkdir -p "$bd"
	cp -a "$ROOTFS_CACHE" "$bd/rootfs"
	"${FULL:-$BERTH}" spec -b "$bd"	# FULL: a build with `spec` (tiny.sh)
	script=${2:-true}
	jq --arg s "$script" '.process.terminal = false | .process.args = ["sh", "-c", $s]' \
		"$bd/config.json" > "$bd/c.tmp" && mv "$bd/c.tmp" "$bd/config.json"
	echo "$bd"
}

# edit BUNDLE JQ-ARGS...: the jq filter and its --arg options, any order
edit() { _bd=$1; shift; jq "$@" "$_bd/config.json" > "$_bd/c.tmp" && mv "$_bd/c.tmp" "$_bd/config.json"; }

# Run a container to completion; stdout+stderr in $OUT, status in $RC.
run_c() { OUT=$(b run --bundle "$1" "${2:-c-$T}" 2>&1); RC=$?; }

# No state, cgroup or mount may stay behind after a container is gone.
assert_clean() {
	id=$1
	if [ -e "$ROOT/$id" ]; then fail "$2: state directory removed"; else ok "$2: state directory removed"; fi
	left=$(find /sys/fs/cgroup -maxdepth 3 -type d -name "$id" 2>/dev/null | head -n1)
	if [ -z "$left" ]; then ok "$2: cgroup removed"; else fail "$2: cgroup removed" "$left"; fi
	if grep -q "$TESTROOT/bundles" /proc/self/mountinfo; then fail "$2: no mount leaked"; else ok "$2: no mount leaked"; fi
}

# in_terminal CMD: CMD under script(1), so that it has a terminal; its
# output, \r removed. script's stdin is a FIFO held open and empty: at
# the end of its stdin (/dev/null), script types ^D into the terminal,
# and a runtime that has put that terminal in raw mode by then relays it
# into the container, whose terminal echoes it (^@) before the output.
in_terminal() {
	_fifo=$TESTROOT/terminal-stdin.$$
	rm -f "$_fifo" && mkfifo "$_fifo" || return 1
	exec 9<>"$_fifo"
	script -qec "$1" /dev/null <&9 | tr -d '\r'
	exec 9>&-
	rm -f "$_fifo"
}

# run_bg BUNDLE ID MARKER: `berth run` in the background (its pid in $RP),
# returning once the container has created /tmp/MARKER in its rootfs.
run_bg() {
	"$BERTH" --root "$ROOT" run --bundle "$1" "$2" >/dev/null 2>&1 &
	RP=$!
	wait_until 30 test -e "$1/rootfs/tmp/$3"
}

# The device cgroup (v1 rules, or the v2 eBPF program) checked by effect.
devices_effect() {
	_bd=$(new_bundle devfx 'mknod /tmp/mem c 1 1 2>&1 || echo mknod-denied; head -c 4 /dev/zero | wc -c
		mknod /tmp/port c 1 4 && echo mknod-ok; head -c 1 /tmp/port >/dev/null 2>&1 || echo open-denied')
	# CAP_MKNOD, so that only the device cgroup can refuse.
	edit "$_bd" '.root.readonly = false | .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 4, access: "m"}]
		| .process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	run_c "$_bd" devfx
	expect_match "devices: mknod of a denied device fails" "mknod-denied" "$OUT"
	expect_match "devices: /dev/zero still works" "^4$" "$OUT"
	expect_match "devices: an m-only rule allows mknod" "mknod-ok" "$OUT"
	expect_match "devices: an m-only rule does not allow open" "open-denied" "$OUT"
}
