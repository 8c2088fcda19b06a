// SPDX-License-Identifier: GPL-2.0
/*
 * libmls: every function, its success and each of its error paths.
 *
 * Three parts:
 *  - what needs no kernel: keys, SignWithLabel against the RFC 9420
 *    crypto-basics vectors, FramedContentTBS against the selftests' own
 *    oracle (vectors.c), the message header parser;
 *  - every ioctl wrapper on /dev/mls and a group fd, including the
 *    -ENOSPC retries libmls does for the caller;
 *  - signed messages both ways in every suite, checked independently: the
 *    signature of a libmls message verifies with OpenSSL called directly
 *    (Ed25519) and with vectors.c (every suite); the RFC's own
 *    message-protection message verifies with mls_recv().
 *
 * The example program (userlib/examples/mls-hello) runs at the end.
 * Without /dev/mls the kernel tests are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <libmls.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "kselftest_harness.h"
#include "vectors.h"

#define ERRNO_MARK	4242

/* ------------------------------------------------------------- helpers */

static int have_dev(void)
{
	return access("/dev/mls", R_OK | W_OK) == 0;
}

/* In a fixture: SKIP() in its setup does not stop the test body (6.1). */
#define NEED_DUO() do {							\
	if (self->d.a < 0)						\
		SKIP(return, "no /dev/mls (module not loaded)");	\
} while (0)

#define NEED_DEV() do {							\
	if (!have_dev())						\
		SKIP(return, "no /dev/mls (module not loaded)");	\
} while (0)

static void rnd(void *p, size_t n)
{
	if (getrandom(p, n, 0) != (ssize_t)n)
		abort();
}

/*
 * A stand-in FramedContent signature for the raw mls_encrypt() tests,
 * which check the data plane, not signatures (signed_msgs does): random
 * bytes of the longest length @suite's scheme makes (Ed25519 64, Ed448
 * 114, ECDSA DER 72, 139, 104), the only thing the kernel checks.
 */
static size_t stand_in_sig(unsigned int suite, uint8_t sig[MLS_SIGNATURE_MAX])
{
	static const size_t len[] = { 0, 64, 72, 64, 114, 139, 114, 104 };
	size_t n = suite < sizeof(len) / sizeof(len[0]) ? len[suite] : 0;

	rnd(sig, n);
	return n;
}

/*
 * Two members of one group, made the way a control plane makes them:
 * alice creates (leaf 0, epoch 0, random epoch secret), commits epoch 1
 * of two leaves asking for the joiner secret, bob joins from it as leaf 1.
 * Both groups are ephemeral: they go with their descriptors.
 */
struct duo {
	int ctl, a, b;
	uint32_t a_id, b_id;
	unsigned int suite;
	size_t nh;
	uint8_t gid[16];
	uint8_t tree[MLS_MAX_HASH_LEN], cth[MLS_MAX_HASH_LEN];
	uint64_t epoch;
};

static void duo_context(const struct duo *d, struct mls_group_context *c)
{
	c->epoch = d->epoch;
	mls_buf_set(&c->tree_hash, d->tree, d->nh);
	mls_buf_set(&c->confirmed_transcript_hash, d->cth, d->nh);
	mls_buf_set(&c->extensions, NULL, 0);
}

/* Both members to the next epoch with one commit secret: 0 or -errno. */
static int duo_rotate(struct duo *d)
{
	uint8_t secret[MLS_MAX_HASH_LEN];
	struct mls_commit c;
	int ret;

	rnd(secret, d->nh);
	d->epoch++;
	rnd(d->tree, d->nh);
	rnd(d->cth, d->nh);
	memset(&c, 0, sizeof(c));
	mls_buf_set(&c.commit_secret, secret, d->nh);
	duo_context(d, &c.context);
	c.roster.own_leaf = 0;
	c.roster.leaf_count = 2;
	ret = mls_commit(d->a, &c);
	if (ret)
		return ret;
	c.roster.own_leaf = 1;
	return mls_commit(d->b, &c);
}

static int duo_make_flags(struct duo *d, unsigned int suite, uint32_t flags)
{
	uint8_t secret[MLS_MAX_HASH_LEN], joiner[MLS_MAX_HASH_LEN];
	uint8_t welcome[MLS_MAX_HASH_LEN];
	struct mls_group_new g;
	struct mls_commit c;
	int ret;

	memset(d, 0, sizeof(*d));
	d->a = -1;
	d->b = -1;
	d->suite = suite;
	d->nh = mls_suite_hash_len(suite);
	rnd(d->gid, sizeof(d->gid));
	d->ctl = mls_open(0);
	if (d->ctl < 0)
		return d->ctl;

	rnd(d->tree, d->nh);
	memset(&g, 0, sizeof(g));
	g.suite = (uint16_t)suite;
	g.flags = flags;
	mls_buf_set(&g.group_id, d->gid, sizeof(d->gid));
	duo_context(d, &g.context);
	mls_buf_set(&g.context.confirmed_transcript_hash, NULL, 0);
	g.roster.leaf_count = 1;
	d->a = mls_group_create(d->ctl, &g);
	if (d->a < 0)
		return d->a;
	d->a_id = g.id;

	rnd(secret, d->nh);
	d->epoch = 1;
	rnd(d->tree, d->nh);
	rnd(d->cth, d->nh);
	memset(&c, 0, sizeof(c));
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mls_buf_set(&c.commit_secret, secret, d->nh);
	duo_context(d, &c.context);
	c.roster.leaf_count = 2;
	mls_buf_set(&c.joiner_secret, joiner, d->nh);
	mls_buf_set(&c.welcome_secret, welcome, d->nh);
	ret = mls_commit(d->a, &c);
	if (ret)
		return ret;

	memset(&g, 0, sizeof(g));
	g.suite = (uint16_t)suite;
	g.flags = flags;
	mls_buf_set(&g.group_id, d->gid, sizeof(d->gid));
	mls_buf_set(&g.joiner_secret, joiner, d->nh);
	duo_context(d, &g.context);
	g.roster.own_leaf = 1;
	g.roster.leaf_count = 2;
	d->b = mls_group_join(d->ctl, &g);
	if (d->b < 0)
		return d->b;
	d->b_id = g.id;
	return 0;
}

static int duo_make(struct duo *d, unsigned int suite)
{
	return duo_make_flags(d, suite, MLS_GROUP_F_EPHEMERAL);
}

static void duo_free(struct duo *d)
{
	if (d->a >= 0)
		close(d->a);
	if (d->b >= 0)
		close(d->b);
	if (d->ctl >= 0)
		close(d->ctl);
	d->a = -1;
	d->b = -1;
	d->ctl = -1;
}

/* A plain one-leaf group (ephemeral unless @flags says otherwise). */
static int plain_group(int ctl, unsigned int suite, uint32_t flags, uint16_t mode,
		       uint32_t *id)
{
	struct mls_group_new g;
	uint8_t gid[8];
	int fd;

	rnd(gid, sizeof(gid));
	memset(&g, 0, sizeof(g));
	g.suite = (uint16_t)suite;
	g.flags = flags;
	g.mode = mode;
	mls_buf_set(&g.group_id, gid, sizeof(gid));
	g.roster.leaf_count = 1;
	fd = mls_group_create(ctl, &g);
	if (fd >= 0 && id)
		*id = g.id;
	return fd;
}

/* The key pair of a suite, and its public half alone. */
static int key_pair(unsigned int suite, struct mls_sig_key **priv,
		    struct mls_sig_key **pub)
{
	struct mls_bytes raw;
	int ret = mls_sig_key_generate(suite, priv);

	if (ret)
		return ret;
	ret = mls_sig_key_export(*priv, MLS_KEY_PUBLIC, &raw);
	if (ret)
		return ret;
	ret = mls_sig_key_import(suite, MLS_KEY_PUBLIC, raw.data, raw.len, pub);
	mls_bytes_free(&raw);
	return ret;
}

struct lookup {
	const struct mls_sig_key *key[4];
	int calls;
	int ret;		/* forced return value, if non-zero */
	int null_key;		/* return 0 without a key */
	uint32_t last_leaf;
	uint64_t last_epoch;
};

static int lookup_fn(void *arg, uint32_t leaf, uint64_t epoch,
		     const struct mls_sig_key **key)
{
	struct lookup *l = arg;

	l->calls++;
	l->last_leaf = leaf;
	l->last_epoch = epoch;
	if (l->ret)
		return l->ret;
	if (l->null_key)
		return 0;
	if (leaf >= 4 || !l->key[leaf])
		return -ENOKEY;
	*key = l->key[leaf];
	return 0;
}

#define SUITE_VARIANTS(fx)							\
	FIXTURE_VARIANT_ADD(fx, cs1_ed25519) { .suite = 1 };			\
	FIXTURE_VARIANT_ADD(fx, cs2_p256) { .suite = 2 };			\
	FIXTURE_VARIANT_ADD(fx, cs3_ed25519) { .suite = 3 };			\
	FIXTURE_VARIANT_ADD(fx, cs4_ed448) { .suite = 4 };			\
	FIXTURE_VARIANT_ADD(fx, cs5_p521) { .suite = 5 };			\
	FIXTURE_VARIANT_ADD(fx, cs6_ed448) { .suite = 6 };			\
	FIXTURE_VARIANT_ADD(fx, cs7_p384) { .suite = 7 }

/* ================================================== no kernel needed */

TEST(mls_bytes_free_wipes)
{
	struct mls_bytes b = { NULL, 0 };

	mls_bytes_free(NULL);
	mls_bytes_free(&b);
	b.data = malloc(16);
	ASSERT_NE(NULL, b.data);
	b.len = 16;
	mls_bytes_free(&b);
	EXPECT_EQ(NULL, b.data);
	EXPECT_EQ(0, b.len);
}

TEST(suite_helpers)
{
	static const size_t nh[] = { 0, 32, 32, 32, 64, 64, 64, 48, 0 };
	static const int sig[] = {
		0, MLS_SIG_ED25519, MLS_SIG_ECDSA_SECP256R1_SHA256, MLS_SIG_ED25519,
		MLS_SIG_ED448, MLS_SIG_ECDSA_SECP521R1_SHA512, MLS_SIG_ED448,
		MLS_SIG_ECDSA_SECP384R1_SHA384, 0,
	};
	struct mls_buf b;
	unsigned int s;
	char x;

	for (s = 0; s <= 8; s++) {
		EXPECT_EQ(nh[s], mls_suite_hash_len(s));
		EXPECT_EQ(sig[s], mls_suite_signature_scheme(s));
		EXPECT_EQ(s >= 1 && s <= 7, !!mls_suite_name(s));
	}
	EXPECT_STREQ("MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519", mls_suite_name(1));
	EXPECT_STREQ("MLS_256_DHKEMP384_AES256GCM_SHA384_P384", mls_suite_name(7));
	memset(&b, 0xff, sizeof(b));
	mls_buf_set(&b, &x, 7);
	EXPECT_EQ((uint64_t)(uintptr_t)&x, b.addr);
	EXPECT_EQ(7, b.len);
	EXPECT_EQ(0, b.reserved);
}

FIXTURE(keys) {
	struct mls_sig_key *priv, *pub;
};

FIXTURE_VARIANT(keys) {
	unsigned int suite;
};

SUITE_VARIANTS(keys);

FIXTURE_SETUP(keys)
{
	ASSERT_EQ(0, key_pair(variant->suite, &self->priv, &self->pub));
}

FIXTURE_TEARDOWN(keys)
{
	mls_sig_key_free(self->priv);
	mls_sig_key_free(self->pub);
}

/* Generate, export and import in every format, sign and verify. */
TEST_F(keys, roundtrip)
{
	static const size_t priv_len[] = { 0, 32, 32, 32, 57, 66, 57, 48 };
	static const size_t pub_len[] = { 0, 32, 65, 32, 57, 133, 57, 97 };
	unsigned int s = variant->suite;
	struct mls_bytes raw_priv, raw_pub, pem_priv, pem_pub, again;
	struct mls_sig_key *k;
	uint8_t sig[MLS_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);

	EXPECT_EQ(mls_suite_signature_scheme(s), mls_sig_key_scheme(self->priv));
	EXPECT_EQ(mls_suite_signature_scheme(s), mls_sig_key_scheme(self->pub));
	ASSERT_EQ(0, mls_sig_key_export(self->priv, MLS_KEY_PRIVATE, &raw_priv));
	ASSERT_EQ(0, mls_sig_key_export(self->priv, MLS_KEY_PUBLIC, &raw_pub));
	ASSERT_EQ(0, mls_sig_key_export(self->priv, MLS_KEY_PEM_PRIVATE, &pem_priv));
	ASSERT_EQ(0, mls_sig_key_export(self->pub, MLS_KEY_PEM_PUBLIC, &pem_pub));
	EXPECT_EQ(priv_len[s], raw_priv.len);
	EXPECT_EQ(pub_len[s], raw_pub.len);
	EXPECT_EQ(0, memcmp(pem_priv.data, "-----BEGIN PRIVATE KEY-----", 27));
	EXPECT_EQ(0, memcmp(pem_pub.data, "-----BEGIN PUBLIC KEY-----", 26));

	/* raw private -> same public key */
	ASSERT_EQ(0, mls_sig_key_import(s, MLS_KEY_PRIVATE, raw_priv.data,
					raw_priv.len, &k));
	ASSERT_EQ(0, mls_sig_key_export(k, MLS_KEY_PUBLIC, &again));
	EXPECT_EQ(raw_pub.len, again.len);
	EXPECT_EQ(0, memcmp(raw_pub.data, again.data, again.len));
	mls_bytes_free(&again);
	mls_sig_key_free(k);

	/* PEM private (suite 0: any scheme) signs; PEM public verifies */
	ASSERT_EQ(0, mls_sig_key_import(0, MLS_KEY_PEM_PRIVATE, pem_priv.data,
					pem_priv.len, &k));
	EXPECT_EQ(mls_suite_signature_scheme(s), mls_sig_key_scheme(k));
	ASSERT_EQ(0, mls_sign_with_label(k, "Test", "abc", 3, sig, &sig_len));
	mls_sig_key_free(k);
	ASSERT_EQ(0, mls_sig_key_import(s, MLS_KEY_PEM_PUBLIC, pem_pub.data,
					pem_pub.len, &k));
	EXPECT_EQ(0, mls_verify_with_label(k, "Test", "abc", 3, sig, sig_len));
	EXPECT_EQ(0, mls_verify_with_label(self->pub, "Test", "abc", 3, sig, sig_len));
	EXPECT_EQ(0, mls_verify_with_label(self->priv, "Test", "abc", 3, sig, sig_len));
	EXPECT_EQ(-EBADMSG, mls_verify_with_label(k, "Test", "abd", 3, sig, sig_len));
	EXPECT_EQ(-EBADMSG, mls_verify_with_label(k, "Tesu", "abc", 3, sig, sig_len));
	sig[sig_len / 2] ^= 1;
	EXPECT_EQ(-EBADMSG, mls_verify_with_label(k, "Test", "abc", 3, sig, sig_len));
	mls_sig_key_free(k);

	/* A public key cannot sign nor export a private key. */
	sig_len = sizeof(sig);
	EXPECT_EQ(-ENOKEY, mls_sign_with_label(self->pub, "Test", "abc", 3, sig,
					       &sig_len));
	EXPECT_EQ(-ENOKEY, mls_sig_key_export(self->pub, MLS_KEY_PRIVATE, &again));
	EXPECT_EQ(-ENOKEY, mls_sig_key_export(self->pub, MLS_KEY_PEM_PRIVATE, &again));
	EXPECT_EQ(NULL, again.data);

	mls_bytes_free(&raw_priv);
	mls_bytes_free(&raw_pub);
	mls_bytes_free(&pem_priv);
	mls_bytes_free(&pem_pub);
}

