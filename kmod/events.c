// SPDX-License-Identifier: GPL-2.0
/*
 * The events of the generic netlink multicast group "events": one
 * function per event, called by the code where the thing happens. The
 * attributes of each are the contract of uapi/linux/mls.h ("Generic
 * netlink family"); none is a secret: kernel ids, the MLS group_id,
 * epoch numbers, leaf indexes, counts, states, endpoint names and errnos.
 *
 * The control path's tracepoints (trace.h) fire here too, first, whether
 * or not anybody listens on netlink: one place per event for both.
 *
 * Context: any (see events.h). Nothing is built while nobody listens:
 * each function first asks mls_nl_listening(), a bit test. Messages are
 * GFP_ATOMIC; a message that cannot be built sets -ENOBUFS on every
 * listener (mls_nl_event_lost()), which then knows to dump.
 *
 * Order: one caller's events go out in the order it sends them, so the
 * MLS_CMD_MEMBER_* of a commit follow its MLS_CMD_EPOCH_CHANGED, in leaf
 * order. Events of concurrent callers are not ordered between them.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "epoch.h"
#include "evbuf.h"
#include "events.h"
#include "group.h"
#include "netlink.h"
#include "trace.h"

#include <uapi/linux/mls.h>

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/minmax.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>

/* KID and GROUP_ID, carried by every group event. */
#define MLS_EV_GROUP_REF	(nla_total_size(sizeof(u32)) + \
				 nla_total_size(MLS_MAX_GROUP_ID_LEN))
#define MLS_EV_U32		nla_total_size(sizeof(u32))
#define MLS_EV_U64		nla_total_size_64bit(sizeof(u64))

/*
 * A commit or an expiry that raced with the group's destroy: its
 * MLS_CMD_GROUP_DESTROYED (sent, or about to be) has the last epoch.
 * Narrows the race to a few instructions; see "Order" in events.rst.
 */
static bool mls_ev_dead(const struct mls_group *g)
{
	return READ_ONCE(g->dead);
}

/* A group event with the group's reference put; NULL if none is built. */
static void *mls_ev_group_start(struct sk_buff **skb, u8 cmd,
				const struct mls_group *g, size_t more)
{
	void *hdr = mls_nl_event_new(skb, MLS_EV_GROUP_REF + more, cmd);

	if (hdr && mls_nl_put_group_ref(*skb, g)) {
		nlmsg_free(*skb);
		hdr = NULL;
	}
	if (!hdr)
		mls_nl_event_lost();
	return hdr;
}

static void mls_ev_fail(struct sk_buff *skb)
{
	nlmsg_free(skb);
	mls_nl_event_lost();
}

/* mls_group_created, with the group's first epoch (a destroy may be first). */
static void mls_trace_group_new(struct mls_group *g, bool joined)
{
	struct mls_epoch *e;

	if (!trace_mls_group_created_enabled())
		return;
	e = mls_group_current(g);
	trace_mls_group_created(g, IS_ERR(e) ? NULL : e, joined);
	if (!IS_ERR(e))
		mls_epoch_put(e);
}

void mls_event_group_new(struct mls_group *g, bool joined)
{
	struct sk_buff *skb;
	void *hdr;

	mls_trace_group_new(g, joined);
	if (!mls_nl_listening())
		return;
	hdr = mls_nl_event_new(&skb, mls_nl_group_size(false),
			       joined ? MLS_CMD_GROUP_JOINED : MLS_CMD_GROUP_CREATED);
	if (!hdr) {
		mls_nl_event_lost();
		return;
	}
	/* -ENOENT: destroyed already; its MLS_CMD_GROUP_DESTROYED says so. */
	switch (mls_nl_put_group(skb, g, &init_user_ns, false)) {
	case 0:
		mls_nl_event_send(skb, hdr);
		break;
	case -ENOENT:
		nlmsg_free(skb);
		break;
	default:
		mls_ev_fail(skb);
	}
}

/* A group event whose only attribute besides the group is MLS_A_EPOCH. */
static void mls_ev_group_epoch(struct mls_group *g, u8 cmd, u64 epoch)
{
	struct sk_buff *skb;
	void *hdr;

	if (!mls_nl_listening())
		return;
	hdr = mls_ev_group_start(&skb, cmd, g, MLS_EV_U64);
	if (!hdr)
		return;
	if (nla_put_u64_64bit(skb, MLS_A_EPOCH, epoch, MLS_A_PAD))
		mls_ev_fail(skb);
	else
		mls_nl_event_send(skb, hdr);
}

void mls_event_group_destroyed(struct mls_group *g, u64 epoch)
{
	trace_mls_group_destroyed(g, epoch);
	mls_ev_group_epoch(g, MLS_CMD_GROUP_DESTROYED, epoch);
}

