/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event buffer: a fixed table of endpoints, each one 64-bit state word
 * (a GCRA rate limit and a circuit breaker) changed only by a bounded
 * compare-and-swap loop. Userspace reaches it through the /dev/mls ioctls
 * 0x40-0x4f (evbuf_ioctl.c); the group code through the data-path hooks
 * below, which file the module's own endpoints in a namespace no ioctl can
 * name.
 */
#ifndef _MLS_EVBUF_H
#define _MLS_EVBUF_H

#include <uapi/linux/mls.h>

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/types.h>
#include <linux/uidgid.h>

int mls_evbuf_init(void);
void mls_evbuf_exit(void);

/* /dev/mls forwards every ioctl whose _IOC_NR is in 0x40..0x4f here. */
long mls_evbuf_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

struct mls_group;
struct mls_user;

/*
 * A group's own endpoint, outside the table: what its endpoints fall back
 * on when one of them cannot be filed (the table is full, or the owner's
 * endpoint limit is reached). The cost of a full table or quota falls on
 * the group that needed one more endpoint, never on another group.
 */
struct mls_evbuf_fallback {
	atomic64_t sender;	/* every sender of the group without an endpoint */
	atomic64_t encrypt;	/* the encrypt rate without an endpoint */
	bool sender_used;	/* set once, when a sender first fell back */
};

void mls_evbuf_fallback_init(struct mls_evbuf_fallback *fb);

/*
 * Data-path hooks. Any process context; none sleeps. The module's own
 * endpoints are charged to the group owner's endpoint limit (§12). When
 * one cannot be filed the group's fallback is used instead and the event
 * counted (mls_evbuf_info.module_full).
 *
 * A sender's breaker is per (group, leaf, epoch): failures in one epoch
 * do not block the sender's messages in another.
 */

/* 0, or -EAGAIN when the group's encrypt rate is exceeded; rate 0: no limit. */
int mls_evbuf_encrypt_admit(struct mls_group *g, u32 rate, u32 burst);
/*
 * 0 (closed), 1 (admitted as a half-open probe: its outcome must be
 * reported with mls_evbuf_sender_result() or given back with
 * mls_evbuf_sender_release()), or -ECONNREFUSED while the sender's
 * circuit is open.
 */
int mls_evbuf_sender_check(struct mls_group *g, u32 leaf, u64 epoch);
/*
 * After each decrypt attempt that reached the content authentication:
 * @authentic false means the tag failed (a forgery from @leaf).
 */
void mls_evbuf_sender_result(struct mls_group *g, u32 leaf, u64 epoch,
			     bool authentic);
/*
 * A probe admitted by mls_evbuf_sender_check() ended with no
 * authenticated outcome (a replay, a generation out of range or expired,
 * an output buffer too small): the next message is the probe.
 */
void mls_evbuf_sender_release(struct mls_group *g, u32 leaf, u64 epoch);
/*
 * Removes the group's endpoints. Call it once no operation of the group
 * can still call the hooks above (what comes later is filed anew and
 * cleaned up by the idle sweep).
 */
void mls_evbuf_group_gone(u32 group_kid);

/*
 * For /sys/kernel/mls (sysfs.c): the endpoints whose circuit is open now
 * (open with its open time ahead, or forced open); one pass over the
 * table. The table's size and use: mls_evbuf_read_info() below.
 */
u32 mls_evbuf_breakers_open(void);

/*
 * Between evbuf.c (the table) and evbuf_ioctl.c (the ioctls) only.
 */

/* What names an endpoint: its kind, then (owner, id) or (group, leaf). */
enum mls_evbuf_kind {
	MLS_EVBUF_KIND_USER = 1,
	MLS_EVBUF_KIND_SENDER,		/* (group kid, leaf): forgeries */
	MLS_EVBUF_KIND_ENCRYPT,		/* (group kid): encrypt rate */
};

struct mls_evbuf_key {
	u32 kind;
	u32 a;		/* user: owner's kuid value; module: group kid */
	u32 b;		/* sender: leaf; else 0 */
	u32 c;		/* sender: the epoch's low 32 bits; else 0 */
	char id[MLS_EVBUF_ID_SIZE];	/* user: NUL-padded id; else zero */
};

/* An endpoint's configuration in the uapi's units (struct mls_evbuf_config). */
struct mls_evbuf_cfg {
	u32 rate;
	u32 burst;
	u32 fail_threshold;
	u32 half_open_probes;
	u32 open_base_ms;
	u32 open_max_ms;
	u32 access;
};

/* Outcome of one admission. */
enum mls_evbuf_verdict {
	MLS_EVBUF_ADMITTED,
	MLS_EVBUF_THROTTLED,
	MLS_EVBUF_REFUSED,
	MLS_EVBUF_CONTENDED,
};

/* A slot; its pointer is valid inside the rcu_read_lock() it was found in. */
struct mls_evbuf_ep;

void mls_evbuf_default_cfg(struct mls_evbuf_cfg *cfg);
void mls_evbuf_merge_cfg(struct mls_evbuf_cfg *dst, u32 mask,
			 const struct mls_evbuf_cfg *src);
int mls_evbuf_check_cfg(const struct mls_evbuf_cfg *cfg);

struct mls_evbuf_ep *mls_evbuf_find(const struct mls_evbuf_key *key);
struct mls_evbuf_ep *mls_evbuf_insert(const struct mls_evbuf_key *key,
				      const struct mls_evbuf_cfg *cfg,
				      struct mls_user *user, bool *created);
int mls_evbuf_remove(const struct mls_evbuf_key *key);

kuid_t mls_evbuf_owner(const struct mls_evbuf_ep *ep);
u32 mls_evbuf_access(const struct mls_evbuf_ep *ep);
void mls_evbuf_get_cfg(const struct mls_evbuf_ep *ep, struct mls_evbuf_cfg *cfg);
void mls_evbuf_set_cfg(struct mls_evbuf_ep *ep, u32 mask,
		       const struct mls_evbuf_cfg *cfg);

enum mls_evbuf_verdict mls_evbuf_record(struct mls_evbuf_ep *ep);
u64 mls_evbuf_now(void);
enum mls_evbuf_verdict mls_evbuf_record_at(struct mls_evbuf_ep *ep, u64 now);
int mls_evbuf_report(struct mls_evbuf_ep *ep, bool success);
int mls_evbuf_force(struct mls_evbuf_ep *ep, u32 state);
void mls_evbuf_read_state(struct mls_evbuf_ep *ep, struct mls_evbuf_state *st);
u64 mls_evbuf_cas_retries(const struct mls_evbuf_ep *ep);

void mls_evbuf_read_info(struct mls_evbuf_info *info);
void mls_evbuf_count_payload(int result);

#endif /* _MLS_EVBUF_H */
