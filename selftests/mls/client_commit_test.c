// SPDX-License-Identifier: GPL-2.0
/*
 * Following a group (RFC 9420 §12) with libmlsclient: Proposals and
 * Commits processed with mlsc_group_process(), every epoch keyed, its
 * confirmation_tag verified and merged by the kernel. Built with
 * AddressSanitizer and UBSan; each test ends with a LeakSanitizer check.
 *
 *  vectors.handling_commit  passive-client-handling-commit.json, every
 *                           case and epoch: joined, then each epoch's
 *                           proposals and commit processed, the kernel's
 *                           epoch_authenticator the vector's
 *  vectors.random           passive-client-random.json, the same
 *  bad.*                    a Commit with a bad membership tag, a bad
 *                           signature, a bad confirmation_tag, a bad
 *                           UpdatePath, an invalid proposal list, a
 *                           reference to a proposal never received:
 *                           each its errno, and the kernel group still
 *                           in its epoch with no pending commit; the
 *                           genuine Commit then still processes
 *  bad.fuzz                 every truncation and 10,000 at least random
 *                           bit flips of a valid Commit: clear errnos,
 *                           the group unchanged
 *
 * The vectors come from $MLS_VECTORS (default /mls/vectors); a case that
 * cannot run fails.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmls.h>
#include <mls_client.h>

#include "client_util.h"
#include "group.h"
#include "kselftest_harness.h"
#include "proposal.h"
#include "treekem.h"
#include "vectors.h"
#include "wire.h"

#define FUZZ_MIN	10000

/* The kernel's epoch_authenticator of @g is @want. */
static int auth_is(const struct mlsc_group *g, const struct bytes *want)
{
	uint8_t auth[64];
	size_t len = sizeof(auth);

	if (mls_epoch_authenticator(mlsc_group_fd(g), auth, &len, NULL))
		return 0;
	return len == want->len && !memcmp(auth, want->data, len);
}

static struct mlsc_process_opts case_opts(const struct join_case *c)
{
	return (struct mlsc_process_opts){
		.psks = c->psks, .n_psks = c->n_psks,
		.validate = &vector_opts,
	};
}

/*
 * Process epoch @e (its proposals, then its commit) of a case: 0 or the
 * first -errno; *@where says which message failed (-1: the commit).
 */
static int epoch_process(struct mlsc_group *g, json_t *e,
			 const struct mlsc_process_opts *o, int *where)
{
	json_t *props = json_object_get(e, "proposals");
	struct mlsc_processed out;
	struct bytes msg;
	int err;

	if (!json_is_array(props))
		return -EINVAL;
	for (size_t j = 0; j < json_array_size(props); j++) {
		*where = (int)j;
		if (vec_unhex(json_string_value(json_array_get(props, j)),
			      &msg))
			return -EINVAL;
		err = mlsc_group_process(g, msg.data, msg.len, o, &out);
		if (!err && out.content_type != MLS_CONTENT_PROPOSAL)
			err = -EPROTO;
		mlsc_processed_free(&out);
		bytes_free(&msg);
		if (err)
			return err;
	}
	*where = -1;
	if (vec_get_hex(e, "commit", &msg))
		return -EINVAL;
	err = mlsc_group_process(g, msg.data, msg.len, o, &out);
	if (!err && (out.content_type != MLS_CONTENT_COMMIT || out.flags))
		err = -EPROTO;
	mlsc_processed_free(&out);
	bytes_free(&msg);
	return err;
}

