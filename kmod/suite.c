// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mls authors.
 */

#include "suite.h"

#include <linux/kernel.h>

/* RFC 9420 §17.1, the data-plane columns. */
static const struct mls_suite mls_suites[] = {
	{ 1, MLS_HASH_SHA256, MLS_AEAD_AES_GCM,		  32, 16 },
	{ 2, MLS_HASH_SHA256, MLS_AEAD_AES_GCM,		  32, 16 },
	{ 3, MLS_HASH_SHA256, MLS_AEAD_CHACHA20_POLY1305, 32, 32 },
	{ 4, MLS_HASH_SHA512, MLS_AEAD_AES_GCM,		  64, 32 },
	{ 5, MLS_HASH_SHA512, MLS_AEAD_AES_GCM,		  64, 32 },
	{ 6, MLS_HASH_SHA512, MLS_AEAD_CHACHA20_POLY1305, 64, 32 },
	{ 7, MLS_HASH_SHA384, MLS_AEAD_AES_GCM,		  48, 32 },
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
