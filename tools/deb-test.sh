#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages of `make deb` (mls-dkms, libmls0, libmls-dev,
# mls-tools, libmlsclient0, libmlsclient-dev), TAP: dpkg installs them into a
# scratch root ($BUILD/deb/root, its own dpkg database: the host's
# packages stay as they are), each file is where Debian puts it and
# belongs to the package it should, pkg-config finds libmls there and
# the libmls example builds against it, then dpkg purges them and no
# file is left.
#
# mls-dkms is unpacked, not configured: its postinst is DKMS building the
# module, which `make dkms-test` tests on the real kernel. Its prerm runs
# (under the scratch root's busybox shell) when it is purged.
#
# environment: BUILD
set -uo pipefail

out=$BUILD/deb
R=$out/root
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }
check() { # check NAME COMMAND...
	local name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}
finish() { echo "1..$n"; exit $fail; }
logged() { # logged NAME COMMAND...: its output as comments when it fails
	local name=$1 log
	shift
	if log=$("$@" 2>&1); then ok "$name"; else notok "$name"; sed 's/^/# /' <<<"$log"; fi
}

version=$(dpkg-parsechangelog -l "$(dirname "$0")/../debian/changelog" -S Version)
upstream=${version%-*}
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
lib=usr/lib/$multiarch
# The library's file carries libmls's own version, not the package's.
libver=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$(dirname "$0")/../userlib/Makefile")
[ -n "$libver" ] || { echo "deb-test: no VERSION in userlib/Makefile" >&2; exit 1; }
clientver=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$(dirname "$0")/../userlib/client/Makefile")
[ -n "$clientver" ] || { echo "deb-test: no VERSION in userlib/client/Makefile" >&2; exit 1; }
debs=()
for p in mls-dkms_${version}_all libmls0_${version}_$arch libmls-dev_${version}_$arch \
	 mls-tools_${version}_$arch libmlsclient0_${version}_$arch \
	 libmlsclient-dev_${version}_$arch; do
	check "make deb built $p.deb" test -f "$out/$p.deb"
	debs+=("$out/$p.deb")
done
[ "$fail" = 0 ] || finish

# A root of its own: a dpkg database, and a shell for the maintainer
# scripts dpkg runs chrooted into it.
rm -rf "$R"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/bin"
: >"$R/var/lib/dpkg/status"
cp /bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
dpkg_r() { dpkg --root="$R" --force-depends --force-not-root "$@"; }

logged "dpkg -i libmls0 libmls-dev mls-tools libmlsclient0 libmlsclient-dev into the scratch root" \
	dpkg_r -i "${debs[@]:1}"
logged "dpkg --unpack mls-dkms into the scratch root" dpkg_r --unpack "${debs[0]}"

owner() { # owner PACKAGE PATH: PATH is in the root and PACKAGE owns it
	[ -e "$R/$2" ] || [ -L "$R/$2" ] || return 1
	[ "$(dpkg --root="$R" -S "/$2" 2>/dev/null | cut -d: -f1)" = "$1" ]
}
while read -r pkg path; do
	check "$pkg: /$path" owner "$pkg" "$path"
done <<EOF2
libmls0 $lib/libmls.so.0
libmls0 $lib/libmls.so.$libver
libmls-dev $lib/libmls.so
libmls-dev $lib/libmls.a
libmls-dev $lib/pkgconfig/libmls.pc
libmls-dev usr/include/libmls.h
libmls-dev usr/include/linux/mls.h
libmls-dev usr/share/man/man3/libmls.3.gz
libmls-dev usr/share/man/man3/mls_encrypt.3.gz
libmls-dev usr/share/doc/libmls-dev/examples/mls-hello.c
libmlsclient0 $lib/libmlsclient.so.0
libmlsclient0 $lib/libmlsclient.so.$clientver
libmlsclient-dev $lib/libmlsclient.so
libmlsclient-dev $lib/libmlsclient.a
libmlsclient-dev $lib/pkgconfig/libmlsclient.pc
libmlsclient-dev usr/include/mls_client.h
libmlsclient-dev usr/share/man/man3/libmlsclient.3.gz
libmlsclient-dev usr/share/man/man3/mlsc_message_parse.3.gz
mls-tools usr/sbin/mlsctl
mls-tools usr/sbin/mls-bench
mls-tools usr/sbin/mls-evbench
mls-tools usr/sbin/mls-persistd
mls-tools usr/share/man/man8/mls-persistd.8.gz
mls-tools lib/systemd/system/mls-persistd.service
mls-tools usr/share/man/man8/mlsctl.8.gz
mls-tools usr/share/man/man8/mls-bench.8.gz
mls-tools usr/share/man/man8/mls-evbench.8.gz
mls-tools usr/share/bash-completion/completions/mlsctl
mls-dkms usr/src/mls-$upstream/dkms.conf
mls-dkms usr/src/mls-$upstream/Kbuild
mls-dkms usr/src/mls-$upstream/kmod/main.c
mls-dkms usr/src/mls-$upstream/uapi/linux/mls.h
mls-dkms lib/udev/rules.d/60-mls.rules
mls-dkms usr/share/doc/mls-dkms/examples/modprobe.mls.conf
mls-dkms usr/share/doc/mls-dkms/examples/modules-load.mls.conf
EOF2

