#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build the unit tests (parsers, resolver, the supervisor's lifecycle) against the host (glibc) objects, run them plain,
# under ASan/UBSan and under valgrind; one result line each into $RESULTS.
set -u
cd "$(dirname "$0")/../.."
out=build/unit
mkdir -p "$out"
. tests/parser_sources.sh
src="tests/unit/test_oci.c $PARSER_SRC"
inc="-D_GNU_SOURCE -Iinclude -Ibuild/asan/include"
record() { echo "$1 $2" >> "${RESULTS:-/dev/null}"; echo "  $(echo "$1" | tr A-Z a-z)  $2"; }
# run TAG DESCRIPTION CMD...
run() {
	tag=$1 name=$2; shift 2
	if "$@" > "$out/$tag.log" 2>&1 && tail -n1 "$out/$tag.log" | grep -q ' 0 failed'; then
		record PASS "unit: $name ($(tail -n1 "$out/$tag.log"))"
	else
		record FAIL "unit: $name"; grep -E 'FAIL|ERROR|error' "$out/$tag.log" | head -20
	fi
}
gcc -std=gnu11 -O1 -g $inc -o "$out/test_oci" $src -lcjson -linih -lm && \
gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer $inc -o "$out/test_oci_asan" $src -lcjson -linih -lm || {
	record FAIL "unit: build"; exit 0; }
# The supervisor's lifecycle table: no kernel, no libraries.
lc="tests/unit/test_lifecycle.c src/supervise/lifecycle.c"
gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror $inc -o "$out/test_lifecycle" $lc &&
gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer $inc -o "$out/test_lifecycle_asan" $lc || {
	record FAIL "unit: build (lifecycle)"; exit 0; }
# The D-Bus wire format and systemd's cgroupsPath (--systemd-cgroup).
rg="tests/unit/test_logring.c src/supervise/logring.c"
gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror $inc -o "$out/test_logring" $rg &&
gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer $inc -o "$out/test_logring_asan" $rg || {
	record FAIL "unit: build (logring)"; exit 0; }
db="tests/unit/test_dbus.c src/util/dbus.c src/linux/systemd_cgroup.c src/util/log.c src/util/clock.c src/util/waitfor.c src/util/fs.c src/util/inroot.c src/util/strutil.c"
gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror $inc -o "$out/test_dbus" $db &&
gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer $inc -o "$out/test_dbus_asan" $db || {
	record FAIL "unit: build (dbus)"; exit 0; }
# [network]: addresses, keys and their checks, the lease file.
# SHA-256 (image digests).
sh="tests/unit/test_sha256.c src/util/sha256.c"
gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror $inc -o "$out/test_sha256" $sh &&
gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer $inc -o "$out/test_sha256_asan" $sh || {
	record FAIL "unit: build (sha256)"; exit 0; }
nw="tests/unit/test_network.c $PARSER_SRC"
gcc -std=gnu11 -O1 -g -Wall -Wextra $inc -o "$out/test_network" $nw -lcjson -linih -lm &&
gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer $inc -o "$out/test_network_asan" $nw -lcjson -linih -lm || {
	record FAIL "unit: build (network)"; exit 0; }
run plain "parsers" "$out/test_oci"
run asan "parsers (ASan/UBSan)" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 "$out/test_oci_asan"
run valgrind "parsers (valgrind)" valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite "$out/test_oci"
run lifecycle "supervisor lifecycle table and restart policy" "$out/test_lifecycle"
run lifecycle_asan "supervisor lifecycle (ASan/UBSan)" env UBSAN_OPTIONS=halt_on_error=1 "$out/test_lifecycle_asan"
run logring "a service's log ring: growth, wrap, followers" "$out/test_logring"
run logring_asan "log ring (ASan/UBSan)" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 "$out/test_logring_asan"
run network "[network] and dependencies: addresses, keys, leases, deps.c" "$out/test_network"
run network_asan "[network] (ASan/UBSan)" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 "$out/test_network_asan"
run dbus "D-Bus wire format and systemd cgroupsPath" "$out/test_dbus"
run dbus_asan "D-Bus and cgroupsPath (ASan/UBSan)" env UBSAN_OPTIONS=halt_on_error=1 "$out/test_dbus_asan"
run sha256 "SHA-256: FIPS 180-4's examples, any pieces, from an fd" "$out/test_sha256"
run sha256_asan "SHA-256 (ASan/UBSan)" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 "$out/test_sha256_asan"
# berth's libseccomp (scripts/patches/: its syscall table in shorts,
# sorted, with only the ABIs of the machine it is built for) knows each
# build's machine's ABIs and no other, and resolves every name on them,
# and back, as Debian's does. aarch64 and armv7 run under qemu-user.
csv=deps/src/libseccomp-unpacked/src/syscalls.csv
if [ -f "$csv" ] && gcc -std=gnu11 -O1 -o "$out/seccomp_table_debian" tests/unit/seccomp_table.c -lseccomp; then
	grep -v '^#' "$csv" | cut -d, -f1 > "$out/syscall-names"
	"$out/seccomp_table_debian" < "$out/syscall-names" > "$out/seccomp_table_debian.out" 2>/dev/null
