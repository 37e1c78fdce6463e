#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The supervisor, not as PID 1: services from INI files started in
# dependency order with readiness, restarts with backoff (timestamps),
# the crash-loop limit, ctl, logs (ring, follow, rotation), shutdown in
# reverse dependency order, and broken files next to good ones.
. "$(dirname "$0")/../lib.sh"
if ! "$BERTH" supervise --help >/dev/null 2>&1; then skip "supervisor" "not in this build"; exit 0; fi
make_rootfs_cache
sd=$TESTROOT/supervise
rm -rf "$sd" && mkdir -p "$sd/conf" "$sd/shared" && cp -a "$ROOTFS_CACHE" "$sd/rootfs"
SOCK=$sd/ctl.sock
ctl() { "$BERTH" ctl -s "$SOCK" "$@"; }
# svc NAME [KEY=VALUE lines...]: a service on the shared rootfs; the
# shared host directory is /shared inside.
svc() {
	_n=$1; shift
	{ echo "[service]"; echo "rootfs = $sd/rootfs"; for l in "$@"; do echo "$l"; done
	  echo "[container]"; echo "mount = $sd/shared:/shared"; } > "$sd/conf/$_n.conf"
}
# state NAME: its state in `ctl list`
state() { ctl list 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }
state_is() { [ "$(state "$1")" = "$2" ]; }
# Generous deadlines: under ASan on a loaded machine a start takes seconds.
wait_state() { wait_until 30 state_is "$1" "$2"; }
UP='cut -d" " -f1 /proc/uptime'

svc setup 'exec = sh -c "echo setup ran; sleep 0.3; echo ok > /shared/setup-done"' 'restart = no' 'ready = exit'
svc web "exec = sh -c 'cat /shared/setup-done; echo \$(hostname) up; trap \"echo stop web \$($UP) >> /shared/stops; exit 0\" TERM; while :; do sleep 0.05; done'" \
	'requires = setup' 'restart = always' 'restart-delay = 100ms'
svc db "exec = sh -c 'sleep 0.4; echo > /shared/db-ready-file; echo >&\$BERTH_NOTIFY_FD; trap \"echo stop db \$($UP) >> /shared/stops; exit 0\" TERM; while :; do sleep 0.05; done'" \
	'ready = notify'
svc app "exec = sh -c 'ls /shared/db-ready-file && echo db was ready; trap \"echo stop app \$($UP) >> /shared/stops; exit 0\" TERM; while :; do sleep 0.05; done'" \
	'requires = db' 'after = web'
svc crash "exec = sh -c 'echo start \$($UP) >> /shared/crash-starts; exit 3'" \
	'restart = on-failure' 'restart-delay = 200ms' 'restart-max-delay = 800ms' 'restart-limit = 5'
svc kmsg "exec = sh -c 'echo kmsg-line-\$\$-marker; exec sleep 1000'" 'log-kmsg = yes' 'log-console = yes' 'stop-signal = KILL'
svc chatty 'exec = sh -c "i=0; while [ \$i -lt 100 ]; do echo line-\$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=\$((i+1)); done; exec sleep 1000"' \
	"log-file = $sd/chatty.log" 'log-file-size = 2k' 'log-files = 2' 'stop-timeout = 200ms'
svc shell "exec = sh -c 'echo hello-before-attach; exec sh'" 'terminal = yes' 'stop-signal = KILL'
svc broken 'exec = true' 'memory.max = 64Q'
svc noexec 'exec = /no/such/program' 'restart = no'
svc needsnoexec 'exec = true' 'requires = noexec'
svc orphan 'exec = true' 'requires = nosuchservice'
svc loop1 'exec = true' 'requires = loop2'
svc loop2 'exec = true' 'after = loop1'

