/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: the slab allocator is malloc(), under AddressSanitizer. */
#ifndef _FUZZ_SHIM_LINUX_SLAB_H
#define _FUZZ_SHIM_LINUX_SLAB_H

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <linux/gfp.h>

static inline void *kmalloc(size_t size, gfp_t flags)
{
	(void)flags;
	return malloc(size);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	(void)flags;
	return calloc(1, size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

static inline void kfree_sensitive(const void *p)
{
	if (p)
		explicit_bzero((void *)p, malloc_usable_size((void *)p));
	free((void *)p);
}

#endif
