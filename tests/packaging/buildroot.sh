#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# buildroot/ (a BR2_EXTERNAL tree): berth.mk's configure, build and install
# commands, run through tests/packaging/buildroot-shim.mk as Buildroot runs
# them, with an aarch64 musl cross toolchain (as Buildroot's wrapper: the
# staging directory is deps/sysroot/aarch64, where libseccomp, inih and
# cJSON are built from Debian's sources) and TARGET_DIR. Without
# kconfig-frontends, as on a Buildroot host. The BR2_PACKAGE_BERTH_*
# choices must reach the binary; service files are checked before install.
T=buildroot
. "$(dirname "$0")/lib.sh"
mkdir -p "$w/bin"
staging=$(staging)
# The toolchain wrapper, as Buildroot's output/host/bin/*-gcc.
cat > "$w/bin/aarch64-buildroot-linux-musl-gcc" <<SH
#!/bin/sh
exec aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs -isystem $staging/include -L$staging/lib "\$@"
SH
chmod +x "$w/bin/aarch64-buildroot-linux-musl-gcc"

# br NAME CONFIG-LINES...: a Buildroot .config (make syntax), then the build.
br() {
	n=$1; shift
	mkdir -p "$w/$n/target/etc" "$w/$n/target/sbin"
	printf '%s\n' BR2_USE_MMU=y BR2_STATIC_LIBS=y BR2_PACKAGE_BERTH=y "$@" > "$w/$n/config"
	printf '::sysinit:/bin/mount -t proc proc /proc\n' > "$w/$n/target/etc/inittab"
	ln -sf ../bin/busybox "$w/$n/target/sbin/init"
	make -f "$top/tests/packaging/buildroot-shim.mk" BR2_CONFIG="$w/$n/config" OUT="$w/$n" \
		TARGET_CC="$w/bin/aarch64-buildroot-linux-musl-gcc" KCONFIG_CONF=/nonexistent all > "$w/$n/log" 2>&1
}
run() { qemu-aarch64-static "$@"; }

# 1: everything, berth as /sbin/init, the examples and a service directory,
# and an OCI image whose files belong to a user, one set-uid.
mkdir -p "$w/services" && cp "$top/docs/examples/"*.conf "$w/services/"
# ...one with a seccomp profile: host-berth has no seccomp of its own, and
# checks it for the berth built here, which has (its .config). The
# profile comes from a rootfs overlay: of two, the last copied wins (the
# first one's is broken); the serial port is the device's, not the
# build host's.
mkdir -p "$w/overlay1/etc/berth" "$w/overlay2/etc/berth"
echo '{"defaultAction":' > "$w/overlay1/etc/berth/filtered.json"
echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["reboot"],"action":"SCMP_ACT_ERRNO"}]}' > "$w/overlay2/etc/berth/filtered.json"
printf '[service]\nrootfs = /srv\nexec = /bin/true\n[container]\nseccomp = /etc/berth/filtered.json\ndevice = /dev/ttyBERTH9\n' \
	> "$w/services/filtered.conf"
. "$top/tests/helpers/oci_image.sh"
oci_owned_app "$w"
if br full BR2_INIT_NONE=y BR2_PACKAGE_BERTH_OCI_RUNTIME=y BR2_PACKAGE_BERTH_EXTRA_COMMANDS=y BR2_PACKAGE_BERTH_HOOKS=y \
	BR2_PACKAGE_BERTH_TERMINAL=y BR2_PACKAGE_BERTH_SUPERVISOR=y 'BR2_PACKAGE_BERTH_SERVICE_DIR="/etc/containers.d"' \
	"BR2_PACKAGE_BERTH_SERVICES=\"$w/services\"" BR2_PACKAGE_BERTH_EXAMPLES=y BR2_PACKAGE_BERTH_WATCHDOG=y BR2_PACKAGE_BERTH_NETWORK=y \
	BR2_PACKAGE_BERTH_INIT=y BR2_PACKAGE_BERTH_START_INIT=y BR2_PACKAGE_BERTH_SECCOMP=y BR2_PACKAGE_BERTH_USERNS=y BR2_PACKAGE_BERTH_IMAGES=y \
	"BR2_ROOTFS_OVERLAY=\"$w/overlay1 $w/overlay2\"" \
	"BR2_PACKAGE_BERTH_IMAGE_IMPORTS=\"$w/app.layout=app:1\"" \
	BR2_PACKAGE_BERTH_CGROUP_V1=y BR2_PACKAGE_BERTH_CGROUP_V2=y BR2_PACKAGE_BERTH_LSM=y BR2_ARM64_PAGE_SIZE_4K=y; then
	ok "full: host-berth, then berth built and installed"
