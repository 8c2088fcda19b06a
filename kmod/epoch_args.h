/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The inputs of a new epoch as userspace gives them (create, join,
 * commit): GroupContext fields, roster and secrets, checked and copied
 * into a struct mls_epoch_input.
 */
#ifndef _MLS_EPOCH_ARGS_H
#define _MLS_EPOCH_ARGS_H

#include "epoch.h"

#include <uapi/linux/mls.h>

struct mls_epoch_args {
	struct mls_epoch_input in;
	void *tree_hash;
	void *cth;
	void *extensions;
};

int mls_epoch_args_context(struct mls_epoch_args *a, const u8 *group_id,
			   size_t group_id_len,
			   const struct mls_group_context *uc);
int mls_epoch_args_roster(struct mls_epoch_args *a, const struct mls_roster *r);
int mls_epoch_args_secret(const struct mls_suite *s, const struct mls_buf *b,
			  u8 *dst, bool required);
int mls_epoch_args_absent(const struct mls_buf *b);
void mls_epoch_args_free(struct mls_epoch_args *a);

#endif /* _MLS_EPOCH_ARGS_H */
