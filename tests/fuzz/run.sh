#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Build each fuzz target with clang's libFuzzer (+ASan/UBSan) and run it
# for N seconds from a seed corpus of real configs. A crash is a failure.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-30}
out=build/fuzz
mkdir -p "$out/corpus-oci" "$out/corpus-confinement" "$out/corpus-service" "$out/corpus-inroot" "$out/corpus-dbus" \
	"$out/corpus-network"
record() { echo "$1 $2" >> "${RESULTS:-/dev/null}"; echo "  $(echo "$1" | tr A-Z a-z)  $2"; }
. tests/parser_sources.sh

# Seeds for config.json: the default specs, and every config the
# integration tests made.
build/test/berth spec -b "$out" 2>/dev/null; mv -f "$out/config.json" "$out/corpus-oci/default.json" 2>/dev/null
build/test/berth spec --rootless -b "$out" 2>/dev/null; mv -f "$out/config.json" "$out/corpus-oci/rootless.json" 2>/dev/null
for f in "${TESTROOT:-/tmp/berth-tests}"/bundles/*/config.json; do
	[ -f "$f" ] && cp "$f" "$out/corpus-oci/$(basename "$(dirname "$f")").json"
done
# Seeds for the confinement parsers: "1" + resources, "0" + seccomp,
# taken from the same configs (podman's default profile among them).
for f in "$out"/corpus-oci/*.json; do
	n=$(basename "$f" .json)
	r=$(jq -c '.linux.resources // empty' "$f" 2>/dev/null) && [ -n "$r" ] && printf '1%s' "$r" > "$out/corpus-confinement/r-$n"
	s=$(jq -c '.linux.seccomp // empty' "$f" 2>/dev/null) && [ -n "$s" ] && printf '0%s' "$s" > "$out/corpus-confinement/s-$n"
done

# Seeds for service files: the examples and the test suite's.
for f in docs/examples/*.conf "${TESTROOT:-/tmp/berth-tests}"/supervise/conf/*.conf; do
	[ -f "$f" ] && cp "$f" "$out/corpus-service/$(basename "$f")"
done

# Seeds for what --systemd-cgroup reads: "0" + a D-Bus error reply as
# systemd sends it (UnitExists), "1" + cgroupsPath forms.
printf '\000\154\003\001\001\041\000\000\000\115\000\000\000\077\000\000\000\004\001\163\000\043\000\000\000\157\162\147\056\146\162\145\145\144\145\163\153\164\157\160\056\163\171\163\164\145\155\144\061\056\125\156\151\164\105\170\151\163\164\163\000\000\000\000\000\005\001\165\000\005\000\000\000\010\001\147\000\001\163\000\000\034\000\000\000\125\156\151\164\040\170\056\163\143\157\160\145\040\141\154\162\145\141\144\171\040\145\170\151\163\164\163\056\000' \
	> "$out/corpus-dbus/unit-exists"
printf '\001system.slice:docker:abc' > "$out/corpus-dbus/path-docker"
printf '\001a-b-c.slice::name' > "$out/corpus-dbus/path-nested"

# Seeds for [network]: a lease file as berth writes it, and service files
# with each mode.
printf '10.0.88.1/24\nweb 10.0.88.240\nclient 10.0.88.39\nnas fd00::9\n' > "$out/corpus-network/leases"
printf '02:42:ac:11:00:02\n# edited\nweb 10.0.88.240\nbad line\n' > "$out/corpus-network/mac"
printf '[service]\nrootfs = /r\nexec = true\n[network]\nmode = bridge\nbridge-address = 10.0.88.1/24\naddress = 10.0.88.5\ndns = 10.0.88.1\ndns-search = lan\nhosts = nas:fd00::9\nmtu = 1400\nmac = 02:00:00:00:00:05\n' \
	> "$out/corpus-service/network-bridge.conf"
printf '[service]\nrootfs = /r.squashfs\noverlay = tmpfs:16M\nexec = true\n' > "$out/corpus-service/overlay.conf"
printf '[service]\nrootfs = /r\nexec = true\n[resources]\ncpu.max = 50000 100000\n' > "$out/corpus-service/cpu-max.conf"	# str_words
printf '[service]\nrootfs = /r\nexec = true\n[network]\nmode = macvlan\nparent = eth0\nmacvlan-mode = vepa\naddress = 192.168.1.5/24\ngateway = 192.168.1.1\n' \
	> "$out/corpus-service/network-macvlan.conf"

# The cJSON that berth's static build links, with its patches
# (scripts/patches/cjson-*: its own number reader), where deps.sh made
# it: the targets fuzz what ships. Else Debian's.
cjson=-lcjson
[ -f deps/build/x86_64/cjson/source/cJSON.c ] && cjson=deps/build/x86_64/cjson/source/cJSON.c

# fuzz TARGET DESCRIPTION CORPUS [MORE-SOURCES]
fuzz() {
	if ! clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Ibuild/asan/include \
		-o "$out/$1" "tests/fuzz/$1.c" $PARSER_SRC ${4:-} $cjson -linih -lm > "$out/build-$1.log" 2>&1; then
		record FAIL "fuzz: build $1"; tail -20 "$out/build-$1.log"; return
	fi
	if "$out/$1" -max_total_time="$secs" -print_final_stats=1 -max_len=65536 -timeout=10 "$out/$3" > "$out/$1.log" 2>&1; then
		record PASS "fuzz: $2, ${secs}s ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$1.log" | grep -o '[0-9]*$' || echo "?") runs)"
	else
		record FAIL "fuzz: $2"; grep -A20 'ERROR' "$out/$1.log" | head -30
	fi
}
fuzz fuzz_oci "config.json parser" corpus-oci
fuzz fuzz_confinement "linux.resources and linux.seccomp parsers" corpus-confinement
fuzz fuzz_service "service files (inih + keys)" corpus-service
fuzz fuzz_dbus "D-Bus replies and systemd cgroupsPath (--systemd-cgroup)" corpus-dbus "src/util/dbus.c src/linux/systemd_cgroup.c"
fuzz fuzz_network "lease files and addresses ([network])" corpus-network
mkdir -p "$out/corpus-tty"
printf '\004\033[5;\0051R' > "$out/corpus-tty/split"
printf '\014ls\n\033[24;80R' > "$out/corpus-tty/typed-first"
fuzz fuzz_tty "a terminal's answer to a cursor query, in pieces (the console's line mode)" corpus-tty "src/linux/tty.c"
# Seeds for image layers: the first byte is where the second layer
# begins (in blocks); GNU tar's formats, a gzip one, a whiteout and an
# opaque directory over a symlinked directory.
mkdir -p "$out/corpus-tar" "$out/tar-src/d/sub" "$out/tar-src2/d"
echo a > "$out/tar-src/d/sub/f"; ln -sf ../.. "$out/tar-src/d/up"; ln -f "$out/tar-src/d/sub/f" "$out/tar-src/hard"
: > "$out/tar-src2/.wh.hard"; : > "$out/tar-src2/d/.wh..wh..opq"; ln -sf /etc "$out/tar-src2/etc"
for fmt in gnu pax ustar; do
	{ printf '\003'; tar --format=$fmt -C "$out/tar-src" -cf - . | head -c 1536; tar --format=$fmt -C "$out/tar-src2" -cf - .; } \
		> "$out/corpus-tar/$fmt"
done
{ printf '\000'; tar -C "$out/tar-src" -czf - .; } > "$out/corpus-tar/gzip"
fuzz fuzz_tar "image layers: tar, gzip, whiteouts into a root beside a decoy (nothing outside changes)" corpus-tar "$IMAGE_EXTRA"
# Seeds for image layouts: an OCI index, a manifest, a docker manifest,
# each with a config whose digest the target fills in (@CFG@, @HEX@).
mkdir -p "$out/corpus-manifest"
cfg='{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/bin/sh","-c"],"Cmd":["sh"],"Env":["PATH=/bin","A=1"],"WorkingDir":"/srv","User":"app","ExposedPorts":{"80/tcp":{},"53/udp":{},"8080":{}}},"rootfs":{"type":"layers","diff_ids":["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]}}'
printf '\000{"schemaVersion":2,"config":{"digest":"@CFG@"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}\000%s' "$cfg" \
	> "$out/corpus-manifest/oci-manifest"
printf '\002{"manifests":[{"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","platform":{"architecture":"arm64","os":"linux"}},{"digest":"@CFG@","annotations":{"org.opencontainers.image.ref.name":"1"}}]}\000%s' "$cfg" \
	> "$out/corpus-manifest/oci-index"
printf '\003[{"Config":"@HEX@.json","RepoTags":["web:1"],"Layers":["a/layer.tar"]}]\000%s' "$cfg" > "$out/corpus-manifest/docker"
fuzz fuzz_manifest "image layouts: index.json, manifest.json, configs (digests, paths, counts), and a service's defaults from the config" corpus-manifest "$IMAGE_EXTRA"
# Seeds for the mountinfo reader: this machine's, and escaped paths.
mkdir -p "$out/corpus-mountinfo"
cp /proc/self/mountinfo "$out/corpus-mountinfo/self"
printf '36 35 98:0 /a\\040b /mnt/a\\011b rw master:1 - ext4 /dev/x\\134y rw\n40 1 0:50 / /m rw - overlay overlay rw,lowerdir=/l1:/l2\n' \
	> "$out/corpus-mountinfo/escaped"
fuzz fuzz_mountinfo "/proc/self/mountinfo lines (fields, escapes, long and broken lines)" corpus-mountinfo
# Seeds for `berth check --config`: this tree's full build's .config and a
# hand-made one.
mkdir -p "$out/corpus-target-config"
cp build/test/.config "$out/corpus-target-config/full" 2>/dev/null
printf '# comment\nCONFIG_SUPERVISOR=y\nCONFIG_NETWORK=y\n# CONFIG_SECCOMP is not set\nCONFIG_SERVICE_DIR="/etc/berth"\n' \
	> "$out/corpus-target-config/small"
fuzz fuzz_target_config "the device's Kconfig .config (berth check --config)" corpus-target-config
# Seeds for berth's printf: a few conversions, each 16 bytes and a text.
mkdir -p "$out/corpus-printf"
printf '\000\023\001\001\012\030\003\000\000\000\000\377\377\377\371\002\003\000' > "$out/corpus-printf/d"
printf '\007\001\002\001\050\020\000\000\000\000\000\000\000\000\000\000\004abcd' > "$out/corpus-printf/s"
fuzz fuzz_printf "berth's printf (CONFIG_SMALL_PRINTF) against the C library's, conversion by conversion" corpus-printf
# Seeds for the option parser: a mode byte, then words (fuzz_cli.c's
# vocabulary): options after arguments, a cluster with its value, "--".
mkdir -p "$out/corpus-cli"
printf '\000\020\010\011\032' > "$out/corpus-cli/permute"
printf '\002\024\025\005\017\003' > "$out/corpus-cli/long-only"
fuzz fuzz_cli "berth's option parser against the C library's getopt_long (_only): options, values, argv's order" corpus-cli "src/cmd/cli.c"
fuzz fuzz_inroot "in-root path resolver (random symlink trees stay inside the root; the walk agrees with openat2; a host path through a fence resolves inside it)" corpus-inroot
