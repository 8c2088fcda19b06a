// SPDX-License-Identifier: GPL-2.0
/*
 * GroupContextExtensions (RFC 9420 §12.1.7) with libmlsclient 0.6:
 * proposed by a member (mlsc_group_propose()) and committed by value
 * and by reference, between two members in the kernel. Built with
 * AddressSanitizer and UBSan; each test ends with a LeakSanitizer check.
 *
 *  gce.by_value      Alice commits a GCE by value that sets an
 *                    application extension, a required_capabilities
 *                    naming it and an external_senders list; Bob
 *                    follows; both agree, both GroupContexts carry the
 *                    three, and the external sender's proposal, refused
 *                    before (-ERANGE), is now taken
 *  gce.by_reference  Bob proposes a GCE as a PublicMessage, Alice
 *                    commits it by reference; then as a PrivateMessage,
 *                    and Bob commits his own by reference; the members
 *                    agree and talk after each
 *  gce.restored_proposer  Bob proposes a GCE; a new instance of Bob,
 *                    loaded from his state saved after it (which keeps
 *                    no proposal), cannot follow Alice's Commit of it
 *                    by reference (-ENOENT) until it takes its own
 *                    proposal back (since 0.8), once (-EALREADY then)
 *  gce.refused       two GCE by value (-EINVAL), by value and by
 *                    reference (-EPROTO), two by reference (-EPROTO),
 *                    an extension or a required extension Bob's leaf
 *                    lacks (-EOPNOTSUPP, by value and when proposed),
 *                    a GroupInfo's extension or a type twice (-EINVAL),
 *                    bad specs (-EINVAL): the epoch, the GroupContext
 *                    and the kernel as they were
 *  gce.x509_sender_judged  an external sender with an X.509 credential:
 *                    not judged by its proposer, refused by a follower
 *                    without a callback (-EKEYREJECTED) or with one
 *                    that refuses (its errno), and by a committer of
 *                    the proposal by reference; accepted by a callback
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
#include "wire.h"

#define EXT_APP		0xff00	/* both leaves support it */
#define EXT_ALICE	0xff01	/* only Alice's leaf does */

static const uint16_t alice_exts[] = { EXT_APP, EXT_ALICE };
static const uint16_t bob_exts[] = { EXT_APP };

/* required_capabilities: extension_types [@t], no proposals, credentials */
static void req_caps(uint16_t t, uint8_t out[5])
{
	out[0] = 2;
	out[1] = (uint8_t)(t >> 8);
	out[2] = (uint8_t)t;
	out[3] = 0;
	out[4] = 0;
}

/* The WireFormat of MLSMessage @m (after its version), or -1. */
static int wire_format(const struct mls_bytes *m)
{
	const uint8_t *p = m->data;

	return m->len >= 4 ? p[2] << 8 | p[3] : -1;
}

/* Alice's group (suite 1) with Bob added by value; both joined. */
static int two_members(int ctl, struct member *alice, struct member *bob)
{
	struct mlsc_group_params p = {
		.group_id = "gce", .group_id_len = 3,
		.flags = MLSC_JOIN_F_EPHEMERAL,
	};
	int err;

	err = member_new_ext(1, "alice", alice_exts, 2, alice);
	if (!err)
		err = member_new_ext(1, "bob", bob_exts, 1, bob);
	if (!err)
		err = mlsc_group_create(ctl, &p, alice->priv, &alice->g);
	return err ? err : member_add(ctl, alice, bob);
}

/* The extension of type @t in @g's GroupContext: its data, or NULL. */
static bool context_has(const struct mlsc_group *g, uint16_t t,
			const void *data, size_t len)
{
	struct mlsc_group_context gc;
	struct mlsc_arena arena;
	bool found = false;

	mlsc_arena_init(&arena);
	if (!MLSC_DECODE(g->context, g->context_len, &arena, &gc,
			 mlsc_io_group_context))
		for (size_t i = 0; i < gc.extensions.n; i++)
			if (gc.extensions.v[i].type == t &&
			    gc.extensions.v[i].data.len == len &&
			    !memcmp(gc.extensions.v[i].data.p, data, len))
				found = true;
	mlsc_arena_free(&arena);
	return found;
}

