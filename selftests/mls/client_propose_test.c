// SPDX-License-Identifier: GPL-2.0
/*
 * Proposals from outside the group with libmlsclient (RFC 9420
 * §12.1.8): an external sender named by the group's external_senders
 * extension, a joiner proposing its own Add, both committed by
 * reference and followed through the kernel. Built with AddressSanitizer
 * and UBSan; each test ends with a LeakSanitizer check of its own.
 *
 *  prop.external     for suites 1, 2 and 3: Alice creates a group whose
 *                    external_senders lists a delivery service; she adds
 *                    Bob and Carol. The service proposes to remove
 *                    Carol: all three keep it (sender type external,
 *                    index 0, one ProposalRef), Alice commits it by
 *                    reference, Bob follows, Carol learns she is removed;
 *                    Alice and Bob agree (epoch_authenticator, exporter).
 *                    The service proposes to add Dave: Bob commits it by
 *                    reference, Alice follows, Dave joins from the
 *                    Welcome, and the three agree
 *  prop.new_member   Erin, from Alice's GroupInfo, proposes her own Add
 *                    (sender type new_member_proposal); Bob commits it by
 *                    reference, Alice follows, Erin joins from the
 *                    Welcome, all three agree; a proposal from the
 *                    previous epoch's GroupInfo is then -ESTALE
 *  prop.committer_checks
 *                    the committer refuses what receivers refuse: two
 *                    Adds by value with one encryption_key and other
 *                    signature keys, an Add (by value, and a new
 *                    member's by reference) whose encryption_key is a
 *                    parent node's (-EPROTO); an Add lacking the
 *                    group's required_capabilities (-EOPNOTSUPP)
 *  prop.refs_refused  a committer's refusals by reference: an external
 *                    PreSharedKey without its value (-ENOKEY), a ReInit beside a
 *                    Remove (-EPROTO; alone it commits), a Remove of
 *                    a blank leaf (-ENOENT) or of its own (-EINVAL), one
 *                    Remove by reference and by value (-EINVAL); a
 *                    proposal received twice kept once, one ref
 *  prop.bad          refused, the group left in its epoch with nothing
 *                    cached: an unknown sender index (-ERANGE), a group
 *                    without external_senders (-ERANGE), a bad signature
 *                    and another key's (-EKEYREJECTED), a new member's
 *                    proposal that is not an Add or is signed by another
 *                    key than its leaf's (-EPROTO, -EKEYREJECTED), an
 *                    external sender's Update (-EPROTO) or Commit
 *                    (-EBADMSG), an older or later epoch (-ESTALE,
 *                    -EAGAIN), another group (-EBADMSG); commits by
 *                    reference of what was never received (-ENOENT), of
 *                    one reference twice (-EINVAL); bad arguments of the
 *                    sending functions and of group creation
 *
 * A member's own Adds, Removes and PreSharedKeys (libmlsclient 0.7),
 * proposed with mlsc_group_propose() and committed by reference by
 * another member:
 *
 *  own.add_remove    Bob proposes an Add of Carol (a PublicMessage):
 *                    Alice commits it by reference, Bob follows, Carol
 *                    joins from the Welcome; Bob proposes a Remove of
 *                    Carol (a PrivateMessage): Carol cannot commit it
 *                    (-EINVAL), Alice does, Bob follows, Carol learns
 *                    she is removed; each time all members agree
 *  own.psk           Bob proposes an external PSK: Alice cannot commit
 *                    it by reference without its value (-ENOKEY,
 *                    nothing pending), nor beside MLS_MAX_PSKS by value
 *                    (-EINVAL), does with it alone, Bob follows with
 *                    it; Bob proposes a resumption PSK of the group,
 *                    Alice commits it (the kernel's value); Alice
 *                    commits her own external PSK by reference beside
 *                    Bob's Add of Carol: Carol joins from the Welcome
 *                    with the PSK; all agree after each
 *  own.resumption_other_group
 *                    Bob proposes a resumption PSK of another group the
 *                    three share and an Add of Carol: Alice cannot
 *                    commit them without her fd of that group
 *                    (-ENOKEY), does with it; Bob follows only with
 *                    his, Carol joins from the Welcome only with hers;
 *                    all agree, the other group untouched
 *  own.refused       refused when proposed, nothing cached and the
 *                    kernel group in its epoch with nothing pending:
 *                    an external PSK id empty or too long, a bad
 *                    resumption spec (-EINVAL), an unknown type or an
 *                    ExternalInit (-EOPNOTSUPP), a Remove of oneself
 *                    (-EINVAL), past the tree (-ERANGE), an Add of a
 *                    member's KeyPackage (-EEXIST), the PSKs flag
 *                    without the extended args or with a NULL list
 *                    (-EINVAL)
 *  own.add_validated an Add proposed under validate options
 *                    (MLSC_PROPOSE_F_EXT): the KeyPackage's credential
 *                    goes through the callback, whose refusal is the
 *                    call's errno with nothing cached; accepted, the
 *                    proposal is cached and committed
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
#include "keypkg.h"
#include "kselftest_harness.h"
#include "leaf.h"
#include "proposal.h"
#include "tree.h"
#include "wire.h"

/* Proposals from outside the group are taken only when asked for. */
static const struct mlsc_process_opts outsiders = {
	.flags = MLSC_PROCESS_F_OUTSIDERS,
};

/* Both in one epoch, with one epoch_authenticator and exporter output. */
static bool agree(const struct mlsc_group *a, const struct mlsc_group *b)
{
	uint8_t x[64], y[64], ex_a[32], ex_b[32];
	size_t xl = sizeof(x), yl = sizeof(y);
	uint64_t ea, eb;

	if (mls_epoch_authenticator(mlsc_group_fd(a), x, &xl, &ea) ||
	    mls_epoch_authenticator(mlsc_group_fd(b), y, &yl, &eb) ||
	    ea != eb || xl != yl || memcmp(x, y, xl))
		return false;
	if (mls_exporter(mlsc_group_fd(a), "propose test", "ctx", 3, ex_a,
			 sizeof(ex_a), &ea) ||
	    mls_exporter(mlsc_group_fd(b), "propose test", "ctx", 3, ex_b,
			 sizeof(ex_b), &eb))
		return false;
	return ea == eb && !memcmp(ex_a, ex_b, sizeof(ex_a));
}

/*
 * @m processes the proposal @msg of sender @type/@index; its ref into
 * @ref (if not NULL): 0 or -errno.
 */
static int take_proposal(struct member *m, const struct mls_bytes *msg,
			 uint32_t type, uint32_t index, struct mls_bytes *ref)
{
	struct mlsc_processed p;
	int err;

	err = mlsc_group_process(m->g, msg->data, msg->len, &outsiders, &p);
	if (err)
		return err;
	if (p.content_type != MLS_CONTENT_PROPOSAL || p.sender_type != type ||
	    p.sender_leaf != index || !p.proposal_ref.len ||
	    p.epoch != (uint64_t)mlsc_group_epoch(m->g))
		err = -EPROTO;
	if (!err && ref) {
		*ref = p.proposal_ref;
		memset(&p.proposal_ref, 0, sizeof(p.proposal_ref));
	}
	mlsc_processed_free(&p);
	return err;
}

