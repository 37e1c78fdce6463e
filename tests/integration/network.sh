#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# [network]: services on a bridge (made by berth, addresses allocated and
# kept, found by name), a static address with MAC, MTU, DNS and hosts; a
# duplicate address refused for that service only; macvlan services that
# wait for their parent link; host and none modes; links gone with their
# containers; `berth check`'s messages. The supervisor runs in a network
# namespace of its own, standing for the device's: nothing of the host's
# network is touched, and all of it goes when the namespace does.
. "$(dirname "$0")/../lib.sh"
if ! "$BERTH" supervise --help >/dev/null 2>&1; then skip "networking" "no supervisor in this build"; exit 0; fi
make_rootfs_cache
nd=$TESTROOT/network
rm -rf "$nd" && mkdir -p "$nd/conf" "$nd/bad" && cp -a "$ROOTFS_CACHE" "$nd/rootfs"
printf '[service]\nrootfs = /r\nexec = true\n[network]\nmode = bridge\n' > "$nd/bad/probe.conf"
if "$BERTH" check "$nd/bad/probe.conf" 2>&1 | grep -q "(CONFIG_NETWORK)"; then
	skip "networking" "no [network] in this build (CONFIG_NETWORK)"; exit 0
fi
rm "$nd/bad/probe.conf"
mkdir -p "$nd/rootfs/www" && echo hello-from-net-web > "$nd/rootfs/www/index.html"
echo "1.2.3.4 image-hosts" > "$nd/rootfs/etc/hosts"
SOCK=$nd/ctl.sock
ctl() { timeout 20 "$BERTH" ctl -s "$SOCK" "$@"; }
state() { ctl list 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }
state_is() { [ "$(state "$1")" = "$2" ]; }
wait_state() { wait_until 30 state_is "$1" "$2"; }
# in_dev CMD...: in the supervisor's network namespace (the "device").
in_dev() { nsenter -t "$SP" -n "$@"; }
addr_of() { ctl exec "$1" ip -4 -o addr show dev eth0 < /dev/null 2>/dev/null | awk '{ print $4 }'; }
svc() {
	_n=$1; shift
	{ echo "[service]"; echo "rootfs = $nd/rootfs"; echo "stop-timeout = 200ms"
	  for l in "$@"; do echo "$l"; done; } > "$nd/conf/$_n.conf"
}

# What berth check can tell from a file alone, with file and line.
bad() { _n=$1; shift; { printf '[service]\nrootfs = /r\nexec = true\n[network]\n'; for l in "$@"; do echo "$l"; done; } > "$nd/bad/$_n.conf"; }
bad outside 'mode = bridge' 'bridge-address = 10.1.0.1/24' 'address = 10.2.0.5'
bad noparent 'mode = macvlan' 'address = 192.168.77.9/24'
bad gateway 'mode = macvlan' 'parent = eth1' 'address = 192.168.77.9/24' 'gateway = 192.168.78.1'
bad mtu 'mode = bridge' 'mtu = 9'
bad port 'mode = bridge' 'publish = 8080:0'
bad proto 'mode = bridge' 'publish = 8080:80/sctp'
bad pubv6 'mode = bridge' 'publish = fd00::1:8080:80'
bad pubtwice 'mode = bridge' 'publish = 8080:80' 'publish = 10.0.0.1:8080:81'
bad pubvlan 'mode = macvlan' 'parent = eth1' 'address = 192.168.77.9/24' 'publish = 80:80'
bad pubnone 'mode = bridge' 'publish = none' 'publish = 80:80'
OUT=$("$BERTH" check "$nd/bad" 2>&1); rc=$?
expect "check: [network] errors fail the check" "1" "$rc"
expect_match "check: an address outside the bridge's subnet, with file and line" \
	"outside.conf:7: address: 10.2.0.5 is outside the bridge's subnets" "$OUT"
