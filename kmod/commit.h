/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Epoch changes: pending commits (prepare, merge, discard, timeout) and
 * the one-shot commit, which is a prepare and a merge in one call.
 */
#ifndef _MLS_COMMIT_H
#define _MLS_COMMIT_H

#include "epoch.h"
#include "ioctl.h"

#include <linux/types.h>

struct mls_epoch;
struct mls_group;

int mls_ioc_commit(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_commit_prepare(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_commit_merge(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_commit_discard(struct mls_ioctl_ctx *ctx, void *arg);

/*
 * The pending epoch with a reference, and a copy of its secret @which
 * (Nh bytes) into @out; ERR_PTR(-ENOENT) when nothing is pending,
 * -ENODATA (an installed epoch), -EPIPE (the external_secret of a
 * pending final epoch), -EINTR. Takes commit_lock.
 */
struct mls_epoch *mls_commit_pending_secret(struct mls_group *g,
					    enum mls_epoch_secret which,
					    u8 *out);

/*
 * Erase @g's pending commit, if any, for -@err (ECANCELED, ETIMEDOUT,
 * ENOENT), counted and announced. The caller holds commit_lock.
 */
void mls_commit_drop_pending(struct mls_group *g, u64 current_epoch, u32 err);
/* Discard @g's pending commit if its timeout has passed (the worker). */
void mls_commit_expire(struct mls_group *g);

#endif /* _MLS_COMMIT_H */
