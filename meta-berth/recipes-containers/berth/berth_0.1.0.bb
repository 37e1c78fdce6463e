# SPDX-License-Identifier: Apache-2.0
SUMMARY = "Minimal container launcher and supervisor for embedded Linux"
DESCRIPTION = "Runs OCI bundles with a runc-compatible command line, and \
               supervises containers described by service files: dependency order, \
               readiness, restarts with backoff, logs. It can be the system's init."
SECTION = "admin"
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://LICENSE;md5=3b83ef96387f14655fc854ddc3c6bd57"
CVE_PRODUCT = "berth"

DEPENDS = "cjson"
# berth-native needs inih, cJSON and zlib only (see below).
DEPENDS:append:class-native = " libinih-native zlib-native"

# A release: BERTH_RELEASE_URI names berth-${PV}.tar.gz (what `make dist`
# makes, with its sha256) and BERTH_RELEASE_SHA256 that sum, set by the
# distro (local.conf, a bbappend): the tarball holds this layer, so its
# sum cannot be written in it. Without one, the source is the tree this
# layer is part of (externalsrc), as a developer works.
BERTH_RELEASE_URI ??= ""
BERTH_RELEASE_SHA256 ??= ""
SRC_URI = "${BERTH_RELEASE_URI}"
SRC_URI[sha256sum] = "${BERTH_RELEASE_SHA256}"
BERTH_SRCDIR ?= "${@os.path.normpath(os.path.join(d.getVar('FILE_DIRNAME'), '../../..'))}"
inherit ${@'' if d.getVar('BERTH_RELEASE_URI') else 'externalsrc'}
EXTERNALSRC = "${BERTH_SRCDIR}"
B = "${WORKDIR}/build"

# Each option stands for one or more of berth's Kconfig symbols (berth_kconfig).
PACKAGECONFIG ??= "oci-runtime extra-commands hooks terminal supervisor watchdog network init \
                   seccomp userns cgroup-v1 cgroup-v2 lsm \
                   ${@bb.utils.filter('DISTRO_FEATURES', 'systemd', d)}"
PACKAGECONFIG[oci-runtime] = ""
PACKAGECONFIG[extra-commands] = ""
PACKAGECONFIG[hooks] = ""
PACKAGECONFIG[terminal] = ""
PACKAGECONFIG[supervisor] = ",,libinih"
PACKAGECONFIG[watchdog] = ""
PACKAGECONFIG[network] = ""
PACKAGECONFIG[init] = ""
# berth image import and image = NAME (not by default: it links zlib).
PACKAGECONFIG[images] = ",,zlib"
PACKAGECONFIG[seccomp] = ",,libseccomp"
PACKAGECONFIG[userns] = ""
PACKAGECONFIG[cgroup-v1] = ""
PACKAGECONFIG[cgroup-v2] = ""
PACKAGECONFIG[lsm] = ""
# --systemd-cgroup (Docker's and kubelet's driver on systemd images); on
# by default where the distro has systemd.
PACKAGECONFIG[systemd] = ""

# Where `berth supervise` reads service files (berth_services.bbclass
# installs there too).
BERTH_SERVICE_DIR ??= "${sysconfdir}/berth"
# How berth starts: "none", "pid1" (/sbin/init is berth, through
# update-alternatives) or "inittab" (a respawn line in busybox's inittab).
BERTH_START ??= "none"

def berth_kconfig(d):
    pc = (d.getVar('PACKAGECONFIG') or '').split()
    table = [
        ('oci-runtime', 'OCI_RUNTIME'),
        ('extra-commands', 'CMD_SPEC CMD_UPDATE CMD_PAUSE CMD_PS CMD_EVENTS CMD_FEATURES'),
        ('hooks', 'HOOKS'), ('terminal', 'TERMINAL'),
        ('supervisor', 'INI CMD_CHECK SUPERVISOR'),
        ('watchdog', 'WATCHDOG'), ('network', 'NETWORK NET_PUBLISH'), ('init', 'INIT'),
        ('images', 'IMAGE_STORE'),
        ('seccomp', 'SECCOMP SECCOMP_CACHE'), ('userns', 'USERNS IDMAP_MOUNTS'),
        ('cgroup-v1', 'CGROUP_V1'), ('cgroup-v2', 'CGROUP_V2 CGROUP_BPF_DEVICES'),
        ('lsm', 'APPARMOR SELINUX'), ('systemd', 'SYSTEMD_CGROUP'),
    ]
    lines = ['CONFIG_JSON=y']
    for opt, syms in table:
        for s in syms.split():
            lines.append('CONFIG_%s=y' % s if opt in pc else '# CONFIG_%s is not set' % s)
    if 'supervisor' in pc:
        lines.append('CONFIG_SERVICE_DIR="%s"' % d.getVar('BERTH_SERVICE_DIR'))
    return '\\n'.join(lines)

# DEPS=system: the cross compiler, flags and sysroot of the build; the
# image build strips and splits debug information itself.
EXTRA_OEMAKE = "-C ${S} O=${B} DEPS=system CC='${CC}' CFLAGS='${CFLAGS}' LDFLAGS='${LDFLAGS}'"

do_configure() {
    mkdir -p ${B}
    printf '${@berth_kconfig(d)}\n' > ${B}/.config
    oe_runmake olddefconfig
}

do_configure:class-native() {
    mkdir -p ${B}
    oe_runmake host_defconfig
}

do_compile() {
    oe_runmake
}

do_install() {
    oe_runmake DESTDIR=${D} PREFIX=${prefix} MANDIR=${mandir} install
    if ${@bb.utils.contains('PACKAGECONFIG', 'supervisor', 'true', 'false', d)}; then
        install -d ${D}${BERTH_SERVICE_DIR}
    fi
    # For berth_services.bbclass: recipes check their service files for
    # this build (`berth check --config`), from the sysroot; not in the image.
    install -D -m 0644 ${B}/.config ${D}${datadir}/berth/berth.config
}
FILES:${PN}-dev += "${datadir}/berth/berth.config"

# berth-native: `berth check` for berth_services.bbclass and `berth image
# import` for berth_images.bbclass. It needs inih, cJSON and zlib only
# (DEPENDS above): the target's PACKAGECONFIG (libseccomp...) must not
# reach it. libinih-native comes from this layer's bbappend.
PACKAGECONFIG:class-native = ""
EXTRA_OEMAKE:class-native = "-C ${S} O=${B} HOST=1 CC='${CC}' CFLAGS='${CFLAGS}' LDFLAGS='${LDFLAGS}'"
do_install:class-native() {
    install -D -m 0755 ${B}/berth ${D}${bindir}/berth
}
BBCLASSEXTEND = "native"

inherit update-alternatives
ALTERNATIVE:${PN} = "${@'init' if d.getVar('BERTH_START') == 'pid1' else ''}"
ALTERNATIVE_LINK_NAME[init] = "${base_sbindir}/init"
ALTERNATIVE_TARGET[init] = "${sbindir}/berth"
ALTERNATIVE_PRIORITY[init] = "300"

# Busybox's inittab belongs to busybox-inittab: add the lines at rootfs
# time (or on the target), mounting cgroup2 if nothing else has.
pkg_postinst:${PN}() {
    if [ "${BERTH_START}" = inittab ] && [ -f $D${sysconfdir}/inittab ] &&
       ! grep -q 'berth supervise' $D${sysconfdir}/inittab; then
        echo '::sysinit:/bin/sh -c "mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup"' >> $D${sysconfdir}/inittab
        echo '::respawn:${sbindir}/berth supervise' >> $D${sysconfdir}/inittab
    fi
}
