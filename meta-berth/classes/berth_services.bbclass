# SPDX-License-Identifier: Apache-2.0
# Install berth service files with a recipe, checked at build time:
#
#   inherit berth_services
#   SRC_URI = "file://web.conf file://setup.conf"
#   BERTH_SERVICES = "web.conf setup.conf"
#
# Each file is checked by berth-native's `berth check` before anything is
# installed: an error (file:line: key: why) fails do_install.
DEPENDS += "berth-native"
BERTH_SERVICES ??= ""
BERTH_SERVICE_DIR ??= "${sysconfdir}/berth"
# Where the files are: UNPACKDIR (styhead and later), else WORKDIR.
BERTH_SERVICES_SRC ??= "${@d.getVar('UNPACKDIR') or d.getVar('WORKDIR')}"

do_install:append() {
    if [ -n "${BERTH_SERVICES}" ]; then
        cd ${BERTH_SERVICES_SRC}
        berth check -q ${BERTH_SERVICES}
        install -d ${D}${BERTH_SERVICE_DIR}
        install -m 0644 ${BERTH_SERVICES} ${D}${BERTH_SERVICE_DIR}/
    fi
}

FILES:${PN} += "${BERTH_SERVICE_DIR}"
RDEPENDS:${PN} += "berth"
