#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Hostile images: a rootfs built to make berth mount, create or enter
# something of the host. Every target is a decoy directory under
# $TESTROOT, never a real host file; each check looks at the decoy.
. "$(dirname "$0")/../lib.sh"
decoy=$TESTROOT/decoy
rm -rf "$decoy" && mkdir -p "$decoy"
echo original > "$decoy/file"
# decoy_untouched DESC: nothing new in the decoy, nothing mounted on it.
decoy_untouched() {
	if [ "$(ls -A "$decoy")" = file ] && [ "$(cat "$decoy/file")" = original ]; then ok "$1: decoy untouched"
	else fail "$1: decoy untouched" "$(ls -A "$decoy" | tr '\n' ' ')"; fi
	if grep -q " $decoy" /proc/self/mountinfo; then fail "$1: nothing mounted on the decoy"; umount -R "$decoy" 2>/dev/null
	else ok "$1: nothing mounted on the decoy"; fi
}
# How many ".." reach / from inside a bundle's rootfs, and a bit more.
ups=../../../../../../../../../../../../../../..

# A link through a missing component, "..", then another link: a string
# resolver stopped checking at the missing component, so the second link
# (to the decoy) was followed by mkdir and mount on the host.
bd=$(new_bundle through 'ls -d /evil/inner && pwd')
ln -s "$decoy" "$bd/rootfs/hop"
ln -s "missing/../hop" "$bd/rootfs/evil"
edit "$bd" '.mounts += [{destination: "/evil/inner", type: "tmpfs", source: "tmpfs"}]
	| .linux.devices += [{path: "/evil/dev/xnode", type: "c", major: 1, minor: 3}]
	| .process.cwd = "/evil/work"'
run_c "$bd" through
expect "links through a missing component: the container runs" 0 "$RC"
expect "the mount and the cwd land inside the rootfs" "/evil/inner
$decoy/work" "$OUT"
check "the cwd was made inside the rootfs" test -d "$bd/rootfs$decoy/work"
check "so was the node" test -c "$bd/rootfs$decoy/dev/xnode"
decoy_untouched "links through a missing component"
assert_clean through "links through a missing component"

# /proc as a symlink: procfs would land elsewhere, /proc/... would not
# resolve, and masking it would protect nothing. Refused, as runc does.
for target in /etc "missing/$ups$decoy"; do
	bd=$(new_bundle proclink 'true')
	rm -rf "$bd/rootfs/proc" && ln -s "$target" "$bd/rootfs/proc"
	run_c "$bd" proclink
	if [ "$RC" != 0 ]; then ok "/proc -> $target: refused"; else fail "/proc -> $target: refused"; fi
	expect_match "/proc -> $target: says why" "symlink on the way to /proc" "$OUT"
	assert_clean proclink "/proc -> $target"
done
decoy_untouched "/proc as a symlink"
bd=$(new_bundle syslink 'true')
rm -rf "$bd/rootfs/sys" && ln -s /tmp "$bd/rootfs/sys"
edit "$bd" '.linux.namespaces += [{type: "network"}] | .linux.namespaces |= unique_by(.type)'
run_c "$bd" syslink
if [ "$RC" != 0 ]; then ok "/sys -> /tmp: refused"; else fail "/sys -> /tmp: refused"; fi
assert_clean syslink "/sys as a symlink"