static size_t context_n_ext(const struct mlsc_group *g)
{
	struct mlsc_group_context gc;
	struct mlsc_arena arena;
	size_t n = SIZE_MAX;

	mlsc_arena_init(&arena);
	if (!MLSC_DECODE(g->context, g->context_len, &arena, &gc,
			 mlsc_io_group_context))
		n = gc.extensions.n;
	mlsc_arena_free(&arena);
	return n;
}

/* @m processes @from's proposal @msg; its ref into @ref. */
static int take(struct member *m, const struct mls_bytes *msg,
		uint32_t from, struct mls_bytes *ref)
{
	static const struct mlsc_process_opts o = {
		.flags = MLSC_PROCESS_F_OUTSIDERS,
	};
	struct mlsc_processed p;
	int err;

	err = mlsc_group_process(m->g, msg->data, msg->len, &o, &p);
	if (err)
		return err;
	if (p.content_type != MLS_CONTENT_PROPOSAL || p.sender_leaf != from)
		err = -EPROTO;
	if (!err && ref) {
		*ref = p.proposal_ref;
		memset(&p.proposal_ref, 0, sizeof(p.proposal_ref));
	}
	mlsc_processed_free(&p);
	return err;
}

/* The external service's Remove of leaf 1 for @g's epoch. */
static int ds_remove(const struct mlsc_group *g, const struct mls_sig_key *ds,
		     struct mls_bytes *out)
{
	struct mlsc_proposal_spec rm = { .type = MLSC_PROPOSE_REMOVE, .leaf = 1 };
	struct mlsc_external_proposal_args a = {
		.group_id = "gce", .group_id_len = 3,
		.epoch = (uint64_t)mlsc_group_epoch(g), .cipher_suite = 1,
		.sig_key = ds, .proposal = &rm,
	};

	return mlsc_external_proposal(&a, out);
}

TWO_MEMBERS_FIXTURE(gce, two_members)

TEST_F(gce, by_value)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mls_sig_key *ds = NULL;
	struct mls_bytes senders = { 0 }, msg = { 0 };
	struct mlsc_external_sender_spec es = {
		.credential = {
			.type = MLS_CREDENTIAL_BASIC,
			.identity = "ds", .identity_len = 2,
		},
	};
	uint8_t req[5];
	struct mlsc_ext ext[3];
	struct mlsc_gce_spec g = { ext, 3 };
	struct mlsc_proposal_spec spec = {
		.type = MLSC_PROPOSE_GCE, .psk = &g, .psk_len = sizeof(g),
	};
	struct mlsc_commit_out out = { 0 };

	ASSERT_EQ(0, mls_sig_key_generate(1, &ds));
	es.signature_key = ds;
	ASSERT_EQ(0, mlsc_external_senders_encode(&es, 1, &senders));
	req_caps(EXT_APP, req);
	ext[0] = (struct mlsc_ext){ EXT_APP, "app", 3 };
	ext[1] = (struct mlsc_ext){ MLS_EXT_REQUIRED_CAPABILITIES, req, 5 };
	ext[2] = (struct mlsc_ext){ MLS_EXT_EXTERNAL_SENDERS, senders.data,
				    senders.len };

	/* no external_senders yet: the service's proposal has no signer */
	ASSERT_EQ(0, ds_remove(bob->g, ds, &msg));
	EXPECT_EQ(-ERANGE, take(bob, &msg, 0, NULL));
	mls_bytes_free(&msg);

	ASSERT_EQ(0, commit_merged(alice, &spec, 1, NULL, 0, &out));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, 2, NULL));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_EQ(3, context_n_ext(alice->g));
	EXPECT_EQ(3, context_n_ext(bob->g));
	EXPECT_TRUE(context_has(bob->g, EXT_APP, "app", 3));
	EXPECT_TRUE(context_has(bob->g, MLS_EXT_REQUIRED_CAPABILITIES, req, 5));
	EXPECT_TRUE(context_has(alice->g, MLS_EXT_EXTERNAL_SENDERS,
				senders.data, senders.len));
	ALL_TALK(alice, bob);

	/* the new external_senders list is the group's */
	ASSERT_EQ(0, ds_remove(bob->g, ds, &msg));
	EXPECT_EQ(0, take(bob, &msg, 0, NULL));
	mls_bytes_free(&msg);

	/* an empty list removes them all */
	g.n_extensions = 0;
	ASSERT_EQ(0, commit_merged(bob, &spec, 1, NULL, 0, &out));
	EXPECT_EQ(0, follow_commit(alice, &out.commit, NULL, 1, 3, NULL));
	mlsc_commit_out_free(&out);
	EXPECT_EQ(0, context_n_ext(alice->g));
	EXPECT_EQ(0, context_n_ext(bob->g));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	ALL_TALK(alice, bob);
	mls_bytes_free(&senders);
	mls_sig_key_free(ds);
}

