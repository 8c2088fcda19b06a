/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints: events/mls/ in tracefs, for perf, trace-cmd and bpftrace
 * (Documentation/admin-guide/monitoring.rst, "Tracepoints").
 *
 * As kTLS's trace.h logs record numbers and never keys, these carry
 * numbers only: kernel ids, epochs, leaves, generations, lengths, states
 * and errnos. No secret and no byte of a payload; of the MLS group_id,
 * only mls_group_created carries a prefix (it is public: every message
 * carries it in the clear), to tell a kernel id's group.
 *
 * Disabled, each call site is a static-key branch patched to a NOP. Every
 * TP_PROTO stays far below BPF's limit of 12 arguments.
 *
 * Copyright (C) 2026 The mls authors.
 */

#ifndef _MLS_TRACE_TYPES_H
#define _MLS_TRACE_TYPES_H

/**
 * enum mls_trace_commit_phase - which step of a commit mls_commit records
 * @MLS_TRACE_COMMIT_ONESHOT: MLS_IOC_COMMIT: the new epoch is computed and
 *	made current in one call
 * @MLS_TRACE_COMMIT_PREPARE: a two-phase commit computes the new epoch and
 *	keeps it staged; the group stays in the old one
 * @MLS_TRACE_COMMIT_MERGE: a staged epoch becomes the current one
 * @MLS_TRACE_COMMIT_DISCARD: a staged epoch is dropped on request
 * @MLS_TRACE_COMMIT_TIMEOUT: a staged epoch is dropped because it was
 *	neither merged nor discarded in time
 */
enum mls_trace_commit_phase {
	MLS_TRACE_COMMIT_ONESHOT,
	MLS_TRACE_COMMIT_PREPARE,
	MLS_TRACE_COMMIT_MERGE,
	MLS_TRACE_COMMIT_DISCARD,
	MLS_TRACE_COMMIT_TIMEOUT,
};

/* Bytes of the MLS group_id that mls_group_created records. */
#define MLS_TRACE_GROUP_ID_MAX	32
/* A leaf field when no leaf is known. */
#define MLS_TRACE_NO_LEAF	U32_MAX

#include "evbuf.h"

#include <linux/limits.h>
#include <linux/string.h>
#include <linux/uidgid.h>

/*
 * An endpoint's name as the trace events record it: @kind is enum
 * mls_endpoint_kind; a user endpoint is (@uid, @id) with @kid 0 and @leaf
 * MLS_TRACE_NO_LEAF; a module endpoint is (@kid, @leaf) with @uid 0 and
 * @id "", @leaf MLS_TRACE_NO_LEAF for a group's encrypt rate.
 */
static inline void mls_trace_endpoint(const struct mls_evbuf_key *k, u32 *kind,
				      u32 *uid, u32 *kid, u32 *leaf, char *id)
{
	bool user = k->kind == MLS_EVBUF_KIND_USER;

	*kind = k->kind;
	*uid = user ? from_kuid_munged(&init_user_ns, KUIDT_INIT(k->a)) : 0;
	*kid = user ? 0 : k->a;
	*leaf = k->kind == MLS_EVBUF_KIND_SENDER ? k->b : MLS_TRACE_NO_LEAF;
	memcpy(id, k->id, MLS_EVBUF_ID_SIZE);
	id[MLS_EVBUF_ID_SIZE - 1] = '\0';
}

#endif /* _MLS_TRACE_TYPES_H */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM mls

#if !defined(_MLS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MLS_TRACE_H

#include "epoch.h"
#include "group.h"
#include "protect.h"

#include <uapi/linux/mls.h>

#include <linux/minmax.h>
#include <linux/tracepoint.h>

TRACE_DEFINE_ENUM(MLS_TRACE_COMMIT_ONESHOT);
TRACE_DEFINE_ENUM(MLS_TRACE_COMMIT_PREPARE);
TRACE_DEFINE_ENUM(MLS_TRACE_COMMIT_MERGE);
TRACE_DEFINE_ENUM(MLS_TRACE_COMMIT_DISCARD);
TRACE_DEFINE_ENUM(MLS_TRACE_COMMIT_TIMEOUT);
TRACE_DEFINE_ENUM(MLS_CONTENT_APPLICATION);
TRACE_DEFINE_ENUM(MLS_CONTENT_PROPOSAL);
TRACE_DEFINE_ENUM(MLS_CONTENT_COMMIT);
TRACE_DEFINE_ENUM(MLS_ENDPOINT_USER);
TRACE_DEFINE_ENUM(MLS_ENDPOINT_SENDER);
TRACE_DEFINE_ENUM(MLS_ENDPOINT_ENCRYPT);

