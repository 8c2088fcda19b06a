/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_PROTECT_SELFTEST_H
#define _MLS_PROTECT_SELFTEST_H

#ifdef MLS_SELFTEST
int mls_protect_selftest(void);
#else
static inline int mls_protect_selftest(void)
{
	return 0;
}
#endif

#endif /* _MLS_PROTECT_SELFTEST_H */
