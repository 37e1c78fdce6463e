#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# berth at boot on a QEMU board (board/qemu-ARCH: Debian's kernel, a
# busybox userland): as /sbin/init (PID 1), and as a service of busybox
# init (inittab); with a watchdog; with berth.* on the kernel command line;
# with no services (an emergency shell); with one that failed, then a
# poweroff (idle). MODES (default: all) picks some. Services
# start at boot in dependency order; a killed container comes back; the
# web service answers; `berth ctl poweroff` powers the VM off cleanly.
# A "selftest" service (sharing the VM's pid and network namespaces, with
# berth and the control socket mounted in) drives it from inside and
# prints BOOT-TEST lines on the console, which this script checks.
# usage: [MODES="pid1 inittab"] tests/qemu/boot.sh ARCH BERTH   (ARCH: x86_64, aarch64, armv7)
set -u
arch=$1 berth=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/qemu-boot-$arch
. "$top/tests/qemu/lib.sh"
kernel=$(board_kernel) || { record FAIL "qemu-$arch boot: kernel"; exit 0; }
mkdir -p "$work"

# tree MODE: the board's initramfs (board/qemu-ARCH, as `make demo` boots
# it), berth as PID 1 or under busybox init, plus a selftest service and
# what MODE changes.
tree() {
	r=$work/root-$1
	case $1 in inittab|watchdog) v=inittab;; *) v=pid1;; esac
	board_tree "$r" "$berth" $v || return 1
	cat > "$r/etc/berth/selftest.conf" <<'CONF'
[service]
rootfs = /srv/busybox
exec = sh /run/selftest.sh
requires = web
restart = no
log-console = yes
[container]
mount = /bin/berth:/usr/bin/berth:ro
mount = /run/berth:/run/berth
mount = /etc/selftest.sh:/run/selftest.sh:ro
mount = /modprobe.calls:/run/modprobe.calls:ro
namespaces = ipc uts mount
capability = CAP_KILL
capability = CAP_SYS_PTRACE
CONF
	# Each call of modprobe, in /modprobe.calls: /etc/modules's (a name
	# each) must come once, whatever init re-runs itself.
	rm "$r/sbin/modprobe"
	# A comment longer than a line buffer: its tail is no module (an
	# fgets reader once ran it as one).
	printf '# %0600d tail\n' 0 | tr 0 x >> "$r/etc/modules"
	printf '#!/bin/sh\necho "$*" >> /modprobe.calls\nexec /bin/busybox modprobe "$@"\n' > "$r/sbin/modprobe"
	chmod 755 "$r/sbin/modprobe"
	: > "$r/modprobe.calls"
	cat > "$r/etc/selftest.sh" <<'SH'
