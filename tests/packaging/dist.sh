#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make dist: the release tarball is the committed tree under
# berth-VERSION/, with the license, and the same bytes each time (a
# Buildroot .hash or a Yocto SRC_URI checksum can point at it).
T=dist
. "$(dirname "$0")/lib.sh"
cd "$top"
a=$(make --no-print-directory O="$w" dist 2>/dev/null | tail -n1)
b=$(make --no-print-directory O="$w" dist 2>/dev/null | tail -n1)
v=$(sed -n 's/^VERSION := //p' Makefile)
expect_match "make dist prints the tarball's sha256" "^[0-9a-f]{64}  berth-$v.tar.gz$" "$a"
expect "make dist is reproducible" "$a" "$b"
list=$(tar -tzf "$w/berth-$v.tar.gz" 2>/dev/null)
for f in LICENSE Makefile Kconfig README.md src/main.c buildroot/package/berth/berth.mk; do
	echo "$list" | grep -qx "berth-$v/$f" && ok "the tarball has $f" || fail "the tarball has $f"
done
echo "$list" | grep -q "^berth-$v/\(build\|deps\)/" && fail "the tarball leaves build/ and deps/ out" ||
	ok "the tarball leaves build/ and deps/ out"
# The tarball is no git checkout: it carries its commit for --version.
expect "the tarball names its commit (scripts/release-commit)" "$(git rev-parse HEAD)" \
	"$(tar -xzOf "$w/berth-$v.tar.gz" "berth-$v/scripts/release-commit" 2>/dev/null)"
x=$w/dist-extract
rm -rf "$x"; mkdir -p "$x"
tar -xzf "$w/berth-$v.tar.gz" -C "$x"
expect "...and scripts/commit.sh reads it there" "$(git rev-parse HEAD)" "$(sh "$x/berth-$v/scripts/commit.sh")"
rm -rf "$x"
