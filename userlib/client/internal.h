/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/* libmlsclient internals shared by its sources, not installed. */
#ifndef MLSC_INTERNAL_H
#define MLSC_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include <mls_client.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define MLSC_EXPORT __attribute__((visibility("default")))

/* malloc(3), calloc(3) and realloc(3) that leave errno alone. */
static inline void *mlsc_malloc(size_t n)
{
	int saved = errno;
	void *p = malloc(n ? n : 1);

	errno = saved;
	return p;
}

static inline void *mlsc_calloc(size_t n, size_t size)
{
	int saved = errno;
	void *p = calloc(n ? n : 1, size ? size : 1);

	errno = saved;
	return p;
}

static inline void *mlsc_realloc(void *old, size_t n)
{
	int saved = errno;
	void *p = realloc(old, n ? n : 1);

	errno = saved;
	return p;
}

#endif /* MLSC_INTERNAL_H */