here=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$("$BERTH" check "$here"/docs/examples/*.conf 2>&1)
expect_match "the documented examples pass berth check" "3 service files, 0 with errors" "$OUT"
OUT=$("$BERTH" check "$sd/conf" 2>&1)
expect_match "check: names the broken file, line and key" "broken.conf:4: memory.max: unknown key in \[service\]" "$OUT"
expect_match "check: an unknown dependency" "orphan.conf: requires \"nosuchservice\", which has no service file" "$OUT"
expect_match "check: a dependency cycle" "loop2.conf: dependency cycle: loop1 -> loop2 -> loop1" "$OUT"
expect_match "check: counts the files" "14 service files, 4 with errors" "$OUT"

# ctl wait, started before the supervisor is: it looks for the socket
# until it appears, then answers once the boot has settled.
ctl wait --timeout 120 > "$sd/wait.out" 2> "$sd/wait.err" & WP=$!
"$BERTH" --root "$ROOT" supervise --config-dir "$sd/conf" --socket "$SOCK" > "$sd/supervisor.log" 2>&1 & SP=$!
wait_until 20 test -S "$SOCK"
check "supervisor: control socket" test -S "$SOCK"
wait_state web ready && wait_state app ready
expect "a one-shot task runs to success" done "$(state setup)"
expect_match "requires + ready = exit: web started after setup finished" "^ok$" "$(ctl logs web)"
expect_match "the hostname is the service's name" "^web up$" "$(ctl logs web)"
expect_match "ready = notify: app started after db said ready" "db was ready" "$(ctl logs app)"
expect "a broken file: that service only" broken "$(state broken)"
expect "requires of an unknown service: not started" broken "$(state orphan)"
expect_match "...and status says why" "requires \"nosuchservice\", which has no service file" "$(ctl status orphan)"
expect "a dependency cycle: not started" "broken broken" "$(state loop1) $(state loop2)"
expect_match "...and status shows the cycle" "dependency cycle: loop1 -> loop2 -> loop1|dependency cycle: loop2 -> loop1 -> loop2" "$(ctl status loop1)"
expect_match "list: boot timing columns" "TO-EXEC +TO-READY" "$(ctl list | head -n1)"
expect_match "list: a done one-shot (ready = exit) has its time to ready" "^setup +done .* [0-9]+(ms|s)$" "$(ctl list | grep '^setup ')"
# The same figures on the console at boot: a first start and readiness
# say when they came.
log=$(cat "$sd/supervisor.log")
expect_match "console: a first start says when it came" "service web: started \(pid [0-9]+\), [0-9]+ ms after the supervisor" "$log"
expect_match "console: ...and a one-shot when it was done" "service setup: done, [0-9]+ ms after the supervisor" "$log"
expect_match "console: ...and a service with ready = when it was ready" "service db: ready, [0-9]+ ms after the supervisor" "$log"

# Copies of each line to /dev/kmsg and to the console (stderr here).
wait_state kmsg ready
in_kmsg() { dmesg 2>/dev/null | grep -q "kmsg: kmsg-line-1-marker"; }
wait_until 30 in_kmsg
if dmesg >/dev/null 2>&1; then
	expect_match "log-kmsg: the line in the kernel log, with the service's name" "kmsg: kmsg-line-1-marker" "$(dmesg | grep kmsg-line)"
else
	skip "log-kmsg" "dmesg not readable here"
fi
expect_match "log-console: the line on the console, with the service's name" "^\[kmsg\] kmsg-line-1-marker$" "$(cat "$sd/supervisor.log")"

# Backoff: the gaps between starts double from restart-delay to
# restart-max-delay (lower bounds: the supervisor never restarts early).
wait_state crash failed
expect "crash loop: failed after restart-limit" failed "$(state crash)"
expect_match "crash loop: status says so" "5 failures in a row" "$(ctl status crash)"
# A start that makes no container: status gives its first error. With
# restart = no that failure is final: the service is failed, and one
# that requires it is told so (it does not keep the boot busy).
wait_state noexec failed
expect_match "a program not in the root: status says what its start failed on" \
	'why: not restarted \(restart = no\): its container could not be created: process.args\[0\]: exec "/no/such/program": No such file or directory' "$(ctl status noexec)"
expect_match "...a service that requires it says why it does not start" \
	'why: requires noexec, which is failed' "$(ctl status needsnoexec)"
gaps=$(awk '{ if (NR > 1) printf "%d ", ($2 - prev) * 1000; prev = $2 }' "$sd/shared/crash-starts")
expect "crash loop: five starts" 5 "$(wc -l < "$sd/shared/crash-starts")"
set -- $gaps
ok_gaps=1
[ "$1" -ge 190 ] && [ "$2" -ge 390 ] && [ "$3" -ge 790 ] && [ "$4" -ge 790 ] || ok_gaps=0
[ "$ok_gaps" = 1 ] && ok "backoff doubles to the maximum (gaps $gaps ms)" || fail "backoff doubles to the maximum" "gaps $gaps ms"

# ctl wait answered once nothing was starting any more (crash may have
# been between two starts, or failed already), with status 1: 4 files
# are broken.
wait $WP
expect "ctl wait: started before the supervisor, answers once the boot has settled, status 1 (broken files)" \
	"1 []" "$? [$(cat "$sd/wait.out")]"
summary=$(cat "$sd/wait.err")
expect_match "...with the boot's summary" "^boot settled after [0-9]+ ms: ([0-9]+ [a-z]+, )*4 broken$" "$summary"
expect "...which counts every service" 14 "$(echo "${summary#*ms: }" | tr ',' '\n' | awk '{ n += $1 } END { print n }')"
OUT=$(ctl wait 2>&1); rc=$?
expect "ctl wait once settled: the same answer at once" "1 $summary" "$rc $OUT"
OUT=$("$BERTH" ctl -s "$sd/nosuch.sock" wait --timeout 1 2>&1); rc=$?
expect_match "ctl wait with no supervisor: gives up at --timeout, status 1" "^1 .*no supervisor at $sd/nosuch.sock after 1 s" "$rc $OUT"
OUT=$(ctl wait --timeout soon 2>&1); rc=$?
expect_match "ctl wait --timeout: a bad number is refused" "^1 .*expected \[--timeout SECONDS\]" "$rc $OUT"

# A killed container comes back; ctl stop/start/restart.
pid=$(ctl list | awk '$1 == "web" { print $3 }')
kill -9 "$pid"
wait_until 30 ready_again web "$pid" && ok "a killed container is restarted" || fail "a killed container is restarted" "pid $pid, then [$(ctl list | grep '^web ')]"
expect_match "restarts are counted" "^web +ready +[0-9]+ +1 " "$(ctl list | grep '^web ')"
check "ctl stop" ctl stop app
wait_state app stopped
expect "stopped by ctl: stays down" stopped "$(state app)"
check "ctl start" ctl start app
wait_state app ready
expect "ctl start brings it back" ready "$(state app)"
pid=$(ctl list | awk '$1 == "app" { print $3 }')
check "ctl restart" ctl restart app
wait_until 30 ready_again app "$pid" && ok "ctl restart: a new container" || fail "ctl restart: a new container" "pid $pid, then [$(ctl list | grep '^app ')]"
err=$(ctl stop nosuch 2>&1); rc=$?
expect_match "ctl of an unknown service fails" 'no service "nosuch"' "$err"
expect "...with status 1" 1 "$rc"
expect "ctl exec runs in the service's container" "web" "$(ctl exec web hostname < /dev/null)"

# console: the terminal of a terminal = yes service, with what it printed
# before the attach first; ctrl-] detaches.
wait_state shell ready
# Detach (ctrl-]) once the command's output has come back, not after a
# fixed time.
rm -f "$sd/console.in" && mkfifo "$sd/console.in"
ctl console shell < "$sd/console.in" > "$sd/console.out" 2>&1 & CP=$!
exec 7> "$sd/console.in"
printf 'echo console-$((40+2))\n' >&7
wait_until 30 grep -q 'console-42' "$sd/console.out"
printf '\035' >&7
exec 7>&-
wait $CP
OUT=$(tr -d '\r' < "$sd/console.out")
expect_match "console: replays what was printed before the attach" "hello-before-attach" "$OUT"
expect_match "console: typed input reaches the service's terminal" "^console-42$" "$OUT"
expect "console: the service goes on after a detach" ready "$(state shell)"
err=$(ctl console web 2>&1)
expect_match "console of a service without a terminal is refused" "not a terminal service" "$err"

# Logs: follow sees new output; rotation keeps the file bounded.
before=$(ctl logs web | grep -c 'web up')
"$BERTH" ctl -s "$SOCK" logs -f web > "$sd/follow.out" 2>&1 & FP=$!
# Following once it has printed what was there before.
follow_has() { [ "$(grep -c 'web up' "$sd/follow.out")" -ge "$1" ]; }
wait_until 30 follow_has "$before"
ctl restart web >/dev/null
wait_until 30 follow_has $((before + 1))
kill $FP 2>/dev/null; wait $FP 2>/dev/null
expect "logs -f follows a restart's output" $((before + 1)) "$(grep -c 'web up' "$sd/follow.out")"
wait_state web ready
wait_until 20 test -f "$sd/chatty.log.1"
check "log file rotated" test -f "$sd/chatty.log.1"
expect_match "rotated file stays near log-file-size" "^[0-9]{3,4}$" "$(stat -c %s "$sd/chatty.log.1")"
check "no more than log-files rotations" test ! -e "$sd/chatty.log.3"
expect_match "the ring keeps the latest lines" "line-99-" "$(ctl logs chatty | tail -n1)"

# ctl poweroff from a supervisor that is not PID 1 asks busybox init only:
# under another PID 1 (this host's), nothing is asked and nothing stops.
# (Where PID 1 is busybox init, asking it would power the machine off.)
case $(readlink /proc/1/exe 2>/dev/null) in
*/busybox*) skip "ctl poweroff under another init" "PID 1 is busybox init here" ;;
*)
	OUT=$(ctl poweroff 2>&1); rc=$?
	expect_match "ctl poweroff under another init: refused, init (pid 1) not asked" \
		"^1 supervisor: ctl poweroff: init \(pid 1\) not asked: " "$rc $OUT"
	expect "...and the services keep running" "ready ready" "$(state web) $(state app)" ;;
