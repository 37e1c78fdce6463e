#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The image store (IMAGE_STORE): `berth image import` of an OCI image
# layout, an oci-archive (gzip) and a docker-archive that this test
# writes, with gzip and plain layers, whiteouts, an opaque directory, hard
# links, symlinks and owners; services with `image =` and the image
# config's defaults; digests that do not match; hostile layers (names
# with "..", symlinks and hard links pointing out, device nodes, cut and
# damaged archives, a fifo where a blob should be), each against decoy
# files outside the store; an import killed half-way; rm.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../helpers/oci_image.sh"
if ! "$BERTH" image --help >/dev/null 2>&1; then skip "image store" "not in this build (CONFIG_IMAGE_STORE)"; exit 0; fi
if ! "$BERTH" supervise --help >/dev/null 2>&1; then skip "image store" "no supervisor in this build"; exit 0; fi
grep -qw overlay /proc/filesystems || { skip "image store" "this kernel has no overlayfs"; exit 0; }
make_rootfs_cache
d=$TESTROOT/image-store
rm -rf "$d" && mkdir -p "$d/conf" "$d/decoy"
STORE=$d/store
export BERTH_IMAGE_STORE=$STORE
img() { "$BERTH" image "$@"; }
echo decoy > "$d/decoy/file"
decoy_intact() { [ "$(ls -A "$d/decoy")" = file ] && [ "$(cat "$d/decoy/file")" = decoy ]; }
store_ids() { ls "$STORE/roots" 2>/dev/null | tr '\n' ' '; }
tmp_empty() { [ -z "$(ls -A "$STORE/tmp" 2>/dev/null)" ]; }

# ---- the layers, as directories, then as tar files ----
L=$d/layers
mkdir -p "$L/1" "$L/2"
cp -a "$ROOTFS_CACHE/." "$L/1/"
echo "app:x:1234:4321::/home/app:/bin/sh" >> "$L/1/etc/passwd"
echo "apps:x:4321:" >> "$L/1/etc/group"
echo v1 > "$L/1/etc/marker"
mkdir -p "$L/1/gone-dir/sub" "$L/1/opq" "$L/1/home/app" "$L/1/work" && chown 1234:4321 "$L/1/work"
echo lower > "$L/1/opq/lower-file"
echo x > "$L/1/gone-dir/sub/f"
echo x > "$L/1/gone-file"
echo owned > "$L/1/owned" && chown 1234:4321 "$L/1/owned" && chmod 4750 "$L/1/owned"
# Layer 2: whiteouts for a file and a directory, an opaque directory with
# a file of its own, a new marker, hard links, a symlink.
mkdir -p "$L/2/etc" "$L/2/opq"
echo v2 > "$L/2/etc/marker"
: > "$L/2/.wh.gone-file"
: > "$L/2/.wh.gone-dir"
: > "$L/2/opq/.wh..wh..opq"
echo upper > "$L/2/opq/upper-file"
echo linked > "$L/2/hl-a" && ln "$L/2/hl-a" "$L/2/hl-b"
ln -s /etc/marker "$L/2/marker-link"
oci_tar "$L/1" "$L/1.tar"
oci_tar "$L/2" "$L/2.tar"
gzip -9 -n -c "$L/1.tar" > "$L/1.tar.gz"
diff1=$(sha "$L/1.tar") diff2=$(sha "$L/2.tar")

# The config: what the service gets by default.
oci_config "$L/config.json" '{"Entrypoint":["/bin/sh","-c"],
  "Cmd":["cat /etc/marker; echo user=$(id -u):$(id -g) cwd=$(pwd) greeting=$GREETING; (echo w > /work/w) && echo root-writable; exec sleep 1000"],
  "Env":["PATH=/bin","GREETING=hello"],"WorkingDir":"/work","User":"app"}' "$L/1.tar" "$L/2.tar"
