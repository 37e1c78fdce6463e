#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot overhead on a QEMU board (TCG): the time from the kernel handing
# over to PID 1 until the demo's web server listens, with berth as PID 1
# running the demo's services in containers, against busybox init running
# the same programs bare, on the same kernel and the same initramfs (only
# rdinit= differs), in turns.
#
# The services are the demo's uplink, setup and web (crashy and welcome
# are the demo's show, not a device's system); web's command line, in
# both, starts httpd (which binds its port before it goes to the
# background) and then writes a line to /dev/kmsg. Both times come from
# the kernel's log clock: its "Run ... as init process" line and that
# line. A reporter (a container under berth, an inittab line under
# busybox) prints both on the console once the line is there, then powers
# off; it runs after the measured span.
# usage: bench/boot_qemu.sh [RUNS]   (BERTH: an x86_64 static berth, BOARD:
#        qemu-x86_64; the kernel and busybox are downloaded once)
set -eu
runs=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
. "$here/lib.sh"
board_bench boot

# The same programs for both.
uplink='ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2'
marker='echo "bench: web listening" > /dev/kmsg'
cat > "$root/etc/bench-report.sh" <<'EOF'
# Run once web has written its line (after it under busybox init; under
# berth, web is ready = notify once it has): the two lines of the
# kernel's log, berth's trace ($1, from a build with CONFIG_TRACE), then
# power off ("$2"...: how, from here).
dmesg | grep -E 'Run .* as init process|bench: web listening' | sed 's/^/BENCH /'
[ ! -f "$1" ] || sed 's/^/TRACE /' "$1"
shift
exec "$@"
EOF

# berth: the demo's files, web's command line with the line at the end.
rm "$root/etc/berth/crashy.conf" "$root/etc/berth/welcome.conf"
webexec="exec = sh -c 'trap \"exit 0\" TERM; httpd -p 80 -h /data/www && $marker && echo >&3 && sleep 2147483647 & wait'"
awk -v exec="$webexec" '/^exec = / { print exec; next } { print } /^\[container\]$/ { print "device = /dev/kmsg" } /^requires = / { print "ready = notify" }' \
	"$root/etc/berth/web.conf" > "$work/web.conf" && mv "$work/web.conf" "$root/etc/berth/web.conf"
cat > "$root/etc/berth/report.conf" <<'EOF'
[service]
rootfs = /srv/busybox
exec = sh /report.sh /run/host/berth-trace berth ctl poweroff
requires = web
restart = no
log-console = yes

[container]
capability = CAP_SYSLOG
mount = /bin/berth:/usr/bin/berth:ro
mount = /run/berth:/run/berth
mount = /run:/run/host:ro
mount = /etc/bench-report.sh:/report.sh:ro
EOF
for a in dmesg sed; do ln -s busybox "$root/srv/busybox/bin/$a"; done
out=$(board_run_target "$BERTH" check "$root/etc/berth" 2>&1) || { echo "$out" >&2; exit 1; }

# busybox init: what it needs mounted, the modules, then the programs in
# web's order (uplink and setup each waited for).
cat > "$root/etc/inittab" <<EOF
::sysinit:/bin/mount -t proc proc /proc
::sysinit:/bin/mount -t sysfs sysfs /sys
::sysinit:/bin/mount -t devtmpfs devtmpfs /dev
::sysinit:/bin/mount -t tmpfs tmpfs /run
::sysinit:/bin/hostname -F /etc/hostname
::sysinit:/bin/ip link set lo up
::sysinit:/bin/sh /etc/init.d/modules
::wait:/bin/sh -c '$uplink'
::wait:/bin/sh -c 'mkdir -p /var/lib/data/www && echo hello-from-berth > /var/lib/data/www/index.html'
::wait:/bin/sh -c 'httpd -p 80 -h /var/lib/data/www && $marker'
::once:/bin/sh /etc/bench-report.sh /run/berth-trace poweroff -f
EOF
# Two initramfs: the network modules (a bridge, veth, nf_tables and the
# NAT expressions web's ports take) loaded on demand, as a Debian kernel
# does, the first time berth asks for them; or by both variants at boot,
# before PID 1 to web listening ends for either (as a device kernel with
# them built in has them), so that the difference is berth's own work.
board_pack "$root" "$work/ondemand.gz"
printf '%s\n' bridge veth nf_tables nft_chain_nat nft_nat nft_masq >> "$root/etc/modules"
board_pack "$root" "$work/preload.gz"

# boot MODE VARIANT RDINIT: one boot; prints "MODE VARIANT MS". With a
# berth built with CONFIG_TRACE, its steps go to TRACE_OUT.
boot() {
	board_bench_boot "$work/console" "$work/$1.gz" "rdinit=$3" BERTH_TRACE=/run/berth-trace
	tr -d '\r' < "$work/console" > "$work/console.txt"
	[ -z "${TRACE_OUT:-}" ] || sed -n "s/^.*TRACE /$1 /p" "$work/console.txt" >> "$TRACE_OUT"
	awk -v m="$1" -v v="$2" '
		/BENCH \[/ { t = substr($0, index($0, "BENCH [") + 7); t = substr(t, 1, index(t, "]") - 1) + 0 }
		/BENCH .*as init process/ { t0 = t }
		/BENCH .*bench: web listening/ { t1 = t }
		END { if (t0 && t1) printf "%s %s %.0f\n", m, v, (t1 - t0) * 1000; else exit 1 }' "$work/console.txt" ||
		{ echo "bench/boot_qemu.sh: $2 ($1) did not report; its console's end:" >&2; tail -20 "$work/console.txt" >&2; return 1; }
}

i=0
while [ "$i" -lt "$runs" ]; do
	for mode in ondemand preload; do
		boot "$mode" berth /sbin/init
		boot "$mode" busybox /bin/init
	done
	i=$((i + 1))
done > "$work/times"
awk -v runs="$runs" -v arch="$BOARD_ARCH" -v cores="$(nproc)" -v day="$(date -u +%Y-%m-%d)" '
	function median(a, n,   i, j, x) {
		for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$2 == "berth" { b[$1, ++nb[$1]] = $3 }
	$2 == "busybox" { x[$1, ++nx[$1]] = $3; d[$1, nx[$1]] = b[$1, nx[$1]] - $3 }
	END {
		printf "PID 1 to web listening, medians   %-10s %-10s %s\n", "busybox", "berth", "berth adds (paired)"
		split("ondemand preload", modes, " ")
		label["ondemand"] = "network modules on demand"; label["preload"] = "network modules at boot"
		for (k = 1; k <= 2; k++) {
			m = modes[k]
			for (i = 1; i <= nb[m]; i++) { bb[i] = b[m, i]; xx[i] = x[m, i]; dd[i] = d[m, i] }
			printf "%-33s %5d ms   %5d ms   %+5d ms\n", label[m], median(xx, nx[m]), median(bb, nb[m]), median(dd, nx[m])
		}
		printf "(%d boots of each, in turns; qemu-system-%s TCG on %d cores, %s)\n", runs, arch, cores, day
	}' "$work/times"