say() { echo "BOOT-TEST $*"; }
twice=$(grep -v -- '^-' /run/modprobe.calls | sort | uniq -d | tr '\n' ' ')
[ -s /run/modprobe.calls ] && [ -z "$twice" ] && say ok modules-loaded-once || say fail modules-loaded-once "[twice: $twice]"
grep -q xxxxxxxx /run/modprobe.calls && say fail modules-long-comment || say ok modules-long-comment
# until_true SECONDS TEST...: until TEST holds, at most SECONDS by the
# clock (/proc/uptime: a loop's turn costs much more than its sleep on an
# emulated ARM board, so turns are not counted).
up() { awk '{ printf "%d", $1 }' /proc/uptime; }
until_true() { _end=$(($(up) + $1)); shift; until "$@"; do [ "$(up)" -ge "$_end" ] && return 1; sleep 0.2; done; }
is() { [ "$(state "$1")" = "$2" ]; }
pidof_svc() { berth ctl list | awk -v n="$1" '$1 == n && $2 == "ready" { print $3 }'; }
state() { berth ctl list | awk -v n="$1" '$1 == n { print $2 }'; }
[ "$(state setup)" = done ] && say ok setup-done || say fail setup-done
pid=$(pidof_svc web)
[ -n "$pid" ] && say ok web-ready || say fail web-ready
# web is on the device's bridge: the device reaches it at its address.
addr=$(berth ctl status web | awk '/^addresses:/ { split($2, a, "/"); print a[1] }')
out=$(wget -q -O - "http://$addr/index.html")
[ "$out" = hello-from-berth ] && say ok web-answers || say fail web-answers "[$addr: $out]"
# Its published port, from the machine running QEMU (this script's
# caller, through QEMU's forward to the device's 8080): wait until that
# request is in web's log.
outside_done() { berth ctl logs web | grep -q 'url:/outside-done'; }
until_true 120 outside_done
# The kill below comes after welcome has shown web ready (make demo's list).
until_true 120 is welcome done
kill -9 "$pid"
restarted() { p2=$(pidof_svc web); [ -n "$p2" ] && [ "$p2" != "$pid" ]; }
until_true 60 restarted && say ok killed-container-restarted || say fail killed-container-restarted
# PID 1 (or the supervisor under busybox init) and the containers it
# clones run from a sealed copy of berth, not from the file (CVE-2019-5736);
# a `berth ctl` client (the console's `ctl wait`) and `berth console-shell`
# (before it becomes the shell) run no container.
# A process in the middle of an execve (the console's berth console-shell
# becoming the shell, at times) can show its old exe with its new command
# line, or its new exe with none yet: its exe is read on both sides of
# its command line, until the two agree and the line is there.
on_disk="" sealed=0
for p in /proc/[0-9]*; do
	exe="" cmd=""
	for try in 1 2 3 4 5; do
		e1=$(readlink "$p/exe" 2>/dev/null) && [ -n "$e1" ] || break	# a kernel thread, or gone
		cmd=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)
		e2=$(readlink "$p/exe" 2>/dev/null)
		[ "$e1" = "$e2" ] && [ -n "$cmd" ] && { exe=$e1; break; }
	done
	case $exe in
		/bin/berth|/sbin/init) echo "$cmd" | grep -Eq ' (ctl|console-shell) ' || on_disk="$on_disk ${p#/proc/}:$cmd";;
		*memfd:berth*) sealed=$((sealed + 1));;
	esac
done
[ -z "$on_disk" ] && [ "$sealed" -gt 0 ] && say ok sealed-binary || say fail sealed-binary "[on disk:$on_disk; $sealed sealed]"
until_true 120 is crashy failed && say ok crash-loop-failed || say fail crash-loop-failed "[$(state crashy)]"
until_true 120 is welcome done
berth ctl list
say ok powering-off
berth ctl poweroff
SH
	if [ "$1" = watchdog ]; then
		# softdog, which only says so when it fires, and a critical
		# service that fails: the watchdog must go unfed then, not before.
		cp "$(dirname "$kernel")/softdog.ko" "$(dirname "$kernel")/watchdog.ko" "$r/"
		rm "$r/etc/berth/web.conf" "$r/etc/berth/crashy.conf" "$r/etc/berth/selftest.conf" "$r/etc/berth/welcome.conf"
		printf '[service]\nrootfs = /srv/busybox\nexec = sh -c "sleep 4; exit 1"\ncritical = yes\nrestart-limit = 1\n' \
			> "$r/etc/berth/crit.conf"
		printf '[service]\nrootfs = /srv/busybox\nexec = sh -c "sleep 12; berth ctl poweroff"\nrestart = no\n[container]\nmount = /bin/berth:/usr/bin/berth:ro\nmount = /run/berth:/run/berth\n' \
			> "$r/etc/berth/later.conf"
	fi
	if [ "$1" = cmdline ]; then
		# berth.skip keeps crashy down; a service with failure-action =
		# reboot reboots the VM once it has failed. By then no other
		# service runs (the selftest stops web, then ends): no other
		# container's exit comes to move the reboot along.
		rm "$r/etc/berth/welcome.conf"
		printf '[service]\nrootfs = /srv/busybox\nexec = sh -c "sleep 25; exit 1"\nrestart-limit = 1\nfailure-action = reboot\n' \
			> "$r/etc/berth/doomed.conf"
		cat > "$r/etc/selftest.sh" <<'SH'
