SUMMARY = "berth's example services, installed with berth-services.bbclass"
LICENSE = "CLOSED"
inherit berth-services allarch
# The example services of berth's QEMU boards, as documentation: they
# expect a container root in /srv/busybox that an image does not have.
BERTH_SERVICES = "setup.conf web.conf crashy.conf welcome.conf"
BERTH_SERVICES_SRC = "${BERTH_SRCDIR}/board/common/overlay/etc/berth"
BERTH_SERVICE_DIR = "${datadir}/berth/examples"
do_install() {
	:
}
