#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The body of `make check-debug`: build (or take from the cache) the debug
# kernel, build the module against it, and run the same suites as
# `make check` on it. The debug kernel has everything built in, so the
# guest needs no kernel modules but ours.
#
# usage: check-debug.sh [fuzz]
#   fuzz: run only fuzz_test, for MLS_FUZZ_TIME seconds (make fuzz)
# environment: as tools/vm/run-vm.sh (VM_KERNEL, VM_MODULES, MODULE and
#              WARN_MODULE are set here); MLS_FUZZ_TIME: fuzz_test's
#              budget, 600 s by default (Documentation/dev-tools/fuzzing.rst);
#              MLS_SNAPFUZZ_COUNT: persist_test's snapshot mutations, 10,000
#              by default (the normal kernel's runs do fewer)
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
make -j"$(nproc)" -C "$kdir/src" M="$mod" W=1 MLS_SELFTEST=${MLS_SELFTEST:-y} modules 2>&1 |
	tee "$BUILD/debug-module-build.log"
if grep -E 'warning:|error:' "$BUILD/debug-module-build.log"; then
	echo "check-debug: the module does not build cleanly against the debug kernel" >&2
	exit 1
fi
make -j"$(nproc)" -C "$kdir/src" M="$mod/warn-test" modules >/dev/null

export VM_KERNEL=$kdir/bzImage VM_MODULES= MODULE=$mod/mls.ko
export WARN_MODULE=$mod/warn-test/mls_warn_test.ko
# KASAN and lockdep make the guest slower and hungrier.
export VM_MEM=${VM_MEM_DEBUG:-3072} VM_TIMEOUT=${VM_TIMEOUT_DEBUG:-3600}
# Every KASAN report, not only the first; real addresses in kmemleak's.
export VM_APPEND="kasan_multi_shot no_hash_pointers"
export MLS_FUZZ_TIME=${MLS_FUZZ_TIME:-600}
export MLS_SNAPFUZZ_COUNT=${MLS_SNAPFUZZ_COUNT:-10000}
if [ "${1:-}" = fuzz ]; then
	# The fuzzer alone: its budget, plus the boot and the other jobs' share.
	export MLS_SUITES=fuzz_test VM_TIMEOUT=$((MLS_FUZZ_TIME + 1800))
	mkdir -p "$BUILD/results/fuzz"
	rc=0
	"$top/tools/vm/run-vm.sh" --job check --log "$BUILD/vm/fuzz.log" 2>&1 |
		tee "$BUILD/results/fuzz/fuzz.tap" || rc=1
	"$top/tools/tap-summary.sh" "$BUILD/results/fuzz/fuzz.tap" || rc=1
	exit $rc
fi
"$top/tools/check.sh" check-debug
