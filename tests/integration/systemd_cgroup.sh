#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# --systemd-cgroup: the container's cgroup is a transient scope systemd
# makes (StartTransientUnit over D-Bus) and delegates to berth. Where
# systemd runs on cgroup v2 (tests/qemu/systemd.sh boots Debian's systemd
# as PID 1 of a VM for this), the scope is checked through systemd
# (systemctl) and through the cgroup files; elsewhere, the refusal.
. "$(dirname "$0")/../lib.sh"
if [ "$(b features | jq -r .linux.cgroup.systemd)" != true ]; then
	skip "--systemd-cgroup" "not in this build"
	exit 0
fi
sd() { "$BERTH" --root "$ROOT" --systemd-cgroup "$@"; }

if [ ! -S /run/systemd/private ] || ! grep -q "^[^ ]* /sys/fs/cgroup cgroup2 " /proc/mounts; then
	bd=$(new_bundle sdno 'true')
	OUT=$(sd run --bundle "$bd" sdno 2>&1)
	expect "--systemd-cgroup without systemd on cgroup v2: refused" 1 "$?"
	expect_match "...saying why" "^berth: --systemd-cgroup: (berth supports systemd's cgroups on a cgroup v2 \(unified\) host only|systemd is not running here)" "$OUT"
	assert_clean sdno "--systemd-cgroup refused"
	skip "systemd's cgroups at work" "systemd is not PID 1 on cgroup v2 here (the systemd VM runs them)"
	exit 0
fi

cg=/sys/fs/cgroup
scope_is() { systemctl is-active "$1" 2>/dev/null; }

# A scope in system.slice, with limits: the main ones through systemd's
# properties, the rest (memory.low from memory.reservation) through
# cgroupfs, as runc does.
bd=$(new_bundle sd1 'exec sleep 1000')
edit "$bd" '.linux.cgroupsPath = "system.slice:berth:sd1"
	| .linux.resources.memory = {limit: 67108864, reservation: 33554432}
	| .linux.resources.pids = {limit: 40} | .linux.resources.cpu = {quota: 50000, period: 100000}'
sd run -d --bundle "$bd" sd1 >/dev/null 2>&1
expect "--systemd-cgroup run -d" 0 "$?"
pid=$(b state sd1 | jq -r .pid)
expect "the init is in the scope's cgroup" "0::/system.slice/berth-sd1.scope" "$(cat "/proc/$pid/cgroup")"
expect "berth state names that cgroup" /system.slice/berth-sd1.scope "$(jq -r .cgroup "$ROOT/sd1/state.json")"
expect "systemd: the scope is active" active "$(scope_is berth-sd1.scope)"
expect "systemd: delegated to berth" yes "$(systemctl show -P Delegate berth-sd1.scope)"
expect "systemd: in system.slice" system.slice "$(systemctl show -P Slice berth-sd1.scope)"
expect "systemd: MemoryMax" 67108864 "$(systemctl show -P MemoryMax berth-sd1.scope)"
expect "systemd: TasksMax" 40 "$(systemctl show -P TasksMax berth-sd1.scope)"
s=$cg/system.slice/berth-sd1.scope
expect "memory.max" 67108864 "$(cat "$s/memory.max")"
expect "pids.max" 40 "$(cat "$s/pids.max")"
expect "cpu.max" "50000 100000" "$(cat "$s/cpu.max")"
expect "memory.low, through cgroupfs" 33554432 "$(cat "$s/memory.low")"
# systemd rewrites the files of the units it owns on a reload: the limits
# it was told of stay.
systemctl daemon-reload
expect "after systemctl daemon-reload: memory.max" 67108864 "$(cat "$s/memory.max")"
expect "...and pids.max" 40 "$(cat "$s/pids.max")"
b update --memory 134217728 --memory-swap 134217728 sd1
expect "berth update: memory.max" 134217728 "$(cat "$s/memory.max")"
expect "...and systemd's MemoryMax" 134217728 "$(systemctl show -P MemoryMax berth-sd1.scope)"
systemctl daemon-reload
expect "...which a reload keeps" 134217728 "$(cat "$s/memory.max")"
check "pause" b pause sd1
expect "...the scope's cgroup is frozen" 1 "$(cat "$s/cgroup.freeze")"
check "resume" b resume sd1
b exec -d sd1 sleep 1234
expect "exec: the new process is in the scope too" 2 "$(wc -l < "$s/cgroup.procs")"
# kill --all TERM freezes the scope's cgroup while it signals, then thaws
# it: the exec'd sleep goes (the init, PID 1 with no handler, stays).
check "kill --all TERM in a scope" b kill --all sd1 TERM
one_proc() { [ "$(wc -l < "$s/cgroup.procs")" = 1 ]; }
check "...ends the exec'd process" wait_until 30 one_proc
expect "...and thaws the scope's cgroup" 0 "$(cat "$s/cgroup.freeze")"
expect "delete -f, quietly (systemd may have stopped the empty scope first)" "" "$(b delete -f sd1 2>&1)"
gone() { [ "$(scope_is berth-sd1.scope)" != active ] && [ ! -d "$s" ]; }
# systemd stops the emptied scope in its own time: in the TCG VM, beside
# the other lanes, that once took over 10 s.
wait_until 60 gone
if gone; then ok "...the scope is stopped and its cgroup gone"
else fail "...the scope is stopped and its cgroup gone" "[$(scope_is berth-sd1.scope) ${s}: $(ls -d "$s" 2>/dev/null)]"; fi
assert_clean sd1 "--systemd-cgroup"

