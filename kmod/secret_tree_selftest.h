/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_SECRET_TREE_SELFTEST_H
#define _MLS_SECRET_TREE_SELFTEST_H

#ifdef MLS_SELFTEST
int mls_stree_selftest(void);
#else
static inline int mls_stree_selftest(void)
{
	return 0;
}
#endif

#endif /* _MLS_SECRET_TREE_SELFTEST_H */
