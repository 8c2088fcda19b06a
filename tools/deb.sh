#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build the Debian packages with dpkg-buildpackage (debian/)
# from a copy of the sources in $BUILD/deb/mls-VERSION, so that the .deb
# files land in $BUILD/deb/ and nothing is written beside the tree, then
# check them with lintian: any error fails; the warnings it prints are the
# ones Documentation/admin-guide/install.rst explains.
#
# environment: BUILD
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$BUILD/deb
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/mls-$version

rm -rf "$out"
mkdir -p "$out"
"$top/tools/copy-tree.sh" "$src"
echo "deb: dpkg-buildpackage in $src"
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed; log: $out/build.log" >&2
	exit 1
}
ls -l "$out"/*.deb

changes=$(ls "$out"/*.changes)
lintian --info --display-info --pedantic "$changes" >"$out/lintian.txt" 2>&1 || true
cat "$out/lintian.txt"
errors=$(grep -c '^E: ' "$out/lintian.txt" || true)
warnings=$(grep -c '^W: ' "$out/lintian.txt" || true)
echo "deb: lintian: $errors errors, $warnings warnings ($out/lintian.txt)"
[ "$errors" = 0 ]
