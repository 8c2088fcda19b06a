// SPDX-License-Identifier: GPL-2.0
/*
 * The group a ReInit starts (RFC 9420 §11.2, §12.4.3.1), libmlsclient
 * 0.8: Alice, Bob and Carol end their group with a ReInit, Alice starts
 * the new one (mlsc_reinit_create()) with her new KeyPackage and the
 * others' of the new suite, and they join it from the Welcome
 * (mlsc_reinit_welcome_open()); the reinit PSK is resolved in the
 * kernel from the old group on both sides. Built with AddressSanitizer
 * and UBSan; each test ends with a LeakSanitizer check.
 *
 *  reinit_group.all_suites  for each of the seven suites, a ReInit to the
 *                           same suite and one to the next suite: the
 *                           three end in the new group, epoch 1, with
 *                           its group_id and extension, one
 *                           epoch_authenticator, and exchange
 *                           application messages
 *  reinit_group.refused     a start from a group no ReInit ended
 *                           (-ENOENT); the reinit Welcome opened without
 *                           the old group (-EPROTO), with a group no
 *                           ReInit ended (-ENOENT), with a group another
 *                           ReInit ended (-EPROTO), with an old group
 *                           whose ReInit differs from the new group
 *                           (-EPROTO); bad arguments (-EINVAL, a PSK
 *                           count of SIZE_MAX among them); nothing
 *                           kept by any refusal (groups, fds); a reinit
 *                           PSK in an ordinary Commit or proposal
 *                           (-EOPNOTSUPP); and the
 *                           starter's KeyPackage keys back after a
 *                           first Commit that failed
 *  reinit_group.joiner_checks  the joiner's checks (§12.4.3.1) on
 *                           hand-built GroupSecrets PSK lists and
 *                           GroupContexts: a reinit PSK of another
 *                           epoch, two, one beside a branch PSK, a
 *                           branch PSK in a plain Welcome (one, two);
 *                           a GroupInfo of epoch 2, of another suite,
 *                           version, extension type or extension data
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
#include "commit.h"
#include "group.h"
#include "keypkg.h"
#include "kselftest_harness.h"
#include "reinit.h"
#include "wire.h"

#define EXT_TYPE	0xff00

static const uint16_t ext_types[] = { EXT_TYPE };
static const struct mlsc_ext new_ext = { EXT_TYPE, "e", 1 };

/* The three members of the old group and of the new one. */
struct trio {
	struct member old[3];
	struct member neu[3];
	char gid[64];
	struct mlsc_reinit_spec spec;
};

static const char *const names[] = { "alice", "bob", "carol" };

static void trio_free(struct trio *t)
{
	for (int i = 0; i < 3; i++) {
		member_free(&t->old[i]);
		member_free(&t->neu[i]);
	}
}

/* Alice's group of @suite with Bob and Carol added in one Commit. */
static int old_group(int ctl, struct trio *t, unsigned int suite)
{
	struct mlsc_proposal_spec add[2] = {
		{ .type = MLSC_PROPOSE_ADD },
		{ .type = MLSC_PROPOSE_ADD },
	};
	struct mlsc_commit_args ca = {
		.flags = MLSC_COMMIT_F_RATCHET_TREE, .proposals = add,
		.n_proposals = 2,
	};
	struct mlsc_commit_out out = { 0 };
	int err;

	err = member_create(ctl, &t->old[0], suite);
	for (int i = 1; i < 3 && !err; i++) {
		err = member_new(suite, names[i], &t->old[i]);
		add[i - 1].key_package = t->old[i].kp;
	}
	ca.sig_key = t->old[0].sig;
	if (!err)
		err = mlsc_commit_create(t->old[0].g, &ca, &out);
	if (!err)
		err = mlsc_commit_merge(t->old[0].g);
	for (int i = 1; i < 3 && !err; i++)
		err = member_join(ctl, &t->old[i], &out.welcome, NULL, NULL, 0);
	mlsc_commit_out_free(&out);
	return err;
}

