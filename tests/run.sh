#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The whole test suite: installs what it needs, builds every variant, runs
# unit tests, integration tests (real containers, as root), sanitizer and
# valgrind runs, the aarch64 and armv7 builds, the QEMU boards and the
# demo, the Buildroot and Yocto packages, the manuals, and the fuzzers. Last line:
# "N passed, N failed[, N skipped]"; exit status non-zero on any failure.
# QUICK=1 (make check-quick): the builds, unit and host integration tests
# only, for the edit-test loop. Each run has a test root of its own
# (TESTROOT, removed at the end when nothing failed).
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
QUICK=${QUICK:-0}
if [ -z "${TESTROOT:-}" ]; then
	TESTROOT=$(mktemp -d /tmp/berth-tests.XXXXXX) || exit 1
	chmod 755 "$TESTROOT"	# the rootless tests run as another user
	own_testroot=1
else
	own_testroot=0
	rm -rf --one-file-system "$TESTROOT" && mkdir -p "$TESTROOT"
fi
export TESTROOT
export RESULTS=$TESTROOT/results
# 15 s a target: the fuzz lane is the longest of the QEMU step (961 s
# at 30 s on the 2-core machine, the whole check 46 min against its 45;
# 904 s at 20 s, the check 45.7 min here on 2026-12-04).
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
: > "$RESULTS"
log=$TESTROOT/build.log

# Each step's duration, printed at the end: where the budget goes.
durations=$TESTROOT/durations
: > "$durations"
step_name="" step_t0=$(date +%s)
step_end() { [ -n "$step_name" ] && printf '%6ss  %s\n' $(($(date +%s) - step_t0)) "$step_name" >> "$durations"; step_name=""; }
step() { step_end; step_name=$*; step_t0=$(date +%s); echo; echo "== $*"; }
record() { echo "$1 $2" >> "$RESULTS"; echo "  $(echo "$1" | tr A-Z a-z)  $2"; }
# build DESC make-args...: a failed build is a failed test, not a crash.
build() {
	d=$1; shift
	if make -j"$(nproc)" "$@" >>"$log" 2>&1; then record PASS "build: $d"; else record FAIL "build: $d"; tail -20 "$log"; return 1; fi
}

step "dependencies"
if [ "$(id -u)" != 0 ]; then echo "tests need root (real namespaces, mounts, cgroups)"; exit 1; fi
sh scripts/install-deps.sh >>"$log" 2>&1 || { tail -20 "$log"; echo "0 passed, 1 failed"; exit 1; }

step "builds"
build "static musl x86_64" O=build/test x86_64_defconfig && build "static musl x86_64" O=build/test
build "host glibc + ASan/UBSan" O=build/asan HOST=1 SAN=1 x86_64_defconfig && build "host glibc + ASan/UBSan" O=build/asan HOST=1 SAN=1
[ "$QUICK" = 1 ] || {
build "tiny_defconfig" O=build/tiny tiny_defconfig && build "tiny_defconfig" O=build/tiny
build "aarch64 static" O=build/test-aarch64 ARCH=aarch64 aarch64_defconfig && build "aarch64 static" O=build/test-aarch64 ARCH=aarch64
build "armv7 static" O=build/test-armv7 ARCH=armv7 armv7_defconfig && build "armv7 static" O=build/test-armv7 ARCH=armv7

}

if [ "$QUICK" != 1 ]; then
	step "every configuration Kconfig allows builds and runs (allnoconfig, allyesconfig, allyesconfig without each symbol, ${RANDCONFIG_COUNT:-20} random)"
	sh tests/randconfig.sh
fi

step "unit tests"
sh tests/unit/run.sh