check "libmls.so.0 links to the library file" \
	test "$(readlink "$R/$lib/libmls.so.0")" = "libmls.so.$libver"
check "the library's SONAME is libmls.so.0 (package libmls0)" \
	grep -q 'SONAME *libmls.so.0$' <<<"$(objdump -p "$R/$lib/libmls.so.$libver")"
check "the client's SONAME is libmlsclient.so.0 (package libmlsclient0)" \
	grep -q 'SONAME *libmlsclient.so.0$' <<<"$(objdump -p "$R/$lib/libmlsclient.so.$clientver")"
check "dkms.conf names mls $upstream (dh_dkms set the version)" \
	grep -qx "PACKAGE_VERSION=\"$upstream\"" "$R/usr/src/mls-$upstream/dkms.conf"
check "only mls-dkms ships a dkms.conf" \
	test "$(dpkg --root="$R" -S dkms.conf 2>/dev/null | cut -d: -f1)" = mls-dkms
check "only mls-dkms depends on dkms" \
	test -z "$(for d in "${debs[@]:1}"; do dpkg -f "$d" Depends; done | grep dkms)"
check "the udev rule gives /dev/mls its mode" \
	grep -q '^KERNEL=="mls", SUBSYSTEM=="misc", MODE="0666"' "$R/lib/udev/rules.d/60-mls.rules"
check "mlsctl runs and prints its usage" "$R/usr/sbin/mlsctl" help
check "mls-persistd runs and prints its usage" "$R/usr/sbin/mls-persistd" --help
check "the unit starts /usr/sbin/mls-persistd, Type=notify" \
	grep -q '^ExecStart=/usr/sbin/mls-persistd ' "$R/lib/systemd/system/mls-persistd.service"
for m in man8/mlsctl.8 man8/mls-bench.8 man8/mls-evbench.8 man8/mls-persistd.8 man3/libmls.3 man3/libmlsclient.3; do
	check "man -l $m renders without a warning" \
		test -z "$(MANWIDTH=80 man --warnings -l "$R/usr/share/man/$m.gz" 2>&1 >/dev/null)"
done

# pkg-config and the example, as a user of libmls-dev builds it (the
# scratch root's pkg-config directory first, the host's for the libraries
# libmls.pc requires).
export PKG_CONFIG_SYSROOT_DIR=$R
export PKG_CONFIG_LIBDIR=$R/$lib/pkgconfig:/usr/lib/$multiarch/pkgconfig:/usr/share/pkgconfig
flags=$(pkg-config --cflags --libs libmls 2>&1)
echo "# pkg-config --cflags --libs libmls: $flags"
check "pkg-config --cflags --libs libmls: the root's include and library directories, -lmls" \
	grep -q -- "-I$R/usr/include .*-L$R/$lib -lmls" <<<"$flags"
ex=$out/example
rm -rf "$ex"
cp -r "$R/usr/share/doc/libmls-dev/examples" "$ex"
logged "the example builds with its Makefile against the installed libmls" make -C "$ex"
check "the example links libmls.so.0 of the scratch root" \
	grep -q "libmls.so.0 => $R/$lib/libmls.so.0" <<<"$(LD_LIBRARY_PATH=$R/$lib ldd "$ex/mls-hello")"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR

logged "dpkg --purge removes the six packages" \
	dpkg_r --purge mls-dkms mls-tools libmlsclient-dev libmlsclient0 libmls-dev libmls0
left=$(cd "$R" && find usr lib -type f 2>/dev/null)
check "no file is left behind" test -z "$left"
[ -z "$left" ] || sed 's/^/# left: /' <<<"$left"
finish
