// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mls authors.
 */

#include "suite.h"

#include <linux/kernel.h>

/*
 * The shortest DER ECDSA-Sig-Value: SEQUENCE { INTEGER r, INTEGER s } of
 * one-byte integers. The longest: two integers of the order's byte length,
 * each with a leading zero when its top bit is set (not for P-521, whose
 * order has 521 bits), and the SEQUENCE length in long form past 127.
 */
#define ECDSA_MIN	8
#define ECDSA_P256_MAX	(2 + 2 * (2 + 33))	/* 72 */
#define ECDSA_P384_MAX	(2 + 2 * (2 + 49))	/* 104 */
#define ECDSA_P521_MAX	(3 + 2 * (2 + 66))	/* 139 */

/* RFC 9420 §17.1: the data-plane columns and the signature lengths. */
static const struct mls_suite mls_suites[] = {
	/* Ed25519 */
	{ 1, MLS_HASH_SHA256, MLS_AEAD_AES_GCM,	32, 16, 64, 64 },
	/* ECDSA P-256 */
	{ 2, MLS_HASH_SHA256, MLS_AEAD_AES_GCM,	32, 16, ECDSA_MIN, ECDSA_P256_MAX },
	/* Ed25519 */
	{ 3, MLS_HASH_SHA256, MLS_AEAD_CHACHA20_POLY1305, 32, 32, 64, 64 },
	/* Ed448 */
	{ 4, MLS_HASH_SHA512, MLS_AEAD_AES_GCM,	64, 32, 114, 114 },
	/* ECDSA P-521 */
	{ 5, MLS_HASH_SHA512, MLS_AEAD_AES_GCM,	64, 32, ECDSA_MIN, ECDSA_P521_MAX },
	/* Ed448 */
	{ 6, MLS_HASH_SHA512, MLS_AEAD_CHACHA20_POLY1305, 64, 32, 114, 114 },
	/* ECDSA P-384 */
	{ 7, MLS_HASH_SHA384, MLS_AEAD_AES_GCM,	48, 32, ECDSA_MIN, ECDSA_P384_MAX },
};

const struct mls_suite *mls_suite_find(u16 id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mls_suites); i++)
		if (mls_suites[i].id == id)
			return &mls_suites[i];
	return NULL;
}

u64 mls_suite_mask(void)
{
	u64 mask = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mls_suites); i++)
		mask |= 1ULL << mls_suites[i].id;
	return mask;
}
