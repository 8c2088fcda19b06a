// SPDX-License-Identifier: GPL-2.0
/*
 * A caller's buffer, pinned for one call and described by a scatterlist.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "quota.h"
#include "upages.h"

#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

/**
 * mls_upages_pin() - pin @len bytes of the caller's memory for writing
 * @u: (out) the pinned range; released with mls_upages_unpin()
 * @addr: the caller's address
 * @len: bytes, at least one
 *
 * Context: process context, may sleep (it may fault the pages in).
 * Return: 0, -EFAULT (not all of it is writable memory), -ENOMEM.
 */
int mls_upages_pin(struct mls_upages *u, void __user *addr, size_t len)
{
	unsigned long start = (unsigned long)addr;
	unsigned long end;
	int n, want;

	mls_upages_init(u);
	if (!len || check_add_overflow(start, len, &end) || !access_ok(addr, len))
		return -EFAULT;
	want = DIV_ROUND_UP(end, PAGE_SIZE) - start / PAGE_SIZE;
	if (want > MLS_UPAGES_STACK) {
		u->pages = kvmalloc_array(want, sizeof(*u->pages), MLS_GFP_USER);
		if (!u->pages) {
			u->pages = u->stack;
			return -ENOMEM;
		}
	}
	n = pin_user_pages_fast(start & PAGE_MASK, want, FOLL_WRITE, u->pages);
	if (n > 0)
		u->npages = n;
	if (n != want) {
		mls_upages_unpin(u, false);
		return n < 0 ? n : -EFAULT;
	}
	u->off = offset_in_page(start);
	u->len = len;
	return 0;
}

/*
 * Fill @u->npages entries of @sg, from @sg on, with the range; the caller
 * made them part of a table and marks its end.
 */
void mls_upages_sg(const struct mls_upages *u, struct scatterlist *sg)
{
	unsigned int off = u->off, i;
	size_t left = u->len;

	for (i = 0; i < u->npages; i++, sg = sg_next(sg)) {
		unsigned int n = min_t(size_t, left, PAGE_SIZE - off);

		sg_set_page(sg, u->pages[i], n, off);
		left -= n;
		off = 0;
	}
}

/* Overwrite the range with zeros, through the pins. */
void mls_upages_zero(const struct mls_upages *u)
{
	unsigned int off = u->off, i;
	size_t left = u->len;

	for (i = 0; i < u->npages; i++) {
		unsigned int n = min_t(size_t, left, PAGE_SIZE - off);

		memzero_page(u->pages[i], off, n);
		left -= n;
		off = 0;
	}
}

/*
 * Release the pins; @dirty when anything was written through them, so
 * that a file-backed page is written back.
 */
void mls_upages_unpin(struct mls_upages *u, bool dirty)
{
	if (u->npages)
		unpin_user_pages_dirty_lock(u->pages, u->npages, dirty);
	if (u->pages != u->stack)
		kvfree(u->pages);
	mls_upages_init(u);
}