fi
for build in "x86_64 x86 x86_64 x32" "aarch64 arm aarch64" "armv7 arm"; do
	set -- $build; arch=$1; shift; keep=" $* "
	sysroot=deps/sysroot/$arch
	case $arch in aarch64) emu=qemu-aarch64-static;; armv7) emu=qemu-arm-static;; *) emu=;; esac
	if [ ! -f "$sysroot/lib/libseccomp.a" ] || [ ! -s "$out/seccomp_table_debian.out" ] ||
	   { [ -n "$emu" ] && ! command -v "$emu" >/dev/null; }; then
		record SKIP "unit: libseccomp's patched syscall table ($arch): no $sysroot/lib/libseccomp.a, $csv, Debian's libseccomp or ${emu:-its emulator} (make builds the first two)"
		continue
	fi
	# Debian's answers on this machine's ABIs, after "ABI -" for every
	# other one (Debian's knows them all), in the order the program asks.
	awk -v keep="$keep" 'NR == 1 { print; next }
		{ known = index(keep, " " $1 " ") }
		!($1 in seen) { seen[$1] = 1; if (!known) print $1 " -" }
		known { rest[++n] = $0 }
		END { for (i = 1; i <= n; i++) print rest[i] }' "$out/seccomp_table_debian.out" > "$out/seccomp_table_$arch.want"
	( . scripts/toolchain.sh && berth_toolchain "$arch" &&
	  ${BERTH_CROSS}gcc -specs "$BERTH_SPECS" -std=gnu11 -O1 -static -isystem "$sysroot/include" \
		-o "$out/seccomp_table_$arch" tests/unit/seccomp_table.c -L"$sysroot/lib" -lseccomp ) &&
	$emu "$out/seccomp_table_$arch" < "$out/syscall-names" > "$out/seccomp_table_$arch.out" 2> "$out/seccomp_table_$arch.count"
	if [ $? -ne 0 ]; then
		record FAIL "unit: libseccomp's patched syscall table ($arch): build or run"
		continue
	fi
	what="unit: libseccomp's patched syscall table ($arch) knows $* only, each as Debian's does ($(cat "$out/seccomp_table_$arch.count"), $(head -n1 "$out/seccomp_table_$arch.out"))"
	if [ "$(head -n1 "$out/seccomp_table_debian.out")" != "$(head -n1 "$out/seccomp_table_$arch.out")" ]; then
		record SKIP "$what: the host has $(head -n1 "$out/seccomp_table_debian.out")"
	elif cmp -s "$out/seccomp_table_$arch.want" "$out/seccomp_table_$arch.out"; then
		record PASS "$what"
	else
		record FAIL "$what"; diff "$out/seccomp_table_$arch.want" "$out/seccomp_table_$arch.out" | head -20
	fi
done

# berth's printf (src/util/printf.c, CONFIG_SMALL_PRINTF) where it is used:
# linked statically with musl in place of musl's vfprintf, on each of the
# three machines; its text for each format as glibc's, and what it
# refuses refused (which shows that it, not musl's, did the formatting).
gcc -std=gnu11 -O1 -D_GNU_SOURCE -o "$out/small_printf_glibc" tests/unit/small_printf.c &&
	"$out/small_printf_glibc" > "$out/small_printf.want" 2>/dev/null || record FAIL "unit: berth's printf: the glibc reference"