expect_match "check: macvlan without parent" "noparent.conf:5: mode: macvlan needs parent = IFACE" "$OUT"
expect_match "check: a gateway no address reaches" "gateway.conf:8: gateway: 192.168.78.1 is not in the subnet of any address" "$OUT"
expect_match "check: an MTU out of range" "mtu.conf:6: mtu: \"9\" is not an MTU from 68 to 65535" "$OUT"
expect_match "check: publish: a port out of range" "port.conf:6: publish: \"8080:0\": ports are numbers from 1 to 65535" "$OUT"
expect_match "check: publish: tcp or udp" "proto.conf:6: publish: \"8080:80/sctp\": the protocol is tcp or udp" "$OUT"
expect_match "check: publish: an IPv6 HOSTIP goes in brackets" \
	"pubv6.conf:6: publish: \"fd00::1\" is not an address of the device \(IPv4, or IPv6 in brackets\)" "$OUT"
expect_match "check: publish: one port twice" "pubtwice.conf:7: publish: port 8080/tcp is published already \(line 6\)" "$OUT"
expect_match "check: publish: on a bridge only" "pubvlan.conf: \[network\]: publish: not used by mode = macvlan" "$OUT"
expect_match "check: publish = none and a port" "pubnone.conf:7: publish: publish = none and a port \(line 6\): give one" "$OUT"

# Across the files of a directory: one address on a bridge, one port.
mkdir -p "$nd/clash"
printf '[service]\nrootfs = /r\nexec = true\n[network]\nmode = bridge\naddress = 10.0.88.5\npublish = 8080:80\n' > "$nd/clash/a.conf"
printf '[service]\nrootfs = /r\nexec = true\n[network]\nmode = bridge\naddress = 10.0.88.5\n' > "$nd/clash/b.conf"
printf '[service]\nrootfs = /r\nexec = true\n[network]\nmode = bridge\npublish = 8080:81\n' > "$nd/clash/c.conf"
OUT=$("$BERTH" check "$nd/clash" 2>&1)
expect_match "check: an address two services of a directory ask for" \
	"b.conf:6: address: 10.0.88.5 is service a's too \(.*/a.conf:6\)" "$OUT"
expect_match "check: a port two services publish" "c.conf:6: publish: port 8080/tcp is published by service a too \(.*/a.conf:7\)" "$OUT"
expect_match "check: ...each a failed file" "3 service files, 2 with errors" "$OUT"

svc net-web 'exec = httpd -f -p 80 -h /www' '[network]' 'mode = bridge' 'publish = 8080:80' \
	'publish = 192.168.55.1:8081:80/tcp' 'publish = 5353:53/udp'
svc net-pub2 'exec = sleep 1000' 'after = net-web' 'restart = no' '[network]' 'mode = bridge' 'publish = 8080:81'
svc net-client 'exec = sleep 1000' 'requires = net-web' '[network]' 'mode = bridge'
svc net-fixed 'exec = sleep 1000' '[network]' 'mode = bridge' 'address = 10.0.88.50' 'mac = 02:00:00:00:00:50' \
	'mtu = 1400' 'dns = 10.0.88.1' 'dns-search = example.org' 'hosts = printer:10.0.88.9' \
	'[container]' 'sysctl = net.ipv4.conf.eth0.arp_ignore=1'
svc net-dup 'exec = sleep 1000' 'after = net-fixed' 'restart = no' '[network]' 'mode = bridge' 'address = 10.0.88.50'
svc net-none 'exec = sleep 1000'
svc net-host 'exec = sh -c "ip -o link; exec sleep 1000"' '[network]' 'mode = host'
svc net-mv1 'exec = httpd -f -p 80 -h /www' '[network]' 'mode = macvlan' 'parent = mvp0' 'address = 192.168.77.2/24'
svc net-mv2 'exec = sleep 1000' '[network]' 'mode = macvlan' 'parent = mvp0' 'address = 192.168.77.3/24'
# IPv6 beside IPv4, on a bridge of the file's own.
svc net-six 'exec = httpd -f -p 80 -h /www' '[network]' 'mode = bridge' 'bridge = berth6' \
	'bridge-address = 10.0.89.1/24' 'bridge-address = fd00:89::1/64' 'publish = 8082:80' 'publish = [fd00:55::1]:8083:80'
svc net-six2 'exec = sleep 1000' 'requires = net-six' '[network]' 'mode = bridge' 'bridge = berth6' \
	'bridge-address = 10.0.89.1/24' 'bridge-address = fd00:89::1/64' 'address = fd00:89::20' 'address = 10.0.89.20'
