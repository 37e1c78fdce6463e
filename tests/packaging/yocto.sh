#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# meta-berth: the berth recipe's tasks (do_configure, do_compile,
# do_install, pkg_postinst), berth-native, and berth_services.bbclass,
# run by tests/packaging/bitbake-shim.py as bitbake would run them: an
# aarch64 musl cross compiler with its sysroot (deps/sysroot/aarch64),
# WORKDIR, D, without kconfig-frontends. PACKAGECONFIG must reach the
# binary and DEPENDS; service files are checked before they are installed.
T=yocto
. "$(dirname "$0")/lib.sh"
staging=$(staging)
recipe=$top/meta-berth/recipes-containers/berth/berth_0.1.0.bb
shim() { python3 "$top/tests/packaging/bitbake-shim.py" "$@"; }
# The target's compiler and flags, as bitbake exports them (a static musl
# image: LDFLAGS -static).
target() {
	_n=$1; shift
	shim "$recipe" --set WORKDIR="$w/$_n" --set D="$w/$_n/image" --set CC="aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs --sysroot=$staging -isystem $staging/include -L$staging/lib" \
		--set CFLAGS="-O2 -pipe" --set LDFLAGS="-static" --set KCONFIG_CONF=/nonexistent "$@"
}
export KCONFIG_CONF=/nonexistent	# as on a Yocto build host

# 1: the default PACKAGECONFIG.
# (The words of DEPENDS: `+=` leaves a blank before the first.)
words() { echo $*; }
expect "DEPENDS: cjson, and libinih and libseccomp from PACKAGECONFIG" "cjson libinih libseccomp" "$(words $(target full --get DEPENDS))"
if target full --run do_configure --run do_compile --run do_install > "$w/full.log" 2>&1; then ok "default PACKAGECONFIG: do_configure, do_compile, do_install"
else fail "default PACKAGECONFIG: do_configure, do_compile, do_install" "$(tail -5 "$w/full.log")"; fi
img=$w/full/image
file "$img/usr/sbin/berth" 2>/dev/null | grep -q "ARM aarch64" && ok "default: \${sbindir}/berth for aarch64 (CC from the environment)" ||
	fail "default: \${sbindir}/berth for aarch64 (CC from the environment)" "$(file "$img/usr/sbin/berth" 2>&1)"
expect "default: seccomp enabled" "true" "$(qemu-aarch64-static "$img/usr/sbin/berth" features 2>/dev/null | jq -r .linux.seccomp.enabled)"
[ -s "$img/usr/share/man/man8/berth.8" ] && [ -s "$img/usr/share/man/man5/berth.conf.5" ] && [ -d "$img/etc/berth" ] &&
	ok "default: man pages in \${mandir}, the service directory" || fail "default: man pages in \${mandir}, the service directory" "$(cd "$img" && find . | head -20)"
grep -q "awk -f scripts/olddefconfig.awk" "$w/full.log" && ok "default: configured without kconfig-frontends" || fail "default: configured without kconfig-frontends"

# 2: a smaller PACKAGECONFIG, berth started by busybox init.
pc="oci-runtime supervisor cgroup-v2"
expect "PACKAGECONFIG without seccomp: no libseccomp in DEPENDS" "cjson libinih" "$(words $(target small --set PACKAGECONFIG="$pc" --get DEPENDS))"
if target small --set PACKAGECONFIG="$pc" --run do_configure --run do_compile --run do_install > "$w/small.log" 2>&1; then
	ok "small PACKAGECONFIG: built and installed"; else fail "small PACKAGECONFIG: built and installed" "$(tail -5 "$w/small.log")"; fi
