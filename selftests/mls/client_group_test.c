// SPDX-License-Identifier: GPL-2.0
/*
 * Running a group with libmlsclient: create, add by KeyPackage with a
 * Welcome, update, remove, discard, the epoch's secrets in the kernel,
 * and the members following each other's commits. Built with
 * AddressSanitizer and UBSan; each test ends with a LeakSanitizer check
 * of its own.
 *
 *  life.all_suites   for each of the seven suites: Alice creates a group
 *                    and adds Bob and Carol from their KeyPackages (with
 *                    an external PSK in odd suites, the ratchet tree in
 *                    the GroupInfo in odd suites and apart in even ones,
 *                    an UpdatePath from suite 4 on, whose path secrets
 *                    the joiners get and check against the tree);
 *                    they join from the Welcome with mlsc_welcome_join(),
 *                    which checks the GroupInfo's signature, the tree and
 *                    the confirmation tag in the kernel; the three
 *                    epoch_authenticators are equal, application
 *                    messages go both ways; Alice commits an update
 *                    (PublicMessage and PrivateMessage) and a Remove of
 *                    Carol, her epoch advances by one each time, her tree
 *                    loses Carol's leaf, and she still sends; a discarded
 *                    commit leaves her kernel group in its epoch with no
 *                    pending commit
 *  life.follow       for each of the seven suites, the members follow each
 *                    other with mlsc_group_process(): Alice's Updates
 *                    (PublicMessage, PrivateMessage) processed by Bob and
 *                    Carol; a rejected commit that moves nobody; Carol's
 *                    Remove (Bob follows, Carol gets
 *                    MLSC_PROCESSED_F_REMOVED and her kernel cannot open
 *                    the next epoch's messages: -EAGAIN); Bob's Update,
 *                    Alice following; Carol added back by Bob from a new
 *                    KeyPackage; an external PSK the followers give in
 *                    mlsc_process_opts.psks. After each step the
 *                    epoch_authenticators are equal and application
 *                    messages go both ways through mlsc_group_process()
 *  life.welcome_codec the Welcome built parses and serializes to the same
 *                    bytes, and its GroupInfo and GroupSecrets round trip
 *                    through the codec
 *  bad.*             an invalid KeyPackage, a Remove out of range, of a
 *                    blank leaf, of oneself, twice; the same Add twice, an
 *                    Add of a member's keys, a bad PSK, an unknown
 *                    proposal type or flag, NULL arguments; a second
 *                    commit while one is pending; merge and discard with
 *                    nothing pending; a creator's KeyPackage used twice:
 *                    each its errno, and the kernel group stays in its
 *                    epoch with no pending commit
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
#include "wire.h"

/* The signature keys of the members, by leaf. */
struct roster {
	const struct mls_sig_key *by_leaf[4];
};

static int lookup(void *arg, uint32_t leaf, uint64_t epoch,
		  const struct mls_sig_key **key)
{
	struct roster *r = arg;

	(void)epoch;
	if (leaf >= 4 || !r->by_leaf[leaf])
		return -ENOKEY;
	*key = r->by_leaf[leaf];
	return 0;
}

/* @from sends @text, @to reads it back: 0 or -errno. */
static int exchange(struct member *from, struct member *to, struct roster *r,
		    const char *text)
{
	struct mls_sent sent;
	struct mls_received got;
	int err;

	memset(&sent, 0, sizeof(sent));
	memset(&got, 0, sizeof(got));
	err = mls_send(mlsc_group_fd(from->g), from->sig, text, strlen(text),
		       NULL, 0, &sent);
	if (!err)
		err = mls_recv(mlsc_group_fd(to->g), lookup, r,
			       sent.message.data, sent.message.len, &got);
	if (!err && (got.content_len != strlen(text) ||
		     memcmp(got.content, text, got.content_len) ||
		     got.sender_leaf != mlsc_group_own_leaf(from->g)))
		err = -EPROTO;
	mls_received_free(&got);
	mls_bytes_free(&sent.message);
	return err;
}

/*
 * What a member @rx still in the Commit's epoch checks of @msg, a Commit
 * from @tx: a PublicMessage's membership tag (in @rx's kernel) and
 * signature, a PrivateMessage that @rx's kernel decrypts to a commit of
 * @tx. 0 or -errno.
 */
