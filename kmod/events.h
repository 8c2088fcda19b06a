/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events: one notification on the generic netlink multicast group "events"
 * per thing that happens (uapi/linux/mls.h, "Generic netlink family").
 *
 * Every function below may be called from a context that may not sleep
 * (the event buffer's hooks run under rcu_read_lock()): messages are
 * allocated with GFP_ATOMIC. mls_event_group_new() and
 * mls_event_commit_conflict() take g->lock: never call them with it held.
 * None builds anything while nobody listens.
 *
 * An event that cannot be built (no memory) is not dropped silently: every
 * listener gets -ENOBUFS, as when it falls behind, and rebuilds its view
 * from a dump.

 *
 * The group, expiry and endpoint functions also fire their tracepoint
 * (trace.h: mls_group_created, mls_group_destroyed, mls_epoch_expired,
 * mls_throttled, mls_breaker_changed, mls_payload_rejected), listener or
 * not.
 */
#ifndef _MLS_EVENTS_H
#define _MLS_EVENTS_H

#include <linux/types.h>

struct mls_epoch;
struct mls_evbuf_key;
struct mls_group;

/* MLS_CMD_GROUP_CREATED or _JOINED: @g was just published. */
void mls_event_group_new(struct mls_group *g, bool joined);
/* MLS_CMD_GROUP_DESTROYED: @epoch was its current epoch. */
void mls_event_group_destroyed(struct mls_group *g, u64 epoch);
/* MLS_CMD_GROUP_ENDED: @g's last epoch @epoch was merged. */
void mls_event_group_ended(struct mls_group *g, u64 epoch);
/* MLS_CMD_EPOCH_CHANGED: @g moved from @old to @new (both referenced). */
void mls_event_epoch_changed(struct mls_group *g, const struct mls_epoch *old,
			     const struct mls_epoch *new);
/*
 * MLS_CMD_MEMBER_ADDED / _REMOVED: one per leaf whose occupancy differs
 * between @old and @new, in leaf order. After mls_event_epoch_changed().
 */
void mls_event_members(struct mls_group *g, const struct mls_epoch *old,
		       const struct mls_epoch *new);
/* MLS_CMD_EPOCH_EXPIRED: retention erased past epoch @epoch of @g. */
void mls_event_epoch_expired(struct mls_group *g, u64 epoch);
/* MLS_CMD_COMMIT_CONFLICT: a commit of @g failed with -@err (EBUSY, ESTALE). */
void mls_event_commit_conflict(struct mls_group *g, u32 err);
/* MLS_CMD_COMMIT_PREPARED: @pending was staged on top of @cur_epoch. */
void mls_event_commit_prepared(struct mls_group *g, u64 cur_epoch, u64 pending);
/*
 * MLS_CMD_COMMIT_DISCARDED: the pending epoch @pending, staged on top of
 * @cur_epoch, was erased, for -@err (ECANCELED, ETIMEDOUT, ENOENT).
 */
void mls_event_commit_discarded(struct mls_group *g, u64 cur_epoch, u64 pending,
				u32 err);

/* MLS_CMD_RESERVE_LOW: persistent @g used half its reservation in @epoch. */
void mls_event_reserve_low(struct mls_group *g, u64 epoch);

/* MLS_CMD_ENDPOINT_THROTTLED: a record on @key was refused by its rate. */
void mls_event_throttled(const struct mls_evbuf_key *key);
/* MLS_CMD_BREAKER_CHANGED: @key's circuit went from @old to @new. */
void mls_event_breaker_changed(const struct mls_evbuf_key *key, u32 old,
			       u32 new);
/* MLS_CMD_PAYLOAD_REJECTED: a payload for @key failed its check with -@err. */
void mls_event_payload_rejected(const struct mls_evbuf_key *key, u32 err);

#endif /* _MLS_EVENTS_H */
