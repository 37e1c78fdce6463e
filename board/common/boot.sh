#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot a board's initramfs under QEMU, the serial console on this terminal
# (ctrl-a x quits QEMU; `berth ctl poweroff` on the console powers off).
# usage: board/common/boot.sh BOARD INITRD [KERNEL-COMMAND-LINE-WORDS...]
set -eu
board_top=$(cd "$(dirname "$0")/../.." && pwd)
. "$board_top/board/common/lib.sh"
[ $# -ge 2 ] || { echo "usage: board/common/boot.sh BOARD INITRD [WORDS...]" >&2; exit 2; }
board_load "$1"; shift
board_boot "$@"
