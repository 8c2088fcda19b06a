// SPDX-License-Identifier: GPL-2.0
/*
 * The receive-save policy of persistent groups (MLS_POLICY_RECV_SAVE).
 *
 * A snapshot holds the secret tree as it was when exported: a message
 * decrypted after that is decrypted again after a restore of it (the
 * replay bound, Documentation/admin-guide/persistence.rst). The policy
 * bounds how many such decrypts there are: every decrypt of a persistent
 * group is counted, and once N of them lie outside the last saved
 * snapshot, MLS_CMD_RESERVE_LOW asks its persistence helper to export it.
 * In strict mode the (N+1)-th is refused (-ENOBUFS) until a snapshot that
 * holds the others is saved, and the event comes at half of N, so that
 * a helper that keeps up never lets it stall.
 *
 * The counts, lock-free:
 *  - claimed goes up before a decrypt claims its generation (with a
 *    compare-and-exchange against the bound in strict mode, so that two
 *    decrypts at once cannot both take the last place), and down again
 *    if the call fails after all;
 *  - done goes up once the generation is committed to the secret tree;
 *  - an export reads done (at_export) before it reads the tree: every
 *    decrypt counted there is in the snapshot. Those that commit while
 *    the tree is written may be in it as well: they count as unsaved,
 *    which errs on the safe side;
 *  - MLS_IOC_GROUP_SAVED of that export makes at_export the saved count.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "events.h"
#include "group.h"
#include "recv_save.h"

#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>

/**
 * mls_recv_save_check() - may @a set the receive-save policy of @g?
 * @g: the group
 * @a: the argument of MLS_IOC_SET_POLICY
 *
 * Return: 0, or -EINVAL (unknown flags, flags without N, N on a group
 * that is not persistent).
 */
int mls_recv_save_check(const struct mls_group *g,
			const struct mls_set_policy *a)
{
	if (!(a->mask & MLS_POLICY_RECV_SAVE))
		return 0;
	if (a->recv_save_flags & ~MLS_RECV_SAVE_F_ALL)
		return -EINVAL;
	if (!a->recv_save)
		return a->recv_save_flags ? -EINVAL : 0;
	return (g->flags & MLS_GROUP_F_PERSISTENT) ? 0 : -EINVAL;
}

void mls_recv_save_set(struct mls_group *g, u32 n, u32 flags)
{
	/* A decrypt may read one old and one new: both are valid alone. */
	WRITE_ONCE(g->policy.recv_save, n);
	WRITE_ONCE(g->policy.recv_save_flags, flags);
}

/* Where the event comes: at N, or at half of it (rounded up) if strict. */
static u64 recv_save_trigger(u32 n, u32 flags)
{
	return (flags & MLS_RECV_SAVE_F_STRICT) ? DIV_ROUND_UP(n, 2) : n;
}

/**
 * mls_recv_save_claim() - count one decrypt of @g, before its claim
 * @g: the group
 * @epoch: the epoch of the message, for the event
 * @counted: (out) whether it was counted: then mls_recv_save_done() or
 *	mls_recv_save_release() must follow
 *
 * Return: 0, or -ENOBUFS (strict policy, N decrypts unsaved).
 */
int mls_recv_save_claim(struct mls_group *g, u64 epoch, bool *counted)
{
	u32 n = READ_ONCE(g->policy.recv_save);
	u32 flags = READ_ONCE(g->policy.recv_save_flags);
	u64 saved = READ_ONCE(g->recv.saved);
	s64 c, v;

	*counted = false;
	if (!(g->flags & MLS_GROUP_F_PERSISTENT))
		return 0;
	if (n && (flags & MLS_RECV_SAVE_F_STRICT)) {
		c = atomic64_read(&g->recv.claimed);
		do {
			if ((u64)c - saved >= n)
				return -ENOBUFS;
		} while (!atomic64_try_cmpxchg(&g->recv.claimed, &c, c + 1));
		v = c + 1;
	} else {
		v = atomic64_inc_return(&g->recv.claimed);
	}
	*counted = true;
	if (n && (u64)v - saved == recv_save_trigger(n, flags))
		mls_event_reserve_low(g, epoch);
	return 0;
}

/* A counted decrypt that failed after all: it delivered nothing. */
void mls_recv_save_release(struct mls_group *g)
{
	atomic64_dec(&g->recv.claimed);
}

/* A counted decrypt whose generation is now committed to the tree. */
void mls_recv_save_done(struct mls_group *g)
{
	/* Ordered after the commit: an export that sees it sees that. */
	smp_mb__before_atomic();
	atomic64_inc(&g->recv.done);
}

/* Decrypts of @g that no saved snapshot holds (those in flight too). */
u64 mls_recv_save_unsaved(struct mls_group *g)
{
	u64 saved = READ_ONCE(g->recv.saved);
	u64 claimed = atomic64_read(&g->recv.claimed);

	return claimed > saved ? claimed - saved : 0;
}

/* An export of @g is about to read its epochs; commit_lock is held. */
void mls_recv_save_exported(struct mls_group *g)
{
	lockdep_assert_held(&g->commit_lock);
	g->recv.at_export = atomic64_read_acquire(&g->recv.done);
}

/* The last export of @g is saved; commit_lock is held. */
void mls_recv_save_saved(struct mls_group *g)
{
	lockdep_assert_held(&g->commit_lock);
	WRITE_ONCE(g->recv.saved, max(g->recv.saved, g->recv.at_export));
}
