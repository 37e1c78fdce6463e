# SPDX-License-Identifier: Apache-2.0
# Shared by deps.sh and the Makefile's helpers: maps a berth ARCH name to its
# cross prefix and musl specs file, the way a Buildroot toolchain wrapper would.
# Sourced, not executed.
berth_toolchain() {
	case "$1" in
	x86_64)  BERTH_CROSS=x86_64-linux-gnu-;    BERTH_MUSL=x86_64-linux-musl;;
	aarch64) BERTH_CROSS=aarch64-linux-gnu-;   BERTH_MUSL=aarch64-linux-musl;;
	armv7)   BERTH_CROSS=arm-linux-gnueabihf-; BERTH_MUSL=arm-linux-musleabihf;;
	*) echo "berth: unknown ARCH '$1' (expected x86_64, aarch64 or armv7)" >&2; return 1;;
	esac
	BERTH_SPECS=/usr/lib/$BERTH_MUSL/musl-gcc.specs
	case "$1" in
	x86_64) BERTH_KHDR="/usr/include /usr/include/x86_64-linux-gnu";;
	*)      BERTH_KHDR="/usr/${BERTH_CROSS%-}/include";;
	esac
}