for arch in x86_64 aarch64 armv7; do
	case $arch in aarch64) emu=qemu-aarch64-static;; armv7) emu=qemu-arm-static;; *) emu=;; esac
	if [ -n "$emu" ] && ! command -v "$emu" >/dev/null; then
		record SKIP "unit: berth's printf ($arch): no $emu"
		continue
	fi
	if ( . scripts/toolchain.sh && berth_toolchain "$arch" &&
	     ${BERTH_CROSS}gcc -specs "$BERTH_SPECS" -std=gnu11 -Os -static -D_GNU_SOURCE -DSMALL_PRINTF \
		-o "$out/small_printf_$arch" tests/unit/small_printf.c src/util/printf.c ) &&
	   $emu "$out/small_printf_$arch" > "$out/small_printf_$arch.out" 2> "$out/small_printf_$arch.log" &&
	   cmp -s "$out/small_printf.want" "$out/small_printf_$arch.out"; then
		record PASS "unit: berth's printf in musl's static link ($arch): glibc's text for $(wc -l < "$out/small_printf.want") calls, floating point, %p, %n, wide and numbered refused"
	else
		record FAIL "unit: berth's printf ($arch)"; tail -3 "$out/small_printf_$arch.log"
		diff "$out/small_printf.want" "$out/small_printf_$arch.out" | head -10
	fi
done

# clock_now: the clock by the system call, in musl's static link on each
# of the three machines; on armv7 also as on kernels before 5.1 (no
# clock_gettime64: the 32-bit call).
for build in "x86_64 -" "aarch64 -" "armv7 -" "armv7 -DCLOCK_GETTIME64=4095"; do
	arch=${build%% *} def=${build#* }; [ "$def" = - ] && def=
	case $arch in aarch64) emu=qemu-aarch64-static;; armv7) emu=qemu-arm-static;; *) emu=;; esac
	what="unit: clock_now ($arch${def:+, the 32-bit call}): between two reads of musl's clock_gettime, realtime and monotonic"
	if [ -n "$emu" ] && ! command -v "$emu" >/dev/null; then
		record SKIP "$what: no $emu"
		continue
	fi
	if ( . scripts/toolchain.sh && berth_toolchain "$arch" &&
	     ${BERTH_CROSS}gcc -specs "$BERTH_SPECS" -std=gnu11 -Os -static -D_GNU_SOURCE -Iinclude $def \
		-o "$out/clock_now_$arch" tests/unit/clock_now.c src/util/clock.c ) &&
	   $emu "$out/clock_now_$arch" 2> "$out/clock_now_$arch.log"; then
		record PASS "$what"
	else
		record FAIL "$what"; tail -3 "$out/clock_now_$arch.log"
	fi
done

# ...and no format string of berth's asks it for a floating-point number.
floats=$(grep -rnE '"([^"\\]|\\.)*%[-+ #0]*([0-9]+|\*)?(\.([0-9]+|\*)?)?L?[aAeEfFgG]' src include | grep -v '^src/util/printf.c:')
if [ -z "$floats" ]; then
	record PASS "unit: no format string in src/ or include/ has a floating-point conversion (berth's printf has none)"
else
	record FAIL "unit: format strings with a floating-point conversion (berth's printf refuses them)"; echo "$floats"
fi

# cJSON's numbers in berth's static build: its own decimal reader (a
# patch, scripts/patches/cjson-1-*) against the C library's strtod, on
# each of the three machines (aarch64 and armv7 under qemu-user).
for arch in x86_64 aarch64 armv7; do
	sysroot=deps/sysroot/$arch
	case $arch in aarch64) emu=qemu-aarch64-static;; armv7) emu=qemu-arm-static;; *) emu=;; esac
	if [ ! -f "$sysroot/lib/libcjson.a" ] || { [ -n "$emu" ] && ! command -v "$emu" >/dev/null; }; then
		record SKIP "unit: cJSON's numbers ($arch): no $sysroot/lib/libcjson.a or ${emu:-its emulator} (make builds the first)"
		continue
	fi
	if ( . scripts/toolchain.sh && berth_toolchain "$arch" &&
	     ${BERTH_CROSS}gcc -specs "$BERTH_SPECS" -std=gnu11 -O1 -static -isystem "$sysroot/include" \
		-o "$out/cjson_numbers_$arch" tests/unit/cjson_numbers.c -L"$sysroot/lib" -lcjson -lm ) &&
	   $emu "$out/cjson_numbers_$arch" 2> "$out/cjson_numbers_$arch.log"; then
		record PASS "unit: cJSON's numbers ($arch): as strtod reads them, printed back exactly ($(tail -n1 "$out/cjson_numbers_$arch.log"))"
	else
		record FAIL "unit: cJSON's numbers ($arch)"; tail -3 "$out/cjson_numbers_$arch.log"
	fi
done
