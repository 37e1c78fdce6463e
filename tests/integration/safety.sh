#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What runc and crun learned the hard way.
. "$(dirname "$0")/../lib.sh"

# No host fd reaches the container (CVE-2024-21626 style leaks).
bd=$(new_bundle fds 'ls /proc/self/fd | sort -n | tr "\n" " "')
OUT=$(b run --bundle "$bd" fds 7>/etc/hostname 2>&1 9</dev/null); RC=$?
expect "only stdio reaches the container (plus ls's own dir fd)" "0 1 2 3 " "$OUT"
OUT=$(b run --preserve-fds 1 --bundle "$bd" fds 3</dev/null 2>&1); RC=$?
expect "--preserve-fds 1 passes fd 3" "0 1 2 3 4 " "$OUT"

# CVE-2019-5736, as its exploit goes: hold /proc/<pid>/exe of the berth
# init waiting in a container, let that process become the container's
# program (start), then reopen what was held for writing. Against a decoy
# copy of berth in a temporary directory: run from its sealed memfd copy,
# and, where the copy is skipped, from a read-only filesystem.
exe_attack() {	# exe_attack DIR KIND EXE-PATTERN
	want=$(md5sum < "$1/berth")
	bd=$(new_bundle exe 'true')
	"$1/berth" --root "$ROOT" create --bundle "$bd" exe
	pid=$(b state exe | jq -r .pid)
	expect_match "$2: the waiting init runs from it" "$3" "$(readlink /proc/$pid/exe)"
	exec 8< "/proc/$pid/exe"
	"$1/berth" --root "$ROOT" start exe
	wait_until 20 exited "$pid"
	if sh -c 'echo overwritten >> /proc/self/fd/8' 2>/dev/null; then
		fail "$2: what /proc/<pid>/exe held cannot be written"
	else
		ok "$2: what /proc/<pid>/exe held cannot be written"
	fi
	exec 8<&-
	b delete -f exe
	expect "$2: the decoy binary is unchanged" "$want" "$(md5sum < "$1/berth")"
}
decoy=$TESTROOT/decoy
mkdir -p "$decoy" && cp "$BERTH" "$decoy/berth"
exe_attack "$decoy" "sealed memfd copy" 'memfd:berth'
mount -t tmpfs -o size=4m decoy "$decoy" && cp "$BERTH" "$decoy/berth" && mount -o remount,ro "$decoy"
exe_attack "$decoy" "on a read-only filesystem" "^$decoy/berth\$"
umount "$decoy" && rm -rf "$decoy"

# CVE-2016-9962: between its capabilities' drop and the exec, a
# container's init is no more privileged than a process in the container,
# and still holds the host's files (here, without a /proc mount to reopen
# exec.fifo through, the state directory). A process of the same user
# with no capabilities, as a process in another container sharing the pid
# namespace would be, reaches none of them: the init is not dumpable.
# The attempt goes through the fd's ".." to the state root, a test
# directory. The program itself is dumpable again once executed.
if command -v setpriv >/dev/null; then
	bd=$(new_bundle dump 'sleep 1000')
	edit "$bd" '.process.capabilities = {bounding: [], effective: [], permitted: [], inheritable: [], ambient: []}
		| .mounts |= map(select(.type != "proc"))'
	b create --bundle "$bd" dump
	pid=$(b state dump | jq -r .pid)
	# as_peer CMD: root without capabilities, as in such a container
	as_peer() { setpriv --bounding-set=-all --inh-caps=-all sh -c "$1" 2>&1; }
	OUT=$(as_peer "for f in /proc/$pid/fd/*; do [ -d \"\$f\" ] && touch \"\$f/../pwned\" && echo reached \$f; done; readlink -v /proc/$pid/cwd")
	expect_match "a peer without capabilities cannot read the waiting init's fds" "Permission denied" "$OUT"
	if [ ! -e "$ROOT/pwned" ] && ! printf '%s' "$OUT" | grep -q reached; then ok "...nor reach the host through them"
	else fail "...nor reach the host through them" "$OUT"; fi
	b start dump
	started() { grep -q sleep "/proc/$pid/comm"; }
	wait_until 20 started
	expect "the program, once executed, is dumpable again" "/" "$(as_peer "readlink -v /proc/$pid/cwd")"
	b delete -f dump
	rm -f "$ROOT/pwned"
	assert_clean dump "a non-dumpable init"
