/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A caller's buffer pinned for the length of one call and described by a
 * scatterlist, so that a cipher writes into it directly (as kTLS does for
 * its zero-copy receive). The pages are released before the call returns.
 */
#ifndef _MLS_UPAGES_H
#define _MLS_UPAGES_H

#include <linux/types.h>

struct page;
struct scatterlist;

/* Pages described without an allocation: up to 16 KiB and a bit. */
#define MLS_UPAGES_STACK	5

/**
 * struct mls_upages - a pinned range of the caller's memory
 * @stack: the page array of a short range
 * @pages: @stack, or an allocated array
 * @npages: pages pinned
 * @off: offset of the range in its first page
 * @len: bytes in the range
 */
struct mls_upages {
	struct page *stack[MLS_UPAGES_STACK];
	struct page **pages;
	unsigned int npages;
	unsigned int off;
	size_t len;
};

/* Nothing pinned yet: mls_upages_unpin() of it does nothing. */
static inline void mls_upages_init(struct mls_upages *u)
{
	*u = (struct mls_upages){ .pages = u->stack };
}

int mls_upages_pin(struct mls_upages *u, void __user *addr, size_t len);
void mls_upages_sg(const struct mls_upages *u, struct scatterlist *sg);
void mls_upages_zero(const struct mls_upages *u);
void mls_upages_unpin(struct mls_upages *u, bool dirty);

#endif /* _MLS_UPAGES_H */
