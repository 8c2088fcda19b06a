// SPDX-License-Identifier: GPL-2.0
/*
 * The event buffer (DESIGN.md §6): a fixed table of endpoints, each one
 * 64-bit state word holding a GCRA rate limit and a circuit breaker.
 *
 * The table. Each slot is one cache line (struct mls_evbuf_ep: the state
 * word, the admitted count, the configuration the record path reads, the
 * chain link and the key's hash) with a cold twin (struct evb_cold: the
 * 64-byte id, which cannot share the line with the word, and the counters
 * of refusals, reports and retries). Lookups hash the key (siphash, random
 * key) to a bucket of slot indexes chained through the slots and walk it
 * under RCU with acquire loads: no lock. Inserting and removing take one
 * of EVB_NLOCKS spinlocks chosen by bucket, so that one key is never
 * inserted twice; a free slot is claimed with a cmpxchg on its meta word
 * (state and generation) and published with release stores. A removed
 * slot becomes free again after an RCU grace period. Slots are counted
 * before they are claimed: a full table is -ENOSPC, never an eviction.
 *
 * The state word:
 *
 *   63                                   17 16       7 6     2 1    0
 *  +---------------------------------------+----------+-------+------+
 *  | time: 47 bits of 16 ns ticks          |  count   | trips | state|
 *  +---------------------------------------+----------+-------+------+
 *
 *  state  closed, open, half-open, forced open (MLS_EVBUF_*)
 *  trips  consecutive trips, saturating at 31: open for base << (trips - 1)
 *  count  closed: consecutive failures (10 bits); half-open: probes
 *         admitted (bits 7-11) and their successes (bits 12-16)
 *  time   closed: the GCRA theoretical arrival time (TAT), or, with no
 *         rate, the last failure; open: when it turns half-open;
 *         half-open: when probes that never reported are given up;
 *         forced open: when it was forced
 *
 * "Throttled" is a comparison, TAT - now > tau, never a stored flag. Time
 * deltas are signed 47-bit differences, exact while two times are less
 * than 2^46 ticks (13 days) apart: the caps keep every time set ahead of
 * now within a day or so, and a sweep every minute pulls any time more
 * than 2^44 ticks (3 days) behind now up to now - 2^44.
 *
 * Every change is one atomic64_try_cmpxchg() loop of at most EVB_CAS_MAX
 * tries; a change that loses that many races in a row is denied and
 * counted as contended. Loaded with evbuf_lock=spinlock (kept only to
 * measure the difference), every change takes one table-wide spinlock
 * instead.
 *
 * Copyright (C) 2026 The mls authors.
 */

#define pr_fmt(fmt) "mls: " fmt

#include "evbuf.h"
#include "events.h"
#include "group.h"
#include "params.h"
#include "quota.h"

#include <linux/bitfield.h>
#include <linux/cache.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#define EVB_TICK_SHIFT		4
#define EVB_TICK_NS		BIT(EVB_TICK_SHIFT)
#define EVB_TICKS_PER_SEC	(NSEC_PER_SEC >> EVB_TICK_SHIFT)
#define EVB_TICKS_PER_MS	(NSEC_PER_MSEC >> EVB_TICK_SHIFT)

#define EVB_STATE		GENMASK_ULL(1, 0)
#define EVB_TRIPS		GENMASK_ULL(6, 2)
#define EVB_FAILURES		GENMASK_ULL(16, 7)
#define EVB_PROBES		GENMASK_ULL(11, 7)
#define EVB_PROBE_OK		GENMASK_ULL(16, 12)
#define EVB_TIME		GENMASK_ULL(63, 17)
#define EVB_TIME_BITS		47
#define EVB_TIME_MASK		GENMASK_ULL(EVB_TIME_BITS - 1, 0)
#define EVB_TRIPS_MAX		31U
#define EVB_FAILURES_MAX	1023U

#define EVB_CAS_MAX		16
/* evb_apply(): read the clock at each try. */
#define EVB_CLOCK		U64_MAX
/* The sweep pulls times further behind now than this up to it. */
#define EVB_STALE		BIT_ULL(44)
/* A module endpoint whose time is this far behind is as good as new. */
#define EVB_IDLE		(600ULL * EVB_TICKS_PER_SEC)
#define EVB_SWEEP_PERIOD	(60 * HZ)

#define EVB_NLOCKS		64
#define EVB_NIL			U32_MAX
#define EVB_MIN_SLOTS		64
#define EVB_MAX_SLOTS		262144
#define EVB_GZIP_MAX_INFLATED	SZ_1G

/* A slot's meta word: its state and a generation bumped at each claim. */
#define EVB_META_STATE		GENMASK(1, 0)
#define EVB_META_GEN		GENMASK(31, 2)

enum evb_slot_state {
	EVB_FREE,
	EVB_CLAIMED,
	EVB_LIVE,
	EVB_DEAD,	/* unlinked, free after a grace period */
};

struct mls_evbuf_ep {
	atomic64_t word;
	atomic64_t events;
	u64 tau;		/* ticks: (burst - 1) * interval */
	atomic_t meta;
	u32 next;		/* the bucket's next slot, or EVB_NIL */
	u32 hash;
	u32 interval;		/* ticks between events at the rate; 0: none */
	u32 key_a;
	u32 key_b;
	u32 open_base_ms;
	u32 open_max_ms;
	u16 threshold;
	u8 probes;
	u8 kind;
	u8 access;
} ____cacheline_aligned;

struct evb_cold {
	struct mls_evbuf_key key;
	u32 rate;
	u32 burst;
	atomic64_t throttled;
	atomic64_t refused;
	atomic64_t contended;
	atomic64_t cas_retries;
	atomic64_t failures;
	atomic64_t successes;
	struct mls_user *user;	/* charged one endpoint */
	struct rcu_head rcu;
};

/* The configuration one change works with, in ticks. */
struct evb_cfg {
	u64 tau;
	u64 base;
	u64 max;
	u32 interval;
	u32 threshold;
	u32 probes;
};

enum evb_op {
	EVB_OP_ADMIT,
	EVB_OP_SUCCESS,
	EVB_OP_FAILURE,
	EVB_OP_CLOSE,		/* set closed: reset */
	EVB_OP_TRIP,		/* set open */
	EVB_OP_HALF_OPEN,	/* set half-open */
	EVB_OP_FORCE_OPEN,
	EVB_OP_SWEEP,		/* pull a stale time up */
	EVB_OP_RELEASE,		/* give back a half-open probe unreported */
};

/* Module-wide counters, per cpu so that distinct endpoints share no line. */
enum evb_stat {
	EVB_S_RECORDS,
	EVB_S_ADMITTED,
	EVB_S_THROTTLED,
	EVB_S_REFUSED,
	EVB_S_CONTENDED,
	EVB_S_CAS_RETRIES,
	EVB_S_TRIPS,
	EVB_S_HALF_OPENS,
	EVB_S_CLOSES,
	EVB_S_PAYLOADS,
	EVB_S_BOMBS,
	EVB_S_MALFORMED,
	EVB_S_MODULE_FULL,
	EVB_NSTATS
};

struct evb_stats {
	u64 v[EVB_NSTATS];
};

static DEFINE_PER_CPU(struct evb_stats, evb_stats);

#define evb_stat_inc(i)	this_cpu_inc(evb_stats.v[i])

static struct mls_evbuf_ep *evb_ep __read_mostly;
static struct evb_cold *evb_cold __read_mostly;
static u32 *evb_heads __read_mostly;
static u32 evb_nslots __read_mostly;
static u32 evb_nbuckets __read_mostly;
static u32 evb_user_max __read_mostly;
static siphash_key_t evb_hkey __read_mostly;
static bool evb_spin __read_mostly;
static struct evb_cfg evb_sender_cfg __read_mostly;