else
	skip "a non-dumpable init" "no setpriv (util-linux)"
fi

# berth exec's process is in the container from its clone on, with the
# host's stdio until its terminal replaces it, and in a user namespace it
# holds no capability there beyond the container root's: that root (with
# CAP_SYS_PTRACE, as a debugging container has) could take its fds
# (pidfd_getfd, or ptrace) until it was made not dumpable, late in its
# setup. It is caught at its open of /dev/ptmx, which the container
# points into a mount that hangs (a FUSE daemon that never answers);
# meanwhile a process of the container tries to take its stdin (a file
# of the host's).
fz=$TESTROOT/stuck_fuse steal=$TESTROOT/steal_fd
if [ ! -c /dev/fuse ] || ! host_helper stuck_fuse "$fz" ||
	! static_helper steal_fd "$steal"; then
	skip "exec's process, before its terminal" "no /dev/fuse, or no C compiler for static programs"
else
	bd=$(new_bundle xwin 'ln -sf /stuck/ptmx /dev/ptmx && touch /tmp/set; sleep 1000')
	mkdir -p "$bd/rootfs/stuck" && cp "$steal" "$bd/rootfs/bin/"
	edit "$bd" '.root.readonly = false | .linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
		| .process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
	"$fz" "$bd/rootfs/stuck" > "$TESTROOT/xwin.fuse" 2>&1 & FZ=$!
	wait_until 10 grep -q mounted "$TESTROOT/xwin.fuse"
	run_bg "$bd" xwin set
	echo secret > "$TESTROOT/xwin.stdin"
	"$BERTH" --root "$ROOT" exec -t --console-socket "$TESTROOT/xwin.sock" xwin true < "$TESTROOT/xwin.stdin" > /dev/null 2>&1 & EP=$!
	# its process, in the container's mount namespace, waiting on FUSE
	in_open() {
		for c in $(ps -o pid= --ppid "$EP"); do
			[ "$(readlink "/proc/$c/ns/mnt")" = "$(readlink "/proc/$(b state xwin | jq -r .pid)/ns/mnt")" ] || continue
			grep -q fuse "/proc/$c/wchan" 2>/dev/null || grep -q fuse "/proc/$c/stack" 2>/dev/null || continue
			xc=$c
			return 0
		done
		return 1
	}
	xc=
	if wait_until 20 in_open; then
		ipid=$(awk '/^NSpid/ { print $NF }' "/proc/$xc/status")
		OUT=$(b exec xwin steal_fd "$ipid" 0 2>&1); RC=$?
		if [ $RC = 2 ]; then
			skip "exec's process, before its terminal" "no pidfd_getfd in this kernel"
		else
			expect_match "exec's process, before its terminal: the container's root cannot take its fds" "Operation not permitted" "$OUT"
			case $OUT in *secret*) fail "...nor read the host file it holds" "$OUT" ;; *) ok "...nor read the host file it holds" ;; esac
		fi
	else
		fail "exec's process, before its terminal: caught in the open that hangs" "$(ps -o pid=,wchan:30= --ppid "$EP")"
	fi
	kill "$FZ"; wait "$FZ" 2>/dev/null
	wait "$EP" 2>/dev/null
	b delete -f xwin >/dev/null 2>&1
	umount -l "$bd/rootfs/stuck" 2>/dev/null
	assert_clean xwin "exec's process, before its terminal"
fi
