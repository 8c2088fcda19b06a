// SPDX-License-Identifier: GPL-2.0
/*
 * Epoch changes.
 *
 * A committer derives the next epoch before the delivery service has
 * ordered its Commit; when another Commit wins, that epoch must be thrown
 * away. So the next epoch is first staged as the group's pending commit
 * (prepare) while the group goes on in its current epoch, then made
 * current (merge) or erased (discard). The one-shot commit is both in
 * one call.
 *
 * Rules, under g->commit_lock:
 *  - one pending commit per group; a prepare or one-shot commit while one
 *    is pending, or staged by another call still running, loses (-EBUSY);
 *  - none follows a group's last epoch (MLS_COMMIT_F_FINAL, -EPIPE);
 *  - one built on an epoch that is no longer current gets -ESTALE;
 *  - a pending commit older than the group's commit timeout is discarded
 *    by the retention worker or by the merge that finds it (-ETIMEDOUT);
 *  - the caller's memory is read before and written after, never under
 *    commit_lock: a fault it makes slow holds up no destroy or unload;
 *  - a call's change is made only once its argument has been copied back
 *    (the dispatcher's finish hook): until then the pending commit is
 *    marked in_call, which no other call may merge or discard, and a
 *    failed copy erases it as if it had never been.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "commit.h"
#include "epoch_args.h"
#include "events.h"
#include "group.h"
#include "hpke.h"
#include "params.h"
#include "psk.h"
#include "stats.h"
#include "trace.h"
#include "uarg.h"

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

/**
 * struct mls_pending - a group's staged next epoch
 * @epoch: the epoch, one reference; not on the group's list
 * @init_secret: its init_secret, for the commit after it
 * @has_init: false for an installed epoch
 * @in_call: staged by a call that has not returned yet
 * @oneshot: staged by MLS_IOC_COMMIT, which merges it on its way out
 * @own_path: MLS_COMMIT_F_OWN_PATH: the caller's commit, fresh UpdatePath
 * @base: the epoch it follows
 * @deadline_ns: ktime_get_ns() after which it is discarded; the same
 *	monotonic clock as the caller's, not jiffies, which a loaded
 *	(virtual) CPU can let fall behind a millisecond timeout
 * @start_ns: when it was staged (ktime_get_ns()), for the latencies
 */
struct mls_pending {
	struct mls_epoch *epoch;
	u8 init_secret[MLS_MAX_HASH_LEN];
	bool has_init;
	bool in_call;
	bool oneshot;
	bool own_path;
	u64 base;
	u64 deadline_ns;
	u64 start_ns;
};

static void pending_free(struct mls_pending *p)
{
	mls_epoch_put(p->epoch);
	kfree_sensitive(p);
}

static struct mls_group *ctx_group(struct mls_ioctl_ctx *ctx)
{
	return ctx->file->private_data;
}

/*
 * The init_secret a schedule commit runs on: the group's, or ExternalInit's
 * from @kem (the caller's kem_output, copied in already). commit_lock held:
 * g->init_secret is the one of the epoch the commit follows.
 */
static int commit_init_secret(struct mls_group *g, const struct mls_commit *a,
			      const void *kem, u8 *init)
{
	const struct mls_suite *s = g->suite;
	u8 ext[MLS_MAX_HASH_LEN];
	u64 epoch;
	int ret;

	lockdep_assert_held(&g->commit_lock);
	if (!(a->flags & MLS_COMMIT_F_EXTERNAL_INIT)) {
		/* An installed epoch has no init_secret to run the schedule on. */
		if (!g->has_init_secret)
			return -ENODATA;
		memcpy(init, g->init_secret, s->nh);
		return 0;
	}
	ret = mls_group_current_secret(g, MLS_SECRET_EXTERNAL, ext, &epoch);
	if (!ret)
		ret = mls_external_init_decap(s, ext, kem, a->kem_output.len,
					      init);
	memzero_explicit(ext, sizeof(ext));
	return ret;
}

/*
 * Everything the caller's memory holds for the commit, read before
 * commit_lock is taken: a caller whose memory faults slowly (userfaultfd,
 * FUSE) must not hold up a destroy, a merge or the module's unload.
 */
