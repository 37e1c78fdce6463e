#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build libseccomp, inih, cJSON and zlib from Debian source packages against musl
# into a sysroot, as Buildroot would: sources fetched once with apt-get source
# (Debian patches applied by dpkg-source), static libraries only.
#
# usage: scripts/deps.sh ARCH DEPS_DIR
# Result: DEPS_DIR/sysroot/ARCH/{include,lib}; a stamp file makes reruns free.
set -eu
arch=$1
deps=$(mkdir -p "$2" && cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/toolchain.sh"
berth_toolchain "$arch"

# Pinned so that every machine builds the same thing; see README "Dependencies".
SECCOMP=libseccomp/bookworm
CJSON=cjson/bookworm
INIH=libinih/trixie	# bookworm's libinih source is not served
ZLIB=zlib/bookworm	# gzip layers (CONFIG_IMAGE_STORE)

sysroot=$deps/sysroot/$arch
stamp=$sysroot/.stamp
want="$SECCOMP $CJSON $INIH $ZLIB v6 $(cat "$here"/patches/*.patch | cksum)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	touch "$stamp"	# newer than this script: make asks no more
	exit 0
fi

[ -f "$BERTH_SPECS" ] || { echo "berth: $BERTH_SPECS missing: install musl-dev for $arch (scripts/install-deps.sh $arch)" >&2; exit 1; }
CC="${BERTH_CROSS}gcc -specs $BERTH_SPECS"
AR="${BERTH_CROSS}ar"
# As berth's own objects (Makefile): no position-independent code for a
# static binary at a fixed address, no unwind tables (no C++, no
# backtraces; they were 7 KB of .eh_frame). The file prefix map: the
# libraries' assert()s name their source file, and the clone's own path
# in the binary made its size (and bytes) depend on where it was built.
CFLAGS="-Os -ffunction-sections -fdata-sections -fno-pie -fno-asynchronous-unwind-tables -fno-unwind-tables -ffile-prefix-map=$deps/=deps/"

fetch() {
	mkdir -p "$deps/src"
	cd "$deps/src"
	if ! ls ./*.dsc >/dev/null 2>&1 || [ ! -f .fetched ] || ! ls ./zlib_*.dsc >/dev/null 2>&1; then
		apt-get source --download-only $SECCOMP $CJSON $INIH $ZLIB
		touch .fetched
	fi
}

# unpack PKG: extract (with Debian patches) once into src/PKG-unpacked
unpack() {
	dir=$deps/src/$1-unpacked
	if [ ! -d "$dir" ]; then
		dsc=$(ls "$deps/src/$1"_*.dsc | head -n1)
		rm -rf "$dir.tmp"
		dpkg-source --no-check -x "$dsc" "$dir.tmp" >/dev/null
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

fetch
rm -rf "$sysroot"
mkdir -p "$sysroot/include" "$sysroot/lib" "$deps/build/$arch"

# Kernel UAPI headers for this architecture: musl does not ship them.
for d in $BERTH_KHDR; do
	for h in linux asm asm-generic mtd; do
		[ -d "$d/$h" ] && cp -r "$d/$h" "$sysroot/include/"
	done
done
CPPFLAGS="-I$sysroot/include"

# patched PKG: a copy of PKG's source with berth's patches for it
# (scripts/patches/PKG-*.patch, applied in order; each says why), in
# the build directory; prints where.
patched() {
	copy=$deps/build/$arch/$1
	rm -rf "$copy"
	mkdir -p "$copy"
	cp -a "$(unpack "$1")" "$copy/source"
	for p in "$here"/patches/"$1"-*.patch; do
		[ -f "$p" ] || continue
		patch -s -d "$copy/source" -p1 < "$p" >&2 || exit 1
	done
	echo "$copy/source"
}

# cJSON: one translation unit.
src=$(patched cjson) || exit 1
$CC $CFLAGS $CPPFLAGS -c "$src/cJSON.c" -o "$deps/build/$arch/cJSON.o"
$AR rcs "$sysroot/lib/libcjson.a" "$deps/build/$arch/cJSON.o"
mkdir -p "$sysroot/include/cjson"
cp "$src/cJSON.h" "$sysroot/include/cjson/"

# inih: one translation unit; the defaults match Debian's build.
src=$(unpack libinih)
$CC $CFLAGS $CPPFLAGS -c "$src/ini.c" -o "$deps/build/$arch/ini.o"
$AR rcs "$sysroot/lib/libinih.a" "$deps/build/$arch/ini.o"
cp "$src/ini.h" "$sysroot/include/"

# zlib: the C files inflate needs, built alone (its configure knows no
# cross prefix). Z_TESTW=0: CRC-32 a byte at a time from one 1 KiB table,
# not zlib's 8 KiB of braid tables, for a gzip trailer check that is
# faster than the disk either way.
src=$(unpack zlib)
mkdir -p "$deps/build/$arch/zlib"
for f in adler32 crc32 inffast inflate inftrees zutil; do
	$CC $CFLAGS $CPPFLAGS -DHAVE_UNISTD_H -DZ_TESTW=0 -c "$src/$f.c" -o "$deps/build/$arch/zlib/$f.o"
done
$AR rcs "$sysroot/lib/libz.a" "$deps/build/$arch/zlib/"*.o
cp "$src/zlib.h" "$src/zconf.h" "$sysroot/include/"

# libseccomp: autotools, static only, patched.
# -Werror=overflow: the syscall table patch must not cut a value.
src=$(patched libseccomp) || exit 1
b=$deps/build/$arch/libseccomp
( cd "$b" && CC="$CC" AR="$AR" CFLAGS="$CFLAGS -Werror=overflow" CPPFLAGS="$CPPFLAGS" \
	"$src/configure" --host="${BERTH_CROSS%-}" --prefix="$sysroot" \
	--enable-static --disable-shared --disable-python >config.out 2>&1 \
	|| { tail -30 config.out; exit 1; }
  make -j"$(nproc)" -C src libseccomp.la >make.out 2>&1 || { tail -30 make.out; exit 1; }
  make -C src install-libLTLIBRARIES >>make.out 2>&1
  make -C include install-includeHEADERS install-nodist_includeHEADERS >>make.out 2>&1 || true )
[ -f "$sysroot/include/seccomp.h" ] || cp "$b/include/seccomp.h" "$src/include/seccomp-syscalls.h" "$sysroot/include/"
rm -f "$sysroot/lib/"*.la

echo "$want" > "$stamp"
echo "berth: dependencies for $arch built in $sysroot"
