/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MLS_PARAMS_H
#define _MLS_PARAMS_H

#include <linux/types.h>

extern unsigned int mls_max_groups;
extern unsigned int mls_max_leaves;
extern unsigned int mls_max_message;
extern unsigned int mls_max_batch;
#define MLS_MAX_BATCH_LIMIT 4096

/* Per-user limits (quota.c). */
extern unsigned int mls_user_max_groups, mls_user_max_endpoints;
extern unsigned long mls_user_max_bytes;

/* Per-group sysfs directories, for groups made while it is on. */
extern bool mls_group_sysfs;

/*
 * Per-group policy: each field has a module-wide default (given to new
 * groups) and a hard cap (no group may set more).
 */
extern unsigned int mls_out_of_order, mls_out_of_order_max;
extern unsigned int mls_max_forward, mls_max_forward_max;
extern unsigned int mls_epochs_kept, mls_epochs_kept_max;
extern unsigned int mls_epoch_max_age_ms, mls_epoch_max_age_ms_max;
extern unsigned int mls_padding_block, mls_padding_block_max;
/* How long a pending commit (and a staged join) is kept unmerged. */
extern unsigned int mls_commit_timeout_ms, mls_commit_timeout_ms_max;

/* The event buffer: size, defaults of a new endpoint, payload bounds. */
extern unsigned int mls_evbuf_slots;
extern unsigned int mls_evbuf_rate, mls_evbuf_burst;
extern unsigned int mls_evbuf_fail_threshold, mls_evbuf_half_open_probes;
extern unsigned int mls_evbuf_open_base_ms, mls_evbuf_open_max_ms;
extern unsigned int mls_evbuf_gzip_max_size, mls_evbuf_gzip_max_ratio;
extern char *mls_evbuf_lock;

/*
 * Generations an export of a persistent group reserves per sending
 * ratchet; a write outside 1..MLS_PERSIST_RESERVE_MAX is clamped at use.
 */
extern unsigned int mls_persist_reserve;
#define MLS_PERSIST_RESERVE_MAX	65536U

/* The wait of a drain that names no timeout (drain.c), ms; run-time. */
extern unsigned int mls_drain_timeout_ms;

/* At load: -EINVAL for a value no group could use. */
int mls_params_check(void);

#endif /* _MLS_PARAMS_H */
