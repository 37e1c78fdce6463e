#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Image roots and overlays (IMAGE_ROOT): a service whose rootfs is a
# squashfs or erofs file runs from a read-only loop device; overlay =
# tmpfs gives it a writable layer lost at stop, overlay = DIR one kept in
# DIR. Everything is mounted in the container's namespace: the host's
# mount table never holds it, and the loop device lets go of the file when
# the container is gone, however it went (stop, kill -9 of the container,
# kill -9 of the supervisor). The runc command line refuses an image file
# as root.path, as runc does.
. "$(dirname "$0")/../lib.sh"
if ! "$BERTH" supervise --help >/dev/null 2>&1; then skip "image roots" "no supervisor in this build"; exit 0; fi
printf '[service]\nrootfs = /r\nexec = true\noverlay = tmpfs\n' > "$TESTROOT/overlay-probe.conf"
if "$BERTH" check "$TESTROOT/overlay-probe.conf" 2>&1 | grep -q "not in this build"; then
	skip "image roots" "not in this build (CONFIG_IMAGE_ROOT)"; exit 0
fi
if ! command -v mksquashfs >/dev/null || ! command -v mkfs.erofs >/dev/null; then
	skip "image roots" "mksquashfs or mkfs.erofs missing (squashfs-tools, erofs-utils)"; exit 0
fi
for fs in squashfs erofs overlay; do
	if ! grep -qw "$fs" /proc/filesystems; then skip "image roots" "this kernel has no $fs"; exit 0; fi
done
[ -e /dev/loop-control ] || { skip "image roots" "this kernel has no loop devices"; exit 0; }
make_rootfs_cache
d=$TESTROOT/image-root
rm -rf "$d" && mkdir -p "$d/conf" && cp -a "$ROOTFS_CACHE" "$d/tree"
# Where an update would pin an image file: the test's own, never the host's.
export BERTH_IMAGE_STORE=$d/store
echo image-content > "$d/tree/etc/marker"
# What each one prints: the image's marker, whether / takes a write, and
# what an earlier run left in /etc/seen.
cat > "$d/tree/probe" <<'SH'
cat /etc/marker
if (echo x > /etc/w) 2>/dev/null; then echo root-writable; else echo root-read-only; fi
cat /etc/seen 2>/dev/null || echo nothing-seen
(echo seen > /etc/seen) 2>/dev/null
exec sleep 1000
SH
mksquashfs "$d/tree" "$d/web.squashfs" -noappend -all-root -quiet >/dev/null 2>&1
mkfs.erofs "$d/web.erofs" "$d/tree" >/dev/null 2>&1
SOCK=$d/ctl.sock
ctl() { "$BERTH" ctl -s "$SOCK" "$@"; }
state() { ctl list 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }
state_is() { [ "$(state "$1")" = "$2" ]; }
wait_state() { wait_until 30 state_is "$1" "$2"; }
svc() {
	_n=$1 _root=$2; shift 2
	{ echo "[service]"; echo "rootfs = $_root"; echo "exec = sh /probe"; echo "stop-timeout = 200ms"
	  for l in "$@"; do echo "$l"; done; } > "$d/conf/$_n.conf"
}
svc sq "$d/web.squashfs"
svc ero "$d/web.erofs"
svc tmp "$d/web.squashfs" "overlay = tmpfs:8M" "ready = path:/etc/seen"	# ready inside the overlay, which only the container sees
svc keep "$d/web.squashfs" "overlay = $d/keep"
svc dirov "$d/tree" "overlay = tmpfs"
# A bundle whose root.path names an image: allowed through a service file
# (the runc command line refuses it, below).
mkdir -p "$d/bundle" && "$BERTH" spec -b "$d/bundle"
edit "$d/bundle" '.root = { path: "../web.erofs", readonly: false } | .process.terminal = false | .process.args = ["sh", "/probe"]'
printf '[service]\nbundle = %s\noverlay = tmpfs\nstop-timeout = 200ms\n' "$d/bundle" > "$d/conf/bun.conf"
check "berth check accepts image roots and overlays" "$BERTH" check "$d/conf"

