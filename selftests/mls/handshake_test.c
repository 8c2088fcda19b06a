// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel half of the handshake, through the uapi only:
 *
 *  vectors.*     key-schedule.json: every epoch of every case, created from
 *                its inputs: the confirmation tag over the vector's
 *                confirmed_transcript_hash is HMAC(confirmation_key), the
 *                membership tag HMAC(membership_key), the verify forms take
 *                them and refuse each one-bit change; psk_secret.json:
 *                a PSK list keys a group (create and join) as the vector's
 *                raw psk_secret does
 *  resumption.*  resumption PSKs by group fd and kernel id, their errors,
 *                and the staged join of a Welcome that needs one
 *  pending.*     prepare, merge, discard, their rules (EBUSY, ESTALE,
 *                ETIMEDOUT), the pending confirmation tag, a failed copy
 *                back, and a thread stress
 *
 * The expected values come from the vectors or from the userspace key
 * schedule of group_util.h (itself checked against the vectors by
 * vectors_test).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mls.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "group_util.h"
#include "vectors.h"

/* ------------------------------------------------------------ helpers */

/* A tag call: the tag's length (compute) or 0 (verify), or -errno. */
static int tag_call(int fd, unsigned long cmd, __u32 flags, __u64 *epoch,
		    const void *data, size_t dlen, void *tag, size_t tlen)
{
	struct mls_tag t;
	int r;

	memset(&t, 0, sizeof(t));
	t.flags = flags;
	t.epoch = epoch ? *epoch : 0;
	mbuf(&t.data, data, dlen);
	mbuf(&t.tag, tag, tlen);
	r = xioctl(fd, cmd, &t);
	if (r < 0)
		return r;
	if (epoch)
		*epoch = t.epoch;
	return (flags & MLS_TAG_F_VERIFY) ? 0 : (int)t.tag.len;
}

static int conf_tag(int fd, __u32 flags, void *tag, size_t len)
{
	return tag_call(fd, MLS_IOC_CONFIRMATION_TAG, flags, NULL, NULL, 0, tag, len);
}

static int memb_tag(int fd, __u32 flags, const void *data, size_t dlen, void *tag, size_t len)
{
	return tag_call(fd, MLS_IOC_MEMBERSHIP_TAG, flags, NULL, data, dlen, tag, len);
}

static int us_hmac(unsigned int suite, const uint8_t *key, const void *data, size_t len,
		   uint8_t *out)
{
	unsigned int olen = 0;

	if (!HMAC(suite_md(suite), key, (int)suite_nh(suite), data, len, out, &olen))
		return -1;
	return olen == suite_nh(suite) ? 0 : -1;
}

/* MERGE or DISCARD naming @epoch. */
static int pend_op(int fd, unsigned long cmd, __u64 epoch)
{
	struct mls_commit_pending a = { .flags = 0, .reserved0 = 0, .epoch = epoch };

	return xioctl(fd, cmd, &a);
}

/* Each one-bit change of @tag (every bit of the bytes @from..@to) is refused. */
static int flips_refused(int fd, unsigned long cmd, __u32 flags, __u64 epoch,
			 const void *data, size_t dlen, const uint8_t *tag, size_t nh,
			 size_t from, size_t to, int *bad_errno)
{
	uint8_t t[MLS_MAX_HASH_LEN];
	size_t i;
	int b, n = 0;

	for (i = from; i < to && i < nh; i++) {
		for (b = 0; b < 8; b++) {
			__u64 e = epoch;
			int r;

			memcpy(t, tag, nh);
			t[i] ^= (uint8_t)(1u << b);
			r = tag_call(fd, cmd, flags | MLS_TAG_F_VERIFY, &e, data, dlen, t, nh);
			if (r != -EBADMSG) {
				*bad_errno = r;
				return -1;
			}
			n++;
		}
	}
	return n;
}

/* --------------------------------------------- userspace psk_secret (§8.4) */

struct us_psk {
	uint8_t id[2048];	/* the encoded PreSharedKeyID */
	size_t id_len;
	const uint8_t *psk;
	size_t psk_len;
};

static void us_psk_external(struct us_psk *u, const uint8_t *id, size_t id_len,
			    const uint8_t *psk, size_t psk_len,
			    const uint8_t *nonce, size_t nonce_len)
{
	size_t n = 0;

	u->id[n++] = MLS_PSK_EXTERNAL;
	n += put_vec(u->id + n, id, id_len);
	n += put_vec(u->id + n, nonce, nonce_len);
	u->id_len = n;
	u->psk = psk;
	u->psk_len = psk_len;
}

static void us_psk_resumption(struct us_psk *u, uint8_t usage, const uint8_t *gid,
			      size_t gid_len, uint64_t epoch, const uint8_t *psk,
			      size_t nh, const uint8_t *nonce)
{
	size_t n = 0;
	int i;

	u->id[n++] = MLS_PSK_RESUMPTION;
	u->id[n++] = usage;
	n += put_vec(u->id + n, gid, gid_len);
	for (i = 7; i >= 0; i--)
		u->id[n++] = (uint8_t)(epoch >> (8 * i));
	n += put_vec(u->id + n, nonce, nh);
	u->id_len = n;
	u->psk = psk;
	u->psk_len = nh;
}

static int us_psk_secret(unsigned int suite, const struct us_psk *v, size_t count,
			 uint8_t *out)
{
	unsigned int nh = suite_nh(suite);
	uint8_t ext[MLS_MAX_HASH_LEN], input[MLS_MAX_HASH_LEN], next[MLS_MAX_HASH_LEN];
	uint8_t label[2048 + 4];
	size_t i;

	memset(out, 0, nh);
	for (i = 0; i < count; i++) {
		size_t n = v[i].id_len;

		memcpy(label, v[i].id, n);
		label[n++] = (uint8_t)(i >> 8);
		label[n++] = (uint8_t)i;
		label[n++] = (uint8_t)(count >> 8);
		label[n++] = (uint8_t)count;
		if (hkdf_extract(suite, NULL, 0, v[i].psk, v[i].psk_len, ext) ||
		    expand_with_label(suite, ext, "derived psk", label, n, input, nh) ||
		    hkdf_extract(suite, input, nh, out, nh, next))
			return -1;
		memcpy(out, next, nh);
	}
	return 0;
}

static void psk_res(struct mls_psk *k, __u32 group, __u16 flags, __u64 epoch,
		    const uint8_t *nonce, size_t nlen)
{
	memset(k, 0, sizeof(*k));
	k->type = MLS_PSK_RESUMPTION;
	k->usage = MLS_PSK_USAGE_APPLICATION;
	k->flags = flags;
	k->group = group;
	k->epoch = epoch;
	mbuf(&k->nonce, nonce, nlen);
}

static void psk_list(struct mls_psk_list *l, const struct mls_psk *k, __u32 count)
{
	l->addr = count ? U64(k) : 0;
	l->count = count;
	l->reserved = 0;
}

/* ====================================================================== */
/* key-schedule.json: tags                                                 */
/* ====================================================================== */

struct ks_ep {
	struct bytes commit, psk, th, cth, init, conf, memb, auth, exp_ctx, exp;
	const char *exp_label;
	uint64_t exp_len;
};

static void ks_ep_free(struct ks_ep *k)
{
	bytes_free(&k->commit);
	bytes_free(&k->psk);
	bytes_free(&k->th);
	bytes_free(&k->cth);
	bytes_free(&k->init);
	bytes_free(&k->conf);
	bytes_free(&k->memb);
	bytes_free(&k->auth);
	bytes_free(&k->exp_ctx);
	bytes_free(&k->exp);
}

static int ks_ep_load(json_t *ep, struct ks_ep *k)
{
	json_t *ex = json_object_get(ep, "exporter");

	memset(k, 0, sizeof(*k));
	if (!ex || vec_get_hex(ep, "commit_secret", &k->commit) ||
	    vec_get_hex(ep, "psk_secret", &k->psk) ||
	    vec_get_hex(ep, "tree_hash", &k->th) ||
	    vec_get_hex(ep, "confirmed_transcript_hash", &k->cth) ||
	    vec_get_hex(ep, "init_secret", &k->init) ||
	    vec_get_hex(ep, "confirmation_key", &k->conf) ||
	    vec_get_hex(ep, "membership_key", &k->memb) ||
	    vec_get_hex(ep, "epoch_authenticator", &k->auth) ||
	    vec_get_hex(ex, "context", &k->exp_ctx) ||
	    vec_get_hex(ex, "secret", &k->exp) ||
	    vec_get_u64(ex, "length", &k->exp_len))
		return -1;
	k->exp_label = vec_get_str(ex, "label");
	return k->exp_label ? 0 : -1;
}

/* Epoch @epoch of a key-schedule case, created from its inputs. */
static int ks_group(int ctl, unsigned int suite, const struct bytes *gid,
		    const struct bytes *init, const struct ks_ep *k, uint64_t epoch)
{
	struct mls_group_new n;

	memset(&n, 0, sizeof(n));
	n.flags = MLS_GROUP_F_FROM_INPUTS | MLS_GROUP_F_EPHEMERAL;
	n.suite = (__u16)suite;
	mbuf(&n.group_id, gid->data, gid->len);
	mbuf(&n.init_secret, init->data, init->len);
	mbuf(&n.commit_secret, k->commit.data, k->commit.len);
	mbuf(&n.psk_secret, k->psk.data, k->psk.len);
	n.context.epoch = epoch;
	mbuf(&n.context.tree_hash, k->th.data, k->th.len);
	mbuf(&n.context.confirmed_transcript_hash, k->cth.data, k->cth.len);
	n.roster.own_leaf = 0;
	n.roster.leaf_count = 1;
	return grp_create(ctl, &n);
}

