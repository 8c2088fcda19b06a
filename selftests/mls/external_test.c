// SPDX-License-Identifier: GPL-2.0
/*
 * External commits through the module (RFC 9420 §8.3, §12.4.3.2):
 *
 *  - MLS_IOC_EXTERNAL_PUB of every epoch of every case of
 *    key-schedule.json equals the vector's external_pub, for the suites
 *    whose KEM the kernel has (1, 2, 3, 7); the others get EOPNOTSUPP;
 *  - a joiner's external commit (HPKE in userspace, hpke_user.c) followed
 *    by a kernel-backed member (MLS_COMMIT_F_EXTERNAL_INIT) reaches the
 *    same epoch_authenticator, through prepare + merge and one-shot;
 *  - the bad arguments of both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mls.h>

#include "hpke_user.h"
#include "vectors.h"

#include "kselftest_harness.h"

static bool kernel_kem(unsigned int suite)
{
	return suite == 1 || suite == 2 || suite == 3 || suite == 7;
}

static void set_buf(struct mls_buf *b, const void *p, size_t len)
{
	b->addr = (uintptr_t)p;
	b->len = (__u32)len;
	b->reserved = 0;
}

struct ks {
	unsigned int suite;
	struct bytes gid, init;
};

/* A group FROM_INPUTS at epoch @epoch of a key-schedule case. */
static int ks_group(int dev, unsigned int suite, const struct bytes *gid,
		    const uint8_t *init, size_t nh, json_t *ep, uint64_t epoch)
{
	struct bytes commit = { 0 }, psk = { 0 }, th = { 0 }, cth = { 0 };
	struct mls_group_new n;
	int fd = -EINVAL;

	if (vec_get_hex(ep, "commit_secret", &commit) ||
	    vec_get_hex(ep, "psk_secret", &psk) ||
	    vec_get_hex(ep, "tree_hash", &th) ||
	    vec_get_hex(ep, "confirmed_transcript_hash", &cth))
		goto out;
	memset(&n, 0, sizeof(n));
	n.flags = MLS_GROUP_F_FROM_INPUTS | MLS_GROUP_F_EPHEMERAL;
	n.suite = (__u16)suite;
	set_buf(&n.group_id, gid->data, gid->len);
	set_buf(&n.init_secret, init, nh);
	set_buf(&n.commit_secret, commit.data, commit.len);
	set_buf(&n.psk_secret, psk.data, psk.len);
	n.context.epoch = epoch;
	set_buf(&n.context.tree_hash, th.data, th.len);
	set_buf(&n.context.confirmed_transcript_hash, cth.data, cth.len);
	n.roster.leaf_count = 1;
	fd = ioctl(dev, MLS_IOC_GROUP_CREATE, &n);
	if (fd < 0)
		fd = -errno;
out:
	bytes_free(&commit);
	bytes_free(&psk);
	bytes_free(&th);
	bytes_free(&cth);
	return fd;
}

static int external_pub(int fd, uint32_t flags, uint8_t *pub, size_t *len,
			uint64_t *epoch)
{
	struct mls_external_pub x;

	memset(&x, 0, sizeof(x));
	x.flags = flags;
	set_buf(&x.pub, pub, *len);
	if (ioctl(fd, MLS_IOC_EXTERNAL_PUB, &x))
		return -errno;
	*len = x.pub.len;
	if (epoch)
		*epoch = x.epoch;
	return 0;
}

/*
 * Every case and every epoch of key-schedule.json: the group at that
 * epoch is made from the previous epoch's init_secret (the vector's chain,
 * from initial_init_secret), and its external_pub must be the vector's.
 */
