#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The version of the sources, as DKMS and `make dkms-install` name them:
# `git describe` of a release tag (v0.1.0 -> 0.1.0, then -N-gHASH after
# it), or, with no tag, the module's version (kmod/version.h) and the
# commit: 0.1.0+git.b407491; "-dirty" when the tree has changes. Outside
# a git checkout: the module's version alone.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(sed -n 's/^#define MLS_MODULE_VERSION "\(.*\)"$/\1/p' "$top/kmod/version.h")
if v=$(git -C "$top" describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
	echo "${v#v}"
elif h=$(git -C "$top" describe --always --dirty 2>/dev/null); then
	echo "$base+git.$h"
else
	echo "$base"
fi
