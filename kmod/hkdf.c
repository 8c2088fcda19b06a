// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC, HKDF (RFC 5869) and the labeled derivations of RFC 9420 §8.
 *
 * HMAC is computed here on top of module-wide unkeyed hash tfms rather
 * than with the kernel's hmac() template, because hmac() binds the key to
 * the tfm: every derivation of the key schedule and of the ratchets runs
 * under a fresh key, from many threads at once, so one shared keyed tfm
 * could serve only one of them at a time, and a tfm per call would mean an
 * allocation per derivation. A keyed tfm would also keep the ipad/opad
 * state of a consumed secret in its context after the secret itself is
 * erased. Here all key-dependent state lives on the caller's stack for
 * one call and is wiped before return.
 *
 * Copyright (C) 2026 The mls authors.
 */

#define pr_fmt(fmt) "mls: " fmt

#include "hkdf.h"
#include "aead.h"
#include "codec.h"

#include <crypto/hash.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <asm/unaligned.h>

/* Block size of SHA-384 and SHA-512, the largest HMAC key block. */
#define MLS_HMAC_MAX_BLOCK	128

/* "MLS 1.0 " prefixes every label (§8). */
#define MLS_LABEL_PREFIX	"MLS 1.0 "
#define MLS_LABEL_PREFIX_LEN	(sizeof(MLS_LABEL_PREFIX) - 1)

/* The most pieces a labeled HMAC input is made of (see mls_labeled()). */
#define MLS_HMAC_MAX_PARTS	7

struct mls_part {
	const u8 *p;
	size_t len;
};

static const char * const mls_hash_names[MLS_HASH_COUNT] = {
	[MLS_HASH_SHA256] = "sha256",
	[MLS_HASH_SHA384] = "sha384",
	[MLS_HASH_SHA512] = "sha512",
};

static const unsigned int mls_hash_sizes[MLS_HASH_COUNT] = {
	[MLS_HASH_SHA256] = 32,
	[MLS_HASH_SHA384] = 48,
	[MLS_HASH_SHA512] = 64,
};

/* Unkeyed, so shared read-only by every caller; set once at init. */
static struct crypto_shash *mls_shash[MLS_HASH_COUNT];

static struct crypto_shash *mls_suite_shash(const struct mls_suite *s)
{
	if (s->hash >= MLS_HASH_COUNT || !mls_shash[s->hash] ||
	    s->nh != mls_hash_sizes[s->hash])
		return NULL;
	return mls_shash[s->hash];
}

/* The shash API takes unsigned int lengths; ours are size_t. */
static int mls_shash_update(struct shash_desc *desc, const u8 *p, size_t len)
{
	int ret;

	while (len) {
		unsigned int n = min_t(size_t, len, SZ_1G);

		ret = crypto_shash_update(desc, p, n);
		if (ret)
			return ret;
		p += n;
		len -= n;
	}
	return 0;
}

static int mls_shash_digest(struct shash_desc *desc, const u8 *p, size_t len,
			    u8 *out)
{
	return crypto_shash_init(desc) ?:
	       mls_shash_update(desc, p, len) ?:
	       crypto_shash_final(desc, out);
}

/*
 * K0 of FIPS 198-1: the key padded with zeros to the block size, or its
 * hash when it is longer than a block.
 */
static int mls_hmac_k0(struct shash_desc *desc, const u8 *key, size_t key_len,
		       u8 k0[MLS_HMAC_MAX_BLOCK])
{
	unsigned int bs = crypto_shash_blocksize(desc->tfm);

	memset(k0, 0, MLS_HMAC_MAX_BLOCK);
	if (key_len <= bs) {
		if (key_len)
			memcpy(k0, key, key_len);
		return 0;
	}
	return mls_shash_digest(desc, key, key_len, k0);
}

/*
 * HMAC(K0, parts[0] || ... || parts[n - 1]) into @out (the digest size).
 * @k0 is read only before @out is written, so @out may overlap any input.
 */
