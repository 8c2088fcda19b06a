/* SPDX-License-Identifier: GPL-2.0 */
/*
 * psk_secret (RFC 9420 §8.4) from a list of PreSharedKeyIDs: external
 * PSKs by value, resumption PSKs by reference to a kept epoch of a group,
 * whose resumption_psk never leaves the kernel.
 */
#ifndef _MLS_PSK_H
#define _MLS_PSK_H

#include "suite.h"

#include <uapi/linux/mls.h>

#include <linux/types.h>

bool mls_psk_list_given(const struct mls_psk_list *l);
int mls_psk_secret_read(const struct mls_suite *s, const struct mls_buf *raw,
			const struct mls_psk_list *list, u8 *out);

struct mls_psk_value {
	const u8 *id;		/* PreSharedKeyID, encoded */
	size_t id_len;
	const u8 *psk;
	size_t psk_len;
};

int mls_psk_secret(const struct mls_suite *s, const struct mls_psk_value *v,
		   unsigned int count, u8 *out);

#ifdef MLS_SELFTEST
int mls_psk_selftest(void);
#else
static inline int mls_psk_selftest(void)
{
	return 0;
}
#endif

#endif /* _MLS_PSK_H */
