#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Images: the time and peak memory of `berth image import` of a 50 MB
# image (a gzip oci-archive and a plain docker-archive), and what each
# kind of root costs a start: the supervisor runs `true` again and again
# (restart = always, restart-delay 0) from a directory, a directory under a
# tmpfs overlay, a squashfs and an erofs image, and an image of the store,
# and the mean time of one cycle (create, start, exit, clear away) is
# reported for each, in turns, against the directory.
# usage: bench/image.sh   (as root; BERTH=path to the binary; SECONDS_EACH, ROUNDS: 6)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$here/../build/berth}
. "$here/lib.sh"
. "$here/../tests/helpers/oci_image.sh"
supervisor_workdir image
secs=${SECONDS_EACH:-5} rounds=${ROUNDS:-6}
export BERTH_IMAGE_STORE=$work/store

# The 50 MB image: busybox, 25 MB that gzip cannot shrink, 25 MB of text.
l=$work/layer
busybox_rootfs "$l" sh true cat
mkdir -p "$l/data"
head -c 25000000 /dev/urandom > "$l/data/random"
seq 1 4000000 | head -c 25000000 > "$l/data/text"
oci_tar "$l" "$work/layer.tar"
gzip -1 -c "$work/layer.tar" > "$work/layer.tar.gz"
oci_config "$work/config.json" '{"Cmd":["true"]}' "$work/layer.tar.gz"
oci_layout "$work/oci" "$work/config.json" "$work/layer.tar.gz"
tar -C "$work/oci" -cf "$work/image.oci.tar" .
cfg=$(sha "$work/config.json")
mkdir -p "$work/docker/a" && cp "$work/layer.tar" "$work/docker/a/layer.tar" && cp "$work/config.json" "$work/docker/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["bench:1"],"Layers":["a/layer.tar"]}]' "$cfg" > "$work/docker/manifest.json"
tar -C "$work/docker" -cf "$work/image.docker.tar" .
echo "import of a 50 MB image ($(du -m "$work/layer.tar.gz" | cut -f1) MB gzip), median of 3:"
for kind in oci docker; do
	: > "$work/t"
	for i in 1 2 3; do
		rm -rf "$BERTH_IMAGE_STORE"; sync
		/usr/bin/time -f '%e %M' -o "$work/one" "$BERTH" image import "$work/image.$kind.tar" bench:1 >/dev/null
		cat "$work/one" >> "$work/t"
	done
	sort -n "$work/t" | awk -v k="$kind" 'NR == 2 { printf "  %-28s %6.2f s, peak RSS %5d KiB\n", k == "oci" ? "oci-archive, gzip layer" : "docker-archive, plain layer", $1, $2 }'
done

# The roots: the same busybox (no data) as a directory, images and the store's.
r=$work/root
busybox_rootfs "$r" sh true
mksquashfs "$r" "$work/root.squashfs" -noappend -all-root -quiet >/dev/null 2>&1
mksquashfs "$r" "$work/plain.squashfs" -noappend -all-root -quiet -noI -noD -noF -noX >/dev/null 2>&1
mkfs.erofs "$work/root.erofs" "$r" >/dev/null 2>&1
oci_tar "$r" "$work/small.tar"
oci_config "$work/small.json" '{"Cmd":["true"]}' "$work/small.tar"
oci_layout "$work/small" "$work/small.json" "$work/small.tar"
"$BERTH" image import "$work/small" small:1 >/dev/null
mkdir -p "$work/conf"
svc() { printf '[service]\n%s\nexec = true\nrestart = always\nrestart-delay = 0ms\nrestart-limit = 0\n%s\n' "$2" "${3:-}" > "$work/conf/$1.conf"; }
kinds="dir overlay squashfs plainsq erofs store"
ctl() { "$BERTH" ctl -s "$work/ctl.sock" "$@"; }
restarts() { ctl list | awk -v n="$1" '$1 == n { print $4 }'; }
for k in $kinds; do : > "$work/ms-$k"; done
# Each round starts at another kind: a kind's burst of starts leaves the
# kernel work (cgroups going offline) that the next one pays for.
rotate() { _r=$1; shift; while [ "$_r" -gt 0 ]; do _f=$1; shift; set -- "$@" "$_f"; _r=$((_r - 1)); done; echo "$@"; }
for round in $(seq 1 "$rounds"); do
	for k in $(rotate $((round - 1)) $kinds); do
		rm -f "$work/conf/"*.conf
		case $k in
		dir) svc dir "rootfs = $r" ;;
		overlay) svc overlay "rootfs = $r" "overlay = tmpfs" ;;
		squashfs) svc squashfs "rootfs = $work/root.squashfs" ;;
		plainsq) svc plainsq "rootfs = $work/plain.squashfs" ;;
		erofs) svc erofs "rootfs = $work/root.erofs" ;;
		store) svc store "image = small:1" ;;
		esac
		"$BERTH" --root "$work/state" supervise -c "$work/conf" -s "$work/ctl.sock" > "$work/log" 2>&1 & SP=$!
		until [ -n "$(restarts "$k" 2>/dev/null)" ]; do sleep 0.1; done
		n0=$(restarts "$k"); t0=$(date +%s%N)
		sleep "$secs"
		n1=$(restarts "$k"); t1=$(date +%s%N)
		kill "$SP"; wait "$SP" 2>/dev/null || true; SP=
		echo $(( (t1 - t0) / 1000 / (n1 - n0 > 0 ? n1 - n0 : 1) )) >> "$work/ms-$k"
	done
done
base=$(sort -n "$work/ms-dir" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "one start of \`true\` (create, start, exit, clear away; median of $rounds rounds of ${secs} s, in turns):"
for k in $kinds; do
	m=$(sort -n "$work/ms-$k" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '  %-36s %6.2f ms  (%.2fx the directory)\n' "$(case $k in dir) echo "directory";; overlay) echo "directory + tmpfs overlay";;
		squashfs) echo "squashfs (loop, read-only)";; plainsq) echo "squashfs, uncompressed";; erofs) echo "erofs (loop, read-only)";; store) echo "image of the store (overlay)";; esac)" \
		"$(echo "$m" | awk '{print $1 / 1000}')" "$(echo "$m $base" | awk '{print $1 / $2}')"
done