/* The size of a signature: -ENOSPC tells the maximum, and nothing else. */
TEST_F(keys, sign_enospc)
{
	uint8_t sig[MLS_SIGNATURE_MAX];
	size_t len = 0, max;

	errno = ERRNO_MARK;
	EXPECT_EQ(-ENOSPC, mls_sign_with_label(self->priv, "L", "x", 1, NULL, &len));
	EXPECT_EQ(ERRNO_MARK, errno);
	max = len;
	EXPECT_LT(0, max);
	EXPECT_GE(MLS_SIGNATURE_MAX, max);
	len = max - 1;
	EXPECT_EQ(-ENOSPC, mls_sign_with_label(self->priv, "L", "x", 1, sig, &len));
	EXPECT_EQ(max, len);
	EXPECT_EQ(0, mls_sign_with_label(self->priv, "L", "x", 1, sig, &len));
	EXPECT_GE(max, len);
	EXPECT_EQ(0, mls_verify_with_label(self->pub, "L", "x", 1, sig, len));
	/* Empty content is fine. */
	len = sizeof(sig);
	EXPECT_EQ(0, mls_sign_with_label(self->priv, "L", NULL, 0, sig, &len));
	EXPECT_EQ(0, mls_verify_with_label(self->pub, "L", NULL, 0, sig, len));
}

/* A key of another scheme does not verify, nor import for this suite. */
TEST_F(keys, other_scheme)
{
	unsigned int other = variant->suite == 1 ? 2 : 1;
	struct mls_sig_key *o = NULL, *k = NULL;
	struct mls_bytes pem;
	uint8_t sig[MLS_SIGNATURE_MAX];
	size_t len = sizeof(sig);

	ASSERT_EQ(0, mls_sig_key_generate(other, &o));
	ASSERT_EQ(0, mls_sign_with_label(o, "L", "x", 1, sig, &len));
	EXPECT_EQ(-EBADMSG, mls_verify_with_label(self->pub, "L", "x", 1, sig, len));
	ASSERT_EQ(0, mls_sig_key_export(o, MLS_KEY_PEM_PRIVATE, &pem));
	if (mls_suite_signature_scheme(other) !=
	    mls_suite_signature_scheme(variant->suite)) {
		EXPECT_EQ(-EINVAL, mls_sig_key_import(variant->suite, MLS_KEY_PEM_PRIVATE,
						      pem.data, pem.len, &k));
		EXPECT_EQ(NULL, k);
	}
	mls_bytes_free(&pem);
	mls_sig_key_free(o);
}

/*
 * RFC 9420 crypto-basics sign_with_label: verify the vector's signature,
 * and sign the same content (EdDSA is deterministic: the same bytes).
 */
TEST_F(keys, crypto_basics_vector)
{
	unsigned int s = variant->suite;
	struct bytes priv, pub, content, sig;
	struct mls_sig_key *kp = NULL, *kv = NULL;
	uint8_t mine[MLS_SIGNATURE_MAX];
	size_t len = sizeof(mine);
	const char *label;
	json_t *root, *e, *swl;

	root = vec_load("crypto-basics.json");
	if (!root)
		SKIP(return, "no crypto-basics.json in %s", vec_dir());
	e = vec_entry(root, s, 0);
	ASSERT_NE(NULL, e);
	swl = json_object_get(e, "sign_with_label");
	ASSERT_NE(NULL, swl);
	ASSERT_EQ(0, vec_get_hex(swl, "priv", &priv));
	ASSERT_EQ(0, vec_get_hex(swl, "pub", &pub));
	ASSERT_EQ(0, vec_get_hex(swl, "content", &content));
	ASSERT_EQ(0, vec_get_hex(swl, "signature", &sig));
	label = vec_get_str(swl, "label");
	ASSERT_NE(NULL, label);

	ASSERT_EQ(0, mls_sig_key_import(s, MLS_KEY_PRIVATE, priv.data, priv.len, &kp));
	ASSERT_EQ(0, mls_sig_key_import(s, MLS_KEY_PUBLIC, pub.data, pub.len, &kv));
	EXPECT_EQ(0, mls_verify_with_label(kv, label, content.data, content.len,
					   sig.data, sig.len));
	ASSERT_EQ(0, mls_sign_with_label(kp, label, content.data, content.len,
					 mine, &len));
	EXPECT_EQ(0, mls_verify_with_label(kv, label, content.data, content.len,
					   mine, len));
	if (s == 1 || s == 3 || s == 4 || s == 6) {
		EXPECT_EQ(sig.len, len);
		EXPECT_EQ(0, memcmp(sig.data, mine, len));
	}
	/* The oracle agrees with libmls' signature. */
	EXPECT_EQ(1, vec_verify_with_label(vec_suite(s), pub.data, pub.len, label,
					   content.data, content.len, mine, len));
	sig.data[0] ^= 0x80;
	EXPECT_EQ(-EBADMSG, mls_verify_with_label(kv, label, content.data,
						  content.len, sig.data, sig.len));
	mls_sig_key_free(kp);
	mls_sig_key_free(kv);
	bytes_free(&priv);
	bytes_free(&pub);
	bytes_free(&content);
	bytes_free(&sig);
	json_decref(root);
}

