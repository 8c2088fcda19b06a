#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DKMS install, TAP: `make dkms-install` has dkms(8) add, build and
# install the module for KDIR's kernel (KVER), the test VM boots that
# kernel, loads that very .ko (its SHA-256 checked inside the guest) and
# runs the smoke job (create, commit, join, encrypt, decrypt, events);
# then `make dkms-remove` takes it away again.
#
# DKMS works in trees of its own under $BUILD/dkms (--dkmstree,
# --sourcetree, --installtree; no depmod): the host's /usr/src,
# /var/lib/dkms and /lib/modules are not touched, and runs from several
# checkouts do not meet. The trees have the layout of the real ones, so
# the module lands where it would on a real system:
# $BUILD/dkms/lib/modules/KVER/updates/dkms/mls.ko.
#
# environment: KDIR KVER, and as tools/vm/run-vm.sh
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
d=$BUILD/dkms
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

[ -n "${KVER:-}" ] && [ -f "${KDIR:-}/.config" ] || {
	notok "a kernel build tree with its .config (KDIR=${KDIR:-} KVER=${KVER:-})"
	finish
}
command -v dkms >/dev/null || { notok "dkms is installed (make deps)"; finish; }

rm -rf "$d"
mkdir -p "$d/src" "$d/var" "$d/lib/modules/$KVER"
version=$("$top/tools/version.sh")
flags="--dkmstree $d/var --sourcetree $d/src --installtree $d/lib/modules --kernelsourcedir $KDIR --no-depmod"
mk() { make -s --no-print-directory -C "$top" DKMS_SRCTREE="$d/src" DKMS_KVER="$KVER" DKMS_FLAGS="$flags" "$@"; }

echo "# dkms-test: mls/$version for $KVER ($KDIR)"
if mk dkms-install >"$d/install.log" 2>&1; then
	ok "make dkms-install: dkms adds, builds and installs mls/$version for $KVER"
else
	notok "make dkms-install: dkms adds, builds and installs mls/$version for $KVER"
	sed 's/^/# /' "$d/install.log"
	# dkms keeps the build's log
	find "$d/var" -name make.log -exec sed 's/^/# /' {} +
	finish
fi
check "the sources are in $d/src/mls-$version with dkms.conf's version set" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "$d/src/mls-$version/dkms.conf"
status=$(dkms status mls/"$version" $flags 2>&1)
echo "# $status"
check "dkms status says installed for $KVER" grep -q "^mls/$version, $KVER, x86_64: installed" <<<"$status"

ko=$d/lib/modules/$KVER/updates/dkms/mls.ko
check "the module is in /lib/modules/$KVER/updates/dkms/ of DKMS's tree" test -f "$ko"
[ -f "$ko" ] || finish
check "its vermagic is $KVER's" grep -q "^$KVER " <<<"$(modinfo -F vermagic "$ko")"
check "it is built with the load-time self-tests (dkms.conf's MAKE)" \
	grep -qw mls_crypto_selftest <<<"$(nm "$ko")"
signer=$(modinfo -F signer "$ko")
echo "# signer: ${signer:-none} (dkms signs with /var/lib/dkms/mok.key when it can)"

# The guest checks that what it loads is this file, byte for byte.
sum=$(sha256sum "$ko" | cut -d' ' -f1)
MODULE=$ko "$top/tools/vm/run-vm.sh" --job smoke --log "$BUILD/vm/dkms-smoke.log" \
	--append "mlsvm.sha256=$sum" >"$d/smoke.out" 2>&1
# The guest's and the runner's TAP lines, numbered into this test's.
while IFS= read -r line; do
	line=${line%$'\r'}
	name=$(sed 's/^\(not \)\{0,1\}ok\( [0-9]*\)\{0,1\}\( -\)\{0,1\} *//' <<<"$line")
	case "$line" in
	"not ok"*) notok "smoke: $name" ;;
	ok*) ok "smoke: $name" ;;
	"#"*) echo "$line" ;;
	esac
done <"$d/smoke.out"
grep -q '^ok - guest job smoke exited 0' "$d/smoke.out" ||
	sed 's/^/# /' "$d/smoke.out"

if mk dkms-remove >"$d/remove.log" 2>&1; then
	ok "make dkms-remove: dkms removes mls/$version"
else
	notok "make dkms-remove: dkms removes mls/$version"
	sed 's/^/# /' "$d/remove.log"
fi
check "the module is gone from DKMS's tree" test ! -e "$ko"
check "the sources are gone from $d/src" test ! -e "$d/src/mls-$version"
check "dkms status is empty" test -z "$(dkms status mls $flags 2>/dev/null)"
finish
