#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What each Kconfig feature costs in the stripped static binary: full
# build minus that feature (and what depends on it), one build each.
# Counted as text + data + bss (size(1)): the file itself grows in whole
# 4 KiB pages, which hides small features.
# usage: scripts/feature-sizes.sh [ARCH]   (prints a Markdown table)
set -eu
arch=${1:-x86_64}
cd "$(dirname "$0")/.."
out=build/feature-sizes
build() {	# build DIR [SYMBOL-TO-DISABLE]
	mkdir -p "$1"
	cp configs/full_defconfig "$1/.config"
	# (A symbol on by default is not in the defconfig: say it is off.)
	[ -z "${2:-}" ] || { sed -i "/^CONFIG_$2=/d" "$1/.config"; echo "# CONFIG_$2 is not set" >> "$1/.config"; }
	KCONFIG_CONFIG=$1/.config kconfig-conf --olddefconfig Kconfig >/dev/null
	make --no-print-directory -j"$(nproc)" O="$1" ARCH="$arch" >/dev/null
	size "$1/berth" | awk 'NR == 2 { print $4 }'
}
full=$(build "$out/full")
echo "| feature (Kconfig symbol) | bytes (text+data) |"
echo "|---|---|"
for sym in $(sed -n 's/^config \([A-Z0-9_]*\)$/\1/p' Kconfig); do
	grep -q "^CONFIG_$sym=y" "$out/full/.config" || continue
	# The OCI runtime itself: a build without it has no command until
	# the supervisor (CONFIG_SUPERVISOR) is there to be the other use.
	case $sym in JSON|OCI_RUNTIME) continue;; esac
	if size=$(build "$out/no-$sym" "$sym" 2>/dev/null); then
		echo "| $sym | $((full - size)) |"
	else
		echo "| $sym | (a build without it fails: a bug) |"
	fi
done
echo "| **full_defconfig ($arch), all of it** | **$full** (file: $(stat -c %s "$out/full/berth")) |"