# A service from an OCI bundle gets the same network.
mkdir -p "$nd/bundle" && cp -a "$nd/rootfs" "$nd/bundle/rootfs" && "$BERTH" spec -b "$nd/bundle"
jq '.process.terminal = false | .process.args = ["sleep", "1000"]' "$nd/bundle/config.json" > "$nd/bundle/c.tmp" &&
	mv "$nd/bundle/c.tmp" "$nd/bundle/config.json"
printf '[service]\nbundle = %s\nstop-timeout = 200ms\n[network]\nmode = bridge\n' "$nd/bundle" > "$nd/conf/net-bundle.conf"
# An image's ExposedPorts (IMAGE_STORE): published on the same ports
# from a bridge by default; the file's publish = replaces them, and
# publish = none publishes nothing.
images=no
if "$BERTH" image --help >/dev/null 2>&1; then
	images=yes
	. "$(dirname "$0")/../helpers/oci_image.sh"
	export BERTH_IMAGE_STORE=$nd/store
	oci_tar "$nd/rootfs" "$nd/layer.tar"
	exposed() {	# NAME EXPOSEDPORTS-JSON
		oci_config "$nd/$1.json" "{\"Cmd\":[\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"],\"ExposedPorts\":$2}" "$nd/layer.tar"
		rm -rf "$nd/$1.layout"; oci_layout "$nd/$1.layout" "$nd/$1.json" "$nd/layer.tar"
		"$BERTH" image import "$nd/$1.layout" "$1" >/dev/null
	}
	exposed netweb '{"80/tcp":{},"80":{},"53/udp":{},"5000/sctp":{}}'
	exposed netbad '{"http/tcp":{}}'
	img_svc() { _n=$1; shift; { printf '[service]\nimage = %s\nstop-timeout = 200ms\n[network]\nmode = bridge\n' "$1"; shift
		for l in "$@"; do echo "$l"; done; } > "$nd/$_n.conf"; }
	mkdir -p "$nd/img-clash"
	img_svc img-clash/a netweb; img_svc img-clash/b netweb
	expect_match "check: two services whose images expose one port, on bridges" \
		"b.conf:2: image: port 80/tcp \(its ExposedPorts\) is published by service a too \(.*/a.conf:2\): publish = in \[network\] replaces them" \
		"$("$BERTH" check "$nd/img-clash" 2>&1)"
	img_svc bad/expose netbad
	expect_match "check: an ExposedPorts entry that is no port: the image's JSON path" \
		"expose.conf:2: image: netbad's config \(sha256:[0-9a-f]{12}\): config.ExposedPorts.http/tcp: expected PORT\[/tcp\|/udp\]" \
		"$("$BERTH" check "$nd/bad/expose.conf" 2>&1)"
	rm "$nd/bad/expose.conf"
	expect_match "check: an sctp port is named and left out" "ExposedPorts \"5000/sctp\": berth publishes tcp and udp only" \
		"$("$BERTH" check "$nd/img-clash/a.conf" 2>&1)"
	img_svc conf/net-img netweb
	img_svc conf/net-img2 netweb 'publish = 8091:80'
	img_svc conf/net-img3 netweb 'publish = none'
fi
# (net-dup and net-pub2 ask for net-fixed's address and net-web's port on
# purpose: the supervisor refuses them at start. berth check sees it.)
OUT=$("$BERTH" check "$nd/conf" 2>&1)
expect_match "check: the services' [network] sections pass, but for the clashes put there" \
	"$(ls "$nd/conf" | wc -l) service files, 2 with errors" "$OUT"

# A device whose forwarding is off (a new namespace inherits the host's):
# berth turns it on for its bridges only. Its links take router
# advertisements (accept_ra 1), which IPv6 forwarding would stop.
start_supervisor() {
	unshare -n sh -c 'echo 0 > /proc/sys/net/ipv4/ip_forward && echo 0 > /proc/sys/net/ipv6/conf/all/forwarding &&
		echo 1 > /proc/sys/net/ipv6/conf/default/accept_ra && exec "$@"' sh \
		"$BERTH" --root "$ROOT" supervise --config-dir "$nd/conf" --socket "$SOCK" --lease-dir "$nd/leases" \
		>> "$nd/supervisor.log" 2>&1 & SP=$!
	wait_until 20 test -S "$SOCK"
}
start_supervisor
wait_state net-client ready; wait_state net-fixed ready; wait_state net-none ready; wait_state net-host ready

