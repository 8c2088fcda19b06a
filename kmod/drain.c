// SPDX-License-Identifier: GPL-2.0
/*
 * The drain: a graceful shutdown (Documentation/admin-guide/persistence.rst,
 * "Drain").
 *
 * MLS_IOC_DRAIN (CAP_SYS_ADMIN) turns the module to "drained": the ioctls
 * marked MLS_IOCTL_F_SERVICE (those that make a group or change one's
 * state) fail with -ESHUTDOWN. The calls that passed that check before
 * are waited for (SRCU), so that once MLS_CMD_SHUTDOWN goes out no group
 * changes but by export, save, discard and destroy. The drain then waits
 * for every persistent group to be exported and saved in this state, or
 * for its timeout, and reports, logs and counts the groups saved and not
 * saved. An export taken while drained closes the group's reservation at
 * its next generation (snapshot.c): sending stops exactly where that
 * snapshot says, so a restore of it resumes with no gap.
 *
 * The wait for the calls in flight is bounded and interruptible: a call
 * may sleep in its section as long as it likes (an encrypt stopped on a
 * userfaultfd page), so the grace period is polled
 * (start_poll_synchronize_srcu()), never waited for whole. A polled grace
 * period is never expedited, and one held up by a reader is retried only
 * every few jiffies (SRCU_MAX_INTERVAL), so that wait lasts at least
 * MLS_DRAIN_INFLIGHT_MIN_MS, whatever the drain's timeout: a short timeout
 * must not fail for want of a grace period nobody holds. A drain that
 * times out there stays begun ("draining") until a later MLS_IOC_DRAIN
 * finds the same grace period over.
 *
 * A signal ends either wait with -ERESTARTNOHAND: the call is made again
 * only when no handler ran (a stop, ptrace, the freezer), else -EINTR.
 * MLS_CMD_SHUTDOWN goes out once per drain, on the way from "draining" to
 * "drained", however often the drain is called again.
 *
 * Only one drain waits at a time (mls_drain_lock, tried: -EBUSY). The
 * module stays drained until MLS_DRAIN_F_CANCEL (MLS_CMD_RESUME); each
 * drain has an id, so that what was saved for one drain does not count
 * for the next.
 *
 * Copyright (C) 2026 The mls authors.
 */

#define pr_fmt(fmt) "mls: " fmt

#include "drain.h"
#include "group.h"
#include "ioctl.h"
#include "netlink.h"
#include "params.h"
#include "stats.h"

#include <uapi/linux/mls.h>

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/srcu.h>
#include <linux/wait.h>

DEFINE_SRCU(mls_service_srcu);
static DEFINE_MUTEX(mls_drain_lock);	/* one drain (or cancel) at a time */
static DECLARE_WAIT_QUEUE_HEAD(mls_drain_wq);
static atomic_t mls_drain_kicks = ATOMIC_INIT(0);
/* The drain in force (0: none), read locklessly; the last id given. */
static u64 mls_drain_cur;
static u64 mls_drain_last;
/* The grace period the drain in force waits for. */
static unsigned long mls_drain_cookie;
/*
 * Where the module stands, one value for /sys/kernel/mls/drain: written
 * under mls_drain_lock, read locklessly. DRAINED: MLS_CMD_SHUTDOWN goes
 * out for the drain in force, just after the state is set (once per
 * drain).
 */
enum mls_drain_state {
	MLS_DRAIN_NONE,
	MLS_DRAIN_DRAINING,
	MLS_DRAIN_DRAINED,
};

static enum mls_drain_state mls_drain_state;
/* The unload began: shutting down for good. */
static bool mls_drain_unloading;

/* Between two polls of the grace period. */
#define MLS_DRAIN_POLL_MS	5

u64 mls_drain_id(void)
{
	return READ_ONCE(mls_drain_cur);
}

const char *mls_drain_state_name(void)
{
	switch (READ_ONCE(mls_drain_state)) {
	case MLS_DRAIN_NONE:
		return "none";
	case MLS_DRAIN_DRAINING:
		return "draining";
	case MLS_DRAIN_DRAINED:
		return "drained";
	}
	return "unknown";
}

u32 mls_drain_group_state(const struct mls_group *g)
{
	if (READ_ONCE(g->dead))
		return MLS_GROUP_STATE_DESTROYED;
	if (READ_ONCE(mls_drain_unloading) || READ_ONCE(mls_drain_cur))
		return MLS_GROUP_STATE_SHUTTING_DOWN;
	if (READ_ONCE(g->ended))
		return MLS_GROUP_STATE_ENDED;
	return MLS_GROUP_STATE_ACTIVE;
}