# Several scopes emptied at once: systemd learns each one is empty from
# its cgroup.events, so each is stopped and its cgroup removed (a delete
# that removed the cgroup itself raced systemd's reading of that file,
# and a scope it missed stayed active for good: 5 of 20 in a loaded VM).
# SD_SCOPES: how many.
n=${SD_SCOPES:-12} i=0 ids=""
while [ "$i" -lt "$n" ]; do
	i=$((i + 1)); ids="$ids sdm$i"
	bd=$(new_bundle "sdm$i" 'exec sleep 1000')
	edit "$bd" ".linux.cgroupsPath = \"system.slice:berth:sdm$i\""
	sd run -d --bundle "$bd" "sdm$i" >/dev/null 2>&1
done
for id in $ids; do b delete -f "$id" >/dev/null 2>&1 & done
wait
all_gone() {
	for id in $ids; do
		[ "$(scope_is "berth-$id.scope")" != active ] && [ ! -d "$cg/system.slice/berth-$id.scope" ] || return 1
	done
}
wait_until 60 all_gone
if all_gone; then ok "$n scopes emptied at once: each stopped, its cgroup gone"
else
	left=""
	for id in $ids; do left="$left $id:$(scope_is "berth-$id.scope"):$(ls -d "$cg/system.slice/berth-$id.scope" 2>/dev/null)"; done
	fail "$n scopes emptied at once: each stopped, its cgroup gone" "[$left]"
fi

# The same ID again right after its delete: the delete empties the scope
# and leaves its stop to systemd, and the next run must not find the old
# scope in its way (systemd's UnitExists). SD_AGAIN: how many rounds.
n=${SD_AGAIN:-5} i=0 again=0
bd=$(new_bundle sdr 'exec sleep 1000')
edit "$bd" '.linux.cgroupsPath = "system.slice:berth:sdr"'
sd run -d --bundle "$bd" sdr >/dev/null 2>&1
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	b delete -f sdr >/dev/null 2>&1
	# The container keeps the stdio it is given: a file, not a pipe.
	if sd run -d --bundle "$bd" sdr > /dev/null 2> "$TESTROOT/sdr.err"; then again=$((again + 1))
	else echo "  run $i: $(cat "$TESTROOT/sdr.err")"; fi
done
expect "run of the same ID right after its delete, $n times: each runs" "$n" "$again"
b delete -f sdr >/dev/null 2>&1
assert_clean sdr "--systemd-cgroup run right after delete"

# No cgroupsPath: system.slice, prefix berth. A slice of its own: "a-b"
# slices nest (/berth.slice/berth-test.slice), as systemd names them.
bd=$(new_bundle sd2 'exec sleep 1000')
sd run -d --bundle "$bd" sd2 >/dev/null 2>&1
expect "no cgroupsPath: system.slice:berth:ID" "0::/system.slice/berth-sd2.scope" "$(cat "/proc/$(b state sd2 | jq -r .pid)/cgroup")"
b delete -f sd2 >/dev/null 2>&1
bd=$(new_bundle sd3 'exec sleep 1000')
edit "$bd" '.linux.cgroupsPath = "berth-test.slice:app:sd3"'
sd run -d --bundle "$bd" sd3 >/dev/null 2>&1
expect "a nested slice" "0::/berth.slice/berth-test.slice/app-sd3.scope" "$(cat "/proc/$(b state sd3 | jq -r .pid)/cgroup")"

# A unit that exists already: systemd's refusal, named; nothing left.
bd=$(new_bundle sd4 'true')
edit "$bd" '.linux.cgroupsPath = "berth-test.slice:app:sd3"'
OUT=$(sd run --bundle "$bd" sd4 2>&1)
expect "a scope that exists: refused" 1 "$?"
expect_match "...with systemd's reason" "systemd refused the scope app-sd3.scope: .*(UnitExists)" "$OUT"
assert_clean sd4 "existing scope refused"
expect "...and the other container is untouched" running "$(b state sd3 | jq -r .status)"
b delete -f sd3 >/dev/null 2>&1

# A cgroupsPath that is not in systemd's form.
bd=$(new_bundle sd5 'true')
edit "$bd" '.linux.cgroupsPath = "/not/systemd"'
OUT=$(sd run --bundle "$bd" sd5 2>&1)
expect_match "a cgroupfs path with --systemd-cgroup: refused, saying the form" \
	'linux.cgroupsPath: "/not/systemd": with --systemd-cgroup, expected "slice:prefix:name"' "$OUT"
assert_clean sd5 "bad cgroupsPath"