st=$(berth ctl list | awk '$1 == "crashy" { print $2 }')
berth ctl status crashy | grep -q "skipped (berth.skip" && [ "$st" = stopped ] && echo "BOOT-TEST ok skipped" || echo "BOOT-TEST fail skipped [$st]"
berth ctl stop web
berth ctl list
SH
	fi
	if [ "$1" = inittab ]; then
		# busybox init starts the console's shell once the boot has
		# settled (berth ctl wait): power off only after this script's
		# caller has typed into it.
		sed -i 's|^say ok powering-off|until_true 600 test -e /run/berth/console-typed\n&|' "$r/etc/selftest.sh"
	fi
	if [ "$1" = emergency ]; then
		rm -rf "$r/etc/berth"	# nothing to supervise: a shell on the console
	fi
	if [ "$1" = idle ]; then
		# One service, whose container cannot be made (its rootfs is
		# not there): once it has failed, nothing runs, and a poweroff
		# typed on the console must not wait for a container to exit
		# (PID 1 once waited for good: with no child left, no signal
		# came to wake it).
		rm "$r"/etc/berth/*.conf
		printf '[service]\nrootfs = /srv/missing\nexec = true\nrestart = no\n' > "$r/etc/berth/broken.conf"
	fi
	if [ "$1" = watchdog ]; then
		sed -i 's|^::respawn:/bin/berth supervise|::sysinit:/bin/insmod /watchdog.ko\n::sysinit:/bin/insmod /softdog.ko soft_margin=2 soft_noboot=1\n& --watchdog|' "$r/etc/inittab"
	fi
}

# console_type LOG LINE...: type each line into the console's shell once
# it has asked for it: its prompt ("/ # ") in LOG once more than the lines
# typed so far (berth console-shell turned echo off: nobody here answers
# a terminal query, so typed lines are not echoed and cannot be mistaken
# for a prompt).
console_type() {
	_log=$1; shift; _n=0
	for _l in "$@"; do
		_n=$((_n + 1)) _end=$(($(date +%s) + 600))
		until [ "$(tr -d '\r' < "$_log" | grep -o '/ # ' | wc -l)" -ge "$_n" ]; do
			[ "$(date +%s)" -ge "$_end" ] && return 1
			sleep 0.2
		done
		printf '%s\n' "$_l"
	done
}

# one_query LOG WHAT: nobody answers a terminal query on this console (the
# script records it), so the only one on it is berth's probe; ash, with
# echo off, sends none after its prompts.
one_query() {
	_q=$(grep -o "$(printf '\033')\[6n" "$1" | wc -l)
	if [ "$_q" = 1 ] && grep -q "did not answer a terminal query" "$1"; then
		record PASS "$2: one terminal query on the console (berth's probe), none from the shell"
	else record FAIL "$2: one terminal query on the console (berth's probe), none from the shell ($_q queries; see $1)"; fi
}

# from_outside LOG OUT: once the selftest saw web answer, what the
# machine running QEMU gets from the board's published port (into OUT),
# then the request the selftest waits for.
from_outside() {
	: > "$2"
	wait_line "$1" "BOOT-TEST (ok|fail) web-answers" 900 || return
	timeout 20 busybox wget -q -O - "http://127.0.0.1:$BOARD_HTTP_PORT/index.html" > "$2" 2>&1
	timeout 20 busybox wget -q -O - "http://127.0.0.1:$BOARD_HTTP_PORT/outside-done" > /dev/null 2>&1
}

for mode in ${MODES:-pid1 inittab watchdog cmdline idle emergency}; do
	tree $mode || { record FAIL "qemu-$arch boot ($mode): the board's initramfs"; continue; }
	log=$work/console-$mode.log
	# The host's port forwarded to the board's 8080: one of its own
	# (the other lane's boards boot meanwhile).
	BOARD_HTTP_PORT=$(board_free_port $((18080 + $(printf '%s' "$arch$mode" | cksum | cut -c1-3))))
	export BOARD_HTTP_PORT
	outside=$work/outside-$mode
	from=
	case $mode in pid1|inittab) : > "$log"; from_outside "$log" "$outside" & from=$!;; esac
	case $mode in
		# The shell comes once the boot has settled: type then.
		cmdline) : > "$log"; console_type "$log" 'echo SHELL-$((40+2))' |
			VM_CMDLINE="berth.skip=crashy berth.cgroup=v1 berth.debug berth.shell" vm_boot "$work/root-$mode" "$log" 600;;
		# Once broken has failed (the boot has settled then), power off.
		idle) : > "$log"; console_type "$log" 'berth ctl list; berth ctl poweroff' |
			VM_CMDLINE="berth.shell" vm_boot "$work/root-$mode" "$log" 300;;
		# The shell reads the serial console: type into it.
		emergency) : > "$log"; console_type "$log" 'echo EMERGENCY-$((40+2))' exit |
			vm_boot "$work/root-$mode" "$log" 600;;
		# The console's shell comes once the boot has settled: type then.
		# (And after welcome's lines: a boot that settles at its time
		# limit, on a slow board, gives the prompt before welcome is done,
		# and typed text would land in the middle of its list.)
		inittab) : > "$log"; (wait_line "$log" '\[welcome\] try:' 600
			console_type "$log" 'echo SHELL-$((40+2)); touch /run/berth/console-typed') |
			vm_boot "$work/root-$mode" "$log" 600;;
		*) vm_boot "$work/root-$mode" "$log" 600;;
	esac
	rc=$?
	[ -n "$from" ] && { kill "$from" 2>/dev/null; wait "$from" 2>/dev/null; }
	if [ $mode = cmdline ]; then
		if grep -q "BOOT-TEST ok skipped" "$log"; then record PASS "qemu-$arch boot: berth.skip=NAME on the kernel command line"
		else record FAIL "qemu-$arch boot: berth.skip=NAME on the kernel command line"; fi
		grep -q "init: berth.debug berth.shell berth.cgroup=v1 berth.skip=" "$log" &&
			record PASS "qemu-$arch boot: berth.debug on the kernel command line" ||
			record FAIL "qemu-$arch boot: berth.debug on the kernel command line"
		grep -q "^SHELL-42" "$log" && record PASS "qemu-$arch boot: berth.shell: a shell on the console beside the services" ||
			record FAIL "qemu-$arch boot: berth.shell: a shell on the console beside the services (see $log)"
		one_query "$log" "qemu-$arch boot: berth.shell"
		# The prompt comes after the boot's summary, not buried under it.
		tr -d '\r' < "$log" | awk '/supervisor: boot (settled|still busy)/ { s = NR } /init: a shell on the console/ { if (!h) h = NR }
			END { exit !(s && h > s) }' &&
			record PASS "qemu-$arch boot: berth.shell: the shell starts once the boot has settled" ||
			record FAIL "qemu-$arch boot: berth.shell: the shell starts once the boot has settled (see $log)"
		grep -q "init: cgroup v1, one hierarchy per controller" "$log" &&
			record PASS "qemu-$arch boot: berth.cgroup=v1: the services run on v1 hierarchies" ||
			record FAIL "qemu-$arch boot: berth.cgroup=v1: the services run on v1 hierarchies"
		# web stopped (the selftest's stop) before doomed's failure.
		web_down=$(tr -d '\r' < "$log" | awk '/service web: exited: stopping -> stopped/ { w = NR }
			/failure-action = reboot/ { if (!f) f = NR } END { print (w && f > w) ? "yes" : "no" }')
		if [ "$web_down" = yes ] && grep -q "reboot: Restarting system" "$log"; then
			record PASS "qemu-$arch boot: failure-action = reboot reboots the device, with no other service running"
		else
			record FAIL "qemu-$arch boot: failure-action = reboot reboots the device, with no other service running"; tail -20 "$log"
		fi
		continue
	fi
	if [ $mode = idle ]; then
		if grep -q "service broken: root.path /srv/missing" "$log" && [ $rc -eq 0 ] && grep -q "reboot: Power down" "$log"; then
			record PASS "qemu-$arch boot: its one service failed, ctl poweroff powers the VM off"
		else
			record FAIL "qemu-$arch boot: its one service failed, ctl poweroff powers the VM off (qemu exit $rc)"; tail -20 "$log"
		fi
		continue
	fi
	if [ $mode = emergency ]; then
		if grep -q "a shell on the console" "$log" && grep -q "^EMERGENCY-42" "$log" && grep -q "reboot: Restarting system" "$log"; then
			record PASS "qemu-$arch boot: no services: an emergency shell on the console, then a reboot"
		else
			record FAIL "qemu-$arch boot: no services: an emergency shell on the console, then a reboot"; tail -20 "$log"
		fi
		one_query "$log" "qemu-$arch boot: the emergency shell"
		continue
	fi
	if [ $mode = watchdog ]; then
		fed=$(grep -n 'no longer petting the watchdog' "$log" | head -n1 | cut -d: -f1)
		fired=$(grep -n 'softdog: Triggered' "$log" | head -n1 | cut -d: -f1)
		if grep -q 'watchdog /dev/watchdog: 2 s timeout' "$log"; then record PASS "qemu-$arch watchdog: opened, 2 s timeout"
		else record FAIL "qemu-$arch watchdog: opened, 2 s timeout"; tail -20 "$log"; fi
		if [ -n "$fed" ] && [ -n "$fired" ] && [ "$fired" -gt "$fed" ]; then
			record PASS "qemu-$arch watchdog: petted until a critical service failed, then it fired"
		else
			record FAIL "qemu-$arch watchdog: petted until a critical service failed, then it fired" "(lines $fed, $fired)"
		fi
		continue
	fi
	if [ $mode = inittab ]; then
		grep -q "^SHELL-42" "$log" && record PASS "qemu-$arch boot (inittab): a shell on the console" ||
			record FAIL "qemu-$arch boot (inittab): a shell on the console (see $log)"
		one_query "$log" "qemu-$arch boot (inittab): berth console-shell"
		# Its prompt comes after the boot's summary, not buried under it.
		tr -d '\r' < "$log" | awk '/supervisor: boot (settled|still busy)/ { if (!s) s = NR } /\/ # / { if (!h) h = NR }
			END { exit !(s && h > s) }' &&
			record PASS "qemu-$arch boot (inittab): the console's shell starts once the boot has settled (berth ctl wait)" ||
			record FAIL "qemu-$arch boot (inittab): the console's shell starts once the boot has settled (berth ctl wait) (see $log)"
	fi
	got=$(cat "$outside" 2>/dev/null)
	if [ "$got" = hello-from-berth ]; then record PASS "qemu-$arch boot ($mode): web's published port answers the machine running QEMU"
	else record FAIL "qemu-$arch boot ($mode): web's published port answers the machine running QEMU (127.0.0.1:$BOARD_HTTP_PORT: wanted [hello-from-berth], got [$got]; see $log)"; fi
	for t in modules-loaded-once modules-long-comment setup-done web-ready web-answers killed-container-restarted sealed-binary crash-loop-failed powering-off; do
		if grep -q "BOOT-TEST ok $t" "$log"; then record PASS "qemu-$arch boot ($mode): $t"
		else record FAIL "qemu-$arch boot ($mode): $t"; fi
	done
	# What `make demo` shows: the backoff, then the list from welcome.
	delays=$(tr -d '\r' < "$log" | sed -n 's/.*service crashy: restarting in \([0-9]*\) ms.*/\1/p' | tr '\n' ' ')
	if [ "$delays" = "500 1000 2000 4000 " ] && grep -q "service crashy: failed: 5 failures in a row" "$log"; then
		record PASS "qemu-$arch boot ($mode): crashy is restarted after 0.5, 1, 2, 4 s, then failed"
	else record FAIL "qemu-$arch boot ($mode): crashy is restarted after 0.5, 1, 2, 4 s, then failed [$delays]"; fi
	if grep -q '^\[welcome\] web  *ready' "$log" && grep -q '^\[welcome\] crashy  *failed' "$log"; then
		record PASS "qemu-$arch boot ($mode): welcome shows berth ctl list on the console"
	else record FAIL "qemu-$arch boot ($mode): welcome shows berth ctl list on the console"; fi
	if [ $rc -eq 0 ] && grep -q "reboot: Power down" "$log"; then record PASS "qemu-$arch boot ($mode): ctl poweroff powers the VM off"
	else record FAIL "qemu-$arch boot ($mode): ctl poweroff powers the VM off (qemu exit $rc)"; tail -20 "$log"; fi
done
