// SPDX-License-Identifier: GPL-2.0
/*
 * The secret tree of one epoch (RFC 9420 §9), its per-leaf hash ratchets
 * (§9.1) and the deletion schedule of §9.2.
 *
 * Storage is sparse, so that an epoch of 2^16 leaves costs nothing for
 * the leaves nobody sends from:
 *
 *  - @nodes holds the secrets of the tree nodes that are derived but not
 *    yet split: at first only the root (the encryption_secret). Taking a
 *    leaf splits each node on the way down into its two children and
 *    erases it, so exactly one node on any root-to-leaf path holds a
 *    secret until that leaf's ratchets exist; the siblings of the path
 *    stay until a leaf below them is taken.
 *  - @leaves holds the two ratchets of each leaf taken so far. Creating
 *    them erases the leaf's secret.
 *
 * A ratchet holds the secret of its next generation only. Generations
 * skipped by a receiver are kept as {generation, key, nonce}, at most
 * out_of_order of them, the oldest dropped first. Which generations below
 * the next one were consumed and which were dropped unused is known
 * exactly from @floor and a 64-bit window (see mls_ratchet_gone()).
 *
 * Locking: @lock serialises every change of @nodes, @leaves and the
 * ratchets, and every read of them. mls_stree_recv_key() copies a secret
 * under it and derives forward from the copy without it. Consuming a
 * generation more than MLS_STREE_LOCKED_STEPS ahead also derives the
 * chain (up to max_forward steps, 65536 at the cap) from a copy without
 * the lock, then takes the lock again and, the ratchet having moved at
 * most forward meanwhile, installs the result: every encrypt and decrypt
 * of the epoch waits on the lock for at most MLS_STREE_LOCKED_STEPS hash
 * steps and a copy of the kept keys, however far ahead a message is. The
 * AEAD runs in the callers, outside. Process context: everything may
 * sleep.
 *
 * A receiver that must deliver a message before its generation is used
 * up claims the generation first (mls_stree_recv_claim()): while claimed,
 * other claims of it wait for the outcome and consuming it gets
 * -EALREADY, and the claim is then either
 * committed (consumed) or released (nothing changed). @claims lists the
 * claims in flight, under @lock; there are at most as many as callers
 * between claim and commit.
 *
 * Copyright (C) 2026 The mls authors.
 */

#define pr_fmt(fmt) "mls: " fmt

/* First: secret_tree.h uses memzero_explicit() without including it. */
#include <linux/string.h>

#include "codec.h"
#include "params.h"
#include "quota.h"
#include "secret_tree.h"
#include "secret_tree_selftest.h"
#include "selftest_rows.h"
#include "hkdf.h"
#include "memstat.h"

#include <linux/bitops.h>
#include <linux/bsearch.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

/* Node indices are u32 (RFC 9420 appendix C), so 2^31 leaves at most. */
#define MLS_STREE_MAX_LEAVES	BIT(31)

/* One past generation 0xffffffff: a ratchet there is exhausted. */
#define MLS_RATCHET_END		BIT_ULL(32)

/* Generations below the next one whose consumption is remembered. */
#define MLS_RATCHET_WINDOW	64

/* Ratchet steps derived under the lock at most; farther is done without. */
#define MLS_STREE_LOCKED_STEPS	16

/**
 * struct mls_ratchet - one hash ratchet of one leaf
 * @secret: the ratchet secret of generation @next; zero once @next is
 *	MLS_RATCHET_END
 * @next: the lowest generation neither consumed nor skipped, in
 *	[0, MLS_RATCHET_END]
 * @floor: one past the highest generation whose key was dropped unused
 *	(0: none was). Every kept generation is at or above it, because keys
 *	are dropped oldest first and skipped generations are always newer
 *	than the kept ones.
 * @consumed: bit i set: generation @next - 1 - i was consumed
 * @kept: keys of skipped generations kept for late messages, by
 *	ascending generation
 * @nkept: entries in @kept
 * @cap: room in @kept
 */
struct mls_ratchet {
	u8 secret[MLS_MAX_HASH_LEN];
	u64 next;
	u64 floor;
	u64 consumed;
	struct mls_msg_key *kept;
	u32 nkept;
	u32 cap;
};

/*
 * The ratchets of one leaf, by enum mls_ratchet_type; @retired once its
 * sending secrets were erased (mls_stree_retire_sender()).
 */
struct mls_stree_leaf {
	struct mls_ratchet ratchet[2];
	bool retired;
};

/**
 * struct mls_secret_tree - the secret tree of an epoch
 * @suite: the suite
 * @leaf_count: leaves of the epoch
 * @root: the root's node index
 * @lock: see the top of this file
 * @nodes: node index -> its secret (Nh bytes), for nodes not yet split
 * @leaves: leaf index -> struct mls_stree_leaf, for leaves taken
 * @claims: struct mls_stree_claim in flight
 * @retired_leaf: the leaf mls_stree_retire_sender() retired, if @retired
 * @retired: no sending on @retired_leaf any more; MLS_STREE_READ_ONLY
 *	when an import asked for it (-EROFS rather than -ESTALE)
 * @claims_seq: bumped (under @lock) whenever a claim goes; claims of the
 *	same generation wait for it (wait_var_event)
 * @limited: sending is bounded by @limit (a persistent group's reservation)
 * @limit: by enum mls_ratchet_type, the first generation not reserved
 * @low_at: by type, the generation whose use makes the reservation low
 * @low: bit per type: the reservation ran low and nobody took the news
 *	(mls_stree_reserve_low())
 * @user: whose bytes the tree's growth is (the group owner's), or NULL
 * @charged: bytes charged to @user, under @lock
 * @locked_steps: (self-test builds) hash steps derived holding @lock
 */
struct mls_secret_tree {
	const struct mls_suite *suite;
	u32 leaf_count;
	u32 root;
	struct mutex lock;	/* see the top of this file */
	struct xarray nodes;
	struct xarray leaves;
	struct list_head claims;
	u32 retired_leaf;
	u8 retired;
	unsigned int claims_seq;
	bool limited;
	u64 limit[2];
	u64 low_at[2];
	unsigned long low;
	struct mls_user *user;
	s64 charged;
#ifdef MLS_SELFTEST
	u64 locked_steps;	/* hash steps derived under @lock, for a row */
#endif
};

/**
 * struct mls_stree_claim - a received generation being delivered
 * @node: in the tree's @claims
 * @leaf: the sender's leaf
 * @type: which ratchet
 * @generation: the generation
 * @stuck: its commit failed: it stays, and the generation counts as consumed
 */
struct mls_stree_claim {
	struct list_head node;
	u32 leaf;
	enum mls_ratchet_type type;
	u32 generation;
	bool stuck;
};

/*
 * A ratchet stepped without the lock, from generation @from to @to: the
 * ratchet secret of @to, and the keys of the @nkeys generations before
 * @to (those an out-of-order window keeps).
 */
struct mls_chain {
	u64 from;
	u32 to;
	u32 nkeys;
	struct mls_msg_key *keys;
	u8 secret[MLS_MAX_HASH_LEN];
	bool ready;
};

static void mls_count_locked_step(struct mls_secret_tree *t)
{
#ifdef MLS_SELFTEST
	t->locked_steps++;
#endif
}

/* Grow (or with @n < 0 shrink) the tree's charge: 0 or -EDQUOT. */
static int mls_stree_charge(struct mls_secret_tree *t, s64 n)
{
	int ret;

	if (n > 0) {
		ret = mls_user_charge(t->user, MLS_QUOTA_BYTES, n);
		if (ret)
			return ret;
	} else if (n < 0) {
		mls_user_uncharge(t->user, MLS_QUOTA_BYTES, -n);
	}
	t->charged += n;
	mls_mem_add(MLS_MEM_TREES, n);
	return 0;
}

static const char * const mls_ratchet_labels[] = {
	[MLS_RATCHET_HANDSHAKE]		= "handshake",
	[MLS_RATCHET_APPLICATION]	= "application",
};

/* Appendix C: the level of a node is the number of its trailing ones. */
static unsigned int mls_node_level(u32 x)
{
	return ffz(x);
}

static u32 mls_node_left(u32 x)
{
	return x ^ (1U << (mls_node_level(x) - 1));
}

static u32 mls_node_right(u32 x)
{
	return x ^ (3U << (mls_node_level(x) - 1));
}

/* The child of @x (level > 0) on the way to leaf node @target. */
static u32 mls_node_toward(u32 x, u32 target)
{
	return target < x ? mls_node_left(x) : mls_node_right(x);
}

/*
 * Whether the right child of @x has a leaf of the epoch below it. The tree
 * is as wide as the leaf count rounded up to a power of two; a subtree
 * that holds only leaves past the count is never derived.
 */
static bool mls_node_right_used(const struct mls_secret_tree *t, u32 x)
{
	unsigned int k = mls_node_level(x);
	u32 first_leaf = (x + 1 - (1U << k)) >> 1;

	return first_leaf + (1U << (k - 1)) < t->leaf_count;
}

/* ExpandWithLabel(parent, "tree", "left" | "right", Nh); may be in place. */
static int mls_node_child(const struct mls_suite *s, const u8 *parent,
			  bool left, u8 *out)
{
	return left ?
	       mls_expand_with_label(s, parent, "tree", (const u8 *)"left", 4,
				     out, s->nh) :
	       mls_expand_with_label(s, parent, "tree", (const u8 *)"right", 5,
				     out, s->nh);
}

/*
 * The secrets of nodes not yet split, by node index XOR the root's index:
 * the root is then index 0, which an xarray keeps in its head without a
 * node of its own. An epoch whose tree was never split (no message sent
 * or received in it: most past epochs of a quiet group) so holds one
 * 32- to 64-byte secret, not a 584-byte xarray node (radix_tree_node) as well.
 */
static u8 *mls_node_secret(struct mls_secret_tree *t, u32 x)
{
	return xa_load(&t->nodes, x ^ t->root);
}

static int mls_node_insert(struct mls_secret_tree *t, u32 x, u8 *secret)
{
	return xa_insert(&t->nodes, x ^ t->root, secret, MLS_GFP_USER);
}

static void mls_node_erase(struct mls_secret_tree *t, u32 x)
{
	xa_erase(&t->nodes, x ^ t->root);
}

/*
 * The node on the way from the root to @leaf that holds a secret, before
 * the leaf's ratchets exist: each split replaces a node by its children,
 * so there is exactly one. NULL would mean the tree lost a secret.
 */
static u8 *mls_stree_frontier(struct mls_secret_tree *t, u32 leaf, u32 *node)
{
	u32 x = t->root, target = 2 * leaf;
	u8 *secret;

	lockdep_assert_held(&t->lock);
	for (;;) {
		secret = mls_node_secret(t, x);
		if (secret || x == target)
			break;
		x = mls_node_toward(x, target);
	}
	*node = x;
	return secret;
}

/*
 * Replace node @x and its @secret by its children. All or nothing: on
 * failure @x keeps its secret.
 */
static int mls_stree_split(struct mls_secret_tree *t, u32 x, u8 *secret)
{
	const struct mls_suite *s = t->suite;
	bool has_right = mls_node_right_used(t, x);
	u32 l = mls_node_left(x), r = mls_node_right(x);
	u8 *ls, *rs = NULL;
	int ret = -ENOMEM;

	lockdep_assert_held(&t->lock);
	/* Two children for one node: one secret more, with a right child. */
	if (has_right && mls_stree_charge(t, s->nh))
		return -EDQUOT;
	ls = kmalloc(s->nh, MLS_GFP_USER);
	if (!ls)
		goto err;
	if (has_right) {
		rs = kmalloc(s->nh, MLS_GFP_USER);
		if (!rs)
			goto err;
	}
	ret = mls_node_child(s, secret, true, ls);
	if (!ret && rs)
		ret = mls_node_child(s, secret, false, rs);
	if (ret)
		goto err;
	ret = mls_node_insert(t, l, ls);
	if (ret)
		goto err;
	if (rs) {
		ret = mls_node_insert(t, r, rs);
		if (ret) {
			mls_node_erase(t, l);
			goto err;
		}
	}
	mls_node_erase(t, x);
	kfree_sensitive(secret);
	return 0;

err:
	kfree_sensitive(ls);
	kfree_sensitive(rs);
	if (has_right)
		mls_stree_charge(t, -(s64)s->nh);
	return ret;
}

/*
 * The ratchets of @leaf, created on first use: split the path down to the
 * leaf, derive both ratchet seeds and erase the leaf secret. A failure
 * leaves the splits already done, which lose nothing.
 */
static struct mls_stree_leaf *mls_stree_leaf_get(struct mls_secret_tree *t,
						 u32 leaf)
{
	const struct mls_suite *s = t->suite;
	struct mls_stree_leaf *lf;
	u32 x, target = 2 * leaf;
	u8 *secret;
	int ret, i;

	lockdep_assert_held(&t->lock);
	lf = xa_load(&t->leaves, leaf);
	if (lf)
		return lf;

	secret = mls_stree_frontier(t, leaf, &x);
	if (WARN_ON_ONCE(!secret))
		return ERR_PTR(-EIO);
	while (x != target) {
		ret = mls_stree_split(t, x, secret);
		if (ret)
			return ERR_PTR(ret);
		x = mls_node_toward(x, target);
		secret = mls_node_secret(t, x);
	}

	/* The leaf's ratchets replace its secret. */
	ret = mls_stree_charge(t, (s64)sizeof(*lf) - s->nh);
	if (ret)
		return ERR_PTR(ret);
	lf = kzalloc(sizeof(*lf), MLS_GFP_USER);
	if (!lf) {
		mls_stree_charge(t, (s64)s->nh - sizeof(*lf));
		return ERR_PTR(-ENOMEM);
	}
	ret = 0;
	for (i = 0; !ret && i < ARRAY_SIZE(lf->ratchet); i++)
		ret = mls_expand_with_label(s, secret, mls_ratchet_labels[i],
					    NULL, 0, lf->ratchet[i].secret,
					    s->nh);
	if (!ret)
		ret = xa_insert(&t->leaves, leaf, lf, MLS_GFP_USER);
	if (ret) {
		kfree_sensitive(lf);
		mls_stree_charge(t, (s64)s->nh - sizeof(*lf));
		return ERR_PTR(ret);
	}
	mls_node_erase(t, x);
	kfree_sensitive(secret);
	return lf;
}

/*
 * What mls_stree_leaf_get() and the ratchet would derive, on a copy of the
 * secret of @node (an ancestor of @leaf, or the leaf): @secret becomes the
 * seed of @leaf's ratchet @type, generation 0. Stores nothing.
 */
static int mls_stree_descend(const struct mls_secret_tree *t, u8 *secret,
			     u32 node, u32 leaf, enum mls_ratchet_type type)
{
	const struct mls_suite *s = t->suite;
	u32 target = 2 * leaf;
	int ret = 0;

	while (!ret && node != target) {
		ret = mls_node_child(s, secret, target < node, secret);
		node = mls_node_toward(node, target);
	}
	return ret ?: mls_expand_with_label(s, secret, mls_ratchet_labels[type],
					    NULL, 0, secret, s->nh);
}

/*
 * Key and nonce of generation @g from its ratchet secret @secret and,
 * when @next is not NULL, the ratchet secret of @g + 1 into @next (which
 * may be @secret; for the last generation, which has no next, zeroed
 * unless it is @secret). One secret, up to three derivations: its HMAC
 * key blocks are hashed once, which saves two compressions per
 * derivation after the first. On failure @out and @next are zeroed.
 */
