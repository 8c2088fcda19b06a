// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "mls": queries and the "events" multicast group.
 * Spec: Documentation/netlink/specs/mls.yaml.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "netlink.h"
#include "version.h"

#include <uapi/linux/mls.h>

#include <linux/module.h>
#include <net/genetlink.h>

static struct genl_family mls_genl_family;

static const struct nla_policy mls_genl_policy[MLS_A_MAX + 1] = {
	[MLS_A_API_VERSION]	= { .type = NLA_REJECT },
	[MLS_A_MODULE_VERSION]	= { .type = NLA_REJECT },
};

static int mls_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
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

static const struct genl_small_ops mls_genl_ops[] = {
	{
		.cmd	= MLS_CMD_GET_VERSION,
		.doit	= mls_nl_get_version,
	},
};

static const struct genl_multicast_group mls_genl_mcgrps[] = {
	{ .name = MLS_GENL_MCGRP_EVENTS },
};

static struct genl_family mls_genl_family __ro_after_init = {
	.name		= MLS_GENL_NAME,
	.version	= MLS_GENL_VERSION,
	.maxattr	= MLS_A_MAX,
	.policy		= mls_genl_policy,
	.module		= THIS_MODULE,
	.small_ops	= mls_genl_ops,
	.n_small_ops	= ARRAY_SIZE(mls_genl_ops),
	.resv_start_op	= MLS_CMD_GET_VERSION + 1,
	.mcgrps		= mls_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mls_genl_mcgrps),
};

void mls_event_shutdown(void)
{
}

int __init mls_genl_init(void)
{
	return genl_register_family(&mls_genl_family);
}

void mls_genl_exit(void)
{
	genl_unregister_family(&mls_genl_family);
}
