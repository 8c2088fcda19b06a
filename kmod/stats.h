/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters and latency histograms: module-wide and per group, per cpu so
 * that the data path only ever touches its own cpu's line and a reader
 * never stalls it. Shown in /sys/kernel/mls (sysfs.c) and in the netlink
 * group dump (netlink.c); never a secret.
 */
#ifndef _MLS_STATS_H
#define _MLS_STATS_H

#include <linux/types.h>

struct mls_group;

/* Module-wide counters (sysfs: /sys/kernel/mls/stats/<name>). */
enum mls_stat {
	MLS_STAT_MESSAGES_ENCRYPTED,
	MLS_STAT_MESSAGES_DECRYPTED,
	MLS_STAT_BYTES_ENCRYPTED,
	MLS_STAT_BYTES_DECRYPTED,
	MLS_STAT_AUTH_FAILURES,
	MLS_STAT_REPLAYS,
	MLS_STAT_EPOCHS_ROTATED,
	MLS_STAT_EPOCHS_EXPIRED,
	MLS_STAT_COMMIT_CONFLICTS,
	MLS_STAT_NR
};

/* Operations with a latency histogram. */
enum mls_op {
	MLS_OP_ENCRYPT,
	MLS_OP_DECRYPT,
	MLS_OP_COMMIT,
	MLS_OP_NR
};

/* Bucket i counts durations in [2^i, 2^(i+1)) ns; the last one the rest. */
#define MLS_LATENCY_BUCKETS	32

/* A group's counters, summed over the cpus. */
struct mls_group_counters {
	u64 messages_encrypted;
	u64 messages_decrypted;
	u64 bytes_encrypted;
	u64 bytes_decrypted;
	u64 auth_failures;
	u64 replays;
	u64 epochs_rotated;
};

int mls_stats_init(void);
void mls_stats_exit(void);

void mls_stat_add(enum mls_stat s, u64 n);
u64 mls_stat_read(enum mls_stat s);
/* Record one @op that started at @start_ns (ktime_get_ns()). */
void mls_latency_record(enum mls_op op, u64 start_ns);
void mls_latency_read(enum mls_op op, u64 buckets[MLS_LATENCY_BUCKETS],
		      u64 *sum_ns);

/* Per group: allocated with the group, freed with it. */
int mls_group_stats_alloc(struct mls_group *g);
void mls_group_stats_free(struct mls_group *g);
void mls_group_counters_read(const struct mls_group *g,
			     struct mls_group_counters *c);

#endif /* _MLS_STATS_H */
