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
 *  lists.*                  the §12.2 rules on proposal lists, one by one
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
#include "vectors.h"
#include "wire.h"

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

TEST_HARNESS_MAIN