static bool same_ref(const struct mls_bytes *a, const struct mls_bytes *b)
{
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

/* @m commits @n refs by reference (the tree in the Welcome), merged. */
static int commit_refs(struct member *m, const struct mls_bytes *refs,
		       size_t n, struct mlsc_commit_out *out)
{
	struct mlsc_commit_args_ext x = {
		.base = {
			.flags = MLSC_COMMIT_F_EXT | MLSC_COMMIT_F_RATCHET_TREE,
			.sig_key = m->sig,
		},
		.proposal_refs = refs, .n_proposal_refs = n,
	};
	int err = mlsc_commit_create(m->g, &x.base, out);

	return err ? err : mlsc_commit_merge(m->g);
}

/* @m processes Commit @msg: 0 or -errno; its flags into *@flags. */
static int follow(struct member *m, const struct mls_bytes *msg,
		  uint32_t *flags)
{
	struct mlsc_processed p;
	int err;

	err = mlsc_group_process(m->g, msg->data, msg->len, NULL, &p);
	if (!err && p.content_type != MLS_CONTENT_COMMIT)
		err = -EPROTO;
	if (!err && flags)
		*flags = p.flags;
	mlsc_processed_free(&p);
	return err;
}

/* The external_senders extension naming @ds (index 0), for Alice. */
static int ds_extension(const struct mls_sig_key *ds, struct mls_bytes *out)
{
	struct mlsc_external_sender_spec s = {
		.signature_key = ds,
		.credential = {
			.type = MLS_CREDENTIAL_BASIC,
			.identity = "ds", .identity_len = 2,
		},
	};

	return mlsc_external_senders_encode(&s, 1, out);
}

/* Alice's group of @suite whose external sender 0 is @ds (if not NULL). */
static int alice_with_ds(int ctl, unsigned int suite,
			 const struct mls_sig_key *ds, struct member *alice)
{
	struct mls_bytes data = { 0 };
	struct mlsc_ext ext = { .type = MLS_EXT_EXTERNAL_SENDERS };
	struct mlsc_group_params_ext p = {
		.base = {
			.group_id = "proposals from outside",
			.group_id_len = 22,
			.flags = MLSC_JOIN_F_EPHEMERAL | MLSC_GROUP_F_EXT,
		},
		.extensions = &ext, .n_extensions = 1,
	};
	int err;

	err = member_new(suite, "alice", alice);
	if (!err && ds)
		err = ds_extension(ds, &data);
	ext.data = data.data;
	ext.len = data.len;
	if (!ds)
		p.n_extensions = 0;
	if (!err)
		err = mlsc_group_create(ctl, &p.base, alice->priv, &alice->g);
	mls_bytes_free(&data);
	return err;
}

/* Alice adds @ms by value; each joins from the Welcome. */
static int add_by_value(int ctl, struct member *alice, struct member **ms,
			size_t n)
{
	struct mlsc_proposal_spec add[4];
	struct mlsc_commit_args ca = {
		.flags = MLSC_COMMIT_F_RATCHET_TREE,
		.proposals = add, .n_proposals = n, .sig_key = alice->sig,
	};
	struct mlsc_commit_out out = { 0 };
	int err;

	for (size_t i = 0; i < n; i++)
		add[i] = (struct mlsc_proposal_spec){
			.type = MLSC_PROPOSE_ADD, .key_package = ms[i]->kp };
	err = mlsc_commit_create(alice->g, &ca, &out);
	if (!err)
		err = mlsc_commit_merge(alice->g);
	for (size_t i = 0; i < n && !err; i++)
		err = member_join(ctl, ms[i], &out.welcome, NULL, NULL, 0);
	mlsc_commit_out_free(&out);
	return err;
}

/* The external service's proposal @p for @g's current epoch. */
static int ds_propose(const struct mlsc_group *g, unsigned int suite,
		      const struct mls_sig_key *ds, uint32_t index,
		      const struct mlsc_proposal_spec *p, struct mls_bytes *out)
{
	struct mlsc_external_proposal_args a = {
		.group_id = "proposals from outside", .group_id_len = 22,
		.epoch = (uint64_t)mlsc_group_epoch(g),
		.cipher_suite = (uint16_t)suite,
		.sender_index = index, .sig_key = ds, .proposal = p,
	};

	return mlsc_external_proposal(&a, out);
}

static int new_member_propose(const struct mls_bytes *gi, struct member *m,
			      struct mls_bytes *out)
{
	struct mlsc_new_member_args a = {
		.group_info = gi->data, .group_info_len = gi->len,
		.key_package = m->kp, .sig_key = m->sig,
	};

	return mlsc_new_member_proposal(&a, out);
}

FIXTURE(prop) {
	int ctl;
};

FIXTURE_SETUP(prop)
{
	self->ctl = mls_open(0);
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(prop)
{
	close(self->ctl);
}

TEST_F(prop, external)
{
	static const unsigned int suites[] = { 1, 2, 3 };

	for (size_t s = 0; s < ARRAY_SIZE(suites); s++) {
		unsigned int suite = suites[s];
		struct member alice, bob, carol, dave;
		struct member *bc[] = { &bob, &carol };
		struct mlsc_proposal_spec rm = {
			.type = MLSC_PROPOSE_REMOVE, .leaf = 2,
		};
		struct mlsc_proposal_spec add = { .type = MLSC_PROPOSE_ADD };
		struct mls_bytes msg = { 0 }, ref[3] = { 0 };
		struct mlsc_commit_out out = { 0 };
		struct mls_sig_key *ds = NULL;
		uint32_t flags = 0;

		ASSERT_EQ(0, mls_sig_key_generate(suite, &ds));
		ASSERT_EQ(0, alice_with_ds(self->ctl, suite, ds, &alice));
		ASSERT_EQ(0, member_new(suite, "bob", &bob));
		ASSERT_EQ(0, member_new(suite, "carol", &carol));
		ASSERT_EQ(0, member_new(suite, "dave", &dave));
		ASSERT_EQ(0, add_by_value(self->ctl, &alice, bc, 2));
		ASSERT_EQ(2, mlsc_group_own_leaf(carol.g));

		/* the service removes Carol; Alice commits it by reference */
		ASSERT_EQ(0, ds_propose(alice.g, suite, ds, 0, &rm, &msg));
		EXPECT_EQ(0, take_proposal(&alice, &msg, MLS_SENDER_EXTERNAL,
					   0, &ref[0]));
		EXPECT_EQ(0, take_proposal(&bob, &msg, MLS_SENDER_EXTERNAL,
					   0, &ref[1]));
		EXPECT_EQ(0, take_proposal(&carol, &msg, MLS_SENDER_EXTERNAL,
					   0, &ref[2]));
		EXPECT_TRUE(same_ref(&ref[0], &ref[1]));
		EXPECT_TRUE(same_ref(&ref[0], &ref[2]));
		mls_bytes_free(&msg);
		ASSERT_EQ(0, commit_refs(&alice, ref, 1, &out));
		EXPECT_EQ(0, out.welcome.len);
		EXPECT_EQ(0, follow(&bob, &out.commit, &flags));
		EXPECT_EQ(0, flags);
		EXPECT_EQ(0, follow(&carol, &out.commit, &flags));
		EXPECT_EQ(MLSC_PROCESSED_F_REMOVED, flags);
		EXPECT_EQ(2, mlsc_group_epoch(alice.g));
		EXPECT_TRUE(agree(alice.g, bob.g));
		mlsc_commit_out_free(&out);
		for (size_t i = 0; i < 3; i++)
			mls_bytes_free(&ref[i]);

		/* the service adds Dave; Bob commits it, Dave joins */
		add.key_package = dave.kp;
		ASSERT_EQ(0, ds_propose(alice.g, suite, ds, 0, &add, &msg));
		EXPECT_EQ(0, take_proposal(&alice, &msg, MLS_SENDER_EXTERNAL,
					   0, NULL));
		EXPECT_EQ(0, take_proposal(&bob, &msg, MLS_SENDER_EXTERNAL, 0,
					   &ref[0]));
		mls_bytes_free(&msg);
		ASSERT_EQ(0, commit_refs(&bob, ref, 1, &out));
		EXPECT_NE(0, out.welcome.len);
		EXPECT_EQ(0, follow(&alice, &out.commit, NULL));
		ASSERT_EQ(0, member_join(self->ctl, &dave, &out.welcome, NULL,
					 NULL, 0));
		EXPECT_EQ(3, mlsc_group_epoch(dave.g));
		EXPECT_TRUE(agree(alice.g, bob.g));
		EXPECT_TRUE(agree(alice.g, dave.g));
		mlsc_commit_out_free(&out);
		mls_bytes_free(&ref[0]);

		member_free(&alice);
		member_free(&bob);
		member_free(&carol);
		member_free(&dave);
		mls_sig_key_free(ds);
	}
	EXPECT_EQ(0, leaks());
}

TEST_F(prop, new_member)
{
	struct member alice, bob, erin;
	struct member *b[] = { &bob };
	struct mls_bytes gi = { 0 }, msg = { 0 }, ref[2] = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_processed p;

	ASSERT_EQ(0, alice_with_ds(self->ctl, 1, NULL, &alice));
	ASSERT_EQ(0, member_new(1, "bob", &bob));
	ASSERT_EQ(0, member_new(1, "erin", &erin));
	ASSERT_EQ(0, add_by_value(self->ctl, &alice, b, 1));

	ASSERT_EQ(0, mlsc_group_info_export(alice.g, 0, alice.sig, &gi));
	ASSERT_EQ(0, new_member_propose(&gi, &erin, &msg));
	EXPECT_EQ(0, take_proposal(&alice, &msg,
				   MLS_SENDER_NEW_MEMBER_PROPOSAL,
				   MLSC_SENDER_NONE, &ref[0]));
	EXPECT_EQ(0, take_proposal(&bob, &msg, MLS_SENDER_NEW_MEMBER_PROPOSAL,
				   MLSC_SENDER_NONE, &ref[1]));
	EXPECT_TRUE(same_ref(&ref[0], &ref[1]));
	mls_bytes_free(&msg);
	ASSERT_EQ(0, commit_refs(&bob, &ref[1], 1, &out));
	EXPECT_NE(0, out.welcome.len);
	EXPECT_EQ(0, follow(&alice, &out.commit, NULL));
	ASSERT_EQ(0, member_join(self->ctl, &erin, &out.welcome, NULL, NULL,
				 0));
	EXPECT_EQ(2, mlsc_group_own_leaf(erin.g));
	EXPECT_TRUE(agree(alice.g, bob.g));
	EXPECT_TRUE(agree(alice.g, erin.g));
	mlsc_commit_out_free(&out);
	mls_bytes_free(&ref[0]);
	mls_bytes_free(&ref[1]);

	/* a proposal from the last epoch's GroupInfo */
	member_free(&erin);
	ASSERT_EQ(0, member_new(1, "erin", &erin));
	ASSERT_EQ(0, new_member_propose(&gi, &erin, &msg));
	EXPECT_EQ(-ESTALE, mlsc_group_process(alice.g, msg.data, msg.len,
					      &outsiders, &p));
	mls_bytes_free(&msg);
	mls_bytes_free(&gi);

	member_free(&alice);
	member_free(&bob);
	member_free(&erin);
	EXPECT_EQ(0, leaks());
}

/*
 * @m's KeyPackage again, its LeafNode's encryption_key @enc, the leaf
 * and the KeyPackage signed anew by @m: valid by §10.1 on its own.
 */
static int kp_with_enc_key(const struct member *m,
			   const struct mlsc_slice *enc,
			   struct mlsc_keypkg **out)
{
	struct mlsc_mls_message msg = {
		.version = MLSC_VERSION_MLS10,
		.wire_format = MLSC_WIRE_KEY_PACKAGE,
	};
	struct mlsc_key_package *kp = &msg.key_package;
	struct mlsc_wbuf tbs = { 0 }, w = { 0 };
	uint8_t lsig[256], ksig[256];
	size_t ll = sizeof(lsig), kl = sizeof(ksig);
	int err;

	*kp = m->kp->kp;
	kp->leaf_node.encryption_key = *enc;
	err = mlsc_leaf_tbs(&kp->leaf_node, NULL, 0, &tbs);
	if (!err)
		err = mls_sign_with_label(m->sig, "LeafNodeTBS", tbs.p,
					  tbs.len, lsig, &ll);
	mlsc_wbuf_free(&tbs);
	kp->leaf_node.signature = (struct mlsc_slice){ lsig, ll };
	if (!err)
		err = mlsc_keypkg_tbs(kp, &tbs);
	if (!err)
		err = mls_sign_with_label(m->sig, "KeyPackageTBS", tbs.p,
					  tbs.len, ksig, &kl);
	mlsc_wbuf_free(&tbs);
	kp->signature = (struct mlsc_slice){ ksig, kl };
	if (!err)
		err = MLSC_ENCODE(&msg, mlsc_io_mls_message, &w);
	if (!err)
		err = mlsc_keypkg_parse(w.p, w.len, out);
	mlsc_wbuf_free(&w);
	return err;
}

/* A member whose KeyPackage lists extension type @ext as supported. */
static int member_with_ext(unsigned int suite, const char *name,
			   uint16_t ext, struct member *m)
{
	return member_new_ext(suite, name, &ext, 1, m);
}

/* @m commits Adds of @kps by value (not merged): 0 or -errno. */
static int try_adds(struct member *m, struct mlsc_keypkg **kps, size_t n)
{
	struct mlsc_proposal_spec add[2];
	struct mlsc_commit_args ca = {
		.proposals = add, .n_proposals = n, .sig_key = m->sig,
	};
	struct mlsc_commit_out out = { 0 };
	int err;

	for (size_t i = 0; i < n; i++)
		add[i] = (struct mlsc_proposal_spec){
			.type = MLSC_PROPOSE_ADD, .key_package = kps[i] };
	err = mlsc_commit_create(m->g, &ca, &out);
	if (!err)
		err = mlsc_commit_discard(m->g);
	mlsc_commit_out_free(&out);
	return err;
}

/*
 * The committer checks what its receivers check (§12.2, §7.3), or they
 * would refuse the Commit it merged: an Add whose encryption_key another
 * Add or a parent node holds (-EPROTO), by value and by reference; an
 * Add missing the group's required_capabilities (-EOPNOTSUPP). Nothing
 * is left pending, the epoch stays.
 */
TEST_F(prop, committer_checks)
{
	struct member alice, bob, dave, erin, carl;
	struct member *b[] = { &bob };
	struct mlsc_keypkg *kps[2] = { NULL, NULL }, *forged = NULL;
	struct mls_bytes gi = { 0 }, msg = { 0 }, ref = { 0 };
	struct mlsc_commit_args empty = { .sig_key = NULL };
	struct mlsc_commit_out out = { 0 };
	const struct mlsc_slice *parent;

	ASSERT_EQ(0, alice_with_ds(self->ctl, 1, NULL, &alice));
	ASSERT_EQ(0, member_new(1, "bob", &bob));
	ASSERT_EQ(0, member_new(1, "dave", &dave));
	ASSERT_EQ(0, member_new(1, "erin", &erin));
	ASSERT_EQ(0, add_by_value(self->ctl, &alice, b, 1));

	/* two Adds by value: other signature keys, one encryption key */
	ASSERT_EQ(0, kp_with_enc_key(&erin, &dave.kp->kp.leaf_node.encryption_key,
				     &forged));
	kps[0] = dave.kp;
	kps[1] = forged;
	EXPECT_EQ(-EPROTO, try_adds(&alice, kps, 2));
	EXPECT_EQ(1, mlsc_group_epoch(alice.g));
	kps[1] = erin.kp;
	EXPECT_EQ(0, try_adds(&alice, kps, 2));
	mlsc_keypkg_free(forged);
	forged = NULL;

	/* a path: the parent of leaves 0 and 1 gets a public key */
	empty.sig_key = alice.sig;
	ASSERT_EQ(0, mlsc_commit_create(alice.g, &empty, &out));
	ASSERT_EQ(0, mlsc_commit_merge(alice.g));
	EXPECT_EQ(0, follow(&bob, &out.commit, NULL));
	mlsc_commit_out_free(&out);
	ASSERT_FALSE(mlsc_tree_blank(&alice.g->tree, 1));
	parent = &alice.g->tree.nodes[1].parent.encryption_key;

	/* that key in an Add by value, and in a new member's by reference */
	ASSERT_EQ(0, kp_with_enc_key(&erin, parent, &forged));
	EXPECT_EQ(-EPROTO, try_adds(&alice, &forged, 1));
	ASSERT_EQ(0, mlsc_group_info_export(alice.g, 0, alice.sig, &gi));
	{
		struct mlsc_new_member_args a = {
			.group_info = gi.data, .group_info_len = gi.len,
			.key_package = forged, .sig_key = erin.sig,
		};

		ASSERT_EQ(0, mlsc_new_member_proposal(&a, &msg));
	}
	EXPECT_EQ(0, take_proposal(&alice, &msg,
				   MLS_SENDER_NEW_MEMBER_PROPOSAL,
				   MLSC_SENDER_NONE, &ref));
	EXPECT_EQ(0, take_proposal(&bob, &msg, MLS_SENDER_NEW_MEMBER_PROPOSAL,
				   MLSC_SENDER_NONE, NULL));
	EXPECT_EQ(-EPROTO, commit_refs(&alice, &ref, 1, &out));
	EXPECT_EQ(0, out.commit.len);
	EXPECT_EQ(-EPROTO, commit_refs(&bob, &ref, 1, &out));
	EXPECT_EQ(2, mlsc_group_epoch(alice.g));
	EXPECT_EQ(2, mlsc_group_epoch(bob.g));
	EXPECT_TRUE(agree(alice.g, bob.g));
	mls_bytes_free(&msg);
	mls_bytes_free(&ref);
	mls_bytes_free(&gi);
	mlsc_keypkg_free(forged);

	/* required_capabilities: extension 0xff00, which Dave lacks */
	{
		static const uint8_t req[] = { 2, 0xff, 0x00, 0, 0 };
		struct mlsc_ext ext = {
			.type = MLS_EXT_REQUIRED_CAPABILITIES,
			.data = req, .len = sizeof(req),
		};
		struct mlsc_group_params_ext p = {
			.base = { .group_id = "required", .group_id_len = 8,
				  .flags = MLSC_JOIN_F_EPHEMERAL |
					   MLSC_GROUP_F_EXT },
			.extensions = &ext, .n_extensions = 1,
		};
		struct member cora;

		ASSERT_EQ(0, member_with_ext(1, "carl", 0xff00, &carl));
		ASSERT_EQ(0, member_with_ext(1, "cora", 0xff00, &cora));
		ASSERT_EQ(0, mlsc_group_create(self->ctl, &p.base, carl.priv,
					       &carl.g));
		EXPECT_EQ(-EOPNOTSUPP, try_adds(&carl, &dave.kp, 1));
		EXPECT_EQ(0, try_adds(&carl, &cora.kp, 1));
		EXPECT_EQ(0, mlsc_group_epoch(carl.g));
		member_free(&cora);
	}

	member_free(&alice);
	member_free(&bob);
	member_free(&dave);
	member_free(&erin);
	member_free(&carl);
	EXPECT_EQ(0, leaks());
}

/*
 * A PublicMessage proposal or commit @fc signed by @key as a sender
 * outside the group signs it (no GroupContext), into @out.
 */
static int forge(struct mlsc_framed_content *fc, const struct mls_sig_key *key,
		 struct mls_bytes *out)
{
	uint16_t v = MLSC_VERSION_MLS10, wf = MLSC_WIRE_PUBLIC_MESSAGE;
	struct mlsc_wbuf tbs = { 0 }, w = { 0 };
	struct mlsc_mls_message m;
	uint8_t sig[256], tag[64] = { 0 };
	size_t sig_len = sizeof(sig);
	struct mlsc_io io;
	int err;

	mlsc_io_writer(&io, &tbs);
	mlsc_io_u16(&io, &v);
	mlsc_io_u16(&io, &wf);
	mlsc_io_framed_content(&io, fc);
	err = mlsc_io_finish(&io);
	if (!err)
		err = mls_sign_with_label(key, "FramedContentTBS", tbs.p,
					  tbs.len, sig, &sig_len);
	memset(&m, 0, sizeof(m));
	m.version = MLSC_VERSION_MLS10;
	m.wire_format = MLSC_WIRE_PUBLIC_MESSAGE;
	m.pub.content = *fc;
	m.pub.auth.signature = (struct mlsc_slice){ sig, sig_len };
	m.pub.auth.confirmation_tag = (struct mlsc_slice){ tag, 32 };
	if (!err)
		err = MLSC_ENCODE(&m, mlsc_io_mls_message, &w);
	if (!err) {
		out->data = malloc(w.len);
		out->len = w.len;
		if (out->data)
			memcpy(out->data, w.p, w.len);
		else
			err = -ENOMEM;
	}
	mlsc_wbuf_free(&tbs);
	mlsc_wbuf_free(&w);
	return err;
}

/* @m refuses @msg with @want, and stays where it was. */
static int refused(struct member *m, const struct mls_bytes *msg, int want)
{
	int64_t e = mlsc_group_epoch(m->g);
	struct mlsc_processed p;
	int err;

	memset(&p, 0xa5, sizeof(p));
	err = mlsc_group_process(m->g, msg->data, msg->len, &outsiders, &p);
	if (err != want) {
		fprintf(stderr, "# got %d, want %d\n", err, want);
		if (!err)
			mlsc_processed_free(&p);
		return -1;
	}
	if (p.content_type || p.proposal_ref.data ||
	    mlsc_group_epoch(m->g) != e ||
	    (m->g->cache && m->g->cache->n))
		return -1;
	return 0;
}

/* @m commits @refs and @spec by value (never merged): 0 or -errno. */
static int commit_mixed(struct member *m, const struct mls_bytes *refs,
			size_t n, const struct mlsc_proposal_spec *spec)
{
	struct mlsc_commit_args_ext x = {
		.base = {
			.flags = MLSC_COMMIT_F_EXT, .sig_key = m->sig,
			.proposals = spec, .n_proposals = spec ? 1 : 0,
		},
		.proposal_refs = refs, .n_proposal_refs = n,
	};
	struct mlsc_commit_out out = { 0 };
	int err = mlsc_commit_create(m->g, &x.base, &out);

	if (!err)
		err = mlsc_commit_discard(m->g);
	mlsc_commit_out_free(&out);
	return err;
}

/*
 * The committer's refusals of proposals by reference, the group left in
 * its epoch with nothing pending: an external sender's PreSharedKey
 * without its value (-ENOKEY), its ReInit beside a Remove (-EPROTO; alone it commits),
 * a Remove of a blank leaf (-ENOENT), of the
 * committer's own (-EINVAL), one Remove by reference and by value
 * (-EINVAL); a proposal received twice is kept once under one ref.
 */
TEST_F(prop, refs_refused)
{
	struct member alice, bob, carol;
	struct member *bc[] = { &bob, &carol };
	struct mlsc_proposal_spec rm = { .type = MLSC_PROPOSE_REMOVE };
	struct mls_sig_key *ds = NULL;
	struct mls_bytes msg = { 0 }, orig = { 0 }, ref = { 0 }, again = { 0 };
	struct mlsc_framed_content fc;
	struct mlsc_mls_message m;
	struct mlsc_arena arena;
	uint8_t nonce[32] = { 1 };
	size_t cached;

	ASSERT_EQ(0, mls_sig_key_generate(1, &ds));
	ASSERT_EQ(0, alice_with_ds(self->ctl, 1, ds, &alice));
	ASSERT_EQ(0, member_new(1, "bob", &bob));
	ASSERT_EQ(0, member_new(1, "carol", &carol));
	ASSERT_EQ(0, add_by_value(self->ctl, &alice, bc, 2));
	ASSERT_EQ(4, alice.g->tree.n_leaves);	/* leaf 3 blank */

	/* forged from a genuine one: a PreSharedKey, a ReInit */
	rm.leaf = 1;
	ASSERT_EQ(0, ds_propose(alice.g, 1, ds, 0, &rm, &orig));
	mlsc_arena_init(&arena);
	ASSERT_EQ(0, MLSC_DECODE(orig.data, orig.len, &arena, &m,
				 mlsc_io_mls_message));
	fc = m.pub.content;
	fc.proposal.type = MLSC_PROPOSAL_PSK;
	memset(&fc.proposal.psk, 0, sizeof(fc.proposal.psk));
	fc.proposal.psk.type = MLSC_PSK_EXTERNAL;
	fc.proposal.psk.psk_id = (struct mlsc_slice){ (uint8_t *)"psk", 3 };
	fc.proposal.psk.psk_nonce = (struct mlsc_slice){ nonce, 32 };
	ASSERT_EQ(0, forge(&fc, ds, &msg));
	ASSERT_EQ(0, take_proposal(&alice, &msg, MLS_SENDER_EXTERNAL, 0,
				   &ref));
	mls_bytes_free(&msg);
	/* since 0.7 it commits, but only with its value (none given) */
	EXPECT_EQ(-ENOKEY, commit_mixed(&alice, &ref, 1, NULL));
	EXPECT_TRUE(nothing_pending(alice.g));
	mls_bytes_free(&ref);
	fc.proposal.type = MLSC_PROPOSAL_REINIT;
	memset(&fc.proposal.reinit, 0, sizeof(fc.proposal.reinit));
	fc.proposal.reinit.group_id = (struct mlsc_slice){ (uint8_t *)"new", 3 };
	fc.proposal.reinit.version = MLSC_VERSION_MLS10;
	fc.proposal.reinit.cipher_suite = 1;
	ASSERT_EQ(0, forge(&fc, ds, &msg));
	ASSERT_EQ(0, take_proposal(&alice, &msg, MLS_SENDER_EXTERNAL, 0,
				   &ref));
	mls_bytes_free(&msg);
	/* since 0.6 a ReInit by reference commits, but only alone */
	rm.leaf = 1;
	EXPECT_EQ(-EPROTO, commit_mixed(&alice, &ref, 1, &rm));
	EXPECT_EQ(0, commit_mixed(&alice, &ref, 1, NULL));
	mls_bytes_free(&ref);
	mlsc_arena_free(&arena);

	/* a Remove of the blank leaf 3, of Alice's own leaf 0 */
	rm.leaf = 3;
	ASSERT_EQ(0, ds_propose(alice.g, 1, ds, 0, &rm, &msg));
	ASSERT_EQ(0, take_proposal(&alice, &msg, MLS_SENDER_EXTERNAL, 0,
				   &ref));
	mls_bytes_free(&msg);
	EXPECT_EQ(-ENOENT, commit_mixed(&alice, &ref, 1, NULL));
	mls_bytes_free(&ref);
	rm.leaf = 0;
	ASSERT_EQ(0, ds_propose(alice.g, 1, ds, 0, &rm, &msg));
	ASSERT_EQ(0, take_proposal(&alice, &msg, MLS_SENDER_EXTERNAL, 0,
				   &ref));
	mls_bytes_free(&msg);
	EXPECT_EQ(-EINVAL, commit_mixed(&alice, &ref, 1, NULL));
	mls_bytes_free(&ref);

	/* Bob removed by reference and by value */
	rm.leaf = 1;
	ASSERT_EQ(0, take_proposal(&alice, &orig, MLS_SENDER_EXTERNAL, 0,
				   &ref));
	EXPECT_EQ(-EINVAL, commit_mixed(&alice, &ref, 1, &rm));

	/* received again: the same ref, nothing more cached */
	ASSERT_NE(NULL, alice.g->cache);
	cached = alice.g->cache->n;
	EXPECT_EQ(0, take_proposal(&alice, &orig, MLS_SENDER_EXTERNAL, 0,
				   &again));
	EXPECT_TRUE(same_ref(&ref, &again));
	EXPECT_EQ(cached, alice.g->cache->n);
	EXPECT_EQ(1, mlsc_group_epoch(alice.g));
	/* the genuine commit of it still goes through */
	EXPECT_EQ(0, commit_mixed(&alice, &ref, 1, NULL));
	mls_bytes_free(&ref);
	mls_bytes_free(&again);
	mls_bytes_free(&orig);

	member_free(&alice);
	member_free(&bob);
	member_free(&carol);
	mls_sig_key_free(ds);
	EXPECT_EQ(0, leaks());
}

TEST_F(prop, bad)
{
	struct member alice, bob, erin, lone;
	struct member *b[] = { &bob };
	struct mlsc_proposal_spec rm = { .type = MLSC_PROPOSE_REMOVE, .leaf = 1 };
	struct mlsc_proposal_spec psk = psk_proposal;
	struct mls_sig_key *ds = NULL, *other = NULL;
	struct mls_bytes msg = { 0 }, orig = { 0 }, gi = { 0 }, refs[2] = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_framed_content fc;
	struct mlsc_mls_message m;
	struct mlsc_arena arena;
	uint8_t junk[32] = { 0 };

	ASSERT_EQ(0, mls_sig_key_generate(1, &ds));
	ASSERT_EQ(0, mls_sig_key_generate(1, &other));
	ASSERT_EQ(0, alice_with_ds(self->ctl, 1, ds, &alice));
	ASSERT_EQ(0, member_new(1, "bob", &bob));
	ASSERT_EQ(0, member_new(1, "erin", &erin));
	ASSERT_EQ(0, add_by_value(self->ctl, &alice, b, 1));

	/* not asked for: -EOPNOTSUPP as before 0.5, nothing cached */
	ASSERT_EQ(0, ds_propose(alice.g, 1, ds, 0, &rm, &msg));
	{
		struct mlsc_processed p;

		EXPECT_EQ(-EOPNOTSUPP, mlsc_group_process(alice.g, msg.data,
							  msg.len, NULL, &p));
		EXPECT_EQ(0, p.content_type);
		EXPECT_TRUE(!alice.g->cache || !alice.g->cache->n);
	}
	mls_bytes_free(&msg);

	/* an index past external_senders */
	ASSERT_EQ(0, ds_propose(alice.g, 1, ds, 1, &rm, &msg));
	EXPECT_EQ(0, refused(&alice, &msg, -ERANGE));
	mls_bytes_free(&msg);
	/* a bad signature: its last byte changed */
	ASSERT_EQ(0, ds_propose(alice.g, 1, ds, 0, &rm, &msg));
	msg.data[msg.len - 1] ^= 1;
	EXPECT_EQ(0, refused(&alice, &msg, -EKEYREJECTED));
	mls_bytes_free(&msg);
	/* another key than the listed one */
	ASSERT_EQ(0, ds_propose(alice.g, 1, other, 0, &rm, &msg));
	EXPECT_EQ(0, refused(&alice, &msg, -EKEYREJECTED));
	mls_bytes_free(&msg);
	/* an older and a later epoch, another group */
	{
		struct mlsc_external_proposal_args a = {
			.group_id = "proposals from outside",
			.group_id_len = 22, .epoch = 0, .cipher_suite = 1,
			.sig_key = ds, .proposal = &rm,
		};

		ASSERT_EQ(0, mlsc_external_proposal(&a, &msg));
		EXPECT_EQ(0, refused(&alice, &msg, -ESTALE));
		mls_bytes_free(&msg);
		a.epoch = 7;
		ASSERT_EQ(0, mlsc_external_proposal(&a, &msg));
		EXPECT_EQ(0, refused(&alice, &msg, -EAGAIN));
		mls_bytes_free(&msg);
		a.epoch = 1;
		a.group_id = "proposals from elsewhere";
		a.group_id_len = 24;
		ASSERT_EQ(0, mlsc_external_proposal(&a, &msg));
		EXPECT_EQ(0, refused(&alice, &msg, -EBADMSG));
		mls_bytes_free(&msg);
		/* bad arguments */
		a.group_id_len = 22;
		a.reserved = 1;
		EXPECT_EQ(-EINVAL, mlsc_external_proposal(&a, &msg));
		a.reserved = 0;
		a.proposal = &psk;
		EXPECT_EQ(-EOPNOTSUPP, mlsc_external_proposal(&a, &msg));
		a.proposal = &rm;
		a.cipher_suite = 2;
		EXPECT_EQ(-EINVAL, mlsc_external_proposal(&a, &msg));
		a.cipher_suite = 0x7777;
		EXPECT_EQ(-EPROTONOSUPPORT, mlsc_external_proposal(&a, &msg));
		EXPECT_EQ(-EINVAL, mlsc_external_proposal(NULL, &msg));
		EXPECT_EQ(0, msg.len);
	}

	/* forged: an external sender's Update, and Commit */
	ASSERT_EQ(0, ds_propose(alice.g, 1, ds, 0, &rm, &orig));
	mlsc_arena_init(&arena);
	ASSERT_EQ(0, MLSC_DECODE(orig.data, orig.len, &arena, &m,
				 mlsc_io_mls_message));
	fc = m.pub.content;
	fc.proposal.type = MLSC_PROPOSAL_UPDATE;
	fc.proposal.update = bob.kp->kp.leaf_node;
	ASSERT_EQ(0, forge(&fc, ds, &msg));
	EXPECT_EQ(0, refused(&alice, &msg, -EPROTO));
	mls_bytes_free(&msg);
	fc.proposal.type = MLSC_PROPOSAL_EXTERNAL_INIT;
	fc.proposal.external_init = (struct mlsc_slice){ junk, 32 };
	ASSERT_EQ(0, forge(&fc, ds, &msg));
	EXPECT_EQ(0, refused(&alice, &msg, -EPROTO));
	mls_bytes_free(&msg);
	fc.content_type = MLSC_CONTENT_COMMIT;
	memset(&fc.commit, 0, sizeof(fc.commit));
	ASSERT_EQ(0, forge(&fc, ds, &msg));
	EXPECT_EQ(0, refused(&alice, &msg, -EBADMSG));
	mls_bytes_free(&msg);

	/* forged: a new member's Remove, an Add signed by another key */
	fc.content_type = MLSC_CONTENT_PROPOSAL;
	fc.sender.type = MLSC_SENDER_NEW_MEMBER_PROPOSAL;
	fc.sender.index = 0;
	fc.proposal.type = MLSC_PROPOSAL_REMOVE;
	fc.proposal.remove = 1;
	ASSERT_EQ(0, forge(&fc, erin.sig, &msg));
	EXPECT_EQ(0, refused(&alice, &msg, -EPROTO));
	mls_bytes_free(&msg);
	fc.proposal.type = MLSC_PROPOSAL_ADD;
	fc.proposal.add = erin.kp->kp;
	ASSERT_EQ(0, forge(&fc, other, &msg));
	EXPECT_EQ(0, refused(&alice, &msg, -EKEYREJECTED));
	mls_bytes_free(&msg);
	/* the same, signed by Erin: kept */
	ASSERT_EQ(0, forge(&fc, erin.sig, &msg));
	EXPECT_EQ(0, take_proposal(&alice, &msg,
				   MLS_SENDER_NEW_MEMBER_PROPOSAL,
				   MLSC_SENDER_NONE,
				   &refs[0]));
	mls_bytes_free(&msg);
	mlsc_arena_free(&arena);
	mls_bytes_free(&orig);

	/* commits by reference: never received, the same ref twice */
	refs[1].data = junk;
	refs[1].len = 32;
	{
		struct mlsc_commit_args_ext x = {
			.base = { .flags = MLSC_COMMIT_F_EXT,
				  .sig_key = alice.sig },
			.proposal_refs = &refs[1], .n_proposal_refs = 1,
		};
		struct mls_bytes twice[2] = { refs[0], refs[0] };

		EXPECT_EQ(-ENOENT, mlsc_commit_create(alice.g, &x.base, &out));
		/* Bob never received it */
		x.proposal_refs = refs;
		x.base.sig_key = bob.sig;
		EXPECT_EQ(-ENOENT, mlsc_commit_create(bob.g, &x.base, &out));
		x.base.sig_key = alice.sig;
		x.proposal_refs = twice;
		x.n_proposal_refs = 2;
		EXPECT_EQ(-EINVAL, mlsc_commit_create(alice.g, &x.base, &out));
		x.proposal_refs = NULL;
		EXPECT_EQ(-EINVAL, mlsc_commit_create(alice.g, &x.base, &out));
		EXPECT_EQ(0, out.commit.len);
		EXPECT_EQ(1, mlsc_group_epoch(alice.g));
	}
	refs[1].data = NULL;
	mls_bytes_free(&refs[0]);

	/*
	 * MLSC_COMMIT_F_ALL on a plain struct mlsc_commit_args: nothing is
	 * read past it (AddressSanitizer), an unknown flag is -EINVAL
	 */
	{
		struct mlsc_commit_args ca = {
			.flags = MLSC_COMMIT_F_ALL, .sig_key = alice.sig,
		};

		EXPECT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
		EXPECT_EQ(0, mlsc_commit_discard(alice.g));
		mlsc_commit_out_free(&out);
		ca.flags = MLSC_COMMIT_F_EXT << 1;
		EXPECT_EQ(-EINVAL, mlsc_commit_create(alice.g, &ca, &out));
		EXPECT_EQ(1, mlsc_group_epoch(alice.g));
	}

	/* a new member's proposal: bad arguments */
	ASSERT_EQ(0, mlsc_group_info_export(alice.g, 0, alice.sig, &gi));
	{
		struct mlsc_new_member_args a = {
			.group_info = gi.data, .group_info_len = gi.len,
			.key_package = erin.kp, .sig_key = other,
		};

		EXPECT_EQ(-EINVAL, mlsc_new_member_proposal(&a, &msg));
		a.sig_key = erin.sig;
		a.group_info_len = gi.len - 1;
		EXPECT_EQ(-EBADMSG, mlsc_new_member_proposal(&a, &msg));
		a.group_info = erin.kp_msg.data;
		a.group_info_len = erin.kp_msg.len;
		EXPECT_EQ(-EBADMSG, mlsc_new_member_proposal(&a, &msg));
		a.key_package = NULL;
		EXPECT_EQ(-EINVAL, mlsc_new_member_proposal(&a, &msg));
		EXPECT_EQ(0, msg.len);
	}
	mls_bytes_free(&gi);

	/* a group without external_senders */
	ASSERT_EQ(0, alice_with_ds(self->ctl, 1, NULL, &lone));
	rm.leaf = 0;
	ASSERT_EQ(0, ds_propose(lone.g, 1, ds, 0, &rm, &msg));
	EXPECT_EQ(0, refused(&lone, &msg, -ERANGE));
	mls_bytes_free(&msg);
	member_free(&lone);

	/* group creation: bad extensions */
	{
		struct mlsc_ext ext = {
			.type = MLS_EXT_EXTERNAL_SENDERS, .data = junk,
			.len = 3,
		};
		struct mlsc_group_params_ext p = {
			.base = { .group_id = "x", .group_id_len = 1,
				  .flags = MLSC_JOIN_F_EPHEMERAL |
					   MLSC_GROUP_F_EXT },
			.extensions = &ext, .n_extensions = 1,
		};
		struct mlsc_group *g = NULL;
		long groups = group_count(self->ctl);

		ASSERT_EQ(0, member_new(1, "lone", &lone));
		/* a malformed list */
		EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl, &p.base,
						     lone.priv, &g));
		/* a GroupInfo's own extension */
		ext.type = 2;
		ext.len = 0;
		EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl, &p.base,
						     lone.priv, &g));
		/* an extension the creator does not support */
		ext.type = 0xff00;
		EXPECT_EQ(-EOPNOTSUPP, mlsc_group_create(self->ctl, &p.base,
							 lone.priv, &g));
		/* the same type twice */
		{
			struct mlsc_ext two[2] = {
				{ MLS_EXT_REQUIRED_CAPABILITIES, junk, 3 },
				{ MLS_EXT_REQUIRED_CAPABILITIES, junk, 3 },
			};

			p.extensions = two;
			p.n_extensions = 2;
			EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl,
							     &p.base,
							     lone.priv, &g));
		}
		p.extensions = NULL;
		EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl, &p.base,
						     lone.priv, &g));
		EXPECT_EQ(NULL, g);
		EXPECT_EQ(groups, group_count(self->ctl));
		EXPECT_EQ(-EINVAL, mlsc_external_senders_encode(NULL, 1,
								&msg));
		member_free(&lone);
	}

	member_free(&alice);
	member_free(&bob);
	member_free(&erin);
	mls_sig_key_free(ds);
	mls_sig_key_free(other);
	EXPECT_EQ(0, leaks());
}