/* Follow every case of @file; the number of epochs followed. */
static size_t follow(struct __test_metadata *_metadata, const char *file,
		     size_t *cases_ran, size_t *epochs_total)
{
	json_t *root = vec_load(file);
	size_t epochs = 0;
	int ctl = mls_open(0);

	*cases_ran = 0;
	*epochs_total = 0;
	ASSERT_NE(NULL, root);
	ASSERT_LE(0, ctl);
	ASSERT_LT(0, json_array_size(root));
	for (size_t i = 0; i < json_array_size(root); i++) {
		json_t *v = json_array_get(root, i);
		json_t *es = json_object_get(v, "epochs");
		struct mlsc_process_opts o;
		struct mlsc_join_args a;
		struct mlsc_group *g = NULL;
		struct join_case c;
		size_t k;

		ASSERT_TRUE(json_is_array(es));
		*epochs_total += json_array_size(es);
		ASSERT_EQ(0, passive_case(v, &c));
		a = case_args(&c);
		o = case_opts(&c);
		EXPECT_EQ(0, join(ctl, &c, c.welcome.data, c.welcome.len, &a,
				  &g)) {
			TH_LOG("%s case %zu (suite %u): join", file, i,
			       c.suite);
		}
		if (g)
			EXPECT_TRUE(auth_ok(g, &c));
		for (k = 0; g && k < json_array_size(es) && _metadata->passed;
		     k++) {
			json_t *e = json_array_get(es, k);
			struct bytes want;
			int where = 0, err;

			err = epoch_process(g, e, &o, &where);
			EXPECT_EQ(0, err) {
				TH_LOG("%s case %zu (suite %u) epoch %zu: %s %d: %d",
				       file, i, c.suite, k,
				       where < 0 ? "commit" : "proposal",
				       where, err);
			}
			ASSERT_EQ(0, vec_get_hex(e, "epoch_authenticator",
						 &want));
			/* no key kept of a node the Commit blanked */
			if (!err && g->priv)
				EXPECT_EQ(0, mlsc_tree_priv_check(g->priv,
								  &g->tree));
			if (!err)
				EXPECT_TRUE(auth_is(g, &want)) {
					TH_LOG("%s case %zu epoch %zu: epoch_authenticator differs",
					       file, i, k);
				}
			bytes_free(&want);
			if (_metadata->passed)
				epochs++;
		}
		if (g)
			EXPECT_EQ(0, mls_group_destroy(mlsc_group_fd(g)));
		mlsc_group_free(g);
		case_free(&c);
		if (!_metadata->passed)
			break;
		(*cases_ran)++;
	}
	json_decref(root);
	close(ctl);
	return epochs;
}

FIXTURE(vectors) {
	int unused;
};

FIXTURE_SETUP(vectors)
{
}

FIXTURE_TEARDOWN(vectors)
{
}

TEST_F_TIMEOUT(vectors, handling_commit, 1800)
{
	size_t cases, total, n;

	n = follow(_metadata, "passive-client-handling-commit.json", &cases,
		   &total);
	ksft_print_msg("passive-client-handling-commit.json: %zu cases, %zu of %zu epochs followed\n",
		       cases, n, total);
	EXPECT_EQ(total, n);
	EXPECT_LT(0, n);
	EXPECT_EQ(0, leaks());
}

TEST_F_TIMEOUT(vectors, random, 1800)
{
	size_t cases, total, n;

	n = follow(_metadata, "passive-client-random.json", &cases, &total);
	ksft_print_msg("passive-client-random.json: %zu cases, %zu of %zu epochs followed\n",
		       cases, n, total);
	EXPECT_EQ(total, n);
	EXPECT_LT(0, n);
	EXPECT_EQ(0, leaks());
}

/* ---- bad input ---------------------------------------------------------- */

/*
 * A passive-client-handling-commit.json case of suite 1 whose first
 * epoch is a Commit with an UpdatePath and no proposal, joined.
 */
FIXTURE(bad) {
	int ctl;
	long groups;
	struct join_case c;
	struct mlsc_group *g;
	struct mlsc_process_opts o;
	struct bytes commit, auth;
	int64_t epoch;
	/* the commit, decoded from a copy that the tests change */
	uint8_t *buf;
	struct mlsc_arena arena;
	struct mlsc_mls_message m;
	struct mlsc_tree saved;
	bool rigged;
	struct mls_sig_key *key;
};

static int pick(json_t *v, struct join_case *c, struct bytes *commit,
		struct bytes *auth)
{
	json_t *e = json_array_get(json_object_get(v, "epochs"), 0);
	struct mlsc_mls_message m;
	struct mlsc_arena arena;
	uint64_t suite;
	int ok;

	if (vec_get_u64(v, "cipher_suite", &suite) || suite != 1 || !e ||
	    json_array_size(json_object_get(e, "proposals")))
		return -1;
	if (vec_get_hex(e, "commit", commit))
		return -1;
	mlsc_arena_init(&arena);
	ok = !MLSC_DECODE(commit->data, commit->len, &arena, &m,
			  mlsc_io_mls_message) &&
	     m.wire_format == MLSC_WIRE_PUBLIC_MESSAGE &&
	     m.pub.content.content_type == MLSC_CONTENT_COMMIT &&
	     m.pub.content.commit.has_path &&
	     m.pub.content.commit.path.n_nodes > 0 &&
	     !m.pub.content.commit.n_proposals;
	mlsc_arena_free(&arena);
	if (!ok || vec_get_hex(e, "epoch_authenticator", auth) ||
	    passive_case(v, c)) {
		bytes_free(commit);
		bytes_free(auth);
		return -1;
	}
	return 0;
}

