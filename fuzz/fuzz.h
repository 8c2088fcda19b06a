/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every host harness shares: the input in a heap buffer of exactly
 * its size (so that AddressSanitizer sees the first byte read past it),
 * and checks that abort, which libFuzzer reports as a crash.
 */
#ifndef _MLS_FUZZ_H
#define _MLS_FUZZ_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* A copy of @data in a buffer of exactly @size bytes (never NULL). */
static inline u8 *fuzz_dup(const u8 *data, size_t size)
{
	u8 *p = malloc(size ? size : 1);

	FUZZ_CHECK(p);
	if (size)
		memcpy(p, data, size);
	return p;
}

/* [p, p + n) lies within [buf, buf + len). */
static inline int fuzz_within(const u8 *p, size_t n, const u8 *buf, size_t len)
{
	return p >= buf && (size_t)(p - buf) <= len && n <= len - (size_t)(p - buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