else fail "full: host-berth, then berth built and installed" "$(tail -5 "$w/full/log")"; fi
t=$w/full/target
file "$t/usr/sbin/berth" 2>/dev/null | grep -q "ARM aarch64.*statically linked" &&
	ok "full: /usr/sbin/berth is a static aarch64 binary (TARGET_CC, BR2_STATIC_LIBS)" ||
	fail "full: /usr/sbin/berth is a static aarch64 binary (TARGET_CC, BR2_STATIC_LIBS)" "$(file "$t/usr/sbin/berth" 2>&1)"
expect "full: the binary runs" "berth version 0.1.0" "$(run "$t/usr/sbin/berth" --version 2>&1 | head -n1)"
expect "full: seccomp enabled (BR2_PACKAGE_BERTH_SECCOMP)" "true" "$(run "$t/usr/sbin/berth" features 2>/dev/null | jq -r .linux.seccomp.enabled)"
expect "full: /sbin/init is berth (BR2_PACKAGE_BERTH_START_INIT, after busybox's link)" "../usr/sbin/berth" "$(readlink "$t/sbin/init")"
expect "full: the service directory has the services (BR2_PACKAGE_BERTH_SERVICE_DIR)" \
	"$(cd "$w/services" && ls)" "$(ls "$t/etc/containers.d" 2>/dev/null)"
expect "full: berth's default service directory is BR2_PACKAGE_BERTH_SERVICE_DIR" "/etc/containers.d" \
	"$(run "$t/usr/sbin/berth" check 2>&1 | grep -o '/etc/containers.d' | head -n1)"
[ -f "$t/usr/share/berth/examples/web.conf" ] && ok "full: the examples in /usr/share/berth/examples" || fail "full: the examples in /usr/share/berth/examples"
[ -x "$w/full/host/bin/berth" ] && "$w/full/host/bin/berth" --help | grep -q '^  check' &&
	ok "full: host-berth is a build-host berth check" || fail "full: host-berth is a build-host berth check"
grep -q "awk -f scripts/olddefconfig.awk" "$w/full/log" && ok "full: configured without kconfig-frontends" ||
	fail "full: configured without kconfig-frontends"
# The root filesystem, made as Buildroot makes it, by a user (nobody)
# under fakeroot: the image is imported by host-berth with its owners.
chmod -R a+rX "$w" && mkdir -p "$w/full/rootfs" && chown 65534:65534 "$w/full/rootfs"
if setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$w/full/rootfs" make -f "$top/tests/packaging/buildroot-shim.mk" \
	BR2_CONFIG="$w/full/config" OUT="$w/full" rootfs > "$w/full/rootfs.log" 2>&1; then
	ok "full: the root filesystem made by a user, under fakeroot (ROOTFS_PRE_CMD_HOOKS)"
else fail "full: the root filesystem made by a user, under fakeroot (ROOTFS_PRE_CMD_HOOKS)" "$(tail -5 "$w/full/rootfs.log")"; fi
expect "full: BR2_PACKAGE_BERTH_IMAGE_IMPORTS: the image's owners and set-uid bit in the root filesystem" \
	"-rwsr-xr-x 1000/1000 drwxr-xr-x 1000/1000" "$(owned_listing tar --numeric-owner -tvf "$w/full/rootfs/rootfs.tar")"
