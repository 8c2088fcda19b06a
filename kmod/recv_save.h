/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receive-save policy of persistent groups (MLS_POLICY_RECV_SAVE):
 * how many decrypts may lie outside every saved snapshot.
 */
#ifndef _MLS_RECV_SAVE_H
#define _MLS_RECV_SAVE_H

#include <uapi/linux/mls.h>

#include <linux/types.h>

struct mls_group;

int mls_recv_save_check(const struct mls_group *g,
			const struct mls_set_policy *a);
u32 mls_recv_save_get(const struct mls_group *g, u32 *flags);
void mls_recv_save_set(struct mls_group *g, u32 n, u32 flags, u64 epoch);
int mls_recv_save_claim(struct mls_group *g, u64 epoch, bool *counted);
void mls_recv_save_release(struct mls_group *g);
void mls_recv_save_done(struct mls_group *g);
u64 mls_recv_save_unsaved(struct mls_group *g);
u64 mls_recv_save_exported(struct mls_group *g);
bool mls_recv_save_saved(struct mls_group *g, u64 done);
void mls_recv_save_ask_again(struct mls_group *g, u64 epoch);

#endif /* _MLS_RECV_SAVE_H */