expect "PACKAGECONFIG images: zlib in DEPENDS" "cjson libinih zlib" "$(words $(target small --set PACKAGECONFIG="$pc images" --get DEPENDS))"
expect "small: seccomp left out (config.h)" "#define ENABLE_SECCOMP 0" "$(grep 'ENABLE_SECCOMP ' "$w/small/build/include/generated/config.h" 2>&1)"
h=$(qemu-aarch64-static "$w/small/image/usr/sbin/berth" --help 2>&1)
echo "$h" | grep -q '^  ctl' && ! echo "$h" | grep -q '^  update' && ok "small: the supervisor, no update command" || fail "small: the supervisor, no update command" "$h"
mkdir -p "$w/rootfs/etc" && printf '::sysinit:/etc/init.d/rcS\n' > "$w/rootfs/etc/inittab"
target small --set BERTH_START=inittab --set D="$w/rootfs" --run pkg_postinst >/dev/null 2>&1
target small --set BERTH_START=inittab --set D="$w/rootfs" --run pkg_postinst >/dev/null 2>&1
expect "BERTH_START = inittab: pkg_postinst adds the respawn line, once" "1" "$(grep -c '^::respawn:/usr/sbin/berth supervise$' "$w/rootfs/etc/inittab")"
expect "BERTH_START = pid1: /sbin/init through update-alternatives" "init /sbin/init /usr/sbin/berth" \
	"$(target small --set BERTH_START=pid1 --get ALTERNATIVE:berth --get 'ALTERNATIVE_LINK_NAME[init]' --get 'ALTERNATIVE_TARGET[init]' 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
expect "BERTH_START = none: no alternative" "" "$(target small --get ALTERNATIVE:berth 2>/dev/null)"

# 3: berth-native and berth_services.bbclass.
if shim "$recipe" --native --set WORKDIR="$w/native" --set D="$w/native/image" --set CC=gcc --set CFLAGS=-O2 --set LDFLAGS= \
	--run do_configure --run do_compile --run do_install > "$w/native.log" 2>&1 && "$w/native/image/usr/bin/berth" --help | grep -q '^  check'; then
	ok "berth-native: a build-host berth check"; else fail "berth-native: a build-host berth check" "$(tail -5 "$w/native.log")"; fi
examples=$top/meta-berth/recipes-containers/berth-examples/berth-examples_0.1.0.bb
# berth_images.bbclass: an image recipe's do_rootfs, as bitbake runs it by
# a user under pseudo, imports an OCI image with its owners; a second
# pseudo session (do_image's) still sees them.
. "$top/tests/helpers/oci_image.sh"
oci_owned_app "$w"
mkdir -p "$w/layer/recipes-test/images" "$w/ir" && ln -s "$top/meta-berth/classes" "$w/layer/classes"
printf 'inherit berth_images\nBERTH_IMAGES = "%s=app:1"\n' "$w/app.layout" > "$w/layer/recipes-test/images/test-image.bb"
chmod -R a+rX "$w" && chown 65534:65534 "$w/ir"
as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$w/ir" PSEUDO_PREFIX=/usr \
	PSEUDO_LIBDIR="$(dirname "$(dpkg -L libpseudo | grep /libpseudo.so$ | head -n1)")" PSEUDO_LOCALSTATEDIR="$w/ir/pseudo" \
	PATH="$w/native/image/usr/bin:$PATH" pseudo "$@"; }
if as_user python3 "$top/tests/packaging/bitbake-shim.py" "$w/layer/recipes-test/images/test-image.bb" \
	--set IMAGE_ROOTFS="$w/ir/root" --set B="$w/ir" --run berth_import_images > "$w/images.log" 2>&1; then
	ok "berth_images.bbclass: berth-native imports BERTH_IMAGES at do_rootfs, under pseudo"
else fail "berth_images.bbclass: berth-native imports BERTH_IMAGES at do_rootfs, under pseudo" "$(tail -5 "$w/images.log")"; fi
expect "berth_images.bbclass: the image's owners and set-uid bit, as pseudo keeps them" \
	"-rwsr-xr-x 1000/1000 drwxr-xr-x 1000/1000" "$(owned_listing as_user tar --numeric-owner -C "$w/ir/root" -cvvf /dev/null .)"
expect_match "berth_images.bbclass: in BERTH_IMAGE_STORE (/var/lib/berth/images)" "^app:1 +sha256:$(sha "$w/app.json" | cut -c1-12)" \
	"$("$w/native/image/usr/bin/berth" image --store "$w/ir/root/var/lib/berth/images" list 2>&1)"
printf 'inherit berth_images\nBERTH_IMAGES = "%s"\n' "$w/app.layout" > "$w/layer/recipes-test/images/test-image.bb"
expect_match "berth_images.bbclass: an entry without =NAME fails do_rootfs, saying what is expected" \
	"BERTH_IMAGES: \".*app.layout\": expected FILE=NAME\[:TAG\]" \
	"$(as_user python3 "$top/tests/packaging/bitbake-shim.py" "$w/layer/recipes-test/images/test-image.bb" \
		--set IMAGE_ROOTFS="$w/ir/root2" --set B="$w/ir" --run berth_import_images 2>&1)"
