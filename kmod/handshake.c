// SPDX-License-Identifier: GPL-2.0
/*
 * Confirmation tags (§6.1, §8.1), membership tags (§6.2) and the
 * external public key (§8.3): what a control plane needs of an epoch's
 * confirmation_key, membership_key and external_secret, which stay here.
 *
 * MAC(key, data) is HMAC with the suite's hash: HKDF-Extract with the key
 * as salt is exactly that. Tags are compared in constant time.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "commit.h"
#include "epoch_args.h"
#include "group.h"
#include "handshake.h"
#include "hkdf.h"
#include "hpke.h"
#include "params.h"
#include "stats.h"
#include "uarg.h"

#include <crypto/algapi.h>

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>

static struct mls_group *ctx_group(struct mls_ioctl_ctx *ctx)
{
	return ctx->file->private_data;
}

/* Write @tag (Nh bytes) out, or compare it with the caller's. */
static int tag_out(struct mls_group *g, struct mls_tag *a, const u8 *tag)
{
	size_t nh = g->suite->nh;
	u8 theirs[MLS_MAX_HASH_LEN];
	int ret;

	if (!(a->flags & MLS_TAG_F_VERIFY))
		return mls_buf_write(&a->tag, tag, nh);
	if (a->tag.reserved)
		return -EINVAL;
	if (a->tag.len != nh) {
		ret = -EBADMSG;
	} else {
		ret = mls_buf_read(&a->tag, theirs, nh);
		if (!ret && crypto_memneq(theirs, tag, nh))
			ret = -EBADMSG;
	}
	if (ret == -EBADMSG)
		mls_group_stat_add(g, MLS_STAT_TAG_FAILURES, 1);
	return ret;
}

int mls_ioc_confirmation_tag(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx_group(ctx);
	const struct mls_suite *s = g->suite;
	struct mls_tag *a = arg;
	u8 key[MLS_MAX_HASH_LEN], tag[MLS_MAX_HASH_LEN];
	struct mls_epoch *e;
	u64 epoch;
	int ret;

	if ((a->flags & ~(MLS_TAG_F_VERIFY | MLS_TAG_F_PENDING)) || a->reserved0)
		return -EINVAL;
	ret = mls_epoch_args_absent(&a->data);
	if (ret)
		return ret;
	if (a->flags & MLS_TAG_F_PENDING) {
		e = mls_commit_pending_secret(g, MLS_SECRET_CONFIRMATION, key);
	} else {
		ret = mls_group_current_secret(g, MLS_SECRET_CONFIRMATION, key,
					       &epoch);
		/* The transcript hash is kept as long as the epoch. */
		e = ret ? ERR_PTR(ret) : mls_group_epoch(g, epoch);
	}
	if (IS_ERR(e)) {
		ret = PTR_ERR(e);
		goto out;
	}
	a->epoch = e->epoch;
	ret = mls_hkdf_extract(s, key, s->nh, e->cth, e->cth_len, tag) ?:
	      tag_out(g, a, tag);
	mls_epoch_put(e);
out:
	memzero_explicit(key, sizeof(key));
	memzero_explicit(tag, sizeof(tag));
	return ret;
}

int mls_ioc_membership_tag(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx_group(ctx);
	const struct mls_suite *s = g->suite;
	struct mls_tag *a = arg;
	u8 tag[MLS_MAX_HASH_LEN];
	struct mls_epoch *e;
	void *data;
	int ret;

	if ((a->flags & ~(MLS_TAG_F_VERIFY | MLS_TAG_F_EPOCH)) || a->reserved0)
		return -EINVAL;
	if (!a->data.len)
		return -EINVAL;
	data = mls_buf_dup(&a->data, mls_max_message);
	if (IS_ERR(data))
		return PTR_ERR(data);
	if (a->flags & MLS_TAG_F_EPOCH)
		e = mls_group_epoch(g, a->epoch);
	else
		e = mls_group_current(g);
	if (IS_ERR(e)) {
		ret = PTR_ERR(e);
		goto out;
	}
	a->epoch = e->epoch;
	/*
	 * A PublicMessage of a group's last epoch is no more sent, nor
	 * taken, than a PrivateMessage of it (MLS_COMMIT_F_FINAL).
	 */
	if (e->final)
		ret = -EPIPE;
	/* The membership key is kept, unchanged, as long as the epoch. */
	else
		ret = e->has_exporter ?
		      mls_hkdf_extract(s, e->membership_key, s->nh, data,
				       a->data.len, tag) : -ENODATA;
	if (!ret)
		ret = tag_out(g, a, tag);
	mls_epoch_put(e);
out:
	memzero_explicit(tag, sizeof(tag));
	kvfree(data);
	return ret;
}

int mls_ioc_external_pub(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group *g = ctx_group(ctx);
	struct mls_external_pub *a = arg;
	u8 secret[MLS_MAX_HASH_LEN];
	u8 pub[MLS_MAX_KEM_OUTPUT_LEN];
	struct mls_epoch *e;
	size_t len = 0;
	int ret;

	if ((a->flags & ~MLS_EXTERNAL_PUB_F_PENDING) || a->reserved0)
		return -EINVAL;
	if (a->flags & MLS_EXTERNAL_PUB_F_PENDING) {
		e = mls_commit_pending_secret(g, MLS_SECRET_EXTERNAL, secret);
		ret = PTR_ERR_OR_ZERO(e);
		if (!ret) {
			a->epoch = e->epoch;
			mls_epoch_put(e);
		}
	} else {
		ret = mls_group_current_secret(g, MLS_SECRET_EXTERNAL, secret,
					       &a->epoch);
	}
	if (!ret)
		ret = mls_external_pub(g->suite, secret, pub, sizeof(pub), &len);
	if (!ret)
		ret = mls_buf_write(&a->pub, pub, len);
	memzero_explicit(secret, sizeof(secret));
	return ret;
}