/* Slots not free (live, claimed or waiting for a grace period). */
static atomic_t evb_used;
/* Live user endpoints: their share is evb_user_max. */
static atomic_t evb_user_used;
/* Live module endpoints: none, and a group's end has nothing to sweep. */
static atomic_t evb_module_live;
static spinlock_t evb_locks[EVB_NLOCKS];
/* evbuf_lock=spinlock only: every state change under this one lock. */
static DEFINE_SPINLOCK(evb_big_lock);
static struct delayed_work evb_sweep_work;

/* ------------------------------------------------------------ the word */

static u64 evb_now(void)
{
	return (ktime_get_mono_fast_ns() >> EVB_TICK_SHIFT) & EVB_TIME_MASK;
}

/* a - b in ticks, signed, on the 47-bit circle. */
static s64 evb_delta(u64 a, u64 b)
{
	return sign_extend64((a - b) & EVB_TIME_MASK, EVB_TIME_BITS - 1);
}

static u64 evb_word(u32 state, u32 trips, u32 failures, u64 t)
{
	return FIELD_PREP(EVB_STATE, state) | FIELD_PREP(EVB_TRIPS, trips) |
	       FIELD_PREP(EVB_FAILURES, failures) |
	       FIELD_PREP(EVB_TIME, t & EVB_TIME_MASK);
}

static u64 evb_half(u32 trips, u32 probes, u32 ok, u64 t)
{
	return evb_word(MLS_EVBUF_HALF_OPEN, trips, 0, t) |
	       FIELD_PREP(EVB_PROBES, probes) | FIELD_PREP(EVB_PROBE_OK, ok);
}

static u64 evb_set_time(u64 w, u64 t)
{
	return (w & ~EVB_TIME) | FIELD_PREP(EVB_TIME, t & EVB_TIME_MASK);
}

static u64 evb_open_time(const struct evb_cfg *c, u32 trips)
{
	u32 shift = trips ? trips - 1 : 0;

	if (shift >= 32 || c->base > (c->max >> shift))
		return c->max;
	return c->base << shift;
}

static u64 evb_trip(u32 trips, u64 now, const struct evb_cfg *c)
{
	trips = min(trips + 1, EVB_TRIPS_MAX);
	return evb_word(MLS_EVBUF_OPEN, trips, 0, now + evb_open_time(c, trips));
}

static enum mls_evbuf_verdict evb_admit_step(u64 old, u64 now,
					     const struct evb_cfg *c, u64 *new)
{
	u32 trips = FIELD_GET(EVB_TRIPS, old);
	u64 t = FIELD_GET(EVB_TIME, old);
	s64 d = evb_delta(t, now);
	u32 n, ok;

	switch (FIELD_GET(EVB_STATE, old)) {
	case MLS_EVBUF_CLOSED:
		if (!c->interval)
			return MLS_EVBUF_ADMITTED;
		if (d > (s64)c->tau)
			return MLS_EVBUF_THROTTLED;
		/* GCRA: TAT = max(TAT, now) + interval */
		*new = evb_set_time(old, (d < 0 ? now : t) + c->interval);
		return MLS_EVBUF_ADMITTED;
	case MLS_EVBUF_OPEN:
		if (d > 0)
			return MLS_EVBUF_REFUSED;
		/* The open time has passed: this record is the first probe. */
		*new = evb_half(trips, 1, 0, now + c->base);
		return MLS_EVBUF_ADMITTED;
	case MLS_EVBUF_HALF_OPEN:
		n = FIELD_GET(EVB_PROBES, old);
		ok = FIELD_GET(EVB_PROBE_OK, old);
		if (n >= c->probes) {
			if (d > 0)
				return MLS_EVBUF_REFUSED;
			/* A whole base time without an outcome: probe anew. */
			n = 0;
			ok = 0;
		}
		*new = evb_half(trips, n + 1, ok, now + c->base);
		return MLS_EVBUF_ADMITTED;
	default:
		return MLS_EVBUF_REFUSED;
	}
}

static void evb_report_step(bool success, u64 old, u64 now,
			    const struct evb_cfg *c, u64 *new)
{
	u32 trips = FIELD_GET(EVB_TRIPS, old);
	u32 n;

	switch (FIELD_GET(EVB_STATE, old)) {
	case MLS_EVBUF_CLOSED:
		if (success) {
			*new = old & ~EVB_FAILURES;
			return;
		}
		n = min_t(u32, FIELD_GET(EVB_FAILURES, old) + 1, EVB_FAILURES_MAX);
		if (n >= c->threshold) {
			*new = evb_trip(trips, now, c);
			return;
		}
		*new = (old & ~EVB_FAILURES) | FIELD_PREP(EVB_FAILURES, n);
		/* With no rate the time is free: keep the last failure's. */
		if (!c->interval)
			*new = evb_set_time(*new, now);
		return;
	case MLS_EVBUF_HALF_OPEN:
		if (!success) {
			*new = evb_trip(trips, now, c);
			return;
		}
		n = FIELD_GET(EVB_PROBE_OK, old) + 1;
		if (n >= c->probes)
			*new = evb_word(MLS_EVBUF_CLOSED, 0, 0, now);
		else
			*new = (old & ~EVB_PROBE_OK) | FIELD_PREP(EVB_PROBE_OK, n);
		return;
	}
	/* Open or forced open: a late outcome changes nothing. */
}

static enum mls_evbuf_verdict evb_step(enum evb_op op, u64 old, u64 now,
				       const struct evb_cfg *c, u64 *new)
{
	u32 trips = FIELD_GET(EVB_TRIPS, old);

	*new = old;
	switch (op) {
	case EVB_OP_ADMIT:
		return evb_admit_step(old, now, c, new);
	case EVB_OP_SUCCESS:
	case EVB_OP_FAILURE:
		evb_report_step(op == EVB_OP_SUCCESS, old, now, c, new);
		break;
	case EVB_OP_CLOSE:
		*new = evb_word(MLS_EVBUF_CLOSED, 0, 0, now);
		break;
	case EVB_OP_TRIP:
		*new = evb_trip(trips, now, c);
		break;
	case EVB_OP_HALF_OPEN:
		*new = evb_half(trips, 0, 0, now + c->base);
		break;
	case EVB_OP_FORCE_OPEN:
		*new = evb_word(MLS_EVBUF_FORCED_OPEN, trips, 0, now);
		break;
	case EVB_OP_SWEEP:
		if (evb_delta(FIELD_GET(EVB_TIME, old), now) < -(s64)EVB_STALE)
			*new = evb_set_time(old, now - EVB_STALE);
		break;
	case EVB_OP_RELEASE:
		/* Only an authenticated outcome resolves a probe. */
		if (FIELD_GET(EVB_STATE, old) == MLS_EVBUF_HALF_OPEN &&
		    FIELD_GET(EVB_PROBES, old) > FIELD_GET(EVB_PROBE_OK, old))
			*new = (old & ~EVB_PROBES) |
			       FIELD_PREP(EVB_PROBES, FIELD_GET(EVB_PROBES, old) - 1);
		break;
	}
	return MLS_EVBUF_ADMITTED;
}

/* ------------------------------------------------------- the CAS loop */

static struct evb_cold *evb_cold_of(const struct mls_evbuf_ep *ep)
{
	return &evb_cold[ep - evb_ep];
}

