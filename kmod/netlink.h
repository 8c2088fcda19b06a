/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_NETLINK_H
#define _MLS_NETLINK_H

#include <linux/types.h>

struct mls_group;
struct sk_buff;
struct user_namespace;

int mls_genl_init(void);
void mls_genl_exit(void);

/*
 * A drain began (drain.c: MLS_IOC_DRAIN or the unload): sends
 * MLS_CMD_SHUTDOWN (events.c). The groups report
 * MLS_GROUP_STATE_SHUTTING_DOWN while drained, and for good once the
 * unload began (mls_drain_group_state()).
 */
void mls_event_shutdown(void);
/* The drain was cancelled (MLS_DRAIN_F_CANCEL): sends MLS_CMD_RESUME. */
void mls_event_resume(void);

/*
 * Between netlink.c (the family, requests, dump) and events.c (the
 * notifications) only.
 */

/* Someone is subscribed to "events" (and the family is registered). */
bool mls_nl_listening(void);
/*
 * A new event message of @cmd with room for @payload bytes of attributes
 * (GFP_ATOMIC); NULL when out of memory. Returns the genetlink header.
 */
void *mls_nl_event_new(struct sk_buff **skbp, size_t payload, u8 cmd);
/* Ends and multicasts the message (any context). */
void mls_nl_event_send(struct sk_buff *skb, void *hdr);
/* An event could not be built: every listener gets -ENOBUFS. */
void mls_nl_event_lost(void);

/* Attribute space of one group (MLS_CMD_GET_GROUP's reply). */
size_t mls_nl_group_size(bool stats);
/* MLS_A_GROUP_KID and MLS_A_GROUP_ID. */
int mls_nl_put_group_ref(struct sk_buff *msg, const struct mls_group *g);
/*
 * The attributes of one group, its owner seen from @ns; -ENOENT if it is
 * dead, -EMSGSIZE if it does not fit. Takes g->lock: not under it.
 */
int mls_nl_put_group(struct sk_buff *msg, struct mls_group *g,
		     struct user_namespace *ns, bool stats);

#endif /* _MLS_NETLINK_H */