esac

# Shutdown: dependents stop before what they depend on.
: > "$sd/shared/stops"
kill -TERM $SP
wait $SP
expect "supervisor exits 0 after stopping everything" 0 "$?"
order=$(awk '{ print $2 }' "$sd/shared/stops" | tr '\n' ' ')
case "$order" in
	*app*db*) ok "shutdown: app (requires db) stopped before db ($order)";;
	*) fail "shutdown: app (requires db) stopped before db" "$order";;
esac
case "$order" in
	*app*web*) ok "shutdown: app (after web) stopped before web";;
	*) fail "shutdown: app (after web) stopped before web" "$order";;
esac
check "shutdown: the control socket is gone" test ! -e "$SOCK"
for n in web db app chatty shell kmsg; do
	assert_clean "$n" "shutdown ($n)"
done

# A long restart loop leaks no file descriptor (and, in the ASan run, no
# memory: LeakSanitizer checks when the supervisor exits).
rm -rf "$sd/conf2" && mkdir -p "$sd/conf2"
printf '[service]\nrootfs = %s\nexec = true\nrestart = always\nrestart-delay = 0ms\nrestart-max-delay = 0ms\n' \
	"$sd/rootfs" > "$sd/conf2/loop.conf"
"$BERTH" --root "$ROOT" supervise --config-dir "$sd/conf2" --socket "$SOCK" > "$sd/supervisor2.log" 2>&1 & SP=$!
restarts() { ctl list 2>/dev/null | awk '$1 == "loop" { print $4 }'; }
# idle_fds: stop the loop, count the supervisor's fds at rest.
idle_fds() { ctl stop loop >/dev/null; wait_state loop stopped; ls /proc/$SP/fd | wc -l; }
restarted_20() { r=$(restarts); [ "${r:-0}" -ge 20 ]; }
wait_until 60 restarted_20
fds_early=$(idle_fds)
ctl start loop >/dev/null
N=${RESTARTS:-2000}
reached() { r=$(restarts); [ "${r:-0}" -ge "$N" ]; }
wait_until 900 reached
fds_late=$(idle_fds)
[ "${r:-0}" -ge $N ] && ok "restart loop: $N restarts" || fail "restart loop: $N restarts" "only ${r:-0}"
expect "restart loop: no file descriptor leaked" "$fds_early" "$fds_late"
kill -TERM $SP; wait $SP
expect "restart loop: clean exit (LeakSanitizer finds nothing under ASan)" 0 "$?"

