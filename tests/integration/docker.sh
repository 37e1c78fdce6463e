#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Docker Engine drives berth as its runtime: a private dockerd (its own
# data-root, exec-root, pidfile and socket under the test root; no bridge,
# no iptables; the cgroupfs driver) with berth as its default runtime,
# through a wrapper that records every call, so that the test knows
# Docker really ran berth. The image is a docker-archive this test writes
# (manifest, config, one layer) and `docker load` reads.
# Like clients.sh: a mount namespace of its own with a private /run, and
# the cgroups Docker makes are removed at the end.
if [ -z "${BERTH_CLIENTS_PRIVATE:-}" ] && command -v unshare >/dev/null; then
	BERTH_CLIENTS_PRIVATE=1 exec unshare -m --propagation private \
		sh -c 'mount -t tmpfs -o mode=0755 tmpfs /run && exec sh "$0"' "$0"
fi
. "$(dirname "$0")/../lib.sh"
if ! command -v dockerd >/dev/null || ! [ -x /usr/bin/docker ]; then
	skip "docker" "Debian's docker.io is not installed"
	exit 0
fi
make_rootfs_cache
dk=$TESTROOT/docker
rm -rf "$dk" && mkdir -p "$dk"
docker_cgroups() { find /sys/fs/cgroup -maxdepth 2 -type d -name docker 2>/dev/null | sort; }
cgroups_before=$(docker_cgroups)

cat > "$dk/berth-wrapper" <<EOF
#!/bin/sh
echo "\$*" >> "$dk/argv.log"
exec "$BERTH" "\$@"
EOF
chmod +x "$dk/berth-wrapper"
dockerd --data-root "$dk/data" --exec-root "$dk/exec" --pidfile "$dk/dockerd.pid" -H "unix://$dk/docker.sock" \
	--bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
	--storage-driver vfs --exec-opt native.cgroupdriver=cgroupfs \
	--add-runtime berth="$dk/berth-wrapper" --default-runtime berth > "$dk/dockerd.log" 2>&1 &
ddp=$!
D="/usr/bin/docker -H unix://$dk/docker.sock"
up() { $D version >/dev/null 2>&1; }
if ! wait_until 60 up; then
	fail "dockerd starts" "$(tail -n 5 "$dk/dockerd.log")"
	kill $ddp 2>/dev/null
	exit 0
fi
expect "docker info: berth is the default runtime" berth "$($D info -f '{{.DefaultRuntime}}' 2>&1)"
expect "docker info: berth's commit (its --version) is the runtime's" \
	"$("$BERTH" --version | sed -n 's/^commit: //p')" "$($D info -f '{{.RuncCommit.ID}}' 2>&1)"

# The image: a docker-archive of the test rootfs.
a=$dk/archive
mkdir -p "$a/layer"
tar -C "$ROOTFS_CACHE" -cf "$a/layer/layer.tar" .
diff_id=$(sha256sum "$a/layer/layer.tar" | cut -d' ' -f1)
jq -n --arg d "sha256:$diff_id" --arg arch "$(dpkg --print-architecture 2>/dev/null || echo amd64)" \
	'{architecture: $arch, os: "linux", config: {Cmd: ["sh"], Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
	  rootfs: {type: "layers", diff_ids: [$d]}}' > "$a/config.json"
cfg=$(sha256sum "$a/config.json" | cut -d' ' -f1)
mv "$a/config.json" "$a/$cfg.json"
jq -n --arg c "$cfg.json" '[{Config: $c, RepoTags: ["berth-test:latest"], Layers: ["layer/layer.tar"]}]' > "$a/manifest.json"
tar -C "$a" -cf "$dk/image.tar" manifest.json "$cfg.json" layer
expect_match "docker load of a docker-archive" "Loaded image: berth-test:latest" "$($D load -i "$dk/image.tar" 2>&1)"
I="--network none berth-test"

# Runs, exit codes, stdin, a terminal.
expect "docker run: output" hello-docker "$($D run --rm $I echo hello-docker 2>&1)"
check "...and Docker called berth to do it" grep -q "create .*--bundle" "$dk/argv.log"
$D run --rm $I sh -c 'exit 7' >/dev/null 2>&1
expect "docker run: exit code" 7 "$?"
expect "docker run -i: stdin" piped "$(echo piped | $D run --rm -i $I cat 2>&1)"
if command -v script >/dev/null; then
	OUT=$(in_terminal "$D run --rm -t $I sh -c 'tty; [ -t 0 ] && echo tty-stdin'")
	expect_match "docker run -t: a pty" "/dev/pts/[0-9]+" "$OUT"
	expect_match "docker run -t: stdin is the terminal" "tty-stdin" "$OUT"
