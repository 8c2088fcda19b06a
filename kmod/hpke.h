/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The external init key pair of an epoch (RFC 9420 §8.3, §12.4.3.2): its
 * public key for the GroupInfo's external_pub extension, and the HPKE
 * decapsulation of an ExternalInit's kem_output into the next epoch's
 * init_secret. Process context only: a call may sleep.
 */
#ifndef _MLS_HPKE_H
#define _MLS_HPKE_H

#include "suite.h"

#include <linux/types.h>

/* Npk of DHKEM(P-384), the largest public key of a supported KEM. */
#define MLS_HPKE_MAX_PUB_LEN	97

int mls_external_pub(const struct mls_suite *s, const u8 *external_secret,
		     u8 *pub, size_t cap, size_t *len);
int mls_external_init_decap(const struct mls_suite *s,
			    const u8 *external_secret, const u8 *kem_output,
			    size_t kem_len, u8 *init_secret_out);

#ifdef MLS_SELFTEST
int mls_hpke_selftest(void);
#else
static inline int mls_hpke_selftest(void)
{
	return 0;
}
#endif

#endif /* _MLS_HPKE_H */