TEST(key_schedule_external_pub)
{
	json_t *root = vec_load("key-schedule.json"), *c, *ep;
	unsigned int cases = 0, epochs = 0, unsupported = 0;
	int dev = open("/dev/mls", O_RDWR);
	size_t i, j;

	ASSERT_NE(NULL, root);
	ASSERT_LE(0, dev);
	ASSERT_LT(0, json_array_size(root)) TH_LOG("key-schedule.json lists no case");
	json_array_foreach(root, i, c) {
		json_int_t suite = json_integer_value(json_object_get(c, "cipher_suite"));
		const struct vec_suite *cs = vec_suite((unsigned int)suite);
		struct bytes gid = { 0 }, init = { 0 };
		uint8_t prev[VEC_MAX_HASH];

		ASSERT_NE(NULL, cs) TH_LOG("case %zu: suite %lld", i, (long long)suite);
		ASSERT_EQ(0, vec_get_hex(c, "group_id", &gid));
		ASSERT_EQ(0, vec_get_hex(c, "initial_init_secret", &init));
		ASSERT_EQ(cs->nh, init.len);
		memcpy(prev, init.data, cs->nh);
		ASSERT_LT(0, json_array_size(json_object_get(c, "epochs")))
			TH_LOG("case %zu lists no epoch", i);
		json_array_foreach(json_object_get(c, "epochs"), j, ep) {
			struct bytes want = { 0 }, next = { 0 };
			uint8_t pub[HPKE_MAX_ENC + 64];
			size_t len = sizeof(pub);
			uint64_t got_epoch = ~0ULL;
			int fd, r;

			fd = ks_group(dev, cs->id, &gid, prev, cs->nh, ep, j);
			ASSERT_LE(0, fd) TH_LOG("case %zu epoch %zu: create: %s", i, j,
						strerror(-fd));
			ASSERT_EQ(0, vec_get_hex(ep, "external_pub", &want));
			ASSERT_EQ(0, vec_get_hex(ep, "init_secret", &next));
			r = external_pub(fd, 0, pub, &len, &got_epoch);
			if (kernel_kem(cs->id)) {
				ASSERT_EQ(0, r) TH_LOG("case %zu (suite %u) epoch %zu: %s",
						       i, cs->id, j, strerror(-r));
				EXPECT_EQ(j, got_epoch);
				EXPECT_EQ(want.len, len);
				EXPECT_EQ(0, memcmp(want.data, pub, want.len))
					TH_LOG("case %zu (suite %u) epoch %zu: external_pub differs",
					       i, cs->id, j);
			} else {
				/* Documented: X448 and P-521 are not in the kernel. */
				EXPECT_EQ(-EOPNOTSUPP, r) TH_LOG("suite %u", cs->id);
				unsupported++;
			}
			ASSERT_EQ(cs->nh, next.len);
			memcpy(prev, next.data, cs->nh);
			close(fd);
			bytes_free(&want);
			bytes_free(&next);
			epochs++;
		}
		bytes_free(&gid);
		bytes_free(&init);
		cases++;
	}
	ksft_print_msg("key-schedule.json: %u cases, %u epochs (%u in suites without a kernel KEM: EOPNOTSUPP)\n",
		       cases, epochs, unsupported);
	json_decref(root);
	close(dev);
}

FIXTURE(ext) {
	int dev;
	uint8_t gid[16], init[VEC_MAX_HASH], commit[VEC_MAX_HASH];
	uint8_t th[VEC_MAX_HASH], cth[VEC_MAX_HASH];
};

FIXTURE_VARIANT(ext) {
	unsigned int suite;
};

FIXTURE_VARIANT_ADD(ext, suite1) { .suite = 1 };
FIXTURE_VARIANT_ADD(ext, suite2) { .suite = 2 };
FIXTURE_VARIANT_ADD(ext, suite3) { .suite = 3 };
FIXTURE_VARIANT_ADD(ext, suite7) { .suite = 7 };

