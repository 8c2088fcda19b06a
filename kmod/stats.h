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
	MLS_STAT_COMMITS_PREPARED,
	MLS_STAT_COMMITS_MERGED,
	MLS_STAT_COMMITS_DISCARDED,
	MLS_STAT_COMMITS_TIMED_OUT,
	MLS_STAT_COMMIT_CONFLICTS,
	MLS_STAT_TAG_FAILURES,
	MLS_STAT_EPOCHS_EXPIRED,
	/* The drain (drain.c): drains run, those that timed out, groups. */
	MLS_STAT_DRAINS,
	MLS_STAT_DRAIN_TIMEOUTS,
	MLS_STAT_DRAIN_SAVED,
	MLS_STAT_DRAIN_NOT_SAVED,
	MLS_STAT_NR
};

/* Operations with a latency histogram. */
enum mls_op {
	MLS_OP_ENCRYPT,
	MLS_OP_DECRYPT,
	MLS_OP_COMMIT,
	MLS_OP_COMMIT_PENDING,	/* prepare to merge */
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
	u64 commits_prepared;
	u64 commits_merged;
	u64 commits_discarded;
	u64 commits_timed_out;
	u64 commit_conflicts;
	u64 tag_failures;
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

/*
 * The first MLS_GROUP_NR_STATS of enum mls_stat are a group's counters too
 * (struct mls_group_counters, in the same order).
 */
#define MLS_GROUP_NR_STATS	(MLS_STAT_TAG_FAILURES + 1)

/* Count @n of @s module-wide and, if it is one of a group's, in @g's. */
void mls_group_stat_add(struct mls_group *g, enum mls_stat s, u64 n);

/* The bucket of a duration: ilog2(@ns), 0 for 0, at most the last. */
unsigned int mls_latency_bucket(u64 ns);

/* /sys/kernel/mls/health (rules: Documentation/ABI/testing/sysfs-kernel-mls). */
enum mls_health {
	MLS_HEALTHY,
	MLS_DEGRADED,
	MLS_UNHEALTHY,
};

struct mls_health_input {
	u32 groups_active;
	u32 max_groups;
	u32 evbuf_used;
	u32 evbuf_slots;
	u32 breakers_open;
};

enum mls_health mls_health_eval(const struct mls_health_input *in);
const char *mls_health_name(enum mls_health h);

#ifdef MLS_SELFTEST
int mls_stats_selftest(void);
#else
static inline int mls_stats_selftest(void)
{
	return 0;
}
#endif

#endif /* _MLS_STATS_H */
