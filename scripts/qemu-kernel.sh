#!/bin/sh
# The Debian kernel for ARCH, extracted (not installed) into DIR/vmlinuz
# (and the softdog watchdog modules, DIR/watchdog.ko and DIR/softdog.ko):
# QEMU boots it with an
# initramfs of ours. Cached; prints the kernel's path.
# usage: scripts/qemu-kernel.sh x86_64|aarch64 DIR
set -eu
arch=$1 dir=$2
case $arch in
	x86_64) meta=linux-image-amd64;;
	aarch64) meta=linux-image-arm64:arm64;;
	*) echo "berth: no Debian kernel known for $arch" >&2; exit 1;;
esac
mkdir -p "$dir"
if [ ! -s "$dir/vmlinuz" ] || [ ! -e "$dir/softdog.ko" ]; then
	pkg=$(apt-cache depends "$meta" | awk '/Depends: linux-image-/ { print $2; exit }')
	[ -n "$pkg" ] || { echo "berth: apt-cache knows no kernel for $meta (apt-get update?)" >&2; exit 1; }
	rm -rf "$dir/dl" && mkdir -p "$dir/dl"
	(cd "$dir/dl" && apt-get download "$pkg" >/dev/null 2>&1)
	dpkg-deb --fsys-tarfile "$dir"/dl/*.deb | (cd "$dir/dl" && tar -x --wildcards './boot/vmlinuz-*')
	mv "$dir"/dl/boot/vmlinuz-* "$dir/vmlinuz"
	# Modules only where the kernel has them as modules (may be built in).
	dpkg-deb --fsys-tarfile "$dir"/dl/*.deb | (cd "$dir/dl" && tar -x --wildcards '*/drivers/watchdog/*' 2>/dev/null) || true
	for m in softdog watchdog; do
		f=$(find "$dir/dl" -name "$m.ko*" | head -n1)
		if [ -n "$f" ]; then mv "$f" "$dir/$m.ko"; else : > "$dir/$m.ko"; fi
	done
	echo "$pkg" > "$dir/version"
	rm -rf "$dir/dl"
fi
echo "$dir/vmlinuz"
