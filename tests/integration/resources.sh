#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# linux.resources on this host's cgroups (v1, v2 or hybrid: each controller
# through the hierarchy that has it), checked in the cgroup files and by
# effect; update, pause/resume, ps and events. Also runs inside the QEMU
# boot with a pure cgroup2 mount (tests/qemu/), hence the layout probing.
. "$(dirname "$0")/../lib.sh"

# cgdir CONTROLLER ID: the container's directory for a controller (the
# v1 hierarchy that has it, else the unified one).
cgdir() {
	_m=$(awk -v c="$1" '$9 == "cgroup" && ("," $NF ",") ~ ("," c ",") { print $5; exit }' /proc/self/mountinfo)
	[ -n "$_m" ] || _m=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	echo "$_m/$2"
}
v1() { awk -v c="$1" '$9 == "cgroup" && ("," $NF ",") ~ ("," c ",") { f = 1 } END { exit !f }' /proc/self/mountinfo; }
# cgval CONTROLLER ID V1FILE V2FILE
cgval() { if v1 "$1"; then cat "$(cgdir "$1" "$2")/$3"; else cat "$(cgdir "$1" "$2")/$4"; fi; }

bd=$(new_bundle limits 'echo up > /tmp/up; sleep 1000')
edit "$bd" '.root.readonly = false | .linux.resources.memory = {limit: 67108864, reservation: 33554432}
	| .linux.resources.pids = {limit: 30} | .linux.resources.cpu = {shares: 512, quota: 50000, period: 100000, cpus: "0"}'
check "run -d with limits" b run -d --bundle "$bd" limits
expect "memory limit" 67108864 "$(cgval memory limits memory.limit_in_bytes memory.max)"
expect "memory reservation" 33554432 "$(cgval memory limits memory.soft_limit_in_bytes memory.low)"
expect "pids limit" 30 "$(cgval pids limits pids.max pids.max)"
if v1 cpu; then
	expect "cpu quota (v1)" 50000 "$(cat "$(cgdir cpu limits)/cpu.cfs_quota_us")"
	expect "cpu shares (v1)" 512 "$(cat "$(cgdir cpu limits)/cpu.shares")"
else
	expect "cpu.max (v2)" "50000 100000" "$(cat "$(cgdir cpu limits)/cpu.max")"
	expect "cpu.weight from shares (v2)" 20 "$(cat "$(cgdir cpu limits)/cpu.weight")"
fi
expect "cpuset cpus" 0 "$(cgval cpuset limits cpuset.cpus cpuset.cpus)"

# update, with flags and with a resources file
check "update --memory 128m --pids-limit 50" b update --memory 128m --pids-limit 50 --cpu-quota 20000 limits
expect "update: memory" 134217728 "$(cgval memory limits memory.limit_in_bytes memory.max)"
expect "update: pids" 50 "$(cgval pids limits pids.max pids.max)"
if v1 cpu; then expect "update: cpu quota" 20000 "$(cat "$(cgdir cpu limits)/cpu.cfs_quota_us")"
else expect "update: cpu.max keeps the period" "20000 100000" "$(cat "$(cgdir cpu limits)/cpu.max")"; fi
echo '{"pids": {"limit": 40}, "memory": {"limit": -1}}' > "$TESTROOT/res.json"
check "update -r FILE" b update -r "$TESTROOT/res.json" limits
expect "update -r: pids" 40 "$(cgval pids limits pids.max pids.max)"
echo '{"pids": {"limit": 45}}' | b update -r - limits
expect "update -r - (stdin)" 45 "$(cgval pids limits pids.max pids.max)"
err=$(b update --memory 12q limits 2>&1)
expect_match "update: bad size is refused" '--memory: "12q" is not a size' "$err"
err=$(echo '{"pids": {"limit": "x"}}' | b update -r - limits 2>&1)
expect_match "update -r: wrong type names the JSON path" '<stdin>: pids.limit: expected an integer' "$err"

