#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# [network] mode = ipvlan: services on a parent link that share its MAC
# address, waiting for the parent, reaching each other, keeping their
# addresses across a restart and a supervisor killed with -9; a macvlan
# service asked for on the same parent refused (the kernel gives a link
# to one of the two) while the others run. Only busybox's tools, so that
# the cgroup v2 VM runs it on Debian's kernel, which has the ipvlan
# driver this host's kernel lacks. As in network.sh, the supervisor has
# a network namespace of its own, standing for the device's.
. "$(dirname "$0")/../lib.sh"
if ! "$BERTH" supervise --help >/dev/null 2>&1; then skip "ipvlan" "no supervisor in this build"; exit 0; fi
nd=$TESTROOT/ipvlan
rm -rf "$nd" && mkdir -p "$nd/conf" "$nd/bad"

# What berth check says without a kernel.
printf '[service]\nrootfs = /r\nexec = true\n[network]\nmode = ipvlan\nparent = eth1\nmac = 02:00:00:00:00:09\naddress = 10.9.0.2/24\n' \
	> "$nd/bad/mac.conf"
OUT=$("$BERTH" check "$nd/bad" 2>&1)
case $OUT in *"(CONFIG_NETWORK)"*) skip "ipvlan" "no [network] in this build (CONFIG_NETWORK)"; exit 0;; esac
expect_match "check: an ipvlan link takes no MAC address" "mac.conf: mac: an ipvlan link has its parent's MAC address" "$OUT"

# A kernel with the driver: one that makes an ipvlan link (loading the
# module on demand where it is one).
if ! unshare -n sh -c 'ip link add ivq0 type veth peer name ivq1 && ip link add ivq2 link ivq0 type ipvlan' >/dev/null 2>&1; then
	skip "ipvlan" "this kernel has no ipvlan driver"; exit 0
fi

make_rootfs_cache
cp -a "$ROOTFS_CACHE" "$nd/rootfs"
mkdir -p "$nd/rootfs/www" && echo hello-from-iv-web > "$nd/rootfs/www/index.html"
SOCK=$nd/ctl.sock
ctl() { timeout 20 "$BERTH" ctl -s "$SOCK" "$@"; }
state() { ctl list 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }
state_is() { [ "$(state "$1")" = "$2" ]; }
wait_state() { wait_until 60 state_is "$1" "$2"; }
pid_of() { ctl list | awk -v n="$1" '$1 == n { print $3 }'; }
in_dev() { nsenter -t "$SP" -n "$@"; }
addr_of() { ctl exec "$1" ip -4 -o addr show dev eth0 < /dev/null 2>/dev/null | awk '{ print $4 }'; }
mac_of() { "$@" 2>/dev/null | awk '$1 == "link/ether" { print $2 }'; }
svc() {
	_n=$1; shift
	{ echo "[service]"; echo "rootfs = $nd/rootfs"; echo "stop-timeout = 200ms"
	  for l in "$@"; do echo "$l"; done; } > "$nd/conf/$_n.conf"
}
svc iv-web 'exec = httpd -f -p 80 -h /www' '[network]' 'mode = ipvlan' 'parent = ivp0' 'address = 192.168.78.2/24'
svc iv-client 'exec = sleep 1000' '[network]' 'mode = ipvlan' 'parent = ivp0' 'address = 192.168.78.3/24' \
	'gateway = 192.168.78.1'
OUT=$("$BERTH" check "$nd/conf" 2>&1)
expect_match "check: the services pass" "2 service files, 0 with errors" "$OUT"

unshare -n "$BERTH" --root "$ROOT" supervise --config-dir "$nd/conf" --socket "$SOCK" \
	>> "$nd/supervisor.log" 2>&1 & SP=$!
wait_until 30 test -S "$SOCK"
wait_state iv-web waiting
expect "ipvlan: waits for its parent link" waiting "$(state iv-client)"
expect_match "...and says so" "link:ivp0" "$(ctl status iv-client)"
# A veth pair (busybox's ip names the peer as the kernel does: read it).
in_dev ip link add ivp0 type veth peer name ivp1
peer=$(in_dev ip -o link show ivp0 | sed -n 's/^[0-9]*: ivp0@\([^:]*\):.*/\1/p')
in_dev ip link set "${peer:-ivp1}" up
in_dev ip link set ivp0 up
wait_state iv-web ready; wait_state iv-client ready