fi
expect "docker run --user" "1000:1001" "$($D run --rm --user 1000:1001 $I sh -c 'echo $(id -u):$(id -g)' 2>&1)"
OUT=$($D run --rm --read-only --tmpfs /scratch $I sh -c 'touch /w 2>/dev/null || echo root-read-only
	touch /scratch/w && echo tmpfs-writable; grep " /scratch " /proc/mounts | cut -d" " -f3' 2>&1)
expect "docker run --read-only --tmpfs: a read-only root, a writable tmpfs" "root-read-only
tmpfs-writable
tmpfs" "$OUT"

# Limits, read back from the host's cgroup files (v1 or v2).
cg_file() {	# cg_file CONTAINER V1-CONTROLLER V1-FILE V2-FILE
	_rel=$(awk -F: -v c="$2" '{ n = split($2, cs, ","); for (i = 1; i <= n; i++) if (cs[i] == c) { print $3; exit } }
		$1 == 0 && $2 == "" { v2 = $3 } END { if (v2 != "") print v2 }' "/proc/$($D inspect -f '{{.State.Pid}}' "$1")/cgroup" | head -n1)
	if [ -d "/sys/fs/cgroup/$2" ]; then cat "/sys/fs/cgroup/$2$_rel/$3"; else cat "/sys/fs/cgroup$_rel/$4"; fi
}
check "docker run -d with --memory, --pids-limit, --cpus" \
	$D run -d --name lim --memory 64m --memory-swap 64m --pids-limit 50 --cpus 0.5 $I sleep 1000
expect "--memory: the container's cgroup" 67108864 "$(cg_file lim memory memory.limit_in_bytes memory.max)"
expect "--pids-limit: the container's cgroup" 50 "$(cg_file lim pids pids.max pids.max)"
expect_match "--cpus 0.5: the container's cgroup" "^(50000|50000 100000)$" "$(cg_file lim cpu cpu.cfs_quota_us cpu.max)"
check "docker update --memory 128m" $D update --memory 128m --memory-swap 128m lim
expect "...the new limit in the cgroup" 134217728 "$(cg_file lim memory memory.limit_in_bytes memory.max)"
check "...through berth update" grep -q " update " "$dk/argv.log"

# exec, top, pause.
expect "docker exec" exec-docker "$($D exec lim echo exec-docker 2>&1)"
expect "docker exec: exit code" 4 "$($D exec lim sh -c 'exit 4' >/dev/null 2>&1; echo $?)"
if command -v script >/dev/null; then
	OUT=$(in_terminal "$D exec -t lim sh -c 'tty'")
	expect_match "docker exec -t: a pty" "/dev/pts/[0-9]+" "$OUT"
fi
expect_match "docker top" "sleep 1000" "$($D top lim 2>&1)"
check "docker pause" $D pause lim
expect "...paused" paused "$($D inspect -f '{{.State.Status}}' lim 2>&1)"
check "docker unpause" $D unpause lim
expect "...running again" running "$($D inspect -f '{{.State.Status}}' lim 2>&1)"
pid1=$($D inspect -f '{{.State.Pid}}' lim)
check "docker restart" $D restart -t 1 lim
expect "...running again" running "$($D inspect -f '{{.State.Status}}' lim 2>&1)"
check "...as a new process" test "$pid1" != "$($D inspect -f '{{.State.Pid}}' lim)"
check "docker rm -f of a running container" $D rm -f lim

# A pid 1 that ignores SIGTERM: stop sends SIGKILL at the timeout.
check "docker run -d (a pid 1 ignoring SIGTERM)" $D run -d --name stubborn $I sh -c 'trap "" TERM; while :; do sleep 1; done'
check "docker stop -t 1" $D stop -t 1 stubborn
expect "...killed at the timeout" "exited 137" "$($D inspect -f '{{.State.Status}} {{.State.ExitCode}}' stubborn 2>&1)"
check "docker rm" $D rm stubborn

# OOM: the kernel kills in the container's cgroup and Docker sees it.
$D run --name oom --memory 16m --memory-swap 16m $I sh -c 'head -c 256m /dev/zero | tail' >/dev/null 2>&1
expect "an OOM kill: OOMKilled" "true" "$($D inspect -f '{{.State.OOMKilled}}' oom 2>&1)"
check "docker rm" $D rm oom

# --restart on-failure:2: two restarts, then it stays exited.
check "docker run -d --restart on-failure:2" $D run -d --name flaky --restart on-failure:2 $I sh -c 'exit 3'
restarted_twice() { [ "$($D inspect -f '{{.RestartCount}} {{.State.Status}}' flaky 2>/dev/null)" = "2 exited" ]; }
wait_until 60 restarted_twice
expect "...restarted twice, then exited" "2 exited 3" "$($D inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' flaky 2>&1)"
check "docker rm" $D rm flaky

# Every operation went through berth (the wrapper's record of its calls).
for verb in create start exec kill pause resume ps update delete; do
	check "Docker called berth $verb" grep -Eq "(^| )$verb( |$)" "$dk/argv.log"
done
root_dir=$(sed -n 's/.*--root \([^ ]*\).*/\1/p' "$dk/argv.log" | head -n1)

# Nothing left behind: no container in berth's state, no cgroup, no mount.
$D rm -f $($D ps -aq) >/dev/null 2>&1
check "...with a --root of its own under Docker's exec-root" test -n "$root_dir" -a -d "$root_dir"
expect "which holds no container once they are removed" "" "$(find "$root_dir" -name state.json 2>/dev/null)"
kill "$ddp" 2>/dev/null
wait "$ddp" 2>/dev/null
pkill -f "containerd-shim.*$dk" 2>/dev/null
grep " $dk" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l
for d in $(docker_cgroups); do
	echo "$cgroups_before" | grep -qx "$d" || find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
done
check "Docker leaves no cgroup behind" test -z "$(docker_cgroups | grep -vxF "$cgroups_before")"
check "no mount under the test's directory" sh -c "! grep -q ' $dk' /proc/self/mountinfo"
rm -rf "$dk"
