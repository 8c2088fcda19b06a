// SPDX-License-Identifier: GPL-2.0
/*
 * A member's own Update (RFC 9420 §12.1.2) with libmlsclient: proposed
 * by a member (mlsc_group_propose()), committed by reference by another
 * (§12.4), its new private key installed when the proposer processes
 * the Commit (§12.4.2). Built with AddressSanitizer and UBSan; each
 * test ends with a LeakSanitizer check.
 *
 *  update.by_reference  Bob proposes an Update (PublicMessage), Alice
 *                       commits it by reference, Bob follows: equal
 *                       epoch_authenticators, messages both ways, Bob's
 *                       leaf in both trees the proposed one (a new
 *                       encryption key, the same signature key), his
 *                       kept key gone with the epoch; then Alice's own
 *                       Update, committed by Bob
 *  update.private       the Update as a PrivateMessage, committed and
 *                       followed the same way
 *  update.refused       Alice committing her own Update by reference or
 *                       an Update by value (-EINVAL), Bob's two Updates
 *                       or his Update and a Remove of him (-EINVAL), bad
 *                       specs (-EINVAL), another member's signature key
 *                       (-EBADMSG): nothing changed; the valid Update
 *                       still commits
 *  update.stale         an Update of the epoch before: its reference is
 *                       unknown (-ENOENT), its message -ESTALE, the
 *                       proposer's kept key gone
 *  update.no_key        Bob's kept key missing when the Commit of his
 *                       Update comes: -ENOKEY and nothing changed
 *  update.wrong_key     Bob's kept key not the one of the committed
 *                       leaf (his other Update's): -EPROTO, nothing
 *                       changed; the Commit with its last byte (the
 *                       membership tag) flipped: refused, nothing
 *                       changed; the real Commit then followed with
 *                       the key still kept
 *  update.three         Carol proposes, Bob commits, Alice and Carol
 *                       follow; all three agree and talk
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmls.h>
#include <mls_client.h>

#include "client_util.h"
#include "group.h"
#include "kselftest_harness.h"
#include "proposal.h"
#include "wire.h"

static const struct mlsc_proposal_spec update = { .type = MLSC_PROPOSE_UPDATE };

static int two_members(int ctl, struct member *alice, struct member *bob)
{
	return alice_and_bob(ctl, 1, alice, bob);
}

/* The WireFormat of MLSMessage @m (after its version), or -1. */
static int wire_format(const struct mls_bytes *m)
{
	const uint8_t *p = m->data;

	return m->len >= 4 ? p[2] << 8 | p[3] : -1;
}

/* @m proposes its Update, as a PrivateMessage if @private. */
static int propose_update(struct member *m, bool private,
			  struct mlsc_proposal_out *out)
{
	struct mlsc_propose_args a = {
		.flags = private ? MLSC_PROPOSE_F_PRIVATE : 0,
		.proposal = &update, .sig_key = m->sig,
		.authenticated_data = "ad", .authenticated_data_len = 2,
	};

	return mlsc_group_propose(m->g, &a, out);
}

/* @m processes @from's proposal @msg; its ref into @ref. */
static int take(struct member *m, const struct mls_bytes *msg,
		uint32_t from, struct mls_bytes *ref)
{
	struct mlsc_processed p;
	int err;

	err = mlsc_group_process(m->g, msg->data, msg->len, NULL, &p);
	if (err)
		return err;
	if (p.content_type != MLS_CONTENT_PROPOSAL || p.sender_leaf != from ||
	    !ref)
		err = -EPROTO;
	if (!err) {
		*ref = p.proposal_ref;
		memset(&p.proposal_ref, 0, sizeof(p.proposal_ref));
	}
	mlsc_processed_free(&p);
	return err;
}

/* @s copied into @arena (the cache's bytes go with the epoch). */
static int copy_slice(struct mlsc_arena *arena, struct mlsc_slice *s)
{
	uint8_t *p = mlsc_arena_alloc(arena, s->len ? s->len : 1);

	if (!p)
		return -ENOMEM;
	memcpy(p, s->p, s->len);
	s->p = p;
	return 0;
}

/* The LeafNode @m proposed under @ref: its keys, copied out of @m's cache. */
static int proposed_leaf(const struct member *m, const struct mls_bytes *ref,
			 struct mlsc_arena *arena, struct mlsc_leaf_node *out)
{
	const struct mlsc_group *g = m->g;
	const struct mlsc_cached_proposal *e;
	struct mlsc_proposal p;
	int err;