static int commit_checks(const struct member *rx, const struct member *tx,
			 const struct mls_bytes *msg, uint64_t epoch)
{
	struct mlsc_arena arena;
	struct mlsc_mls_message m;
	struct mlsc_wbuf content = { 0 }, ad = { 0 };
	struct mls_bytes ctx = { 0 }, tbs = { 0 };
	struct mls_received got;
	struct mls_framed_content f;
	struct mlsc_io io;
	uint8_t *tbm = NULL;
	uint64_t e = 0;
	int err;

	mlsc_arena_init(&arena);
	err = MLSC_DECODE(msg->data, msg->len, &arena, &m, mlsc_io_mls_message);
	if (err)
		goto out;
	if (m.wire_format == MLSC_WIRE_PRIVATE_MESSAGE) {
		memset(&got, 0, sizeof(got));
		err = mls_decrypt(mlsc_group_fd(rx->g), msg->data, msg->len,
				  &got);
		if (!err && (got.content_type != MLS_CONTENT_COMMIT ||
			     got.epoch != epoch ||
			     got.sender_leaf != mlsc_group_own_leaf(tx->g)))
			err = -EPROTO;
		mls_received_free(&got);
		goto out;
	}
	err = -EPROTO;
	if (m.wire_format != MLSC_WIRE_PUBLIC_MESSAGE ||
	    m.pub.content.epoch != epoch ||
	    m.pub.content.content_type != MLSC_CONTENT_COMMIT ||
	    m.pub.content.sender.index != mlsc_group_own_leaf(tx->g))
		goto out;
	err = MLSC_ENCODE(&m.pub.content.commit, mlsc_io_commit, &content);
	if (!err)
		err = mls_get_context(mlsc_group_fd(rx->g), 0, &e, &ctx);
	if (err)
		goto out;
	f = (struct mls_framed_content){
		.wire_format = MLS_WIRE_FORMAT_PUBLIC_MESSAGE,
		.group_id = m.pub.content.group_id.p,
		.group_id_len = m.pub.content.group_id.len,
		.epoch = epoch,
		.sender_leaf = m.pub.content.sender.index,
		.authenticated_data = m.pub.content.authenticated_data.p,
		.authenticated_data_len = m.pub.content.authenticated_data.len,
		.content_type = MLS_CONTENT_COMMIT,
		.content = content.p, .content_len = content.len,
		.context = ctx.data, .context_len = ctx.len,
	};
	err = mls_framed_content_tbs(&f, &tbs);
	if (!err)
		err = mls_verify_with_label(tx->sig, "FramedContentTBS",
					    tbs.data, tbs.len,
					    m.pub.auth.signature.p,
					    m.pub.auth.signature.len);
	if (err)
		goto out;
	mlsc_io_writer(&io, &ad);
	mlsc_io_auth_data(&io, &m.pub.auth, MLSC_CONTENT_COMMIT);
	err = mlsc_io_finish(&io);
	if (err)
		goto out;
	err = -ENOMEM;
	tbm = malloc(tbs.len + ad.len);
	if (!tbm)
		goto out;
	memcpy(tbm, tbs.data, tbs.len);
	memcpy(tbm + tbs.len, ad.p, ad.len);
	err = mls_membership_tag_verify(mlsc_group_fd(rx->g), 0, NULL, tbm,
					tbs.len + ad.len,
					m.pub.membership_tag.p,
					m.pub.membership_tag.len);
out:
	free(tbm);
	mls_bytes_free(&ctx);
	mls_bytes_free(&tbs);
	mlsc_wbuf_free(&content);
	mlsc_wbuf_free(&ad);
	mlsc_arena_free(&arena);
	return err;
}

FIXTURE(life) {
	int ctl;
};

