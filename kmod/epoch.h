/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One epoch of a group: its secrets (kept only in kernel memory), its
 * GroupContext bytes, its roster and its secret tree.
 *
 * The current epoch encrypts and decrypts (ACTIVE); past epochs only
 * decrypt (GRACE) until the group's retention policy drops them, which
 * erases every secret they hold (EXPIRED: only "older than the oldest
 * kept" remains, which is what -EKEYEXPIRED reports). An epoch is
 * reference counted: an operation that uses it after dropping the group
 * lock holds a reference, and the secrets are erased with the last one.
 */
#ifndef _MLS_EPOCH_H
#define _MLS_EPOCH_H

#include "keysched.h"
#include "protect.h"
#include "secret_tree.h"
#include "suite.h"

#include <uapi/linux/mls.h>

#include <linux/bitmap.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>

struct mls_user;

struct mls_epoch {
	struct list_head node;
	struct kref ref;
	u64 epoch;
	unsigned long made_at;		/* jiffies it was made */
	unsigned long left_at;		/* jiffies it stopped being current */
	bool is_current;
	u32 own_leaf;
	u32 leaf_count;
	unsigned long *occupied;
	u8 *context;			/* encoded GroupContext */
	size_t context_len;
	struct mls_secret_tree *tree;
	const struct mls_suite *suite;
	struct mls_user *user;		/* charged with @charged bytes */
	size_t charged;
	bool has_exporter;		/* false for an installed epoch */
	/*
	 * The group's last epoch (MLS_COMMIT_F_FINAL: a ReInit): nothing is
	 * sent or received in it and no commit follows it. Set before the
	 * epoch is published (pending, or restored), never changed after.
	 * Once current it keeps only what it still serves (mls_epoch_end()):
	 * no @tree, and @sender_data_secret, @membership_key and the
	 * confirmation and external secrets of @live are zeros.
	 */
	bool final;
	u8 sender_data_secret[MLS_MAX_HASH_LEN];
	/* Kept for as long as the epoch (late PublicMessages, resumption). */
	u8 membership_key[MLS_MAX_HASH_LEN];
	u8 resumption_psk[MLS_MAX_HASH_LEN];
	u8 cth[MLS_MAX_CONTEXT_HASH_LEN];	/* confirmed_transcript_hash */
	u8 cth_len;
	/*
	 * Only the current (or pending) epoch uses these: erased and freed
	 * under the group's lock when the epoch stops being current
	 * (mls_epoch_retire()), so that a past epoch does not carry 256
	 * bytes it never reads; read them with mls_group_current_secret().
	 * NULL in an installed epoch (!@has_exporter) and once retired.
	 */
	struct mls_epoch_live *live;
};

/* The secrets of struct mls_epoch that only the current epoch keeps. */
struct mls_epoch_live {
	u8 exporter_secret[MLS_MAX_HASH_LEN];
	u8 authenticator[MLS_MAX_HASH_LEN];
	u8 confirmation_key[MLS_MAX_HASH_LEN];
	u8 external_secret[MLS_MAX_HASH_LEN];
};

/* The secrets of struct mls_epoch that only the current epoch keeps. */
enum mls_epoch_secret {
	MLS_SECRET_EXPORTER,
	MLS_SECRET_AUTHENTICATOR,
	MLS_SECRET_CONFIRMATION,
	MLS_SECRET_EXTERNAL,
};

/*
 * Where @which lives in @e, whose @live the caller checked, under the
 * lock that retires it.
 */
static inline u8 *mls_epoch_secret_ptr(struct mls_epoch *e,
				       enum mls_epoch_secret which)
{
	struct mls_epoch_live *l = e->live;

	switch (which) {
	case MLS_SECRET_EXPORTER:
		return l->exporter_secret;
	case MLS_SECRET_AUTHENTICATOR:
		return l->authenticator;
	case MLS_SECRET_CONFIRMATION:
		return l->confirmation_key;
	case MLS_SECRET_EXTERNAL:
		return l->external_secret;
	}
	return NULL;
}

/* Whether a final epoch keeps @which once current (mls_epoch_end()). */
static inline bool mls_epoch_final_keeps(enum mls_epoch_secret which)
{
	return which == MLS_SECRET_EXPORTER || which == MLS_SECRET_AUTHENTICATOR;
}

/* The epoch stopped being current: erase what only the current one uses. */
void mls_epoch_retire(struct mls_epoch *e);

/*
 * The final epoch @e is about to become current, not published yet:
 * erase what nothing may use in it (its secret tree, sender_data_secret,
 * membership_key, confirmation_key and external_secret). What it keeps:
 * its exporter_secret, epoch_authenticator, resumption_psk, GroupContext,
 * confirmed_transcript_hash and roster.
 */
void mls_epoch_end(struct mls_epoch *e);

/* The cache struct mls_epoch comes from: at load and unload. */
int mls_epoch_cache_init(void);
void mls_epoch_cache_exit(void);

/**
 * enum mls_epoch_source - where an epoch's secrets come from
 * @MLS_EPOCH_RANDOM: a random epoch_secret (the creator, §11)
 * @MLS_EPOCH_SCHEDULE: init_secret + commit_secret + psk_secret (§8)
 * @MLS_EPOCH_JOINER: joiner_secret + psk_secret (§12.4.3.1)
 * @MLS_EPOCH_INSTALL: encryption and sender-data secrets given
 * @MLS_EPOCH_MEMBER: the member secret, Extract(joiner_secret,
 *	psk_secret), kept by a staged join (§12.4.3.1)
 */
enum mls_epoch_source {
	MLS_EPOCH_RANDOM,
	MLS_EPOCH_SCHEDULE,
	MLS_EPOCH_JOINER,
	MLS_EPOCH_INSTALL,
	MLS_EPOCH_MEMBER,
};

/**
 * struct mls_epoch_input - everything an epoch is made from, in kernel
 *	memory (erase with mls_epoch_input_wipe)
 */
struct mls_epoch_input {
	enum mls_epoch_source source;
	u8 init[MLS_MAX_HASH_LEN];	/* SCHEDULE */
	u8 commit[MLS_MAX_HASH_LEN];	/* SCHEDULE; zeros if absent */
	u8 psk[MLS_MAX_HASH_LEN];	/* SCHEDULE, JOINER; zeros if absent */
	u8 joiner[MLS_MAX_HASH_LEN];	/* JOINER; MEMBER: the member secret */
	u8 encryption[MLS_MAX_HASH_LEN]; /* INSTALL */
	u8 sender_data[MLS_MAX_HASH_LEN]; /* INSTALL */
	struct mls_group_context_in gc;
	u32 own_leaf;
	u32 leaf_count;
	unsigned long *occupied;	/* owned; moved into the epoch */
	struct mls_user *user;		/* whose bytes it is (not owned) */
};

void mls_epoch_input_wipe(struct mls_epoch_input *in);

/**
 * mls_epoch_create() - derive a new epoch from @in
 * @init_out: (out) the epoch's init_secret for the next commit, Nh bytes;
 *	not written (and *@has_init false) for an installed epoch
 * @joiner_out: (out, optional) the joiner_secret (SCHEDULE only)
 * @welcome_out: (out, optional) the welcome_secret (SCHEDULE, JOINER)
 *
 * Return: the epoch with one reference, or ERR_PTR.
 */
struct mls_epoch *mls_epoch_create(const struct mls_suite *s,
				   struct mls_epoch_input *in,
				   u8 *init_out, bool *has_init,
				   u8 *joiner_out, u8 *welcome_out);

static inline void mls_epoch_get(struct mls_epoch *e)
{
	kref_get(&e->ref);
}

void mls_epoch_put(struct mls_epoch *e);

/* How many of the epoch's leaves are occupied (its members). */
static inline u32 mls_epoch_members(const struct mls_epoch *e)
{
	return bitmap_weight(e->occupied, e->leaf_count);
}

/**
 * struct mls_epoch_image - an epoch as a snapshot holds it (snapshot.c)
 * @epoch: its number
 * @age_ms: a past epoch: how long ago it stopped being current
 * @is_current: the group's current epoch
 * @has_exporter: it has @live secrets (false for an installed epoch)
 * @final: the group's last epoch (current only), which holds only what
 *	mls_epoch_end() leaves: @sender_data, @membership and @tree are
 *	NULL, @live has the exporter and authenticator secrets only; or, as
 *	version 3's full layout has them, they are given, the secrets are
 *	not taken, and the caller runs mls_epoch_end() for the @tree
 * @own_leaf: the own leaf
 * @leaf_count: its leaves
 * @occupied: its occupied-leaf bitmap (owned: moved into the epoch)
 * @context: its encoded GroupContext, @context_len bytes (copied)
 * @sender_data: Nh bytes
 * @membership: Nh bytes
 * @resumption: Nh bytes
 * @cth: the confirmed_transcript_hash, @cth_len bytes
 * @live: exporter, authenticator, confirmation and external secrets (Nh
 *	bytes each; the first two only for a @final one), or NULL (a past or
 *	installed epoch)
 * @tree: its secret tree (owned: moved into the epoch); NULL if @final,
 *	but for version 3's full layout
 */
struct mls_epoch_image {
	u64 epoch;
	u32 age_ms;
	bool is_current;
	bool has_exporter;
	bool final;
	u32 own_leaf;
	u32 leaf_count;
	unsigned long *occupied;
	const u8 *context;
	size_t context_len;
	const u8 *sender_data;
	const u8 *membership;
	const u8 *resumption;
	const u8 *cth;
	u8 cth_len;
	const u8 *live;
	struct mls_secret_tree *tree;
};

struct mls_epoch *mls_epoch_restore(const struct mls_suite *s,
				    struct mls_epoch_image *im,
				    struct mls_user *user);

/* The view of PrivateMessage protection on this epoch. */
void mls_epoch_protect_ctx(const struct mls_epoch *e, const u8 *group_id,
			   size_t group_id_len, struct mls_protect_ctx *c);

#endif /* _MLS_EPOCH_H */