static int mls_ratchet_derive(const struct mls_suite *s, const u8 *secret,
			      u32 g, struct mls_msg_key *out, u8 *next)
{
	struct mls_kdf_key k;
	int ret;

	memset(out->key, 0, sizeof(out->key));
	out->generation = g;
	ret = mls_kdf_key_init(&k, s, secret) ?:
	      mls_derive_tree_secret_key(&k, "key", g, out->key, s->nk) ?:
	      mls_derive_tree_secret_key(&k, "nonce", g, out->nonce,
					 MLS_NONCE_LEN);
	if (!ret && next && g != U32_MAX)
		ret = mls_derive_tree_secret_key(&k, "secret", g, next, s->nh);
	else if (!ret && next && next != secret)
		memzero_explicit(next, s->nh);	/* none after the last */
	mls_kdf_key_wipe(&k);
	if (ret) {
		mls_msg_key_wipe(out);
		if (next)
			memzero_explicit(next, s->nh);
	}
	return ret;
}

/* Key and nonce of generation @g from its ratchet secret. */
static int mls_ratchet_key(const struct mls_suite *s, const u8 *secret,
			   u32 g, struct mls_msg_key *out)
{
	return mls_ratchet_derive(s, secret, g, out, NULL);
}

/* Step @secret, the ratchet secret of generation @from, to generation @to. */
static int mls_ratchet_forward(const struct mls_suite *s, u8 *secret,
			       u64 from, u32 to)
{
	int ret = 0;

	for (; !ret && from < to; from++) {
		ret = mls_derive_tree_secret(s, secret, "secret", from,
					     secret, s->nh);
		cond_resched();
	}
	return ret;
}

/*
 * The answer for generation @g below @r->next that has no kept key: it was
 * either consumed or skipped and its key dropped unused.
 *
 *  - @g >= @floor: consumed (-EALREADY). Nothing at or above @floor was
 *    ever dropped, so this is exact; as long as no key is dropped (an
 *    in-order sender, or a window that held every late message) every
 *    generation below next is in this case, however old.
 *  - else within the last MLS_RATCHET_WINDOW generations below next: the
 *    @consumed bit tells exactly (-EALREADY or -EKEYEXPIRED).
 *  - else, a generation below both the highest dropped one and the window:
 *    -EKEYEXPIRED, whether it was consumed or dropped (that is no longer
 *    known): it is too old, and no key for it exists any more.
 */
static int mls_ratchet_gone(const struct mls_ratchet *r, u32 g)
{
	u64 back = r->next - 1 - g;

	if (g >= r->floor)
		return -EALREADY;
	if (back < MLS_RATCHET_WINDOW && (r->consumed & BIT_ULL(back)))
		return -EALREADY;
	return -EKEYEXPIRED;
}

static int mls_kept_cmp(const void *key, const void *elt)
{
	u32 g = *(const u32 *)key;
	const struct mls_msg_key *k = elt;

	return g < k->generation ? -1 : g > k->generation;
}

static struct mls_msg_key *mls_ratchet_find(const struct mls_ratchet *r,
					    u32 g)
{
	if (!r->nkept)
		return NULL;
	return bsearch(&g, r->kept, r->nkept, sizeof(*r->kept), mls_kept_cmp);
}

static void mls_ratchet_free_kept(struct mls_secret_tree *t,
				  struct mls_ratchet *r)
{
	mls_stree_charge(t, -(s64)(r->cap * sizeof(*r->kept)));
	if (r->kept)
		kvfree_sensitive(r->kept, r->cap * sizeof(*r->kept));
	r->kept = NULL;
	r->nkept = 0;
	r->cap = 0;
}

/* Late generation @g < @r->next is consumed. */
static void mls_ratchet_mark(struct mls_ratchet *r, u32 g)
{
	u64 back = r->next - 1 - g;

	if (back < MLS_RATCHET_WINDOW)
		r->consumed |= BIT_ULL(back);
}

/* Remove kept entry @k, wiping it; free the array once it is empty. */
static void mls_ratchet_remove(struct mls_secret_tree *t, struct mls_ratchet *r,
			       struct mls_msg_key *k)
{
	struct mls_msg_key *last = &r->kept[r->nkept - 1];

	memmove(k, k + 1, (last - k) * sizeof(*k));
	memzero_explicit(last, sizeof(*last));
	if (!--r->nkept)
		mls_ratchet_free_kept(t, r);
}

/* Drop the @n oldest kept keys unused; the array stays. */
static void mls_ratchet_drop(struct mls_ratchet *r, u32 n)
{
	if (!n)
		return;
	r->floor = (u64)r->kept[n - 1].generation + 1;
	memmove(r->kept, r->kept + n, (r->nkept - n) * sizeof(*r->kept));
	memzero_explicit(r->kept + r->nkept - n, n * sizeof(*r->kept));
	r->nkept -= n;
}

/* Room for @want kept keys, more when the policy allows, to grow rarely. */
static int mls_ratchet_grow(struct mls_secret_tree *t, struct mls_ratchet *r,
			    u32 want, u32 out_of_order)
{
	struct mls_msg_key *kept;
	u32 cap;
	s64 more;

	cap = max_t(u64, want, min_t(u64, 2ULL * r->cap, out_of_order));
	more = ((s64)cap - r->cap) * (s64)sizeof(*kept);
	if (mls_stree_charge(t, more))
		return -EDQUOT;
	kept = kvmalloc_array(cap, sizeof(*kept), MLS_GFP_USER);
	if (!kept) {
		mls_stree_charge(t, -more);
		return -ENOMEM;
	}
	if (r->kept) {
		memcpy(kept, r->kept, r->nkept * sizeof(*kept));
		kvfree_sensitive(r->kept, r->cap * sizeof(*kept));
	}
	r->kept = kept;
	r->cap = cap;
	return 0;
}

/*
 * Generation @g >= @r->next is consumed and @next holds the ratchet
 * secret of @g + 1, derived by the caller (unused for the last
 * generation): step past @g.
 */
static void mls_ratchet_stepped(const struct mls_suite *s,
				struct mls_ratchet *r, u32 g, const u8 *next)
{
	u64 d = (u64)g + 1 - r->next;

	if (g == U32_MAX)
		/* The last generation: there is no next secret to keep. */
		memzero_explicit(r->secret, sizeof(r->secret));
	else
		memcpy(r->secret, next, s->nh);
	r->consumed = d < MLS_RATCHET_WINDOW ? r->consumed << d | 1 : 1;
	r->next = (u64)g + 1;
}

/*
 * Generation @g >= @r->next is consumed: step past it. @secret holds the
 * ratchet secret of @g and is overwritten. Nothing changes on failure.
 */
static int mls_ratchet_pass(const struct mls_suite *s, struct mls_ratchet *r,
			    u32 g, u8 *secret)
{
	int ret;

	if (g != U32_MAX) {
		ret = mls_derive_tree_secret(s, secret, "secret", g, secret,
					     s->nh);
		if (ret)
			return ret;
	}
	mls_ratchet_stepped(s, r, g, secret);
	return 0;
}

/*
 * Consume generation @g >= @r->next: step the ratchet to @g + 1 and keep
 * the keys of the skipped generations @r->next .. @g - 1 for late
 * messages, at most @out_of_order kept keys in all, the oldest dropped
 * first (so with 0, none).
 *
 * Without memory for more kept keys, fewer are kept (the contract says
 * "at most"): a message already delivered must not stay unconsumed, and
 * so replayable, for want of room to tolerate other messages arriving
 * late.
 *
 * On a derivation error the ratchet is unchanged, except that old kept
 * keys this step was to drop may be gone.
 */
static int mls_ratchet_advance(struct mls_secret_tree *t,
			       struct mls_ratchet *r, u32 g, u32 out_of_order,
			       const struct mls_chain *chain)
{
	const struct mls_suite *s = t->suite;
	u64 skipped = g - r->next;
	u32 keep_new = min_t(u64, skipped, out_of_order);
	u32 keep_old;
	u8 secret[MLS_MAX_HASH_LEN];
	struct mls_msg_key *k;
	u64 i, first_kept;
	int ret = 0;

	lockdep_assert_held(&t->lock);
	/* Stepped without the lock from where the ratchet was, or before. */
	if (chain && (chain->to != g || chain->from > r->next))
		chain = NULL;
	if (chain)
		keep_new = min(keep_new, chain->nkeys);
	keep_old = min(r->nkept, out_of_order - keep_new);
	if (keep_old + keep_new > r->cap &&
	    mls_ratchet_grow(t, r, keep_old + keep_new, out_of_order)) {
		keep_new = min(keep_new, r->cap);
		keep_old = min(r->nkept, r->cap - keep_new);
	}
	mls_ratchet_drop(r, r->nkept - keep_old);

	/* Keys are derived into the free room of @kept, counted at the end. */
	first_kept = g - keep_new;
	k = r->kept ? r->kept + r->nkept : NULL;
	if (chain) {
		if (keep_new)
			memcpy(k, chain->keys + chain->nkeys - keep_new,
			       keep_new * sizeof(*k));
		memcpy(secret, chain->secret, s->nh);
	} else {
		memcpy(secret, r->secret, s->nh);
		for (i = r->next; !ret && i < g; i++) {
			if (i >= first_kept)
				ret = mls_ratchet_derive(s, secret, i, k++,
							 secret);
			else
				ret = mls_derive_tree_secret(s, secret,
							     "secret", i,
							     secret, s->nh);
			mls_count_locked_step(t);
			cond_resched();
		}
	}
	mls_count_locked_step(t);
	ret = ret ?: mls_ratchet_pass(s, r, g, secret);
	memzero_explicit(secret, sizeof(secret));
	if (ret) {
		if (keep_new)
			memzero_explicit(r->kept + r->nkept,
					 keep_new * sizeof(*r->kept));
	} else {
		r->nkept += keep_new;
		if (skipped > keep_new)
			r->floor = first_kept;
	}
	if (!r->nkept)
		mls_ratchet_free_kept(t, r);
	return ret;
}

/*
 * Step ratchet @r from where it is to @g into @c, without the lock:
 * called and returning with it held, dropped meanwhile. Without memory
 * for the keys of skipped generations, none is kept ("at most").
 */
static int mls_chain_prepare(struct mls_secret_tree *t, struct mls_ratchet *r,
			     u32 g, u32 out_of_order, struct mls_chain *c)
{
	const struct mls_suite *s = t->suite;
	u64 i, first;
	int ret = 0;

	lockdep_assert_held(&t->lock);
	c->from = r->next;
	c->to = g;
	memcpy(c->secret, r->secret, s->nh);
	mutex_unlock(&t->lock);

	c->nkeys = min_t(u64, g - c->from, out_of_order);
	c->keys = c->nkeys ? kvmalloc_array(c->nkeys, sizeof(*c->keys),
					    MLS_GFP_USER) : NULL;
	if (!c->keys)
		c->nkeys = 0;
	first = (u64)g - c->nkeys;
	for (i = c->from; !ret && i < g; i++) {
		if (i >= first)
			ret = mls_ratchet_derive(s, c->secret, i,
						 &c->keys[i - first],
						 c->secret);
		else
			ret = mls_derive_tree_secret(s, c->secret, "secret",
						     i, c->secret, s->nh);
		cond_resched();
	}
	c->ready = !ret;
	mutex_lock(&t->lock);
	return ret;
}

static void mls_chain_wipe(struct mls_chain *c)
{
	if (c->keys)
		kvfree_sensitive(c->keys, c->nkeys * sizeof(*c->keys));
	memzero_explicit(c, sizeof(*c));
}

static int mls_stree_check(const struct mls_secret_tree *t, u32 leaf,
			   enum mls_ratchet_type type)
{
	if (leaf >= t->leaf_count ||
	    (unsigned int)type >= ARRAY_SIZE(mls_ratchet_labels))
		return -EINVAL;
	return 0;
}

/**
 * mls_stree_new() - the secret tree of an epoch
 * @s: suite
 * @encryption_secret: the epoch's encryption_secret (Nh bytes, copied)
 * @leaf_count: leaves of the epoch's tree, 1 to 2^31
 *
 * Return: the tree, or ERR_PTR(-ENOMEM / -EINVAL).
 */
struct mls_secret_tree *mls_stree_new(const struct mls_suite *s,
				      const u8 *encryption_secret,
				      u32 leaf_count)
{
	struct mls_secret_tree *t;
	u8 *root;
	int ret;

	if (!s || !encryption_secret || !leaf_count ||
	    leaf_count > MLS_STREE_MAX_LEAVES || !s->nh ||
	    s->nh > MLS_MAX_HASH_LEN || !s->nk || s->nk > MLS_MAX_KEY_LEN)
		return ERR_PTR(-EINVAL);

	t = kzalloc(sizeof(*t), MLS_GFP_USER);
	if (!t)
		return ERR_PTR(-ENOMEM);
	root = kmemdup(encryption_secret, s->nh, MLS_GFP_USER);
	if (!root) {
		ret = -ENOMEM;
		goto err_root;
	}
	t->suite = s;
	t->leaf_count = leaf_count;
	/* Leaf i is node 2i; the root of 2^k leaves is node 2^k - 1. */
	t->root = roundup_pow_of_two(leaf_count) - 1;
	mutex_init(&t->lock);
	INIT_LIST_HEAD(&t->claims);
	xa_init_flags(&t->nodes, XA_FLAGS_ACCOUNT);
	xa_init_flags(&t->leaves, XA_FLAGS_ACCOUNT);
	ret = mls_node_insert(t, t->root, root);
	if (ret)
		goto err_insert;
	mls_mem_add(MLS_MEM_TREES, sizeof(*t) + s->nh);
	return t;

err_insert:
	mutex_destroy(&t->lock);
	kfree_sensitive(root);
err_root:
	kfree(t);
	return ERR_PTR(ret);
}

/**
 * mls_stree_free() - erase every secret the tree still holds, and free it
 * @t: the tree, or NULL; no other caller may use it any more
 */
void mls_stree_free(struct mls_secret_tree *t)
{
	struct mls_stree_claim *c, *tmp;
	struct mls_stree_leaf *lf;
	unsigned long index;
	u8 *secret;
	int i;

	if (!t)
		return;
	/* Only claims whose commit failed are left (they stand for consumed). */
	list_for_each_entry_safe(c, tmp, &t->claims, node) {
		list_del(&c->node);
		kfree(c);
	}
	xa_for_each(&t->nodes, index, secret)
		kfree_sensitive(secret);
	xa_destroy(&t->nodes);
	xa_for_each(&t->leaves, index, lf) {
		for (i = 0; i < ARRAY_SIZE(lf->ratchet); i++)
			mls_ratchet_free_kept(t, &lf->ratchet[i]);
		kfree_sensitive(lf);
	}
	xa_destroy(&t->leaves);
	mls_stree_charge(t, -t->charged);
	mls_mem_add(MLS_MEM_TREES, -(long)(sizeof(*t) + t->suite->nh));
	mls_user_put(t->user);
	mutex_destroy(&t->lock);
	kfree(t);
}

/**
 * mls_stree_set_user() - charge the tree's growth to @u (§12)
 * @t: a new tree, not used yet
 * @u: the user (a reference is taken), or NULL for none
 *
 * Splitting nodes, creating a leaf's ratchets and keeping skipped keys
 * then count against @u's bytes limit, and fail with -EDQUOT past it
 * (fewer skipped keys are kept rather than failing a delivered message).
 */
void mls_stree_set_user(struct mls_secret_tree *t, struct mls_user *u)
{
	t->user = mls_user_hold(u);
}

