#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tiny_defconfig: the smallest build still runs a container, and refuses
# what it left out instead of ignoring it. Run by tests/run.sh with the
# tiny binary (and the spec written by the full one).
. "$(dirname "$0")/lib.sh"
FULL=${FULL:-$(dirname "$BERTH")/../test/berth}
bd=$TESTROOT/bundles/tiny; rm -rf "$bd"; mkdir -p "$bd"
make_rootfs_cache; cp -a "$ROOTFS_CACHE" "$bd/rootfs"
"$FULL" spec -b "$bd"
edit "$bd" '.process.terminal = false | .process.args = ["sh", "-c", "echo tiny $$"]'
run_c "$bd" tiny
expect "tiny build runs a container" 0 "$RC"
expect_match "tiny: PID 1" "^tiny 1$" "$OUT"
# Device rules through the eBPF program (the v1 devices controller is
# not in this build).
devices_effect
# Fields whose parsers tiny does not carry: refused by JSON path, with
# nothing left behind.
for f in 'hooks.prestart;.hooks.prestart = [{path: "/bin/true"}];HOOKS' \
	'hooks.poststop;.hooks.poststop = [{path: "/bin/true"}];HOOKS' \
	'linux.uidMappings;.linux.uidMappings = [{containerID: 0, hostID: 5000, size: 1}];USERNS' \
	'linux.gidMappings;.linux.gidMappings = [{containerID: 0, hostID: 5000, size: 1}];USERNS' \
	'linux.seccomp;.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW"};SECCOMP' \
	'process.scheduler;.process.scheduler = {policy: "SCHED_OTHER"};SCHED' \
	'process.ioPriority;.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 4};SCHED' \
	'linux.personality;.linux.personality = {domain: "LINUX"};PERSONALITY'; do
	path=${f%%;*} set=${f#*;}; set=${set%;*} symbol=${f##*;}
	edit "$bd" "$set"
	run_c "$bd" tiny
	expect_match "tiny refuses $path, whose parser it leaves out" "$path: not in this build \(CONFIG_$symbol\)" "$OUT"
	assert_clean tiny "tiny, $path refused"
	edit "$bd" "del(.$path)"
done
# Empty lists ask for nothing: accepted.
edit "$bd" '.hooks = {prestart: []} | .linux.uidMappings = []'
run_c "$bd" tiny
expect "tiny takes empty hooks and mappings" 0 "$RC"
edit "$bd" 'del(.hooks) | del(.linux.uidMappings) | .mounts[0].uidMappings = [{containerID: 0, hostID: 5000, size: 1}]'
run_c "$bd" tiny
expect_match "tiny refuses idmapped mounts" 'mounts\[0\]\.uidMappings: not in this build \(CONFIG_IDMAP_MOUNTS\)' "$OUT"
assert_clean tiny "tiny, idmapped mount refused"
edit "$bd" 'del(.mounts[0].uidMappings)'
OUT=$("$BERTH" spec 2>&1)
expect_match "tiny has no spec command" 'unknown command "spec"' "$OUT"
f=$("$BERTH" features)
expect "tiny features: no seccomp" false "$(echo "$f" | jq .linux.seccomp.enabled)"
expect "tiny features: no user namespaces" '["cgroup","ipc","mount","network","pid","time","uts"]' "$(echo "$f" | jq -c .linux.namespaces)"
expect "tiny features: no hooks" 0 "$(echo "$f" | jq '.hooks | length')"
expect "tiny features: no cgroup v1" false "$(echo "$f" | jq .linux.cgroup.v1)"
