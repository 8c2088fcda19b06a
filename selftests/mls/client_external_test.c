// SPDX-License-Identifier: GPL-2.0
/*
 * External commits with libmlsclient (RFC 9420 §12.4.3.2): a GroupInfo
 * published with its external_pub, a new member joining from it by an
 * external commit, the members following it through the kernel's
 * ExternalInit, a resync, and bad inputs. Built with AddressSanitizer
 * and UBSan; each test ends with a LeakSanitizer check of its own.
 *
 *  ext.join          for each of the seven suites: Alice creates a group
 *                    and adds Bob; she exports a GroupInfo (the ratchet
 *                    tree in it in odd suites, given apart in even ones);
 *                    Carol joins from it by an external commit, and
 *                    cannot process or commit until she merges (-EBUSY);
 *                    Alice and Bob process the Commit (sender: Carol's
 *                    new leaf, the next epoch), Carol merges, all three
 *                    epoch_authenticators are equal and application
 *                    messages go both ways; Alice then commits an update
 *                    that Bob and Carol follow. Bob resyncs: he joins
 *                    again by an external commit from Carol's GroupInfo
 *                    that removes his old leaf; Alice and Carol follow,
 *                    his old self gets MLSC_PROCESSED_F_REMOVED, and the
 *                    three talk again. Suites 4, 5 and 6 (X448, P-521,
 *                    whose DH the kernel lacks): the export and the join
 *                    are -EOPNOTSUPP
 *  ext.bad_group_info a GroupInfo with a bad signature (-EKEYREJECTED),
 *                    without external_pub (-ENOKEY), not a GroupInfo
 *                    (-EBADMSG), without a tree (-ENODATA), a resync of a
 *                    blank leaf, bad arguments (-EINVAL): no kernel group
 *                    made
 *  ext.bad_commit    Commits Alice refuses, each leaving her group in its
 *                    epoch with no pending commit: from another group's
 *                    GroupInfo (-EBADMSG), from an older epoch's
 *                    (-ESTALE), with an Add (-EPROTO), a second
 *                    ExternalInit (-EPROTO), an Update (-EPROTO), without
 *                    its path (-EPROTO), a proposal by reference
 *                    (-EPROTO), a bad signature (-EKEYREJECTED), a bad
 *                    confirmation tag (-EBADMSG); the genuine Commit goes
 *                    through afterwards
 *  ext.bad_resync    a resync by another identity is not built (-EPERM),
 *                    nor a join with a member's signature key (-EEXIST),
 *                    no kernel group made; broken copies of a genuine
 *                    resync (another member's leaf removed, the old
 *                    encryption key, two Removes, a short kem_output, a
 *                    Proposal, trailing bytes) are refused by the members
 *  ext.resync_callback the application's same_member_cb judges a resync:
 *                    refusing at the joiner (its error, nothing made) or
 *                    at a member (its error, nothing pending); accepting,
 *                    the resync goes through
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmls.h>
#include <mls_client.h>

#include "client_util.h"
#include "group.h"
#include "group_info.h"
#include "keypkg.h"
#include "kselftest_harness.h"
#include "wire.h"

/* @m joins from @gi by an external commit: 0 or -errno. */
static int xjoin(int ctl, struct member *m, const struct mls_bytes *gi,
		    const struct mls_bytes *tree, int64_t remove,
		    struct mls_bytes *commit)
{
	struct mlsc_external_args a = {
		.flags = MLSC_EXTERNAL_F_EPHEMERAL,
		.leaf = m->priv,
		.sig_key = m->sig,
		.ratchet_tree = tree ? tree->data : NULL,
		.ratchet_tree_len = tree ? tree->len : 0,
	};

	if (remove >= 0) {
		a.flags |= MLSC_EXTERNAL_F_REMOVE;
		a.remove_leaf = (uint32_t)remove;
	}
	return mlsc_external_join(ctl, gi->data, gi->len, &a, &m->g, commit);
}

/*
 * @m's resync as @renewed, by @commit of leaf @leaf into @epoch: @by and
 * @m follow it with @po, @m's old self is removed, @renewed merges and
 * is in step with @by. @commit is freed. 0 or -errno (-EPROTO when an
 * outcome differs).
 */
static int resync_through(struct member *by, struct member *m,
			  struct member *renewed, struct mls_bytes *commit,
			  const struct mlsc_process_opts *po, int64_t leaf,
			  uint64_t epoch)
{
	uint32_t flags = 0;
	int err;

	err = follow_commit(by, commit, po, leaf, epoch, NULL);
	if (!err)
		err = follow_commit(m, commit, po, leaf, epoch, &flags);
	if (!err && flags != MLSC_PROCESSED_F_REMOVED)
		err = -EPROTO;
	if (!err)
		err = mlsc_commit_merge(renewed->g);
	if (!err && !same_authenticator(by->g, renewed->g))
		err = -EPROTO;
	mls_bytes_free(commit);
	return err;
}