static int commit_inputs(struct mls_group *g, struct mls_commit *a,
			 struct mls_epoch_args *args, void **kem)
{
	const struct mls_suite *s = g->suite;
	struct mls_epoch_input *in = &args->in;
	int ret;

	*kem = NULL;
	ret = mls_epoch_args_context(args, g->group_id, g->group_id_len,
				     &a->context) ?:
	      mls_epoch_args_roster(args, &a->roster);
	if (ret)
		return ret;
	if (a->flags & MLS_COMMIT_F_INSTALL) {
		in->source = MLS_EPOCH_INSTALL;
		return mls_epoch_args_absent(&a->commit_secret) ?:
		       mls_epoch_args_absent(&a->psk_secret) ?:
		       mls_epoch_args_absent(&a->kem_output) ?:
		       (mls_psk_list_given(&a->psks) ? -EINVAL : 0) ?:
		       mls_epoch_args_secret(s, &a->encryption_secret,
					     in->encryption, true) ?:
		       mls_epoch_args_secret(s, &a->sender_data_secret,
					     in->sender_data, true);
	}
	in->source = MLS_EPOCH_SCHEDULE;
	ret = mls_epoch_args_absent(&a->encryption_secret) ?:
	      mls_epoch_args_absent(&a->sender_data_secret) ?:
	      mls_epoch_args_secret(s, &a->commit_secret, in->commit, false) ?:
	      mls_psk_secret_read(s, &a->psk_secret, &a->psks, in->psk);
	if (ret)
		return ret;
	if (!(a->flags & MLS_COMMIT_F_EXTERNAL_INIT))
		return mls_epoch_args_absent(&a->kem_output);
	if (!a->kem_output.len || a->kem_output.len > MLS_MAX_KEM_OUTPUT_LEN)
		return -EINVAL;
	*kem = mls_buf_dup(&a->kem_output, MLS_MAX_KEM_OUTPUT_LEN);
	if (IS_ERR(*kem)) {
		ret = PTR_ERR(*kem);
		*kem = NULL;
	}
	return ret;
}

static int check_commit(struct mls_commit *a, const struct mls_suite *s)
{
	bool ret_secrets = a->flags & MLS_COMMIT_F_RETURN_SECRETS;

	if ((a->flags & ~MLS_COMMIT_F_ALL) || a->reserved0)
		return -EINVAL;
	if ((a->flags & MLS_COMMIT_F_INSTALL) &&
	    (a->flags & (MLS_COMMIT_F_RETURN_SECRETS | MLS_COMMIT_F_EXTERNAL_INIT)))
		return -EINVAL;
	/*
	 * A ReInit is the only proposal of its Commit (§12.2): it adds
	 * nobody, so there is no Welcome, and an external commit has none.
	 * Its last epoch is kept for its resumption PSK and exporter, which
	 * an installed epoch does not have: no FINAL with INSTALL either.
	 */
	if ((a->flags & MLS_COMMIT_F_FINAL) &&
	    (a->flags & (MLS_COMMIT_F_RETURN_SECRETS | MLS_COMMIT_F_EXTERNAL_INIT |
			 MLS_COMMIT_F_INSTALL)))
		return -EINVAL;
	if (!ret_secrets)
		return mls_epoch_args_absent(&a->joiner_secret) ?:
		       mls_epoch_args_absent(&a->welcome_secret);
	/* Check the room first: a commit is not applied half-way. */
	return mls_buf_fits(&a->joiner_secret, s->nh) ?:
	       mls_buf_fits(&a->welcome_secret, s->nh);
}

/* A commit operation could not run: count it and say so. */
static void commit_conflict(struct mls_group *g, int err)
{
	mls_group_stat_add(g, MLS_STAT_COMMIT_CONFLICTS, 1);
	mls_event_commit_conflict(g, -err);
}

/*
 * Derive the next epoch from @args and stage it as g->pending, in_call.
 * With @joiner and @welcome, their secrets are written there. Touches no
 * user memory.
 */