FIXTURE_SETUP(ext)
{
	int fd = open("/dev/urandom", O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(self->gid), read(fd, self->gid, sizeof(self->gid)));
	ASSERT_EQ(sizeof(self->init), read(fd, self->init, sizeof(self->init)));
	ASSERT_EQ(sizeof(self->commit), read(fd, self->commit, sizeof(self->commit)));
	ASSERT_EQ(sizeof(self->th), read(fd, self->th, sizeof(self->th)));
	ASSERT_EQ(sizeof(self->cth), read(fd, self->cth, sizeof(self->cth)));
	close(fd);
	self->dev = open("/dev/mls", O_RDWR);
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(ext)
{
	close(self->dev);
}

static void ext_new(FIXTURE_DATA(ext) *self, unsigned int suite,
		    const uint8_t *init, uint64_t epoch, struct mls_group_new *n)
{
	size_t nh = vec_suite(suite)->nh;

	memset(n, 0, sizeof(*n));
	n->flags = MLS_GROUP_F_FROM_INPUTS | MLS_GROUP_F_EPHEMERAL;
	n->suite = (__u16)suite;
	set_buf(&n->group_id, self->gid, sizeof(self->gid));
	set_buf(&n->init_secret, init, nh);
	set_buf(&n->commit_secret, self->commit, nh);
	n->context.epoch = epoch;
	set_buf(&n->context.tree_hash, self->th, nh);
	set_buf(&n->context.confirmed_transcript_hash, self->cth, nh);
	n->roster.leaf_count = 1;
}

static void ext_commit(FIXTURE_DATA(ext) *self, unsigned int suite,
		       const uint8_t *kem, size_t kem_len, struct mls_commit *c)
{
	size_t nh = vec_suite(suite)->nh;

	memset(c, 0, sizeof(*c));
	c->flags = MLS_COMMIT_F_EXTERNAL_INIT;
	set_buf(&c->commit_secret, self->commit, nh);
	set_buf(&c->kem_output, kem, kem_len);
	c->context.epoch = 6;
	set_buf(&c->context.tree_hash, self->th, nh);
	set_buf(&c->context.confirmed_transcript_hash, self->cth, nh);
	c->roster.own_leaf = 0;
	c->roster.leaf_count = 2;
}

static int authenticator(int fd, uint8_t *out, uint64_t *epoch)
{
	struct mls_authenticator a;

	memset(&a, 0, sizeof(a));
	set_buf(&a.authenticator, out, VEC_MAX_HASH);
	if (ioctl(fd, MLS_IOC_EPOCH_AUTHENTICATOR, &a))
		return -errno;
	*epoch = a.epoch;
	return (int)a.authenticator.len;
}

/*
 * The member is at epoch 5; the joiner encapsulates to its external_pub
 * and makes epoch 6 from the exported init_secret; the member follows with
 * EXTERNAL_INIT (prepare + merge, then again one-shot from a fresh member).
 */
TEST_F(ext, joiner_and_member_agree)
{
	unsigned int suite = variant->suite;
	size_t nh = vec_suite(suite)->nh;
	uint8_t pub[HPKE_MAX_ENC], kem[HPKE_MAX_ENC], init[HPKE_MAX_SECRET];
	uint8_t a1[VEC_MAX_HASH], a2[VEC_MAX_HASH];
	size_t pub_len = sizeof(pub), kem_len = sizeof(kem);
	struct mls_commit_pending m;
	struct mls_group_new n;
	struct mls_commit c;
	int member, joiner, l1, l2, round;
	uint64_t e1, e2;

	for (round = 0; round < 2; round++) {
		ext_new(self, suite, self->init, 5, &n);
		member = ioctl(self->dev, MLS_IOC_GROUP_CREATE, &n);
		ASSERT_LE(0, member) TH_LOG("create: %s", strerror(errno));
		pub_len = sizeof(pub);
		ASSERT_EQ(0, external_pub(member, 0, pub, &pub_len, &e1));
		EXPECT_EQ(5, e1);
		kem_len = sizeof(kem);
		ASSERT_EQ(0, hpke_encap_export(suite, pub, pub_len, kem, &kem_len, init));

		ext_new(self, suite, init, 6, &n);
		n.roster.own_leaf = 1;
		n.roster.leaf_count = 2;
		joiner = ioctl(self->dev, MLS_IOC_GROUP_CREATE, &n);
		ASSERT_LE(0, joiner) TH_LOG("joiner: %s", strerror(errno));

		ext_commit(self, suite, kem, kem_len, &c);
		if (round == 0) {
			ASSERT_EQ(0, ioctl(member, MLS_IOC_COMMIT_PREPARE, &c))
				TH_LOG("prepare: %s", strerror(errno));
			/* The pending epoch has its own external key pair. */
			pub_len = sizeof(pub);
			ASSERT_EQ(0, external_pub(member, MLS_EXTERNAL_PUB_F_PENDING,
						  pub, &pub_len, &e1));
			EXPECT_EQ(6, e1);
			memset(&m, 0, sizeof(m));
			m.epoch = 6;
			ASSERT_EQ(0, ioctl(member, MLS_IOC_COMMIT_MERGE, &m))
				TH_LOG("merge: %s", strerror(errno));
		} else {
			ASSERT_EQ(0, ioctl(member, MLS_IOC_COMMIT, &c))
				TH_LOG("commit: %s", strerror(errno));
		}
		l1 = authenticator(member, a1, &e1);
		l2 = authenticator(joiner, a2, &e2);
		ASSERT_EQ((int)nh, l1);
		ASSERT_EQ((int)nh, l2);
		EXPECT_EQ(6, e1);
		EXPECT_EQ(6, e2);
		EXPECT_EQ(0, memcmp(a1, a2, nh)) TH_LOG("round %d: authenticators differ", round);
		/* The new epoch's external_pub agrees too. */
		{
			uint8_t p1[HPKE_MAX_ENC], p2[HPKE_MAX_ENC];
			size_t n1 = sizeof(p1), n2 = sizeof(p2);

			ASSERT_EQ(0, external_pub(member, 0, p1, &n1, NULL));
			ASSERT_EQ(0, external_pub(joiner, 0, p2, &n2, NULL));
			ASSERT_EQ(n1, n2);
			EXPECT_EQ(0, memcmp(p1, p2, n1));
		}
		close(member);
		close(joiner);
	}
}

/* A kem_output that is not the encapsulation to this epoch: no agreement. */
TEST_F(ext, wrong_kem_output)
{
	unsigned int suite = variant->suite;
	size_t nh = vec_suite(suite)->nh;
	uint8_t pub[HPKE_MAX_ENC], kem[HPKE_MAX_ENC], init[HPKE_MAX_SECRET];
	uint8_t a1[VEC_MAX_HASH], a2[VEC_MAX_HASH];
	size_t pub_len = sizeof(pub), kem_len = sizeof(kem);
	struct mls_group_new n;
	struct mls_commit c;
	int member, joiner, other;
	uint64_t e;

	ext_new(self, suite, self->init, 5, &n);
	member = ioctl(self->dev, MLS_IOC_GROUP_CREATE, &n);
	ASSERT_LE(0, member);
	/* Encapsulated to another group's key. */
	memset(self->init, 0x5a, nh);
	ext_new(self, suite, self->init, 5, &n);
	other = ioctl(self->dev, MLS_IOC_GROUP_CREATE, &n);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, external_pub(other, 0, pub, &pub_len, NULL));
	ASSERT_EQ(0, hpke_encap_export(suite, pub, pub_len, kem, &kem_len, init));
	ext_new(self, suite, init, 6, &n);
	n.roster.own_leaf = 1;
	n.roster.leaf_count = 2;
	joiner = ioctl(self->dev, MLS_IOC_GROUP_CREATE, &n);
	ASSERT_LE(0, joiner);
	ext_commit(self, suite, kem, kem_len, &c);
	ASSERT_EQ(0, ioctl(member, MLS_IOC_COMMIT, &c));
	ASSERT_EQ((int)nh, authenticator(member, a1, &e));
	ASSERT_EQ((int)nh, authenticator(joiner, a2, &e));
	EXPECT_NE(0, memcmp(a1, a2, nh));
	close(member);
	close(other);
	close(joiner);
}

