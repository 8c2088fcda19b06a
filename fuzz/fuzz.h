/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every host harness shares: the input in a heap buffer of exactly
 * its size (so that AddressSanitizer sees the first byte read past it),
 * and checks that abort, which libFuzzer reports as a crash. Plain C:
 * the kernel harnesses and the client's (client_*.c) both include it.
 */
#ifndef _MLS_FUZZ_H
#define _MLS_FUZZ_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* A copy of @data in a buffer of exactly @size bytes (never NULL). */
static inline uint8_t *fuzz_dup(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);

	FUZZ_CHECK(p);
	if (size)
		memcpy(p, data, size);
	return p;
}

/* [p, p + n) lies within [buf, buf + len). */
static inline int fuzz_within(const uint8_t *p, size_t n, const uint8_t *buf,
			      size_t len)
{
	return p >= buf && (size_t)(p - buf) <= len && n <= len - (size_t)(p - buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