# ps, events
pid=$(b state limits | jq .pid)
expect "ps --format json lists the init" "$pid" "$(b ps --format json limits | jq '.[0]')"
expect_match "ps table keeps the header and the init" "PID" "$(b ps limits | head -n1)"
expect_match "ps table has the container's sleep" "sleep 1000" "$(b ps limits)"
ev=$(b events --stats limits)
expect "events --stats: type" stats "$(echo "$ev" | jq -r .type)"
expect "events --stats: pids.current" 1 "$(echo "$ev" | jq .data.pids.current)"
expect "events --stats: pids.limit" 45 "$(echo "$ev" | jq .data.pids.limit)"
expect_match "events --stats: memory usage" '^[1-9][0-9]*$' "$(echo "$ev" | jq .data.memory.usage.usage)"
out=$(timeout 20 "$BERTH" --root "$ROOT" events --interval 100ms limits 2>/dev/null | head -n 3)
expect "events --interval repeats" 3 "$(printf '%s\n' "$out" | grep -c '"type":"stats"')"

# pause / resume
check "pause" b pause limits
expect "paused" paused "$(b state limits | jq -r .status)"
if v1 freezer; then expect "freezer.state" FROZEN "$(cat "$(cgdir freezer limits)/freezer.state")"
else expect "cgroup.freeze" 1 "$(cat "$(cgdir cpu limits)/cgroup.freeze")"; fi
err=$(b pause limits 2>&1)
expect_match "pause of a paused container fails" "it is paused, not running" "$err"
err=$(b delete limits 2>&1)
expect_match "delete of a paused container needs -f" "paused" "$err"
check "resume" b resume limits
expect "running after resume" running "$(b state limits | jq -r .status)"
err=$(b resume limits 2>&1)
expect_match "resume of a running container fails" "it is running, not paused" "$err"
b delete -f limits
assert_clean limits "resources"

# A paused container is killed as runc kills it: SIGKILL thaws it, since a
# task frozen by v1's freezer dies only once thawed (before, delete -f of
# a paused container waited 21 s, failed, and left the frozen process and
# its cgroups behind). v2's frozen tasks die of it frozen (the cgroup2 VM
# runs this too).
bd=$(new_bundle frozen 'sleep 1000')
status_is() { [ "$(b state frozen 2>/dev/null | jq -r .status)" = "$1" ]; }
for how in "kill" "kill --all"; do
	b run -d --bundle "$bd" frozen
	b pause frozen
	OUT=$(b $how frozen KILL 2>&1); RC=$?
	expect "$how KILL of a paused container" "0 " "$RC $OUT"
	if wait_until 10 status_is stopped; then ok "$how KILL: a paused container stops"
	else fail "$how KILL: a paused container stops" "$(b state frozen | jq -r .status)"; fi
	b delete -f frozen
done
b run -d --bundle "$bd" frozen
pid=$(b state frozen | jq .pid)
b pause frozen
OUT=$(timeout 30 "$BERTH" --root "$ROOT" delete -f frozen 2>&1); RC=$?
expect "delete -f of a paused container" "0 " "$RC $OUT"
if wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"; then ok "delete -f of a paused container: its process is gone"
else fail "delete -f of a paused container: its process is gone"; fi
assert_clean frozen "delete -f of a paused container"

# By effect: the pids limit stops fork, the memory limit OOM-kills.
bd=$(new_bundle pidsfx 'i=0; while [ $i -lt 20 ]; do sleep 5 & i=$((i+1)); done; kill $(jobs -p) 2>/dev/null')
edit "$bd" '.linux.resources.pids = {limit: 5}'
run_c "$bd" pidsfx
expect_match "pids limit: fork fails" "can't fork|Resource temporarily unavailable" "$OUT"
bd=$(new_bundle oom 'exec dd if=/dev/zero of=/dev/null bs=64M count=1')
edit "$bd" '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
run_c "$bd" oom
expect "memory hog is OOM-killed (exit 137)" 137 "$RC"
assert_clean oom "oom"