	if (!g->cache)
		return -ENOENT;
	e = mlsc_proposal_cache_find(g->cache, g->suite->nh, g->cache->epoch,
				     ref->data, ref->len);
	if (!e)
		return -ENOENT;
	/* the private key is kept with it */
	if (!e->leaf_sk_len)
		return -ENOKEY;
	err = MLSC_DECODE(e->bytes, e->len, arena, &p, mlsc_io_proposal);
	if (!err && p.type != MLSC_PROPOSAL_UPDATE)
		err = -EPROTO;
	if (!err) {
		*out = p.update;
		err = copy_slice(arena, &out->encryption_key) ?:
		      copy_slice(arena, &out->signature_key);
	}
	return err;
}

/* Leaf @leaf of @g has the encryption and signature keys of @l. */
static bool leaf_is(const struct mlsc_group *g, uint32_t leaf,
		    const struct mlsc_leaf_node *l)
{
	const struct mlsc_leaf_node *t = mlsc_tree_leaf(&g->tree, leaf);

	return t && t->source == MLSC_LEAF_SOURCE_UPDATE &&
	       mlsc_slice_eq(&t->encryption_key, &l->encryption_key) &&
	       mlsc_slice_eq(&t->signature_key, &l->signature_key);
}

/* No proposal (nor any Update's private key) left in @g's cache. */
static bool cache_empty(const struct mlsc_group *g)
{
	return !g->cache || !g->cache->n;
}

/*
 * @proposer (leaf @from) proposes its Update, @committer (leaf @by)
 * takes it and commits it by reference, @proposer follows: 0 or -errno.
 */
static int update_round(struct member *proposer, uint32_t from,
			struct member *committer, uint32_t by, bool private,
			struct mlsc_arena *arena, struct mlsc_leaf_node *leaf,
			struct mlsc_commit_out *out)
{
	struct mlsc_proposal_out po = { 0 };
	struct mls_bytes ref = { 0 };
	uint64_t epoch = (uint64_t)mlsc_group_epoch(committer->g) + 1;
	int err;

	err = propose_update(proposer, private, &po);
	if (!err && wire_format(&po.message) !=
		    (private ? MLS_WIRE_FORMAT_PRIVATE_MESSAGE :
			       MLS_WIRE_FORMAT_PUBLIC_MESSAGE))
		err = -EPROTO;
	if (!err)
		err = proposed_leaf(proposer, &po.ref, arena, leaf);
	if (!err)
		err = take(committer, &po.message, from, &ref);
	if (!err && (ref.len != po.ref.len ||
		     memcmp(ref.data, po.ref.data, ref.len)))
		err = -EPROTO;
	if (!err)
		err = commit_merged(committer, NULL, 0, &ref, 1, out);
	if (!err)
		err = follow_commit(proposer, &out->commit, NULL, by, epoch,
				    NULL);
	mls_bytes_free(&ref);
	mlsc_proposal_out_free(&po);
	return err;
}

TWO_MEMBERS_FIXTURE(update, two_members)

TEST_F(update, by_reference)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	const struct mlsc_leaf_node *old;
	struct mlsc_commit_out out = { 0 };
	struct mlsc_leaf_node leaf;
	struct mlsc_arena arena;
	uint8_t old_enc[MLSC_MAX_PK];
	size_t old_len;

	mlsc_arena_init(&arena);
	old = mlsc_tree_leaf(&bob->g->tree, 1);
	ASSERT_NE(NULL, old);
	old_len = old->encryption_key.len;
	ASSERT_GE(sizeof(old_enc), old_len);
	memcpy(old_enc, old->encryption_key.p, old_len);

	ASSERT_EQ(0, update_round(bob, 1, alice, 0, false, &arena, &leaf,
				  &out));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_EQ(2, mlsc_group_epoch(bob->g));
	/* the proposed leaf in both trees: a new key, the same signer */
	EXPECT_TRUE(leaf_is(bob->g, 1, &leaf));
	EXPECT_TRUE(leaf_is(alice->g, 1, &leaf));
	EXPECT_FALSE(leaf.encryption_key.len == old_len &&
		     !memcmp(leaf.encryption_key.p, old_enc, old_len));
	EXPECT_TRUE(mlsc_slice_eq(&leaf.signature_key,
				  &mlsc_tree_leaf(&alice->g->tree, 1)->signature_key));
	EXPECT_TRUE(cache_empty(bob->g));
	ALL_TALK(alice, bob);

	/* Alice's own Update, committed by Bob; then a commit of Alice's */
	ASSERT_EQ(0, update_round(alice, 0, bob, 1, false, &arena, &leaf,
				  &out));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(leaf_is(alice->g, 0, &leaf));
	EXPECT_TRUE(leaf_is(bob->g, 0, &leaf));
	EXPECT_TRUE(cache_empty(alice->g));
	ALL_TALK(alice, bob);
	/* both new leaf keys decrypt the next UpdatePaths */
	ASSERT_EQ(0, commit_merged(alice, NULL, 0, NULL, 0, &out));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, 4, NULL));
	mlsc_commit_out_free(&out);
	ASSERT_EQ(0, commit_merged(bob, NULL, 0, NULL, 0, &out));
	EXPECT_EQ(0, follow_commit(alice, &out.commit, NULL, 1, 5, NULL));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	ALL_TALK(alice, bob);
	mlsc_arena_free(&arena);
}

