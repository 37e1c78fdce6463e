# SPDX-License-Identifier: Apache-2.0
# The board builder's functions, shared by build.sh, boot.sh, `make demo`
# and the boot tests. Sourced; set board_top (the repository) first.
#   board_load BOARD                  its board.conf; BOARD_DIR, BOARD_CACHE
#   board_tree ROOT BERTH pid1|inittab   the initramfs tree
#   board_pack ROOT INITRD            ROOT as a gzipped newc cpio
#   board_boot INITRD [WORDS...]      boot it, the serial console on stdio
#                                     (BOARD_HTTP_PORT: the host's port
#                                     forwarded to the board's 8080)
#   board_free_port FROM              a free TCP port of this machine, FROM up

board_load() {
	BOARD=$1
	BOARD_DIR=$board_top/board/$1
	[ -f "$BOARD_DIR/board.conf" ] || { echo "berth: no board $1 (board/*/board.conf: $(cd "$board_top/board" && ls -d qemu-* | tr '\n' ' '))" >&2; return 1; }
	. "$BOARD_DIR/board.conf"
	# Downloads are kept across builds: build/ is the cache, as dl/ is Buildroot's.
	BOARD_CACHE=$board_top/build/board-cache/$BOARD_ARCH
}

board_busybox() { sh "$board_top/board/common/busybox.sh" "$BOARD" "$BOARD_CACHE/busybox"; }
board_kernel() { sh "$board_top/board/common/kernel.sh" "$BOARD" "$BOARD_CACHE/kernel"; }

# board_base ROOT BERTH: the bare system: busybox with every applet,
# berth, /dev/console; no services, no init.
board_base() {
	_root=$1
	_bb=$(board_busybox) || return 1
	rm -rf "$_root" && mkdir -p "$_root"
	for _d in bin sbin proc sys dev tmp run etc; do mkdir -p "$_root/$_d"; done
	cp "$_bb" "$_root/bin/busybox"
	# The applet list is the same in every architecture's build: ask the
	# host's busybox-static (this one may not run here).
	for _a in $(/bin/busybox --list); do [ -e "$_root/bin/$_a" ] || ln -s busybox "$_root/bin/$_a"; done
	cp "$2" "$_root/bin/berth"
	mknod -m 600 "$_root/dev/console" c 5 1
}

# board_modules ROOT: the kernel's network modules (board/common/kernel.sh)
# in ROOT/lib/modules, /sbin/modprobe (which the kernel runs to load one
# it needs: a bridge, an nf_tables expression), and in /etc/modules the
# NIC's drivers, which nothing would load otherwise (no udev).
board_modules() {
	_k=$(board_kernel) || return 1
	cp -R "$(dirname "$_k")/modules/lib" "$1/"
	ln -s ../bin/busybox "$1/sbin/modprobe"
	{ echo "# The NIC's drivers (loaded by berth as PID 1, or by inittab's sysinit)."
	  for _m in virtio_pci virtio_mmio virtio_net; do
		find "$1/lib/modules" -name "$_m.ko" | grep -q . && echo "$_m"
	  done; } > "$1/etc/modules"
}

# board_tree ROOT BERTH VARIANT: the bare system, the example services and
# their container root (/srv/busybox), and /sbin/init: berth itself (pid1)
# or busybox init running `berth supervise` (inittab).
board_tree() {
	_root=$1 _berth=$2 _variant=$3
	board_base "$_root" "$_berth" || return 1
	board_modules "$_root" || return 1
	mkdir -p "$_root/var/lib/data" "$_root/srv"
	cp -R "$board_top/board/common/overlay/." "$_root/"
	[ -d "$BOARD_DIR/overlay" ] && cp -R "$BOARD_DIR/overlay/." "$_root/"
	# The containers' root: the same busybox, a few applets.
	_c=$_root/srv/busybox
	for _d in bin proc sys dev tmp data run usr/bin; do mkdir -p "$_c/$_d"; done
	cp "$_root/bin/busybox" "$_c/bin/busybox"
	for _a in sh echo cat sleep httpd wget awk kill ls grep mkdir ps seq ip; do ln -s busybox "$_c/bin/$_a"; done
	case $_variant in
		pid1) ln -s ../bin/berth "$_root/sbin/init";;
		inittab) ln -s ../bin/busybox "$_root/sbin/init"
			cp "$board_top/board/common/inittab" "$_root/etc/inittab";;
		*) echo "berth: board variant '$_variant': expected pid1 or inittab" >&2; return 1;;
	esac
	# As an image build should: refuse service files with errors.
	_out=$(board_run_target "$_berth" check "$_root/etc/berth" 2>&1) || { echo "$_out" >&2; return 1; }
}

# board_run_target BINARY ARGS...: run a binary of the board's architecture
# here, through qemu-user when this machine is another one.
board_run_target() {
	case $BOARD_ARCH in
		"$(uname -m)") "$@";;
		aarch64) qemu-aarch64-static "$@";;
		armv7) qemu-arm-static "$@";;
		*) echo "berth: cannot run $BOARD_ARCH binaries here" >&2; return 1;;
	esac
}

board_pack() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc 2>/dev/null | gzip -1) > "$2"; }

# board_boot INITRD [WORDS...]: the kernel command line gets WORDS; the
# initramfs's /sbin/init is PID 1. -no-reboot: a reboot ends QEMU. The
# board's NIC is on QEMU's user network (10.0.2.15), the host's
# 127.0.0.1:BOARD_HTTP_PORT (default 8080) forwarded to its port 8080.
# BOARD_DISK=FILE: a raw disk image as the board's /dev/vda.
board_boot() {
	_initrd=$1; shift
	_kernel=$(board_kernel) || return 1
	$BOARD_QEMU -m "${BOARD_MEM:-512}" -smp 2 -nographic -no-reboot -kernel "$_kernel" -initrd "$_initrd" \
		${BOARD_DISK:+-drive "file=$BOARD_DISK,format=raw,if=virtio"} \
		-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:${BOARD_HTTP_PORT:-8080}-:8080" -device "$BOARD_NIC,netdev=net0" \
		-append "console=$BOARD_CONSOLE rdinit=/sbin/init panic=-1 quiet loglevel=3 $*"
}

board_free_port() {
	_p=$1
	while ss -Htln "sport = :$_p" 2>/dev/null | grep -q .; do _p=$((_p + 1)); done
	echo "$_p"
}
