# SPDX-License-Identifier: Apache-2.0
SUMMARY = "berth's example services, installed with berth_services.bbclass"
DESCRIPTION = "The service files of berth's QEMU boards (setup, uplink, web, \
               crashy, welcome), checked by berth-native and installed as examples."
SECTION = "admin"
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/Apache-2.0;md5=89aea4e17d99a7cacdbeed46a0096b10"

# The example services of berth's QEMU boards, from the tree this layer is
# part of, fetched as file:// (so that a change to one rebuilds the
# package), as documentation: they expect a container root in /srv/busybox
# that an image does not have, and web's [network] section a berth with
# PACKAGECONFIG network.
BERTH_SRCDIR ?= "${@os.path.normpath(os.path.join(d.getVar('FILE_DIRNAME'), '../../..'))}"
FILESEXTRAPATHS:prepend := "${BERTH_SRCDIR}/board/common/overlay/etc/berth:"
SRC_URI = "file://setup.conf file://uplink.conf file://web.conf file://crashy.conf file://welcome.conf"

inherit berth_services allarch

# Documentation, for any berth: checked for what berth can do, not for
# the image's (an allarch recipe depends on no machine's berth).
BERTH_SERVICES_FOR_TARGET = "0"

BERTH_SERVICES = "setup.conf uplink.conf web.conf crashy.conf welcome.conf"
BERTH_SERVICE_DIR = "${datadir}/berth/examples"

do_install() {
    :
}