step "integration tests (static musl binary)"
export BERTH=$top/build/test/berth
for t in tests/integration/*.sh; do
	echo "-- $t"
	sh "$t"
done

if [ "$QUICK" != 1 ]; then
step "integration tests under ASan/UBSan"
for t in lifecycle process resources seccomp exec terminal supervise supervise_hostile network image_root image_store image_update; do
	echo "-- tests/integration/$t.sh (ASan/UBSan)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 BERTH=$top/build/asan/berth T=$t-asan sh tests/integration/$t.sh
done

step "tiny build runs a container"
BERTH=$top/build/tiny/berth FULL=$top/build/test/berth sh tests/tiny.sh

step "aarch64 and armv7 under qemu-user"
for a in aarch64:qemu-aarch64-static armv7:qemu-arm-static; do
	arch=${a%%:*} qemu=${a#*:} bin=$top/build/test-${a%%:*}/berth
	out=$($qemu "$bin" --version 2>&1)
	if echo "$out" | grep -q "berth version"; then record PASS "$arch: --version"; else record FAIL "$arch: --version"; fi
	rm -rf "$TESTROOT/$arch" && mkdir -p "$TESTROOT/$arch"
	if $qemu "$bin" spec -b "$TESTROOT/$arch" && jq -e '.ociVersion' "$TESTROOT/$arch/config.json" >/dev/null; then
		record PASS "$arch: spec writes valid JSON"; else record FAIL "$arch: spec writes valid JSON"; fi
	if $qemu "$bin" check "$top/docs/examples" >/dev/null; then record PASS "$arch: check accepts docs/examples"; else record FAIL "$arch: check accepts docs/examples"; fi
done
# aarch64_defconfig sets LINK_4K_PAGES: no 64 KiB padding (the boards' kernels use 4 KiB pages).
a=$(readelf -lW "$top/build/test-aarch64/berth" | awk '$1 == "LOAD" { print $NF; exit }')
if [ "$a" = 0x1000 ]; then record PASS "aarch64: LINK_4K_PAGES lays segments out for 4 KiB pages"; else record FAIL "aarch64: LINK_4K_PAGES lays segments out for 4 KiB pages ($a)"; fi

# The VMs run in two lanes side by side: x86_64's VMs in one, the arm
# boards in the other. They share no state: each script has its work
# directory under build/, each board its download cache, and results are
# appended one line at a time.
vms_x86_64() {
	echo "-- pure cgroup v2 in QEMU (Debian kernel, TCG)"
	sh tests/qemu/run.sh x86_64 "$top/build/test/berth"
	echo "-- systemd as PID 1 in QEMU: --systemd-cgroup against Debian's systemd"
	sh tests/qemu/systemd.sh x86_64 "$top/build/test/berth"
	echo "-- the x86_64 board: berth as PID 1, under busybox init, watchdog, kernel command line, a poweroff with nothing running, emergency shell; the demo"
	sh tests/qemu/boot.sh x86_64 "$top/build/test/berth"
	sh tests/qemu/demo.sh x86_64
}
# The power cuts (tests/qemu/powercut.sh, POWERCUT_RUNS in all) run in
# two halves, at the end of the arm lane and of the fuzz lane, each on the
# x86_64 kernel the first lane fetched minutes before.
powercut_half() {	# NAME 1|0: the half that takes an odd one
	_n=$(( (${POWERCUT_RUNS:-20} + $2) / 2 ))
	echo "-- power cuts during image updates on the x86_64 board ($_n cuts, run $1)"
	POWERCUT_RUNS=$_n sh tests/qemu/powercut.sh x86_64 "$top/build/test/berth" "$1"
}
boards_arm() {
	for arch in aarch64 armv7; do
		echo "-- the $arch board: berth as PID 1, under busybox init, watchdog, kernel command line, a poweroff with nothing running, emergency shell; the demo"
		sh tests/qemu/boot.sh $arch "$top/build/test-$arch/berth"
		sh tests/qemu/demo.sh $arch "$top/build/test-$arch/berth"
	done
	powercut_half a 1
}
# A TCG guest waits for its timers about a third of the time: the two
# lanes keep about 1.3 of 2 cores busy (boot.sh: 49 s of CPU in 76 s).
# The fuzzers (one process at a time, their own build directory, seeds
# from the integration tests above) take the rest, in a third lane, then
# the other half of the power cuts.
fuzzers() {
	sh tests/fuzz/run.sh "$FUZZ_SECONDS"
	powercut_half b 0
}
step "QEMU, two lanes side by side: the cgroup v2 and systemd VMs and the x86_64 board | the aarch64 and armv7 boards; beside them, the fuzzers (${FUZZ_SECONDS}s per target) and the power cuts"
lanes=$TESTROOT/lanes
mkdir -p "$lanes"
for l in vms_x86_64 boards_arm fuzzers; do
	( t0=$(date +%s); $l > "$lanes/$l.out" 2>&1; echo $(($(date +%s) - t0)) > "$lanes/$l.time" ) &
done
wait
for l in vms_x86_64 boards_arm fuzzers; do
	echo "-- lane $l ($(cat "$lanes/$l.time") s)"
	cat "$lanes/$l.out"
	printf '%6ss    lane %s\n' "$(cat "$lanes/$l.time")" "$l" >> "$durations"
done

step "sizes: the README's size table is what the builds make"
if out=$(sh scripts/size-table.sh --check 2>&1); then record PASS "README size table matches the builds"
else record FAIL "README size table matches the builds (scripts/size-table.sh --write)"; echo "$out" | tail -12; fi
# The clone's own path built in (an assert's file name) makes the bytes,
# and the size, depend on where it was built: CI's clone failed the table.
named=$(grep -l -F "$top/" build/size-*/berth || true)
if [ -z "$named" ]; then record PASS "the size builds name no build directory (the same bytes from any clone)"
else record FAIL "the size builds name no build directory: $(echo $named)"; fi

step "packaging and manuals: olddefconfig without kconfig-frontends, man pages, Buildroot, Yocto"
for t in olddefconfig man buildroot yocto dist; do
	echo "-- tests/packaging/$t.sh"
	BERTH=$top/build/test/berth sh tests/packaging/$t.sh
done

fi
step_end

pass=$(grep -c '^PASS' "$RESULTS")
fails=$(grep -c '^FAIL' "$RESULTS")
skips=$(grep -c '^SKIP' "$RESULTS")
echo; echo "time per step:"; cat "$durations"
if [ "$skips" -gt 0 ]; then echo; echo "skipped:"; grep '^SKIP' "$RESULTS" | sed 's/^/  /'; fi
if [ "$fails" -gt 0 ]; then
	echo; echo "failures:"; grep '^FAIL' "$RESULTS" | sed 's/^/  /'
	echo "(logs and results kept in $TESTROOT)"
elif [ "$own_testroot" = 1 ]; then
	rm -rf --one-file-system "$TESTROOT"
fi
echo
if [ "$skips" -gt 0 ]; then echo "$pass passed, $fails failed, $skips skipped"; else echo "$pass passed, $fails failed"; fi
[ "$fails" -eq 0 ]
