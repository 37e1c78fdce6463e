#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# process.*: what the container's process sees of itself.
. "$(dirname "$0")/../lib.sh"

bd=$(new_bundle proc 'echo pid=$$; hostname; echo user=$(id -u):$(id -g):$(id -G); echo cwd=$(pwd); echo env=$FOO; echo umask=$(umask); echo nofile=$(ulimit -Sn)/$(ulimit -Hn); grep -E "^(CapBnd|CapEff|CapPrm|CapInh|NoNewPrivs)" /proc/self/status; cat /proc/self/oom_score_adj; cat /proc/sys/kernel/domainname')
edit "$bd" '.hostname = "box1" | .domainname = "example.org" | .process.env += ["FOO=bar baz"]
  | .process.cwd = "/work/dir" | .process.user = {uid: 1000, gid: 1001, additionalGids: [5, 7], umask: 23}
  | .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 512, hard: 1000}]
  | .process.capabilities = {bounding: ["CAP_KILL", "CAP_NET_RAW", "CAP_CHOWN"], effective: ["CAP_KILL"], permitted: ["CAP_KILL", "CAP_NET_RAW"], inheritable: ["CAP_NET_RAW"]}
  | .process.oomScoreAdj = 500'
run_c "$bd" proc
expect "run succeeds" 0 "$RC"
expect_match "PID 1 in its pid namespace" "^pid=1$" "$OUT"
expect_match "hostname" "^box1$" "$OUT"
expect_match "domainname" "^example.org$" "$OUT"
expect_match "uid, gid and additional gids" "^user=1000:1001:1001 5 7$" "$OUT"
expect_match "cwd created and entered" "^cwd=/work/dir$" "$OUT"
expect_match "env" "^env=bar baz$" "$OUT"
expect_match "umask" "^umask=0027$" "$OUT"
expect_match "rlimit NOFILE soft/hard" "^nofile=512/1000$" "$OUT"
# CAP_CHOWN=0, CAP_KILL=5, CAP_NET_RAW=13. A non-root user keeps no
# permitted/effective capability across execve without ambient ones.
expect_match "bounding set" "CapBnd:[[:space:]]+0000000000002021" "$OUT"
expect_match "inheritable set" "CapInh:[[:space:]]+0000000000002000" "$OUT"
expect_match "non-root: no permitted set after exec" "CapPrm:[[:space:]]+0000000000000000" "$OUT"
expect_match "noNewPrivileges" "NoNewPrivs:[[:space:]]+1" "$OUT"
expect_match "oomScoreAdj" "^500$" "$OUT"

# Signals the caller ignores (nohup, a shell's trap '', a runner that
# ignores all it can, the C library's own ones included) are not the
# container's: its program starts with default dispositions and no mask.
# And `run` itself still waits for its container: with SIGCHLD ignored,
# the kernel reaped the init unasked, and `run` waited for good (KILL,
# the only signal it would take, ends it after 60 s here).
ign=$TESTROOT/ignore_signals
if host_helper ignore_signals "$ign"; then
	bd=$(new_bundle sigs 'true')
	edit "$bd" '.process.args = ["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"]'
	OUT=$(timeout -s KILL 60 "$ign" "$BERTH" --root "$ROOT" run --bundle "$bd" sigs 2>&1); RC=$?
	expect "run with the caller ignoring every signal it can: exits 0" 0 "$RC"
	[ "$RC" = 0 ] || b delete -f sigs 2>/dev/null
	expect_match "no signal ignored in the container" "SigIgn:[[:space:]]+0000000000000000" "$OUT"
	expect_match "no signal blocked in the container" "SigBlk:[[:space:]]+0000000000000000" "$OUT"
else
	skip "signals the caller ignores" "no C compiler"
fi

# Limits this host cannot grant: clear errors, nothing left behind.
hard=$(ulimit -Hn)
bd=$(new_bundle rl 'true')
edit "$bd" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: $h}]' --argjson h $((hard + 1000))
run_c "$bd" rl
expect "rlimit above the host's hard limit fails" 1 "$RC"
expect_match "rlimit error names the limit" "RLIMIT_NOFILE: hard limit [0-9]+ is above this host's hard limit $hard" "$OUT"
assert_clean rl "rlimit error"
if grep -q 'CapBnd:.*' /proc/self/status && [ $(( 0x$(awk '/CapBnd/ {print $2}' /proc/self/status) >> 24 & 1 )) = 0 ]; then
	bd=$(new_bundle oom 'true')
	edit "$bd" '.process.oomScoreAdj = -500'
	run_c "$bd" oom
	expect "negative oomScoreAdj without CAP_SYS_RESOURCE fails" 1 "$RC"
	expect_match "oomScoreAdj error is clear" "oomScoreAdj: -500: .*CAP_SYS_RESOURCE" "$OUT"
	assert_clean oom "oomScoreAdj error"
else
	skip "negative oomScoreAdj error" "this host grants CAP_SYS_RESOURCE"
fi

bd=$(new_bundle path 'true')
edit "$bd" '.process.args = ["no-such-program"]'
run_c "$bd" path
expect "missing executable fails at create" 1 "$RC"
expect_match "missing executable error" 'executable file not found in \$PATH' "$OUT"
assert_clean path "missing executable"

# A program found but refused by the kernel fails only at its execve,
# after `run` released the init: run says so and fails, and the container
# is deleted as after a failed start (its poststop hook runs).
bd=$(new_bundle noexec 'true')
printf 'not a program\n' > "$bd/rootfs/bin/not-a-program"
chmod 755 "$bd/rootfs/bin/not-a-program"
edit "$bd" --arg d "$TESTROOT" '.process.args = ["/bin/not-a-program"]
	| .hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "touch \($d)/noexec-poststop"]}]'
rm -f "$TESTROOT/noexec-poststop"
run_c "$bd" noexec
expect "a program the kernel cannot execute fails run" 1 "$RC"
expect_match "...with the kernel's reason" "exec /bin/not-a-program: Exec format error" "$OUT"
expect_match "...and run's error" 'container "noexec": its process failed before executing the program' "$OUT"
check "...and its poststop hook ran" test -e "$TESTROOT/noexec-poststop"
assert_clean noexec "program not executed"

bd=$(new_bundle amb 'grep -E "Cap(Amb|Eff)" /proc/self/status')
edit "$bd" '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"], inheritable: ["CAP_KILL"], ambient: ["CAP_KILL", "CAP_CHOWN"]}'
run_c "$bd" amb
expect "ungrantable ambient capability is only a warning" 0 "$RC"
expect_match "ambient CAP_KILL raised" "CapAmb:[[:space:]]+0000000000000020" "$OUT"
expect_match "non-root: ambient becomes effective" "CapEff:[[:space:]]+0000000000000020" "$OUT"
expect_match "ambient warning names CAP_CHOWN" "warning: .*CAP_CHOWN not raised" "$OUT"