as_user -S >/dev/null 2>&1	# the pseudo server goes now, not at its idle timeout
if PATH=$w/native/image/usr/bin:$PATH shim "$examples" --set WORKDIR="$w/ex" --set D="$w/ex/image" --run do_unpack --run do_install > "$w/ex.log" 2>&1; then
	ok "berth-examples (berth_services.bbclass): fetched from the tree (file://), checked and installed"
else fail "berth-examples (berth_services.bbclass): fetched from the tree (file://), checked and installed" "$(tail -5 "$w/ex.log")"; fi
expect "berth-examples: the files in BERTH_SERVICE_DIR" "crashy.conf setup.conf uplink.conf web.conf welcome.conf" "$(ls "$w/ex/image/usr/share/berth/examples" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
# Checked for the image's berth: its .config, staged by the berth recipe.
check "the berth recipe stages its .config for berth_services.bbclass (\${datadir}/berth/berth.config)" \
	grep -qx 'CONFIG_SECCOMP=y' "$img/usr/share/berth/berth.config"
expect "berth_services.bbclass: DEPENDS on the image's berth, whose .config it checks for" "berth-native berth" \
	"$(words $(shim "$examples" --set BERTH_SERVICES_FOR_TARGET=1 --get DEPENDS))"
expect "berth-examples (documentation, allarch): DEPENDS on berth-native only" "berth-native" "$(words $(shim "$examples" --get DEPENDS))"
# The profile it names is read where the device will have it (the
# recipe's ${D}, BERTH_SYSROOTS), its serial port is the device's.
mkdir -p "$w/filtered" && printf '[service]\nrootfs = /srv\nexec = sh\n[container]\nseccomp = /etc/berth/f.json\ndevice = /dev/ttyBERTH9\n' \
	> "$w/filtered/f.conf"
for b in full small; do
	mkdir -p "$w/f-$b/image/etc/berth" && echo '{"defaultAction":"SCMP_ACT_ALLOW"}' > "$w/f-$b/image/etc/berth/f.json"
	PATH=$w/native/image/usr/bin:$PATH shim "$examples" --set WORKDIR="$w/f-$b" --set D="$w/f-$b/image" --set BERTH_SERVICES=f.conf \
		--set BERTH_SERVICES_SRC="$w/filtered" --set BERTH_SERVICES_FOR_TARGET=1 \
		--set BERTH_TARGET_CONFIG="$w/$b/image/usr/share/berth/berth.config" --run do_install > "$w/f-$b.log" 2>&1
	echo $? > "$w/f-$b.rc"
done
expect "a seccomp service, for a berth with seccomp: installed (berth-native has none of its own; the profile read in \${D})" "0" "$(cat "$w/f-full.rc")"
if [ "$(cat "$w/f-small.rc")" != 0 ] && grep -q "f.conf: linux.seccomp: not in the build of .*small/image/usr/share/berth/berth.config (CONFIG_SECCOMP)" "$w/f-small.log"; then
	ok "...for a berth without: do_install fails, naming the file and CONFIG_SECCOMP"
else fail "...for a berth without: do_install fails, naming the file and CONFIG_SECCOMP" "$(tail -3 "$w/f-small.log")"; fi
mkdir -p "$w/bad" && printf '[service]\nrootfs = /srv\nexec = sh\nrequires = nowhere\n' > "$w/bad/a.conf" && printf '[service]\nrootfs = /srv\nready = soon\n' > "$w/bad/b.conf"
if PATH=$w/native/image/usr/bin:$PATH shim "$examples" --set WORKDIR="$w/bad" --set D="$w/bad/image" --set BERTH_SERVICES="a.conf b.conf" \
	--set BERTH_SERVICES_SRC="$w/bad" --run do_install > "$w/bad.log" 2>&1; then
	fail "a service file with an error fails do_install"
else
	grep -q "b.conf:3: ready" "$w/bad.log" && ok "a service file with an error fails do_install, naming file:line: key" ||
		fail "a service file with an error fails do_install, naming file:line: key" "$(tail -3 "$w/bad.log")"
	[ ! -e "$w/bad/image/usr/share/berth/examples" ] && ok "...and installs nothing" || fail "...and installs nothing"