# A bridge berth made, services found by name, the device reaching them.
expect_match "bridge: berth0 made, up, with its default address" "berth0 +UP +10.0.88.1/24" "$(in_dev ip -br addr show berth0)"
web=$(addr_of net-web)
expect_match "bridge: an allocated address in the bridge's subnet" "^10\.0\.88\.[0-9]+/24$" "$web"
expect "bridge: a service reaches another by its name" hello-from-net-web \
	"$(ctl exec net-client wget -qO- http://net-web/index.html < /dev/null 2>&1)"
expect "bridge: the device reaches a service's address" hello-from-net-web \
	"$(in_dev busybox wget -qO- "http://${web%/*}/index.html" 2>&1)"
expect_match "bridge: the default route is the bridge" "default via 10.0.88.1 dev eth0" \
	"$(ctl exec net-client ip route < /dev/null)"
expect_match "bridge: the host's end of the pair is on the bridge" "master berth0" "$(in_dev ip link show b-net-client)"
expect "the image's /etc/hosts is left as it was" "1.2.3.4 image-hosts" "$(cat "$nd/rootfs/etc/hosts")"
expect_match "the container's /etc/hosts is read-only" "Read-only file system" \
	"$(ctl exec net-client sh -c 'echo x >> /etc/hosts' < /dev/null 2>&1)"

# Published ports, from a client on the device's LAN (a namespace of
# its own, linked to the device's by a veth pair, with no route to the
# bridge's subnet); and the way out, masqueraded.
unshare -n sleep 1000 & CLIENT=$!
in_client() { nsenter -t "$CLIENT" -n "$@"; }
wait_until 10 sh -c "[ \"\$(readlink /proc/$CLIENT/ns/net)\" != \"\$(readlink /proc/$SP/ns/net)\" ]"
in_dev ip link add lan0 type veth peer name lan1 netns "$CLIENT"
in_dev ip addr add 192.168.55.1/24 dev lan0; in_dev ip -6 addr add fd00:55::1/64 dev lan0 nodad; in_dev ip link set lan0 up
in_client ip addr add 192.168.55.2/24 dev lan1; in_client ip -6 addr add fd00:55::2/64 dev lan1 nodad
in_client ip link set lan1 up; in_client ip link set lo up
mkdir -p "$nd/lan" && echo hello-from-the-lan > "$nd/lan/x"
nsenter -t "$CLIENT" -n busybox httpd -f -p 8000 -h "$nd/lan" & LANWEB=$!
from_lan() { in_client busybox wget -qO- "$1" 2>&1; }	# URL: what a LAN client gets
expect "publish: HOSTPORT:PORT reaches the container from the LAN" hello-from-net-web \
	"$(from_lan http://192.168.55.1:8080/index.html)"
expect "publish: HOSTIP:HOSTPORT:PORT/tcp" hello-from-net-web \
	"$(from_lan http://192.168.55.1:8081/index.html)"
if [ $images = yes ]; then
	wait_state net-img ready; wait_state net-img2 ready; wait_state net-img3 ready
	expect "image: its ExposedPorts are published from the bridge" hello-from-net-web \
		"$(from_lan http://192.168.55.1:80/index.html)"
	expect "image: publish = replaces the ExposedPorts" hello-from-net-web \
		"$(from_lan http://192.168.55.1:8091/index.html)"
	expect_match "image: ctl status shows what is published, and from where" \
		"published: 80->80/tcp 53->53/udp \(the image's ExposedPorts\)" "$(ctl status net-img)"
	expect_match "image: ...the file's lines instead" "published: 8091->80/tcp$" "$(ctl status net-img2)"
	expect "image: publish = none publishes nothing" "" "$(ctl status net-img3 | grep published)"
fi
expect "outbound: a service reaches the LAN (forwarding, masquerade)" hello-from-the-lan \
	"$(ctl exec net-client wget -qO- http://192.168.55.2:8000/x < /dev/null 2>&1)"
