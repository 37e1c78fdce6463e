#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# scripts/olddefconfig.awk (used where kconfig-frontends is not installed,
# as on Buildroot and Yocto hosts) completes a .config exactly as
# kconfig-conf --olddefconfig does: every defconfig, and 40 random
# partial configurations.
T=olddefconfig
. "$(dirname "$0")/lib.sh"
cd "$top"
norm() { grep '^CONFIG_\|^# CONFIG_' | sort; }
same() {	# same FILE: both tools agree on FILE
	awk -f scripts/olddefconfig.awk Kconfig "$1" | norm > "$w/awk"
	cp "$1" "$w/kc" && KCONFIG_CONFIG=$w/kc kconfig-conf --olddefconfig Kconfig >/dev/null 2>&1
	norm < "$w/kc" > "$w/kconfig"
	cmp -s "$w/awk" "$w/kconfig"
}
bad=""
for c in configs/*_defconfig; do same "$c" || bad="$bad $c"; done
expect "the same .config as kconfig-conf for every defconfig" "" "$bad"
# The bool symbols (a string symbol set to y is not a configuration).
syms=$(awk '$1 == "config" { s = $2 } $1 == "bool" { print s }' Kconfig)
bad=""
for seed in $(seq 1 40); do
	echo "$syms" | awk -v seed="$seed" 'BEGIN { srand(seed) } {
		r = rand(); if (r < 0.3) print "CONFIG_" $1 "=y"; else if (r < 0.6) print "# CONFIG_" $1 " is not set" }' > "$w/random"
	same "$w/random" || { bad="$bad seed$seed"; cp "$w/random" "$w/random-$seed"; }
done
expect "the same .config as kconfig-conf for 40 random partial configurations" "" "$bad"
printf 'config X\n\tint "n"\n' > "$w/Kconfig.bad"
msg=$(awk -f scripts/olddefconfig.awk "$w/Kconfig.bad" /dev/null 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$msg" | grep -q "Kconfig.bad:2: unsupported type: int" && ok "Kconfig syntax it does not know: an error with file:line, not a guess" ||
	fail "Kconfig syntax it does not know: an error with file:line, not a guess" "$rc $msg"