# wait-for (a path, a mount, a link) and ready = path, without polling;
# reload: new, changed, removed and repaired files.
rm -rf "$sd/conf3" "$sd/mnt" "$sd/mnt point" "$sd/flag" && mkdir -p "$sd/conf3" "$sd/mnt" "$sd/mnt point" "$sd/shared3"
svc3() { _n=$1; shift; { echo "[service]"; echo "rootfs = $sd/rootfs"; for l in "$@"; do echo "$l"; done; } > "$sd/conf3/$_n.conf"; }
svc3 onpath 'exec = sleep 1000' "wait-for = path:$sd/flag/deeper/file" 'stop-timeout = 100ms'
svc3 onmount 'exec = sleep 1000' "wait-for = mounted:$sd/mnt" 'stop-timeout = 100ms'
svc3 onspaced 'exec = sleep 1000' "wait-for = mounted:$sd/mnt point" 'stop-timeout = 100ms'
svc3 onlink 'exec = sleep 1000' 'wait-for = link:lo' 'stop-timeout = 100ms'
svc3 slowready "exec = sh -c 'sleep 0.3; touch /tmp/im-ready; exec sleep 1000'" 'ready = path:/tmp/im-ready' 'stop-timeout = 100ms'
svc3 needsready 'exec = sleep 1000' 'requires = slowready' 'stop-timeout = 100ms'
svc3 changes 'exec = sh -c "echo version-1; exec sleep 1000"' 'stop-timeout = 100ms'
svc3 goes 'exec = sleep 1000' 'stop-timeout = 100ms'
svc3 fixme 'exec = sleep 1000' 'restart = sometimes'
svc3 once 'exec = true'
# A bundle service: its file stays the same, its config.json changes.
bdl=$(new_bundle reload-bundle 'echo bundle-1; exec sleep 1000')
printf '[service]\nbundle = %s\nstop-timeout = 100ms\n' "$bdl" > "$sd/conf3/viabundle.conf"
rm -f "$sd/rootfs/tmp/im-ready"
# In a network namespace of its own, where lo starts down.
unshare -n "$BERTH" --root "$ROOT" supervise --config-dir "$sd/conf3" --socket "$SOCK" > "$sd/supervisor3.log" 2>&1 & SP=$!
wait_until 20 test -S "$SOCK"
wait_state needsready ready
expect "ready = path: ready once the file is there" ready "$(state slowready)"
expect_match "wait-for path: waits" "waiting for path:$sd/flag/deeper/file" "$(ctl status onpath)"
expect "wait-for mounted: waits" waiting "$(state onmount)"
expect "wait-for link: waits while lo is down" waiting "$(state onlink)"
mkdir -p "$sd/flag/deeper" && touch "$sd/flag/deeper/file"
check "wait-for path: starts once it exists (two levels made after)" wait_state onpath ready
mount -t tmpfs none "$sd/mnt"
check "wait-for mounted: starts once mounted" wait_state onmount ready
expect "wait-for mounted: a path with a space waits" waiting "$(state onspaced)"
mount -t tmpfs none "$sd/mnt point"
check "wait-for mounted: ...and starts once mounted (mountinfo escapes the space)" wait_state onspaced ready
nsenter -t $SP -n ip link set lo up 2>/dev/null || nsenter -t $SP -n busybox ip link set lo up
check "wait-for link: starts once lo is up" wait_state onlink ready