mkdir -p "$w/full/unpacked" && tar -xf "$w/full/rootfs/rootfs.tar" -C "$w/full/unpacked" 2>/dev/null
expect_match "full: ...a store entry the target's berth lists" "^app:1 +sha256:$(sha "$w/app.json" | cut -c1-12)" \
	"$("$w/full/host/bin/berth" image --store "$w/full/unpacked/var/lib/berth/images" list 2>&1)"
check "full: ...and nothing imported into the target directory itself" test ! -e "$w/full/target/var/lib/berth/images"

# 2: the least: no seccomp, no extra commands, under busybox init.
if br small BR2_INIT_BUSYBOX=y BR2_PACKAGE_BERTH_OCI_RUNTIME=y BR2_PACKAGE_BERTH_SUPERVISOR=y 'BR2_PACKAGE_BERTH_SERVICE_DIR="/etc/berth"' \
	BR2_PACKAGE_BERTH_START_INITTAB=y BR2_PACKAGE_BERTH_CGROUP_V2=y; then
	ok "small: built and installed"
else fail "small: built and installed" "$(tail -5 "$w/small/log")"; fi
t=$w/small/target
expect "small: seccomp left out (no features command to ask: berth's config.h)" "#define ENABLE_SECCOMP 0" \
	"$(grep 'ENABLE_SECCOMP ' "$w/small/build/berth-0.1.0/output/include/generated/config.h" 2>&1)"
expect "small: networking left out (BR2_PACKAGE_BERTH_NETWORK)" "#define ENABLE_NETWORK 0" \
	"$(grep 'ENABLE_NETWORK ' "$w/small/build/berth-0.1.0/output/include/generated/config.h" 2>&1)"
expect "small: no images (BR2_PACKAGE_BERTH_IMAGES)" "#define ENABLE_IMAGE_STORE 0" \
	"$(grep 'ENABLE_IMAGE_STORE ' "$w/small/build/berth-0.1.0/output/include/generated/config.h" 2>&1)"
expect_match "full: images in, zlib linked (BR2_PACKAGE_BERTH_IMAGES)" "^  image " "$(run "$w/full/target/usr/sbin/berth" --help 2>&1)"
expect "full: networking in (BR2_PACKAGE_BERTH_NETWORK)" "#define ENABLE_NETWORK 1" \
	"$(grep 'ENABLE_NETWORK ' "$w/full/build/berth-0.1.0/output/include/generated/config.h" 2>&1)"
h=$(run "$t/usr/sbin/berth" --help 2>&1)
echo "$h" | grep -q '^  run ' && ! echo "$h" | grep -q '^  update' && ok "small: run, but no update command" || fail "small: run, but no update command" "$h"
run "$t/usr/sbin/berth" --help | grep -q '^  ctl' && ok "small: the supervisor is in" || fail "small: the supervisor is in"
grep -q '^::respawn:/usr/sbin/berth supervise$' "$t/etc/inittab" && grep -q '^::sysinit:/bin/mount -t proc' "$t/etc/inittab" &&
	ok "small: busybox's inittab respawns berth supervise (BR2_PACKAGE_BERTH_START_INITTAB)" ||
	fail "small: busybox's inittab respawns berth supervise (BR2_PACKAGE_BERTH_START_INITTAB)" "$(cat "$t/etc/inittab")"