/**
 * mls_stree_send_key() - take the next sending generation of @leaf
 * @t: the tree
 * @leaf: the own leaf
 * @type: which ratchet
 * @out: the key, nonce and generation; wiped on error
 *
 * Return: 0 with @out filled (the generation is consumed: never handed
 * out again), -EOVERFLOW when the ratchet is exhausted (generation
 * 0xffffffff was the last), -ENOBUFS when the tree is limited and the
 * reservation is used up, -ESTALE for a retired sender (-EROFS if
 * retired by mls_stree_read_only()), -EINVAL for a
 * leaf out of range, -ENOMEM.
 */
int mls_stree_send_key(struct mls_secret_tree *t, u32 leaf,
		       enum mls_ratchet_type type, struct mls_msg_key *out)
{
	u8 secret[MLS_MAX_HASH_LEN];
	struct mls_stree_leaf *lf;
	struct mls_ratchet *r;
	int ret;

	ret = mls_stree_check(t, leaf, type);
	if (ret)
		goto out;
	mutex_lock(&t->lock);
	if (t->retired && leaf == t->retired_leaf) {
		ret = t->retired == MLS_STREE_READ_ONLY ? -EROFS : -ESTALE;
		goto unlock;
	}
	lf = mls_stree_leaf_get(t, leaf);
	if (IS_ERR(lf)) {
		ret = PTR_ERR(lf);
		goto unlock;
	}
	r = &lf->ratchet[type];
	if (r->next == MLS_RATCHET_END) {
		ret = -EOVERFLOW;
		goto unlock;
	}
	/* A persistent group sends only what its last saved snapshot reserved. */
	if (t->limited && r->next >= t->limit[type]) {
		ret = -ENOBUFS;
		goto unlock;
	}
	memcpy(secret, r->secret, t->suite->nh);
	ret = mls_ratchet_derive(t->suite, secret, r->next, out, secret);
	if (!ret)
		mls_ratchet_stepped(t->suite, r, r->next, secret);
	memzero_explicit(secret, sizeof(secret));
	if (!ret && t->limited && r->next == t->low_at[type])
		set_bit(type, &t->low);
unlock:
	mutex_unlock(&t->lock);
out:
	if (ret)
		mls_msg_key_wipe(out);
	return ret;
}

/**
 * mls_stree_retire_sender() - erase the sending ratchets of @leaf
 * @t: the tree of an epoch that is no longer current
 * @leaf: the own leaf
 *
 * Once the group has moved on, nothing is sent in this epoch again: the
 * own leaf's ratchet secrets go now rather than when the epoch expires
 * (forward secrecy of what was sent).
 *
 * A leaf not taken yet sent nothing in this epoch, so no message depends
 * on its keys: it is only marked. Deriving it here (as was done once)
 * split the whole path from the root, two hash calls per level: on a
 * 1,000-leaf group twenty, which made every commit's cost grow with the
 * group. Its secret stays derivable from the nodes the epoch keeps for
 * the other senders anyway, until the epoch expires.
 */
void mls_stree_retire_sender(struct mls_secret_tree *t, u32 leaf)
{
	struct mls_stree_leaf *lf;
	int i;

	if (!t || leaf >= t->leaf_count)
		return;
	mutex_lock(&t->lock);
	t->retired_leaf = leaf;
	t->retired = true;
	lf = xa_load(&t->leaves, leaf);
	if (lf) {
		for (i = 0; i < ARRAY_SIZE(lf->ratchet); i++) {
			memzero_explicit(lf->ratchet[i].secret,
					 sizeof(lf->ratchet[i].secret));
			lf->ratchet[i].next = MLS_RATCHET_END;
		}
		lf->retired = true;
	}
	mutex_unlock(&t->lock);
}

/**
 * mls_stree_read_only() - retire @leaf's sending, at the importer's request
 * @t: a tree just loaded from a snapshot
 * @leaf: the own leaf
 *
 * As mls_stree_retire_sender(), but mls_stree_send_key() then says
 * -EROFS: the caller asked for a receive-only group (MLS_IMPORT_F_RECEIVE_ONLY).
 * A snapshot of the tree records it as retired (-ESTALE once imported).
 */
void mls_stree_read_only(struct mls_secret_tree *t, u32 leaf)
{
	if (!t || leaf >= t->leaf_count)
		return;
	mls_stree_retire_sender(t, leaf);
	mutex_lock(&t->lock);
	t->retired = MLS_STREE_READ_ONLY;
	mutex_unlock(&t->lock);
}

/* --- send reservation of persistent groups --------------------------------- */

/* The next sending generation of @leaf's @type ratchet; @t->lock held. */
static u64 mls_stree_send_next(struct mls_secret_tree *t, u32 leaf,
			       enum mls_ratchet_type type)
{
	struct mls_stree_leaf *lf = xa_load(&t->leaves, leaf);

	if (t->retired && leaf == t->retired_leaf)
		return MLS_RATCHET_END;
	return lf ? lf->ratchet[type].next : 0;
}

/**
 * mls_stree_limit_sends() - let the tree send nothing until a reservation
 * @t: a tree, not used yet or current
 *
 * From now on mls_stree_send_key() gives -ENOBUFS past what
 * mls_stree_reserve() allowed; so far, nothing.
 */
void mls_stree_limit_sends(struct mls_secret_tree *t)
{
	mutex_lock(&t->lock);
	if (!t->limited) {
		t->limited = true;
		t->limit[0] = 0;
		t->limit[1] = 0;
	}
	mutex_unlock(&t->lock);
}

/**
 * mls_stree_reserve_next() - the limit an export reserves
 * @t: the tree of the current epoch
 * @leaf: the own leaf
 * @type: which ratchet
 * @window: how many generations past the next one
 *
 * Return: the first generation the reservation does not cover: the next
 * generation plus @window, never below the limit in force (so that the
 * reservations of successive exports never go back), at most the end
 * of the ratchet.
 */
u64 mls_stree_reserve_next(struct mls_secret_tree *t, u32 leaf,
			   enum mls_ratchet_type type, u32 window)
{
	u64 next, lim;

	if (mls_stree_check(t, leaf, type))
		return 0;
	mutex_lock(&t->lock);
	next = mls_stree_send_next(t, leaf, type);
	lim = min_t(u64, next + window, MLS_RATCHET_END);
	if (t->limited)
		lim = max(lim, t->limit[type]);
	mutex_unlock(&t->lock);
	return lim;
}

/**
 * mls_stree_reserve() - allow sending up to @limit (excluded)
 * @t: a limited tree
 * @leaf: the own leaf
 * @type: which ratchet
 * @limit: the limit a saved snapshot recorded
 *
 * Never lowers the limit. Arms the "low" mark half-way between the next
 * generation and the new limit, once per reservation.
 */
void mls_stree_reserve(struct mls_secret_tree *t, u32 leaf,
		       enum mls_ratchet_type type, u64 limit)
{
	u64 next;

	if (mls_stree_check(t, leaf, type))
		return;
	mutex_lock(&t->lock);
	if (t->limited && limit > t->limit[type]) {
		next = mls_stree_send_next(t, leaf, type);
		t->limit[type] = min_t(u64, limit, MLS_RATCHET_END);
		t->low_at[type] = next < limit ? next + (limit - next + 1) / 2 :
				  MLS_RATCHET_END + 1;
		clear_bit(type, &t->low);
	}
	mutex_unlock(&t->lock);
}

/**
 * mls_stree_reserve_close() - stop sending at the next generation
 * @t: the tree of the current epoch
 * @leaf: the own leaf
 * @type: which ratchet
 *
 * For an export during a drain: the limit it records is the next
 * generation, and from now on the tree sends nothing at or past it
 * (lowered, never raised, under the lock that hands generations out).
 * A restore of that snapshot resumes right where sending stopped.
 *
 * Return: the next generation of @type, which the snapshot records.
 */
u64 mls_stree_reserve_close(struct mls_secret_tree *t, u32 leaf,
			    enum mls_ratchet_type type)
{
	u64 next;

	if (mls_stree_check(t, leaf, type))
		return 0;
	mutex_lock(&t->lock);
	next = mls_stree_send_next(t, leaf, type);
	if (!t->limited) {
		t->limited = true;
		t->limit[0] = MLS_RATCHET_END;
		t->limit[1] = MLS_RATCHET_END;
	}
	t->limit[type] = min(t->limit[type], next);
	t->low_at[type] = MLS_RATCHET_END + 1;
	clear_bit(type, &t->low);
	mutex_unlock(&t->lock);
	return next;
}

/**
 * mls_stree_reserve_low() - did a send make the reservation of @type low?
 * @t: the tree
 * @type: which ratchet
 *
 * True once per reservation, for the caller that takes the news (and
 * reports it). No lock: a bit, tested and cleared atomically.
 */
bool mls_stree_reserve_low(struct mls_secret_tree *t, enum mls_ratchet_type type)
{
	return test_and_clear_bit(type, &t->low);
}

/**
 * mls_stree_reserve_state() - where @leaf's sending stands in its reservation
 * @t: the tree of the current epoch
 * @leaf: the own leaf
 * @st: (out) the next generation and the limit of each ratchet, and
 *	whether a reservation is low: half of it or more used, or none left
 *
 * Reads only: the "low" news of mls_stree_reserve_low() stays for its
 * taker. Sleeps (the tree's mutex).
 */
void mls_stree_reserve_state(struct mls_secret_tree *t, u32 leaf,
			     struct mls_stree_reserve_state *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	if (!t || leaf >= t->leaf_count)
		return;
	mutex_lock(&t->lock);
	st->limited = t->limited;
	for (i = 0; i < ARRAY_SIZE(st->next); i++) {
		st->next[i] = mls_stree_send_next(t, leaf, i);
		st->limit[i] = t->limited ? t->limit[i] : MLS_RATCHET_END;
		if (t->limited && (st->next[i] >= t->limit[i] ||
				   st->next[i] >= t->low_at[i]))
			st->low = true;
	}
	mutex_unlock(&t->lock);
}

/**
 * mls_stree_send_resume() - move @leaf's sending ratchets past a reservation
 * @t: a tree just loaded from a snapshot, not shared yet
 * @leaf: the own leaf
 * @limit: by type, the limit the snapshot reserved
 * @resumed: (out) the ratchets were moved: the tree sends again once a
 *	new reservation is saved
 *
 * The generations below @limit may have been used after the snapshot was
 * taken: their secrets are stepped over and erased, and the ratchet goes
 * on from @limit. The tree is then limited at @limit: nothing is sent
 * until a new reservation is saved.
 *
 * A tree whose own sending ratchets were retired when the snapshot was
 * taken (itself restored without a resume) stays receive-only: *@resumed
 * says which.
 *
 * Return: 0, -EINVAL (a limit below the ratchet's next generation, past
 * its end, or more than MLS_PERSIST_RESERVE_MAX ahead of it), -ENOMEM.
 */
int mls_stree_send_resume(struct mls_secret_tree *t, u32 leaf,
			  const u64 limit[2], bool *resumed)
{
	const struct mls_suite *s = t->suite;
	struct mls_stree_leaf *lf;
	struct mls_ratchet *r;
	int ret = 0, i;

	*resumed = false;
	if (leaf >= t->leaf_count)
		return -EINVAL;
	mutex_lock(&t->lock);
	/* Receive-only when it was taken: it stays so. */
	if (t->retired)
		goto unlock;
	lf = mls_stree_leaf_get(t, leaf);
	if (IS_ERR(lf)) {
		ret = PTR_ERR(lf);
		goto unlock;
	}
	for (i = 0; i < ARRAY_SIZE(lf->ratchet) && !ret; i++) {
		r = &lf->ratchet[i];
		/*
		 * An export reserves at most MLS_PERSIST_RESERVE_MAX past
		 * the next generation (mls_stree_reserve_next()), or up to
		 * the end. A limit further ahead is no snapshot's, and
		 * stepping to it would cost one derivation per generation
		 * (up to 2^32) in one call.
		 */
		if (limit[i] < r->next || limit[i] > MLS_RATCHET_END ||
		    (limit[i] < MLS_RATCHET_END &&
		     limit[i] - r->next > MLS_PERSIST_RESERVE_MAX)) {
			ret = -EINVAL;
			break;
		}
		if (limit[i] == MLS_RATCHET_END) {
			memzero_explicit(r->secret, sizeof(r->secret));
		} else {
			ret = mls_ratchet_forward(s, r->secret, r->next,
						  limit[i]);
			if (ret)
				break;
		}
		r->next = limit[i];
		r->floor = limit[i];
		r->consumed = 0;
		t->limit[i] = limit[i];
		t->low_at[i] = MLS_RATCHET_END + 1;
	}
	t->limited = true;
	*resumed = !ret;
unlock:
	mutex_unlock(&t->lock);
	return ret;
}

/**
 * mls_stree_recv_key() - the key of (@leaf, @type, @generation), not consumed
 * @t: the tree
 * @leaf: the sender's leaf
 * @type: which ratchet
 * @generation: the message's generation
 * @max_forward: how far ahead of the next expected generation may be
 * @out: the key, nonce and generation; wiped on error
 *
 * Changes no state, and allocates nothing: a leaf not taken yet is
 * derived on a copy of its ancestor's secret, a generation ahead on a
 * copy of the ratchet secret, both outside the lock. The cost is that a
 * leaf's first message derives its path twice (here and on consumption).
 *
 * Return: 0 with @out filled, or -EALREADY (that generation was consumed),
 * -EKEYEXPIRED (its key was dropped unused, or it is too old to tell: see
 * mls_ratchet_gone()), -ERANGE (more than @max_forward ahead), -EINVAL
 * (leaf out of range).
 */
int mls_stree_recv_key(struct mls_secret_tree *t, u32 leaf,
		       enum mls_ratchet_type type, u32 generation,
		       u32 max_forward, struct mls_msg_key *out)
{
	u8 secret[MLS_MAX_HASH_LEN];
	struct mls_stree_leaf *lf;
	struct mls_msg_key *k;
	struct mls_ratchet *r;
	u8 *node_secret;
	u64 from = 0;
	u32 node = 0;
	int ret;

	ret = mls_stree_check(t, leaf, type);
	if (ret)
		goto out;
	mutex_lock(&t->lock);
	lf = xa_load(&t->leaves, leaf);
	r = lf ? &lf->ratchet[type] : NULL;
	if (r)
		from = r->next;
	if (generation < from) {
		k = mls_ratchet_find(r, generation);
		if (k)
			*out = *k;
		else
			ret = mls_ratchet_gone(r, generation);
		mutex_unlock(&t->lock);
		goto out;
	}
	/* Subtracted, not added: next + max_forward may not fit a u32. */
	if (generation - from > max_forward) {
		ret = -ERANGE;
	} else if (r) {
		memcpy(secret, r->secret, t->suite->nh);
	} else {
		node_secret = mls_stree_frontier(t, leaf, &node);
		if (WARN_ON_ONCE(!node_secret))
			ret = -EIO;
		else
			memcpy(secret, node_secret, t->suite->nh);
	}
	mutex_unlock(&t->lock);
	if (ret)
		goto out;

	if (!r)
		ret = mls_stree_descend(t, secret, node, leaf, type);
	ret = ret ?: mls_ratchet_forward(t->suite, secret, from, generation) ?:
	      mls_ratchet_key(t->suite, secret, generation, out);
	memzero_explicit(secret, sizeof(secret));
out:
	if (ret)
		mls_msg_key_wipe(out);
	return ret;
}

/*
 * A claim went: wake the callers waiting for its outcome. Under @lock,
 * which the waiters do not hold while they sleep.
 */
