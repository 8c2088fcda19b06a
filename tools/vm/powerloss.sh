#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make powerloss-test: mls-persistd's store on an ext4 file system of a
# virtual disk, the VM reset hard (QEMU killed, no shutdown) at a random
# moment while a persistent member sends and the daemon writes, then
# booted again, RESETS times; a last boot recovers, sends and stops
# cleanly. Each boot runs the guest job "powerloss" (selftests/mls/
# powerloss_member.c), whose every line reached the host's file through
# the serial port before the member went on. Over all boots it counts
#
#   corrupt snapshots          records recovery reported corrupt,
#                              unreadable or refused by the kernel, and
#                              records left in the store failing their
#                              checksum after recovery
#   lost acknowledged epochs   epochs the member had sent in (so a
#                              snapshot of them was durable and
#                              acknowledged) above the epoch it came back
#                              in, all of them if it had to be made anew
#   generations reused         (epoch, leaf, generation) sent twice
#
# and fails if any is not 0, if a cycle did not run (no "SENDING"
# before the reset, a failure line, a guest that stopped by itself, a
# kernel report in the console log), or if e2fsck finds the file system,
# unmounted by the last boot, inconsistent.
#
# The disk: a raw image formatted here (mkfs.ext4), attached as virtio-blk
# with cache=none. QEMU then writes with O_DIRECT, past the host's page
# cache, and shows the guest a disk with a volatile write cache, so ext4
# and the daemon's fsyncs issue the flushes and FUA writes they issue on
# real hardware. The reset loses what only the guest held: its page cache,
# ext4's uncommitted journal, requests not yet handed to QEMU. What QEMU
# completed stays (a real disk could also lose completed writes not yet
# flushed from its cache: not modelled). Not cache=unsafe, which ignores
# flushes; writethrough would show the guest a disk without a write cache,
# and no flush would reach it.
#
# usage: powerloss.sh RESETS
# environment: BUILD MODULE VECTORS VM_KERNEL VM_MODULES VM_MEM
#              POWERLOSS_SEED (the random delays; printed, to replay them)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
resets=${1:?usage: powerloss.sh RESETS}
[ -r "${VM_KERNEL:?}" ] || { echo "powerloss: no kernel image $VM_KERNEL (make deps)" >&2; exit 1; }
command -v mkfs.ext4 >/dev/null || { echo "powerloss: no mkfs.ext4 (e2fsprogs)" >&2; exit 1; }

dir=$BUILD/powerloss
mkdir -p "$BUILD/vm"
# One guest at a time per build tree, as run-vm.sh.
exec 9>"$BUILD/vm/.lock"
flock 9
rm -rf "$dir"
mkdir -p "$dir"

start=$(date +%s)
initrd=$dir/initramfs.cpio.gz
VM_NO_PROMTOOL=1 "$here/mkinitramfs.sh" "$initrd"
img=$dir/state.img
truncate -s 64M "$img"
mkfs.ext4 -q -F "$img"
# The sealing key: a logon key, the same at every boot of this run.
key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
seed=${POWERLOSS_SEED:-$(od -An -tu2 -N2 /dev/urandom | tr -d ' ')}
RANDOM=$seed
echo "# powerloss: $resets resets, seed $seed (POWERLOSS_SEED), files in $dir"

# Small reservations: the daemon saves every 64 messages, so that resets
# find it writing.
cmdline="console=ttyS0 loglevel=5 panic=-1 mlsvm.job=powerloss mlsvm.sealkey=$key
	 mlsvm.params=persist_reserve=64"
qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m "${VM_MEM:-1024}"
      -kernel "$VM_KERNEL" -initrd "$initrd" -no-reboot -display none
      -nic none -monitor none
      -drive "file=$img,format=raw,if=virtio,cache=none,aio=threads")

# The guest's output of boot $1 so far, without a last line the reset cut.
complete() {
	local f=$1
	if [ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ]; then
		head -n -1 "$f" | tr -d '\r'
	else
		tr -d '\r' <"$f"
	fi
}

failed=0
cycle_fail() {
	echo "not ok - cycle $1: $2"
	failed=$((failed + 1))
}

