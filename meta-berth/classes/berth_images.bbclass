# SPDX-License-Identifier: Apache-2.0
# Put OCI images into an image's root filesystem, ready for a service's
# `image = NAME[:TAG]`:
#
#   inherit berth_images
#   BERTH_IMAGES = "${TOPDIR}/oci/web.tar=web:1.2 ${DEPLOY_DIR_IMAGE}/db-oci=db"
#
# Each FILE (a docker-archive, an oci-archive or an OCI image layout
# directory) is imported as NAME[:TAG] by berth-native when the root
# filesystem is made, under pseudo: the image's owners and set-id bits are
# kept. Every digest is checked; a bad image fails do_rootfs.
BERTH_IMAGES ??= ""
BERTH_IMAGE_STORE ??= "${localstatedir}/lib/berth/images"

do_rootfs[depends] += "berth-native:do_populate_sysroot"
# A file or layout that changes makes the root filesystem again.
do_rootfs[file-checksums] += "${@' '.join('%s:%s' % (i.split('=')[0], os.path.exists(i.split('=')[0])) for i in (d.getVar('BERTH_IMAGES') or '').split())}"
ROOTFS_POSTPROCESS_COMMAND += "berth_import_images"

berth_import_images() {
    for i in ${BERTH_IMAGES}; do
        case $i in
        *=?*) berth image --store ${IMAGE_ROOTFS}${BERTH_IMAGE_STORE} import "${i%%=*}" "${i#*=}" ;;
        *) bbfatal "BERTH_IMAGES: \"$i\": expected FILE=NAME[:TAG]" ;;
        esac
    done
}