static void mls_stree_claims_bump(struct mls_secret_tree *t)
{
	WRITE_ONCE(t->claims_seq, t->claims_seq + 1);
	/*
	 * wake_up_var() looks for waiters without a lock: the new value must
	 * be visible before that look, as a waiter reads it only after it
	 * queued itself (pairs with set_current_state() in wait_var_event()).
	 */
	smp_mb();
	wake_up_var(&t->claims_seq);
}

static const struct mls_stree_claim *
mls_stree_claim_find(const struct mls_secret_tree *t, u32 leaf,
		     enum mls_ratchet_type type, u32 g)
{
	const struct mls_stree_claim *c;

	lockdep_assert_held(&t->lock);
	list_for_each_entry(c, &t->claims, node)
		if (c->leaf == leaf && c->type == type && c->generation == g)
			return c;
	return NULL;
}

/* Whether (@leaf, @type, @g) is claimed by a caller delivering it. */
static bool mls_stree_claimed(const struct mls_secret_tree *t, u32 leaf,
			      enum mls_ratchet_type type, u32 g)
{
	return mls_stree_claim_find(t, leaf, type, g);
}

/*
 * The ratchet of (@leaf, @type), created if needed, when @g may still be
 * received: its state is checked as mls_stree_recv_key() does. Returns
 * the ratchet or an ERR_PTR (-EALREADY, -EKEYEXPIRED, -ERANGE, -ENOMEM).
 */
static struct mls_ratchet *mls_stree_recv_ratchet(struct mls_secret_tree *t,
						  u32 leaf,
						  enum mls_ratchet_type type,
						  u32 g, u32 max_forward)
{
	struct mls_stree_leaf *lf;
	struct mls_ratchet *r;

	lockdep_assert_held(&t->lock);
	lf = xa_load(&t->leaves, leaf);
	if (!lf) {
		/* Whether it is in range needs no ratchet yet. */
		if (g > max_forward)
			return ERR_PTR(-ERANGE);
		lf = mls_stree_leaf_get(t, leaf);
		if (IS_ERR(lf))
			return ERR_CAST(lf);
	}
	r = &lf->ratchet[type];
	if (g < r->next) {
		if (!mls_ratchet_find(r, g))
			return ERR_PTR(mls_ratchet_gone(r, g));
	} else if (g - r->next > max_forward) {
		return ERR_PTR(-ERANGE);
	}
	return r;
}

/* Consume @g of @r, which mls_stree_recv_ratchet() accepted. */
static int mls_stree_consume_locked(struct mls_secret_tree *t,
				    struct mls_ratchet *r, u32 g,
				    u32 out_of_order,
				    const struct mls_chain *chain)
{
	struct mls_msg_key *k;

	if (g >= r->next)
		return mls_ratchet_advance(t, r, g, out_of_order, chain);
	k = mls_ratchet_find(r, g);
	if (!k)
		return mls_ratchet_gone(r, g);
	mls_ratchet_remove(t, r, k);
	/* For when @floor has passed it (mls_ratchet_gone()). */
	mls_ratchet_mark(r, g);
	return 0;
}

/**
 * mls_stree_recv_consume() - mark (@leaf, @type, @generation) consumed
 * @t: the tree
 * @leaf: the sender's leaf
 * @type: which ratchet
 * @generation: the generation of a message that authenticated
 * @max_forward: as given to mls_stree_recv_key()
 * @out_of_order: how many skipped generations to keep for late messages
 *
 * Advances the ratchet past @generation if needed, keeping the keys of at
 * most @out_of_order skipped generations (the oldest are erased first),
 * or erases the kept key of a late @generation.
 *
 * Return: 0, or -EALREADY when another caller consumed or claimed it
 * meanwhile,
 * -EKEYEXPIRED, -ERANGE, -EINVAL as mls_stree_recv_key(), -ENOMEM (only
 * when the leaf's ratchets must be created: fewer keys are kept rather
 * than failing for want of room for them).
 */
int mls_stree_recv_consume(struct mls_secret_tree *t, u32 leaf,
			   enum mls_ratchet_type type, u32 generation,
			   u32 max_forward, u32 out_of_order)
{
	struct mls_chain chain = {};
	struct mls_ratchet *r;
	int ret;

	ret = mls_stree_check(t, leaf, type);
	if (ret)
		return ret;
	mutex_lock(&t->lock);
again:
	r = mls_stree_recv_ratchet(t, leaf, type, generation, max_forward);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
	} else if (mls_stree_claimed(t, leaf, type, generation)) {
		ret = -EALREADY;
	} else if (generation >= r->next &&
		   generation - r->next > MLS_STREE_LOCKED_STEPS && !chain.ready) {
		/* Far ahead: step without the lock, then look again. */
		ret = mls_chain_prepare(t, r, generation, out_of_order, &chain);
		if (!ret)
			goto again;
	} else {
		ret = mls_stree_consume_locked(t, r, generation, out_of_order,
					       chain.ready ? &chain : NULL);
	}
	mutex_unlock(&t->lock);
	mls_chain_wipe(&chain);
	return ret;
}

/**
 * mls_stree_recv_claim() - reserve (@leaf, @type, @generation) for one caller
 * @t: the tree
 * @leaf: the sender's leaf
 * @type: which ratchet
 * @generation: the generation of the message
 * @max_forward: as given to mls_stree_recv_key()
 *
 * Checks the generation as mls_stree_recv_consume() would, and creates
 * the leaf's ratchets if needed, but consumes nothing: until the claim
 * is committed or released, every other consumption of the generation
 * gets -EALREADY, and every other claim waits for the outcome (see
 * secret_tree.h).
 *
 * Context: process context; sleeps, interruptibly.
 * Return: the claim, or ERR_PTR(-EALREADY) (consumed), -ERESTARTSYS (a
 * signal while waiting: nothing was consumed, so the call may restart),
 * -EKEYEXPIRED, -ERANGE, -EINVAL as mls_stree_recv_key(), -ENOMEM.
 */
struct mls_stree_claim *mls_stree_recv_claim(struct mls_secret_tree *t,
					     u32 leaf,
					     enum mls_ratchet_type type,
					     u32 generation, u32 max_forward)
{
	struct mls_stree_claim *c;
	struct mls_ratchet *r;
	int ret;

	ret = mls_stree_check(t, leaf, type);
	if (ret)
		return ERR_PTR(ret);
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->leaf = leaf;
	c->type = type;
	c->generation = generation;
	mutex_lock(&t->lock);
	for (;;) {
		const struct mls_stree_claim *other;
		unsigned int seen;

		r = mls_stree_recv_ratchet(t, leaf, type, generation,
					   max_forward);
		if (IS_ERR(r)) {
			ret = PTR_ERR(r);
			break;
		}
		other = mls_stree_claim_find(t, leaf, type, generation);
		if (!other) {
			list_add(&c->node, &t->claims);
			break;
		}
		if (other->stuck) {
			ret = -EALREADY;
			break;
		}
		/*
		 * Another caller is delivering it: its outcome decides
		 * (consumed: -EALREADY above; given up: ours to claim).
		 */
		seen = t->claims_seq;
		mutex_unlock(&t->lock);
		ret = wait_var_event_interruptible(&t->claims_seq,
						   READ_ONCE(t->claims_seq) != seen);
		mutex_lock(&t->lock);
		if (ret)	/* -ERESTARTSYS */
			break;
	}
	mutex_unlock(&t->lock);
	if (ret) {
		kfree(c);
		return ERR_PTR(ret);
	}
	return c;
}

/**
 * mls_stree_recv_release() - give a claim up: nothing was consumed
 * @t: the tree
 * @c: a claim of mls_stree_recv_claim() on @t; freed
 */
void mls_stree_recv_release(struct mls_secret_tree *t,
			    struct mls_stree_claim *c)
{
	mutex_lock(&t->lock);
	list_del(&c->node);
	mls_stree_claims_bump(t);
	mutex_unlock(&t->lock);
	kfree(c);
}

/**
 * mls_stree_recv_commit() - consume a claimed generation
 * @t: the tree
 * @c: a claim of mls_stree_recv_claim() on @t
 * @out_of_order: how many skipped generations to keep for late messages
 *
 * As mls_stree_recv_consume(), with no forward limit (it was checked at
 * the claim, and the ratchet only moved closer since). If the kept key
 * went meanwhile (dropped from the out-of-order window by a later
 * message), the generation can no longer be received: that is consumed
 * enough. Should the ratchet step fail, the claim stays in place until
 * the tree is freed, so the generation is never received again. Either
 * way the caller no longer owns @c.
 */
void mls_stree_recv_commit(struct mls_secret_tree *t,
			   struct mls_stree_claim *c, u32 out_of_order)
{
	struct mls_chain chain = {};
	struct mls_ratchet *r;
	u32 g = c->generation;
	int ret;

	mutex_lock(&t->lock);
again:
	r = mls_stree_recv_ratchet(t, c->leaf, c->type, g, U32_MAX);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
	} else if (g >= r->next && g - r->next > MLS_STREE_LOCKED_STEPS &&
		   !chain.ready) {
		/*
		 * Far ahead: step without the lock, as mls_stree_recv_consume()
		 * does; the claim keeps every other caller off @g meanwhile.
		 */
		ret = mls_chain_prepare(t, r, g, out_of_order, &chain);
		if (!ret)
			goto again;
	} else {
		ret = mls_stree_consume_locked(t, r, g, out_of_order,
					       chain.ready ? &chain : NULL);
	}
	if (!ret || ret == -EALREADY || ret == -EKEYEXPIRED) {
		list_del(&c->node);
		kfree(c);
	} else {
		/* Stays, as consumed: whoever waits for it gets -EALREADY. */
		c->stuck = true;
	}
	mls_stree_claims_bump(t);
	mutex_unlock(&t->lock);
	mls_chain_wipe(&chain);
}

/* --- snapshots (snapshot.c) ----------------------------------------------- */

static void mls_ratchet_save(const struct mls_suite *s,
			     const struct mls_ratchet *r, struct mls_wbuf *w)
{
	u32 i;

	mls_put_bytes(w, r->secret, s->nh);
	mls_put_u64(w, r->next);
	mls_put_u64(w, r->floor);
	mls_put_u64(w, r->consumed);
	mls_put_u32(w, r->nkept);
	for (i = 0; i < r->nkept; i++) {
		mls_put_u32(w, r->kept[i].generation);
		mls_put_bytes(w, r->kept[i].key, s->nk);
		mls_put_bytes(w, r->kept[i].nonce, MLS_NONCE_LEN);
	}
}

/**
 * mls_stree_save() - write what the tree holds, for a snapshot
 * @t: the tree
 * @w: the writer
 *
 * Written under the tree's lock, so one consistent state: the retired
 * own leaf, the node secrets not yet split (by node index XOR the root's,
 * ascending), and each taken leaf (ascending) with both ratchets: the
 * next secret, next, floor, the consumed window and the kept keys. A
 * claim in flight (a message being delivered) is not consumed yet and
 * is written as such.
 */
void mls_stree_save(struct mls_secret_tree *t, struct mls_wbuf *w)
{
	const struct mls_suite *s = t->suite;
	struct mls_stree_leaf *lf;
	unsigned long index;
	u32 n = 0;
	u8 *secret;
	int i;

	mutex_lock(&t->lock);
	mls_put_u8(w, !!t->retired);
	mls_put_u32(w, t->retired ? t->retired_leaf : 0);
	xa_for_each(&t->nodes, index, secret)
		n++;
	mls_put_u32(w, n);
	xa_for_each(&t->nodes, index, secret) {
		mls_put_u32(w, index);
		mls_put_bytes(w, secret, s->nh);
	}
	n = 0;
	xa_for_each(&t->leaves, index, lf)
		n++;
	mls_put_u32(w, n);
	xa_for_each(&t->leaves, index, lf) {
		mls_put_u32(w, index);
		mls_put_u8(w, lf->retired);
		for (i = 0; i < ARRAY_SIZE(lf->ratchet); i++)
			mls_ratchet_save(s, &lf->ratchet[i], w);
	}
	mutex_unlock(&t->lock);
}

/* A subtree of the loaded tree: node span [lo, hi], leaves it covers. */
struct mls_span {
	u64 lo, hi;
	u32 leaves;
};