void mls_event_group_ended(struct mls_group *g, u64 epoch)
{
	trace_mls_group_ended(g, epoch);
	if (mls_ev_dead(g))
		return;
	mls_ev_group_epoch(g, MLS_CMD_GROUP_ENDED, epoch);
}

void mls_event_epoch_changed(struct mls_group *g, const struct mls_epoch *old,
			     const struct mls_epoch *new)
{
	struct sk_buff *skb;
	void *hdr;

	if (!mls_nl_listening() || mls_ev_dead(g))
		return;
	hdr = mls_ev_group_start(&skb, MLS_CMD_EPOCH_CHANGED, g,
				 2 * MLS_EV_U64 + 2 * MLS_EV_U32);
	if (!hdr)
		return;
	if (nla_put_u64_64bit(skb, MLS_A_OLD_EPOCH, old->epoch, MLS_A_PAD) ||
	    nla_put_u64_64bit(skb, MLS_A_EPOCH, new->epoch, MLS_A_PAD) ||
	    nla_put_u32(skb, MLS_A_LEAF_COUNT, new->leaf_count) ||
	    nla_put_u32(skb, MLS_A_MEMBERS, mls_epoch_members(new)))
		mls_ev_fail(skb);
	else
		mls_nl_event_send(skb, hdr);
}

static bool mls_ev_occupied(const struct mls_epoch *e, u32 leaf)
{
	return leaf < e->leaf_count && test_bit(leaf, e->occupied);
}

void mls_event_members(struct mls_group *g, const struct mls_epoch *old,
		       const struct mls_epoch *new)
{
	u32 n = max(old->leaf_count, new->leaf_count), leaf;
	struct sk_buff *skb;
	bool now;
	void *hdr;

	/*
	 * Every commit comes here: with no listener, or the same roster,
	 * return before walking every leaf of the group.
	 */
	if (!mls_nl_listening() || mls_ev_dead(g))
		return;
	if (old->leaf_count == new->leaf_count &&
	    bitmap_equal(old->occupied, new->occupied, n))
		return;
	for (leaf = 0; leaf < n; leaf++) {
		now = mls_ev_occupied(new, leaf);
		if (now == mls_ev_occupied(old, leaf))
			continue;
		/* Asked at each: a listener may come or go in a long roster. */
		if (!mls_nl_listening() || mls_ev_dead(g))
			return;
		hdr = mls_ev_group_start(&skb, now ? MLS_CMD_MEMBER_ADDED :
					 MLS_CMD_MEMBER_REMOVED, g,
					 MLS_EV_U64 + MLS_EV_U32);
		if (!hdr)
			return;
		if (nla_put_u64_64bit(skb, MLS_A_EPOCH, new->epoch, MLS_A_PAD) ||
		    nla_put_u32(skb, MLS_A_LEAF, leaf)) {
			mls_ev_fail(skb);
			return;
		}
		mls_nl_event_send(skb, hdr);
	}
}

void mls_event_epoch_expired(struct mls_group *g, u64 epoch)
{
	trace_mls_epoch_expired(g, epoch);
	if (!mls_ev_dead(g))
		mls_ev_group_epoch(g, MLS_CMD_EPOCH_EXPIRED, epoch);
}

void mls_event_reserve_low(struct mls_group *g, u64 epoch)
{
	if (!mls_ev_dead(g))
		mls_ev_group_epoch(g, MLS_CMD_RESERVE_LOW, epoch);
}

void mls_event_commit_conflict(struct mls_group *g, u32 err)
{
	struct mls_epoch *cur;
	struct sk_buff *skb;
	u64 epoch;
	void *hdr;

	if (!mls_nl_listening())
		return;
	/* The commit that won may have moved it on already: read it now. */
	cur = mls_group_current(g);
	if (IS_ERR(cur))
		return;
	epoch = cur->epoch;
	mls_epoch_put(cur);

	hdr = mls_ev_group_start(&skb, MLS_CMD_COMMIT_CONFLICT, g,
				 MLS_EV_U64 + MLS_EV_U32);
	if (!hdr)
		return;
	if (nla_put_u64_64bit(skb, MLS_A_EPOCH, epoch, MLS_A_PAD) ||
	    nla_put_u32(skb, MLS_A_ERROR, err))
		mls_ev_fail(skb);
	else
		mls_nl_event_send(skb, hdr);
}

static void commit_event(struct mls_group *g, u8 cmd, u64 cur_epoch,
			 u64 pending, u32 err)
{
	struct sk_buff *skb;
	void *hdr;

	if (!mls_nl_listening())
		return;
	hdr = mls_ev_group_start(&skb, cmd, g,
				 2 * MLS_EV_U64 + (err ? MLS_EV_U32 : 0));
	if (!hdr)
		return;
	if (nla_put_u64_64bit(skb, MLS_A_EPOCH, cur_epoch, MLS_A_PAD) ||
	    nla_put_u64_64bit(skb, MLS_A_PENDING_EPOCH, pending, MLS_A_PAD) ||
	    (err && nla_put_u32(skb, MLS_A_ERROR, err)))
		mls_ev_fail(skb);
	else
		mls_nl_event_send(skb, hdr);
}

