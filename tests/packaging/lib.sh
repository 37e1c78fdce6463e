# SPDX-License-Identifier: Apache-2.0
# Shared by the packaging tests: the integration tests' helpers, the
# repository (top), a fresh work directory (w, $TESTROOT/$T), and for the
# cross builds the aarch64 musl staging directory (libseccomp, libinih,
# cJSON from Debian's sources, as a Buildroot or Yocto sysroot holds them).
set -u
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
w=$TESTROOT/$T
rm -rf "$w" && mkdir -p "$w"
staging() { make -s -C "$top" ARCH=aarch64 deps >/dev/null 2>&1; echo "$top/deps/sysroot/aarch64"; }