static int mls_span_cmp(const void *a, const void *b)
{
	const struct mls_span *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The span of node @x of @t; false if no leaf of the epoch is below it. */
static bool mls_node_span(const struct mls_secret_tree *t, u32 x,
			  struct mls_span *sp)
{
	unsigned int k = mls_node_level(x);
	u64 half = (1ULL << k) - 1;
	u64 first;

	if (x > 2ULL * t->root || (u64)x < half)
		return false;
	first = ((u64)x - half) >> 1;
	if (first >= t->leaf_count)
		return false;
	sp->lo = x - half;
	sp->hi = x + half;
	sp->leaves = min_t(u64, 1ULL << k, t->leaf_count - first);
	return true;
}

/*
 * Every leaf of the epoch lies below exactly one kept node or is taken:
 * as the tree would be had it been derived here. Else a later use would
 * find no secret on a leaf's path (or two).
 */
static int mls_stree_check_cover(struct mls_span *sp, u32 n, u32 leaf_count)
{
	u64 leaves = 0;
	u32 i;

	sort(sp, n, sizeof(*sp), mls_span_cmp, NULL);
	for (i = 0; i < n; i++) {
		if (i && sp[i].lo <= sp[i - 1].hi)
			return -EINVAL;
		leaves += sp[i].leaves;
	}
	return leaves == leaf_count ? 0 : -EINVAL;
}

static int mls_ratchet_load(struct mls_secret_tree *t, struct mls_ratchet *r,
			    struct mls_rbuf *rb, s64 *charge)
{
	const struct mls_suite *s = t->suite;
	const u8 *p;
	u32 n, i;

	if (mls_get_bytes(rb, s->nh, &p))
		return -EINVAL;
	memcpy(r->secret, p, s->nh);
	if (mls_get_u64(rb, &r->next) || mls_get_u64(rb, &r->floor) ||
	    mls_get_u64(rb, &r->consumed) || mls_get_u32(rb, &n))
		return -EINVAL;
	if (r->next > MLS_RATCHET_END || r->floor > r->next)
		return -EINVAL;
	/* Bits stand for generations below next only. */
	if (r->next < MLS_RATCHET_WINDOW && (r->consumed >> r->next))
		return -EINVAL;
	if (n > mls_out_of_order_max || n > r->next - r->floor)
		return -EINVAL;
	if (!n)
		return 0;
	r->kept = kvcalloc(n, sizeof(*r->kept), MLS_GFP_USER);
	if (!r->kept)
		return -ENOMEM;
	r->cap = n;
	*charge += (s64)n * sizeof(*r->kept);
	for (i = 0; i < n; i++) {
		struct mls_msg_key *k = &r->kept[i];

		if (mls_get_u32(rb, &k->generation))
			return -EINVAL;
		if (k->generation < r->floor || k->generation >= r->next ||
		    (i && k->generation <= r->kept[i - 1].generation))
			return -EINVAL;
		if (mls_get_bytes(rb, s->nk, &p))
			return -EINVAL;
		memcpy(k->key, p, s->nk);
		if (mls_get_bytes(rb, MLS_NONCE_LEN, &p))
			return -EINVAL;
		memcpy(k->nonce, p, MLS_NONCE_LEN);
		r->nkept = i + 1;
	}
	return 0;
}

/**
 * mls_stree_load() - a tree from what mls_stree_save() wrote
 * @s: the epoch's suite
 * @leaf_count: the epoch's leaves
 * @u: whose bytes it is (charged now, and with its growth)
 * @rb: the reader, just past the tree on success
 *
 * Strict: every index in range, every list in order, every ratchet
 * consistent, and every leaf covered by exactly one node or taken.
 *
 * Return: the tree, or ERR_PTR(-EINVAL) (not a tree this module
 * writes), -EDQUOT, -ENOMEM.
 */
struct mls_secret_tree *mls_stree_load(const struct mls_suite *s,
				       u32 leaf_count, struct mls_user *u,
				       struct mls_rbuf *rb)
{
	static const u8 zero[MLS_MAX_HASH_LEN];
	struct mls_secret_tree *t;
	struct mls_span *spans = NULL;
	u32 nodes, leaves, i, idx, prev = 0, nspans = 0;
	s64 charge, kept = 0;
	const u8 *p;
	u8 retired;
	u8 *secret;
	int ret;

	/* A placeholder root, replaced by what the snapshot holds. */
	t = mls_stree_new(s, zero, leaf_count);
	if (IS_ERR(t))
		return t;
	kfree_sensitive(xa_erase(&t->nodes, 0));
	ret = -EINVAL;
	if (mls_get_u8(rb, &retired) || mls_get_u32(rb, &t->retired_leaf) ||
	    retired > 1 || (retired && t->retired_leaf >= leaf_count) ||
	    (!retired && t->retired_leaf))
		goto err;
	t->retired = retired;

	if (mls_get_u32(rb, &nodes) || nodes > leaf_count)
		goto err;
	spans = kvcalloc((size_t)nodes + leaf_count, sizeof(*spans),
			 MLS_GFP_USER);
	if (!spans) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < nodes; i++) {
		if (mls_get_u32(rb, &idx) || (i && idx <= prev) ||
		    !mls_node_span(t, idx ^ t->root, &spans[nspans++]) ||
		    mls_get_bytes(rb, s->nh, &p))
			goto err;
		prev = idx;
		secret = kmemdup(p, s->nh, MLS_GFP_USER);
		if (!secret) {
			ret = -ENOMEM;
			goto err;
		}
		ret = xa_insert(&t->nodes, idx, secret, MLS_GFP_USER);
		if (ret) {
			kfree_sensitive(secret);
			goto err;
		}
		ret = -EINVAL;
	}

	if (mls_get_u32(rb, &leaves) || leaves > leaf_count)
		goto err;
	for (i = 0; i < leaves; i++) {
		struct mls_stree_leaf *lf;
		u8 lret;
		int j;

		if (mls_get_u32(rb, &idx) || idx >= leaf_count ||
		    (i && idx <= prev) || mls_get_u8(rb, &lret) || lret > 1)
			goto err;
		prev = idx;
		spans[nspans++] = (struct mls_span){
			.lo = 2ULL * idx, .hi = 2ULL * idx, .leaves = 1,
		};
		lf = kzalloc(sizeof(*lf), MLS_GFP_USER);
		if (!lf) {
			ret = -ENOMEM;
			goto err;
		}
		ret = xa_insert(&t->leaves, idx, lf, MLS_GFP_USER);
		if (ret) {
			kfree_sensitive(lf);
			goto err;
		}
		lf->retired = lret;
		for (j = 0; !ret && j < ARRAY_SIZE(lf->ratchet); j++)
			ret = mls_ratchet_load(t, &lf->ratchet[j], rb, &kept);
		if (ret)
			goto err;
		ret = -EINVAL;
	}
	ret = mls_stree_check_cover(spans, nspans, leaf_count);
	if (ret)
		goto err;
	kvfree(spans);
	spans = NULL;

	/*
	 * Charged as mls_stree_new(), the splits and the leaves would have
	 * charged it: the root's secret is in the tree's own size, each
	 * further node costs Nh, and a leaf's ratchets replace its secret.
	 */
	charge = ((s64)nodes - 1) * s->nh +
		 (s64)leaves * sizeof(struct mls_stree_leaf) + kept;
	ret = mls_user_charge(u, MLS_QUOTA_BYTES, charge);
	if (ret)
		goto err;
	t->user = mls_user_hold(u);
	t->charged = charge;
	mls_mem_add(MLS_MEM_TREES, charge);
	return t;

err:
	kvfree(spans);
	mls_stree_free(t);
	return ERR_PTR(ret);
}

#ifdef MLS_SELFTEST

/*
 * Known answers from mls-vectors/secret-tree.json and behaviour rows, run
 * at load in a module built with -DMLS_SELFTEST (after mls_crypto_init()).
 * Each check is a numbered row; a failed row logs its group and number,
 * never a value.
 */

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/kthread.h>

struct mls_st_gen {
	u32 leaf;
	u32 generation;
	u8 hs_key[MLS_MAX_KEY_LEN];
	u8 hs_nonce[MLS_NONCE_LEN];
	u8 app_key[MLS_MAX_KEY_LEN];
	u8 app_nonce[MLS_NONCE_LEN];
};

/* secret-tree.json, cipher_suite 1, 8 leaves */
static const u8 st_cs1_8_secret[] __initconst = {
	0x9d, 0x4e, 0xcb, 0x55, 0x0d, 0xc4, 0xfb, 0xcb,
	0xaa, 0xe6, 0x6d, 0x12, 0x0a, 0x22, 0x15, 0xcb,
	0xec, 0xa2, 0x0d, 0x45, 0xd6, 0x67, 0x91, 0xdf,
	0x5b, 0x43, 0x49, 0xea, 0xce, 0x30, 0xfd, 0x3f
};

static const struct mls_st_gen st_cs1_8_gens[] __initconst = {
	{ .leaf = 0, .generation = 0,
	  .hs_key = {
		0x19, 0x9d, 0x6d, 0x2b, 0x88, 0x10, 0xa8, 0xf6,
		0xe8, 0x1e, 0x80, 0xe4, 0x9e, 0x6a, 0x29, 0xce
	  },
	  .hs_nonce = {
		0x18, 0xf6, 0xc4, 0x49, 0x22, 0x36, 0x78, 0x07,
		0x0d, 0xa1, 0xa2, 0x4b
	  },
	  .app_key = {
		0xdd, 0x3f, 0xbd, 0x3f, 0x88, 0x0a, 0xf2, 0x23,
		0x68, 0xf4, 0x23, 0x2e, 0x75, 0x18, 0xd9, 0x3b
	  },
	  .app_nonce = {
		0x96, 0x99, 0x33, 0x76, 0x99, 0x78, 0x09, 0x8b,
		0x3e, 0xb6, 0x32, 0x4a
	  } },
	{ .leaf = 0, .generation = 15,
	  .hs_key = {
		0xe6, 0xc0, 0x1a, 0x53, 0x1c, 0x31, 0xe3, 0x1f,
		0xaa, 0x37, 0xea, 0xa6, 0xec, 0x40, 0x5c, 0xbd
	  },
	  .hs_nonce = {
		0x57, 0x9e, 0xe0, 0x5a, 0x5d, 0x60, 0xdb, 0x32,
		0xf9, 0xc8, 0xae, 0xf0
	  },
	  .app_key = {
		0x3e, 0xdd, 0xbd, 0xfc, 0xea, 0x44, 0xbf, 0x06,
		0xaa, 0xb8, 0x14, 0x5c, 0x90, 0xe4, 0xe6, 0x99
	  },
	  .app_nonce = {
		0x4a, 0x12, 0xf2, 0x2d, 0x93, 0x28, 0xa7, 0x23,
		0xce, 0xc8, 0x5b, 0x8c
	  } },
	{ .leaf = 3, .generation = 0,
	  .hs_key = {
		0x37, 0xbd, 0xb1, 0x28, 0xc0, 0xea, 0x29, 0xa0,
		0x41, 0x37, 0xc8, 0x20, 0x66, 0x1a, 0x38, 0xd4
	  },
	  .hs_nonce = {
		0x0e, 0xcb, 0x58, 0x44, 0x81, 0xc3, 0x79, 0x0d,
		0xc4, 0xf1, 0xad, 0x2f
	  },
	  .app_key = {
		0x95, 0x37, 0x8b, 0xea, 0xe4, 0xbc, 0x6b, 0x75,
		0xe1, 0x17, 0xe5, 0x41, 0x53, 0x54, 0x0f, 0x73
	  },
	  .app_nonce = {
		0xe2, 0xc2, 0xee, 0xf3, 0x54, 0xf4, 0xc8, 0x72,
		0x1a, 0x92, 0x31, 0x0a
	  } },
	{ .leaf = 3, .generation = 15,
	  .hs_key = {
		0xbb, 0x14, 0xad, 0xbf, 0x47, 0xb6, 0x85, 0x52,
		0x1a, 0xed, 0xe7, 0xec, 0x58, 0xc0, 0x8a, 0x32
	  },
	  .hs_nonce = {
		0x15, 0xe4, 0x3e, 0x42, 0x42, 0x02, 0xaa, 0x29,
		0xab, 0x7f, 0x1d, 0x65
	  },
	  .app_key = {
		0xfd, 0x92, 0xf2, 0x21, 0x4b, 0x1e, 0x1d, 0xb1,
		0xc2, 0x7c, 0x07, 0xeb, 0x63, 0x45, 0xac, 0xd4
	  },
	  .app_nonce = {
		0xaf, 0xbf, 0xc1, 0x9e, 0xd3, 0x3f, 0x8f, 0xd7,
		0x02, 0xcf, 0x09, 0xcc
	  } },
	{ .leaf = 7, .generation = 0,
	  .hs_key = {
		0xe1, 0x38, 0x91, 0xd8, 0x3b, 0x76, 0x13, 0x1c,
		0xa2, 0xbd, 0x86, 0xdc, 0xa6, 0x95, 0x14, 0xc0
	  },
	  .hs_nonce = {
		0xb4, 0xe7, 0x2b, 0x31, 0xcc, 0x0e, 0x2f, 0xe8,
		0x5f, 0xb6, 0x45, 0xed
	  },
	  .app_key = {
		0xa5, 0xc0, 0x60, 0x98, 0xe8, 0xf8, 0xfa, 0xc7,
		0x15, 0x6d, 0x4b, 0xe3, 0x42, 0x99, 0xdb, 0x2d
	  },
	  .app_nonce = {
		0x6b, 0x7f, 0xd4, 0x09, 0x44, 0x73, 0x89, 0x2f,
		0xd5, 0xe9, 0xcf, 0xa5
	  } },
	{ .leaf = 7, .generation = 15,
	  .hs_key = {
		0x03, 0x4a, 0x34, 0x0c, 0x05, 0x11, 0xb2, 0xe7,
		0x88, 0x4a, 0x22, 0x1d, 0x99, 0xf4, 0xe5, 0xc4
	  },
	  .hs_nonce = {
		0x45, 0xea, 0xd0, 0x26, 0x7e, 0xd8, 0x4a, 0x5d,
		0x88, 0x55, 0x3c, 0x3b
	  },
	  .app_key = {
		0xd8, 0x28, 0x03, 0x94, 0x75, 0x11, 0xba, 0xb6,
		0xcf, 0xf6, 0x54, 0x9f, 0x4d, 0x37, 0x7a, 0xb4
	  },
	  .app_nonce = {
		0xfb, 0x68, 0x7d, 0xe0, 0x3b, 0xdb, 0xbc, 0x62,
		0x21, 0x00, 0x9f, 0xd7
	  } },
};

/* secret-tree.json, cipher_suite 1, 1 leaves */
static const u8 st_cs1_1_secret[] __initconst = {
	0xd6, 0x9f, 0xcc, 0x35, 0x96, 0x9e, 0x94, 0x68,
	0x04, 0x61, 0x97, 0x4b, 0xd2, 0x6c, 0x7c, 0xda,
	0x75, 0x94, 0xcb, 0xf4, 0x59, 0x85, 0xc4, 0xbf,
	0x66, 0x8c, 0x3b, 0x31, 0x18, 0xb7, 0x65, 0xab
};

static const struct mls_st_gen st_cs1_1_gens[] __initconst = {
	{ .leaf = 0, .generation = 0,
	  .hs_key = {
		0xa2, 0xd6, 0xb8, 0xa9, 0x25, 0x54, 0x78, 0xe9,
		0xb7, 0x9a, 0x07, 0x68, 0x72, 0xae, 0x35, 0x63
	  },
	  .hs_nonce = {
		0x8e, 0x8f, 0xc0, 0x8a, 0x4e, 0xb5, 0x18, 0x9b,
		0x7b, 0x55, 0x85, 0x27
	  },
	  .app_key = {
		0x44, 0x2e, 0x69, 0x17, 0x10, 0x64, 0x66, 0x17,
		0xa2, 0x1e, 0x41, 0x48, 0x2d, 0x86, 0x8a, 0x4e
	  },
	  .app_nonce = {
		0xc7, 0x6e, 0x37, 0x88, 0x45, 0x36, 0xa9, 0xce,
		0x33, 0xfb, 0x30, 0x70
	  } },
	{ .leaf = 0, .generation = 15,
	  .hs_key = {
		0x61, 0x21, 0xc9, 0x3d, 0x8e, 0x92, 0xe7, 0x63,
		0x20, 0x08, 0x7e, 0x5d, 0x64, 0x6a, 0x3b, 0xf2
	  },
	  .hs_nonce = {
		0x96, 0x1e, 0x5b, 0x73, 0xd6, 0x2b, 0x72, 0x74,
		0x3b, 0x90, 0x0c, 0x88
	  },
	  .app_key = {
		0x0f, 0x2d, 0x1b, 0x9e, 0x1d, 0x5c, 0x09, 0xab,
		0xef, 0xb0, 0xed, 0xab, 0xd8, 0x34, 0x9e, 0x9f
	  },
	  .app_nonce = {
		0xa0, 0x8d, 0x3a, 0x02, 0x43, 0xb6, 0x21, 0x6c,
		0xc9, 0x26, 0x71, 0xec
	  } },
};

/* secret-tree.json, cipher_suite 1, 32 leaves */
static const u8 st_cs1_32_secret[] __initconst = {
	0x4b, 0x11, 0xaa, 0x4f, 0x16, 0x60, 0xdd, 0xe3,
	0x7e, 0x48, 0x51, 0xcb, 0x5e, 0x23, 0x36, 0x70,
	0x9e, 0x3c, 0xdd, 0x79, 0x21, 0x47, 0xcd, 0x65,
	0xfc, 0x99, 0xbe, 0x6c, 0xb2, 0xe5, 0x3e, 0xd4
};