TEST_F(gce, by_reference)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_ext ext = { EXT_APP, "v1", 2 };
	struct mlsc_gce_spec g = { &ext, 1 };
	struct mlsc_proposal_spec spec = {
		.type = MLSC_PROPOSE_GCE, .psk = &g, .psk_len = sizeof(g),
	};
	struct mlsc_propose_args pa = {
		.proposal = &spec, .sig_key = bob->sig,
		.authenticated_data = "ad", .authenticated_data_len = 2,
	};
	struct mlsc_proposal_out po = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_processed p;
	struct mls_bytes ref = { 0 };

	/* Bob proposes, Alice commits it by reference */
	ASSERT_EQ(0, mlsc_group_propose(bob->g, &pa, &po));
	EXPECT_EQ(MLS_WIRE_FORMAT_PUBLIC_MESSAGE, wire_format(&po.message));
	EXPECT_EQ(-EALREADY, mlsc_group_process(bob->g, po.message.data,
						po.message.len, NULL, &p));
	ASSERT_EQ(0, take(alice, &po.message, 1, &ref));
	/* both computed one ProposalRef */
	ASSERT_EQ(po.ref.len, ref.len);
	EXPECT_EQ(0, memcmp(po.ref.data, ref.data, ref.len));
	ASSERT_EQ(0, commit_merged(alice, NULL, 0, &ref, 1, &out));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, 2, NULL));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	mls_bytes_free(&ref);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(context_has(alice->g, EXT_APP, "v1", 2));
	EXPECT_TRUE(context_has(bob->g, EXT_APP, "v1", 2));
	ALL_TALK(alice, bob);

	/* as a PrivateMessage; Bob commits his own by reference */
	ext.data = "v2";
	pa.flags = MLSC_PROPOSE_F_PRIVATE;
	ASSERT_EQ(0, mlsc_group_propose(bob->g, &pa, &po));
	EXPECT_EQ(MLS_WIRE_FORMAT_PRIVATE_MESSAGE, wire_format(&po.message));
	ASSERT_EQ(0, take(alice, &po.message, 1, &ref));
	ASSERT_EQ(po.ref.len, ref.len);
	EXPECT_EQ(0, memcmp(po.ref.data, ref.data, ref.len));
	ASSERT_EQ(0, commit_merged(bob, NULL, 0, &po.ref, 1, &out));
	EXPECT_EQ(0, follow_commit(alice, &out.commit, NULL, 1, 3, NULL));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	mls_bytes_free(&ref);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(context_has(alice->g, EXT_APP, "v2", 2));
	EXPECT_TRUE(context_has(bob->g, EXT_APP, "v2", 2));
	ALL_TALK(alice, bob);
}

TEST_F(gce, restored_proposer)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	struct mlsc_ext ext = { EXT_APP, "v3", 2 };
	struct mlsc_gce_spec g = { &ext, 1 };
	struct mlsc_proposal_spec spec = {
		.type = MLSC_PROPOSE_GCE, .psk = &g, .psk_len = sizeof(g),
	};
	struct mlsc_propose_args pa = { .proposal = &spec, .sig_key = bob->sig };
	struct mls_bytes saved = { 0 }, ref = { 0 }, own_ref = { 0 };
	struct mlsc_proposal_out po = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_group *live = bob->g;
	struct mlsc_processed p;

	ASSERT_EQ(0, mlsc_group_propose(live, &pa, &po));
	ASSERT_EQ(0, mlsc_group_save(live, NULL, &saved));
	ASSERT_EQ(0, mlsc_group_load(self->ctl, saved.data, saved.len,
				     &bob->g, NULL));
	mlsc_group_free(live);
	mls_bytes_free(&saved);

	ASSERT_EQ(0, take(alice, &po.message, 1, &ref));
	ASSERT_EQ(0, commit_merged(alice, NULL, 0, &ref, 1, &out));
	/* the restored Bob holds no proposal: the Commit names an unknown */
	EXPECT_EQ(-ENOENT, mlsc_group_process(bob->g, out.commit.data,
					      out.commit.len, NULL, &p));
	EXPECT_EQ(1u, kernel_epoch(bob->g));
	/* his own, taken back: the same ref; a second time, his already */
	ASSERT_EQ(0, take(bob, &po.message, 1, &own_ref));
	ASSERT_EQ(po.ref.len, own_ref.len);
	EXPECT_EQ(0, memcmp(po.ref.data, own_ref.data, own_ref.len));
	EXPECT_EQ(-EALREADY, mlsc_group_process(bob->g, po.message.data,
						po.message.len, NULL, &p));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, 2, NULL));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&po);
	mls_bytes_free(&ref);
	mls_bytes_free(&own_ref);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(context_has(bob->g, EXT_APP, "v3", 2));
	ALL_TALK(alice, bob);
}