TEST(key_errors)
{
	static const uint8_t zeros[133];
	uint8_t ones[66], garbage[40];
	struct mls_sig_key *k = (struct mls_sig_key *)&k, *ok = NULL;
	struct mls_bytes out, pem;
	EVP_PKEY *ossl;
	BIO *bio;
	char *p;
	long n;

	memset(ones, 0xff, sizeof(ones));
	memset(garbage, 'x', sizeof(garbage));
	errno = ERRNO_MARK;
	EXPECT_EQ(-EINVAL, mls_sig_key_generate(0, &k));
	EXPECT_EQ(NULL, k);
	EXPECT_EQ(-EINVAL, mls_sig_key_generate(8, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_generate(1, NULL));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(1, MLS_KEY_PRIVATE, zeros, 32, NULL));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(1, MLS_KEY_PRIVATE, NULL, 32, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(1, MLS_KEY_PRIVATE, zeros, 0, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(9, MLS_KEY_PRIVATE, zeros, 32, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(1, (enum mls_key_format)7, zeros, 32, &k));
	/* Raw formats need a suite. */
	EXPECT_EQ(-EINVAL, mls_sig_key_import(0, MLS_KEY_PRIVATE, zeros, 32, &k));
	/* Lengths */
	EXPECT_EQ(-EINVAL, mls_sig_key_import(1, MLS_KEY_PRIVATE, zeros, 31, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(1, MLS_KEY_PUBLIC, zeros, 33, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(4, MLS_KEY_PRIVATE, zeros, 32, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(2, MLS_KEY_PRIVATE, zeros, 33, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(2, MLS_KEY_PUBLIC, zeros, 64, &k));
	/* An ECDSA scalar of 0, or not below the group order */
	EXPECT_EQ(-EINVAL, mls_sig_key_import(2, MLS_KEY_PRIVATE, zeros, 32, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(2, MLS_KEY_PRIVATE, ones, 32, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(7, MLS_KEY_PRIVATE, ones, 48, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(5, MLS_KEY_PRIVATE, ones, 66, &k));
	/* A point that is not on the curve; a compressed one */
	{
		uint8_t pt[65];

		memset(pt, 0x01, sizeof(pt));
		pt[0] = 0x04;
		EXPECT_EQ(-EINVAL, mls_sig_key_import(2, MLS_KEY_PUBLIC, pt, 65, &k));
		pt[0] = 0x02;
		EXPECT_EQ(-EINVAL, mls_sig_key_import(2, MLS_KEY_PUBLIC, pt, 65, &k));
	}
	/* PEM: garbage, a private key where a public one is asked */
	EXPECT_EQ(-EINVAL, mls_sig_key_import(0, MLS_KEY_PEM_PRIVATE, garbage,
					      sizeof(garbage), &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(0, MLS_KEY_PEM_PUBLIC, garbage,
					      sizeof(garbage), &k));
	ASSERT_EQ(0, mls_sig_key_generate(1, &ok));
	ASSERT_EQ(0, mls_sig_key_export(ok, MLS_KEY_PEM_PRIVATE, &pem));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(1, MLS_KEY_PEM_PUBLIC, pem.data,
					      pem.len, &k));
	EXPECT_EQ(-EINVAL, mls_sig_key_import(2, MLS_KEY_PEM_PRIVATE, pem.data,
					      pem.len, &k));
	EXPECT_EQ(NULL, k);
	mls_bytes_free(&pem);

	/* An encrypted PEM key is refused, without asking for a passphrase. */
	ossl = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ASSERT_NE(NULL, ossl);
	bio = BIO_new(BIO_s_mem());
	ASSERT_NE(NULL, bio);
	ASSERT_EQ(1, PEM_write_bio_PrivateKey(bio, ossl, EVP_aes_128_cbc(),
					      (unsigned char *)"pass", 4, NULL, NULL));
	n = BIO_get_mem_data(bio, &p);
	EXPECT_EQ(-EINVAL, mls_sig_key_import(1, MLS_KEY_PEM_PRIVATE, p, (size_t)n, &k));
	BIO_free(bio);
	/* A key no suite uses (RSA would be slow: X25519 will do). */
	EVP_PKEY_free(ossl);
	ossl = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	ASSERT_NE(NULL, ossl);
	bio = BIO_new(BIO_s_mem());
	ASSERT_EQ(1, PEM_write_bio_PrivateKey(bio, ossl, NULL, NULL, 0, NULL, NULL));
	n = BIO_get_mem_data(bio, &p);
	EXPECT_EQ(-EINVAL, mls_sig_key_import(0, MLS_KEY_PEM_PRIVATE, p, (size_t)n, &k));
	BIO_free(bio);
	EVP_PKEY_free(ossl);

	/* export, scheme, free */
	EXPECT_EQ(-EINVAL, mls_sig_key_export(NULL, MLS_KEY_PUBLIC, &out));
	EXPECT_EQ(-EINVAL, mls_sig_key_export(ok, MLS_KEY_PUBLIC, NULL));
	EXPECT_EQ(-EINVAL, mls_sig_key_export(ok, (enum mls_key_format)9, &out));
	EXPECT_EQ(-EINVAL, mls_sig_key_scheme(NULL));
	mls_sig_key_free(NULL);

	/* sign and verify arguments */
	{
		uint8_t sig[MLS_SIGNATURE_MAX];
		size_t len = sizeof(sig);

		EXPECT_EQ(-EINVAL, mls_sign_with_label(NULL, "L", "x", 1, sig, &len));
		EXPECT_EQ(-EINVAL, mls_sign_with_label(ok, NULL, "x", 1, sig, &len));
		EXPECT_EQ(-EINVAL, mls_sign_with_label(ok, "L", NULL, 1, sig, &len));
		EXPECT_EQ(-EINVAL, mls_sign_with_label(ok, "L", "x", 1, sig, NULL));
		EXPECT_EQ(-EINVAL, mls_sign_with_label(ok, "L", "x", 1, NULL, &len));
		ASSERT_EQ(0, mls_sign_with_label(ok, "L", "x", 1, sig, &len));
		EXPECT_EQ(-EINVAL, mls_verify_with_label(NULL, "L", "x", 1, sig, len));
		EXPECT_EQ(-EINVAL, mls_verify_with_label(ok, NULL, "x", 1, sig, len));
		EXPECT_EQ(-EINVAL, mls_verify_with_label(ok, "L", NULL, 1, sig, len));
		EXPECT_EQ(-EINVAL, mls_verify_with_label(ok, "L", "x", 1, NULL, len));
		EXPECT_EQ(-EBADMSG, mls_verify_with_label(ok, "L", "x", 1, sig, 0));
		EXPECT_EQ(-EBADMSG, mls_verify_with_label(ok, "L", "x", 1, sig, len - 1));
		EXPECT_EQ(-EBADMSG, mls_verify_with_label(ok, "L", "x", 1, garbage,
							  sizeof(garbage)));
	}
	mls_sig_key_free(ok);
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* ECDSA: a malformed DER signature is a bad signature, not an error. */
TEST(ecdsa_bad_der)
{
	struct mls_sig_key *k;
	uint8_t sig[MLS_SIGNATURE_MAX];
	size_t len = sizeof(sig);

	ASSERT_EQ(0, mls_sig_key_generate(2, &k));
	ASSERT_EQ(0, mls_sign_with_label(k, "L", "x", 1, sig, &len));
	EXPECT_EQ(0x30, sig[0]);
	sig[1] ^= 0x40;		/* the SEQUENCE length */
	EXPECT_EQ(-EBADMSG, mls_verify_with_label(k, "L", "x", 1, sig, len));
	sig[1] ^= 0x40;
	EXPECT_EQ(-EBADMSG, mls_verify_with_label(k, "L", "x", 1, sig, len + 1));
	mls_sig_key_free(k);
}

/* FramedContentTBS against the oracle of the selftests (vectors.c). */
/*
 * mls_group_context_encode() against the oracle (vectors.c), with vectors
 * across the varint length boundaries (63/64, 16383/16384 bytes), and its
 * arguments.
 */
TEST(group_context_encode)
{
	static const size_t lens[] = { 0, 1, 63, 64, 16383, 16384, 70000 };
	uint8_t *buf = malloc(70000);
	struct mls_group_context_fields f;
	struct mls_bytes enc;
	unsigned int i, suite;

	ASSERT_NE(NULL, buf);
	rnd(buf, 70000);
	errno = ERRNO_MARK;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (suite = 1; suite <= 7; suite++) {
			size_t n = lens[i], nh = mls_suite_hash_len(suite);
			struct wbuf w;

			memset(&f, 0, sizeof(f));
			f.cipher_suite = (uint16_t)suite;
			f.group_id = buf;
			f.group_id_len = n < 256 ? n : 255;
			f.epoch = 0x0102030405060708ULL + i;
			f.tree_hash = buf + 1;
			f.tree_hash_len = nh;
			f.confirmed_transcript_hash = n ? buf + 2 : NULL;
			f.confirmed_transcript_hash_len = n < nh ? n : nh;
			f.extensions = n ? buf + 3 : NULL;
			f.extensions_len = n ? n - 3 * (n >= 3) : 0;
			ASSERT_EQ(0, mls_group_context_encode(&f, &enc));
			wb_init(&w);
			vec_group_context(&w, vec_suite(suite), f.group_id, f.group_id_len,
					  f.epoch, f.tree_hash, f.tree_hash_len,
					  f.confirmed_transcript_hash,
					  f.confirmed_transcript_hash_len, f.extensions,
					  f.extensions_len);
			ASSERT_EQ(0, w.err);
			ASSERT_EQ(w.len, enc.len) TH_LOG("suite %u, length %zu", suite, n);
			EXPECT_EQ(0, memcmp(w.p, enc.data, w.len));
			wb_free(&w);
			mls_bytes_free(&enc);
		}
	}
	/* Arguments: every pointer NULL with a length, no output. */
	memset(&f, 0, sizeof(f));
	f.cipher_suite = 1;
	EXPECT_EQ(0, mls_group_context_encode(&f, &enc));	/* all empty: valid */
	EXPECT_EQ(2 + 2 + 1 + 8 + 1 + 1 + 1, enc.len);
	mls_bytes_free(&enc);
	EXPECT_EQ(-EINVAL, mls_group_context_encode(&f, NULL));
	enc.data = (void *)1;
	EXPECT_EQ(-EINVAL, mls_group_context_encode(NULL, &enc));
	EXPECT_EQ(NULL, enc.data);
	f.group_id_len = 1;
	EXPECT_EQ(-EINVAL, mls_group_context_encode(&f, &enc));
	f.group_id_len = 0;
	f.tree_hash_len = 1;
	EXPECT_EQ(-EINVAL, mls_group_context_encode(&f, &enc));
	f.tree_hash_len = 0;
	f.confirmed_transcript_hash_len = 1;
	EXPECT_EQ(-EINVAL, mls_group_context_encode(&f, &enc));
	f.confirmed_transcript_hash_len = 0;
	f.extensions_len = 1;
	EXPECT_EQ(-EINVAL, mls_group_context_encode(&f, &enc));
	/* A vector of 2^30 bytes has no varint length. */
	f.extensions = buf;
	f.extensions_len = (size_t)1 << 30;
	EXPECT_EQ(-EINVAL, mls_group_context_encode(&f, &enc));
	EXPECT_EQ(NULL, enc.data);
	EXPECT_EQ(ERRNO_MARK, errno);
	free(buf);
}

TEST(framed_content_tbs)
{
	static const uint8_t gid[] = "group", aad[] = "aad", gc[] = "the-context";
	uint8_t big[20000];
	struct mls_framed_content fc;
	struct mls_bytes tbs;
	struct wbuf w;
	unsigned int t;

	memset(big, 0x5a, sizeof(big));
	for (t = MLS_CONTENT_APPLICATION; t <= MLS_CONTENT_COMMIT; t++) {
		memset(&fc, 0, sizeof(fc));
		fc.group_id = gid;
		fc.group_id_len = 5;
		fc.epoch = 0x0102030405060708ULL;
		fc.sender_leaf = 0x0a0b0c0d;
		fc.authenticated_data = aad;
		fc.authenticated_data_len = 3;
		fc.content_type = t;
		fc.content = big;
		fc.content_len = t == 1 ? sizeof(big) : 70;
		fc.context = gc;
		fc.context_len = sizeof(gc) - 1;
		ASSERT_EQ(0, mls_framed_content_tbs(&fc, &tbs));
		wb_init(&w);
		vec_framed_tbs(&w, gid, 5, fc.epoch, fc.sender_leaf, aad, 3, t,
			       big, fc.content_len, gc, sizeof(gc) - 1);
		ASSERT_EQ(0, w.err);
		EXPECT_EQ(w.len, tbs.len);
		EXPECT_EQ(0, memcmp(w.p, tbs.data, w.len));
		wb_free(&w);
		mls_bytes_free(&tbs);
	}
	/* A PublicMessage's TBS differs only in its wire format. */
	fc.content_type = MLS_CONTENT_APPLICATION;
	fc.content_len = 1;
	fc.wire_format = MLS_WIRE_FORMAT_PUBLIC_MESSAGE;
	ASSERT_EQ(0, mls_framed_content_tbs(&fc, &tbs));
	EXPECT_EQ(0x00, tbs.data[0]);
	EXPECT_EQ(0x01, tbs.data[1]);
	EXPECT_EQ(0x00, tbs.data[2]);
	EXPECT_EQ(0x01, tbs.data[3]);
	mls_bytes_free(&tbs);

	/* Arguments */
	errno = ERRNO_MARK;
	EXPECT_EQ(-EINVAL, mls_framed_content_tbs(NULL, &tbs));
	EXPECT_EQ(-EINVAL, mls_framed_content_tbs(&fc, NULL));
	fc.wire_format = 3;
	EXPECT_EQ(-EINVAL, mls_framed_content_tbs(&fc, &tbs));
	fc.wire_format = 0;
	fc.content_type = 0;
	EXPECT_EQ(-EINVAL, mls_framed_content_tbs(&fc, &tbs));
	fc.content_type = 4;
	EXPECT_EQ(-EINVAL, mls_framed_content_tbs(&fc, &tbs));
	fc.content_type = 1;
	fc.group_id_len = 0;
	EXPECT_EQ(-EINVAL, mls_framed_content_tbs(&fc, &tbs));
	fc.group_id_len = 5;
	fc.context_len = 0;
	EXPECT_EQ(-EINVAL, mls_framed_content_tbs(&fc, &tbs));
	fc.context_len = 3;
	fc.content = NULL;
	EXPECT_EQ(-EINVAL, mls_framed_content_tbs(&fc, &tbs));
	fc.content = big;
	fc.authenticated_data = NULL;
	EXPECT_EQ(-EINVAL, mls_framed_content_tbs(&fc, &tbs));
	fc.authenticated_data_len = 0;
	EXPECT_EQ(0, mls_framed_content_tbs(&fc, &tbs));
	mls_bytes_free(&tbs);
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* A PrivateMessage by hand: version, wire format, gid, epoch, type... */
static size_t put_msg(uint8_t *m, uint16_t version, uint16_t wf, uint8_t type)
{
	size_t n = 0;
	int i;

	m[n++] = (uint8_t)(version >> 8);
	m[n++] = (uint8_t)version;
	m[n++] = (uint8_t)(wf >> 8);
	m[n++] = (uint8_t)wf;
	m[n++] = 3;
	memcpy(m + n, "gid", 3);
	n += 3;
	for (i = 0; i < 8; i++)
		m[n++] = (uint8_t)(i == 7 ? 9 : 0);
	m[n++] = type;
	m[n++] = 2;
	m[n++] = 'a';
	m[n++] = 'd';
	m[n++] = 1;
	m[n++] = 0xee;
	m[n++] = 1;
	m[n++] = 0xcc;
	return n;
}

TEST(message_peek)
{
	struct mls_message_header h;
	uint8_t m[64];
	size_t n = put_msg(m, 1, 2, 1), i;

	ASSERT_EQ(0, mls_message_peek(m, n, &h));
	EXPECT_EQ(1, h.version);
	EXPECT_EQ(2, h.wire_format);
	EXPECT_EQ(3, h.group_id_len);
	EXPECT_EQ(m + 5, h.group_id);
	EXPECT_EQ(9, h.epoch);
	EXPECT_EQ(MLS_CONTENT_APPLICATION, h.content_type);
	EXPECT_EQ(2, h.authenticated_data_len);
	EXPECT_EQ(0, memcmp(h.authenticated_data, "ad", 2));

	errno = ERRNO_MARK;
	/* every truncation, and one byte too many */
	for (i = 0; i < n; i++)
		EXPECT_EQ(-EBADMSG, mls_message_peek(m, i, &h));
	m[n] = 0;
	EXPECT_EQ(-EBADMSG, mls_message_peek(m, n + 1, &h));
	EXPECT_EQ(0, h.epoch);
	EXPECT_EQ(-EBADMSG, mls_message_peek(m, put_msg(m, 2, 2, 1), &h));
	EXPECT_EQ(-EBADMSG, mls_message_peek(m, put_msg(m, 1, 1, 1), &h));
	EXPECT_EQ(-EBADMSG, mls_message_peek(m, put_msg(m, 1, 2, 0), &h));
	EXPECT_EQ(-EBADMSG, mls_message_peek(m, put_msg(m, 1, 2, 4), &h));
	EXPECT_EQ(0, mls_message_peek(m, put_msg(m, 1, 2, 3), &h));
	EXPECT_EQ(MLS_CONTENT_COMMIT, h.content_type);
	/* a non-minimal varint for the group_id length: 0x40 0x03 */
	n = put_msg(m, 1, 2, 1);
	memmove(m + 6, m + 5, n - 5);
	m[4] = 0x40;
	m[5] = 0x03;
	EXPECT_EQ(-EBADMSG, mls_message_peek(m, n + 1, &h));
	/* prefix 11 */
	m[4] = 0xc0;
	EXPECT_EQ(-EBADMSG, mls_message_peek(m, n + 1, &h));
	EXPECT_EQ(-EINVAL, mls_message_peek(m, n, NULL));
	EXPECT_EQ(-EINVAL, mls_message_peek(NULL, 4, &h));
	EXPECT_EQ(-EBADMSG, mls_message_peek(NULL, 0, &h));
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* ================================================ the control device */

TEST(open_and_version)
{
	struct mls_version v;
	int fd, nul;

	NEED_DEV();
	errno = ERRNO_MARK;
	fd = mls_open(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, mls_get_version(fd, &v));
	EXPECT_EQ(MLS_API_VERSION, v.api_version);
	EXPECT_TRUE(v.features & MLS_FEATURE_VERSION_IOCTL);
	EXPECT_TRUE(v.features & MLS_FEATURE_GROUPS);
	EXPECT_EQ(0xfeULL, v.suites);
	EXPECT_EQ(-EINVAL, mls_get_version(fd, NULL));
	EXPECT_EQ(-EBADF, mls_get_version(-1, &v));
	nul = open("/dev/null", O_RDWR);
	ASSERT_LE(0, nul);
	EXPECT_EQ(-ENOTTY, mls_get_version(nul, &v));
	close(nul);
	close(fd);
	fd = mls_open(O_NONBLOCK);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-ENOTDIR, mls_open(O_DIRECTORY));
	EXPECT_EQ(ERRNO_MARK, errno);
}

TEST(group_create_join_errors)
{
	struct mls_group_new g;
	uint8_t gid[4] = "gid", secret[32] = { 1 };
	int ctl, fd;

	NEED_DEV();
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	errno = ERRNO_MARK;
	EXPECT_EQ(-EINVAL, mls_group_create(ctl, NULL));
	EXPECT_EQ(-EINVAL, mls_group_join(ctl, NULL));

	memset(&g, 0, sizeof(g));
	g.suite = 1;
	g.roster.leaf_count = 1;
	EXPECT_EQ(-EINVAL, mls_group_create(ctl, &g));	/* no group_id */
	mls_buf_set(&g.group_id, gid, 3);
	g.suite = 0;
	EXPECT_EQ(-EINVAL, mls_group_create(ctl, &g));
	g.suite = 8;
	EXPECT_EQ(-EINVAL, mls_group_create(ctl, &g));
	g.suite = 1;
	g.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, mls_group_create(ctl, &g));
	g.flags = MLS_GROUP_F_EPHEMERAL;
	g.mode = 01000;
	EXPECT_EQ(-EINVAL, mls_group_create(ctl, &g));
	g.mode = 0;
	mls_buf_set(&g.group_id, (void *)1, 3);
	EXPECT_EQ(-EFAULT, mls_group_create(ctl, &g));
	mls_buf_set(&g.group_id, gid, 3);
	EXPECT_EQ(-EBADF, mls_group_create(-1, &g));

	/* A group fd is not the control device. */
	fd = mls_group_create(ctl, &g);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, mls_group_create(fd, &g));
	EXPECT_EQ(-ENOTTY, mls_group_open(fd, 1));

	/*
	 * join: a joiner secret of the wrong length, flags other than
	 * ephemeral, no joiner secret
	 */
	memset(&g, 0, sizeof(g));
	g.suite = 1;
	g.flags = MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, gid, 3);
	mls_buf_set(&g.joiner_secret, secret, 31);
	g.context.epoch = 1;
	g.roster.own_leaf = 1;
	g.roster.leaf_count = 2;
	EXPECT_EQ(-EINVAL, mls_group_join(ctl, &g));
	mls_buf_set(&g.joiner_secret, NULL, 0);
	EXPECT_EQ(-EINVAL, mls_group_join(ctl, &g));
	mls_buf_set(&g.joiner_secret, secret, 32);
	g.flags = MLS_GROUP_F_INSTALL;
	EXPECT_EQ(-EINVAL, mls_group_join(ctl, &g));
	g.flags = MLS_GROUP_F_EPHEMERAL;
	g.roster.own_leaf = 2;
	EXPECT_EQ(-EINVAL, mls_group_join(ctl, &g));
	g.roster.own_leaf = 1;
	fd = mls_group_join(ctl, &g);	/* any secret makes an epoch */
	EXPECT_LE(0, fd);
	EXPECT_LT(0, g.id);
	close(fd);
	EXPECT_EQ(ERRNO_MARK, errno);
	close(ctl);
}

TEST(group_open_list_destroy)
{
	uint32_t id, *ids = NULL, extra[20];
	size_t n = 0, i, found = 0;
	int ctl, fd, fd2, k;

	NEED_DEV();
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	fd = plain_group(ctl, 1, 0, 0, &id);	/* persistent */
	ASSERT_LE(0, fd);
	close(fd);

	/* It outlived its descriptor: open it again by id. */
	fd = mls_group_open(ctl, id);
	ASSERT_LE(0, fd);
	fd2 = mls_group_open(ctl, id);
	ASSERT_LE(0, fd2);

	/* More groups than libmls' first guess (16): it asks again. */
	for (k = 0; k < 20; k++) {
		int f = plain_group(ctl, 1, 0, 0, &extra[k]);

		ASSERT_LE(0, f);
		close(f);
	}
	errno = ERRNO_MARK;
	ASSERT_EQ(0, mls_group_list(ctl, &ids, &n));
	EXPECT_LE(21, n);
	for (i = 0; i < n; i++) {
		if (i)
			EXPECT_LT(ids[i - 1], ids[i]);
		found += ids[i] == id;
		for (k = 0; k < 20; k++)
			found += ids[i] == extra[k];
	}
	EXPECT_EQ(21, found);
	free(ids);

	/* Destroy: gone from the list, every fd gets ENOENT. */
	ASSERT_EQ(0, mls_group_destroy(fd));
	EXPECT_EQ(-ENOENT, mls_group_destroy(fd));
	EXPECT_EQ(-ENOENT, mls_group_destroy(fd2));
	EXPECT_EQ(-ENOENT, mls_group_open(ctl, id));
	for (k = 0; k < 20; k++) {
		int f = mls_group_open(ctl, extra[k]);

		ASSERT_LE(0, f);
		EXPECT_EQ(0, mls_group_destroy(f));
		close(f);
	}
	ASSERT_EQ(0, mls_group_list(ctl, &ids, &n));
	for (i = 0; i < n; i++)
		EXPECT_NE(id, ids[i]);
	free(ids);
	close(fd);
	close(fd2);

	/* Errors */
	EXPECT_EQ(-ENOENT, mls_group_open(ctl, 0));
	EXPECT_EQ(-ENOENT, mls_group_open(ctl, UINT32_MAX));
	EXPECT_EQ(-EBADF, mls_group_open(-1, 1));
	EXPECT_EQ(-EINVAL, mls_group_list(ctl, NULL, &n));
	EXPECT_EQ(-EINVAL, mls_group_list(ctl, &ids, NULL));
	ids = extra;
	EXPECT_EQ(-EBADF, mls_group_list(-1, &ids, &n));
	EXPECT_EQ(NULL, ids);
	EXPECT_EQ(0, n);
	EXPECT_EQ(-EBADF, mls_group_destroy(-1));
	EXPECT_EQ(-ENOTTY, mls_group_destroy(ctl));
	EXPECT_EQ(ERRNO_MARK, errno);
	close(ctl);
}

/* Open checks owner and mode as for a file: uid 1000 and root's groups. */
TEST(group_open_eacces)
{
	uint32_t private_id, shared_id;
	int ctl, a, b, status;
	pid_t pid;

	NEED_DEV();
	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	a = plain_group(ctl, 1, 0, 0, &private_id);
	ASSERT_LE(0, a);
	b = plain_group(ctl, 1, 0, 0666, &shared_id);
	ASSERT_LE(0, b);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int c, r1, r2;

		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(10);
		c = mls_open(0);
		if (c < 0)
			_exit(11);
		r1 = mls_group_open(c, private_id);
		r2 = mls_group_open(c, shared_id);
		_exit(r1 == -EACCES && r2 >= 0 ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, mls_group_destroy(a));
	EXPECT_EQ(0, mls_group_destroy(b));
	close(a);
	close(b);
	close(ctl);
}

/* No descriptor left: create and open fail, and no group is left behind. */
TEST(no_descriptor_emfile)
{
	struct rlimit old, rl;
	uint32_t *ids, id;
	size_t before, after;
	int ctl, fd, next;

	NEED_DEV();
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	fd = plain_group(ctl, 1, 0, 0, &id);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mls_group_list(ctl, &ids, &before));
	free(ids);
	next = dup(ctl);
	ASSERT_LE(0, next);
	close(next);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	rl = old;
	rl.rlim_cur = (rlim_t)next;	/* every descriptor from here is taken */
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	errno = ERRNO_MARK;
	EXPECT_EQ(-EMFILE, plain_group(ctl, 1, 0, 0, NULL));
	EXPECT_EQ(-EMFILE, mls_group_open(ctl, id));
	EXPECT_EQ(-EMFILE, mls_open(0));
	EXPECT_EQ(ERRNO_MARK, errno);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	ASSERT_EQ(0, mls_group_list(ctl, &ids, &after));
	free(ids);
	EXPECT_EQ(before, after);
	fd = mls_group_open(ctl, id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, mls_group_destroy(fd));
	close(fd);
	close(ctl);
}

/* The module's max_groups: create fails with ENOSPC once it is reached. */
FIXTURE(many) {
	int unused;
};

FIXTURE_SETUP(many)
{
}

FIXTURE_TEARDOWN(many)
{
}

TEST_F_TIMEOUT(many, max_groups_enospc, 600)
{
	uint32_t *mine, *ids, id;
	size_t n = 0, existing, i;
	long long max = -1;
	char buf[32] = "";
	int ctl, fd, ret = 0;
	FILE *f;

	NEED_DEV();
	f = fopen("/sys/module/mls/parameters/max_groups", "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			max = atoll(buf);
		fclose(f);
	}
	if (max <= 0 || max > 8192)
		SKIP(return, "max_groups is %lld", max);
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, mls_group_list(ctl, &ids, &existing));
	free(ids);
	mine = calloc((size_t)max + 1, sizeof(*mine));
	ASSERT_NE(NULL, mine);
	/* Persistent groups, so that descriptors do not run out first. */
	while (n <= (size_t)max) {
		fd = plain_group(ctl, 1, 0, 0, &id);
		if (fd < 0) {
			ret = fd;
			break;
		}
		close(fd);
		mine[n++] = id;
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ((size_t)max - existing, n);
	for (i = 0; i < n; i++) {
		fd = mls_group_open(ctl, mine[i]);
		if (fd < 0)
			continue;
		mls_group_destroy(fd);
		close(fd);
	}
	/* Room again */
	fd = plain_group(ctl, 1, MLS_GROUP_F_EPHEMERAL, 0, NULL);
	EXPECT_LE(0, fd);
	close(fd);
	free(mine);
	close(ctl);
}

/* The last epoch: no commit after it. */
TEST(epoch_exhausted_eoverflow)
{
	uint8_t gid[4] = "max", secret[32] = { 5 };
	struct mls_group_new g;
	struct mls_commit c;
	int ctl, fd;

	NEED_DEV();
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	memset(&g, 0, sizeof(g));
	g.suite = 1;
	g.flags = MLS_GROUP_F_FROM_INPUTS | MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, gid, 3);
	mls_buf_set(&g.init_secret, secret, 32);
	g.context.epoch = UINT64_MAX;
	g.roster.leaf_count = 1;
	fd = mls_group_create(ctl, &g);
	ASSERT_LE(0, fd);
	memset(&c, 0, sizeof(c));
	c.context.epoch = 0;	/* UINT64_MAX + 1 */
	c.roster.leaf_count = 1;
	EXPECT_EQ(-EOVERFLOW, mls_commit(fd, &c));
	close(fd);
	close(ctl);
}

/* ====================================================== a group's state */

FIXTURE(duo) {
	struct duo d;
};

FIXTURE_VARIANT(duo) {
	unsigned int suite;
};

SUITE_VARIANTS(duo);

FIXTURE_SETUP(duo)
{
	self->d.ctl = -1;
	self->d.a = -1;
	self->d.b = -1;
	if (!have_dev())
		SKIP(return, "no /dev/mls (module not loaded)");
	ASSERT_EQ(0, duo_make(&self->d, variant->suite));
}

FIXTURE_TEARDOWN(duo)
{
	duo_free(&self->d);
}

TEST_F(duo, group_info)
{
	struct mls_group_info info;
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	size_t len = sizeof(gid);

	NEED_DUO();
	errno = ERRNO_MARK;
	ASSERT_EQ(0, mls_group_info(self->d.b, &info, gid, &len));
	EXPECT_EQ(self->d.b_id, info.id);
	EXPECT_EQ(variant->suite, info.suite);
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(MLS_GROUP_STATE_ACTIVE, info.state);
	EXPECT_EQ(1, info.own_leaf);
	EXPECT_EQ(2, info.leaf_count);
	EXPECT_EQ(1, info.epoch);
	EXPECT_EQ(geteuid(), info.owner_uid);
	EXPECT_EQ(MLS_GROUP_F_EPHEMERAL, info.group_flags);
	EXPECT_EQ(0, info.group_id.addr);	/* no pointer left behind */
	EXPECT_EQ(sizeof(self->d.gid), len);
	EXPECT_EQ(0, memcmp(self->d.gid, gid, len));

	/* The length alone; too small a buffer gets the length needed. */
	len = 0;
	EXPECT_EQ(0, mls_group_info(self->d.a, &info, NULL, &len));
	EXPECT_EQ(sizeof(self->d.gid), len);
	EXPECT_EQ(0, info.own_leaf);
	EXPECT_EQ(0, mls_group_info(self->d.a, &info, NULL, NULL));
	len = 3;
	EXPECT_EQ(-ENOSPC, mls_group_info(self->d.a, &info, gid, &len));
	EXPECT_EQ(sizeof(self->d.gid), len);
	EXPECT_EQ(-EINVAL, mls_group_info(self->d.a, NULL, gid, &len));
	EXPECT_EQ(-EINVAL, mls_group_info(self->d.a, &info, gid, NULL));
	EXPECT_EQ(-EBADF, mls_group_info(-1, &info, NULL, NULL));
	EXPECT_EQ(-ENOTTY, mls_group_info(self->d.ctl, &info, NULL, NULL));
	ASSERT_EQ(0, mls_group_destroy(self->d.a));
	EXPECT_EQ(-ENOENT, mls_group_info(self->d.a, &info, NULL, NULL));
	EXPECT_EQ(ERRNO_MARK, errno);
}

TEST_F(duo, set_policy)
{
	struct mls_group_info info;
	struct mls_policy p;

	NEED_DUO();
	memset(&p, 0, sizeof(p));
	p.epochs_kept = 3;
	p.epoch_max_age_ms = 12345;
	p.padding_block = 32;
	errno = ERRNO_MARK;
	ASSERT_EQ(0, mls_group_set_policy(self->d.a, MLS_POLICY_EPOCHS_KEPT |
					  MLS_POLICY_EPOCH_MAX_AGE |
					  MLS_POLICY_PADDING_BLOCK, &p));
	ASSERT_EQ(0, mls_group_info(self->d.a, &info, NULL, NULL));
	EXPECT_EQ(3, info.policy.epochs_kept);
	EXPECT_EQ(12345, info.policy.epoch_max_age_ms);
	EXPECT_EQ(32, info.policy.padding_block);
	/* Only the fields of the mask change. */
	p.epochs_kept = 7;
	p.padding_block = 0;
	ASSERT_EQ(0, mls_group_set_policy(self->d.a, MLS_POLICY_EPOCHS_KEPT, &p));
	ASSERT_EQ(0, mls_group_info(self->d.a, &info, NULL, NULL));
	EXPECT_EQ(7, info.policy.epochs_kept);
	EXPECT_EQ(32, info.policy.padding_block);

	EXPECT_EQ(-EINVAL, mls_group_set_policy(self->d.a, 1U << 30, &p));
	EXPECT_EQ(-EINVAL, mls_group_set_policy(self->d.a, MLS_POLICY_EPOCHS_KEPT, NULL));
	p.epochs_kept = 1000000;	/* above the module's cap */
	EXPECT_EQ(-EINVAL, mls_group_set_policy(self->d.a, MLS_POLICY_EPOCHS_KEPT, &p));
	EXPECT_EQ(-EBADF, mls_group_set_policy(-1, MLS_POLICY_EPOCHS_KEPT, &p));
	ASSERT_EQ(0, mls_group_destroy(self->d.a));
	p.epochs_kept = 1;
	EXPECT_EQ(-ENOENT, mls_group_set_policy(self->d.a, MLS_POLICY_EPOCHS_KEPT, &p));
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* The GroupContext the kernel returns is the one the oracle encodes. */
TEST_F(duo, get_context)
{
	struct mls_bytes ctx;
	struct mls_policy p;
	uint64_t epoch = 99;
	struct wbuf w;

	NEED_DUO();
	errno = ERRNO_MARK;
	ASSERT_EQ(0, mls_get_context(self->d.b, 0, &epoch, &ctx));
	EXPECT_EQ(1, epoch);
	wb_init(&w);
	vec_group_context(&w, vec_suite(variant->suite), self->d.gid,
			  sizeof(self->d.gid), 1, self->d.tree, self->d.nh,
			  self->d.cth, self->d.nh, NULL, 0);
	EXPECT_EQ(w.len, ctx.len);
	EXPECT_EQ(0, memcmp(w.p, ctx.data, ctx.len));
	wb_free(&w);
	mls_bytes_free(&ctx);

	/* A past epoch, a future one, one no longer kept */
	ASSERT_EQ(0, duo_rotate(&self->d));
	epoch = 1;
	ASSERT_EQ(0, mls_get_context(self->d.a, MLS_CONTEXT_F_EPOCH, &epoch, &ctx));
	EXPECT_EQ(1, epoch);
	EXPECT_LT(0, ctx.len);
	mls_bytes_free(&ctx);
	epoch = 3;
	EXPECT_EQ(-EAGAIN, mls_get_context(self->d.a, MLS_CONTEXT_F_EPOCH, &epoch, &ctx));
	EXPECT_EQ(NULL, ctx.data);
	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, mls_group_set_policy(self->d.a, MLS_POLICY_EPOCHS_KEPT, &p));
	epoch = 1;
	EXPECT_EQ(-EKEYEXPIRED, mls_get_context(self->d.a, MLS_CONTEXT_F_EPOCH,
						&epoch, &ctx));
	EXPECT_EQ(-EINVAL, mls_get_context(self->d.a, 1U << 20, &epoch, &ctx));
	EXPECT_EQ(-EINVAL, mls_get_context(self->d.a, 0, NULL, &ctx));
	EXPECT_EQ(-EINVAL, mls_get_context(self->d.a, 0, &epoch, NULL));
	EXPECT_EQ(-EBADF, mls_get_context(-1, 0, &epoch, &ctx));
	ASSERT_EQ(0, mls_group_destroy(self->d.a));
	EXPECT_EQ(-ENOENT, mls_get_context(self->d.a, 0, &epoch, &ctx));
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* A GroupContext larger than libmls' first guess: it asks again. */
TEST(get_context_enospc_retry)
{
	uint8_t gid[8] = "bigctx", secret[32] = { 3 }, ext[3000];
	struct mls_group_new g;
	struct mls_bytes ctx;
	uint64_t epoch = 0;
	struct wbuf w;
	int ctl, fd;

	NEED_DEV();
	memset(ext, 0x33, sizeof(ext));
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	memset(&g, 0, sizeof(g));
	g.suite = 1;
	g.flags = MLS_GROUP_F_FROM_INPUTS | MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, gid, sizeof(gid));
	mls_buf_set(&g.init_secret, secret, 32);
	g.context.epoch = 5;
	mls_buf_set(&g.context.extensions, ext, sizeof(ext));
	g.roster.leaf_count = 1;
	fd = mls_group_create(ctl, &g);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mls_get_context(fd, 0, &epoch, &ctx));
	EXPECT_EQ(5, epoch);
	wb_init(&w);
	vec_group_context(&w, vec_suite(1), gid, sizeof(gid), 5, NULL, 0, NULL, 0,
			  ext, sizeof(ext));
	EXPECT_EQ(w.len, ctx.len);
	EXPECT_EQ(0, memcmp(w.p, ctx.data, ctx.len));
	wb_free(&w);
	mls_bytes_free(&ctx);
	close(fd);
	close(ctl);
}

TEST_F(duo, commit_errors)
{
	uint8_t secret[MLS_MAX_HASH_LEN] = { 7 }, joiner[MLS_MAX_HASH_LEN];
	uint8_t welcome[MLS_MAX_HASH_LEN];
	struct mls_group_info info;
	struct mls_commit c;

	NEED_DUO();
	errno = ERRNO_MARK;
	ASSERT_EQ(0, duo_rotate(&self->d));
	ASSERT_EQ(0, mls_group_info(self->d.a, &info, NULL, NULL));
	EXPECT_EQ(2, info.epoch);
	ASSERT_EQ(0, mls_group_info(self->d.b, &info, NULL, NULL));
	EXPECT_EQ(2, info.epoch);

	memset(&c, 0, sizeof(c));
	mls_buf_set(&c.commit_secret, secret, self->d.nh);
	c.roster.leaf_count = 2;
	/* An old epoch: stale */
	c.context.epoch = 2;
	EXPECT_EQ(-ESTALE, mls_commit(self->d.a, &c));
	c.context.epoch = 3;
	/* Outputs too small: -ENOSPC with Nh, and nothing applied */
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mls_buf_set(&c.joiner_secret, joiner, self->d.nh - 1);
	mls_buf_set(&c.welcome_secret, welcome, self->d.nh);
	EXPECT_EQ(-ENOSPC, mls_commit(self->d.a, &c));
	EXPECT_EQ(self->d.nh, c.joiner_secret.len);
	ASSERT_EQ(0, mls_group_info(self->d.a, &info, NULL, NULL));
	EXPECT_EQ(2, info.epoch);
	/* Wrong secret length, own leaf changed, unknown flag */
	mls_buf_set(&c.joiner_secret, joiner, self->d.nh);
	mls_buf_set(&c.commit_secret, secret, self->d.nh - 1);
	EXPECT_EQ(-EINVAL, mls_commit(self->d.a, &c));
	mls_buf_set(&c.commit_secret, secret, self->d.nh);
	c.roster.own_leaf = 1;
	EXPECT_EQ(-EINVAL, mls_commit(self->d.a, &c));
	c.roster.own_leaf = 0;
	c.flags = 1U << 9;
	EXPECT_EQ(-EINVAL, mls_commit(self->d.a, &c));
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	EXPECT_EQ(-EINVAL, mls_commit(self->d.a, NULL));
	EXPECT_EQ(-EBADF, mls_commit(-1, &c));
	EXPECT_EQ(0, mls_commit(self->d.a, &c));
	ASSERT_EQ(0, mls_group_destroy(self->d.a));
	c.context.epoch = 4;
	EXPECT_EQ(-ENOENT, mls_commit(self->d.a, &c));
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* The next epoch's commit of the duo's member @own (d->epoch + 1). */
static void duo_next_commit(const struct duo *d, struct mls_commit *c,
			    const uint8_t *secret, uint32_t own)
{
	memset(c, 0, sizeof(*c));
	mls_buf_set(&c->commit_secret, secret, d->nh);
	c->context.epoch = d->epoch + 1;
	mls_buf_set(&c->context.tree_hash, d->tree, d->nh);
	mls_buf_set(&c->context.confirmed_transcript_hash, d->cth, d->nh);
	c->roster.own_leaf = own;
	c->roster.leaf_count = 2;
}

/*
 * The handshake's wrappers: pending commits, both tags and their verify
 * forms, a staged join with a PSK list; lengths in and out, -ENOSPC, the
 * kernel's errors as they are, errno untouched.
 */
TEST_F(duo, handshake_wrappers)
{
	uint8_t ta[MLS_MAX_HASH_LEN], tb[MLS_MAX_HASH_LEN], tp[MLS_MAX_HASH_LEN];
	uint8_t tbm[40], secret[MLS_MAX_HASH_LEN];
	uint8_t joiner[MLS_MAX_HASH_LEN], welcome[MLS_MAX_HASH_LEN];
	uint8_t welcome2[MLS_MAX_HASH_LEN], key[32], nonce[MLS_MAX_HASH_LEN];
	uint8_t au1[MLS_MAX_HASH_LEN], au2[MLS_MAX_HASH_LEN];
	size_t la, lb, nh = self->d.nh;
	struct mls_join_stage s;
	struct mls_group_new g;
	struct mls_commit c;
	struct mls_psk psk;
	uint64_t e;
	int sfd, cfd;

	NEED_DUO();
	errno = ERRNO_MARK;

	/* Confirmation tag: the same for both members; -ENOSPC says Nh. */
	la = sizeof(ta);
	lb = sizeof(tb);
	e = 99;
	ASSERT_EQ(0, mls_confirmation_tag(self->d.a, 0, ta, &la, &e));
	EXPECT_EQ(nh, la);
	EXPECT_EQ(1, e);
	ASSERT_EQ(0, mls_confirmation_tag(self->d.b, 0, tb, &lb, NULL));
	EXPECT_EQ(0, memcmp(ta, tb, nh));
	lb = nh - 1;
	EXPECT_EQ(-ENOSPC, mls_confirmation_tag(self->d.b, 0, tb, &lb, NULL));
	EXPECT_EQ(nh, lb);
	EXPECT_EQ(0, mls_confirmation_tag_verify(self->d.b, 0, ta, nh, &e));
	EXPECT_EQ(1, e);
	ta[nh - 1] ^= 1;
	EXPECT_EQ(-EBADMSG, mls_confirmation_tag_verify(self->d.b, 0, ta, nh, NULL));
	ta[nh - 1] ^= 1;
	EXPECT_EQ(-EINVAL, mls_confirmation_tag(self->d.a, MLS_TAG_F_VERIFY, ta, &la, NULL));
	EXPECT_EQ(-EINVAL, mls_confirmation_tag(self->d.a, 0, NULL, &la, NULL));
	EXPECT_EQ(-EINVAL, mls_confirmation_tag_verify(self->d.a, MLS_TAG_F_VERIFY, ta,
						       nh, NULL));
	EXPECT_EQ(-ENOENT, mls_confirmation_tag(self->d.a, MLS_TAG_F_PENDING, tp, &la,
						NULL));
	EXPECT_EQ(-EBADF, mls_confirmation_tag(-1, 0, tp, &la, NULL));

	/* Membership tag: of the current epoch, or of one named. */
	rnd(tbm, sizeof(tbm));
	la = sizeof(ta);
	lb = sizeof(tb);
	ASSERT_EQ(0, mls_membership_tag(self->d.a, 0, NULL, tbm, sizeof(tbm), ta, &la));
	EXPECT_EQ(nh, la);
	e = 1;
	ASSERT_EQ(0, mls_membership_tag(self->d.b, MLS_TAG_F_EPOCH, &e, tbm,
					sizeof(tbm), tb, &lb));
	EXPECT_EQ(0, memcmp(ta, tb, nh));
	EXPECT_EQ(0, mls_membership_tag_verify(self->d.b, 0, NULL, tbm, sizeof(tbm),
					       ta, nh));
	ta[0] ^= 0x80;
	EXPECT_EQ(-EBADMSG, mls_membership_tag_verify(self->d.b, 0, NULL, tbm,
						      sizeof(tbm), ta, nh));
	e = 9;
	EXPECT_EQ(-EAGAIN, mls_membership_tag(self->d.a, MLS_TAG_F_EPOCH, &e, tbm,
					      sizeof(tbm), ta, &la));
	EXPECT_EQ(-EINVAL, mls_membership_tag(self->d.a, MLS_TAG_F_EPOCH, NULL, tbm,
					      sizeof(tbm), ta, &la));
	EXPECT_EQ(-EINVAL, mls_membership_tag(self->d.a, 0, NULL, NULL, 4, ta, &la));
	EXPECT_EQ(-EINVAL, mls_membership_tag(self->d.a, 0, NULL, tbm, 0, ta, &la));

	/* Both prepare the same commit: the same pending tag and key. */
	rnd(secret, nh);
	rnd(self->d.tree, nh);
	rnd(self->d.cth, nh);
	duo_next_commit(&self->d, &c, secret, 0);
	ASSERT_EQ(0, mls_commit_prepare(self->d.a, &c));
	c.roster.own_leaf = 1;
	ASSERT_EQ(0, mls_commit_prepare(self->d.b, &c));
	EXPECT_EQ(-EBUSY, mls_commit_prepare(self->d.b, &c));
	EXPECT_EQ(-EINVAL, mls_commit_prepare(self->d.b, NULL));
	la = sizeof(tp);
	lb = sizeof(tb);
	ASSERT_EQ(0, mls_confirmation_tag(self->d.a, MLS_TAG_F_PENDING, tp, &la, &e));
	EXPECT_EQ(2, e);
	EXPECT_EQ(0, mls_confirmation_tag_verify(self->d.b, MLS_TAG_F_PENDING, tp, nh,
						 NULL));
	EXPECT_EQ(-ESTALE, mls_commit_merge(self->d.a, 3));
	ASSERT_EQ(0, mls_commit_merge(self->d.a, 2));
	ASSERT_EQ(0, mls_commit_merge(self->d.b, 2));
	EXPECT_EQ(-ENOENT, mls_commit_discard(self->d.b, 2));
	self->d.epoch = 2;
	/* What was the pending tag is the current one now. */
	EXPECT_EQ(0, mls_confirmation_tag_verify(self->d.a, 0, tp, nh, &e));
	EXPECT_EQ(2, e);

	/* A staged join with an external PSK: the committer's welcome_secret. */
	rnd(key, sizeof(key));
	rnd(nonce, nh);
	memset(&psk, 0, sizeof(psk));
	psk.type = MLS_PSK_EXTERNAL;
	mls_buf_set(&psk.id, "psk-1", 5);
	mls_buf_set(&psk.secret, key, sizeof(key));
	mls_buf_set(&psk.nonce, nonce, nh);
	rnd(secret, nh);
	duo_next_commit(&self->d, &c, secret, 0);
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	mls_psk_list_set(&c.psks, &psk, 1);
	mls_buf_set(&c.joiner_secret, joiner, nh);
	mls_buf_set(&c.welcome_secret, welcome, nh);
	ASSERT_EQ(0, mls_commit(self->d.a, &c));
	memset(&s, 0, sizeof(s));
	s.suite = (uint16_t)self->d.suite;
	mls_buf_set(&s.joiner_secret, joiner, nh);
	mls_psk_list_set(&s.psks, &psk, 1);
	mls_buf_set(&s.welcome_secret, welcome2, nh - 1);
	EXPECT_EQ(-ENOSPC, mls_join_stage(self->d.ctl, &s));
	EXPECT_EQ(nh, s.welcome_secret.len);
	mls_buf_set(&s.welcome_secret, welcome2, nh);
	sfd = mls_join_stage(self->d.ctl, &s);
	ASSERT_LE(0, sfd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, memcmp(welcome, welcome2, nh));
	EXPECT_EQ(-EINVAL, mls_join_stage(self->d.ctl, NULL));
	memset(&g, 0, sizeof(g));
	g.flags = MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_STAGED;
	g.suite = (uint16_t)self->d.suite;
	g.staged_fd = sfd;
	mls_buf_set(&g.group_id, self->d.gid, sizeof(self->d.gid));
	g.context.epoch = 3;
	mls_buf_set(&g.context.tree_hash, self->d.tree, nh);
	mls_buf_set(&g.context.confirmed_transcript_hash, self->d.cth, nh);
	g.roster.own_leaf = 1;
	g.roster.leaf_count = 2;
	cfd = mls_group_join(self->d.ctl, &g);
	ASSERT_LE(0, cfd);
	la = sizeof(au1);
	lb = sizeof(au2);
	ASSERT_EQ(0, mls_epoch_authenticator(self->d.a, au1, &la, NULL));
	ASSERT_EQ(0, mls_epoch_authenticator(cfd, au2, &lb, NULL));
	EXPECT_EQ(0, memcmp(au1, au2, nh));
	close(cfd);
	close(sfd);
	EXPECT_EQ(ERRNO_MARK, errno);
}

TEST_F(duo, exporter_and_authenticator)
{
	uint8_t x[MLS_MAX_EXPORTER_LEN], y[MLS_MAX_EXPORTER_LEN];
	uint8_t aa[MLS_MAX_HASH_LEN], ab[MLS_MAX_HASH_LEN];
	size_t la = sizeof(aa), lb = sizeof(ab);
	uint64_t ea = 0, eb = 0;

	NEED_DUO();
	errno = ERRNO_MARK;
	ASSERT_EQ(0, mls_exporter(self->d.a, "app", "ctx", 3, x, 42, &ea));
	ASSERT_EQ(0, mls_exporter(self->d.b, "app", "ctx", 3, y, 42, &eb));
	EXPECT_EQ(1, ea);
	EXPECT_EQ(1, eb);
	EXPECT_EQ(0, memcmp(x, y, 42));
	ASSERT_EQ(0, mls_exporter(self->d.b, "app", NULL, 0, y, MLS_MAX_EXPORTER_LEN,
				  NULL));
	EXPECT_NE(0, memcmp(x, y, 42));
	EXPECT_EQ(-EINVAL, mls_exporter(self->d.a, NULL, "ctx", 3, x, 42, NULL));
	EXPECT_EQ(-EINVAL, mls_exporter(self->d.a, "app", NULL, 3, x, 42, NULL));
	EXPECT_EQ(-EINVAL, mls_exporter(self->d.a, "app", "ctx", 3, NULL, 42, NULL));
	EXPECT_EQ(-EINVAL, mls_exporter(self->d.a, "app", "ctx", 3, x, 0, NULL));
	EXPECT_EQ(-EINVAL, mls_exporter(self->d.a, "app", "ctx", 3, x,
					MLS_MAX_EXPORTER_LEN + 1, NULL));

	ASSERT_EQ(0, mls_epoch_authenticator(self->d.a, aa, &la, &ea));
	ASSERT_EQ(0, mls_epoch_authenticator(self->d.b, ab, &lb, NULL));
	EXPECT_EQ(self->d.nh, la);
	EXPECT_EQ(la, lb);
	EXPECT_EQ(0, memcmp(aa, ab, la));
	EXPECT_EQ(1, ea);
	la = self->d.nh - 1;
	EXPECT_EQ(-ENOSPC, mls_epoch_authenticator(self->d.a, aa, &la, NULL));
	EXPECT_EQ(self->d.nh, la);
	EXPECT_EQ(-EINVAL, mls_epoch_authenticator(self->d.a, NULL, &la, NULL));
	EXPECT_EQ(-EINVAL, mls_epoch_authenticator(self->d.a, aa, NULL, NULL));
	EXPECT_EQ(-EBADF, mls_epoch_authenticator(-1, aa, &la, NULL));
	ASSERT_EQ(0, mls_group_destroy(self->d.a));
	EXPECT_EQ(-ENOENT, mls_exporter(self->d.a, "app", "ctx", 3, x, 42, NULL));
	la = sizeof(aa);
	EXPECT_EQ(-ENOENT, mls_epoch_authenticator(self->d.a, aa, &la, NULL));
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* An installed epoch has no exporter nor authenticator. */
TEST(installed_epoch_enodata)
{
	uint8_t gid[4] = "ins", enc[32] = { 1 }, sd[32] = { 2 }, x[32];
	size_t len = sizeof(x);
	struct mls_group_new g;
	int ctl, fd;

	NEED_DEV();
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	memset(&g, 0, sizeof(g));
	g.suite = 1;
	g.flags = MLS_GROUP_F_INSTALL | MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, gid, 3);
	mls_buf_set(&g.encryption_secret, enc, 32);
	mls_buf_set(&g.sender_data_secret, sd, 32);
	g.roster.leaf_count = 2;
	fd = mls_group_create(ctl, &g);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENODATA, mls_exporter(fd, "app", NULL, 0, x, 32, NULL));
	EXPECT_EQ(-ENODATA, mls_epoch_authenticator(fd, x, &len, NULL));
	close(fd);
	close(ctl);
}

/* ============================================================ messages */

/*
 * mls_group_context_encode() gives the bytes the kernel keeps for each
 * epoch (MLS_IOC_GET_CONTEXT), extensions included.
 */
TEST_F(duo, group_context_encode_matches_kernel)
{
	static const uint8_t ext[] = { 0x00, 0x0a, 0x03, 'e', 'x', 't', 0xff, 0x00, 0x00 };
	struct mls_group_context_fields f;
	struct mls_bytes k, enc;
	struct mls_group_new g;
	uint64_t epoch;
	int i, fd;

	NEED_DUO();
	for (i = 0; i < 3; i++) {
		memset(&f, 0, sizeof(f));
		f.cipher_suite = (uint16_t)variant->suite;
		f.group_id = self->d.gid;
		f.group_id_len = sizeof(self->d.gid);
		f.epoch = self->d.epoch;
		f.tree_hash = self->d.tree;
		f.tree_hash_len = self->d.nh;
		f.confirmed_transcript_hash = self->d.cth;
		f.confirmed_transcript_hash_len = self->d.nh;
		ASSERT_EQ(0, mls_group_context_encode(&f, &enc));
		epoch = 0;
		ASSERT_EQ(0, mls_get_context(self->d.b, 0, &epoch, &k));
		EXPECT_EQ(self->d.epoch, epoch);
		ASSERT_EQ(k.len, enc.len);
		EXPECT_EQ(0, memcmp(k.data, enc.data, k.len));
		mls_bytes_free(&k);
		mls_bytes_free(&enc);
		ASSERT_EQ(0, duo_rotate(&self->d));
	}

	/* With extensions, and an empty transcript hash (epoch 0). */
	memset(&g, 0, sizeof(g));
	g.suite = (uint16_t)variant->suite;
	g.flags = MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, self->d.gid, 7);
	g.context.epoch = 0;
	mls_buf_set(&g.context.tree_hash, self->d.tree, self->d.nh);
	mls_buf_set(&g.context.extensions, ext, sizeof(ext));
	g.roster.leaf_count = 1;
	fd = mls_group_create(self->d.ctl, &g);
	ASSERT_LE(0, fd);
	memset(&f, 0, sizeof(f));
	f.cipher_suite = (uint16_t)variant->suite;
	f.group_id = self->d.gid;
	f.group_id_len = 7;
	f.tree_hash = self->d.tree;
	f.tree_hash_len = self->d.nh;
	f.extensions = ext;
	f.extensions_len = sizeof(ext);
	ASSERT_EQ(0, mls_group_context_encode(&f, &enc));
	epoch = 0;
	ASSERT_EQ(0, mls_get_context(fd, 0, &epoch, &k));
	ASSERT_EQ(k.len, enc.len);
	EXPECT_EQ(0, memcmp(k.data, enc.data, k.len));
	mls_bytes_free(&k);
	mls_bytes_free(&enc);
	close(fd);
}

TEST_F(duo, encrypt_decrypt)
{
	struct mls_received r;
	struct mls_sent s, s2;
	struct mls_policy p;
	uint8_t big[3000], sig[MLS_SIGNATURE_MAX];
	size_t sig_len;

	NEED_DUO();
	sig_len = stand_in_sig(variant->suite, sig);
	errno = ERRNO_MARK;
	ASSERT_EQ(0, mls_encrypt(self->d.a, MLS_CONTENT_APPLICATION, "aad", 3,
				 "hello", 5, sig, sig_len, &s));
	EXPECT_EQ(1, s.epoch);
	EXPECT_EQ(0, s.generation);
	ASSERT_EQ(0, mls_decrypt(self->d.b, s.message.data, s.message.len, &r));
	EXPECT_EQ(1, r.epoch);
	EXPECT_EQ(0, r.sender_leaf);
	EXPECT_EQ(0, r.generation);
	EXPECT_EQ(MLS_CONTENT_APPLICATION, r.content_type);
	ASSERT_EQ(5, r.content_len);
	EXPECT_EQ(0, memcmp(r.content, "hello", 5));
	ASSERT_EQ(3, r.authenticated_data_len);
	EXPECT_EQ(0, memcmp(r.authenticated_data, "aad", 3));
	ASSERT_EQ(sig_len, r.signature_len);
	EXPECT_EQ(0, memcmp(r.signature, sig, sig_len));
	mls_received_free(&r);
	EXPECT_EQ(NULL, r.block.data);
	mls_received_free(&r);
	mls_received_free(NULL);
	/* A replay */
	EXPECT_EQ(-EALREADY, mls_decrypt(self->d.b, s.message.data, s.message.len, &r));
	EXPECT_EQ(NULL, r.block.data);
	/* A forgery burns nothing: the next message still opens. */
	ASSERT_EQ(0, mls_encrypt(self->d.a, MLS_CONTENT_APPLICATION, NULL, 0,
				 "x", 1, sig, sig_len, &s2));
	EXPECT_EQ(1, s2.generation);
	s2.message.data[s2.message.len - 1] ^= 1;
	EXPECT_EQ(-EBADMSG, mls_decrypt(self->d.b, s2.message.data, s2.message.len, &r));
	s2.message.data[s2.message.len - 1] ^= 1;
	EXPECT_EQ(0, mls_decrypt(self->d.b, s2.message.data, s2.message.len, &r));
	mls_received_free(&r);
	mls_bytes_free(&s2.message);

	/*
	 * Padded past libmls' first guess: it asks again, and no generation
	 * is burnt by the first try.
	 */
	memset(&p, 0, sizeof(p));
	p.padding_block = 4096;
	if (mls_group_set_policy(self->d.a, MLS_POLICY_PADDING_BLOCK, &p) == 0) {
		memset(big, 'b', sizeof(big));
		ASSERT_EQ(0, mls_encrypt(self->d.a, MLS_CONTENT_APPLICATION, NULL, 0,
					 big, 10, sig, sig_len, &s2));
		EXPECT_EQ(2, s2.generation);
		EXPECT_LT(4096, s2.message.len);
		ASSERT_EQ(0, mls_decrypt(self->d.b, s2.message.data, s2.message.len, &r));
		EXPECT_EQ(10, r.content_len);
		mls_received_free(&r);
		mls_bytes_free(&s2.message);
	}

	/* A commit's content comes back whole (padding included). */
	ASSERT_EQ(0, mls_encrypt(self->d.b, MLS_CONTENT_COMMIT, NULL, 0,
				 "commit-bytes", 12, NULL, 0, &s2));
	ASSERT_EQ(0, mls_decrypt(self->d.a, s2.message.data, s2.message.len, &r));
	EXPECT_EQ(MLS_CONTENT_COMMIT, r.content_type);
	EXPECT_EQ(1, r.sender_leaf);
	EXPECT_LE(12, r.content_len);
	EXPECT_EQ(0, memcmp(r.content, "commit-bytes", 12));
	mls_received_free(&r);
	mls_bytes_free(&s2.message);

	/* Arguments */
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, 1, NULL, 0, "x", 1, NULL, 0, NULL));
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, 1, NULL, 3, "x", 1, NULL, 0, &s2));
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, 1, NULL, 0, NULL, 1, NULL, 0, &s2));
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, 1, NULL, 0, "x", 1, NULL, 1, &s2));
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, 9, NULL, 0, "x", 1, sig, sig_len, &s2));
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, MLS_CONTENT_PROPOSAL, NULL, 0,
				       "x", 1, sig, sig_len, &s2));
	/* No signature, or one the suite's scheme cannot make */
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, 1, NULL, 0, "x", 1, NULL, 0, &s2));
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, 1, NULL, 0, "x", 1, sig, sig_len + 1,
				       &s2));
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, 1, NULL, 0, "x", 1, sig, 7, &s2));
	EXPECT_EQ(NULL, s2.message.data);
	EXPECT_EQ(-EINVAL, mls_decrypt(self->d.b, s.message.data, s.message.len, NULL));
	EXPECT_EQ(-EINVAL, mls_decrypt(self->d.b, NULL, 5, &r));
	EXPECT_EQ(-EINVAL, mls_decrypt(self->d.b, s.message.data, 0, &r));
	EXPECT_EQ(-EBADMSG, mls_decrypt(self->d.b, "garbage", 7, &r));
	EXPECT_EQ(-EBADF, mls_decrypt(-1, s.message.data, s.message.len, &r));
	EXPECT_EQ(-EBADF, mls_encrypt(-1, 1, NULL, 0, "x", 1, sig, sig_len, &s2));
	/* Own message: the sender is this member's own leaf */
	EXPECT_EQ(-EBADMSG, mls_decrypt(self->d.a, s.message.data, s.message.len, &r));
	ASSERT_EQ(0, mls_group_destroy(self->d.b));
	EXPECT_EQ(-ENOENT, mls_decrypt(self->d.b, s.message.data, s.message.len, &r));
	EXPECT_EQ(-ENOENT, mls_encrypt(self->d.b, 1, NULL, 0, "x", 1, sig, sig_len, &s2));
	mls_bytes_free(&s.message);
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* The group's encrypt rate: a message beyond the burst is refused. */
TEST_F(duo, encrypt_rate_eagain)
{
	uint8_t sig[MLS_SIGNATURE_MAX];
	struct mls_policy p;
	struct mls_sent s;
	size_t sig_len;
	int i, ret = 0;

	NEED_DUO();
	sig_len = stand_in_sig(variant->suite, sig);
	memset(&p, 0, sizeof(p));
	p.encrypt_rate = 1;
	p.encrypt_burst = 1;
	ASSERT_EQ(0, mls_group_set_policy(self->d.a, MLS_POLICY_ENCRYPT_RATE, &p));
	errno = ERRNO_MARK;
	/* One per second: of a quick few, one at least is refused. */
	for (i = 0; i < 4 && !ret; i++) {
		ret = mls_encrypt(self->d.a, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1,
				  sig, sig_len, &s);
		if (!ret)
			mls_bytes_free(&s.message);
	}
	EXPECT_EQ(-EAGAIN, ret);
	EXPECT_EQ(NULL, s.message.data);
	EXPECT_EQ(ERRNO_MARK, errno);
	/* No limit again */
	p.encrypt_rate = 0;
	ASSERT_EQ(0, mls_group_set_policy(self->d.a, MLS_POLICY_ENCRYPT_RATE, &p));
	ASSERT_EQ(0, mls_encrypt(self->d.a, MLS_CONTENT_APPLICATION, NULL, 0, "x", 1,
				 sig, sig_len, &s));
	mls_bytes_free(&s.message);
}

