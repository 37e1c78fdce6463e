#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Power cuts during updates, on the x86_64 QEMU board: the image store sits
# on an ext4 disk (/dev/vda at /var/lib/berth); a service runs from an
# image with its data in a persistent overlay. Each boot, the board checks
# what runs, then updates the service back and forth (app:1 <-> app:2,
# ctl update: trial, ready, settle, commit) until the power goes: this
# script kills QEMU (SIGKILL, no shutdown, no sync) at a random moment of
# the updates. The next boot must run the version its pin says is
# committed, with no trial left, the roots of its pin in the store, and
# its data whole. POWERCUT_RUNS cuts (default 20). NAME: a run of its
# own (work directory, disk, random moments), beside others.
# usage: tests/qemu/powercut.sh ARCH BERTH [NAME]   (ARCH: x86_64)
set -u
arch=$1 berth=$2 name=${3:-a}
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/qemu-powercut-$arch-$name
. "$top/tests/qemu/lib.sh"
. "$top/tests/helpers/oci_image.sh"
runs=${POWERCUT_RUNS:-20}
what="qemu-$arch power cuts ($name)"
seed=$(printf %s "$name" | cksum | cut -d' ' -f1)
board_kernel >/dev/null || { record FAIL "$what: kernel"; exit 0; }
command -v mkfs.ext4 >/dev/null || { record SKIP "$what (no mkfs.ext4: e2fsprogs)"; exit 0; }
rm -rf "$work" && mkdir -p "$work"

# The board: busybox, berth, the disk's modules; this script's own init.
r=$work/root
vm_tree "$r" "$berth" && board_modules "$r" || { record FAIL "$what: the board"; exit 0; }
mkdir -p "$r/etc/berth" "$r/var/lib/berth"
cat > "$r/etc/berth/app.conf" <<'CONF'
[service]
image = app:1
ready = path:/dev/shm/ready
overlay = /var/lib/berth/data/app
update-timeout = 60s
update-settle = 1s
stop-timeout = 1s
CONF
cat > "$r/sbin/init" <<'SH'
#!/bin/sh
export PATH=/bin:/sbin BERTH_IMAGE_STORE=/var/lib/berth/images
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mount -t cgroup2 none /sys/fs/cgroup; mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /tmp
for m in virtio_pci virtio_blk ext4 overlay; do modprobe "$m"; done
up() { awk '{ printf "%d", $1 }' /proc/uptime; }
until_true() { _end=$(($(up) + $1)); shift; until "$@"; do [ "$(up)" -ge "$_end" ] && return 1; sleep 0.2; done; }
until_true 30 test -b /dev/vda && mount -t ext4 /dev/vda /var/lib/berth || { echo; echo "PC-ERROR no disk"; poweroff -f; }
pin=$BERTH_IMAGE_STORE/pins/app
berth supervise > /tmp/supervisor.log 2>&1 &
ready() { berth ctl list 2>/dev/null | awk '$1 == "app" { print $2 }' | grep -qx ready && grep -q '^committed ' "$pin" 2>/dev/null; }
until_true 120 ready || { echo; echo "PC-ERROR app not ready"; cat /tmp/supervisor.log; poweroff -f; }
running=$(berth ctl status app | sed -n 's/^running: sha256:\([0-9a-f]*\).*/\1/p')
committed=$(sed -n 's/^committed \([0-9a-f]*\) .*/\1/p' "$pin")
trial=$(grep -c '^trial ' "$pin")
roots=$(for id in $(awk '$1 != "last" { print $2 }' "$pin"); do [ -f "$BERTH_IMAGE_STORE/roots/$id/config.json" ] || echo "missing-$id"; done)
precious=$(berth ctl exec app cat /data/precious 2>&1)
echo; echo "PC-BOOT running=$running committed=$(echo "$committed" | cut -c1-12) trial=$trial roots=${roots:-ok} precious=$precious"
i=0
while :; do
	c=$(sed -n 's/^committed [0-9a-f]* \(.*\)$/\1/p' "$pin")
	if [ "$c" = app:1 ]; then t=app:2; else t=app:1; fi
	i=$((i + 1))
	echo "PC-UPDATE $i $t"
	berth ctl update app "$t" >/dev/null
	until_true 90 sh -c "! grep -q '^trial ' '$pin'" || echo "PC-ERROR update $i did not end"
	echo "PC-DONE $i $(sed -n 's/^last //p' "$pin")"
