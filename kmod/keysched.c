// SPDX-License-Identifier: GPL-2.0
/*
 * The RFC 9420 key schedule (§8):
 *
 *   init_secret[n-1] --salt--> Extract(ikm = commit_secret)
 *       --> ExpandWithLabel(., "joiner", GroupContext[n], Nh) = joiner_secret
 *       --salt--> Extract(ikm = psk_secret) = member secret
 *             +--> DeriveSecret(., "welcome") = welcome_secret
 *       --> ExpandWithLabel(., "epoch", GroupContext[n], Nh) = epoch_secret
 *       --> DeriveSecret(., label) for each epoch secret
 *
 * Every intermediate secret lives on the stack for one call and is wiped
 * before return, on errors too.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "keysched.h"
#include "hkdf.h"

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>

static const struct {
	size_t offset;
	const char *label;
} mls_epoch_labels[] = {
	{ offsetof(struct mls_epoch_secrets, sender_data),	"sender data" },
	{ offsetof(struct mls_epoch_secrets, encryption),	"encryption" },
	{ offsetof(struct mls_epoch_secrets, exporter),		"exporter" },
	{ offsetof(struct mls_epoch_secrets, external),		"external" },
	{ offsetof(struct mls_epoch_secrets, confirm),		"confirm" },
	{ offsetof(struct mls_epoch_secrets, membership),	"membership" },
	{ offsetof(struct mls_epoch_secrets, resumption),	"resumption" },
	{ offsetof(struct mls_epoch_secrets, authentication),	"authentication" },
	{ offsetof(struct mls_epoch_secrets, init),		"init" },
};

/* An absent commit_secret or psk_secret is Nh zero bytes (§8). */
static const u8 mls_zero_secret[MLS_MAX_HASH_LEN];

void mls_epoch_secrets_wipe(struct mls_epoch_secrets *es)
{
	memzero_explicit(es, sizeof(*es));
}

/**
 * mls_keysched_joiner() - joiner_secret of epoch n
 * @s: the suite
 * @init_secret: init_secret of epoch n - 1, Nh bytes
 * @commit_secret: Nh bytes, or NULL for a commit without a path
 * @group_context: the encoded GroupContext of epoch n
 * @gc_len: its length
 * @joiner_out: Nh bytes, zeroed on error
 *
 * Return: 0 or -errno.
 */
int mls_keysched_joiner(const struct mls_suite *s, const u8 *init_secret,
			const u8 *commit_secret, const u8 *group_context,
			size_t gc_len, u8 *joiner_out)
{
	u8 prk[MLS_MAX_HASH_LEN];
	int ret;

	ret = mls_hkdf_extract(s, init_secret, s->nh,
			       commit_secret ?: mls_zero_secret, s->nh, prk) ?:
	      mls_expand_with_label(s, prk, "joiner", group_context, gc_len,
				    joiner_out, s->nh);
	memzero_explicit(prk, sizeof(prk));
	if (ret)
		memzero_explicit(joiner_out, s->nh);
	return ret;
}

/**
 * mls_keysched_from_joiner() - the epoch's secrets from its joiner_secret
 * @s: the suite
 * @joiner_secret: Nh bytes
 * @psk_secret: Nh bytes, or NULL when the epoch uses no PSK
 * @group_context: the encoded GroupContext of the epoch
 * @gc_len: its length
 * @out: the epoch's secrets, wiped on error
 * @welcome_out: Nh bytes of welcome_secret, or NULL if not wanted; zeroed
 *	on error
 *
 * Return: 0 or -errno.
 */
int mls_keysched_from_joiner(const struct mls_suite *s,
			     const u8 *joiner_secret, const u8 *psk_secret,
			     const u8 *group_context, size_t gc_len,
			     struct mls_epoch_secrets *out, u8 *welcome_out)
{
	u8 member[MLS_MAX_HASH_LEN];
	int ret;

	ret = mls_keysched_member(s, joiner_secret, psk_secret, member,
				  welcome_out) ?:
	      mls_keysched_from_member(s, member, group_context, gc_len, out);
	memzero_explicit(member, sizeof(member));
	if (ret) {
		mls_epoch_secrets_wipe(out);
		if (welcome_out)
			memzero_explicit(welcome_out, s->nh);
	}
	return ret;
}

/**
 * mls_keysched_member() - the member secret Extract(joiner_secret,
 *	psk_secret) and the welcome_secret derived from it
 * @s: the suite
 * @joiner_secret: Nh bytes
 * @psk_secret: Nh bytes, or NULL when the epoch uses no PSK
 * @member_out: Nh bytes, zeroed on error
 * @welcome_out: Nh bytes, or NULL if not wanted; zeroed on error
 *
 * Return: 0 or -errno.
 */
int mls_keysched_member(const struct mls_suite *s, const u8 *joiner_secret,
			const u8 *psk_secret, u8 *member_out, u8 *welcome_out)
{
	int ret;

	ret = mls_hkdf_extract(s, joiner_secret, s->nh,
			       psk_secret ?: mls_zero_secret, s->nh, member_out);
	if (!ret && welcome_out)
		ret = mls_derive_secret(s, member_out, "welcome", welcome_out);
	if (ret) {
		memzero_explicit(member_out, s->nh);
		if (welcome_out)
			memzero_explicit(welcome_out, s->nh);
	}
	return ret;
}

/**
 * mls_keysched_from_member() - the epoch's secrets from its member secret
 * @s: the suite
 * @member: Nh bytes (mls_keysched_member())
 * @group_context: the encoded GroupContext of the epoch
 * @gc_len: its length
 * @out: the epoch's secrets, wiped on error
 *
 * Return: 0 or -errno.
 */