static int stage_locked(struct mls_group *g, struct mls_commit *a,
			struct mls_epoch_args *args, const void *kem,
			u8 *joiner, u8 *welcome, u64 start)
{
	const struct mls_suite *s = g->suite;
	struct mls_pending *p;
	struct mls_epoch *cur;
	u64 base = 0;
	int ret;

	lockdep_assert_held(&g->commit_lock);
	if (g->pending)
		return -EBUSY;
	cur = mls_group_current(g);
	if (IS_ERR(cur))
		return PTR_ERR(cur);
	base = cur->epoch;
	/* A ReInit ended the group: no commit follows its last epoch. */
	ret = cur->final ? -EPIPE : 0;
	mls_epoch_put(cur);
	if (ret)
		return ret;
	if (base == U64_MAX)
		return -EOVERFLOW;
	if (a->context.epoch != base + 1)
		return -ESTALE;
	if (a->roster.own_leaf != g->own_leaf)
		return -EINVAL;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	if (args->in.source == MLS_EPOCH_SCHEDULE) {
		ret = commit_init_secret(g, a, kem, args->in.init);
		if (ret)
			goto err;
	}
	args->in.user = g->user;
	p->epoch = mls_epoch_create(s, &args->in, p->init_secret,
				    &p->has_init, joiner, welcome);
	if (IS_ERR(p->epoch)) {
		ret = PTR_ERR(p->epoch);
		p->epoch = NULL;
		goto err;
	}
	/* Before anyone sees the epoch: the merge makes the group end. */
	p->epoch->final = a->flags & MLS_COMMIT_F_FINAL;
	p->base = base;
	p->own_path = a->flags & MLS_COMMIT_F_OWN_PATH;
	p->in_call = true;
	p->start_ns = start;
	g->pending = p;
	return 0;
err:
	kfree_sensitive(p);
	return ret;
}

/* Make the pending epoch current and forget it. */
static int merge_locked(struct mls_group *g)
{
	struct mls_pending *p = g->pending;
	int ret;

	lockdep_assert_held(&g->commit_lock);
	/* No commit follows a group's last epoch: its init_secret goes. */
	if (p->epoch->final) {
		memzero_explicit(p->init_secret, sizeof(p->init_secret));
		p->has_init = false;
	}
	ret = mls_group_advance(g, p->epoch, p->own_path);
	if (ret)
		return ret;
	/* advance() took over the reference. */
	p->epoch = NULL;
	memcpy(g->init_secret, p->init_secret, sizeof(g->init_secret));
	g->has_init_secret = p->has_init;
	g->pending = NULL;
	mls_group_stat_add(g, MLS_STAT_COMMITS_MERGED, 1);
	kfree_sensitive(p);
	return 0;
}

/* Erase a pending commit no one has heard of (its call failed). */
static void cancel_locked(struct mls_group *g)
{
	struct mls_pending *p = g->pending;

	if (p && p->in_call) {
		g->pending = NULL;
		pending_free(p);
	}
}

void mls_commit_drop_pending(struct mls_group *g, u64 current_epoch, u32 err)
{
	struct mls_pending *p = g->pending;

	lockdep_assert_held(&g->commit_lock);
	if (!p)
		return;
	g->pending = NULL;
	if (!p->in_call) {
		mls_group_stat_add(g, MLS_STAT_COMMITS_DISCARDED, 1);
		if (err == ETIMEDOUT) {
			mls_group_stat_add(g, MLS_STAT_COMMITS_TIMED_OUT, 1);
			g->timed_out_epoch = p->epoch->epoch;
			g->has_timed_out = true;
		}
		mls_event_commit_discarded(g, current_epoch, p->epoch->epoch, err);
		/* MLS_IOC_COMMIT_DISCARD traces itself, with its result. */
		if (err != ECANCELED)
			trace_mls_commit(g, err == ETIMEDOUT ?
					 MLS_TRACE_COMMIT_TIMEOUT :
					 MLS_TRACE_COMMIT_DISCARD,
					 p->base, p->epoch->epoch, -(int)err);
	}
	pending_free(p);
}

static bool pending_expired(const struct mls_pending *p)
{
	return !p->in_call && ktime_get_ns() >= p->deadline_ns;
}

void mls_commit_expire(struct mls_group *g)
{
	if (!mutex_trylock(&g->commit_lock))
		return;	/* busy: the next round, or the merge, will see it */
	if (g->pending && pending_expired(g->pending))
		mls_commit_drop_pending(g, g->pending->base, ETIMEDOUT);
	mutex_unlock(&g->commit_lock);
}

/* --- the one-shot commit and prepare ------------------------------------ */

