/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hash, HKDF (RFC 5869) and the labeled derivations of RFC 9420 §8,
 * for every suite's hash. All of them may run concurrently, in process or
 * softirq context: they neither sleep nor allocate.
 */
#ifndef _MLS_HKDF_H
#define _MLS_HKDF_H

#include "suite.h"

#include <linux/types.h>

/* The exported state of every hash: sha512's is 208 bytes. */
#define MLS_HMAC_MAX_STATE	256

/**
 * struct mls_kdf_key - a secret as HMAC's inner and outer states after
 *	its padded key block (mls_kdf_key_init())
 * @s: the suite
 * @ipad: the inner state
 * @opad: the outer state
 */
struct mls_kdf_key {
	const struct mls_suite *s;
	u8 ipad[MLS_HMAC_MAX_STATE];
	u8 opad[MLS_HMAC_MAX_STATE];
};

int mls_crypto_init(void);
void mls_crypto_exit(void);

int mls_hash(const struct mls_suite *s, const u8 *data, size_t len, u8 *out);
int mls_hkdf_extract(const struct mls_suite *s, const u8 *salt,
		     size_t salt_len, const u8 *ikm, size_t ikm_len, u8 *prk);
int mls_hkdf_expand(const struct mls_suite *s, const u8 *prk,
		    const u8 *info, size_t info_len, u8 *out, size_t out_len);
int mls_expand_with_label(const struct mls_suite *s, const u8 *secret,
			  const char *label, const u8 *ctx, size_t ctx_len,
			  u8 *out, size_t out_len);
int mls_expand_with_label_raw(const struct mls_suite *s, const u8 *secret,
			      const u8 *label, size_t label_len,
			      const u8 *ctx, size_t ctx_len,
			      u8 *out, size_t out_len);
int mls_derive_secret(const struct mls_suite *s, const u8 *secret,
		      const char *label, u8 *out);
int mls_derive_tree_secret(const struct mls_suite *s, const u8 *secret,
			   const char *label, u32 generation,
			   u8 *out, size_t out_len);

int mls_kdf_key_init(struct mls_kdf_key *k, const struct mls_suite *s,
		     const u8 *secret);
void mls_kdf_key_wipe(struct mls_kdf_key *k);
int mls_expand_with_label_key(const struct mls_kdf_key *k, const char *label,
			      const u8 *ctx, size_t ctx_len,
			      u8 *out, size_t out_len);
int mls_derive_tree_secret_key(const struct mls_kdf_key *k, const char *label,
			       u32 generation, u8 *out, size_t out_len);

#endif /* _MLS_HKDF_H */