FIXTURE_SETUP(bad)
{
	json_t *root = vec_load("passive-client-handling-commit.json");
	struct mlsc_join_args a;
	size_t i, n;

	ASSERT_NE(NULL, root);
	n = json_array_size(root);
	self->ctl = mls_open(0);
	ASSERT_LE(0, self->ctl);
	for (i = 0; i < json_array_size(root); i++)
		if (!pick(json_array_get(root, i), &self->c, &self->commit,
			  &self->auth))
			break;
	json_decref(root);
	ASSERT_LT(i, n);
	self->groups = group_count(self->ctl);
	a = case_args(&self->c);
	self->o = case_opts(&self->c);
	ASSERT_EQ(0, join(self->ctl, &self->c, self->c.welcome.data,
			  self->c.welcome.len, &a, &self->g));
	self->epoch = mlsc_group_epoch(self->g);
	ASSERT_LE(0, self->epoch);
	self->buf = malloc(self->commit.len);
	ASSERT_NE(NULL, self->buf);
	memcpy(self->buf, self->commit.data, self->commit.len);
	mlsc_arena_init(&self->arena);
	ASSERT_EQ(0, MLSC_DECODE(self->buf, self->commit.len, &self->arena,
				 &self->m, mlsc_io_mls_message));
}

FIXTURE_TEARDOWN(bad)
{
	struct mlsc_processed out;

	if (self->rigged) {
		mlsc_tree_free(&self->g->tree);
		self->g->tree = self->saved;
	}
	/* the group is as it was: the genuine Commit still goes through */
	EXPECT_EQ(0, mlsc_group_process(self->g, self->commit.data,
					self->commit.len, &self->o, &out));
	EXPECT_EQ(self->epoch + 1, mlsc_group_epoch(self->g));
	EXPECT_TRUE(auth_is(self->g, &self->auth));
	mlsc_processed_free(&out);
	EXPECT_EQ(0, mls_group_destroy(mlsc_group_fd(self->g)));
	mlsc_group_free(self->g);
	EXPECT_EQ(self->groups, group_count(self->ctl));
	mls_sig_key_free(self->key);
	mlsc_arena_free(&self->arena);
	free(self->buf);
	bytes_free(&self->commit);
	bytes_free(&self->auth);
	case_free(&self->c);
	close(self->ctl);
	EXPECT_EQ(0, leaks());
}

/*
 * The committer's leaf gets a signature key the test holds, so that a
 * changed Commit can be signed again; the tree is put back after.
 */
static int rig(struct mlsc_group *g, uint32_t leaf, struct mlsc_tree *saved,
	       struct mls_sig_key **key)
{
	struct mlsc_leaf_node ln = *mlsc_tree_leaf(&g->tree, leaf);
	struct mls_bytes pub = { 0 };
	int err;

	err = mls_sig_key_generate(g->suite->id, key);
	if (!err)
		err = mls_sig_key_export(*key, MLS_KEY_PUBLIC, &pub);
	if (!err)
		err = mlsc_tree_clone(saved, &g->tree);
	if (err)
		return err;
	ln.signature_key = (struct mlsc_slice){ pub.data, pub.len };
	err = mlsc_tree_set_leaf(&g->tree, leaf, &ln);
	mls_bytes_free(&pub);
	return err;
}

/*
 * The PublicMessage @m again: signed with @key (NULL: its signature as
 * it is), its membership_tag made by the kernel, into @out.
 */
static int reframe(struct mlsc_group *g, struct mlsc_mls_message *m,
		   const struct mls_sig_key *key, struct mlsc_wbuf *out)
{
	static uint8_t sig[MLS_SIGNATURE_MAX], tag[64];
	size_t sig_len = sizeof(sig), tag_len = sizeof(tag);
	struct mlsc_wbuf tbs = { 0 };
	uint16_t v = 1, wf = MLSC_WIRE_PUBLIC_MESSAGE;
	struct mlsc_io io;
	size_t tbs_len;
	int err;

	mlsc_io_writer(&io, &tbs);
	mlsc_io_u16(&io, &v);
	mlsc_io_u16(&io, &wf);
	mlsc_io_framed_content(&io, &m->pub.content);
	mlsc_io_fixed(&io, g->context, g->context_len);
	tbs_len = tbs.len;
	if (key && !io.err) {
		err = mls_sign_with_label(key, "FramedContentTBS", tbs.p,
					  tbs_len, sig, &sig_len);
		if (err)
			io.err = err;
		m->pub.auth.signature = (struct mlsc_slice){ sig, sig_len };
	}
	mlsc_io_auth_data(&io, &m->pub.auth, MLSC_CONTENT_COMMIT);
	err = io.err;
	if (!err)
		err = mls_membership_tag(g->gfd, 0, NULL, tbs.p, tbs.len, tag,
					 &tag_len);
	mlsc_wbuf_free(&tbs);
	if (err)
		return err;
	m->pub.membership_tag = (struct mlsc_slice){ tag, tag_len };
	return MLSC_ENCODE(m, mlsc_io_mls_message, out);
}

