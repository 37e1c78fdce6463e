#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# berth against the floor: `berth run` of /bin/true with berth's default
# spec, and bench/floor.c doing what that spec asks of the kernel with no
# runtime around it, in turns, in the same run: in the harness's own
# process, and as a command of its own exec'd for each start (as berth's
# `run` is). Prints the medians (wall and CPU of every process of a
# start) and berth as a multiple of each, the page faults of a start and
# what one costs here, and the floor's time from its execve to its
# reaped exit. berth runs twice in each turn: from where BERTH is (here a
# writable directory: it runs from a sealed copy of itself, CVE-2019-5736), and
# the same file from a read-only mount, as from a device's read-only root
# (squashfs, erofs), where no copy is needed. As
# bench/run.sh: a private mount namespace in which a hybrid host's
# unified hierarchy is covered, so both see the same cgroup v1
# hierarchies (or a pure v2 host's one).
# usage: bench/floor.sh [RUNS]   (as root; BERTH=path to the binary, CC)
set -eu
runs=${1:-200}
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
. "$here/lib.sh"
cgroup_v1_view "$0" "$runs"
work=$(mktemp -d /tmp/berth-bench-floor.XXXXXX)
trap 'umount "$work/state" "$work/ro" 2>/dev/null; rm -rf "$work"' EXIT
# The state directory on a tmpfs, as /run is on a device (here / is ext4).
mkdir -p "$work/state" && mount -t tmpfs berth-state "$work/state"
floor_build "$work/floor"
# The same binary on a read-only bind mount (this script runs in a mount
# namespace of its own: cgroup_v1_view).
mkdir -p "$work/ro" && cp "$BERTH" "$work/ro/berth" &&
	mount --bind "$work/ro" "$work/ro" && mount -o remount,bind,ro "$work/ro"
mkdir -p "$work/bundle"
busybox_rootfs "$work/bundle/rootfs" true
mkdir -p "$work/bundle/rootfs/sys/fs/cgroup" "$work/bundle/rootfs/dev"
"$BERTH" spec -b "$work/bundle"
jq '.process.terminal = false | .process.args = ["/bin/true"] | del(.linux.seccomp)' "$work/bundle/config.json" > "$work/c" &&
	mv "$work/c" "$work/bundle/config.json"
"$work/floor" "$runs" "$work/bundle/rootfs" "$BERTH" "$work/bundle" "$work/state" "$work/ro/berth" > "$work/out"
awk -v runs="$runs" -v cores="$(nproc)" -v kernel="$(uname -r)" -v day="$(date -u +%Y-%m-%d)" '
	$1 == "hierarchies" { h = $2 }
	$1 == "floor" { fw = $3; fc = $5; ff = $7 }
	$1 == "floor_exec" { xw = $3; xc = $5; xf = $7 }
	$1 == "berth" { bw = $3; bc = $5; bf = $7 }
	$1 == "berth_ro" { rw = $3; rc = $5; rf = $7 }
	$1 == "exec_to_reaped_us" { er = $2 }
	$1 == "fault_us" { fu = $2 }
	END {
		printf "%-6s %12s %12s\n", "", "wall ms", "CPU ms"
		printf "%-6s %12.2f %12.2f\n", "floor", fw / 1000, fc / 1000
		printf "%-6s %12.2f %12.2f\n", "berth", bw / 1000, bc / 1000
		printf "%-6s %11.2fx %11.2fx\n", "ratio", bw / fw, bc / fc
		printf "berth from a read-only mount (no sealed copy): %.2f ms wall (%.2fx), %.2f ms CPU (%.2fx)\n", rw / 1000, rw / fw, rc / 1000, rc / fc
		printf "the floor as a command of its own (exec'"'"'d for each start, as berth is): %.2f ms wall, %.2f ms CPU;\n", xw / 1000, xc / 1000
		printf "  berth %.2fx wall, %.2fx CPU of it; from the read-only mount %.2fx wall, %.2fx CPU\n", bw / xw, bc / xc, rw / xw, rc / xc
		printf "floor: from its execve of /bin/true to its reaped exit %.2f ms (the kernel'"'"'s; bench/steps.sh calls it \"exited, waited for\")\n", er / 1000
		printf "page faults a start: floor %d (as a command %d), berth %d, from the read-only mount %d; one costs %.2f us here\n", ff, xf, bf, rf, fu
		printf "(medians of %d starts each, in turns; %d cgroup hierarchies; %d cores, %s, %s)\n", runs, h, cores, kernel, day
	}' "$work/out"