FIXTURE_SETUP(life)
{
	self->ctl = mls_open(0);
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(life)
{
	close(self->ctl);
}

TEST_F_TIMEOUT(life, all_suites, 600)
{
	for (unsigned int suite = 1; suite <= 7; suite++) {
		struct member alice, bob, carol;
		struct mlsc_psk psk = ext_psk;
		bool odd = suite & 1;
		struct mlsc_proposal_spec add[3];
		struct mlsc_proposal_spec rm = {
			.type = MLSC_PROPOSE_REMOVE,
		};
		struct mlsc_commit_args ca = { 0 };
		struct mlsc_commit_out out = { 0 };
		struct mls_bytes tree = { 0 };
		struct roster r = { 0 };
		uint64_t e;

		TH_LOG("suite %u", suite);
		ASSERT_EQ(0, member_create(self->ctl, &alice, suite));
		ASSERT_EQ(0, kernel_epoch(alice.g));
		ASSERT_EQ(0, mlsc_group_epoch(alice.g));
		ASSERT_EQ(0, member_new(suite, "bob", &bob));
		ASSERT_EQ(0, member_new(suite, "carol", &carol));

		/* add Bob and Carol */
		memset(add, 0, sizeof(add));
		add[0] = (struct mlsc_proposal_spec){
			.type = MLSC_PROPOSE_ADD, .key_package = bob.kp };
		add[1] = (struct mlsc_proposal_spec){
			.type = MLSC_PROPOSE_ADD, .key_package = carol.kp };
		add[2] = psk_proposal;
		ca.sig_key = alice.sig;
		ca.proposals = add;
		ca.n_proposals = odd ? 3 : 2;
		/* an UpdatePath too from suite 4 on: path secrets in the Welcome */
		ca.flags = (odd ? MLSC_COMMIT_F_RATCHET_TREE : 0) |
			   (suite >= 4 ? MLSC_COMMIT_F_PATH : 0);
		ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
		ASSERT_EQ(1, out.epoch);
		ASSERT_NE(0, out.welcome.len);
		ASSERT_EQ(0, kernel_epoch(alice.g));
		ASSERT_EQ(0, mlsc_commit_merge(alice.g));
		ASSERT_EQ(1, kernel_epoch(alice.g));
		ASSERT_EQ(1, mlsc_group_epoch(alice.g));
		ASSERT_TRUE(nothing_pending(alice.g));
		if (!odd)
			ASSERT_EQ(0, mlsc_group_ratchet_tree(alice.g, &tree));
		ASSERT_EQ(0, member_join(self->ctl, &bob, &out.welcome,
					 odd ? NULL : &tree, &psk, odd));
		ASSERT_EQ(0, member_join(self->ctl, &carol, &out.welcome,
					 odd ? NULL : &tree, &psk, odd));
		mls_bytes_free(&tree);
		mlsc_commit_out_free(&out);
		ASSERT_EQ(1, mlsc_group_own_leaf(bob.g));
		ASSERT_EQ(2, mlsc_group_own_leaf(carol.g));
		/* the leaf's key, and those of a path secret from suite 4 on */
		EXPECT_EQ(suite >= 4 ? 3u : 1u, bob.g->n_keys);
		EXPECT_EQ(suite >= 4 ? 2u : 1u, carol.g->n_keys);
		EXPECT_TRUE(same_authenticator(alice.g, bob.g));
		EXPECT_TRUE(same_authenticator(alice.g, carol.g));

		/* messages both ways */
		r.by_leaf[0] = alice.sig;
		r.by_leaf[1] = bob.sig;
		r.by_leaf[2] = carol.sig;
		EXPECT_EQ(0, exchange(&alice, &bob, &r, "hello bob"));
		EXPECT_EQ(0, exchange(&alice, &carol, &r, "hello carol"));
		EXPECT_EQ(0, exchange(&bob, &alice, &r, "hello alice"));
		EXPECT_EQ(0, exchange(&carol, &bob, &r, "hello bob, carol"));

		/*
		 * Updates: a PrivateMessage Bob decrypts, then discarded; a
		 * PublicMessage whose membership tag (in Bob's kernel) and
		 * signature Bob checks, merged; a PrivateMessage, merged.
		 */
		for (int step = 0; step < 3; step++) {
			struct mlsc_message *msg = NULL;
			bool priv = step != 1;

			memset(&ca, 0, sizeof(ca));
			ca.sig_key = alice.sig;
			ca.flags = priv ? MLSC_COMMIT_F_PRIVATE : 0;
			e = kernel_epoch(alice.g);
			ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
			EXPECT_EQ(0, out.welcome.len);
			EXPECT_EQ(e + 1, out.epoch);
			ASSERT_EQ(0, mlsc_message_parse(out.commit.data,
							out.commit.len, &msg));
			EXPECT_EQ(priv ? MLS_WIRE_FORMAT_PRIVATE_MESSAGE :
				  MLS_WIRE_FORMAT_PUBLIC_MESSAGE,
				  mlsc_message_wire_format(msg));
			mlsc_message_free(msg);
			/* Bob, still in epoch 1, checks its framing */
			if (step < 2)
				EXPECT_EQ(0, commit_checks(&bob, &alice,
							   &out.commit, e));
			mlsc_commit_out_free(&out);
			if (!step) {
				ASSERT_EQ(0, mlsc_commit_discard(alice.g));
				EXPECT_EQ(e, kernel_epoch(alice.g));
				EXPECT_TRUE(nothing_pending(alice.g));
				continue;
			}
			ASSERT_EQ(0, mlsc_commit_merge(alice.g));
			EXPECT_EQ(e + 1, kernel_epoch(alice.g));
			EXPECT_EQ((int64_t)e + 1, mlsc_group_epoch(alice.g));
			EXPECT_TRUE(nothing_pending(alice.g));
		}

		/* a commit the delivery service rejects */
		e = kernel_epoch(alice.g);
		memset(&ca, 0, sizeof(ca));
		ca.sig_key = alice.sig;
		ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
		mlsc_commit_out_free(&out);
		ASSERT_EQ(0, mlsc_commit_discard(alice.g));
		EXPECT_EQ(e, kernel_epoch(alice.g));
		EXPECT_EQ((int64_t)e, mlsc_group_epoch(alice.g));
		EXPECT_TRUE(nothing_pending(alice.g));
		EXPECT_EQ(-ENOENT, mlsc_commit_merge(alice.g));

		/* remove Carol */
		rm.leaf = (uint32_t)mlsc_group_own_leaf(carol.g);
		ca.proposals = &rm;
		ca.n_proposals = 1;
		ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
		mlsc_commit_out_free(&out);
		ASSERT_EQ(0, mlsc_commit_merge(alice.g));
		EXPECT_EQ(e + 1, kernel_epoch(alice.g));
		EXPECT_EQ(2u, alice.g->tree.n_leaves);
		EXPECT_TRUE(nothing_pending(alice.g));
		/* Alice still sends, in the new epoch */
		{
			struct mls_sent sent = { 0 };

			EXPECT_EQ(0, mls_send(mlsc_group_fd(alice.g), alice.sig,
					      "x", 1, NULL, 0, &sent));
			EXPECT_EQ(e + 1, sent.epoch);
			mls_bytes_free(&sent.message);
		}
		member_free(&alice);
		member_free(&bob);
		member_free(&carol);
	}
	EXPECT_EQ(0, leaks());
}

/* The Welcome and what it holds round trip through the codec. */
TEST_F(life, welcome_codec)
{
	struct member alice, bob;
	struct mlsc_proposal_spec add = { .type = MLSC_PROPOSE_ADD };
	struct mlsc_commit_args ca = { .flags = MLSC_COMMIT_F_RATCHET_TREE };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_message *msg = NULL;
	struct mls_bytes again = { 0 };
	struct mlsc_arena arena;
	struct mlsc_mls_message m;
	struct mlsc_wbuf w = { 0 };

	ASSERT_EQ(0, member_create(self->ctl, &alice, 1));
	ASSERT_EQ(0, member_new(1, "bob", &bob));
	add.key_package = bob.kp;
	ca.sig_key = alice.sig;
	ca.proposals = &add;
	ca.n_proposals = 1;
	ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
	ASSERT_EQ(0, mlsc_message_parse(out.welcome.data, out.welcome.len,
					&msg));
	EXPECT_EQ(MLS_WIRE_FORMAT_WELCOME, mlsc_message_wire_format(msg));
	ASSERT_EQ(0, mlsc_message_serialize(msg, &again));
	EXPECT_EQ(out.welcome.len, again.len);
	EXPECT_EQ(0, memcmp(out.welcome.data, again.data, again.len));
	mls_bytes_free(&again);
	mlsc_message_free(msg);
	/* the Commit too */
	ASSERT_EQ(0, mlsc_message_parse(out.commit.data, out.commit.len, &msg));
	EXPECT_EQ(MLS_WIRE_FORMAT_PUBLIC_MESSAGE, mlsc_message_wire_format(msg));
	mlsc_message_free(msg);
	mlsc_arena_init(&arena);
	ASSERT_EQ(0, MLSC_DECODE(out.welcome.data, out.welcome.len, &arena, &m,
				 mlsc_io_mls_message));
	EXPECT_EQ(1, m.welcome.n_secrets);
	EXPECT_EQ(1, m.welcome.cipher_suite);
	ASSERT_EQ(0, MLSC_ENCODE(&m, mlsc_io_mls_message, &w));
	EXPECT_EQ(out.welcome.len, w.len);
	mlsc_wbuf_free(&w);
	mlsc_arena_free(&arena);
	ASSERT_EQ(0, mlsc_commit_merge(alice.g));
	/* and Bob joins from it, the tree in the GroupInfo */
	ASSERT_EQ(0, member_join(self->ctl, &bob, &out.welcome, NULL, NULL, 0));
	EXPECT_TRUE(same_authenticator(alice.g, bob.g));
	mlsc_commit_out_free(&out);
	member_free(&alice);
	member_free(&bob);
	EXPECT_EQ(0, leaks());
}

/* ---- the members follow ------------------------------------------------- */

/* @m commits @a's proposals (signed with its key), merged: 0 or -errno. */
static int commit(struct member *m, struct mlsc_commit_args *a,
		  struct mlsc_commit_out *out)
{
	int err;

	a->sig_key = m->sig;
	err = mlsc_commit_create(m->g, a, out);
	if (!err)
		err = mlsc_commit_merge(m->g);
	return err;
}

TEST_F_TIMEOUT(life, follow, 600)
{
	for (unsigned int suite = 1; suite <= 7; suite++) {
		struct member alice, bob, carol;
		struct mlsc_psk psk = ext_psk;
		struct mlsc_process_opts po = { .psks = &psk, .n_psks = 1 };
		struct mlsc_proposal_spec add[2] = {
			{ .type = MLSC_PROPOSE_ADD },
			{ .type = MLSC_PROPOSE_ADD },
		};
		struct mlsc_proposal_spec rm = { .type = MLSC_PROPOSE_REMOVE };
		struct mlsc_proposal_spec ps = psk_proposal;
		struct mlsc_commit_args ca = { 0 };
		struct mlsc_commit_out out = { 0 };
		struct mls_sent sent = { 0 };
		struct mls_received got;
		struct mlsc_processed p;
		uint32_t flags;
		uint64_t e;

		TH_LOG("suite %u", suite);
		ASSERT_EQ(0, member_create(self->ctl, &alice, suite));
		ASSERT_EQ(0, member_new(suite, "bob", &bob));
		ASSERT_EQ(0, member_new(suite, "carol", &carol));
		add[0].key_package = bob.kp;
		add[1].key_package = carol.kp;
		ca.proposals = add;
		ca.n_proposals = 2;
		ca.flags = MLSC_COMMIT_F_RATCHET_TREE;
		ASSERT_EQ(0, commit(&alice, &ca, &out));
		ASSERT_EQ(0, member_join(self->ctl, &bob, &out.welcome, NULL,
					 NULL, 0));
		ASSERT_EQ(0, member_join(self->ctl, &carol, &out.welcome, NULL,
					 NULL, 0));
		mlsc_commit_out_free(&out);
		ALL_TALK(&alice, &bob, &carol);

		/* Alice's Updates, as a PublicMessage then a PrivateMessage */
		for (int priv = 0; priv < 2; priv++) {
			e = kernel_epoch(alice.g);
			memset(&ca, 0, sizeof(ca));
			ca.flags = priv ? MLSC_COMMIT_F_PRIVATE : 0;
			ca.sig_key = alice.sig;
			ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
			/* her own Commit, pending: refused, nothing moves */
			memset(&p, 0, sizeof(p));
			EXPECT_EQ(-EALREADY,
				  mlsc_group_process(alice.g, out.commit.data,
						     out.commit.len, NULL, &p));
			EXPECT_EQ(e, kernel_epoch(alice.g));
			ASSERT_EQ(0, mlsc_commit_merge(alice.g));
			EXPECT_EQ(0, follow_commit(&bob, &out.commit, NULL,
						   mlsc_group_own_leaf(alice.g),
						   e + 1, &flags));
			EXPECT_EQ(0u, flags);
			EXPECT_EQ(0, follow_commit(&carol, &out.commit, NULL,
						   mlsc_group_own_leaf(alice.g),
						   e + 1, &flags));
			EXPECT_EQ(0u, flags);
			/*
			 * and not twice: a stale epoch, or the kernel's
			 * replay check; her own, merged, is still her own
			 */
			memset(&p, 0, sizeof(p));
			EXPECT_EQ(priv ? -EALREADY : -ESTALE,
				  mlsc_group_process(bob.g, out.commit.data,
						     out.commit.len, NULL, &p));
			EXPECT_EQ(-EALREADY,
				  mlsc_group_process(alice.g, out.commit.data,
						     out.commit.len, NULL, &p));
			EXPECT_EQ(e + 1, kernel_epoch(alice.g));
			mlsc_commit_out_free(&out);
			EXPECT_EQ(e + 1, kernel_epoch(bob.g));
			EXPECT_EQ((int64_t)e + 1, mlsc_group_epoch(carol.g));
			EXPECT_TRUE(same_authenticator(alice.g, bob.g));
			EXPECT_TRUE(same_authenticator(alice.g, carol.g));
			ALL_TALK(&alice, &bob, &carol);
		}

		/* a Commit the delivery service rejects: nobody moves */
		e = kernel_epoch(alice.g);
		memset(&ca, 0, sizeof(ca));
		ca.sig_key = alice.sig;
		ASSERT_EQ(0, mlsc_commit_create(alice.g, &ca, &out));
		mlsc_commit_out_free(&out);
		ASSERT_EQ(0, mlsc_commit_discard(alice.g));
		EXPECT_EQ(e, kernel_epoch(alice.g));
		EXPECT_EQ(e, kernel_epoch(bob.g));
		EXPECT_EQ(e, kernel_epoch(carol.g));
		EXPECT_TRUE(same_authenticator(alice.g, bob.g));
		EXPECT_TRUE(same_authenticator(alice.g, carol.g));
		ALL_TALK(&alice, &bob, &carol);

		/* Alice removes Carol; Bob follows, Carol learns she is out */
		rm.leaf = (uint32_t)mlsc_group_own_leaf(carol.g);
		memset(&ca, 0, sizeof(ca));
		ca.proposals = &rm;
		ca.n_proposals = 1;
		ca.flags = suite & 1 ? MLSC_COMMIT_F_PRIVATE : 0;
		ASSERT_EQ(0, commit(&alice, &ca, &out));
		EXPECT_EQ(0, follow_commit(&bob, &out.commit, NULL,
					   mlsc_group_own_leaf(alice.g), e + 1,
					   &flags));
		EXPECT_EQ(0u, flags);
		EXPECT_EQ(0, follow_commit(&carol, &out.commit, NULL,
					   mlsc_group_own_leaf(alice.g), e + 1,
					   &flags));
		EXPECT_EQ(MLSC_PROCESSED_F_REMOVED, flags);
		mlsc_commit_out_free(&out);
		EXPECT_TRUE(same_authenticator(alice.g, bob.g));
		EXPECT_EQ(e, kernel_epoch(carol.g));
		EXPECT_FALSE(same_authenticator(alice.g, carol.g));
		ALL_TALK(&alice, &bob);
		/* Carol's kernel group cannot open the new epoch's messages */
		for (int who = 0; who < 2; who++) {
			struct member *s = who ? &bob : &alice;

			ASSERT_EQ(0, mls_send(mlsc_group_fd(s->g), s->sig,
					      "secret", 6, NULL, 0, &sent));
			EXPECT_EQ(e + 1, sent.epoch);
			memset(&got, 0, sizeof(got));
			EXPECT_EQ(-EAGAIN, mls_decrypt(mlsc_group_fd(carol.g),
						       sent.message.data,
						       sent.message.len, &got));
			mls_received_free(&got);
			memset(&p, 0, sizeof(p));
			EXPECT_EQ(-EAGAIN, mlsc_group_process(carol.g,
				  sent.message.data, sent.message.len, NULL,
				  &p));
			mls_bytes_free(&sent.message);
		}
		member_free(&carol);

		/* Bob commits an Update, Alice follows */
		e = kernel_epoch(alice.g);
		memset(&ca, 0, sizeof(ca));
		ca.flags = suite & 1 ? 0 : MLSC_COMMIT_F_PRIVATE;
		ASSERT_EQ(0, commit(&bob, &ca, &out));
		EXPECT_EQ(0, follow_commit(&alice, &out.commit, NULL,
					   mlsc_group_own_leaf(bob.g), e + 1,
					   &flags));
		EXPECT_EQ(0u, flags);
		mlsc_commit_out_free(&out);
		EXPECT_TRUE(same_authenticator(alice.g, bob.g));
		ALL_TALK(&alice, &bob);

		/* Carol comes back with a new KeyPackage, added by Bob */
		ASSERT_EQ(0, member_new(suite, "carol", &carol));
		e = kernel_epoch(alice.g);
		memset(&ca, 0, sizeof(ca));
		add[0].key_package = carol.kp;
		ca.proposals = add;
		ca.n_proposals = 1;
		ca.flags = MLSC_COMMIT_F_RATCHET_TREE |
			   (suite >= 4 ? MLSC_COMMIT_F_PATH : 0);
		ASSERT_EQ(0, commit(&bob, &ca, &out));
		EXPECT_EQ(0, follow_commit(&alice, &out.commit, NULL,
					   mlsc_group_own_leaf(bob.g), e + 1,
					   &flags));
		ASSERT_EQ(0, member_join(self->ctl, &carol, &out.welcome, NULL,
					 NULL, 0));
		mlsc_commit_out_free(&out);
		EXPECT_EQ(2, mlsc_group_own_leaf(carol.g));
		EXPECT_TRUE(same_authenticator(alice.g, bob.g));
		EXPECT_TRUE(same_authenticator(alice.g, carol.g));
		ALL_TALK(&alice, &bob, &carol);

		/* an external PSK, which the followers give */
		e = kernel_epoch(alice.g);
		memset(&ca, 0, sizeof(ca));
		ca.proposals = &ps;
		ca.n_proposals = 1;
		ca.flags = suite & 1 ? MLSC_COMMIT_F_PRIVATE : 0;
		ASSERT_EQ(0, commit(&alice, &ca, &out));
		/*
		 * without it: -ENOENT, and nothing moved, twice; then the
		 * same bytes with the PSK are followed. As a PrivateMessage
		 * too: the kernel has used up its generation, and the
		 * client tries again the content it kept.
		 */
		for (int i = 0; i < 2; i++) {
			memset(&p, 0, sizeof(p));
			EXPECT_EQ(-ENOENT, mlsc_group_process(bob.g,
				  out.commit.data, out.commit.len, NULL, &p));
			EXPECT_EQ(e, kernel_epoch(bob.g));
		}
		EXPECT_EQ(0, follow_commit(&bob, &out.commit, &po,
					   mlsc_group_own_leaf(alice.g), e + 1,
					   &flags));
		/* once followed, the same bytes are a replay, or stale */
		memset(&p, 0, sizeof(p));
		EXPECT_EQ(suite & 1 ? -EALREADY : -ESTALE,
			  mlsc_group_process(bob.g, out.commit.data,
					     out.commit.len, &po, &p));
		EXPECT_EQ(e + 1, kernel_epoch(bob.g));
		EXPECT_EQ(0, follow_commit(&carol, &out.commit, &po,
					   mlsc_group_own_leaf(alice.g), e + 1,
					   &flags));
		mlsc_commit_out_free(&out);
		EXPECT_TRUE(same_authenticator(alice.g, bob.g));
		EXPECT_TRUE(same_authenticator(alice.g, carol.g));
		ALL_TALK(&alice, &bob, &carol);

		member_free(&alice);
		member_free(&bob);
		member_free(&carol);
	}
	EXPECT_EQ(0, leaks());
}

/* ---- bad inputs --------------------------------------------------------- */

FIXTURE(bad) {
	int ctl;
	struct member alice, bob, carol;
	uint64_t epoch;
};

/* Alice, Bob and Carol in a group of suite 2 (four leaves, one blank). */
FIXTURE_SETUP(bad)
{
	struct mlsc_proposal_spec add[2] = {
		{ .type = MLSC_PROPOSE_ADD },
		{ .type = MLSC_PROPOSE_ADD },
	};
	struct mlsc_commit_args ca = { 0 };
	struct mlsc_commit_out out = { 0 };

	self->ctl = mls_open(0);
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, member_create(self->ctl, &self->alice, 2));
	ASSERT_EQ(0, member_new(2, "bob", &self->bob));
	ASSERT_EQ(0, member_new(2, "carol", &self->carol));
	add[0].key_package = self->bob.kp;
	add[1].key_package = self->carol.kp;
	ca.sig_key = self->alice.sig;
	ca.proposals = add;
	ca.n_proposals = 2;
	ASSERT_EQ(0, mlsc_commit_create(self->alice.g, &ca, &out));
	mlsc_commit_out_free(&out);
	ASSERT_EQ(0, mlsc_commit_merge(self->alice.g));
	self->epoch = kernel_epoch(self->alice.g);
	ASSERT_EQ(1, self->epoch);
	ASSERT_EQ(4u, self->alice.g->tree.n_leaves);
}

