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

#include <linux/fs.h>
#include <linux/types.h>
#include <linux/uidgid.h>

int mls_evbuf_init(void);
void mls_evbuf_exit(void);

/* /dev/mls forwards every ioctl whose _IOC_NR is in 0x40..0x4f here. */
long mls_evbuf_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/*
 * Data-path hooks. Any process context; none sleeps. When the table is
 * full the module's own endpoint cannot be filed: the hook then lets the
 * operation through and counts it (mls_evbuf_info.module_full).
 */

/* 0, or -EAGAIN when the group's encrypt rate is exceeded; rate 0: no limit. */
int mls_evbuf_encrypt_admit(u32 group_kid, u32 rate, u32 burst);
/* 0, or -ECONNREFUSED while the sender's circuit is open. */
int mls_evbuf_sender_check(u32 group_kid, u32 leaf);
/*
 * After each decrypt attempt that reached the content authentication:
 * @authentic false means the tag failed (a forgery from @leaf).
 */
void mls_evbuf_sender_result(u32 group_kid, u32 leaf, bool authentic);
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
	u32 zero;
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
				      bool *created);
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