static void ks_check(struct __test_metadata *_metadata, int fd, unsigned int suite,
		     const struct ks_ep *k, size_t c, size_t i)
{
	static const size_t lens[] = { 1, 31, 64, 1000, 4096 };
	unsigned int nh = suite_nh(suite);
	uint8_t want[MLS_MAX_HASH_LEN], got[MLS_MAX_HASH_LEN], out[MLS_MAX_EXPORTER_LEN];
	static uint8_t data[4096];
	__u64 ep;
	size_t l;
	int r, bad = 0;

	ASSERT_EQ(nh, k->conf.len);
	ASSERT_EQ(nh, k->memb.len);

	/* Sanity: the group is the vector's epoch. */
	ASSERT_EQ((int)nh, grp_authenticator(fd, got, sizeof(got), &ep));
	EXPECT_EQ(i, ep);
	EXPECT_EQ(0, memcmp(got, k->auth.data, nh))
		TH_LOG("case %zu epoch %zu: epoch_authenticator", c, i);
	ASSERT_GE(sizeof(out), k->exp_len);
	ASSERT_EQ(0, grp_exporter(fd, k->exp_label, k->exp_ctx.data, k->exp_ctx.len, out,
				  k->exp_len));
	EXPECT_EQ(0, memcmp(out, k->exp.data, k->exp_len))
		TH_LOG("case %zu epoch %zu: exporter", c, i);

	/* confirmation_tag = HMAC(confirmation_key, confirmed_transcript_hash) */
	ASSERT_EQ(0, us_hmac(suite, k->conf.data, k->cth.data, k->cth.len, want));
	memset(got, 0, sizeof(got));
	ep = ~0ULL;
	r = tag_call(fd, MLS_IOC_CONFIRMATION_TAG, 0, &ep, NULL, 0, got, sizeof(got));
	ASSERT_EQ((int)nh, r) TH_LOG("case %zu epoch %zu: CONFIRMATION_TAG: %d", c, i, r);
	EXPECT_EQ(i, ep);
	EXPECT_EQ(0, memcmp(got, want, nh)) TH_LOG("case %zu epoch %zu: confirmation tag", c, i);
	EXPECT_EQ(0, conf_tag(fd, MLS_TAG_F_VERIFY, want, nh));
	EXPECT_EQ(-EBADMSG, conf_tag(fd, MLS_TAG_F_VERIFY, want, nh - 1));
	EXPECT_EQ((int)nh * 8, flips_refused(fd, MLS_IOC_CONFIRMATION_TAG, 0, 0, NULL, 0, want,
					     nh, 0, nh, &bad))
		TH_LOG("case %zu epoch %zu: a flipped confirmation tag gave %d", c, i, bad);

	/* membership_tag = HMAC(membership_key, bytes), several lengths */
	for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		rand_bytes(data, lens[l]);
		ASSERT_EQ(0, us_hmac(suite, k->memb.data, data, lens[l], want));
		memset(got, 0, sizeof(got));
		ASSERT_EQ((int)nh, memb_tag(fd, 0, data, lens[l], got, sizeof(got)))
			TH_LOG("case %zu epoch %zu: MEMBERSHIP_TAG of %zu bytes", c, i, lens[l]);
		EXPECT_EQ(0, memcmp(got, want, nh))
			TH_LOG("case %zu epoch %zu: membership tag of %zu bytes", c, i, lens[l]);
		/* The epoch named explicitly: the same. */
		ep = i;
		memset(got, 0, sizeof(got));
		EXPECT_EQ((int)nh, tag_call(fd, MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_F_EPOCH, &ep,
					    data, lens[l], got, sizeof(got)));
		EXPECT_EQ(0, memcmp(got, want, nh));
		EXPECT_EQ(0, memb_tag(fd, MLS_TAG_F_VERIFY, data, lens[l], want, nh));
		/* Every bit for one length, the first and last byte for the others. */
		if (l == 2) {
			EXPECT_EQ((int)nh * 8, flips_refused(fd, MLS_IOC_MEMBERSHIP_TAG, 0, 0, data,
							     lens[l], want, nh, 0, nh, &bad))
				TH_LOG("case %zu epoch %zu: flipped membership tag gave %d", c, i,
				       bad);
		} else {
			EXPECT_EQ(8, flips_refused(fd, MLS_IOC_MEMBERSHIP_TAG, 0, 0, data, lens[l],
						   want, nh, 0, 1, &bad));
			EXPECT_EQ(8, flips_refused(fd, MLS_IOC_MEMBERSHIP_TAG, 0, 0, data, lens[l],
						   want, nh, nh - 1, nh, &bad));
		}
		/* A one-bit change of the data: the tag no longer verifies. */
		data[lens[l] - 1] ^= 1;
		EXPECT_EQ(-EBADMSG, memb_tag(fd, MLS_TAG_F_VERIFY, data, lens[l], want, nh));
	}
}

TEST(vectors_key_schedule_tags)
{
	json_t *root = vec_load("key-schedule.json"), *e, *eps, *ep;
	size_t c, i, cases = 0, epochs = 0;
	int ctl = ctl_open();

	ASSERT_NE(NULL, root);
	ASSERT_LE(0, ctl);
	ASSERT_LT(0, json_array_size(root));
	json_array_foreach(root, c, e) {
		struct bytes gid = { 0 }, init0 = { 0 };
		struct ks_ep prev, cur;
		uint64_t suite = 0;

		ASSERT_EQ(0, vec_get_u64(e, "cipher_suite", &suite));
		ASSERT_NE(0, suite_nh((unsigned int)suite)) TH_LOG("case %zu: suite %llu", c,
								   (unsigned long long)suite);
		ASSERT_EQ(0, vec_get_hex(e, "group_id", &gid));
		ASSERT_EQ(0, vec_get_hex(e, "initial_init_secret", &init0));
		eps = json_object_get(e, "epochs");
		ASSERT_LT(0, json_array_size(eps)) TH_LOG("case %zu has no epoch", c);
		memset(&prev, 0, sizeof(prev));
		json_array_foreach(eps, i, ep) {
			const struct bytes *init = i ? &prev.init : &init0;
			int fd;

			ASSERT_EQ(0, ks_ep_load(ep, &cur)) TH_LOG("case %zu epoch %zu", c, i);
			fd = ks_group(ctl, (unsigned int)suite, &gid, init, &cur, i);
			ASSERT_LE(0, fd) TH_LOG("case %zu (suite %llu) epoch %zu: create: %s", c,
						(unsigned long long)suite, i, strerror(-fd));
			ks_check(_metadata, fd, (unsigned int)suite, &cur, c, i);
			close(fd);
			ks_ep_free(&prev);
			prev = cur;
			epochs++;
		}
		ks_ep_free(&prev);
		bytes_free(&gid);
		bytes_free(&init0);
		cases++;
	}
	ksft_print_msg("key-schedule.json: %zu cases, %zu epochs: tags checked\n", cases, epochs);
	EXPECT_EQ(json_array_size(root), cases);
	json_decref(root);
	close(ctl);
}

/* ====================================================================== */
/* psk_secret.json                                                          */
/* ====================================================================== */

#define VEC_MAX_PSKS	MLS_MAX_PSKS

struct vpsk {
	struct bytes id, psk, nonce;
};