/* Under rcu_read_lock(): an endpoint's key stays while we read it. */
static void evb_changed(const struct mls_evbuf_key *key, u64 old, u64 new)
{
	u32 from = FIELD_GET(EVB_STATE, old), to = FIELD_GET(EVB_STATE, new);

	if (from == to)
		return;
	mls_event_breaker_changed(key, from, to);
	if (to == MLS_EVBUF_OPEN)
		evb_stat_inc(EVB_S_TRIPS);
	else if (from == MLS_EVBUF_OPEN && to == MLS_EVBUF_HALF_OPEN)
		evb_stat_inc(EVB_S_HALF_OPENS);
	else if (from == MLS_EVBUF_HALF_OPEN && to == MLS_EVBUF_CLOSED)
		evb_stat_inc(EVB_S_CLOSES);
}

static enum mls_evbuf_verdict evb_apply_locked(atomic64_t *word,
					       const struct mls_evbuf_key *key,
					       enum evb_op op, u64 at,
					       const struct evb_cfg *c)
{
	enum mls_evbuf_verdict v;
	u64 old, new;

	spin_lock(&evb_big_lock);
	old = atomic64_read(word);
	v = evb_step(op, old, at == EVB_CLOCK ? evb_now() : at, c, &new);
	if (new != old)
		atomic64_set(word, new);
	spin_unlock(&evb_big_lock);
	evb_changed(key, old, new);
	return v;
}

/*
 * One change of @ep's word at time @at (ticks), or with EVB_CLOCK at the
 * clock. Bounded, lock-free.
 *
 * The clock is read after the word, so the word's time came from an
 * earlier reading than ours. A retry takes the word that won from the
 * failed compare-and-swap and decides at once, without a new reading (a
 * clock can be slow: an emulated device in a VM); that word may be newer
 * than our clock, and a denial decided so is decided again by a fresh
 * reading. Any reading made during the call keeps the rate's bound: a
 * stale one only makes admission harder.
 *
 * @word is @ep's, or with @ep NULL a group's fallback (struct
 * mls_evbuf_fallback) named by @key in the events.
 */
static enum mls_evbuf_verdict evb_apply_word(struct mls_evbuf_ep *ep,
					     atomic64_t *word,
					     const struct mls_evbuf_key *key,
					     enum evb_op op, u64 at,
					     const struct evb_cfg *c)
{
	enum mls_evbuf_verdict v;
	u64 old, new, now;
	int i;

	if (evb_spin)
		return evb_apply_locked(word, key, op, at, c);

	old = atomic64_read(word);
	now = at == EVB_CLOCK ? evb_now() : at;
	for (i = 0; i < EVB_CAS_MAX; i++) {
		v = evb_step(op, old, now, c, &new);
		if (new == old) {
			if (v == MLS_EVBUF_ADMITTED || i == 0 || at != EVB_CLOCK)
				return v;
			/* Denied by a word newer than our clock: ask the clock. */
			now = evb_now();
			v = evb_step(op, old, now, c, &new);
			if (new == old)
				return v;
		}
		if (atomic64_try_cmpxchg(word, &old, new)) {
			evb_changed(key, old, new);
			return v;
		}
		/* @old now holds the word that won; decide again from it. */
		evb_stat_inc(EVB_S_CAS_RETRIES);
		if (ep)
			atomic64_inc(&evb_cold_of(ep)->cas_retries);
	}
	if (ep)
		atomic64_inc(&evb_cold_of(ep)->contended);
	evb_stat_inc(EVB_S_CONTENDED);
	return MLS_EVBUF_CONTENDED;
}

static enum mls_evbuf_verdict evb_apply(struct mls_evbuf_ep *ep,
					enum evb_op op, u64 at,
					const struct evb_cfg *c)
{
	return evb_apply_word(ep, &ep->word, &evb_cold_of(ep)->key, op, at, c);
}

static enum mls_evbuf_verdict evb_record(struct mls_evbuf_ep *ep,
					 const struct evb_cfg *c, u64 at)
{
	enum mls_evbuf_verdict v = evb_apply(ep, EVB_OP_ADMIT, at, c);

	evb_stat_inc(EVB_S_RECORDS);
	switch (v) {
	case MLS_EVBUF_ADMITTED:
		atomic64_inc(&ep->events);
		evb_stat_inc(EVB_S_ADMITTED);
		break;
	case MLS_EVBUF_THROTTLED:
		atomic64_inc(&evb_cold_of(ep)->throttled);
		evb_stat_inc(EVB_S_THROTTLED);
		break;
	case MLS_EVBUF_REFUSED:
		atomic64_inc(&evb_cold_of(ep)->refused);
		evb_stat_inc(EVB_S_REFUSED);
		break;
	case MLS_EVBUF_CONTENDED:
		break;
	}
	return v;
}

static int evb_report(struct mls_evbuf_ep *ep, bool success,
		      const struct evb_cfg *c)
{
	enum evb_op op = success ? EVB_OP_SUCCESS : EVB_OP_FAILURE;

	if (evb_apply(ep, op, EVB_CLOCK, c) == MLS_EVBUF_CONTENDED)
		return -EBUSY;
	atomic64_inc(success ? &evb_cold_of(ep)->successes :
			       &evb_cold_of(ep)->failures);
	return 0;
}

/* ---------------------------------------------------------- the table */

static u32 evb_hash(const struct mls_evbuf_key *k)
{
	if (k->kind == MLS_EVBUF_KIND_USER)
		return (u32)siphash(k, sizeof(*k), &evb_hkey);
	return (u32)siphash_4u32(k->kind, k->a, k->b, k->c, &evb_hkey);
}

static spinlock_t *evb_lock_of(u32 hash)
{
	return &evb_locks[(hash & (evb_nbuckets - 1)) % EVB_NLOCKS];
}

static bool evb_key_eq(const struct mls_evbuf_ep *ep,
		       const struct mls_evbuf_key *k, u32 hash)
{
	if (READ_ONCE(ep->hash) != hash || READ_ONCE(ep->kind) != k->kind ||
	    READ_ONCE(ep->key_a) != k->a || READ_ONCE(ep->key_b) != k->b)
		return false;
	if (k->kind == MLS_EVBUF_KIND_SENDER)
		return READ_ONCE(evb_cold_of(ep)->key.c) == k->c;
	return k->kind != MLS_EVBUF_KIND_USER ||
	       !memcmp(evb_cold_of(ep)->key.id, k->id, sizeof(k->id));
}

static u32 evb_slot_state(const struct mls_evbuf_ep *ep)
{
	return FIELD_GET(EVB_META_STATE, (u32)atomic_read_acquire(&ep->meta));
}

/* The slot's meta word with @state and its generation kept. */
static int evb_meta(const struct mls_evbuf_ep *ep, u32 state)
{
	return (int)(((u32)atomic_read(&ep->meta) & EVB_META_GEN) | state);
}

/* Under rcu_read_lock() or the bucket's lock. */
static struct mls_evbuf_ep *evb_find(const struct mls_evbuf_key *k, u32 hash)
{
	/* Pairs with the release in evb_insert(): the slot is filled in. */
	u32 i = smp_load_acquire(&evb_heads[hash & (evb_nbuckets - 1)]);

	while (i != EVB_NIL) {
		struct mls_evbuf_ep *ep = &evb_ep[i];

		if (evb_key_eq(ep, k, hash) && evb_slot_state(ep) == EVB_LIVE)
			return ep;
		/* Pairs with the release in evb_unlink(): so is the next one. */
		i = smp_load_acquire(&ep->next);
	}
	return NULL;
}

static struct mls_evbuf_ep *evb_claim(u32 hash)
{
	u32 start = hash % evb_nslots, i, pass;

