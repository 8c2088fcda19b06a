/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving struct mls_buf contents between user and kernel memory, with the
 * checks every ioctl applies (reserved field, sizes).
 */
#ifndef _MLS_UARG_H
#define _MLS_UARG_H

#include <uapi/linux/mls.h>

#include <linux/types.h>

static inline bool mls_buf_empty(const struct mls_buf *b)
{
	return b->len == 0;
}

int mls_buf_check(const struct mls_buf *b);
int mls_buf_read(const struct mls_buf *b, void *dst, size_t len);
void *mls_buf_dup(const struct mls_buf *b, size_t max);
int mls_buf_write(struct mls_buf *b, const void *src, size_t len);
int mls_buf_fits(struct mls_buf *b, size_t len);

#endif /* _MLS_UARG_H */
