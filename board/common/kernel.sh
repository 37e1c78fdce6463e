#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Debian kernel a board boots, extracted (not installed) into
# DIR/vmlinuz, with the softdog watchdog modules (DIR/watchdog.ko,
# DIR/softdog.ko; empty where the kernel has them built in) and the
# network's modules (DIR/modules: a /lib/modules tree). Downloaded once
# with apt-get download; prints the kernel's path.
# usage: board/common/kernel.sh BOARD DIR    (BOARD: qemu-x86_64, ...)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../$1/board.conf"
dir=$2
mkdir -p "$dir"
# The board's network: its NIC's driver, what berth's [network] makes
# (veth, bridge, macvlan, ipvlan) and publish's nf_tables expressions;
# and a disk (virtio_blk, ext4, and overlay over it) for what must outlive a power cut (the
# image store of tests/qemu/powercut.sh). Where the kernel has one built
# in, there is no file, and nothing to load. DIR/modules/list names what
# was taken: a changed list takes again. crc32c_generic: conntrack's
# libcrc32c and ext4 ask the crypto API for crc32c (a softdep, not in
# "depends=").
net_modules="virtio_pci virtio_mmio virtio_net veth bridge macvlan ipvlan nf_tables nft_chain_nat nft_nat nft_masq crc32c_generic virtio_blk ext4 overlay"
# modules TREE VERSION: those and what they depend on (the "depends=" of
# each one's .modinfo), copied from TREE to DIR/modules, with the
# modules.dep and modules.alias of busybox's depmod, which the board's
# busybox modprobe reads (it loads a module by name, or when the kernel
# asks for one: "rtnl-link-bridge", "nft-expr-masq").
modules() {
	tree=$1 ver=$2 want=$net_modules seen=
	rm -rf "$dir/modules"
	while [ -n "$want" ]; do
		set -- $want; m=$1; shift; want=$*
		case " $seen " in *" $m "*) continue;; esac
		seen="$seen $m"
		f=$(find "$tree/lib/modules/$ver" \( -name "$m.ko" -o -name "$m.ko.xz" \) | head -n1)
		[ -n "$f" ] || continue	# built in
		rel=${f#"$tree/"}; rel=${rel%.xz}
		mkdir -p "$dir/modules/$(dirname "$rel")"
		case $f in *.xz) xz -dc "$f" > "$dir/modules/$rel";; *) cp "$f" "$dir/modules/$rel";; esac
		want="$want $(grep -a -o 'depends=[A-Za-z0-9_,-]*' "$dir/modules/$rel" | head -n1 | cut -d= -f2 | tr , ' ')"
	done
	/bin/busybox depmod -b "$dir/modules" "$ver"
	[ -s "$dir/modules/lib/modules/$ver/modules.dep" ] || { echo "berth: depmod of the board's modules failed" >&2; exit 1; }
	echo "$net_modules" > "$dir/modules/list"
}

if [ ! -s "$dir/vmlinuz" ] || [ ! -e "$dir/softdog.ko" ] || [ "$(cat "$dir/modules/list" 2>/dev/null)" != "$net_modules" ]; then
	# The metapackage names the current kernel: download that one.
	pkg=$(apt-cache depends "$BOARD_KERNEL" | awk '/Depends: linux-image-/ { print $2; exit }')
	[ -n "$pkg" ] || { echo "berth: apt-cache knows no kernel for $BOARD_KERNEL (dpkg --add-architecture ${BOARD_DEB_ARCH}; apt-get update)" >&2; exit 1; }
	rm -rf "$dir/dl" && mkdir -p "$dir/dl"
	(cd "$dir/dl" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "berth: apt-get download $pkg failed" >&2; exit 1; }
	dpkg-deb --fsys-tarfile "$dir"/dl/*.deb | (cd "$dir/dl" && tar -x --wildcards './boot/vmlinuz-*')
	mv "$dir"/dl/boot/vmlinuz-* "$dir/vmlinuz"
	dpkg-deb --fsys-tarfile "$dir"/dl/*.deb | (cd "$dir/dl" && tar -x --wildcards '*/drivers/watchdog/*' \
		'*/kernel/net/*' '*/kernel/drivers/net/*' '*/kernel/drivers/virtio/*' '*/kernel/lib/*' '*/kernel/crypto/*' \
		'*/kernel/drivers/block/*' '*/kernel/fs/*' 2>/dev/null) || true
	for m in softdog watchdog; do
		f=$(find "$dir/dl" -name "$m.ko*" | head -n1)
		if [ -n "$f" ]; then mv "$f" "$dir/$m.ko"; else : > "$dir/$m.ko"; fi
	done
	modules "$dir/dl" "$(ls "$dir/dl/lib/modules")"
	echo "$pkg" > "$dir/version"
	rm -rf "$dir/dl"
fi
echo "$dir/vmlinuz"