"$BERTH" --root "$ROOT" supervise --config-dir "$d/conf" --socket "$SOCK" > "$d/supervisor.log" 2>&1 & SP=$!
for n in sq ero tmp keep dirov bun; do wait_state $n ready; done
expect "all six start" "ready ready ready ready ready ready" "$(state sq) $(state ero) $(state tmp) $(state keep) $(state dirov) $(state bun)"
logs() { ctl logs "$1" 2>/dev/null | tr '\n' ' '; }
expect_match "squashfs: the image's files, a read-only root" "^image-content root-read-only nothing-seen" "$(logs sq)"
expect_match "erofs: the image's files, a read-only root" "^image-content root-read-only nothing-seen" "$(logs ero)"
expect_match "overlay = tmpfs: writable over the image" "^image-content root-writable nothing-seen" "$(logs tmp)"
expect_match "overlay = DIR: writable over the image" "^image-content root-writable nothing-seen" "$(logs keep)"
expect_match "overlay over a directory rootfs: writable" "^image-content root-writable" "$(logs dirov)"
expect_match "a bundle whose root.path is an erofs file, under overlay = tmpfs" "^image-content root-writable nothing-seen" "$(logs bun)"
check "overlay over a directory rootfs: the directory itself is untouched" test ! -e "$d/tree/etc/seen"
check "overlay = DIR: the upper layer is in DIR" test -f "$d/keep/upper/etc/seen"
attached() { losetup -j "$1" 2>/dev/null | grep -c .; }
n=$(attached "$d/web.squashfs")
if [ "$n" -ge 3 ]; then ok "one read-only loop device per running image root ($n on the squashfs)"
else fail "one read-only loop device per running image root" "$n on the squashfs: $(losetup -l 2>&1)"; fi
expect_match "the loop devices are read-only with autoclear" "^1 1$" "$(losetup -l -n -O RO,AUTOCLEAR -j "$d/web.erofs" 2>&1 | awk '{ print $1, $2 }' | head -n1)"
if grep -q "$ROOT/" /proc/self/mountinfo; then fail "nothing is mounted in the host's namespace" "$(grep "$ROOT/" /proc/self/mountinfo)"
else ok "nothing is mounted in the host's namespace"; fi

# A restart: tmpfs's layer is gone, DIR's is kept.
ctl restart tmp >/dev/null; ctl restart keep >/dev/null
restarted() { [ "$(ctl logs "$1" 2>/dev/null | grep -c image-content)" -ge 2 ] && state_is "$1" ready; }
wait_until 30 restarted tmp; wait_until 30 restarted keep
expect_match "overlay = tmpfs: what a run wrote is gone at the next" "image-content root-writable nothing-seen image-content root-writable nothing-seen" "$(logs tmp)"
expect_match "overlay = DIR: what a run wrote is there at the next" "nothing-seen image-content root-writable seen" "$(logs keep)"

# kill -9 of a container: the supervisor restarts it; the device of the
# dead one goes with its namespace.
pid=$(ctl list | awk '$1 == "sq" { print $3 }')
kill -9 "$pid"
check "a killed image-root container is restarted" wait_until 30 ready_again sq "$pid"
n_on() { [ "$(attached "$d/web.squashfs")" = "$1" ]; }
check "...and its old loop device is let go (3 left on the squashfs)" wait_until 30 n_on 3

# kill -9 of the supervisor, then of every container: nothing is left
# that a new supervisor cannot start over.
pids=$(ctl list | awk 'NR > 1 && $3 ~ /^[0-9]+$/ { print $3 }')
kill -9 $SP; wait $SP 2>/dev/null
kill -9 $pids 2>/dev/null
none() { [ "$(attached "$d/web.squashfs")$(attached "$d/web.erofs")" = 00 ]; }
check "supervisor and containers killed: every loop device let go" wait_until 30 none
if grep -q "$ROOT/" /proc/self/mountinfo; then fail "...and no mount left" "$(grep "$ROOT/" /proc/self/mountinfo)"; else ok "...and no mount left"; fi
"$BERTH" --root "$ROOT" supervise --config-dir "$d/conf" --socket "$SOCK" >> "$d/supervisor.log" 2>&1 & SP=$!
for n in sq ero tmp keep; do wait_state $n ready; done
expect "a new supervisor starts them again" "ready ready ready ready" "$(state sq) $(state ero) $(state tmp) $(state keep)"
kill -TERM $SP; wait $SP
expect "clean exit" 0 "$?"
check "stopped: every loop device let go" wait_until 30 none
for n in sq ero tmp keep dirov bun; do
	[ -e "$ROOT/$n" ] && fail "stopped: $n's state directory removed" || ok "stopped: $n's state directory removed"
done

