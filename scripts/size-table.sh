#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The README's size table, from real builds: the stripped static musl
# binary of each defconfig (the ARCH's own, tiny, check) for x86_64,
# aarch64 and armv7. aarch64 builds get LINK_4K_PAGES, as its defconfig
# and the boards do. Builds go to build/size-ARCH-NAME (incremental).
# usage: scripts/size-table.sh            print the table
#        scripts/size-table.sh --write    replace it in README.md
#        scripts/size-table.sh --check    exit 1 (with a diff) if README.md differs
set -eu
cd "$(dirname "$0")/.."
mode=${1:-print}
bytes() {	# ARCH NAME: the binary's size, with thousands apart
	arch=$1 name=$2 dir=build/size-$1-$2
	cfg=$name; [ "$name" = full ] && cfg=$arch
	# A failed build is a cell that says so (a command substitution's
	# status is lost in the row's echo), and no table is written.
	make --no-print-directory O="$dir" ARCH="$arch" "${cfg}_defconfig" >/dev/null || { echo "build failed"; return; }
	if [ "$arch" = aarch64 ] && ! grep -q '^CONFIG_LINK_4K_PAGES=y' "$dir/.config"; then
		sed -i '/CONFIG_LINK_4K_PAGES/d' "$dir/.config"
		echo CONFIG_LINK_4K_PAGES=y >> "$dir/.config"
		make --no-print-directory O="$dir" ARCH="$arch" olddefconfig >/dev/null
	fi
	# The commit that --version names is built in, and the read-only
	# data and data are not padded to a page: a name of a fixed length
	# (git's 12 digits), so that a dirty tree (+"-dirty") or a tarball
	# ("unknown") measures what a clean checkout does.
	make --no-print-directory -j"$(nproc)" O="$dir" ARCH="$arch" COMMIT=size-table00 >/dev/null || { echo "build failed"; return; }
	stat -c %s "$dir/berth" | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\| \)/\1 \2\3/; ta'
}
table() {
	echo "| defconfig | x86_64 | aarch64 | armv7 |"
	echo "|---|---|---|---|"
	for row in "full:full (the ARCH's defconfig): everything below" "tiny:tiny: OCI runtime on cgroup v2 only" \
		"check:check: \`berth check\` alone (the build host's, for image builds)"; do
		name=${row%%:*}
		echo "| ${row#*:} | $(bytes x86_64 "$name") | $(bytes aarch64 "$name") | $(bytes armv7 "$name") |"
	done
}
begin='<!-- size table: scripts/size-table.sh --write -->'
end='<!-- end of size table -->'
case $mode in
print) table ;;
--write|--check)
	mkdir -p build
	table > build/size-table.md
	if grep -q 'build failed' build/size-table.md; then
		cat build/size-table.md >&2; exit 1
	fi
	awk -v b="$begin" -v e="$end" -v t=build/size-table.md '
		$0 == b { print; while ((getline l < t) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' README.md > build/README.size.md
	if [ "$mode" = --write ]; then
		cp build/README.size.md README.md
	elif ! cmp -s README.md build/README.size.md; then
		diff -u README.md build/README.size.md | grep '^[-+]|' || true
		exit 1
	fi ;;
*) echo "usage: $0 [--write|--check]" >&2; exit 2 ;;
esac