static int mls_hmac(struct shash_desc *desc, const u8 k0[MLS_HMAC_MAX_BLOCK],
		    const struct mls_part *parts, unsigned int n, u8 *out)
{
	unsigned int bs = crypto_shash_blocksize(desc->tfm);
	unsigned int ds = crypto_shash_digestsize(desc->tfm);
	u8 pad[MLS_HMAC_MAX_BLOCK];
	u8 inner[MLS_MAX_HASH_LEN];
	unsigned int i;
	int ret;

	for (i = 0; i < bs; i++)
		pad[i] = k0[i] ^ 0x36;
	ret = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, pad, bs);
	for (i = 0; !ret && i < n; i++)
		ret = mls_shash_update(desc, parts[i].p, parts[i].len);
	ret = ret ?: crypto_shash_final(desc, inner);
	if (ret)
		goto out;

	for (i = 0; i < bs; i++)
		pad[i] = k0[i] ^ 0x5c;
	ret = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, pad, bs) ?:
	      crypto_shash_finup(desc, inner, ds, out);
out:
	memzero_explicit(pad, sizeof(pad));
	memzero_explicit(inner, sizeof(inner));
	return ret;
}

/*
 * HMAC as mls_hmac(), from the states after the padded key's block
 * (mls_kdf_key_init()): two compressions fewer per HMAC.
 */
static int mls_hmac_from(struct shash_desc *desc, const struct mls_kdf_key *k,
			 const struct mls_part *parts, unsigned int n, u8 *out)
{
	unsigned int ds = crypto_shash_digestsize(desc->tfm);
	u8 inner[MLS_MAX_HASH_LEN];
	unsigned int i;
	int ret;

	ret = crypto_shash_import(desc, k->ipad);
	for (i = 0; !ret && i < n; i++)
		ret = mls_shash_update(desc, parts[i].p, parts[i].len);
	ret = ret ?: crypto_shash_final(desc, inner) ?:
	      crypto_shash_import(desc, k->opad) ?:
	      crypto_shash_finup(desc, inner, ds, out);
	memzero_explicit(inner, sizeof(inner));
	return ret;
}

/**
 * mls_kdf_key_init() - make a secret ready for several derivations
 * @k: (out) the HMAC states of @secret; wipe with mls_kdf_key_wipe()
 * @s: the suite
 * @secret: Nh bytes
 *
 * HMAC hashes the padded key as a first block, inner and outer, for every
 * output: done once here, it is not redone by each ExpandWithLabel of
 * @secret (mls_expand_with_label_key()).
 *
 * Return: 0 or -errno; @k is zeroed on error.
 */
int mls_kdf_key_init(struct mls_kdf_key *k, const struct mls_suite *s,
		     const u8 *secret)
{
	struct crypto_shash *tfm = mls_suite_shash(s);
	u8 k0[MLS_HMAC_MAX_BLOCK], pad[MLS_HMAC_MAX_BLOCK];
	unsigned int bs, i;
	int ret;

	memset(k, 0, sizeof(*k));
	if (!tfm)
		return -EINVAL;
	bs = crypto_shash_blocksize(tfm);
	k->s = s;
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = mls_hmac_k0(desc, secret, s->nh, k0);
		for (i = 0; i < bs; i++)
			pad[i] = k0[i] ^ 0x36;
		ret = ret ?: crypto_shash_init(desc) ?:
		      crypto_shash_update(desc, pad, bs) ?:
		      crypto_shash_export(desc, k->ipad);
		for (i = 0; i < bs; i++)
			pad[i] = k0[i] ^ 0x5c;
		ret = ret ?: crypto_shash_init(desc) ?:
		      crypto_shash_update(desc, pad, bs) ?:
		      crypto_shash_export(desc, k->opad);
		shash_desc_zero(desc);
	}
	memzero_explicit(k0, sizeof(k0));
	memzero_explicit(pad, sizeof(pad));
	if (ret)
		mls_kdf_key_wipe(k);
	return ret;
}

/**
 * mls_kdf_key_wipe() - erase what mls_kdf_key_init() made
 * @k: the key
 */
void mls_kdf_key_wipe(struct mls_kdf_key *k)
{
	memzero_explicit(k, sizeof(*k));
}

/**
 * mls_hash() - the suite's hash
 * @s: the suite
 * @data: input
 * @len: its length
 * @out: Nh bytes of digest, zeroed on error
 *
 * Return: 0 or -errno.
 */