void mls_drain_kick(void)
{
	atomic_inc(&mls_drain_kicks);
	wake_up_all(&mls_drain_wq);
}

/*
 * Was @g saved for drain @id in its current state: its last export was
 * taken during the drain, saved, and its epoch is still current? 1, 0,
 * or -ENOENT (destroyed meanwhile).
 */
static int drain_group_saved(struct mls_group *g, u64 id)
{
	struct mls_epoch *e;
	int ret;

	mutex_lock(&g->commit_lock);
	e = mls_group_current(g);
	if (IS_ERR(e)) {
		ret = PTR_ERR(e);
	} else {
		ret = g->reserve.saved_drain_id == id &&
		      g->reserve.saved_seq == g->snap_seq &&
		      g->reserve.saved_epoch == e->epoch;
		mls_epoch_put(e);
	}
	mutex_unlock(&g->commit_lock);
	return ret;
}

struct drain_count {
	u32 saved;
	u32 not_saved;
};

/* Count the persistent groups saved for @id; with @log, name the others. */
static void drain_scan(u64 id, struct drain_count *c, bool log)
{
	unsigned long next = 0;
	struct mls_group *g;

	*c = (struct drain_count){};
	while ((g = mls_group_next(&next))) {
		if (g->flags & MLS_GROUP_F_PERSISTENT) {
			switch (drain_group_saved(g, id)) {
			case 1:
				c->saved++;
				break;
			case 0:
				c->not_saved++;
				if (log)
					pr_warn("drain: group %u (group_id %*phN%s) not saved\n",
						g->id, min_t(int, g->group_id_len, 32),
						g->group_id,
						g->group_id_len > 32 ? "..." : "");
				break;
			}
		}
		mls_group_put(g);
		cond_resched();
	}
}

/* Destroy every group: the number destroyed. */
static u32 drain_destroy_all(void)
{
	unsigned long next = 0;
	struct mls_group *g;
	u32 n = 0;

	while ((g = mls_group_next(&next))) {
		if (!mls_group_destroy(g))
			n++;
		mls_group_put(g);
		cond_resched();
	}
	return n;
}

/*
 * mls_drain_lock held: drained from now on; then wait until the calls let
 * in before are done, or @deadline (jiffies), but MLS_DRAIN_INFLIGHT_MIN_MS
 * at least. 0 (quiet), -ETIMEDOUT or -ERESTARTNOHAND; either way the
 * drain stays begun.
 */
static int drain_begin(unsigned long deadline)
{
	unsigned long floor = jiffies + msecs_to_jiffies(MLS_DRAIN_INFLIGHT_MIN_MS);
	long left;

	lockdep_assert_held(&mls_drain_lock);
	if (time_before(deadline, floor))
		deadline = floor;
	if (!mls_drain_cur) {
		WRITE_ONCE(mls_drain_cur, ++mls_drain_last);
		WRITE_ONCE(mls_drain_state, MLS_DRAIN_DRAINING);
		/* Ordered after the store: a call that missed it is waited for. */
		mls_drain_cookie = start_poll_synchronize_srcu(&mls_service_srcu);
	}
	while (!poll_state_synchronize_srcu(&mls_service_srcu, mls_drain_cookie)) {
		left = (long)(deadline - jiffies);
		if (left <= 0)
			return -ETIMEDOUT;
		left = min_t(long, left, msecs_to_jiffies(MLS_DRAIN_POLL_MS));
		schedule_timeout_interruptible(left);
		if (signal_pending(current))
			return -ERESTARTNOHAND;
	}
	return 0;
}

/* mls_drain_lock held, quiet: announce the drain in force, once. */
static void drain_announce(void)
{
	lockdep_assert_held(&mls_drain_lock);
	if (mls_drain_state == MLS_DRAIN_DRAINED)
		return;
	/*
	 * "drained" before the event: a listener that lost it (ENOBUFS)
	 * learns of the loss only after the drop, and then reads "drained"
	 * in sysfs, not "draining" (which would tell it no shutdown yet).
	 */
	WRITE_ONCE(mls_drain_state, MLS_DRAIN_DRAINED);
	mls_event_shutdown();
}

/* mls_drain_lock held: no drain from now on. */
static void drain_end(void)
{
	lockdep_assert_held(&mls_drain_lock);
	WRITE_ONCE(mls_drain_state, MLS_DRAIN_NONE);
	WRITE_ONCE(mls_drain_cur, 0);
}

static void drain_account(const struct drain_count *c, bool timed_out)
{
	mls_stat_add(MLS_STAT_DRAINS, 1);
	mls_stat_add(MLS_STAT_DRAIN_SAVED, c->saved);
	mls_stat_add(MLS_STAT_DRAIN_NOT_SAVED, c->not_saved);
	if (timed_out)
		mls_stat_add(MLS_STAT_DRAIN_TIMEOUTS, 1);
}