/* @bytes is refused with @want, and the group stays in its epoch. */
static void refused(struct __test_metadata *_metadata,
		    FIXTURE_DATA(bad) *self, const uint8_t *bytes, size_t len,
		    int want)
{
	struct mlsc_processed out;

	EXPECT_EQ(want, mlsc_group_process(self->g, bytes, len, &self->o,
					   &out));
	EXPECT_EQ(0, out.content_type);
	EXPECT_EQ(self->epoch, mlsc_group_epoch(self->g));
	EXPECT_TRUE(nothing_pending(self->g));
}

TEST_F(bad, membership_tag)
{
	uint8_t *b = malloc(self->commit.len);

	ASSERT_NE(NULL, b);
	memcpy(b, self->commit.data, self->commit.len);
	/* the tag is the message's last field */
	b[self->commit.len - 1] ^= 0x01;
	refused(_metadata, self, b, self->commit.len, -EBADMSG);
	free(b);
}

TEST_F(bad, signature)
{
	struct mlsc_wbuf w = { 0 };

	((uint8_t *)self->m.pub.auth.signature.p)[5] ^= 0x20;
	ASSERT_EQ(0, reframe(self->g, &self->m, NULL, &w));
	refused(_metadata, self, w.p, w.len, -EKEYREJECTED);
	mlsc_wbuf_free(&w);
}

TEST_F(bad, confirmation_tag)
{
	struct mlsc_wbuf w = { 0 };

	((uint8_t *)self->m.pub.auth.confirmation_tag.p)[0] ^= 0x80;
	ASSERT_EQ(0, reframe(self->g, &self->m, NULL, &w));
	refused(_metadata, self, w.p, w.len, -EBADMSG);
	mlsc_wbuf_free(&w);
}

TEST_F(bad, update_path)
{
	struct mlsc_commit *c = &self->m.pub.content.commit;
	struct mlsc_wbuf w = { 0 };

	ASSERT_EQ(0, rig(self->g, self->m.pub.content.sender.index,
			 &self->saved, &self->key));
	self->rigged = true;
	/* a node's public key: the parent hash chain breaks */
	((uint8_t *)c->path.nodes[0].encryption_key.p)[3] ^= 0x04;
	ASSERT_EQ(0, reframe(self->g, &self->m, self->key, &w));
	refused(_metadata, self, w.p, w.len, -EBADMSG);
	mlsc_wbuf_free(&w);
	((uint8_t *)c->path.nodes[0].encryption_key.p)[3] ^= 0x04;
	/* every ciphertext of a node: this member's does not open */
	for (size_t j = 0; j < c->path.n_nodes; j++)
		for (size_t k = 0; k < c->path.nodes[j].n_secrets; k++)
			((uint8_t *)c->path.nodes[j].secrets[k].ciphertext.p)[0] ^= 1;
	ASSERT_EQ(0, reframe(self->g, &self->m, self->key, &w));
	refused(_metadata, self, w.p, w.len, -EBADMSG);
	mlsc_wbuf_free(&w);
}