/* ------------------------------------ a member's own proposals (0.7) */

static int ab(int ctl, struct member *alice, struct member *bob)
{
	return alice_and_bob(ctl, 1, alice, bob);
}

TWO_MEMBERS_FIXTURE(own, ab)

/* @m proposes @spec (@flags), into @out: 0 or -errno. */
static int propose(struct member *m, const struct mlsc_proposal_spec *spec,
		   uint32_t flags, struct mlsc_proposal_out *out)
{
	struct mlsc_propose_args a = {
		.flags = flags, .proposal = spec, .sig_key = m->sig,
	};

	return mlsc_group_propose(m->g, &a, out);
}

/*
 * @joiner cannot join from @welcome without the PSK @psk its Commit
 * names, and then joins with it: 0, -EPROTO (joined without), -errno.
 */
static int join_with_psk_only(int ctl, struct member *joiner,
			      const struct mls_bytes *welcome,
			      const struct mlsc_psk *psk)
{
	if (!member_join(ctl, joiner, welcome, NULL, NULL, 0) || joiner->g)
		return -EPROTO;
	return member_join(ctl, joiner, welcome, NULL, psk, 1);
}

/* The three in one epoch, with one epoch_authenticator and one tree. */
static bool all_agree(const struct member *a, const struct member *b,
		      const struct member *c)
{
	return same_authenticator(a->g, b->g) &&
	       same_authenticator(a->g, c->g) && agree(b->g, c->g);
}