int mls_hash(const struct mls_suite *s, const u8 *data, size_t len, u8 *out)
{
	struct crypto_shash *tfm = mls_suite_shash(s);
	int ret;

	if (!tfm)
		return -EINVAL;
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = mls_shash_digest(desc, data, len, out);
		shash_desc_zero(desc);
	}
	if (ret)
		memzero_explicit(out, s->nh);
	return ret;
}

/**
 * mls_hkdf_extract() - HKDF-Extract (RFC 5869 §2.2)
 * @s: the suite
 * @salt: the HMAC key; NULL or empty means Nh zero bytes, which HMAC pads
 *	to the same block
 * @salt_len: its length
 * @ikm: input keying material
 * @ikm_len: its length
 * @prk: Nh bytes of pseudorandom key, zeroed on error; may overlap the
 *	inputs
 *
 * Return: 0 or -errno.
 */
int mls_hkdf_extract(const struct mls_suite *s, const u8 *salt,
		     size_t salt_len, const u8 *ikm, size_t ikm_len, u8 *prk)
{
	struct crypto_shash *tfm = mls_suite_shash(s);
	struct mls_part part = { ikm, ikm_len };
	u8 k0[MLS_HMAC_MAX_BLOCK];
	int ret;

	if (!tfm)
		return -EINVAL;
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = mls_hmac_k0(desc, salt, salt_len, k0) ?:
		      mls_hmac(desc, k0, &part, 1, prk);
		shash_desc_zero(desc);
	}
	memzero_explicit(k0, sizeof(k0));
	if (ret)
		memzero_explicit(prk, s->nh);
	return ret;
}

/*
 * HKDF-Expand (RFC 5869 §2.3) with info given in pieces, so that a
 * KDFLabel never has to be assembled in one buffer: a large context (a
 * GroupContext) costs no allocation, and no copy of it to wipe.
 * T(i) = HMAC(PRK, T(i - 1) || info || i). @out may overlap @prk, not
 * @info.
 */
static int mls_hkdf_expand_parts(const struct mls_suite *s, const u8 *prk,
				 const struct mls_kdf_key *key,
				 const struct mls_part *info, unsigned int n,
				 u8 *out, size_t out_len)
{
	struct crypto_shash *tfm = mls_suite_shash(s);
	struct mls_part parts[MLS_HMAC_MAX_PARTS + 2];
	u8 k0[MLS_HMAC_MAX_BLOCK];
	u8 t[MLS_MAX_HASH_LEN];
	size_t done = 0;
	u8 counter = 1;
	int ret = 0;

	if (!tfm || n > MLS_HMAC_MAX_PARTS || out_len > 255 * s->nh) {
		memzero_explicit(out, out_len);
		return -EINVAL;
	}

	/* parts[0] is T(i - 1), empty for T(1). */
	parts[0].p = t;
	parts[0].len = 0;
	memcpy(&parts[1], info, n * sizeof(*info));
	parts[n + 1].p = &counter;
	parts[n + 1].len = 1;
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = key ? 0 : mls_hmac_k0(desc, prk, s->nh, k0);
		while (!ret && done < out_len) {
			size_t chunk = min_t(size_t, out_len - done, s->nh);

			ret = key ? mls_hmac_from(desc, key, parts, n + 2, t) :
				    mls_hmac(desc, k0, parts, n + 2, t);
			if (ret)
				break;
			memcpy(out + done, t, chunk);
			done += chunk;
			parts[0].len = s->nh;
			counter++;
		}
		shash_desc_zero(desc);
	}
	memzero_explicit(k0, sizeof(k0));
	memzero_explicit(t, sizeof(t));
	if (ret)
		memzero_explicit(out, out_len);
	return ret;
}

/**
 * mls_hkdf_expand() - HKDF-Expand (RFC 5869 §2.3)
 * @s: the suite
 * @prk: Nh bytes of pseudorandom key
 * @info: context and application specific information
 * @info_len: its length
 * @out: @out_len bytes of output keying material, zeroed on error; may
 *	overlap @prk but not @info
 * @out_len: at most 255 * Nh
 *
 * Return: 0, -EINVAL (@out_len too large) or -errno.
 */
int mls_hkdf_expand(const struct mls_suite *s, const u8 *prk,
		    const u8 *info, size_t info_len, u8 *out, size_t out_len)
{
	struct mls_part part = { info, info_len };

	return mls_hkdf_expand_parts(s, prk, NULL, &part, 1, out, out_len);
}

