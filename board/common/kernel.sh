#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Debian kernel a board boots, extracted (not installed) into
# DIR/vmlinuz, with the softdog watchdog modules (DIR/watchdog.ko,
# DIR/softdog.ko; empty where the kernel has them built in). Downloaded
# once with apt-get download; prints the kernel's path.
# usage: board/common/kernel.sh BOARD DIR    (BOARD: qemu-x86_64, ...)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../$1/board.conf"
dir=$2
mkdir -p "$dir"
if [ ! -s "$dir/vmlinuz" ] || [ ! -e "$dir/softdog.ko" ]; then
	# The metapackage names the current kernel: download that one.
	pkg=$(apt-cache depends "$BOARD_KERNEL" | awk '/Depends: linux-image-/ { print $2; exit }')
	[ -n "$pkg" ] || { echo "berth: apt-cache knows no kernel for $BOARD_KERNEL (dpkg --add-architecture ${BOARD_DEB_ARCH}; apt-get update)" >&2; exit 1; }
	rm -rf "$dir/dl" && mkdir -p "$dir/dl"
	(cd "$dir/dl" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "berth: apt-get download $pkg failed" >&2; exit 1; }
	dpkg-deb --fsys-tarfile "$dir"/dl/*.deb | (cd "$dir/dl" && tar -x --wildcards './boot/vmlinuz-*')
	mv "$dir"/dl/boot/vmlinuz-* "$dir/vmlinuz"
	dpkg-deb --fsys-tarfile "$dir"/dl/*.deb | (cd "$dir/dl" && tar -x --wildcards '*/drivers/watchdog/*' 2>/dev/null) || true
	for m in softdog watchdog; do
		f=$(find "$dir/dl" -name "$m.ko*" | head -n1)
		if [ -n "$f" ]; then mv "$f" "$dir/$m.ko"; else : > "$dir/$m.ko"; fi
	done
	echo "$pkg" > "$dir/version"
	rm -rf "$dir/dl"
fi
echo "$dir/vmlinuz"