done
SH
chmod +x "$r/sbin/init"

# The disk: the store with app:1 and app:2 (one busybox layer, two
# configs), written into a fresh ext4 image.
st=$work/disk
mkdir -p "$st/layer/bin" "$st/layer/dev" "$st/layer/proc" "$st/layer/sys" "$st/layer/tmp" "$st/layer/data"
cp "$r/bin/busybox" "$st/layer/bin/busybox"
for a in sh cat echo sleep mkdir mv sync touch; do ln -s busybox "$st/layer/bin/$a"; done
oci_tar "$st/layer" "$work/layer.tar"
app='[ -f /data/precious ] || { echo precious-$VERSION > /data/precious.tmp; sync; mv /data/precious.tmp /data/precious; sync; }; echo running-$VERSION; touch /dev/shm/ready; exec sleep 100000'
for v in 1 2; do
	oci_config "$work/c$v.json" "{\"Cmd\":[\"/bin/sh\",\"-c\",\"$app\"],\"Env\":[\"PATH=/bin\",\"VERSION=$v\"]}" "$work/layer.tar"
	oci_layout "$work/l$v" "$work/c$v.json" "$work/layer.tar"
	BERTH_IMAGE_STORE=$st/store/images "$berth" image import "$work/l$v" "app:$v" >/dev/null ||
		{ record FAIL "$what: import app:$v"; exit 0; }
done
mv "$st/store/images" "$st/images" && rmdir "$st/store"
rm -rf "$st/layer"
mkfs.ext4 -q -F -d "$st" "$work/disk.img" 128M || { record FAIL "$what: mkfs.ext4 -d"; exit 0; }
board_pack "$r" "$work/initrd.gz"
v1=$(sha "$work/c1.json" | cut -c1-12) v2=$(sha "$work/c2.json" | cut -c1-12)

