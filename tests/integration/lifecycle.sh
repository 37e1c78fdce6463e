#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# create / start / state / kill / delete / run, as runc's users rely on.
. "$(dirname "$0")/../lib.sh"

# PID 1 of a pid namespace only gets signals it handles: trap them.
bd=$(new_bundle life 'echo started > /tmp/marker; trap "echo usr1 > /tmp/got-usr1" USR1; trap "exit 0" TERM; while :; do sleep 0.05; done')
edit "$bd" '.root.readonly = false'
check "create succeeds" b create --bundle "$bd" --pid-file "$TESTROOT/life.pid" life
st=$(b state life)
expect "state after create is created" created "$(echo "$st" | jq -r .status)"
pid=$(echo "$st" | jq -r .pid)
expect "--pid-file holds the init pid" "$pid" "$(cat "$TESTROOT/life.pid")"
expect "state has the bundle" "$bd" "$(echo "$st" | jq -r .bundle)"
# A window for a process that should not be running to show itself: the
# absence of an event cannot be waited for.
sleep 0.2
if [ -e "$bd/rootfs/tmp/marker" ]; then fail "process not started before start"; else ok "process not started before start"; fi
check "start succeeds" b start life
wait_until 30 test -e "$bd/rootfs/tmp/marker"
check "process runs after start" test -e "$bd/rootfs/tmp/marker"
expect "state after start is running" running "$(b state life | jq -r .status)"
if b start life 2>/dev/null; then fail "second start refused"; else ok "second start refused"; fi
check "kill USR1 delivered" b kill life USR1
wait_until 30 test -e "$bd/rootfs/tmp/got-usr1"
check "container saw USR1" test -e "$bd/rootfs/tmp/got-usr1"
err=$(b delete life 2>&1); rc=$?
expect "delete of a running container fails" 1 "$rc"
expect_match "delete without -f says why" "running.*--force" "$err"
check "kill (default TERM)" b kill life
status_is() { [ "$(b state "$1" | jq -r .status)" = "$2" ]; }
wait_until 30 status_is life stopped
expect "state after kill is stopped" stopped "$(b state life | jq -r .status)"
err=$(b kill life 2>&1); rc=$?
expect_match "kill of a stopped container fails" "not running" "$err"
check "delete of a stopped container" b delete life
assert_clean life "delete"

# delete -f of a running container
bd=$(new_bundle force 'sleep 1000')
b run -d --bundle "$bd" force >/dev/null 2>&1
expect "run -d leaves it running" running "$(b state force | jq -r .status)"
check "delete -f of a running container" b delete -f force
assert_clean force "delete -f"
check "delete -f of a missing container succeeds" b delete -f force
err=$(b delete force 2>&1)
expect_match "delete of a missing container fails" "does not exist" "$err"

# delete of a created container (never started) needs no -f, as runc
bd=$(new_bundle created-only 'true')
b create --bundle "$bd" created-only
check "delete of a created container" b delete created-only
assert_clean created-only "delete created"

# run: exit codes and signals
bd=$(new_bundle exitcode 'exit 42')
run_c "$bd" exitcode
expect "run returns the container's exit code" 42 "$RC"
assert_clean exitcode "run"
bd=$(new_bundle killed 'echo up > /tmp/up; sleep 1000')
edit "$bd" '.root.readonly = false'
run_bg "$bd" killed up
b kill killed KILL
wait $RP; rc=$?
expect "run returns 128+signal" 137 "$rc"
assert_clean killed "run after SIGKILL"
bd=$(new_bundle fwd 'trap "exit 7" TERM; echo ready > /tmp/ready; while :; do sleep 0.05; done')
edit "$bd" '.root.readonly = false'
run_bg "$bd" fwd ready
kill -TERM $RP
wait $RP; rc=$?
expect "run forwards SIGTERM (container exits 7)" 7 "$rc"
assert_clean fwd "run after signal"

# members ID OP N: the container's process count compared with N (test(1)'s OP).
members() { [ "$(b ps --format json "$1" | jq length)" "$2" "$3" ]; }