TEST_F(update, private)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_commit_out out = { 0 };
	struct mlsc_leaf_node leaf;
	struct mlsc_arena arena;

	mlsc_arena_init(&arena);
	ASSERT_EQ(0, update_round(bob, 1, alice, 0, true, &arena, &leaf,
				  &out));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(leaf_is(bob->g, 1, &leaf));
	EXPECT_TRUE(leaf_is(alice->g, 1, &leaf));
	ALL_TALK(alice, bob);
	mlsc_arena_free(&arena);
}

TEST_F(update, refused)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_proposal_spec rm = { .type = MLSC_PROPOSE_REMOVE, .leaf = 1 };
	struct mlsc_proposal_spec bad = update;
	struct mlsc_propose_args pa = { .proposal = &bad, .sig_key = bob->sig };
	struct mlsc_proposal_out own = { 0 }, b1 = { 0 }, b2 = { 0 };
	struct mlsc_proposal_out none = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mls_bytes refs[2] = { { 0 } };
	uint64_t epoch = (uint64_t)mlsc_group_epoch(alice->g);
	struct group_mark mark;

	ASSERT_EQ(0, group_mark(alice->g, &mark));

	/* Alice's own Update: by reference, and by value */
	ASSERT_EQ(0, propose_update(alice, false, &own));
	EXPECT_EQ(-EINVAL, commit_merged(alice, NULL, 0, &own.ref, 1, &out));
	EXPECT_EQ(-EINVAL, commit_merged(alice, &update, 1, NULL, 0, &out));

	/* Bob's two Updates; one of them and a Remove of Bob */
	ASSERT_EQ(0, propose_update(bob, false, &b1));
	ASSERT_EQ(0, propose_update(bob, true, &b2));
	ASSERT_EQ(0, take(alice, &b1.message, 1, &refs[0]));
	ASSERT_EQ(0, take(alice, &b2.message, 1, &refs[1]));
	EXPECT_EQ(-EINVAL, commit_merged(alice, NULL, 0, refs, 2, &out));
	EXPECT_EQ(-EINVAL, commit_merged(alice, &rm, 1, refs, 1, &out));

	/* specs with more than the type; not Bob's signature key */
	bad.leaf = 1;
	EXPECT_EQ(-EINVAL, mlsc_group_propose(bob->g, &pa, &none));
	bad.leaf = 0;
	bad.psk = "x";
	bad.psk_len = 1;
	EXPECT_EQ(-EINVAL, mlsc_group_propose(bob->g, &pa, &none));
	bad = update;
	pa.sig_key = alice->sig;
	EXPECT_EQ(-EBADMSG, mlsc_group_propose(bob->g, &pa, &none));
	EXPECT_EQ(NULL, none.message.data);
	EXPECT_EQ(NULL, none.ref.data);

	EXPECT_TRUE(group_unchanged(alice->g, &mark));
	EXPECT_TRUE(group_unchanged(bob->g, &mark));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	ALL_TALK(alice, bob);

	/* the second of Bob's still commits, and Bob follows */
	ASSERT_EQ(0, commit_merged(alice, NULL, 0, &refs[1], 1, &out));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, epoch + 1, NULL));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(cache_empty(alice->g));
	EXPECT_TRUE(cache_empty(bob->g));
	ALL_TALK(alice, bob);
	mlsc_proposal_out_free(&own);
	mlsc_proposal_out_free(&b1);
	mlsc_proposal_out_free(&b2);
	mls_bytes_free(&refs[0]);
	mls_bytes_free(&refs[1]);
}

