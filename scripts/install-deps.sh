#!/bin/sh
# Install what building and testing berth needs, from Debian's packages
# only. Idempotent and quick when everything is present.
set -eu
want="make gcc musl-tools musl-dev gperf dpkg-dev kconfig-frontends busybox-static jq
	libseccomp-dev libcjson-dev libinih-dev clang libclang-rt-14-dev valgrind
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user-static crun runc hyperfine time
	golang-github-containers-common bsdutils qemu-system-x86 qemu-system-arm cpio rsync file podman containerd umoci uidmap"
want_foreign="musl-dev:arm64 musl-dev:armhf"

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
apt_install() {
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
	for a in arm64 armhf; do
		dpkg --print-foreign-architectures | grep -qx $a || dpkg --add-architecture $a
	done
	apt_update
	[ -z "$missing" ] || apt_install $missing
fi