TEST_F(gce, refused)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	uint8_t req[5];
	struct group_mark mark;
	struct mlsc_ext ok = { EXT_APP, "x", 1 }, bad[2];
	struct mlsc_gce_spec g_ok = { &ok, 1 }, g_bad = { bad, 1 };
	struct mlsc_proposal_spec two[2] = {
		{ .type = MLSC_PROPOSE_GCE, .psk = &g_ok, .psk_len = sizeof(g_ok) },
		{ .type = MLSC_PROPOSE_GCE, .psk = &g_ok, .psk_len = sizeof(g_ok) },
	};
	struct mlsc_proposal_spec sbad = {
		.type = MLSC_PROPOSE_GCE, .psk = &g_bad, .psk_len = sizeof(g_bad),
	};
	/* ExternalInit: only an external Commit carries one */
	struct mlsc_proposal_spec xi = { .type = 6 };
	struct mlsc_propose_args pa = { .proposal = &two[0], .sig_key = bob->sig };
	struct mlsc_proposal_out p1 = { 0 }, p2 = { 0 }, none = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct mls_bytes refs[2] = { { 0 } };
	uint64_t epoch = (uint64_t)mlsc_group_epoch(alice->g);

	ASSERT_EQ(0, group_mark(alice->g, &mark));

	/* two by value */
	EXPECT_EQ(-EINVAL, commit_merged(alice, two, 2, NULL, 0, &out));
	/* one by value, one by reference; two by reference */
	ASSERT_EQ(0, mlsc_group_propose(bob->g, &pa, &p1));
	ASSERT_EQ(0, take(alice, &p1.message, 1, &refs[0]));
	/* the same content and signature would be the same proposal */
	pa.authenticated_data = "2";
	pa.authenticated_data_len = 1;
	ASSERT_EQ(0, mlsc_group_propose(bob->g, &pa, &p2));
	EXPECT_FALSE(p1.ref.len == p2.ref.len &&
		     !memcmp(p1.ref.data, p2.ref.data, p1.ref.len));
	ASSERT_EQ(0, take(alice, &p2.message, 1, &refs[1]));
	EXPECT_EQ(-EPROTO, commit_merged(alice, two, 1, refs, 1, &out));
	EXPECT_EQ(-EPROTO, commit_merged(alice, NULL, 0, refs, 2, &out));
	/* the proposer's own two, by reference */
	{
		struct mls_bytes own[2] = { p1.ref, p2.ref };

		EXPECT_EQ(-EPROTO, commit_merged(bob, NULL, 0, own, 2, &out));
	}

	/* an extension Bob's leaf lacks */
	bad[0] = (struct mlsc_ext){ EXT_ALICE, "x", 1 };
	EXPECT_EQ(-EOPNOTSUPP, commit_merged(alice, &sbad, 1, NULL, 0, &out));
	/* one Bob's leaf lacks, required: Alice cannot propose it either */
	req_caps(EXT_ALICE, req);
	bad[0] = (struct mlsc_ext){ MLS_EXT_REQUIRED_CAPABILITIES, req, 5 };
	EXPECT_EQ(-EOPNOTSUPP, commit_merged(alice, &sbad, 1, NULL, 0, &out));
	pa.proposal = &sbad;
	pa.sig_key = alice->sig;
	EXPECT_EQ(-EOPNOTSUPP, mlsc_group_propose(alice->g, &pa, &none));
	/* Bob's own leaf lacks it */
	pa.sig_key = bob->sig;
	EXPECT_EQ(-EOPNOTSUPP, mlsc_group_propose(bob->g, &pa, &none));
	/* a requirement that does not parse */
	bad[0] = (struct mlsc_ext){ MLS_EXT_REQUIRED_CAPABILITIES, req, 4 };
	EXPECT_EQ(-EINVAL, commit_merged(alice, &sbad, 1, NULL, 0, &out));
	/* a GroupInfo's own, a type twice */
	bad[0] = (struct mlsc_ext){ 2 /* ratchet_tree */, "x", 1 };
	EXPECT_EQ(-EINVAL, commit_merged(alice, &sbad, 1, NULL, 0, &out));
	bad[0] = ok;
	bad[1] = ok;
	g_bad.n_extensions = 2;
	EXPECT_EQ(-EINVAL, commit_merged(alice, &sbad, 1, NULL, 0, &out));
	/* bad specs and arguments */
	sbad.psk_len = sizeof(g_bad) - 1;
	EXPECT_EQ(-EINVAL, commit_merged(alice, &sbad, 1, NULL, 0, &out));
	sbad.psk_len = sizeof(g_bad);
	sbad.psk_id = "x";
	EXPECT_EQ(-EINVAL, commit_merged(alice, &sbad, 1, NULL, 0, &out));
	sbad.psk_id = NULL;
	sbad.psk = NULL;
	EXPECT_EQ(-EINVAL, commit_merged(alice, &sbad, 1, NULL, 0, &out));
	g_bad.extensions = NULL;
	sbad.psk = &g_bad;
	EXPECT_EQ(-EINVAL, commit_merged(alice, &sbad, 1, NULL, 0, &out));
	pa.proposal = &two[0];
	pa.reserved = 1;
	EXPECT_EQ(-EINVAL, mlsc_group_propose(bob->g, &pa, &none));
	pa.reserved = 0;
	pa.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, mlsc_group_propose(bob->g, &pa, &none));
	pa.flags = 0;
	EXPECT_EQ(-EINVAL, mlsc_group_propose(bob->g, NULL, &none));
	EXPECT_EQ(-EINVAL, mlsc_group_propose(NULL, &pa, &none));
	EXPECT_EQ(-EINVAL, mlsc_group_propose(bob->g, &pa, NULL));
	/* a type this call does not propose (a Remove it does since 0.7) */
	pa.proposal = &xi;
	EXPECT_EQ(-EOPNOTSUPP, mlsc_group_propose(bob->g, &pa, &none));
	EXPECT_EQ(NULL, none.message.data);
	EXPECT_EQ(NULL, none.ref.data);

	EXPECT_TRUE(group_unchanged(alice->g, &mark));
	EXPECT_TRUE(group_unchanged(bob->g, &mark));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	ALL_TALK(alice, bob);
	/* the valid one still commits */
	EXPECT_EQ(0, commit_merged(alice, NULL, 0, refs, 1, &out));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, epoch + 1, NULL));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&p1);
	mlsc_proposal_out_free(&p2);
	mls_bytes_free(&refs[0]);
	mls_bytes_free(&refs[1]);
}