TEST(vectors_psk_secret)
{
	json_t *root = vec_load("psk_secret.json"), *e, *arr, *pe;
	static struct vpsk v[VEC_MAX_PSKS];
	static struct mls_psk k[VEC_MAX_PSKS];
	static struct us_psk u[VEC_MAX_PSKS];
	size_t c, i, cases = 0, psks = 0;
	int ctl = ctl_open();

	ASSERT_NE(NULL, root);
	ASSERT_LE(0, ctl);
	ASSERT_LT(0, json_array_size(root));
	json_array_foreach(root, c, e) {
		uint8_t a1[MLS_MAX_HASH_LEN], a2[MLS_MAX_HASH_LEN], us[MLS_MAX_HASH_LEN];
		uint8_t x1[64], x2[64], joiner[MLS_MAX_HASH_LEN];
		struct bytes want = { 0 };
		struct epoch_secrets es;
		struct grp_inputs in;
		struct mls_group_new n;
		uint64_t suite = 0;
		unsigned int nh;
		size_t count;
		int f1, f2, j;

		ASSERT_EQ(0, vec_get_u64(e, "cipher_suite", &suite));
		nh = suite_nh((unsigned int)suite);
		ASSERT_NE(0, nh) TH_LOG("case %zu: suite %llu", c, (unsigned long long)suite);
		ASSERT_EQ(0, vec_get_hex(e, "psk_secret", &want));
		ASSERT_EQ(nh, want.len);
		arr = json_object_get(e, "psks");
		count = json_array_size(arr);
		ASSERT_GE(VEC_MAX_PSKS, count);
		json_array_foreach(arr, i, pe) {
			ASSERT_EQ(0, vec_get_hex(pe, "psk_id", &v[i].id));
			ASSERT_EQ(0, vec_get_hex(pe, "psk", &v[i].psk));
			ASSERT_EQ(0, vec_get_hex(pe, "psk_nonce", &v[i].nonce));
			memset(&k[i], 0, sizeof(k[i]));
			k[i].type = MLS_PSK_EXTERNAL;
			mbuf(&k[i].id, v[i].id.data, v[i].id.len);
			mbuf(&k[i].secret, v[i].psk.data, v[i].psk.len);
			mbuf(&k[i].nonce, v[i].nonce.data, v[i].nonce.len);
			us_psk_external(&u[i], v[i].id.data, v[i].id.len, v[i].psk.data,
					v[i].psk.len, v[i].nonce.data, v[i].nonce.len);
		}
		/* The oracle agrees with the vector (else what follows proves little). */
		ASSERT_EQ(0, us_psk_secret((unsigned int)suite, u, count, us));
		EXPECT_EQ(0, memcmp(us, want.data, nh)) TH_LOG("case %zu: userspace psk_secret", c);

		inputs_random(&in, (unsigned int)suite);
		memcpy(in.psk, want.data, nh);
		ASSERT_EQ(0, key_schedule(&in, in.init, in.commit, in.psk, &es));

		/* CREATE FROM_INPUTS: the list, and the raw psk_secret. */
		new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.psk_secret, NULL, 0);
		psk_list(&n.psks, k, (__u32)count);
		f1 = grp_create(ctl, &n);
		ASSERT_LE(0, f1) TH_LOG("case %zu (%zu psks): create with the list: %s", c, count,
					strerror(-f1));
		new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		f2 = grp_create(ctl, &n);
		ASSERT_LE(0, f2);
		ASSERT_EQ((int)nh, grp_authenticator(f1, a1, sizeof(a1), NULL));
		ASSERT_EQ((int)nh, grp_authenticator(f2, a2, sizeof(a2), NULL));
		EXPECT_EQ(0, memcmp(a1, a2, nh)) TH_LOG("case %zu: epoch_authenticator", c);
		EXPECT_EQ(0, memcmp(a1, es.authentication, nh));
		ASSERT_EQ(0, grp_exporter(f1, "psk vector", "ctx", 3, x1, sizeof(x1)));
		ASSERT_EQ(0, grp_exporter(f2, "psk vector", "ctx", 3, x2, sizeof(x2)));
		EXPECT_EQ(0, memcmp(x1, x2, sizeof(x1))) TH_LOG("case %zu: exporter", c);
		close(f1);
		close(f2);

		/* JOIN: the list, and the raw psk_secret. */
		rand_bytes(joiner, nh);
		new_join(&n, &in, joiner, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		mbuf(&n.psk_secret, NULL, 0);
		psk_list(&n.psks, k, (__u32)count);
		f1 = grp_join(ctl, &n);
		ASSERT_LE(0, f1) TH_LOG("case %zu: join with the list: %s", c, strerror(-f1));
		new_join(&n, &in, joiner, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		f2 = grp_join(ctl, &n);
		ASSERT_LE(0, f2);
		ASSERT_EQ((int)nh, grp_authenticator(f1, a1, sizeof(a1), NULL));
		ASSERT_EQ((int)nh, grp_authenticator(f2, a2, sizeof(a2), NULL));
		EXPECT_EQ(0, memcmp(a1, a2, nh)) TH_LOG("case %zu: joined epoch_authenticator", c);
		ASSERT_EQ(0, grp_exporter(f1, "psk vector", "ctx", 3, x1, sizeof(x1)));
		ASSERT_EQ(0, grp_exporter(f2, "psk vector", "ctx", 3, x2, sizeof(x2)));
		EXPECT_EQ(0, memcmp(x1, x2, sizeof(x1))) TH_LOG("case %zu: joined exporter", c);
		close(f1);
		close(f2);

		for (j = 0; j < (int)count; j++) {
			bytes_free(&v[j].id);
			bytes_free(&v[j].psk);
			bytes_free(&v[j].nonce);
		}
		bytes_free(&want);
		psks += count;
		cases++;
	}
	ksft_print_msg("psk_secret.json: %zu cases (%zu PSKs): list == raw psk_secret\n",
		       cases, psks);
	EXPECT_EQ(json_array_size(root), cases);
	json_decref(root);
	close(ctl);
}

/* ====================================================================== */
/* resumption PSKs                                                          */
/* ====================================================================== */

FIXTURE(hs) {
	struct pair p;
	uint8_t nonce[MLS_MAX_HASH_LEN];
};

FIXTURE_VARIANT(hs) {
	unsigned int suite;
};

FIXTURE_VARIANT_ADD(hs, suite1) { .suite = 1 };
FIXTURE_VARIANT_ADD(hs, suite7) { .suite = 7 };

FIXTURE_SETUP(hs)
{
	ASSERT_EQ(0, pair_make(&self->p, variant->suite));
	rand_bytes(self->nonce, sizeof(self->nonce));
}

FIXTURE_TEARDOWN(hs)
{
	pair_close(&self->p);
}

/* A commit of one member of @p to the next epoch, psk_secret left empty. */
static void psk_commit_arg(const struct pair *p, struct mls_commit *c, __u32 leaf,
			   const uint8_t *cs, const struct mls_psk *k, __u32 count)
{
	struct grp_inputs next;

	pair_commit_arg(p, c, &next, leaf, cs);
	mbuf(&c->psk_secret, NULL, 0);
	psk_list(&c->psks, k, count);
}

/* The secrets of @p's next epoch with @cs and a psk_secret. */
static int next_secrets(const struct pair *p, const uint8_t *cs, const uint8_t *psk,
			struct epoch_secrets *es)
{
	struct grp_inputs next = pair_next(p);

	return key_schedule(&next, p->es.init, cs, psk, es);
}

static int do_prepare(int fd, struct mls_commit *c)
{
	return xioctl(fd, MLS_IOC_COMMIT_PREPARE, c);
}

TEST_F(hs, resumption_round_trip)
{
	struct pair *p = &self->p;
	unsigned int nh = p->nh;
	uint8_t cs[MLS_MAX_HASH_LEN], psk[MLS_MAX_HASH_LEN], aa[64], ab[64];
	struct epoch_secrets with, without;
	struct mls_psk ka, kb;
	struct mls_commit c;
	struct us_psk u;
	int r;

	rand_bytes(cs, nh);
	/* A names its group by fd, B by kernel id: the same PreSharedKeyID. */
	psk_res(&ka, (__u32)p->a, 0, 0, self->nonce, nh);
	psk_res(&kb, p->b_id, MLS_PSK_F_GROUP_KID, 0, self->nonce, nh);
	us_psk_resumption(&u, MLS_PSK_USAGE_APPLICATION, p->in.group_id, p->in.group_id_len, 0,
			  p->es.resumption, nh, self->nonce);
	ASSERT_EQ(0, us_psk_secret(p->suite, &u, 1, psk));
	ASSERT_EQ(0, next_secrets(p, cs, psk, &with));
	ASSERT_EQ(0, next_secrets(p, cs, p->in.psk, &without));

	/* A: prepare and merge; B: the one-shot commit. */
	psk_commit_arg(p, &c, 0, cs, &ka, 1);
	r = do_prepare(p->a, &c);
	ASSERT_EQ(0, r) TH_LOG("PREPARE with a resumption PSK: %s", strerror(-r));
	ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	psk_commit_arg(p, &c, 1, cs, &kb, 1);
	r = grp_commit(p->b, &c);
	ASSERT_EQ(0, r) TH_LOG("COMMIT with a resumption PSK by kernel id: %s", strerror(-r));
	ASSERT_EQ((int)nh, grp_authenticator(p->a, aa, sizeof(aa), NULL));
	ASSERT_EQ((int)nh, grp_authenticator(p->b, ab, sizeof(ab), NULL));
	EXPECT_EQ(0, memcmp(aa, ab, nh));
	EXPECT_EQ(0, memcmp(aa, with.authentication, nh));
	EXPECT_NE(0, memcmp(aa, without.authentication, nh));

	/* Again, naming epoch 0 now that it is a past epoch (still kept). */
	p->in.epoch = 1;
	memcpy(&p->es, &with, sizeof(with));
	psk_res(&ka, (__u32)p->a, 0, 0, self->nonce, nh);
	psk_res(&kb, p->b_id, MLS_PSK_F_GROUP_KID, 0, self->nonce, nh);
	rand_bytes(cs, nh);
	psk_commit_arg(p, &c, 0, cs, &ka, 1);
	ASSERT_EQ(0, grp_commit(p->a, &c));
	psk_commit_arg(p, &c, 1, cs, &kb, 1);
	ASSERT_EQ(0, grp_commit(p->b, &c));
	ASSERT_EQ((int)nh, grp_authenticator(p->a, aa, sizeof(aa), NULL));
	ASSERT_EQ((int)nh, grp_authenticator(p->b, ab, sizeof(ab), NULL));
	EXPECT_EQ(0, memcmp(aa, ab, nh));
	/* Both epochs' resumption PSKs differ: epoch 0's was not epoch 1's. */
	ASSERT_EQ(0, next_secrets(p, cs, psk, &with));
	EXPECT_EQ(0, memcmp(aa, with.authentication, nh));
}

/* PREPARE with one PSK: its result; nothing stays pending on failure. */
static int prep_one(const struct pair *p, const struct mls_psk *k)
{
	uint8_t cs[MLS_MAX_HASH_LEN];
	struct mls_commit c;
	int r;

	rand_bytes(cs, p->nh);
	psk_commit_arg(p, &c, 0, cs, k, 1);
	r = do_prepare(p->a, &c);
	if (r == 0)
		pend_op(p->a, MLS_IOC_COMMIT_DISCARD, p->in.epoch + 1);
	return r;
}

TEST_F(hs, resumption_errors)
{
	struct pair *p = &self->p;
	unsigned int nh = p->nh;
	static struct mls_psk many[MLS_MAX_PSKS + 1];
	struct mls_psk k;
	struct mls_commit c;
	uint8_t cs[MLS_MAX_HASH_LEN];
	int pfd[2], i;

	/* The valid one, as a reference. */
	psk_res(&k, (__u32)p->a, 0, 0, self->nonce, nh);
	EXPECT_EQ(0, prep_one(p, &k));
	psk_res(&k, p->a_id, MLS_PSK_F_GROUP_KID, 0, self->nonce, nh);
	EXPECT_EQ(0, prep_one(p, &k));
	/* Another member's group of the same process, by fd. */
	psk_res(&k, (__u32)p->b, 0, 0, self->nonce, nh);
	EXPECT_EQ(0, prep_one(p, &k));

	/* A future epoch. */
	psk_res(&k, (__u32)p->a, 0, 1, self->nonce, nh);
	EXPECT_EQ(-EAGAIN, prep_one(p, &k));
	psk_res(&k, p->a_id, MLS_PSK_F_GROUP_KID, 1000, self->nonce, nh);
	EXPECT_EQ(-EAGAIN, prep_one(p, &k));
	/* Not a group fd; no fd. */
	psk_res(&k, (__u32)p->ctl, 0, 0, self->nonce, nh);
	EXPECT_EQ(-EBADF, prep_one(p, &k));
	ASSERT_EQ(0, pipe(pfd));
	psk_res(&k, (__u32)pfd[0], 0, 0, self->nonce, nh);
	EXPECT_EQ(-EBADF, prep_one(p, &k));
	close(pfd[0]);
	close(pfd[1]);
	psk_res(&k, 0x7ffffff0u, 0, 0, self->nonce, nh);
	EXPECT_EQ(-EBADF, prep_one(p, &k));
	/* A kernel id that names nothing. */
	psk_res(&k, 0x7ffffff0u, MLS_PSK_F_GROUP_KID, 0, self->nonce, nh);
	EXPECT_EQ(-ENOENT, prep_one(p, &k));

	/* Bad fields. */
	psk_res(&k, (__u32)p->a, 0, 0, self->nonce, nh);
	k.type = 0;
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	k.type = 3;
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	k.type = MLS_PSK_RESUMPTION;
	k.usage = 0;
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	k.usage = MLS_PSK_USAGE_BRANCH + 1;
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	k.usage = MLS_PSK_USAGE_APPLICATION;
	for (i = 1; i < 16; i++) {
		k.flags = (__u16)(1u << i);
		EXPECT_EQ(-EINVAL, prep_one(p, &k)) TH_LOG("flag bit %d", i);
	}
	k.flags = 0;
	mbuf(&k.nonce, self->nonce, nh - 1);
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	mbuf(&k.nonce, self->nonce, nh + 1);
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	mbuf(&k.nonce, NULL, 0);
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	mbuf(&k.nonce, self->nonce, nh);
	mbuf(&k.id, "id", 2);
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	mbuf(&k.id, NULL, 0);
	mbuf(&k.secret, self->nonce, nh);
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	mbuf(&k.secret, NULL, 0);
	k.id.reserved = 1;
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	k.id.reserved = 0;
	/* External PSKs with resumption fields, or without id or secret. */
	memset(&k, 0, sizeof(k));
	k.type = MLS_PSK_EXTERNAL;
	mbuf(&k.id, "id", 2);
	mbuf(&k.secret, "secret", 6);
	mbuf(&k.nonce, self->nonce, nh);
	EXPECT_EQ(0, prep_one(p, &k));
	k.usage = 1;
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	k.usage = 0;
	k.flags = MLS_PSK_F_GROUP_KID;
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	k.flags = 0;
	k.group = 1;
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	k.group = 0;
	k.epoch = 1;
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	k.epoch = 0;
	mbuf(&k.id, NULL, 0);
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	mbuf(&k.id, "id", 2);
	mbuf(&k.secret, NULL, 0);
	EXPECT_EQ(-EINVAL, prep_one(p, &k));
	mbuf(&k.secret, "secret", 6);
	/* Bad addresses. */
	mbuf(&k.id, (void *)(uintptr_t)BAD_ADDR, 2);
	EXPECT_EQ(-EFAULT, prep_one(p, &k));
	mbuf(&k.id, "id", 2);
	mbuf(&k.secret, (void *)(uintptr_t)LOW_ADDR, 6);
	EXPECT_EQ(-EFAULT, prep_one(p, &k));
	mbuf(&k.secret, "secret", 6);
	mbuf(&k.nonce, (void *)(uintptr_t)BAD_ADDR, nh);
	EXPECT_EQ(-EFAULT, prep_one(p, &k));
	psk_res(&k, (__u32)p->a, 0, 0, (void *)(uintptr_t)BAD_ADDR, nh);
	EXPECT_EQ(-EFAULT, prep_one(p, &k));

	/* The list itself. */
	rand_bytes(cs, nh);
	psk_res(&k, (__u32)p->a, 0, 0, self->nonce, nh);
	psk_commit_arg(p, &c, 0, cs, &k, 1);
	c.psks.addr = BAD_ADDR;
	EXPECT_EQ(-EFAULT, do_prepare(p->a, &c));
	c.psks.addr = LOW_ADDR;
	EXPECT_EQ(-EFAULT, do_prepare(p->a, &c));
	psk_commit_arg(p, &c, 0, cs, &k, 1);
	c.psks.reserved = 1;
	EXPECT_EQ(-EINVAL, do_prepare(p->a, &c));
	psk_commit_arg(p, &c, 0, cs, &k, 0);
	c.psks.addr = U64(&k);	/* an address with no count */
	EXPECT_EQ(-EINVAL, do_prepare(p->a, &c));
	/* A raw psk_secret and a list. */
	psk_commit_arg(p, &c, 0, cs, &k, 1);
	mbuf(&c.psk_secret, p->in.psk, nh);
	EXPECT_EQ(-EINVAL, do_prepare(p->a, &c));
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c));
	/* MLS_MAX_PSKS of them is fine, one more is not. */
	for (i = 0; i <= MLS_MAX_PSKS; i++)
		psk_res(&many[i], (__u32)p->a, 0, 0, self->nonce, nh);
	psk_commit_arg(p, &c, 0, cs, many, MLS_MAX_PSKS);
	EXPECT_EQ(0, do_prepare(p->a, &c));
	EXPECT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, 1));
	psk_commit_arg(p, &c, 0, cs, many, MLS_MAX_PSKS + 1);
	EXPECT_EQ(-EINVAL, do_prepare(p->a, &c));
	EXPECT_EQ(-EINVAL, grp_commit(p->a, &c));
	/* Nothing of all that moved A or left a commit pending. */
	EXPECT_EQ(0, grp_epoch(p->a));
	EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_EQ(0, member_commit(p, p->a, 0, cs));
}