# rootfs-digest: the image is the one the file names, hashed once per
# version of the file (a restart reads the kept version instead).
sum=$(sha256sum "$d/web.squashfs" | cut -d' ' -f1)
other=$(echo "$sum" | tr '0-9a-f' '1-9a-f0')
rm -f "$d/conf"/*.conf
svc dg "$d/web.squashfs" "rootfs-digest = sha256:$sum"
svc dgbad "$d/web.squashfs" "rootfs-digest = SHA256:$other" "restart-limit = 1"
expect_match "rootfs-digest: the prefix is sha256:, lowercase" "expected sha256: and 64 hex digits" "$("$BERTH" check "$d/conf" 2>&1)"
svc dgbad "$d/web.squashfs" "rootfs-digest = sha256:$(echo "$other" | tr a-f A-F)" "restart-limit = 1"
rm -rf "$ROOT/.digests"
"$BERTH" --debug --root "$ROOT" supervise --config-dir "$d/conf" --socket "$SOCK" > "$d/digest.log" 2>&1 & SP=$!
wait_state dg ready; wait_state dgbad failed
expect "rootfs-digest: the right one starts, the wrong one fails" "ready failed" "$(state dg) $(state dgbad)"
expect_match "rootfs-digest: the wrong one says both digests" \
	"rootfs $d/web.squashfs: its digest is sha256:$sum, not the sha256:$other of rootfs-digest" "$(cat "$d/digest.log")"
check "rootfs-digest: the version checked is kept in ROOT/.digests" test -s "$ROOT/.digests/$sum"
expect "rootfs-digest: only the right one took a loop device" 1 "$(attached "$d/web.squashfs")"
pid=$(ctl list | awk '$1 == "dg" { print $3 }')
ctl restart dg >/dev/null
check "rootfs-digest: restarted" wait_until 30 ready_again dg "$pid"
expect "rootfs-digest: the restart did not read the image again" 1 "$(grep -c "web.squashfs: sha256:$sum checked in" "$d/digest.log")"
expect_match "...it knew the version" "web.squashfs: sha256:$sum, known for this version of the file" "$(cat "$d/digest.log")"
# The same bytes written again: another version (its ctime moved), read again.
cp "$d/web.squashfs" "$d/copy" && cat "$d/copy" > "$d/web.squashfs"
pid=$(ctl list | awk '$1 == "dg" { print $3 }')
ctl restart dg >/dev/null
check "rootfs-digest: the file written again is read again, and passes" wait_until 30 ready_again dg "$pid"
expect "...read twice in all" 2 "$(grep -c "web.squashfs: sha256:$sum checked in" "$d/digest.log")"
# One byte more: refused.
echo >> "$d/web.squashfs"
ctl restart dg >/dev/null
check "rootfs-digest: a changed image is refused" wait_state dg backoff
expect_match "...saying so" "web.squashfs: its digest is sha256:[0-9a-f]{64}, not the sha256:$sum" "$(tail -n 5 "$d/digest.log")"
kill -TERM $SP; wait $SP
cp "$d/copy" "$d/web.squashfs"
check "rootfs-digest: every loop device let go" wait_until 30 none

# Bad input: clear errors, nothing started.
printf 'not an image at all\n' > "$d/junk.img"
rm -f "$d/conf"/*.conf
svc junk "$d/junk.img" "restart-limit = 1"
"$BERTH" --root "$ROOT" supervise --config-dir "$d/conf" --socket "$SOCK" > "$d/supervisor-junk.log" 2>&1 & SP=$!
check "a file that is no image: the service fails" wait_state junk failed
expect_match "a file that is no image: named, and why" "rootfs $d/junk.img: neither a squashfs nor an erofs image" "$(cat "$d/supervisor-junk.log")"
kill -TERM $SP; wait $SP
check "...and no loop device taken" test -z "$(losetup -j "$d/junk.img")"
bad() { printf '[service]\nrootfs = %s\nexec = true\n%s\n' "$d/web.squashfs" "$1" > "$d/bad.conf"; "$BERTH" check "$d/bad.conf" 2>&1; }
expect_match "overlay = nonsense: file:line and what is expected" "bad.conf:4: overlay: \"sometimes\": expected none, tmpfs\[:SIZE\] or an absolute directory" "$(bad 'overlay = sometimes')"
expect_match "overlay = tmpfs:SIZE with a bad size" "expected tmpfs:SIZE" "$(bad 'overlay = tmpfs:lots')"
expect_match "overlay = DIR with a comma" "cannot have ','" "$(bad 'overlay = /data/a,b')"
expect_match "overlay with read-only = yes: refused" "give one" "$(bad "overlay = tmpfs
[container]
read-only = yes")"
expect_match "an image root without a mount namespace: refused" "the mount namespace is needed" "$(bad "[container]
namespaces = pid")"

# The runc command line: an image file is no root.path.
bd=$(new_bundle imgroot 'true')
edit "$bd" --arg p "$d/web.squashfs" '.root.path = $p'
err=$(b create --bundle "$bd" imgroot 2>&1)
expect_match "runc CLI: root.path naming an image file is refused" "root.path $d/web.squashfs: not a directory" "$err"
assert_clean imgroot "refused image root.path"