expect "small: /sbin/init stays busybox's" "../bin/busybox" "$(readlink "$t/sbin/init")"
# The same build finalized again under sysvinit, whose inittab has ids
# and runlevels (the stamps are there: only the hooks run).
printf 'id:3:initdefault:\nsi0::sysinit:/bin/mount -t proc proc /proc\n' > "$t/etc/inittab"
printf '%s\n' BR2_USE_MMU=y BR2_STATIC_LIBS=y BR2_PACKAGE_BERTH=y BR2_INIT_SYSV=y BR2_PACKAGE_BERTH_OCI_RUNTIME=y \
	BR2_PACKAGE_BERTH_SUPERVISOR=y BR2_PACKAGE_BERTH_START_INITTAB=y > "$w/small/config-sysv"
make -f "$top/tests/packaging/buildroot-shim.mk" BR2_CONFIG="$w/small/config-sysv" OUT="$w/small" \
	TARGET_CC="$w/bin/aarch64-buildroot-linux-musl-gcc" KCONFIG_CONF=/nonexistent target-finalize >> "$w/small/log" 2>&1
expect "sysvinit: inittab gets id:runlevels:action lines (BR2_INIT_SYSV)" \
	'si0::sysinit:/bin/mount -t proc proc /proc|bcg0::sysinit:/bin/sh -c "mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup"|brth:2345:respawn:/usr/sbin/berth supervise' \
	"$(sed 1d "$t/etc/inittab" | paste -sd'|')"
align() { readelf -lW "$1" 2>/dev/null | awk '$1 == "LOAD" { print $NF; exit }'; }
expect "BR2_ARM64_PAGE_SIZE_4K: segments aligned to 4 KiB (LINK_4K_PAGES)" 0x1000 "$(align "$w/full/target/usr/sbin/berth")"
expect "without it: the linker's 64 KiB" 0x10000 "$(align "$t/usr/sbin/berth")"
s1=$(stat -c %s "$w/full/build/berth-0.1.0/output/berth" 2>/dev/null || echo 0) s2=$(stat -c %s "$w/small/build/berth-0.1.0/output/berth" 2>/dev/null || echo 0)
[ "$s2" -gt 0 ] && [ "$s2" -lt "$s1" ] && ok "small: smaller than full ($s2 < $s1 bytes, unstripped)" || fail "small: smaller than full" "$s2 vs $s1"

# 3: a service file with an error fails the build, naming file and line,
# and installs nothing.
mkdir -p "$w/bad" && cp "$top/docs/examples/web.conf" "$w/bad/" && printf '[service]\nrootfs = /srv\nrestart = sometimes\n' > "$w/bad/oops.conf"
cp "$w/services/filtered.conf" "$w/bad/"	# seccomp, which this build leaves out
if br bad BR2_INIT_BUSYBOX=y BR2_PACKAGE_BERTH_OCI_RUNTIME=y BR2_PACKAGE_BERTH_SUPERVISOR=y 'BR2_PACKAGE_BERTH_SERVICE_DIR="/etc/berth"' \
	"BR2_ROOTFS_OVERLAY=\"$w/overlay2\"" \
	"BR2_PACKAGE_BERTH_SERVICES=\"$w/bad\"" BR2_PACKAGE_BERTH_START_NONE=y; then
	fail "bad service file: the build fails"
else
	grep -q "oops.conf:3: restart" "$w/bad/log" && ok "bad service file: the build fails at berth check, with file:line: key" ||
		fail "bad service file: the build fails at berth check, with file:line: key" "$(tail -3 "$w/bad/log")"
	grep -q "filtered.conf: linux.seccomp: not in the build of .*/output/.config (CONFIG_SECCOMP)" "$w/bad/log" &&
		ok "a service asking for what this berth left out fails the build, not the boot (check --config)" ||
		fail "a service asking for what this berth left out fails the build, not the boot (check --config)" "$(tail -5 "$w/bad/log")"
	[ ! -e "$w/bad/target/etc/berth" ] && ok "bad service file: nothing installed in the service directory" ||
		fail "bad service file: nothing installed in the service directory"
fi

