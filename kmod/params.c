// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters: module-wide defaults and hard caps. Read-only after
 * load (0444): a cap that moves under live groups would have to be
 * re-checked everywhere it was applied.
 *
 * Copyright (C) 2026 The mls authors.
 */

#define pr_fmt(fmt) "mls: " fmt

#include "params.h"

#include <linux/errno.h>
#include <linux/init.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

unsigned int mls_max_groups = 4096;
module_param_named(max_groups, mls_max_groups, uint, 0444);
MODULE_PARM_DESC(max_groups, "Maximum number of groups alive at once (default 4096)");

unsigned int mls_max_leaves = 65536;
module_param_named(max_leaves, mls_max_leaves, uint, 0444);
MODULE_PARM_DESC(max_leaves, "Maximum leaf count of a group's tree (default 65536)");

unsigned int mls_max_message = 1 << 20;
module_param_named(max_message, mls_max_message, uint, 0444);
MODULE_PARM_DESC(max_message, "Maximum size in bytes of a message and of each of its parts (default 1048576)");

/* Entries of one MLS_IOC_ENCRYPT_BATCH or MLS_IOC_DECRYPT_BATCH. */
unsigned int mls_max_batch = 64;
module_param_named(max_batch, mls_max_batch, uint, 0444);
MODULE_PARM_DESC(max_batch, "Maximum messages of one batch ioctl (default 64, at most 4096)");

/*
 * Per-user limits (quota.c): what one uid may make the module hold. Root
 * and CAP_SYS_RESOURCE go past them. Unlike the caps below these may
 * change at run time (0644, as the inotify and keyring limits do): each
 * charge compares with the value of the moment, and a limit lowered
 * under a user's use only refuses what the user asks for next.
 */
unsigned int mls_user_max_groups = 1024;
module_param_named(user_max_groups, mls_user_max_groups, uint, 0644);
MODULE_PARM_DESC(user_max_groups, "Groups one user may own at once (default 1024)");

unsigned int mls_user_max_endpoints = 1024;
module_param_named(user_max_endpoints, mls_user_max_endpoints, uint, 0644);
MODULE_PARM_DESC(user_max_endpoints, "Event buffer endpoints one user's requests and groups may hold (default 1024)");

unsigned long mls_user_max_bytes = 64UL << 20;
module_param_named(user_max_bytes, mls_user_max_bytes, ulong, 0644);
MODULE_PARM_DESC(user_max_bytes, "Bytes of epochs, GroupContexts and secret trees one user's groups may hold (default 67108864)");

/*
 * A directory per group under /sys/kernel/mls/groups/ costs 3.9 KB of
 * kernfs nodes and inodes (18 files), twice the group itself: opt-in. A
 * change applies to groups made after it; the netlink group dump
 * (MLS_CMD_GET_GROUP dump) shows the same per-group values for any number.
 */
bool mls_group_sysfs;
module_param_named(group_sysfs, mls_group_sysfs, bool, 0644);
MODULE_PARM_DESC(group_sysfs, "Give each new group a directory in /sys/kernel/mls/groups (default N)");

/*
 * Defaults and caps of the per-group policy (struct mls_policy): NAME is
 * what a new group starts with, NAME_max the most MLS_IOC_SET_POLICY
 * accepts.
 */
unsigned int mls_out_of_order = 32;
module_param_named(out_of_order, mls_out_of_order, uint, 0444);
MODULE_PARM_DESC(out_of_order, "Default skipped generations kept per sender for late messages (default 32)");
unsigned int mls_out_of_order_max = 1024;
module_param_named(out_of_order_max, mls_out_of_order_max, uint, 0444);
MODULE_PARM_DESC(out_of_order_max, "Cap on skipped generations kept per sender for late messages (default 1024)");

unsigned int mls_max_forward = 1000;
module_param_named(max_forward, mls_max_forward, uint, 0444);
MODULE_PARM_DESC(max_forward, "Default generations a message may be ahead of the next expected one (default 1000)");
unsigned int mls_max_forward_max = 65536;
module_param_named(max_forward_max, mls_max_forward_max, uint, 0444);
MODULE_PARM_DESC(max_forward_max, "Cap on generations a message may be ahead of the next expected one (default 65536)");

unsigned int mls_epochs_kept = 10;
module_param_named(epochs_kept, mls_epochs_kept, uint, 0444);
MODULE_PARM_DESC(epochs_kept, "Default past epochs kept for decryption (default 10)");
unsigned int mls_epochs_kept_max = 64;
module_param_named(epochs_kept_max, mls_epochs_kept_max, uint, 0444);
MODULE_PARM_DESC(epochs_kept_max, "Cap on past epochs kept for decryption (default 64)");

unsigned int mls_epoch_max_age_ms = 300000;
module_param_named(epoch_max_age_ms, mls_epoch_max_age_ms, uint, 0444);
MODULE_PARM_DESC(epoch_max_age_ms, "Default milliseconds a past epoch is kept (0: no limit, only when epoch_max_age_ms_max is 0) (default 300000)");
unsigned int mls_epoch_max_age_ms_max = 86400000;
module_param_named(epoch_max_age_ms_max, mls_epoch_max_age_ms_max, uint, 0444);
MODULE_PARM_DESC(epoch_max_age_ms_max, "Cap on milliseconds a past epoch is kept (0: no limit) (default 86400000)");

