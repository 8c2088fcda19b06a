#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Copy the module's sources, as DKMS builds them, into DIR: Kbuild, kmod/
# and uapi/ (what `make -C KDIR M=DIR` reads), nothing built. dkms.conf is
# not copied: `make dkms-src` and dh_dkms each write it with its version.
#
# usage: dkms-src.sh DIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dst=${1:?usage: dkms-src.sh DIR}

install -d "$dst/kmod" "$dst/uapi/linux"
install -m 0644 "$top/Kbuild" "$dst/"
install -m 0644 "$top"/kmod/*.c "$top"/kmod/*.h "$dst/kmod/"
install -m 0644 "$top"/uapi/linux/*.h "$dst/uapi/linux/"