/* @m commits @refs with the PSK values @psks, merged: 0 or -errno. */
static int commit_psks(struct member *m, const struct mls_bytes *refs,
		       size_t n, const struct mlsc_psk *psks, size_t n_psks,
		       struct mlsc_commit_out *out)
{
	struct mlsc_commit_args_ext x = {
		.base = {
			.flags = MLSC_COMMIT_F_EXT | MLSC_COMMIT_F_PSKS |
				 MLSC_COMMIT_F_RATCHET_TREE,
			.sig_key = m->sig,
		},
		.proposal_refs = refs, .n_proposal_refs = n,
		.psks = psks, .n_psks = n_psks,
	};
	int err = mlsc_commit_create(m->g, &x.base, out);

	return err ? err : mlsc_commit_merge(m->g);
}

/* @m takes @po, a proposal of member @leaf, under the proposer's ref. */
static int take_own(struct member *m, const struct mlsc_proposal_out *po,
		    uint32_t leaf)
{
	struct mls_bytes ref = { 0 };
	int err = take_proposal(m, &po->message, MLS_SENDER_MEMBER, leaf,
				&ref);

	if (!err && !same_ref(&ref, &po->ref))
		err = -EPROTO;
	mls_bytes_free(&ref);
	return err;
}

/* @m in epoch @e, in the kernel too, nothing pending, nothing cached. */
static bool unchanged(const struct member *m, uint64_t e, size_t cached)
{
	return mlsc_group_epoch(m->g) == (int64_t)e &&
	       kernel_epoch(m->g) == e && nothing_pending(m->g) &&
	       (m->g->cache ? m->g->cache->n : 0) == cached;
}