static int mls_labeled_expand(const struct mls_suite *s, const u8 *secret,
			      const struct mls_kdf_key *key,
			      const u8 *label, size_t label_len,
			      const u8 *ctx, size_t ctx_len,
			      u8 *out, size_t out_len);

/**
 * mls_expand_with_label_raw() - ExpandWithLabel (§8) with a byte label
 * @s: the suite
 * @secret: Nh bytes
 * @label: the label without the "MLS 1.0 " prefix, any bytes
 * @label_len: its length
 * @ctx: the context
 * @ctx_len: its length
 * @out: @out_len bytes, zeroed on error; may overlap @secret only
 * @out_len: at most 255 * Nh
 *
 * HKDF-Expand(secret, KDFLabel, length) with KDFLabel =
 * uint16 length || opaque label<V> = "MLS 1.0 " + label || opaque context<V>.
 * The MLS-Exporter passes an application's label here, which is bytes,
 * not a C string.
 *
 * Return: 0, -EINVAL (a length that cannot be encoded) or -errno.
 */
int mls_expand_with_label_raw(const struct mls_suite *s, const u8 *secret,
			      const u8 *label, size_t label_len,
			      const u8 *ctx, size_t ctx_len,
			      u8 *out, size_t out_len)
{
	return mls_labeled_expand(s, secret, NULL, label, label_len, ctx,
				  ctx_len, out, out_len);
}

/**
 * mls_expand_with_label_key() - ExpandWithLabel (§8) of a secret made
 *	ready by mls_kdf_key_init()
 * @k: the secret
 * @label: the label without the "MLS 1.0 " prefix
 * @ctx: the context
 * @ctx_len: its length
 * @out: @out_len bytes, zeroed on error
 * @out_len: at most 255 * Nh
 *
 * Return: 0 or -errno.
 */
int mls_expand_with_label_key(const struct mls_kdf_key *k, const char *label,
			      const u8 *ctx, size_t ctx_len,
			      u8 *out, size_t out_len)
{
	return mls_labeled_expand(k->s, NULL, k, label, strlen(label), ctx,
				  ctx_len, out, out_len);
}

/**
 * mls_derive_tree_secret_key() - mls_derive_tree_secret() of a secret
 *	made ready by mls_kdf_key_init()
 * @k: the secret
 * @label: the label without the "MLS 1.0 " prefix
 * @generation: the ratchet generation
 * @out: @out_len bytes, zeroed on error
 * @out_len: at most 255 * Nh
 *
 * Return: 0 or -errno.
 */
int mls_derive_tree_secret_key(const struct mls_kdf_key *k, const char *label,
			       u32 generation, u8 *out, size_t out_len)
{
	u8 ctx[4];

	put_unaligned_be32(generation, ctx);
	return mls_expand_with_label_key(k, label, ctx, sizeof(ctx), out,
					 out_len);
}

/* ExpandWithLabel of @secret, or of @key when @secret is NULL. */
static int mls_labeled_expand(const struct mls_suite *s, const u8 *secret,
			      const struct mls_kdf_key *key,
			      const u8 *label, size_t label_len,
			      const u8 *ctx, size_t ctx_len,
			      u8 *out, size_t out_len)
{
	/* uint16 length and the label's varint; the context's varint. */
	u8 head[2 + MLS_VARINT_MAX_SIZE], ctx_head[MLS_VARINT_MAX_SIZE];
	struct mls_wbuf wh, wc;
	struct mls_part info[5];

	mls_wbuf_init(&wh, head, sizeof(head));
	mls_put_u16(&wh, out_len);
	mls_put_varint(&wh, MLS_LABEL_PREFIX_LEN + label_len);
	mls_wbuf_init(&wc, ctx_head, sizeof(ctx_head));
	mls_put_varint(&wc, ctx_len);
	if (out_len > U16_MAX || label_len > MLS_VARINT_MAX ||
	    mls_wbuf_err(&wh) || mls_wbuf_err(&wc)) {
		memzero_explicit(out, out_len);
		return -EINVAL;
	}

	info[0] = (struct mls_part){ head, wh.len };
	info[1] = (struct mls_part){ MLS_LABEL_PREFIX, MLS_LABEL_PREFIX_LEN };
	info[2] = (struct mls_part){ label, label_len };
	info[3] = (struct mls_part){ ctx_head, wc.len };
	info[4] = (struct mls_part){ ctx, ctx_len };
	BUILD_BUG_ON(ARRAY_SIZE(info) > MLS_HMAC_MAX_PARTS);
	return mls_hkdf_expand_parts(s, secret, key, info, ARRAY_SIZE(info),
				     out, out_len);
}