static void commit_cancel(void *arg)
{
	struct mls_group *g = arg;

	mutex_lock(&g->commit_lock);
	cancel_locked(g);
	mutex_unlock(&g->commit_lock);
}

static int commit_stage(struct mls_ioctl_ctx *ctx, struct mls_commit *a,
			bool oneshot)
{
	u64 start = ktime_get_ns();
	struct mls_group *g = ctx_group(ctx);
	bool ret_secrets = a->flags & MLS_COMMIT_F_RETURN_SECRETS;
	u8 joiner[MLS_MAX_HASH_LEN], welcome[MLS_MAX_HASH_LEN];
	struct mls_epoch_args args = {};
	void *kem = NULL;
	int ret;

	ret = check_commit(a, g->suite) ?: commit_inputs(g, a, &args, &kem);
	if (ret)
		goto out;
	/*
	 * One commit wins per epoch. The lock is held only to derive and
	 * stage (no user memory under it), so waiting for it is short; the
	 * loser of a race then finds the winner's commit staged (-EBUSY) or
	 * merged (-ESTALE). A trylock here made a lone commit fail with
	 * -EBUSY whenever the retention worker was looking at the group.
	 */
	if (mutex_lock_interruptible(&g->commit_lock)) {
		ret = -EINTR;
		goto out;
	}
	ret = stage_locked(g, a, &args, kem, ret_secrets ? joiner : NULL,
			   ret_secrets ? welcome : NULL, start);
	if (!ret)
		g->pending->oneshot = oneshot;
	mutex_unlock(&g->commit_lock);
	/* Staged in_call: no other call merges or discards it meanwhile. */
	if (!ret && ret_secrets) {
		ret = mls_buf_write(&a->joiner_secret, joiner, g->suite->nh) ?:
		      mls_buf_write(&a->welcome_secret, welcome, g->suite->nh);
		if (ret)
			commit_cancel(g);
	}
out:
	if (ret == -EBUSY || ret == -ESTALE)
		commit_conflict(g, ret);
	memzero_explicit(joiner, sizeof(joiner));
	memzero_explicit(welcome, sizeof(welcome));
	kvfree(kem);
	mls_epoch_args_free(&args);
	return ret;
}

/* MLS_IOC_COMMIT, its argument copied back: merge what it staged. */
static int commit_finish(void *arg)
{
	struct mls_group *g = arg;
	struct mls_pending *p;
	u64 start, base, next;
	int ret;

	mutex_lock(&g->commit_lock);
	p = g->pending;
	/* A destroy in between erased it. */
	if (!p || !p->in_call || !p->oneshot) {
		mutex_unlock(&g->commit_lock);
		return -ENOENT;
	}
	start = p->start_ns;
	base = p->base;
	next = p->epoch->epoch;
	ret = merge_locked(g);
	trace_mls_commit(g, MLS_TRACE_COMMIT_ONESHOT, base, next, ret);
	if (ret)
		cancel_locked(g);
	else
		mls_group_stat_add(g, MLS_STAT_COMMITS_PREPARED, 1);
	mutex_unlock(&g->commit_lock);
	if (!ret)
		mls_latency_record(MLS_OP_COMMIT, start);
	return ret;
}

int mls_ioc_commit(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_commit *a = arg;
	int ret = commit_stage(ctx, a, true);

	if (ret) {
		trace_mls_commit(ctx_group(ctx), MLS_TRACE_COMMIT_ONESHOT,
				 a->context.epoch - 1, a->context.epoch, ret);
		return ret;
	}
	ctx->finish = commit_finish;
	ctx->cancel = commit_cancel;
	ctx->finish_arg = ctx_group(ctx);
	return 0;
}

/* MLS_IOC_COMMIT_PREPARE, its argument copied back: the commit is pending. */
static int prepare_finish(void *arg)
{
	struct mls_group *g = arg;
	struct mls_pending *p;
	u32 timeout = max(READ_ONCE(g->policy.commit_timeout_ms), 1U);
	u64 base, next;

	mutex_lock(&g->commit_lock);
	p = g->pending;
	if (!p || !p->in_call || p->oneshot) {
		mutex_unlock(&g->commit_lock);
		return -ENOENT;
	}
	p->in_call = false;
	p->start_ns = ktime_get_ns();
	p->deadline_ns = p->start_ns + (u64)timeout * NSEC_PER_MSEC;
	g->has_timed_out = false;
	base = p->base;
	next = p->epoch->epoch;
	mls_group_stat_add(g, MLS_STAT_COMMITS_PREPARED, 1);
	mutex_unlock(&g->commit_lock);
	mls_event_commit_prepared(g, base, next);
	trace_mls_commit(g, MLS_TRACE_COMMIT_PREPARE, base, next, 0);
	return 0;
}

