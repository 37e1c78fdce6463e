#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Updates with rollback (IMAGE_STORE + SUPERVISOR): a service with
# `image =` and `ready = path:` is moved to new versions with `ctl
# update`: one that becomes ready and stays (committed), one that never
# becomes ready (rolled back at update-timeout), one that crashes after it
# is ready (rolled back within update-settle), one whose image cannot run
# (rolled back at once); `ctl rollback` by hand; a reload after a new
# import of the file's own image name; a supervisor killed during a trial
# (the next one runs the committed version); the store keeping what the
# pins name. Each version is the same layer with another config, so only
# what the config says tells them apart.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../helpers/oci_image.sh"
if ! "$BERTH" image --help >/dev/null 2>&1 || ! "$BERTH" supervise --help >/dev/null 2>&1; then
	skip "image updates" "not in this build (CONFIG_IMAGE_STORE, CONFIG_SUPERVISOR)"; exit 0
fi
grep -qw overlay /proc/filesystems || { skip "image updates" "this kernel has no overlayfs"; exit 0; }
make_rootfs_cache
d=$TESTROOT/image-update
rm -rf "$d" && mkdir -p "$d/conf" "$d/layer"
export BERTH_IMAGE_STORE=$d/store
img() { "$BERTH" image "$@"; }
cp -a "$ROOTFS_CACHE/." "$d/layer/"
oci_tar "$d/layer" "$d/layer.tar"
# version NAME SCRIPT: an image NAME (tag "1" unless NAME has one) whose
# program is SCRIPT; its id in $id.
version() {
	oci_config "$d/$1.json" "{\"Cmd\":[\"/bin/sh\",\"-c\",\"$2\"],\"Env\":[\"PATH=/bin\"]}" "$d/layer.tar"
	rm -rf "$d/$1.layout"; oci_layout "$d/$1.layout" "$d/$1.json" "$d/layer.tar"
	img import "$d/$1.layout" "$1" >/dev/null || fail "import $1"
	id=$(sha "$d/$1.json")
}
# Ready once /tmp/ready exists (in the container's own tmpfs overlay).
good='echo running-$VERSION; touch /tmp/ready; exec sleep 1000'
version app:1 "VERSION=1; $good"; v1=$id
version app:2 "VERSION=2; $good"; v2=$id
version app:never "echo never-ready; exec sleep 1000"; vnever=$id
version app:crash "echo crash-soon; touch /tmp/ready; sleep 1; exit 3"; vcrash=$id
oci_config "$d/broken.json" '{"Cmd":["/bin/true"],"User":"nobody-here"}' "$d/layer.tar"
oci_layout "$d/broken.layout" "$d/broken.json" "$d/layer.tar"; img import "$d/broken.layout" app:broken >/dev/null
SOCK=$d/ctl.sock
ctl() { "$BERTH" ctl -s "$SOCK" "$@"; }
state() { ctl list 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }
state_is() { [ "$(state "$1")" = "$2" ]; }
pin() { grep "^$1 " "$BERTH_IMAGE_STORE/pins/app" 2>/dev/null | cut -d' ' -f2; }
pin_is() { [ "$(pin "$1")" = "$2" ]; }
last() { sed -n 's/^last //p' "$BERTH_IMAGE_STORE/pins/app" 2>/dev/null; }
runs() { ctl logs app 2>/dev/null | tail -n1 | grep -q -- "$1" && state_is app ready; }
short() { echo "$1" | cut -c1-12; }
printf '[service]\nimage = app:1\nready = path:/tmp/ready\nstop-timeout = 200ms\nrestart-delay = 100ms\nupdate-timeout = 3s\nupdate-settle = 2s\n' \
	> "$d/conf/app.conf"
start_supervisor() {
	"$BERTH" --root "$ROOT" supervise --config-dir "$d/conf" --socket "$SOCK" >> "$d/supervisor.log" 2>&1 & SP=$!
}
start_supervisor
wait_until 30 runs running-1
check "the first ready run pins its version" wait_until 10 pin_is committed "$v1"