/**
 * mls_expand_with_label() - ExpandWithLabel (§8)
 * @s: the suite
 * @secret: Nh bytes
 * @label: the label without the "MLS 1.0 " prefix
 * @ctx: the context
 * @ctx_len: its length
 * @out: @out_len bytes, zeroed on error; may overlap @secret only
 * @out_len: at most 255 * Nh
 *
 * Return: 0 or -errno.
 */
int mls_expand_with_label(const struct mls_suite *s, const u8 *secret,
			  const char *label, const u8 *ctx, size_t ctx_len,
			  u8 *out, size_t out_len)
{
	return mls_expand_with_label_raw(s, secret, label, strlen(label),
					 ctx, ctx_len, out, out_len);
}

/**
 * mls_derive_secret() - DeriveSecret(secret, label) (§8)
 * @s: the suite
 * @secret: Nh bytes
 * @label: the label without the "MLS 1.0 " prefix
 * @out: Nh bytes, zeroed on error; may be @secret (a ratchet step)
 *
 * Return: 0 or -errno.
 */
int mls_derive_secret(const struct mls_suite *s, const u8 *secret,
		      const char *label, u8 *out)
{
	return mls_expand_with_label(s, secret, label, NULL, 0, out, s->nh);
}

/**
 * mls_derive_tree_secret() - DeriveTreeSecret(secret, label, generation,
 *	length) (§9)
 * @s: the suite
 * @secret: Nh bytes
 * @label: the label without the "MLS 1.0 " prefix
 * @generation: the ratchet generation, the context as a uint32
 * @out: @out_len bytes, zeroed on error; may be @secret
 * @out_len: at most 255 * Nh
 *
 * Return: 0 or -errno.
 */
int mls_derive_tree_secret(const struct mls_suite *s, const u8 *secret,
			   const char *label, u32 generation,
			   u8 *out, size_t out_len)
{
	u8 ctx[4];

	put_unaligned_be32(generation, ctx);
	return mls_expand_with_label(s, secret, label, ctx, sizeof(ctx),
				     out, out_len);
}

static void mls_hash_exit(void)
{
	int i;

	for (i = 0; i < MLS_HASH_COUNT; i++) {
		crypto_free_shash(mls_shash[i]);
		mls_shash[i] = NULL;
	}
}

static int mls_hash_init(void)
{
	struct crypto_shash *tfm;
	int i;

	for (i = 0; i < MLS_HASH_COUNT; i++) {
		tfm = crypto_alloc_shash(mls_hash_names[i], 0, 0);
		if (IS_ERR(tfm)) {
			pr_err("cannot allocate %s: %ld\n",
			       mls_hash_names[i], PTR_ERR(tfm));
			mls_hash_exit();
			return PTR_ERR(tfm);
		}
		mls_shash[i] = tfm;
		if (crypto_shash_digestsize(tfm) != mls_hash_sizes[i] ||
		    crypto_shash_blocksize(tfm) > MLS_HMAC_MAX_BLOCK ||
		    crypto_shash_statesize(tfm) > MLS_HMAC_MAX_STATE) {
			mls_hash_exit();
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * mls_crypto_init() - allocate the hash tfms and the AEAD pools
 *
 * Return: 0 or -errno (an algorithm the kernel does not have: -ENOENT).
 */
int mls_crypto_init(void)
{
	int ret;

	ret = mls_hash_init();
	if (ret)
		goto err_hash;
	ret = mls_aead_init();
	if (ret)
		goto err_aead;
	return 0;

err_aead:
	mls_hash_exit();
err_hash:
	return ret;
}

void mls_crypto_exit(void)
{
	mls_aead_exit();
	mls_hash_exit();
}
