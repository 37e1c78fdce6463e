#!/bin/sh
# busybox-static for ARCH (Debian's package, downloaded, not installed),
# cached in DIR; prints the binary's path. x86_64 uses the installed one.
# usage: scripts/busybox-for.sh x86_64|aarch64 DIR
set -eu
arch=$1 dir=$2
case $arch in
	x86_64) echo /bin/busybox; exit 0;;
	aarch64) deb=arm64;;
	armv7) deb=armhf;;
	*) echo "berth: no busybox for $arch" >&2; exit 1;;
esac
if [ ! -x "$dir/busybox" ]; then
	rm -rf "$dir/dl" && mkdir -p "$dir/dl"
	(cd "$dir/dl" && apt-get download "busybox-static:$deb" >/dev/null 2>&1)
	dpkg-deb --fsys-tarfile "$dir"/dl/*.deb | (cd "$dir/dl" && tar -x ./bin/busybox)
	mv "$dir/dl/bin/busybox" "$dir/busybox"
	rm -rf "$dir/dl"
fi
echo "$dir/busybox"
