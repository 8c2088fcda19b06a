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
 *  ext.psk_join      in suites 1, 2, 3 and 7: a joiner's external commit
 *                    with one external PSK, another's with two, and a
 *                    resync with one (after its Remove), each PSK a
 *                    PreSharedKey proposal with a fresh nonce; members
 *                    given the PSKs follow and share one
 *                    epoch_authenticator; one without a PSK the Commit
 *                    names (-ENOENT) or with another value under its id
 *                    (-EBADMSG) refuses it and stays in its epoch with
 *                    nothing pending
 *  ext.bad_psk       the joiner's PSK list: a resumption PSK
 *                    (-EOPNOTSUPP), a bad type, id or value, an id
 *                    twice, too many, none given (-EINVAL), each with
 *                    nothing made; MLS_MAX_PSKS PSKs go through (the
 *                    members refusing with one missing), and the
 *                    extended struct with none
 *  ext.resync_callback the application's same_member_cb judges a resync:
 *                    refusing at the joiner (its error, nothing made) or
 *                    at a member (its error, nothing pending); accepting,
 *                    the resync goes through
 *  ext.x509_resync   a resync with X.509 credentials of a test CA (suite
 *                    1): without a same_member_cb not built (-EPERM) nor
 *                    followed (-EPROTO); with one comparing subjects it
 *                    goes through; another subject (-EPERM) and another
 *                    CA's certificate (-EKEYREJECTED) refused by the
 *                    joiner and, built anyway, by a member, which stays
 *                    in its epoch with nothing pending
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
#include "client_x509.h"
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

/*
 * Alice, given @po, refuses @msg with the errno returned; her group did
 * not move.
 */
static int refused_opts(struct __test_metadata *_metadata,
			struct member *alice, const struct mls_bytes *msg,
			const struct mlsc_process_opts *po, uint64_t epoch)
{
	struct mlsc_processed p;
	int err;

	memset(&p, 0xa5, sizeof(p));
	err = mlsc_group_process(alice->g, msg->data, msg->len, po, &p);
	EXPECT_EQ(0, p.data.len);
	EXPECT_EQ(epoch, kernel_epoch(alice->g));
	EXPECT_EQ((int64_t)epoch, mlsc_group_epoch(alice->g));
	EXPECT_TRUE(nothing_pending(alice->g));
	if (!err)
		mlsc_processed_free(&p);
	return err;
}

