#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# linux.seccomp: podman's default profile, and deny rules of every action
# and comparison checked from inside the container; the listener of
# SCMP_ACT_NOTIFY reaches an agent; the filter cache; bad profiles.
. "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")/.." && pwd)
if ! "$BERTH" features 2>/dev/null | jq -e '.linux.seccomp.enabled' >/dev/null; then
	skip "seccomp" "not in this build"; exit 0
fi
case $(uname -m) in x86_64) goarch=amd64;; aarch64) goarch=arm64;; *) goarch=$(uname -m);; esac

# seccomp_bundle NAME SCRIPT JQ-FILTER-FOR-.linux.seccomp
seccomp_bundle() {
	_bd=$(new_bundle "$1" "$2")
	edit "$_bd" --argjson sc "$3" '.root.readonly = false | .linux.seccomp = $sc'
	echo "$_bd"
}

# Podman's default profile, converted as podman does.
PROFILE=/usr/share/containers/seccomp.json
if [ -f "$PROFILE" ]; then
	caps=$(jq -c '.process.capabilities.bounding' "$(new_bundle caps-probe)/config.json")
	prof=$(jq -c --arg arch "$goarch" --argjson caps "$caps" -f "$here/seccomp/podman-to-oci.jq" "$PROFILE")
	rm -rf "$ROOT/.seccomp"	# so that the one cache entry below is this profile's
	bd=$(seccomp_bundle podman 'echo hello; ls /bin/busybox; unshare -r true 2>&1 || true; rm -rf /tmp/d; mkdir /tmp/d && echo made' "$prof")
	run_c "$bd" podman
	expect "podman default profile: container runs" 0 "$RC"
	expect_match "podman default profile: ordinary syscalls work" "^hello" "$OUT"
	expect_match "podman default profile: mkdir works" "made" "$OUT"
	expect_match "podman default profile: unshare is denied" "Operation not permitted" "$OUT"
	expect_match "podman default profile: filter is cached" '\.bpf$' "$(ls "$ROOT/.seccomp/")"
	run_c "$bd" podman
	expect "podman default profile: runs again from the cache" 0 "$RC"
	# A cache file that is not what it claims is ignored, not trusted.
	for f in "$ROOT"/.seccomp/*.bpf; do head -c 20 "$f" > "$f.x" && mv "$f.x" "$f"; done
	run_c "$bd" podman
	expect_match "podman default profile: a damaged cache entry is recompiled" "made" "$OUT"
	expect_match "podman default profile: ...and replaced" "^[0-9]{4,}$" "$(stat -c %s "$ROOT"/.seccomp/*.bpf | head -n1)"
else
	skip "podman default profile" "$PROFILE missing"
fi

# Each action and comparison, on a default-allow profile.
sc='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	{"names": ["mkdir", "mkdirat", "no_such_syscall_here"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122},
	{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
	 "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]},
	{"names": ["open"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30,
	 "args": [{"index": 1, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]},
	{"names": ["openat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30,
	 "args": [{"index": 2, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]},
	{"names": ["sync"], "action": "SCMP_ACT_KILL_PROCESS"},
	{"names": ["rmdir"], "action": "SCMP_ACT_TRACE"},
	{"names": ["getcwd"], "action": "SCMP_ACT_LOG"}]}'
bd=$(seccomp_bundle rules 'mkdir /tmp/x; trap "" USR2; kill -USR1 $$; kill -USR2 $$ && echo usr2-ok
	head -n1 /etc/passwd | grep -q root && echo read-ok; touch /tmp/new; rmdir /tmp; pwd; sync; echo sync=$?' "$sc")
run_c "$bd" rules
expect_match "ERRNO with errnoRet (EDQUOT)" "mkdir: .*quota exceeded" "$OUT"
expect_match "an unknown syscall name is skipped" "read-ok" "$OUT"
expect_match "argument EQ: kill USR1 denied (EACCES)" "can.t kill.*Permission denied" "$OUT"
expect_match "argument EQ: kill USR2 allowed" "usr2-ok" "$OUT"
expect_match "MASKED_EQ: open without O_CREAT allowed" "read-ok" "$OUT"
expect_match "MASKED_EQ: open with O_CREAT denied (EROFS)" "touch: .*Read-only file system" "$OUT"
expect_match "TRACE without a tracer returns ENOSYS" "rmdir: .*Function not implemented" "$OUT"
expect_match "LOG allows" "^/$" "$OUT"
expect_match "KILL_PROCESS kills with SIGSYS" "sync=159" "$OUT"

# The other comparisons, each call matching exactly one rule; and a flag.
sc='{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG"], "syscalls": [
	{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 1, "value": 14, "op": "SCMP_CMP_GT"}]},
	{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 16, "args": [{"index": 1, "value": 1, "op": "SCMP_CMP_LE"}]},
	{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 7, "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NE"}]},
	{"names": ["ioprio_set"], "action": "SCMP_ACT_ERRNO", "errnoRet": 6, "args": [{"index": 2, "value": 16384, "op": "SCMP_CMP_LT"}]},
	{"names": ["ioprio_set"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33, "args": [{"index": 2, "value": 24576, "op": "SCMP_CMP_GE"}]}]}'
bd=$(seccomp_bundle ops 'trap "" USR2 TERM HUP; kill -USR2 1 && echo usr2-ok; kill -TERM 1; kill -HUP 1; kill -USR2 2
	ionice -c 2 -n 4 -p 1 && echo be-ok; ionice -c 1 -n 0 -p 1; ionice -c 3 -p 1' "$sc")
run_c "$bd" ops
expect_match "GT: kill -TERM (15 > 14) denied with EACCES" "can.t kill pid 1: Permission denied" "$OUT"
expect_match "LE: kill -HUP (1 <= 1) denied with EBUSY" "can.t kill pid 1: .*busy" "$OUT"
expect_match "NE: kill of pid 2 (not 1) denied with E2BIG" "can.t kill pid 2: Argument list too long" "$OUT"
expect_match "none of them: kill -USR2 1 allowed" "usr2-ok" "$OUT"
expect_match "LT: real-time I/O class denied with ENXIO" "No such device or address" "$OUT"
expect_match "GE: idle I/O class denied with EDOM" "ionice: .*(Domain error|out of domain)" "$OUT"
expect_match "neither: best-effort I/O class allowed" "be-ok" "$OUT"

# noNewPrivileges false: the filter goes in while init still has CAP_SYS_ADMIN.
bd=$(seccomp_bundle nnp 'mkdir /tmp/x' '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}')
edit "$bd" '.process.noNewPrivileges = false'
run_c "$bd" nnp
expect_match "without noNewPrivileges (default errno EPERM)" "mkdir: .*Operation not permitted" "$OUT"

# An ABI this machine does not run is skipped quietly by berth's static
# build (its libseccomp keeps only this machine's: a filter for another
# could never match here), and added by a system libseccomp, as runc and
# crun do (which refuses, with them, one of the other byte order: none is
# listed here); either way the machine's own, listed beside them, is
# filtered.
case $goarch in amd64) mine='"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"'; other='"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"';;
	arm64) mine='"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"'; other='"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"';;
	*) mine='"SCMP_ARCH_ARM"'; other='"SCMP_ARCH_X86_64"';; esac
bd=$(seccomp_bundle arches 'mkdir /tmp/x; echo done' "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
	\"architectures\": [$mine, $other, \"SCMP_ARCH_PPC64LE\", \"SCMP_ARCH_RISCV64\"],
	\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 122}]}")
run_c "$bd" arches
expect_match "other machines' ABIs in architectures: this one's is filtered" "mkdir: .*quota exceeded" "$OUT"
if printf '%s\n' "$OUT" | grep -Eqi "warn|unknown|libseccomp"; then fail "...and no warning about the others" "$OUT"
else ok "...and no warning about the others"; fi
expect "...and the container runs" 0 "$RC"

# SCMP_ACT_NOTIFY: the listener goes to the agent, which answers EXDEV.
agent=$TESTROOT/seccomp_agent
if host_helper seccomp_agent "$agent"; then
	sock=$TESTROOT/agent.sock msg=$TESTROOT/agent.json
	rm -f "$msg"
	"$agent" "$sock" "$msg" 18 & ap=$!
	wait_until 30 test -S "$sock"
	bd=$(seccomp_bundle notify 'mkdir /tmp/x' "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$sock\",
		\"listenerMetadata\": \"meta-1\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}")
	run_c "$bd" notify
	wait $ap
	expect_match "NOTIFY: the agent answers the syscall" "mkdir: .*Cross-device link|mkdir: .*Invalid cross-device link" "$OUT"
	expect "NOTIFY: the agent got fds [seccompFd]" '["seccompFd"]' "$(jq -c .fds "$msg")"
	expect "NOTIFY: ...and the metadata" "meta-1" "$(jq -r .metadata "$msg")"
	expect "NOTIFY: ...and the container state" notify "$(jq -r .state.id "$msg")"
else
	skip "SCMP_ACT_NOTIFY" "no C compiler for the agent"
fi

# Bad profiles: a clear error naming the JSON path, nothing left behind.
bd=$(seccomp_bundle bad 'true' '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_EXPLODE"}]}')
run_c "$bd" bad
expect_match "unknown action" 'linux.seccomp.syscalls\[0\].action: unknown seccomp action "SCMP_ACT_EXPLODE"' "$OUT"
assert_clean bad "unknown action"
edit "$bd" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_Z80"]}'
run_c "$bd" bad
expect_match "unknown architecture" 'linux.seccomp.architectures: unknown architecture "SCMP_ARCH_Z80"' "$OUT"
edit "$bd" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["kill"], action: "SCMP_ACT_ERRNO", args: [{index: 7, value: 1, op: "SCMP_CMP_EQ"}]}]}'
run_c "$bd" bad
expect_match "argument index out of range" 'args\[0\].index: expected a syscall argument index, 0 to 5' "$OUT"
edit "$bd" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["kill"], action: "SCMP_ACT_NOTIFY"}]}'
run_c "$bd" bad
expect_match "NOTIFY needs a listenerPath" 'linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY' "$OUT"
edit "$bd" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/nonexistent/sock", syscalls: [{names: ["kill"], action: "SCMP_ACT_NOTIFY"}]}'
run_c "$bd" bad
expect_match "an absent agent fails the create" 'listenerPath: connecting to /nonexistent/sock' "$OUT"
assert_clean bad "absent agent"
