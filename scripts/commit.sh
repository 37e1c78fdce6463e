#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The commit `berth --version` names (runc's "commit:" line, which
# `docker info` shows as the runtime's version): git's, when the source is
# a checkout of berth itself (not a tree inside some other repository, as
# under a Buildroot or Yocto work directory); in a release tarball, the one
# `git archive` wrote into scripts/release-commit (.gitattributes:
# export-subst); else "unknown".
top=$(cd "$(dirname "$0")/.." && pwd -P)
if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	git -C "$top" describe --always --dirty --abbrev=12 2>/dev/null && exit 0
fi
c=$(cat "$top/scripts/release-commit" 2>/dev/null)
case $c in
[0-9a-f]*) echo "$c" ;;
*) echo unknown ;;
esac
