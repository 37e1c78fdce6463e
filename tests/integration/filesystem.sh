#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# root, mounts, devices, maskedPaths, readonlyPaths, pivot_root/MS_MOVE.
. "$(dirname "$0")/../lib.sh"

hostdir=$TESTROOT/hostdir
mkdir -p "$hostdir/sub" && echo host-data > "$hostdir/file" && echo sub-data > "$hostdir/sub/f"
bd=$(new_bundle fs 'touch /rootfs-write 2>/dev/null && echo root=rw || echo root=ro
cat /data/file; echo x > /data/new 2>/dev/null && echo data=rw || echo data=ro
echo one=$(cat /one); grep " /scratch " /proc/mounts; echo t > /scratch/t && echo scratch=rw
wc -c < /proc/timer_list; ls /sys/firmware | wc -l
echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo procsys=rw || echo procsys=ro
ls -l /dev/mynull | cut -c1-10; ls -l /dev/null | cut -c1-10; stat -c "%u %a %t,%T" /dev/mynull
readlink /dev/ptmx; readlink /dev/stdout
ls /sys/fs/cgroup | grep -c memory')
edit "$bd" --arg h "$hostdir" '.mounts += [
  {destination: "/data", type: "bind", source: $h, options: ["rbind", "ro"]},
  {destination: "/one", source: ($h + "/file"), options: ["bind"]},
  {destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=1m", "mode=700"]}]
  | .linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 384, uid: 1000, gid: 0}]'
run_c "$bd" fs
expect "container runs" 0 "$RC"
expect_match "root.readonly" "^root=ro$" "$OUT"
expect_match "bind mount content" "^host-data$" "$OUT"
expect_match "ro bind mount refuses writes" "^data=ro$" "$OUT"
expect_match "file bind mount" "^one=host-data$" "$OUT"
expect_match "tmpfs with size and mode" "/scratch tmpfs rw,nosuid,.*size=1024k,mode=700" "$OUT"
expect_match "tmpfs writable" "^scratch=rw$" "$OUT"
expect_match "masked file reads empty (/proc/timer_list)" "^0$" "$(echo "$OUT" | sed -n 8p)"
expect_match "masked directory is empty (/sys/firmware)" "^0$" "$(echo "$OUT" | sed -n 9p)"
expect_match "readonlyPaths: /proc/sys read-only" "^procsys=ro$" "$OUT"
expect_match "linux.devices node and mode" "^crw-------" "$OUT"
expect_match "default /dev/null" "^crw-rw-rw-" "$(echo "$OUT" | sed -n 13p)"
expect_match "device owner, mode, numbers" "^1000 600 1,3$" "$OUT"
expect_match "/dev/ptmx -> pts/ptmx" "^pts/ptmx$" "$OUT"
expect_match "/dev/stdout -> /proc/self/fd/1" "^/proc/self/fd/1$" "$OUT"
expect_match "cgroup mount shows the memory hierarchy" "^1$" "$(echo "$OUT" | tail -n1)"
check "host file untouched by ro bind" test ! -e "$hostdir/new"

# A relative bind source is the bundle's, run from another directory.
bd=$(new_bundle relsource 'cat /rel/file')
mkdir -p "$bd/shared" && echo in-the-bundle > "$bd/shared/file"
edit "$bd" '.mounts += [{destination: "/rel", source: "shared", options: ["rbind", "ro"]}]'
OUT=$(cd / && b run --bundle "$bd" relsource 2>&1); RC=$?
expect "a relative bind source is the bundle's" "0 in-the-bundle" "$RC $OUT"

# A rootfs whose mount point is a symlink to the host must stay inside.
victim=$TESTROOT/victim
mkdir -p "$victim"
bd=$(new_bundle escape 'ls /evil')
ln -s "$victim" "$bd/rootfs/evil"
edit "$bd" '.mounts += [{destination: "/evil/inner", type: "tmpfs", source: "tmpfs"}]'
run_c "$bd" escape
check "symlinked mount destination stays in the rootfs" test ! -e "$victim/inner"
check "the mount landed inside the rootfs instead" test -d "$bd/rootfs/$victim/inner"
bd=$(new_bundle escape2 'true')
ln -s ../../../../../../../../ "$bd/rootfs/up"
edit "$bd" --arg v "$victim" '.mounts += [{destination: ("/up" + $v + "/x"), type: "tmpfs", source: "tmpfs"}]'
run_c "$bd" escape2
check "../ symlinks cannot climb out of the rootfs" test ! -e "$victim/x"

# --no-pivot: the MS_MOVE + chroot path used on initramfs roots
bd=$(new_bundle nopivot 'echo pid=$$; ls /bin/busybox')
OUT=$(b run --no-pivot --bundle "$bd" nopivot 2>&1); RC=$?
expect "--no-pivot runs" 0 "$RC"
expect_match "--no-pivot sees its rootfs" "^/bin/busybox$" "$OUT"
assert_clean nopivot "--no-pivot"