svc3 changes 'exec = sh -c "echo version-2; exec sleep 1000"' 'stop-timeout = 100ms'
wait_state viabundle ready
# A service that ended well and is not restarted will not be ready again:
# one that requires it, added by the reload below, is told so.
wait_state once stopped
svc3 needsonce 'exec = sleep 1000' 'requires = once' 'stop-timeout = 100ms'
edit "$bdl" '.process.args = ["sh", "-c", "echo bundle-2; exec sleep 1000"]'
svc3 added 'exec = sleep 1000' 'stop-timeout = 100ms'
svc3 fixme 'exec = sleep 1000' 'restart = always' 'stop-timeout = 100ms'
rm "$sd/conf3/goes.conf"
kill -HUP $SP
check "reload: a new file starts" wait_state added ready
check "reload: a repaired file starts" wait_state fixme ready
says_never() { ctl status needsonce 2>/dev/null | grep -q '^why: requires once, which is stopped$'; }
check "reload: a new service that requires one that ended well says it will not come" wait_until 30 says_never
expect "...and waits" waiting "$(state needsonce)"
changed() { ctl logs changes | grep -q version-2; }
wait_until 30 changed
expect_match "reload: a changed file restarts its service with it" "version-2" "$(ctl logs changes)"
bundle_changed() { ctl logs viabundle | grep -q bundle-2; }
wait_until 30 bundle_changed
expect "reload: a bundle whose config.json changed restarts with it" "bundle-1 bundle-2" "$(ctl logs viabundle | tr '\n' ' ' | sed 's/ $//')"
forgotten() { [ -z "$(state goes)" ]; }
wait_until 30 forgotten
expect "reload: a removed file's service is stopped and forgotten" "" "$(state goes)"
OUT=$(ctl reload)
expect_match "ctl reload answers with the list" "^added +ready" "$(echo "$OUT" | grep '^added')"
kill -TERM $SP; wait $SP
expect "supervisor in its own network namespace: clean exit" 0 "$?"
umount "$sd/mnt" "$sd/mnt point"

