/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: libc's string functions and the kernel's own few. */
#ifndef _FUZZ_SHIM_LINUX_STRING_H
#define _FUZZ_SHIM_LINUX_STRING_H

#include <string.h>
#include <linux/types.h>

/* lib/string.c: the first byte of @start that is not @c, or NULL. */
static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const u8 *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (u8)c)
			return (void *)(p + i);
	return NULL;
}

static inline void memzero_explicit(void *s, size_t count)
{
	explicit_bzero(s, count);
}

#endif
