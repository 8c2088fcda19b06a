// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "mls": the version query, the groups' metadata
 * (do and dump) and the "events" multicast group, whose messages
 * events.c builds. Spec: Documentation/netlink/specs/mls.yaml; the
 * contract is the uapi header's "Generic netlink family" section.
 *
 * Requests are validated strictly, each command against a policy of its
 * own: an attribute it does not take is NLA_REJECT with a message, one
 * past MLS_A_MAX is unknown, a wrong length or a kernel id of 0 fails the
 * policy; each rejection carries an extended ACK message. The family has
 * no resv_start_op: the core also checks the genetlink header's reserved
 * field and the netlink flags of every command.
 *
 * Who sees which group (do and dump): mls_group_may_see(), the rule
 * MLS_IOC_GROUP_LIST follows too. A group the caller may not see is
 * absent (-ENOENT). The
 * dump decides with the credentials the requester had when it asked
 * (.start runs in its context; later parts of the dump run in whichever
 * task reads the socket).
 *
 * Joining "events" needs CAP_NET_ADMIN in the socket's network namespace
 * (GENL_MCAST_CAP_NET_ADMIN, checked by genl_bind()); the family is not
 * netnsok, so that is the initial namespace, where the events go.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "drain.h"
#include "epoch.h"
#include "group.h"
#include "netlink.h"
#include "recv_save.h"
#include "secret_tree.h"
#include "snapshot.h"
#include "stats.h"
#include "version.h"

#include <uapi/linux/mls.h>

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

/*
 * Debian's 6.1 has the multicast group flags (a backport of 6.7's
 * "genetlink: add CAP_NET_ADMIN test for multicast bind"); without them
 * any user could join "events", which the contract forbids.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "this kernel's genetlink cannot restrict a multicast group to CAP_NET_ADMIN"
#endif

#define MLS_NL_REJECT(msg)	{ .type = NLA_REJECT, .reject_message = (msg) }

static struct genl_family mls_genl_family;

/* Set once registered; cleared, and an RCU grace period waited, before unregistering. */
static bool mls_nl_registered;

/* --------------------------------------------------------------- policies */

/* MLS_CMD_GET_VERSION takes no attribute. */
static const struct nla_policy mls_nl_version_policy[MLS_A_MAX + 1] = {
	[MLS_A_API_VERSION ... MLS_A_MAX] =
		MLS_NL_REJECT("MLS_CMD_GET_VERSION takes no attribute"),
};

/*
 * MLS_CMD_GET_GROUP: do takes MLS_A_GROUP_KID (a kernel id is never 0);
 * dump takes nothing (checked by the dump: one policy serves both).
 */
static const struct nla_policy mls_nl_get_group_policy[MLS_A_MAX + 1] = {
	[MLS_A_API_VERSION ... MLS_A_PAD] =
		MLS_NL_REJECT("MLS_CMD_GET_GROUP takes only MLS_A_GROUP_KID"),
	[MLS_A_GROUP_KID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MLS_A_GROUP_ID ... MLS_A_MAX] =
		MLS_NL_REJECT("MLS_CMD_GET_GROUP takes only MLS_A_GROUP_KID"),
};

/* -------------------------------------------------------------- a group */

size_t mls_nl_group_size(bool stats)
{
	size_t n = nla_total_size(sizeof(u32))			/* GROUP_KID */
		 + nla_total_size(MLS_MAX_GROUP_ID_LEN)		/* GROUP_ID */
		 + nla_total_size(sizeof(u16))			/* SUITE */
		 + 2 * nla_total_size_64bit(sizeof(u64))	/* EPOCH, OLDEST_EPOCH */
		 + 7 * nla_total_size(sizeof(u32));		/* OWN_LEAF ... GROUP_FLAGS */

	if (stats)
		n += nla_total_size(0) +
		     (MLS_STATS_A_MAX - MLS_STATS_A_PAD) * nla_total_size_64bit(sizeof(u64)) +
		     nla_total_size(0) + 2 * nla_total_size(sizeof(u8)) +
		     6 * nla_total_size_64bit(sizeof(u64)) +	/* RESERVE */
		     2 * nla_total_size(sizeof(u32)) +		/* RECV_SAVE, _FLAGS */
		     nla_total_size_64bit(sizeof(u64));		/* RECV_UNSAVED */
	return n;
}