/* Alice refuses @msg with the errno returned; her group did not move. */
static int refused(struct __test_metadata *_metadata, struct member *alice,
		   const struct mls_bytes *msg, uint64_t epoch)
{
	return refused_opts(_metadata, alice, msg, NULL, epoch);
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

/* ---- external PSKs injected by the joiner (libmlsclient 0.9) ---------- */

/*
 * The joiner's and the members' external PSKs: "psk N", their values;
 * one more than a list may hold.
 */
struct psk_set {
	char id[MLS_MAX_PSKS + 1][8];
	uint8_t value[MLS_MAX_PSKS + 1][32];
	struct mlsc_psk psk[MLS_MAX_PSKS + 1];
};

static void psk_set_init(struct psk_set *k)
{
	for (unsigned int i = 0; i <= MLS_MAX_PSKS; i++) {
		snprintf(k->id[i], sizeof(k->id[i]), "psk %u", i);
		memset(k->value[i], 0x40 + (int)i, sizeof(k->value[i]));
		k->psk[i] = (struct mlsc_psk){
			.type = MLS_PSK_EXTERNAL,
			.id = k->id[i], .id_len = strlen(k->id[i]),
			.secret = k->value[i],
			.secret_len = sizeof(k->value[i]),
		};
	}
}

/*
 * @m joins from @gi by an external commit that removes @remove (unless
 * negative) and injects the @n PSKs @psks: 0 or -errno.
 */
static int xjoin_psks(int ctl, struct member *m, const struct mls_bytes *gi,
		      int64_t remove, const struct mlsc_psk *psks, size_t n,
		      struct mls_bytes *commit)
{
	struct mlsc_external_args_ext a = {
		.base = {
			.flags = MLSC_EXTERNAL_F_EPHEMERAL |
				 MLSC_EXTERNAL_F_EXT,
			.leaf = m->priv,
			.sig_key = m->sig,
		},
		.psks = psks,
		.n_psks = n,
	};

	if (remove >= 0) {
		a.base.flags |= MLSC_EXTERNAL_F_REMOVE;
		a.base.remove_leaf = (uint32_t)remove;
	}
	return mlsc_external_join(ctl, gi->data, gi->len, &a.base, &m->g,
				  commit);
}

/*
 * @commit proposes, after its ExternalInit and @skip Removes and nothing
 * else, PreSharedKeys of the ids of @psks in their order, each with a
 * psk_nonce of @nh bytes, no two nonces alike.
 */
static bool psks_proposed(const struct mls_bytes *commit, size_t skip,
			  const struct mlsc_psk *psks, size_t n, size_t nh)
{
	const struct mlsc_proposal_or_ref *por;
	struct mlsc_arena arena;
	struct mlsc_mls_message m;
	bool ok;

	mlsc_arena_init(&arena);
	ok = !decode(commit, &arena, &m) &&
	     m.pub.content.commit.n_proposals == 1 + skip + n;
	por = m.pub.content.commit.proposals;
	for (size_t i = 0; ok && i < n; i++) {
		const struct mlsc_proposal *p = &por[1 + skip + i].proposal;

		ok = por[1 + skip + i].type == MLSC_POR_PROPOSAL &&
		     p->type == MLSC_PROPOSAL_PSK &&
		     p->psk.type == MLSC_PSK_EXTERNAL &&
		     p->psk.psk_id.len == psks[i].id_len &&
		     !memcmp(p->psk.psk_id.p, psks[i].id, psks[i].id_len) &&
		     p->psk.psk_nonce.len == nh;
		for (size_t j = 0; ok && j < i; j++)
			ok = memcmp(por[1 + skip + j].proposal.psk.psk_nonce.p,
				    p->psk.psk_nonce.p, nh);
	}
	mlsc_arena_free(&arena);
	return ok;
}

/*
 * In each suite with external commits: Carol joins by an external commit
 * with one external PSK, Dave with two, and Bob resyncs with one. A
 * member without a PSK the Commit names refuses it (-ENOENT), one with
 * another value under the same id too (-EBADMSG: the epoch is keyed
 * with the PSK, and the confirmation tag differs), each staying in its
 * epoch with nothing pending; given them, every member follows and all
 * have one epoch_authenticator.
 */
TEST_F_TIMEOUT(ext, psk_join, 600)
{
	static const unsigned int suites[] = { 1, 2, 3, 7 };
	static struct psk_set k;
	static const uint8_t other[32] = { 0x42 };

	psk_set_init(&k);
	for (size_t si = 0; si < sizeof(suites) / sizeof(suites[0]); si++) {
		unsigned int suite = suites[si];
		size_t nh = mls_suite_hash_len((uint16_t)suite);
		struct member alice, bob, carol, dave, bob2;
		struct mls_bytes gi = { 0 }, commit = { 0 };
		struct mlsc_process_opts all = { .psks = k.psk, .n_psks = 3 };
		struct mlsc_process_opts po = { 0 };
		struct mlsc_psk wrong;
		int64_t leaf;
		uint64_t e;

		TH_LOG("suite %u", suite);
		ASSERT_EQ(0, alice_and_bob(self->ctl, suite, &alice, &bob));
		ASSERT_EQ(0, member_new(suite, "carol", &carol));
		ASSERT_EQ(0, member_new(suite, "dave", &dave));
		ASSERT_EQ(0, member_new(suite, "bob", &bob2));
		e = kernel_epoch(alice.g);

		/* Carol, with one PSK */
		ASSERT_EQ(0, mlsc_group_info_export(
			alice.g, MLSC_GROUP_INFO_F_RATCHET_TREE, alice.sig,
			&gi));
		ASSERT_EQ(0, xjoin_psks(self->ctl, &carol, &gi, -1, k.psk, 1,
					&commit));
		mls_bytes_free(&gi);
		EXPECT_TRUE(psks_proposed(&commit, 0, k.psk, 1, nh));
		leaf = mlsc_group_own_leaf(carol.g);
		/* without it, or with another value under its id */
		EXPECT_EQ(-ENOENT, refused_opts(_metadata, &alice, &commit,
						NULL, e));
		po.psks = &k.psk[1];
		po.n_psks = 2;
		EXPECT_EQ(-ENOENT, refused_opts(_metadata, &alice, &commit,
						&po, e));
		wrong = k.psk[0];
		wrong.secret = other;
		po.psks = &wrong;
		po.n_psks = 1;
		EXPECT_EQ(-EBADMSG, refused_opts(_metadata, &bob, &commit,
						 &po, e));
		/* with it */
		EXPECT_EQ(0, follow_commit(&alice, &commit, &all, leaf, e + 1,
					   NULL));
		EXPECT_EQ(0, follow_commit(&bob, &commit, &all, leaf, e + 1,
					   NULL));
		ASSERT_EQ(0, mlsc_commit_merge(carol.g));
		mls_bytes_free(&commit);
		EXPECT_TRUE(same_authenticator(alice.g, carol.g));
		EXPECT_TRUE(same_authenticator(bob.g, carol.g));

		/* Dave, with two, from Carol's GroupInfo */
		ASSERT_EQ(0, mlsc_group_info_export(
			carol.g, MLSC_GROUP_INFO_F_RATCHET_TREE, carol.sig,
			&gi));
		ASSERT_EQ(0, xjoin_psks(self->ctl, &dave, &gi, -1, &k.psk[1],
					2, &commit));
		mls_bytes_free(&gi);
		EXPECT_TRUE(psks_proposed(&commit, 0, &k.psk[1], 2, nh));
		leaf = mlsc_group_own_leaf(dave.g);
		/* one of the two is not enough */
		po.psks = &k.psk[1];
		po.n_psks = 1;
		EXPECT_EQ(-ENOENT, refused_opts(_metadata, &bob, &commit,
						&po, e + 1));
		po.psks = &k.psk[2];
		EXPECT_EQ(-ENOENT, refused_opts(_metadata, &carol, &commit,
						&po, e + 1));
		EXPECT_EQ(0, follow_commit(&alice, &commit, &all, leaf, e + 2,
					   NULL));
		EXPECT_EQ(0, follow_commit(&bob, &commit, &all, leaf, e + 2,
					   NULL));
		EXPECT_EQ(0, follow_commit(&carol, &commit, &all, leaf, e + 2,
					   NULL));
		ASSERT_EQ(0, mlsc_commit_merge(dave.g));
		mls_bytes_free(&commit);
		EXPECT_TRUE(same_authenticator(alice.g, dave.g));
		EXPECT_TRUE(same_authenticator(bob.g, dave.g));
		EXPECT_TRUE(same_authenticator(carol.g, dave.g));
		ALL_TALK(&alice, &bob, &carol, &dave);

		/* Bob resyncs with one: after his Remove, the PreSharedKey */
		ASSERT_EQ(0, mlsc_group_info_export(
			dave.g, MLSC_GROUP_INFO_F_RATCHET_TREE, dave.sig, &gi));
		ASSERT_EQ(0, xjoin_psks(self->ctl, &bob2, &gi,
					mlsc_group_own_leaf(bob.g), &k.psk[2],
					1, &commit));
		mls_bytes_free(&gi);
		EXPECT_TRUE(psks_proposed(&commit, 1, &k.psk[2], 1, nh));
		leaf = mlsc_group_own_leaf(bob2.g);
		EXPECT_EQ(-ENOENT, refused_opts(_metadata, &alice, &commit,
						NULL, e + 2));
		EXPECT_EQ(0, follow_commit(&carol, &commit, &all, leaf, e + 3,
					   NULL));
		EXPECT_EQ(0, follow_commit(&dave, &commit, &all, leaf, e + 3,
					   NULL));
		ASSERT_EQ(0, resync_through(&alice, &bob, &bob2, &commit, &all,
					    leaf, e + 3));
		EXPECT_TRUE(same_authenticator(carol.g, bob2.g));
		EXPECT_TRUE(same_authenticator(dave.g, bob2.g));
		ALL_TALK(&alice, &bob2, &carol, &dave);

		member_free(&alice);
		member_free(&bob);
		member_free(&bob2);
		member_free(&carol);
		member_free(&dave);
	}
	EXPECT_EQ(0, leaks());
}

/*
 * The joiner's PSK list: each bad one refused before anything is made
 * (no kernel group, no Commit); a resumption PSK, which a joiner cannot
 * hold, is -EOPNOTSUPP. MLS_MAX_PSKS of them go through, and so does
 * the extended struct with none.
 */
TEST_F(ext, bad_psk)
{
	static struct psk_set k;
	static uint8_t big[MLS_MAX_PSK_LEN + 1];
	struct member alice, bob, carol, erin;
	struct mls_bytes gi = { 0 }, commit = { 0 };
	struct mlsc_process_opts all = { 0 };
	static const char id[] = "psk";
	static const uint8_t value[32] = { 1 };
	const struct {
		const char *what;
		struct mlsc_psk psk;
	} one[] = {
		/* type, id, id_len, secret, secret_len */
		{ "no type", { 7, id, 3, value, 32, 0 } },
		{ "no id", { MLS_PSK_EXTERNAL, NULL, 3, value, 32, 0 } },
		{ "an empty id", { MLS_PSK_EXTERNAL, id, 0, value, 32, 0 } },
		{ "an id too long", { MLS_PSK_EXTERNAL, big,
				      MLS_MAX_PSK_ID_LEN + 1, value, 32, 0 } },
		{ "no value", { MLS_PSK_EXTERNAL, id, 3, NULL, 32, 0 } },
		{ "an empty value", { MLS_PSK_EXTERNAL, id, 3, value, 0, 0 } },
		{ "a value too long", { MLS_PSK_EXTERNAL, id, 3, big,
					MLS_MAX_PSK_LEN + 1, 0 } },
	};
	struct mlsc_psk bad[2];
	long groups;
	uint64_t e;

	psk_set_init(&k);
	all.psks = k.psk;
	all.n_psks = MLS_MAX_PSKS;
	ASSERT_EQ(0, alice_and_bob(self->ctl, 1, &alice, &bob));
	ASSERT_EQ(0, member_new(1, "carol", &carol));
	ASSERT_EQ(0, member_new(1, "erin", &erin));
	ASSERT_EQ(0, mlsc_group_info_export(
		alice.g, MLSC_GROUP_INFO_F_RATCHET_TREE, alice.sig, &gi));
	groups = group_count(self->ctl);
	e = kernel_epoch(alice.g);

#define JOIN_REFUSED(err, psks, n) do {					\
	EXPECT_EQ(err, xjoin_psks(self->ctl, &carol, &gi, -1, psks, n,	\
				  &commit));				\
	EXPECT_EQ(NULL, carol.g);					\
	EXPECT_EQ(0, commit.len);					\
	EXPECT_EQ(groups, group_count(self->ctl));			\
} while (0)
	/* a resumption PSK: a group's, which a joiner does not hold */
	bad[0] = (struct mlsc_psk){ .type = MLS_PSK_RESUMPTION,
				    .group_fd = mlsc_group_fd(alice.g) };
	JOIN_REFUSED(-EOPNOTSUPP, bad, 1);
	bad[1] = bad[0];
	bad[0] = k.psk[0];
	JOIN_REFUSED(-EOPNOTSUPP, bad, 2);
	/* a type of no PSK; ids and values: none, empty, too long */
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		EXPECT_EQ(-EINVAL, xjoin_psks(self->ctl, &carol, &gi, -1,
					      &one[i].psk, 1, &commit))
			TH_LOG("%s", one[i].what);
		EXPECT_EQ(NULL, carol.g);
		EXPECT_EQ(0, commit.len);
	}
	EXPECT_EQ(groups, group_count(self->ctl));
	/* the same psk_id twice, even with two values */
	bad[0] = k.psk[0];
	bad[1] = k.psk[1];
	bad[1].id = k.psk[0].id;
	bad[1].id_len = k.psk[0].id_len;
	JOIN_REFUSED(-EINVAL, bad, 2);
	/* too many; a count without a list */
	JOIN_REFUSED(-EINVAL, k.psk, MLS_MAX_PSKS + 1);
	JOIN_REFUSED(-EINVAL, NULL, 1);