void mls_event_commit_prepared(struct mls_group *g, u64 cur_epoch, u64 pending)
{
	commit_event(g, MLS_CMD_COMMIT_PREPARED, cur_epoch, pending, 0);
}

void mls_event_commit_discarded(struct mls_group *g, u64 cur_epoch, u64 pending,
				u32 err)
{
	commit_event(g, MLS_CMD_COMMIT_DISCARDED, cur_epoch, pending, err);
}

/* ------------------------------------------------------------- endpoints */

#define MLS_EV_ENDPOINT		(3 * MLS_EV_U32 + nla_total_size(MLS_EVBUF_ID_SIZE))

static int mls_ev_put_endpoint(struct sk_buff *skb, const struct mls_evbuf_key *k)
{
	switch (k->kind) {
	case MLS_EVBUF_KIND_USER:
		/* Events go to the initial namespace: its uid. */
		if (nla_put_u32(skb, MLS_A_ENDPOINT_KIND, MLS_ENDPOINT_USER) ||
		    nla_put_u32(skb, MLS_A_ENDPOINT_UID,
				from_kuid_munged(&init_user_ns, KUIDT_INIT(k->a))) ||
		    nla_put_string(skb, MLS_A_ENDPOINT_ID, k->id))
			return -EMSGSIZE;
		return 0;
	case MLS_EVBUF_KIND_SENDER:
		if (nla_put_u32(skb, MLS_A_ENDPOINT_KIND, MLS_ENDPOINT_SENDER) ||
		    nla_put_u32(skb, MLS_A_GROUP_KID, k->a) ||
		    nla_put_u32(skb, MLS_A_LEAF, k->b))
			return -EMSGSIZE;
		return 0;
	case MLS_EVBUF_KIND_ENCRYPT:
		if (nla_put_u32(skb, MLS_A_ENDPOINT_KIND, MLS_ENDPOINT_ENCRYPT) ||
		    nla_put_u32(skb, MLS_A_GROUP_KID, k->a))
			return -EMSGSIZE;
		return 0;
	}
	return -EINVAL;
}

/* An endpoint event: the endpoint, then @n (attribute, u32 value) pairs. */
static void mls_ev_endpoint(u8 cmd, const struct mls_evbuf_key *k,
			    const u32 (*attrs)[2], unsigned int n)
{
	struct sk_buff *skb;
	unsigned int i;
	void *hdr;

	if (!mls_nl_listening())
		return;
	hdr = mls_nl_event_new(&skb, MLS_EV_ENDPOINT + n * MLS_EV_U32, cmd);
	if (!hdr) {
		mls_nl_event_lost();
		return;
	}
	if (mls_ev_put_endpoint(skb, k))
		goto fail;
	for (i = 0; i < n; i++)
		if (nla_put_u32(skb, attrs[i][0], attrs[i][1]))
			goto fail;
	mls_nl_event_send(skb, hdr);
	return;
fail:
	mls_ev_fail(skb);
}

void mls_event_throttled(const struct mls_evbuf_key *key)
{
	trace_mls_throttled(key);
	mls_ev_endpoint(MLS_CMD_ENDPOINT_THROTTLED, key, NULL, 0);
}

void mls_event_breaker_changed(const struct mls_evbuf_key *key, u32 old,
			       u32 new)
{
	const u32 attrs[][2] = {
		{ MLS_A_OLD_STATE, old },
		{ MLS_A_BREAKER_STATE, new },
	};

	trace_mls_breaker_changed(key, old, new);
	mls_ev_endpoint(MLS_CMD_BREAKER_CHANGED, key, attrs, ARRAY_SIZE(attrs));
}

void mls_event_payload_rejected(const struct mls_evbuf_key *key, u32 err)
{
	const u32 attrs[][2] = { { MLS_A_ERROR, err } };

	trace_mls_payload_rejected(key, err);
	mls_ev_endpoint(MLS_CMD_PAYLOAD_REJECTED, key, attrs, ARRAY_SIZE(attrs));
}

/* --------------------------------------------------- shutdown, resume */

/* An event with no attribute. */
static void mls_ev_bare(u8 cmd)
{
	struct sk_buff *skb;
	void *hdr;

	if (!mls_nl_listening())
		return;
	hdr = mls_nl_event_new(&skb, 0, cmd);
	if (!hdr) {
		mls_nl_event_lost();
		return;
	}
	mls_nl_event_send(skb, hdr);
}

void mls_event_shutdown(void)
{
	mls_ev_bare(MLS_CMD_SHUTDOWN);
}

void mls_event_resume(void)
{
	mls_ev_bare(MLS_CMD_RESUME);
}