FIXTURE(ext) {
	int ctl;
};

FIXTURE_SETUP(ext)
{
	self->ctl = mls_open(0);
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(ext)
{
	close(self->ctl);
}

/* A GroupInfo of @g with a made-up external_pub, for a suite without. */
static int fake_group_info(const struct member *m, struct mls_bytes *out)
{
	uint8_t pub[1 + 133];
	struct mlsc_extension ext = { MLSC_EXT_EXTERNAL_PUB, { pub, 0 } };
	uint8_t tag[64] = { 1 };
	struct mlsc_group_info gi;
	struct mlsc_arena arena;
	struct mlsc_wbuf w = { 0 };
	int err;

	mlsc_arena_init(&arena);
	memset(&gi, 0, sizeof(gi));
	err = MLSC_DECODE(m->g->context, m->g->context_len, &arena,
			  &gi.group_context, mlsc_io_group_context);
	ext.data.len = 1 + m->g->suite->npk;
	pub[0] = (uint8_t)m->g->suite->npk;
	memset(pub + 1, 0x42, m->g->suite->npk);
	gi.extensions.v = &ext;
	gi.extensions.n = 1;
	gi.confirmation_tag = (struct mlsc_slice){ tag, m->g->suite->nh };
	if (!err)
		err = mlsc_group_info_sign(&gi, m->sig, &w);
	if (!err) {
		out->data = malloc(w.len);
		memcpy(out->data, w.p, w.len);
		out->len = w.len;
	}
	mlsc_wbuf_free(&w);
	mlsc_arena_free(&arena);
	return err;
}

TEST_F_TIMEOUT(ext, join, 600)
{
	for (unsigned int suite = 1; suite <= 7; suite++) {
		struct member alice, bob, carol, bob2;
		struct mlsc_commit_args ca = { 0 };
		struct mlsc_commit_out out = { 0 };
		struct mls_bytes gi = { 0 }, tree = { 0 }, commit = { 0 };
		struct mlsc_processed p;
		bool odd = suite & 1;
		int64_t leaf;
		uint64_t e;

		TH_LOG("suite %u", suite);
		ASSERT_EQ(0, alice_and_bob(self->ctl, suite, &alice, &bob));
		ASSERT_EQ(0, member_new(suite, "carol", &carol));
		if (suite >= 4 && suite <= 6) {
			long groups = group_count(self->ctl);

			EXPECT_EQ(-EOPNOTSUPP, mlsc_group_info_export(
				alice.g, 0, alice.sig, &gi));
			EXPECT_EQ(0, gi.len);
			ASSERT_EQ(0, fake_group_info(&alice, &gi));
			EXPECT_EQ(-EOPNOTSUPP,
				  xjoin(self->ctl, &carol, &gi, NULL, -1,
					   &commit));
			EXPECT_EQ(NULL, carol.g);
			EXPECT_EQ(0, commit.len);
			EXPECT_EQ(groups, group_count(self->ctl));
			mls_bytes_free(&gi);
			member_free(&alice);
			member_free(&bob);
			member_free(&carol);
			continue;
		}

		/* Carol joins from Alice's GroupInfo */
		e = kernel_epoch(alice.g);
		ASSERT_EQ(0, mlsc_group_info_export(
			alice.g, odd ? MLSC_GROUP_INFO_F_RATCHET_TREE : 0,
			alice.sig, &gi));
		if (!odd)
			ASSERT_EQ(0, mlsc_group_ratchet_tree(alice.g, &tree));
		ASSERT_EQ(0, xjoin(self->ctl, &carol, &gi,
				      odd ? NULL : &tree, -1, &commit));
		mls_bytes_free(&tree);
		mls_bytes_free(&gi);
		leaf = mlsc_group_own_leaf(carol.g);
		EXPECT_EQ(2, leaf);
		EXPECT_EQ(e + 1, kernel_epoch(carol.g));
		EXPECT_EQ((int64_t)e + 1, mlsc_group_epoch(carol.g));
		/* not a member until the delivery service says so */
		memset(&p, 0, sizeof(p));
		EXPECT_EQ(-EBUSY, mlsc_group_process(carol.g, commit.data,
						     commit.len, NULL, &p));
		ca.sig_key = carol.sig;
		EXPECT_EQ(-EBUSY, mlsc_commit_create(carol.g, &ca, &out));
		EXPECT_EQ(0, follow_commit(&alice, &commit, NULL, leaf, e + 1,
					   NULL));
		EXPECT_EQ(0, follow_commit(&bob, &commit, NULL, leaf, e + 1,
					   NULL));
		ASSERT_EQ(0, mlsc_commit_merge(carol.g));
		/* her own Commit, back from the delivery service */
		EXPECT_EQ(-EALREADY, mlsc_group_process(carol.g, commit.data,
							commit.len, NULL, &p));
		mls_bytes_free(&commit);
		EXPECT_EQ(e + 1, kernel_epoch(alice.g));
		EXPECT_TRUE(same_authenticator(alice.g, carol.g));
		EXPECT_TRUE(same_authenticator(bob.g, carol.g));
		ALL_TALK(&alice, &bob, &carol);

		/* an update by Alice that the others follow */
		ca.sig_key = alice.sig;
		ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
		ASSERT_EQ(0, mlsc_commit_merge(alice.g));
		EXPECT_EQ(0, follow_commit(&bob, &out.commit, NULL, 0, e + 2,
					   NULL));
		EXPECT_EQ(0, follow_commit(&carol, &out.commit, NULL, 0, e + 2,
					   NULL));
		mlsc_commit_out_free(&out);
		EXPECT_TRUE(same_authenticator(alice.g, carol.g));
		EXPECT_TRUE(same_authenticator(bob.g, carol.g));
		ALL_TALK(&alice, &bob, &carol);

		/* Bob resyncs from Carol's GroupInfo, removing his old leaf */
		ASSERT_EQ(0, member_new(suite, "bob", &bob2));
		ASSERT_EQ(0, mlsc_group_info_export(
			carol.g, MLSC_GROUP_INFO_F_RATCHET_TREE, carol.sig,
			&gi));
		ASSERT_EQ(0, xjoin(self->ctl, &bob2, &gi, NULL,
				      mlsc_group_own_leaf(bob.g), &commit));
		mls_bytes_free(&gi);
		leaf = mlsc_group_own_leaf(bob2.g);
		EXPECT_EQ(1, leaf);
		EXPECT_EQ(0, follow_commit(&carol, &commit, NULL, leaf, e + 3,
					   NULL));
		ASSERT_EQ(0, resync_through(&alice, &bob, &bob2, &commit, NULL,
					    leaf, e + 3));
		EXPECT_EQ(4u, alice.g->tree.n_leaves);
		EXPECT_TRUE(same_authenticator(carol.g, bob2.g));
		ALL_TALK(&alice, &bob2, &carol);

		member_free(&alice);
		member_free(&bob);
		member_free(&bob2);
		member_free(&carol);
	}
	EXPECT_EQ(0, leaks());
}

TEST_F(ext, bad_group_info)
{
	struct member alice, bob, carol;
	struct mls_bytes gi = { 0 }, bad = { 0 }, commit = { 0 };
	struct mlsc_external_args a = { 0 };
	struct mlsc_group *g = NULL;
	long groups;

	ASSERT_EQ(0, alice_and_bob(self->ctl, 1, &alice, &bob));
	ASSERT_EQ(0, member_new(1, "carol", &carol));
	ASSERT_EQ(0, mlsc_group_info_export(alice.g, 0, alice.sig, &gi));
	groups = group_count(self->ctl);

	/* a bad signature: the last byte of the signature flipped */
	bad.data = malloc(gi.len);
	bad.len = gi.len;
	memcpy(bad.data, gi.data, gi.len);
	bad.data[bad.len - 1] ^= 1;
	{
		struct mls_bytes tree = { 0 };

		ASSERT_EQ(0, mlsc_group_ratchet_tree(alice.g, &tree));
		EXPECT_EQ(-EKEYREJECTED, xjoin(self->ctl, &carol, &bad,
						  &tree, -1, &commit));
		/* no tree at all */
		EXPECT_EQ(-ENODATA, xjoin(self->ctl, &carol, &gi, NULL,
					     -1, &commit));
		/* a resync of a blank leaf, of a leaf past the tree */
		EXPECT_EQ(-EINVAL, xjoin(self->ctl, &carol, &gi, &tree,
					    3, &commit));
		EXPECT_EQ(-EINVAL, xjoin(self->ctl, &carol, &gi, &tree,
					    100, &commit));
		mls_bytes_free(&tree);
	}
	mls_bytes_free(&bad);
	/* not a GroupInfo: Bob's KeyPackage */
	EXPECT_EQ(-EBADMSG, xjoin(self->ctl, &carol, &bob.kp_msg, NULL,
				     -1, &commit));
	/* no external_pub: a GroupInfo of the ratchet tree only, signed */
	{
		struct mlsc_arena arena;
		struct mlsc_mls_message m;
		struct mlsc_wbuf w = { 0 };
		struct mlsc_extension ext;
		struct mlsc_wbuf tw = { 0 };

		mlsc_arena_init(&arena);
		ASSERT_EQ(0, MLSC_DECODE(gi.data, gi.len, &arena, &m,
					 mlsc_io_mls_message));
		ASSERT_EQ(1u, m.group_info.extensions.n);
		ASSERT_EQ(MLSC_EXT_EXTERNAL_PUB,
			  m.group_info.extensions.v[0].type);
		ASSERT_EQ(0, mlsc_tree_serialize(&alice.g->tree, &tw));
		ext = (struct mlsc_extension){ MLSC_EXT_RATCHET_TREE,
					       { tw.p, tw.len } };
		m.group_info.extensions.v = &ext;
		ASSERT_EQ(0, mlsc_group_info_sign(&m.group_info, alice.sig,
						  &w));
		bad.data = malloc(w.len);
		memcpy(bad.data, w.p, w.len);
		bad.len = w.len;
		EXPECT_EQ(-ENOKEY, xjoin(self->ctl, &carol, &bad, NULL, -1,
					    &commit));
		mls_bytes_free(&bad);
		mlsc_wbuf_free(&w);
		mlsc_wbuf_free(&tw);
		mlsc_arena_free(&arena);
	}
	/* arguments */
	a.leaf = carol.priv;
	a.sig_key = carol.sig;
	EXPECT_EQ(-EINVAL, mlsc_external_join(self->ctl, gi.data, gi.len,
					      NULL, &g, &commit));
	EXPECT_EQ(-EINVAL, mlsc_external_join(self->ctl, NULL, gi.len, &a,
					      &g, &commit));
	EXPECT_EQ(-EINVAL, mlsc_external_join(self->ctl, gi.data, gi.len, &a,
					      NULL, &commit));
	a.flags = 1U << 7;
	EXPECT_EQ(-EINVAL, mlsc_external_join(self->ctl, gi.data, gi.len, &a,
					      &g, &commit));
	a.flags = 0;
	a.remove_leaf = 1;	/* without MLSC_EXTERNAL_F_REMOVE */
	EXPECT_EQ(-EINVAL, mlsc_external_join(self->ctl, gi.data, gi.len, &a,
					      &g, &commit));
	a.remove_leaf = 0;
	a.sig_key = bob.sig;	/* not the leaf's key */
	EXPECT_EQ(-EINVAL, mlsc_external_join(self->ctl, gi.data, gi.len, &a,
					      &g, &commit));
	EXPECT_EQ(NULL, g);
	EXPECT_EQ(NULL, carol.g);
	EXPECT_EQ(0, commit.len);
	EXPECT_EQ(groups, group_count(self->ctl));
	/* the export's own arguments */
	EXPECT_EQ(-EINVAL, mlsc_group_info_export(alice.g, 1U << 5, alice.sig,
						  &bad));
	EXPECT_EQ(-EINVAL, mlsc_group_info_export(alice.g, 0, bob.sig, &bad));
	EXPECT_EQ(-EINVAL, mlsc_group_info_export(NULL, 0, alice.sig, &bad));
	EXPECT_EQ(-EINVAL, mlsc_group_info_export(alice.g, 0, alice.sig, NULL));
	EXPECT_EQ(0, bad.len);
	mls_bytes_free(&gi);
	member_free(&alice);
	member_free(&bob);
	member_free(&carol);
	EXPECT_EQ(0, leaks());
}

/*
 * @commit decoded into @m (its bytes in @arena), to be changed and
 * signed again by resign().
 */
static int decode(const struct mls_bytes *commit, struct mlsc_arena *arena,
		  struct mlsc_mls_message *m)
{
	return MLSC_DECODE(commit->data, commit->len, arena, m,
			   mlsc_io_mls_message);
}

/* @m signed by @signer in the epoch of @rx's GroupContext, encoded. */
static int resign(const struct member *signer, const struct mlsc_group *rx,
		  struct mlsc_mls_message *m, struct mls_bytes *out)
{
	static uint8_t sig[256];
	size_t sig_len = sizeof(sig);
	uint16_t v = MLSC_VERSION_MLS10, wf = MLSC_WIRE_PUBLIC_MESSAGE;
	struct mlsc_wbuf tbs = { 0 }, w = { 0 };
	struct mlsc_io io;
	int err;

	mlsc_io_writer(&io, &tbs);
	mlsc_io_u16(&io, &v);
	mlsc_io_u16(&io, &wf);
	mlsc_io_framed_content(&io, &m->pub.content);
	mlsc_io_fixed(&io, rx->context, rx->context_len);
	err = mlsc_io_finish(&io);
	if (!err)
		err = mls_sign_with_label(signer->sig, "FramedContentTBS",
					  tbs.p, tbs.len, sig, &sig_len);
	mlsc_wbuf_free(&tbs);
	if (err)
		return err;
	m->pub.auth.signature = (struct mlsc_slice){ sig, sig_len };
	err = MLSC_ENCODE(m, mlsc_io_mls_message, &w);
	if (!err) {
		out->data = malloc(w.len);
		memcpy(out->data, w.p, w.len);
		out->len = w.len;
	}
	mlsc_wbuf_free(&w);
	return err;
}

/* Alice refuses @msg with the errno returned; her group did not move. */
static int refused(struct __test_metadata *_metadata, struct member *alice,
		   const struct mls_bytes *msg, uint64_t epoch)
{
	struct mlsc_processed p;
	int err;

	memset(&p, 0xa5, sizeof(p));
	err = mlsc_group_process(alice->g, msg->data, msg->len, NULL, &p);
	EXPECT_EQ(0, p.data.len);
	EXPECT_EQ(epoch, kernel_epoch(alice->g));
	EXPECT_EQ((int64_t)epoch, mlsc_group_epoch(alice->g));
	EXPECT_TRUE(nothing_pending(alice->g));
	if (!err)
		mlsc_processed_free(&p);
	return err;
}

TEST_F(ext, bad_commit)
{
	struct member alice, bob, carol, erin;
	struct mls_bytes gi = { 0 }, old_gi = { 0 }, commit = { 0 };
	struct mls_bytes bad = { 0 };
	struct mlsc_commit_args ca = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_proposal_or_ref por[3];
	struct mlsc_arena arena;
	struct mlsc_mls_message m;
	struct mlsc_commit c;
	uint8_t ref[32] = { 0 };
	uint64_t e;

	ASSERT_EQ(0, alice_and_bob(self->ctl, 2, &alice, &bob));
	ASSERT_EQ(0, member_new(2, "carol", &carol));
	ASSERT_EQ(0, member_new(2, "erin", &erin));

	/* another group's GroupInfo: Dave's */
	{
		struct member d2;

		ASSERT_EQ(0, member_new(2, "dave", &d2));
		{
			struct mlsc_group_params gp = {
				.group_id = "daves", .group_id_len = 5,
				.flags = MLSC_JOIN_F_EPHEMERAL,
			};

			ASSERT_EQ(0, mlsc_group_create(self->ctl, &gp, d2.priv,
						       &d2.g));
		}
		ASSERT_EQ(0, mlsc_group_info_export(
			d2.g, MLSC_GROUP_INFO_F_RATCHET_TREE, d2.sig, &gi));
		ASSERT_EQ(0, xjoin(self->ctl, &erin, &gi, NULL, -1,
				      &commit));
		mls_bytes_free(&gi);
		e = kernel_epoch(alice.g);
		EXPECT_EQ(-EBADMSG, refused(_metadata, &alice, &commit, e));
		mls_bytes_free(&commit);
		EXPECT_EQ(0, mlsc_commit_discard(erin.g));
		mlsc_group_free(erin.g);
		erin.g = NULL;
		member_free(&d2);
	}

	/* an older epoch's GroupInfo */
	ASSERT_EQ(0, mlsc_group_info_export(
		alice.g, MLSC_GROUP_INFO_F_RATCHET_TREE, alice.sig, &old_gi));
	ca.sig_key = alice.sig;
	ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
	ASSERT_EQ(0, mlsc_commit_merge(alice.g));
	EXPECT_EQ(0, follow_commit(&bob, &out.commit, NULL, 0,
				   kernel_epoch(alice.g), NULL));
	mlsc_commit_out_free(&out);
	e = kernel_epoch(alice.g);
	ASSERT_EQ(0, xjoin(self->ctl, &erin, &old_gi, NULL, -1, &commit));
	EXPECT_EQ(-ESTALE, refused(_metadata, &alice, &commit, e));
	mls_bytes_free(&commit);
	mls_bytes_free(&old_gi);
	EXPECT_EQ(0, mlsc_commit_discard(erin.g));
	mlsc_group_free(erin.g);
	erin.g = NULL;

	/* the genuine one, and broken copies of it */
	ASSERT_EQ(0, mlsc_group_info_export(
		alice.g, MLSC_GROUP_INFO_F_RATCHET_TREE, alice.sig, &gi));
	ASSERT_EQ(0, xjoin(self->ctl, &carol, &gi, NULL, -1, &commit));
	mls_bytes_free(&gi);

	/* + an Add */
	mlsc_arena_init(&arena);
	ASSERT_EQ(0, decode(&commit, &arena, &m));
	c = m.pub.content.commit;
	ASSERT_EQ(1u, c.n_proposals);
	por[0] = c.proposals[0];
	por[1].type = MLSC_POR_PROPOSAL;
	por[1].proposal.type = MLSC_PROPOSAL_ADD;
	por[1].proposal.add = erin.kp->kp;
	m.pub.content.commit.proposals = por;
	m.pub.content.commit.n_proposals = 2;
	ASSERT_EQ(0, resign(&carol, alice.g, &m, &bad));
	EXPECT_EQ(-EPROTO, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	/* + a second ExternalInit */
	por[1] = por[0];
	ASSERT_EQ(0, resign(&carol, alice.g, &m, &bad));
	EXPECT_EQ(-EPROTO, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	/* + an Update */
	por[1].type = MLSC_POR_PROPOSAL;
	por[1].proposal.type = MLSC_PROPOSAL_UPDATE;
	por[1].proposal.update = erin.kp->kp.leaf_node;
	ASSERT_EQ(0, resign(&carol, alice.g, &m, &bad));
	EXPECT_EQ(-EPROTO, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	/* + a proposal by reference */
	por[1].type = MLSC_POR_REFERENCE;
	por[1].reference = (struct mlsc_slice){ ref, sizeof(ref) };
	ASSERT_EQ(0, resign(&carol, alice.g, &m, &bad));
	EXPECT_EQ(-EPROTO, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	/* no ExternalInit at all */
	m.pub.content.commit.n_proposals = 0;
	ASSERT_EQ(0, resign(&carol, alice.g, &m, &bad));
	EXPECT_EQ(-EPROTO, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	m.pub.content.commit.n_proposals = 1;
	/* without its path */
	m.pub.content.commit.has_path = false;
	ASSERT_EQ(0, resign(&carol, alice.g, &m, &bad));
	EXPECT_EQ(-EPROTO, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	m.pub.content.commit.has_path = true;
	/* signed by another key than the path's leaf */
	ASSERT_EQ(0, resign(&erin, alice.g, &m, &bad));
	EXPECT_EQ(-EKEYREJECTED, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	/* a bad confirmation tag, correctly signed */
	{
		uint8_t tag[32];

		memcpy(tag, m.pub.auth.confirmation_tag.p, sizeof(tag));
		tag[0] ^= 1;
		m.pub.auth.confirmation_tag = (struct mlsc_slice){ tag, 32 };
		ASSERT_EQ(0, resign(&carol, alice.g, &m, &bad));
		EXPECT_EQ(-EBADMSG, refused(_metadata, &alice, &bad, e));
		mls_bytes_free(&bad);
	}
	mlsc_arena_free(&arena);

	/* the genuine one goes through */
	EXPECT_EQ(0, follow_commit(&alice, &commit, NULL, 2, e + 1, NULL));
	EXPECT_EQ(0, follow_commit(&bob, &commit, NULL, 2, e + 1, NULL));
	ASSERT_EQ(0, mlsc_commit_merge(carol.g));
	mls_bytes_free(&commit);
	EXPECT_TRUE(same_authenticator(alice.g, carol.g));
	ALL_TALK(&alice, &bob, &carol);

	member_free(&alice);
	member_free(&bob);
	member_free(&carol);
	member_free(&erin);
	EXPECT_EQ(0, leaks());
}

/*
 * A resync (an external commit with a Remove) must stand for the
 * participant it removes (§12.2) and bring a fresh encryption key
 * (§12.1.2); the list and its framing are strict.
 */
TEST_F(ext, bad_resync)
{
	struct member alice, bob, bob2, erin, twin;
	struct mls_bytes gi = { 0 }, commit = { 0 }, bad = { 0 };
	struct mls_bytes none = { 0 };
	struct mlsc_proposal_or_ref por[2];
	const struct mlsc_leaf_node *old;
	struct mlsc_arena arena;
	struct mlsc_mls_message m;
	struct mlsc_commit c;
	struct mlsc_slice key;
	uint64_t e;
	long groups;

	ASSERT_EQ(0, alice_and_bob(self->ctl, 2, &alice, &bob));
	ASSERT_EQ(0, member_new(2, "erin", &erin));
	ASSERT_EQ(0, member_new(2, "bob", &bob2));
	ASSERT_EQ(0, mlsc_group_info_export(
		alice.g, MLSC_GROUP_INFO_F_RATCHET_TREE, alice.sig, &gi));
	e = kernel_epoch(alice.g);

	/* Erin in place of Alice: another identity, not even built */
	groups = group_count(self->ctl);
	EXPECT_EQ(-EPERM, xjoin(self->ctl, &erin, &gi, NULL, 0, &commit));
	EXPECT_EQ(NULL, erin.g);
	EXPECT_EQ(0, commit.len);
	EXPECT_EQ(groups, group_count(self->ctl));
	/* Bob again with his signature key, his old leaf kept: the same */
	twin = bob;
	twin.g = NULL;
	EXPECT_EQ(-EEXIST, xjoin(self->ctl, &twin, &gi, NULL, -1, &commit));
	EXPECT_EQ(NULL, twin.g);
	EXPECT_EQ(0, commit.len);
	EXPECT_EQ(groups, group_count(self->ctl));

	/* Bob's genuine resync, and broken copies of it */
	ASSERT_EQ(0, xjoin(self->ctl, &bob2, &gi, NULL, 1, &commit));
	/* until the DS answers, the join is neither saved nor published */
	EXPECT_EQ(-EBUSY, mlsc_group_save(bob2.g, bob2.sig, &none));
	EXPECT_EQ(0, none.len);
	EXPECT_EQ(-EBUSY, mlsc_group_info_export(
		bob2.g, MLSC_GROUP_INFO_F_RATCHET_TREE, bob2.sig, &none));
	EXPECT_EQ(0, none.len);
	mls_bytes_free(&gi);
	mlsc_arena_init(&arena);
	ASSERT_EQ(0, decode(&commit, &arena, &m));
	c = m.pub.content.commit;
	ASSERT_EQ(2u, c.n_proposals);
	ASSERT_EQ(MLSC_PROPOSAL_REMOVE, c.proposals[1].proposal.type);

	/* the removed leaf's encryption key again */
	old = mlsc_tree_leaf(&alice.g->tree, 1);
	ASSERT_NE(NULL, old);
	key = m.pub.content.commit.path.leaf_node.encryption_key;
	m.pub.content.commit.path.leaf_node.encryption_key =
		old->encryption_key;
	ASSERT_EQ(0, resign(&bob2, alice.g, &m, &bad));
	EXPECT_EQ(-EPROTO, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	m.pub.content.commit.path.leaf_node.encryption_key = key;

	/* Bob in place of Alice: another identity, refused by both */
	por[0] = c.proposals[0];
	por[1] = c.proposals[1];
	por[1].proposal.remove = 0;
	m.pub.content.commit.proposals = por;
	ASSERT_EQ(0, resign(&bob2, alice.g, &m, &bad));
	EXPECT_EQ(-EPROTO, refused(_metadata, &bob, &bad, e));
	EXPECT_EQ(-EPROTO, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	por[1] = c.proposals[1];

	/* two Removes */
	m.pub.content.commit.proposals = (struct mlsc_proposal_or_ref[]){
		por[0], por[1], por[1] };
	m.pub.content.commit.n_proposals = 3;
	ASSERT_EQ(0, resign(&bob2, alice.g, &m, &bad));
	EXPECT_EQ(-EPROTO, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);

	/* a kem_output one byte short */
	por[0].proposal.external_init.len--;
	m.pub.content.commit.proposals = por;
	m.pub.content.commit.n_proposals = 2;
	ASSERT_EQ(0, resign(&bob2, alice.g, &m, &bad));
	EXPECT_EQ(-EBADMSG, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	m.pub.content.commit = c;

	/* a Proposal from sender new_member_commit */
	m.pub.content.content_type = MLSC_CONTENT_PROPOSAL;
	m.pub.content.proposal = c.proposals[1].proposal;
	ASSERT_EQ(0, resign(&bob2, alice.g, &m, &bad));
	EXPECT_EQ(-EBADMSG, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);
	mlsc_arena_free(&arena);

	/* the genuine bytes with 32 more */
	bad.len = commit.len + 32;
	bad.data = calloc(1, bad.len);
	ASSERT_NE(NULL, bad.data);
	memcpy(bad.data, commit.data, commit.len);
	EXPECT_EQ(-EBADMSG, refused(_metadata, &alice, &bad, e));
	mls_bytes_free(&bad);

	/* the genuine one goes through: Bob's old self is out */
	ASSERT_EQ(0, resync_through(&alice, &bob, &bob2, &commit, NULL, 1,
				    e + 1));
	ALL_TALK(&alice, &bob2);

	member_free(&alice);
	member_free(&bob);
	member_free(&bob2);
	member_free(&erin);
	EXPECT_EQ(0, leaks());
}

/* A same_member_cb: counts its calls, answers what it was told to. */
struct judge {
	int answer;
	unsigned int calls;
	uint16_t suite;
	bool same_identity;
};

static int judge_same(void *arg, const struct mlsc_cred *old_cred,
		      const struct mlsc_cred *new_cred, uint16_t suite)
{
	struct judge *j = arg;

	j->calls++;
	j->suite = suite;
	j->same_identity = old_cred->type == MLS_CREDENTIAL_BASIC &&
			   new_cred->type == MLS_CREDENTIAL_BASIC &&
			   old_cred->identity_len == new_cred->identity_len &&
			   !memcmp(old_cred->identity, new_cred->identity,
				   old_cred->identity_len);
	return j->answer;
}

/*
 * The application's same_member_cb (struct mlsc_validate_opts_ext,
 * MLSC_VALIDATE_EXT) judges a resync, on both sides. The joiner's
 * callback refusing: its error, no kernel group, no Commit. A member's
 * refusing: its error, the member's epoch kept with nothing pending.
 * Accepting: the resync goes through, the callback having seen the
 * removed and the new credential of the group's suite.
 */
TEST_F(ext, resync_callback)
{
	struct judge no = { .answer = -EACCES }, yes = { .answer = 0 };
	struct mlsc_validate_opts_ext refuse = {
		.base = { .flags = MLSC_VALIDATE_EXT },
		.same_member_cb = judge_same, .same_member_arg = &no,
	}, accept = {
		.base = { .flags = MLSC_VALIDATE_EXT },
		.same_member_cb = judge_same, .same_member_arg = &yes,
	};
	struct mlsc_external_args a = {
		.flags = MLSC_EXTERNAL_F_EPHEMERAL | MLSC_EXTERNAL_F_REMOVE,
		.remove_leaf = 1,
	};
	struct mlsc_process_opts po = { 0 };
	struct mls_bytes gi = { 0 }, commit = { 0 };
	struct member alice, bob, bob2;
	struct mlsc_processed p;
	long groups;
	uint64_t e;

	ASSERT_EQ(0, alice_and_bob(self->ctl, 1, &alice, &bob));
	ASSERT_EQ(0, member_new(1, "bob", &bob2));
	ASSERT_EQ(0, mlsc_group_info_export(
		alice.g, MLSC_GROUP_INFO_F_RATCHET_TREE, alice.sig, &gi));
	e = kernel_epoch(alice.g);
	refuse.base.now = accept.base.now = (uint64_t)time(NULL);
	a.leaf = bob2.priv;
	a.sig_key = bob2.sig;

	/* the joiner's callback refuses: nothing made */
	a.validate = &refuse.base;
	groups = group_count(self->ctl);
	EXPECT_EQ(-EACCES, mlsc_external_join(self->ctl, gi.data, gi.len, &a,
					      &bob2.g, &commit));
	EXPECT_EQ(1u, no.calls);
	EXPECT_TRUE(no.same_identity);
	EXPECT_EQ(1, no.suite);
	EXPECT_EQ(NULL, bob2.g);
	EXPECT_EQ(0, commit.len);
	EXPECT_EQ(groups, group_count(self->ctl));

	/* the joiner's accepts */
	a.validate = &accept.base;
	ASSERT_EQ(0, mlsc_external_join(self->ctl, gi.data, gi.len, &a,
					&bob2.g, &commit));
	EXPECT_EQ(1u, yes.calls);
	mls_bytes_free(&gi);

	/* Alice's refuses: her error, her epoch, nothing pending */
	po.validate = &refuse.base;
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(-EACCES, mlsc_group_process(alice.g, commit.data, commit.len,
					      &po, &p));
	EXPECT_EQ(2u, no.calls);
	EXPECT_EQ(0, p.content_type);
	EXPECT_EQ(e, kernel_epoch(alice.g));
	EXPECT_EQ((int64_t)e, mlsc_group_epoch(alice.g));
	EXPECT_TRUE(nothing_pending(alice.g));

	/* Alice's and Bob's accept: the resync goes through */
	po.validate = &accept.base;
	ASSERT_EQ(0, resync_through(&alice, &bob, &bob2, &commit, &po, 1,
				    e + 1));
	EXPECT_EQ(3u, yes.calls);
	EXPECT_TRUE(yes.same_identity);
	EXPECT_EQ(1, yes.suite);
	ALL_TALK(&alice, &bob2);

	member_free(&alice);
	member_free(&bob);
	member_free(&bob2);
	EXPECT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