FIXTURE_TEARDOWN(bad)
{
	member_free(&self->alice);
	member_free(&self->bob);
	member_free(&self->carol);
	close(self->ctl);
}

/* mlsc_commit_create() with @p fails with @err, and nothing moved. */
static int refused(struct __test_metadata *_metadata, struct member *alice,
		   const struct mlsc_proposal_spec *p, size_t n, uint32_t flags,
		   uint64_t epoch)
{
	struct mlsc_commit_args ca = {
		.sig_key = alice->sig, .proposals = p, .n_proposals = n,
		.flags = flags,
	};
	struct mlsc_commit_out out = { 0 };
	int err = mlsc_commit_create(alice->g, &ca, &out);

	EXPECT_EQ(0, out.commit.len);
	EXPECT_EQ(0, out.welcome.len);
	EXPECT_EQ(NULL, alice->g->pending);
	EXPECT_EQ(epoch, kernel_epoch(alice->g));
	EXPECT_TRUE(nothing_pending(alice->g));
	mlsc_commit_out_free(&out);
	return err;
}

TEST_F(bad, key_package)
{
	struct mls_bytes msg = { 0 };
	struct mlsc_keypkg *kp = NULL;
	struct member dave;
	struct mlsc_proposal_spec p = { .type = MLSC_PROPOSE_ADD };

	ASSERT_EQ(0, member_new(2, "dave", &dave));
	/* its signature, the last bytes, tampered */
	ASSERT_EQ(0, mlsc_keypkg_serialize(dave.kp, &msg));
	msg.data[msg.len - 1] ^= 1;
	ASSERT_EQ(0, mlsc_keypkg_parse(msg.data, msg.len, &kp));
	p.key_package = kp;
	EXPECT_EQ(-EBADMSG, refused(_metadata, &self->alice, &p, 1, 0,
				    self->epoch));
	mlsc_keypkg_free(kp);
	mls_bytes_free(&msg);
	/* another suite's */
	member_free(&dave);
	ASSERT_EQ(0, member_new(1, "dave", &dave));
	p.key_package = dave.kp;
	EXPECT_EQ(-EPROTONOSUPPORT, refused(_metadata, &self->alice, &p, 1, 0,
					    self->epoch));
	/* no KeyPackage */
	p.key_package = NULL;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, &p, 1, 0,
				   self->epoch));
	member_free(&dave);
	EXPECT_EQ(0, leaks());
}