# The fresh procfs is what the container sees, masked and read-only.
bd=$(new_bundle procfresh '(echo x > /proc/sys/kernel/core_pattern) 2>/dev/null && echo core-written
	[ -s /proc/kcore ] && echo kcore-readable; stat -f -c %T /proc; echo done')
run_c "$bd" procfresh
expect "the container's /proc is procfs, core_pattern read-only, kcore masked" "proc
done" "$OUT"

# A rootfs that changes while berth mounts into it: a directory and a
# link to the decoy trade places as fast as the kernel allows, while
# berth creates containers with a mount, a device and a cwd under it
# (CVE-2021-30465; the string resolver lost within 40 tries).
swap=$TESTROOT/swap_links
if host_helper swap_links "$swap"; then
	bd=$(new_bundle race 'true')
	mkdir -p "$bd/rootfs/dir"
	ln -s "$decoy" "$bd/rootfs/link"
	edit "$bd" '.mounts += [{destination: "/dir/inner", type: "tmpfs", source: "tmpfs"}]
		| .linux.devices += [{path: "/dir/xnode", type: "c", major: 1, minor: 3}]
		| .process.cwd = "/dir/work"'
	"$swap" "$bd/rootfs/dir" "$bd/rootfs/link" &
	sp=$!
	runs=${RACE_RUNS:-500} started=0
	i=0
	while [ $i -lt "$runs" ]; do
		b run --bundle "$bd" race >/dev/null 2>&1 && started=$((started + 1))
		b delete -f race >/dev/null 2>&1
		i=$((i + 1))
	done
	kill "$sp"; wait "$sp" 2>/dev/null
	ok "rename-exchange race: $runs runs ($started started)"
	decoy_untouched "rename-exchange race"
	assert_clean race "rename-exchange race"
else
	skip "rename-exchange race" "no C compiler"
fi

# process.cwd through every fd berth might hold (CVE-2024-21626): the
# container's working directory is never one of the host's. The process
# writes where it is into its own /tmp; from a directory of the host,
# `ls` would show the state (state.json, exec.fifo), the bundle
# (config.json) or a cgroup (cgroup.procs), and pwd would not be a path.
where='{ pwd; ls; } > /tmp/where 2>&1'
# escaped_from BUNDLE: did the last process run outside its root?
escaped_from() {
	[ -f "$1/rootfs/tmp/where" ] || return 1
	head -n1 "$1/rootfs/tmp/where" | grep -q '^/' || return 0
	grep -Eq 'state.json|exec.fifo|config.json|cgroup.procs|unreachable' "$1/rootfs/tmp/where"
}
not_running() { [ "$(b state "$1" 2>/dev/null | jq -r .status)" != running ]; }
wait_stopped() { wait_until 5 not_running "$1"; }
bd=$(new_bundle cwdfd "$where")
edit "$bd" '.root.readonly = false'
escaped=""
n=0
while [ $n -le 64 ]; do
	edit "$bd" --arg c "/proc/self/fd/$n" '.process.cwd = $c'
	rm -f "$bd/rootfs/tmp/where"
	b run --bundle "$bd" cwdfd >/dev/null 2>&1
	escaped_from "$bd" && escaped="$escaped run:$n"
	b delete -f cwdfd >/dev/null 2>&1
	rm -f "$bd/rootfs/tmp/where"
	if b create --bundle "$bd" cwdfd >/dev/null 2>&1 && b start cwdfd >/dev/null 2>&1; then
		wait_stopped cwdfd
		escaped_from "$bd" && escaped="$escaped create+start:$n"
	fi
	b delete -f cwdfd >/dev/null 2>&1
	n=$((n + 1))
done
expect "process.cwd = /proc/self/fd/0..64 never leads outside (run, create + start)" "" "$escaped"
edit "$bd" '.process.cwd = "/etc"'
b run --bundle "$bd" cwdfd >/dev/null 2>&1
expect "an ordinary cwd still works" /etc "$(head -n1 "$bd/rootfs/tmp/where")"
b delete -f cwdfd >/dev/null 2>&1

bd=$(new_bundle cwdexec 'sleep 1000')
edit "$bd" '.root.readonly = false'
b run -d --bundle "$bd" cwdexec >/dev/null 2>&1
escaped=""
n=0
while [ $n -le 64 ]; do
	rm -f "$bd/rootfs/tmp/where"
	b exec --cwd "/proc/self/fd/$n" cwdexec sh -c "$where" >/dev/null 2>&1
	escaped_from "$bd" && escaped="$escaped exec:$n"
	n=$((n + 1))
done
expect "exec --cwd /proc/self/fd/0..64 never leads outside" "" "$escaped"
b exec --cwd /etc cwdexec sh -c "$where" >/dev/null 2>&1
expect "exec --cwd /etc still works" /etc "$(head -n1 "$bd/rootfs/tmp/where")"
b delete -f cwdexec >/dev/null 2>&1
assert_clean cwdexec "exec --cwd"
decoy_untouched "cwd through fds"
# A container that rearranged its /dev (CAP_SYS_ADMIN, which root in a
# user namespace of its own has): every /dev/pts/N a link to
# /proc/self/fd/0. `berth exec -t` opened the slave by that name, so it
# opened its own stdin, a file of the host (the decoy), read-write, gave
# it to the exec's user and tried to make it the terminal (the class of
# runc's CVE-2025-52565). The slave now comes from its master
# (TIOCGPTPEER), and a name, where one is still opened, is checked.
recv=$TESTROOT/console_receiver
if host_helper console_receiver "$recv"; then
	trap_pts='umount -l /dev/pts && mount -t tmpfs trap /dev/pts &&
		for i in $(seq 0 63); do ln -s /proc/self/fd/0 /dev/pts/$i; done && touch /tmp/trap-set; sleep 1000'
	# exec_tty ID: berth exec -t as ID's uid 1234, its stdin the decoy;
	# what the container's process printed in $OUT, berth's errors in $ERR.
	exec_tty() {
		sock=$TESTROOT/$1.sock
		rm -f "$sock"
		"$recv" "$sock" "$TESTROOT/$1.name" "" > "$TESTROOT/$1.out" & rp=$!
		wait_until 30 test -S "$sock"
		ERR=$(b exec -t --console-socket "$sock" -u 1234:1234 "$1" sh -c '[ -t 0 ] && echo stdin-is-a-pty; readlink /proc/self/fd/0' < "$decoy/file" 2>&1)
		RC=$?
		[ $RC -eq 0 ] || kill $rp 2>/dev/null
		wait $rp 2>/dev/null
		OUT=$(tr -d '\r' < "$TESTROOT/$1.out")
	}
	# A real pty beside the trap: the container's own devpts instance.
	bd=$(new_bundle ptstrap "mkdir /tmp/realpts && mount -t devpts -o newinstance,ptmxmode=0666 realpts /tmp/realpts &&
		ln -sf /tmp/realpts/ptmx /dev/ptmx && $trap_pts")
	edit "$bd" '.root.readonly = false | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
	run_bg "$bd" ptstrap trap-set
	exec_tty ptstrap
	expect "exec -t beside /dev/pts links: it runs" 0 "$RC"
	expect_match "exec -t beside /dev/pts links: its stdin is the pty" "^stdin-is-a-pty" "$OUT"
	expect_match "exec -t beside /dev/pts links: that pty is the master's own slave" "^/tmp/realpts/[0-9]+$" "$OUT"
	expect "exec -t beside /dev/pts links: the host file keeps its owner" "0:0" "$(stat -c %u:%g "$decoy/file")"
	b delete -f ptstrap >/dev/null 2>&1
	chown 0:0 "$decoy/file"
	# /dev/ptmx bound from the devpts the container then lazily unmounted:
	# the kernel cannot hand out the slave by its master (ENODEV here), and
	# what the name berth falls back to opens (the decoy) is not the pty:
	# closed untouched.
	bd=$(new_bundle ptstrap2 "rm /dev/ptmx && touch /dev/ptmx && mount --bind /dev/pts/ptmx /dev/ptmx && $trap_pts")
	edit "$bd" '.root.readonly = false | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
	run_bg "$bd" ptstrap2 trap-set
	exec_tty ptstrap2
	if [ $RC -eq 0 ]; then
		expect_match "exec -t, slave by name: a pty or nothing" "^stdin-is-a-pty" "$OUT"
	else
		expect_match "exec -t, slave by name: what a link there opens is refused" "/dev/pts/[0-9]+: (Symbolic link loop|No such device)" "$ERR"
	fi
	expect "exec -t, slave by name: the host file keeps its owner" "0:0" "$(stat -c %u:%g "$decoy/file")"
	b delete -f ptstrap2 >/dev/null 2>&1
	assert_clean ptstrap2 "exec -t beside /dev/pts links"
	decoy_untouched "exec -t beside /dev/pts links"
else
	skip "exec -t beside /dev/pts links" "no C compiler"
fi

# A bind source below another source the container can write, run again
# with the same config (as a shim or a unit file does): the first run
# puts a link to the decoy where the nested source is, the second must
# not mount the decoy there (the class of Kubernetes' subPath
# CVE-2017-1002101). A link that stays inside the writable source is
# followed. The build before mounted the decoy at /conf.
shared=$TESTROOT/shared
rm -rf "$shared" && mkdir -p "$shared/conf" "$shared/real" && echo inside > "$shared/real/inside-file"
bd=$(new_bundle nested "rm -rf /shared/conf && ln -s $decoy /shared/conf && ln -s real /shared/inside")
edit "$bd" --arg s "$shared" '.mounts += [{destination: "/shared", type: "bind", source: $s, options: ["rbind", "rw"]}]'
run_c "$bd" nested
expect "a bind source below a writable one: the first run plants its links" 0 "$RC"
edit "$bd" --arg s "$shared" '.process.args = ["ls", "/conf"]
	| .mounts += [{destination: "/conf", type: "bind", source: ($s + "/conf"), options: ["rbind", "ro"]}]'
run_c "$bd" nested
expect "...the next run refuses the link to the host" 1 "$RC"
expect_match "...and says why" "source $shared/conf: No such file or directory \\(a link below a directory a container can write is followed only inside it\\)" "$OUT"
decoy_untouched "a bind source below a writable one"
assert_clean nested "a bind source below a writable one"
edit "$bd" --arg s "$shared" '.process.args = ["ls", "/inside"]
	| .mounts[-1] = {destination: "/inside", type: "bind", source: ($s + "/inside"), options: ["rbind", "ro"]}'
run_c "$bd" nested
expect "...a link that stays inside it is followed" "0 inside-file" "$RC $OUT"
assert_clean nested "a link inside a writable bind source"
rm -rf "$shared"

# A container that says its kernel has one capability: a tmpfs over
# /proc/sys/kernel whose cap_last_cap reads 0. `berth exec` read that
# file to know how many capabilities to drop from the bounding set, and
# left all but CAP_CHOWN there (a setuid program then regains them). The
# bounding set is now trimmed up to the first number the kernel refuses.
bd=$(new_bundle capfake 'mount -t tmpfs fake /proc/sys/kernel && echo 0 > /proc/sys/kernel/cap_last_cap &&
	grep CapBnd /proc/self/status > /tmp/init-caps && touch /tmp/faked; sleep 1000')
edit "$bd" '.root.readonly = false | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
run_bg "$bd" capfake faked
expect "exec beside a faked cap_last_cap: the fake is in place" 0 "$(b exec capfake cat /proc/sys/kernel/cap_last_cap)"
expect "exec beside a faked cap_last_cap: its bounding set is the spec's" "$(cat "$bd/rootfs/tmp/init-caps")" \
	"$(b exec capfake grep CapBnd /proc/self/status)"
b delete -f capfake >/dev/null 2>&1
assert_clean capfake "exec beside a faked cap_last_cap"

rm -rf "$decoy"