# Reload while services write without pause and clients follow their
# logs: a service is freed only once the batch of events in hand (which
# may hold its log FIFO's) is handled. Freed at once, this was a
# use-after-free that killed the supervisor within a few rounds.
rm -rf "$sd/conf5" && mkdir -p "$sd/conf5"
busy() { printf '[service]\nrootfs = %s\nexec = sh -c "while :; do echo %s tick; done"\nstop-timeout = 50ms\n' "$sd/rootfs" "$1" > "$sd/conf5/$1.conf"; }
for n in a b c; do busy $n; done
"$BERTH" --root "$ROOT" supervise --config-dir "$sd/conf5" --socket "$SOCK" > "$sd/supervisor5.log" 2>&1 & SP=$!
wait_until 20 test -S "$SOCK"
wait_state c ready
alive=yes
for i in $(seq 1 15); do
	ctl logs -f a >/dev/null 2>&1 & F1=$!
	ctl logs -f b >/dev/null 2>&1 & F2=$!
	rm "$sd/conf5/a.conf" "$sd/conf5/b.conf"; kill -HUP $SP; sleep 0.2
	busy a; busy b; kill -HUP $SP; sleep 0.2
	kill $F1 $F2 2>/dev/null; wait $F1 $F2 2>/dev/null
	kill -0 $SP 2>/dev/null || { alive="died in round $i"; break; }
