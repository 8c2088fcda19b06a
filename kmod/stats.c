// SPDX-License-Identifier: GPL-2.0
/*
 * Counters and latency histograms (DESIGN.md §7), and the health rules.
 *
 * Every counter is per cpu: the data path adds to its own cpu's copy with
 * one this_cpu_add() (no lock, no atomic, no shared line), and a reader
 * sums the copies with READ_ONCE(). A sum is not a snapshot taken at one
 * instant, but each copy only grows, so successive sums never go back.
 * The module-wide set is allocated at load; a group's with the group and
 * freed with its memory, after the RCU grace period that also protects
 * the group itself.
 *
 * Copyright (C) 2026 The mls authors.
 */

#define pr_fmt(fmt) "mls: " fmt

#include "group.h"
#include "quota.h"
#include "memstat.h"
#include "stats.h"

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/timekeeping.h>

atomic_long_t mls_mem[MLS_MEM_NR];

struct mls_stats_cpu {
	u64 v[MLS_STAT_NR];
	u64 lat[MLS_OP_NR][MLS_LATENCY_BUCKETS];
	u64 lat_sum[MLS_OP_NR];
};

struct mls_group_stats {
	u64 v[MLS_GROUP_NR_STATS];
};

/* Allocated, not DEFINE_PER_CPU: a module's static per-cpu room is small. */
static struct mls_stats_cpu __percpu *mls_stats __read_mostly;

int mls_stats_init(void)
{
	mls_stats = alloc_percpu(struct mls_stats_cpu);
	return mls_stats ? 0 : -ENOMEM;
}

void mls_stats_exit(void)
{
	free_percpu(mls_stats);
	mls_stats = NULL;
}

void mls_stat_add(enum mls_stat s, u64 n)
{
	this_cpu_add(mls_stats->v[s], n);
}

u64 mls_stat_read(enum mls_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(mls_stats, cpu)->v[s]);
	return sum;
}

unsigned int mls_latency_bucket(u64 ns)
{
	return ns ? min_t(unsigned int, ilog2(ns), MLS_LATENCY_BUCKETS - 1) : 0;
}

void mls_latency_record(enum mls_op op, u64 start_ns)
{
	u64 ns = ktime_get_ns() - start_ns;

	this_cpu_inc(mls_stats->lat[op][mls_latency_bucket(ns)]);
	this_cpu_add(mls_stats->lat_sum[op], ns);
}

void mls_latency_read(enum mls_op op, u64 buckets[MLS_LATENCY_BUCKETS],
		      u64 *sum_ns)
{
	int cpu, i;

	memset(buckets, 0, MLS_LATENCY_BUCKETS * sizeof(*buckets));
	*sum_ns = 0;
	for_each_possible_cpu(cpu) {
		const struct mls_stats_cpu *c = per_cpu_ptr(mls_stats, cpu);

		for (i = 0; i < MLS_LATENCY_BUCKETS; i++)
			buckets[i] += READ_ONCE(c->lat[op][i]);
		*sum_ns += READ_ONCE(c->lat_sum[op]);
	}
}

int mls_group_stats_alloc(struct mls_group *g)
{
	g->stats = alloc_percpu_gfp(struct mls_group_stats, MLS_GFP_USER);
	return g->stats ? 0 : -ENOMEM;
}

/* From the group's RCU callback too: free_percpu() may run in atomic context. */
void mls_group_stats_free(struct mls_group *g)
{
	free_percpu(g->stats);
	g->stats = NULL;
}

void mls_group_stat_add(struct mls_group *g, enum mls_stat s, u64 n)
{
	mls_stat_add(s, n);
	if (s < MLS_GROUP_NR_STATS)
		this_cpu_add(g->stats->v[s], n);
}

void mls_group_counters_read(const struct mls_group *g,
			     struct mls_group_counters *c)
{
	u64 sum[MLS_GROUP_NR_STATS] = { };
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct mls_group_stats *s = per_cpu_ptr(g->stats, cpu);

		for (i = 0; i < MLS_GROUP_NR_STATS; i++)
			sum[i] += READ_ONCE(s->v[i]);
	}
	*c = (struct mls_group_counters){
		.messages_encrypted = sum[MLS_STAT_MESSAGES_ENCRYPTED],
		.messages_decrypted = sum[MLS_STAT_MESSAGES_DECRYPTED],
		.bytes_encrypted = sum[MLS_STAT_BYTES_ENCRYPTED],
		.bytes_decrypted = sum[MLS_STAT_BYTES_DECRYPTED],
		.auth_failures = sum[MLS_STAT_AUTH_FAILURES],
		.replays = sum[MLS_STAT_REPLAYS],
		.epochs_rotated = sum[MLS_STAT_EPOCHS_ROTATED],
		.commits_prepared = sum[MLS_STAT_COMMITS_PREPARED],
		.commits_merged = sum[MLS_STAT_COMMITS_MERGED],
		.commits_discarded = sum[MLS_STAT_COMMITS_DISCARDED],
		.commits_timed_out = sum[MLS_STAT_COMMITS_TIMED_OUT],
		.commit_conflicts = sum[MLS_STAT_COMMIT_CONFLICTS],
		.tag_failures = sum[MLS_STAT_TAG_FAILURES],
	};
}