#undef JOIN_REFUSED

	/* MLS_MAX_PSKS of them: followed by members given them all */
	ASSERT_EQ(0, xjoin_psks(self->ctl, &carol, &gi, -1, k.psk,
				MLS_MAX_PSKS, &commit));
	mls_bytes_free(&gi);
	EXPECT_TRUE(psks_proposed(&commit, 0, k.psk, MLS_MAX_PSKS, 32));
	/* the last one missing is enough to refuse */
	all.n_psks = MLS_MAX_PSKS - 1;
	EXPECT_EQ(-ENOENT, refused_opts(_metadata, &alice, &commit, &all, e));
	all.n_psks = MLS_MAX_PSKS;
	EXPECT_EQ(0, follow_commit(&alice, &commit, &all, 2, e + 1, NULL));
	EXPECT_EQ(0, follow_commit(&bob, &commit, &all, 2, e + 1, NULL));
	ASSERT_EQ(0, mlsc_commit_merge(carol.g));
	mls_bytes_free(&commit);
	EXPECT_TRUE(same_authenticator(alice.g, carol.g));
	EXPECT_TRUE(same_authenticator(bob.g, carol.g));

	/* the extended struct with no PSK: a join as without the flag */
	ASSERT_EQ(0, mlsc_group_info_export(
		alice.g, MLSC_GROUP_INFO_F_RATCHET_TREE, alice.sig, &gi));
	ASSERT_EQ(0, xjoin_psks(self->ctl, &erin, &gi, -1, NULL, 0, &commit));
	mls_bytes_free(&gi);
	EXPECT_TRUE(psks_proposed(&commit, 0, NULL, 0, 32));
	EXPECT_EQ(0, follow_commit(&alice, &commit, NULL, 3, e + 2, NULL));
	EXPECT_EQ(0, follow_commit(&bob, &commit, NULL, 3, e + 2, NULL));
	EXPECT_EQ(0, follow_commit(&carol, &commit, NULL, 3, e + 2, NULL));
	ASSERT_EQ(0, mlsc_commit_merge(erin.g));
	mls_bytes_free(&commit);
	EXPECT_TRUE(same_authenticator(alice.g, erin.g));
	ALL_TALK(&alice, &bob, &carol, &erin);

	member_free(&alice);
	member_free(&bob);
	member_free(&carol);
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