/* @m commits @ref beside MLS_MAX_PSKS external PSKs by value. */
static int too_many_psks(struct member *m, const struct mls_bytes *ref)
{
	static uint8_t ids[MLS_MAX_PSKS][2];
	struct mlsc_proposal_spec v[MLS_MAX_PSKS];
	struct mlsc_commit_args_ext x = {
		.base = {
			.flags = MLSC_COMMIT_F_EXT | MLSC_COMMIT_F_PSKS,
			.sig_key = m->sig,
			.proposals = v, .n_proposals = MLS_MAX_PSKS,
		},
		.proposal_refs = ref, .n_proposal_refs = 1,
		.psks = &ext_psk, .n_psks = 1,
	};
	struct mlsc_commit_out out = { 0 };
	int err;

	for (size_t i = 0; i < MLS_MAX_PSKS; i++) {
		ids[i][0] = 'p';
		ids[i][1] = (uint8_t)i;
		v[i] = psk_proposal;
		v[i].psk_id = ids[i];
		v[i].psk_id_len = sizeof(ids[i]);
	}
	err = mlsc_commit_create(m->g, &x.base, &out);
	if (!err)
		mlsc_commit_discard(m->g);
	mlsc_commit_out_free(&out);
	return err;
}

TEST_F(own, add_remove)
{
	struct member *alice = &self->alice, *bob = &self->bob, carol;
	struct mlsc_proposal_spec add = { .type = MLSC_PROPOSE_ADD };
	struct mlsc_proposal_spec rm = { .type = MLSC_PROPOSE_REMOVE,
					 .leaf = 2 };
	struct mlsc_proposal_out po = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_processed p;

	ASSERT_EQ(0, member_new(1, "carol", &carol));
	add.key_package = carol.kp;

	/* Bob's Add of Carol, committed by Alice */
	ASSERT_EQ(0, propose(bob, &add, 0, &po));
	EXPECT_EQ(-EALREADY, mlsc_group_process(bob->g, po.message.data,
						po.message.len, NULL, &p));
	ASSERT_EQ(0, take_own(alice, &po, 1));
	ASSERT_EQ(0, commit_refs(alice, &po.ref, 1, &out));
	ASSERT_NE(0, out.welcome.len);
	EXPECT_EQ(0, follow(bob, &out.commit, NULL));
	ASSERT_EQ(0, member_join(self->ctl, &carol, &out.welcome, NULL,
				 NULL, 0));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	EXPECT_EQ(2, mlsc_group_own_leaf(carol.g));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(same_authenticator(alice->g, carol.g));
	EXPECT_TRUE(agree(bob->g, carol.g));
	ALL_TALK(alice, bob, &carol);

	/* Bob's Remove of Carol, privately: hers to follow, not commit */
	ASSERT_EQ(0, propose(bob, &rm, MLSC_PROPOSE_F_PRIVATE, &po));
	ASSERT_EQ(0, take_own(alice, &po, 1));
	ASSERT_EQ(0, take_own(&carol, &po, 1));
	EXPECT_EQ(-EINVAL, commit_refs(&carol, &po.ref, 1, &out));
	EXPECT_TRUE(unchanged(&carol, 2, 1));
	ASSERT_EQ(0, commit_refs(alice, &po.ref, 1, &out));
	EXPECT_EQ(0, out.welcome.len);
	EXPECT_EQ(0, follow(bob, &out.commit, NULL));
	EXPECT_EQ(0, mlsc_group_process(carol.g, out.commit.data,
					out.commit.len, NULL, &p));
	EXPECT_NE(0, p.flags & MLSC_PROCESSED_F_REMOVED);
	/* her epoch is over: the Remove she kept is wiped at once */
	EXPECT_EQ(0, carol.g->cache ? carol.g->cache->n : 0);
	mlsc_processed_free(&p);
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	EXPECT_EQ(3, mlsc_group_epoch(alice->g));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(agree(alice->g, bob->g));
	ALL_TALK(alice, bob);
	member_free(&carol);
}

