#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# runc's global options and the spec command.
. "$(dirname "$0")/../lib.sh"

d=$TESTROOT/spec; rm -rf "$d"; mkdir -p "$d"
check "spec writes config.json" b spec -b "$d"
expect "spec is valid JSON with runc's default args" sh "$(jq -r '.process.args[0]' "$d/config.json")"
OUT=$(b spec -b "$d" 2>&1); RC=$?
expect "spec refuses to overwrite" 1 "$RC"
rm -f "$d/config.json"
check "spec --rootless" b spec --rootless -b "$d"
expect "rootless maps the caller" "$(id -u)" "$(jq -r '.linux.uidMappings[0].hostID' "$d/config.json")"
expect "rootless has a user namespace" user "$(jq -r '.linux.namespaces[] | select(.type == "user") | .type' "$d/config.json")"

log=$TESTROOT/log.json; rm -f "$log"
"$BERTH" --root "$ROOT" --log "$log" --log-format json state nosuch 2>/dev/null
expect "--log-format json: level" error "$(jq -r .level "$log" 2>/dev/null | head -n1)"
expect_match "--log-format json: msg" 'container "nosuch" does not exist' "$(jq -r .msg "$log" 2>/dev/null)"
log=$TESTROOT/log.txt; rm -f "$log"
"$BERTH" -root "$ROOT" -log "$log" state nosuch 2>/dev/null
expect_match "single-dash global options and text log" 'level=error msg="container \\"nosuch\\" does not exist"' "$(cat "$log")"
expect_match "--version" "^berth version [0-9]" "$("$BERTH" --version)"
# runc's lines, which `docker info` shows: the commit built, the spec version
expect_match "--version names the commit" "^commit: ([0-9a-f]{7,}(-dirty)?|unknown)$" "$("$BERTH" --version | sed -n 2p)"
expect_match "--version names the spec version" "^spec: 1\.[0-9]+\.[0-9]+$" "$("$BERTH" --version | sed -n 3p)"
OUT=$("$BERTH" --log-format xml list 2>&1); RC=$?
expect_match "bad --log-format" 'expected text or json' "$OUT"
expect_match "create --help" "usage: berth .*create" "$("$BERTH" create --help)"

# features: what this build supports, as the OCI features document.
f=$("$BERTH" features)
expect "features: ociVersionMax" 1.2.0 "$(echo "$f" | jq -r .ociVersionMax)"
expect "features: seccomp in this build" true "$(echo "$f" | jq .linux.seccomp.enabled)"
expect_match "features: seccomp actions" "SCMP_ACT_NOTIFY" "$(echo "$f" | jq -c .linux.seccomp.actions)"
expect "features: namespaces" '["cgroup","ipc","mount","network","pid","time","user","uts"]' "$(echo "$f" | jq -c .linux.namespaces)"
expect "features: hooks" 6 "$(echo "$f" | jq '.hooks | length')"
expect_match "features: capabilities" "CAP_SYS_ADMIN" "$(echo "$f" | jq -c .linux.capabilities)"
expect_match "features: mount options" '"rbind"' "$(echo "$f" | jq -c .mountOptions)"