/* A message too far ahead of the next expected generation: ERANGE. */
TEST_F(duo, forward_distance_erange)
{
	uint8_t sig[MLS_SIGNATURE_MAX];
	struct mls_received r;
	struct mls_policy p;
	struct mls_sent s;
	size_t sig_len;
	int i;

	NEED_DUO();
	sig_len = stand_in_sig(variant->suite, sig);
	memset(&p, 0, sizeof(p));
	p.max_forward = 2;
	ASSERT_EQ(0, mls_group_set_policy(self->d.b, MLS_POLICY_MAX_FORWARD, &p));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, mls_encrypt(self->d.a, MLS_CONTENT_APPLICATION, NULL, 0,
					 "x", 1, sig, sig_len, &s));
		if (i < 4)
			mls_bytes_free(&s.message);
	}
	EXPECT_EQ(4, s.generation);
	errno = ERRNO_MARK;
	EXPECT_EQ(-ERANGE, mls_decrypt(self->d.b, s.message.data, s.message.len, &r));
	EXPECT_EQ(NULL, r.block.data);
	EXPECT_EQ(ERRNO_MARK, errno);
	mls_bytes_free(&s.message);
}

/*
 * Verify the signature of a libmls message with OpenSSL directly: the
 * FramedContentTBS and the GroupContext built by the oracle (vectors.c)
 * from what the test knows, SignContent built here, Ed25519 raw key.
 */
