#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The body of `make check-debug`: build (or take from the cache) the debug
# kernel, build the module against it, and run the same suites as
# `make check` on it. The debug kernel has everything built in, so the
# guest needs no kernel modules but ours.
#
# environment: as tools/vm/run-vm.sh (VM_KERNEL, VM_MODULES, MODULE and
#              WARN_MODULE are set here)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

start=$(date +%s)
kdir=$("$here/build-debug-kernel.sh" | tail -n 1)
echo "# check-debug: debug kernel ready in $(($(date +%s) - start)) s: $kdir"

# Kbuild writes objects beside the sources: build from a copy so the
# objects of the default kernel's build stay as they are.
mod=$BUILD/debug-module
mkdir -p "$mod" "$mod/warn-test"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	"$top/Kbuild" "$top/kmod" "$top/uapi" "$mod/"
rsync -a "$top/tools/vm/warn-test/Kbuild" "$top/tools/vm/warn-test/mls_warn_test.c" \
	"$mod/warn-test/"
make -C "$kdir/src" M="$mod" W=1 MLS_SELFTEST=${MLS_SELFTEST:-y} modules 2>&1 |
	tee "$BUILD/debug-module-build.log"
if grep -E 'warning:|error:' "$BUILD/debug-module-build.log"; then
	echo "check-debug: the module does not build cleanly against the debug kernel" >&2
	exit 1
fi
make -C "$kdir/src" M="$mod/warn-test" modules >/dev/null

export VM_KERNEL=$kdir/bzImage VM_MODULES= MODULE=$mod/mls.ko
export WARN_MODULE=$mod/warn-test/mls_warn_test.ko
# KASAN and lockdep make the guest slower and hungrier.
export VM_MEM=${VM_MEM_DEBUG:-3072} VM_TIMEOUT=${VM_TIMEOUT_DEBUG:-3600}
# Every KASAN report, not only the first; real addresses in kmemleak's.
export VM_APPEND="kasan_multi_shot no_hash_pointers"
"$top/tools/check.sh" check-debug
