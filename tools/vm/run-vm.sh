#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test VM (QEMU, TCG: KVM does not work on these hosts) and run
# one guest job. The kernel console goes to the log file; the job's output
# (second serial port) streams to stdout. The run fails when the guest
# times out, when the job exits non-zero, or when the kernel log holds a
# WARN, BUG, oops, KASAN, lockdep, kmemleak or hung-task report.
#
# usage: run-vm.sh --job NAME --log FILE [--interactive] [--append ARGS]
# environment: BUILD MODULE VECTORS VM_KERNEL VM_MODULES VM_TIMEOUT
#              VM_MEM (MiB) EXTRA_MODULES MLS_MODULE_PARAMS
#              MLS_FUZZ_TIME MLS_FUZZ_SEED (fuzz_test's budget and seed)
#              MLS_SNAPFUZZ_COUNT MLS_SNAPFUZZ_SEED (persist_test's fuzz)
#
# It prints TAP lines of its own: "ok - guest ..." for the verdicts above.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
job= log= interactive= append=
while [ $# -gt 0 ]; do
	case "$1" in
	--job) job=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--append) append=$2; shift 2 ;;
	*) echo "run-vm: unknown argument $1" >&2; exit 1 ;;
	esac
done
[ -n "$job" ] && [ -n "$log" ] || { echo "usage: run-vm.sh --job NAME --log FILE" >&2; exit 1; }
[ -f "$here/jobs/$job" ] || [ "$job" = shell ] || { echo "run-vm: no job $job" >&2; exit 1; }
[ -r "${VM_KERNEL:?}" ] || { echo "run-vm: no kernel image $VM_KERNEL (make deps)" >&2; exit 1; }

mkdir -p "$(dirname "$log")" "$BUILD/vm"
# One guest at a time per build tree: runs started together wait here.
exec 9>"$BUILD/vm/.lock"
flock 9
initrd=$BUILD/vm/initramfs-$job.cpio.gz
"$here/mkinitramfs.sh" "$initrd"

out=${log%.log}.out
: >"$log"
: >"$out"
cmdline="console=ttyS0 loglevel=5 panic=-1 mlsvm.job=$job ${append} ${VM_APPEND:-}"
# MLS_MODULE_PARAMS reaches the guest through the command line.
[ -n "${MLS_SUITES:-}" ] && cmdline="$cmdline mlsvm.suites=${MLS_SUITES// /,}"
[ -n "${MLS_MODULE_PARAMS:-}" ] && cmdline="$cmdline mlsvm.params=${MLS_MODULE_PARAMS// /,}"
[ -n "${MLS_FUZZ_TIME:-}" ] && cmdline="$cmdline mlsvm.fuzz_time=$MLS_FUZZ_TIME"
[ -n "${MLS_FUZZ_SEED:-}" ] && cmdline="$cmdline mlsvm.fuzz_seed=$MLS_FUZZ_SEED"
[ -n "${MLS_SNAPFUZZ_COUNT:-}" ] && cmdline="$cmdline mlsvm.snapfuzz_count=$MLS_SNAPFUZZ_COUNT"
[ -n "${MLS_SNAPFUZZ_SEED:-}" ] && cmdline="$cmdline mlsvm.snapfuzz_seed=$MLS_SNAPFUZZ_SEED"

qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m "${VM_MEM:-2048}"
      -kernel "$VM_KERNEL" -initrd "$initrd" -no-reboot -display none
      -nic none)

start=$(date +%s)
rc=0
if [ -n "$interactive" ]; then
	"${qemu[@]}" -serial mon:stdio -serial "file:$out" \
		-append "$cmdline" || rc=$?
	cp /dev/null "$log"
else
	# Wall-clock limit: the guest must finish by itself (rc 124).
	timeout --signal=TERM --kill-after=10 "${VM_TIMEOUT:-1800}" \
		"${qemu[@]}" -serial "file:$log" -serial "file:$out" \
		-monitor none -append "$cmdline" </dev/null &
	qpid=$!
	tail -n +1 -F --pid=$qpid "$out" 2>/dev/null | grep --line-buffered -v '^MLS_GUEST_EXIT=' &
	tpid=$!
	wait $qpid || rc=$?
	wait $tpid 2>/dev/null || true
	[ $rc -eq 124 ] && echo "# vm: timed out after ${VM_TIMEOUT:-1800} s"
fi
end=$(date +%s)
echo "# vm: job $job ran $((end - start)) s; console log: $log"

[ -n "$interactive" ] && exit 0

fail=0
guest_rc=$(sed -n 's/^MLS_GUEST_EXIT=\([0-9]*\).*/\1/p' "$out" | tail -n 1 | tr -d '\r')
if [ -z "$guest_rc" ]; then
	echo "not ok - guest job $job finished (qemu rc $rc: timeout or crash)"
	fail=1
elif [ "$guest_rc" != 0 ]; then
	echo "not ok - guest job $job exited 0 (got $guest_rc)"
	fail=1
else
	echo "ok - guest job $job exited 0"
fi
if "$here/check-log.sh" "$log"; then
	echo "ok - guest kernel log has no WARN/BUG/oops/KASAN/lockdep/kmemleak/hung-task report"
else
	echo "not ok - guest kernel log has no WARN/BUG/oops/KASAN/lockdep/kmemleak/hung-task report"
	fail=1
fi
exit $fail