fi

# The real BitBake, OE-Core and meta-oe (snapshots in ../shared/vendor,
# when they are there): the layer parses with no error or warning, and
# the dependencies resolve, berth-native's among them (inih and cJSON
# only; libinih-native through this layer's bbappend). BitBake refuses
# root: it runs as nobody, in a copy of the committed tree.
vendor=$top/../shared/vendor
bb_tar=$(ls "$vendor"/bitbake-*.tar.xz 2>/dev/null | head -n1)
oe_tar=$(ls "$vendor"/openembedded-core-*.tar.xz 2>/dev/null | head -n1)
mo_tar=$(ls "$vendor"/meta-openembedded-*.tar.xz 2>/dev/null | head -n1)
if [ -z "$bb_tar" ] || [ -z "$oe_tar" ] || [ -z "$mo_tar" ]; then
	skip "the real BitBake: parse and dependencies" "no bitbake, openembedded-core and meta-openembedded tarballs in ../shared/vendor"
elif ! locale -a 2>/dev/null | grep -qi '^en_US.utf8$' || ! command -v setpriv >/dev/null; then
	fail "the real BitBake" "the en_US.UTF-8 locale or setpriv is missing (scripts/install-deps.sh sets them up)"
else
	r=$w/real
	rm -rf "$r" && mkdir -p "$r/build/conf" "$r/berth"
	for t in "$bb_tar" "$oe_tar" "$mo_tar"; do tar -xJf "$t" -C "$r"; done
	(cd "$top" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$r/berth"
	printf 'BBPATH = "${TOPDIR}"\nBBFILES ?= ""\nBBLAYERS = "%s/openembedded-core/meta %s/meta-openembedded/meta-oe %s/berth/meta-berth"\n' \
		"$r" "$r" "$r" > "$r/build/conf/bblayers.conf"
	printf 'MACHINE = "qemuarm64"\nBB_NO_NETWORK = "1"\nCONF_VERSION = "2"\nBERTH_START = "pid1"\n' > "$r/build/conf/local.conf"
	# Of meta-oe's 1,092 recipes berth needs two (cjson, libinih): the
	# rest are masked, as a build masks what it does not use. Each parse
	# of all 2,033 recipes took 140-160 s on a 2-core machine, and BitBake
	# parses three times here (its cache is keyed by the configuration,
	# which differs between the first full parse and the next, and the
	# release below changes local.conf). meta-berth, oe-core and meta-oe's
	# layer configuration are parsed whole.
	printf 'BBMASK = "/meta-oe/recipes-[^/]*/(?!cjson/|inih/)[^/]*/"\n' >> "$r/build/conf/local.conf"
	# An image recipe with berth_images.bbclass, in the copy only.
	mkdir -p "$r/berth/meta-berth/recipes-test/images"
	printf 'SUMMARY = "A test image with an OCI image in its store"\nLICENSE = "MIT"\ninherit core-image berth_images\nBERTH_IMAGES = "${TOPDIR}/app.layout=app:1"\n' \
		> "$r/berth/meta-berth/recipes-test/images/berth-test-image.bb"
	chown -R nobody "$r"
	bbtool() { _t=$1; shift; (cd "$r/build" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env -i HOME="$r" LANG=en_US.UTF-8 PATH="$r/bitbake/bin:/usr/bin:/bin" timeout 1200 "$_t" "$@") 2>&1; }
	bb() { bbtool bitbake "$@"; }
	# -g parses every recipe: its output says how that went (a -p before
	# it would parse them all once more, for nothing).
	out=$(bb -g berth-examples berth-test-image)
	expect_match "the real BitBake: the layers parse with no error" "Parsing of [0-9]+ \.bb files complete .* 0 errors" "$out"
	expect "the real BitBake: ...and no warning" "" "$(echo "$out" | grep WARNING)"
	check "the real BitBake: berth_images.bbclass: do_rootfs depends on berth-native" \
		grep -q '"berth-test-image.do_rootfs" -> "berth-native.do_populate_sysroot"' "$r/build/task-depends.dot"
	expect_match "the real BitBake: bitbake-layers show-recipes berth" "berth:.*meta-berth +0\.1\.0" \
		"$(bbtool bitbake-layers show-recipes berth | tr '\n' ' ')"
	deps=$(grep -o '"berth-native.do_prepare_recipe_sysroot" -> "[a-z-]*.do_populate_sysroot"' "$r/build/task-depends.dot" 2>/dev/null |
		sed 's/.*-> "\([a-z-]*\)\.do_populate_sysroot"/\1/' | sort | tr '\n' ' ')
	expect "the real BitBake: berth-native needs cJSON, inih and zlib, native, only" "cjson-native libinih-native zlib-native " "$deps"
	env=$(bb -e berth)
	d=$(echo "$env" | grep '^DEPENDS=')
	for p in cjson libinih libseccomp; do
		expect_match "the real BitBake: berth DEPENDS on $p" "[\" ]$p[\" ]" "$d"
	done
	expect "the real BitBake: BERTH_START = pid1 makes berth an alternative for init" 'ALTERNATIVE:berth="init"' \
		"$(echo "$env" | grep '^ALTERNATIVE:berth=')"
	expect "the real BitBake: LICENSE" 'LICENSE="Apache-2.0"' "$(echo "$env" | grep '^LICENSE=')"
	# --systemd-cgroup follows the distro: "systemd" in PACKAGECONFIG
	# exactly when DISTRO_FEATURES has it.
	df=$(echo "$env" | sed -n 's/^DISTRO_FEATURES="\(.*\)"$/\1/p')
	pc=$(echo "$env" | sed -n 's/^PACKAGECONFIG="\(.*\)"$/\1/p')
	case " $df " in *" systemd "*) want=yes;; *) want=no;; esac
	case " $pc " in *" systemd "*) got=yes;; *) got=no;; esac
	expect "the real BitBake: PACKAGECONFIG has systemd exactly when DISTRO_FEATURES has (here: $want)" "$want" "$got"
	# externalsrc sets SRCTREECOVEREDTASKS: the tree stands for fetch and unpack.
	expect "the real BitBake: without a release, the source is the tree (externalsrc)" "yes" \
		"$(echo "$env" | grep -q '^SRCTREECOVEREDTASKS=' && echo yes)"
	# A release tarball (make dist) at an https address the distro names,
	# reached offline through a local premirror, as a firmware team's
	# build is: BitBake fetches it, checks its sha256 and unpacks it.
	mkdir -p "$r/mirror"
	(cd "$top" && git archive --format=tar --prefix=berth-0.1.0/ HEAD | gzip -n > "$r/mirror/berth-0.1.0.tar.gz")
	sum=$(sha256sum "$r/mirror/berth-0.1.0.tar.gz" | cut -d' ' -f1)
	printf '%s\n' 'BERTH_RELEASE_URI = "https://berth.invalid/releases/berth-${PV}.tar.gz"' \
		"BERTH_RELEASE_SHA256 = \"$sum\"" "PREMIRRORS:prepend = \"https://berth.invalid/releases/ file://$r/mirror/ \"" \
		>> "$r/build/conf/local.conf"
	chown -R nobody "$r/build" "$r/mirror"
	env=$(bb -e berth)
	expect "the real BitBake: a release: SRC_URI is the tarball's address" \
		'SRC_URI="https://berth.invalid/releases/berth-0.1.0.tar.gz"' "$(echo "$env" | grep '^SRC_URI=')"
	expect "the real BitBake: ...and the tree is not used (no externalsrc)" "no" \
		"$(echo "$env" | grep -q '^SRCTREECOVEREDTASKS=' && echo yes || echo no)"
	out=$(bb berth -c unpack)
	expect_match "the real BitBake: a release: fetched, its sha256 checked, unpacked" "Tasks Summary: .* all succeeded" "$out"
	src=$(echo "$env" | sed -n 's/^S="\(.*\)"$/\1/p')
	check "the real BitBake: ...into S (${src#"$r"/})" test -f "$src/Makefile" -a -f "$src/LICENSE"
	# The same address, other bytes: refused.
	echo "not berth" | gzip -n > "$r/mirror/berth-0.1.0.tar.gz"
	rm -rf "$r/build/downloads"
	expect_match "the real BitBake: a tarball whose sha256 differs is refused" "[Cc]hecksum mismatch" "$(bb berth -c fetch -f)"
	rm -rf "$r"
fi
