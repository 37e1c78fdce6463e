#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Real clients drive berth as their OCI runtime: podman (through conmon)
# and containerd (ctr, through containerd-shim-runc-v2). Each: a run with
# output, a detached run + stop + remove, exec, a memory limit and a
# terminal. Everything they keep lives under $TESTROOT.
# The clients keep things in /run (podman's /run/libpod, berth's default
# /run/berth when podman calls it without --root, containerd's shims):
# they run in a mount namespace of their own with a private /run, which
# goes with them. The cgroups they make are removed at the end.
if [ -z "${BERTH_CLIENTS_PRIVATE:-}" ] && command -v unshare >/dev/null; then
	BERTH_CLIENTS_PRIVATE=1 exec unshare -m --propagation private \
		sh -c 'mount -t tmpfs -o mode=0755 tmpfs /run && exec sh "$0"' "$0"
fi
. "$(dirname "$0")/../lib.sh"
make_rootfs_cache
# cgroups the clients make (containerd's namespace "default", podman's
# "libpod_parent") that were not there before are removed when empty.
client_cgroups() { find /sys/fs/cgroup -maxdepth 2 -type d \( -name default -o -name libpod_parent -o -name machine.slice \) 2>/dev/null | sort; }
cgroups_before=$(client_cgroups)
remove_new_cgroups() {
	for d in $(client_cgroups); do
		echo "$cgroups_before" | grep -qx "$d" && continue
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
		[ -d "$d" ] && fail "the clients' cgroup $d is removed" "it still holds processes"
	done
}
# This host's hard nofile and nproc limits are below podman's defaults.
ULIMITS="--ulimit nofile=1024:1024 --ulimit nproc=4096:4096"

# mem_limit_file CGROUP: the memory limit of a cgroup on this host.
mem_limit() {
	_m=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ { print $5; exit }' /proc/self/mountinfo)
	if [ -n "$_m" ]; then cat "$_m$1/memory.limit_in_bytes"
	else cat "$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)$1/memory.max"; fi
}

if command -v podman >/dev/null; then
	pm=$TESTROOT/podman
	P="podman --root $pm/root --runroot $pm/run --storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime $BERTH"
	tar -C "$ROOTFS_CACHE" -c . | $P import - localhost/berth-test:latest >/dev/null 2>&1
	OUT=$($P run --rm --network none $ULIMITS localhost/berth-test echo hello-podman 2>&1)
	expect "podman run: output" hello-podman "$OUT"
	$P run --rm --network none $ULIMITS localhost/berth-test sh -c 'exit 3' >/dev/null 2>&1
	expect "podman run: exit code" 3 "$?"
	OUT=$(echo piped | $P run --rm -i --network none $ULIMITS localhost/berth-test cat 2>&1)
	expect "podman run -i: stdin" piped "$OUT"
	# --read-only and --tmpfs mount tmpfs with tmpcopyup: the image's
	# files are there, and writable.
	img=$TESTROOT/podman-img
	rm -rf "$img" && cp -a "$ROOTFS_CACHE" "$img" && mkdir -p "$img/tmp" "$img/x"
	echo image-tmp > "$img/tmp/from-image" && echo image-x > "$img/x/from-image"
	tar -C "$img" -c . | $P import - localhost/berth-test-tmp:latest >/dev/null 2>&1
	rm -rf "$img"
	OUT=$($P run --rm --read-only --network none $ULIMITS localhost/berth-test-tmp \
		sh -c 'cat /tmp/from-image; touch /tmp/w && echo tmp-writable; touch /w 2>/dev/null || echo root-read-only' 2>&1)
	expect "podman run --read-only: the image's /tmp, writable, on a read-only root" "image-tmp
tmp-writable
root-read-only" "$OUT"
	OUT=$($P run --rm --tmpfs /x --network none $ULIMITS localhost/berth-test-tmp \
		sh -c 'cat /x/from-image; grep " /x " /proc/mounts | cut -d" " -f3' 2>&1)
	expect "podman run --tmpfs /x: a tmpfs that starts with the image's /x" "image-x