static int openssl_ed25519_verify(const struct duo *d, uint32_t leaf,
				  const uint8_t *aad, size_t aad_len,
				  const uint8_t *app, size_t app_len,
				  const uint8_t *pub, size_t pub_len,
				  const uint8_t *sig, size_t sig_len)
{
	static const char label[] = "MLS 1.0 FramedContentTBS";
	struct wbuf gc, tbs, sc;
	EVP_MD_CTX *ctx;
	EVP_PKEY *pk;
	int ok = 0;

	wb_init(&gc);
	vec_group_context(&gc, vec_suite(d->suite), d->gid, sizeof(d->gid), d->epoch,
			  d->tree, d->nh, d->cth, d->nh, NULL, 0);
	wb_init(&tbs);
	vec_framed_tbs(&tbs, d->gid, sizeof(d->gid), d->epoch, leaf, aad, aad_len,
		       MLS_CONTENT_APPLICATION, app, app_len, gc.p, gc.len);
	wb_init(&sc);
	wb_vec(&sc, label, sizeof(label) - 1);
	wb_vec(&sc, tbs.p, tbs.len);
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, pub_len);
	ctx = EVP_MD_CTX_new();
	if (pk && ctx && !gc.err && !tbs.err && !sc.err &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1)
		ok = EVP_DigestVerify(ctx, sig, sig_len, sc.p, sc.len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	wb_free(&gc);
	wb_free(&tbs);
	wb_free(&sc);
	return ok;
}