	/*
	 * The caller counted its slot in evb_used, so one is free; a pass
	 * can still miss it when others claim ahead and free behind us.
	 */
	for (pass = 0; pass < 4; pass++) {
		for (i = 0; i < evb_nslots; i++) {
			struct mls_evbuf_ep *ep = &evb_ep[(start + i) % evb_nslots];
			int meta = atomic_read(&ep->meta);
			u32 gen = FIELD_GET(EVB_META_GEN, (u32)meta) + 1;

			if (FIELD_GET(EVB_META_STATE, (u32)meta) != EVB_FREE)
				continue;
			if (atomic_try_cmpxchg(&ep->meta, &meta,
					       (int)(FIELD_PREP(EVB_META_GEN, gen) |
						     EVB_CLAIMED)))
				return ep;
		}
	}
	return NULL;
}

static void evb_write_cfg(struct mls_evbuf_ep *ep, const struct mls_evbuf_cfg *cfg)
{
	struct evb_cold *cold = evb_cold_of(ep);
	u32 interval = cfg->rate ? DIV_ROUND_UP(EVB_TICKS_PER_SEC, cfg->rate) : 0;

	WRITE_ONCE(ep->interval, interval);
	WRITE_ONCE(ep->tau, (u64)interval * (max(cfg->burst, 1U) - 1));
	WRITE_ONCE(ep->threshold, cfg->fail_threshold);
	WRITE_ONCE(ep->probes, cfg->half_open_probes);
	WRITE_ONCE(ep->open_base_ms, cfg->open_base_ms);
	WRITE_ONCE(ep->open_max_ms, cfg->open_max_ms);
	WRITE_ONCE(ep->access, cfg->access);
	WRITE_ONCE(cold->rate, cfg->rate);
	WRITE_ONCE(cold->burst, cfg->burst);
}

static void evb_init_slot(struct mls_evbuf_ep *ep, const struct mls_evbuf_key *k,
			  u32 hash, const struct mls_evbuf_cfg *cfg)
{
	struct evb_cold *cold = evb_cold_of(ep);

	atomic64_set(&ep->word, evb_word(MLS_EVBUF_CLOSED, 0, 0, evb_now()));
	atomic64_set(&ep->events, 0);
	WRITE_ONCE(ep->hash, hash);
	WRITE_ONCE(ep->kind, k->kind);
	WRITE_ONCE(ep->key_a, k->a);
	WRITE_ONCE(ep->key_b, k->b);
	cold->key = *k;
	atomic64_set(&cold->throttled, 0);
	atomic64_set(&cold->refused, 0);
	atomic64_set(&cold->contended, 0);
	atomic64_set(&cold->cas_retries, 0);
	atomic64_set(&cold->failures, 0);
	atomic64_set(&cold->successes, 0);
	evb_write_cfg(ep, cfg);
}

static struct mls_evbuf_ep *evb_insert(const struct mls_evbuf_key *k, u32 hash,
				       const struct mls_evbuf_cfg *cfg,
				       struct mls_user *owner, bool *created)
{
	u32 bucket = hash & (evb_nbuckets - 1);
	bool user = k->kind == MLS_EVBUF_KIND_USER;
	spinlock_t *lock = evb_lock_of(hash);
	struct mls_evbuf_ep *ep;

	*created = false;
	spin_lock(lock);
	ep = evb_find(k, hash);
	if (ep)
		goto out;
	/* The owner's limit first: a user over it learns that, not "full". */
	ep = ERR_PTR(mls_user_charge(owner, MLS_QUOTA_ENDPOINTS, 1));
	if (IS_ERR(ep))
		goto out;
	ep = ERR_PTR(-ENOSPC);
	if (user && !atomic_add_unless(&evb_user_used, 1, evb_user_max))
		goto out_charge;
	if (!atomic_add_unless(&evb_used, 1, evb_nslots))
		goto out_user;
	ep = evb_claim(hash);
	if (!ep) {
		atomic_dec(&evb_used);
		ep = ERR_PTR(-ENOSPC);
		goto out_user;
	}
	evb_init_slot(ep, k, hash, cfg);
	evb_cold_of(ep)->user = mls_user_hold(owner);
	if (!user)
		atomic_inc(&evb_module_live);
	WRITE_ONCE(ep->next, evb_heads[bucket]);
	/* Live once filled in: pairs with the acquire in evb_slot_state(). */
	atomic_set_release(&ep->meta, evb_meta(ep, EVB_LIVE));
	/* Reachable only once live: pairs with the acquire in evb_find(). */
	smp_store_release(&evb_heads[bucket], (u32)(ep - evb_ep));
	*created = true;
	goto out;
out_user:
	if (user)
		atomic_dec(&evb_user_used);
out_charge:
	mls_user_uncharge(owner, MLS_QUOTA_ENDPOINTS, 1);
out:
	spin_unlock(lock);
	return ep;
}

static void evb_free_rcu(struct rcu_head *rcu)
{
	struct evb_cold *cold = container_of(rcu, struct evb_cold, rcu);
	struct mls_evbuf_ep *ep = &evb_ep[cold - evb_cold];

	/* Uncharged when unlinked; the reference lasted as long as the slot. */
	mls_user_put(cold->user);
	cold->user = NULL;
	atomic_set_release(&ep->meta, evb_meta(ep, EVB_FREE));
	atomic_dec(&evb_used);
}

/*
 * Unlinks the live endpoint of key @k, and if @only is given, only if it is
 * that slot. Lookups that already hold it finish on it; the slot is free
 * again after they have.
 */
static int evb_unlink(const struct mls_evbuf_key *k, u32 hash,
		      const struct mls_evbuf_ep *only)
{
	spinlock_t *lock = evb_lock_of(hash);
	struct mls_evbuf_ep *ep = NULL;
	u32 *link, i;

	spin_lock(lock);
	link = &evb_heads[hash & (evb_nbuckets - 1)];
	for (i = *link; i != EVB_NIL; link = &ep->next, i = *link) {
		ep = &evb_ep[i];
		if (evb_key_eq(ep, k, hash) && (!only || ep == only))
			break;
	}
	if (i == EVB_NIL) {
		spin_unlock(lock);
		return -ENOENT;
	}
	/* Readers that take the new link see the slot it leads to filled in. */
	smp_store_release(link, ep->next);
	atomic_set(&ep->meta, evb_meta(ep, EVB_DEAD));
	if (ep->kind == MLS_EVBUF_KIND_USER)
		atomic_dec(&evb_user_used);
	else
		atomic_dec(&evb_module_live);
	/* Gone for its owner at once, though the slot waits for a grace period. */
	mls_user_uncharge(evb_cold[i].user, MLS_QUOTA_ENDPOINTS, 1);
	spin_unlock(lock);
	call_rcu(&evb_cold[i].rcu, evb_free_rcu);
	return 0;
}

/* A module endpoint's key as read from its slot, racing with reuse. */
static void evb_module_key(const struct mls_evbuf_ep *ep, struct mls_evbuf_key *k)
{
	memset(k, 0, sizeof(*k));
	k->kind = READ_ONCE(ep->kind);
	k->a = READ_ONCE(ep->key_a);
	k->b = READ_ONCE(ep->key_b);
	k->c = READ_ONCE(evb_cold_of(ep)->key.c);
}

