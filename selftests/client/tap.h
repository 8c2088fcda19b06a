/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP for the client's host tests. They run in one process (no fork per
 * test) so that LeakSanitizer's check at exit covers every test: a leak
 * fails the program.
 */
#ifndef MLSC_TEST_TAP_H
#define MLSC_TEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
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

/*
 * Checks made in a function with a local `bool good`: one that does not
 * hold says its file and line and fails that function's TAP test.
 * REQUIRE is for a check the rest depends on: it goes to the function's
 * cleanup, at `out`.
 */
static inline bool tap_expect(bool *good, bool ok, const char *file, int line,
			      const char *what)
{
	if (!ok) {
		tap_diag("%s:%d: %s", file, line, what);
		*good = false;
	}
	return ok;
}

#define EXPECT(cond)	tap_expect(&good, (cond), __FILE_NAME__, __LINE__, #cond)
#define REQUIRE(cond)							\
	do {								\
		if (!EXPECT(cond))					\
			goto out;					\
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
