#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Idmapped bind mounts ("idmap", "ridmap", mounts[].uidMappings), made
# with mount_setattr(MOUNT_ATTR_IDMAP). The sources live under the test
# root, a tmpfs in the QEMU VM: tmpfs can be idmapped since Linux 6.3,
# and on an older kernel berth must refuse the mount clearly.
. "$(dirname "$0")/../lib.sh"

src=$TESTROOT/idmap-src
rm -rf "$src"; mkdir -p "$src"
touch "$src/by-root" "$src/by-2000"; chown 2000:2000 "$src/by-2000"
idm_mount='{destination: "/idm", type: "bind", source: $s, options: ["bind", "idmap"],
	uidMappings: [{containerID: 0, hostID: 5000, size: 1000}], gidMappings: [{containerID: 0, hostID: 6000, size: 1000}]}'
features=$(b features)
expect "features: idmapped mounts enabled" true "$(echo "$features" | jq -r .linux.mountExtensions.idmap.enabled)"
expect "features: the idmap and ridmap options" "idmap ridmap" "$(echo "$features" | jq -r '[.mountOptions[] | select(. == "idmap" or . == "ridmap")] | join(" ")')"

kernel=$(uname -r | sed 's/[^0-9.].*//')
if [ "$(stat -f -c %T "$src")" = tmpfs ] && [ "$(printf '%s\n6.3\n' "$kernel" | sort -V | head -n1)" != 6.3 ]; then
	bd=$(new_bundle idmapold 'true')
	edit "$bd" --arg s "$src" ".mounts += [$idm_mount]"
	run_c "$bd" idmapold
	expect_match "Linux $kernel cannot idmap a tmpfs: refused, saying why" \
		"mounts\[[0-9]+\] \(/idm\): idmapping $src: Invalid argument \(its filesystem cannot be idmapped on this kernel" "$OUT"
	expect "...with a failing status" 1 "$RC"
	assert_clean idmapold "idmapped mount refused by the kernel"
	skip "idmapped mounts at work" "Linux $kernel cannot idmap the tmpfs the test root is on"
	rm -rf "$src"
	exit 0
fi

# A mapping {containerID c, hostID h} shows a file owned by c on disk as
# owned by h, and a file made by h as owned by c on disk; the source is
# never chowned.
bd=$(new_bundle idmap 'stat -c "%n %u:%g" /idm/by-root /idm/by-2000; touch /idm/made-by-root 2>&1 || echo refused')
edit "$bd" --arg s "$src" ".mounts += [$idm_mount]"
run_c "$bd" idmap
expect "an idmapped bind mount" 0 "$RC"
expect_match "...shows on-disk 0:0 through its mappings" "^/idm/by-root 5000:6000$" "$OUT"
expect_match "...and an id outside them as the overflow id" "^/idm/by-2000 65534:65534$" "$OUT"
expect_match "...where an id without a mapping back cannot make files" "refused" "$OUT"
bd=$(new_bundle idmapw 'touch /idm/made-by-5000 && echo made')
edit "$bd" --arg s "$src" ".mounts += [$idm_mount] | .process.user = {uid: 5000, gid: 6000}"
run_c "$bd" idmapw
expect_match "a process with a mapped id writes through it" "^made$" "$OUT"
expect "...its file owned by the on-disk id" "0:0" "$(stat -c %u:%g "$src/made-by-5000" 2>/dev/null)"
expect "the source is not chowned" "0:0 2000:2000" "$(stat -c %u:%g "$src/by-root" "$src/by-2000" | tr '\n' ' ' | sed 's/ $//')"
assert_clean idmapw "idmapped mount"

# "idmap" without mappings takes the container's user namespace: its root
# sees the on-disk root's files as its own (a plain bind shows nobody).
bd=$(new_bundle idmapns 'stat -c "%n %u" /idm/by-root /plain/by-root')
mkdir "$bd/rootfs/idm" "$bd/rootfs/plain"	# the rootfs is the host root's: its root cannot make them
edit "$bd" --arg s "$src" '.linux.namespaces += [{type: "user"}]
	| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	| .mounts |= map(if .destination == "/sys" then {destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
	| .mounts += [{destination: "/idm", type: "bind", source: $s, options: ["bind", "idmap"]},
		{destination: "/plain", type: "bind", source: $s, options: ["bind"]}]'
run_c "$bd" idmapns
expect "idmap with the container's user namespace" 0 "$RC"
expect_match "...its root owns what the host's root owns" "^/idm/by-root 0$" "$OUT"
expect_match "...where a plain bind mount shows the overflow id" "^/plain/by-root 65534$" "$OUT"
assert_clean idmapns "idmap with the container's mapping"

# ridmap: the mapping reaches mounts under the source too (an rbind's
# submounts); idmap leaves them as they are.
mkdir -p "$src/sub"
if mount -t tmpfs tmpfs "$src/sub" 2>/dev/null; then
	touch "$src/sub/f"
	for o in idmap ridmap; do
		bd=$(new_bundle "r$o" 'stat -c %u /idm/sub/f')
		edit "$bd" --arg s "$src" --arg o "$o" '.mounts += [{destination: "/idm", type: "bind", source: $s, options: ["rbind", $o],
			uidMappings: [{containerID: 0, hostID: 5000, size: 1000}], gidMappings: [{containerID: 0, hostID: 5000, size: 1000}]}]'
		run_c "$bd" "r$o"
		eval "sub_$o=\$OUT"
	done
	expect "rbind + idmap: the submount keeps its owners" 0 "$sub_idmap"
	expect "rbind + ridmap: the submount is idmapped too" 5000 "$sub_ridmap"
	umount "$src/sub"
else
	skip "ridmap on a submount" "cannot mount a tmpfs here"
fi
assert_clean rridmap "ridmap"

# What the spec says is an error, is one, naming the mount.
bd=$(new_bundle idmapbad 'true')
edit "$bd" '.mounts += [{destination: "/t", type: "tmpfs", source: "tmpfs", options: ["idmap"],
	uidMappings: [{containerID: 0, hostID: 5000, size: 1}], gidMappings: [{containerID: 0, hostID: 5000, size: 1}]}]'
run_c "$bd" idmapbad
expect_match "idmap on a tmpfs mount is refused" 'mounts\[[0-9]+\].options: "idmap" and "ridmap" apply to bind mounts only' "$OUT"
edit "$bd" --arg s "$src" '.mounts[-1] = {destination: "/idm", type: "bind", source: $s, options: ["bind", "idmap"],
	uidMappings: [{containerID: 0, hostID: 5000, size: 1}]}'
run_c "$bd" idmapbad
expect_match "uidMappings without gidMappings is refused" 'mounts\[[0-9]+\]: uidMappings and gidMappings go together' "$OUT"
edit "$bd" 'del(.mounts[-1].uidMappings)'
run_c "$bd" idmapbad
expect_match "idmap without mappings nor a user namespace is refused" "takes the container's user namespace, and there is none" "$OUT"
expect "...each with a failing status" 1 "$RC"
assert_clean idmapbad "refused idmapped mounts"
rm -rf "$src"
