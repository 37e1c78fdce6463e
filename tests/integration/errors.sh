#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bad input: a clear error, exit status 1, and nothing left behind.
. "$(dirname "$0")/../lib.sh"

# bad_config NAME DESC PATTERN JQ-FILTER: the filter breaks config.json
bad_config() {
	name=$1 desc=$2 pat=$3 filter=$4
	bd=$(new_bundle "$name" 'true')
	edit "$bd" "$filter"
	run_c "$bd" "$name"
	expect "$desc: exit status 1" 1 "$RC"
	expect_match "$desc: message" "$pat" "$OUT"
	assert_clean "$name" "$desc"
}
bad_config wrongtype "wrong type" "config.json: process.args\[1\]: expected a string, got a number" '.process.args[1] = 5'
bad_config wrongtype2 "wrong type (object)" "config.json: linux.namespaces: expected an array, got an object" '.linux.namespaces = {}'
bad_config badns "unknown namespace" 'linux.namespaces\[2\].type: unknown namespace type "foo"' '.linux.namespaces[2].type = "foo"'
bad_config dupns "duplicate namespace" 'the pid namespace is listed twice' '.linux.namespaces += [{type: "pid"}]'
bad_config norootfs "missing rootfs" 'root.path .*/nope: No such file or directory' '.root.path = "nope"'
bad_config v2 "ociVersion 2.x" 'ociVersion: version 2.0.0 is not supported' '.ociVersion = "2.0.0"'
bad_config badrlimit "unknown rlimit" 'process.rlimits\[0\].type: unknown rlimit "RLIMIT_FOO"' '.process.rlimits[0].type = "RLIMIT_FOO"'
bad_config negumask "negative uid" 'process.user.uid: -1 is out of range' '.process.user.uid = -1'
bad_config badprop "bad propagation" 'unknown propagation "sideways"' '.linux.rootfsPropagation = "sideways"'
bad_config relcwd "relative cwd" 'process.cwd: "tmp" is not an absolute path' '.process.cwd = "tmp"'
# A cgroup path is joined to each hierarchy's directory: ".." would make
# directories and write limits anywhere on the host.
mkdir -p "$TESTROOT/cgdecoy"
bad_config cgclimb "cgroupsPath climbing out of the cgroup tree" \
	'linux.cgroupsPath: "/\.\./.*/cgdecoy/c": "\." and "\.\." are not allowed in a cgroup path' \
	".linux.cgroupsPath = \"/../../../../../..$TESTROOT/cgdecoy/c\" | .linux.resources.memory.limit = 100000000"
expect "...and nothing was made where it pointed" "" "$(ls -A "$TESTROOT/cgdecoy")"
mkdir -p "$TESTROOT/cgsvc"
printf '[service]\nexec = true\nrootfs = /\n[container]\ncgroup = a/../../x\n' > "$TESTROOT/cgsvc/climb.conf"
OUT=$("$BERTH" check "$TESTROOT/cgsvc/climb.conf" 2>&1); RC=$?
expect "a service's cgroup = with \"..\": check fails" 1 "$RC"
expect_match "...naming the file, line and key" 'climb.conf:5: cgroup: "a/\.\./\.\./x": "\." and "\.\." are not allowed' "$OUT"
bad_config badmount "failing mount" 'mounts\[7\] \(/x\): mounting nosuchfs' '.mounts += [{destination: "/x", type: "nosuchfs", source: "x"}]'

bd=$(new_bundle malformed 'true')
printf '{\n  "ociVersion": "1.0.0",\n  "process": { oops }\n}\n' > "$bd/config.json"
run_c "$bd" malformed
expect "malformed JSON: exit status 1" 1 "$RC"
expect_match "malformed JSON: file, line and column" "config.json:3:[0-9]+: malformed JSON" "$OUT"
assert_clean malformed "malformed JSON"

# Every 1.x version is accepted, as runc does (podman writes 1.2.1).
for v in 1.0.0 1.0.2-dev 1.1.0-rc.1 1.2.1 1.3.0; do
	bd=$(new_bundle "ver" 'true')
	edit "$bd" --arg v "$v" '.ociVersion = $v'
	run_c "$bd" ver
	expect "ociVersion $v accepted" 0 "$RC"
done

bd=$(new_bundle dup 'sleep 1000')
b run -d --bundle "$bd" dup
OUT=$(b create --bundle "$bd" dup 2>&1); RC=$?
expect "duplicate id refused" 1 "$RC"
expect_match "duplicate id message" 'container "dup" already exists' "$OUT"
expect "the first container is untouched" running "$(b state dup | jq -r .status)"
b delete -f dup
OUT=$(b create --bundle "$bd" ../etc 2>&1); RC=$?
expect "an id with a slash is refused" 1 "$RC"
expect_match "id message" 'invalid container id' "$OUT"
OUT=$(b state nosuch 2>&1); RC=$?
expect_match "state of a missing container" 'container "nosuch" does not exist' "$OUT"
OUT=$(b kill nosuch FOO 2>&1); RC=$?
expect_match "unknown signal" 'unknown signal "FOO"' "$OUT"
OUT=$("$BERTH" --root "$ROOT" frobnicate 2>&1); RC=$?
expect "unknown command exits 1" 1 "$RC"
check "no container left in --root" test -z "$(b list -q)"
