// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/mls ioctls that make, find and open groups.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "epoch_args.h"
#include "events.h"
#include "group.h"
#include "group_new.h"
#include "join_stage.h"
#include "psk.h"
#include "quota.h"
#include "uarg.h"

#include <linux/err.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

/* The secrets each way of making an epoch takes; the others must be absent. */
static int read_secrets(const struct mls_suite *s, const struct mls_group_new *a,
			struct mls_epoch_input *in)
{
	bool psks = mls_psk_list_given(&a->psks);
	int ret = 0;

	switch (in->source) {
	case MLS_EPOCH_SCHEDULE:
		ret = mls_epoch_args_secret(s, &a->init_secret, in->init, true) ?:
		      mls_epoch_args_secret(s, &a->commit_secret, in->commit, false) ?:
		      mls_psk_secret_read(s, &a->psk_secret, &a->psks, in->psk);
		break;
	case MLS_EPOCH_JOINER:
		ret = mls_epoch_args_absent(&a->init_secret) ?:
		      mls_epoch_args_absent(&a->commit_secret) ?:
		      mls_psk_secret_read(s, &a->psk_secret, &a->psks, in->psk);
		break;
	case MLS_EPOCH_RANDOM:
	case MLS_EPOCH_INSTALL:
	case MLS_EPOCH_MEMBER:
		ret = mls_epoch_args_absent(&a->init_secret) ?:
		      mls_epoch_args_absent(&a->commit_secret) ?:
		      mls_epoch_args_absent(&a->psk_secret) ?:
		      (psks ? -EINVAL : 0);
		break;
	}
	if (ret)
		return ret;
	if (in->source == MLS_EPOCH_JOINER)
		ret = mls_epoch_args_secret(s, &a->joiner_secret, in->joiner, true);
	else
		ret = mls_epoch_args_absent(&a->joiner_secret);
	if (ret)
		return ret;
	if (in->source == MLS_EPOCH_INSTALL)
		return mls_epoch_args_secret(s, &a->encryption_secret,
					     in->encryption, true) ?:
		       mls_epoch_args_secret(s, &a->sender_data_secret,
					     in->sender_data, true);
	return mls_epoch_args_absent(&a->encryption_secret) ?:
	       mls_epoch_args_absent(&a->sender_data_secret);
}

static int check_new(const struct mls_group_new *a, bool join)
{
	u32 f = a->flags;

	if (f & ~MLS_GROUP_F_ALL)
		return -EINVAL;
	if (join && (f & ~(MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_STAGED |
			   MLS_GROUP_F_PERSISTENT)))
		return -EINVAL;
	if (!join && (f & MLS_GROUP_F_STAGED))
		return -EINVAL;
	if (a->reserved1 || (!(f & MLS_GROUP_F_STAGED) && a->staged_fd))
		return -EINVAL;
	if ((f & MLS_GROUP_F_FROM_INPUTS) && (f & MLS_GROUP_F_INSTALL))
		return -EINVAL;
	if (a->reserved0 || (a->mode & ~0777))
		return -EINVAL;
	if (!a->group_id.len || a->group_id.len > MLS_MAX_GROUP_ID_LEN)
		return -EINVAL;
	return 0;
}

static enum mls_epoch_source source_of(const struct mls_group_new *a, bool join)
{
	if (join && (a->flags & MLS_GROUP_F_STAGED))
		return MLS_EPOCH_MEMBER;
	if (join)
		return MLS_EPOCH_JOINER;
	if (a->flags & MLS_GROUP_F_FROM_INPUTS)
		return MLS_EPOCH_SCHEDULE;
	if (a->flags & MLS_GROUP_F_INSTALL)
		return MLS_EPOCH_INSTALL;
	return MLS_EPOCH_RANDOM;
}

/* A plain create is leaf 0 of one leaf at epoch 0 (§11). */
static int check_random_roster(struct mls_group_new *a)
{
	if (a->context.epoch || a->roster.own_leaf || a->roster.leaf_count > 1 ||
	    a->roster.occupied.len || a->roster.occupied.addr)
		return -EINVAL;
	a->roster.leaf_count = 1;
	return 0;
}

/* The join succeeded: its staged secret is used up. */
static int staged_finish(void *arg)
{
	mls_join_staged_done(arg, true);
	mls_join_staged_put(arg);
	return 0;
}

/* The join failed after all: the staged secret may be used again. */
static void staged_cancel(void *arg)
{
	mls_join_staged_done(arg, false);
	mls_join_staged_put(arg);
}