#define mls_show_content_type(t)					\
	__print_symbolic(t,						\
			 { MLS_CONTENT_APPLICATION, "application" },	\
			 { MLS_CONTENT_PROPOSAL, "proposal" },		\
			 { MLS_CONTENT_COMMIT, "commit" })

#define mls_show_commit_phase(p)					\
	__print_symbolic(p,						\
			 { MLS_TRACE_COMMIT_ONESHOT, "oneshot" },	\
			 { MLS_TRACE_COMMIT_PREPARE, "prepare" },	\
			 { MLS_TRACE_COMMIT_MERGE, "merge" },		\
			 { MLS_TRACE_COMMIT_DISCARD, "discard" },	\
			 { MLS_TRACE_COMMIT_TIMEOUT, "timeout" })

#define mls_show_endpoint_kind(k)					\
	__print_symbolic(k,						\
			 { MLS_ENDPOINT_USER, "user" },			\
			 { MLS_ENDPOINT_SENDER, "sender" },		\
			 { MLS_ENDPOINT_ENCRYPT, "encrypt" })

#define mls_show_breaker(s)						\
	__print_symbolic(s,						\
			 { MLS_EVBUF_CLOSED, "closed" },		\
			 { MLS_EVBUF_OPEN, "open" },			\
			 { MLS_EVBUF_HALF_OPEN, "half-open" },		\
			 { MLS_EVBUF_FORCED_OPEN, "forced-open" })

/* ------------------------------------------------------------ data path */

/*
 * Every MLS_IOC_ENCRYPT past its flag checks. @len: application data
 * bytes (before padding); @msg_len: the MLSMessage written. @epoch,
 * @generation and @msg_len are 0 when it failed (@err < 0).
 */
TRACE_EVENT(mls_encrypt,
	    TP_PROTO(const struct mls_group *g, const struct mls_encrypt *a,
		     int err),
	    TP_ARGS(g, a, err),
	    TP_STRUCT__entry(__field(u64, epoch)
			     __field(u32, kid)
			     __field(u32, leaf)
			     __field(u32, generation)
			     __field(u32, len)
			     __field(u32, msg_len)
			     __field(u8, content_type)
			     __field(int, err)),
	    TP_fast_assign(__entry->epoch = err ? 0 : a->epoch;
			   __entry->kid = g->id;
			   __entry->leaf = g->own_leaf;
			   __entry->generation = err ? 0 : a->generation;
			   __entry->len = a->content.len;
			   __entry->msg_len = err ? 0 : a->message.len;
			   __entry->content_type = a->content_type;
			   __entry->err = err;),
	    TP_printk("kid=%u epoch=%llu leaf=%u generation=%u type=%s len=%u msg_len=%u err=%d",
		      __entry->kid, __entry->epoch, __entry->leaf,
		      __entry->generation,
		      mls_show_content_type(__entry->content_type),
		      __entry->len, __entry->msg_len, __entry->err)
);

/*
 * Every MLS_IOC_DECRYPT whose message was read in. @epoch and @type come
 * from the message's header (0 if it could not be parsed); @leaf and
 * @generation from its sender data once that authenticated (else
 * MLS_TRACE_NO_LEAF and 0); @len: application data bytes delivered (0 on
 * failure); @msg_len: the MLSMessage's size.
 */