int mls_nl_put_group_ref(struct sk_buff *msg, const struct mls_group *g)
{
	if (nla_put_u32(msg, MLS_A_GROUP_KID, g->id) ||
	    nla_put(msg, MLS_A_GROUP_ID, g->group_id_len, g->group_id))
		return -EMSGSIZE;
	return 0;
}

static int mls_nl_put_stats(struct sk_buff *msg, const struct mls_group *g)
{
	struct mls_group_counters c;
	struct nlattr *nest;

	mls_group_counters_read(g, &c);
	nest = nla_nest_start(msg, MLS_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, MLS_STATS_A_MESSAGES_ENCRYPTED,
			      c.messages_encrypted, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_MESSAGES_DECRYPTED,
			      c.messages_decrypted, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_BYTES_ENCRYPTED,
			      c.bytes_encrypted, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_BYTES_DECRYPTED,
			      c.bytes_decrypted, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_AUTH_FAILURES,
			      c.auth_failures, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_REPLAYS,
			      c.replays, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_EPOCHS_ROTATED,
			      c.epochs_rotated, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_COMMITS_PREPARED,
			      c.commits_prepared, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_COMMITS_MERGED,
			      c.commits_merged, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_COMMITS_DISCARDED,
			      c.commits_discarded, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_COMMITS_TIMED_OUT,
			      c.commits_timed_out, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_COMMIT_CONFLICTS,
			      c.commit_conflicts, MLS_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_STATS_A_TAG_FAILURES,
			      c.tag_failures, MLS_STATS_A_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* A persistent group's send reservation (sleeps: the tree's mutex). */
static int mls_nl_put_reserve(struct sk_buff *msg, struct mls_group *g)
{
	struct mls_reserve_info ri;
	struct nlattr *nest;
	int ret;

	ret = mls_group_reserve_info(g, &ri);
	if (ret)
		return ret == -ENODATA ? 0 : ret;
	nest = nla_nest_start(msg, MLS_A_RESERVE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, MLS_RESERVE_A_EPOCH, ri.epoch,
			      MLS_RESERVE_A_PAD) ||
	    nla_put_u8(msg, MLS_RESERVE_A_SAVED, ri.saved) ||
	    nla_put_u64_64bit(msg, MLS_RESERVE_A_SAVED_SEQ, ri.saved_seq,
			      MLS_RESERVE_A_PAD) ||
	    nla_put_u8(msg, MLS_RESERVE_A_LOW, ri.low) ||
	    nla_put_u64_64bit(msg, MLS_RESERVE_A_HANDSHAKE_NEXT,
			      ri.next[MLS_RATCHET_HANDSHAKE], MLS_RESERVE_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_RESERVE_A_HANDSHAKE_LIMIT,
			      ri.limit[MLS_RATCHET_HANDSHAKE], MLS_RESERVE_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_RESERVE_A_APPLICATION_NEXT,
			      ri.next[MLS_RATCHET_APPLICATION], MLS_RESERVE_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_RESERVE_A_APPLICATION_LIMIT,
			      ri.limit[MLS_RATCHET_APPLICATION], MLS_RESERVE_A_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The receive-save policy and its count, as MLS_IOC_GROUP_INFO has them. */
static int mls_nl_put_recv_save(struct sk_buff *msg, struct mls_group *g)
{
	u32 flags, n = mls_recv_save_get(g, &flags);
	u64 unsaved = (g->flags & MLS_GROUP_F_PERSISTENT) ?
		      mls_recv_save_unsaved(g) : 0;

	if (nla_put_u32(msg, MLS_A_RECV_SAVE, n) ||
	    nla_put_u32(msg, MLS_A_RECV_SAVE_FLAGS, flags) ||
	    nla_put_u64_64bit(msg, MLS_A_RECV_UNSAVED, unsaved, MLS_A_PAD))
		return -EMSGSIZE;
	return 0;
}

int mls_nl_put_group(struct sk_buff *msg, struct mls_group *g,
		     struct user_namespace *ns, bool stats)
{
	struct mls_epoch *cur;
	u64 epoch, oldest_epoch;
	u32 leaf_count, members;

	cur = mls_group_current_oldest(g, &oldest_epoch);
	if (IS_ERR(cur))
		return PTR_ERR(cur);
	epoch = cur->epoch;
	leaf_count = cur->leaf_count;
	members = mls_epoch_members(cur);
	mls_epoch_put(cur);

	if (mls_nl_put_group_ref(msg, g) ||
	    nla_put_u16(msg, MLS_A_SUITE, g->suite->id) ||
	    nla_put_u64_64bit(msg, MLS_A_EPOCH, epoch, MLS_A_PAD) ||
	    nla_put_u64_64bit(msg, MLS_A_OLDEST_EPOCH, oldest_epoch, MLS_A_PAD) ||
	    nla_put_u32(msg, MLS_A_OWN_LEAF, g->own_leaf) ||
	    nla_put_u32(msg, MLS_A_LEAF_COUNT, leaf_count) ||
	    nla_put_u32(msg, MLS_A_MEMBERS, members) ||
	    nla_put_u32(msg, MLS_A_STATE, mls_drain_group_state(g)) ||
	    nla_put_u32(msg, MLS_A_OWNER_UID, from_kuid_munged(ns, g->owner)) ||
	    nla_put_u32(msg, MLS_A_MODE, g->mode) ||
	    nla_put_u32(msg, MLS_A_GROUP_FLAGS, g->flags))
		return -EMSGSIZE;
	if (!stats)
		return 0;
	return mls_nl_put_stats(msg, g) ?: mls_nl_put_reserve(msg, g) ?:
	       mls_nl_put_recv_save(msg, g);
}

/* ------------------------------------------------------------- requests */

static int mls_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)) +
			  nla_total_size(sizeof(MLS_MODULE_VERSION)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mls_genl_family, 0,
				MLS_CMD_GET_VERSION);
	if (!hdr)
		goto nospace;
	if (nla_put_u32(msg, MLS_A_API_VERSION, MLS_API_VERSION) ||
	    nla_put_string(msg, MLS_A_MODULE_VERSION, MLS_MODULE_VERSION))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int mls_nl_get_group_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *kid = info->attrs[MLS_A_GROUP_KID];
	struct mls_group *g;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, MLS_A_GROUP_KID)) {
		NL_SET_ERR_MSG(info->extack, "MLS_A_GROUP_KID is required");
		return -EINVAL;
	}
	g = mls_group_lookup(nla_get_u32(kid));
	if (g && !mls_group_may_see(g, current_cred(),
				    netlink_capable(skb, CAP_NET_ADMIN))) {
		mls_group_put(g);
		g = NULL;
	}
	if (!g) {
		NL_SET_ERR_MSG_ATTR(info->extack, kid, "no such group");
		return -ENOENT;
	}
	/* OLDEST_EPOCH: what retention still keeps now. */
	mls_group_prune(g);

	ret = -ENOMEM;
	msg = genlmsg_new(mls_nl_group_size(true), GFP_KERNEL);
	if (!msg)
		goto out;
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &mls_genl_family, 0,
				MLS_CMD_GET_GROUP);
	if (hdr)
		ret = mls_nl_put_group(msg, g, current_user_ns(), true);
	if (ret) {
		nlmsg_free(msg);
		if (ret == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, kid, "no such group");
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	mls_group_put(g);
	return ret;
}

