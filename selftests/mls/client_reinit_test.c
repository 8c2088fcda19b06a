// SPDX-License-Identifier: GPL-2.0
/*
 * ReInit (RFC 9420 §11.2, §12.1.5) with libmlsclient 0.6: proposed by a
 * member and committed by value and by reference between two members in
 * the kernel; after the Commit the group is over for both. Built with
 * AddressSanitizer and UBSan; each test ends with a LeakSanitizer check.
 *
 *  reinit.by_value      Alice commits a ReInit by value, Bob follows:
 *                       both read its parameters back
 *                       (mlsc_group_reinit(), -ENOENT before), agree on
 *                       the new epoch, and refuse further proposals and
 *                       commits (-ESHUTDOWN), also once saved and
 *                       loaded; the kernel group ended with it:
 *                       mls_send() on the group fd is -EPIPE for the
 *                       committer and the receiver
 *  reinit.by_reference  Bob proposes a ReInit as a PrivateMessage, Alice
 *                       commits it by reference; the same outcome
 *  reinit.refused       a ReInit beside another proposal, by value or
 *                       by reference (-EPROTO, §12.2), two by value
 *                       (-EINVAL), an unknown version or suite
 *                       (-EPROTONOSUPPORT), a bad spec (-EINVAL): the
 *                       group as it was, not ended
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
#include "kselftest_harness.h"

#define NEW_GID		"the next group"

/* The ReInit both specs below propose: suite 3, one extension. */
static const struct mlsc_ext new_ext = { 0xff00, "e", 1 };
static const struct mlsc_reinit_spec reinit = {
	.group_id = NEW_GID, .group_id_len = sizeof(NEW_GID) - 1,
	.version = 1, .cipher_suite = 3,
	.extensions = &new_ext, .n_extensions = 1,
};
static const struct mlsc_proposal_spec reinit_spec = {
	.type = MLSC_PROPOSE_REINIT, .psk = &reinit, .psk_len = sizeof(reinit),
};
/* Extension extensions<V> of new_ext, encoded */
static const uint8_t new_ext_bytes[] = { 4, 0xff, 0x00, 1, 'e' };

/*
 * @m's group ended with the ReInit above, in the kernel too: the group
 * fd sends nothing any more (MLS_COMMIT_F_FINAL), whoever holds it.
 */
static int ended(struct member *m)
{
	struct mls_sent sent = { 0 };
	struct mlsc_reinit_params p;
	struct mlsc_commit_args ca = { .sig_key = m->sig };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_propose_args pa = {
		.proposal = &reinit_spec, .sig_key = m->sig,
	};
	struct mlsc_proposal_out po = { 0 };
	int err;

	err = mlsc_group_reinit(m->g, &p);
	if (err)
		return err;
	if (p.group_id.len != sizeof(NEW_GID) - 1 ||
	    memcmp(p.group_id.data, NEW_GID, p.group_id.len) ||
	    p.version != 1 || p.cipher_suite != 3 || p.reserved ||
	    p.extensions.len != sizeof(new_ext_bytes) ||
	    memcmp(p.extensions.data, new_ext_bytes, sizeof(new_ext_bytes)))
		err = -EPROTO;
	mlsc_reinit_params_free(&p);
	if (!err && mlsc_commit_create(m->g, &ca, &out) != -ESHUTDOWN)
		err = -EPROTO;
	if (!err && mlsc_group_propose(m->g, &pa, &po) != -ESHUTDOWN)
		err = -EPROTO;
	if (!err && (out.commit.data || po.message.data || !nothing_pending(m->g)))
		err = -EPROTO;
	if (!err && mls_send(mlsc_group_fd(m->g), m->sig, "after", 5, NULL, 0,
			     &sent) != -EPIPE)
		err = -EPROTO;
	if (!err && sent.message.data)
		err = -EPROTO;
	mls_bytes_free(&sent.message);
	return err;
}

/* Alice's group (suite 1) with Bob added by value; both joined. */
static int two_members(int ctl, struct member *alice, struct member *bob)
{
	return alice_and_bob(ctl, 1, alice, bob);
}

TWO_MEMBERS_FIXTURE(reinit, two_members)

TEST_F(reinit, by_value)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_propose_args pa = {
		.proposal = &reinit_spec, .sig_key = bob->sig,
	};
	struct mlsc_reinit_params p = { .version = 7 };
	struct mlsc_proposal_out po = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_processed pr;

	/* the group fds send until the ReInit is merged */
	ALL_TALK(alice, bob);
	EXPECT_EQ(-ENOENT, mlsc_group_reinit(alice->g, &p));
	EXPECT_EQ(0, p.version);
	EXPECT_EQ(-EINVAL, mlsc_group_reinit(NULL, &p));
	EXPECT_EQ(-EINVAL, mlsc_group_reinit(alice->g, NULL));
	/* a proposal of the last epoch, processed after the end */
	ASSERT_EQ(0, mlsc_group_propose(bob->g, &pa, &po));

	ASSERT_EQ(0, commit_merged(alice, &reinit_spec, 1, NULL, 0, &out));
	EXPECT_EQ(0, ended(alice));
	EXPECT_EQ(-ENOENT, mlsc_group_reinit(bob->g, &p));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, 2, NULL));
	EXPECT_EQ(0, ended(bob));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	/* saved (format version 2) and loaded onto its kernel group: ended */
	{
		struct mlsc_group *live = bob->g;
		struct mls_bytes b = { 0 };

		ASSERT_EQ(0, mlsc_group_save(live, NULL, &b));
		ASSERT_LT(6, b.len);
		EXPECT_EQ(2, b.data[5]);
		ASSERT_EQ(0, mlsc_group_load(self->ctl, b.data, b.len,
					     &bob->g, NULL));
		EXPECT_EQ(0, ended(bob));
		mlsc_group_free(bob->g);
		bob->g = live;
		mls_bytes_free(&b);
	}
	/* the last epoch's proposal: stale, and nothing is kept */
	EXPECT_EQ(-ESTALE, mlsc_group_process(alice->g, po.message.data,
					      po.message.len, NULL, &pr));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
}