expect "ipvlan: the address" "192.168.78.2/24" "$(addr_of iv-web)"
parent_mac=$(mac_of in_dev ip link show ivp0)
expect_match "ipvlan: eth0 has the parent's MAC address (an ipvlan link, not a macvlan one)" "^..(:..){5}$" "$parent_mac"
expect "...the same in both services" "$parent_mac $parent_mac" \
	"$(mac_of ctl exec iv-web ip link show eth0 < /dev/null) $(mac_of ctl exec iv-client ip link show eth0 < /dev/null)"
expect "ipvlan: two services on one parent reach each other" hello-from-iv-web \
	"$(ctl exec iv-client wget -qO- http://192.168.78.2/index.html < /dev/null 2>&1)"
expect_match "ipvlan: the gateway" "default via 192.168.78.1 dev eth0" "$(ctl exec iv-client ip route < /dev/null)"
expect_match "ctl status shows the address" "^addresses: 192.168.78.3/24$" "$(ctl status iv-client)"

# A macvlan service on the parent ipvlan holds: refused, for that service.
svc iv-mv 'exec = sleep 1000' 'restart = no' '[network]' 'mode = macvlan' 'parent = ivp0' 'address = 192.168.78.4/24'
ctl reload >/dev/null
wait_state iv-mv failed
expect_match "macvlan on an ipvlan parent: a clear refusal" \
	"service iv-mv: network: parent link ivp0 has another kind of link on it" "$(cat "$nd/supervisor.log")"
expect "...and the ipvlan services keep running" "ready ready" "$(state iv-web) $(state iv-client)"
rm "$nd/conf/iv-mv.conf"; ctl reload >/dev/null
wait_until 30 sh -c "! timeout 20 '$BERTH' ctl -s '$SOCK' list | grep -q '^iv-mv '"

# Restarts: the same address, wired again.
old=$(pid_of iv-web)
ctl restart iv-web >/dev/null
restarted() { [ "$(ctl list | awk -v p="$old" '$1 == "iv-web" && $3 != p { print $2 }')" = ready ]; }
wait_until 60 restarted
expect "a restarted service has its address again" "192.168.78.2/24" "$(addr_of iv-web)"
expect "...and answers" hello-from-iv-web \
	"$(ctl exec iv-client wget -qO- http://192.168.78.2/index.html < /dev/null 2>&1)"

# The supervisor killed with -9 and started again in the device's
# namespace: the containers are adopted, their links still work.
pid=$(pid_of iv-client)
nsenter -t "$SP" -n sleep 1000 & HOLD=$!	# keeps the device's namespace while no supervisor is in it
held() { [ "$(readlink /proc/$HOLD/ns/net)" = "$(readlink /proc/$SP/ns/net)" ]; }
wait_until 10 held
kill -9 "$SP"; wait "$SP" 2>/dev/null
nsenter -t "$HOLD" -n "$BERTH" --root "$ROOT" supervise --config-dir "$nd/conf" --socket "$SOCK" \
	>> "$nd/supervisor.log" 2>&1 & SP=$!
wait_until 30 sh -c "timeout 5 '$BERTH' ctl -s '$SOCK' list >/dev/null 2>&1"
wait_state iv-client ready
expect "re-adoption: the same container" "$pid" "$(pid_of iv-client)"
expect_match "re-adoption: ctl status still shows its address" "^addresses: 192.168.78.3/24$" "$(ctl status iv-client)"
expect "re-adoption: the services still reach each other" hello-from-iv-web \
	"$(ctl exec iv-client wget -qO- http://192.168.78.2/index.html < /dev/null 2>&1)"
kill "$HOLD"; wait "$HOLD" 2>/dev/null

kill -TERM "$SP"; wait "$SP"
expect "clean exit" 0 "$?"
for n in iv-web iv-client iv-mv; do assert_clean "$n" "ipvlan ($n)"; done
check "...and no record of their addresses" sh -c "! ls '$ROOT/.network/'iv-* 2>/dev/null | grep -q ."