TEST_F(hs, resumption_expired_epoch)
{
	struct pair *p = &self->p;
	struct mls_psk k;
	int i;

	ASSERT_EQ(0, grp_policy1(p->a, MLS_POLICY_EPOCHS_KEPT, 1));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pair_commit(p));
	/* Epochs 0 and 1 are gone, 2 is kept, 3 is current. */
	psk_res(&k, (__u32)p->a, 0, 0, self->nonce, p->nh);
	EXPECT_EQ(-EKEYEXPIRED, prep_one(p, &k));
	psk_res(&k, p->a_id, MLS_PSK_F_GROUP_KID, 1, self->nonce, p->nh);
	EXPECT_EQ(-EKEYEXPIRED, prep_one(p, &k));
	psk_res(&k, (__u32)p->a, 0, 2, self->nonce, p->nh);
	EXPECT_EQ(0, prep_one(p, &k));
	psk_res(&k, (__u32)p->a, 0, 3, self->nonce, p->nh);
	EXPECT_EQ(0, prep_one(p, &k));
	psk_res(&k, (__u32)p->a, 0, 4, self->nonce, p->nh);
	EXPECT_EQ(-EAGAIN, prep_one(p, &k));
	/* B keeps the default: its epoch 0 is still there. */
	psk_res(&k, (__u32)p->b, 0, 0, self->nonce, p->nh);
	EXPECT_EQ(0, prep_one(p, &k));
	EXPECT_EQ(3, grp_epoch(p->a));
}

/* A group of root, mode 0600, named by kernel id by another user: EACCES. */
TEST_F(hs, resumption_other_user_eacces)
{
	struct pair *p = &self->p;
	struct mls_group_new n;
	struct grp_inputs in;
	__u32 root_id;
	int root_fd, status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	inputs_random(&in, p->suite);
	new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	n.mode = 0600;
	root_fd = grp_create(p->ctl, &n);
	ASSERT_LE(0, root_fd);
	root_id = n.id;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mls_psk k;
		struct mls_commit c;
		struct pair q = *p;
		uint8_t cs[MLS_MAX_HASH_LEN];
		int own, r;

		close(root_fd);
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(10);
		/* The user's own group, on the /dev/mls fd it inherited. */
		inputs_random(&in, p->suite);
		new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
		own = grp_create(p->ctl, &n);
		if (own < 0)
			_exit(11);
		q.in = in;
		q.leaf_count = 1;
		rand_bytes(cs, p->nh);
		psk_res(&k, root_id, MLS_PSK_F_GROUP_KID, 0, self->nonce, p->nh);
		psk_commit_arg(&q, &c, 0, cs, &k, 1);
		r = do_prepare(own, &c);
		if (r != -EACCES)
			_exit(r == 0 ? 12 : 13);
		r = grp_commit(own, &c);
		if (r != -EACCES)
			_exit(14);
		/* Its own group by kernel id is fine. */
		psk_res(&k, n.id, MLS_PSK_F_GROUP_KID, 0, self->nonce, p->nh);
		r = grp_commit(own, &c);
		_exit(r == 0 ? 0 : 15);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child step %d failed", WEXITSTATUS(status));
	close(root_fd);
}

/* An installed epoch has no confirmation key, membership key or resumption_psk. */
TEST_F(hs, installed_epoch_enodata)
{
	struct pair *p = &self->p;
	uint8_t enc[MLS_MAX_HASH_LEN], sd[MLS_MAX_HASH_LEN], t[MLS_MAX_HASH_LEN];
	struct mls_group_new n;
	struct mls_psk k;
	int fd;

	rand_bytes(enc, p->nh);
	rand_bytes(sd, p->nh);
	new_install(&n, &p->in, enc, sd, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	fd = grp_create(p->ctl, &n);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENODATA, conf_tag(fd, 0, t, sizeof(t)));
	EXPECT_EQ(-ENODATA, memb_tag(fd, 0, "x", 1, t, sizeof(t)));
	psk_res(&k, (__u32)fd, 0, 0, self->nonce, p->nh);
	EXPECT_EQ(-ENODATA, prep_one(p, &k));
	psk_res(&k, n.id, MLS_PSK_F_GROUP_KID, 0, self->nonce, p->nh);
	EXPECT_EQ(-ENODATA, prep_one(p, &k));
	EXPECT_EQ(0, grp_epoch(p->a));
	close(fd);
}

