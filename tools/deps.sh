#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install, only when missing, every Debian package that building and
# testing mls needs. Idempotent: a second run installs nothing and makes
# no network access. Called by `make deps`, hence by `make check` and
# `make run`.
set -eu

PACKAGES="
	build-essential pkg-config kmod bc flex bison cpio xz-utils rsync
	libelf-dev libssl-dev dwarves sparse
	linux-headers-cloud-amd64 linux-image-cloud-amd64 linux-source-6.1
	qemu-system-x86 busybox-static
	libnl-3-dev libnl-genl-3-dev libjansson-dev
	openssl python3
"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

echo "deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install packages (run: sudo make deps)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
