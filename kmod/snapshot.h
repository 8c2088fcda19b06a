/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sealed snapshots of groups: MLS_IOC_GROUP_EXPORT on a group fd and
 * MLS_IOC_GROUP_IMPORT on /dev/mls.
 */
#ifndef _MLS_SNAPSHOT_H
#define _MLS_SNAPSHOT_H

#include <linux/types.h>

struct mls_group;
struct mls_ioctl_ctx;

/*
 * The send reservation of a persistent group in its current @epoch: by
 * enum mls_ratchet_type, the next sending generation and the first one
 * not reserved; @low: one ratchet used half its reservation or has none
 * left; @saved: a snapshot of this epoch was saved (MLS_IOC_GROUP_SAVED);
 * @saved_seq: the last snapshot saved (0: none since made or imported).
 */
struct mls_reserve_info {
	u64 epoch;
	u64 saved_seq;
	u64 next[2];
	u64 limit[2];
	bool saved;
	bool low;
};

int mls_group_reserve_info(struct mls_group *g, struct mls_reserve_info *ri);

int mls_ioc_group_export(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_group_import(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_group_saved(struct mls_ioctl_ctx *ctx, void *arg);

/* The records of sequence numbers imported; unload forgets them. */
int mls_snapshot_init(void);
void mls_snapshot_exit(void);

#endif /* _MLS_SNAPSHOT_H */