/* Create FROM_INPUTS and JOIN take a resumption list too, with its errors. */
TEST_F(hs, resumption_create_and_join)
{
	struct pair *p = &self->p;
	unsigned int nh = p->nh;
	uint8_t psk[MLS_MAX_HASH_LEN], au[64], joiner[MLS_MAX_HASH_LEN];
	struct epoch_secrets es;
	struct mls_group_new n;
	struct grp_inputs in;
	struct mls_psk k;
	struct us_psk u;
	int fd;

	us_psk_resumption(&u, MLS_PSK_USAGE_BRANCH, p->in.group_id, p->in.group_id_len, 0,
			  p->es.resumption, nh, self->nonce);
	ASSERT_EQ(0, us_psk_secret(p->suite, &u, 1, psk));
	inputs_random(&in, p->suite);
	ASSERT_EQ(0, key_schedule(&in, in.init, in.commit, psk, &es));
	psk_res(&k, (__u32)p->a, 0, 0, self->nonce, nh);
	k.usage = MLS_PSK_USAGE_BRANCH;
	new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	mbuf(&n.psk_secret, NULL, 0);
	psk_list(&n.psks, &k, 1);
	fd = grp_create(p->ctl, &n);
	ASSERT_LE(0, fd) TH_LOG("create with a branch PSK: %s", strerror(-fd));
	ASSERT_EQ((int)nh, grp_authenticator(fd, au, sizeof(au), NULL));
	EXPECT_EQ(0, memcmp(au, es.authentication, nh));
	close(fd);
	/* A JOIN from the joiner_secret the schedule gives. */
	memcpy(joiner, es.joiner, nh);
	new_join(&n, &in, joiner, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	mbuf(&n.psk_secret, NULL, 0);
	psk_list(&n.psks, &k, 1);
	fd = grp_join(p->ctl, &n);
	ASSERT_LE(0, fd) TH_LOG("join with a branch PSK: %s", strerror(-fd));
	ASSERT_EQ((int)nh, grp_authenticator(fd, au, sizeof(au), NULL));
	EXPECT_EQ(0, memcmp(au, es.authentication, nh));
	close(fd);
	/* Errors of the list through CREATE and JOIN. */
	k.epoch = 5;
	EXPECT_EQ(-EAGAIN, grp_join(p->ctl, &n));
	k.epoch = 0;
	k.flags = MLS_PSK_F_GROUP_KID;
	k.group = 0x7ffffff0u;
	EXPECT_EQ(-ENOENT, grp_join(p->ctl, &n));
	new_from_inputs(&n, &in, 0, 1, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	psk_list(&n.psks, &k, 1);	/* and the raw psk_secret */
	EXPECT_EQ(-EINVAL, grp_create(p->ctl, &n));
	mbuf(&n.psk_secret, NULL, 0);
	n.psks.addr = BAD_ADDR;
	EXPECT_EQ(-EFAULT, grp_create(p->ctl, &n));
	/* A plain create takes no list. */
	new_plain(&n, p->suite, "g", 1, MLS_GROUP_F_EPHEMERAL);
	psk_res(&k, (__u32)p->a, 0, 0, self->nonce, nh);
	psk_list(&n.psks, &k, 1);
	EXPECT_EQ(-EINVAL, grp_create(p->ctl, &n));
}

/* ------------------------------------------------------- staged joins */

static int stage(int ctl, unsigned int suite, __u32 timeout_ms, const uint8_t *joiner,
		 size_t jlen, const struct mls_psk *k, __u32 count, uint8_t *welcome,
		 size_t wcap)
{
	struct mls_join_stage s;

	memset(&s, 0, sizeof(s));
	s.suite = (__u16)suite;
	s.timeout_ms = timeout_ms;
	mbuf(&s.joiner_secret, joiner, jlen);
	psk_list(&s.psks, k, count);
	mbuf(&s.welcome_secret, welcome, wcap);
	return xioctl(ctl, MLS_IOC_JOIN_STAGE, &s);
}

/* A JOIN argument completing a staged join of @p's next epoch as leaf 1. */
static void staged_join_arg(const struct pair *p, struct mls_group_new *n, int sfd)
{
	struct grp_inputs next = pair_next(p);
	uint8_t dummy[1];

	new_join(n, &next, dummy, 1, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_STAGED);
	mbuf(&n->joiner_secret, NULL, 0);
	mbuf(&n->psk_secret, NULL, 0);
	n->staged_fd = sfd;
}

TEST_F(hs, staged_join)
{
	struct pair *p = &self->p;
	unsigned int nh = p->nh;
	uint8_t cs[MLS_MAX_HASH_LEN], joiner[64], welcome[64], w2[64], aa[64], aj[64];
	struct mls_group_new n;
	struct mls_commit c;
	struct mls_psk k;
	int sfd, jfd, r;

	/* A commits with a resumption PSK of epoch 0 and RETURN_SECRETS. */
	rand_bytes(cs, nh);
	psk_res(&k, (__u32)p->a, 0, 0, self->nonce, nh);
	k.usage = MLS_PSK_USAGE_REINIT;
	psk_commit_arg(p, &c, 0, cs, &k, 1);
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mbuf(&c.joiner_secret, joiner, sizeof(joiner));
	mbuf(&c.welcome_secret, welcome, sizeof(welcome));
	ASSERT_EQ(0, grp_commit(p->a, &c));
	ASSERT_EQ(nh, c.welcome_secret.len);

	/* The joiner stages with the same list (epoch 0 is A's past epoch). */
	memset(w2, 0, sizeof(w2));
	sfd = stage(p->ctl, p->suite, 0, joiner, nh, &k, 1, w2, sizeof(w2));
	ASSERT_LE(0, sfd) TH_LOG("JOIN_STAGE: %s", strerror(-sfd));
	EXPECT_EQ(0, memcmp(w2, welcome, nh));
	EXPECT_EQ(FD_CLOEXEC, fcntl(sfd, F_GETFD) & FD_CLOEXEC);

	/* Wrong completions leave it usable. */
	staged_join_arg(p, &n, p->ctl);
	EXPECT_EQ(-EBADF, grp_join(p->ctl, &n));
	staged_join_arg(p, &n, p->a);
	EXPECT_EQ(-EBADF, grp_join(p->ctl, &n));
	staged_join_arg(p, &n, -1);
	EXPECT_EQ(-EBADF, grp_join(p->ctl, &n));
	staged_join_arg(p, &n, sfd);
	n.suite = (__u16)(p->suite == 1 ? 2 : 1);
	EXPECT_EQ(-EINVAL, grp_join(p->ctl, &n));
	staged_join_arg(p, &n, sfd);
	mbuf(&n.joiner_secret, joiner, nh);
	EXPECT_EQ(-EINVAL, grp_join(p->ctl, &n));
	staged_join_arg(p, &n, sfd);
	mbuf(&n.psk_secret, p->in.psk, nh);
	EXPECT_EQ(-EINVAL, grp_join(p->ctl, &n));
	staged_join_arg(p, &n, sfd);
	psk_list(&n.psks, &k, 1);
	EXPECT_EQ(-EINVAL, grp_join(p->ctl, &n));
	/* staged_fd without STAGED; STAGED on CREATE. */
	{
		struct grp_inputs next = pair_next(p);

		new_join(&n, &next, joiner, 1, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	}
	n.staged_fd = sfd;
	EXPECT_EQ(-EINVAL, grp_join(p->ctl, &n));
	staged_join_arg(p, &n, sfd);
	n.flags |= MLS_GROUP_F_FROM_INPUTS;
	EXPECT_EQ(-EINVAL, grp_create(p->ctl, &n));

	/* The right one: the committer's epoch. */
	staged_join_arg(p, &n, sfd);
	jfd = grp_join(p->ctl, &n);
	ASSERT_LE(0, jfd) TH_LOG("staged JOIN: %s", strerror(-jfd));
	ASSERT_EQ((int)nh, grp_authenticator(p->a, aa, sizeof(aa), NULL));
	ASSERT_EQ((int)nh, grp_authenticator(jfd, aj, sizeof(aj), NULL));
	EXPECT_EQ(0, memcmp(aa, aj, nh));
	/* Used up. */
	staged_join_arg(p, &n, sfd);
	r = grp_join(p->ctl, &n);
	EXPECT_EQ(-ESTALE, r);
	if (r >= 0)
		close(r);
	close(jfd);
	close(sfd);

	/* Timed out. */
	sfd = stage(p->ctl, p->suite, 100, joiner, nh, &k, 1, w2, sizeof(w2));
	ASSERT_LE(0, sfd);
	sleep_ms(400);
	staged_join_arg(p, &n, sfd);
	r = grp_join(p->ctl, &n);
	EXPECT_EQ(-ETIMEDOUT, r);
	if (r >= 0)
		close(r);
	close(sfd);
}

TEST_F(hs, join_stage_bad_arguments)
{
	struct pair *p = &self->p;
	unsigned int nh = p->nh;
	uint8_t joiner[64], w[64];
	struct mls_join_stage s;
	struct mls_psk k;
	long long cap = mod_param("commit_timeout_ms_max");
	int r;

	rand_bytes(joiner, sizeof(joiner));
	psk_res(&k, (__u32)p->a, 0, 0, self->nonce, nh);
	r = stage(p->ctl, p->suite, 0, joiner, nh, NULL, 0, w, sizeof(w));
	ASSERT_LE(0, r);
	close(r);
	EXPECT_EQ(-EINVAL, stage(p->ctl, 0, 0, joiner, nh, NULL, 0, w, sizeof(w)));
	EXPECT_EQ(-EINVAL, stage(p->ctl, 8, 0, joiner, nh, NULL, 0, w, sizeof(w)));
	EXPECT_EQ(-EINVAL, stage(p->ctl, p->suite, 0, joiner, nh - 1, NULL, 0, w, sizeof(w)));
	EXPECT_EQ(-EINVAL, stage(p->ctl, p->suite, 0, NULL, 0, NULL, 0, w, sizeof(w)));
	EXPECT_EQ(-ENOSPC, stage(p->ctl, p->suite, 0, joiner, nh, NULL, 0, w, nh - 1));
	ASSERT_LT(0, cap);
	EXPECT_EQ(-EINVAL, stage(p->ctl, p->suite, (__u32)cap + 1, joiner, nh, NULL, 0, w,
				 sizeof(w)));
	EXPECT_EQ(-EFAULT, stage(p->ctl, p->suite, 0, (void *)(uintptr_t)BAD_ADDR, nh, NULL, 0,
				 w, sizeof(w)));
	EXPECT_EQ(-EFAULT, stage(p->ctl, p->suite, 0, joiner, nh, NULL, 0,
				 (void *)(uintptr_t)BAD_ADDR, sizeof(w)));
	/* Errors of the list. */
	k.epoch = 9;
	EXPECT_EQ(-EAGAIN, stage(p->ctl, p->suite, 0, joiner, nh, &k, 1, w, sizeof(w)));
	k.epoch = 0;
	k.type = 0;
	EXPECT_EQ(-EINVAL, stage(p->ctl, p->suite, 0, joiner, nh, &k, 1, w, sizeof(w)));
	/* Both a raw psk_secret and a list. */
	memset(&s, 0, sizeof(s));
	psk_res(&k, (__u32)p->a, 0, 0, self->nonce, nh);
	s.suite = (__u16)p->suite;
	mbuf(&s.joiner_secret, joiner, nh);
	mbuf(&s.psk_secret, joiner, nh);
	psk_list(&s.psks, &k, 1);
	mbuf(&s.welcome_secret, w, sizeof(w));
	EXPECT_EQ(-EINVAL, xioctl(p->ctl, MLS_IOC_JOIN_STAGE, &s));
	/* On a group fd: not there. */
	s.psks.count = 0;
	s.psks.addr = 0;
	EXPECT_EQ(-ENOTTY, xioctl(p->a, MLS_IOC_JOIN_STAGE, &s));
	/* reserved0 is a __u16 (the generic table probes u32 fields). */
	mbuf(&s.psk_secret, NULL, 0);
	s.reserved0 = 1;
	EXPECT_EQ(-EINVAL, xioctl(p->ctl, MLS_IOC_JOIN_STAGE, &s));
	s.reserved0 = 0x8000;
	EXPECT_EQ(-EINVAL, xioctl(p->ctl, MLS_IOC_JOIN_STAGE, &s));
	s.reserved0 = 0;
	s.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(p->ctl, MLS_IOC_JOIN_STAGE, &s));
	s.flags = 0;
	r = xioctl(p->ctl, MLS_IOC_JOIN_STAGE, &s);
	ASSERT_LE(0, r);
	close(r);
}

/* A JOIN_STAGE whose struct cannot be copied back installs no fd. */
TEST_F(hs, join_stage_efault_installs_no_fd)
{
	struct pair *p = &self->p;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t joiner[64], w[64];
	struct mls_join_stage s;
	int before, after;
	void *ro;

	rand_bytes(joiner, sizeof(joiner));
	memset(&s, 0, sizeof(s));
	s.suite = (__u16)p->suite;
	mbuf(&s.joiner_secret, joiner, p->nh);
	mbuf(&s.welcome_secret, w, sizeof(w));
	ro = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memcpy(ro, &s, sizeof(s));
	ASSERT_EQ(0, mprotect(ro, pg, PROT_READ));
	before = dup(0);
	ASSERT_LE(0, before);
	close(before);
	EXPECT_EQ(-EFAULT, xioctl(p->ctl, MLS_IOC_JOIN_STAGE, ro));
	after = dup(0);
	ASSERT_LE(0, after);
	close(after);
	EXPECT_EQ(before, after);
	munmap(ro, pg);
}

/* The new structs' sizes are their first published ones. */
TEST(uapi_struct_sizes)
{
	EXPECT_EQ(MLS_COMMIT_PENDING_SIZE_VER0, sizeof(struct mls_commit_pending));
	EXPECT_EQ(MLS_TAG_SIZE_VER0, sizeof(struct mls_tag));
	EXPECT_EQ(MLS_JOIN_STAGE_SIZE_VER0, sizeof(struct mls_join_stage));
	EXPECT_EQ(64, sizeof(struct mls_psk));
	EXPECT_EQ(16, sizeof(struct mls_psk_list));
	EXPECT_EQ(MLS_GROUP_NEW_SIZE_VER1, sizeof(struct mls_group_new));
	EXPECT_EQ(MLS_COMMIT_SIZE_VER1, sizeof(struct mls_commit));
}

/* ====================================================================== */
/* pending commits                                                          */
/* ====================================================================== */

/* Prepare (or COMMIT with @cmd) one member of @p to the next epoch with @cs. */
static int member_op(const struct pair *p, int fd, __u32 leaf, const uint8_t *cs,
		     unsigned long cmd)
{
	struct grp_inputs next;
	struct mls_commit c;

	pair_commit_arg(p, &c, &next, leaf, cs);
	return xioctl(fd, cmd, &c);
}

/* A message from @tx opens on @rx, in epoch @epoch. */
static void round_trip(struct __test_metadata *_metadata, int tx, int rx, uint64_t epoch)
{
	static struct msg m;
	static struct dec d;

	ASSERT_EQ(0, enc_text(tx, "pending", &m));
	EXPECT_EQ(epoch, m.epoch);
	ASSERT_EQ(0, dec_msg(rx, &m, &d));
	EXPECT_EQ(epoch, d.epoch);
	EXPECT_EQ(7, d.content_len);
	EXPECT_EQ(0, memcmp(d.content, "pending", 7));
}

TEST_F(hs, prepare_use_old_epoch_then_merge)
{
	struct pair *p = &self->p;
	uint8_t cs[MLS_MAX_HASH_LEN], au[64];
	static struct msg late;
	static struct dec d;

	rand_bytes(cs, p->nh);
	ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE));
	ASSERT_EQ(0, member_op(p, p->b, 1, cs, MLS_IOC_COMMIT_PREPARE));
	EXPECT_EQ(0, grp_epoch(p->a));
	/* The old epoch works both ways while both are pending. */
	round_trip(_metadata, p->a, p->b, 0);
	round_trip(_metadata, p->b, p->a, 0);
	ASSERT_EQ(0, enc_text(p->a, "late", &late));
	/* The authenticator is still epoch 0's. */
	ASSERT_EQ((int)p->nh, grp_authenticator(p->a, au, sizeof(au), NULL));
	EXPECT_EQ(0, memcmp(au, p->es.authentication, p->nh));
	ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	ASSERT_EQ(0, pend_op(p->b, MLS_IOC_COMMIT_MERGE, 1));
	ASSERT_EQ(0, pair_advance(p, cs));
	EXPECT_EQ(1, grp_epoch(p->a));
	EXPECT_EQ(1, grp_epoch(p->b));
	round_trip(_metadata, p->a, p->b, 1);
	round_trip(_metadata, p->b, p->a, 1);
	ASSERT_EQ((int)p->nh, grp_authenticator(p->b, au, sizeof(au), NULL));
	EXPECT_EQ(0, memcmp(au, p->es.authentication, p->nh));
	/* The old epoch's late message still opens. */
	EXPECT_EQ(0, dec_msg(p->b, &late, &d));
	EXPECT_EQ(0, d.epoch);
	/* Merged: nothing pending. */
	EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, 1));
}