# kill --all reaches every process in the cgroup. TERM goes to each by
# its pidfd; the shell, the namespace's init without a handler, ignores
# it, so the container ends only when both sleeps are killed.
for sig in KILL TERM; do
	id=killall-$sig
	bd=$(new_bundle "$id" 'sleep 1000 & sleep 1000 & wait')
	b run -d --bundle "$bd" "$id"
	wait_until 30 members "$id" = 3
	check "kill --all $sig" b kill --all "$id" "$sig"
	wait_until 30 status_is "$id" stopped
	expect "kill --all $sig stops the container" stopped "$(b state "$id" | jq -r .status)"
	b delete -f "$id"
	assert_clean "$id" "kill --all $sig"
done

# kill --all with another signal than KILL freezes the members while it
# reads and signals them (as runc): a chain of processes that each fork
# the next and exit at once is never where the list saw it, the more so
# when 200 idle processes make the list long. The init (fork_chain, the
# links' reaper) has no TERM handler, so all but it go. Before, the chain
# survived kill --all TERM (5 times in 5 here).
bd=$(new_bundle chain 'exec fork_chain /tmp/up 200')
if static_helper fork_chain "$bd/rootfs/bin/fork_chain"; then
	edit "$bd" '.root.readonly = false'
	b run -d --bundle "$bd" chain
	wait_until 30 [ -e "$bd/rootfs/tmp/up" ]
	check "a chain of forks runs beside its init" wait_until 30 members chain -ge 2
	check "kill --all TERM of the chain" b kill --all chain TERM
	if wait_until 10 members chain = 1; then ok "kill --all TERM ends a chain of forks (the members frozen meanwhile)"
	else fail "kill --all TERM ends a chain of forks (the members frozen meanwhile)" "$(b ps chain 2>&1 | tail -3)"; fi
	expect "...and leaves it running, not frozen" running "$(b state chain | jq -r .status)"
	# A paused container stays paused. v1's frozen processes take the
	# signal at the resume; v2 lets a fatal one end them frozen, and says
	# "frozen" again once they are gone.
	b exec -d chain fork_chain /tmp/up2 200
	wait_until 30 [ -e "$bd/rootfs/tmp/up2" ]
	check "a second chain, from exec" wait_until 30 members chain -ge 2
	b pause chain
	check "kill --all TERM of a paused container" b kill --all chain TERM
	wait_until 10 status_is chain paused
	expect "...leaves it paused" paused "$(b state chain | jq -r .status)"
	b resume chain
	if wait_until 10 members chain = 1; then ok "...and the chain ends once it is resumed"
	else fail "...and the chain ends once it is resumed" "$(b ps chain 2>&1 | tail -3)"; fi
	b kill --all chain KILL
	wait_until 30 status_is chain stopped
	b delete -f chain
	assert_clean chain "a chain of forks"
else
	skip "kill --all TERM ends a chain of forks" "no static C compiler"
fi
# A member waiting on a FUSE mount that never answers neither hangs
# kill --all nor outlives it: where the kernel freezes such a wait (6.x
# here does) it goes as any other; where it does not, the freeze gives
# way after 2 s with a warning and the signal goes unfrozen (as runc).
fz=$TESTROOT/stuck_fuse
if [ ! -c /dev/fuse ] || ! host_helper stuck_fuse "$fz"; then
	skip "kill --all TERM with a member waiting on a hung mount" "no /dev/fuse or no C compiler"
