/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Staged joins: a Welcome's member secret Extract(joiner_secret,
 * psk_secret), kept behind an fd between MLS_IOC_JOIN_STAGE and the
 * MLS_IOC_GROUP_JOIN that completes it.
 */
#ifndef _MLS_JOIN_STAGE_H
#define _MLS_JOIN_STAGE_H

#include "ioctl.h"
#include "suite.h"

#include <linux/types.h>

struct mls_join_staged;

int mls_ioc_join_stage(struct mls_ioctl_ctx *ctx, void *arg);

/*
 * The staged join behind @fd, referenced (its file): -EBADF if @fd is
 * none. Release with mls_join_staged_put().
 */
struct mls_join_staged *mls_join_staged_get(int fd);
void mls_join_staged_put(struct mls_join_staged *j);
/*
 * Copy its member secret (Nh bytes of @s) and mark it in use; -ETIMEDOUT
 * if it timed out, -ESTALE if a join used it already, -EBUSY if a join is
 * using it now, -EINVAL if @s is not its suite.
 */
int mls_join_staged_take(struct mls_join_staged *j, const struct mls_suite *s,
			 u8 *member);
/* The join that took it succeeded (@used) or failed (usable again). */
void mls_join_staged_done(struct mls_join_staged *j, bool used);

#endif /* _MLS_JOIN_STAGE_H */