# A good update: ready, then settled, then committed.
out=$(ctl update app app:2)
expect_match "ctl update answers" "updating to sha256:$(short "$v2") \(app:2\)" "$out"
wait_until 30 runs running-2
expect_match "ctl status during the trial" "running: sha256:$(short "$v2") \(on trial\)" "$(ctl status app)"
check "a good update is committed once settled" wait_until 30 pin_is committed "$v2"
expect "...the version before it is the previous" "$v1" "$(pin previous)"
expect_match "...last update" "^updated to sha256:$(short "$v2") \(app:2\)" "$(last)"
expect_match "ctl status: committed and previous" "committed: sha256:$(short "$v2") \(app:2\).*previous: sha256:$(short "$v1") \(app:1\)" \
	"$(ctl status app | tr '\n' ' ')"

# Never ready: rolled back at update-timeout.
ctl update app app:never >/dev/null
wait_until 30 sh -c "ctl() { \"$BERTH\" ctl -s \"$SOCK\" \"\$@\"; }; ctl logs app | grep -q never-ready" 2>/dev/null
check "an update that is never ready is rolled back" wait_until 30 runs running-2
expect_match "...and says why" "^rolled back from sha256:$(short "$vnever") \(app:never\): not ready within update-timeout" "$(last)"
expect "...the committed version is unchanged" "$v2" "$(pin committed)"
check "...no trial is left in the pin" test -z "$(pin trial)"

# Ready, then a crash within update-settle: rolled back.
ctl update app app:crash >/dev/null
check "an update that crashes after it is ready is rolled back" wait_until 30 sh -c "grep -q 'rolled back from sha256:$(short "$vcrash")' '$BERTH_IMAGE_STORE/pins/app'"
expect_match "...and says why" "it ended after it was ready, within update-settle \(exit status 3\)" "$(last)"
check "...running the committed version again" wait_until 30 runs running-2

# An image that cannot run (its config's User is not in it).
ctl update app app:broken >/dev/null
check "an update whose image cannot run is rolled back" wait_until 30 sh -c "grep -q 'rolled back from sha256:' '$BERTH_IMAGE_STORE/pins/app' && grep -q 'cannot run' '$BERTH_IMAGE_STORE/pins/app'"
check "...running the committed version again" wait_until 30 runs running-2
oci_config "$d/noexec.json" '{"Cmd":["/no/such/program"]}' "$d/layer.tar"
oci_layout "$d/noexec.layout" "$d/noexec.json" "$d/layer.tar"; img import "$d/noexec.layout" app:noexec >/dev/null
ctl update app app:noexec >/dev/null
check "an update whose program is not in the image is rolled back" wait_until 30 sh -c "grep -q 'rolled back from sha256:$(short "$(sha "$d/noexec.json")")' '$BERTH_IMAGE_STORE/pins/app'"
expect_match "...as a container that could not be created" "it ended before it was ready \(its container could not be created: process.args\[0\]: exec \"/no/such/program\": No such file or directory\)" "$(last)"
check "...running the committed version again" wait_until 30 runs running-2
expect_match "an unknown image: refused, nothing changes" "no image app:nope" "$(ctl update app app:nope 2>&1)"
expect_match "an update to what runs: nothing to do" "already runs sha256:$(short "$v2")" "$(ctl update app app:2 2>&1)"

# By hand: back to the previous version.
expect_match "ctl rollback" "back to sha256:$(short "$v1") \(app:1\)" "$(ctl rollback app 2>&1)"
check "...runs the previous version" wait_until 30 runs running-1
expect "...which is now the committed one, and the other the previous" "$v1 $v2" "$(pin committed) $(pin previous)"

# A new import of the file's own name, then a reload: an update.
version app:1 "VERSION=3; $good"; v3=$id
ctl reload >/dev/null
check "a reload after an import of the file's image name: an update, committed" wait_until 30 pin_is committed "$v3"
check "...running the new version" wait_until 30 runs running-3