TRACE_EVENT(mls_decrypt,
	    TP_PROTO(const struct mls_group *g, const struct mls_msg_header *h,
		     const struct mls_received *r, size_t msg_len, int err),
	    TP_ARGS(g, h, r, msg_len, err),
	    TP_STRUCT__entry(__field(u64, epoch)
			     __field(u32, kid)
			     __field(u32, leaf)
			     __field(u32, generation)
			     __field(u32, len)
			     __field(u32, msg_len)
			     __field(u8, content_type)
			     __field(int, err)),
	    TP_fast_assign(__entry->epoch = h->epoch;
			   __entry->kid = g->id;
			   __entry->leaf = r->sender_known ? r->sender_leaf :
					   MLS_TRACE_NO_LEAF;
			   __entry->generation = r->sender_known ?
						 r->generation : 0;
			   __entry->len = err ? 0 : r->data_len;
			   __entry->msg_len = msg_len;
			   __entry->content_type = h->content_type;
			   __entry->err = err;),
	    TP_printk("kid=%u epoch=%llu leaf=%u generation=%u type=%s len=%u msg_len=%u err=%d",
		      __entry->kid, __entry->epoch, __entry->leaf,
		      __entry->generation,
		      mls_show_content_type(__entry->content_type),
		      __entry->len, __entry->msg_len, __entry->err)
);

/* --------------------------------------------------------- control path */

/*
 * One step of a commit (enum mls_trace_commit_phase): the group moves, or
 * would move, from @old_epoch to @new_epoch; @err is 0 or what the step
 * returned.
 */
TRACE_EVENT(mls_commit,
	    TP_PROTO(const struct mls_group *g,
		     enum mls_trace_commit_phase phase, u64 old_epoch,
		     u64 new_epoch, int err),
	    TP_ARGS(g, phase, old_epoch, new_epoch, err),
	    TP_STRUCT__entry(__field(u64, old_epoch)
			     __field(u64, new_epoch)
			     __field(u32, kid)
			     __field(u32, phase)
			     __field(int, err)),
	    TP_fast_assign(__entry->old_epoch = old_epoch;
			   __entry->new_epoch = new_epoch;
			   __entry->kid = g->id;
			   __entry->phase = phase;
			   __entry->err = err;),
	    TP_printk("kid=%u phase=%s old_epoch=%llu new_epoch=%llu err=%d",
		      __entry->kid, mls_show_commit_phase(__entry->phase),
		      __entry->old_epoch, __entry->new_epoch, __entry->err)
);

/*
 * A group was published (created, or joined: @joined) with its first
 * epoch @e (NULL if a destroy came first: epoch and leaf_count 0).
 * @group_id holds the first @group_id_shown bytes of the MLS group_id
 * (at most MLS_TRACE_GROUP_ID_MAX), @group_id_len its full length.
 */
TRACE_EVENT(mls_group_created,
	    TP_PROTO(const struct mls_group *g, const struct mls_epoch *e,
		     bool joined),
	    TP_ARGS(g, e, joined),
	    TP_STRUCT__entry(__field(u64, epoch)
			     __field(u32, kid)
			     __field(u32, own_leaf)
			     __field(u32, leaf_count)
			     __field(u16, suite)
			     __field(u16, group_id_len)
			     __field(u8, group_id_shown)
			     __field(bool, joined)
			     __array(u8, group_id, MLS_TRACE_GROUP_ID_MAX)),
	    TP_fast_assign(__entry->epoch = e ? e->epoch : 0;
			   __entry->kid = g->id;
			   __entry->own_leaf = g->own_leaf;
			   __entry->leaf_count = e ? e->leaf_count : 0;
			   __entry->suite = g->suite->id;
			   __entry->group_id_len = g->group_id_len;
			   __entry->group_id_shown =
				min_t(u16, g->group_id_len,
				      MLS_TRACE_GROUP_ID_MAX);
			   __entry->joined = joined;
			   memset(__entry->group_id, 0, MLS_TRACE_GROUP_ID_MAX);
			   memcpy(__entry->group_id, g->group_id,
				  __entry->group_id_shown);),
	    TP_printk("kid=%u joined=%d suite=%u epoch=%llu own_leaf=%u leaf_count=%u group_id_len=%u group_id=%s",
		      __entry->kid, __entry->joined, __entry->suite,
		      __entry->epoch, __entry->own_leaf, __entry->leaf_count,
		      __entry->group_id_len,
		      __print_hex_str(__entry->group_id,
				      __entry->group_id_shown))
);

DECLARE_EVENT_CLASS(mls_group_epoch,
		    TP_PROTO(const struct mls_group *g, u64 epoch),
		    TP_ARGS(g, epoch),
		    TP_STRUCT__entry(__field(u64, epoch)
				     __field(u32, kid)),
		    TP_fast_assign(__entry->epoch = epoch;
				   __entry->kid = g->id;),
		    TP_printk("kid=%u epoch=%llu", __entry->kid, __entry->epoch)
);

