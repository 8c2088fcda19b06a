// SPDX-License-Identifier: GPL-2.0
/*
 * Epochs: derived from the key schedule (or installed), erased with their
 * last reference.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "epoch.h"
#include "hkdf.h"

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

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

	es = kzalloc(sizeof(*es), GFP_KERNEL);
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
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
					     GFP_KERNEL_ACCOUNT);
	if (IS_ERR(e->context)) {
		ret = PTR_ERR(e->context);
		e->context = NULL;
		goto err;
	}

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
	memcpy(e->sender_data_secret, es->sender_data, s->nh);
	*has_init = in->source != MLS_EPOCH_INSTALL;
	if (*has_init) {
		e->has_exporter = true;
		memcpy(e->exporter_secret, es->exporter, s->nh);
		memcpy(e->authenticator, es->authentication, s->nh);
		memcpy(e->confirmation_key, es->confirm, s->nh);
		memcpy(e->external_secret, es->external, s->nh);
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

void mls_epoch_retire(struct mls_epoch *e)
{
	memzero_explicit(e->exporter_secret, sizeof(e->exporter_secret));
	memzero_explicit(e->authenticator, sizeof(e->authenticator));
	memzero_explicit(e->confirmation_key, sizeof(e->confirmation_key));
	memzero_explicit(e->external_secret, sizeof(e->external_secret));
}

static void mls_epoch_release(struct kref *ref)
{
	struct mls_epoch *e = container_of(ref, struct mls_epoch, ref);

	mls_stree_free(e->tree);
	bitmap_free(e->occupied);
	kfree(e->context);
	kfree_sensitive(e);
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
