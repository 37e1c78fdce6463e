# SPDX-License-Identifier: Apache-2.0
# What the benchmarks share. Sourced.

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
