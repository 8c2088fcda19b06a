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
 *  - an export reads done before it reads the tree: every decrypt counted
 *    there is in the snapshot. Those that commit while the tree is
 *    written may be in it as well: they count as unsaved, which errs on
 *    the safe side. The count is kept with the snapshot's reservation
 *    only if the export succeeds, so that a failed export moves nothing;
 *  - MLS_IOC_GROUP_SAVED of that export makes its count the saved one.
 *
 * The event goes out when the unsaved count reaches its trigger, or is
 * found past it (a save that left many unsaved, a policy set or
 * lowered), once per save: bit 0 of recv.asked says it went out, and a
 * save clears it. A strict refusal sends it too, if it has not gone out,
 * so a group cannot stall without one.
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

static u64 recv_save_word(u32 n, u32 flags)
{
	return (u64)flags << 32 | n;
}

/**
 * mls_recv_save_get() - the receive-save policy of @g, read at once
 * @g: the group
 * @flags: (out) its MLS_RECV_SAVE_F_*
 *
 * Return: N (0: off).
 */
u32 mls_recv_save_get(const struct mls_group *g, u32 *flags)
{
	u64 w = READ_ONCE(g->policy.recv_save);

	*flags = upper_32_bits(w);
	return lower_32_bits(w);
}

/* Where the event comes: at N, or at half of it (rounded up) if strict. */
static u64 recv_save_trigger(u32 n, u32 flags)
{
	return (flags & MLS_RECV_SAVE_F_STRICT) ? ((u64)n + 1) / 2 : n;
}

/*
 * Send the event if @unsaved reached the trigger and it has not gone out
 * since the last save. The caller read @unsaved after a full barrier
 * that follows its own change (a claim, a save, a policy): of a claim
 * and a save at once, one of them sees the other.
 */
static void recv_save_ask(struct mls_group *g, u64 unsaved, u64 epoch)
{
	u32 flags, n = mls_recv_save_get(g, &flags);

	if (n && unsaved >= recv_save_trigger(n, flags) &&
	    !test_and_set_bit(0, &g->recv.asked))
		mls_event_reserve_low(g, epoch);
}

void mls_recv_save_set(struct mls_group *g, u32 n, u32 flags, u64 epoch)
{
	WRITE_ONCE(g->policy.recv_save, recv_save_word(n, flags));
	if (!(g->flags & MLS_GROUP_F_PERSISTENT))
		return;
	/* Already past the new trigger: ask now, not at a count never seen. */
	smp_mb();
	recv_save_ask(g, mls_recv_save_unsaved(g), epoch);
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
	u32 flags, n = mls_recv_save_get(g, &flags);
	u64 saved = READ_ONCE(g->recv.saved);
	s64 c, v;

	*counted = false;
	if (!(g->flags & MLS_GROUP_F_PERSISTENT))
		return 0;
	if (n && (flags & MLS_RECV_SAVE_F_STRICT)) {
		c = atomic64_read(&g->recv.claimed);
		do {
			if ((u64)c - saved >= n) {
				/* The event may have been lost, or never due. */
				recv_save_ask(g, (u64)c - saved, epoch);
				return -ENOBUFS;
			}
		} while (!atomic64_try_cmpxchg(&g->recv.claimed, &c, c + 1));
		v = c + 1;
	} else {
		v = atomic64_inc_return(&g->recv.claimed);
	}
	*counted = true;
	/* Both orderings above are full barriers: saved is read after. */
	if (n)
		recv_save_ask(g, (u64)v - READ_ONCE(g->recv.saved), epoch);
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

/**
 * mls_recv_save_exported() - what an export of @g is about to hold
 * @g: the group; commit_lock is held
 *
 * Return: the decrypts committed before the export reads the epochs, to
 * keep with its reservation if it succeeds.
 */
u64 mls_recv_save_exported(struct mls_group *g)
{
	lockdep_assert_held(&g->commit_lock);
	return atomic64_read_acquire(&g->recv.done);
}

/**
 * mls_recv_save_saved() - the snapshot holding @done decrypts is saved
 * @g: the group; commit_lock is held
 * @done: its count (reserve.recv_done)
 *
 * Return: true if the decrypts still unsaved call for another save
 * (mls_recv_save_ask_again() after the lock is dropped).
 */
bool mls_recv_save_saved(struct mls_group *g, u64 done)
{
	lockdep_assert_held(&g->commit_lock);
	WRITE_ONCE(g->recv.saved, max(g->recv.saved, done));
	clear_bit(0, &g->recv.asked);
	/*
	 * Pairs with the claim's full barrier between its count and its
	 * read of saved: of a claim and this save, one sees the other's
	 * change, so the count past the trigger is asked for by one of us.
	 */
	smp_mb__after_atomic();
	return !!lower_32_bits(READ_ONCE(g->policy.recv_save));
}

/* After a save: ask again at once if as many are unsaved already. */
void mls_recv_save_ask_again(struct mls_group *g, u64 epoch)
{
	recv_save_ask(g, mls_recv_save_unsaved(g), epoch);
}
