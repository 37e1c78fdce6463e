#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# linux.namespaces: new ones, joined ones, user namespaces, time, sysctl.
. "$(dirname "$0")/../lib.sh"

bd=$(new_bundle holder 'sleep 1000')
b run -d --bundle "$bd" holder
hp=$(b state holder | jq -r .pid)
bd=$(new_bundle joiner 'readlink /proc/self/ns/net; hostname')
edit "$bd" --arg p "$hp" 'del(.hostname) | .linux.namespaces |= map(if .type == "network" or .type == "uts" then .path = "/proc/\($p)/ns/\(.type | sub("network"; "net"))" else . end)'
run_c "$bd" joiner
expect "join by path runs" 0 "$RC"
expect "joined the holder's network namespace" "$(readlink /proc/$hp/ns/net)" "$(echo "$OUT" | head -n1)"
expect_match "joined the holder's uts namespace (its hostname)" "^berth$" "$OUT"
b delete -f holder
if [ "$(readlink /proc/self/ns/net)" = "$(echo "$OUT" | head -n1)" ]; then fail "joined netns differs from the host's"; else ok "joined netns differs from the host's"; fi

bd=$(new_bundle sysctl 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni')
edit "$bd" '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}'
run_c "$bd" sysctl
expect_match "sysctl in the network namespace" "^1$" "$OUT"
expect_match "sysctl in the ipc namespace" "^1234$" "$OUT"
bd=$(new_bundle sysctl2 'true')
edit "$bd" '.linux.sysctl = {"kernel.panic": "1"}'
run_c "$bd" sysctl2
expect "a host-wide sysctl is refused" 1 "$RC"
expect_match "sysctl error says why" "kernel.panic is not namespaced" "$OUT"
assert_clean sysctl2 "sysctl refused"

# A user namespace: container root is host uid 100000.
bd=$(new_bundle userns 'cat /proc/self/uid_map /proc/self/gid_map; id -u; ls -ln /dev/null | cut -c1-10')
edit "$bd" '.linux.namespaces += [{type: "user"}] | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
  | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
  | .mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)'
run_c "$bd" userns
expect "user namespace container runs" 0 "$RC"
expect_match "uid_map written" "^ +0 +100000 +65536$" "$OUT"
expect_match "root inside" "^0$" "$OUT"
expect_match "devices bind-mounted from the host in a user namespace" "^crw-rw-rw-" "$OUT"
bd=$(new_bundle userns-bad 'true')
edit "$bd" '.linux.namespaces += [{type: "user"}]'
run_c "$bd" userns-bad
expect "a user namespace without mappings is refused" 1 "$RC"
expect_match "mappings error" "uidMappings/gidMappings" "$OUT"

if [ -e /proc/self/ns/time ]; then
	bd=$(new_bundle timens 'cat /proc/self/timens_offsets')
	edit "$bd" '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {monotonic: {secs: 86400, nanosecs: 0}, boottime: {secs: 3600, nanosecs: 5}}'
	run_c "$bd" timens
	expect_match "time namespace monotonic offset" "^monotonic +86400 +0$" "$OUT"
	expect_match "time namespace boottime offset" "^boottime +3600 +5$" "$OUT"
else
	skip "time namespace" "kernel has none"
fi

# A user namespace joined by path owns the namespaces made with the
# container (uts, pid, mount...): sethostname and a fresh /proc work in
# it, and devpts goes without gid=5, which that namespace does not map.
if unshare -U --map-user=0 --map-group=0 true 2>/dev/null; then
	unshare -U --map-user=0 --map-group=0 sleep 1000 & up=$!
	own_userns() { [ "$(readlink /proc/$up/ns/user)" != "$(readlink /proc/self/ns/user)" ]; }
	wait_until 30 own_userns
	hp=$(pgrep -P $up sleep || echo $up)
	bd=$(new_bundle ujoin 'echo pid=$$; hostname; id -u')
	edit "$bd" --arg p "$hp" '.linux.namespaces |= map(select(.type != "user")) + [{type: "user", path: "/proc/\($p)/ns/user"}]
		| del(.linux.uidMappings, .linux.gidMappings) | .hostname = "in-joined-userns"'
	run_c "$bd" ujoin
	expect "joined user namespace: container runs" 0 "$RC"
	expect_match "joined user namespace: owns the new pid namespace (fresh /proc)" "^pid=1$" "$OUT"
	expect_match "joined user namespace: owns the new uts namespace" "^in-joined-userns$" "$OUT"
	kill $up 2>/dev/null
	assert_clean ujoin "joined user namespace"
else
	skip "joined user namespace" "unshare cannot make one"
fi

# No "mount" in linux.namespaces: the container shares the runtime's mount
# namespace (the spec: an unlisted type is inherited) and its root is a
# chroot into root.path; nothing is mounted, in the host or anywhere.
no_mount_ns='del(.mounts) | .linux.maskedPaths = [] | .linux.readonlyPaths = [] | .root.readonly = false
	| .linux.namespaces |= map(select(.type != "mount"))'
bd=$(new_bundle nomnt 'touch /tmp/nomnt-up; exec sleep 1000')
touch "$bd/rootfs/only-in-rootfs"
edit "$bd" "$no_mount_ns"
run_bg "$bd" nomnt nomnt-up
pid=$(b state nomnt | jq -r .pid)
expect "no mount namespace: the container runs in the runtime's" "$(readlink /proc/self/ns/mnt)" "$(readlink "/proc/$pid/ns/mnt")"
expect "...with root.path as its root (a chroot)" "$(readlink -f "$bd/rootfs")" "$(readlink "/proc/$pid/root")"
expect "...and nothing was mounted" 0 "$(grep -c "$bd" /proc/self/mountinfo)"
expect "exec enters the same root" in-root "$(b exec nomnt sh -c 'test -e /only-in-rootfs && echo in-root' 2>&1)"
b delete -f nomnt >/dev/null 2>&1
wait "$RP" 2>/dev/null
assert_clean nomnt "no mount namespace"

# What would need a mount namespace is refused by name, the container
# not made: nothing may be mounted or created in the host's.
for c in 'mounts|.mounts = [{destination: "/x", type: "tmpfs", source: "tmpfs"}]' \
	'linux.maskedPaths|.linux.maskedPaths = ["/proc/kcore"]' \
	'linux.readonlyPaths|.linux.readonlyPaths = ["/proc/sys"]' \
	'root.readonly|.root.readonly = true' \
	'linux.devices|.linux.devices = [{path: "/dev/xnull", type: "c", major: 1, minor: 3}]' \
	'linux.sysctl|.linux.sysctl = {"kernel.msgmax": "8192"}' \
	'process.terminal|.process.terminal = true' \
	'linux.rootfsPropagation|.linux.rootfsPropagation = "private"'; do
	field=${c%%|*}
	bd=$(new_bundle nomntbad 'true')
	edit "$bd" "$no_mount_ns | ${c#*|}"
	run_c "$bd" nomntbad
	expect_match "no mount namespace: $field is refused, by name" \
		"^berth: $field: needs a mount namespace \(linux.namespaces has no \"mount\"\)" "$OUT"
	expect "...and the container not made ($field)" 1 "$RC"
done
assert_clean nomntbad "refused fields without a mount namespace"