/* The dump's state, in cb->ctx. */
struct mls_nl_dump {
	const struct cred *cred;	/* the requester's */
	unsigned long next_id;		/* resume from this kernel id */
	bool admin;			/* the requester has CAP_NET_ADMIN */
	bool checked;			/* the request was checked */
};

static struct mls_nl_dump *mls_nl_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct mls_nl_dump) > sizeof(cb->ctx));
	return (struct mls_nl_dump *)cb->ctx;
}

/* In the requester's context (netlink_dump_start() from its sendmsg()). */
static int mls_nl_get_group_start(struct netlink_callback *cb)
{
	struct mls_nl_dump *d = mls_nl_dump_ctx(cb);

	d->cred = get_current_cred();
	d->admin = netlink_capable(cb->skb, CAP_NET_ADMIN);
	d->next_id = 0;
	d->checked = false;
	return 0;
}

static int mls_nl_get_group_done(struct netlink_callback *cb)
{
	struct mls_nl_dump *d = mls_nl_dump_ctx(cb);

	put_cred(d->cred);
	d->cred = NULL;
	return 0;
}

static int mls_nl_get_group_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct mls_nl_dump *d = mls_nl_dump_ctx(cb);
	struct mls_group *g;
	unsigned long id;
	void *hdr;
	int ret;

	/*
	 * do and dump share one policy in 6.1; the dump takes nothing. Its
	 * errors reach the requester in NLMSG_DONE, with the message.
	 */
	if (!d->checked) {
		if (info->attrs && info->attrs[MLS_A_GROUP_KID]) {
			NL_SET_ERR_MSG_ATTR(cb->extack, info->attrs[MLS_A_GROUP_KID],
					    "the MLS_CMD_GET_GROUP dump takes no attribute");
			return -EINVAL;
		}
		d->checked = true;
	}

	for (;;) {
		id = d->next_id;
		g = mls_group_next(&id);
		if (!g)
			break;
		if (!mls_group_may_see(g, d->cred, d->admin)) {
			mls_group_put(g);
			d->next_id = id;
			continue;
		}
		mls_group_prune(g);
		ret = -EMSGSIZE;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &mls_genl_family,
				  NLM_F_MULTI, MLS_CMD_GET_GROUP);
		if (hdr) {
			ret = mls_nl_put_group(skb, g, d->cred->user_ns, true);
			if (ret)
				genlmsg_cancel(skb, hdr);
			else
				genlmsg_end(skb, hdr);
		}
		mls_group_put(g);
		/* Full: this group again in the next part (or fail if alone). */
		if (ret == -EMSGSIZE)
			return skb->len ?: -EMSGSIZE;
		/* Destroyed meanwhile (-ENOENT): not listed. */
		d->next_id = id;
	}
	return skb->len;
}

