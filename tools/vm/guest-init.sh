#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM. Runs the job named on the kernel command line
# (mlsvm.job=NAME: /mls/jobs/NAME) with its output on the second serial port
# (/dev/ttyS1), which the host keeps apart from the kernel console, then
# reports the job's exit status and powers off.
/bin/busybox --install -s
export PATH=/mls/bin:/sbin:/bin:/usr/sbin:/usr/bin
export LD_LIBRARY_PATH=/mls/lib
export MLS_VECTORS=/mls/vectors
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
# The tracepoints' interface (trace_test, the bench); absent without tracing.
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmpfs /tmp
echo /sbin/modprobe >/proc/sys/kernel/modprobe
# Under emulation a busy task can be slow; 120 s is still a hang.
[ -w /proc/sys/kernel/hung_task_timeout_secs ] &&
	echo 120 >/proc/sys/kernel/hung_task_timeout_secs
ip link set lo up 2>/dev/null

job=$(sed -n 's/.*mlsvm\.job=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ "$job" = shell ]; then
	insmod /mls/mls.ko
	echo "mls: module loaded; /mls has the tools and tests. exit powers off."
	setsid cttyhack sh -l
	rc=$?
	out=/dev/console
else
	out=/dev/ttyS1
	sh "/mls/jobs/$job" >"$out" 2>&1
	rc=$?
fi
echo "MLS_GUEST_EXIT=$rc" >"$out"
sync
poweroff -f