static const struct mls_st_gen st_cs1_32_gens[] __initconst = {
	{ .leaf = 21, .generation = 0,
	  .hs_key = {
		0x03, 0x00, 0xb5, 0x84, 0x2f, 0xbf, 0xa4, 0x63,
		0x92, 0x9e, 0x76, 0x16, 0xde, 0xb1, 0x8a, 0x3d
	  },
	  .hs_nonce = {
		0xdc, 0x6f, 0x8d, 0x3d, 0xc0, 0x4a, 0x7d, 0xb7,
		0xf0, 0x29, 0x98, 0xcc
	  },
	  .app_key = {
		0x1f, 0x6c, 0xa5, 0x21, 0x85, 0xd3, 0xb3, 0xac,
		0x33, 0xbb, 0x38, 0xb0, 0x5c, 0x9b, 0x7e, 0x37
	  },
	  .app_nonce = {
		0x4f, 0x54, 0xe2, 0xd3, 0x1f, 0x8f, 0x56, 0x03,
		0xea, 0x18, 0xc1, 0xf8
	  } },
	{ .leaf = 21, .generation = 15,
	  .hs_key = {
		0x50, 0x3c, 0x54, 0x09, 0x25, 0x30, 0x7d, 0x81,
		0x2e, 0x2d, 0x39, 0x5d, 0x89, 0xb5, 0xf4, 0x38
	  },
	  .hs_nonce = {
		0x26, 0x54, 0x32, 0x03, 0xe1, 0x04, 0x43, 0x92,
		0x28, 0x86, 0x9c, 0x51
	  },
	  .app_key = {
		0xee, 0x11, 0x5a, 0xb4, 0x8d, 0x74, 0x78, 0xa2,
		0x96, 0xe7, 0xcd, 0xaf, 0xe9, 0x9a, 0xea, 0xd6
	  },
	  .app_nonce = {
		0xf5, 0x47, 0x34, 0x02, 0xea, 0x30, 0x4a, 0xf8,
		0xf2, 0xe3, 0x39, 0xdb
	  } },
	{ .leaf = 31, .generation = 0,
	  .hs_key = {
		0x4f, 0x42, 0x39, 0xba, 0x4c, 0x0a, 0x5c, 0xf5,
		0xe0, 0xd3, 0x29, 0xf1, 0x05, 0xdb, 0xb6, 0x15
	  },
	  .hs_nonce = {
		0xac, 0xdb, 0x95, 0x6c, 0x6d, 0x30, 0x0b, 0x38,
		0x03, 0x6c, 0xdf, 0x47
	  },
	  .app_key = {
		0xf7, 0xb8, 0xf6, 0x50, 0x6d, 0x49, 0xb3, 0x52,
		0x2f, 0xcc, 0xab, 0xca, 0x19, 0x61, 0x68, 0x01
	  },
	  .app_nonce = {
		0x5a, 0xf9, 0x2f, 0x7e, 0xa5, 0xc2, 0x58, 0xe1,
		0x54, 0x23, 0x04, 0x39
	  } },
	{ .leaf = 31, .generation = 15,
	  .hs_key = {
		0xa9, 0x88, 0xbb, 0x75, 0xb0, 0xd9, 0x5c, 0x2d,
		0x05, 0x9f, 0xc6, 0xe7, 0x50, 0xfc, 0x50, 0x98
	  },
	  .hs_nonce = {
		0x68, 0x9b, 0x51, 0x72, 0x8d, 0x47, 0x02, 0xdc,
		0x20, 0x37, 0xf0, 0xa9
	  },
	  .app_key = {
		0x1f, 0x84, 0x3d, 0x1b, 0xd0, 0xfd, 0xf3, 0xf9,
		0x56, 0xb8, 0xfa, 0x4d, 0xd5, 0x24, 0x6a, 0x5b
	  },
	  .app_nonce = {
		0x06, 0x3c, 0x5d, 0x83, 0x17, 0x16, 0x15, 0xc2,
		0x98, 0x6f, 0xc2, 0x7d
	  } },
};

/* secret-tree.json, cipher_suite 4, 8 leaves */
static const u8 st_cs4_8_secret[] __initconst = {
	0xb8, 0x23, 0x26, 0x9d, 0x17, 0x61, 0x5b, 0x30,
	0x78, 0x3a, 0x3e, 0x1d, 0x58, 0x48, 0x98, 0x21,
	0x43, 0x6d, 0xd9, 0x16, 0x4e, 0x15, 0xd7, 0x37,
	0xd2, 0x7f, 0xc7, 0x6e, 0x38, 0xac, 0xcb, 0xb7,
	0x5f, 0x79, 0x67, 0x29, 0xff, 0x66, 0x08, 0x0f,
	0x8b, 0xd2, 0xaa, 0xa6, 0x8c, 0xfc, 0xcb, 0x7c,
	0x8f, 0xee, 0x8f, 0xc9, 0x24, 0xb1, 0x08, 0x8a,
	0x9f, 0x99, 0xdd, 0x0b, 0x34, 0x7a, 0xad, 0xdc
};

static const struct mls_st_gen st_cs4_8_gens[] __initconst = {
	{ .leaf = 0, .generation = 0,
	  .hs_key = {
		0xe7, 0x7c, 0xaa, 0x11, 0xf5, 0xa1, 0xd7, 0x6a,
		0x98, 0x33, 0x72, 0x23, 0xd1, 0xa1, 0xab, 0x13,
		0x3e, 0xb7, 0xd1, 0xc7, 0xc8, 0xf8, 0x89, 0xd1,
		0xac, 0xce, 0x11, 0x1e, 0xbf, 0x68, 0x47, 0xcf
	  },
	  .hs_nonce = {
		0x53, 0xe1, 0x67, 0x8e, 0x5a, 0x06, 0x16, 0x04,
		0x99, 0xdb, 0x41, 0xcd
	  },
	  .app_key = {
		0x29, 0x3b, 0x2a, 0xb3, 0xd6, 0xca, 0x4a, 0x6a,
		0xee, 0x00, 0x83, 0x6a, 0xe6, 0xd4, 0x84, 0xc6,
		0x8f, 0x04, 0xab, 0x7a, 0x6c, 0x5a, 0x91, 0x7d,
		0x16, 0x24, 0x91, 0xc8, 0x8d, 0x92, 0xfc, 0xd4
	  },
	  .app_nonce = {
		0xe2, 0x8e, 0x12, 0x79, 0x5b, 0x3c, 0x4e, 0x63,
		0xb0, 0xdb, 0xd4, 0xad
	  } },
	{ .leaf = 0, .generation = 15,
	  .hs_key = {
		0xc5, 0x91, 0xad, 0x95, 0xfd, 0x01, 0xf0, 0x9d,
		0xaa, 0x24, 0xb3, 0xf9, 0x33, 0x28, 0x32, 0x09,
		0x75, 0x5a, 0xcc, 0x17, 0xeb, 0xa4, 0x2f, 0xb3,
		0xe1, 0xb3, 0x8b, 0x7b, 0x01, 0x04, 0xbe, 0x4f
	  },
	  .hs_nonce = {
		0xfa, 0xd6, 0x85, 0xea, 0xc8, 0xe6, 0x3e, 0x25,
		0xf8, 0x60, 0x89, 0x3f
	  },
	  .app_key = {
		0xd2, 0x4b, 0x79, 0x45, 0xc8, 0xf7, 0x74, 0xd3,
		0x1c, 0x53, 0xa3, 0x07, 0x7d, 0x36, 0x5e, 0x91,
		0xaa, 0x50, 0x43, 0x6f, 0x90, 0xf4, 0x01, 0x3e,
		0x42, 0xe1, 0xcd, 0x99, 0xa2, 0x1d, 0x70, 0x56
	  },
	  .app_nonce = {
		0xce, 0x86, 0x88, 0x24, 0xb2, 0x9e, 0xe6, 0x5e,
		0x1a, 0x26, 0x76, 0xbf
	  } },
	{ .leaf = 3, .generation = 0,
	  .hs_key = {
		0xfb, 0x86, 0xe1, 0xa2, 0xc6, 0x2a, 0xd0, 0x02,
		0x52, 0xda, 0x08, 0xb7, 0x06, 0xb6, 0xb4, 0x3f,
		0x30, 0xce, 0x96, 0x55, 0x1b, 0x89, 0x9e, 0x0c,
		0x3a, 0x4c, 0x8a, 0xfd, 0x6e, 0xc3, 0x2f, 0xa3
	  },
	  .hs_nonce = {
		0xa9, 0xd9, 0x6d, 0x63, 0xb1, 0x13, 0x37, 0x0b,
		0x7c, 0xd2, 0x26, 0x64
	  },
	  .app_key = {
		0xbc, 0x23, 0xae, 0x12, 0xe4, 0x24, 0xd9, 0xdd,
		0xc8, 0x21, 0x0d, 0x1e, 0x2e, 0xd1, 0x13, 0xf1,
		0xf0, 0xbc, 0x06, 0xbc, 0x4d, 0x65, 0x95, 0x21,
		0xcf, 0x7b, 0xc0, 0x21, 0xfb, 0x0d, 0x85, 0x10
	  },
	  .app_nonce = {
		0xcf, 0x36, 0x26, 0x49, 0x37, 0x11, 0x50, 0x62,
		0x4b, 0x6f, 0x43, 0x6c
	  } },
	{ .leaf = 3, .generation = 15,
	  .hs_key = {
		0xea, 0xc2, 0xe6, 0xd0, 0x7d, 0x60, 0xdd, 0xc9,
		0xfe, 0xd9, 0x2e, 0x8a, 0x42, 0x0d, 0xab, 0xe4,
		0xea, 0xaa, 0xc1, 0xc8, 0xa0, 0x24, 0x22, 0xd7,
		0x70, 0xa3, 0x54, 0x55, 0xf6, 0xdf, 0x29, 0x40
	  },
	  .hs_nonce = {
		0x0a, 0x30, 0x3f, 0xff, 0xa6, 0x6d, 0x11, 0xe2,
		0x00, 0x0e, 0xb0, 0x28
	  },
	  .app_key = {
		0x89, 0x8d, 0x35, 0x6a, 0xa0, 0xac, 0x16, 0x65,
		0xf2, 0x40, 0xda, 0x7f, 0x2b, 0x44, 0x35, 0xc5,
		0xed, 0x43, 0x28, 0x03, 0x53, 0x11, 0xc7, 0xb9,
		0x1d, 0x29, 0x8e, 0x12, 0xa1, 0x93, 0x91, 0x86
	  },
	  .app_nonce = {
		0x27, 0xb0, 0x1c, 0x15, 0xba, 0x2d, 0x5f, 0x54,
		0x32, 0x49, 0xb2, 0xef
	  } },
	{ .leaf = 7, .generation = 0,
	  .hs_key = {
		0xcc, 0x08, 0x58, 0x27, 0x1f, 0xe8, 0xe0, 0x69,
		0x29, 0xaf, 0x19, 0x3c, 0x0f, 0x03, 0xe8, 0x34,
		0x34, 0x0d, 0xb5, 0x50, 0x82, 0x41, 0xe5, 0x09,
		0x5b, 0x52, 0xa3, 0x82, 0xa1, 0x90, 0xe7, 0x37
	  },
	  .hs_nonce = {
		0x80, 0xb4, 0x73, 0xe3, 0xd4, 0xa8, 0x0f, 0x30,
		0x31, 0x5a, 0x74, 0xce
	  },
	  .app_key = {
		0x9f, 0x7a, 0x7a, 0xd2, 0x35, 0x7f, 0x9c, 0x47,
		0x65, 0x4a, 0xd3, 0xdf, 0x18, 0x4f, 0x35, 0xe1,
		0x4a, 0x34, 0x9a, 0x56, 0x2d, 0x84, 0x61, 0x9f,
		0x17, 0x3b, 0x93, 0x18, 0xd3, 0xb2, 0xa6, 0xca
	  },
	  .app_nonce = {
		0x45, 0xd7, 0x13, 0xf0, 0xb8, 0x75, 0x5b, 0x56,
		0xa2, 0x78, 0x0d, 0x98
	  } },
	{ .leaf = 7, .generation = 15,
	  .hs_key = {
		0x05, 0x57, 0xdf, 0xe5, 0x7d, 0x0b, 0xc7, 0x64,
		0xd7, 0x22, 0xea, 0x10, 0xfd, 0xe6, 0x3f, 0xbc,
		0x9e, 0xfe, 0xd1, 0xb0, 0x38, 0x79, 0x53, 0x75,
		0x25, 0x9f, 0xc0, 0x0f, 0x8f, 0x6f, 0x4a, 0x6e
	  },
	  .hs_nonce = {
		0x1c, 0x5b, 0x1c, 0x76, 0xed, 0x72, 0x51, 0x7f,
		0xae, 0xb9, 0x1f, 0x7f
	  },
	  .app_key = {
		0xf5, 0xba, 0x59, 0xe8, 0x37, 0xa9, 0xd8, 0x7e,
		0xfa, 0xac, 0x3b, 0xc2, 0x56, 0xcc, 0xa2, 0x43,
		0x43, 0x11, 0xe8, 0x3f, 0xc5, 0x92, 0x62, 0xa6,
		0x75, 0xc5, 0x0b, 0xb7, 0x19, 0xb7, 0x16, 0xd0
	  },
	  .app_nonce = {
		0xa7, 0x27, 0xb9, 0x80, 0x8c, 0x23, 0xdc, 0xc6,
		0xfb, 0xa8, 0x65, 0x23
	  } },
};

/* secret-tree.json, cipher_suite 7, 8 leaves */
static const u8 st_cs7_8_secret[] __initconst = {
	0x43, 0xfe, 0x2d, 0xfd, 0xde, 0xc6, 0x45, 0x41,
	0x7f, 0xe4, 0xba, 0xc0, 0x77, 0x63, 0x1a, 0x24,
	0xeb, 0x77, 0xec, 0xee, 0x82, 0x19, 0xff, 0xa9,
	0xc2, 0x0e, 0x9f, 0xda, 0xfd, 0xa9, 0x43, 0xfb,
	0xb8, 0x8d, 0x83, 0x2a, 0x53, 0x07, 0x02, 0x53,
	0xc3, 0x5f, 0x4e, 0x7d, 0x28, 0x8b, 0x16, 0x1e
};

static const struct mls_st_gen st_cs7_8_gens[] __initconst = {
	{ .leaf = 5, .generation = 0,
	  .hs_key = {
		0x86, 0x62, 0xce, 0x63, 0x3d, 0xfc, 0x8c, 0xdf,
		0x6a, 0x2c, 0xcd, 0x1c, 0x15, 0x18, 0x98, 0xc5,
		0x21, 0xa3, 0x2c, 0x3f, 0x9b, 0x5e, 0x89, 0xf7,
		0x99, 0xd8, 0x6c, 0x8e, 0x93, 0xb7, 0x12, 0x97
	  },
	  .hs_nonce = {
		0xd6, 0x49, 0x65, 0xb3, 0x56, 0xeb, 0x3e, 0x4e,
		0x6d, 0xb0, 0x28, 0xad
	  },
	  .app_key = {
		0x59, 0xc4, 0x20, 0xaf, 0x18, 0xfd, 0xac, 0x19,
		0x28, 0xc2, 0x2d, 0xc3, 0x1f, 0xda, 0xd2, 0xf6,
		0x40, 0x32, 0x6b, 0x80, 0x52, 0xc4, 0xf0, 0x64,
		0x65, 0xf9, 0x02, 0x14, 0x24, 0xcc, 0xa6, 0x03
	  },
	  .app_nonce = {
		0xac, 0x7e, 0x9a, 0x92, 0xd7, 0xd7, 0x23, 0x90,
		0xf7, 0x2d, 0xd3, 0x21
	  } },
	{ .leaf = 5, .generation = 15,
	  .hs_key = {
		0x00, 0x3f, 0xd7, 0xe5, 0x29, 0xe7, 0x11, 0x62,
		0x62, 0x63, 0x42, 0xb4, 0xfc, 0xc7, 0x40, 0x54,
		0x35, 0xfc, 0xb7, 0x93, 0xf1, 0x10, 0x02, 0x71,
		0xae, 0x90, 0x96, 0xd8, 0x08, 0xaa, 0x5a, 0x3e
	  },
	  .hs_nonce = {
		0x39, 0xe0, 0xf7, 0x73, 0xcb, 0x7f, 0xb1, 0x8c,
		0x55, 0x79, 0xbe, 0x4d
	  },
	  .app_key = {
		0x5d, 0x70, 0xd4, 0xf8, 0xaf, 0x43, 0x0e, 0x3c,
		0x36, 0xb7, 0x77, 0x60, 0x3f, 0x52, 0xab, 0x06,
		0x8f, 0x1f, 0x2a, 0x23, 0x86, 0xe7, 0xad, 0xe4,
		0xa4, 0x9a, 0xb6, 0x08, 0x2e, 0x33, 0x13, 0xb5
	  },
	  .app_nonce = {
		0xb1, 0x32, 0xfc, 0x0c, 0x3c, 0x01, 0xd5, 0x6a,
		0x09, 0x50, 0xda, 0x5d
	  } },
};