tmpfs" "$OUT"
	check "podman run -d" $P run -d --name pd --network none $ULIMITS localhost/berth-test sleep 1000
	expect "podman: running" running "$($P inspect -f '{{.State.Status}}' pd 2>&1)"
	expect "podman exec" "exec-ok" "$($P exec pd echo exec-ok 2>&1)"
	expect "podman exec: exit code" 4 "$($P exec pd sh -c 'exit 4' >/dev/null 2>&1; echo $?)"
	check "podman stop" $P stop -t 1 pd
	expect "podman: stopped" exited "$($P inspect -f '{{.State.Status}}' pd 2>&1)"
	check "podman rm" $P rm pd
	OUT=$($P run --rm --network none $ULIMITS --memory 64m localhost/berth-test sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max' 2>&1)
	expect "podman --memory 64m: the container's limit" 67108864 "$OUT"
	if command -v script >/dev/null; then
		OUT=$(in_terminal "$P run --rm -t --network none $ULIMITS localhost/berth-test sh -c 'tty; [ -t 0 ] && echo tty-stdin'")
		expect_match "podman run -t: a pty" "/dev/pts/[0-9]+" "$OUT"
		expect_match "podman run -t: stdin is the terminal" "tty-stdin" "$OUT"
	fi
	$P rm -af >/dev/null 2>&1
	$P rmi -af >/dev/null 2>&1
	grep " $pm" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l
else
	skip "podman" "not installed"
fi

if command -v containerd >/dev/null && command -v ctr >/dev/null && command -v umoci >/dev/null; then
	cd=$TESTROOT/containerd
	mkdir -p "$cd"
	cat > "$cd/config.toml" <<EOF
version = 2
root = "$cd/root"
state = "$cd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$cd/c.sock"
[ttrpc]
  address = "$cd/c.sock.ttrpc"
[debug]
  address = "$cd/debug.sock"
EOF
	containerd --config "$cd/config.toml" > "$cd/containerd.log" 2>&1 & cdp=$!
	wait_until 60 test -S "$cd/c.sock"
	C="ctr -a $cd/c.sock"
	R="--snapshotter native --runc-binary $BERTH"
	# An OCI image of the test rootfs, made with umoci.
	(cd "$cd" && umoci init --layout img && umoci new --image img:test && umoci unpack --image img:test b &&
		cp -a "$ROOTFS_CACHE/." b/rootfs/ && umoci repack --image img:test b && (cd img && tar -cf ../img.tar .)) >/dev/null 2>&1
	$C images import --snapshotter native --base-name docker.io/library/berth-test "$cd/img.tar" >/dev/null 2>&1
	IMG=docker.io/library/berth-test:test
	expect "ctr run: output" hello-ctr "$($C run --rm $R $IMG c1 echo hello-ctr 2>&1)"
	$C run --rm $R $IMG c2 sh -c 'exit 5' >/dev/null 2>&1
	expect "ctr run: exit code" 5 "$?"
	check "ctr run -d" $C run -d $R --memory-limit 67108864 $IMG c3 sleep 1000
	expect_match "ctr task ls: running" "c3 +[0-9]+ +RUNNING" "$($C task ls 2>&1)"
	expect "ctr task exec" exec-ctr "$($C task exec --exec-id e1 c3 echo exec-ctr 2>&1)"
	expect "ctr --memory-limit: the container's cgroup" 67108864 "$(mem_limit /default/c3)"
	check "ctr task kill" $C task kill -s SIGKILL c3
	c3_stopped() { $C task ls 2>/dev/null | grep -q "c3.*STOPPED"; }
	wait_until 30 c3_stopped
	expect_match "ctr: stopped" "c3 +[0-9]+ +STOPPED" "$($C task ls 2>&1)"
	check "ctr task delete" $C task delete c3
	check "ctr container rm" $C container rm c3
	if command -v script >/dev/null; then
		OUT=$(in_terminal "$C run --rm -t $R $IMG c4 sh -c 'tty; [ -t 0 ] && echo tty-stdin'")
		expect_match "ctr run -t: a pty" "/dev/pts/[0-9]+" "$OUT"
		expect_match "ctr run -t: stdin is the terminal" "tty-stdin" "$OUT"
	fi
	kill $cdp 2>/dev/null; wait $cdp 2>/dev/null
	pkill -f "containerd-shim.*$cd" 2>/dev/null
	grep " $cd" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l
else
	skip "containerd" "containerd, ctr or umoci not installed"
fi
remove_new_cgroups
check "the clients leave no cgroup behind" test -z "$(client_cgroups | grep -vxF "$cgroups_before")"