else
	bd=$(new_bundle unfrozen 'cat /stuck/x & touch /tmp/up; exec sleep 1000')
	edit "$bd" '.root.readonly = false'
	mkdir -p "$bd/rootfs/stuck"
	"$fz" "$bd/rootfs/stuck" > "$TESTROOT/unfrozen.fuse" 2>&1 & FZ=$!
	wait_until 10 grep -q mounted "$TESTROOT/unfrozen.fuse"
	b run -d --bundle "$bd" unfrozen
	wait_until 30 [ -e "$bd/rootfs/tmp/up" ]
	in_fuse() { for p in $(b ps --format json unfrozen | jq '.[]'); do grep -q fuse "/proc/$p/wchan" 2>/dev/null && return 0; done; return 1; }
	check "a member waits on the FUSE mount" wait_until 10 in_fuse
	OUT=$(b kill --all unfrozen TERM 2>&1); RC=$?
	expect "kill --all TERM with a member waiting on a hung mount: exit 0" 0 "$RC"
	expect_match "...and nothing said, or that it did not freeze" "^$|^berth: warning: .*did not freeze within 2 s$" "$OUT"
	check "...and the signal still ends it" wait_until 10 members unfrozen = 1
	expect "...and the container is not left frozen" running "$(b state unfrozen | jq -r .status)"
	kill "$FZ"; wait "$FZ" 2>/dev/null
	b delete -f unfrozen
	umount -l "$bd/rootfs/stuck" 2>/dev/null
	assert_clean unfrozen "a member waiting on a hung mount"
fi