TEST_F(hs, prepare_then_discard)
{
	struct pair *p = &self->p;
	uint8_t cs[MLS_MAX_HASH_LEN], au[64];

	rand_bytes(cs, p->nh);
	ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE));
	EXPECT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, 1));
	EXPECT_EQ(0, grp_epoch(p->a));
	EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, 1));
	EXPECT_EQ(-ENOENT, conf_tag(p->a, MLS_TAG_F_PENDING, au, sizeof(au)));
	ASSERT_EQ((int)p->nh, grp_authenticator(p->a, au, sizeof(au), NULL));
	EXPECT_EQ(0, memcmp(au, p->es.authentication, p->nh));
	round_trip(_metadata, p->a, p->b, 0);
	/* Another commit of the same epoch wins instead. */
	rand_bytes(cs, p->nh);
	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ((int)p->nh, grp_authenticator(p->a, au, sizeof(au), NULL));
	EXPECT_EQ(0, memcmp(au, p->es.authentication, p->nh));
	round_trip(_metadata, p->b, p->a, 1);
}

TEST_F(hs, pending_rules)
{
	struct pair *p = &self->p;
	uint8_t cs[MLS_MAX_HASH_LEN], t[64];
	struct grp_inputs next;
	struct mls_commit c;
	struct mls_commit_pending cp;

	rand_bytes(cs, p->nh);
	/* Stale: the current epoch, or two ahead. */
	pair_commit_arg(p, &c, &next, 0, cs);
	c.context.epoch = 0;
	EXPECT_EQ(-ESTALE, do_prepare(p->a, &c));
	c.context.epoch = 2;
	EXPECT_EQ(-ESTALE, do_prepare(p->a, &c));
	/* Nothing pending yet. */
	EXPECT_EQ(-ENOENT, conf_tag(p->a, MLS_TAG_F_PENDING, t, sizeof(t)));
	EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, 1));

	ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE));
	/* One pending commit: a second prepare and a one-shot commit lose. */
	EXPECT_EQ(-EBUSY, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE));
	EXPECT_EQ(-EBUSY, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT));
	/* Merge or discard naming another epoch. */
	EXPECT_EQ(-ESTALE, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 0));
	EXPECT_EQ(-ESTALE, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 2));
	EXPECT_EQ(-ESTALE, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, 2));
	/* Flags and reserved. */
	memset(&cp, 0, sizeof(cp));
	cp.epoch = 1;
	cp.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_COMMIT_MERGE, &cp));
	cp.flags = 0;
	cp.reserved0 = 1;
	EXPECT_EQ(-EINVAL, xioctl(p->a, MLS_IOC_COMMIT_DISCARD, &cp));
	/* Still pending, and B unaffected. */
	EXPECT_EQ(0, grp_epoch(p->a));
	ASSERT_EQ(0, member_op(p, p->b, 1, cs, MLS_IOC_COMMIT));
	EXPECT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	ASSERT_EQ(0, pair_advance(p, cs));
	round_trip(_metadata, p->a, p->b, 1);
	/* A prepare built on the epoch just left is stale. */
	c.context.epoch = 1;
	EXPECT_EQ(-ESTALE, do_prepare(p->a, &c));
}

struct race {
	int fd;
	struct mls_commit c;
	pthread_barrier_t *bar;
	int r;
};

static void *race_prepare(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->bar);
	r->r = xioctl(r->fd, MLS_IOC_COMMIT_PREPARE, &r->c);
	return NULL;
}

