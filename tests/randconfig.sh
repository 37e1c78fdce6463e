#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every configuration Kconfig allows must build, link and run: allnoconfig,
# allyesconfig, allyesconfig without each bool symbol in turn (every
# "#ifdef" turned off once with all else on: the deterministic half, which
# a random draw may miss for months) and RANDCONFIG_COUNT random ones (as
# the kernel's and toybox's randconfig), built against the host's libraries without
# --gc-sections (which would hide a missing symbol) and without
# optimisation (quick). A failure names the seed that reproduces it:
#   KCONFIG_SEED=N make O=DIR HOST=1 randconfig && make O=DIR HOST=1
set -u
cd "$(dirname "$0")/.."
count=${RANDCONFIG_COUNT:-20}
seed0=${RANDCONFIG_SEED:-$(date +%s)}
out=build/randconfig
record() { echo "$1 $2" >> "${RESULTS:-/dev/null}"; echo "  $(echo "$1" | tr A-Z a-z)  $2"; }
# configure DIR TARGET [SEED]: TARGET is a make target, or -SYMBOL for
# allyesconfig with SYMBOL off (what depends on it goes too).
configure() {
	case $2 in
	-*)	make --no-print-directory O="$1" HOST=1 allyesconfig &&
		sed -i "s/^CONFIG_${2#-}=y\$/# CONFIG_${2#-} is not set/" "$1/.config" &&
		make --no-print-directory O="$1" HOST=1 olddefconfig &&
		! grep -q "^CONFIG_${2#-}=y" "$1/.config" ;;	# a select would keep it on
	*)	KCONFIG_SEED=${3:-0} make --no-print-directory O="$1" HOST=1 "$2" ;;
	esac
}
# try NAME TARGET [SEED]: configure with TARGET, build, run --version.
try() {
	dir=$out/$1
	rm -rf "$dir"
	if ! configure "$dir" "$2" "${3:-}" > "$dir.log" 2>&1 ||
	   ! make --no-print-directory -j"$(nproc)" O="$dir" HOST=1 OPT=-O0 >> "$dir.log" 2>&1; then
		record FAIL "randconfig: $1 builds${3:+ (KCONFIG_SEED=$3)}"
		grep -E 'error|undefined' "$dir.log" | head -5
		sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$dir/.config" 2>/dev/null | tr '\n' ' ' | cut -c1-600; echo
		return
	fi
	# allyesconfig has CONFIG_TRACE (bench/steps.sh's): its marks are written.
	if "$dir/berth" --version 2>&1 | grep -q "berth version" &&
	   { [ "$1" != allyesconfig ] || { BERTH_TRACE=$dir/trace "$dir/berth" --version >/dev/null &&
					   grep -Eq '^[0-9]+\.[0-9]{9} [0-9]+ main$' "$dir/trace"; }; }; then
		record PASS "randconfig: $1 builds and runs${3:+ (KCONFIG_SEED=$3)}"
		rm -rf "$dir"	# keep only what failed
	else
		record FAIL "randconfig: $1: berth --version${3:+ (KCONFIG_SEED=$3)}"
	fi
}
mkdir -p "$out"
try allnoconfig allnoconfig
try allyesconfig allyesconfig
for sym in $(sed -n 's/^config \([A-Z0-9_]*\)$/\1/p' Kconfig); do
	# bool symbols only
	sed -n "/^config $sym\$/{n;p}" Kconfig | grep -q '^[[:space:]]*bool' || continue
	try "no-$sym" "-$sym"
done
i=0
while [ $i -lt "$count" ]; do
	try "rand-$i" randconfig $((seed0 + i))
	i=$((i + 1))
done
