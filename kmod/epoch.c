// SPDX-License-Identifier: GPL-2.0
/*
 * Epochs: derived from the key schedule (or installed), erased with their
 * last reference.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "epoch.h"
#include "hkdf.h"
#include "memstat.h"
#include "quota.h"

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

static struct kmem_cache *mls_epoch_cache;

/*
 * Epochs have a cache of their own: struct mls_epoch is not a power of
 * two, and a kmalloc slot would round every past epoch kept up by a
 * hundred bytes or more.
 */
int mls_epoch_cache_init(void)
{
	mls_epoch_cache = KMEM_CACHE(mls_epoch, SLAB_ACCOUNT);
	return mls_epoch_cache ? 0 : -ENOMEM;
}

void mls_epoch_cache_exit(void)
{
	kmem_cache_destroy(mls_epoch_cache);
	mls_epoch_cache = NULL;
}

void mls_epoch_input_wipe(struct mls_epoch_input *in)
{
	bitmap_free(in->occupied);
	memzero_explicit(in, sizeof(*in));
}

/* Run the key schedule for @in; on success @es holds the epoch's secrets. */
static int derive_secrets(const struct mls_suite *s, struct mls_epoch_input *in,
			  const u8 *gc, size_t gc_len,
			  struct mls_epoch_secrets *es,
			  u8 *joiner_out, u8 *welcome_out)
{
	u8 secret[MLS_MAX_HASH_LEN];
	int ret;

	switch (in->source) {
	case MLS_EPOCH_RANDOM:
		/* §11: the creator's first epoch_secret is fresh randomness. */
		get_random_bytes(secret, s->nh);
		ret = mls_keysched_from_epoch_secret(s, secret, es);
		break;
	case MLS_EPOCH_SCHEDULE:
		ret = mls_keysched_joiner(s, in->init, in->commit, gc, gc_len,
					  secret);
		if (!ret && joiner_out)
			memcpy(joiner_out, secret, s->nh);
		if (!ret)
			ret = mls_keysched_from_joiner(s, secret, in->psk, gc,
						       gc_len, es, welcome_out);
		break;
	case MLS_EPOCH_JOINER:
		ret = mls_keysched_from_joiner(s, in->joiner, in->psk, gc,
					       gc_len, es, welcome_out);
		break;
	case MLS_EPOCH_MEMBER:
		ret = mls_keysched_from_member(s, in->joiner, gc, gc_len, es);
		break;
	case MLS_EPOCH_INSTALL:
		memcpy(es->encryption, in->encryption, s->nh);
		memcpy(es->sender_data, in->sender_data, s->nh);
		ret = 0;
		break;
	default:
		ret = -EINVAL;
	}
	memzero_explicit(secret, sizeof(secret));
	return ret;
}