static void evb_sweep(struct work_struct *work)
{
	u64 now = evb_now();
	u32 i;

	for (i = 0; i < evb_nslots; i++) {
		struct mls_evbuf_ep *ep = &evb_ep[i];
		struct mls_evbuf_key k;
		s64 d;

		/* Under RCU the slot is not reused while we look at it. */
		rcu_read_lock();
		if (evb_slot_state(ep) != EVB_LIVE)
			goto next;
		d = evb_delta(FIELD_GET(EVB_TIME, atomic64_read(&ep->word)), now);
		if (READ_ONCE(ep->kind) != MLS_EVBUF_KIND_USER && d < -(s64)EVB_IDLE) {
			evb_module_key(ep, &k);
			if (k.kind != MLS_EVBUF_KIND_USER)
				evb_unlink(&k, evb_hash(&k), ep);
		} else if (d < -(s64)EVB_STALE) {
			evb_apply(ep, EVB_OP_SWEEP, now, NULL);
		}
next:
		rcu_read_unlock();
		if (!(i % 1024))
			cond_resched();
	}
	queue_delayed_work(system_power_efficient_wq, &evb_sweep_work,
			   EVB_SWEEP_PERIOD);
}

/* ------------------------------------------------- the module's endpoints */

static struct mls_evbuf_ep *evb_module_ep(const struct mls_evbuf_key *k,
					  u32 hash, struct mls_user *owner)
{
	struct mls_evbuf_cfg cfg;
	struct mls_evbuf_ep *ep;
	bool created;

	ep = evb_find(k, hash);
	if (ep)
		return ep;
	mls_evbuf_default_cfg(&cfg);
	cfg.rate = 0;
	ep = evb_insert(k, hash, &cfg, owner, &created);
	if (IS_ERR(ep)) {
		evb_stat_inc(EVB_S_MODULE_FULL);
		return NULL;
	}
	return ep;
}

void mls_evbuf_fallback_init(struct mls_evbuf_fallback *fb)
{
	u64 w = evb_word(MLS_EVBUF_CLOSED, 0, 0, evb_now());

	atomic64_set(&fb->sender, w);
	atomic64_set(&fb->encrypt, w);
	fb->sender_used = false;
}

int mls_evbuf_encrypt_admit(struct mls_group *g, u32 rate, u32 burst)
{
	struct mls_evbuf_key k = { .kind = MLS_EVBUF_KIND_ENCRYPT, .a = g->id };
	enum mls_evbuf_verdict v;
	struct evb_cfg c = { };
	struct mls_evbuf_ep *ep;

	if (!rate)
		return 0;
	rate = min_t(u32, rate, MLS_EVBUF_MAX_RATE);
	burst = clamp_t(u32, burst, 1, MLS_EVBUF_MAX_BURST);
	c.interval = DIV_ROUND_UP(EVB_TICKS_PER_SEC, rate);
	c.tau = (u64)c.interval * (burst - 1);

	rcu_read_lock();
	ep = evb_module_ep(&k, evb_hash(&k), g->user);
	if (ep)
		v = evb_record(ep, &c, EVB_CLOCK);
	else	/* The group's own rate, still enforced. */
		v = evb_apply_word(NULL, &g->evb_fallback.encrypt, &k,
				   EVB_OP_ADMIT, EVB_CLOCK, &c);
	if (v == MLS_EVBUF_THROTTLED)
		mls_event_throttled(&k);
	rcu_read_unlock();
	return v == MLS_EVBUF_ADMITTED ? 0 : -EAGAIN;
}

static void evb_sender_key(struct mls_evbuf_key *k, const struct mls_group *g,
			   u32 leaf, u64 epoch)
{
	*k = (struct mls_evbuf_key){
		.kind = MLS_EVBUF_KIND_SENDER, .a = g->id, .b = leaf,
		.c = lower_32_bits(epoch),
	};
}

/* The events name a group's fallback as its sender 0xffffffff. */
static void evb_fallback_key(struct mls_evbuf_key *k, const struct mls_group *g)
{
	evb_sender_key(k, g, U32_MAX, 0);
}

/* Under rcu_read_lock(): admit on @word if its circuit is not closed. */
static int evb_sender_admit(struct mls_evbuf_ep *ep, atomic64_t *word,
			    const struct mls_evbuf_key *k)
{
	enum mls_evbuf_verdict v;

	/* Nothing wrong: one read. */
	if (FIELD_GET(EVB_STATE, atomic64_read(word)) == MLS_EVBUF_CLOSED)
		return 0;
	if (ep)
		v = evb_record(ep, &evb_sender_cfg, EVB_CLOCK);
	else
		v = evb_apply_word(NULL, word, k, EVB_OP_ADMIT, EVB_CLOCK,
				   &evb_sender_cfg);
	return v == MLS_EVBUF_ADMITTED ? 1 : -ECONNREFUSED;
}

int mls_evbuf_sender_check(struct mls_group *g, u32 leaf, u64 epoch)
{
	struct mls_evbuf_key k;
	struct mls_evbuf_ep *ep;
	int ret = 0;

	evb_sender_key(&k, g, leaf, epoch);
	rcu_read_lock();
	ep = evb_find(&k, evb_hash(&k));
	if (ep) {
		ret = evb_sender_admit(ep, &ep->word, &k);
	} else if (READ_ONCE(g->evb_fallback.sender_used)) {
		evb_fallback_key(&k, g);
		ret = evb_sender_admit(NULL, &g->evb_fallback.sender, &k);
	}
	rcu_read_unlock();
	return ret;
}

/* Whether @w has something an authenticated message clears. */
static bool evb_sender_dirty(u64 w)
{
	return FIELD_GET(EVB_STATE, w) != MLS_EVBUF_CLOSED ||
	       FIELD_GET(EVB_FAILURES, w);
}

void mls_evbuf_sender_result(struct mls_group *g, u32 leaf, u64 epoch,
			     bool authentic)
{
	enum evb_op op = authentic ? EVB_OP_SUCCESS : EVB_OP_FAILURE;
	atomic64_t *fb = &g->evb_fallback.sender;
	struct mls_evbuf_key k;
	struct mls_evbuf_ep *ep;
	u32 hash;

	evb_sender_key(&k, g, leaf, epoch);
	hash = evb_hash(&k);
	rcu_read_lock();
	/* A sender with no slot, or closed with no failure, has nothing to clear. */
	ep = authentic ? evb_find(&k, hash) : evb_module_ep(&k, hash, g->user);
	if (ep) {
		if (!authentic || evb_sender_dirty(atomic64_read(&ep->word)))
			evb_report(ep, authentic, &evb_sender_cfg);
	} else if (!authentic || READ_ONCE(g->evb_fallback.sender_used)) {
		/* No endpoint for it: the group's own breaker takes it. */
		if (!authentic)
			WRITE_ONCE(g->evb_fallback.sender_used, true);
		evb_fallback_key(&k, g);
		if (!authentic || evb_sender_dirty(atomic64_read(fb)))
			evb_apply_word(NULL, fb, &k, op, EVB_CLOCK,
				       &evb_sender_cfg);
	}
	rcu_read_unlock();
}

void mls_evbuf_sender_release(struct mls_group *g, u32 leaf, u64 epoch)
{
	struct mls_evbuf_key k;
	struct mls_evbuf_ep *ep;

	evb_sender_key(&k, g, leaf, epoch);
	rcu_read_lock();
	ep = evb_find(&k, evb_hash(&k));
	if (ep) {
		evb_apply(ep, EVB_OP_RELEASE, EVB_CLOCK, &evb_sender_cfg);
	} else if (READ_ONCE(g->evb_fallback.sender_used)) {
		evb_fallback_key(&k, g);
		evb_apply_word(NULL, &g->evb_fallback.sender, &k,
			       EVB_OP_RELEASE, EVB_CLOCK, &evb_sender_cfg);
	}
	rcu_read_unlock();
}