TEST_F(own, psk)
{
	struct member *alice = &self->alice, *bob = &self->bob, carol;
	struct mlsc_resumption_psk res = { 0 };
	struct mlsc_proposal_spec resumption = {
		.type = MLSC_PROPOSE_PSK_RESUMPTION,
		.psk = &res, .psk_len = sizeof(res),
	};
	struct mlsc_proposal_spec add = { .type = MLSC_PROPOSE_ADD };
	struct mlsc_process_opts with_psk = { .psks = &ext_psk, .n_psks = 1 };
	struct mlsc_proposal_out po = { 0 }, po2 = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mls_bytes refs[2];

	ASSERT_EQ(0, member_new(1, "carol", &carol));

	/* Bob's external PSK: Alice needs its value to commit it */
	ASSERT_EQ(0, propose(bob, &psk_proposal, 0, &po));
	ASSERT_EQ(0, take_own(alice, &po, 1));
	EXPECT_EQ(-ENOKEY, commit_psks(alice, &po.ref, 1, NULL, 0, &out));
	EXPECT_TRUE(unchanged(alice, 1, 1));
	EXPECT_EQ(-ENOKEY, commit_refs(alice, &po.ref, 1, &out));
	EXPECT_TRUE(unchanged(alice, 1, 1));
	/* MLS_MAX_PSKS by value, one more by reference */
	EXPECT_EQ(-EINVAL, too_many_psks(alice, &po.ref));
	EXPECT_TRUE(unchanged(alice, 1, 1));
	ASSERT_EQ(0, commit_psks(alice, &po.ref, 1, &ext_psk, 1, &out));
	EXPECT_EQ(-ENOENT, follow(bob, &out.commit, NULL));
	EXPECT_TRUE(unchanged(bob, 1, 1));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, &with_psk, 0, 2, NULL));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(agree(alice->g, bob->g));

	/* Bob's resumption PSK of the current epoch, the kernel's value */
	res.group_fd = mlsc_group_fd(bob->g);
	res.epoch = 2;
	ASSERT_EQ(0, propose(bob, &resumption, MLSC_PROPOSE_F_PRIVATE, &po));
	ASSERT_EQ(0, take_own(alice, &po, 1));
	ASSERT_EQ(0, commit_psks(alice, &po.ref, 1, NULL, 0, &out));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, 3, NULL));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(agree(alice->g, bob->g));

	/* Alice's own external PSK and Bob's Add: the joiner needs it too */
	add.key_package = carol.kp;
	ASSERT_EQ(0, propose(alice, &psk_proposal, 0, &po));
	ASSERT_EQ(0, take_own(bob, &po, 0));
	ASSERT_EQ(0, propose(bob, &add, 0, &po2));
	ASSERT_EQ(0, take_own(alice, &po2, 1));
	refs[0] = po.ref;
	refs[1] = po2.ref;
	ASSERT_EQ(0, commit_psks(alice, refs, 2, &ext_psk, 1, &out));
	ASSERT_NE(0, out.welcome.len);
	EXPECT_EQ(0, follow_commit(bob, &out.commit, &with_psk, 0, 4, NULL));
	ASSERT_EQ(0, join_with_psk_only(self->ctl, &carol, &out.welcome, &ext_psk));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	mlsc_proposal_out_free(&po2);
	EXPECT_TRUE(all_agree(alice, bob, &carol));
	ALL_TALK(alice, bob, &carol);
	member_free(&carol);
}