/* Rows of each leaf: generation 0, then generation 15. */
struct mls_st_tree_vec {
	u16 suite;
	u32 leaf_count;
	const u8 *secret;
	const struct mls_st_gen *gens;
	unsigned int ngens;
};

static const struct mls_st_tree_vec mls_st_tree_vecs[] __initconst = {
	{ 1, 8, st_cs1_8_secret, st_cs1_8_gens, ARRAY_SIZE(st_cs1_8_gens) },
	{ 1, 1, st_cs1_1_secret, st_cs1_1_gens, ARRAY_SIZE(st_cs1_1_gens) },
	{ 1, 32, st_cs1_32_secret, st_cs1_32_gens,
	  ARRAY_SIZE(st_cs1_32_gens) },
	{ 4, 8, st_cs4_8_secret, st_cs4_8_gens, ARRAY_SIZE(st_cs4_8_gens) },
	{ 7, 8, st_cs7_8_secret, st_cs7_8_gens, ARRAY_SIZE(st_cs7_8_gens) },
};

/* @k is the vector's key of its generation for ratchet @type. */
static bool __init mls_st_vec_eq(const struct mls_suite *s,
				 const struct mls_st_gen *v,
				 enum mls_ratchet_type type,
				 const struct mls_msg_key *k)
{
	const u8 *key = type == MLS_RATCHET_HANDSHAKE ? v->hs_key : v->app_key;
	const u8 *nonce = type == MLS_RATCHET_HANDSHAKE ? v->hs_nonce :
							  v->app_nonce;

	return k->generation == v->generation &&
	       !memcmp(k->key, key, s->nk) &&
	       !memcmp(k->nonce, nonce, MLS_NONCE_LEN);
}

/* One leaf's two vector rows, sending (mode 0), receiving in order (1)
 * or receiving generation 15 before generation 0 (2).
 */
static void __init mls_st_vec_leaf(struct mls_st *st, struct mls_secret_tree *t,
				   const struct mls_suite *s,
				   const struct mls_st_gen *g0,
				   const struct mls_st_gen *g15,
				   unsigned int mode)
{
	enum mls_ratchet_type type;
	struct mls_msg_key k;
	u32 leaf = g0->leaf;
	bool ok;
	u32 g;

	for (type = MLS_RATCHET_HANDSHAKE; type <= MLS_RATCHET_APPLICATION;
	     type++) {
		switch (mode) {
		case 0:
			ok = true;
			for (g = 0; ok && g <= 15; g++) {
				ok = !mls_stree_send_key(t, leaf, type, &k) &&
				     k.generation == g;
				if (ok && g == 0)
					ok = mls_st_vec_eq(s, g0, type, &k);
				if (ok && g == 15)
					ok = mls_st_vec_eq(s, g15, type, &k);
			}
			mls_st_check(st, ok);
			break;
		case 1:
			ok = !mls_stree_recv_key(t, leaf, type, 0, 0, &k) &&
			     mls_st_vec_eq(s, g0, type, &k) &&
			     !mls_stree_recv_consume(t, leaf, type, 0, 0, 0) &&
			     !mls_stree_recv_key(t, leaf, type, 15, 14, &k) &&
			     mls_st_vec_eq(s, g15, type, &k) &&
			     !mls_stree_recv_consume(t, leaf, type, 15, 14, 0);
			mls_st_check(st, ok &&
				     mls_stree_recv_key(t, leaf, type, 0, 0,
							&k) == -EALREADY);
			break;
		default:
			ok = !mls_stree_recv_key(t, leaf, type, 15, 15, &k) &&
			     mls_st_vec_eq(s, g15, type, &k) &&
			     !mls_stree_recv_key(t, leaf, type, 0, 15, &k) &&
			     mls_st_vec_eq(s, g0, type, &k) &&
			     !mls_stree_recv_consume(t, leaf, type, 15, 15, 15) &&
			     !mls_stree_recv_key(t, leaf, type, 0, 0, &k) &&
			     mls_st_vec_eq(s, g0, type, &k) &&
			     !mls_stree_recv_consume(t, leaf, type, 0, 0, 15);
			mls_st_check(st, ok &&
				     mls_stree_recv_key(t, leaf, type, 0, 0,
							&k) == -EALREADY &&
				     mls_stree_recv_key(t, leaf, type, 15, 0,
							&k) == -EALREADY);
			break;
		}
	}
	mls_msg_key_wipe(&k);
}

/* Rows 1-: per tree, one row for creating it, then two per leaf. */
static void __init mls_st_vectors(struct mls_st *st)
{
	const struct mls_st_tree_vec *v;
	struct mls_secret_tree *t;
	const struct mls_suite *s;
	unsigned int i, j;

	mls_st_group(st, "secret-tree vectors");
	for (i = 0; i < ARRAY_SIZE(mls_st_tree_vecs); i++) {
		v = &mls_st_tree_vecs[i];
		s = mls_suite_find(v->suite);
		t = s ? mls_stree_new(s, v->secret, v->leaf_count) :
			ERR_PTR(-EINVAL);
		mls_st_check(st, !IS_ERR(t));
		if (IS_ERR(t))
			continue;
		for (j = 0; j + 1 < v->ngens; j += 2)
			mls_st_vec_leaf(st, t, s, &v->gens[j], &v->gens[j + 1],
					(j / 2) % 3);
		mls_stree_free(t);
	}
}

static unsigned long __init mls_st_count(struct xarray *xa)
{
	unsigned long index, n = 0;
	void *entry;

	xa_for_each(xa, index, entry)
		n++;
	return n;
}

/* Generation @g of (@leaf, @type) from a tree nothing was consumed from. */
static bool __init mls_st_ref_eq(struct mls_secret_tree *ref, u32 leaf,
				 enum mls_ratchet_type type, u32 g,
				 const struct mls_msg_key *k)
{
	struct mls_msg_key want;
	bool eq;

	eq = !mls_stree_recv_key(ref, leaf, type, g, U32_MAX, &want) &&
	     !memcmp(&want, k, sizeof(want));
	mls_msg_key_wipe(&want);
	return eq;
}

/* The test reaches into a ratchet, to skip to the end of its generations. */
static struct mls_ratchet * __init mls_st_ratchet(struct mls_secret_tree *t,
						  u32 leaf,
						  enum mls_ratchet_type type)
{
	struct mls_stree_leaf *lf;

	mutex_lock(&t->lock);
	lf = xa_load(&t->leaves, leaf);
	mutex_unlock(&t->lock);
	return lf ? &lf->ratchet[type] : NULL;
}

static bool __init mls_st_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* Shorthands for the rows below: application ratchet of leaf @l. */
#define APP	MLS_RATCHET_APPLICATION
#define HS	MLS_RATCHET_HANDSHAKE

static void __init mls_st_recv(struct mls_st *st, struct mls_secret_tree *t,
			       struct mls_secret_tree *ref)
{
	struct mls_msg_key a, b;
	struct mls_ratchet *r;
	u32 g;
	bool ok;

	/* 1: the first recv_key of a leaf derives on a copy: stores nothing */
	mls_st_check(st, !mls_stree_recv_key(t, 5, APP, 3, 10, &a) &&
		     mls_st_count(&t->nodes) == 1 &&
		     mls_st_count(&t->leaves) == 0);
	/* 2: it changes no state: the same key twice */
	mls_st_check(st, !mls_stree_recv_key(t, 5, APP, 3, 10, &b) &&
		     !memcmp(&a, &b, sizeof(a)) &&
		     mls_st_ref_eq(ref, 5, APP, 3, &a));
	/* 3: consuming splits the path 7, 11, 9 to leaf 5 (node 10): 3, 13
	 * and 8 stay, and the leaf secret is gone
	 */
	mls_st_check(st, !mls_stree_recv_consume(t, 5, APP, 3, 10, 0) &&
		     mls_st_count(&t->nodes) == 3 &&
		     mls_node_secret(t, 3) && mls_node_secret(t, 13) &&
		     mls_node_secret(t, 8) && !mls_node_secret(t, 10) &&
		     mls_st_count(&t->leaves) == 1);
	/* 4: a replay of a consumed generation */
	mls_st_check(st, mls_stree_recv_key(t, 5, APP, 3, 10, &a) == -EALREADY &&
		     mls_stree_recv_consume(t, 5, APP, 3, 10, 0) == -EALREADY);
	/* 5: beyond max_forward (next is 4) */
	mls_st_check(st, mls_stree_recv_key(t, 5, APP, 15, 10, &a) == -ERANGE &&
		     mls_st_is_zero(&a, sizeof(a)) &&
		     mls_stree_recv_consume(t, 5, APP, 15, 10, 0) == -ERANGE &&
		     !mls_stree_recv_key(t, 5, APP, 14, 10, &a) &&
		     mls_st_ref_eq(ref, 5, APP, 14, &a));
	/* 6: next + max_forward does not fit a u32: still in range */
	mls_st_check(st, !mls_stree_recv_key(t, 5, APP, 20, U32_MAX - 2, &a) &&
		     mls_st_ref_eq(ref, 5, APP, 20, &a));
	/* 7: a jump to 10 keeps 5..9 and drops 4; late 7 decrypts once */
	mls_st_check(st, !mls_stree_recv_consume(t, 5, APP, 10, 100, 5) &&
		     !mls_stree_recv_key(t, 5, APP, 7, 0, &a) &&
		     mls_st_ref_eq(ref, 5, APP, 7, &a) &&
		     !mls_stree_recv_consume(t, 5, APP, 7, 0, 5) &&
		     mls_stree_recv_key(t, 5, APP, 7, 0, &a) == -EALREADY &&
		     mls_stree_recv_consume(t, 5, APP, 7, 0, 5) == -EALREADY);
	/* 8: dropped, consumed, consumed */
	mls_st_check(st, mls_stree_recv_key(t, 5, APP, 4, 0, &a) == -EKEYEXPIRED &&
		     mls_stree_recv_consume(t, 5, APP, 4, 0, 5) == -EKEYEXPIRED &&
		     mls_stree_recv_key(t, 5, APP, 3, 0, &a) == -EALREADY &&
		     mls_stree_recv_key(t, 5, APP, 10, 0, &a) == -EALREADY);
	/* 9: a jump to 13 keeps 11, 12: six kept, so 5 is dropped */
	mls_st_check(st, !mls_stree_recv_consume(t, 5, APP, 13, 100, 5) &&
		     mls_stree_recv_key(t, 5, APP, 5, 0, &a) == -EKEYEXPIRED &&
		     !mls_stree_recv_key(t, 5, APP, 6, 0, &a) &&
		     mls_st_ref_eq(ref, 5, APP, 6, &a) &&
		     !mls_stree_recv_key(t, 5, APP, 12, 0, &a) &&
		     mls_st_ref_eq(ref, 5, APP, 12, &a));
	/* 10: out_of_order 0 drops every kept key and frees their array;
	 * consumed ones in the window still say so
	 */
	r = mls_st_ratchet(t, 5, APP);
	mls_st_check(st, !mls_stree_recv_consume(t, 5, APP, 14, 100, 0) &&
		     r && !r->kept && !r->nkept && !r->cap &&
		     mls_stree_recv_key(t, 5, APP, 6, 0, &a) == -EKEYEXPIRED &&
		     mls_stree_recv_key(t, 5, APP, 12, 0, &a) == -EKEYEXPIRED &&
		     mls_stree_recv_key(t, 5, APP, 13, 0, &a) == -EALREADY &&
		     mls_stree_recv_key(t, 5, APP, 7, 0, &a) == -EALREADY &&
		     mls_stree_recv_key(t, 5, APP, 3, 0, &a) == -EALREADY);
	/* 11: far below both the window and a dropped one: EKEYEXPIRED,
	 * consumed (7) or not (150); in the window, exact
	 */
	mls_st_check(st, !mls_stree_recv_consume(t, 5, APP, 200, 1000, 0) &&
		     mls_stree_recv_key(t, 5, APP, 7, 0, &a) == -EKEYEXPIRED &&
		     mls_stree_recv_key(t, 5, APP, 150, 0, &a) == -EKEYEXPIRED &&
		     mls_stree_recv_key(t, 5, APP, 199, 0, &a) == -EKEYEXPIRED &&
		     mls_stree_recv_key(t, 5, APP, 200, 0, &a) == -EALREADY);
	/* 12: with nothing dropped, an old consumed generation stays
	 * EALREADY, however old
	 */
	ok = true;
	for (g = 0; ok && g < 100; g++)
		ok = !mls_stree_recv_consume(t, 6, APP, g, 0, 0);
	mls_st_check(st, ok &&
		     mls_stree_recv_key(t, 6, APP, 0, 0, &a) == -EALREADY);
	/* 13: a late key consumed, then dropped past by the floor: 8 stays
	 * EALREADY, 7 and 9 (dropped) EKEYEXPIRED
	 */
	mls_st_check(st, !mls_stree_recv_consume(t, 6, HS, 10, 100, 3) &&
		     !mls_stree_recv_consume(t, 6, HS, 8, 100, 3) &&
		     !mls_stree_recv_consume(t, 6, HS, 20, 100, 3) &&
		     mls_stree_recv_key(t, 6, HS, 8, 0, &a) == -EALREADY &&
		     mls_stree_recv_key(t, 6, HS, 7, 0, &a) == -EKEYEXPIRED &&
		     mls_stree_recv_key(t, 6, HS, 9, 0, &a) == -EKEYEXPIRED &&
		     mls_stree_recv_key(t, 6, HS, 10, 0, &a) == -EALREADY &&
		     !mls_stree_recv_key(t, 6, HS, 17, 0, &a) &&
		     mls_st_ref_eq(ref, 6, HS, 17, &a));
	/* 14: the last generations, received: 0xffffffff is reachable with
	 * any max_forward that covers it, and it erases the ratchet secret
	 */
	ok = !mls_stree_recv_consume(t, 1, APP, 0, 0, 0);
	r = mls_st_ratchet(t, 1, APP);
	if (ok && r) {
		mutex_lock(&t->lock);
		r->next = U32_MAX - 2;
		mutex_unlock(&t->lock);
	}
	mls_st_check(st, ok && r &&
		     !mls_stree_recv_key(t, 1, APP, U32_MAX - 1, 1, &a) &&
		     mls_stree_recv_key(t, 1, APP, U32_MAX, 1, &b) == -ERANGE &&
		     !mls_stree_recv_key(t, 1, APP, U32_MAX, U32_MAX, &b) &&
		     b.generation == U32_MAX &&
		     !mls_stree_recv_consume(t, 1, APP, U32_MAX, 2, 1) &&
		     r->next == MLS_RATCHET_END &&
		     mls_st_is_zero(r->secret, sizeof(r->secret)) &&
		     !mls_stree_recv_key(t, 1, APP, U32_MAX - 1, 0, &b) &&
		     !memcmp(&a, &b, sizeof(a)) &&
		     mls_stree_recv_key(t, 1, APP, U32_MAX, 0, &b) == -EALREADY &&
		     mls_stree_recv_key(t, 1, APP, U32_MAX - 2, 0, &b) ==
		     -EKEYEXPIRED &&
		     !mls_stree_recv_consume(t, 1, APP, U32_MAX - 1, 0, 1) &&
		     mls_stree_recv_consume(t, 1, APP, U32_MAX, 0, 1) ==
		     -EALREADY);
	mls_msg_key_wipe(&a);
	mls_msg_key_wipe(&b);
}

