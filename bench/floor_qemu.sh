#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The floor on a QEMU board (TCG): bench/floor.c beside `berth run`, in
# turns, as bench/floor.sh does on this machine, but inside the board's
# VM, where bench/boot_qemu.sh measures the boot. Once with berth where
# it is (a writable root: each run makes its sealed copy), once from a
# read-only mount of it (no copy). What a container start costs the
# kernel under TCG bounds what berth's containers can add to a boot.
#
# The VM's root is a tmpfs (pivot_root cannot leave an initramfs, and
# the floor does not work around that as berth does); busybox init mounts
# what both need and runs the two, then powers off.
# usage: bench/floor_qemu.sh [RUNS]   (BERTH: an x86_64 static berth, BOARD:
#        qemu-x86_64; musl-gcc, or CC, for a static x86_64 floor)
set -eu
runs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
. "$here/lib.sh"
board_bench floor-qemu
floor_build "$root/floor"

# The bundle: floor.sh's, at /bundle in the VM.
b=$root/bundle
mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/sys" "$b/rootfs/dev" "$b/rootfs/etc"
cp "$root/bin/busybox" "$b/rootfs/bin/" && ln -s busybox "$b/rootfs/bin/true"
"$BERTH" spec -b "$b"
jq '.process.terminal = false | .process.args = ["/bin/true"] | del(.linux.seccomp) | .root.path = "/bundle/rootfs"' \
	"$b/config.json" > "$work/c" && mv "$work/c" "$b/config.json"

cat > "$root/tmpfs-root" <<'EOF'
#!/bin/sh
mkdir /newroot && mount -t tmpfs -o size=400m tmpfs /newroot
for d in bin sbin etc lib srv bundle floor var; do cp -a "/$d" /newroot/; done
mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/run /newroot/tmp
: > /init	# what switch_root checks it leaves
exec switch_root /newroot /bin/init
EOF
chmod 755 "$root/tmpfs-root"
cat > "$root/etc/inittab" <<EOF
::sysinit:/bin/mount -t proc proc /proc
::sysinit:/bin/mount -t sysfs sysfs /sys
::sysinit:/bin/mount -t devtmpfs devtmpfs /dev
::sysinit:/bin/mount -t tmpfs tmpfs /run
::sysinit:/bin/mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
::sysinit:/bin/sh /etc/init.d/modules
::once:/bin/sh -c 'mkdir -p /run/state /ro && /floor $runs /bundle/rootfs /bin/berth /bundle /run/state | sed "s/^/FLOOR copy /" && mount --bind /bin /ro && mount -o remount,bind,ro /ro && /floor $runs /bundle/rootfs /ro/berth /bundle /run/state | sed "s/^/FLOOR ro /"; poweroff -f'
EOF
board_pack "$root" "$work/initrd.gz"
BOARD_MEM=1024 TIMEOUT=1800
board_bench_boot "$work/console" "$work/initrd.gz" rdinit=/tmpfs-root
tr -d '\r' < "$work/console" | awk -v runs="$runs" -v arch="$BOARD_ARCH" -v day="$(date -u +%Y-%m-%d)" '
	/^FLOOR (copy|ro) (floor|floor_exec|berth) / { w[$2, $3] = $5 / 1000; c[$2, $3] = $7 / 1000; n++ }
	END {
		if (n != 6) { print "bench/floor_qemu.sh: the VM did not report (see its console)"; exit 1 }
		printf "%-42s %10s %10s\n", "", "wall ms", "CPU ms"
		printf "%-42s %10.1f %10.1f\n", "floor", w["copy", "floor"], c["copy", "floor"]
		printf "%-42s %10.1f %10.1f\n", "floor as a command of its own", w["copy", "floor_exec"], c["copy", "floor_exec"]
		printf "%-42s %10.1f %10.1f\n", "berth run (its sealed copy each time)", w["copy", "berth"], c["copy", "berth"]
		printf "%-42s %10.1f %10.1f\n", "floor, again", w["ro", "floor"], c["ro", "floor"]
		printf "%-42s %10.1f %10.1f\n", "floor as a command, again", w["ro", "floor_exec"], c["ro", "floor_exec"]
		printf "%-42s %10.1f %10.1f\n", "berth run from a read-only mount", w["ro", "berth"], c["ro", "berth"]
		printf "(medians of %d starts each, in turns; qemu-system-%s TCG, cgroup v2; %s)\n", runs, arch, day
	}' || { tail -20 "$work/console"; exit 1; }
