#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Rootless: an unprivileged host user runs a container in a user
# namespace, its id maps written directly (its own id) or by
# newuidmap/newgidmap (ranges from /etc/subuid); state under
# $XDG_RUNTIME_DIR; no cgroup when it may not make one.
. "$(dirname "$0")/../lib.sh"
if ! command -v setpriv >/dev/null; then skip "rootless" "no setpriv"; exit 0; fi
make_rootfs_cache
rl=$TESTROOT/rootless
rm -rf "$rl" && mkdir -p "$rl" && chmod 755 "$rl"

# as USER CMD: run CMD (a shell line) as an unprivileged user.
as() {
	_u=$1; shift
	# A login's XDG_RUNTIME_DIR exists and belongs to the user.
	[ -d "$rl/xdg-$_u" ] || { mkdir -p "$rl/xdg-$_u" && chown "$_u" "$rl/xdg-$_u" && chmod 700 "$rl/xdg-$_u"; }
	setpriv --reuid "$(id -u "$_u")" --regid "$(id -g "$_u")" --clear-groups \
		env HOME="$rl" XDG_RUNTIME_DIR="$rl/xdg-$_u" BERTH="$BERTH" sh -c "$*"
}
# rl_bundle USER NAME SCRIPT: a rootless bundle owned by USER.
rl_bundle() {
	mkdir -p "$rl/$2" && cp -a "$ROOTFS_CACHE" "$rl/$2/rootfs" && chown -R "$1" "$rl/$2"
	as "$1" "\"$BERTH\" spec --rootless -b $rl/$2"
	jq --arg s "$3" '.process.terminal = false | .process.args = ["sh", "-c", $s]' "$rl/$2/config.json" > "$rl/c.tmp" &&
		mv "$rl/c.tmp" "$rl/$2/config.json" && chown "$1" "$rl/$2/config.json"
}

rl_bundle nobody own 'id -u; cat /proc/self/uid_map; echo pid=$$'
OUT=$(as nobody "\"$BERTH\" run --bundle $rl/own r1" 2>&1)
expect_match "rootless: runs as root inside" "^0$" "$OUT"
expect_match "rootless: own id mapped (uid_map 0 65534 1)" "^ +0 +65534 +1$" "$OUT"
expect_match "rootless: its own pid namespace" "^pid=1$" "$OUT"
as nobody "\"$BERTH\" run -d --bundle $rl/own r2" >/dev/null 2>&1
expect "rootless: state under \$XDG_RUNTIME_DIR/berth" "" "$(as nobody "\"$BERTH\" state r2" | jq -r .id | grep -v r2)"
check "rootless: the state file is there" test -f "$rl/xdg-nobody/berth/r2/state.json"
expect "rootless: no cgroup (none writable)" "" "$(jq -r .cgroup "$rl/xdg-nobody/berth/r2/state.json")"
as nobody "\"$BERTH\" delete -f r2" 2>/dev/null
jq '.linux.resources = {pids: {limit: 10}}' "$rl/own/config.json" > "$rl/c.tmp" && mv "$rl/c.tmp" "$rl/own/config.json" && chown nobody "$rl/own/config.json"
OUT=$(as nobody "\"$BERTH\" run --bundle $rl/own r3" 2>&1)
expect_match "rootless: limits it cannot apply are an error" "an unprivileged user cannot apply linux.resources" "$OUT"
check "rootless: ...and nothing is left" test ! -e "$rl/xdg-nobody/berth/r3"

# Ranges from /etc/subuid through newuidmap/newgidmap.
if command -v newuidmap >/dev/null && command -v useradd >/dev/null; then
	id berth-rootless >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/sh berth-rootless
	u=$(id -u berth-rootless) g=$(id -g berth-rootless)
	grep -q '^berth-rootless:' /etc/subuid 2>/dev/null || echo "berth-rootless:400000:65536" >> /etc/subuid
	grep -q '^berth-rootless:' /etc/subgid 2>/dev/null || echo "berth-rootless:400000:65536" >> /etc/subgid
	rl_bundle berth-rootless ranges 'cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u /tmp/f'
	jq --argjson u "$u" --argjson g "$g" '.root.readonly = false | .process.capabilities |= with_entries(.value += ["CAP_CHOWN"])
		| .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: 400000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1, hostID: 400000, size: 65536}]' \
		"$rl/ranges/config.json" > "$rl/c.tmp" && mv "$rl/c.tmp" "$rl/ranges/config.json" && chown berth-rootless "$rl/ranges/config.json"
	OUT=$(as berth-rootless "\"$BERTH\" run --bundle $rl/ranges r4" 2>&1)
	expect_match "newuidmap: the subuid range is mapped" "^ +1 +400000 +65536$" "$OUT"
	expect_match "newuidmap: a mapped id other than root works" "^1000$" "$OUT"
	# A range the user was not given: a clear refusal.
	jq '.linux.uidMappings[1].hostID = 900000' "$rl/ranges/config.json" > "$rl/c.tmp" && mv "$rl/c.tmp" "$rl/ranges/config.json" && chown berth-rootless "$rl/ranges/config.json"
	OUT=$(as berth-rootless "\"$BERTH\" run --bundle $rl/ranges r5" 2>&1)
	expect_match "newuidmap: a range not in /etc/subuid is refused" "newuidmap refused the mapping" "$OUT"
	check "newuidmap: ...and nothing is left" test ! -e "$rl/xdg-berth-rootless/berth/r5"
else
	skip "newuidmap ranges" "no newuidmap or useradd"
fi