static void __init mls_st_send(struct mls_st *st, struct mls_secret_tree *t,
			       struct mls_secret_tree *ref)
{
	struct mls_msg_key k;
	struct mls_ratchet *r;
	bool ok;

	/* 1: sending takes 0, 1, 2 in turn; they are consumed */
	mls_st_check(st, !mls_stree_send_key(t, 2, HS, &k) &&
		     mls_st_ref_eq(ref, 2, HS, 0, &k) &&
		     !mls_stree_send_key(t, 2, HS, &k) &&
		     mls_st_ref_eq(ref, 2, HS, 1, &k) &&
		     !mls_stree_send_key(t, 2, HS, &k) &&
		     mls_st_ref_eq(ref, 2, HS, 2, &k) &&
		     mls_stree_recv_key(t, 2, HS, 1, 0, &k) == -EALREADY);
	/* 2: 0xffffffff is the last generation, then -EOVERFLOW */
	r = mls_st_ratchet(t, 2, HS);
	ok = !!r;
	if (ok) {
		mutex_lock(&t->lock);
		r->next = U32_MAX;
		mutex_unlock(&t->lock);
	}
	mls_st_check(st, ok && !mls_stree_send_key(t, 2, HS, &k) &&
		     k.generation == U32_MAX &&
		     mls_st_is_zero(r->secret, sizeof(r->secret)) &&
		     mls_stree_send_key(t, 2, HS, &k) == -EOVERFLOW &&
		     mls_st_is_zero(&k, sizeof(k)) &&
		     mls_stree_send_key(t, 2, HS, &k) == -EOVERFLOW &&
		     mls_stree_recv_key(t, 2, HS, U32_MAX, 0, &k) == -EALREADY);
	/* 3: the other ratchet of the leaf is untouched */
	mls_st_check(st, !mls_stree_send_key(t, 2, APP, &k) &&
		     mls_st_ref_eq(ref, 2, APP, 0, &k));
	mls_msg_key_wipe(&k);
}

#undef APP
#undef HS

static void __init mls_st_shape(struct mls_st *st, const struct mls_suite *s,
				const u8 *secret, struct mls_secret_tree *ref)
{
	struct mls_secret_tree *t;
	struct mls_msg_key k;
	bool ok;
	u32 i;

	/* 1: arguments out of range */
	t = mls_stree_new(s, secret, 0);
	ok = PTR_ERR_OR_ZERO(t) == -EINVAL;
	t = mls_stree_new(s, secret, MLS_STREE_MAX_LEAVES + 1);
	ok = ok && PTR_ERR_OR_ZERO(t) == -EINVAL;
	mls_st_check(st, ok &&
		     mls_stree_send_key(ref, 8, MLS_RATCHET_HANDSHAKE, &k) ==
		     -EINVAL &&
		     mls_stree_recv_key(ref, 8, MLS_RATCHET_HANDSHAKE, 0, 0,
					&k) == -EINVAL &&
		     mls_stree_recv_consume(ref, 8, MLS_RATCHET_HANDSHAKE, 0,
					    0, 0) == -EINVAL &&
		     mls_stree_recv_key(ref, 0, 2, 0, 0, &k) == -EINVAL);

	/* 2: five leaves: leaf 4 as in eight, and nodes 13 and 10 (leaves
	 * 5 to 7 only) never derived
	 */
	t = mls_stree_new(s, secret, 5);
	ok = !IS_ERR(t);
	mls_st_check(st, ok &&
		     !mls_stree_send_key(t, 4, MLS_RATCHET_APPLICATION, &k) &&
		     mls_st_ref_eq(ref, 4, MLS_RATCHET_APPLICATION, 0, &k) &&
		     mls_st_count(&t->nodes) == 1 && mls_node_secret(t, 3) &&
		     mls_stree_send_key(t, 5, MLS_RATCHET_APPLICATION, &k) ==
		     -EINVAL);
	/* 3: once every leaf was taken, no node secret is left */
	for (i = 0; ok && i < 5; i++)
		ok = !mls_stree_send_key(t, i, MLS_RATCHET_HANDSHAKE, &k) &&
		     mls_st_ref_eq(ref, i, MLS_RATCHET_HANDSHAKE, 0, &k);
	mls_st_check(st, ok && mls_st_count(&t->nodes) == 0 &&
		     mls_st_count(&t->leaves) == 5);
	if (!IS_ERR(t))
		mls_stree_free(t);

	/* 4: the widest tree: its last leaf is 31 levels down */
	t = mls_stree_new(s, secret, MLS_STREE_MAX_LEAVES);
	ok = !IS_ERR(t);
	mls_st_check(st, ok &&
		     !mls_stree_recv_key(t, MLS_STREE_MAX_LEAVES - 1,
					 MLS_RATCHET_HANDSHAKE, 1, 1, &k) &&
		     !mls_stree_recv_consume(t, MLS_STREE_MAX_LEAVES - 1,
					     MLS_RATCHET_HANDSHAKE, 1, 1, 1) &&
		     mls_st_count(&t->nodes) == 31 &&
		     !mls_stree_recv_key(t, MLS_STREE_MAX_LEAVES - 1,
					 MLS_RATCHET_HANDSHAKE, 0, 0, &k));
	if (!IS_ERR(t))
		mls_stree_free(t);
	mls_msg_key_wipe(&k);
}

#define MLS_ST_THREADS	4
#define MLS_ST_SENDS	256
#define MLS_ST_RECVS	200

/* Threads taking keys of one tree at once. */
struct mls_st_race {
	struct mls_secret_tree *t;
	DECLARE_BITMAP(sent, MLS_ST_THREADS * MLS_ST_SENDS);
	atomic_t consumed;
	atomic_t bad;
};

struct mls_st_worker {
	struct mls_st_race *race;
	struct completion done;
};

/* Each of leaf 0's generations is handed out once. */
static int __init mls_st_sender(void *arg)
{
	struct mls_st_worker *w = arg;
	struct mls_st_race *race = w->race;
	struct mls_msg_key k;
	int i;

	for (i = 0; i < MLS_ST_SENDS; i++)
		if (mls_stree_send_key(race->t, 0, MLS_RATCHET_HANDSHAKE, &k) ||
		    k.generation >= MLS_ST_THREADS * MLS_ST_SENDS ||
		    test_and_set_bit(k.generation, race->sent))
			atomic_inc(&race->bad);
	mls_msg_key_wipe(&k);
	/* Not a return: this code is freed once the load completes. */
	kthread_complete_and_exit(&w->done, 0);
}

/* Every thread receives each of leaf 1's messages: one consumes it. */
static int __init mls_st_receiver(void *arg)
{
	struct mls_st_worker *w = arg;
	struct mls_st_race *race = w->race;
	struct mls_msg_key k;
	u32 g;
	int ret;

	for (g = 0; g < MLS_ST_RECVS; g++) {
		ret = mls_stree_recv_key(race->t, 1, MLS_RATCHET_APPLICATION,
					 g, MLS_ST_RECVS, &k);
		if (!ret && k.generation != g)
			ret = -EINVAL;
		ret = ret ?: mls_stree_recv_consume(race->t, 1,
						    MLS_RATCHET_APPLICATION, g,
						    MLS_ST_RECVS, MLS_ST_RECVS);
		if (!ret)
			atomic_inc(&race->consumed);
		else if (ret != -EALREADY)
			atomic_inc(&race->bad);
	}
	mls_msg_key_wipe(&k);
	kthread_complete_and_exit(&w->done, 0);
}

static bool __init mls_st_race_run(struct mls_st_race *race,
				   int (*fn)(void *))
{
	struct mls_st_worker w[MLS_ST_THREADS];
	struct task_struct *task;
	unsigned int i, n;

	for (n = 0; n < MLS_ST_THREADS; n++) {
		w[n].race = race;
		init_completion(&w[n].done);
		task = kthread_run(fn, &w[n], "mls_st/%u", n);
		if (IS_ERR(task))
			break;
	}
	for (i = 0; i < n; i++)
		wait_for_completion(&w[i].done);
	return n == MLS_ST_THREADS;
}

/* Row 1: concurrent senders; row 2: concurrent receivers. */
static void __init mls_st_race(struct mls_st *st, const struct mls_suite *s,
			       const u8 *secret)
{
	struct mls_st_race race = {};
	struct mls_ratchet *r;
	bool ok;

	race.t = mls_stree_new(s, secret, 2);
	if (IS_ERR(race.t)) {
		mls_st_check(st, false);
		return;
	}
	atomic_set(&race.consumed, 0);
	atomic_set(&race.bad, 0);
	ok = mls_st_race_run(&race, mls_st_sender);
	mls_st_check(st, ok && !atomic_read(&race.bad) &&
		     bitmap_full(race.sent, MLS_ST_THREADS * MLS_ST_SENDS));
	ok = mls_st_race_run(&race, mls_st_receiver);
	r = mls_st_ratchet(race.t, 1, MLS_RATCHET_APPLICATION);
	mls_st_check(st, ok && !atomic_read(&race.bad) &&
		     atomic_read(&race.consumed) == MLS_ST_RECVS &&
		     r && r->next == MLS_ST_RECVS && !r->nkept);
	mls_stree_free(race.t);
}

/*
 * Retiring a sender erases both of its ratchet secrets, derives nothing
 * for a leaf not taken yet, and refuses to send (-ESTALE) either way while
 * the other leaves still receive.
 */
static void __init mls_st_retire(struct mls_st *st, const struct mls_suite *s,
				 const u8 *secret)
{
	struct mls_secret_tree *t = mls_stree_new(s, secret, 8);
	struct mls_stree_leaf *lf;
	struct mls_msg_key k;

	mls_st_check(st, !IS_ERR(t));
	if (IS_ERR(t))
		return;
	mls_st_check(st, !mls_stree_send_key(t, 2, MLS_RATCHET_APPLICATION, &k));
	mls_stree_retire_sender(t, 2);
	lf = xa_load(&t->leaves, 2);
	mls_st_check(st, lf && lf->retired &&
		     mls_st_is_zero(lf->ratchet[0].secret, MLS_MAX_HASH_LEN) &&
		     mls_st_is_zero(lf->ratchet[1].secret, MLS_MAX_HASH_LEN));
	mls_st_check(st, mls_stree_send_key(t, 2, MLS_RATCHET_HANDSHAKE, &k) ==
			 -ESTALE);
	mls_stree_free(t);

	/* Never taken: marked, nothing derived, and it sends no more. */
	t = mls_stree_new(s, secret, 8);
	mls_st_check(st, !IS_ERR(t));
	if (IS_ERR(t))
		return;
	mls_stree_retire_sender(t, 5);
	mls_st_check(st, !xa_load(&t->leaves, 5) &&
		     mls_st_count(&t->nodes) == 1 && mls_node_secret(t, 7));
	mls_st_check(st, mls_stree_send_key(t, 5, MLS_RATCHET_APPLICATION, &k) ==
			 -ESTALE &&
		     mls_st_count(&t->leaves) == 0);
	mls_st_check(st, !mls_stree_recv_key(t, 3, MLS_RATCHET_APPLICATION, 0,
					     10, &k));
	mls_msg_key_wipe(&k);
	mls_stree_free(t);
}

/*
 * A message far ahead is consumed with at most MLS_STREE_LOCKED_STEPS + 1
 * hash steps under the lock (the rest derived without it), and leaves
 * the ratchet as consuming the same generations in short hops does: the
 * next generation and a kept skipped one give the same keys.
 */
static void __init mls_st_far(struct mls_st *st, const struct mls_suite *s,
			      const u8 *secret)
{
	const u32 far = 5000, ooo = 32;
	struct mls_secret_tree *t = mls_stree_new(s, secret, 8);
	struct mls_secret_tree *ref = mls_stree_new(s, secret, 8);
	struct mls_msg_key a, b;
	bool ok = !IS_ERR(t) && !IS_ERR(ref);
	u32 g;

	mls_st_check(st, ok);
	if (!ok)
		goto out;
	for (g = 10; ok && g <= far; g += 10)
		ok = !mls_stree_recv_consume(ref, 3, MLS_RATCHET_APPLICATION, g,
					     far, ooo);
	mls_st_check(st, ok);
	t->locked_steps = 0;
	mls_st_check(st, !mls_stree_recv_consume(t, 3, MLS_RATCHET_APPLICATION,
						 far, far, ooo));
	mls_st_check(st, t->locked_steps <= MLS_STREE_LOCKED_STEPS + 1);
	mls_st_check(st, !mls_stree_recv_key(t, 3, MLS_RATCHET_APPLICATION,
					     far + 1, 1, &a) &&
			 !mls_stree_recv_key(ref, 3, MLS_RATCHET_APPLICATION,
					     far + 1, 1, &b) &&
			 !memcmp(&a, &b, sizeof(a)));
	mls_st_check(st, !mls_stree_recv_key(t, 3, MLS_RATCHET_APPLICATION,
					     far - 1, 1, &a) &&
			 !mls_stree_recv_key(ref, 3, MLS_RATCHET_APPLICATION,
					     far - 1, 1, &b) &&
			 !memcmp(&a, &b, sizeof(a)));
	mls_st_check(st, mls_stree_recv_consume(t, 3, MLS_RATCHET_APPLICATION,
						far, far, ooo) == -EALREADY);
	mls_msg_key_wipe(&a);
	mls_msg_key_wipe(&b);
out:
	if (!IS_ERR(t))
		mls_stree_free(t);
	if (!IS_ERR(ref))
		mls_stree_free(ref);
}

/**
 * mls_stree_selftest() - run every row
 *
 * Needs mls_crypto_init() first.
 *
 * Return: 0, or -ENOTRECOVERABLE if any row failed.
 */
int __init mls_stree_selftest(void)
{
	const struct mls_suite *s = mls_suite_find(1);
	struct mls_secret_tree *t = NULL, *ref = NULL;
	struct mls_st st = {};

	mls_st_vectors(&st);

	mls_st_group(&st, "secret-tree behaviour");
	if (s) {
		t = mls_stree_new(s, st_cs1_8_secret, 8);
		ref = mls_stree_new(s, st_cs1_8_secret, 8);
	}
	mls_st_check(&st, !IS_ERR_OR_NULL(t) && !IS_ERR_OR_NULL(ref));
	if (!IS_ERR_OR_NULL(t) && !IS_ERR_OR_NULL(ref)) {
		mls_st_group(&st, "secret-tree receive");
		mls_st_recv(&st, t, ref);
		mls_st_group(&st, "secret-tree send");
		mls_st_send(&st, t, ref);
		mls_st_group(&st, "secret-tree shape");
		mls_st_shape(&st, s, st_cs1_8_secret, ref);
		mls_st_group(&st, "secret-tree race");
		mls_st_race(&st, s, st_cs1_8_secret);
		mls_st_group(&st, "secret-tree retire");
		mls_st_retire(&st, s, st_cs1_8_secret);
		mls_st_group(&st, "secret-tree far ahead");
		mls_st_far(&st, s, st_cs1_8_secret);
	}
	if (!IS_ERR(t))
		mls_stree_free(t);
	if (!IS_ERR(ref))
		mls_stree_free(ref);

	if (st.failed) {
		pr_info("secret tree selftest: %u of %u rows failed\n",
			st.failed, st.total);
		return -ENOTRECOVERABLE;
	}
	pr_info("secret tree selftest: %u rows passed\n", st.total);
	return 0;
}

#endif /* MLS_SELFTEST */