TEST_F(bad, proposal_list)
{
	struct mlsc_commit *c = &self->m.pub.content.commit;
	uint32_t committer = self->m.pub.content.sender.index, other;
	struct mlsc_proposal_or_ref por[2];
	static const uint8_t ref[32] = { 1 };
	struct mlsc_wbuf w = { 0 };

	ASSERT_EQ(0, rig(self->g, committer, &self->saved, &self->key));
	self->rigged = true;
	for (other = 0; other < self->g->tree.n_leaves; other++)
		if (other != committer && other != self->g->own_leaf &&
		    mlsc_tree_leaf(&self->g->tree, other))
			break;
	c->proposals = por;
	/* the committer removed */
	memset(por, 0, sizeof(por));
	por[0].type = MLSC_POR_PROPOSAL;
	por[0].proposal.type = MLSC_PROPOSAL_REMOVE;
	por[0].proposal.remove = committer;
	c->n_proposals = 1;
	ASSERT_EQ(0, reframe(self->g, &self->m, self->key, &w));
	refused(_metadata, self, w.p, w.len, -EPROTO);
	mlsc_wbuf_free(&w);
	/* a blank or absent leaf removed */
	por[0].proposal.remove = self->g->tree.n_leaves + 3;
	ASSERT_EQ(0, reframe(self->g, &self->m, self->key, &w));
	refused(_metadata, self, w.p, w.len, -EPROTO);
	mlsc_wbuf_free(&w);
	/* one leaf removed twice */
	if (other < self->g->tree.n_leaves) {
		por[0].proposal.remove = other;
		por[1] = por[0];
		c->n_proposals = 2;
		ASSERT_EQ(0, reframe(self->g, &self->m, self->key, &w));
		refused(_metadata, self, w.p, w.len, -EPROTO);
		mlsc_wbuf_free(&w);
	}
	/* a reference to a proposal never received */
	por[0].type = MLSC_POR_REFERENCE;
	por[0].reference = (struct mlsc_slice){ ref, sizeof(ref) };
	c->n_proposals = 1;
	ASSERT_EQ(0, reframe(self->g, &self->m, self->key, &w));
	refused(_metadata, self, w.p, w.len, -ENOENT);
	mlsc_wbuf_free(&w);
	ksft_print_msg("proposal lists: %s\n", other < self->g->tree.n_leaves ?
		       "4 refused" : "3 refused (no third member)");
}

TEST_F(bad, arguments)
{
	struct mlsc_process_opts o = self->o;
	struct mlsc_processed out;

	EXPECT_EQ(-EINVAL, mlsc_group_process(NULL, self->commit.data,
					      self->commit.len, &o, &out));
	EXPECT_EQ(-EINVAL, mlsc_group_process(self->g, self->commit.data,
					      self->commit.len, &o, NULL));
	o.flags = ~MLSC_PROCESS_F_ALL;
	EXPECT_EQ(-EINVAL, mlsc_group_process(self->g, self->commit.data,
					      self->commit.len, &o, &out));
	/* truncated */
	refused(_metadata, self, self->commit.data, self->commit.len - 1,
		-EBADMSG);
	EXPECT_EQ(-EINVAL, mlsc_group_epoch(NULL));
}

/*
 * Every truncation and random bit flips (1 to 4 bits) of the valid
 * Commit, FUZZ_MIN at least: each refused with a clear errno, the group
 * in its epoch with nothing pending (and the genuine Commit processed
 * after, in the teardown).
 */
TEST_F_TIMEOUT(bad, fuzz, 900)
{
	static const int clear[] = { -EBADMSG, -EKEYREJECTED, -EPROTO,
				     -ENOENT, -EOPNOTSUPP, -ESTALE, -EAGAIN,
				     -EALREADY, -ENOKEY };
	size_t n = ARRAY_SIZE(clear), by_err[ARRAY_SIZE(clear)] = { 0 };
	size_t len0 = self->commit.len, runs = 0;
	uint8_t *b = malloc(len0);

	ASSERT_NE(NULL, b);
	srandom(0x9420);
	for (size_t i = 0; runs < FUZZ_MIN || i <= len0; i++) {
		struct mlsc_processed out;
		size_t len = len0, k;
		int err;

		memcpy(b, self->commit.data, len0);
		if (i < len0) {
			len = i;
		} else {
			int bits = 1 + random() % 4;

			for (int j = 0; j < bits; j++) {
				size_t bit = random() % (len * 8);

				b[bit / 8] ^= 1U << (bit % 8);
			}
			if (!memcmp(b, self->commit.data, len0))
				continue;
		}
		err = mlsc_group_process(self->g, b, len, &self->o, &out);
		runs++;
		for (k = 0; k < n && clear[k] != err; k++)
			;
		EXPECT_LT(k, n) {
			TH_LOG("mutation %zu: %d", i, err);
		}
		if (k < n)
			by_err[k]++;
		mlsc_processed_free(&out);
		EXPECT_EQ(self->epoch, mlsc_group_epoch(self->g));
		if (!_metadata->passed)
			break;
	}
	EXPECT_TRUE(nothing_pending(self->g));
	ksft_print_msg("fuzz: %zu mutations of a %zu-byte Commit: EBADMSG %zu, EKEYREJECTED %zu, EPROTO %zu, ENOENT %zu, EOPNOTSUPP %zu, ESTALE %zu, EAGAIN %zu, EALREADY %zu, ENOKEY %zu\n",
		       runs, len0, by_err[0], by_err[1], by_err[2], by_err[3],
		       by_err[4], by_err[5], by_err[6], by_err[7], by_err[8]);
	EXPECT_LE(FUZZ_MIN, runs);
	free(b);
}

TEST_HARNESS_MAIN