/* The caller never learnt of the group: it must not outlive the call. */
static void group_new_undo(void *arg)
{
	mls_group_destroy(arg);
}

static int group_new(struct mls_ioctl_ctx *ctx, struct mls_group_new *a,
		     bool join)
{
	struct mls_epoch_args args = {};
	const struct mls_suite *s;
	u8 group_id[MLS_MAX_GROUP_ID_LEN];
	struct mls_join_staged *staged = NULL;
	struct mls_epoch *first;
	struct mls_group *g = NULL;
	int ret;

	ret = check_new(a, join);
	if (ret)
		return ret;
	s = mls_suite_find(a->suite);
	if (!s)
		return -EINVAL;
	ret = mls_buf_read(&a->group_id, group_id, a->group_id.len);
	if (ret)
		return ret;
	args.in.source = source_of(a, join);
	if (args.in.source == MLS_EPOCH_RANDOM) {
		ret = check_random_roster(a);
		if (ret)
			return ret;
	}

	ret = read_secrets(s, a, &args.in) ?:
	      mls_epoch_args_context(&args, group_id, a->group_id.len,
				     &a->context) ?:
	      mls_epoch_args_roster(&args, &a->roster);
	if (ret)
		goto out;
	if (args.in.source == MLS_EPOCH_MEMBER) {
		staged = mls_join_staged_get(a->staged_fd);
		if (IS_ERR(staged)) {
			ret = PTR_ERR(staged);
			staged = NULL;
			goto out;
		}
		ret = mls_join_staged_take(staged, s, args.in.joiner);
		if (ret) {
			mls_join_staged_put(staged);
			staged = NULL;
			goto out;
		}
	}

	g = mls_group_alloc(s, group_id, a->group_id.len, a->roster.own_leaf,
			    a->flags, a->mode ?: 0600);
	if (!g) {
		ret = -ENOMEM;
		goto out;
	}
	args.in.user = g->user;
	first = mls_epoch_create(s, &args.in, g->init_secret,
				 &g->has_init_secret, NULL, NULL);
	if (IS_ERR(first)) {
		ret = PTR_ERR(first);
		goto out;
	}
	/* The registry's reference; ours is dropped on the way out. */
	kref_get(&g->ref);
	ret = mls_group_publish(g, first);
	if (ret) {
		mls_group_put(g);
		goto out;
	}
	/* Published: a failure from here on destroys it (and says so). */
	mls_event_group_new(g, join);
	ret = mls_group_new_file(g, &ctx->new_file, &ctx->new_fd);
	if (ret) {
		mls_group_destroy(g);
		goto out;
	}
	/* The new file's reference keeps g alive until the undo ran. */
	ctx->undo = group_new_undo;
	ctx->undo_arg = g;
	a->id = g->id;
	if (staged) {
		ctx->finish = staged_finish;
		ctx->cancel = staged_cancel;
		ctx->finish_arg = staged;
		staged = NULL;
	}
out:
	if (staged)
		staged_cancel(staged);
	mls_epoch_args_free(&args);
	mls_group_put(g);
	return ret;
}

int mls_ioc_group_create(struct mls_ioctl_ctx *ctx, void *arg)
{
	return group_new(ctx, arg, false);
}

int mls_ioc_group_join(struct mls_ioctl_ctx *ctx, void *arg)
{
	return group_new(ctx, arg, true);
}

int mls_ioc_group_open(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group_open *a = arg;
	struct mls_group *g;
	int ret;

	if (a->flags)
		return -EINVAL;
	g = mls_group_lookup(a->id);
	if (!g)
		return -ENOENT;
	ret = mls_group_may_open(g) ?:
	      mls_group_new_file(g, &ctx->new_file, &ctx->new_fd);
	mls_group_put(g);
	return ret;
}

int mls_ioc_group_list(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_group_list *a = arg;
	u32 cap = a->count, count;
	u32 *ids = NULL;
	int ret;

	if (a->flags)
		return -EINVAL;
	if (cap) {
		cap = min_t(u32, cap, 1U << 20);
		ids = kvcalloc(cap, sizeof(*ids), MLS_GFP_USER);
		if (!ids)
			return -ENOMEM;
	}
	ret = mls_group_list(ids, cap, &count);
	if (!ret && count &&
	    copy_to_user(u64_to_user_ptr(a->ids), ids, count * sizeof(*ids)))
		ret = -EFAULT;
	a->count = count;
	kvfree(ids);
	/* -ENOSPC still writes the count back: the dispatcher copies on >= 0. */
	return ret;
}