struct mls_epoch *mls_epoch_create(const struct mls_suite *s,
				   struct mls_epoch_input *in,
				   u8 *init_out, bool *has_init,
				   u8 *joiner_out, u8 *welcome_out)
{
	struct mls_epoch_secrets *es;
	struct mls_epoch *e;
	int ret = -ENOMEM;

	es = kzalloc(sizeof(*es), MLS_GFP_USER);
	e = kmem_cache_zalloc(mls_epoch_cache, MLS_GFP_USER);
	if (!es || !e)
		goto err;
	kref_init(&e->ref);
	INIT_LIST_HEAD(&e->node);
	e->suite = s;
	e->epoch = in->gc.epoch;
	e->made_at = jiffies;
	e->own_leaf = in->own_leaf;
	e->leaf_count = in->leaf_count;

	e->context = mls_group_context_alloc(s, &in->gc, &e->context_len,
					     MLS_GFP_USER);
	if (IS_ERR(e->context)) {
		ret = PTR_ERR(e->context);
		e->context = NULL;
		goto err;
	}
	/* What the epoch holds for as long as it is kept (§12). */
	ret = mls_user_charge(in->user, MLS_QUOTA_BYTES,
			      sizeof(*e) + e->context_len +
			      BITS_TO_LONGS(in->leaf_count) * sizeof(long));
	if (ret)
		goto err;
	e->user = mls_user_hold(in->user);
	e->charged = sizeof(*e) + e->context_len +
		     BITS_TO_LONGS(in->leaf_count) * sizeof(long);
	mls_mem_add(MLS_MEM_EPOCHS, e->charged);

	ret = derive_secrets(s, in, e->context, e->context_len, es,
			     joiner_out, welcome_out);
	if (ret)
		goto err;

	e->tree = mls_stree_new(s, es->encryption, in->leaf_count);
	if (IS_ERR(e->tree)) {
		ret = PTR_ERR(e->tree);
		e->tree = NULL;
		goto err;
	}
	mls_stree_set_user(e->tree, in->user);
	memcpy(e->sender_data_secret, es->sender_data, s->nh);
	*has_init = in->source != MLS_EPOCH_INSTALL;
	if (*has_init) {
		e->live = kzalloc(sizeof(*e->live), MLS_GFP_USER);
		if (!e->live) {
			ret = -ENOMEM;
			goto err;
		}
		mls_mem_add(MLS_MEM_EPOCHS, sizeof(*e->live));
		e->has_exporter = true;
		memcpy(e->live->exporter_secret, es->exporter, s->nh);
		memcpy(e->live->authenticator, es->authentication, s->nh);
		memcpy(e->live->confirmation_key, es->confirm, s->nh);
		memcpy(e->live->external_secret, es->external, s->nh);
		memcpy(e->membership_key, es->membership, s->nh);
		memcpy(e->resumption_psk, es->resumption, s->nh);
		memcpy(init_out, es->init, s->nh);
	}
	/* Checked by mls_epoch_args_context(): at most one hash. */
	memcpy(e->cth, in->gc.cth, in->gc.cth_len);
	e->cth_len = in->gc.cth_len;
	e->occupied = in->occupied;
	in->occupied = NULL;
	kfree_sensitive(es);
	return e;

err:
	kfree_sensitive(es);
	if (e)
		mls_epoch_put(e);
	return ERR_PTR(ret);
}

/**
 * mls_epoch_restore() - an epoch as a snapshot held it
 * @s: the group's suite
 * @im: what the snapshot holds; its @occupied and @tree are taken (NULL
 *	on return, whatever the result)
 * @user: whose bytes it is
 *
 * Return: the epoch with one reference, or ERR_PTR(-EDQUOT / -ENOMEM).
 */
struct mls_epoch *mls_epoch_restore(const struct mls_suite *s,
				    struct mls_epoch_image *im,
				    struct mls_user *user)
{
	size_t bitmap = BITS_TO_LONGS(im->leaf_count) * sizeof(long);
	struct mls_epoch *e;
	int ret = -ENOMEM;

	e = kmem_cache_zalloc(mls_epoch_cache, MLS_GFP_USER);
	if (!e)
		goto err;
	kref_init(&e->ref);
	INIT_LIST_HEAD(&e->node);
	e->suite = s;
	e->epoch = im->epoch;
	e->made_at = jiffies;
	e->left_at = jiffies - msecs_to_jiffies(im->age_ms);
	e->own_leaf = im->own_leaf;
	e->leaf_count = im->leaf_count;
	e->occupied = im->occupied;
	im->occupied = NULL;
	e->tree = im->tree;
	im->tree = NULL;
	/* kvmalloc'd, as mls_group_context_alloc() makes it. */
	e->context = kvmalloc(im->context_len, MLS_GFP_USER);
	if (!e->context)
		goto err;
	memcpy(e->context, im->context, im->context_len);
	e->context_len = im->context_len;
	ret = mls_user_charge(user, MLS_QUOTA_BYTES,
			      sizeof(*e) + e->context_len + bitmap);
	if (ret)
		goto err;
	e->user = mls_user_hold(user);
	e->charged = sizeof(*e) + e->context_len + bitmap;
	mls_mem_add(MLS_MEM_EPOCHS, e->charged);

