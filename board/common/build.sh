#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build a board's initramfs: OUT/rootfs (the tree) and OUT/initrd.gz.
# usage: board/common/build.sh BOARD pid1|inittab BERTH OUT
#   BOARD   qemu-x86_64, qemu-aarch64 or qemu-armv7 (a directory of board/)
#   BERTH   a static berth for that architecture (make ARCH=...)
set -eu
board_top=$(cd "$(dirname "$0")/../.." && pwd)
. "$board_top/board/common/lib.sh"
[ $# -eq 4 ] || { echo "usage: board/common/build.sh BOARD pid1|inittab BERTH OUT" >&2; exit 2; }
board_load "$1"
mkdir -p "$4"
board_tree "$4/rootfs" "$3" "$2"
board_pack "$4/rootfs" "$4/initrd.gz"
echo "berth: $1 ($2): $4/initrd.gz"
