# Shared by the QEMU tests: a busybox initramfs tree and a boot of
# Debian's kernel for ARCH under TCG with the serial console captured.
# Needs: arch, top, work set by the caller.

record() { echo "$1 $2" >> "${RESULTS:-/dev/null}"; echo "  $(echo "$1" | tr A-Z a-z)  $2"; }

# The VM's busybox, for its architecture (run here: its applet list).
vm_busybox() { sh "$top/scripts/busybox-for.sh" "$arch" "$top/build/busybox-$arch"; }

# vm_tree DIR BERTH: busybox (all applets), berth, /dev/console.
vm_tree() {
	_r=$1
	rm -rf "$_r" && mkdir -p "$_r/bin" "$_r/sbin" "$_r/proc" "$_r/sys" "$_r/dev" "$_r/tmp" "$_r/run" "$_r/etc"
	cp "$(vm_busybox)" "$_r/bin/busybox"
	# The applets are the same in every architecture's build.
	for _a in $(/bin/busybox --list); do [ -e "$_r/bin/$_a" ] || ln -s busybox "$_r/bin/$_a"; done
	cp "$2" "$_r/bin/berth"
	mknod -m 600 "$_r/dev/console" c 5 1
}

# vm_boot DIR LOG [TIMEOUT]: pack DIR as the initramfs and boot it.
vm_boot() {
	(cd "$1" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"
	case $arch in
		x86_64) _q="qemu-system-x86_64 -machine q35 -cpu max"; _c=ttyS0;;
		aarch64) _q="qemu-system-aarch64 -machine virt -cpu max"; _c=ttyAMA0;;
	esac
	timeout "${3:-1500}" $_q -m 1024 -smp 2 -nographic -no-reboot -kernel "$kernel" -initrd "$work/initrd.gz" \
		-append "console=$_c panic=-1 quiet loglevel=3 ${VM_CMDLINE:-}" > "$2" 2>&1
}