# A container whose cgroup mount is read-write (as systemd inside wants)
# makes cgroups below its own, in every hierarchy: delete removes them
# too, each before its parent. Before, the top's rmdir failed (EBUSY)
# and the container's cgroups stayed.
bd=$(new_bundle subcg 'for c in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do mkdir -p "$c/made/below" 2>/dev/null; done
	ls -d /sys/fs/cgroup/*/made/below /sys/fs/cgroup/made/below > /tmp/made 2>/dev/null; touch /tmp/up; sleep 1000')
edit "$bd" '.root.readonly = false | .mounts |= map(if .type == "cgroup" then .options -= ["ro"] else . end)'
b run -d --bundle "$bd" subcg
wait_until 30 [ -f "$bd/rootfs/tmp/up" ]
expect_match "a read-write cgroup mount: the container made cgroups below its own" "made/below" "$(cat "$bd/rootfs/tmp/made")"
OUT=$(b delete -f subcg 2>&1); RC=$?
expect "delete -f of a container with cgroups below its own: no error" "0 " "$RC $OUT"
assert_clean subcg "cgroups made below the container's"

# run_cgroup_writer ID [pidns]: $bd started detached with its cgroups
# mounted read-write and no pid namespace of its own (with "pidns", the
# bundle's namespaces as they are); returns once its /tmp/up exists.
run_cgroup_writer() {
	rm -f "$bd/rootfs/tmp/up"
	edit "$bd" '.root.readonly = false | .mounts |= map(if .type == "cgroup" then .options -= ["ro"] else . end)'
	[ "${2:-}" = pidns ] || edit "$bd" '.linux.namespaces |= map(select(.type != "pid"))'
	b run -d --bundle "$bd" "$1"
	wait_until 30 [ -e "$bd/rootfs/tmp/up" ]
}

# Without a pid namespace, killing the init leaves the rest: delete -f
# and kill --all reach every process by the container's cgroup, and that
# includes the cgroups it made below its own (runc and crun walk the
# tree too). A process that moved itself into one in every hierarchy
# died with the container; before, it survived, and so did the cgroups.
bd=$(new_bundle subkill 'sh /mover.sh & sleep 1000')
cat > "$bd/rootfs/mover.sh" <<'EOF'
for c in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
	[ -f "$c/cgroup.procs" ] && mkdir -p "$c/moved" && echo $$ > "$c/moved/cgroup.procs"
done
grep -c moved /proc/self/cgroup > /tmp/moved_in
echo $$ > /tmp/moved
touch /tmp/up
exec sleep 1000
EOF
run_cgroup_writer subkill
moved=$(cat "$bd/rootfs/tmp/moved")
expect_match "no pid namespace: a process moved itself into a cgroup below the container's" "^[1-9]" "$(cat "$bd/rootfs/tmp/moved_in")"
b kill --all subkill KILL
wait_until 10 sh -c "! kill -0 $moved 2>/dev/null"
if kill -0 "$moved" 2>/dev/null; then fail "kill --all reaches a process in a cgroup below the container's"; kill -9 "$moved"
else ok "kill --all reaches a process in a cgroup below the container's"; fi
OUT=$(b delete -f subkill 2>&1); RC=$?
expect "delete -f after it: no error" "0 " "$RC $OUT"
assert_clean subkill "a process moved below the container's cgroup"
# The same with delete -f alone.
run_cgroup_writer subkill
moved=$(cat "$bd/rootfs/tmp/moved")
OUT=$(b delete -f subkill 2>&1); RC=$?
expect "delete -f of a container with a process moved below its cgroup: no error" "0 " "$RC $OUT"
wait_until 10 sh -c "! kill -0 $moved 2>/dev/null"	# killed; reaped by whoever inherited it
if kill -0 "$moved" 2>/dev/null; then fail "delete -f reaches a process in a cgroup below the container's"; kill -9 "$moved"
else ok "delete -f reaches a process in a cgroup below the container's"; fi
assert_clean subkill "delete -f of a process moved below the container's cgroup"

# A cgroup below the container's that cannot be read (nested deeper than
# the caller's open-file limit) hides only its own processes from a
# signal read off the tree: kill --all TERM warns and still ends the
# others (before: it read nothing, killed nothing). The init moves itself
# 100 cgroups down, a child stays on top. SIGKILL on v2 (5.14+) is the
# kernel's, by cgroup.kill: it reaches the init too.
bd=$(new_bundle deepkill 'sh /deep.sh')
cat > "$bd/rootfs/deep.sh" <<'EOF'
sleep 1000 &
echo $! > /tmp/child
for c in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
	[ -f "$c/cgroup.procs" ] || continue
	d=$c; i=0
	while [ $i -lt 100 ]; do d=$d/n; mkdir "$d"; i=$((i + 1)); done
	echo $$ 2>/dev/null > "$d/cgroup.procs"	# cpuset's refuse (no cpus yet)
done
touch /tmp/up
exec sleep 1000
EOF
run_cgroup_writer deepkill
child=$(cat "$bd/rootfs/tmp/child")
OUT=$(ulimit -n 40 && b kill --all deepkill TERM 2>&1); RC=$?
expect_match "kill --all with a cgroup too deep to read: a warning that names why" "cannot be read.*: (No file descriptors available|Too many open files)" "$OUT"
expect "...said once (the pids are read twice, to pin them)" 1 "$(printf '%s\n' "$OUT" | grep -c 'cannot be read')"
# dead: gone, or a zombie its parent (the init, out of reach) does not reap
dead() { [ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
if wait_until 10 dead "$child"; then ok "kill --all still ends the processes it can find"
else fail "kill --all still ends the processes it can find" "rc $RC"; kill -9 "$child"; fi
OUT=$(b delete -f deepkill 2>&1); RC=$?
expect "delete -f of it: no error" "0 " "$RC $OUT"
assert_clean deepkill "cgroups nested 100 deep"
run_cgroup_writer deepkill
pid=$(b state deepkill | jq .pid)
if [ -e "$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)/deepkill/cgroup.kill" ]; then
	OUT=$(ulimit -n 40 && b kill --all deepkill KILL 2>&1); RC=$?
	expect "kill --all KILL with cgroup.kill: no warning" "0 " "$RC $OUT"
	if wait_until 10 dead "$pid"; then ok "kill --all KILL with cgroup.kill reaches the init 100 cgroups down"
	else fail "kill --all KILL with cgroup.kill reaches the init 100 cgroups down"; fi
else
	skip "kill --all KILL with cgroup.kill" "no cgroup v2 hierarchy with cgroup.kill (5.14+)"
fi
OUT=$(b delete -f deepkill 2>&1); RC=$?
expect "delete -f of it: no error" "0 " "$RC $OUT"
assert_clean deepkill "cgroups nested 100 deep, killed by cgroup.kill"

# A process that freezes a v1 cgroup of its own making (a writable cgroup
# mount lets it) is still killed: SIGKILL thaws every cgroup below the
# container's, since thawing a parent leaves a child that froze itself
# frozen, and a task frozen by v1's freezer dies only once thawed (the
# build before: delete -f failed with "Resource busy" after 21 s and
# left the process, frozen, with its cgroups).
freezer=$(awk '$9 == "cgroup" && $NF ~ /(^|,)freezer(,|$)/ { print $5; exit }' /proc/self/mountinfo)
if [ -n "$freezer" ]; then
	bd=$(new_bundle selffreeze 'sleep 1000 & f=/sys/fs/cgroup/freezer/sub; mkdir $f && echo $$ > $f/cgroup.procs &&
		touch /tmp/up && echo FROZEN > $f/freezer.state; sleep 1000')
	frozen_now() { grep -q FROZEN "$freezer/selffreeze/sub/freezer.state" 2>/dev/null; }
	for pidns in yes no; do
		if [ $pidns = yes ]; then run_cgroup_writer selffreeze pidns; else run_cgroup_writer selffreeze; fi
		wait_until 10 frozen_now
		pid=$(cat "$freezer/selffreeze/sub/cgroup.procs")
		expect_match "pid namespace $pidns: a process froze the cgroup below the container's it moved into" "^[1-9]" "$pid"
		if [ $pidns = no ]; then
			OUT=$(b kill --all selffreeze KILL 2>&1); RC=$?
			expect "pid namespace no: kill --all KILL" "0 " "$RC $OUT"
			if wait_until 10 dead "$pid"; then ok "pid namespace no: kill --all KILL ends the process that froze itself"
			else fail "pid namespace no: kill --all KILL ends the process that froze itself"; fi
		fi
		OUT=$(timeout 60 "$BERTH" --root "$ROOT" delete -f selffreeze 2>&1); RC=$?
		expect "pid namespace $pidns: delete -f of a container with a process that froze itself" "0 " "$RC $OUT"
		if wait_until 10 dead "$pid"; then ok "pid namespace $pidns: ...the process is gone"
		else fail "pid namespace $pidns: ...the process is gone"; echo THAWED > "$freezer/selffreeze/sub/freezer.state"; kill -9 "$pid"; fi
		assert_clean selffreeze "pid namespace $pidns: a process that froze itself"
	done
else
	skip "a process that froze a cgroup of its own making is killed" "no cgroup v1 freezer (v2's frozen tasks die of SIGKILL)"
fi

# ps keeps a process's line whole however long (its reader once cut
# lines at 4 KiB): a command line of 6,000 bytes, its line as ps itself
# prints it (procps: whole; busybox ps cuts it to its width).
long=$(printf '%06000d' 0 | tr 0 x)
bd=$(new_bundle psl "echo up > /tmp/up; sleep 1000; : $long")
edit "$bd" '.root.readonly = false'
b run -d --bundle "$bd" psl
wait_until 30 [ -f "$bd/rootfs/tmp/up" ]
pid=$(b state psl | jq .pid)
line_of() { awk -v p="$pid" '$1 == p || $2 == p'; }	# busybox: PID first; procps -ef: second
# From the command on: the columns before it (C, TIME) move between two
# runs of ps on a busy machine.
command_of() { line_of | sed 's/^.*\(sh -c echo up\)/\1/'; }
expect "ps: a 6,000-byte command line, its line as ps prints it" "$(ps -ef | command_of)" "$(b ps psl | command_of)"
expect "ps: the same process" "$(ps -ef | line_of | wc -l)" "$(b ps psl | line_of | wc -l)"
b delete -f psl
assert_clean psl "ps of a long line"

# list
bd=$(new_bundle l1 'sleep 1000')
b run -d --bundle "$bd" l1
expect "list -q" l1 "$(b list -q)"
expect "list --format json" "l1 running" "$(b list --format json | jq -r '.[] | "\(.id) \(.status)"')"
expect_match "list table" "^l1 +[0-9]+ +running" "$(b list | tail -n1)"
b delete -f l1
