#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A runtime killed with SIGKILL at any point leaves nothing that
# `delete -f` cannot remove: no process, cgroup, mount or state.
. "$(dirname "$0")/../lib.sh"
killer=$TESTROOT/kill_at_random
if ! host_helper kill_at_random "$killer"; then
	skip "killed runtime" "no C compiler"; exit 0
fi
id=killed
bd=$(new_bundle killed 'exec sleep 31337')
# What is left of the container: its state, a cgroup, a process (the
# bracket keeps grep from finding itself), a mount of its bundle.
leftovers() {
	_l=""
	[ -e "$ROOT/$id" ] && _l="$_l state"
	[ -n "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null | head -n1)" ] && _l="$_l cgroup"
	ps -eo args | grep -q -e 'sleep 3133[7]' -e 'bundles/kille[d]' && _l="$_l process"
	grep -q "bundles/killed" /proc/self/mountinfo && _l="$_l mount"
	echo "$_l"
}

# A create stopped in the middle, on purpose: a createRuntime hook that
# waits on a FIFO holds it there.
mkfifo "$TESTROOT/hold"
edit "$bd" --arg f "$TESTROOT/hold" '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "read x < \($f)"]}]'
"$BERTH" --root "$ROOT" create --bundle "$bd" "$id" >/dev/null 2>&1 & CP=$!
status_is() { [ "$(b state "$id" 2>/dev/null | jq -r .status)" = "$1" ]; }
wait_until 5 status_is creating
expect "state reports a container being created" creating "$(b state "$id" 2>/dev/null | jq -r .status)"
expect_match "list shows it" "^$id +[0-9]+ +creating" "$(b list | sed 1d)"
ipid=$(b state "$id" | jq -r .pid)
kill -9 $CP; wait $CP 2>/dev/null
echo go > "$TESTROOT/hold"
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_until 5 gone "$ipid"
check "its init exits by itself once the runtime is killed" sh -c "[ \"${ipid:-0}\" -gt 0 ] && ! kill -0 $ipid 2>/dev/null"
check "delete -f removes it" b delete -f "$id"
expect "nothing is left" "" "$(leftovers)"
edit "$bd" 'del(.hooks)'
rm -f "$TESTROOT/hold"

# Killed at random points: create, run, exec, delete.
runs=${KILL_RUNS:-200}
bad=""
i=0
while [ $i -lt "$runs" ]; do
	case $((i % 4)) in
	0) what=create; "$killer" $i 30000 "$BERTH" --root "$ROOT" create --bundle "$bd" "$id" >/dev/null 2>&1 ;;
	1) what=run; "$killer" $i 40000 "$BERTH" --root "$ROOT" run --bundle "$bd" "$id" >/dev/null 2>&1 ;;
	2) what=exec
	   b run -d --bundle "$bd" "$id" >/dev/null 2>&1
	   "$killer" $i 20000 "$BERTH" --root "$ROOT" exec "$id" sh -c 'exec sleep 31337' >/dev/null 2>&1 ;;
	3) what=delete
	   b run -d --bundle "$bd" "$id" >/dev/null 2>&1
	   "$killer" $i 20000 "$BERTH" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 ;;
	esac
	if ! b delete -f "$id" >/dev/null 2>&1; then bad="$bad $what#$i:delete-failed"; fi
	left=$(leftovers)
	[ -n "$left" ] && bad="$bad $what#$i:$left"
	i=$((i + 1))
done
expect "killed at $runs random points (create, run, exec, delete): delete -f leaves nothing" "" "$bad"
assert_clean "$id" "killed runtimes"