done
expect "reload: busy services removed and added back 15 times, followed: the supervisor lives" yes "$alive"
# The last reload may still be replacing a and b: wait for them.
wait_state a ready; wait_state b ready; wait_state c ready
expect "reload: ...and they run again" "ready ready ready" "$(state a) $(state b) $(state c)"
kill -TERM $SP; wait $SP
expect "reload: ...clean exit" 0 "$?"

# Re-adoption: a supervisor killed with -9 and started again takes back
# the running container (same pid, nothing written meanwhile lost)
# instead of killing or duplicating it.
rm -rf "$sd/conf4" && mkdir -p "$sd/conf4"
# Each tick says when it was written (the system's uptime).
printf '[service]\nrootfs = %s\nexec = sh -c '"'"'i=0; while :; do echo tick-$i $(cut -d" " -f1 /proc/uptime); i=$((i+1)); sleep 0.1; done'"'"'\nstop-timeout = 100ms\n' \
	"$sd/rootfs" > "$sd/conf4/keeper.conf"
"$BERTH" --root "$ROOT" supervise --config-dir "$sd/conf4" --socket "$SOCK" > "$sd/supervisor4.log" 2>&1 & SP=$!
wait_state keeper ready
OUT=$(ctl wait); rc=$?
expect_match "ctl wait: status 0 when every service came up" "^0 boot settled after [0-9]+ ms: 1 ready$" "$rc $OUT"
pid=$(ctl list | awk '$1 == "keeper" { print $3 }')
kill -9 $SP; wait $SP 2>/dev/null
# Half a second with no supervisor: the scenario itself (ticks written
# meanwhile must not be lost), not a wait for an event.
sleep 0.5
check "re-adoption: the container outlives its supervisor" kill -0 "$pid"
restarted_at=$(cut -d' ' -f1 /proc/uptime)
"$BERTH" --root "$ROOT" supervise --config-dir "$sd/conf4" --socket "$SOCK" >> "$sd/supervisor4.log" 2>&1 & SP=$!
answers() { [ -S "$SOCK" ] && ctl list >/dev/null 2>&1; }
wait_until 30 answers
expect "re-adoption: the same container, not a new one" "$pid" "$(ctl list | awk '$1 == "keeper" { print $3 }')"
expect "re-adoption: no restart counted" 0 "$(ctl list | awk '$1 == "keeper" { print $4 }')"
# Until the new supervisor has read a tick written after it started.
tick_after() { ctl logs keeper | awk -v r="$restarted_at" '/^tick-/ && $2 + 0 > r + 0 { f = 1 } END { exit !f }'; }
wait_until 30 tick_after
ticks=$(ctl logs keeper | sed -n 's/^tick-//p')
first=$(echo "$ticks" | head -n1 | cut -d' ' -f1) last=$(echo "$ticks" | tail -n1 | cut -d' ' -f1)
count=$(echo "$ticks" | wc -l) written=$(echo "$ticks" | head -n1 | cut -d' ' -f2)
expect "re-adoption: nothing lost from the first tick on (ticks $first..$last)" $((last - first + 1)) "$count"
# The first tick the new supervisor has was written while none ran (the
# old one had read the ones before): kept in the FIFO, not lost.
awk -v w="$written" -v r="$restarted_at" 'BEGIN { exit !(w + 0 < r + 0) }' &&
	ok "re-adoption: what it wrote while unsupervised is kept" ||
	fail "re-adoption: what it wrote while unsupervised is kept" "first tick $first written at $written s, the new supervisor started at $restarted_at s"
kill -9 "$pid"
wait_until 30 ready_again keeper "$pid" && ok "re-adoption: its death is seen (pidfd) and it is restarted" || fail "re-adoption: its death is seen and it is restarted"
kill -TERM $SP; wait $SP
expect "re-adoption: clean exit" 0 "$?"
assert_clean keeper "re-adoption"
