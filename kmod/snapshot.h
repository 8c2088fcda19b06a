/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sealed snapshots of groups: MLS_IOC_GROUP_EXPORT on a group fd and
 * MLS_IOC_GROUP_IMPORT on /dev/mls.
 */
#ifndef _MLS_SNAPSHOT_H
#define _MLS_SNAPSHOT_H

struct mls_ioctl_ctx;

int mls_ioc_group_export(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_group_import(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_group_saved(struct mls_ioctl_ctx *ctx, void *arg);

/* Module unload: forget the sequence numbers imported. */
void mls_snapshot_exit(void);

#endif /* _MLS_SNAPSHOT_H */
