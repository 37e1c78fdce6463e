#!/bin/sh
# Install what building and testing berth needs, from Debian's packages
# only. Idempotent and quick when everything is present.
set -eu
want="make gcc musl-tools musl-dev gperf dpkg-dev kconfig-frontends busybox-static jq
	libseccomp-dev libcjson-dev libinih-dev clang libclang-rt-14-dev valgrind
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user-static crun runc hyperfine
	golang-github-containers-common bsdutils qemu-system-x86 qemu-system-arm cpio rsync file podman containerd umoci uidmap"
want_foreign="musl-dev:arm64 musl-dev:armhf"

missing=""
for p in $want $want_foreign; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# deps.sh fetches sources with apt-get source: deb-src for bookworm and trixie.
src=/etc/apt/sources.list.d/berth-src.sources
if [ ! -f "$src" ]; then
	cat > "$src" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	need_update=1
fi
if [ -n "$missing" ] || [ "${need_update:-0}" = 1 ]; then
	for a in arm64 armhf; do
		dpkg --print-foreign-architectures | grep -qx $a || dpkg --add-architecture $a
	done
	apt-get update -q >/dev/null 2>&1 || apt-get update -q
	[ -z "$missing" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
