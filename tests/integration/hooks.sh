#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# All six hook kinds, with the state on stdin, and their failures.
. "$(dirname "$0")/../lib.sh"

out=$TESTROOT/hooks
rm -rf "$out"; mkdir -p "$out"
hook=$TESTROOT/hook.sh
cat > "$hook" <<'H'
#!/bin/sh
cat > "$1/$2.json"
H
chmod +x "$hook"
bd=$(new_bundle hooks 'echo running')
# startContainer and createContainer run in the container's mount namespace
cp "$BUSYBOX" "$bd/rootfs/bin/hookbox"
mkdir -p "$bd/rootfs/hookout"
edit "$bd" --arg h "$hook" --arg o "$out" --arg r "$bd/rootfs/hookout" '.hooks = {
  prestart: [{path: $h, args: ["hook", $o, "prestart"]}],
  createRuntime: [{path: $h, args: ["hook", $o, "createRuntime"]}],
  createContainer: [{path: $h, args: ["hook", $o, "createContainer"]}],
  startContainer: [{path: "/bin/sh", args: ["sh", "-c", "cat > /hookout/startContainer.json"]}],
  poststart: [{path: $h, args: ["hook", $o, "poststart"], env: ["X=1"]}],
  poststop: [{path: $h, args: ["hook", $o, "poststop"]}]} | .annotations = {"org.example.k": "v"} | .root.readonly = false'
run_c "$bd" hooks
expect "container with hooks runs" 0 "$RC"
cp "$bd/rootfs/hookout/startContainer.json" "$out/" 2>/dev/null
for k in prestart createRuntime createContainer startContainer poststart poststop; do
	j="$out/$k.json"
	if [ -s "$j" ] && [ "$(jq -r .id "$j")" = hooks ]; then ok "$k hook ran with the state"; else fail "$k hook ran with the state"; fi
done
# The runtime spec's lifecycle: "created" after step 2 (the environment)
# and before the program runs, which covers hooks of steps 3 to 7.
for k in prestart createRuntime createContainer startContainer; do
	expect "$k state is created" created "$(jq -r .status "$out/$k.json")"
done
expect "poststart state is running" running "$(jq -r .status "$out/poststart.json")"
expect "poststop state is stopped" stopped "$(jq -r .status "$out/poststop.json")"
expect "hook state has the bundle" "$bd" "$(jq -r .bundle "$out/prestart.json")"
expect "hook state has annotations" v "$(jq -r '.annotations["org.example.k"]' "$out/prestart.json")"
if [ "$(jq -r .pid "$out/createRuntime.json")" -gt 1 ]; then ok "hook state has the host pid"; else fail "hook state has the host pid"; fi

# poststart runs strictly after the user program was executed: a
# startContainer hook that takes a while delays it, and the pid it is
# given already runs the program (before the exec it would be berth).
cat > "$TESTROOT/cmdline-hook.sh" <<'H'
#!/bin/sh
pid=$(jq -r .pid)
tr '\0' ' ' < "/proc/$pid/cmdline" > "$1"
H
chmod +x "$TESTROOT/cmdline-hook.sh"
bd=$(new_bundle hookexec 'exec sleep 31331')
edit "$bd" --arg h "$TESTROOT/cmdline-hook.sh" --arg o "$out/poststart-cmdline" '.hooks = {
  startContainer: [{path: "/bin/sh", args: ["sh", "-c", "sleep 1"]}],
  poststart: [{path: $h, args: ["hook", $o]}]}'
rm -f "$out/poststart-cmdline"
b run -d --bundle "$bd" hookexec >/dev/null 2>&1
expect "run -d with a slow startContainer hook" 0 $?
expect_match "poststart sees the executed program, not the runtime" "^sleep 31331 ?$" "$(cat "$out/poststart-cmdline" 2>/dev/null)"
b delete -f hookexec >/dev/null 2>&1
assert_clean hookexec "poststart after the exec"

# A failure between `start` and the exec (here a startContainer hook) is
# an error of `start`, and poststart hooks do not run.
bd=$(new_bundle hookstartfail 'true')
edit "$bd" --arg d "$TESTROOT" '.hooks = {startContainer: [{path: "/bin/false"}],
  poststart: [{path: "/bin/sh", args: ["sh", "-c", "touch \($d)/poststart-ran"]}]}'
rm -f "$TESTROOT/poststart-ran"
run_c "$bd" hookstartfail
expect "a failing startContainer hook fails run" 1 "$RC"
expect_match "...saying the program was not executed" "failed before executing the program" "$OUT"
check "...and no poststart hook ran" test ! -e "$TESTROOT/poststart-ran"
assert_clean hookstartfail "failing startContainer hook"

bd=$(new_bundle hookfail 'true')
edit "$bd" '.hooks.createRuntime = [{path: "/bin/false"}]'
run_c "$bd" hookfail
expect "failing createRuntime hook fails the container" 1 "$RC"
expect_match "hook failure is named" "hooks.createRuntime\[0\] \(/bin/false\): exited with status 1" "$OUT"
assert_clean hookfail "failed hook"

# poststart and poststop: a failure is a warning and the remaining hooks
# still run (the runtime spec); the container's own exit status stands.
bd=$(new_bundle hookwarn 'true')
edit "$bd" --arg d "$TESTROOT" '.hooks.poststart = [{path: "/bin/false"}, {path: "/bin/sh", args: ["sh", "-c", "touch \($d)/poststart-2"]}]
	| .hooks.poststop = [{path: "/bin/false"}, {path: "/bin/sh", args: ["sh", "-c", "touch \($d)/poststop-2"]}]'
rm -f "$TESTROOT/poststart-2" "$TESTROOT/poststop-2"
run_c "$bd" hookwarn
expect "failing poststart and poststop hooks do not fail the container" 0 "$RC"
check "...the poststart hook after the failing one ran" test -e "$TESTROOT/poststart-2"
check "...the poststop hook after the failing one ran" test -e "$TESTROOT/poststop-2"
expect_match "...and each failure is a warning, named" "hooks.poststop\[0\] \(/bin/false\): exited with status 1" "$OUT"
assert_clean hookwarn "failing poststart/poststop hooks"

bd=$(new_bundle hooktimeout 'true')
edit "$bd" '.hooks.prestart = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
start=$(date +%s)
run_c "$bd" hooktimeout
took=$(( $(date +%s) - start ))
expect "hook timeout fails the container" 1 "$RC"
expect_match "timeout is reported" "timed out after 1 s" "$OUT"
if [ "$took" -lt 10 ]; then ok "the hook was killed at its timeout"; else fail "the hook was killed at its timeout" "${took}s"; fi
assert_clean hooktimeout "hook timeout"
