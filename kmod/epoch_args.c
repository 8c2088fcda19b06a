// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mls authors.
 */

#include "epoch_args.h"
#include "params.h"
#include "quota.h"
#include "uarg.h"

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

/* A kernel copy of one context field; *@err set on failure, NULL returned. */
static void *dup_field(const struct mls_buf *b, size_t max, size_t *len,
		       int *err)
{
	void *p = mls_buf_dup(b, max);

	*len = 0;
	if (IS_ERR(p)) {
		*err = PTR_ERR(p);
		return NULL;
	}
	if (p)
		*len = b->len;
	return p;
}

int mls_epoch_args_context(struct mls_epoch_args *a, const u8 *group_id,
			   size_t group_id_len,
			   const struct mls_group_context *uc)
{
	struct mls_group_context_in *gc = &a->in.gc;
	int err = 0;

	gc->group_id = group_id;
	gc->group_id_len = group_id_len;
	gc->epoch = uc->epoch;

	a->tree_hash = dup_field(&uc->tree_hash, MLS_MAX_CONTEXT_HASH_LEN,
				 &gc->tree_hash_len, &err);
	gc->tree_hash = a->tree_hash;
	if (err)
		return err;
	a->cth = dup_field(&uc->confirmed_transcript_hash,
			   MLS_MAX_CONTEXT_HASH_LEN, &gc->cth_len, &err);
	gc->cth = a->cth;
	if (err)
		return err;
	a->extensions = dup_field(&uc->extensions, MLS_MAX_EXTENSIONS_LEN,
				  &gc->ext_len, &err);
	gc->extensions = a->extensions;
	return err;
}

/* The occupied-leaf map: bit i of byte i / 8, least significant first. */
int mls_epoch_args_roster(struct mls_epoch_args *a, const struct mls_roster *r)
{
	u32 n = r->leaf_count;
	size_t bytes = DIV_ROUND_UP((size_t)n, 8);
	u8 *raw;
	u32 i;

	if (n == 0 || n > mls_max_leaves || r->own_leaf >= n ||
	    mls_buf_check(&r->occupied))
		return -EINVAL;
	a->in.own_leaf = r->own_leaf;
	a->in.leaf_count = n;
	a->in.occupied = bitmap_zalloc(n, MLS_GFP_USER);
	if (!a->in.occupied)
		return -ENOMEM;

	if (mls_buf_empty(&r->occupied)) {
		bitmap_fill(a->in.occupied, n);
		return 0;
	}
	/* Longer is fine (a bitmap sized for a bigger tree) if unused bits are 0. */
	if (r->occupied.len < bytes ||
	    r->occupied.len > DIV_ROUND_UP((size_t)mls_max_leaves, 8))
		return -EINVAL;
	raw = memdup_user(u64_to_user_ptr(r->occupied.addr), r->occupied.len);
	if (IS_ERR(raw))
		return PTR_ERR(raw);
	for (i = 0; i < r->occupied.len * 8; i++) {
		if (!(raw[i / 8] & (1U << (i % 8))))
			continue;
		if (i >= n) {
			/* A bit for a leaf that does not exist. */
			kfree(raw);
			return -EINVAL;
		}
		__set_bit(i, a->in.occupied);
	}
	kfree(raw);
	return test_bit(r->own_leaf, a->in.occupied) ? 0 : -EINVAL;
}

/*
 * A secret of exactly Nh bytes; an empty buffer is Nh zeros (§8: an absent
 * commit or PSK secret) unless the secret is @required.
 */
int mls_epoch_args_secret(const struct mls_suite *s, const struct mls_buf *b,
			  u8 *dst, bool required)
{
	if (mls_buf_empty(b) && !b->reserved) {
		memset(dst, 0, s->nh);
		return required ? -EINVAL : 0;
	}
	return mls_buf_read(b, dst, s->nh);
}

/* A secret field that does not belong to this kind of request. */
int mls_epoch_args_absent(const struct mls_buf *b)
{
	return b->len || b->addr || b->reserved ? -EINVAL : 0;
}

void mls_epoch_args_free(struct mls_epoch_args *a)
{
	kvfree(a->tree_hash);
	kvfree(a->cth);
	kvfree(a->extensions);
	mls_epoch_input_wipe(&a->in);
	a->tree_hash = NULL;
	a->cth = NULL;
	a->extensions = NULL;
}