/* The same with the oracle's VerifyWithLabel, for every suite. */
static int oracle_verify(const struct duo *d, uint32_t leaf, const uint8_t *aad,
			 size_t aad_len, const uint8_t *app, size_t app_len,
			 const uint8_t *pub, size_t pub_len, const uint8_t *sig,
			 size_t sig_len)
{
	struct wbuf gc, tbs;
	int ok;

	wb_init(&gc);
	vec_group_context(&gc, vec_suite(d->suite), d->gid, sizeof(d->gid), d->epoch,
			  d->tree, d->nh, d->cth, d->nh, NULL, 0);
	wb_init(&tbs);
	vec_framed_tbs(&tbs, d->gid, sizeof(d->gid), d->epoch, leaf, aad, aad_len,
		       MLS_CONTENT_APPLICATION, app, app_len, gc.p, gc.len);
	ok = vec_verify_with_label(vec_suite(d->suite), pub, pub_len,
				   "FramedContentTBS", tbs.p, tbs.len, sig, sig_len);
	wb_free(&gc);
	wb_free(&tbs);
	return ok == 1;
}

FIXTURE(signed_msgs) {
	struct duo d;
	struct mls_sig_key *a_priv, *a_pub, *b_priv, *b_pub;
	struct lookup look;
};

FIXTURE_VARIANT(signed_msgs) {
	unsigned int suite;
};