unsigned int mls_padding_block;	/* no padding */
module_param_named(padding_block, mls_padding_block, uint, 0444);
MODULE_PARM_DESC(padding_block, "Default padding block of message content in bytes (0: none) (default 0)");
unsigned int mls_padding_block_max = 4096;
module_param_named(padding_block_max, mls_padding_block_max, uint, 0444);
MODULE_PARM_DESC(padding_block_max, "Cap on padding block of message content in bytes (0: none) (default 4096)");
unsigned int mls_commit_timeout_ms = 30000;
module_param_named(commit_timeout_ms, mls_commit_timeout_ms, uint, 0444);
MODULE_PARM_DESC(commit_timeout_ms, "Default time a pending commit is kept before it is discarded, in ms (default 30000)");
unsigned int mls_commit_timeout_ms_max = 600000;
module_param_named(commit_timeout_ms_max, mls_commit_timeout_ms_max, uint, 0444);
MODULE_PARM_DESC(commit_timeout_ms_max, "Cap on the time a pending commit is kept, in ms (default 600000)");

/* The event buffer (evbuf.c): table size and endpoint defaults. */
unsigned int mls_evbuf_slots = 4096;
module_param_named(evbuf_slots, mls_evbuf_slots, uint, 0444);
MODULE_PARM_DESC(evbuf_slots, "Endpoints in the event buffer table (default 4096)");

char *mls_evbuf_lock = "cas";
module_param_named(evbuf_lock, mls_evbuf_lock, charp, 0444);
MODULE_PARM_DESC(evbuf_lock, "Event buffer update method: cas, or spinlock for benchmark comparison only (default cas)");

unsigned int mls_evbuf_rate = 1000;
module_param_named(evbuf_rate, mls_evbuf_rate, uint, 0444);
MODULE_PARM_DESC(evbuf_rate, "Default endpoint rate in events per second (default 1000)");

unsigned int mls_evbuf_burst = 100;
module_param_named(evbuf_burst, mls_evbuf_burst, uint, 0444);
MODULE_PARM_DESC(evbuf_burst, "Default endpoint burst in events (default 100)");

unsigned int mls_evbuf_fail_threshold = 5;
module_param_named(evbuf_fail_threshold, mls_evbuf_fail_threshold, uint, 0444);
MODULE_PARM_DESC(evbuf_fail_threshold, "Consecutive failures that open a circuit (default 5)");

unsigned int mls_evbuf_half_open_probes = 1;
module_param_named(evbuf_half_open_probes, mls_evbuf_half_open_probes, uint, 0444);
MODULE_PARM_DESC(evbuf_half_open_probes, "Successful probes that close a half-open circuit (default 1)");

unsigned int mls_evbuf_open_base_ms = 1000;
module_param_named(evbuf_open_base_ms, mls_evbuf_open_base_ms, uint, 0444);
MODULE_PARM_DESC(evbuf_open_base_ms, "Open time after the first trip in ms, doubled per trip (default 1000)");

unsigned int mls_evbuf_open_max_ms = 60000;
module_param_named(evbuf_open_max_ms, mls_evbuf_open_max_ms, uint, 0444);
MODULE_PARM_DESC(evbuf_open_max_ms, "Cap on the open time in ms (default 60000)");

unsigned int mls_evbuf_gzip_max_size = 16 << 20;
module_param_named(evbuf_gzip_max_size, mls_evbuf_gzip_max_size, uint, 0444);
MODULE_PARM_DESC(evbuf_gzip_max_size, "Largest inflated size in bytes a gzip payload may claim (default 16777216)");

unsigned int mls_evbuf_gzip_max_ratio = 100;
module_param_named(evbuf_gzip_max_ratio, mls_evbuf_gzip_max_ratio, uint, 0444);
MODULE_PARM_DESC(evbuf_gzip_max_ratio, "Largest inflated/compressed ratio of a gzip payload (default 100)");

/* Send reservation of persistent groups: generations reserved per export. */
unsigned int mls_persist_reserve = 512;
module_param_named(persist_reserve, mls_persist_reserve, uint, 0644);
MODULE_PARM_DESC(persist_reserve, "Sending generations each export of a persistent group reserves per ratchet, 1 to 65536 (default 512)");

/*
 * The drain (MLS_IOC_DRAIN): how long it waits in all by default, for the
 * calls in flight (1 s at least, whatever this says) and for the saves.
 * 0 is a valid value: no wait for the saves.
 */
unsigned int mls_drain_timeout_ms = 30000;
module_param_named(drain_timeout_ms, mls_drain_timeout_ms, uint, 0644);
MODULE_PARM_DESC(drain_timeout_ms, "How long a drain waits in all, in ms, when its caller names no timeout: for the calls in flight (1000 at least) and for every persistent group to be saved (0: no wait for the saves; default 30000)");

/**
 * mls_params_check() - refuse parameters that contradict each other
 *
 * A default above its cap is lowered to the cap when a group is made. But
 * epoch_max_age_ms = 0 means "no age limit", which no finite cap allows:
 * it would let past-epoch secrets outlive the administrator's cap. And a
 * commit timeout of 0 would discard every pending commit at once: the
 * policy takes 1 to the cap, and so do the parameters.
 *
 * Return: 0, or -EINVAL (the module refuses to load).
 */
int __init mls_params_check(void)
{
	if (!mls_epoch_max_age_ms && mls_epoch_max_age_ms_max) {
		pr_err("epoch_max_age_ms=0 (no limit) exceeds epoch_max_age_ms_max=%u\n",
		       mls_epoch_max_age_ms_max);
		return -EINVAL;
	}
	if (!mls_commit_timeout_ms || !mls_commit_timeout_ms_max) {
		pr_err("commit_timeout_ms and commit_timeout_ms_max must be at least 1\n");
		return -EINVAL;
	}
	if (!mls_persist_reserve || mls_persist_reserve > MLS_PERSIST_RESERVE_MAX) {
		pr_err("persist_reserve must be 1 to %u\n", MLS_PERSIST_RESERVE_MAX);
		return -EINVAL;
	}
	return 0;
}