	/* A final epoch has none of them: zeros, as mls_epoch_end() leaves. */
	if (!im->final) {
		memcpy(e->sender_data_secret, im->sender_data, s->nh);
		memcpy(e->membership_key, im->membership, s->nh);
	}
	memcpy(e->resumption_psk, im->resumption, s->nh);
	memcpy(e->cth, im->cth, im->cth_len);
	e->cth_len = im->cth_len;
	e->has_exporter = im->has_exporter;
	e->final = im->final;
	if (im->live) {
		e->live = kzalloc(sizeof(*e->live), MLS_GFP_USER);
		if (!e->live) {
			ret = -ENOMEM;
			goto err;
		}
		mls_mem_add(MLS_MEM_EPOCHS, sizeof(*e->live));
		memcpy(e->live->exporter_secret, im->live, s->nh);
		memcpy(e->live->authenticator, im->live + s->nh, s->nh);
		if (!im->final) {
			memcpy(e->live->confirmation_key, im->live + 2 * s->nh,
			       s->nh);
			memcpy(e->live->external_secret, im->live + 3 * s->nh,
			       s->nh);
		}
	}
	return e;

err:
	bitmap_free(im->occupied);
	im->occupied = NULL;
	mls_stree_free(im->tree);
	im->tree = NULL;
	if (e)
		mls_epoch_put(e);
	return ERR_PTR(ret);
}

static void mls_epoch_live_free(struct mls_epoch *e)
{
	if (!e->live)
		return;
	mls_mem_add(MLS_MEM_EPOCHS, -(long)sizeof(*e->live));
	kfree_sensitive(e->live);
	e->live = NULL;
}

void mls_epoch_retire(struct mls_epoch *e)
{
	mls_epoch_live_free(e);
}

void mls_epoch_end(struct mls_epoch *e)
{
	/*
	 * No message is sealed or opened in a final epoch, no commit
	 * follows it and no one joins it: its keys for these go now, not
	 * with its last reference.
	 */
	mls_stree_free(e->tree);
	e->tree = NULL;
	memzero_explicit(e->sender_data_secret, sizeof(e->sender_data_secret));
	memzero_explicit(e->membership_key, sizeof(e->membership_key));
	if (e->live) {
		memzero_explicit(e->live->confirmation_key,
				 sizeof(e->live->confirmation_key));
		memzero_explicit(e->live->external_secret,
				 sizeof(e->live->external_secret));
	}
}

static void mls_epoch_release(struct kref *ref)
{
	struct mls_epoch *e = container_of(ref, struct mls_epoch, ref);

	mls_stree_free(e->tree);
	bitmap_free(e->occupied);
	kvfree(e->context);
	mls_user_uncharge(e->user, MLS_QUOTA_BYTES, e->charged);
	mls_mem_add(MLS_MEM_EPOCHS, -(long)e->charged);
	mls_user_put(e->user);
	mls_epoch_live_free(e);
	memzero_explicit(e, sizeof(*e));
	kmem_cache_free(mls_epoch_cache, e);
}

void mls_epoch_put(struct mls_epoch *e)
{
	kref_put(&e->ref, mls_epoch_release);
}

void mls_epoch_protect_ctx(const struct mls_epoch *e, const u8 *group_id,
			   size_t group_id_len, struct mls_protect_ctx *c)
{
	*c = (struct mls_protect_ctx){
		.suite = e->suite,
		.group_id = group_id,
		.group_id_len = group_id_len,
		.epoch = e->epoch,
		.sender_data_secret = e->sender_data_secret,
		.tree = e->tree,
		.own_leaf = e->own_leaf,
		.leaf_count = e->leaf_count,
		.occupied = e->occupied,
	};
}