TEST_F(hs, concurrent_prepares_one_wins)
{
	struct pair *p = &self->p;
	uint8_t cs[2][MLS_MAX_HASH_LEN];
	struct grp_inputs next;
	pthread_barrier_t bar;
	struct race r[2];
	pthread_t t[2];
	int round, i, other, rounds = 0;

	other = grp_open_id(p->ctl, p->a_id);	/* a second fd of A */
	ASSERT_LE(0, other);
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (round = 0; round < 100; round++) {
		int wins = 0;

		for (i = 0; i < 2; i++) {
			rand_bytes(cs[i], p->nh);
			r[i].fd = i ? other : p->a;
			r[i].bar = &bar;
			pair_commit_arg(p, &r[i].c, &next, 0, cs[i]);
			ASSERT_EQ(0, pthread_create(&t[i], NULL, race_prepare, &r[i]));
		}
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		for (i = 0; i < 2; i++) {
			if (r[i].r == 0)
				wins++;
			else
				EXPECT_EQ(-EBUSY, r[i].r) TH_LOG("round %d", round);
		}
		ASSERT_EQ(1, wins) TH_LOG("round %d: %d, %d", round, r[0].r, r[1].r);
		rounds++;
		/* The winner's epoch is what is pending. */
		if (round % 2) {
			ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, next.epoch));
			continue;
		}
		ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_MERGE, next.epoch));
		ASSERT_EQ(0, member_commit(p, p->b, 1, r[0].r == 0 ? cs[0] : cs[1]));
		ASSERT_EQ(0, pair_advance(p, r[0].r == 0 ? cs[0] : cs[1]));
		round_trip(_metadata, p->a, p->b, p->in.epoch);
	}
	ksft_print_msg("%d rounds of two concurrent prepares: one won each\n", rounds);
	pthread_barrier_destroy(&bar);
	close(other);
}

static int set_commit_timeout(int fd, __u32 ms)
{
	struct mls_policy pol = { 0 };

	pol.commit_timeout_ms = ms;
	return grp_policy(fd, MLS_POLICY_COMMIT_TIMEOUT, &pol);
}

TEST_F(hs, merge_after_timeout)
{
	struct pair *p = &self->p;
	uint8_t cs[MLS_MAX_HASH_LEN], t[MLS_MAX_HASH_LEN];
	long long cap = mod_param("commit_timeout_ms_max");

	ASSERT_LT(0, cap);
	EXPECT_EQ(-EINVAL, set_commit_timeout(p->a, 0));
	EXPECT_EQ(-EINVAL, set_commit_timeout(p->a, (__u32)cap + 1));
	ASSERT_EQ(0, set_commit_timeout(p->a, 200));
	rand_bytes(cs, p->nh);

	/* Found late by the merge itself. */
	ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE));
	sleep_ms(400);
	EXPECT_EQ(-ETIMEDOUT, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_EQ(0, grp_epoch(p->a));
	EXPECT_EQ(-ENOENT, conf_tag(p->a, MLS_TAG_F_PENDING, t, sizeof(t)));

	/* Discarded by the retention worker before the merge comes. */
	ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE));
	sleep_ms(2200);
	EXPECT_EQ(-ENOENT, conf_tag(p->a, MLS_TAG_F_PENDING, t, sizeof(t)));
	EXPECT_EQ(-ETIMEDOUT, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_EQ(0, grp_epoch(p->a));
	/* A prepare and merge in time still work. */
	ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE));
	EXPECT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	ASSERT_EQ(0, member_op(p, p->b, 1, cs, MLS_IOC_COMMIT));
	ASSERT_EQ(0, pair_advance(p, cs));
	round_trip(_metadata, p->a, p->b, 1);
}

/* The pending epoch's tag is the tag of that epoch created from its inputs. */
TEST_F(hs, pending_confirmation_tag)
{
	struct pair *p = &self->p;
	unsigned int nh = p->nh;
	uint8_t cs[MLS_MAX_HASH_LEN], t0[64], tp[64], tc[64], want[64];
	struct epoch_secrets es;
	struct grp_inputs next;
	struct mls_group_new n;
	struct mls_commit c;
	__u64 ep = 0;
	int fd;

	rand_bytes(cs, nh);
	pair_commit_arg(p, &c, &next, 0, cs);
	rand_bytes(next.cth, nh);	/* the new epoch's own transcript hash */
	ctx_fill(&c.context, &next);
	ASSERT_EQ(0, do_prepare(p->a, &c));
	ASSERT_EQ((int)nh, tag_call(p->a, MLS_IOC_CONFIRMATION_TAG, MLS_TAG_F_PENDING, &ep,
				    NULL, 0, tp, sizeof(tp)));
	EXPECT_EQ(1, ep);
	ASSERT_EQ(0, key_schedule(&next, p->es.init, cs, p->in.psk, &es));
	ASSERT_EQ(0, us_hmac(p->suite, es.confirm, next.cth, nh, want));
	EXPECT_EQ(0, memcmp(tp, want, nh));
	/* The same epoch, created from the same inputs: its current tag. */
	new_from_inputs(&n, &next, 0, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	mbuf(&n.init_secret, p->es.init, nh);
	mbuf(&n.commit_secret, cs, nh);
	fd = grp_create(p->ctl, &n);
	ASSERT_LE(0, fd);
	ASSERT_EQ((int)nh, conf_tag(fd, 0, tc, sizeof(tc)));
	EXPECT_EQ(0, memcmp(tp, tc, nh));
	close(fd);
	/* The current epoch's tag is still epoch 0's. */
	ASSERT_EQ((int)nh, conf_tag(p->a, 0, t0, sizeof(t0)));
	ASSERT_EQ(0, us_hmac(p->suite, p->es.confirm, p->in.cth, nh, want));
	EXPECT_EQ(0, memcmp(t0, want, nh));
	/* Verify against the pending epoch, then against the current one. */
	EXPECT_EQ(0, conf_tag(p->a, MLS_TAG_F_PENDING | MLS_TAG_F_VERIFY, tp, nh));
	EXPECT_EQ(-EBADMSG, conf_tag(p->a, MLS_TAG_F_PENDING | MLS_TAG_F_VERIFY, t0, nh));
	EXPECT_EQ(-EBADMSG, conf_tag(p->a, MLS_TAG_F_VERIFY, tp, nh));
	/* Bad arguments: EPOCH is the membership tag's; data; short output. */
	EXPECT_EQ(-EINVAL, conf_tag(p->a, MLS_TAG_F_EPOCH, tc, sizeof(tc)));
	EXPECT_EQ(-EINVAL, tag_call(p->a, MLS_IOC_CONFIRMATION_TAG, 0, NULL, "x", 1, tc,
				    sizeof(tc)));
	EXPECT_EQ(-ENOSPC, conf_tag(p->a, MLS_TAG_F_PENDING, tc, nh - 1));
	EXPECT_EQ(-EINVAL, memb_tag(p->a, MLS_TAG_F_PENDING, "x", 1, tc, sizeof(tc)));
	EXPECT_EQ(-EINVAL, memb_tag(p->a, 0, NULL, 0, tc, sizeof(tc)));
	/* Merged: the current tag is the one that was pending. */
	ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
	ASSERT_EQ((int)nh, conf_tag(p->a, 0, tc, sizeof(tc)));
	EXPECT_EQ(0, memcmp(tp, tc, nh));
	EXPECT_EQ(-ENOENT, conf_tag(p->a, MLS_TAG_F_PENDING, tc, sizeof(tc)));
}

/* Membership tags of a past epoch; errors of the epoch named. */
TEST_F(hs, membership_tag_epochs)
{
	struct pair *p = &self->p;
	unsigned int nh = p->nh;
	struct epoch_secrets e0 = p->es;
	uint8_t t[64], want[64];
	__u64 ep;

	ASSERT_EQ(0, pair_commit(p));
	ASSERT_EQ(0, us_hmac(p->suite, e0.membership, "late proposal", 13, want));
	ep = 0;
	ASSERT_EQ((int)nh, tag_call(p->a, MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_F_EPOCH, &ep,
				    "late proposal", 13, t, sizeof(t)));
	EXPECT_EQ(0, memcmp(t, want, nh));
	ep = 0;
	EXPECT_EQ(0, tag_call(p->a, MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_F_EPOCH | MLS_TAG_F_VERIFY,
			      &ep, "late proposal", 13, want, nh));
	/* The current epoch's key is another. */
	EXPECT_EQ(-EBADMSG, memb_tag(p->a, MLS_TAG_F_VERIFY, "late proposal", 13, want, nh));
	ep = 2;
	EXPECT_EQ(-EAGAIN, tag_call(p->a, MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_F_EPOCH, &ep,
				    "x", 1, t, sizeof(t)));
	ASSERT_EQ(0, grp_policy1(p->a, MLS_POLICY_EPOCHS_KEPT, 0));
	ep = 0;
	EXPECT_EQ(-EKEYEXPIRED, tag_call(p->a, MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_F_EPOCH, &ep,
					 "x", 1, t, sizeof(t)));
}

TEST_F(hs, destroy_with_commit_pending)
{
	struct pair *p = &self->p;
	uint8_t cs[MLS_MAX_HASH_LEN], t[MLS_MAX_HASH_LEN];
	int fd2;

	rand_bytes(cs, p->nh);
	fd2 = grp_open_id(p->ctl, p->a_id);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE));
	ASSERT_EQ(0, grp_destroy(p->a));
	EXPECT_EQ(-ENOENT, pend_op(fd2, MLS_IOC_COMMIT_MERGE, 1));
	EXPECT_EQ(-ENOENT, conf_tag(fd2, MLS_TAG_F_PENDING, t, sizeof(t)));
	close(fd2);
	/* B's last fd goes with a commit pending (ephemeral: the group goes). */
	ASSERT_EQ(0, member_op(p, p->b, 1, cs, MLS_IOC_COMMIT_PREPARE));
	close(p->b);
	p->b = -1;
}