/*
 * A second group, "other group", of @a, @b and @c (suite 1): @a adds
 * both in one Commit, so that all three are in epoch 1.
 */
static int other_group(int ctl, struct member *a, struct member *b,
		       struct member *c)
{
	struct mlsc_group_params p = {
		.group_id = "other group", .group_id_len = 11,
		.flags = MLSC_JOIN_F_EPHEMERAL,
	};
	struct mlsc_proposal_spec adds[2] = {
		{ .type = MLSC_PROPOSE_ADD }, { .type = MLSC_PROPOSE_ADD },
	};
	struct mlsc_commit_out out = { 0 };
	struct mls_bytes tree = { 0 };
	int err = member_new(1, "alice", a);

	if (!err)
		err = member_new(1, "bob", b);
	if (!err)
		err = member_new(1, "carol", c);
	if (!err)
		err = mlsc_group_create(ctl, &p, a->priv, &a->g);
	if (err)
		return err;
	adds[0].key_package = b->kp;
	adds[1].key_package = c->kp;
	err = commit_merged(a, adds, 2, NULL, 0, &out);
	if (!err)
		err = mlsc_group_ratchet_tree(a->g, &tree);
	if (!err)
		err = member_join(ctl, b, &out.welcome, &tree, NULL, 0);
	if (!err)
		err = member_join(ctl, c, &out.welcome, &tree, NULL, 0);
	mls_bytes_free(&tree);
	mlsc_commit_out_free(&out);
	return err;
}

