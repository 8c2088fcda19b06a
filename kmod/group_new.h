/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_GROUP_NEW_H
#define _MLS_GROUP_NEW_H

#include "ioctl.h"

int mls_ioc_group_create(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_group_join(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_group_open(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_group_list(struct mls_ioctl_ctx *ctx, void *arg);

#endif /* _MLS_GROUP_NEW_H */
