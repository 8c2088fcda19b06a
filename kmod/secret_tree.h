/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The secret tree of one epoch (RFC 9420 §9) and its per-leaf hash
 * ratchets: derived lazily from the encryption_secret, each node erased as
 * soon as its children exist, each ratchet value erased once used.
 *
 * Sending takes the next generation of the own leaf at once: it is used
 * exactly once. Receiving is two-phase so that a key is consumed only
 * after the message authenticated: mls_stree_recv_key() derives (or finds)
 * the key without changing any state, and mls_stree_recv_consume() commits
 * the consumption once the tag verified. A caller that must deliver the
 * output first claims the generation once the tag verified
 * (mls_stree_recv_claim()), delivers, then commits or releases the claim:
 * one caller only gets past the claim, and a failed delivery consumes
 * nothing.
 *
 * Locking: one mutex per tree, held for the ratchet step only; callers
 * run the AEAD without it. Process context.
 */
#ifndef _MLS_SECRET_TREE_H
#define _MLS_SECRET_TREE_H

#include "suite.h"

#include <linux/string.h>
#include <linux/types.h>

struct mls_secret_tree;

enum mls_ratchet_type {
	MLS_RATCHET_HANDSHAKE,
	MLS_RATCHET_APPLICATION,
};

/**
 * struct mls_msg_key - the key and nonce of one ratchet generation
 * @key: AEAD key, suite->nk bytes used
 * @nonce: the generation's nonce (before the reuse_guard is applied)
 * @generation: the generation
 */
struct mls_msg_key {
	u8 key[MLS_MAX_KEY_LEN];
	u8 nonce[MLS_NONCE_LEN];
	u32 generation;
};

/**
 * mls_stree_new() - the secret tree of an epoch
 * @s: suite
 * @encryption_secret: the epoch's encryption_secret (Nh bytes, copied)
 * @leaf_count: leaves of the epoch's tree (>= 1)
 *
 * Return: the tree, or ERR_PTR(-ENOMEM / -EINVAL).
 */
struct mls_secret_tree *mls_stree_new(const struct mls_suite *s,
				      const u8 *encryption_secret,
				      u32 leaf_count);

struct mls_user;
void mls_stree_set_user(struct mls_secret_tree *t, struct mls_user *u);

/* Erase every secret the tree still holds, and free it. NULL is fine. */
void mls_stree_free(struct mls_secret_tree *t);

/**
 * mls_stree_send_key() - take the next sending generation of @leaf
 *
 * Return: 0 with @out filled (the generation is consumed: never handed
 * out again), -EOVERFLOW when the ratchet is exhausted (generation
 * 0xffffffff was the last), -ENOBUFS past the reservation of a limited
 * tree, -ESTALE for a retired sender, -EINVAL for a leaf out of range,
 * -ENOMEM.
 */
int mls_stree_send_key(struct mls_secret_tree *t, u32 leaf,
		       enum mls_ratchet_type type, struct mls_msg_key *out);

/*
 * Erase the sending ratchets of the own @leaf of an epoch that is no
 * longer current; a later mls_stree_send_key() on it gives -ESTALE.
 */
void mls_stree_retire_sender(struct mls_secret_tree *t, u32 leaf);
/* The same for an import that asked for receive-only: -EROFS, not -ESTALE. */
#define MLS_STREE_READ_ONLY	2
void mls_stree_read_only(struct mls_secret_tree *t, u32 leaf);

/*
 * Send reservation of persistent groups (snapshot.c): a limited tree
 * sends from its own leaf only below the limit a saved snapshot
 * reserved (-ENOBUFS past it).
 */
void mls_stree_limit_sends(struct mls_secret_tree *t);
u64 mls_stree_reserve_next(struct mls_secret_tree *t, u32 leaf,
			   enum mls_ratchet_type type, u32 window);
void mls_stree_reserve(struct mls_secret_tree *t, u32 leaf,
		       enum mls_ratchet_type type, u64 limit);