int mls_keysched_from_member(const struct mls_suite *s, const u8 *member,
			     const u8 *group_context, size_t gc_len,
			     struct mls_epoch_secrets *out)
{
	u8 epoch[MLS_MAX_HASH_LEN];
	int ret;

	ret = mls_expand_with_label(s, member, "epoch", group_context, gc_len,
				    epoch, s->nh) ?:
	      mls_keysched_from_epoch_secret(s, epoch, out);
	memzero_explicit(epoch, sizeof(epoch));
	if (ret)
		mls_epoch_secrets_wipe(out);
	return ret;
}

/**
 * mls_keysched_from_epoch_secret() - DeriveSecret(epoch_secret, label) for
 *	every secret of the epoch
 * @s: the suite
 * @epoch_secret: Nh bytes; a group's creator draws it at random (§11)
 * @out: the epoch's secrets, wiped on error
 *
 * Return: 0 or -errno.
 */
int mls_keysched_from_epoch_secret(const struct mls_suite *s,
				   const u8 *epoch_secret,
				   struct mls_epoch_secrets *out)
{
	size_t i;
	int ret;

	/* Whole arrays wiped, so the unused tail of each is zero too. */
	mls_epoch_secrets_wipe(out);
	for (i = 0; i < ARRAY_SIZE(mls_epoch_labels); i++) {
		ret = mls_derive_secret(s, epoch_secret,
					mls_epoch_labels[i].label,
					(u8 *)out + mls_epoch_labels[i].offset);
		if (ret) {
			mls_epoch_secrets_wipe(out);
			return ret;
		}
	}
	return 0;
}

/**
 * mls_exporter() - MLS-Exporter(label, context, length) (§8.5)
 * @s: the suite
 * @exporter_secret: the epoch's exporter_secret, Nh bytes
 * @label: the application's label, bytes (not a C string)
 * @label_len: its length
 * @ctx: the application's context
 * @ctx_len: its length
 * @out: @out_len bytes, zeroed on error
 * @out_len: at most 255 * Nh
 *
 * ExpandWithLabel(DeriveSecret(exporter_secret, label), "exported",
 * Hash(context), length).
 *
 * Return: 0 or -errno.
 */
int mls_exporter(const struct mls_suite *s, const u8 *exporter_secret,
		 const u8 *label, size_t label_len,
		 const u8 *ctx, size_t ctx_len, u8 *out, size_t out_len)
{
	u8 derived[MLS_MAX_HASH_LEN], ctx_hash[MLS_MAX_HASH_LEN];
	int ret;

	ret = mls_expand_with_label_raw(s, exporter_secret, label, label_len,
					NULL, 0, derived, s->nh) ?:
	      mls_hash(s, ctx, ctx_len, ctx_hash) ?:
	      mls_expand_with_label(s, derived, "exported", ctx_hash, s->nh,
				    out, out_len);
	memzero_explicit(derived, sizeof(derived));
	memzero_explicit(ctx_hash, sizeof(ctx_hash));
	if (ret)
		memzero_explicit(out, out_len);
	return ret;
}

/**
 * mls_put_group_context() - append a GroupContext (§8.1) to a writer
 * @w: the writer; check mls_wbuf_err() afterwards
 * @s: the suite, for its id
 * @in: the other fields
 */
void mls_put_group_context(struct mls_wbuf *w, const struct mls_suite *s,
			   const struct mls_group_context_in *in)
{
	mls_put_u16(w, MLS_VERSION_MLS10);
	mls_put_u16(w, s->id);
	mls_put_vec(w, in->group_id, in->group_id_len);
	mls_put_u64(w, in->epoch);
	mls_put_vec(w, in->tree_hash, in->tree_hash_len);
	mls_put_vec(w, in->cth, in->cth_len);
	mls_put_vec(w, in->extensions, in->ext_len);
}

/**
 * mls_group_context_encode() - encode a GroupContext into a buffer
 * @s: the suite
 * @in: the fields
 * @buf: the destination, may be NULL when @cap is 0
 * @cap: its size
 * @len: the encoding's length, also on -ENOSPC
 *
 * Return: 0, -ENOSPC (@buf too small; *@len is the size needed) or
 * -EINVAL (a field of 1 GiB or more).
 */
int mls_group_context_encode(const struct mls_suite *s,
			     const struct mls_group_context_in *in,
			     u8 *buf, size_t cap, size_t *len)
{
	struct mls_wbuf w;

	mls_wbuf_init(&w, buf, cap);
	mls_put_group_context(&w, s, in);
	*len = w.len;
	return mls_wbuf_err(&w);
}

/**
 * mls_group_context_alloc() - encode a GroupContext into a new buffer
 * @s: the suite
 * @in: the fields
 * @len: the encoding's length
 * @gfp: allocation flags
 *
 * The GroupContext holds no secret: free it with kfree().
 *
 * Return: the kmalloc'd encoding, or ERR_PTR(-EINVAL or -ENOMEM).
 */
u8 *mls_group_context_alloc(const struct mls_suite *s,
			    const struct mls_group_context_in *in,
			    size_t *len, gfp_t gfp)
{
	size_t need;
	u8 *buf;
	int ret;

	ret = mls_group_context_encode(s, in, NULL, 0, &need);
	if (ret != -ENOSPC)
		return ERR_PTR(ret ?: -EINVAL);
	buf = kmalloc(need, gfp);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	ret = mls_group_context_encode(s, in, buf, need, len);
	if (ret) {
		kfree(buf);
		return ERR_PTR(ret);
	}
	return buf;
}