TEST_F(own, resumption_other_group)
{
	struct member *alice = &self->alice, *bob = &self->bob, carol;
	struct member a2, b2, c2;
	struct mlsc_resumption_psk res = { .epoch = 1 };
	struct mlsc_proposal_spec resumption = {
		.type = MLSC_PROPOSE_PSK_RESUMPTION,
		.psk = &res, .psk_len = sizeof(res),
	};
	struct mlsc_proposal_spec add = { .type = MLSC_PROPOSE_ADD };
	struct mlsc_psk pa = { .type = MLS_PSK_RESUMPTION };
	struct mlsc_psk pb = pa, pc = pa;
	struct mlsc_process_opts ob = { .psks = &pb, .n_psks = 1 };
	struct mlsc_proposal_out po = { 0 }, po2 = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mls_bytes refs[2];

	ASSERT_EQ(0, other_group(self->ctl, &a2, &b2, &c2));
	ASSERT_EQ(1, mlsc_group_epoch(b2.g));
	ASSERT_EQ(1, mlsc_group_epoch(c2.g));
	ASSERT_EQ(0, member_new(1, "carol", &carol));
	pa.group_fd = mlsc_group_fd(a2.g);
	pb.group_fd = mlsc_group_fd(b2.g);
	pc.group_fd = mlsc_group_fd(c2.g);

	/* Bob: a resumption PSK of the other group, and an Add of Carol */
	res.group_fd = mlsc_group_fd(b2.g);
	ASSERT_EQ(0, propose(bob, &resumption, MLSC_PROPOSE_F_PRIVATE, &po));
	ASSERT_EQ(0, take_own(alice, &po, 1));
	add.key_package = carol.kp;
	ASSERT_EQ(0, propose(bob, &add, 0, &po2));
	ASSERT_EQ(0, take_own(alice, &po2, 1));
	refs[0] = po.ref;
	refs[1] = po2.ref;

	/* Alice needs her own fd of that group to commit it */
	EXPECT_EQ(-ENOKEY, commit_psks(alice, refs, 2, NULL, 0, &out));
	EXPECT_TRUE(unchanged(alice, 1, 2));
	ASSERT_EQ(0, commit_psks(alice, refs, 2, &pa, 1, &out));
	ASSERT_NE(0, out.welcome.len);
	EXPECT_EQ(-ENOENT, follow(bob, &out.commit, NULL));
	EXPECT_TRUE(unchanged(bob, 1, 2));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, &ob, 0, 2, NULL));
	/* the joiner's path: the Welcome names it too */
	ASSERT_EQ(0, join_with_psk_only(self->ctl, &carol, &out.welcome, &pc));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	mlsc_proposal_out_free(&po2);
	EXPECT_TRUE(all_agree(alice, bob, &carol));
	ALL_TALK(alice, bob, &carol);
	/* the other group did not move */
	EXPECT_TRUE(same_authenticator(a2.g, b2.g));
	EXPECT_TRUE(same_authenticator(a2.g, c2.g));
	EXPECT_EQ(1, mlsc_group_epoch(b2.g));
	member_free(&carol);
	member_free(&a2);
	member_free(&b2);
	member_free(&c2);
}

TEST_F(own, refused)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	static const uint8_t long_id[MLS_MAX_PSK_ID_LEN + 1];
	struct mlsc_resumption_psk res = {
		.group_fd = mlsc_group_fd(self->bob.g), .epoch = 1,
	};
	struct mlsc_proposal_spec bad, resumption = {
		.type = MLSC_PROPOSE_PSK_RESUMPTION,
		.psk = &res, .psk_len = sizeof(res),
	};
	struct mlsc_proposal_spec rm = { .type = MLSC_PROPOSE_REMOVE };
	struct mlsc_proposal_spec add = {
		.type = MLSC_PROPOSE_ADD, .key_package = alice->kp,
	};
	struct mlsc_commit_args_ext x = {
		.base = { .flags = MLSC_COMMIT_F_PSKS, .sig_key = bob->sig },
	};
	struct mlsc_proposal_out po = { 0 };
	struct mlsc_commit_out out = { 0 };
	/* none, an ExternalInit, one the RFC does not define */
	static const uint16_t unknown[] = { 0, 6, 0x9999 };

	/* external PSK ids: empty, too long; a value too long */
	bad = psk_proposal;
	bad.psk_id_len = 0;
	EXPECT_EQ(-EINVAL, propose(bob, &bad, 0, &po));
	bad.psk_id = long_id;
	bad.psk_id_len = sizeof(long_id);
	EXPECT_EQ(-EINVAL, propose(bob, &bad, 0, &po));
	bad = psk_proposal;
	bad.psk_len = MLS_MAX_PSK_LEN + 1;
	EXPECT_EQ(-EINVAL, propose(bob, &bad, 0, &po));
	bad.psk = NULL;
	bad.psk_len = 0;
	EXPECT_EQ(-EINVAL, propose(bob, &bad, 0, &po));
	EXPECT_TRUE(unchanged(bob, 1, 0));
	/* resumption specs: a short struct, reserved bits, no group */
	bad = resumption;
	bad.psk_len = sizeof(res) - 1;
	EXPECT_EQ(-EINVAL, propose(bob, &bad, 0, &po));
	res.reserved = 1;
	EXPECT_EQ(-EINVAL, propose(bob, &resumption, 0, &po));
	res.reserved = 0;
	res.group_fd = -1;
	EXPECT_EQ(-EINVAL, propose(bob, &resumption, 0, &po));
	res.group_fd = self->ctl;
	EXPECT_NE(0, propose(bob, &resumption, 0, &po));
	EXPECT_TRUE(unchanged(bob, 1, 0));

	/* unknown types, and an ExternalInit */
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		bad = (struct mlsc_proposal_spec){ .type = unknown[i] };
		EXPECT_EQ(-EOPNOTSUPP, propose(bob, &bad, 0, &po));
	}

	/* Removes: Bob's own leaf, past the tree */
	rm.leaf = 1;
	EXPECT_EQ(-EINVAL, propose(bob, &rm, 0, &po));
	rm.leaf = 2;
	EXPECT_EQ(-ERANGE, propose(bob, &rm, 0, &po));
	rm.leaf = UINT32_MAX;
	EXPECT_EQ(-ERANGE, propose(bob, &rm, MLSC_PROPOSE_F_PRIVATE, &po));

	/* Adds: a member's KeyPackage, none */
	EXPECT_EQ(-EEXIST, propose(bob, &add, 0, &po));
	add.key_package = NULL;
	EXPECT_EQ(-EINVAL, propose(bob, &add, 0, &po));
	EXPECT_EQ(NULL, po.message.data);
	EXPECT_EQ(NULL, po.ref.data);
	EXPECT_TRUE(unchanged(bob, 1, 0));

	/* the PSKs flag: only with the extended args, with a list */
	EXPECT_EQ(-EINVAL, mlsc_commit_create(bob->g, &x.base, &out));
	x.base.flags |= MLSC_COMMIT_F_EXT;
	x.n_psks = 1;
	EXPECT_EQ(-EINVAL, mlsc_commit_create(bob->g, &x.base, &out));
	EXPECT_EQ(NULL, out.commit.data);
	EXPECT_TRUE(unchanged(bob, 1, 0));
	EXPECT_TRUE(unchanged(alice, 1, 0));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
}

struct judge {
	int calls;
	int verdict;
};

static int judge_cb(void *arg, const struct mlsc_cred *cred,
		    const void *sig_key, size_t sig_key_len, uint16_t suite)
{
	struct judge *j = arg;

	(void)cred;
	(void)sig_key;
	(void)sig_key_len;
	(void)suite;
	j->calls++;
	return j->verdict;
}

TEST_F(own, add_validated)
{
	struct member *alice = &self->alice, *bob = &self->bob, carol;
	struct mlsc_proposal_spec add = { .type = MLSC_PROPOSE_ADD };
	struct judge j = { .verdict = -EACCES };
	struct mlsc_validate_opts vo = {
		.credential_cb = judge_cb, .credential_arg = &j,
		.flags = MLSC_VALIDATE_NO_LIFETIME,
	};
	struct mlsc_propose_args_ext x = {
		.base = { .flags = MLSC_PROPOSE_F_EXT, .proposal = &add,
			  .sig_key = bob->sig },
		.validate = &vo,
	};
	struct mlsc_proposal_out po = { 0 };
	struct mlsc_commit_out out = { 0 };
	uint64_t e = (uint64_t)mlsc_group_epoch(bob->g);

	ASSERT_EQ(0, member_new(1, "carol", &carol));
	add.key_package = carol.kp;

	/* refused by Bob's judge: its errno, nothing made or cached */
	EXPECT_EQ(-EACCES, mlsc_group_propose(bob->g, &x.base, &po));
	EXPECT_EQ(1, j.calls);
	EXPECT_EQ(NULL, po.message.data);
	EXPECT_TRUE(unchanged(bob, e, 0));

	/* accepted: asked for the spec and for the list, then cached */
	j = (struct judge){ .verdict = 0 };
	ASSERT_EQ(0, mlsc_group_propose(bob->g, &x.base, &po));
	EXPECT_EQ(2, j.calls);
	EXPECT_TRUE(unchanged(bob, e, 1));
	ASSERT_EQ(0, take_own(alice, &po, 1));
	ASSERT_EQ(0, commit_refs(alice, &po.ref, 1, &out));
	EXPECT_EQ(0, follow(bob, &out.commit, NULL));
	ASSERT_EQ(0, member_join(self->ctl, &carol, &out.welcome, NULL,
				 NULL, 0));
	EXPECT_TRUE(same_authenticator(alice->g, carol.g));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	member_free(&carol);
}

TEST_HARNESS_MAIN
