/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A group: one member's state of one MLS group, with its epochs.
 *
 * Lifetime: kref. The registry holds one reference from creation until
 * destroy (or module unload), each group fd one, each running operation
 * one. Lookups by id run under RCU.
 *
 * Locking:
 *  - commit_lock (mutex) serialises epoch changes and guards the pending
 *    commit; a second committer does not wait, it loses (-EBUSY): one
 *    commit wins per epoch.
 *  - lock (spinlock) guards the epoch list, nfiles and dead; operations
 *    take a reference on the epoch they use and drop the lock before any
 *    crypto.
 */
#ifndef _MLS_GROUP_H
#define _MLS_GROUP_H

#include "epoch.h"
#include "evbuf.h"
#include "suite.h"

#include <uapi/linux/mls.h>

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct mls_epoch;
struct mls_pending;
struct mls_group_kobj;
struct mls_group_stats;
struct mls_user;

/* The kernel's copy of struct mls_policy; fields read with READ_ONCE. */
struct mls_group_policy {
	u32 out_of_order;
	u32 max_forward;
	u32 epochs_kept;
	u32 epoch_max_age_ms;
	u32 padding_block;
	u32 encrypt_rate;
	u32 encrypt_burst;
	u32 commit_timeout_ms;
	/*
	 * MLS_POLICY_RECV_SAVE: N in the low half, the flags in the high
	 * one, in one word so that no reader pairs an old N with new flags
	 * (recv_save.c).
	 */
	u64 recv_save;
};

struct mls_group {
	struct kref ref;
	struct rcu_head rcu;
	u32 id;
	u32 flags;			/* MLS_GROUP_F_* it was made with */
	const struct mls_suite *suite;
	u8 group_id[MLS_MAX_GROUP_ID_LEN];
	u16 group_id_len;
	u32 own_leaf;
	kuid_t owner;
	kgid_t owner_gid;
	umode_t mode;
	/* In the index of live members by (owner, group_id, own_leaf). */
	struct rhlist_head member_node;
	/* The owner's limits (quota.c): what the group makes counts there. */
	struct mls_user *user;
	bool charged;			/* one of the owner's groups */
	/* Its event-buffer endpoints when the table or quota is full. */
	struct mls_evbuf_fallback evb_fallback;

	struct mutex commit_lock;	/* epoch changes; see above */
	/* The current epoch's init_secret, for the next commit. */
	u8 init_secret[MLS_MAX_HASH_LEN];
	bool has_init_secret;
	struct mls_pending *pending;	/* commit.c: the staged next epoch */
	/* The last pending epoch its timeout discarded (merge: -ETIMEDOUT). */
	u64 timed_out_epoch;
	bool has_timed_out;

	spinlock_t lock;		/* epochs, nr_epochs, nfiles, dead, ended */
	struct list_head epochs;	/* newest (current) first */
	unsigned int nr_epochs;
	unsigned int nfiles;
	bool dead;
	/*
	 * Its current epoch is its last (struct mls_epoch.final): set with
	 * that epoch, never cleared. For the state readers, which take no
	 * lock (READ_ONCE); the data plane asks the epoch it took.
	 */
	bool ended;

	struct mls_group_policy policy;
	/*
	 * Imported without resuming (snapshot.c), commit_lock: a lost newer
	 * copy may have reached and sent in the epochs commits lead to, so
	 * each new epoch is receive-only until one merged with
	 * MLS_COMMIT_F_OWN_PATH (a fresh commit_secret) clears it.
	 */
	bool send_tainted;
	/* The last snapshot's sequence number (snapshot.c), commit_lock. */
	u64 snap_seq;
	/*
	 * What the last export of a persistent group reserved (snapshot.c),
	 * under commit_lock: its @seq, its epoch, and per ratchet type the
	 * limit that MLS_IOC_GROUP_SAVED puts in force.
	 */
	struct {
		u64 seq;
		u64 epoch;
		u64 limit[2];
		u64 recv_done;		/* the decrypts it holds (recv_save.c) */
		bool valid;
		/*
		 * The last snapshot MLS_IOC_GROUP_SAVED put in force, and
		 * its epoch (0, 0: none); read without the lock.
		 */
		u64 saved_seq;
		u64 saved_epoch;
		/*
		 * The drain (drain.c) the last export was taken in (0:
		 * none), and the one the last save was: a group saved for
		 * the drain in force is done.
		 */
		u64 drain_id;
		u64 saved_drain_id;
	} reserve;