/*
 * Wait until @deadline (jiffies) for every persistent group to be saved
 * for @id: 0, -ETIMEDOUT (@c counts them either way) or -ERESTARTNOHAND.
 */
static int drain_wait(u64 id, unsigned long deadline, struct drain_count *c)
{
	long left;
	int kicks;

	for (;;) {
		kicks = atomic_read(&mls_drain_kicks);
		drain_scan(id, c, false);
		if (!c->not_saved)
			return 0;
		left = (long)(deadline - jiffies);
		if (left <= 0)
			return -ETIMEDOUT;
		left = wait_event_interruptible_timeout(mls_drain_wq,
							atomic_read(&mls_drain_kicks) != kicks,
							left);
		/*
		 * Not -ERESTARTSYS: a handler's SA_RESTART would make the call
		 * again and again, each with a whole timeout, and undo a
		 * cancel made between two of them.
		 */
		if (left < 0)
			return -ERESTARTNOHAND;
	}
}

int mls_ioc_drain(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_drain *a = arg;
	unsigned long deadline;
	struct drain_count c;
	unsigned int ms;
	u64 id;
	int ret;

	if ((a->flags & ~MLS_DRAIN_F_ALL) || a->reserved)
		return -EINVAL;
	if ((a->flags & MLS_DRAIN_F_CANCEL) &&
	    (a->flags != MLS_DRAIN_F_CANCEL || a->timeout_ms))
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* Out: nothing the caller passed in comes back, whatever the path. */
	a->saved = 0;
	a->not_saved = 0;
	a->destroyed = 0;
	if (!mutex_trylock(&mls_drain_lock))
		return -EBUSY;

	if (a->flags & MLS_DRAIN_F_CANCEL) {
		ret = -EALREADY;
		if (mls_drain_cur) {
			drain_end();
			pr_info("drain cancelled\n");
			mls_event_resume();
			ret = 0;
		}
		goto out;
	}

	ms = a->timeout_ms ?: READ_ONCE(mls_drain_timeout_ms);
	deadline = jiffies + msecs_to_jiffies(ms);
	ret = drain_begin(deadline);
	if (ret == -ETIMEDOUT) {
		/* Counted as a drain that timed out; it is not one that ran. */
		mls_stat_add(MLS_STAT_DRAIN_TIMEOUTS, 1);
		/* Each call times out here again while the call sleeps on. */
		pr_warn_ratelimited("drain: calls in flight still running after %u ms\n",
				    max_t(unsigned int, ms, MLS_DRAIN_INFLIGHT_MIN_MS));
	}
	if (ret)
		goto out;
	id = mls_drain_cur;
	drain_announce();
	/* One timeout for both waits (the first may have outlasted it). */
	ret = drain_wait(id, deadline, &c);
	if (ret && ret != -ETIMEDOUT)
		goto out;
	if (ret == -ETIMEDOUT) {
		pr_warn("drain timed out after %u ms: %u persistent groups saved, %u not saved\n",
			ms, c.saved, c.not_saved);
		drain_scan(id, &c, true);
	}
	drain_account(&c, ret == -ETIMEDOUT);
	a->saved = c.saved;
	a->not_saved = c.not_saved;
	if (a->flags & MLS_DRAIN_F_DESTROY)
		a->destroyed = drain_destroy_all();
	ret = 0;
out:
	mutex_unlock(&mls_drain_lock);
	return ret;
}

void mls_drain_unload(void)
{
	struct drain_count c;
	u64 id;

	mutex_lock(&mls_drain_lock);
	WRITE_ONCE(mls_drain_unloading, true);
	if (!mls_drain_cur) {
		WRITE_ONCE(mls_drain_cur, ++mls_drain_last);
		WRITE_ONCE(mls_drain_state, MLS_DRAIN_DRAINING);
	}
	/* No fd is open: no call can be in flight, the wait is short. */
	synchronize_srcu(&mls_service_srcu);
	id = mls_drain_cur;
	/*
	 * Announced again, even if a drain did: the module is going now.
	 * "drained" first, as in drain_announce().
	 */
	WRITE_ONCE(mls_drain_state, MLS_DRAIN_DRAINED);
	mls_event_shutdown();
	drain_scan(id, &c, true);
	drain_account(&c, false);
	if (c.not_saved)
		pr_warn("unload: %u persistent groups saved, %u not saved\n",
			c.saved, c.not_saved);
	else if (c.saved)
		pr_info("unload: %u persistent groups saved\n", c.saved);
	mutex_unlock(&mls_drain_lock);
}
