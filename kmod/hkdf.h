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

#endif /* _MLS_HKDF_H */
