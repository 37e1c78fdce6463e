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

# oci_owned_app DIR: DIR/app.layout, an image whose /bin/tool (set-uid,
# hard-linked as tool2, symlinked as link) and /home/app belong to
# 1000:1000, as an image build must keep them (run as root).
oci_owned_app() {
	mkdir -p "$1/app/bin" "$1/app/home/app" && echo tool > "$1/app/bin/tool" && ln "$1/app/bin/tool" "$1/app/bin/tool2" &&
		ln -s tool "$1/app/bin/link" && chown 1000:1000 "$1/app/bin/tool" "$1/app/home/app" && chmod 4755 "$1/app/bin/tool"
	oci_tar "$1/app" "$1/app.tar" && oci_config "$1/app.json" '{"Cmd":["/bin/tool"]}' "$1/app.tar" &&
		oci_layout "$1/app.layout" "$1/app.json" "$1/app.tar"
}

# owned_listing TAR-LISTING-CMD...: the modes and owners of bin/tool and
# home/app in an image root, from a long `tar --numeric-owner` listing
# (the name is field 6; a hard link's "h" is its file's "-").
owned_listing() {
	"$@" 2>&1 | awk '$6 ~ /roots\/[0-9a-f]+\/rootfs\/(bin\/tool|home\/app)\/?$/ { sub(/^h/, "-", $1); print $1, $2 }' |
		sort | paste -sd' '
}