/* A group was destroyed; @epoch was its current epoch. */
DEFINE_EVENT(mls_group_epoch, mls_group_destroyed,
	     TP_PROTO(const struct mls_group *g, u64 epoch),
	     TP_ARGS(g, epoch)
);

/*
 * A group ended: a Commit with MLS_COMMIT_F_FINAL (a ReInit) was merged,
 * and @epoch, now current, is its last.
 */
DEFINE_EVENT(mls_group_epoch, mls_group_ended,
	     TP_PROTO(const struct mls_group *g, u64 epoch),
	     TP_ARGS(g, epoch)
);

/* Retention erased past epoch @epoch of a group (count or age). */
DEFINE_EVENT(mls_group_epoch, mls_epoch_expired,
	     TP_PROTO(const struct mls_group *g, u64 epoch),
	     TP_ARGS(g, epoch)
);

/*
 * The event buffer's endpoints (mls_trace_endpoint() fills the first five
 * fields of each).
 */

/* A record on an endpoint was refused by its rate. */
TRACE_EVENT(mls_throttled,
	    TP_PROTO(const struct mls_evbuf_key *k),
	    TP_ARGS(k),
	    TP_STRUCT__entry(__field(u32, kind)
			     __field(u32, uid)
			     __field(u32, kid)
			     __field(u32, leaf)
			     __array(char, id, MLS_EVBUF_ID_SIZE)),
	    TP_fast_assign(mls_trace_endpoint(k, &__entry->kind, &__entry->uid,
					      &__entry->kid, &__entry->leaf,
					      __entry->id);),
	    TP_printk("kind=%s uid=%u id=%s kid=%u leaf=%u",
		      mls_show_endpoint_kind(__entry->kind), __entry->uid,
		      __entry->id, __entry->kid, __entry->leaf)
);

/* An endpoint's circuit breaker went from @old to @new (MLS_EVBUF_CLOSED...). */
TRACE_EVENT(mls_breaker_changed,
	    TP_PROTO(const struct mls_evbuf_key *k, u32 old, u32 new),
	    TP_ARGS(k, old, new),
	    TP_STRUCT__entry(__field(u32, kind)
			     __field(u32, uid)
			     __field(u32, kid)
			     __field(u32, leaf)
			     __array(char, id, MLS_EVBUF_ID_SIZE)
			     __field(u32, old_state)
			     __field(u32, new_state)),
	    TP_fast_assign(mls_trace_endpoint(k, &__entry->kind, &__entry->uid,
					      &__entry->kid, &__entry->leaf,
					      __entry->id);
			   __entry->old_state = old;
			   __entry->new_state = new;),
	    TP_printk("kind=%s uid=%u id=%s kid=%u leaf=%u old=%s new=%s",
		      mls_show_endpoint_kind(__entry->kind), __entry->uid,
		      __entry->id, __entry->kid, __entry->leaf,
		      mls_show_breaker(__entry->old_state),
		      mls_show_breaker(__entry->new_state))
);

/* A record's payload failed its check with -@err (EMSGSIZE, EBADMSG). */
TRACE_EVENT(mls_payload_rejected,
	    TP_PROTO(const struct mls_evbuf_key *k, u32 err),
	    TP_ARGS(k, err),
	    TP_STRUCT__entry(__field(u32, kind)
			     __field(u32, uid)
			     __field(u32, kid)
			     __field(u32, leaf)
			     __array(char, id, MLS_EVBUF_ID_SIZE)
			     __field(int, err)),
	    TP_fast_assign(mls_trace_endpoint(k, &__entry->kind, &__entry->uid,
					      &__entry->kid, &__entry->leaf,
					      __entry->id);
			   __entry->err = -(int)err;),
	    TP_printk("kind=%s uid=%u id=%s kid=%u leaf=%u err=%d",
		      mls_show_endpoint_kind(__entry->kind), __entry->uid,
		      __entry->id, __entry->kid, __entry->leaf, __entry->err)
);

#endif /* _MLS_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I (see Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

#include <trace/define_trace.h>