/* Refuse X.509 credentials, counting the judgements. */
static int refuse_x509(void *arg, const struct mlsc_cred *cred,
		       const void *sig_key, size_t sig_key_len, uint16_t suite)
{
	int *calls = arg;

	(void)sig_key;
	(void)sig_key_len;
	(void)suite;
	++*calls;
	return cred->type == MLS_CREDENTIAL_X509 ? -EACCES : 0;
}

/*
 * An external sender with an X.509 credential (§5.3.1): its proposer's
 * own choice, not judged there; judged by the credential callback of
 * every other member that commits or follows it, which without one
 * refuses it (-EKEYREJECTED) and with one returns the callback's error,
 * nothing changed either way.
 */
TEST_F(gce, x509_sender_judged)
{
	struct member *alice = &self->alice, *bob = &self->bob;
	static const uint8_t der[] = { 0x30, 0x00 };
	const struct mlsc_cert cert = { der, sizeof(der) };
	struct mls_sig_key *ds = NULL;
	struct mls_bytes senders = { 0 }, ref = { 0 };
	struct mlsc_external_sender_spec es = {
		.credential = {
			.type = MLS_CREDENTIAL_X509,
			.certs = &cert, .n_certs = 1,
		},
	};
	struct mlsc_ext ext;
	struct mlsc_gce_spec g = { &ext, 1 };
	struct mlsc_proposal_spec spec = {
		.type = MLSC_PROPOSE_GCE, .psk = &g, .psk_len = sizeof(g),
	};
	int calls = 0;
	struct mlsc_validate_opts refuse = {
		.credential_cb = refuse_x509, .credential_arg = &calls,
		.flags = MLSC_VALIDATE_NO_LIFETIME,
	};
	struct mlsc_validate_opts accept = {
		.credential_cb = accept_any, .flags = MLSC_VALIDATE_NO_LIFETIME,
	};
	struct mlsc_process_opts po_refuse = { .validate = &refuse };
	struct mlsc_process_opts po_accept = { .validate = &accept };
	struct mlsc_propose_args pa = { .proposal = &spec, .sig_key = bob->sig };
	struct mlsc_commit_args_ext x = {
		.base = {
			.flags = MLSC_COMMIT_F_EXT, .sig_key = alice->sig,
			.validate = &refuse,
		},
		.proposal_refs = &ref, .n_proposal_refs = 1,
	};
	struct mlsc_proposal_out prop = { 0 };
	struct mlsc_commit_out out = { 0 };
	struct group_mark mark;
	uint64_t epoch;

	ASSERT_EQ(0, mls_sig_key_generate(1, &ds));
	es.signature_key = ds;
	ASSERT_EQ(0, mlsc_external_senders_encode(&es, 1, &senders));
	ext = (struct mlsc_ext){ MLS_EXT_EXTERNAL_SENDERS, senders.data,
				 senders.len };

	/* Alice's own list, by value: no callback is asked */
	ASSERT_EQ(0, commit_merged(alice, &spec, 1, NULL, 0, &out));
	epoch = (uint64_t)mlsc_group_epoch(bob->g);
	ASSERT_EQ(0, group_mark(bob->g, &mark));
	EXPECT_EQ(-EKEYREJECTED, follow_commit(bob, &out.commit, NULL, 0,
					       epoch + 1, NULL));
	EXPECT_TRUE(group_unchanged(bob->g, &mark));
	EXPECT_EQ(-EACCES, follow_commit(bob, &out.commit, &po_refuse, 0,
					 epoch + 1, NULL));
	EXPECT_EQ(1, calls);
	EXPECT_TRUE(group_unchanged(bob->g, &mark));
	EXPECT_EQ(0, follow_commit(bob, &out.commit, &po_accept, 0, epoch + 1,
				   NULL));
	mlsc_commit_out_free(&out);
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	EXPECT_TRUE(context_has(bob->g, MLS_EXT_EXTERNAL_SENDERS,
				senders.data, senders.len));
	ALL_TALK(alice, bob);

	/* Bob proposes it again; Alice, committing it by reference, judges */
	ASSERT_EQ(0, mlsc_group_propose(bob->g, &pa, &prop));
	ASSERT_EQ(0, take(alice, &prop.message, 1, &ref));
	epoch = (uint64_t)mlsc_group_epoch(alice->g);
	ASSERT_EQ(0, group_mark(alice->g, &mark));
	calls = 0;
	EXPECT_EQ(-EACCES, mlsc_commit_create(alice->g, &x.base, &out));
	EXPECT_EQ(1, calls);
	EXPECT_TRUE(group_unchanged(alice->g, &mark));
	x.base.validate = &accept;
	ASSERT_EQ(0, mlsc_commit_create(alice->g, &x.base, &out));
	ASSERT_EQ(0, mlsc_commit_merge(alice->g));
	/* Bob's own proposal: he does not judge it, even without a callback */
	EXPECT_EQ(0, follow_commit(bob, &out.commit, NULL, 0, epoch + 1, NULL));
	EXPECT_TRUE(same_authenticator(alice->g, bob->g));
	ALL_TALK(alice, bob);
	mlsc_commit_out_free(&out);
	mlsc_proposal_out_free(&prop);
	mls_bytes_free(&ref);
	mls_bytes_free(&senders);
	mls_sig_key_free(ds);
}

TEST_HARNESS_MAIN