/* The lax application's same_member_cb: anyone is anyone. */
static int anyone(void *arg, const struct mlsc_cred *old_cred,
		  const struct mlsc_cred *new_cred, uint16_t suite)
{
	(void)arg;
	(void)old_cred;
	(void)new_cred;
	(void)suite;
	return 0;
}

/* @m resyncs in place of leaf 1 from @gi under @vo, @m->g pending. */
static int resync_judged(int ctl, struct member *m, const struct mls_bytes *gi,
			 const struct mlsc_validate_opts *vo,
			 struct mls_bytes *commit)
{
	struct mlsc_external_args a = {
		.flags = MLSC_EXTERNAL_F_EPHEMERAL | MLSC_EXTERNAL_F_REMOVE,
		.remove_leaf = 1,
		.leaf = m->priv,
		.sig_key = m->sig,
		.validate = vo,
	};

	return mlsc_external_join(ctl, gi->data, gi->len, &a, &m->g, commit);
}

/* @m's join, built to be refused, dropped. */
static void drop_join(struct member *m, struct mls_bytes *commit)
{
	mlsc_commit_discard(m->g);
	mlsc_group_free(m->g);
	m->g = NULL;
	mls_bytes_free(commit);
}

/*
 * A resync with X.509 credentials (suite 1): Alice and Bob hold
 * certificates of a test CA for their signature keys, which the
 * application's credential_cb checks (issuer, signature, key). Bob, with
 * a new key and a new certificate for the same subject, rejoins by an
 * external commit removing his old leaf. Without a same_member_cb the
 * library cannot tell whom a certificate names: the joiner does not build
 * the resync (-EPERM), a member refuses it (-EPROTO). With one (the same
 * subject) it goes through: Alice follows, Bob's old self learns it is
 * removed, the new one merges. Mallory, another subject of the CA, is
 * refused in Bob's place by that callback (-EPERM), a certificate for
 * "bob" from another CA by the credential_cb (-EKEYREJECTED), at the
 * joiner and, built by a lax joiner, by Alice, who stays in her epoch
 * with nothing pending.
 */