# The supervisor killed during a trial; the next one runs the committed.
# The trial's own timeout, not the file's 3 s: on a loaded machine the
# trial could end by itself before the kill, and this would test nothing.
ctl update app app:never --timeout 60s >/dev/null
on_trial() { ctl logs app 2>/dev/null | tail -n1 | grep -q never-ready && state_is app running; }
wait_until 30 on_trial
kill -9 "$SP"; wait "$SP" 2>/dev/null
start_supervisor
check "a trial cut short by a restart: the next supervisor drops it" wait_until 30 sh -c "! grep -q '^trial ' '$BERTH_IMAGE_STORE/pins/app'"
expect_match "...and says so" "^interrupted: the trial of sha256:$(short "$vnever")" "$(last)"
check "...and the trial's container it adopted is replaced by the committed version" wait_until 30 runs running-3
expect_match "...saying why" "its container runs from .*, its file now says .*: restarting" "$(cat "$d/supervisor.log")"

# What the pins name stays in the store, whatever the names.
img rm app:1 app:2 app:never app:crash app:broken app:noexec >/dev/null 2>&1
expect "the committed and previous roots stay after rm of every name" "$(printf '%s\n' "$v1" "$v3" | sort | tr '\n' ' ')" \
	"$(ls "$BERTH_IMAGE_STORE/roots" | tr '\n' ' ')"
check "...and the service still runs" runs running-3
# The service's file removed: the service goes, its pin too, and the
# store lets its roots go at the next change.
rm "$d/conf/app.conf"
ctl reload >/dev/null
gone() { [ -z "$(state app)" ] && [ ! -e "$BERTH_IMAGE_STORE/pins/app" ]; }
check "a service whose file is removed: it goes, and its pin with it" wait_until 30 gone
version other:1 "true"
expect "...then the next change of the store removes its roots" "$id " "$(ls "$BERTH_IMAGE_STORE/roots" | tr '\n' ' ')"

