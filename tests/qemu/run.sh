#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot Debian's kernel under QEMU (TCG) with a busybox initramfs holding
# berth and the integration tests, on a pure cgroup v2 mount: the v2 code
# paths (unified limits, the eBPF device program, cgroup.freeze) that
# this hybrid host does not exercise. Results are recorded as
# "qemu-ARCH cgroup2: ..." in $RESULTS.
# usage: tests/qemu/run.sh ARCH BERTH   (ARCH: x86_64)
# VM_TESTS="integration/ipvlan.sh ...": those instead of tests/qemu/tests.
set -u
arch=$1 berth=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/qemu-$arch
. "$top/tests/qemu/lib.sh"
board_kernel >/dev/null || { record FAIL "qemu-$arch: kernel"; exit 0; }

rm -rf "$work" && mkdir -p "$work"
r=$work/root
vm_tree "$r" "$berth"
board_modules "$r"	# the network's, for ipvlan.sh (this host's kernel has no ipvlan)
mkdir -p "$r/lib/jq" "$r/tests" "$r/usr/share/containers"
# jq (the tests' JSON tool) with the libraries it needs.
cp /usr/bin/jq "$r/bin/jq"
for lib in $(ldd /usr/bin/jq | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
	mkdir -p "$r$(dirname "$lib")"; cp -L "$lib" "$r$lib"
done
cp -r "$top/tests/lib.sh" "$top/tests/integration" "$top/tests/seccomp" "$top/tests/qemu" "$r/tests/"
# The helpers a test puts in its containers, built here (the VM has no compiler).
mkdir -p "$r/tests/bin" && cc -static -O2 -o "$r/tests/bin/fork_chain" "$top/tests/helpers/fork_chain.c"
[ -z "${VM_TESTS:-}" ] || echo "$VM_TESTS" | tr ' ' '\n' > "$r/tests/qemu/tests"
mkdir -p "$r/docs" && cp -r "$top/docs/examples" "$r/docs/"
[ -f /usr/share/containers/seccomp.json ] && cp /usr/share/containers/seccomp.json "$r/usr/share/containers/"
cp "$top/tests/qemu/init" "$r/sbin/init" && chmod +x "$r/sbin/init"
vm_boot "$r" "$work/console.log"
vm_results "$work/console.log" "qemu-$arch cgroup2" $?