/* Alice commits the ReInit to @suite, Bob and Carol follow. */
static int end_group(struct trio *t, unsigned int from, unsigned int suite)
{
	struct mlsc_proposal_spec p = {
		.type = MLSC_PROPOSE_REINIT,
		.psk = &t->spec, .psk_len = sizeof(t->spec),
	};
	struct mlsc_commit_out out = { 0 };
	int err;

	snprintf(t->gid, sizeof(t->gid), "reinit of %u to %u", from, suite);
	t->spec = (struct mlsc_reinit_spec){
		.group_id = t->gid, .group_id_len = strlen(t->gid),
		.version = 1, .cipher_suite = (uint16_t)suite,
		.extensions = &new_ext, .n_extensions = 1,
	};
	err = commit_merged(&t->old[0], &p, 1, NULL, 0, &out);
	for (int i = 1; i < 3 && !err; i++)
		err = follow_commit(&t->old[i], &out.commit, NULL, 0, 2, NULL);
	mlsc_commit_out_free(&out);
	return err;
}

/* New KeyPackages of @suite, supporting the ReInit's extension. */
static int new_members(struct trio *t, unsigned int suite)
{
	int err = 0;

	for (int i = 0; i < 3 && !err; i++)
		err = member_new_ext(suite, names[i], ext_types, 1,
				     &t->neu[i]);
	return err;
}

static struct mlsc_reinit_args start_args(struct trio *t,
					  const struct mlsc_keypkg **kps)
{
	kps[0] = t->neu[1].kp;
	kps[1] = t->neu[2].kp;
	return (struct mlsc_reinit_args){
		.group_flags = MLSC_JOIN_F_EPHEMERAL,
		.commit_flags = MLSC_COMMIT_F_RATCHET_TREE,
		.own = t->neu[0].priv,
		.key_packages = kps, .n_key_packages = 2,
		.sig_key = t->neu[0].sig,
	};
}

/* @m's new KeyPackage's keys, as a joiner gives them. */
static struct mlsc_welcome_keys keys_of(const struct member *m)
{
	return (struct mlsc_welcome_keys){
		.key_package = m->kp_msg.data,
		.key_package_len = m->kp_msg.len,
		.init_priv = m->priv->init_sk,
		.init_priv_len = m->priv->init_sk_len,
	};
}

/* @m joins the new group from @welcome, its old member @old. */
static int reinit_join(int ctl, const struct member *old, struct member *m,
		       const struct mls_bytes *welcome)
{
	struct mlsc_welcome_keys k = keys_of(m);
	struct mlsc_join_args a = {
		.flags = MLSC_JOIN_F_EPHEMERAL,
		.encryption_priv = m->priv->enc_sk,
		.encryption_priv_len = m->priv->enc_sk_len,
	};
	struct mlsc_joiner *w = NULL;
	int err;

	err = mlsc_reinit_welcome_open(ctl, old->g, welcome->data,
				       welcome->len, &k, &w);
	if (!err)
		err = mlsc_welcome_join(w, &a, &m->g);
	mlsc_welcome_free(w);
	return err;
}

/* @g is in epoch 1 of the group @t's ReInit describes. */
static bool is_new_group(const struct trio *t, const struct mlsc_group *g)
{
	struct mlsc_reinit_params p;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	size_t gid_len = sizeof(gid);
	struct mls_group_info info;

	memset(&info, 0, sizeof(info));
	if (mlsc_group_epoch(g) != 1 || kernel_epoch(g) != 1 ||
	    mls_group_info(mlsc_group_fd(g), &info, gid, &gid_len) ||
	    info.suite != t->spec.cipher_suite ||
	    gid_len != t->spec.group_id_len ||
	    memcmp(gid, t->spec.group_id, gid_len))
		return false;
	/* a group of its own, not ended */
	return mlsc_group_reinit(g, &p) == -ENOENT;
}