# The real Buildroot (a snapshot in ../shared/vendor, when it is there):
# check-package on every file of the external tree, and Buildroot's own
# Kconfig and make (printvars, show-info) on the package: the packages it
# selects and depends on exist, and its license is declared.
br_tar=$(ls "$top"/../shared/vendor/buildroot-*.tar.xz 2>/dev/null | head -n1)
py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3	# Debian's, with its modules
if [ -z "$br_tar" ]; then
	skip "the real Buildroot: check-package, Kconfig, show-info" "no ../shared/vendor/buildroot-*.tar.xz beside the clone"
elif ! $py -c 'import magic, flake8' 2>/dev/null; then
	fail "the real Buildroot: check-package" "python3-magic and flake8 are missing (scripts/install-deps.sh installs them)"
else
	rm -rf "$w/real" && mkdir -p "$w/real" && tar -xJf "$br_tar" -C "$w/real"
	brt=$(ls -d "$w/real"/*/ | head -n1)
	ext=$top/buildroot
	out=$( (cd "$brt" && $py utils/check-package -b $(find "$ext" -type f)) 2>&1)
	expect "the real Buildroot: check-package on the external tree" "0 warnings generated" "$(echo "$out" | tail -n1)"
	# check-symbols reads the files git tracks: the package put in a
	# copy of the tree, as it would be sent upstream. Only the external
	# tree's own path variable is unknown there.
	cs=$w/real/cs && cp -a "$brt" "$cs" && cp -r "$ext/package/berth" "$cs/package/" &&
		sed -i 's|^menu "System tools"|&\n\tsource "package/berth/Config.in"|' "$cs/package/Config.in"
	out=$(cd "$cs" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm t &&
		$py utils/check-symbols 2>&1 | grep -v 'BR2_EXTERNAL_BERTH_PATH referenced but not defined')
	expect "the real Buildroot: check-symbols finds every option used and defined" "" "$out"
	grep -q 'package/berth/Config.in' "$cs/package/Config.in" || fail "the real Buildroot: check-symbols: the package is in the copy's menu"
	rm -rf "$cs"
	printf '%s\n' BR2_aarch64=y BR2_TOOLCHAIN_BUILDROOT_MUSL=y BR2_PACKAGE_BERTH=y BR2_PACKAGE_BERTH_SUPERVISOR=y \
		BR2_PACKAGE_BERTH_SECCOMP=y > "$w/real/defconfig"
	if make -s -C "$brt" BR2_EXTERNAL="$ext" O="$w/real/out" BR2_DEFCONFIG="$w/real/defconfig" defconfig >"$w/real/log" 2>&1; then
		for p in BERTH INIH CJSON LIBSECCOMP; do
			check "the real Buildroot: BR2_PACKAGE_BERTH selects BR2_PACKAGE_$p" grep -qx "BR2_PACKAGE_$p=y" "$w/real/out/.config"
		done
		v=$(make -s -C "$brt" BR2_EXTERNAL="$ext" O="$w/real/out" printvars \
			VARS='BERTH_DEPENDENCIES HOST_BERTH_DEPENDENCIES BERTH_LICENSE BERTH_LICENSE_FILES' 2>&1)
		expect_match "the real Buildroot: berth depends on cjson, inih and libseccomp" \
			'BERTH_DEPENDENCIES=cjson inih libseccomp' "$v"
		expect_match "the real Buildroot: host-berth depends on host-cjson, host-inih and host-zlib" \
			'HOST_BERTH_DEPENDENCIES=host-cjson host-inih host-zlib' "$v"
		info=$(make -s -C "$brt" BR2_EXTERNAL="$ext" O="$w/real/out" berth-show-info 2>&1 |
			jq -r '.berth | "\(.licenses) \(.license_files // [] | join(","))"' 2>&1)
		expect "the real Buildroot: show-info gives berth's license" "Apache-2.0 LICENSE" "$info"
	else
		fail "the real Buildroot: defconfig with berth" "$(tail -5 "$w/real/log")"
	fi
	rm -rf "$w/real"
fi
