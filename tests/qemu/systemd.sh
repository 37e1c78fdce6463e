#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Boot Debian's kernel under QEMU (TCG) with Debian's systemd (this
# machine's, with the libraries it links) as PID 1 on cgroup v2, and run
# tests/integration/systemd_cgroup.sh there: --systemd-cgroup against a
# real systemd. Results are recorded as "qemu-ARCH systemd: ...".
# usage: tests/qemu/systemd.sh ARCH BERTH   (ARCH: x86_64)
set -u
arch=$1 berth=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/qemu-systemd-$arch
. "$top/tests/qemu/lib.sh"
what="qemu-$arch systemd"
sd=/lib/systemd/systemd
if [ ! -x "$sd" ] || ! command -v systemctl >/dev/null; then
	record SKIP "$what: --systemd-cgroup against systemd (Debian's systemd is not installed here)"
	exit 0
fi
board_kernel >/dev/null || { record FAIL "$what: kernel"; exit 0; }

rm -rf "$work" && mkdir -p "$work"
r=$work/root
vm_tree "$r" "$berth"
# copy_with_libs FILE...: each file at its own path, with what it links.
copy_with_libs() {
	for f in "$@"; do
		for g in "$f" $(ldd "$f" | awk '/=>/ { print $3 } /^\t\/.*ld-linux/ { print $1 }'); do
			[ -e "$r$g" ] && continue
			mkdir -p "$r$(dirname "$g")" && cp -L "$g" "$r$g"
		done
	done
}
copy_with_libs "$sd" "$(command -v systemctl)" /usr/bin/jq
ln -sf "$sd" "$r/sbin/init"
mkdir -p "$r/etc/systemd/system" "$r/tests" "$r/var/tmp"
cp /usr/lib/os-release "$r/etc/os-release"
: > "$r/etc/machine-id"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
cp -r "$top/tests/lib.sh" "$top/tests/integration" "$r/tests/"
# The unit the machine boots into: the tests, then power off.
cat > "$r/etc/systemd/system/berth-test.service" <<'UNIT'
[Unit]
Description=berth's --systemd-cgroup tests
DefaultDependencies=no

[Service]
Type=oneshot
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console
Environment=PATH=/bin:/sbin:/usr/bin BERTH=/bin/berth RESULTS=/tmp/results TESTROOT=/tmp/berth-tests BUSYBOX=/bin/busybox
ExecStart=/bin/sh /tests/run-in-vm.sh
UNIT
# The tests, with a bound of their own (one run takes 45-60 s here, a few
# minutes beside the other lanes): past it, what every process waits on
# goes to the console, so that a hang says whether it is berth's (a
# process of the tests asleep in some call) or the emulated kernel's (no
# output at all: under TCG on a loaded machine a kernel has locked up,
# see powercut.sh), and the VM stops long before the host's bound.
cat > "$r/tests/run-in-vm.sh" <<'SH'
echo "berth-vm: systemd $(systemctl --version | head -n1), $(cat /sys/fs/cgroup/cgroup.controllers)"
: > /tmp/results
timeout "${VM_TEST_TIMEOUT:-600}" sh /tests/integration/systemd_cgroup.sh; rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 143 ]; then
	echo "berth-vm: the tests did not end within ${VM_TEST_TIMEOUT:-600} s; each process (not the kernel's), its state and what it waits on:"
	for p in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null | cut -c1-120)
		[ -n "$cmd" ] && echo "berth-vm:   ${p#/proc/} $(awk '/^State:/ { print $2 }' "$p/status" 2>/dev/null) $(cat "$p/wchan" 2>/dev/null) | $cmd"
	done
	echo "FAIL systemd_cgroup: the tests ended within ${VM_TEST_TIMEOUT:-600} s (the processes above)" >> /tmp/results
fi
echo ===BERTH-RESULTS===
cat /tmp/results
echo ===BERTH-END===
poweroff -f
SH
# SYSTEMD_DEBUG=1: systemd's own log on the console, to see what it did.
log="systemd.log_level=warning"
[ -z "${SYSTEMD_DEBUG:-}" ] || log="systemd.log_level=debug systemd.log_target=console"
VM_CMDLINE="systemd.unit=berth-test.service systemd.show_status=0 $log" \
	vm_boot "$r" "$work/console.log" 900
vm_results "$work/console.log" "$what" $?