/* A COMMIT or PREPARE whose struct cannot be copied back changed nothing. */
TEST_F(hs, failed_copy_back_changes_nothing)
{
	struct pair *p = &self->p;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t cs[MLS_MAX_HASH_LEN], joiner[64], welcome[64];
	unsigned long cmds[2] = { MLS_IOC_COMMIT, MLS_IOC_COMMIT_PREPARE };
	struct grp_inputs next;
	struct mls_commit c;
	void *ro;
	int i;

	ro = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	rand_bytes(cs, p->nh);
	for (i = 0; i < 2; i++) {
		pair_commit_arg(p, &c, &next, 0, cs);
		c.flags = MLS_COMMIT_F_RETURN_SECRETS;
		mbuf(&c.joiner_secret, joiner, sizeof(joiner));
		mbuf(&c.welcome_secret, welcome, sizeof(welcome));
		ASSERT_EQ(0, mprotect(ro, pg, PROT_READ | PROT_WRITE));
		memcpy(ro, &c, sizeof(c));
		ASSERT_EQ(0, mprotect(ro, pg, PROT_READ));
		EXPECT_EQ(-EFAULT, xioctl(p->a, cmds[i], ro));
		EXPECT_EQ(0, grp_epoch(p->a));
		EXPECT_EQ(-ENOENT, pend_op(p->a, MLS_IOC_COMMIT_MERGE, 1));
		EXPECT_EQ(-ENOENT, conf_tag(p->a, MLS_TAG_F_PENDING, joiner, sizeof(joiner)));
		round_trip(_metadata, p->a, p->b, 0);
	}
	/* A prepare succeeds (nothing was left pending), and so do the retries. */
	ASSERT_EQ(0, do_prepare(p->a, &c));
	ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, 1));
	ASSERT_EQ(0, grp_commit(p->a, &c));
	ASSERT_EQ(0, member_commit(p, p->b, 1, cs));
	ASSERT_EQ(0, pair_advance(p, cs));
	round_trip(_metadata, p->a, p->b, 1);
	round_trip(_metadata, p->b, p->a, 1);
	munmap(ro, pg);
}

/* ------------------------------------------------- slow caller memory */

struct slow_call {
	int fd;
	unsigned long cmd;
	void *arg;
	int ret;
	atomic_int done;
};

static void *slow_call_run(void *arg)
{
	struct slow_call *c = arg;

	c->ret = xioctl(c->fd, c->cmd, c->arg);
	atomic_store(&c->done, 1);
	return NULL;
}

/* Whether @c returned within about @ms milliseconds. */
static bool slow_call_wait(struct slow_call *c, int ms)
{
	while (!atomic_load(&c->done) && ms-- > 0)
		usleep(1000);
	return atomic_load(&c->done);
}

/*
 * A commit whose input page faults for as long as its caller likes
 * (userfaultfd here; FUSE does the same for anyone) holds no lock that a
 * destroy through another fd of the group, or the module's unload, waits
 * on.
 */
TEST_F(hs, commit_on_faulting_memory_blocks_no_destroy)
{
	struct pair *p = &self->p;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {};
	struct uffdio_copy copy = {};
	struct slow_call commit = {}, destroy = {};
	struct mls_group_destroy d = {};
	uint8_t cs[MLS_MAX_HASH_LEN], *src;
	struct pollfd pfd = {};
	struct uffd_msg msg;
	pthread_t t1, t2;
	struct grp_inputs next;
	struct mls_commit c;
	bool destroyed;
	int uffd, fd2;
	void *slow;

	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	ASSERT_LE(0, uffd);
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	slow = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, slow);
	reg.range.start = (uintptr_t)slow;
	reg.range.len = pg;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	src = aligned_alloc(pg, pg);
	ASSERT_NE(NULL, src);

	fd2 = grp_open_id(p->ctl, p->a_id);
	ASSERT_LE(0, fd2);
	rand_bytes(cs, p->nh);
	memcpy(src, cs, p->nh);
	pair_commit_arg(p, &c, &next, 0, cs);
	/* The commit_secret is read from the page that faults. */
	mbuf(&c.commit_secret, slow, p->nh);
	commit = (struct slow_call){ .fd = p->a, .cmd = MLS_IOC_COMMIT, .arg = &c };
	ASSERT_EQ(0, pthread_create(&t1, NULL, slow_call_run, &commit));
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	/* The commit is inside the ioctl, stopped on the fault. */
	destroy = (struct slow_call){ .fd = fd2, .cmd = MLS_IOC_GROUP_DESTROY, .arg = &d };
	ASSERT_EQ(0, pthread_create(&t2, NULL, slow_call_run, &destroy));
	destroyed = slow_call_wait(&destroy, 2000);
	EXPECT_FALSE(atomic_load(&commit.done));

	/* Let the commit go on, whatever the outcome, so that both end. */
	copy.dst = (uintptr_t)slow;
	copy.src = (uintptr_t)src;
	copy.len = pg;
	EXPECT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy));
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	EXPECT_TRUE(destroyed);
	EXPECT_EQ(0, destroy.ret);
	/* The group was gone before the commit could take its lock. */
	EXPECT_EQ(-ENOENT, commit.ret);
	close(fd2);
	close(uffd);
	munmap(slow, pg);
	free(src);
}

/* ------------------------------------------------------------ stress */

#define STRESS_COMMITS	150
#define STRESS_MAX_ENC	40000

struct sent {
	uint64_t epoch;
	uint32_t gen;
};

struct stress {
	struct pair *p;
	atomic_int stop;
};

struct worker {
	struct stress *s;
	struct sent *a, *b;	/* what A and B encrypted */
	size_t na, nb;
	size_t dec_ok, dec_fail, stale;
	int enc_err;
};

static void *stress_worker(void *arg)
{
	struct worker *w = arg;
	struct pair *p = w->s->p;
	struct msg *m = malloc(sizeof(*m));
	struct dec *d = malloc(sizeof(*d));
	int r;

	if (!m || !d)
		abort();
	while (!atomic_load(&w->s->stop) && w->na < STRESS_MAX_ENC) {
		r = enc_text(p->a, "stress a", m);
		if (r == -ESTALE) {	/* a merge moved A during the call: again */
			w->stale++;
			continue;
		}
		if (r) {
			w->enc_err = r;
			break;
		}
		w->a[w->na++] = (struct sent){ m->epoch, m->gen };
		if (dec_msg(p->b, m, d) == 0 && d->gen == m->gen && d->epoch == m->epoch)
			w->dec_ok++;
		else
			w->dec_fail++;
		r = enc_text(p->b, "stress b", m);
		while (r == -ESTALE && !atomic_load(&w->s->stop)) {
			w->stale++;
			r = enc_text(p->b, "stress b", m);
		}
		if (r == -ESTALE)
			break;
		if (r) {
			w->enc_err = r;
			break;
		}
		w->b[w->nb++] = (struct sent){ m->epoch, m->gen };
		if (dec_msg(p->a, m, d) == 0 && d->gen == m->gen && d->epoch == m->epoch)
			w->dec_ok++;
		else
			w->dec_fail++;
	}
	free(m);
	free(d);
	return NULL;
}

static int sent_cmp(const void *x, const void *y)
{
	const struct sent *a = x, *b = y;

	if (a->epoch != b->epoch)
		return a->epoch < b->epoch ? -1 : 1;
	return a->gen < b->gen ? -1 : a->gen > b->gen;
}

/* Duplicates of (epoch, generation) among @n records. */
static size_t dups(struct sent *v, size_t n)
{
	size_t i, d = 0;

	qsort(v, n, sizeof(*v), sent_cmp);
	for (i = 1; i < n; i++)
		d += v[i].epoch == v[i - 1].epoch && v[i].gen == v[i - 1].gen;
	return d;
}

TEST_F_TIMEOUT(hs, stress_commits_while_encrypting, 120)
{
	struct pair *p = &self->p;
	struct stress s = { .p = p };
	struct worker w[2];
	struct sent *all_a, *all_b;
	pthread_t t[2];
	int i, merged = 0, discarded = 0;
	size_t na = 0, nb = 0;

	for (i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].s = &s;
		w[i].a = calloc(STRESS_MAX_ENC, sizeof(struct sent));
		w[i].b = calloc(STRESS_MAX_ENC, sizeof(struct sent));
		ASSERT_TRUE(w[i].a && w[i].b);
		ASSERT_EQ(0, pthread_create(&t[i], NULL, stress_worker, &w[i]));
	}
	for (i = 0; i < STRESS_COMMITS; i++) {
		uint8_t cs[MLS_MAX_HASH_LEN];
		__u64 next = p->in.epoch + 1;

		rand_bytes(cs, p->nh);
		ASSERT_EQ(0, member_op(p, p->a, 0, cs, MLS_IOC_COMMIT_PREPARE)) TH_LOG("round %d", i);
		if (rand_u32() % 3 == 0) {
			ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_DISCARD, next));
			discarded++;
			continue;
		}
		ASSERT_EQ(0, member_op(p, p->b, 1, cs, MLS_IOC_COMMIT_PREPARE));
		ASSERT_EQ(0, pend_op(p->a, MLS_IOC_COMMIT_MERGE, next));
		ASSERT_EQ(0, pend_op(p->b, MLS_IOC_COMMIT_MERGE, next));
		ASSERT_EQ(0, pair_advance(p, cs));
		merged++;
		sleep_ms(5);
	}
	atomic_store(&s.stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	all_a = calloc(2 * STRESS_MAX_ENC, sizeof(struct sent));
	all_b = calloc(2 * STRESS_MAX_ENC, sizeof(struct sent));
	ASSERT_TRUE(all_a && all_b);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, w[i].enc_err);
		memcpy(all_a + na, w[i].a, w[i].na * sizeof(struct sent));
		na += w[i].na;
		memcpy(all_b + nb, w[i].b, w[i].nb * sizeof(struct sent));
		nb += w[i].nb;
	}
	ksft_print_msg("stress: %d merged, %d discarded; %zu + %zu messages (%zu ESTALE retried), %zu opened, %zu did not\n",
		       merged, discarded, na, nb, w[0].stale + w[1].stale,
		       w[0].dec_ok + w[1].dec_ok, w[0].dec_fail + w[1].dec_fail);
	EXPECT_EQ(0, dups(all_a, na));
	EXPECT_EQ(0, dups(all_b, nb));
	EXPECT_LT(0, w[0].dec_ok + w[1].dec_ok);
	EXPECT_EQ((uint64_t)merged, (uint64_t)grp_epoch(p->a));
	EXPECT_EQ((uint64_t)merged, (uint64_t)grp_epoch(p->b));
	round_trip(_metadata, p->a, p->b, p->in.epoch);
	for (i = 0; i < 2; i++) {
		free(w[i].a);
		free(w[i].b);
	}
	free(all_a);
	free(all_b);
}

TEST_HARNESS_MAIN