/* One ReInit of a group of @from to @to: all three in the new group. */
static void cycle(struct __test_metadata *_metadata, int ctl,
		  unsigned int from, unsigned int to)
{
	const struct mlsc_keypkg *kps[2];
	struct mlsc_commit_out out = { 0 };
	struct mlsc_reinit_args a;
	struct trio t;

	memset(&t, 0, sizeof(t));
	TH_LOG("suite %u to suite %u", from, to);
	ASSERT_EQ(0, old_group(ctl, &t, from));
	ASSERT_EQ(0, end_group(&t, from, to));
	ASSERT_EQ(0, new_members(&t, to));
	a = start_args(&t, kps);
	ASSERT_EQ(0, mlsc_reinit_create(ctl, t.old[0].g, &a, &t.neu[0].g,
					&out));
	ASSERT_NE(0, out.welcome.len);
	EXPECT_EQ(1, out.epoch);
	ASSERT_EQ(0, mlsc_commit_merge(t.neu[0].g));
	for (int i = 1; i < 3; i++)
		ASSERT_EQ(0, reinit_join(ctl, &t.old[i], &t.neu[i],
					 &out.welcome));
	for (int i = 0; i < 3; i++)
		EXPECT_TRUE(is_new_group(&t, t.neu[i].g));
	EXPECT_TRUE(same_authenticator(t.neu[0].g, t.neu[1].g));
	EXPECT_TRUE(same_authenticator(t.neu[1].g, t.neu[2].g));
	ALL_TALK(&t.neu[0], &t.neu[1], &t.neu[2]);
	/* the new group goes on: Bob commits, the others follow */
	{
		struct mlsc_commit_out o2 = { 0 };

		ASSERT_EQ(0, commit_merged(&t.neu[1], NULL, 0, NULL, 0, &o2));
		EXPECT_EQ(0, follow_commit(&t.neu[0], &o2.commit, NULL, 1, 2,
					   NULL));
		EXPECT_EQ(0, follow_commit(&t.neu[2], &o2.commit, NULL, 1, 2,
					   NULL));
		EXPECT_TRUE(same_authenticator(t.neu[0].g, t.neu[2].g));
		ALL_TALK(&t.neu[0], &t.neu[1], &t.neu[2]);
		mlsc_commit_out_free(&o2);
	}
	mlsc_commit_out_free(&out);
	trio_free(&t);
}

FIXTURE(reinit_group) {
	int ctl;
};