/* Bad arguments of EXTERNAL_PUB and EXTERNAL_INIT; nothing changes. */
TEST_F(ext, bad_arguments)
{
	unsigned int suite = variant->suite;
	size_t nh = vec_suite(suite)->nh;
	uint8_t pub[HPKE_MAX_ENC], kem[HPKE_MAX_ENC], init[HPKE_MAX_SECRET];
	size_t pub_len = sizeof(pub), kem_len = sizeof(kem), small = 8;
	struct mls_external_pub x;
	struct mls_group_new n;
	struct mls_commit c;
	uint8_t a[VEC_MAX_HASH];
	uint64_t e;
	int member;

	ext_new(self, suite, self->init, 5, &n);
	member = ioctl(self->dev, MLS_IOC_GROUP_CREATE, &n);
	ASSERT_LE(0, member);
	ASSERT_EQ(0, external_pub(member, 0, pub, &pub_len, NULL));
	/* Unknown flag, reserved, a small buffer (len set), bad address. */
	EXPECT_EQ(-EINVAL, external_pub(member, 2, pub, &pub_len, NULL));
	memset(&x, 0, sizeof(x));
	x.reserved0 = 1;
	set_buf(&x.pub, pub, sizeof(pub));
	EXPECT_EQ(-1, ioctl(member, MLS_IOC_EXTERNAL_PUB, &x));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOSPC, external_pub(member, 0, pub, &small, NULL));
	memset(&x, 0, sizeof(x));
	set_buf(&x.pub, pub, 4);
	EXPECT_EQ(-1, ioctl(member, MLS_IOC_EXTERNAL_PUB, &x));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(pub_len, x.pub.len);
	x.pub.addr = 1;
	x.pub.len = sizeof(pub);
	EXPECT_EQ(-1, ioctl(member, MLS_IOC_EXTERNAL_PUB, &x));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing pending. */
	pub_len = sizeof(pub);
	EXPECT_EQ(-ENOENT, external_pub(member, MLS_EXTERNAL_PUB_F_PENDING, pub,
					&pub_len, NULL));

	pub_len = sizeof(pub);
	ASSERT_EQ(0, external_pub(member, 0, pub, &pub_len, NULL));
	ASSERT_EQ(0, hpke_encap_export(suite, pub, pub_len, kem, &kem_len, init));
	/* kem_output without the flag; the flag without kem_output. */
	ext_commit(self, suite, kem, kem_len, &c);
	c.flags = 0;
	EXPECT_EQ(-1, ioctl(member, MLS_IOC_COMMIT, &c));
	EXPECT_EQ(EINVAL, errno);
	ext_commit(self, suite, NULL, 0, &c);
	EXPECT_EQ(-1, ioctl(member, MLS_IOC_COMMIT, &c));
	EXPECT_EQ(EINVAL, errno);
	/* With INSTALL. */
	ext_commit(self, suite, kem, kem_len, &c);
	c.flags |= MLS_COMMIT_F_INSTALL;
	EXPECT_EQ(-1, ioctl(member, MLS_IOC_COMMIT, &c));
	EXPECT_EQ(EINVAL, errno);
	/* Too long, a bad address, not a point on the curve. */
	ext_commit(self, suite, kem, MLS_MAX_KEM_OUTPUT_LEN + 1, &c);
	EXPECT_EQ(-1, ioctl(member, MLS_IOC_COMMIT, &c));
	EXPECT_EQ(EINVAL, errno);
	ext_commit(self, suite, (void *)1, kem_len, &c);
	EXPECT_EQ(-1, ioctl(member, MLS_IOC_COMMIT, &c));
	EXPECT_EQ(EFAULT, errno);
	ext_commit(self, suite, kem, kem_len - 1, &c);
	EXPECT_EQ(-1, ioctl(member, MLS_IOC_COMMIT, &c));
	EXPECT_EQ(EBADMSG, errno);
	if (suite == 2 || suite == 7) {
		uint8_t bad[HPKE_MAX_ENC];

		memcpy(bad, kem, kem_len);
		bad[kem_len - 1] ^= 1;	/* off the curve */
		ext_commit(self, suite, bad, kem_len, &c);
		EXPECT_EQ(-1, ioctl(member, MLS_IOC_COMMIT, &c));
		EXPECT_EQ(EBADMSG, errno);
	}
	/* Still at epoch 5, and the genuine one goes through. */
	ASSERT_EQ((int)nh, authenticator(member, a, &e));
	EXPECT_EQ(5, e);
	ext_commit(self, suite, kem, kem_len, &c);
	EXPECT_EQ(0, ioctl(member, MLS_IOC_COMMIT, &c)) TH_LOG("%s", strerror(errno));
	close(member);
}