void mls_evbuf_group_gone(u32 group_kid)
{
	struct mls_evbuf_key k;
	u32 i;

	/* Most groups never filed one: no scan of the table for them. */
	if (!atomic_read(&evb_module_live))
		return;
	for (i = 0; i < evb_nslots; i++) {
		struct mls_evbuf_ep *ep = &evb_ep[i];

		if (evb_slot_state(ep) != EVB_LIVE ||
		    READ_ONCE(ep->kind) == MLS_EVBUF_KIND_USER ||
		    READ_ONCE(ep->key_a) != group_kid)
			continue;
		rcu_read_lock();
		evb_module_key(ep, &k);
		if (k.kind != MLS_EVBUF_KIND_USER && k.a == group_kid)
			evb_unlink(&k, evb_hash(&k), ep);
		rcu_read_unlock();
	}
}

/* ------------------------------------------- for evbuf_ioctl.c: endpoints */

void mls_evbuf_default_cfg(struct mls_evbuf_cfg *cfg)
{
	cfg->rate = mls_evbuf_rate;
	cfg->burst = mls_evbuf_burst;
	cfg->fail_threshold = mls_evbuf_fail_threshold;
	cfg->half_open_probes = mls_evbuf_half_open_probes;
	cfg->open_base_ms = mls_evbuf_open_base_ms;
	cfg->open_max_ms = mls_evbuf_open_max_ms;
	cfg->access = MLS_EVBUF_ACCESS_PRIVATE;
}

void mls_evbuf_merge_cfg(struct mls_evbuf_cfg *dst, u32 mask,
			 const struct mls_evbuf_cfg *src)
{
	if (mask & MLS_EVBUF_CFG_RATE) {
		dst->rate = src->rate;
		dst->burst = src->burst;
	}
	if (mask & MLS_EVBUF_CFG_THRESHOLD)
		dst->fail_threshold = src->fail_threshold;
	if (mask & MLS_EVBUF_CFG_PROBES)
		dst->half_open_probes = src->half_open_probes;
	if (mask & MLS_EVBUF_CFG_OPEN_TIME) {
		dst->open_base_ms = src->open_base_ms;
		dst->open_max_ms = src->open_max_ms;
	}
	if (mask & MLS_EVBUF_CFG_ACCESS)
		dst->access = src->access;
}

int mls_evbuf_check_cfg(const struct mls_evbuf_cfg *cfg)
{
	if (cfg->rate > MLS_EVBUF_MAX_RATE ||
	    !cfg->burst || cfg->burst > MLS_EVBUF_MAX_BURST ||
	    !cfg->fail_threshold || cfg->fail_threshold > MLS_EVBUF_MAX_THRESHOLD ||
	    !cfg->half_open_probes || cfg->half_open_probes > MLS_EVBUF_MAX_PROBES ||
	    !cfg->open_base_ms || cfg->open_base_ms > MLS_EVBUF_MAX_OPEN_BASE_MS ||
	    cfg->open_max_ms < cfg->open_base_ms ||
	    cfg->open_max_ms > MLS_EVBUF_MAX_OPEN_MS ||
	    cfg->access > MLS_EVBUF_ACCESS_SHARED)
		return -EINVAL;
	return 0;
}

struct mls_evbuf_ep *mls_evbuf_find(const struct mls_evbuf_key *key)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "evbuf lookup outside RCU");
	return evb_find(key, evb_hash(key));
}

/* Under rcu_read_lock(); ERR_PTR(-ENOSPC) when the table is full. */
struct mls_evbuf_ep *mls_evbuf_insert(const struct mls_evbuf_key *key,
				      const struct mls_evbuf_cfg *cfg,
				      struct mls_user *user, bool *created)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "evbuf insert outside RCU");
	return evb_insert(key, evb_hash(key), cfg, user, created);
}

int mls_evbuf_remove(const struct mls_evbuf_key *key)
{
	return evb_unlink(key, evb_hash(key), NULL);
}

kuid_t mls_evbuf_owner(const struct mls_evbuf_ep *ep)
{
	return KUIDT_INIT(READ_ONCE(ep->key_a));
}

u32 mls_evbuf_access(const struct mls_evbuf_ep *ep)
{
	return READ_ONCE(ep->access);
}

void mls_evbuf_get_cfg(const struct mls_evbuf_ep *ep, struct mls_evbuf_cfg *cfg)
{
	const struct evb_cold *cold = evb_cold_of(ep);

	cfg->rate = READ_ONCE(cold->rate);
	cfg->burst = READ_ONCE(cold->burst);
	cfg->fail_threshold = READ_ONCE(ep->threshold);
	cfg->half_open_probes = READ_ONCE(ep->probes);
	cfg->open_base_ms = READ_ONCE(ep->open_base_ms);
	cfg->open_max_ms = READ_ONCE(ep->open_max_ms);
	cfg->access = READ_ONCE(ep->access);
}

/* Merges @mask fields of @cfg into @ep's; writers of one endpoint serialize. */
void mls_evbuf_set_cfg(struct mls_evbuf_ep *ep, u32 mask,
		       const struct mls_evbuf_cfg *cfg)
{
	spinlock_t *lock = evb_lock_of(ep->hash);
	struct mls_evbuf_cfg cur;

	spin_lock(lock);
	mls_evbuf_get_cfg(ep, &cur);
	mls_evbuf_merge_cfg(&cur, mask, cfg);
	evb_write_cfg(ep, &cur);
	spin_unlock(lock);
}

static void evb_ep_cfg(const struct mls_evbuf_ep *ep, struct evb_cfg *c)
{
	c->interval = READ_ONCE(ep->interval);
	c->tau = READ_ONCE(ep->tau);
	c->threshold = READ_ONCE(ep->threshold);
	c->probes = READ_ONCE(ep->probes);
	c->base = (u64)READ_ONCE(ep->open_base_ms) * EVB_TICKS_PER_MS;
	c->max = (u64)READ_ONCE(ep->open_max_ms) * EVB_TICKS_PER_MS;
}

enum mls_evbuf_verdict mls_evbuf_record(struct mls_evbuf_ep *ep)
{
	struct evb_cfg c;

	evb_ep_cfg(ep, &c);
	return evb_record(ep, &c, EVB_CLOCK);
}

u64 mls_evbuf_now(void)
{
	return evb_now();
}

/* A record at a time read earlier (mls_evbuf_now()): the benchmark's. */
enum mls_evbuf_verdict mls_evbuf_record_at(struct mls_evbuf_ep *ep, u64 now)
{
	struct evb_cfg c;

	evb_ep_cfg(ep, &c);
	return evb_record(ep, &c, now & EVB_TIME_MASK);
}

int mls_evbuf_report(struct mls_evbuf_ep *ep, bool success)
{
	struct evb_cfg c;

	evb_ep_cfg(ep, &c);
	return evb_report(ep, success, &c);
}

int mls_evbuf_force(struct mls_evbuf_ep *ep, u32 state)
{
	static const enum evb_op ops[] = {
		[MLS_EVBUF_CLOSED] = EVB_OP_CLOSE,
		[MLS_EVBUF_OPEN] = EVB_OP_TRIP,
		[MLS_EVBUF_HALF_OPEN] = EVB_OP_HALF_OPEN,
		[MLS_EVBUF_FORCED_OPEN] = EVB_OP_FORCE_OPEN,
	};
	struct evb_cfg c;

	if (state >= ARRAY_SIZE(ops))
		return -EINVAL;
	evb_ep_cfg(ep, &c);
	if (evb_apply(ep, ops[state], EVB_CLOCK, &c) == MLS_EVBUF_CONTENDED)
		return -EBUSY;
	return 0;
}

