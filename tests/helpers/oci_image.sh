# SPDX-License-Identifier: Apache-2.0
# Writing OCI images for the tests, with nothing but tar, gzip and
# sha256sum (sourced by image_store.sh and image_update.sh).

sha() { sha256sum "$1" | cut -d' ' -f1; }

# oci_tar DIR TAR: DIR's files as a layer, the same bytes every time.
oci_tar() { tar --sort=name --mtime=@1700000000 --numeric-owner -C "$1" -cf "$2" .; }

# oci_config OUT CONFIG-JSON LAYER-TAR...: an image config with this
# "config" object and the layers' diff_ids (of the tars as they are, or
# of what a .gz holds).
oci_config() {
	_out=$1 _conf=$2; shift 2
	_ids=""
	for _l in "$@"; do
		case $_l in *.gz) _h=$(gzip -dc "$_l" | sha256sum | cut -d' ' -f1) ;; *) _h=$(sha "$_l") ;; esac
		_ids="$_ids${_ids:+,}\"sha256:$_h\""
	done
	printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]}}\n' \
		"$_conf" "$_ids" > "$_out"
}

# oci_layout DIR CONFIG LAYER...: an OCI image layout holding one image,
# its manifest named "1" in index.json.
oci_layout() {
	_o=$1 _c=$2; shift 2
	mkdir -p "$_o/blobs/sha256"
	echo '{"imageLayoutVersion":"1.0.0"}' > "$_o/oci-layout"
	_ch=$(sha "$_c"); cp "$_c" "$_o/blobs/sha256/$_ch"
	_layers=""
	for _f in "$@"; do
		_h=$(sha "$_f"); cp "$_f" "$_o/blobs/sha256/$_h"
		case $_f in *.gz) _t=application/vnd.oci.image.layer.v1.tar+gzip ;; *) _t=application/vnd.oci.image.layer.v1.tar ;; esac
		_layers="$_layers${_layers:+,}{\"mediaType\":\"$_t\",\"digest\":\"sha256:$_h\",\"size\":$(stat -c %s "$_f")}"
	done
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
		"$_ch" "$(stat -c %s "$_c")" "$_layers" > "$_o/manifest.tmp"
	_m=$(sha "$_o/manifest.tmp"); mv "$_o/manifest.tmp" "$_o/blobs/sha256/$_m"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' \
		"$_m" "$(stat -c %s "$_o/blobs/sha256/$_m")" > "$_o/index.json"
}