TEST_F(ext, x509_resync)
{
	struct x509_ca ca, rogue;
	struct member alice, bob, bob2, mallory, forger;
	struct mlsc_validate_opts_ext judge = {
		.base = { .flags = MLSC_VALIDATE_EXT,
			  .credential_cb = x509_check, .credential_arg = &ca },
		.same_member_cb = x509_same_subject,
	}, lax = {
		.base = { .flags = MLSC_VALIDATE_EXT,
			  .credential_cb = accept_any },
		.same_member_cb = anyone,
	};
	struct mlsc_validate_opts certs_only = {
		.credential_cb = x509_check, .credential_arg = &ca,
	};
	struct mlsc_process_opts po = { .validate = &judge.base };
	struct mlsc_process_opts po_certs = { .validate = &certs_only };
	struct mlsc_group_params gp = {
		.group_id = "x509 group", .group_id_len = 10,
		.flags = MLSC_JOIN_F_EPHEMERAL,
	};
	struct mlsc_proposal_spec add = { .type = MLSC_PROPOSE_ADD };
	struct mlsc_commit_args ca_args = {
		.flags = MLSC_COMMIT_F_RATCHET_TREE,
		.proposals = &add, .n_proposals = 1,
	};
	struct mlsc_commit_out out = { 0 };
	struct mls_bytes gi = { 0 }, commit = { 0 };
	long groups;
	uint64_t e;

	judge.base.now = lax.base.now = certs_only.now = (uint64_t)time(NULL);
	ASSERT_EQ(0, x509_ca_new("test ca", &ca));
	ASSERT_EQ(0, x509_ca_new("test ca", &rogue));
	ASSERT_EQ(0, member_new_x509(1, "alice", &ca, &alice));
	ASSERT_EQ(0, member_new_x509(1, "bob", &ca, &bob));
	ASSERT_EQ(0, member_new_x509(1, "bob", &ca, &bob2));
	ASSERT_EQ(0, member_new_x509(1, "mallory", &ca, &mallory));
	ASSERT_EQ(0, member_new_x509(1, "bob", &rogue, &forger));

	/* Alice's group; Bob added, his certificate judged on both sides */
	ASSERT_EQ(0, mlsc_group_create(self->ctl, &gp, alice.priv, &alice.g));
	add.key_package = bob.kp;
	ca_args.sig_key = alice.sig;
	/* no callback: an X.509 credential is not the library's to judge */
	EXPECT_EQ(-EKEYREJECTED, mlsc_commit_create(alice.g, &ca_args, &out));
	ca_args.validate = &judge.base;
	ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca_args, &out));
	ASSERT_EQ(0, mlsc_commit_merge(alice.g));
	ASSERT_EQ(0, member_join_judged(self->ctl, &bob, &out.welcome, NULL,
					 NULL, 0, &judge.base));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(same_authenticator(alice.g, bob.g));
	ASSERT_EQ(0, mlsc_group_info_export(
		alice.g, MLSC_GROUP_INFO_F_RATCHET_TREE, alice.sig, &gi));
	e = kernel_epoch(alice.g);
	groups = group_count(self->ctl);

	/* who is who, without a same_member_cb: not judged, refused */
	EXPECT_EQ(-EPERM, resync_judged(self->ctl, &bob2, &gi, &certs_only,
					&commit));
	EXPECT_EQ(NULL, bob2.g);
	EXPECT_EQ(0, commit.len);
	EXPECT_EQ(groups, group_count(self->ctl));
	ASSERT_EQ(0, resync_judged(self->ctl, &bob2, &gi, &judge.base,
				   &commit));
	EXPECT_EQ(1, mlsc_group_own_leaf(bob2.g));
	EXPECT_EQ(-EPROTO, refused_opts(_metadata, &alice, &commit, &po_certs,
					e));

	/* Mallory in Bob's place: another subject */
	{
		struct mls_bytes bad = { 0 };

		EXPECT_EQ(-EPERM, resync_judged(self->ctl, &mallory, &gi,
						&judge.base, &bad));
		EXPECT_EQ(NULL, mallory.g);
		EXPECT_EQ(0, bad.len);
		ASSERT_EQ(0, resync_judged(self->ctl, &mallory, &gi, &lax.base,
					   &bad));
		EXPECT_EQ(-EPERM, refused_opts(_metadata, &alice, &bad, &po,
					       e));
		drop_join(&mallory, &bad);
		/* "bob" certified by another CA */
		EXPECT_EQ(-EKEYREJECTED, resync_judged(self->ctl, &forger,
						       &gi, &judge.base,
						       &bad));
		EXPECT_EQ(NULL, forger.g);
		EXPECT_EQ(0, bad.len);
		ASSERT_EQ(0, resync_judged(self->ctl, &forger, &gi, &lax.base,
					   &bad));
		EXPECT_EQ(-EKEYREJECTED, refused_opts(_metadata, &alice, &bad,
						      &po, e));
		drop_join(&forger, &bad);
	}
	mls_bytes_free(&gi);

	/* the genuine resync, judged the same member: through */
	ASSERT_EQ(0, resync_through(&alice, &bob, &bob2, &commit, &po, 1,
				    e + 1));
	EXPECT_EQ(2u, alice.g->tree.n_leaves);
	ALL_TALK(&alice, &bob2);

	member_free(&alice);
	member_free(&bob);
	member_free(&bob2);
	member_free(&mallory);
	member_free(&forger);
	x509_ca_free(&ca);
	x509_ca_free(&rogue);
	EXPECT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
