/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The secret-keyed steps of a handshake that are not epoch changes:
 * confirmation and membership tags, and the external public key.
 */
#ifndef _MLS_HANDSHAKE_H
#define _MLS_HANDSHAKE_H

#include "ioctl.h"

int mls_ioc_confirmation_tag(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_membership_tag(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_external_pub(struct mls_ioctl_ctx *ctx, void *arg);

#endif /* _MLS_HANDSHAKE_H */