TEST_F(bad, remove)
{
	struct mlsc_proposal_spec p[2] = {
		{ .type = MLSC_PROPOSE_REMOVE },
		{ .type = MLSC_PROPOSE_REMOVE },
	};

	p[0].leaf = 4;
	EXPECT_EQ(-ERANGE, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].leaf = UINT32_MAX;
	EXPECT_EQ(-ERANGE, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].leaf = 3;		/* blank */
	EXPECT_EQ(-ENOENT, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].leaf = 0;		/* herself */
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].leaf = 1;
	p[1].leaf = 1;		/* twice */
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 2, 0,
				   self->epoch));
	EXPECT_EQ(0, leaks());
}

TEST_F(bad, add)
{
	struct member dave;
	struct mlsc_proposal_spec p[2] = {
		{ .type = MLSC_PROPOSE_ADD },
		{ .type = MLSC_PROPOSE_ADD },
	};
	struct mls_bytes msg = { 0 };
	struct mlsc_keypkg *copy = NULL;

	ASSERT_EQ(0, member_new(2, "dave", &dave));
	p[0].key_package = dave.kp;
	p[1].key_package = dave.kp;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 2, 0,
				   self->epoch));
	/* the same KeyPackage, parsed twice */
	ASSERT_EQ(0, mlsc_keypkg_serialize(dave.kp, &msg));
	ASSERT_EQ(0, mlsc_keypkg_parse(msg.data, msg.len, &copy));
	p[1].key_package = copy;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 2, 0,
				   self->epoch));
	/* Bob, a member already */
	p[0].key_package = self->bob.kp;
	EXPECT_EQ(-EEXIST, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	mlsc_keypkg_free(copy);
	mls_bytes_free(&msg);
	member_free(&dave);
	EXPECT_EQ(0, leaks());
}

