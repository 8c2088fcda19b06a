/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The suites' AEADs, sealing and opening in place under a key used once.
 * Process context only: a call may sleep.
 */
#ifndef _MLS_AEAD_H
#define _MLS_AEAD_H

#include "suite.h"

#include <linux/types.h>

/* Called from mls_crypto_init() and mls_crypto_exit() only. */
int mls_aead_init(void);
void mls_aead_exit(void);

int mls_aead_seal(const struct mls_suite *s, const u8 *key, const u8 *nonce,
		  u8 *buf, size_t aad_len, size_t pt_len);
int mls_aead_open(const struct mls_suite *s, const u8 *key, const u8 *nonce,
		  u8 *buf, size_t aad_len, size_t ct_len);

/* A tfm of one caller's own for a run of messages (a batch). */
struct mls_aead_tfm;
struct mls_aead_tfm *mls_aead_tfm_get(const struct mls_suite *s);
void mls_aead_tfm_wipe(struct mls_aead_tfm *t);
void mls_aead_tfm_put(struct mls_aead_tfm *t);
int mls_aead_seal_on(struct mls_aead_tfm *t, const struct mls_suite *s,
		     const u8 *key, const u8 *nonce, u8 *buf, size_t aad_len,
		     size_t pt_len);
int mls_aead_open_on(struct mls_aead_tfm *t, const struct mls_suite *s,
		     const u8 *key, const u8 *nonce, u8 *buf, size_t aad_len,
		     size_t ct_len);

struct scatterlist;
int mls_aead_open_to(const struct mls_suite *s, const u8 *key,
		     const u8 *nonce, const u8 *buf, size_t aad_len,
		     size_t ct_len, struct scatterlist *dst);
int mls_aead_peek(const struct mls_suite *s, const u8 *key, const u8 *nonce,
		  const u8 *ct, u8 *out, size_t n);

#endif /* _MLS_AEAD_H */