FIXTURE_SETUP(reinit_group)
{
	self->ctl = mls_open(0);
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(reinit_group)
{
	close(self->ctl);
	EXPECT_EQ(0, leaks());
}

TEST_F_TIMEOUT(reinit_group, all_suites, 900)
{
	for (unsigned int suite = 1; suite <= 7; suite++) {
		cycle(_metadata, self->ctl, suite, suite);
		cycle(_metadata, self->ctl, suite, suite % 7 + 1);
	}
}

/*
 * The saved state of @m with the first byte of the ReInit's group_id
 * @gid changed, loaded onto the same kernel group into @out.
 */
static int load_altered(int ctl, const struct member *m, const char *gid,
			struct mlsc_group **out)
{
	struct mls_bytes b = { 0 };
	size_t n = strlen(gid);
	int err, found = 0;

	err = mlsc_group_save(m->g, NULL, &b);
	for (size_t i = 0; !err && i + n <= b.len; i++)
		if (!memcmp(b.data + i, gid, n)) {
			b.data[i] ^= 0x20;
			found++;
		}
	if (!err && found != 1)
		err = -ENOENT;
	if (!err)
		err = mlsc_group_load(ctl, b.data, b.len, out, NULL);
	mls_bytes_free(&b);
	return err;
}

TEST_F(reinit_group, refused)
{
	const struct mlsc_keypkg *kps[2];
	struct mlsc_commit_out out = { 0 };
	struct mlsc_joiner *w = (void *)1;
	struct mlsc_group *g = (void *)1;
	struct mlsc_reinit_args a;
	struct mlsc_welcome_keys k;
	struct mlsc_psk psk;
	struct trio t, other;
	long groups;
	int fds;

	memset(&t, 0, sizeof(t));
	memset(&other, 0, sizeof(other));
	ASSERT_EQ(0, old_group(self->ctl, &t, 1));
	ASSERT_EQ(0, new_members(&t, 3));
	a = start_args(&t, kps);

	/* a group no ReInit ended */
	groups = group_count(self->ctl);
	fds = fd_count();
	EXPECT_EQ(-ENOENT, mlsc_reinit_create(self->ctl, t.old[0].g, &a, &g,
					      &out));
	EXPECT_EQ(NULL, g);
	EXPECT_EQ(NULL, out.commit.data);
	EXPECT_EQ(groups, group_count(self->ctl));
	EXPECT_EQ(fds, fd_count());

	ASSERT_EQ(0, end_group(&t, 1, 3));
	/* bad arguments */
	EXPECT_EQ(-EINVAL, mlsc_reinit_create(self->ctl, NULL, &a, &g, &out));
	EXPECT_EQ(-EINVAL, mlsc_reinit_create(self->ctl, t.old[0].g, NULL,
					      &g, &out));
	EXPECT_EQ(-EINVAL, mlsc_reinit_create(self->ctl, t.old[0].g, &a,
					      NULL, &out));
	a.reserved = 1;
	EXPECT_EQ(-EINVAL, mlsc_reinit_create(self->ctl, t.old[0].g, &a, &g,
					      &out));
	a.reserved = 0;
	a.commit_flags = MLSC_COMMIT_F_EXT;
	EXPECT_EQ(-EINVAL, mlsc_reinit_create(self->ctl, t.old[0].g, &a, &g,
					      &out));
	a.commit_flags = MLSC_COMMIT_F_RATCHET_TREE;
	a.group_flags = 1U << 7;
	EXPECT_EQ(-EINVAL, mlsc_reinit_create(self->ctl, t.old[0].g, &a, &g,
					      &out));
	a.group_flags = MLSC_JOIN_F_EPHEMERAL;
	kps[1] = NULL;
	EXPECT_EQ(-EINVAL, mlsc_reinit_create(self->ctl, t.old[0].g, &a, &g,
					      &out));
	kps[1] = t.neu[2].kp;
	/* the starter's KeyPackage of another suite than the ReInit's */
	a.own = t.old[1].priv;
	EXPECT_EQ(-EINVAL, mlsc_reinit_create(self->ctl, t.old[0].g, &a, &g,
					      &out));
	a.own = t.neu[0].priv;
	/* the same KeyPackage twice */
	kps[1] = kps[0];
	EXPECT_EQ(-EINVAL, mlsc_reinit_create(self->ctl, t.old[0].g, &a, &g,
					      &out));
	EXPECT_EQ(NULL, g);
	EXPECT_EQ(groups, group_count(self->ctl));
	EXPECT_EQ(fds, fd_count());
	/* the failed Commit gave the starter's keys back: they start it */
	a = start_args(&t, kps);

	ASSERT_EQ(0, mlsc_reinit_create(self->ctl, t.old[0].g, &a,
					&t.neu[0].g, &out));
	ASSERT_EQ(0, mlsc_commit_merge(t.neu[0].g));
	groups = group_count(self->ctl);
	fds = fd_count();
	k = keys_of(&t.neu[1]);

	/* without the old group: a reinit PSK is refused */
	psk = (struct mlsc_psk){
		.type = MLS_PSK_RESUMPTION, .group_fd = mlsc_group_fd(t.old[1].g),
	};
	k.psks = &psk;
	k.n_psks = 1;
	EXPECT_EQ(-EPROTO, mlsc_welcome_open(self->ctl, out.welcome.data,
					     out.welcome.len, &k, &w));
	EXPECT_EQ(NULL, w);
	k.psks = NULL;
	k.n_psks = 0;
	EXPECT_EQ(-EPROTO, mlsc_welcome_open(self->ctl, out.welcome.data,
					     out.welcome.len, &k, &w));
	/* bad arguments */
	w = (void *)1;
	EXPECT_EQ(-EINVAL, mlsc_reinit_welcome_open(self->ctl, NULL,
						    out.welcome.data,
						    out.welcome.len, &k, &w));
	EXPECT_EQ(NULL, w);
	EXPECT_EQ(-EINVAL, mlsc_reinit_welcome_open(self->ctl, t.old[1].g,
						    out.welcome.data,
						    out.welcome.len, NULL,
						    &w));
	/* a PSK count whose n + 1 the library would wrap */
	k.psks = &psk;
	k.n_psks = SIZE_MAX;
	EXPECT_EQ(-EINVAL, mlsc_reinit_welcome_open(self->ctl, t.old[1].g,
						    out.welcome.data,
						    out.welcome.len, &k, &w));
	EXPECT_EQ(-EINVAL, mlsc_welcome_open(self->ctl, out.welcome.data,
					     out.welcome.len, &k, &w));
	{
		struct mlsc_process_opts po = { .psks = &psk,
						.n_psks = SIZE_MAX };
		struct mlsc_processed pr;

		EXPECT_EQ(-EINVAL, mlsc_group_process(t.old[1].g,
						      out.commit.data,
						      out.commit.len, &po,
						      &pr));
	}
	k.psks = NULL;
	k.n_psks = 0;

	/* a group no ReInit ended: Dave's */
	{
		struct mlsc_group_params gp = {
			.group_id = "another group", .group_id_len = 13,
			.flags = MLSC_JOIN_F_EPHEMERAL,
		};

		ASSERT_EQ(0, member_new(1, "dave", &other.old[0]));
		ASSERT_EQ(0, mlsc_group_create(self->ctl, &gp,
					       other.old[0].priv,
					       &other.old[0].g));
	}
	groups = group_count(self->ctl);
	fds = fd_count();
	EXPECT_EQ(-ENOENT, mlsc_reinit_welcome_open(self->ctl,
						    other.old[0].g,
						    out.welcome.data,
						    out.welcome.len, &k, &w));
	/*
	 * A reinit PSK in an ordinary Commit or proposal: the library's
	 * own proposal type for it is not the API's (§12.2)
	 */
	{
		struct mlsc_resumption_psk rp = {
			.group_fd = mlsc_group_fd(t.old[1].g),
			.epoch = (uint64_t)mlsc_group_epoch(t.old[1].g),
		};
		struct mlsc_proposal_spec p = {
			.type = MLSC_PROPOSE_PSK_REINIT,
			.psk = &rp, .psk_len = sizeof(rp),
		};
		struct mlsc_propose_args pa = {
			.proposal = &p, .sig_key = other.old[0].sig,
		};
		struct mlsc_proposal_out po = { 0 };
		struct mlsc_commit_out o2 = { 0 };

		EXPECT_EQ(-EOPNOTSUPP, commit_merged(&other.old[0], &p, 1,
						     NULL, 0, &o2));
		EXPECT_EQ(-EOPNOTSUPP, mlsc_group_propose(other.old[0].g, &pa,
							  &po));
		EXPECT_EQ(NULL, o2.commit.data);
		EXPECT_EQ(NULL, po.message.data);
		EXPECT_EQ(0, mlsc_group_epoch(other.old[0].g));
		EXPECT_TRUE(nothing_pending(other.old[0].g));
	}
	/* a group another ReInit ended: the PSK is not of that group */
	{
		struct mlsc_proposal_spec p = {
			.type = MLSC_PROPOSE_REINIT,
			.psk = &t.spec, .psk_len = sizeof(t.spec),
		};
		struct mlsc_commit_out o2 = { 0 };

		ASSERT_EQ(0, commit_merged(&other.old[0], &p, 1, NULL, 0,
					   &o2));
		mlsc_commit_out_free(&o2);
	}
	EXPECT_EQ(-EPROTO, mlsc_reinit_welcome_open(self->ctl,
						    other.old[0].g,
						    out.welcome.data,
						    out.welcome.len, &k, &w));
	EXPECT_EQ(NULL, w);
	EXPECT_EQ(groups, group_count(self->ctl));
	EXPECT_EQ(fds, fd_count());

	/* Bob's record of the ReInit differs from the new group (§11.2) */
	{
		struct mlsc_group *altered = NULL;

		ASSERT_EQ(0, load_altered(self->ctl, &t.old[1], t.gid,
					  &altered));
		fds = fd_count();
		EXPECT_EQ(-EPROTO, mlsc_reinit_welcome_open(self->ctl, altered,
							    out.welcome.data,
							    out.welcome.len,
							    &k, &w));
		EXPECT_EQ(NULL, w);
		EXPECT_EQ(groups, group_count(self->ctl));
		EXPECT_EQ(fds, fd_count());
		mlsc_group_free(altered);
	}

	/* after all that, Bob and Carol still join */
	for (int i = 1; i < 3; i++)
		ASSERT_EQ(0, reinit_join(self->ctl, &t.old[i], &t.neu[i],
					 &out.welcome));
	EXPECT_TRUE(same_authenticator(t.neu[0].g, t.neu[1].g));
	EXPECT_TRUE(same_authenticator(t.neu[0].g, t.neu[2].g));
	ALL_TALK(&t.neu[0], &t.neu[1], &t.neu[2]);
	mlsc_commit_out_free(&out);
	trio_free(&other);
	trio_free(&t);
}

/* A resumption PreSharedKeyID of @usage, @gid at @epoch. */
static struct mlsc_psk_id resumption(uint8_t usage,
				     const struct mlsc_slice *gid,
				     uint64_t epoch)
{
	return (struct mlsc_psk_id){
		.type = MLSC_PSK_RESUMPTION, .usage = usage,
		.psk_group_id = *gid, .psk_epoch = epoch,
	};
}

TEST_F(reinit_group, joiner_checks)
{
	struct mlsc_group_context gc, old_gc, saved;
	const struct mlsc_keypkg *kps[2];
	struct mlsc_commit_out out = { 0 };
	struct mlsc_extension x;
	struct mlsc_arena arena;
	struct mlsc_reinit_args a;
	struct mlsc_psk_id ids[2];
	struct mlsc_group *old;
	uint64_t last;
	bool branch;
	struct trio t;

	memset(&t, 0, sizeof(t));
	mlsc_arena_init(&arena);
	ASSERT_EQ(0, old_group(self->ctl, &t, 1));
	ASSERT_EQ(0, end_group(&t, 1, 2));
	ASSERT_EQ(0, new_members(&t, 2));
	a = start_args(&t, kps);
	ASSERT_EQ(0, mlsc_reinit_create(self->ctl, t.old[0].g, &a,
					&t.neu[0].g, &out));
	ASSERT_EQ(0, mlsc_commit_merge(t.neu[0].g));
	old = t.old[1].g;
	last = (uint64_t)mlsc_group_epoch(old);
	ASSERT_EQ(0, MLSC_DECODE(old->context, old->context_len, &arena,
				 &old_gc, mlsc_io_group_context));
	ASSERT_EQ(last, old_gc.epoch);

	/* the PSKs: the right reinit PSK alone, then each wrong list */
	ids[0] = resumption(MLS_PSK_USAGE_REINIT, &old_gc.group_id, last);
	EXPECT_EQ(0, mlsc_reinit_psks_check(old, ids, 1, &branch));
	EXPECT_FALSE(branch);
	ids[0].psk_epoch = last - 1;
	EXPECT_EQ(-EPROTO, mlsc_reinit_psks_check(old, ids, 1, &branch));
	ids[0].psk_epoch = last;
	ids[1] = resumption(MLS_PSK_USAGE_REINIT, &old_gc.group_id, last - 1);
	EXPECT_EQ(-EPROTO, mlsc_reinit_psks_check(old, ids, 2, &branch));
	ids[1] = ids[0];
	EXPECT_EQ(-EPROTO, mlsc_reinit_psks_check(old, ids, 2, &branch));
	/* a branch PSK of the old group beside the reinit one, either order */
	ids[1] = resumption(MLS_PSK_USAGE_BRANCH, &old_gc.group_id, last);
	EXPECT_EQ(-EPROTO, mlsc_reinit_psks_check(old, ids, 2, &branch));
	EXPECT_EQ(-EPROTO, mlsc_reinit_psks_check(old, ids + 1, 1, &branch));
	ids[0] = ids[1];
	ids[1] = resumption(MLS_PSK_USAGE_REINIT, &old_gc.group_id, last);
	EXPECT_EQ(-EPROTO, mlsc_reinit_psks_check(old, ids, 2, &branch));
	/* an application PSK beside the reinit one is another matter */
	ids[0] = resumption(MLS_PSK_USAGE_APPLICATION, &old_gc.group_id, last);
	EXPECT_EQ(0, mlsc_reinit_psks_check(old, ids, 2, &branch));

	/* a plain Welcome: one branch PSK, flagged for the epoch check */
	ids[0] = resumption(MLS_PSK_USAGE_BRANCH, &old_gc.group_id, last);
	EXPECT_EQ(0, mlsc_reinit_psks_check(NULL, ids, 1, &branch));
	EXPECT_TRUE(branch);
	ids[1] = resumption(MLS_PSK_USAGE_BRANCH, &old_gc.group_id, last - 1);
	EXPECT_EQ(-EPROTO, mlsc_reinit_psks_check(NULL, ids, 2, &branch));
	ids[1] = resumption(MLS_PSK_USAGE_REINIT, &old_gc.group_id, last);
	EXPECT_EQ(-EPROTO, mlsc_reinit_psks_check(NULL, ids, 2, &branch));
	EXPECT_EQ(-EPROTO, mlsc_reinit_psks_check(NULL, ids + 1, 1, &branch));
	ids[0] = resumption(MLS_PSK_USAGE_APPLICATION, &old_gc.group_id, last);
	EXPECT_EQ(0, mlsc_reinit_psks_check(NULL, ids, 1, &branch));
	EXPECT_FALSE(branch);

	/* the GroupContext: the new group's in epoch 1, then each change */
	ASSERT_EQ(0, MLSC_DECODE(t.neu[0].g->context, t.neu[0].g->context_len,
				 &arena, &gc, mlsc_io_group_context));
	ASSERT_EQ(1, gc.epoch);
	ASSERT_EQ(1, gc.extensions.n);
	saved = gc;
	x = gc.extensions.v[0];
	gc.extensions.v = &x;
	EXPECT_EQ(0, mlsc_reinit_context_check(old, &gc));
	gc.epoch = 2;
	EXPECT_EQ(-EPROTO, mlsc_reinit_context_check(old, &gc));
	gc.epoch = 1;
	gc.cipher_suite = 3;
	EXPECT_EQ(-EPROTO, mlsc_reinit_context_check(old, &gc));
	gc.cipher_suite = saved.cipher_suite;
	gc.version = 2;
	EXPECT_EQ(-EPROTO, mlsc_reinit_context_check(old, &gc));
	gc.version = saved.version;
	x.type ^= 1;
	EXPECT_EQ(-EPROTO, mlsc_reinit_context_check(old, &gc));
	x.type ^= 1;
	x.data.len = 0;
	EXPECT_EQ(-EPROTO, mlsc_reinit_context_check(old, &gc));
	x.data = saved.extensions.v[0].data;
	gc.extensions.n = 0;
	EXPECT_EQ(-EPROTO, mlsc_reinit_context_check(old, &gc));
	gc.extensions.n = 1;
	gc.group_id.len--;
	EXPECT_EQ(-EPROTO, mlsc_reinit_context_check(old, &gc));
	gc.group_id.len++;
	EXPECT_EQ(0, mlsc_reinit_context_check(old, &gc));

	mlsc_arena_free(&arena);
	mlsc_commit_out_free(&out);
	trio_free(&t);
}

TEST_HARNESS_MAIN