SUITE_VARIANTS(signed_msgs);

FIXTURE_SETUP(signed_msgs)
{
	self->d.ctl = -1;
	self->d.a = -1;
	self->d.b = -1;
	ASSERT_EQ(0, key_pair(variant->suite, &self->a_priv, &self->a_pub));
	ASSERT_EQ(0, key_pair(variant->suite, &self->b_priv, &self->b_pub));
	memset(&self->look, 0, sizeof(self->look));
	self->look.key[0] = self->a_pub;
	self->look.key[1] = self->b_pub;
	if (!have_dev())
		SKIP(return, "no /dev/mls (module not loaded)");
	ASSERT_EQ(0, duo_make(&self->d, variant->suite));
}

FIXTURE_TEARDOWN(signed_msgs)
{
	duo_free(&self->d);
	mls_sig_key_free(self->a_priv);
	mls_sig_key_free(self->a_pub);
	mls_sig_key_free(self->b_priv);
	mls_sig_key_free(self->b_pub);
}

/* Both ways, checked by mls_recv and independently. */
TEST_F(signed_msgs, both_ways)
{
	struct mls_bytes pub;
	struct mls_received r, raw;
	struct mls_sent s;
	uint8_t text[1500];
	int i;

	NEED_DUO();
	ASSERT_EQ(0, mls_sig_key_export(self->a_pub, MLS_KEY_PUBLIC, &pub));
	errno = ERRNO_MARK;
	for (i = 0; i < 3; i++) {
		size_t n = i == 2 ? sizeof(text) : (size_t)(5 + i);

		memset(text, 'a' + i, sizeof(text));
		ASSERT_EQ(0, mls_send(self->d.a, self->a_priv, text, n, "hdr", 3, &s));
		EXPECT_EQ(1, s.epoch);
		EXPECT_EQ((uint32_t)i, s.generation);
		ASSERT_EQ(0, mls_recv(self->d.b, lookup_fn, &self->look,
				      s.message.data, s.message.len, &r));
		EXPECT_EQ(0, r.sender_leaf);
		EXPECT_EQ(1, r.epoch);
		EXPECT_EQ(n, r.content_len);
		EXPECT_EQ(0, memcmp(r.content, text, n));
		EXPECT_EQ(3, r.authenticated_data_len);
		EXPECT_EQ(0, self->look.last_leaf);
		EXPECT_EQ(1, self->look.last_epoch);
		EXPECT_TRUE(oracle_verify(&self->d, 0, r.authenticated_data,
					  r.authenticated_data_len, r.content,
					  r.content_len, pub.data, pub.len,
					  r.signature, r.signature_len));
		if (mls_suite_signature_scheme(variant->suite) == MLS_SIG_ED25519) {
			EXPECT_EQ(64, r.signature_len);
			EXPECT_TRUE(openssl_ed25519_verify(&self->d, 0,
							   r.authenticated_data,
							   r.authenticated_data_len,
							   r.content, r.content_len,
							   pub.data, pub.len,
							   r.signature, r.signature_len));
			/* and not with another leaf in the TBS */
			EXPECT_FALSE(openssl_ed25519_verify(&self->d, 1,
							    r.authenticated_data,
							    r.authenticated_data_len,
							    r.content, r.content_len,
							    pub.data, pub.len,
							    r.signature, r.signature_len));
		}
		mls_received_free(&r);
		mls_bytes_free(&s.message);
	}
	mls_bytes_free(&pub);

	/* Bob to Alice, no aad; and a raw decrypt of a signed message */
	ASSERT_EQ(0, mls_send(self->d.b, self->b_priv, "hi", 2, NULL, 0, &s));
	ASSERT_EQ(0, mls_recv(self->d.a, lookup_fn, &self->look, s.message.data,
			      s.message.len, &r));
	EXPECT_EQ(1, r.sender_leaf);
	EXPECT_EQ(0, r.authenticated_data_len);
	mls_received_free(&r);
	mls_bytes_free(&s.message);
	ASSERT_EQ(0, mls_send(self->d.b, self->b_priv, "", 0, NULL, 0, &s));
	ASSERT_EQ(0, mls_decrypt(self->d.a, s.message.data, s.message.len, &raw));
	EXPECT_EQ(0, raw.content_len);
	EXPECT_LT(0, raw.signature_len);
	mls_received_free(&raw);
	mls_bytes_free(&s.message);
	EXPECT_EQ(ERRNO_MARK, errno);
}

/*
 * Across a rotation: a late message of the previous epoch still opens and
 * verifies against its own epoch's GroupContext, until it expires.
 */
TEST_F(signed_msgs, late_message_then_expiry)
{
	struct mls_received r;
	struct mls_sent late, later, now;
	struct mls_policy p;

	NEED_DUO();
	ASSERT_EQ(0, mls_send(self->d.a, self->a_priv, "late", 4, NULL, 0, &late));
	ASSERT_EQ(0, mls_send(self->d.a, self->a_priv, "later", 5, NULL, 0, &later));
	ASSERT_EQ(0, duo_rotate(&self->d));
	ASSERT_EQ(0, mls_send(self->d.a, self->a_priv, "now", 3, NULL, 0, &now));
	EXPECT_EQ(2, now.epoch);
	ASSERT_EQ(0, mls_recv(self->d.b, lookup_fn, &self->look, now.message.data,
			      now.message.len, &r));
	mls_received_free(&r);
	ASSERT_EQ(0, mls_recv(self->d.b, lookup_fn, &self->look, late.message.data,
			      late.message.len, &r));
	EXPECT_EQ(1, r.epoch);
	EXPECT_EQ(0, memcmp(r.content, "late", 4));
	mls_received_free(&r);
	/* No past epoch kept: the other late message is refused, clearly. */
	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, mls_group_set_policy(self->d.b, MLS_POLICY_EPOCHS_KEPT, &p));
	errno = ERRNO_MARK;
	EXPECT_EQ(-EKEYEXPIRED, mls_recv(self->d.b, lookup_fn, &self->look,
					 later.message.data, later.message.len, &r));
	EXPECT_EQ(NULL, r.block.data);
	EXPECT_EQ(ERRNO_MARK, errno);
	mls_bytes_free(&late.message);
	mls_bytes_free(&later.message);
	mls_bytes_free(&now.message);
}

TEST_F(signed_msgs, recv_errors)
{
	struct mls_received r;
	struct mls_sent s, c;
	struct mls_sig_key *other = NULL;
	unsigned int os = variant->suite == 2 ? 1 : 2;

	NEED_DUO();
	errno = ERRNO_MARK;
	ASSERT_EQ(0, mls_send(self->d.a, self->a_priv, "one", 3, NULL, 0, &s));

	/* Arguments: nothing is consumed */
	EXPECT_EQ(-EINVAL, mls_recv(self->d.b, NULL, NULL, s.message.data,
				    s.message.len, &r));
	EXPECT_EQ(-EINVAL, mls_recv(self->d.b, lookup_fn, &self->look, NULL, 5, &r));
	EXPECT_EQ(-EINVAL, mls_recv(self->d.b, lookup_fn, &self->look,
				    s.message.data, 0, &r));
	EXPECT_EQ(-EINVAL, mls_recv(self->d.b, lookup_fn, &self->look,
				    s.message.data, s.message.len, NULL));
	EXPECT_EQ(-EBADMSG, mls_recv(self->d.b, lookup_fn, &self->look,
				     s.message.data, s.message.len - 1, &r));
	EXPECT_EQ(-EBADF, mls_recv(-1, lookup_fn, &self->look, s.message.data,
				   s.message.len, &r));

	/* The lookup fails: its error comes back (the key is used up). */
	self->look.ret = -ENOKEY;
	EXPECT_EQ(-ENOKEY, mls_recv(self->d.b, lookup_fn, &self->look,
				    s.message.data, s.message.len, &r));
	EXPECT_EQ(NULL, r.block.data);
	self->look.ret = 0;
	EXPECT_EQ(-EALREADY, mls_recv(self->d.b, lookup_fn, &self->look,
				      s.message.data, s.message.len, &r));
	mls_bytes_free(&s.message);

	/* A lookup that says yes without a key */
	ASSERT_EQ(0, mls_send(self->d.a, self->a_priv, "two", 3, NULL, 0, &s));
	self->look.null_key = 1;
	EXPECT_EQ(-EPROTO, mls_recv(self->d.b, lookup_fn, &self->look,
				    s.message.data, s.message.len, &r));
	self->look.null_key = 0;
	mls_bytes_free(&s.message);

	/* Another key, of this scheme or another: a bad signature */
	ASSERT_EQ(0, mls_send(self->d.a, self->a_priv, "three", 5, NULL, 0, &s));
	self->look.key[0] = self->b_pub;
	EXPECT_EQ(-EBADMSG, mls_recv(self->d.b, lookup_fn, &self->look,
				     s.message.data, s.message.len, &r));
	mls_bytes_free(&s.message);
	ASSERT_EQ(0, mls_sig_key_generate(os, &other));
	ASSERT_EQ(0, mls_send(self->d.a, self->a_priv, "four", 4, NULL, 0, &s));
	self->look.key[0] = other;
	EXPECT_EQ(-EBADMSG, mls_recv(self->d.b, lookup_fn, &self->look,
				     s.message.data, s.message.len, &r));
	self->look.key[0] = self->a_pub;
	mls_bytes_free(&s.message);

	/* Signed by bob's key but sent from alice's leaf: refused */
	ASSERT_EQ(0, mls_send(self->d.a, self->b_priv, "five", 4, NULL, 0, &s));
	EXPECT_EQ(-EBADMSG, mls_recv(self->d.b, lookup_fn, &self->look,
				     s.message.data, s.message.len, &r));
	mls_bytes_free(&s.message);

	/* Unsigned: the kernel does not send it */
	EXPECT_EQ(-EINVAL, mls_encrypt(self->d.a, MLS_CONTENT_APPLICATION, NULL, 0,
				       "six", 3, NULL, 0, &s));
	/* A signature of the right length that is not alice's: refused */
	{
		uint8_t junk[MLS_SIGNATURE_MAX];
		size_t junk_len = stand_in_sig(self->d.suite, junk);

		ASSERT_EQ(0, mls_encrypt(self->d.a, MLS_CONTENT_APPLICATION, NULL, 0,
					 "six", 3, junk, junk_len, &s));
		EXPECT_EQ(-EBADMSG, mls_recv(self->d.b, lookup_fn, &self->look,
					     s.message.data, s.message.len, &r));
		mls_bytes_free(&s.message);
	}

	/* A handshake message is not mls_recv's: nothing consumed */
	ASSERT_EQ(0, mls_encrypt(self->d.a, MLS_CONTENT_PROPOSAL, NULL, 0,
				 "prop", 4, NULL, 0, &c));
	self->look.calls = 0;
	EXPECT_EQ(-ENOMSG, mls_recv(self->d.b, lookup_fn, &self->look,
				    c.message.data, c.message.len, &r));
	EXPECT_EQ(0, self->look.calls);
	EXPECT_EQ(0, mls_decrypt(self->d.b, c.message.data, c.message.len, &r));
	mls_received_free(&r);
	mls_bytes_free(&c.message);

	/* A message of an epoch bob has not reached: EAGAIN, nothing used */
	{
		uint8_t secret[MLS_MAX_HASH_LEN] = { 9 };
		struct mls_commit cm;

		memset(&cm, 0, sizeof(cm));
		mls_buf_set(&cm.commit_secret, secret, self->d.nh);
		cm.context.epoch = 2;
		cm.roster.leaf_count = 2;
		ASSERT_EQ(0, mls_commit(self->d.a, &cm));
		ASSERT_EQ(0, mls_send(self->d.a, self->a_priv, "future", 6, NULL, 0, &s));
		EXPECT_EQ(2, s.epoch);
		EXPECT_EQ(-EAGAIN, mls_recv(self->d.b, lookup_fn, &self->look,
					    s.message.data, s.message.len, &r));
		mls_bytes_free(&s.message);
	}
	mls_sig_key_free(other);
	EXPECT_EQ(ERRNO_MARK, errno);
}

TEST_F(signed_msgs, send_errors)
{
	unsigned int os = mls_suite_signature_scheme(variant->suite) ==
			  MLS_SIG_ED25519 ? 2 : 1;
	struct mls_sig_key *other;
	struct mls_sent s;

	NEED_DUO();
	errno = ERRNO_MARK;
	EXPECT_EQ(-EINVAL, mls_send(self->d.a, NULL, "x", 1, NULL, 0, &s));
	EXPECT_EQ(-EINVAL, mls_send(self->d.a, self->a_priv, NULL, 1, NULL, 0, &s));
	EXPECT_EQ(-EINVAL, mls_send(self->d.a, self->a_priv, "x", 1, NULL, 1, &s));
	EXPECT_EQ(-EINVAL, mls_send(self->d.a, self->a_priv, "x", 1, NULL, 0, NULL));
	/* A key of another scheme than the group's suite */
	ASSERT_EQ(0, mls_sig_key_generate(os, &other));
	EXPECT_EQ(-EINVAL, mls_send(self->d.a, other, "x", 1, NULL, 0, &s));
	mls_sig_key_free(other);
	/* A public key cannot sign */
	EXPECT_EQ(-ENOKEY, mls_send(self->d.a, self->a_pub, "x", 1, NULL, 0, &s));
	EXPECT_EQ(NULL, s.message.data);
	EXPECT_EQ(-EBADF, mls_send(-1, self->a_priv, "x", 1, NULL, 0, &s));
	ASSERT_EQ(0, mls_group_destroy(self->d.a));
	EXPECT_EQ(-ENOENT, mls_send(self->d.a, self->a_priv, "x", 1, NULL, 0, &s));
	EXPECT_EQ(ERRNO_MARK, errno);
}

/*
 * The RFC's message-protection vector: its application message, made by
 * another implementation and signed over FramedContentTBS, opens in an
 * installed epoch and verifies with mls_recv().
 */
/*
 * Refuse (EPERM) MLS_IOC_GROUP_INFO and MLS_IOC_GET_CONTEXT in this
 * process from now on, and nothing else: what a sender may still do
 * without them is done in one MLS_IOC_ENCRYPT. 0 or -errno.
 */
static int forbid_info_and_context(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* the low half of the request number (little-endian) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)MLS_IOC_GROUP_INFO, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)MLS_IOC_GET_CONTEXT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}

/*
 * In a child that may no longer read the group's info or context: send
 * @n messages through @s and write each (length, bytes) to @wfd. The
 * child's exit status is 0, or the first error's errno.
 */
