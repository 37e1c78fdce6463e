# SPDX-License-Identifier: Apache-2.0
# What the benchmarks share. Sourced.

# cgroup_v1_view SCRIPT ARGS...: SCRIPT again, once, in a mount namespace
# of its own in which a hybrid host's unified hierarchy is covered by an
# empty tmpfs, so that every runtime sees the same cgroup v1 hierarchies
# (crun 1.8 refuses the hybrid layout) and nothing any of them makes
# lands in the host's shared cgroup tmpfs.
cgroup_v1_view() {
	[ -z "${BERTH_BENCH_INNER:-}" ] || return 0
	export BERTH BERTH_BENCH_INNER=1
	exec unshare -m sh -c 'mount --make-rprivate / && { ! mountpoint -q /sys/fs/cgroup/unified || mount -t tmpfs none /sys/fs/cgroup/unified; } && exec sh "$0" "$@"' "$@"
}

# busybox_rootfs DIR APPLET...: a container root of busybox, with links
# for these applets.
busybox_rootfs() {
	_d=$1; shift
	mkdir -p "$_d/bin" "$_d/proc" "$_d/sys" "$_d/dev" "$_d/etc"
	cp /bin/busybox "$_d/bin/"
	for _a in "$@"; do ln -s busybox "$_d/bin/$_a"; done
}

# supervisor_workdir NAME: $work, a directory of its own, removed at exit
# with the supervisor the bench started as $SP, if one still runs.
supervisor_workdir() {
	work=$(mktemp -d "/tmp/berth-bench-$1.XXXXXX")
	SP=
	trap supervisor_cleanup EXIT
}
supervisor_cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; return 0; }

# board_bench NAME: a bench on a QEMU board (BOARD, default qemu-x86_64):
# the board builder loaded (board/common/lib.sh), $work (removed at exit)
# and in $root the board's initramfs tree, $BERTH as its PID 1.
board_bench() {
	board_top=$(cd "$here/.." && pwd)
	. "$board_top/board/common/lib.sh"
	board_load "${BOARD:-qemu-x86_64}"
	work=$(mktemp -d "/tmp/berth-bench-$1.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	root=$work/rootfs
	board_tree "$root" "$BERTH" pid1
}

# board_bench_boot CONSOLE INITRD WORDS...: boot it once, the serial
# console into the file CONSOLE; at most TIMEOUT seconds (default 300),
# with BOARD_MEM MiB (default 512).
board_bench_boot() {
	_console=$1; shift
	BOARD_MEM=${BOARD_MEM:-512} BOARD_HTTP_PORT=$(board_free_port 18080) timeout "${TIMEOUT:-300}" \
		sh -c 'board_top=$0 && . "$0/board/common/lib.sh" && board_load "$1" && shift && board_boot "$@"' \
		"$board_top" "$BOARD" "$@" > "$_console" 2>&1 < /dev/null || true
}

# floor_build OUT: bench/floor.c built static, as berth is, so that the
# floor's own exec (its side as a command of its own per start) costs
# what a static binary's does: with musl where there is one (and the
# Linux headers of berth's staging directory), else the C library's.
floor_build() {
	_inc=$here/../deps/sysroot/$(uname -m)/include
	{ command -v musl-gcc >/dev/null && musl-gcc -static -O2 -Wall -isystem "$_inc" -o "$1" "$here/floor.c" 2>/dev/null; } ||
		${CC:-cc} -static -O2 -Wall -o "$1" "$here/floor.c"
}