int mls_ioc_commit_prepare(struct mls_ioctl_ctx *ctx, void *arg)
{
	struct mls_commit *a = arg;
	int ret = commit_stage(ctx, a, false);

	if (ret) {
		trace_mls_commit(ctx_group(ctx), MLS_TRACE_COMMIT_PREPARE,
				 a->context.epoch - 1, a->context.epoch, ret);
		return ret;
	}
	ctx->finish = prepare_finish;
	ctx->cancel = commit_cancel;
	ctx->finish_arg = ctx_group(ctx);
	return 0;
}

/* --- merge and discard -------------------------------------------------- */

/*
 * The pending commit that @a names, commit_lock held; a pending commit
 * past its timeout is discarded first, as the worker would have.
 */
static int pending_named(struct mls_group *g, const struct mls_commit_pending *a)
{
	struct mls_pending *p = g->pending;

	lockdep_assert_held(&g->commit_lock);
	if (READ_ONCE(g->dead))
		return -ENOENT;
	if (p && pending_expired(p)) {
		mls_commit_drop_pending(g, p->base, ETIMEDOUT);
		p = NULL;
	}
	if (!p)
		return g->has_timed_out && g->timed_out_epoch == a->epoch ?
		       -ETIMEDOUT : -ENOENT;
	if (p->in_call)
		return -EBUSY;
	return p->epoch->epoch == a->epoch ? 0 : -ESTALE;
}

static int pending_op(struct mls_ioctl_ctx *ctx, void *arg, bool merge)
{
	struct mls_group *g = ctx_group(ctx);
	struct mls_commit_pending *a = arg;
	u64 start = 0, base = a->epoch - 1;
	int ret;

	if (a->flags || a->reserved0)
		return -EINVAL;
	if (mutex_lock_interruptible(&g->commit_lock))
		return -EINTR;
	ret = pending_named(g, a);
	if (!ret)
		base = g->pending->base;
	if (!ret && merge) {
		start = g->pending->start_ns;
		ret = merge_locked(g);
	} else if (!ret) {
		mls_commit_drop_pending(g, g->pending->base, ECANCELED);
	}
	mutex_unlock(&g->commit_lock);
	trace_mls_commit(g, merge ? MLS_TRACE_COMMIT_MERGE :
			 MLS_TRACE_COMMIT_DISCARD, base, a->epoch, ret);
	if (ret == -ESTALE || ret == -EBUSY)
		commit_conflict(g, ret);
	if (!ret && merge)
		mls_latency_record(MLS_OP_COMMIT_PENDING, start);
	return ret;
}

int mls_ioc_commit_merge(struct mls_ioctl_ctx *ctx, void *arg)
{
	return pending_op(ctx, arg, true);
}

int mls_ioc_commit_discard(struct mls_ioctl_ctx *ctx, void *arg)
{
	return pending_op(ctx, arg, false);
}

struct mls_epoch *mls_commit_pending_secret(struct mls_group *g,
					    enum mls_epoch_secret which,
					    u8 *out)
{
	struct mls_epoch *e = ERR_PTR(-ENOENT);
	struct mls_pending *p;

	if (mutex_lock_interruptible(&g->commit_lock))
		return ERR_PTR(-EINTR);
	p = g->pending;
	if (p && !p->in_call && !READ_ONCE(g->dead)) {
		e = p->epoch;
		/*
		 * No one joins a group's last epoch: its external_secret is
		 * never used, and goes at the merge (mls_epoch_end()).
		 */
		if (e->final && which == MLS_SECRET_EXTERNAL) {
			e = ERR_PTR(-EPIPE);
		} else if (e->live) {
			memcpy(out, mls_epoch_secret_ptr(e, which), g->suite->nh);
			mls_epoch_get(e);
		} else {
			e = ERR_PTR(-ENODATA);
		}
	}
	mutex_unlock(&g->commit_lock);
	return e;
}