static pid_t send_forbidden(struct mls_sender *s, int n, int wfd)
{
	pid_t pid = fork();
	int i, ret;

	if (pid)
		return pid;
	ret = forbid_info_and_context();
	for (i = 0; i < n && !ret; i++) {
		struct mls_sent sent;
		uint32_t len;
		char text[32];

		snprintf(text, sizeof(text), "one ioctl %d", i);
		ret = mls_sender_send(s, text, strlen(text), "ad", 2, 0, &sent);
		if (ret)
			break;
		len = (uint32_t)sent.message.len;
		if (write(wfd, &len, sizeof(len)) != sizeof(len) ||
		    write(wfd, sent.message.data, len) != (ssize_t)len)
			ret = -EIO;
		mls_bytes_free(&sent.message);
	}
	_exit(ret ? -ret : 0);
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * A sender sends with one ioctl while the epoch stays: a child that may
 * not read the group's info or context still sends, and every message is
 * verified by the receiver. After a commit it must read the new context
 * (the child cannot: EPERM, nothing sent); the parent's sender does and
 * signs for the new epoch.
 */
TEST_F(signed_msgs, sender_one_ioctl_per_send)
{
	struct mls_sender *snd;
	struct mls_received r;
	struct mls_bytes pub;
	struct mls_sent s;
	int pfd[2], i;
	pid_t pid;

	NEED_DUO();
	ASSERT_EQ(0, mls_sig_key_export(self->a_pub, MLS_KEY_PUBLIC, &pub));
	ASSERT_EQ(0, mls_sender_new(self->d.a, self->a_priv, &snd));
	ASSERT_EQ(0, pipe(pfd));
	pid = send_forbidden(snd, 3, pfd[1]);
	ASSERT_LT(0, pid);
	close(pfd[1]);
	ASSERT_EQ(0, child_status(pid));
	for (i = 0; i < 3; i++) {
		uint8_t msg[4096];
		uint32_t len;
		char text[32];

		snprintf(text, sizeof(text), "one ioctl %d", i);
		ASSERT_EQ(sizeof(len), read(pfd[0], &len, sizeof(len)));
		ASSERT_GE(sizeof(msg), len);
		ASSERT_EQ((ssize_t)len, read(pfd[0], msg, len));
		ASSERT_EQ(0, mls_recv(self->d.b, lookup_fn, &self->look, msg, len, &r));
		EXPECT_EQ(1, r.epoch);
		EXPECT_EQ((uint32_t)i, r.generation);
		ASSERT_EQ(strlen(text), r.content_len);
		EXPECT_EQ(0, memcmp(r.content, text, r.content_len));
		EXPECT_TRUE(oracle_verify(&self->d, 0, (const uint8_t *)"ad", 2, r.content,
					  r.content_len, pub.data, pub.len, r.signature,
					  r.signature_len));
		mls_received_free(&r);
	}
	close(pfd[0]);

	/* A new epoch: the child's copy must read the context and may not. */
	ASSERT_EQ(0, duo_rotate(&self->d));
	ASSERT_EQ(0, pipe(pfd));
	pid = send_forbidden(snd, 1, pfd[1]);
	ASSERT_LT(0, pid);
	close(pfd[1]);
	EXPECT_EQ(EPERM, child_status(pid));
	{
		uint32_t len;

		EXPECT_EQ(0, read(pfd[0], &len, sizeof(len)));	/* nothing sent */
	}
	close(pfd[0]);
	/* Nor did the refused try use a generation of epoch 2... */
	ASSERT_EQ(0, mls_sender_send(snd, "new epoch", 9, NULL, 0, 0, &s));
	EXPECT_EQ(2, s.epoch);
	EXPECT_EQ(0, s.generation);
	ASSERT_EQ(0, mls_recv(self->d.b, lookup_fn, &self->look, s.message.data,
			      s.message.len, &r));
	EXPECT_EQ(2, r.epoch);
	EXPECT_TRUE(oracle_verify(&self->d, 0, NULL, 0, r.content, r.content_len, pub.data,
				  pub.len, r.signature, r.signature_len));
	mls_received_free(&r);
	mls_bytes_free(&s.message);
	mls_bytes_free(&pub);
	mls_sender_free(snd);
}

static size_t vlen(size_t n)
{
	return n < 64 ? 1 : n < 16384 ? 2 : 4;
}

/*
 * The ciphertext<V> of an application message: application_data<V>,
 * signature<V>, padding to @block, the AEAD tag.
 */
static size_t ct_vec_len(size_t content_len, size_t sig_len, uint32_t block)
{
	size_t body = vlen(content_len) + content_len + vlen(sig_len) + sig_len;
	size_t pt = block > 1 ? (body + block - 1) / block * block : body;

	return vlen(pt + 16) + pt + 16;
}

/* Per-call padding through a sender and mls_encrypt_ex(). */
TEST_F(signed_msgs, sender_padding)
{
	static const uint32_t blocks[] = { 0, 1, 64, 256, 1000 };
	struct mls_sender *snd;
	struct mls_received r;
	struct mls_sent s;
	size_t header = 0;
	unsigned int i;

	NEED_DUO();
	ASSERT_EQ(0, mls_sender_new(self->d.a, self->a_priv, &snd));
	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		ASSERT_EQ(0, mls_sender_send(snd, "pad me", 6, "ad", 2, blocks[i], &s));
		ASSERT_EQ(0, mls_recv(self->d.b, lookup_fn, &self->look, s.message.data,
				      s.message.len, &r));
		EXPECT_EQ(6, r.content_len);
		/* Everything before ciphertext<V> is the same in each message. */
		if (i == 0)
			header = s.message.len - ct_vec_len(6, r.signature_len, 0);
		EXPECT_EQ(header + ct_vec_len(6, r.signature_len, blocks[i]), s.message.len)
			TH_LOG("block %u", blocks[i]);
		mls_received_free(&r);
		mls_bytes_free(&s.message);
	}
	mls_sender_free(snd);
}

TEST_F(signed_msgs, sender_errors)
{
	unsigned int os = mls_suite_signature_scheme(variant->suite) ==
			  MLS_SIG_ED25519 ? 2 : 1;
	long long pad_max = -1;
	struct mls_sig_key *other;
	struct mls_sender *snd = (void *)1;
	struct mls_sent s;
	FILE *f;

	NEED_DUO();
	f = fopen("/sys/module/mls/parameters/padding_block_max", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%lld", &pad_max));
	fclose(f);
	ASSERT_LT(1, pad_max);
	errno = ERRNO_MARK;
	EXPECT_EQ(-EINVAL, mls_sender_new(self->d.a, self->a_priv, NULL));
	EXPECT_EQ(-EINVAL, mls_sender_new(self->d.a, NULL, &snd));
	EXPECT_EQ(NULL, snd);
	EXPECT_EQ(-EBADF, mls_sender_new(-1, self->a_priv, &snd));
	EXPECT_EQ(NULL, snd);
	ASSERT_EQ(0, mls_sig_key_generate(os, &other));
	EXPECT_EQ(-EINVAL, mls_sender_new(self->d.a, other, &snd));
	mls_sig_key_free(other);
	mls_sender_free(NULL);

	ASSERT_EQ(0, mls_sender_new(self->d.a, self->a_priv, &snd));
	EXPECT_EQ(-EINVAL, mls_sender_send(NULL, "x", 1, NULL, 0, 0, &s));
	EXPECT_EQ(NULL, s.message.data);
	EXPECT_EQ(-EINVAL, mls_sender_send(snd, "x", 1, NULL, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, mls_sender_send(snd, NULL, 1, NULL, 0, 0, &s));
	EXPECT_EQ(-EINVAL, mls_sender_send(snd, "x", 1, NULL, 1, 0, &s));
	EXPECT_EQ(-EINVAL, mls_sender_send(snd, "x", 1, NULL, 0, (uint32_t)pad_max + 1, &s));
	EXPECT_EQ(-EINVAL, mls_sender_send(snd, "x", 1, NULL, 0, UINT32_MAX, &s));
	EXPECT_EQ(NULL, s.message.data);
	/* None of those used a generation */
	ASSERT_EQ(0, mls_sender_send(snd, "x", 1, NULL, 0, 0, &s));
	EXPECT_EQ(0, s.generation);
	mls_bytes_free(&s.message);
	/* The group destroyed under the sender */
	ASSERT_EQ(0, mls_group_destroy(self->d.a));
	EXPECT_EQ(-ENOENT, mls_sender_send(snd, "x", 1, NULL, 0, 0, &s));
	mls_sender_free(snd);
	EXPECT_EQ(ERRNO_MARK, errno);
}

/* mls_encrypt_ex(): the epoch pin and its arguments. */
TEST_F(signed_msgs, encrypt_ex)
{
	struct mls_encrypt_opts o;
	uint8_t sig[MLS_SIGNATURE_MAX];
	size_t sig_len = stand_in_sig(variant->suite, sig);
	struct mls_received r;
	struct mls_sent s;

	NEED_DUO();
	errno = ERRNO_MARK;
	memset(&o, 0, sizeof(o));
	o.flags = MLS_ENCRYPT_F_EPOCH;
	o.epoch = 0;
	EXPECT_EQ(-ESTALE, mls_encrypt_ex(self->d.a, &o, MLS_CONTENT_APPLICATION, NULL, 0,
					  "x", 1, sig, sig_len, &s));
	EXPECT_EQ(NULL, s.message.data);
	o.epoch = 1;
	o.padding_block = 512;
	ASSERT_EQ(0, mls_encrypt_ex(self->d.a, &o, MLS_CONTENT_APPLICATION, NULL, 0,
				    "x", 1, sig, sig_len, &s));
	EXPECT_EQ(1, s.epoch);
	EXPECT_EQ(0, s.generation);
	EXPECT_LT(512, s.message.len);
	ASSERT_EQ(0, mls_decrypt(self->d.b, s.message.data, s.message.len, &r));
	EXPECT_EQ(1, r.content_len);
	ASSERT_EQ(sig_len, r.signature_len);
	EXPECT_EQ(0, memcmp(r.signature, sig, sig_len));
	mls_received_free(&r);
	mls_bytes_free(&s.message);
	o.flags = 1U << 1;
	EXPECT_EQ(-EINVAL, mls_encrypt_ex(self->d.a, &o, MLS_CONTENT_APPLICATION, NULL, 0,
					  "x", 1, sig, sig_len, &s));
	EXPECT_EQ(-EINVAL, mls_encrypt_ex(self->d.a, &o, MLS_CONTENT_APPLICATION, NULL, 0,
					  "x", 1, sig, sig_len, NULL));
	/* NULL options: mls_encrypt() */
	ASSERT_EQ(0, mls_encrypt_ex(self->d.a, NULL, MLS_CONTENT_APPLICATION, NULL, 0,
				    "x", 1, sig, sig_len, &s));
	EXPECT_EQ(1, s.generation);
	mls_bytes_free(&s.message);
	EXPECT_EQ(ERRNO_MARK, errno);
}

TEST_F(signed_msgs, message_protection_vector)
{
	struct bytes gid, tree, cth, enc, sd, pub, msg, app;
	struct mls_sig_key *k = NULL;
	struct mls_received r;
	struct mls_group_new g;
	struct lookup look;
	uint64_t epoch;
	json_t *root, *e;
	int fd;

	NEED_DUO();
	root = vec_load("message-protection.json");
	if (!root)
		SKIP(return, "no message-protection.json in %s", vec_dir());
	e = vec_entry(root, variant->suite, 0);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(0, vec_get_hex(e, "group_id", &gid));
	ASSERT_EQ(0, vec_get_u64(e, "epoch", &epoch));
	ASSERT_EQ(0, vec_get_hex(e, "tree_hash", &tree));
	ASSERT_EQ(0, vec_get_hex(e, "confirmed_transcript_hash", &cth));
	ASSERT_EQ(0, vec_get_hex(e, "encryption_secret", &enc));
	ASSERT_EQ(0, vec_get_hex(e, "sender_data_secret", &sd));
	ASSERT_EQ(0, vec_get_hex(e, "signature_pub", &pub));
	ASSERT_EQ(0, vec_get_hex(e, "application_priv", &msg));
	ASSERT_EQ(0, vec_get_hex(e, "application", &app));

	memset(&g, 0, sizeof(g));
	g.suite = (uint16_t)variant->suite;
	g.flags = MLS_GROUP_F_INSTALL | MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, gid.data, gid.len);
	mls_buf_set(&g.encryption_secret, enc.data, enc.len);
	mls_buf_set(&g.sender_data_secret, sd.data, sd.len);
	g.context.epoch = epoch;
	mls_buf_set(&g.context.tree_hash, tree.data, tree.len);
	mls_buf_set(&g.context.confirmed_transcript_hash, cth.data, cth.len);
	g.roster.own_leaf = 0;
	g.roster.leaf_count = 2;
	fd = mls_group_create(self->d.ctl, &g);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mls_sig_key_import(variant->suite, MLS_KEY_PUBLIC, pub.data,
					pub.len, &k));
	memset(&look, 0, sizeof(look));
	look.key[1] = k;
	ASSERT_EQ(0, mls_recv(fd, lookup_fn, &look, msg.data, msg.len, &r));
	EXPECT_EQ(1, r.sender_leaf);
	EXPECT_EQ(epoch, r.epoch);
	EXPECT_EQ(app.len, r.content_len);
	EXPECT_EQ(0, memcmp(app.data, r.content, app.len));
	mls_received_free(&r);
	close(fd);
	mls_sig_key_free(k);
	bytes_free(&gid);
	bytes_free(&tree);
	bytes_free(&cth);
	bytes_free(&enc);
	bytes_free(&sd);
	bytes_free(&pub);
	bytes_free(&msg);
	bytes_free(&app);
	json_decref(root);
}

/* ======================================================= the example */

FIXTURE(example) {
	int unused;
};

FIXTURE_VARIANT(example) {
	unsigned int suite;
};

SUITE_VARIANTS(example);

FIXTURE_SETUP(example)
{
}

FIXTURE_TEARDOWN(example)
{
}

/* userlib/examples/mls-hello, built through pkg-config, on PATH. */
TEST_F(example, mls_hello)
{
	char cmd[64], line[256], all[2048] = "";
	int status, verified = 0;
	FILE *p;

	NEED_DEV();
	if (system("command -v mls-hello >/dev/null 2>&1") != 0)
		SKIP(return, "mls-hello is not on PATH");
	snprintf(cmd, sizeof(cmd), "mls-hello %u 2>&1", variant->suite);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		verified += !!strstr(line, "signature verified");
		if (strlen(all) + strlen(line) < sizeof(all))
			strcat(all, line);
	}
	status = pclose(p);
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("%s", all);
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("%s", all);
	EXPECT_EQ(2, verified) TH_LOG("%s", all);
	EXPECT_NE(NULL, strstr(all, "same epoch_authenticator")) TH_LOG("%s", all);
}

TEST_HARNESS_MAIN