TEST_F(bad, psk_and_types)
{
	static uint8_t long_id[MLS_MAX_PSK_ID_LEN + 1];
	struct mlsc_proposal_spec p[2] = { psk_proposal, psk_proposal };

	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 2, 0,
				   self->epoch));
	p[0].psk_id_len = 0;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].psk_id = long_id;
	p[0].psk_id_len = sizeof(long_id);
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].psk_id_len = 1;
	p[0].psk_len = 0;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].psk_len = MLS_MAX_PSK_LEN + 1;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	/*
	 * An Update by value would be the committer's own (§12.2: its new
	 * leaf comes in its UpdatePath): -EINVAL since 0.7, which knows
	 * Update proposals (0.6 did not: -EOPNOTSUPP)
	 */
	p[0].type = 2;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	/* a ReInit (0.6) whose spec is a PSK's: a bad spec */
	p[0].type = 5;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].type = 0xffff;
	EXPECT_EQ(-EOPNOTSUPP, refused(_metadata, &self->alice, p, 1, 0,
				       self->epoch));
	/* an unknown flag */
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, NULL, 0, 1U << 31,
				   self->epoch));
	/* a count without a list */
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, NULL, 1, 0,
				   self->epoch));
	EXPECT_EQ(0, leaks());
}

TEST_F(bad, resumption_psk)
{
	struct mlsc_resumption_psk r[2] = {
		{ .group_fd = mlsc_group_fd(self->alice.g),
		  .epoch = self->epoch },
		{ .group_fd = mlsc_group_fd(self->alice.g),
		  .epoch = self->epoch },
	};
	struct mlsc_proposal_spec p[2] = {
		{ .type = MLSC_PROPOSE_PSK_RESUMPTION, .psk = &r[0],
		  .psk_len = sizeof(r[0]) },
		{ .type = MLSC_PROPOSE_PSK_RESUMPTION, .psk = &r[1],
		  .psk_len = sizeof(r[1]) },
	};
	struct mlsc_commit_args ca = {
		.sig_key = self->alice.sig, .proposals = p, .n_proposals = 1,
	};
	struct mlsc_commit_out out = { 0 };

	/* the same group and epoch twice */
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 2, 0,
				   self->epoch));
	/* a bad struct: size, reserved, fd, an id beside it, none */
	p[0].psk_len = sizeof(r[0]) - 1;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].psk_len = sizeof(r[0]);
	r[0].reserved = 1;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	r[0].reserved = 0;
	r[0].group_fd = -1;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	r[0].group_fd = mlsc_group_fd(self->alice.g);
	p[0].psk_id = "x";
	p[0].psk_id_len = 1;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].psk_id = NULL;
	p[0].psk_id_len = 0;
	p[0].psk = NULL;
	EXPECT_EQ(-EINVAL, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	p[0].psk = &r[0];
	/* not a group fd */
	r[0].group_fd = self->ctl;
	EXPECT_GT(0, refused(_metadata, &self->alice, p, 1, 0, self->epoch));
	r[0].group_fd = 1000;
	EXPECT_EQ(-EBADF, refused(_metadata, &self->alice, p, 1, 0,
				  self->epoch));
	/* an epoch the group has not reached, one it never had kept */
	r[0].group_fd = mlsc_group_fd(self->alice.g);
	r[0].epoch = self->epoch + 1;
	EXPECT_EQ(-EAGAIN, refused(_metadata, &self->alice, p, 1, 0,
				   self->epoch));
	/* the current epoch and the one before: fine, twice as two PSKs */
	r[0].epoch = self->epoch;
	r[1].epoch = self->epoch - 1;
	ca.n_proposals = 2;
	ASSERT_EQ(0, mlsc_commit_create(self->alice.g, &ca, &out));
	EXPECT_EQ(self->epoch + 1, out.epoch);
	mlsc_commit_out_free(&out);
	EXPECT_EQ(0, mlsc_commit_discard(self->alice.g));
	EXPECT_TRUE(nothing_pending(self->alice.g));
	EXPECT_EQ(0, leaks());
}

