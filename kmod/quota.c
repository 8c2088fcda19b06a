// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user limits: one struct mls_user per uid that has something
 * charged, in an xarray indexed by the uid's value. Lookups of the
 * counters run under RCU; inserting and the last put take the xarray's
 * lock with bottom halves off, because the last put may come from an RCU
 * callback (an event-buffer slot freed after its grace period).
 *
 * A charge is one atomic add and a compare with the limit, undone when it
 * passes it: two racing charges can both be refused near the limit, never
 * both admitted past it.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "params.h"
#include "quota.h"

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/slab.h>
#include <linux/xarray.h>

static DEFINE_XARRAY(mls_users);

static u64 quota_limit(enum mls_quota_kind kind)
{
	switch (kind) {
	case MLS_QUOTA_GROUPS:
		return READ_ONCE(mls_user_max_groups);
	case MLS_QUOTA_ENDPOINTS:
		return READ_ONCE(mls_user_max_endpoints);
	case MLS_QUOTA_BYTES:
		return READ_ONCE(mls_user_max_bytes);
	default:
		return 0;
	}
}

struct mls_user *mls_user_get(kuid_t uid)
{
	unsigned long index = __kuid_val(uid);
	struct mls_user *u, *old;
	int i;

	for (;;) {
		xa_lock_bh(&mls_users);
		u = xa_load(&mls_users, index);
		/* In the array means alive: the last put erases it first. */
		if (u)
			refcount_inc(&u->ref);
		xa_unlock_bh(&mls_users);
		if (u)
			return u;

		u = kzalloc(sizeof(*u), MLS_GFP_USER);
		if (!u)
			return NULL;
		refcount_set(&u->ref, 1);
		u->uid = uid;
		for (i = 0; i < MLS_QUOTA_NR; i++)
			atomic64_set(&u->use[i], 0);
		old = xa_cmpxchg_bh(&mls_users, index, NULL, u, MLS_GFP_USER);
		if (!old)
			return u;
		kfree(u);
		if (xa_is_err(old))
			return NULL;
		/* Another caller inserted it first: take that one. */
	}
}

void mls_user_put(struct mls_user *u)
{
	unsigned long flags;

	if (!u || refcount_dec_not_one(&u->ref))
		return;
	/* Any context: process, softirq (RCU callbacks). */
	xa_lock_irqsave(&mls_users, flags);
	if (!refcount_dec_and_test(&u->ref)) {
		xa_unlock_irqrestore(&mls_users, flags);
		return;
	}
	__xa_erase(&mls_users, __kuid_val(u->uid));
	xa_unlock_irqrestore(&mls_users, flags);
	kfree_rcu(u, rcu);
}

/* Root, or a caller allowed past resource limits. Any context. */
static bool quota_exempt(const struct mls_user *u)
{
	return uid_eq(u->uid, GLOBAL_ROOT_UID) ||
	       has_capability_noaudit(current, CAP_SYS_RESOURCE);
}

int mls_user_charge(struct mls_user *u, enum mls_quota_kind kind, u64 n)
{
	u64 limit = quota_limit(kind);

	if (!u || !n)
		return 0;
	if (atomic64_add_return(n, &u->use[kind]) <= limit || quota_exempt(u))
		return 0;
	atomic64_sub(n, &u->use[kind]);
	return -EDQUOT;
}

void mls_user_uncharge(struct mls_user *u, enum mls_quota_kind kind, u64 n)
{
	if (u && n)
		WARN_ON_ONCE(atomic64_sub_return(n, &u->use[kind]) < 0);
}

u64 mls_user_use(kuid_t uid, enum mls_quota_kind kind)
{
	struct mls_user *u;
	u64 v = 0;

	rcu_read_lock();
	u = xa_load(&mls_users, __kuid_val(uid));
	if (u)
		v = atomic64_read(&u->use[kind]);
	rcu_read_unlock();
	return v;
}

/* Under rcu_read_lock(): the user at or after *@index, which it advances. */
struct mls_user *mls_user_next(unsigned long *index)
{
	struct mls_user *u = xa_find(&mls_users, index, ULONG_MAX, XA_PRESENT);

	if (u)
		(*index)++;
	return u;
}

/* Module unload: everything charged was uncharged and put. */
void mls_users_exit(void)
{
	rcu_barrier();
	WARN_ON_ONCE(!xa_empty(&mls_users));
	xa_destroy(&mls_users);
}