# Device rules: denied nodes cannot be made or opened; given ones can;
# an "m"-only rule allows mknod but not open. (devices_effect is shared
# with tests/tiny.sh, where a v2-only build uses the eBPF program.)
devices_effect
# hugetlb: on a hybrid host it lives on the unified hierarchy only.
if [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
	bd=$(new_bundle huge 'sleep 1000')
	edit "$bd" '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
	b run -d --bundle "$bd" huge
	expect "hugetlb 2MB limit" 4194304 "$(cgval hugetlb huge hugetlb.2MB.limit_in_bytes hugetlb.2MB.max)"
	b delete -f huge
else
	skip "hugetlb 2MB limit" "no 2 MB huge pages"
fi

# Bad values: a clear error, nothing left behind.
bd=$(new_bundle badres 'true')
edit "$bd" '.linux.resources.cpu = {cpus: "999"}'
run_c "$bd" badres
expect_match "a value the kernel rejects names the field and file" 'linux.resources.cpu.cpus: writing "999" to .*cpuset.cpus' "$OUT"
assert_clean badres "rejected cpuset"
edit "$bd" '.linux.resources.cpu = {} | .linux.resources.devices = [{allow: true, access: "rwx"}]'
run_c "$bd" badres
expect_match "bad device access" 'linux.resources.devices\[0\].access: "rwx": expected letters of "rwm"' "$OUT"
edit "$bd" '.linux.resources.devices = [] | .linux.resources.hugepageLimits = [{pageSize: "3XB", limit: 1}]'
run_c "$bd" badres
expect_match "bad page size" 'hugepageLimits\[0\].pageSize: expected a page size' "$OUT"
edit "$bd" '.linux.resources.hugepageLimits = [] | .linux.resources.memory = {swappiness: 101}'
run_c "$bd" badres
expect_match "swappiness out of range" 'memory.swappiness: 101 is out of range' "$OUT"
if ! v1 net_cls; then
	edit "$bd" '.linux.resources = {network: {classID: 1048577}}'
	run_c "$bd" badres
	expect_match "a controller this host lacks: a clear error" 'linux.resources.network.classID: this host has no net_cls controller' "$OUT"
	assert_clean badres "missing controller"
fi
if [ -z "$(awk '$9 == "cgroup"' /proc/self/mountinfo)" ]; then
	# Pure v2: unified keys are written as they are.
	bd=$(new_bundle unified 'sleep 1000')
	edit "$bd" '.linux.resources.unified = {"memory.high": "50003968", "pids.max": "77"}'
	b run -d --bundle "$bd" unified
	expect "unified: memory.high" 50003968 "$(cat "$(cgdir memory unified)/memory.high")"
	expect "unified: pids.max" 77 "$(cat "$(cgdir pids unified)/pids.max")"
	b delete -f unified
fi
if v1 cpu && [ -f "$(cgdir cpu "")/cpu.rt_runtime_us" ]; then
	bd=$(new_bundle rt 'sleep 1000')
	edit "$bd" '.linux.resources.cpu = {realtimePeriod: 1000000, realtimeRuntime: 10000}'
	b run -d --bundle "$bd" rt
	expect "cpu realtime runtime (v1)" 10000 "$(cat "$(cgdir cpu rt)/cpu.rt_runtime_us")"
	b delete -f rt
fi
dev=$(for d in /sys/block/*; do case $d in */loop*|*/zram*|*/ram*) continue;; esac; [ -f "$d/dev" ] && cat "$d/dev" && break; done)
if [ -n "$dev" ]; then
	bd=$(new_bundle blk 'sleep 1000')
	edit "$bd" --arg maj "${dev%:*}" --arg min "${dev#*:}" '.linux.resources.blockIO = {throttleReadBpsDevice: [{major: ($maj | tonumber), minor: ($min | tonumber), rate: 1048576}]}'
	b run -d --bundle "$bd" blk
	if v1 blkio; then got=$(cat "$(cgdir blkio blk)/blkio.throttle.read_bps_device")
	else got=$(cat "$(cgdir io blk)/io.max"); fi
	expect_match "blockIO throttle on $dev" "^$dev (1048576|rbps=1048576)" "$got"
	b delete -f blk
fi
if [ -n "$(awk '$9 == "cgroup2"' /proc/self/mountinfo)" ] && v1 memory; then
	edit "$bd" '.linux.resources.memory = {} | .linux.resources.unified = {"memory.max": "1000000"}'
	run_c "$bd" badres
	expect_match "unified key of a controller v2 lacks here" 'unified: memory.max: no such file' "$OUT"
	assert_clean badres "rejected unified key"
fi