TEST_F(update, stale)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_proposal_out po = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mls_bytes ref = { 0 }, late = { 0 };
	uint64_t epoch = (uint64_t)mlsc_group_epoch(alice->g);

	ASSERT_EQ(0, propose_update(bob, false, &po));
	ASSERT_EQ(0, take(alice, &po.message, 1, &ref));
	/* the epoch ends without it */
	ASSERT_EQ(0, commit_merged(alice, NULL, 0, NULL, 0, &out));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, epoch + 1, NULL));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(cache_empty(alice->g));
	EXPECT_TRUE(cache_empty(bob->g));
	/* neither its reference nor its message is of this epoch */
	EXPECT_EQ(-ENOENT, commit_merged(alice, NULL, 0, &ref, 1, &out));
	EXPECT_EQ(-ESTALE, take(alice, &po.message, 1, &late));
	EXPECT_TRUE(nothing_pending(alice->g));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	ALL_TALK(alice, bob);
	mlsc_proposal_out_free(&po);
	mls_bytes_free(&ref);
}

TEST_F(update, no_key)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_proposal_out po = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_cached_proposal *e;
	struct mls_bytes ref = { 0 };
	uint64_t epoch = (uint64_t)mlsc_group_epoch(bob->g);
	struct group_mark mark;

	ASSERT_EQ(0, group_mark(bob->g, &mark));
	ASSERT_EQ(0, propose_update(bob, false, &po));
	ASSERT_EQ(0, take(alice, &po.message, 1, &ref));
	ASSERT_EQ(0, commit_merged(alice, NULL, 0, &ref, 1, &out));
	/* as if the proposal were not this instance's */
	e = (struct mlsc_cached_proposal *)
		mlsc_proposal_cache_find(bob->g->cache, bob->g->suite->nh,
					 epoch, po.ref.data, po.ref.len);
	ASSERT_NE(NULL, e);
	memset(e->leaf_sk, 0, sizeof(e->leaf_sk));
	e->leaf_sk_len = 0;
	EXPECT_EQ(-ENOKEY, follow_commit(bob, &out.commit, NULL, 0,
					 epoch + 1, NULL));
	EXPECT_TRUE(group_unchanged(bob->g, &mark));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	mls_bytes_free(&ref);
}

TEST_F(update, wrong_key)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_proposal_out po[2];
	struct mlsc_commit_out out = { 0 };
	struct mlsc_cached_proposal *e[2];
	struct mls_bytes ref = { 0 }, bad = { 0 };
	uint64_t epoch = (uint64_t)mlsc_group_epoch(bob->g);
	size_t i;
	struct group_mark mark;
	uint8_t kept[sizeof(e[0]->leaf_sk)];

	memset(po, 0, sizeof(po));
	ASSERT_EQ(0, group_mark(bob->g, &mark));
	ASSERT_EQ(0, propose_update(bob, false, &po[0]));
	ASSERT_EQ(0, propose_update(bob, false, &po[1]));
	ASSERT_EQ(0, take(alice, &po[0].message, 1, &ref));
	ASSERT_EQ(0, commit_merged(alice, NULL, 0, &ref, 1, &out));
	for (i = 0; i < 2; i++) {
		e[i] = (struct mlsc_cached_proposal *)
			mlsc_proposal_cache_find(bob->g->cache,
						 bob->g->suite->nh, epoch,
						 po[i].ref.data, po[i].ref.len);
		ASSERT_NE(NULL, e[i]);
		ASSERT_NE(0, e[i]->leaf_sk_len);
	}
	ASSERT_EQ(e[0]->leaf_sk_len, e[1]->leaf_sk_len);
	ASSERT_NE(0, memcmp(e[0]->leaf_sk, e[1]->leaf_sk, e[0]->leaf_sk_len));

	/* the other Update's key kept for this one */
	memcpy(kept, e[0]->leaf_sk, sizeof(kept));
	memcpy(e[0]->leaf_sk, e[1]->leaf_sk, e[0]->leaf_sk_len);
	EXPECT_EQ(-EPROTO, follow_commit(bob, &out.commit, NULL, 0,
					 epoch + 1, NULL));
	EXPECT_TRUE(group_unchanged(bob->g, &mark));
	memcpy(e[0]->leaf_sk, kept, sizeof(kept));

	/* the right key, a Commit refused: the key stays */
	bad.data = malloc(out.commit.len);
	ASSERT_NE(NULL, bad.data);
	bad.len = out.commit.len;
	memcpy(bad.data, out.commit.data, bad.len);
	bad.data[bad.len - 1] ^= 1;
	EXPECT_NE(0, follow_commit(bob, &bad, NULL, 0, epoch + 1, NULL));
	EXPECT_TRUE(group_unchanged(bob->g, &mark));

	/* the real one: the key was still there */
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, epoch + 1,
				   NULL));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(cache_empty(bob->g));
	ALL_TALK(alice, bob);
	memset(kept, 0, sizeof(kept));
	free(bad.data);
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po[0]);
	mlsc_proposal_out_free(&po[1]);
	mls_bytes_free(&ref);
}