/* Suites without a kernel KEM: EOPNOTSUPP for both, documented. */
TEST(unsupported_suites)
{
	static const unsigned int suites[] = { 4, 5, 6 };
	int dev = open("/dev/mls", O_RDWR);
	uint8_t gid[4] = "ext", init[64] = { 1 }, kem[133] = { 4 };
	unsigned int i;

	ASSERT_LE(0, dev);
	for (i = 0; i < 3; i++) {
		size_t nh = vec_suite(suites[i])->nh;
		struct mls_group_new n;
		struct mls_commit c;
		uint8_t pub[256];
		size_t len = sizeof(pub);
		int fd;

		memset(&n, 0, sizeof(n));
		n.flags = MLS_GROUP_F_FROM_INPUTS | MLS_GROUP_F_EPHEMERAL;
		n.suite = (__u16)suites[i];
		set_buf(&n.group_id, gid, sizeof(gid));
		set_buf(&n.init_secret, init, nh);
		n.roster.leaf_count = 1;
		fd = ioctl(dev, MLS_IOC_GROUP_CREATE, &n);
		ASSERT_LE(0, fd);
		EXPECT_EQ(-EOPNOTSUPP, external_pub(fd, 0, pub, &len, NULL));
		memset(&c, 0, sizeof(c));
		c.flags = MLS_COMMIT_F_EXTERNAL_INIT;
		set_buf(&c.kem_output, kem, sizeof(kem));
		c.context.epoch = 1;
		c.roster.leaf_count = 1;
		EXPECT_EQ(-1, ioctl(fd, MLS_IOC_COMMIT, &c));
		EXPECT_EQ(EOPNOTSUPP, errno);
		close(fd);
	}
	close(dev);
}

TEST_HARNESS_MAIN