void mls_evbuf_read_state(struct mls_evbuf_ep *ep, struct mls_evbuf_state *st)
{
	struct evb_cold *cold = evb_cold_of(ep);
	u64 w = atomic64_read(&ep->word);
	s64 d = evb_delta(FIELD_GET(EVB_TIME, w), evb_now());
	struct evb_cfg c;

	evb_ep_cfg(ep, &c);
	st->state = FIELD_GET(EVB_STATE, w);
	st->trips = FIELD_GET(EVB_TRIPS, w);
	switch (st->state) {
	case MLS_EVBUF_CLOSED:
		st->failures = FIELD_GET(EVB_FAILURES, w);
		if (c.interval && d > (s64)c.tau) {
			st->throttled = 1;
			st->retry_ns = (u64)(d - (s64)c.tau) << EVB_TICK_SHIFT;
		}
		break;
	case MLS_EVBUF_OPEN:
		/* Past its open time it is half-open for the next record. */
		if (d > 0)
			st->reopen_ns = (u64)d << EVB_TICK_SHIFT;
		else
			st->state = MLS_EVBUF_HALF_OPEN;
		break;
	case MLS_EVBUF_HALF_OPEN:
		st->probes = FIELD_GET(EVB_PROBES, w);
		st->probe_successes = FIELD_GET(EVB_PROBE_OK, w);
		break;
	}
	st->events = atomic64_read(&ep->events);
	st->throttled_events = atomic64_read(&cold->throttled);
	st->refused_events = atomic64_read(&cold->refused);
	st->contended = atomic64_read(&cold->contended);
	st->cas_retries = atomic64_read(&cold->cas_retries);
	st->failures_total = atomic64_read(&cold->failures);
	st->successes_total = atomic64_read(&cold->successes);
}

u64 mls_evbuf_cas_retries(const struct mls_evbuf_ep *ep)
{
	return atomic64_read(&evb_cold_of(ep)->cas_retries);
}

void mls_evbuf_read_info(struct mls_evbuf_info *info)
{
	u64 sum[EVB_NSTATS] = { };
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct evb_stats *s = per_cpu_ptr(&evb_stats, cpu);

		for (i = 0; i < EVB_NSTATS; i++)
			sum[i] += READ_ONCE(s->v[i]);
	}
	info->slots = evb_nslots;
	info->user_slots = evb_user_max;
	info->used = atomic_read(&evb_used);
	info->user_used = atomic_read(&evb_user_used);
	info->lock = evb_spin ? MLS_EVBUF_LOCK_SPINLOCK : MLS_EVBUF_LOCK_CAS;
	info->tick_ns = EVB_TICK_NS;
	info->records = sum[EVB_S_RECORDS];
	info->admitted = sum[EVB_S_ADMITTED];
	info->throttled = sum[EVB_S_THROTTLED];
	info->refused = sum[EVB_S_REFUSED];
	info->contended = sum[EVB_S_CONTENDED];
	info->cas_retries = sum[EVB_S_CAS_RETRIES];
	info->trips = sum[EVB_S_TRIPS];
	info->half_opens = sum[EVB_S_HALF_OPENS];
	info->closes = sum[EVB_S_CLOSES];
	info->payloads = sum[EVB_S_PAYLOADS];
	info->payload_bombs = sum[EVB_S_BOMBS];
	info->payload_malformed = sum[EVB_S_MALFORMED];
	info->module_full = sum[EVB_S_MODULE_FULL];
}

/*
 * Endpoints whose circuit is open now: open with its open time still
 * ahead (past it, the next record is a probe), or forced open. One pass
 * over the table under RCU, no lock, for /sys/kernel/mls/health.
 */
u32 mls_evbuf_breakers_open(void)
{
	u64 now = evb_now();
	u32 i, n = 0;

	for (i = 0; i < evb_nslots; i++) {
		struct mls_evbuf_ep *ep = &evb_ep[i];
		u64 w;

		rcu_read_lock();
		if (evb_slot_state(ep) == EVB_LIVE) {
			w = atomic64_read(&ep->word);
			switch (FIELD_GET(EVB_STATE, w)) {
			case MLS_EVBUF_OPEN:
				if (evb_delta(FIELD_GET(EVB_TIME, w), now) > 0)
					n++;
				break;
			case MLS_EVBUF_FORCED_OPEN:
				n++;
				break;
			}
		}
		rcu_read_unlock();
		if (!(i % 1024))
			cond_resched();
	}
	return n;
}

void mls_evbuf_count_payload(int result)
{
	evb_stat_inc(EVB_S_PAYLOADS);
	if (result == -EMSGSIZE)
		evb_stat_inc(EVB_S_BOMBS);
	else if (result == -EBADMSG)
		evb_stat_inc(EVB_S_MALFORMED);
}

/* --------------------------------------------------------- self-test */

#ifdef MLS_SELFTEST
/*
 * The word's arithmetic on synthetic times, around the wrap of the 47-bit
 * clock, which no test from userspace can wait for. A failed row is
 * logged by number and refuses the load.
 */
static bool __init evb_row(bool ok, int *row)
{
	++*row;
	if (!ok)
		pr_err("evbuf self-test row %d failed\n", *row);
	return ok;
}

