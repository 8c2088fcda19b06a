// SPDX-License-Identifier: GPL-2.0
/*
 * Crash points, a test hook: MLS_PERSISTD_CRASH=OP:N (or --crash OP:N)
 * makes the daemon _exit(99) right after the Nth operation OP of its
 * write path, counted from its start: write, fsync, rename, dirsync (the
 * fsync of a directory), or any of them. Crash-consistency bugs show
 * right after such calls (CrashMonkey, OSDI'18); the tests stop the
 * daemon at each one in turn and check what a restart recovers.
 */
#include "persistd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CRASH_ANY	4

static int crash_op = -1;
static unsigned long crash_at, crash_count;

static const char *const op_names[] = { "write", "fsync", "rename", "dirsync", "any" };

int crash_setup(const char *spec)
{
	const char *colon = spec ? strchr(spec, ':') : NULL;
	unsigned long n;
	char *end;
	size_t i;

	if (!colon)
		return -EINVAL;
	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++) {
		if (strlen(op_names[i]) == (size_t)(colon - spec) &&
		    !strncmp(spec, op_names[i], colon - spec))
			break;
	}
	if (i == sizeof(op_names) / sizeof(op_names[0]))
		return -EINVAL;
	errno = 0;
	n = strtoul(colon + 1, &end, 10);
	if (errno || *end || !n || colon[1] == '-')
		return -EINVAL;
	crash_op = (int)i;
	crash_at = n;
	return 0;
}

void crash_point(enum crash_op op)
{
	if (crash_op < 0 || (crash_op != CRASH_ANY && crash_op != (int)op))
		return;
	if (++crash_count == crash_at) {
		plog(2, "crash point: exiting after %s #%lu", op_names[op], crash_at);
		_exit(99);
	}
}