# Forwarding was off on the device: berth turned it on for its bridges
# only. A second LAN link: the device does not route between the two.
unshare -n sleep 1000 & CLIENT2=$!
wait_until 10 sh -c "[ \"\$(readlink /proc/$CLIENT2/ns/net)\" != \"\$(readlink /proc/$SP/ns/net)\" ]"
in_dev ip link add lan2 type veth peer name lan3 netns "$CLIENT2"
in_dev ip addr add 192.168.56.1/24 dev lan2; in_dev ip -6 addr add fd00:56::1/64 dev lan2 nodad; in_dev ip link set lan2 up
nsenter -t "$CLIENT2" -n sh -c 'ip addr add 192.168.56.2/24 dev lan3; ip -6 addr add fd00:56::2/64 dev lan3 nodad
	ip link set lan3 up; ip route add default via 192.168.56.1; ip -6 route add default via fd00:56::1'
in_client ip route add default via 192.168.55.1
in_client ip -6 route add fd00:56::/64 via fd00:55::1	# (none to the bridge's: the way out is masqueraded)
nsenter -t "$CLIENT2" -n busybox httpd -f -p 8000 -h "$nd/lan" & LANWEB2=$!
expect "forwarding: a service reaches the second LAN too" hello-from-the-lan \
	"$(ctl exec net-client wget -qO- http://192.168.56.2:8000/x < /dev/null 2>&1)"
