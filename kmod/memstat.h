/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's own memory, by kind: what /sys/kernel/mls/memory/ shows.
 * Bytes the module asked for (struct sizes and the lengths it allocated),
 * not what the allocator rounded them up to: the same figures the
 * per-user byte limit charges (quota.c), plus the group structures.
 * One atomic per kind: they move on group creation and destruction,
 * commits and secret-tree growth, never per message in steady state.
 */
#ifndef _MLS_MEMSTAT_H
#define _MLS_MEMSTAT_H

#include <linux/atomic.h>

enum mls_mem {
	MLS_MEM_GROUPS,		/* struct mls_group and its sysfs object */
	MLS_MEM_EPOCHS,		/* epochs: struct, GroupContext, roster */
	MLS_MEM_TREES,		/* secret trees: struct, node secrets, ratchets */
	MLS_MEM_NR
};

extern atomic_long_t mls_mem[MLS_MEM_NR];

static inline void mls_mem_add(enum mls_mem kind, long bytes)
{
	atomic_long_add(bytes, &mls_mem[kind]);
}

static inline long mls_mem_read(enum mls_mem kind)
{
	return atomic_long_read(&mls_mem[kind]);
}

#endif /* _MLS_MEMSTAT_H */
