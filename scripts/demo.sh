#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# berth in one minute: a busybox bundle, a container's lifecycle, the
# errors you get for a broken config.
set -eu
berth=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
d=$(mktemp -d /tmp/berth-demo.XXXXXX)
root=$d/state
mkdir -p "$d/bundle/rootfs/bin"
cp /bin/busybox "$d/bundle/rootfs/bin/"
for a in sh hostname id ps sleep cat; do ln -s busybox "$d/bundle/rootfs/bin/$a"; done
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
say berth spec -b bundle; "$berth" spec -b "$d/bundle"
jq '.process.terminal = false | .process.args = ["sh", "-c", "echo hello from $(hostname), I am pid $$ as $(id -u); ps"]' \
	"$d/bundle/config.json" > "$d/c" && mv "$d/c" "$d/bundle/config.json"
say berth run --bundle bundle hello; "$berth" --root "$root" run --bundle "$d/bundle" hello
jq '.process.args = ["sleep", "1000"] | .linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 32' \
	"$d/bundle/config.json" > "$d/c" && mv "$d/c" "$d/bundle/config.json"
say berth create --bundle bundle web; "$berth" --root "$root" create --bundle "$d/bundle" web
say berth list; "$berth" --root "$root" list
say berth start web; "$berth" --root "$root" start web
say berth state web; "$berth" --root "$root" state web
say berth exec web ps; "$berth" --root "$root" exec web ps
say berth update --memory 32m --pids-limit 16 web; "$berth" --root "$root" update --memory 32m --pids-limit 16 web
say "berth events --stats web   (memory and pids, from the cgroup)"
"$berth" --root "$root" events --stats web | jq -c '{memory: .data.memory.usage, pids: .data.pids}'
say berth pause web; "$berth" --root "$root" pause web; "$berth" --root "$root" list
say berth resume web; "$berth" --root "$root" resume web
say berth kill web KILL; "$berth" --root "$root" kill web KILL; sleep 0.2
say berth delete web; "$berth" --root "$root" delete web
jq '.process.args[0] = 5' "$d/bundle/config.json" > "$d/c" && mv "$d/c" "$d/bundle/config.json"
say "berth run --bundle bundle broken   (a number where a string belongs)"
"$berth" --root "$root" run --bundle "$d/bundle" broken || true
rm -rf "$d"
