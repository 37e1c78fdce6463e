#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install what building and testing berth needs, from Debian's packages
# only, and only what the command at hand needs: a foreign architecture
# is added only for an ARM target. Idempotent and quick when everything
# is present.
# usage: scripts/install-deps.sh [all | demo ARCH | runtime]   (default: all, for make check)
set -eu
what=${1:-all} arch=${2:-x86_64}
# Building the static binary: the toolchain, and Debian's sources of
# libseccomp, inih and cJSON (scripts/deps.sh builds them against musl).
base="make gcc musl-tools musl-dev gperf patch dpkg-dev kconfig-frontends jq file"
# Booting a board (board/common): busybox, a kernel, QEMU.
board="busybox-static cpio qemu-system-x86"
case $arch in
	aarch64) cross="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static qemu-system-arm" foreign=arm64 ;;
	armv7) cross="gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user-static qemu-system-arm" foreign=armhf ;;
	*) cross="" foreign="" ;;
esac
case $what in
	demo) want="$base $board $cross" ;;
	runtime) want="$base busybox-static" foreign="" ;;
	all) want="$base $board
		libseccomp-dev libcjson-dev libinih-dev zlib1g-dev clang libclang-rt-14-dev valgrind
		gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user-static crun runc hyperfine time
		golang-github-containers-common bsdutils qemu-system-arm rsync podman containerd umoci uidmap docker.io systemd
		python3-magic flake8 shellcheck strace chrpath diffstat gawk locales squashfs-tools erofs-utils fakeroot pseudo"
	     foreign="arm64 armhf" ;;
	*) echo "usage: $0 [all | demo ARCH | runtime]" >&2; exit 2 ;;
esac
want_foreign=""
for a in $foreign; do want_foreign="$want_foreign musl-dev:$a"; done

# A mirror in the middle of a sync fails one index now and then (seen: the
# armhf Packages of bookworm-security, "File has unexpected size"): retry
# with a bounded backoff, then go on with the lists apt has; the install
# itself says whether a package we need is really out of reach.
aptlog=$(mktemp)
trap 'rm -f "$aptlog"' EXIT
apt_update() {
	for delay in 5 20 60 0; do
		apt-get update -q >"$aptlog" 2>&1 && return 0
		grep -E '^(E|Err):|unexpected size' "$aptlog" | sed 's/^/install-deps: /' >&2
		[ "$delay" = 0 ] && break
		echo "install-deps: apt-get update failed; trying again in ${delay}s" >&2
		sleep "$delay"
	done
	echo "install-deps: apt-get update still reports the errors above; going on with the package lists apt has" >&2
}
# A package's service (docker.io's dockerd) is not started on install: the
# tests start their own, private ones. policy-rc.d is Debian's switch; one
# that is already there (a container image's) is left as it is.
apt_install() {
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
		trap 'rm -f "$aptlog" /usr/sbin/policy-rc.d' EXIT
	fi
	for delay in 10 30 0; do
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" && return 0
		[ "$delay" = 0 ] && break
		echo "install-deps: apt-get install failed; updating the lists and trying again in ${delay}s" >&2
		sleep "$delay"
		apt-get update -q >"$aptlog" 2>&1 || true
	done
	echo "install-deps: could not install:$*" >&2
	echo "install-deps: check the network and /etc/apt/sources.list*, run 'apt-get update', then try again" >&2
	exit 1
}

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
	for a in $foreign; do
		dpkg --print-foreign-architectures | grep -qx $a || dpkg --add-architecture $a
	done
	apt_update
	[ -z "$missing" ] || apt_install $missing
fi
# BitBake (the Yocto packaging test) wants an en_US.UTF-8 locale.
if [ "$what" = all ] && ! locale -a 2>/dev/null | grep -qi '^en_US.utf8$'; then
	grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen
	locale-gen >/dev/null
fi