/* A third member, Carol, added by Alice; Bob follows, Carol joins. */
static int add_carol(int ctl, struct member *alice, struct member *bob,
		     struct member *carol)
{
	struct mlsc_proposal_spec add = {
		.type = MLSC_PROPOSE_ADD, .key_package = carol->kp,
	};
	struct mlsc_commit_out out = { 0 };
	struct mls_bytes tree = { 0 };
	uint64_t epoch = (uint64_t)mlsc_group_epoch(alice->g) + 1;
	int err;

	err = commit_merged(alice, &add, 1, NULL, 0, &out);
	if (!err)
		err = follow_commit(bob, &out.commit, NULL, 0, epoch, NULL);
	if (!err)
		err = mlsc_group_ratchet_tree(alice->g, &tree);
	if (!err)
		err = member_join(ctl, carol, &out.welcome, &tree, NULL, 0);
	mls_bytes_free(&tree);
	mlsc_commit_out_free(&out);
	return err;
}

TEST_F(update, three)
{
	struct member *alice = &self->alice, *bob = &self->bob, carol = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_leaf_node leaf;
	struct mlsc_arena arena;
	struct mls_bytes ref = { 0 };
	uint64_t epoch;

	mlsc_arena_init(&arena);
	ASSERT_EQ(0, member_new(1, "carol", &carol));
	ASSERT_EQ(0, add_carol(self->ctl, alice, bob, &carol));
	epoch = (uint64_t)mlsc_group_epoch(alice->g);
	ASSERT_TRUE(same_authenticator(alice->g, carol.g));

	/* Carol proposes; Alice and Bob receive it; Bob commits it */
	{
		struct mlsc_proposal_out po = { 0 };

		ASSERT_EQ(0, propose_update(&carol, false, &po));
		ASSERT_EQ(0, proposed_leaf(&carol, &po.ref, &arena, &leaf));
		ASSERT_EQ(0, take(alice, &po.message, 2, &ref));
		mls_bytes_free(&ref);
		ASSERT_EQ(0, take(bob, &po.message, 2, &ref));
		mlsc_proposal_out_free(&po);
	}
	ASSERT_EQ(0, commit_merged(bob, NULL, 0, &ref, 1, &out));
	EXPECT_EQ(0, follow_commit(alice, &out.commit, NULL, 1, epoch + 1,
				   NULL));
	EXPECT_EQ(0, follow_commit(&carol, &out.commit, NULL, 1, epoch + 1,
				   NULL));
	mlsc_commit_out_free(&out);
	mls_bytes_free(&ref);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(same_authenticator(alice->g, carol.g));
	EXPECT_TRUE(leaf_is(alice->g, 2, &leaf));
	EXPECT_TRUE(leaf_is(bob->g, 2, &leaf));
	EXPECT_TRUE(leaf_is(carol.g, 2, &leaf));
	ALL_TALK(alice, bob, &carol);

	/* Carol's new key decrypts Alice's next UpdatePath */
	ASSERT_EQ(0, commit_merged(alice, NULL, 0, NULL, 0, &out));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, epoch + 2, NULL));
	EXPECT_EQ(0, follow_commit(&carol, &out.commit, NULL, 0, epoch + 2,
				   NULL));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(same_authenticator(alice->g, carol.g));
	ALL_TALK(alice, bob, &carol);
	member_free(&carol);
	mlsc_arena_free(&arena);
}

TEST_HARNESS_MAIN
