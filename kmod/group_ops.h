/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_GROUP_OPS_H
#define _MLS_GROUP_OPS_H

#include <linux/fs.h>

struct mls_ioctl_ctx;
struct mls_encrypt;

/* One message, as MLS_IOC_ENCRYPT and MLS_IOC_DECRYPT (batch.c). */
int mls_group_encrypt(struct mls_ioctl_ctx *ctx, struct mls_encrypt *a,
		      bool *used);
int mls_ioc_decrypt(struct mls_ioctl_ctx *ctx, void *arg);
/* MLS_IOC_ENCRYPT_BATCH and MLS_IOC_DECRYPT_BATCH (batch.c). */
int mls_ioc_encrypt_batch(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_decrypt_batch(struct mls_ioctl_ctx *ctx, void *arg);

long mls_group_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _MLS_GROUP_OPS_H */