# rootfsPropagation private: a mount made on the host after start does not appear
bd=$(new_bundle prop 'sleep 1000')
edit "$bd" --arg h "$hostdir" '.linux.rootfsPropagation = "private" | .mounts += [{destination: "/h", type: "bind", source: $h, options: ["rbind"]}]'
b run -d --bundle "$bd" prop
pid=$(b state prop | jq -r .pid)
mkdir -p "$hostdir/later" && mount -t tmpfs none "$hostdir/later"
n=$(grep -c " /h/later " /proc/$pid/mountinfo)
umount "$hostdir/later"
expect "rootfsPropagation private: host mounts do not propagate" 0 "$n"
b delete -f prop
bd=$(new_bundle slave 'sleep 1000')
edit "$bd" --arg h "$hostdir" '.mounts += [{destination: "/h", type: "bind", source: $h, options: ["rbind", "rslave"]}]'
mount --bind "$hostdir" "$hostdir" && mount --make-shared "$hostdir"
b run -d --bundle "$bd" slave
pid=$(b state slave | jq -r .pid)
mount -t tmpfs none "$hostdir/later"
n=$(grep -c " /h/later " /proc/$pid/mountinfo)
umount "$hostdir/later"; umount "$hostdir"
expect "rslave bind: host mounts propagate in" 1 "$n"
b delete -f slave

# The mount holding the root is made private, or pivot_root refuses it
# (EINVAL, and berth would fall back to MS_MOVE + chroot, meant for an
# initramfs only): here a shared bind mount two directories above the
# rootfs, with the container's propagation shared too. berth walks up from
# the root to find that mount; it must pivot.
mkdir -p "$hostdir/held/a/b"
mount --bind "$hostdir/held" "$hostdir/held" && mount --make-shared "$hostdir/held"
bd=$(new_bundle held 'echo ran')
mv "$bd/rootfs" "$hostdir/held/a/b/rootfs"
edit "$bd" --arg r "$hostdir/held/a/b/rootfs" '.root.path = $r | .linux.rootfsPropagation = "rshared"'
OUT=$("$BERTH" --debug --root "$ROOT" run --bundle "$bd" held 2>&1); RC=$?
umount -l "$hostdir/held"	# with whatever a failed start left under it
expect "a root under a shared mount runs" 0 "$RC"
expect "a root under a shared mount is pivoted to, not chrooted into" "ran" \
	"$(printf '%s\n' "$OUT" | grep -E '^ran$|MS_MOVE' | tr '\n' ' ' | sed 's/ $//')"
assert_clean held "a root under a shared mount"

# tmpcopyup (podman run --read-only): the tmpfs starts with what it
# covers: files with their mode, owner and contents, directories, a FIFO,
# and symlinks as symlinks (one pointing at a decoy directory of the host
# is not followed: the decoy's file is not copied). The image is untouched.
decoydir=$TESTROOT/copyup-decoy
mkdir -p "$decoydir" && echo secret > "$decoydir/secret"
bd=$(new_bundle copyup 'cd /tmp; stat -c "%a %u:%g %n" f d d/n; cat f d/n; readlink link; ls link/ 2>&1 | head -n1
test -p fifo && echo fifo; touch new && echo writable; grep " /tmp " /proc/mounts | cut -d" " -f3; stat -c "%a" /tmp')
mkdir -p "$bd/rootfs/tmp/d"
echo file-data > "$bd/rootfs/tmp/f" && chmod 604 "$bd/rootfs/tmp/f" && chown 1000:100 "$bd/rootfs/tmp/f"
echo nested > "$bd/rootfs/tmp/d/n" && chmod 700 "$bd/rootfs/tmp/d" && chmod 1777 "$bd/rootfs/tmp"
ln -s "$decoydir" "$bd/rootfs/tmp/link" && mkfifo "$bd/rootfs/tmp/fifo"
edit "$bd" '.root.readonly = true | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "tmpcopyup"]}]'
run_c "$bd" copyup
expect "tmpcopyup: the tmpfs starts with what it covers" "604 1000:100 f
700 0:0 d
644 0:0 d/n
file-data
nested
$decoydir
ls: link/: No such file or directory
fifo
writable
tmpfs
1777" "$OUT"
check "tmpcopyup: the image's directory is untouched" test ! -e "$bd/rootfs/tmp/new"
assert_clean copyup "tmpcopyup"
bd=$(new_bundle copyupbind 'true')
edit "$bd" --arg h "$hostdir" '.mounts += [{destination: "/mnt", type: "bind", source: $h, options: ["rbind", "tmpcopyup"]}]'
run_c "$bd" copyupbind
expect_match "tmpcopyup on a bind mount is refused, with the mount named" 'mounts\[[0-9]+\].options: "tmpcopyup" applies to a tmpfs mount only' "$OUT"

