/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_GROUP_OPS_H
#define _MLS_GROUP_OPS_H

#include <linux/fs.h>

struct mls_ioctl_ctx;
struct mls_encrypt;
struct mls_decrypt;

struct mls_batch_keys;

/*
 * One message, as MLS_IOC_ENCRYPT and MLS_IOC_DECRYPT (batch.c); @bk, if
 * not NULL, keeps what the messages of one batch share.
 */
int mls_group_encrypt(struct mls_ioctl_ctx *ctx, struct mls_encrypt *a,
		      struct mls_batch_keys *bk, bool *used);
int mls_group_decrypt(struct mls_ioctl_ctx *ctx, struct mls_decrypt *a,
		      struct mls_batch_keys *bk);
struct mls_batch_keys *mls_batch_keys_new(void);
void mls_batch_keys_free(struct mls_batch_keys *bk);
/* MLS_IOC_ENCRYPT_BATCH and MLS_IOC_DECRYPT_BATCH (batch.c). */
int mls_ioc_encrypt_batch(struct mls_ioctl_ctx *ctx, void *arg);
int mls_ioc_decrypt_batch(struct mls_ioctl_ctx *ctx, void *arg);

long mls_group_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _MLS_GROUP_OPS_H */
