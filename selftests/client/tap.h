/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP for the client's host tests. They run in one process (no fork per
 * test) so that LeakSanitizer's check at exit covers every test: a leak
 * fails the program.
 */
#ifndef MLSC_TEST_TAP_H
#define MLSC_TEST_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static inline __attribute__((format(printf, 2, 3)))
int tap_ok(int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!pass)
		tap_failed++;
	return pass;
}

#define tap_diag(...)							\
	do {								\
		printf("# ");						\
		printf(__VA_ARGS__);					\
		putchar('\n');						\
	} while (0)

/* The plan, last; the exit status of main(). */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_count);
	return tap_failed || !tap_count ? 1 : 0;
}

#endif /* MLSC_TEST_TAP_H */