# A service whose rootfs is a squashfs file, moved to other files: the pin
# records paths; a rollback and a new supervisor keep to it, whatever the
# service file names.
if command -v mksquashfs >/dev/null && grep -qw squashfs /proc/filesystems && [ -e /dev/loop-control ]; then
	mkdir -p "$d/files"
	squash() {	# NAME SCRIPT
		rm -rf "$d/sq" && cp -a "$d/layer" "$d/sq" && printf '%s\n' "$2" > "$d/sq/run.sh"
		mksquashfs "$d/sq" "$d/files/$1.squashfs" -noappend -all-root -quiet >/dev/null 2>&1
	}
	squash f1 "echo file-1; touch /tmp/ready; exec sleep 1000"
	squash f2 "echo file-2; touch /tmp/ready; exec sleep 1000"
	squash f3 "echo file-3; touch /tmp/ready; exec sleep 1000"
	squash fnever "echo file-never; exec sleep 1000"
	fs_conf() { printf '[service]\nrootfs = %s\noverlay = tmpfs\nexec = sh /run.sh\nready = path:/tmp/ready\nstop-timeout = 200ms\nupdate-timeout = 3s\nupdate-settle = 1s\n%s' \
		"$d/files/$1.squashfs" "${2:-}" > "$d/conf/fs.conf"; }
	fpin() { grep "^$1 file " "$BERTH_IMAGE_STORE/pins/fs" 2>/dev/null | cut -d' ' -f3; }
	fpin_is() { [ "$(fpin "$1")" = "$d/files/$2.squashfs" ]; }
	fruns() { ctl logs fs 2>/dev/null | tail -n1 | grep -q -- "$1" && state_is fs ready; }
	fs_conf f1
	ctl reload >/dev/null
	wait_until 30 fruns file-1
	check "rootfs = FILE: runs, and writes no pin until it is updated" test ! -e "$BERTH_IMAGE_STORE/pins/fs"
	expect_match "ctl update NAME FILE answers" "updating to $d/files/f2.squashfs" "$(ctl update fs "$d/files/f2.squashfs" 2>&1)"
	check "...committed once settled" wait_until 30 fpin_is committed f2
	check "...running the new file" fruns file-2
	expect "...the file before it is the previous" "$d/files/f1.squashfs" "$(fpin previous)"
	expect_match "ctl status: the file the service names, and the one it runs" \
		"image file: $d/files/f1.squashfs running: $d/files/f2.squashfs committed: $d/files/f2.squashfs previous: $d/files/f1.squashfs" \
		"$(ctl status fs | tr '\n' ' ')"
	ctl update fs "$d/files/fnever.squashfs" >/dev/null
	check "a file that never becomes ready is rolled back" wait_until 30 sh -c "grep -q 'rolled back from $d/files/fnever.squashfs: not ready' '$BERTH_IMAGE_STORE/pins/fs'"
	check "...running the committed file again" wait_until 30 fruns file-2
	fs_conf f3
	ctl reload >/dev/null
	check "a reload after rootfs = names another file: an update, committed" wait_until 30 fpin_is committed f3
	check "...running it" wait_until 30 fruns file-3
	expect_match "ctl rollback" "back to $d/files/f2.squashfs" "$(ctl rollback fs 2>&1)"
	check "...runs the previous file, though the service file names another" wait_until 30 fruns file-2
	kill "$SP"; wait "$SP" 2>/dev/null
	start_supervisor
	check "a new supervisor runs the committed file" wait_until 30 fruns file-2
	# The committed file removed (an updater cleaning up): the file
	# rootfs names runs, with a warning, rather than nothing.
	kill "$SP"; wait "$SP" 2>/dev/null
	mv "$d/files/f2.squashfs" "$d/files/f2.away"
	start_supervisor
	check "a pinned file that is gone: the file rootfs names runs instead" wait_until 30 fruns file-3
	expect_match "...saying so" "the pinned $d/files/f2.squashfs is gone: running $d/files/f3.squashfs" "$(cat "$d/supervisor.log")"
	mv "$d/files/f2.away" "$d/files/f2.squashfs"
	expect_match "ctl update of a file root to a relative path: refused" "expected the absolute path of a squashfs or erofs file" \
		"$(ctl update fs files/f1.squashfs 2>&1)"
	expect_match "...to a file that is not there: refused" "$d/files/nope.squashfs: No such file" "$(ctl update fs "$d/files/nope.squashfs" 2>&1)"
	expect_match "...to a directory: refused" "expected the absolute path of a squashfs or erofs file" "$(ctl update fs "$d/files" 2>&1)"
	mkdir -p "$d/files/dir.squashfs"
	expect_match "...to a directory named as an image: refused" "dir.squashfs: not a regular file" \
		"$(ctl update fs "$d/files/dir.squashfs" 2>&1)"
	fs_conf f3 "rootfs-digest = sha256:$(sha "$d/files/f3.squashfs")
"
	ctl reload >/dev/null
	check "rootfs = another file, with its rootfs-digest: updated to it" wait_until 30 fpin_is committed f3
	expect_match "...where the file has rootfs-digest: refused" "rootfs-digest vouches for the file rootfs names" \
		"$(ctl update fs "$d/files/f1.squashfs" 2>&1)"
	version app:9 "true"
	printf '[service]\nimage = app:9\nrestart = no\n' > "$d/conf/img9.conf"
	ctl reload >/dev/null
	wait_until 30 state_is img9 done
	expect_match "an image service updated to a file: refused" "update it to an image NAME\[:TAG\], not a file" \
		"$(ctl update img9 "$d/files/f1.squashfs" 2>&1)"
else
	skip "updates of rootfs = FILE" "mksquashfs, squashfs or loop devices missing"
fi
kill "$SP"; wait "$SP" 2>/dev/null
expect "clean exit" 0 "$?"
[ -n "${KEEP:-}" ] || rm -rf "$d"
