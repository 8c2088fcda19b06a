/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The row counter the load-time self-tests share (crypto, secret tree,
 * HPKE): each known-answer row is checked, counted, and named in the log
 * by its group and number when it fails.
 *
 * Copyright (C) 2026 The mls authors.
 */
#ifndef MLS_SELFTEST_ROWS_H
#define MLS_SELFTEST_ROWS_H

#include <linux/init.h>
#include <linux/printk.h>
#include <linux/types.h>

struct mls_st {
	const char *group;
	unsigned int row;
	unsigned int failed;
	unsigned int total;
};

static inline void __init mls_st_check(struct mls_st *st, bool ok)
{
	st->row++;
	st->total++;
	if (!ok) {
		pr_err("selftest %s %u failed\n", st->group, st->row);
		st->failed++;
	}
}

static inline void __init mls_st_group(struct mls_st *st, const char *group)
{
	st->group = group;
	st->row = 0;
}

#endif /* MLS_SELFTEST_ROWS_H */
