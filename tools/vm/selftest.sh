#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The runner's own test, TAP: proves that a kernel report in the guest log
# fails a run. First the log scanner alone on crafted logs (each kind of
# report is caught, a clean log passes), then a real guest that loads a
# module whose init does WARN_ON(1): run-vm.sh must fail that run.
#
# environment: as tools/vm/run-vm.sh, plus WARN_MODULE (the .ko to load)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }

clean='[    1.000000] mls: mls 0.1.0 loaded (api 1)
[    2.000000] random: crng init done'
printf '%s\n' "$clean" >"$tmp/clean.log"
if "$here/check-log.sh" "$tmp/clean.log" >/dev/null; then
	ok "check-log passes a clean log"
else
	notok "check-log passes a clean log"
fi

while IFS='|' read -r name line; do
	[ -n "$name" ] || continue
	printf '%s\n%s\n' "$clean" "$line" >"$tmp/bad.log"
	if "$here/check-log.sh" "$tmp/bad.log" >/dev/null; then
		notok "check-log catches $name"
	else
		ok "check-log catches $name"
	fi
done <<'LOGS'
WARN|[    3.1] WARNING: CPU: 1 PID: 77 at kmod/group.c:10 mls_group_put+0x1/0x2 [mls]
BUG|[    3.1] BUG: kernel NULL pointer dereference, address: 0000000000000000
kernel BUG|[    3.1] kernel BUG at mm/slub.c:379!
oops|[    3.1] Oops: 0002 [#1] PREEMPT SMP NOPTI
GPF|[    3.1] general protection fault, probably for non-canonical address
KASAN|[    3.1] BUG: KASAN: slab-use-after-free in mls_epoch_put+0x2a/0x90 [mls]
KASAN report header|[    3.1] ==================================================================\n[3.1] KASAN: null-ptr-deref in range
lockdep circular|[    3.1] WARNING: possible circular locking dependency detected
lockdep recursive|[    3.1] WARNING: possible recursive locking detected
lockdep inconsistent|[    3.1] WARNING: inconsistent lock state
atomic sleep|[    3.1] BUG: sleeping function called from invalid context at mm/slab.h:742
kmemleak|[    3.1] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
kmemleak object|unreferenced object 0xffff888003a1b000 (size 64):
hung task|[  125.0] INFO: task mls_test:88 blocked for more than 120 seconds.
soft lockup|[   60.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [mls_test:88]
panic|[    3.1] Kernel panic - not syncing: Fatal exception
LOGS

# A real guest with a real WARN: the run must fail, and say why.
if [ -n "${WARN_MODULE:-}" ]; then
	EXTRA_MODULES=$WARN_MODULE "$here/run-vm.sh" --job warn \
		--log "$BUILD/vm/selftest-warn.log" >"$tmp/warn.out" 2>&1
	vmrc=$?
	if [ $vmrc -ne 0 ] &&
	   grep -q '^not ok - guest kernel log has no' "$tmp/warn.out" &&
	   grep -q 'WARNING: CPU' "$BUILD/vm/selftest-warn.log"; then
		ok "run-vm fails a guest run whose kernel WARNs"
	else
		notok "run-vm fails a guest run whose kernel WARNs (rc $vmrc)"
		sed 's/^/# /' "$tmp/warn.out"
	fi
else
	notok "run-vm fails a guest run whose kernel WARNs (no WARN_MODULE built)"
fi
# The guest's exit status reaches the host.
"$here/run-vm.sh" --job exit3 --log "$BUILD/vm/selftest-exit3.log" >"$tmp/exit3.out" 2>&1
vmrc=$?
if [ $vmrc -ne 0 ] && grep -q '^not ok - guest job exit3 exited 0 (got 3)' "$tmp/exit3.out"; then
	ok "run-vm carries the guest job's exit status back"
else
	notok "run-vm carries the guest job's exit status back (rc $vmrc)"
	sed 's/^/# /' "$tmp/exit3.out"
fi

# A guest that never finishes is stopped by the wall-clock timeout.
VM_TIMEOUT=8 "$here/run-vm.sh" --job hang --log "$BUILD/vm/selftest-hang.log" >"$tmp/hang.out" 2>&1
vmrc=$?
if [ $vmrc -ne 0 ] && grep -q 'timed out after 8 s' "$tmp/hang.out" &&
   grep -q '^not ok - guest job hang finished' "$tmp/hang.out"; then
	ok "run-vm stops a hung guest at its timeout"
else
	notok "run-vm stops a hung guest at its timeout (rc $vmrc)"
	sed 's/^/# /' "$tmp/hang.out"
fi
echo "1..$n"
