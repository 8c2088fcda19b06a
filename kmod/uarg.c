// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mls authors.
 */

#include "quota.h"
#include "uarg.h"

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

int mls_buf_check(const struct mls_buf *b)
{
	return b->reserved ? -EINVAL : 0;
}

/* Copy exactly @len bytes of an input buffer that must be that long. */
int mls_buf_read(const struct mls_buf *b, void *dst, size_t len)
{
	if (b->reserved || b->len != len)
		return -EINVAL;
	if (copy_from_user(dst, u64_to_user_ptr(b->addr), len))
		return -EFAULT;
	return 0;
}

/*
 * A kernel copy of an input buffer of at most @max bytes (kvmalloc'ed;
 * free with kvfree_sensitive). An empty buffer gives ZERO_SIZE_PTR-like
 * NULL with no error.
 */
void *mls_buf_dup(const struct mls_buf *b, size_t max)
{
	void *p;

	if (b->reserved || b->len > max)
		return ERR_PTR(-EINVAL);
	if (!b->len)
		return NULL;
	p = kvmalloc(b->len, MLS_GFP_USER);
	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(p, u64_to_user_ptr(b->addr), b->len)) {
		kvfree(p);
		return ERR_PTR(-EFAULT);
	}
	return p;
}

/*
 * Whether an output buffer can take @len bytes; if not, tell the caller
 * how many are needed (-ENOSPC).
 */
int mls_buf_fits(struct mls_buf *b, size_t len)
{
	if (b->reserved)
		return -EINVAL;
	if (b->len < len) {
		b->len = len;
		return -ENOSPC;
	}
	return 0;
}

int mls_buf_write(struct mls_buf *b, const void *src, size_t len)
{
	int ret = mls_buf_fits(b, len);

	if (ret)
		return ret;
	if (len && copy_to_user(u64_to_user_ptr(b->addr), src, len))
		return -EFAULT;
	b->len = len;
	return 0;
}
