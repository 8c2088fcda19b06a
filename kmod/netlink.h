/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_NETLINK_H
#define _MLS_NETLINK_H

int mls_genl_init(void);
void mls_genl_exit(void);

/* The module is being unloaded (netlink.c sends MLS_CMD_SHUTDOWN). */
void mls_event_shutdown(void);

#endif /* _MLS_NETLINK_H */
