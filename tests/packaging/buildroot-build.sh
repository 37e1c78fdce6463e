#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The berth package built for real by Buildroot, offline: the Buildroot
# snapshot in ../shared/vendor with berth's BR2_EXTERNAL tree, Debian's
# aarch64 cross gcc as an external toolchain, and the source tarballs of
# every dependency from ../shared/vendor/buildroot-offline (its README says
# where they come from and which Buildroot hashes it changes to match
# Debian's sources: a test-only diff to Buildroot, never to berth's own
# berth.hash). `make berth` builds host-berth, cjson, inih, libseccomp
# and berth; the checks are on what it installed.
# Too heavy for `make check` (host Python and meson come first): run as
# `make check-buildroot` (BUILDROOT_VENDOR=DIR for another vendor folder),
# at least once per change to buildroot/, and its result goes in the README.
T=buildroot-build
BERTH=${BERTH:-none}	# the shared helpers want one; this test builds its own
. "$(dirname "$0")/lib.sh"
vendor=${BUILDROOT_VENDOR:-$top/../shared/vendor}
off=$vendor/buildroot-offline
br_tar=$(ls "$vendor"/buildroot-*.tar.xz 2>/dev/null | head -n1)
if [ -z "$br_tar" ] || [ ! -f "$off/dl.tar" ]; then
	skip "Buildroot builds berth" "no buildroot-*.tar.xz and buildroot-offline/dl.tar in $vendor"
	exit 0
fi
for tool in aarch64-linux-gnu-gcc qemu-aarch64-static unshare cmake; do
	command -v $tool >/dev/null || { fail "Buildroot builds berth" "$tool is missing (scripts/install-deps.sh all)"; exit 0; }
done

# The tree, with the test-only changes; the downloads; the toolchain's
# sysroot as Buildroot expects it (usr/include), seen at its own path in
# a private mount namespace.
tar -xJf "$br_tar" -C "$w"
brt=$(ls -d "$w"/buildroot*/ | head -n1)
mkdir -p "$w/aca" && tar -xJf "$off/autoconf-archive-debian-m4.tar.xz" -C "$w/aca"
aca=$(dirname "$(find "$w/aca" -name '*.m4' | head -n1)")
aca=${aca%/m4}
sed "s|@ACA_SRC@|$aca|g" "$off/buildroot-test-only.diff" | (cd "$brt" && patch -s -p1) ||
	{ fail "Buildroot builds berth" "the test-only diff does not apply to $(basename "$br_tar")"; exit 0; }
tar -xf "$off/dl.tar" -C "$w"
sed -e "s|@DL_DIR@|$w/dl|" -e "s|@BERTH_SRC@|$top|" "$off/aarch64-glibc-external_defconfig" > "$w/defconfig"
echo BR2_PACKAGE_BERTH_IMAGES=y >> "$w/defconfig"	# zlib for the target, host-zlib for host-berth's import
cp -a /usr/aarch64-linux-gnu "$w/sysroot"
mkdir -p "$w/sysroot/usr" && cp -a "$w/sysroot/include" "$w/sysroot/usr/include"
o=$w/out
start=$(date +%s)
unshare -m sh -c 'mount --bind "$1" /usr/aarch64-linux-gnu && cd "$2" &&
	BR_TEST_ALLOW_DISTRO_TOOLCHAIN=1 FORCE_UNSAFE_CONFIGURE=1 make BR2_EXTERNAL="$3" O="$4" BR2_DEFCONFIG="$5" defconfig &&
	BR_TEST_ALLOW_DISTRO_TOOLCHAIN=1 FORCE_UNSAFE_CONFIGURE=1 make O="$4" berth' \
	sh "$w/sysroot" "$brt" "$top/buildroot" "$o" "$w/defconfig" > "$w/build.log" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc -ne 0 ]; then
	fail "Buildroot builds berth (make berth, ${took}s)" "$(tail -n 15 "$w/build.log")"
	exit 0
fi
ok "Buildroot builds berth and its dependencies offline (make berth, ${took}s)"
t=$o/target
for p in host-berth host-libzlib cjson inih libseccomp libzlib berth; do
	d=$o/build/$(ls "$o/build" | grep -E "^$p-([0-9]|custom)" | head -n1)	# a local host package: -custom
	check "...$p was built" test -e "$d/.stamp_target_installed" -o -e "$d/.stamp_host_installed" -o \
		-e "$d/.stamp_installed"
done
file "$t/usr/sbin/berth" | grep -q "ARM aarch64" && ok "/usr/sbin/berth is an aarch64 binary" ||
	fail "/usr/sbin/berth is an aarch64 binary" "$(file "$t/usr/sbin/berth")"
run() { qemu-aarch64-static -L "$t" "$@"; }
expect "it runs (with the image's libraries)" "berth version 0.1.0" "$(run "$t/usr/sbin/berth" --version 2>&1 | head -n1)"
expect "libseccomp is in (BR2_PACKAGE_BERTH_SECCOMP's default)" true \
	"$(run "$t/usr/sbin/berth" features 2>/dev/null | jq -r .linux.seccomp.enabled)"
expect "the service files are installed (BR2_PACKAGE_BERTH_SERVICES)" \
	"$(cd "$top/board/common/overlay/etc/berth" && ls)" "$(ls "$t/etc/berth" 2>/dev/null)"
check "...after host-berth checked them" grep -q "host/bin/berth check" "$w/build.log"
check "the examples are installed (BR2_PACKAGE_BERTH_EXAMPLES)" test -f "$t/usr/share/berth/examples/web.conf"
expect_match "the image's berth has images (BR2_PACKAGE_BERTH_IMAGES)" "^  image " "$(run "$t/usr/sbin/berth" --help 2>&1)"
expect_match "host-berth imports images too (configs/host_defconfig)" "^  image " "$("$o/host/bin/berth" --help 2>&1)"
n=$(ls "$t/etc/berth" | wc -l)
expect "the image's berth accepts them too" "$n service files, 0 with errors" "$(run "$t/usr/sbin/berth" check "$t/etc/berth" 2>&1 | tail -n1)"
# Kept when something failed, to look at.
grep -q '^FAIL' "${RESULTS:-/dev/null}" 2>/dev/null || rm -rf "$w"