bool mls_stree_reserve_low(struct mls_secret_tree *t, enum mls_ratchet_type type);
u64 mls_stree_reserve_close(struct mls_secret_tree *t, u32 leaf,
			    enum mls_ratchet_type type);
int mls_stree_send_resume(struct mls_secret_tree *t, u32 leaf,
			  const u64 limit[2], bool *resumed);

/*
 * Where the own leaf's sending stands: by enum mls_ratchet_type, the
 * next generation and the first one not reserved (MLS_RATCHET_END when
 * the tree is not limited); @low: one of them used half its reservation
 * or has none left.
 */
struct mls_stree_reserve_state {
	u64 next[2];
	u64 limit[2];
	bool limited;
	bool low;
};

void mls_stree_reserve_state(struct mls_secret_tree *t, u32 leaf,
			     struct mls_stree_reserve_state *st);

/**
 * mls_stree_recv_key() - the key of (@leaf, @type, @generation), not consumed
 * @max_forward: how far ahead of the next expected generation may be
 *
 * Changes no state. Return: 0 with @out filled, or -EALREADY (that
 * generation was consumed), -EKEYEXPIRED (below the out-of-order window:
 * its key was discarded unused), -ERANGE (more than @max_forward ahead),
 * -EINVAL (leaf out of range), -ENOMEM.
 */
int mls_stree_recv_key(struct mls_secret_tree *t, u32 leaf,
		       enum mls_ratchet_type type, u32 generation,
		       u32 max_forward, struct mls_msg_key *out);

/**
 * mls_stree_recv_consume() - mark (@leaf, @type, @generation) consumed
 * @out_of_order: how many skipped generations to keep for late messages
 *
 * Advances the ratchet past @generation if needed, keeping the keys of at
 * most @out_of_order skipped generations (the oldest are erased first).
 *
 * Return: 0, or -EALREADY when another caller consumed it meanwhile,
 * -EKEYEXPIRED, -ERANGE, -EINVAL, -ENOMEM as mls_stree_recv_key().
 */
int mls_stree_recv_consume(struct mls_secret_tree *t, u32 leaf,
			   enum mls_ratchet_type type, u32 generation,
			   u32 max_forward, u32 out_of_order);

struct mls_stree_claim;

/**
 * mls_stree_recv_claim() - reserve (@leaf, @type, @generation) for one caller
 *
 * For a caller that must deliver a message before its generation is used
 * up: consumes nothing, but until mls_stree_recv_commit() or
 * mls_stree_recv_release(), every other consumption of that generation
 * gets -EALREADY, and every other claim waits for the outcome: -EALREADY
 * once it was committed, the claim if it was released.
 *
 * Context: process context; sleeps, interruptibly.
 * Return: the claim, or ERR_PTR(-EALREADY) (consumed), -ERESTARTSYS (a
 * signal while waiting; nothing consumed), -EKEYEXPIRED, -ERANGE, -EINVAL, -ENOMEM.
 */
struct mls_stree_claim *mls_stree_recv_claim(struct mls_secret_tree *t,
					     u32 leaf,
					     enum mls_ratchet_type type,
					     u32 generation, u32 max_forward);

/* The claimed generation was delivered: consume it. Takes @c. */
void mls_stree_recv_commit(struct mls_secret_tree *t,
			   struct mls_stree_claim *c, u32 out_of_order);

/* It was not: give the claim up, nothing consumed. Takes @c. */
void mls_stree_recv_release(struct mls_secret_tree *t,
			    struct mls_stree_claim *c);

struct mls_wbuf;
struct mls_rbuf;

/* Snapshots (snapshot.c): the tree's state written and read back. */
void mls_stree_save(struct mls_secret_tree *t, struct mls_wbuf *w);
struct mls_secret_tree *mls_stree_load(const struct mls_suite *s,
				       u32 leaf_count, struct mls_user *u,
				       struct mls_rbuf *rb);

/* Erase a key copy. */
static inline void mls_msg_key_wipe(struct mls_msg_key *k)
{
	memzero_explicit(k, sizeof(*k));
}

#endif /* _MLS_SECRET_TREE_H */
