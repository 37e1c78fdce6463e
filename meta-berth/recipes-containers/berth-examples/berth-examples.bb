# SPDX-License-Identifier: Apache-2.0
SUMMARY = "berth's example services, installed with berth_services.bbclass"
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/Apache-2.0;md5=89aea4e17d99a7cacdbeed46a0096b10"
inherit berth_services allarch
# The example services of berth's QEMU boards, as documentation: they
# expect a container root in /srv/busybox that an image does not have,
# and web's [network] section a berth with PACKAGECONFIG network.
BERTH_SERVICES = "setup.conf uplink.conf web.conf crashy.conf welcome.conf"
BERTH_SRCDIR ?= "${@os.path.normpath(os.path.join(d.getVar('FILE_DIRNAME'), '../../..'))}"
BERTH_SERVICES_SRC = "${BERTH_SRCDIR}/board/common/overlay/etc/berth"
BERTH_SERVICE_DIR = "${datadir}/berth/examples"
do_install() {
    :
}
