/* SPDX-License-Identifier: GPL-2.0 */
/* Placeholder until the KEM code lands: external commits unsupported. */
#ifndef _MLS_HPKE_H
#define _MLS_HPKE_H

#include "suite.h"

#include <linux/errno.h>
#include <linux/types.h>

static inline int mls_external_pub(const struct mls_suite *s,
				   const u8 *external_secret, u8 *pub,
				   size_t cap, size_t *len)
{
	return -EOPNOTSUPP;
}

static inline int mls_external_init_decap(const struct mls_suite *s,
					  const u8 *external_secret,
					  const u8 *kem_output, size_t kem_len,
					  u8 *init_secret_out)
{
	return -EOPNOTSUPP;
}

#endif
