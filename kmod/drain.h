/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The drain, a graceful shutdown (MLS_IOC_DRAIN, and the unload): the
 * operations that change a group refuse with -ESHUTDOWN while the
 * persistent groups are saved.
 */
#ifndef _MLS_DRAIN_H
#define _MLS_DRAIN_H

#include <linux/srcu.h>
#include <linux/types.h>

struct mls_group;
struct mls_ioctl_ctx;

/*
 * Around an operation that a drain refuses: srcu_read_lock() of this,
 * then, unless mls_drain_id() says a drain is on (-ESHUTDOWN), the
 * operation, then srcu_read_unlock(). A drain waits for the operations
 * inside before it announces itself.
 */
extern struct srcu_struct mls_service_srcu;

/* A drain is on: its id (never 0), else 0. */
u64 mls_drain_id(void);
/* /sys/kernel/mls/drain: "none", "draining" (calls in flight) or "drained". */
const char *mls_drain_state_name(void);
/*
 * MLS_GROUP_STATE_* of @g, the one answer of netlink, sysfs and
 * MLS_IOC_GROUP_INFO: destroyed, else shutting down while a drain is in
 * force or the module unloads, else active.
 */
u32 mls_drain_group_state(const struct mls_group *g);
/* Something a drain waits for changed: a save, a destroy. */
void mls_drain_kick(void);

int mls_ioc_drain(struct mls_ioctl_ctx *ctx, void *arg);
/* Module unload: the drain without the wait; counts and logs. */
void mls_drain_unload(void);

#endif /* _MLS_DRAIN_H */
