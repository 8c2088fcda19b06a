/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-user limits (DESIGN.md §12): what each uid has made the module
 * hold, against the user_max_* module parameters, as the kernel counts
 * inotify watches or keys per user. Going over is -EDQUOT; root and
 * CAP_SYS_RESOURCE go past.
 *
 * A struct mls_user exists while something is charged to it or someone
 * holds a reference: each group holds its owner's, each epoch and secret
 * tree the group's, each event-buffer endpoint the one it is charged to.
 * Charging and uncharging never sleep; mls_user_get() may.
 */
#ifndef _MLS_QUOTA_H
#define _MLS_QUOTA_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/uidgid.h>

/*
 * Every allocation a user causes: charged to the caller's memory cgroup,
 * and failing (-ENOMEM) rather than calling the OOM killer or warning
 * when the cgroup is full: a user's request is refused, not the box.
 */
#define MLS_GFP_USER	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

enum mls_quota_kind {
	MLS_QUOTA_GROUPS,
	MLS_QUOTA_ENDPOINTS,
	MLS_QUOTA_BYTES,
	MLS_QUOTA_NR,
};

struct mls_user {
	refcount_t ref;
	kuid_t uid;
	atomic64_t use[MLS_QUOTA_NR];
	struct rcu_head rcu;
};

struct mls_user *mls_user_get(kuid_t uid);
/* Another reference on @u (which the caller holds one of). */
static inline struct mls_user *mls_user_hold(struct mls_user *u)
{
	if (u)
		refcount_inc(&u->ref);
	return u;
}

/* Any context, NULL is fine. */
void mls_user_put(struct mls_user *u);

/*
 * Charge @n of @kind to @u: 0, or -EDQUOT when that would pass the limit
 * and neither @u is root nor the caller has CAP_SYS_RESOURCE. A NULL @u
 * charges nothing. Any context.
 */
int mls_user_charge(struct mls_user *u, enum mls_quota_kind kind, u64 n);
void mls_user_uncharge(struct mls_user *u, enum mls_quota_kind kind, u64 n);

/* The use of @uid now (0 for a uid with nothing charged). */
u64 mls_user_use(kuid_t uid, enum mls_quota_kind kind);

/* For debugfs: each user with something charged, under RCU. */
struct mls_user *mls_user_next(unsigned long *index);

void mls_users_exit(void);

#endif /* _MLS_QUOTA_H */
