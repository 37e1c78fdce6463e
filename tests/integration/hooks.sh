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
expect "createRuntime state is creating" creating "$(jq -r .status "$out/createRuntime.json")"
expect "startContainer state is created" created "$(jq -r .status "$out/startContainer.json")"
expect "poststart state is running" running "$(jq -r .status "$out/poststart.json")"
expect "poststop state is stopped" stopped "$(jq -r .status "$out/poststop.json")"
expect "hook state has the bundle" "$bd" "$(jq -r .bundle "$out/prestart.json")"
expect "hook state has annotations" v "$(jq -r '.annotations["org.example.k"]' "$out/prestart.json")"
if [ "$(jq -r .pid "$out/createRuntime.json")" -gt 1 ]; then ok "hook state has the host pid"; else fail "hook state has the host pid"; fi

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