# Boot $1: reset at a random moment once it sends.
reset_cycle() {
	local n=$1 out=$dir/boot-$1.out log=$dir/boot-$1.log qpid t0 up delay
	: >"$out"
	"${qemu[@]}" -serial "file:$log" -serial "file:$out" \
		-append "${cmdline//$'\n'/ }" </dev/null &
	qpid=$!
	t0=$(date +%s)
	until grep -q '^SENDING' "$out"; do
		if ! kill -0 $qpid 2>/dev/null || grep -q '^FAIL\|^MLS_GUEST_EXIT' "$out" ||
		   [ $(($(date +%s) - t0)) -gt 300 ]; then
			kill -KILL $qpid 2>/dev/null || true
			wait $qpid 2>/dev/null || true
			cycle_fail "$n" "the member did not start sending (boot-$n.out)"
			tail -n 20 "$out" | sed 's/^/# /'
			return
		fi
		sleep 0.1
	done
	up=$(($(date +%s) - t0))
	# Uniformly 1 to 5 s into sending (the daemon saves several times a
	# second meanwhile), to the millisecond.
	delay=$((1000 + (RANDOM * 32768 + RANDOM) % 4001))
	sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
	kill -KILL $qpid 2>/dev/null || true
	wait $qpid 2>/dev/null || true
	if grep -q '^FAIL\|^MLS_GUEST_EXIT' "$out"; then
		cycle_fail "$n" "the member stopped before the reset (boot-$n.out)"
		grep '^FAIL\|^MLS_GUEST_EXIT' "$out" | sed 's/^/# /'
	elif ! "$here/check-log.sh" "$log"; then
		cycle_fail "$n" "a kernel report in boot-$n.log"
	fi
	echo "# cycle $n: sending ${up} s after the boot, reset ${delay} ms later; $(grep -c '^T ' "$out") messages," \
		"$(grep -c '^COMMIT ' "$out") commits"
}

for ((i = 0; i < resets; i++)); do
	reset_cycle "$i"
done

# The last boot: recovered, 200 messages, a clean stop.
out=$dir/boot-$resets.out log=$dir/boot-$resets.log
timeout --signal=KILL 600 "${qemu[@]}" -serial "file:$log" -serial "file:$out" \
	-append "${cmdline//$'\n'/ } mlsvm.final=200" </dev/null || true
if grep -q '^MLS_GUEST_EXIT=0' "$out" && grep -q '^FINAL 200' "$out" &&
   "$here/check-log.sh" "$log"; then
	echo "ok - last boot: restored, sent 200 messages, stopped cleanly"
else
	echo "not ok - last boot: restored, sent 200 messages, stopped cleanly (boot-$resets.out)"
	tail -n 20 "$out" | sed 's/^/# /'
	failed=$((failed + 1))
fi
# The file system itself, unmounted by the last boot: consistent.
if e2fsck -fn "$img" >"$dir/e2fsck.out" 2>&1; then
	echo "ok - e2fsck: the state disk's file system is consistent"
else
	echo "not ok - e2fsck: the state disk's file system is consistent"
	sed 's/^/# /' "$dir/e2fsck.out"
	failed=$((failed + 1))
fi
end=$(date +%s)

# Every boot's complete lines, in order.
all=$dir/all.out
for ((i = 0; i <= resets; i++)); do
	complete "$dir/boot-$i.out"
done >"$all"

corrupt=$(grep -c '^STORE_BAD \|mls-persistd: .*\(corrupt snapshot\|unreadable snapshot\|import, skipped\|import failed\)' "$all" || true)
reused=$(grep '^T ' "$all" | sort | uniq -d | wc -l)
lost=$(awk '
	$1 == "ACK" && ($2 > acked || !seen) { acked = $2; seen = 1 }
	$1 == "RESTORED" && seen && $2 < acked { lost += acked - $2 }
	$1 == "CREATED" { if (seen) lost += acked + 1; seen = 0 }
	END { print lost + 0 }' "$all")
restored=$(grep -c '^RESTORED ' "$all" || true)
sent=$(grep -c '^T ' "$all" || true)
commits=$(grep -c '^COMMIT ' "$all" || true)
acks=$(grep -c '^ACK ' "$all" || true)
back=$(grep -c 'recover: .*rolled back' "$all" || true)
fwd=$(grep -c 'recover: .*complete, committed' "$all" || true)

echo "# powerloss: $resets resets in $((end - start)) s; $restored restores," \
	"$sent messages, $commits commits, $acks epoch acknowledgements;" \
	"the log rolled back $back and forward $fwd transactions"
echo "# corrupt snapshots: $corrupt"
echo "# lost acknowledged epochs: $lost"
echo "# generations reused: $reused"
# One TAP line: "ok - $2" if $1 is 0.
zero() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2 ($1)"
		failed=$((failed + 1))
	fi
}
zero $((resets - restored)) "every boot after a reset restored the member ($restored of $resets)"
zero "$corrupt" "no corrupt snapshot"
zero "$lost" "no acknowledged epoch lost"
zero "$reused" "no (epoch, leaf, generation) sent twice"
grep '^T ' "$all" | sort | uniq -d | head -n 10 | sed 's/^/# reused: /'
[ "$failed" -ne 0 ] || echo "ok - every cycle ran ($resets resets)"
exit $((failed > 0))
