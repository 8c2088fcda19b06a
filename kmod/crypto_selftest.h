/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_CRYPTO_SELFTEST_H
#define _MLS_CRYPTO_SELFTEST_H

#ifdef MLS_SELFTEST
int mls_crypto_selftest(void);
#else
static inline int mls_crypto_selftest(void)
{
	return 0;
}
#endif

#endif /* _MLS_CRYPTO_SELFTEST_H */