cfg=$(sha "$L/config.json")
oci_layout "$d/layout" "$L/config.json" "$L/1.tar.gz" "$L/2.tar"
tar -C "$d/layout" -cf - . | gzip -c > "$d/web.oci.tar.gz"
# docker save's older form: ID/layer.tar and ID.json.
mkdir -p "$d/docker/a" "$d/docker/b"
cp "$L/1.tar" "$d/docker/a/layer.tar"; cp "$L/2.tar" "$d/docker/b/layer.tar"; cp "$L/config.json" "$d/docker/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["web:docker"],"Layers":["a/layer.tar","b/layer.tar"]}]' "$cfg" > "$d/docker/manifest.json"
tar -C "$d/docker" -cf "$d/web.docker.tar" .

# ---- imports ----
out=$(img import "$d/layout" web:1 2>&1)
expect_match "import of an OCI image layout (gzip and plain layers)" "web:1 sha256:$cfg" "$out"
out=$(img import "$d/web.oci.tar.gz" web:oci 2>&1)
expect_match "import of a gzip oci-archive: the same image id" "web:oci sha256:$cfg" "$out"
out=$(img import - web:docker < "$d/web.docker.tar" 2>&1)
expect_match "import of a docker-archive from stdin: the same image id" "web:docker sha256:$cfg" "$out"
expect "one root for the three names" "$cfg " "$(store_ids)"
expect_match "image list" "web:1 +sha256:${cfg%"${cfg#????????????}"}" "$(img list)"
expect "image list -q" "web:1 web:docker web:oci" "$(img list -q | tr '\n' ' ' | sed 's/ $//')"
R=$STORE/roots/$cfg/rootfs
expect "the upper layer's file wins" "v2" "$(cat "$R/etc/marker")"
check "a whiteout removes a lower file" test ! -e "$R/gone-file"
check "a whiteout removes a lower directory" test ! -e "$R/gone-dir"
check "no whiteout file is left" test ! -e "$R/.wh.gone-file"
expect "an opaque directory hides the lower files, keeps its own" "upper-file" "$(ls -A "$R/opq")"
expect "hard links are one file" "$(stat -c %i "$R/hl-a")" "$(stat -c %i "$R/hl-b")"
expect "symlinks are kept as they are" "/etc/marker" "$(readlink "$R/marker-link")"
expect "owners and set-id bits are kept" "1234:4321 4750" "$(stat -c '%u:%g %a' "$R/owned")"
check "imports leave nothing in tmp/" tmp_empty

# ---- services ----
SOCK=$d/ctl.sock
ctl() { "$BERTH" ctl -s "$SOCK" "$@"; }
state() { ctl list 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }
state_is() { [ "$(state "$1")" = "$2" ]; }
logs() { ctl logs "$1" 2>/dev/null | tr '\n' ' '; }
logs_have() { logs "$1" | grep -q -- "$2"; }
printf '[service]\nimage = web:1\nstop-timeout = 200ms\nupdate-settle = 0\n' > "$d/conf/web.conf"
printf '[service]\nimage = web:oci\nexec = /bin/sh -c "echo user=$(id -u) greeting=$GREETING cwd=$(pwd); exec sleep 1000"\nuser = 7:8\nenv = GREETING=bonjour\ncwd = /\noverlay = none\nstop-timeout = 200ms\n' > "$d/conf/own.conf"
check "berth check accepts image =" "$BERTH" check "$d/conf"
"$BERTH" --root "$ROOT" supervise --config-dir "$d/conf" --socket "$SOCK" > "$d/supervisor.log" 2>&1 & SP=$!
wait_until 30 logs_have web root-writable; wait_until 30 logs_have own greeting
expect "image =: the image's Entrypoint, Cmd, Env, WorkingDir and User (a name)" \
	"v2 user=1234:4321 cwd=/work greeting=hello root-writable " "$(logs web)"
expect_match "exec =, user =, env = and cwd = replace the image's" "^user=7 greeting=bonjour cwd=/ $" "$(logs own)"
check "the store's root is never written (a tmpfs overlay)" test ! -e "$R/work/w"
# A new version under the same name, then a reload: web restarts on it.
sed 's/GREETING=hello/GREETING=hello2/' "$L/config.json" > "$L/config2.json"
cfg2=$(sha "$L/config2.json")
oci_layout "$d/layout2" "$L/config2.json" "$L/1.tar.gz" "$L/2.tar"
img import "$d/layout2" web:1 >/dev/null 2>&1
ctl reload >/dev/null
wait_until 30 logs_have web greeting=hello2
expect_match "a new import of the name and a reload: the service restarts on it" "greeting=hello .*greeting=hello2 " "$(logs web)"
expect "own, whose name did not change, kept running" 1 "$(ctl logs own | grep -c greeting)"
wait_until 30 grep -q "^committed $cfg2" "$STORE/pins/web"
expect "the version a service runs is pinned: web's committed and previous" "committed $cfg2 web:1 previous $cfg web:1" \
	"$(grep -E '^(committed|previous)' "$STORE/pins/web" | tr '\n' ' ' | sed 's/ $//')"
# Names gone while services run from their roots: the roots stay. (Pins
# keep the roots they name: without them here, for the mount check.)
rm "$STORE/pins/web" "$STORE/pins/own"
img import "$d/layout" keep:1 >/dev/null 2>&1
out=$(img rm web:1 web:oci 2>&1)
expect_match "rm of the names of running roots: each root kept, and why" "sha256:${cfg2%"${cfg2#????????????}"} is no longer named but a container runs from it" "$out"
expect "...both roots still there" "$(printf '%s\n' "$cfg" "$cfg2" | sort | tr '\n' ' ')" "$(store_ids)"
ctl stop web >/dev/null 2>&1
wait_until 30 state_is web stopped
img rm keep:1 >/dev/null 2>&1
expect "once web stopped, the next change removes its root; own's stays" "$cfg " "$(store_ids)"
img import "$d/layout2" web:1 >/dev/null 2>&1; img import "$d/layout" web:oci >/dev/null 2>&1
kill "$SP"; wait "$SP" 2>/dev/null
# A pin that cannot be read stops the collection, rather than leaving out
# what it names: a directory where a pin should be (EISDIR, root or not).
mkdir "$STORE/pins/unreadable"
out=$(img rm web:1 2>&1); rc=$?
check "a pin that cannot be read: the collection stops, and rm says so" test "$rc" -ne 0
expect_match "...naming the pin" "pins/unreadable: Is a directory" "$out"
expect_match "...and the root no name holds now is kept" "$cfg2" "$(store_ids)"
rmdir "$STORE/pins/unreadable"
img import "$d/layout2" web:1 >/dev/null 2>&1
printf '[service]\nimage = web:nope\nexec = true\n' > "$d/missing.conf"
expect_match "a missing image: file, line and what to do" "missing.conf:2: image: no image web:nope in .*berth image import" \
	"$("$BERTH" check "$d/missing.conf" 2>&1)"
printf '[service]\nimage = Web/../x\nexec = true\n' > "$d/badname.conf"
expect_match "a malformed image name" "badname.conf:2: image: \"Web/../x\": expected NAME\[:TAG\]" "$("$BERTH" check "$d/badname.conf" 2>&1)"

# ---- digests ----
before=$(img list)
# refuse DESC PATTERN SOURCE: the import fails with PATTERN, and changes nothing.
refuse() {
	out=$(img import "$3" bad:1 2>&1); rc=$?
	if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -Eq -- "$2" && [ "$(img list)" = "$before" ] && tmp_empty && decoy_intact; then
		ok "$1"
	else
		fail "$1" "rc=$rc [$out] list: $(img list | tr '\n' ' ') tmp: $(ls "$STORE/tmp") decoy: $(ls -A "$d/decoy")"
	fi
}
cp -a "$d/layout" "$d/altered"
# One byte of a file's content (the header's checksum does not cover it).
alter() { printf 'U' | dd of="$1" bs=1 seek="$(grep -abo 'upper' "$1" | tail -n1 | cut -d: -f1)" conv=notrunc 2>/dev/null; }
h2=$(sha "$L/2.tar"); alter "$d/altered/blobs/sha256/$h2"
refuse "a layer blob altered: refused by its digest" "digest is not sha256:$h2" "$d/altered"
cp -a "$d/docker" "$d/docker-altered"
alter "$d/docker-altered/b/layer.tar"
refuse "a docker layer altered: refused by the config's diff_id" "does not match its diff_id" "$d/docker-altered"
cp -a "$d/layout" "$d/altered-config"
sed -i 's/hello/HELLO/' "$d/altered-config/blobs/sha256/$cfg"
refuse "a config altered: refused by its digest" "has digest sha256:[0-9a-f]{64}, not sha256:$cfg" "$d/altered-config"
mkdir -p "$d/nolayers" && cp "$d/docker/$cfg.json" "$d/nolayers/"
printf '[{"Config":"%s.json","RepoTags":["web:docker"]}]' "$cfg" > "$d/nolayers/manifest.json"
refuse "a docker manifest without Layers" "an image needs Config and Layers" "$d/nolayers"
head -c 5000 "$d/web.docker.tar" > "$d/cut.tar"
refuse "a cut archive" "ends in the middle" "$d/cut.tar"
printf 'not a tar archive at all, but long enough to fill a header block of 512 bytes.%0450d' 0 > "$d/junk.tar"
refuse "not an archive" "checksum is wrong" "$d/junk.tar"

# ---- hostile layers (python3's tarfile writes what GNU tar will not) ----
if command -v python3 >/dev/null; then
	H=$d/hostile
	mkdir -p "$H"
	# hostile NAME: a layout whose one layer is $H/NAME.tar
	hostile() {
		rm -rf "$H/$1.layout"
		oci_config "$H/config.json" '{"Cmd":["true"]}' "$H/$1.tar"
		oci_layout "$H/$1.layout" "$H/config.json" "$H/$1.tar"
		echo "$H/$1.layout"
	}
	python3 - "$H" "$d/decoy" <<'PY'
import io, sys, tarfile
h, decoy = sys.argv[1], sys.argv[2]
def layer(name, entries):
    with tarfile.open(f"{h}/{name}.tar", "w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            ti = tarfile.TarInfo(e[0]); kind = e[1]
            if kind == "file":
                ti.size = len(e[2]); t.addfile(ti, io.BytesIO(e[2]))
            elif kind == "sym":
                ti.type = tarfile.SYMTYPE; ti.linkname = e[2]; t.addfile(ti)
            elif kind == "hard":
                ti.type = tarfile.LNKTYPE; ti.linkname = e[2]; t.addfile(ti)
            elif kind == "chr":
                ti.type = tarfile.CHRTYPE; ti.devmajor, ti.devminor = 1, 3; t.addfile(ti)
            elif kind == "dir":
                ti.type = tarfile.DIRTYPE; t.addfile(ti)
layer("dotdot", [("../../../../../../.." + decoy + "/pwned", "file", b"x")])
layer("symlink-out", [("out", "sym", decoy), ("out/pwned", "file", b"x"), ("out/file", "file", b"overwritten")])
layer("symlink-rel", [("a", "dir"), ("a/up", "sym", "../../../../../../../../.." + decoy), ("a/up/pwned", "file", b"x")])
layer("hardlink-out", [("hl", "hard", "../../../../../../../.." + decoy + "/file")])
layer("hardlink-abs", [("hl", "hard", decoy + "/file")])
layer("device", [("dev-null", "chr"), ("ok", "file", b"fine")])
layer("whiteout-out", [(".wh.." , "file", b""), ])
layer("whiteout-nodir", [("nodir/.wh.x", "file", b""), ("ok", "file", b"fine")])
PY
	refuse "a name with \"..\": refused" "climbs out" "$(hostile dotdot)"
	# contained DESC LAYER: imported, and what went through the layer's
	# symlink landed inside the image, where the decoy's path is.
	contained() {
		out=$(img import "$(hostile "$2")" "evil:$2" 2>&1)
		r=$(cut -c8- "$STORE/refs/evil:$2" 2>/dev/null)
		if decoy_intact && [ -n "$r" ] && [ -f "$STORE/roots/$r/rootfs$d/decoy/pwned" ]; then ok "$1"
		else fail "$1" "$out $(ls -A "$d/decoy")"; fi
		img rm "evil:$2" >/dev/null 2>&1
	}
	contained "a symlink to an absolute path: what goes through it stays in the image" symlink-out
	contained "a symlink climbing with \"..\": what goes through it stays in the image" symlink-rel
	before=$(img list)
	refuse "a hard link climbing out: refused" "a hard link to .*outside the image" "$(hostile hardlink-out)"
	refuse "a hard link to an absolute path: resolved inside the image (not there)" "hard link target: No such file" "$(hostile hardlink-abs)"
	refuse "a whiteout of \"..\": refused" "a whiteout that names nothing" "$(hostile whiteout-out)"
	out=$(img import "$(hostile device)" evil:dev 2>&1)
	r=$(cut -c8- "$STORE/refs/evil:dev" 2>/dev/null)
	if printf '%s' "$out" | grep -q "1 device nodes skipped" && [ -n "$r" ] && [ ! -e "$STORE/roots/$r/rootfs/dev-null" ] && \
		[ -f "$STORE/roots/$r/rootfs/ok" ]; then ok "device nodes are skipped, the rest imported"
	else fail "device nodes are skipped, the rest imported" "$out"; fi
	img rm evil:dev >/dev/null 2>&1
	out=$(img import "$(hostile whiteout-nodir)" evil:wh 2>&1)
	r=$(cut -c8- "$STORE/refs/evil:wh" 2>/dev/null)
	if [ -n "$r" ] && [ -f "$STORE/roots/$r/rootfs/ok" ] && [ ! -e "$STORE/roots/$r/rootfs/nodir" ]; then
		ok "a whiteout in a directory that is not there makes no directory"
	else fail "a whiteout in a directory that is not there makes no directory" "$out $(ls "$STORE/roots/$r/rootfs" 2>&1)"; fi
	img rm evil:wh >/dev/null 2>&1
	# A fifo where a blob should be: refused, not waited on.
	mkdir -p "$H/fifo-layout"; cp -a "$d/layout/." "$H/fifo-layout/"
	rm "$H/fifo-layout/blobs/sha256/$h2"; mkfifo "$H/fifo-layout/blobs/sha256/$h2"
	tar -C "$H/fifo-layout" -cf "$H/fifo.tar" .
	refuse "a fifo where a blob should be: refused, not read" "not a regular file" "$H/fifo.tar"
	# A manifest naming a path out of the layout.
	cp -a "$d/docker" "$H/docker-out"
	printf '[{"Config":"%s.json","RepoTags":["web:docker"],"Layers":["a/layer.tar","../../../../../../..%s/file"]}]' "$cfg" "$d/decoy" > "$H/docker-out/manifest.json"
	refuse "a docker manifest naming a file outside the archive: not found inside it" "No such file" "$H/docker-out"
else
	skip "hostile layers" "no python3 to write them"
fi

# ---- an import killed half-way ----
before=$(img list)
mkfifo "$d/slow"
"$BERTH" image import "$d/slow" web:cut > "$d/cut.log" 2>&1 & IP=$!
# Half the archive, then nothing (the writer becomes a sleep that holds
# the pipe open): the import has started writing and waits for more.
sh -c 'head -c "$1" "$0"; exec sleep 600' "$d/web.docker.tar" $(($(stat -c %s "$d/web.docker.tar") / 2)) > "$d/slow" & FP=$!
importing() { [ -n "$(find "$STORE/tmp" -type f 2>/dev/null | head -n1)" ]; }
wait_until 30 importing
kill -9 "$IP"; wait "$IP" 2>/dev/null; kill "$FP" 2>/dev/null; wait "$FP" 2>/dev/null
check "an import killed half-way left its work in tmp/" importing
expect "an import killed half-way: the store lists what it did" "$before" "$(img list)"
img import "$d/web.docker.tar" web:after >/dev/null 2>&1
check "the next import empties what it left in tmp/" tmp_empty

# ---- rm ----
img rm web:docker web:oci web:after >/dev/null 2>&1
expect "rm of names whose root another name uses: the root stays" "$cfg2 " "$(store_ids)"
img rm web:1 >/dev/null 2>&1
expect "rm of the last name: the root goes" "" "$(store_ids)$(ls "$STORE/refs")"
expect_match "rm of a name not there" "no image web:1 in" "$(img rm web:1 2>&1)"
check "the decoys were never touched" decoy_intact
rm -rf "$d"