static const struct genl_ops mls_genl_ops[] = {
	{
		.cmd		= MLS_CMD_GET_VERSION,
		.doit		= mls_nl_get_version,
		.policy		= mls_nl_version_policy,
		.maxattr	= MLS_A_MAX,
	},
	{
		.cmd		= MLS_CMD_GET_GROUP,
		.doit		= mls_nl_get_group_doit,
		.start		= mls_nl_get_group_start,
		.dumpit		= mls_nl_get_group_dumpit,
		.done		= mls_nl_get_group_done,
		.policy		= mls_nl_get_group_policy,
		.maxattr	= MLS_A_MAX,
	},
};

static const struct genl_multicast_group mls_genl_mcgrps[] = {
	{ .name = MLS_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family mls_genl_family __ro_after_init = {
	.name		= MLS_GENL_NAME,
	.version	= MLS_GENL_VERSION,
	.maxattr	= MLS_A_MAX,
	.module		= THIS_MODULE,
	.parallel_ops	= true,
	.ops		= mls_genl_ops,
	.n_ops		= ARRAY_SIZE(mls_genl_ops),
	.mcgrps		= mls_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mls_genl_mcgrps),
};

/* ---------------------------------------------------------- for events.c */

bool mls_nl_listening(void)
{
	return READ_ONCE(mls_nl_registered) &&
	       genl_has_listeners(&mls_genl_family, &init_net, 0);
}

void *mls_nl_event_new(struct sk_buff **skbp, size_t payload, u8 cmd)
{
	struct sk_buff *skb = genlmsg_new(payload, GFP_ATOMIC);
	void *hdr;

	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &mls_genl_family, 0, cmd);
	if (!hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	*skbp = skb;
	return hdr;
}

void mls_nl_event_send(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	/* Never on a family that is being unregistered: see mls_genl_exit(). */
	rcu_read_lock();
	if (READ_ONCE(mls_nl_registered))
		genlmsg_multicast(&mls_genl_family, skb, 0, 0, GFP_ATOMIC);
	else
		nlmsg_free(skb);
	rcu_read_unlock();
}

void mls_nl_event_lost(void)
{
	rcu_read_lock();
	if (READ_ONCE(mls_nl_registered))
		genl_set_err(&mls_genl_family, &init_net, 0, 0, -ENOBUFS);
	rcu_read_unlock();
}

int __init mls_genl_init(void)
{
	int ret = genl_register_family(&mls_genl_family);

	if (!ret)
		WRITE_ONCE(mls_nl_registered, true);
	return ret;
}

void mls_genl_exit(void)
{
	WRITE_ONCE(mls_nl_registered, false);
	/* Every multicast that saw it still set has finished. */
	synchronize_rcu();
	genl_unregister_family(&mls_genl_family);
}