# boot N: the board, in the background, its console in boot-N.log. The
# kernel's warnings reach the console (loglevel=5, which lets through the
# register dumps and backtraces of a soft lockup, from every CPU), so that
# a failed boot's log says where its kernel was.
boot() {
	# (Runs side by side look for a free port from different places.)
	BOARD_DISK=$work/disk.img BOARD_MEM=512 BOARD_HTTP_PORT=$(board_free_port $((18480 + seed % 500 * 10))) \
		timeout 600 sh "$top/board/common/boot.sh" "$BOARD" "$work/initrd.gz" loglevel=5 softlockup_all_cpu_backtrace=1 \
		> "$work/boot-$1.log" 2>&1 &
	qemu_sh=$!
}
power_cut() {
	pkill -9 -f "file=$work/disk.img" 2>/dev/null
	wait "$qemu_sh" 2>/dev/null
}
# check N: the boot's report: 0 when it is right, 2 when the board's
# kernel reported a lockup before it (see below), else 1 (a failure).
bad=0 first="" lockups=0
lockup='watchdog: BUG: soft lockup - CPU#|rcu: INFO: .* detected stalls'
check_boot() {
	log=$work/boot-$1.log
	wait_line "$log" "^(PC-BOOT|PC-ERROR) |$lockup" 300
	if ! console_has "$log" '^PC-BOOT ' && console_has "$log" "$lockup"; then
		mv "$log" "$work/boot-$1-lockup.log"
		return 2
	fi
	if ! console_has "$log" '^PC-BOOT ' || grep -q '^PC-ERROR' "$log"; then
		record FAIL "$what: boot $1 reported (console: $(tail -5 "$log" | tr -d '\r' | tr '\n' ' '))"; bad=$((bad + 1))
		echo "-- the console of boot $1:"; tr -d '\r' < "$log"; echo "-- end of the console of boot $1"
		return 1
	fi
	line=$(tr -d '\r' < "$log" | grep -m1 '^PC-BOOT ')
	set -- $line
	running=${2#running=} committed=${3#committed=} trial=${4#trial=} roots=${5#roots=} precious=${6#precious=}
	[ -n "$first" ] || first=$precious
	if [ "$running" = "$committed" ] && { [ "$running" = "$v1" ] || [ "$running" = "$v2" ]; } && [ "$trial" = 0 ] &&
		[ "$roots" = ok ] && [ "$precious" = "$first" ]; then
		return 0
	fi
	record FAIL "$what: boot after cut: $line"; bad=$((bad + 1)); return 1
}
# The board's kernel under TCG has, once in some hundred boots on a
# loaded 2-core machine, reported a soft lockup of both CPUs early in a
# boot (CI, 2026-12-03: "stuck for 190s", in berth and in an awk; not
# seen again in the next 118 boots, 52 of them two runs side by side
# beside two busy loops): a lockup in the kernel or the emulator, below
# what this test checks and not something berth can do to a kernel that
# works. Such a boot is printed whole, with the kernel's backtraces
# (loglevel=5 above); a boot that locked up before its report is booted
# again from the same disk, so that the cut's outcome is still checked.
# A second lockup in one run is a failure.
# lockup_seen N LOG: count boot N's lockup and print its console (LOG);
# false, the failure recorded, when it is the run's second.
lockup_seen() {
	lockups=$((lockups + 1))
	echo "-- boot $1: the board's kernel reported a lockup; its console:"
	tr -d '\r' < "$2"; echo "-- end of the console of boot $1"
	[ "$lockups" -le 1 ] && return 0
	record FAIL "$what: boot $1: the board's kernel locked up, a second time in this run (consoles above)"; bad=$((bad + 1))
	return 1
}
# boot_checked N: boot N and check it (again after a lockup).
boot_checked() {
	boot "$1"
	check_boot "$1"
	case $? in
	0) return 0;;
	1) return 1;;
	esac
	power_cut
	lockup_seen "$1" "$work/boot-$1-lockup.log" || return 1
	echo "-- booting the disk of boot $1 again"
	boot "$1"
	check_boot "$1"
	case $? in
	0) return 0;;
	2) lockup_seen "$1" "$work/boot-$1-lockup.log";;
	esac
	return 1
}

cuts=0 commits=0 trials_cut=0
boot_checked 0 || runs=0
for n in $(seq 1 "$runs"); do
	# A random moment of the updates: after the first one has begun,
	# 0 to 10 s later (an update here takes 3-6 s under TCG: the cuts
	# fall in trials, in settle times, and between updates).
	# (A lockup before the first update: the cut comes now.)
	prev=$work/boot-$((n - 1)).log
	wait_line "$prev" "^PC-UPDATE 1 |$lockup" 120
	if ! console_has "$prev" '^PC-UPDATE 1 '; then
		if console_has "$prev" "$lockup"; then
			lockup_seen $((n - 1)) "$prev" || break
		else
			record FAIL "$what: boot $((n - 1)) began no update"; break
		fi
	fi
	sleep "$(awk -v s="$n" -v k="$seed" 'BEGIN { srand(s * 7919 + k); printf "%.1f", rand() * 10 }')"
	grep -q '^PC-UPDATE [0-9]* app:' "$work/boot-$((n - 1)).log" && cuts=$((cuts + 1))
	tr -d '\r' < "$work/boot-$((n - 1)).log" | grep -c '^PC-DONE .* updated to' > "$work/done" ; commits=$((commits + $(cat "$work/done")))
	# Was an update under way when the power went?
	tr -d '\r' < "$work/boot-$((n - 1)).log" | grep '^PC-' | tail -n1 | grep -q '^PC-UPDATE' && trials_cut=$((trials_cut + 1))
	power_cut
	boot_checked "$n" || break
done
power_cut
[ "$bad" = 0 ] && record PASS "$what: $cuts cuts during updates ($commits updates committed before them, $trials_cut cut during an update): every boot ran its committed version, no trial left, its pin's roots there, its data whole$([ "$lockups" = 0 ] || echo " (one boot's kernel locked up under TCG: its console is in the log)")"
