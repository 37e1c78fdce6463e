#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make demo`: build a board around a static berth and boot it, berth as
# PID 1 (VARIANT=inittab: under busybox init), a shell on the console.
# usage: board/common/demo.sh ARCH BERTH
set -eu
board_top=$(cd "$(dirname "$0")/../.." && pwd)
. "$board_top/board/common/lib.sh"
arch=$1 berth=$2 variant=${VARIANT:-pid1}
board_load "qemu-$arch"
out=$board_top/build/board-$BOARD-$variant
mkdir -p "$out"
board_tree "$out/rootfs" "$berth" "$variant"
board_pack "$out/rootfs" "$out/initrd.gz"
# The host's port 8080 (or the next free one) reaches the board's.
BOARD_HTTP_PORT=$(board_free_port 8080)
export BOARD_HTTP_PORT
b=$(printf '\033[1m') n=$(printf '\033[0m')
cat <<MSG

${b}berth on $BOARD${n}: Debian's $BOARD_KERNEL kernel, a busybox initramfs, berth as
$( [ "$variant" = pid1 ] && echo "/sbin/init (PID 1)" || echo "a service of busybox init") supervising board/common/overlay/etc/berth:
  setup    a one-shot task; web waits for it
  uplink   a one-shot that gives the device's eth0 its address
  web      busybox httpd on the device's bridge, restarted whenever it dies;
           its port 80 is the device's 8080, and this machine's ${b}http://127.0.0.1:$BOARD_HTTP_PORT/${n}
  crashy   crashes on purpose: restarted with a doubling backoff, then failed
  welcome  prints \`berth ctl list\` once the others have settled
On the console: ${b}berth ctl list${n}, ${b}berth ctl logs crashy${n}, ${b}berth ctl exec web ps${n},
${b}berth ctl logs web${n} (each request); in another terminal: ${b}curl http://127.0.0.1:$BOARD_HTTP_PORT/${n};
${b}berth ctl poweroff${n} (or ctrl-a x to quit QEMU). Under TCG the boot takes
5-30 s, more for the ARM boards.

MSG
# berth.shell: PID 1 opens a shell on the console beside the services.
board_boot "$out/initrd.gz" ${CMDLINE:-berth.shell}