TEST_F(reinit, by_reference)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_propose_args pa = {
		.flags = MLSC_PROPOSE_F_PRIVATE,
		.proposal = &reinit_spec, .sig_key = bob->sig,
	};
	struct mlsc_proposal_out po = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_processed pr;

	ASSERT_EQ(0, mlsc_group_propose(bob->g, &pa, &po));
	ASSERT_EQ(0, mlsc_group_process(alice->g, po.message.data,
					po.message.len, NULL, &pr));
	EXPECT_EQ(MLS_CONTENT_PROPOSAL, pr.content_type);
	EXPECT_EQ(1, pr.sender_leaf);
	ASSERT_EQ(po.ref.len, pr.proposal_ref.len);
	EXPECT_EQ(0, memcmp(po.ref.data, pr.proposal_ref.data, po.ref.len));
	ASSERT_EQ(0, commit_merged(alice, NULL, 0, &pr.proposal_ref, 1, &out));
	mlsc_processed_free(&pr);
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, 2, NULL));
	EXPECT_EQ(0, ended(alice));
	EXPECT_EQ(0, ended(bob));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
}

TEST_F(reinit, refused)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_reinit_spec r = reinit;
	struct mlsc_proposal_spec two[2] = { reinit_spec, reinit_spec };
	struct mlsc_proposal_spec bad = {
		.type = MLSC_PROPOSE_REINIT, .psk = &r, .psk_len = sizeof(r),
	};
	struct mlsc_propose_args pa = {
		.proposal = &reinit_spec, .sig_key = bob->sig,
	};
	struct mlsc_proposal_out po = { 0 }, none = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_reinit_params p;
	struct mlsc_processed pr;
	uint64_t epoch = (uint64_t)mlsc_group_epoch(alice->g);

	/* §12.2: a ReInit alone */
	two[1] = psk_proposal;
	EXPECT_EQ(-EPROTO, commit_merged(alice, two, 2, NULL, 0, &out));
	two[1] = reinit_spec;
	EXPECT_EQ(-EINVAL, commit_merged(alice, two, 2, NULL, 0, &out));
	ASSERT_EQ(0, mlsc_group_propose(bob->g, &pa, &po));
	ASSERT_EQ(0, mlsc_group_process(alice->g, po.message.data,
					po.message.len, NULL, &pr));
	EXPECT_EQ(-EPROTO, commit_merged(alice, &psk_proposal, 1,
					 &pr.proposal_ref, 1, &out));
	EXPECT_EQ(-EPROTO, commit_merged(alice, &reinit_spec, 1,
					 &pr.proposal_ref, 1, &out));
	mlsc_processed_free(&pr);

	r.version = 2;
	EXPECT_EQ(-EPROTONOSUPPORT,
		  commit_merged(alice, &bad, 1, NULL, 0, &out));
	r.version = 1;
	r.cipher_suite = 0xfff0;
	EXPECT_EQ(-EPROTONOSUPPORT,
		  commit_merged(alice, &bad, 1, NULL, 0, &out));
	pa.proposal = &bad;
	EXPECT_EQ(-EPROTONOSUPPORT, mlsc_group_propose(bob->g, &pa, &none));
	EXPECT_EQ(NULL, none.message.data);
	r.cipher_suite = 1;
	r.reserved = 1;
	EXPECT_EQ(-EINVAL, commit_merged(alice, &bad, 1, NULL, 0, &out));
	r.reserved = 0;
	r.group_id_len = 0;
	EXPECT_EQ(-EINVAL, commit_merged(alice, &bad, 1, NULL, 0, &out));
	r.group_id_len = MLS_MAX_GROUP_ID_LEN + 1;
	EXPECT_EQ(-EINVAL, commit_merged(alice, &bad, 1, NULL, 0, &out));
	r.group_id_len = 1;
	r.extensions = NULL;
	EXPECT_EQ(-EINVAL, commit_merged(alice, &bad, 1, NULL, 0, &out));
	{
		struct mlsc_ext twice[2] = { new_ext, new_ext };

		r.extensions = twice;
		r.n_extensions = 2;
		EXPECT_EQ(-EINVAL,
			  commit_merged(alice, &bad, 1, NULL, 0, &out));
	}
	r.n_extensions = 0;
	bad.psk_len = sizeof(r) + 1;
	EXPECT_EQ(-EINVAL, commit_merged(alice, &bad, 1, NULL, 0, &out));

	EXPECT_EQ(epoch, (uint64_t)mlsc_group_epoch(alice->g));
	EXPECT_TRUE(nothing_pending(alice->g));
	EXPECT_EQ(-ENOENT, mlsc_group_reinit(alice->g, &p));
	EXPECT_EQ(-ENOENT, mlsc_group_reinit(bob->g, &p));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	ALL_TALK(alice, bob);
	mlsc_proposal_out_free(&po);
}

TEST_HARNESS_MAIN
