#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# process.scheduler, process.ioPriority, linux.personality and the LSM
# labels, checked from inside the container.
. "$(dirname "$0")/../lib.sh"

# /proc/self/stat: field 19 is the nice value, field 41 the policy.
bd=$(new_bundle sched 'set -- $(cat /proc/self/stat); shift 18; echo nice=$1; shift 22; echo policy=$1; ionice -p $$')
edit "$bd" '.process.scheduler = {policy: "SCHED_BATCH", nice: 7} | .process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
run_c "$bd" sched
expect_match "scheduler: nice" "^nice=7$" "$OUT"
expect_match "scheduler: SCHED_BATCH (3)" "^policy=3$" "$OUT"
expect_match "ioPriority: best-effort 6" "best-effort: prio 6" "$OUT"
edit "$bd" '.process.scheduler = {policy: "SCHED_FIFO"}'
run_c "$bd" sched
expect_match "scheduler: SCHED_FIFO without a priority is refused" 'process.scheduler.priority: SCHED_FIFO and SCHED_RR need a priority' "$OUT"
edit "$bd" '.process.scheduler = {policy: "SCHED_WHATEVER"}'
run_c "$bd" sched
expect_match "scheduler: unknown policy" 'process.scheduler.policy: unknown value "SCHED_WHATEVER"' "$OUT"
edit "$bd" 'del(.process.scheduler) | .process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 9}'
run_c "$bd" sched
expect_match "ioPriority: priority out of range" 'process.ioPriority.priority: 9 is out of range' "$OUT"

case $(uname -m) in
	x86_64) want32=i686;;
	aarch64) want32=armv8l;;
	*) want32=;;
esac
if [ -n "$want32" ]; then
	bd=$(new_bundle pers 'uname -m')
	edit "$bd" '.linux.personality = {domain: "LINUX32"}'
	run_c "$bd" pers
	expect "personality LINUX32: uname -m" "$want32" "$OUT"
	edit "$bd" '.linux.personality = {domain: "LINUX64"}'
	run_c "$bd" pers
	expect_match "personality: unknown domain" 'linux.personality.domain: unknown value "LINUX64"' "$OUT"
fi

# AppArmor: "unconfined" is valid wherever AppArmor runs; where it does
# not, naming a profile must fail rather than run unconfined.
bd=$(new_bundle aa 'cat /proc/self/attr/current 2>/dev/null || cat /proc/self/attr/apparmor/current')
edit "$bd" '.process.apparmorProfile = "unconfined"'
run_c "$bd" aa
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
	expect_match "apparmorProfile unconfined" "unconfined" "$OUT"
else
	expect_match "apparmorProfile without AppArmor is refused" 'AppArmor is not enabled on this kernel' "$OUT"
	assert_clean aa "refused AppArmor profile"
fi
if [ ! -e /sys/fs/selinux/enforce ]; then
	edit "$bd" 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run_c "$bd" aa
	expect_match "selinuxLabel without SELinux is refused" 'SELinux is not enabled on this kernel' "$OUT"
fi