	/*
	 * The decrypts of a persistent group (recv_save.c): @claimed, those
	 * delivered or in flight; @done, those committed to the secret tree;
	 * @saved, those the last snapshot saved holds (its
	 * reserve.recv_done; READ_ONCE). What no saved snapshot holds is
	 * @claimed - @saved. Bit 0 of @asked: MLS_CMD_RESERVE_LOW went out
	 * for them since that save.
	 */
	struct {
		atomic64_t claimed;
		atomic64_t done;
		u64 saved;
		unsigned long asked;
	} recv;

	struct mls_group_stats __percpu *stats;	/* stats.c */
	struct mls_group_kobj *sysfs;	/* its directory (sysfs.c) */
};

/*
 * One member of one group as an owner knows it: the key of the index of
 * live groups (mls_group_member_alive()) and of the snapshots' records
 * (snapshot.c). The group_id is public; nothing secret is hashed.
 */
struct mls_member_key {
	kuid_t owner;
	u32 own_leaf;
	const u8 *group_id;
	size_t group_id_len;
};

/* @g's key in those indexes. */
static inline struct mls_member_key mls_group_member_key(const struct mls_group *g)
{
	return (struct mls_member_key){
		.owner = g->owner,
		.own_leaf = g->own_leaf,
		.group_id = g->group_id,
		.group_id_len = g->group_id_len,
	};
}

u32 mls_member_key_hash(const struct mls_member_key *k, u32 seed);
bool mls_member_key_eq(const struct mls_member_key *k, kuid_t owner,
		       const u8 *group_id, size_t group_id_len, u32 own_leaf);

int mls_groups_init(void);
void mls_groups_exit(void);

/* Registry */
struct mls_group *mls_group_alloc(const struct mls_suite *suite,
				  const u8 *group_id, size_t group_id_len,
				  u32 own_leaf, u32 flags, umode_t mode);
int mls_group_publish(struct mls_group *g, struct mls_epoch *first);
int mls_group_publish_at(struct mls_group *g, u32 want);
bool mls_group_member_alive(kuid_t owner, const u8 *group_id,
			    size_t group_id_len, u32 own_leaf);
struct mls_group *mls_group_lookup(u32 id);
void mls_group_put(struct mls_group *g);
int mls_group_destroy(struct mls_group *g);
int mls_group_may_open(const struct mls_group *g);
bool mls_group_may_see(const struct mls_group *g, const struct cred *cred,
		       bool admin);
int mls_group_list(u32 *ids, u32 cap, u32 *count);
unsigned int mls_groups_active(void);
struct mls_group *mls_group_next(unsigned long *id);

/* Group fds */
int mls_group_new_file(struct mls_group *g, struct file **filep, int *fdp);
struct mls_group *mls_group_from_file(struct file *file);

/* Epochs of a group */
struct mls_epoch *mls_group_current(struct mls_group *g);
struct mls_epoch *mls_group_current_oldest(struct mls_group *g, u64 *oldest);
struct mls_epoch *mls_group_epoch(struct mls_group *g, u64 epoch);
int mls_group_advance(struct mls_group *g, struct mls_epoch *next,
		      bool own_path);
int mls_group_current_secret(struct mls_group *g, enum mls_epoch_secret which,
			     u8 *out, u64 *epoch);
void mls_group_prune(struct mls_group *g);

#endif /* _MLS_GROUP_H */
