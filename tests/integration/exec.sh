#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# exec: a new process in every namespace and the cgroup of a running
# container, with its identity, capabilities and seccomp filter.
. "$(dirname "$0")/../lib.sh"

bd=$(new_bundle ex 'echo $$ > /tmp/init-pid; hostname > /tmp/h; sleep 1000')
edit "$bd" '.root.readonly = false | .hostname = "exhost" | .process.env += ["FROM_SPEC=1", "OVERRIDE=old"]
	| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 122}]}'
b run -d --bundle "$bd" ex
wait_until 30 test -s "$bd/rootfs/tmp/h"

OUT=$(b exec ex sh -c 'echo pid=$$; hostname; cat /tmp/init-pid; id -u')
expect_match "exec: in the pid namespace (not pid 1)" "^pid=[0-9]+$" "$OUT"
expect_match "exec: in the uts namespace" "^exhost$" "$OUT"
expect_match "exec: in the mount namespace (sees the container's files)" "^1$" "$OUT"
OUT=$(b exec ex sh -c 'mkdir /tmp/nope' 2>&1)
expect_match "exec: under the container's seccomp filter" "quota exceeded" "$OUT"
OUT=$(b exec -e OVERRIDE=new -e NEW=2 ex sh -c 'echo $FROM_SPEC $OVERRIDE $NEW')
expect "exec --env adds and replaces" "1 new 2" "$OUT"
OUT=$(b exec --cwd /tmp -u 1000:1001 ex sh -c 'pwd; id -u; id -g')
expect "exec --cwd --user" "/tmp 1000 1001" "$(echo $OUT)"
OUT=$(b exec ex sh -c 'grep CapEff /proc/self/status')
noadd=$(echo "$OUT" | awk '{print $2}')
OUT=$(b exec --cap CAP_SYS_ADMIN ex sh -c 'grep CapEff /proc/self/status')
expect_match "exec --cap adds a capability" "[0-9a-f]*[2367abef][0-9a-f]{5}$" "$(echo "$OUT" | awk '{print $2}')"
[ "$noadd" != "$(echo "$OUT" | awk '{print $2}')" ] && ok "exec --cap changes the effective set" || fail "exec --cap changes the effective set"
b exec ex sh -c 'exit 7'
expect "exec returns the process's exit code" 7 "$?"
echo '{"args": ["sh", "-c", "echo from-process-json $X"], "env": ["X=y"], "cwd": "/", "user": {"uid": 0, "gid": 0}}' > "$TESTROOT/proc.json"
expect "exec --process FILE" "from-process-json y" "$(b exec --process "$TESTROOT/proc.json" ex)"
check "exec -d --pid-file" b exec -d --pid-file "$TESTROOT/ex.pid" ex sleep 100
expect_match "exec -d: the pid file names a live process" "sleep" "$(cat /proc/$(cat "$TESTROOT/ex.pid")/cmdline 2>/dev/null | tr '\0' ' ')"
expect_match "exec -d: the process is in the container" "sleep 100" "$(b ps ex)"
expect "exec -d: ...and in its cgroup" "$(cat "$TESTROOT/ex.pid")" "$(b ps --format json ex | jq --argjson p "$(cat "$TESTROOT/ex.pid")" '.[] | select(. == $p)')"

# A signal to berth exec reaches the process.
"$BERTH" --root "$ROOT" exec ex sh -c 'trap "exit 9" TERM; echo > /tmp/trapped; while :; do sleep 0.05; done' & ep=$!
wait_until 30 test -e "$bd/rootfs/tmp/trapped"
kill -TERM $ep; wait $ep
expect "exec forwards signals" 9 "$?"

# A terminal for exec, relayed in the foreground.
if command -v script >/dev/null; then
	OUT=$(in_terminal "stty rows 40 cols 120; $BERTH --root $ROOT exec -t ex sh -c 'tty; [ -t 1 ] && echo is-tty; stty size'")
	expect_match "exec -t: a pty" "/dev/pts/[0-9]+" "$OUT"
	expect_match "exec -t: stdout is the terminal" "is-tty" "$OUT"
	# Set before the process runs: its first look sees it.
	expect_match "exec -t: the window size is berth's terminal's" "^40 120$" "$OUT"
fi

# Errors
err=$(b exec ex 2>&1)
expect_match "exec without a command" "a command \(or --process FILE\) is required" "$err"
err=$(b exec nosuch true 2>&1)
expect_match "exec into a missing container" 'container "nosuch" does not exist' "$err"
err=$(b exec ex /no/such/program 2>&1); rc=$?
expect_match "exec of a missing program" 'exec "/no/such/program": No such file' "$err"
expect "exec of a missing program fails" 1 "$rc"
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
	err=$(b exec --apparmor some-profile ex true 2>&1)
	expect_match "exec --apparmor without AppArmor is refused" "AppArmor is not enabled" "$err"
fi
err=$(b exec -u bob ex true 2>&1)
expect_match "exec --user with a name is refused clearly" 'expected UID\[:GID\]' "$err"
b pause ex
err=$(b exec ex true 2>&1)
expect_match "exec into a paused container is refused" "it is paused" "$err"
b resume ex
b delete -f ex
err=$(b exec ex true 2>&1)
expect_match "exec after delete" "does not exist" "$err"
assert_clean ex "exec"
