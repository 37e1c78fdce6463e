#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Debian's busybox-static for a board's architecture, downloaded (not
# installed) once into DIR; prints the binary's path.
# usage: board/common/busybox.sh BOARD DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../$1/board.conf"
dir=$2
if [ ! -x "$dir/busybox" ]; then
	rm -rf "$dir/dl" && mkdir -p "$dir/dl"
	(cd "$dir/dl" && apt-get download "busybox-static:$BOARD_DEB_ARCH" >/dev/null 2>&1) ||
		{ echo "berth: apt-get download busybox-static:$BOARD_DEB_ARCH failed (dpkg --add-architecture $BOARD_DEB_ARCH; apt-get update)" >&2; exit 1; }
	dpkg-deb --fsys-tarfile "$dir"/dl/*.deb | (cd "$dir/dl" && tar -x ./bin/busybox)
	mv "$dir/dl/bin/busybox" "$dir/busybox"
	rm -rf "$dir/dl"
fi
echo "$dir/busybox"