static int __init evb_selftest(void)
{
	const struct evb_cfg c = {
		.interval = 100, .tau = 200, .threshold = 2, .probes = 2,
		.base = 1000, .max = 3000,
	};
	const u64 wrap = EVB_TIME_MASK - 150;	/* 151 ticks before the wrap */
	u64 w = evb_word(MLS_EVBUF_CLOSED, 0, 0, wrap), n;
	bool ok = true;
	int row = 0, i;

#define EVB_CHECK(cond) (ok &= evb_row((cond), &row))
	EVB_CHECK(evb_delta(5, EVB_TIME_MASK - 4) == 10);
	EVB_CHECK(evb_delta(EVB_TIME_MASK - 4, 5) == -10);
	EVB_CHECK(evb_delta(1ULL << 45, 0) == 1LL << 45);
	EVB_CHECK(evb_delta(0, 1ULL << 45) == -(1LL << 45));

	/* A burst of 3 (tau = 2 intervals) across the wrap, then throttled. */
	for (i = 0; i < 3; i++) {
		EVB_CHECK(evb_step(EVB_OP_ADMIT, w, wrap, &c, &n) == MLS_EVBUF_ADMITTED);
		w = n;
	}
	EVB_CHECK(FIELD_GET(EVB_TIME, w) == ((wrap + 300) & EVB_TIME_MASK));
	EVB_CHECK(evb_step(EVB_OP_ADMIT, w, wrap, &c, &n) == MLS_EVBUF_THROTTLED);
	EVB_CHECK(n == w);
	/* One interval later, past the wrap, one more. */
	EVB_CHECK(evb_step(EVB_OP_ADMIT, w, wrap + 100, &c, &n) == MLS_EVBUF_ADMITTED);
	EVB_CHECK(evb_step(EVB_OP_ADMIT, n, wrap + 100, &c, &n) == MLS_EVBUF_THROTTLED);

	/* Two failures trip it, across the wrap; open until base has passed. */
	evb_step(EVB_OP_FAILURE, w, wrap, &c, &w);
	EVB_CHECK(FIELD_GET(EVB_STATE, w) == MLS_EVBUF_CLOSED &&
		  FIELD_GET(EVB_FAILURES, w) == 1);
	evb_step(EVB_OP_FAILURE, w, wrap, &c, &w);
	EVB_CHECK(FIELD_GET(EVB_STATE, w) == MLS_EVBUF_OPEN &&
		  FIELD_GET(EVB_TRIPS, w) == 1);
	EVB_CHECK(evb_step(EVB_OP_ADMIT, w, wrap + 999, &c, &n) == MLS_EVBUF_REFUSED);
	EVB_CHECK(evb_step(EVB_OP_ADMIT, w, wrap + 1000, &c, &w) == MLS_EVBUF_ADMITTED);
	EVB_CHECK(FIELD_GET(EVB_STATE, w) == MLS_EVBUF_HALF_OPEN &&
		  FIELD_GET(EVB_PROBES, w) == 1);
	EVB_CHECK(evb_step(EVB_OP_ADMIT, w, wrap + 1000, &c, &w) == MLS_EVBUF_ADMITTED);
	EVB_CHECK(evb_step(EVB_OP_ADMIT, w, wrap + 1000, &c, &n) == MLS_EVBUF_REFUSED);
	/* A failed probe: open again, twice as long. */
	evb_step(EVB_OP_FAILURE, w, wrap + 1000, &c, &n);
	EVB_CHECK(FIELD_GET(EVB_STATE, n) == MLS_EVBUF_OPEN &&
		  FIELD_GET(EVB_TRIPS, n) == 2 &&
		  evb_delta(FIELD_GET(EVB_TIME, n), wrap + 1000) == 2000);
	/* Two successful probes close it: trips back to 0. */
	evb_step(EVB_OP_SUCCESS, w, wrap + 1000, &c, &w);
	EVB_CHECK(FIELD_GET(EVB_STATE, w) == MLS_EVBUF_HALF_OPEN &&
		  FIELD_GET(EVB_PROBE_OK, w) == 1);
	evb_step(EVB_OP_SUCCESS, w, wrap + 1000, &c, &w);
	EVB_CHECK(FIELD_GET(EVB_STATE, w) == MLS_EVBUF_CLOSED &&
		  FIELD_GET(EVB_TRIPS, w) == 0);

	/* The open time doubles per trip up to its cap; trips saturate. */
	EVB_CHECK(evb_open_time(&c, 1) == 1000 && evb_open_time(&c, 2) == 2000 &&
		  evb_open_time(&c, 3) == 3000 && evb_open_time(&c, 31) == 3000);
	w = evb_word(MLS_EVBUF_HALF_OPEN, EVB_TRIPS_MAX, 0, 0);
	evb_step(EVB_OP_FAILURE, w, 0, &c, &w);
	EVB_CHECK(FIELD_GET(EVB_TRIPS, w) == EVB_TRIPS_MAX);

	/* The sweep pulls a stale time up, and leaves a recent one. */
	w = evb_word(MLS_EVBUF_CLOSED, 0, 0, 5);
	evb_step(EVB_OP_SWEEP, w, 5 + EVB_STALE + 7, &c, &n);
	EVB_CHECK(FIELD_GET(EVB_TIME, n) == 12);
	evb_step(EVB_OP_SWEEP, w, 5 + EVB_STALE, &c, &n);
	EVB_CHECK(n == w);
#undef EVB_CHECK
	return ok ? 0 : -ENOTRECOVERABLE;
}
#else
static inline int evb_selftest(void)
{
	return 0;
}
#endif

/* ------------------------------------------------------- init and exit */

static int __init evb_check_params(void)
{
	struct mls_evbuf_cfg cfg;

	if (mls_evbuf_slots < EVB_MIN_SLOTS || mls_evbuf_slots > EVB_MAX_SLOTS) {
		pr_err("evbuf_slots must be %u to %u\n", EVB_MIN_SLOTS, EVB_MAX_SLOTS);
		return -EINVAL;
	}
	mls_evbuf_default_cfg(&cfg);
	if (mls_evbuf_check_cfg(&cfg)) {
		pr_err("evbuf_rate, _burst, _fail_threshold, _half_open_probes, _open_base_ms or _open_max_ms out of range\n");
		return -EINVAL;
	}
	if (!mls_evbuf_gzip_max_size ||
	    mls_evbuf_gzip_max_size > EVB_GZIP_MAX_INFLATED ||
	    !mls_evbuf_gzip_max_ratio) {
		pr_err("evbuf_gzip_max_size must be 1 to %u, evbuf_gzip_max_ratio at least 1\n",
		       EVB_GZIP_MAX_INFLATED);
		return -EINVAL;
	}
	if (!strcmp(mls_evbuf_lock, "spinlock")) {
		evb_spin = true;
	} else if (strcmp(mls_evbuf_lock, "cas")) {
		pr_err("evbuf_lock must be cas or spinlock\n");
		return -EINVAL;
	}
	return 0;
}

int __init mls_evbuf_init(void)
{
	u32 i;
	int ret;

	BUILD_BUG_ON(sizeof(struct mls_evbuf_ep) != SMP_CACHE_BYTES);
	BUILD_BUG_ON(FIELD_MAX(EVB_PROBE_OK) < MLS_EVBUF_MAX_PROBES);
	BUILD_BUG_ON(EVB_FAILURES_MAX < MLS_EVBUF_MAX_THRESHOLD);
	BUILD_BUG_ON(EVB_TICKS_PER_SEC < MLS_EVBUF_MAX_RATE);

	ret = evb_check_params();
	if (ret)
		return ret;
	ret = evb_selftest();
	if (ret)
		return ret;

	evb_nslots = mls_evbuf_slots;
	evb_nbuckets = roundup_pow_of_two(evb_nslots);
	evb_user_max = evb_nslots - evb_nslots / 4;
	evb_ep = vzalloc(array_size(evb_nslots, sizeof(*evb_ep)));
	evb_cold = vzalloc(array_size(evb_nslots, sizeof(*evb_cold)));
	evb_heads = kvmalloc_array(evb_nbuckets, sizeof(*evb_heads), GFP_KERNEL);
	if (!evb_ep || !evb_cold || !evb_heads) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < evb_nbuckets; i++)
		evb_heads[i] = EVB_NIL;
	for (i = 0; i < EVB_NLOCKS; i++)
		spin_lock_init(&evb_locks[i]);
	atomic_set(&evb_used, 0);
	atomic_set(&evb_user_used, 0);
	atomic_set(&evb_module_live, 0);
	get_random_bytes(&evb_hkey, sizeof(evb_hkey));

	evb_sender_cfg.threshold = mls_evbuf_fail_threshold;
	evb_sender_cfg.probes = mls_evbuf_half_open_probes;
	evb_sender_cfg.base = (u64)mls_evbuf_open_base_ms * EVB_TICKS_PER_MS;
	evb_sender_cfg.max = (u64)mls_evbuf_open_max_ms * EVB_TICKS_PER_MS;

	INIT_DELAYED_WORK(&evb_sweep_work, evb_sweep);
	queue_delayed_work(system_power_efficient_wq, &evb_sweep_work,
			   EVB_SWEEP_PERIOD);
	return 0;
err:
	kvfree(evb_heads);
	vfree(evb_cold);
	vfree(evb_ep);
	return ret;
}

/* After the last user of the hooks and the ioctls is gone. */
void mls_evbuf_exit(void)
{
	u32 i;

	cancel_delayed_work_sync(&evb_sweep_work);
	/* Slots removed just now are freed by RCU callbacks into the table. */
	rcu_barrier();
	/* The endpoints still live: what they were charged goes back. */
	for (i = 0; i < evb_nslots; i++) {
		if (evb_slot_state(&evb_ep[i]) != EVB_LIVE)
			continue;
		mls_user_uncharge(evb_cold[i].user, MLS_QUOTA_ENDPOINTS, 1);
		mls_user_put(evb_cold[i].user);
	}
	kvfree(evb_heads);
	vfree(evb_cold);
	vfree(evb_ep);
}