/*
 * The health rules, in the order they are documented. 90% is taken
 * exactly: 10 x used >= 9 x capacity, in 64 bits.
 */
enum mls_health mls_health_eval(const struct mls_health_input *in)
{
	if (in->groups_active >= in->max_groups ||
	    in->evbuf_used >= in->evbuf_slots)
		return MLS_UNHEALTHY;
	if (10ULL * in->groups_active >= 9ULL * in->max_groups ||
	    10ULL * in->evbuf_used >= 9ULL * in->evbuf_slots ||
	    in->breakers_open)
		return MLS_DEGRADED;
	return MLS_HEALTHY;
}

const char *mls_health_name(enum mls_health h)
{
	switch (h) {
	case MLS_HEALTHY:
		return "healthy";
	case MLS_DEGRADED:
		return "degraded";
	case MLS_UNHEALTHY:
		break;
	}
	return "unhealthy";
}

#ifdef MLS_SELFTEST
/*
 * The health rules and the histogram's buckets on synthetic inputs, at
 * each boundary. A failed row is logged by number and refuses the load.
 */
struct mls_health_row {
	struct mls_health_input in;
	enum mls_health want;
};

static const struct mls_health_row mls_health_rows[] __initconst = {
	/* groups, max_groups, evbuf used, slots, breakers open */
	{ { 0, 4096, 0, 4096, 0 }, MLS_HEALTHY },
	{ { 3686, 4096, 0, 4096, 0 }, MLS_HEALTHY },
	{ { 3687, 4096, 0, 4096, 0 }, MLS_DEGRADED },
	{ { 4095, 4096, 0, 4096, 0 }, MLS_DEGRADED },
	{ { 4096, 4096, 0, 4096, 0 }, MLS_UNHEALTHY },
	{ { 4097, 4096, 0, 4096, 0 }, MLS_UNHEALTHY },
	{ { 0, 4096, 3686, 4096, 0 }, MLS_HEALTHY },
	{ { 0, 4096, 3687, 4096, 0 }, MLS_DEGRADED },
	{ { 0, 4096, 4096, 4096, 0 }, MLS_UNHEALTHY },
	{ { 0, 4096, 0, 4096, 1 }, MLS_DEGRADED },
	{ { 0, 4096, 0, 4096, 4096 }, MLS_DEGRADED },
	{ { 4096, 4096, 0, 4096, 1 }, MLS_UNHEALTHY },
	{ { 0, 4096, 4096, 4096, 1 }, MLS_UNHEALTHY },
	/* 90% of 10 is 9; of 1 rounds up to the whole. */
	{ { 8, 10, 0, 64, 0 }, MLS_HEALTHY },
	{ { 9, 10, 0, 64, 0 }, MLS_DEGRADED },
	{ { 0, 1, 0, 64, 0 }, MLS_HEALTHY },
	{ { 1, 1, 0, 64, 0 }, MLS_UNHEALTHY },
	/* No group may exist at all: full. */
	{ { 0, 0, 0, 64, 0 }, MLS_UNHEALTHY },
	/* No overflow of 10 x count in 32 bits. */
	{ { U32_MAX - 1, U32_MAX, 0, 64, 0 }, MLS_DEGRADED },
	{ { 0x20000000, U32_MAX, 0, 64, 0 }, MLS_HEALTHY },
	{ { 0, U32_MAX, 0x1d000000, 0x20000000, 0 }, MLS_DEGRADED },
};

struct mls_bucket_row {
	u64 ns;
	unsigned int bucket;
};

static const struct mls_bucket_row mls_bucket_rows[] __initconst = {
	{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 }, { 4, 2 }, { 1023, 9 },
	{ 1024, 10 }, { (1ULL << 31) - 1, 30 }, { 1ULL << 31, 31 },
	{ 1ULL << 40, 31 }, { U64_MAX, 31 },
};

int __init mls_stats_selftest(void)
{
	int ret = 0, row = 0;
	size_t i;

	BUILD_BUG_ON(MLS_GROUP_NR_STATS * sizeof(u64) !=
		     sizeof(struct mls_group_counters));
	for (i = 0; i < ARRAY_SIZE(mls_health_rows); i++) {
		row++;
		if (mls_health_eval(&mls_health_rows[i].in) !=
		    mls_health_rows[i].want) {
			pr_err("stats self-test row %d failed\n", row);
			ret = -ENOTRECOVERABLE;
		}
	}
	for (i = 0; i < ARRAY_SIZE(mls_bucket_rows); i++) {
		row++;
		if (mls_latency_bucket(mls_bucket_rows[i].ns) !=
		    mls_bucket_rows[i].bucket) {
			pr_err("stats self-test row %d failed\n", row);
			ret = -ENOTRECOVERABLE;
		}
	}
	return ret;
}
#endif /* MLS_SELFTEST */
