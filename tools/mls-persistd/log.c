// SPDX-License-Identifier: GPL-2.0
/*
 * Messages on stderr, each line with the sd-daemon(3) priority prefix
 * ("<3>") that the journal reads as the line's level; mls-persistd's own
 * name follows, for a terminal or a test reading it.
 */
#include "persistd.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void plog(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "<%d>mls-persistd: %s\n", prio, line);
	fflush(stderr);
}

uint64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}
