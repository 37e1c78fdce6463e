# SPDX-License-Identifier: Apache-2.0
# The sources of the parsers and what they need, for the unit tests and
# the fuzz targets (sourced by both, so the lists cannot drift apart).
PARSER_SRC="src/spec/oci.c src/spec/oci_resources.c src/spec/oci_seccomp.c src/spec/oci_process_extras.c src/spec/ini.c src/spec/service_keys.c
	src/spec/cmdline.c src/spec/default_spec.c src/spec/spec.c src/spec/validate.c src/util/json.c src/util/json_write.c
	src/util/arena.c src/util/log.c src/util/fs.c src/util/strutil.c src/util/inroot.c src/util/mountinfo.c
	src/util/proc.c src/util/clock.c src/util/waitfor.c src/linux/mountopts.c src/linux/fds.c
	src/spec/service_network.c src/spec/netaddr.c src/runtime/leases.c src/spec/deps.c src/spec/target.c"
# The image store's readers: tar, gzip, layouts, layers (fuzz_tar).
IMAGE_SRC="src/image/blob.c src/image/tar.c src/image/unpack.c src/image/manifest.c src/image/store.c src/image/pin.c src/util/sha256.c"
# Image stores (CONFIG_IMAGE_STORE in the ASan build these share a
# config.h with): the service key reads the store, which links zlib.
# IMAGE_EXTRA: what a target of the image code adds to PARSER_SRC.
if grep -q '^CONFIG_IMAGE_STORE=y' build/asan/.config 2>/dev/null; then
	PARSER_SRC="$PARSER_SRC src/spec/service_image.c $IMAGE_SRC -lz"
	IMAGE_EXTRA=""
else
	IMAGE_EXTRA="$IMAGE_SRC -lz"
fi