# (Dropped, not refused: the attempt is cut short, and must not succeed.)
OUT=$(in_client timeout 3 busybox wget -qO- http://192.168.56.2:8000/x 2>&1)
expect "forwarding: ...but the device does not route one LAN to the other" "not reached" \
	"$(case $OUT in *hello-from-the-lan*) echo "reached: $OUT";; *) echo "not reached";; esac)"
wait_state net-pub2 failed
expect_match "publish: a port another service publishes is refused, naming it" \
	"service net-pub2: port 8080/tcp is published by service net-web" "$(cat "$nd/supervisor.log")"

# IPv4 and IPv6 on one bridge.
wait_state net-six2 ready
six=$(ctl exec net-six ip -6 -o addr show dev eth0 scope global < /dev/null | awk '{ print $4 }')
expect_match "IPv6: an address allocated in the bridge's IPv6 subnet" "^fd00:89::[0-9a-f:]+/64$" "$six"
expect_match "IPv6: ...and an IPv4 one beside it" "^10\.0\.89\.[0-9]+/24$" "$(addr_of net-six)"
expect "IPv6: a service reaches another's IPv6 address" hello-from-net-web \
	"$(ctl exec net-six2 wget -qO- "http://[${six%/*}]/index.html" < /dev/null 2>&1)"
expect_match "IPv6: the static one, and a default route through the bridge" "fd00:89::20/64.*default via fd00:89::1" \
	"$(ctl exec net-six2 sh -c 'ip -6 -o addr show dev eth0 scope global; ip -6 route' < /dev/null | paste -sd' ')"
expect_match "IPv6: /etc/hosts names both of a service's addresses" "fd00:89::[0-9a-f:]+	net-six" \
	"$(ctl exec net-six2 cat /etc/hosts < /dev/null)"
# IPv6 past the device, as IPv4: published ports, the way out, forwarding.
expect "IPv6 publish: HOSTPORT:PORT reaches the container from the LAN over IPv6" hello-from-net-web \
	"$(from_lan 'http://[fd00:55::1]:8082/index.html')"
expect "...and over IPv4, from the same line" hello-from-net-web \
	"$(from_lan http://192.168.55.1:8082/index.html)"
expect "IPv6 publish: [HOSTIP]:HOSTPORT:PORT" hello-from-net-web \
	"$(from_lan 'http://[fd00:55::1]:8083/index.html')"
expect_match "...on that address only" "Connection refused" \
	"$(from_lan http://192.168.55.1:8083/index.html)"
expect "IPv6 outbound: a service reaches the LAN (masqueraded: the LAN has no route to the bridge)" hello-from-the-lan \
	"$(ctl exec net-six2 wget -qO- 'http://[fd00:55::2]:8000/x' < /dev/null 2>&1)"
expect "IPv6 forwarding: turned on" 1 "$(in_dev cat /proc/sys/net/ipv6/conf/all/forwarding)"
expect "...and the device's links still take router advertisements (accept_ra 1 made 2)" "2 2" \
	"$(in_dev cat /proc/sys/net/ipv6/conf/default/accept_ra /proc/sys/net/ipv6/conf/lan0/accept_ra | paste -sd' ')"
OUT=$(in_client timeout 3 busybox wget -qO- 'http://[fd00:56::2]:8000/x' 2>&1)
expect "IPv6 forwarding: ...but the device does not route one LAN to the other" "not reached" \
	"$(case $OUT in *hello-from-the-lan*) echo "reached: $OUT";; *) echo "not reached";; esac)"
wait_state net-bundle ready
expect_match "a service from an OCI bundle is wired the same way" "^10\.0\.88\.[0-9]+/24$" "$(addr_of net-bundle)"

# A static address, MAC, MTU, DNS and hosts.
expect "static: the address" "10.0.88.50/24" "$(addr_of net-fixed)"
expect_match "ctl status shows the addresses" "^addresses: 10.0.88.50/24$" "$(ctl status net-fixed)"
link=$(ctl exec net-fixed ip link show eth0 < /dev/null)
expect_match "static: the MAC" "link/ether 02:00:00:00:00:50" "$link"
expect_match "static: the MTU" "mtu 1400" "$link"
expect "static: resolv.conf" "nameserver 10.0.88.1|search example.org" \
	"$(ctl exec net-fixed cat /etc/resolv.conf < /dev/null | paste -sd'|')"
hosts=$(ctl exec net-fixed cat /etc/hosts < /dev/null)
expect_match "static: hosts = NAME:IP" "10.0.88.9	printer" "$hosts"
expect_match "static: its own name" "10.0.88.50	net-fixed" "$hosts"
expect "a sysctl that names eth0: the link is there before init applies it" 1 \
	"$(ctl exec net-fixed cat /proc/sys/net/ipv4/conf/eth0/arp_ignore < /dev/null)"
expect_match "the MAC of a service without one is derived from its name (locally administered)" "link/ether 02:" \
	"$(ctl exec net-web ip link show eth0 < /dev/null)"

# A duplicate address: that service fails, with a message; the others run.
wait_state net-dup failed
expect_match "a duplicate address is refused, naming the service that has it" \
	"10.0.88.50 is service net-fixed's address on berth0" "$(cat "$nd/supervisor.log")"
expect "...and the service that has it keeps running" ready "$(state net-fixed)"

# none (the default) and host.
expect_match "none: lo is up in the service's own namespace" "<LOOPBACK,UP" "$(ctl exec net-none ip link show lo < /dev/null)"
expect "none: nothing but lo" 1 "$(ctl exec net-none ip -o link < /dev/null | wc -l)"
# (Seen from the service itself: `exec` joins the namespaces a container
# has of its own, as runc's does, and this one has none.)
expect_match "host: the device's links" "berth0" "$(ctl logs net-host)"

# macvlan: waiting for the parent link, then up when it comes.
expect "macvlan: waits for its parent link" waiting "$(state net-mv1)"
expect_match "...and says so" "link:mvp0" "$(ctl status net-mv1)"
in_dev ip link add mvp0 type veth peer name mvp1
in_dev ip link set mvp1 up
in_dev ip link set mvp0 up
wait_state net-mv1 ready; wait_state net-mv2 ready
expect "macvlan: two services on one parent reach each other" hello-from-net-web \
	"$(ctl exec net-mv2 wget -qO- http://192.168.77.2/index.html < /dev/null 2>&1)"
expect_match "macvlan: eth0 sits on the parent (a macvlan link)" "macvlan mode bridge" \
	"$(nsenter -t "$(ctl list | awk '$1 == "net-mv2" { print $3 }')" -n ip -d link show eth0)"

# (ipvlan: ipvlan.sh, which the cgroup v2 VM runs on a kernel that has it.)

# The address stays across restarts; the links go with their containers.
ctl restart net-web >/dev/null
wait_until 30 sh -c "[ \"\$(timeout 20 '$BERTH' ctl -s '$SOCK' list | awk '\$1 == \"net-web\" { print \$2 }')\" = ready ]"
wait_state net-web ready
expect "a restarted service keeps its address" "$web" "$(addr_of net-web)"
ctl stop net-web >/dev/null
wait_state net-web stopped
expect_match "publish: the rules go with the container (the port is closed, not forwarded)" "Connection refused" \
	"$(from_lan http://192.168.55.1:8080/index.html)"
ctl start net-web >/dev/null
wait_state net-web ready
expect "publish: ...and come back with it" hello-from-net-web \
	"$(from_lan http://192.168.55.1:8080/index.html)"
# A changed file (another port) restarts the service with the new rules
# only: the old port is closed.
pid=$(ctl list | awk '$1 == "net-web" { print $3 }')
svc net-web 'exec = httpd -f -p 80 -h /www' '[network]' 'mode = bridge' 'publish = 8090:80'
ctl reload >/dev/null
restarted() { [ "$(ctl list | awk -v p="$pid" '$1 == "net-web" && $3 != p { print $2 }')" = ready ]; }
wait_until 30 restarted
expect "reload: the new port reaches the service" hello-from-net-web \
	"$(from_lan http://192.168.55.1:8090/index.html)"
expect_match "reload: ...and the old one is closed" "Connection refused" \
	"$(from_lan http://192.168.55.1:8080/index.html)"
expect "its addresses are recorded, for a supervisor that adopts it" "$(addr_of net-client)" \
	"$(cat "$ROOT/.network/net-client.addresses" 2>&1)"
ctl stop net-client >/dev/null
wait_state net-client stopped
gone() { ! in_dev ip link show b-net-client >/dev/null 2>&1; }
check "a stopped service's veth is gone" wait_until 10 gone
check "...and its hosts file" test ! -e "$ROOT/.network/net-client.hosts"
check "...and the record of its addresses" test ! -e "$ROOT/.network/net-client.addresses"

# A supervisor killed with -9 and started again keeps the running
# containers, their network and addresses; one restarted then is wired
# again (its old host-side end cleared).
pid=$(ctl list | awk '$1 == "net-web" { print $3 }')
netns=$(readlink /proc/$SP/ns/net)
nsenter -t "$SP" -n sleep 1000 & HOLD=$!	# keeps the device's namespace while no supervisor is in it
held() { [ "$(readlink /proc/$HOLD/ns/net)" = "$netns" ]; }
wait_until 10 held
kill -9 "$SP"; wait "$SP" 2>/dev/null
nsenter -t "$HOLD" -n "$BERTH" --root "$ROOT" supervise --config-dir "$nd/conf" --socket "$SOCK" --lease-dir "$nd/leases" \
	>> "$nd/supervisor.log" 2>&1 & SP=$!
wait_until 20 sh -c "timeout 5 '$BERTH' ctl -s '$SOCK' list >/dev/null 2>&1"
wait_state net-web ready
expect "re-adoption: the same container" "$pid" "$(ctl list | awk '$1 == "net-web" { print $3 }')"
expect "re-adoption: in the same device namespace" "$netns" "$(readlink /proc/$SP/ns/net)"
expect "re-adoption: its network still answers" hello-from-net-web \
	"$(in_dev busybox wget -qO- "http://${web%/*}/index.html" 2>&1)"
expect_match "re-adoption: ctl status still shows its addresses (from the record its start left)" "^addresses: $web$" \
	"$(ctl status net-web)"
ctl restart net-web >/dev/null
wait_until 30 sh -c "[ \"\$(timeout 20 '$BERTH' ctl -s '$SOCK' list | awk '\$1 == \"net-web\" && \$3 != \"$pid\" { print \$2 }')\" = ready ]"
expect "...restarted, wired again with its address" "$web" "$(addr_of net-web)"
kill $HOLD $LANWEB $CLIENT $LANWEB2 $CLIENT2 2>/dev/null; wait $HOLD $LANWEB $CLIENT $LANWEB2 $CLIENT2 2>/dev/null

kill -TERM "$SP"; wait "$SP"
expect "clean exit" 0 "$?"
for n in net-web net-client net-fixed net-none net-host net-mv1 net-mv2 net-dup net-six net-six2 net-bundle net-pub2; do
	assert_clean "$n" "network ($n)"
done

# "Reboot": a new device namespace, the same lease directory: the same
# address again, and the lease file names each service once.
start_supervisor
wait_state net-web ready
expect "after a reboot, the same address (the lease is kept)" "$web" "$(addr_of net-web)"
expect "the lease file has one line per service and family" 1 "$(grep -c '^net-web ' "$nd/leases/berth0.leases")"
kill -TERM "$SP"; wait "$SP"
expect "clean exit after the reboot" 0 "$?"
