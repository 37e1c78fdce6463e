# SPDX-License-Identifier: Apache-2.0
# Install berth service files with a recipe, checked at build time:
#
#   inherit berth_services
#   SRC_URI = "file://web.conf file://setup.conf"
#   BERTH_SERVICES = "web.conf setup.conf"
#
# Each file is checked by berth-native's `berth check` before anything is
# installed: an error (file:line: key: why) fails do_install. It is
# checked for the image's berth, whose .config the berth recipe stages:
# a file asking for what its PACKAGECONFIG left out (seccomp =,
# [network]...) fails here, not at boot. BERTH_SERVICES_FOR_TARGET = "0"
# checks for what any berth can do (documentation, as berth-examples).
BERTH_SERVICES_FOR_TARGET ??= "1"
BERTH_TARGET_CONFIG ??= "${STAGING_DATADIR}/berth/berth.config"
DEPENDS += "berth-native ${@'berth' if d.getVar('BERTH_SERVICES_FOR_TARGET') == '1' else ''}"
BERTH_SERVICES ??= ""
BERTH_SERVICE_DIR ??= "${sysconfdir}/berth"
# Where the files the services name (seccomp profiles, bundles) are looked
# up, as the device will have them: this recipe's install directory
# first; add the directories of other recipes' files if need be. Device
# nodes are the kernel's, at boot.
BERTH_SYSROOTS ??= "${D}"
# Where the files are: UNPACKDIR (styhead and later), else WORKDIR.
BERTH_SERVICES_SRC ??= "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

do_install:append() {
    if [ -n "${BERTH_SERVICES}" ]; then
        cd ${BERTH_SERVICES_SRC}
        berth check -q ${@'--config ' + d.getVar('BERTH_TARGET_CONFIG') if d.getVar('BERTH_SERVICES_FOR_TARGET') == '1' else ''} \
            ${@' '.join('--sysroot ' + r for r in (d.getVar('BERTH_SYSROOTS') or '').split())} ${BERTH_SERVICES}
        install -d ${D}${BERTH_SERVICE_DIR}
        install -m 0644 ${BERTH_SERVICES} ${D}${BERTH_SERVICE_DIR}/
    fi
}

FILES:${PN} += "${BERTH_SERVICE_DIR}"
RDEPENDS:${PN} += "berth"