TEST_F(bad, arguments)
{
	struct mlsc_commit_args ca = { .sig_key = self->alice.sig };
	struct mlsc_commit_out out = { 0 };
	struct mlsc_group_params gp = { .group_id = "g", .group_id_len = 1 };
	static uint8_t long_gid[MLS_MAX_GROUP_ID_LEN + 1];
	struct mlsc_group *g = NULL;
	struct member dave;

	EXPECT_EQ(-EINVAL, mlsc_commit_create(NULL, &ca, &out));
	EXPECT_EQ(-EINVAL, mlsc_commit_create(self->alice.g, NULL, &out));
	EXPECT_EQ(-EINVAL, mlsc_commit_create(self->alice.g, &ca, NULL));
	ca.sig_key = NULL;
	EXPECT_EQ(-EINVAL, mlsc_commit_create(self->alice.g, &ca, &out));
	ca.sig_key = self->alice.sig;
	ca.authenticated_data_len = 3;
	EXPECT_EQ(-EINVAL, mlsc_commit_create(self->alice.g, &ca, &out));
	ca.authenticated_data_len = 0;
	EXPECT_EQ(-EINVAL, mlsc_commit_merge(NULL));
	EXPECT_EQ(-EINVAL, mlsc_commit_discard(NULL));
	EXPECT_EQ(-EINVAL, mlsc_group_ratchet_tree(NULL, NULL));
	EXPECT_EQ(-EINVAL, mlsc_group_epoch(NULL));
	mlsc_commit_out_free(NULL);

	/* merge and discard with nothing pending */
	EXPECT_EQ(-ENOENT, mlsc_commit_merge(self->alice.g));
	EXPECT_EQ(-ENOENT, mlsc_commit_discard(self->alice.g));
	EXPECT_EQ(self->epoch, kernel_epoch(self->alice.g));

	/* a second commit while one is pending */
	ASSERT_EQ(0, mlsc_commit_create(self->alice.g, &ca, &out));
	mlsc_commit_out_free(&out);
	EXPECT_EQ(-EBUSY, mlsc_commit_create(self->alice.g, &ca, &out));
	EXPECT_EQ(0, out.commit.len);
	EXPECT_EQ(0, mlsc_commit_discard(self->alice.g));
	EXPECT_TRUE(nothing_pending(self->alice.g));
	EXPECT_EQ(self->epoch, kernel_epoch(self->alice.g));

	/* creating: a KeyPackage used already, bad group ids, flags */
	EXPECT_EQ(-ENOKEY, mlsc_group_create(self->ctl, &gp, self->alice.priv,
					     &g));
	ASSERT_EQ(0, member_new(3, "dave", &dave));
	EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl, &gp, dave.priv, NULL));
	EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl, NULL, dave.priv, &g));
	EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl, &gp, NULL, &g));
	gp.group_id_len = 0;
	EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl, &gp, dave.priv, &g));
	gp.group_id = long_gid;
	gp.group_id_len = sizeof(long_gid);
	EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl, &gp, dave.priv, &g));
	gp.group_id_len = 1;
	gp.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, mlsc_group_create(self->ctl, &gp, dave.priv, &g));
	gp.flags = 0;
	EXPECT_EQ(-EBADF, mlsc_group_create(-1, &gp, dave.priv, &g));
	EXPECT_EQ(NULL, g);
	/* the failures left its keys */
	EXPECT_NE(0, dave.priv->enc_sk_len);
	member_free(&dave);
	EXPECT_EQ(0, leaks());
}

TEST_HARNESS_MAIN
