// SPDX-License-Identifier: GPL-2.0
/*
 * The RFC 9420 test vectors (mls-implementations: key-schedule,
 * secret-tree, message-protection; crypto-basics for the oracle) against
 * the kernel, through the uapi only, for the seven ciphersuites.
 *
 *  oracle.*             the userspace library of vectors.c against the
 *                       vectors: what every other test relies on
 *  key_schedule.*       create from inputs, commit epoch by epoch, join:
 *                       exporter, epoch_authenticator, GroupContext,
 *                       joiner_secret, welcome_secret
 *  secret_tree.*        installed secrets: messages sealed in userspace
 *                       with the vector's keys decrypt in the kernel, and
 *                       the kernel's messages open with the vector's keys
 *  message_protection.* the vector's PrivateMessages decrypt in the
 *                       kernel, their signatures verify; a round trip
 *  derived.*            files of the same schema with other values,
 *                       written here by the oracle: the same code passes
 *                       over them, and fails once their second case is
 *                       corrupted
 *
 * The vectors are read from $MLS_VECTORS (default /mls/vectors). Every
 * test runs over exactly what a file lists for its suite: every case,
 * every leaf, every generation (in order and out of order, the group's
 * policy raised as far as a case needs, up to the module's caps), every
 * epoch; what ran is printed per file. A suite the kernel does not
 * support, a case that needs more than a cap, a field missing or
 * malformed: each fails; nothing is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mls.h>

#include <libmls.h>

#include "kselftest_harness.h"
#include "vectors.h"

/* ---- shared helpers ----------------------------------------------------- */

#define ALL_SUITES(fx)								\
	FIXTURE_VARIANT_ADD(fx, cs1_x25519_aes128gcm_sha256_ed25519) {		\
		.suite = 1 };							\
	FIXTURE_VARIANT_ADD(fx, cs2_p256_aes128gcm_sha256_p256) {		\
		.suite = 2 };							\
	FIXTURE_VARIANT_ADD(fx, cs3_x25519_chacha20poly1305_sha256_ed25519) {	\
		.suite = 3 };							\
	FIXTURE_VARIANT_ADD(fx, cs4_x448_aes256gcm_sha512_ed448) {		\
		.suite = 4 };							\
	FIXTURE_VARIANT_ADD(fx, cs5_p521_aes256gcm_sha512_p521) {		\
		.suite = 5 };							\
	FIXTURE_VARIANT_ADD(fx, cs6_x448_chacha20poly1305_sha512_ed448) {	\
		.suite = 6 };							\
	FIXTURE_VARIANT_ADD(fx, cs7_p384_aes256gcm_sha384_p384) {		\
		.suite = 7 }

static int same(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* EXPECT that two byte strings are equal; shows both in hex when not. */
#define EXPECT_BYTES(what, exp, exp_len, got, got_len) do {			\
	const void *__e = (exp), *__g = (got);					\
	size_t __el = (exp_len), __gl = (got_len);				\
	EXPECT_TRUE(same(__e, __el, __g, __gl)) {				\
		char *__eh = vec_hex(__e, __el), *__gh = vec_hex(__g, __gl);	\
		TH_LOG("%s: expected %zu bytes %s, got %zu bytes %s", (what),	\
		       __el, __eh, __gl, __gh);					\
		free(__eh);							\
		free(__gh);							\
	}									\
} while (0)

static void set_in(struct mls_buf *b, const void *p, size_t n)
{
	b->addr = (uintptr_t)p;
	b->len = (__u32)n;
	b->reserved = 0;
}

static void set_out(struct mls_buf *b, void *p, size_t cap)
{
	set_in(b, p, cap);
}

/* Open /dev/mls and make sure the kernel runs groups in @suite. */
static int open_dev(struct __test_metadata *_metadata, unsigned int suite)
{
	struct mls_version v = { 0 };
	int fd = open("/dev/mls", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd) TH_LOG("open /dev/mls: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(fd, MLS_IOC_GET_VERSION, &v));
	ASSERT_TRUE(v.features & MLS_FEATURE_GROUPS)
		TH_LOG("the module does not report MLS_FEATURE_GROUPS");
	ASSERT_TRUE(v.suites & (1ULL << suite))
		TH_LOG("ciphersuite %u is not supported by the kernel", suite);
	return fd;
}

/* A module parameter, or -1. */
static long long mod_param_ll(const char *name)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/mls/parameters/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 10);
}

/* An installed group (MLS_GROUP_F_INSTALL). */
struct gspec {
	const struct vec_suite *cs;
	const uint8_t *gid;
	size_t gid_len;
	uint64_t epoch;
	const uint8_t *th;
	size_t th_len;
	const uint8_t *cth;
	size_t cth_len;
	const uint8_t *enc;
	const uint8_t *sds;
	uint32_t own;
	uint32_t count;
};

/* The group fd, or -errno. */
static int group_install(int dev, const struct gspec *g)
{
	struct mls_group_new n;
	int fd;

	memset(&n, 0, sizeof(n));
	n.flags = MLS_GROUP_F_INSTALL | MLS_GROUP_F_EPHEMERAL;
	n.suite = (__u16)g->cs->id;
	set_in(&n.group_id, g->gid, g->gid_len);
	set_in(&n.encryption_secret, g->enc, g->cs->nh);
	set_in(&n.sender_data_secret, g->sds, g->cs->nh);
	n.context.epoch = g->epoch;
	set_in(&n.context.tree_hash, g->th, g->th_len);
	set_in(&n.context.confirmed_transcript_hash, g->cth, g->cth_len);
	n.roster.own_leaf = g->own;
	n.roster.leaf_count = g->count;
	fd = ioctl(dev, MLS_IOC_GROUP_CREATE, &n);
	return fd < 0 ? -errno : fd;
}

#define MSG_CAP		16384

struct dec {
	struct mls_decrypt d;
	uint8_t aad[1024];
	uint8_t content[MSG_CAP];
	uint8_t sig[1024];
};

/* 0 or -errno. */
static int do_decrypt(int fd, const uint8_t *msg, size_t len, struct dec *o)
{
	memset(&o->d, 0, sizeof(o->d));
	set_in(&o->d.message, msg, len);
	set_out(&o->d.authenticated_data, o->aad, sizeof(o->aad));
	set_out(&o->d.content, o->content, sizeof(o->content));
	set_out(&o->d.signature, o->sig, sizeof(o->sig));
	return ioctl(fd, MLS_IOC_DECRYPT, &o->d) ? -errno : 0;
}

struct enc {
	struct mls_encrypt e;
	uint8_t msg[MSG_CAP];
};

/*
 * The longest signature of @cs's scheme, the length MLS_IOC_ENCRYPT
 * accepts for a stand-in where no signing key is at hand: Ed25519 64,
 * Ed448 114, ECDSA DER 72 (P-256), 104 (P-384), 139 (P-521).
 */
static size_t sig_len_max(const struct vec_suite *cs)
{
	switch (cs->id) {
	case 1: case 3:
		return 64;
	case 4: case 6:
		return 114;
	case 2:
		return 72;
	case 7:
		return 104;
	case 5:
		return 139;
	}
	return 0;
}

/* 0 or -errno. */
static int do_encrypt(int fd, unsigned int content_type, const void *aad,
		      size_t aad_len, const void *content, size_t content_len,
		      const void *sig, size_t sig_len, struct enc *o)
{
	memset(&o->e, 0, sizeof(o->e));
	o->e.content_type = content_type;
	set_in(&o->e.authenticated_data, aad, aad_len);
	set_in(&o->e.content, content, content_len);
	set_in(&o->e.signature, sig, sig_len);
	set_out(&o->e.message, o->msg, sizeof(o->msg));
	return ioctl(fd, MLS_IOC_ENCRYPT, &o->e) ? -errno : 0;
}

/* The encoded GroupContext of the current epoch; its length, or -errno. */
static int get_context(int fd, uint8_t *out, size_t cap, uint64_t *epoch)
{
	struct mls_get_context g;

	memset(&g, 0, sizeof(g));
	set_out(&g.context, out, cap);
	if (ioctl(fd, MLS_IOC_GET_CONTEXT, &g))
		return -errno;
	if (epoch)
		*epoch = g.epoch;
	return (int)g.context.len;
}

static void hexfree(struct bytes *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		bytes_free(&b[i]);
}

/* ======================================================================== */
/* oracle: the userspace library against the vectors                       */
/* ======================================================================== */

FIXTURE(oracle) {
	const struct vec_suite *cs;
};

FIXTURE_VARIANT(oracle) {
	unsigned int suite;
};

ALL_SUITES(oracle);

FIXTURE_SETUP(oracle)
{
	self->cs = vec_suite(variant->suite);
	ASSERT_NE(NULL, self->cs);
}

FIXTURE_TEARDOWN(oracle)
{
}

/* ExpandWithLabel, DeriveSecret, DeriveTreeSecret, SignWithLabel. */
static void oracle_crypto_basics_case(struct __test_metadata *_metadata,
				      const struct vec_suite *cs, json_t *e)
{
	json_t *o;
	struct bytes secret, ctx, out, priv, pub, content, sig, mysig;
	uint8_t buf[VEC_MAX_HASH * 4];
	uint64_t len, gen;

	o = json_object_get(e, "expand_with_label");
	ASSERT_EQ(0, vec_get_hex(o, "secret", &secret));
	ASSERT_EQ(0, vec_get_hex(o, "context", &ctx));
	ASSERT_EQ(0, vec_get_hex(o, "out", &out));
	ASSERT_EQ(0, vec_get_u64(o, "length", &len));
	ASSERT_GE(sizeof(buf), len);
	ASSERT_EQ(0, vec_expand_with_label(cs, secret.data, vec_get_str(o, "label"),
					   ctx.data, ctx.len, buf, len));
	EXPECT_BYTES("ExpandWithLabel", out.data, out.len, buf, len);
	bytes_free(&secret);
	bytes_free(&ctx);
	bytes_free(&out);

	o = json_object_get(e, "derive_secret");
	ASSERT_EQ(0, vec_get_hex(o, "secret", &secret));
	ASSERT_EQ(0, vec_get_hex(o, "out", &out));
	ASSERT_EQ(0, vec_derive_secret(cs, secret.data, vec_get_str(o, "label"), buf));
	EXPECT_BYTES("DeriveSecret", out.data, out.len, buf, cs->nh);
	bytes_free(&secret);
	bytes_free(&out);

	o = json_object_get(e, "derive_tree_secret");
	ASSERT_EQ(0, vec_get_hex(o, "secret", &secret));
	ASSERT_EQ(0, vec_get_hex(o, "out", &out));
	ASSERT_EQ(0, vec_get_u64(o, "length", &len));
	ASSERT_EQ(0, vec_get_u64(o, "generation", &gen));
	ASSERT_GE(sizeof(buf), len);
	ASSERT_EQ(0, vec_derive_tree_secret(cs, secret.data, vec_get_str(o, "label"),
					    (uint32_t)gen, buf, len));
	EXPECT_BYTES("DeriveTreeSecret", out.data, out.len, buf, len);
	bytes_free(&secret);
	bytes_free(&out);

	o = json_object_get(e, "sign_with_label");
	ASSERT_EQ(0, vec_get_hex(o, "priv", &priv));
	ASSERT_EQ(0, vec_get_hex(o, "pub", &pub));
	ASSERT_EQ(0, vec_get_hex(o, "content", &content));
	ASSERT_EQ(0, vec_get_hex(o, "signature", &sig));
	EXPECT_EQ(1, vec_verify_with_label(cs, pub.data, pub.len, vec_get_str(o, "label"),
					   content.data, content.len, sig.data, sig.len))
		TH_LOG("the vector's SignWithLabel signature does not verify");
	/* Our own signature with the vector's key verifies too... */
	ASSERT_EQ(0, vec_sign_with_label(cs, priv.data, priv.len, pub.data, pub.len,
					 vec_get_str(o, "label"), content.data,
					 content.len, &mysig));
	EXPECT_EQ(1, vec_verify_with_label(cs, pub.data, pub.len, vec_get_str(o, "label"),
					   content.data, content.len, mysig.data, mysig.len));
	/* ...and a flipped bit does not. */
	content.data[0] ^= 1;
	EXPECT_EQ(0, vec_verify_with_label(cs, pub.data, pub.len, vec_get_str(o, "label"),
					   content.data, content.len, sig.data, sig.len));
	bytes_free(&priv);
	bytes_free(&pub);
	bytes_free(&content);
	bytes_free(&sig);
	bytes_free(&mysig);
}

TEST_F(oracle, crypto_basics)
{
	json_t *root = vec_load("crypto-basics.json");
	size_t nth, count;

	ASSERT_NE(NULL, root);
	count = vec_entry_count(root, self->cs->id);
	ASSERT_LT(0, count) TH_LOG("no crypto-basics vector for suite %u", self->cs->id);
	for (nth = 0; nth < count; nth++)
		oracle_crypto_basics_case(_metadata, self->cs, vec_entry(root, self->cs->id, nth));
	ksft_print_msg("crypto-basics.json, suite %u: %zu cases\n", self->cs->id, count);
	json_decref(root);
}

/*
 * libmls' GroupContext encoder against every case of key-schedule.json,
 * whatever its suite, and every epoch each lists: the fields give the
 * vector's group_context bytes.
 */
TEST(libmls_group_context_every_case)
{
	json_t *root = vec_load("key-schedule.json"), *e, *ep;
	size_t c, i, epochs = 0;

	ASSERT_NE(NULL, root);
	ASSERT_LT(0, json_array_size(root));
	json_array_foreach(root, c, e) {
		struct bytes gid;
		uint64_t suite;

		ASSERT_EQ(0, vec_get_u64(e, "cipher_suite", &suite)) TH_LOG("case %zu", c);
		ASSERT_EQ(0, vec_get_hex(e, "group_id", &gid)) TH_LOG("case %zu", c);
		ASSERT_LT(0, json_array_size(json_object_get(e, "epochs")))
			TH_LOG("case %zu", c);
		json_array_foreach(json_object_get(e, "epochs"), i, ep) {
			struct bytes th, cth, gc;
			struct mls_bytes enc;
			struct mls_group_context_fields f;
			char what[64];

			ASSERT_EQ(0, vec_get_hex(ep, "tree_hash", &th));
			ASSERT_EQ(0, vec_get_hex(ep, "confirmed_transcript_hash", &cth));
			ASSERT_EQ(0, vec_get_hex(ep, "group_context", &gc));
			memset(&f, 0, sizeof(f));
			f.cipher_suite = (uint16_t)suite;
			f.group_id = gid.data;
			f.group_id_len = gid.len;
			f.epoch = i;
			f.tree_hash = th.data;
			f.tree_hash_len = th.len;
			f.confirmed_transcript_hash = cth.data;
			f.confirmed_transcript_hash_len = cth.len;
			ASSERT_EQ(0, mls_group_context_encode(&f, &enc));
			snprintf(what, sizeof(what), "case %zu (suite %u), epoch %zu", c,
				 (unsigned int)suite, i);
			EXPECT_BYTES(what, gc.data, gc.len, enc.data, enc.len);
			mls_bytes_free(&enc);
			bytes_free(&th);
			bytes_free(&cth);
			bytes_free(&gc);
			epochs++;
		}
		bytes_free(&gid);
	}
	ksft_print_msg("%zu cases, %zu epochs\n", json_array_size(root), epochs);
	json_decref(root);
}

/* The key schedule, GroupContext encoding and MLS-Exporter of every epoch. */
static void oracle_ks_case(struct __test_metadata *_metadata,
			   const struct vec_suite *cs, json_t *e)
{
	json_t *ep, *ex;
	struct bytes gid, init, v[16];
	struct vec_epoch_secrets s;
	uint8_t next_init[VEC_MAX_HASH], out[1024];
	size_t i;

	ASSERT_EQ(0, vec_get_hex(e, "group_id", &gid));
	ASSERT_EQ(0, vec_get_hex(e, "initial_init_secret", &init));
	ASSERT_EQ(cs->nh, init.len);
	memcpy(next_init, init.data, cs->nh);
	ASSERT_LT(0, json_array_size(json_object_get(e, "epochs")));

	json_array_foreach(json_object_get(e, "epochs"), i, ep) {
		struct wbuf gc;
		uint64_t elen;
		char what[64];

		memset(v, 0, sizeof(v));
		ASSERT_EQ(0, vec_get_hex(ep, "commit_secret", &v[0]));
		ASSERT_EQ(0, vec_get_hex(ep, "psk_secret", &v[1]));
		ASSERT_EQ(0, vec_get_hex(ep, "tree_hash", &v[2]));
		ASSERT_EQ(0, vec_get_hex(ep, "confirmed_transcript_hash", &v[3]));
		ASSERT_EQ(0, vec_get_hex(ep, "group_context", &v[4]));
		ASSERT_EQ(0, vec_get_hex(ep, "joiner_secret", &v[5]));
		ASSERT_EQ(0, vec_get_hex(ep, "welcome_secret", &v[6]));
		ASSERT_EQ(0, vec_get_hex(ep, "sender_data_secret", &v[7]));
		ASSERT_EQ(0, vec_get_hex(ep, "encryption_secret", &v[8]));
		ASSERT_EQ(0, vec_get_hex(ep, "exporter_secret", &v[9]));
		ASSERT_EQ(0, vec_get_hex(ep, "epoch_authenticator", &v[10]));
		ASSERT_EQ(0, vec_get_hex(ep, "init_secret", &v[11]));
		ASSERT_EQ(0, vec_get_hex(ep, "membership_key", &v[12]));
		ex = json_object_get(ep, "exporter");
		ASSERT_EQ(0, vec_get_hex(ex, "context", &v[13]));
		ASSERT_EQ(0, vec_get_hex(ex, "secret", &v[14]));
		ASSERT_EQ(0, vec_get_u64(ex, "length", &elen));
		ASSERT_NE(NULL, vec_get_str(ex, "label"));

		wb_init(&gc);
		vec_group_context(&gc, cs, gid.data, gid.len, i, v[2].data, v[2].len,
				  v[3].data, v[3].len, NULL, 0);
		ASSERT_EQ(0, gc.err);
		snprintf(what, sizeof(what), "epoch %zu GroupContext", i);
		EXPECT_BYTES(what, v[4].data, v[4].len, gc.p, gc.len);

		ASSERT_EQ(0, vec_key_schedule(cs, next_init, v[0].data, NULL, v[1].data,
					      v[4].data, v[4].len, &s));
		snprintf(what, sizeof(what), "epoch %zu joiner_secret", i);
		EXPECT_BYTES(what, v[5].data, v[5].len, s.joiner, cs->nh);
		snprintf(what, sizeof(what), "epoch %zu welcome_secret", i);
		EXPECT_BYTES(what, v[6].data, v[6].len, s.welcome, cs->nh);
		snprintf(what, sizeof(what), "epoch %zu sender_data_secret", i);
		EXPECT_BYTES(what, v[7].data, v[7].len, s.sender_data, cs->nh);
		snprintf(what, sizeof(what), "epoch %zu encryption_secret", i);
		EXPECT_BYTES(what, v[8].data, v[8].len, s.encryption, cs->nh);
		snprintf(what, sizeof(what), "epoch %zu exporter_secret", i);
		EXPECT_BYTES(what, v[9].data, v[9].len, s.exporter, cs->nh);
		snprintf(what, sizeof(what), "epoch %zu epoch_authenticator", i);
		EXPECT_BYTES(what, v[10].data, v[10].len, s.authentication, cs->nh);
		snprintf(what, sizeof(what), "epoch %zu init_secret", i);
		EXPECT_BYTES(what, v[11].data, v[11].len, s.init, cs->nh);
		snprintf(what, sizeof(what), "epoch %zu membership_key", i);
		EXPECT_BYTES(what, v[12].data, v[12].len, s.membership, cs->nh);

		/* The label is used as the ASCII string written in the vector. */
		ASSERT_GE(sizeof(out), elen);
		ASSERT_EQ(0, vec_exporter(cs, s.exporter,
					  (const uint8_t *)vec_get_str(ex, "label"),
					  strlen(vec_get_str(ex, "label")),
					  v[13].data, v[13].len, out, elen));
		snprintf(what, sizeof(what), "epoch %zu exporter", i);
		EXPECT_BYTES(what, v[14].data, v[14].len, out, elen);

		/* A joiner from joiner_secret gets the same epoch. */
		{
			struct vec_epoch_secrets j;

			ASSERT_EQ(0, vec_key_schedule(cs, NULL, NULL, v[5].data, v[1].data,
						      v[4].data, v[4].len, &j));
			snprintf(what, sizeof(what), "epoch %zu joiner's epoch_secret", i);
			EXPECT_BYTES(what, s.epoch, cs->nh, j.epoch, cs->nh);
		}

		memcpy(next_init, s.init, cs->nh);
		wb_free(&gc);
		hexfree(v, 15);
	}
	bytes_free(&gid);
	bytes_free(&init);
}

TEST_F(oracle, key_schedule)
{
	json_t *root = vec_load("key-schedule.json");
	size_t nth, count;

	ASSERT_NE(NULL, root);
	count = vec_entry_count(root, self->cs->id);
	ASSERT_LT(0, count) TH_LOG("no key-schedule vector for suite %u", self->cs->id);
	for (nth = 0; nth < count; nth++)
		oracle_ks_case(_metadata, self->cs, vec_entry(root, self->cs->id, nth));
	ksft_print_msg("key-schedule.json, suite %u: %zu cases (oracle)\n", self->cs->id,
		       count);
	json_decref(root);
}

/* The vector's key and nonce of (leaf, ratchet, generation). */
static int st_vector_key(json_t *entry, uint32_t leaf, enum vec_ratchet type,
			 uint32_t generation, struct bytes *key, struct bytes *nonce)
{
	json_t *gens = json_array_get(json_object_get(entry, "leaves"), leaf), *g;
	size_t i;

	json_array_foreach(gens, i, g) {
		uint64_t gen;

		if (vec_get_u64(g, "generation", &gen) || gen != generation)
			continue;
		if (type == VEC_RATCHET_APPLICATION)
			return vec_get_hex(g, "application_key", key) ||
			       vec_get_hex(g, "application_nonce", nonce) ? -1 : 0;
		return vec_get_hex(g, "handshake_key", key) ||
		       vec_get_hex(g, "handshake_nonce", nonce) ? -1 : 0;
	}
	return -1;
}

/* Secret tree: every leaf's keys and nonces; the sender-data key and nonce. */
TEST_F(oracle, secret_tree)
{
	const struct vec_suite *cs = self->cs;
	json_t *root = vec_load("secret-tree.json"), *e;
	size_t nth, count;

	ASSERT_NE(NULL, root);
	count = vec_entry_count(root, cs->id);
	ASSERT_LT(0, count) TH_LOG("no secret-tree vector for suite %u", cs->id);
	for (nth = 0; nth < count; nth++) {
		struct bytes enc, sds, ct, vkey, vnonce;
		uint8_t key[VEC_MAX_KEY], nonce[VEC_NONCE];
		json_t *sd, *gens, *g;
		uint32_t leaves, leaf;
		size_t i;

		e = vec_entry(root, cs->id, nth);
		ASSERT_EQ(0, vec_get_hex(e, "encryption_secret", &enc));
		sd = json_object_get(e, "sender_data");
		ASSERT_EQ(0, vec_get_hex(sd, "sender_data_secret", &sds));
		ASSERT_EQ(0, vec_get_hex(sd, "ciphertext", &ct));
		ASSERT_EQ(0, vec_get_hex(sd, "key", &vkey));
		ASSERT_EQ(0, vec_get_hex(sd, "nonce", &vnonce));
		ASSERT_EQ(0, vec_sender_data_key(cs, sds.data, ct.data, ct.len, key, nonce));
		EXPECT_BYTES("sender data key", vkey.data, vkey.len, key, cs->nk);
		EXPECT_BYTES("sender data nonce", vnonce.data, vnonce.len, nonce, VEC_NONCE);
		bytes_free(&sds);
		bytes_free(&ct);
		bytes_free(&vkey);
		bytes_free(&vnonce);

		leaves = (uint32_t)json_array_size(json_object_get(e, "leaves"));
		ASSERT_LT(0, leaves);
		for (leaf = 0; leaf < leaves; leaf++) {
			gens = json_array_get(json_object_get(e, "leaves"), leaf);
			json_array_foreach(gens, i, g) {
				uint64_t gen;
				int t;

				ASSERT_EQ(0, vec_get_u64(g, "generation", &gen));
				for (t = 0; t < 2; t++) {
					char what[96];

					ASSERT_EQ(0, st_vector_key(e, leaf, t, (uint32_t)gen,
								   &vkey, &vnonce));
					ASSERT_EQ(0, vec_ratchet_key(cs, enc.data, leaves, leaf, t,
								     (uint32_t)gen, key, nonce));
					snprintf(what, sizeof(what), "%u leaves, leaf %u, %s gen %u key",
						 leaves, leaf, t ? "application" : "handshake",
						 (uint32_t)gen);
					EXPECT_BYTES(what, vkey.data, vkey.len, key, cs->nk);
					snprintf(what, sizeof(what), "%u leaves, leaf %u, %s gen %u nonce",
						 leaves, leaf, t ? "application" : "handshake",
						 (uint32_t)gen);
					EXPECT_BYTES(what, vnonce.data, vnonce.len, nonce, VEC_NONCE);
					bytes_free(&vkey);
					bytes_free(&vnonce);
				}
			}
		}
		bytes_free(&enc);
	}
	json_decref(root);
}

/* The message-protection vector, loaded. */
struct mp {
	struct bytes gid, th, cth, sig_priv, sig_pub, enc, sds;
	struct bytes proposal, proposal_priv, commit, commit_priv;
	struct bytes application, application_priv;
	uint64_t epoch;
};

static int mp_load(json_t *e, struct mp *m)
{
	memset(m, 0, sizeof(*m));
	return vec_get_hex(e, "group_id", &m->gid) ||
	       vec_get_hex(e, "tree_hash", &m->th) ||
	       vec_get_hex(e, "confirmed_transcript_hash", &m->cth) ||
	       vec_get_hex(e, "signature_priv", &m->sig_priv) ||
	       vec_get_hex(e, "signature_pub", &m->sig_pub) ||
	       vec_get_hex(e, "encryption_secret", &m->enc) ||
	       vec_get_hex(e, "sender_data_secret", &m->sds) ||
	       vec_get_hex(e, "proposal", &m->proposal) ||
	       vec_get_hex(e, "proposal_priv", &m->proposal_priv) ||
	       vec_get_hex(e, "commit", &m->commit) ||
	       vec_get_hex(e, "commit_priv", &m->commit_priv) ||
	       vec_get_hex(e, "application", &m->application) ||
	       vec_get_hex(e, "application_priv", &m->application_priv) ||
	       vec_get_u64(e, "epoch", &m->epoch) ? -1 : 0;
}

static void mp_free(struct mp *m)
{
	struct bytes *all[] = { &m->gid, &m->th, &m->cth, &m->sig_priv,
		&m->sig_pub, &m->enc, &m->sds, &m->proposal, &m->proposal_priv,
		&m->commit, &m->commit_priv, &m->application, &m->application_priv };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		bytes_free(all[i]);
}

static void mp_context(const struct vec_suite *cs, const struct mp *m,
		       struct wbuf *gc)
{
	wb_init(gc);
	vec_group_context(gc, cs, m->gid.data, m->gid.len, m->epoch, m->th.data,
			  m->th.len, m->cth.data, m->cth.len, NULL, 0);
}

/* 1 if the signature of a message from @leaf verifies, else 0. */
static int mp_sig_ok(const struct vec_suite *cs, const struct mp *m,
		     const uint8_t *gc, size_t gc_len, uint32_t leaf,
		     const uint8_t *aad, size_t aad_len, unsigned int ct,
		     const uint8_t *content, size_t content_len,
		     const uint8_t *sig, size_t sig_len)
{
	struct wbuf tbs;
	int ok;

	wb_init(&tbs);
	vec_framed_tbs(&tbs, m->gid.data, m->gid.len, m->epoch, leaf, aad, aad_len,
		       ct, content, content_len, gc, gc_len);
	ok = !tbs.err && vec_verify_with_label(cs, m->sig_pub.data, m->sig_pub.len,
					       "FramedContentTBS", tbs.p, tbs.len,
					       sig, sig_len) == 1;
	wb_free(&tbs);
	return ok;
}

/* Open a message of the message-protection vector in userspace. */
static int mp_open(const struct vec_suite *cs, const struct mp *m,
		   const uint8_t *msg, size_t len, struct vec_pm *pm,
		   struct vec_sender_data *sd, struct bytes *pt)
{
	uint8_t key[VEC_MAX_KEY], nonce[VEC_NONCE];

	if (vec_pm_parse(msg, len, pm) || vec_pm_open_sender(cs, m->sds.data, pm, sd) ||
	    sd->leaf >= 2 ||
	    vec_ratchet_key(cs, m->enc.data, 2, sd->leaf,
			    vec_ratchet_of(pm->content_type), sd->generation, key,
			    nonce) ||
	    vec_pm_open_content(cs, pm, sd, key, nonce, pt))
		return -1;
	return 0;
}

/* The three PrivateMessages open in userspace; their signatures verify. */
static void oracle_mp_case(struct __test_metadata *_metadata,
			   const struct vec_suite *cs, json_t *e)
{
	const uint8_t *app, *sig, *tag;
	size_t app_len, sig_len, tag_len;
	struct vec_sender_data sd;
	struct vec_pm pm;
	struct bytes pt;
	struct wbuf gc;
	struct mp m;

	ASSERT_EQ(0, mp_load(e, &m));
	mp_context(cs, &m, &gc);
	ASSERT_EQ(0, gc.err);

	/* application */
	ASSERT_EQ(0, mp_open(cs, &m, m.application_priv.data, m.application_priv.len,
			     &pm, &sd, &pt));
	EXPECT_EQ(VEC_CT_APPLICATION, pm.content_type);
	EXPECT_EQ(1, sd.leaf);
	EXPECT_EQ(m.epoch, pm.epoch);
	EXPECT_BYTES("group_id", m.gid.data, m.gid.len, pm.group_id, pm.gid_len);
	ASSERT_EQ(0, vec_app_content_parse(pt.data, pt.len, &app, &app_len, &sig, &sig_len));
	EXPECT_BYTES("application_data", m.application.data, m.application.len,
		     app, app_len);
	EXPECT_TRUE(mp_sig_ok(cs, &m, gc.p, gc.len, sd.leaf, pm.aad, pm.aad_len,
			      VEC_CT_APPLICATION, app, app_len, sig, sig_len))
		TH_LOG("application signature does not verify");
	bytes_free(&pt);

	/* proposal */
	ASSERT_EQ(0, mp_open(cs, &m, m.proposal_priv.data, m.proposal_priv.len,
			     &pm, &sd, &pt));
	EXPECT_EQ(VEC_CT_PROPOSAL, pm.content_type);
	EXPECT_EQ(1, sd.leaf);
	ASSERT_LE(m.proposal.len, pt.len);
	EXPECT_BYTES("proposal", m.proposal.data, m.proposal.len, pt.data, m.proposal.len);
	ASSERT_EQ(0, vec_auth_tail_parse(pt.data + m.proposal.len,
					 pt.len - m.proposal.len, 0, &sig, &sig_len,
					 &tag, &tag_len));
	EXPECT_TRUE(mp_sig_ok(cs, &m, gc.p, gc.len, sd.leaf, pm.aad, pm.aad_len,
			      VEC_CT_PROPOSAL, m.proposal.data, m.proposal.len,
			      sig, sig_len))
		TH_LOG("proposal signature does not verify");
	bytes_free(&pt);

	/* commit */
	ASSERT_EQ(0, mp_open(cs, &m, m.commit_priv.data, m.commit_priv.len,
			     &pm, &sd, &pt));
	EXPECT_EQ(VEC_CT_COMMIT, pm.content_type);
	EXPECT_EQ(1, sd.leaf);
	ASSERT_LE(m.commit.len, pt.len);
	EXPECT_BYTES("commit", m.commit.data, m.commit.len, pt.data, m.commit.len);
	ASSERT_EQ(0, vec_auth_tail_parse(pt.data + m.commit.len, pt.len - m.commit.len,
					 1, &sig, &sig_len, &tag, &tag_len));
	EXPECT_EQ(cs->nh, tag_len);
	EXPECT_TRUE(mp_sig_ok(cs, &m, gc.p, gc.len, sd.leaf, pm.aad, pm.aad_len,
			      VEC_CT_COMMIT, m.commit.data, m.commit.len, sig, sig_len))
		TH_LOG("commit signature does not verify");
	bytes_free(&pt);

	/* Our seal opens with our open, and a flipped bit does not. */
	{
		static const uint8_t data[] = "oracle round trip";
		uint8_t key[VEC_MAX_KEY], nonce[VEC_NONCE];
		struct vec_sender_data s = { 1, 3, { 1, 2, 3, 4 } }, s2;
		struct wbuf c, msg;

		wb_init(&c);
		wb_init(&msg);
		vec_app_content(&c, data, sizeof(data), NULL, 0, 9);
		ASSERT_EQ(0, vec_ratchet_key(cs, m.enc.data, 2, 1, VEC_RATCHET_APPLICATION,
					     3, key, nonce));
		ASSERT_EQ(0, vec_pm_seal(cs, m.sds.data, m.gid.data, m.gid.len, m.epoch,
					 VEC_CT_APPLICATION, NULL, 0, &s, key, nonce,
					 c.p, c.len, &msg));
		ASSERT_EQ(0, mp_open(cs, &m, msg.p, msg.len, &pm, &s2, &pt));
		EXPECT_EQ(3, s2.generation);
		EXPECT_EQ(0, memcmp(s.reuse_guard, s2.reuse_guard, VEC_REUSE_GUARD));
		EXPECT_BYTES("round trip", c.p, c.len, pt.data, pt.len);
		bytes_free(&pt);
		msg.p[msg.len - 1] ^= 1;
		EXPECT_EQ(-1, mp_open(cs, &m, msg.p, msg.len, &pm, &s2, &pt));
		wb_free(&c);
		wb_free(&msg);
	}
	wb_free(&gc);
	mp_free(&m);
}

TEST_F(oracle, message_protection)
{
	json_t *root = vec_load("message-protection.json");
	size_t nth, count;

	ASSERT_NE(NULL, root);
	count = vec_entry_count(root, self->cs->id);
	ASSERT_LT(0, count) TH_LOG("no message-protection vector for suite %u",
				   self->cs->id);
	for (nth = 0; nth < count; nth++)
		oracle_mp_case(_metadata, self->cs, vec_entry(root, self->cs->id, nth));
	json_decref(root);
}

/* ======================================================================== */
/* key_schedule                                                            */
/* ======================================================================== */

struct ks_epoch {
	struct bytes commit_secret, psk_secret, tree_hash, cth, group_context;
	struct bytes joiner, welcome, authenticator, exp_ctx, exp_secret;
	const char *exp_label;
	uint64_t exp_len;
};

/* One case of a key-schedule file, loaded. */
struct ks {
	const struct vec_suite *cs;
	int dev;
	struct bytes gid, init;
	size_t n;
	struct ks_epoch *ep;
};

/* What a run over a file covered, printed per file. */
struct vec_counts {
	size_t cases, leaves, generations, epochs, messages;
};

static void ks_free(struct ks *k)
{
	size_t i;

	for (i = 0; k->ep && i < k->n; i++) {
		struct ks_epoch *e = &k->ep[i];

		bytes_free(&e->commit_secret);
		bytes_free(&e->psk_secret);
		bytes_free(&e->tree_hash);
		bytes_free(&e->cth);
		bytes_free(&e->group_context);
		bytes_free(&e->joiner);
		bytes_free(&e->welcome);
		bytes_free(&e->authenticator);
		bytes_free(&e->exp_ctx);
		bytes_free(&e->exp_secret);
	}
	free(k->ep);
	k->ep = NULL;
	bytes_free(&k->gid);
	bytes_free(&k->init);
}

/* Every epoch the case lists; a field that is missing or bad fails. */
static void ks_load(struct __test_metadata *_metadata, json_t *e, struct ks *k)
{
	json_t *ep, *ex;
	size_t i;

	ASSERT_EQ(0, vec_get_hex(e, "group_id", &k->gid));
	ASSERT_EQ(0, vec_get_hex(e, "initial_init_secret", &k->init));
	k->n = json_array_size(json_object_get(e, "epochs"));
	ASSERT_LE(1, k->n) TH_LOG("a key-schedule case without epochs");
	k->ep = calloc(k->n, sizeof(*k->ep));
	ASSERT_NE(NULL, k->ep);
	json_array_foreach(json_object_get(e, "epochs"), i, ep) {
		struct ks_epoch *x = &k->ep[i];

		ex = json_object_get(ep, "exporter");
		ASSERT_EQ(0, vec_get_hex(ep, "commit_secret", &x->commit_secret));
		ASSERT_EQ(0, vec_get_hex(ep, "psk_secret", &x->psk_secret));
		ASSERT_EQ(0, vec_get_hex(ep, "tree_hash", &x->tree_hash));
		ASSERT_EQ(0, vec_get_hex(ep, "confirmed_transcript_hash", &x->cth));
		ASSERT_EQ(0, vec_get_hex(ep, "group_context", &x->group_context));
		ASSERT_EQ(0, vec_get_hex(ep, "joiner_secret", &x->joiner));
		ASSERT_EQ(0, vec_get_hex(ep, "welcome_secret", &x->welcome));
		ASSERT_EQ(0, vec_get_hex(ep, "epoch_authenticator", &x->authenticator));
		ASSERT_EQ(0, vec_get_hex(ex, "context", &x->exp_ctx));
		ASSERT_EQ(0, vec_get_hex(ex, "secret", &x->exp_secret));
		ASSERT_EQ(0, vec_get_u64(ex, "length", &x->exp_len));
		x->exp_label = vec_get_str(ex, "label");
		ASSERT_NE(NULL, x->exp_label);
	}
}

static void ks_context(const struct ks_epoch *k, uint64_t epoch,
		       struct mls_group_context *c)
{
	memset(c, 0, sizeof(*c));
	c->epoch = epoch;
	set_in(&c->tree_hash, k->tree_hash.data, k->tree_hash.len);
	set_in(&c->confirmed_transcript_hash, k->cth.data, k->cth.len);
	/* no extensions: extensions.len 0 */
}

/* Exporter, epoch_authenticator and GroupContext of epoch @i on @fd. */
static void ks_check_epoch(struct __test_metadata *_metadata,
			   const struct ks *self, int fd, size_t i,
			   const char *how)
{
	const struct ks_epoch *k = &self->ep[i];
	uint8_t out[MLS_MAX_EXPORTER_LEN], ctx[1024];
	struct mls_authenticator a;
	struct mls_exporter x;
	uint64_t cepoch = ~0ULL;
	char what[128];
	int len;

	ASSERT_GE(sizeof(out), k->exp_len);

	/* MLS-Exporter: the label as the ASCII string, the context hex-decoded. */
	memset(&x, 0, sizeof(x));
	memset(out, 0, sizeof(out));
	set_in(&x.label, k->exp_label, strlen(k->exp_label));
	set_in(&x.context, k->exp_ctx.data, k->exp_ctx.len);
	set_out(&x.secret, out, k->exp_len);
	EXPECT_EQ(0, ioctl(fd, MLS_IOC_EXPORTER, &x))
		TH_LOG("%s, epoch %zu: MLS_IOC_EXPORTER: %s", how, i, strerror(errno));
	EXPECT_EQ(i, x.epoch);
	EXPECT_EQ(k->exp_len, x.secret.len);
	snprintf(what, sizeof(what), "%s, epoch %zu: exporter", how, i);
	EXPECT_BYTES(what, k->exp_secret.data, k->exp_secret.len, out, k->exp_len);

	memset(&a, 0, sizeof(a));
	memset(out, 0, sizeof(out));
	set_out(&a.authenticator, out, VEC_MAX_HASH);
	EXPECT_EQ(0, ioctl(fd, MLS_IOC_EPOCH_AUTHENTICATOR, &a))
		TH_LOG("%s, epoch %zu: MLS_IOC_EPOCH_AUTHENTICATOR: %s", how, i,
		       strerror(errno));
	EXPECT_EQ(i, a.epoch);
	snprintf(what, sizeof(what), "%s, epoch %zu: epoch_authenticator", how, i);
	EXPECT_BYTES(what, k->authenticator.data, k->authenticator.len, out,
		     a.authenticator.len);

	len = get_context(fd, ctx, sizeof(ctx), &cepoch);
	EXPECT_LE(0, len) TH_LOG("%s, epoch %zu: MLS_IOC_GET_CONTEXT: %s", how, i,
				 strerror(-len));
	if (len >= 0) {
		struct mls_group_context_fields f = {
			.cipher_suite = (uint16_t)self->cs->id,
			.group_id = self->gid.data, .group_id_len = self->gid.len,
			.epoch = i,
			.tree_hash = k->tree_hash.data, .tree_hash_len = k->tree_hash.len,
			.confirmed_transcript_hash = k->cth.data,
			.confirmed_transcript_hash_len = k->cth.len,
		};
		struct mls_bytes enc;

		EXPECT_EQ(i, cepoch);
		snprintf(what, sizeof(what), "%s, epoch %zu: GroupContext", how, i);
		EXPECT_BYTES(what, k->group_context.data, k->group_context.len, ctx,
			     (size_t)len);
		/* libmls encodes the kernel's bytes from the fields. */
		ASSERT_EQ(0, mls_group_context_encode(&f, &enc));
		snprintf(what, sizeof(what), "%s, epoch %zu: libmls GroupContext", how, i);
		EXPECT_BYTES(what, ctx, (size_t)len, enc.data, enc.len);
		mls_bytes_free(&enc);
	}
}

/* MLS_IOC_COMMIT to epoch @i with RETURN_SECRETS; checks the secrets. */
static void ks_commit(struct __test_metadata *_metadata, const struct ks *self,
		      int fd, size_t i, const char *how)
{
	const struct ks_epoch *k = &self->ep[i];
	uint8_t joiner[VEC_MAX_HASH], welcome[VEC_MAX_HASH];
	struct mls_commit c;
	char what[128];

	memset(&c, 0, sizeof(c));
	memset(joiner, 0, sizeof(joiner));
	memset(welcome, 0, sizeof(welcome));
	c.flags = MLS_COMMIT_F_RETURN_SECRETS;
	set_in(&c.commit_secret, k->commit_secret.data, k->commit_secret.len);
	set_in(&c.psk_secret, k->psk_secret.data, k->psk_secret.len);
	ks_context(k, i, &c.context);
	c.roster.own_leaf = 0;
	c.roster.leaf_count = 1;
	set_out(&c.joiner_secret, joiner, sizeof(joiner));
	set_out(&c.welcome_secret, welcome, sizeof(welcome));
	ASSERT_EQ(0, ioctl(fd, MLS_IOC_COMMIT, &c))
		TH_LOG("%s: MLS_IOC_COMMIT to epoch %zu: %s", how, i, strerror(errno));
	snprintf(what, sizeof(what), "%s, commit to epoch %zu: joiner_secret", how, i);
	EXPECT_BYTES(what, k->joiner.data, k->joiner.len, joiner, c.joiner_secret.len);
	snprintf(what, sizeof(what), "%s, commit to epoch %zu: welcome_secret", how, i);
	EXPECT_BYTES(what, k->welcome.data, k->welcome.len, welcome, c.welcome_secret.len);
}

static int ks_create(const struct ks *self)
{
	const struct ks_epoch *k = &self->ep[0];
	struct mls_group_new n;
	int fd;

	memset(&n, 0, sizeof(n));
	n.flags = MLS_GROUP_F_FROM_INPUTS | MLS_GROUP_F_EPHEMERAL;
	n.suite = (__u16)self->cs->id;
	set_in(&n.group_id, self->gid.data, self->gid.len);
	set_in(&n.init_secret, self->init.data, self->init.len);
	set_in(&n.commit_secret, k->commit_secret.data, k->commit_secret.len);
	set_in(&n.psk_secret, k->psk_secret.data, k->psk_secret.len);
	ks_context(k, 0, &n.context);
	n.roster.own_leaf = 0;
	n.roster.leaf_count = 1;
	fd = ioctl(self->dev, MLS_IOC_GROUP_CREATE, &n);
	return fd < 0 ? -errno : fd;
}

/*
 * CREATE + FROM_INPUTS at epoch 0 from initial_init_secret, then COMMIT to
 * every later epoch: each epoch's exporter, epoch_authenticator and
 * GroupContext, and each commit's joiner_secret and welcome_secret.
 */
static void ks_create_then_commit(struct __test_metadata *_metadata,
				  const struct ks *self)
{
	uint8_t gid[MLS_MAX_GROUP_ID_LEN];
	struct mls_group_info info;
	size_t i;
	int fd;

	fd = ks_create(self);
	ASSERT_LE(0, fd) TH_LOG("MLS_IOC_GROUP_CREATE (FROM_INPUTS): %s", strerror(-fd));
	ks_check_epoch(_metadata, self, fd, 0, "created");
	for (i = 1; i < self->n; i++) {
		ks_commit(_metadata, self, fd, i, "created");
		ks_check_epoch(_metadata, self, fd, i, "created");
	}
	memset(&info, 0, sizeof(info));
	set_out(&info.group_id, gid, sizeof(gid));
	ASSERT_EQ(0, ioctl(fd, MLS_IOC_GROUP_INFO, &info))
		TH_LOG("MLS_IOC_GROUP_INFO: %s", strerror(errno));
	EXPECT_EQ(self->n - 1, info.epoch);
	EXPECT_EQ(self->cs->id, info.suite);
	EXPECT_BYTES("group_id", self->gid.data, self->gid.len, gid, info.group_id.len);
	close(fd);
}

/*
 * JOIN at every epoch from the vector's joiner_secret: the same exporter,
 * epoch_authenticator and GroupContext; then COMMIT from the joined group
 * through the last epoch (its init_secret is the vector's).
 */
static void ks_join_every_epoch(struct __test_metadata *_metadata,
				const struct ks *self)
{
	size_t at, i;

	for (at = 0; at < self->n; at++) {
		const struct ks_epoch *k = &self->ep[at];
		struct mls_group_new n;
		char how[64];
		int fd;

		memset(&n, 0, sizeof(n));
		n.flags = MLS_GROUP_F_EPHEMERAL;
		n.suite = (__u16)self->cs->id;
		set_in(&n.group_id, self->gid.data, self->gid.len);
		set_in(&n.joiner_secret, k->joiner.data, k->joiner.len);
		set_in(&n.psk_secret, k->psk_secret.data, k->psk_secret.len);
		ks_context(k, at, &n.context);
		n.roster.own_leaf = 0;
		n.roster.leaf_count = 1;
		fd = ioctl(self->dev, MLS_IOC_GROUP_JOIN, &n);
		ASSERT_LE(0, fd) TH_LOG("MLS_IOC_GROUP_JOIN at epoch %zu: %s", at,
					strerror(errno));
		snprintf(how, sizeof(how), "joined at %zu", at);
		ks_check_epoch(_metadata, self, fd, at, how);
		for (i = at + 1; i < self->n; i++) {
			ks_commit(_metadata, self, fd, i, how);
			ks_check_epoch(_metadata, self, fd, i, how);
		}
		close(fd);
	}
}

/*
 * After the last commit, GET_CONTEXT names each kept past epoch. The
 * group keeps as many past epochs as the case lists (up to the module's
 * cap: a case needing more fails).
 */
static void ks_past_contexts(struct __test_metadata *_metadata,
			     const struct ks *self)
{
	long long cap = mod_param_ll("epochs_kept_max");
	struct mls_set_policy p;
	uint8_t ctx[1024];
	size_t i;
	int fd;

	ASSERT_LE((long long)self->n - 1, cap)
		TH_LOG("%zu epochs: more past epochs than epochs_kept_max %lld", self->n, cap);
	fd = ks_create(self);
	ASSERT_LE(0, fd) TH_LOG("MLS_IOC_GROUP_CREATE (FROM_INPUTS): %s", strerror(-fd));
	memset(&p, 0, sizeof(p));
	p.mask = MLS_POLICY_EPOCHS_KEPT;
	p.policy.epochs_kept = (__u32)cap;
	ASSERT_EQ(0, ioctl(fd, MLS_IOC_SET_POLICY, &p))
		TH_LOG("MLS_IOC_SET_POLICY: %s", strerror(errno));
	for (i = 1; i < self->n; i++)
		ks_commit(_metadata, self, fd, i, "created");
	for (i = 0; i < self->n; i++) {
		struct mls_get_context g;
		char what[64];

		memset(&g, 0, sizeof(g));
		g.flags = MLS_CONTEXT_F_EPOCH;
		g.epoch = i;
		set_out(&g.context, ctx, sizeof(ctx));
		EXPECT_EQ(0, ioctl(fd, MLS_IOC_GET_CONTEXT, &g))
			TH_LOG("GET_CONTEXT of epoch %zu: %s", i, strerror(errno));
		EXPECT_EQ(i, g.epoch);
		snprintf(what, sizeof(what), "GroupContext of past epoch %zu", i);
		EXPECT_BYTES(what, self->ep[i].group_context.data,
			     self->ep[i].group_context.len, ctx, g.context.len);
	}
	close(fd);
}

typedef void (*ks_fn)(struct __test_metadata *_metadata, const struct ks *k);

/* @fn over every case of @root for the suite of @cs; counts them. */
static void ks_run_file(struct __test_metadata *_metadata, json_t *root,
			const struct vec_suite *cs, int dev, ks_fn fn,
			struct vec_counts *cnt)
{
	size_t nth, count = vec_entry_count(root, cs->id);

	ASSERT_LT(0, count) TH_LOG("no key-schedule case for suite %u", cs->id);
	for (nth = 0; nth < count; nth++) {
		struct ks k = { .cs = cs, .dev = dev };

		ks_load(_metadata, vec_entry(root, cs->id, nth), &k);
		fn(_metadata, &k);
		cnt->cases++;
		cnt->epochs += k.n;
		ks_free(&k);
	}
}

FIXTURE(key_schedule) {
	const struct vec_suite *cs;
	int dev;
	json_t *root;
	struct vec_counts cnt;
};

FIXTURE_VARIANT(key_schedule) {
	unsigned int suite;
};

ALL_SUITES(key_schedule);

FIXTURE_SETUP(key_schedule)
{
	memset(&self->cnt, 0, sizeof(self->cnt));
	self->dev = -1;
	self->cs = vec_suite(variant->suite);
	ASSERT_NE(NULL, self->cs);
	self->root = vec_load("key-schedule.json");
	ASSERT_NE(NULL, self->root);
	self->dev = open_dev(_metadata, variant->suite);
}

FIXTURE_TEARDOWN(key_schedule)
{
	if (self->cnt.cases)
		ksft_print_msg("key-schedule.json, suite %u: %zu cases, %zu epochs\n",
			       variant->suite, self->cnt.cases, self->cnt.epochs);
	json_decref(self->root);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(key_schedule, create_then_commit_every_epoch)
{
	ks_run_file(_metadata, self->root, self->cs, self->dev,
		    ks_create_then_commit, &self->cnt);
}

TEST_F(key_schedule, join_every_epoch_then_commit)
{
	ks_run_file(_metadata, self->root, self->cs, self->dev,
		    ks_join_every_epoch, &self->cnt);
}

TEST_F(key_schedule, past_epoch_contexts)
{
	ks_run_file(_metadata, self->root, self->cs, self->dev,
		    ks_past_contexts, &self->cnt);
}

/* ======================================================================== */
/* secret_tree                                                              */
/* ======================================================================== */

static const uint8_t st_gid[] = "secret-tree vector group";
static const uint8_t st_th[VEC_MAX_HASH] = { 0x11 };
static const uint8_t st_cth[VEC_MAX_HASH] = { 0x22 };
#define ST_EPOCH 0

/* One case of a secret-tree file, loaded. */
struct st_entry {
	json_t *e;
	struct bytes enc, sds;
	uint32_t leaves;
	uint32_t max_gen;	/* the highest generation any leaf lists */
};

static void st_free(struct st_entry *s)
{
	bytes_free(&s->enc);
	bytes_free(&s->sds);
}

/*
 * The generations leaf @leaf lists, ascending (a fresh array in @out, the
 * count in @n); each must carry its four keys and nonces, and appear once.
 */
static void st_gens(struct __test_metadata *_metadata, json_t *e, uint32_t leaf,
		    uint32_t **out, size_t *n)
{
	json_t *gens = json_array_get(json_object_get(e, "leaves"), leaf), *g;
	uint32_t *a;
	size_t i, j;

	*n = json_array_size(gens);
	ASSERT_LT(0, *n) TH_LOG("leaf %u lists no generation", leaf);
	a = calloc(*n, sizeof(*a));
	ASSERT_NE(NULL, a);
	json_array_foreach(gens, i, g) {
		struct bytes b;
		uint64_t gen;

		ASSERT_EQ(0, vec_get_u64(g, "generation", &gen)) TH_LOG("leaf %u", leaf);
		ASSERT_GE(0xffffffffULL, gen);
		ASSERT_EQ(0, vec_get_hex(g, "handshake_key", &b));
		bytes_free(&b);
		ASSERT_EQ(0, vec_get_hex(g, "handshake_nonce", &b));
		bytes_free(&b);
		ASSERT_EQ(0, vec_get_hex(g, "application_key", &b));
		bytes_free(&b);
		ASSERT_EQ(0, vec_get_hex(g, "application_nonce", &b));
		bytes_free(&b);
		/* insertion sort, duplicates refused */
		for (j = i; j > 0 && a[j - 1] > gen; j--)
			a[j] = a[j - 1];
		ASSERT_TRUE(j == 0 || a[j - 1] != gen)
			TH_LOG("leaf %u lists generation %llu twice", leaf,
			       (unsigned long long)gen);
		a[j] = (uint32_t)gen;
	}
	*out = a;
}

static void st_load(struct __test_metadata *_metadata, json_t *e,
		    struct st_entry *s)
{
	uint32_t leaf, *g;
	size_t n;

	memset(s, 0, sizeof(*s));
	s->e = e;
	ASSERT_EQ(0, vec_get_hex(e, "encryption_secret", &s->enc));
	ASSERT_EQ(0, vec_get_hex(json_object_get(e, "sender_data"),
				 "sender_data_secret", &s->sds));
	s->leaves = (uint32_t)json_array_size(json_object_get(e, "leaves"));
	ASSERT_LT(0, s->leaves);
	for (leaf = 0; leaf < s->leaves; leaf++) {
		st_gens(_metadata, e, leaf, &g, &n);
		if (g[n - 1] > s->max_gen)
			s->max_gen = g[n - 1];
		free(g);
	}
}

static int st_group(int dev, const struct vec_suite *cs, const struct st_entry *s,
		    uint32_t own)
{
	struct gspec g = {
		.cs = cs, .gid = st_gid, .gid_len = sizeof(st_gid) - 1,
		.epoch = ST_EPOCH, .th = st_th, .th_len = cs->nh,
		.cth = st_cth, .cth_len = cs->nh, .enc = s->enc.data,
		.sds = s->sds.data, .own = own, .count = s->leaves,
	};

	return group_install(dev, &g);
}

/*
 * Let @fd receive every generation the case lists, in any order: the
 * window and the forward distance raised to the highest generation. A
 * case that needs more than the module's caps fails.
 */
static void st_policy(struct __test_metadata *_metadata, const struct st_entry *s,
		      int fd)
{
	long long oo_max = mod_param_ll("out_of_order_max");
	long long fw_max = mod_param_ll("max_forward_max");
	struct mls_set_policy p;

	ASSERT_LE((long long)s->max_gen, oo_max)
		TH_LOG("generation %u needs out_of_order %u: above out_of_order_max %lld",
		       s->max_gen, s->max_gen, oo_max);
	ASSERT_LE((long long)s->max_gen, fw_max)
		TH_LOG("generation %u needs max_forward %u: above max_forward_max %lld",
		       s->max_gen, s->max_gen, fw_max);
	memset(&p, 0, sizeof(p));
	p.mask = MLS_POLICY_OUT_OF_ORDER | MLS_POLICY_MAX_FORWARD;
	p.policy.out_of_order = s->max_gen;
	p.policy.max_forward = s->max_gen;
	ASSERT_EQ(0, ioctl(fd, MLS_IOC_SET_POLICY, &p))
		TH_LOG("MLS_IOC_SET_POLICY: %s", strerror(errno));
}

/*
 * Seal in userspace, with the vector's key and nonce, a message of
 * @content_type from @leaf at @gen, and decrypt it in the kernel on @fd:
 * expect @want (0: delivered, with every output checked).
 */
static void st_recv_one(struct __test_metadata *_metadata, const struct vec_suite *cs,
			const struct st_entry *s, int fd, uint32_t leaf, uint32_t gen,
			unsigned int content_type, int want)
{
	struct vec_sender_data sd = { leaf, gen, { (uint8_t)leaf, (uint8_t)gen, 0xa5, 0x5a } };
	enum vec_ratchet type = vec_ratchet_of(content_type);
	uint8_t app[64], sig[72], aad[24];
	struct bytes key, nonce;
	struct wbuf pt, msg;
	struct dec *d = calloc(1, sizeof(*d));
	char what[128];
	int ret;

	ASSERT_NE(NULL, d);
	snprintf(what, sizeof(what), "%u leaves, from leaf %u, %s gen %u, type %u",
		 s->leaves, leaf, type == VEC_RATCHET_APPLICATION ? "application" :
		 "handshake", gen, content_type);
	ASSERT_EQ(0, st_vector_key(s->e, leaf, type, gen, &key, &nonce))
		TH_LOG("%s: not in the vector", what);
	ASSERT_EQ(cs->nk, key.len) TH_LOG("%s: key length", what);
	ASSERT_EQ(VEC_NONCE, nonce.len) TH_LOG("%s: nonce length", what);
	memset(app, 0, sizeof(app));
	snprintf((char *)app, sizeof(app), "suite %u leaf %u gen %u type %u",
		 cs->id, leaf, gen, content_type);
	memset(sig, 0x5c ^ leaf, sizeof(sig));
	memset(aad, 0xad, sizeof(aad));
	aad[0] = (uint8_t)gen;

	wb_init(&pt);
	wb_init(&msg);
	if (content_type == VEC_CT_APPLICATION) {
		vec_app_content(&pt, app, strlen((char *)app), sig, sizeof(sig), 3);
	} else {
		/* an opaque Proposal / Commit, its signature<V>, a tag<V>, padding */
		wb_raw(&pt, app, strlen((char *)app));
		wb_vec(&pt, sig, sizeof(sig));
		if (content_type == VEC_CT_COMMIT)
			wb_vec(&pt, sig, cs->nh);
		wb_zeros(&pt, 5);
	}
	ASSERT_EQ(0, pt.err);
	ASSERT_EQ(0, vec_pm_seal(cs, s->sds.data, st_gid, sizeof(st_gid) - 1, ST_EPOCH,
				 content_type, aad, sizeof(aad), &sd, key.data,
				 nonce.data, pt.p, pt.len, &msg));

	ret = do_decrypt(fd, msg.p, msg.len, d);
	EXPECT_EQ(want, ret) TH_LOG("%s: MLS_IOC_DECRYPT: %s", what, strerror(-ret));
	if (!ret && !want) {
		EXPECT_EQ(content_type, d->d.content_type) TH_LOG("%s", what);
		EXPECT_EQ(leaf, d->d.sender_leaf) TH_LOG("%s", what);
		EXPECT_EQ(gen, d->d.generation) TH_LOG("%s", what);
		EXPECT_EQ(ST_EPOCH, d->d.epoch) TH_LOG("%s", what);
		EXPECT_BYTES(what, aad, sizeof(aad), d->aad, d->d.authenticated_data.len);
		if (content_type == VEC_CT_APPLICATION) {
			EXPECT_BYTES(what, app, strlen((char *)app), d->content,
				     d->d.content.len);
			EXPECT_BYTES(what, sig, sizeof(sig), d->sig, d->d.signature.len);
		} else {
			/* the whole plaintext, padding included */
			EXPECT_BYTES(what, pt.p, pt.len, d->content, d->d.content.len);
			EXPECT_EQ(0, d->d.signature.len) TH_LOG("%s", what);
		}
	}
	wb_free(&pt);
	wb_free(&msg);
	bytes_free(&key);
	bytes_free(&nonce);
	free(d);
}

enum st_order { ST_ASCENDING, ST_DESCENDING };

/*
 * Every leaf's messages at every generation the case lists for it, in
 * @order, through the application or the handshake ratchet (proposals
 * and commits in turn). Own leaf 0 receives from the others, own leaf
 * n-1 from leaf 0. In a one-leaf tree the only sender is the own leaf:
 * its messages, sealed with the vector's keys, are refused (-EBADMSG).
 */
static void st_recv_case(struct __test_metadata *_metadata, const struct vec_suite *cs,
			 int dev, const struct st_entry *s, int handshake,
			 enum st_order order, struct vec_counts *cnt)
{
	int g0, g1;
	uint32_t leaf;

	g0 = st_group(dev, cs, s, 0);
	ASSERT_LE(0, g0) TH_LOG("%u leaves, own leaf 0: MLS_IOC_GROUP_CREATE: %s",
				s->leaves, strerror(-g0));
	g1 = st_group(dev, cs, s, s->leaves - 1);
	ASSERT_LE(0, g1) TH_LOG("%u leaves, own leaf %u: MLS_IOC_GROUP_CREATE: %s",
				s->leaves, s->leaves - 1, strerror(-g1));
	st_policy(_metadata, s, g0);
	st_policy(_metadata, s, g1);
	for (leaf = 0; leaf < s->leaves; leaf++) {
		int fd = leaf == 0 ? g1 : g0;
		int want = s->leaves == 1 ? -EBADMSG : 0;
		uint32_t *gens;
		size_t n, i;

		st_gens(_metadata, s->e, leaf, &gens, &n);
		for (i = 0; i < n; i++) {
			uint32_t gen = gens[order == ST_ASCENDING ? i : n - 1 - i];
			unsigned int ct = !handshake ? VEC_CT_APPLICATION :
					  i % 2 ? VEC_CT_COMMIT : VEC_CT_PROPOSAL;

			st_recv_one(_metadata, cs, s, fd, leaf, gen, ct, want);
			cnt->messages++;
		}
		cnt->leaves++;
		cnt->generations += n;
		free(gens);
	}
	close(g0);
	close(g1);
}

/*
 * The kernel encrypts as @own every generation up to the highest the case
 * lists for that leaf; each message opens in userspace, with the
 * vector's key and nonce at the listed generations, with the oracle's at
 * the others.
 */
static void st_send_case(struct __test_metadata *_metadata, const struct vec_suite *cs,
			 int dev, const struct st_entry *s, uint32_t own, int handshake,
			 struct vec_counts *cnt)
{
	struct enc *en = calloc(1, sizeof(*en));
	uint32_t *gens, i;
	size_t n, next = 0;
	int fd;

	ASSERT_NE(NULL, en);
	st_gens(_metadata, s->e, own, &gens, &n);
	fd = st_group(dev, cs, s, own);
	ASSERT_LE(0, fd) TH_LOG("%u leaves, own leaf %u: MLS_IOC_GROUP_CREATE: %s",
				s->leaves, own, strerror(-fd));
	for (i = 0; i <= gens[n - 1]; i++) {
		unsigned int ct = handshake ? (i % 2 ? VEC_CT_COMMIT : VEC_CT_PROPOSAL) :
					      VEC_CT_APPLICATION;
		enum vec_ratchet type = vec_ratchet_of(ct);
		uint8_t app[64], sig[139], aad[16];
		uint8_t okey[VEC_MAX_KEY], ononce[VEC_NONCE];
		size_t aad_len = i % sizeof(aad);
		struct vec_sender_data sd;
		struct bytes key, nonce, pt;
		const uint8_t *key_p, *nonce_p;
		struct vec_pm pm;
		struct wbuf content;
		char what[128];
		int ret;

		snprintf(what, sizeof(what), "%u leaves, own leaf %u, %s message %u",
			 s->leaves, own, handshake ? "handshake" : "application", i);
		memset(app, 0, sizeof(app));
		snprintf((char *)app, sizeof(app), "kernel-sent %u/%u", own, i);
		memset(sig, 0x40 + (int)(i & 0x3f), sizeof(sig));
		memset(aad, (int)i, sizeof(aad));
		wb_init(&content);
		if (handshake) {
			wb_raw(&content, app, strlen((char *)app));
			wb_vec(&content, sig, sizeof(sig));
			if (ct == VEC_CT_COMMIT)
				wb_vec(&content, sig, cs->nh);
			ret = do_encrypt(fd, ct, aad, aad_len, content.p, content.len,
					 NULL, 0, en);
		} else {
			/* No key in this vector: a stand-in the suite's length. */
			ret = do_encrypt(fd, ct, aad, aad_len, app, strlen((char *)app), sig,
					 sig_len_max(cs), en);
		}
		ASSERT_EQ(0, ret) TH_LOG("%s: MLS_IOC_ENCRYPT: %s", what, strerror(-ret));
		EXPECT_EQ(i, en->e.generation) TH_LOG("%s", what);
		EXPECT_EQ(ST_EPOCH, en->e.epoch) TH_LOG("%s", what);

		ASSERT_EQ(0, vec_pm_parse(en->msg, en->e.message.len, &pm))
			TH_LOG("%s: not a well-formed MLSMessage(PrivateMessage)", what);
		EXPECT_EQ(ct, pm.content_type) TH_LOG("%s", what);
		EXPECT_EQ(ST_EPOCH, pm.epoch) TH_LOG("%s", what);
		EXPECT_BYTES(what, st_gid, sizeof(st_gid) - 1, pm.group_id, pm.gid_len);
		EXPECT_BYTES(what, aad, aad_len, pm.aad, pm.aad_len);
		ASSERT_EQ(0, vec_pm_open_sender(cs, s->sds.data, &pm, &sd))
			TH_LOG("%s: sender data does not open", what);
		EXPECT_EQ(own, sd.leaf) TH_LOG("%s", what);
		EXPECT_EQ(i, sd.generation) TH_LOG("%s", what);

		key.data = nonce.data = NULL;
		if (next < n && gens[next] == i) {
			ASSERT_EQ(0, st_vector_key(s->e, own, type, i, &key, &nonce));
			ASSERT_EQ(cs->nk, key.len) TH_LOG("%s: key length", what);
			ASSERT_EQ(VEC_NONCE, nonce.len) TH_LOG("%s: nonce length", what);
			key_p = key.data;
			nonce_p = nonce.data;
			next++;
			cnt->generations++;
		} else {
			ASSERT_EQ(0, vec_ratchet_key(cs, s->enc.data, s->leaves, own, type,
						     i, okey, ononce));
			key_p = okey;
			nonce_p = ononce;
		}
		ret = vec_pm_open_content(cs, &pm, &sd, key_p, nonce_p, &pt);
		EXPECT_EQ(0, ret) TH_LOG("%s: does not open with the %s key", what,
					 key.data ? "vector's" : "oracle's");
		if (!ret && !handshake) {
			const uint8_t *a, *g;
			size_t al, gl;

			EXPECT_EQ(0, vec_app_content_parse(pt.data, pt.len, &a, &al, &g, &gl))
				TH_LOG("%s: bad application content or padding", what);
			EXPECT_BYTES(what, app, strlen((char *)app), a, al);
			EXPECT_BYTES(what, sig, sig_len_max(cs), g, gl);
		} else if (!ret) {
			size_t k;

			ASSERT_LE(content.len, pt.len);
			EXPECT_BYTES(what, content.p, content.len, pt.data, content.len);
			for (k = content.len; k < pt.len; k++)
				EXPECT_EQ(0, pt.data[k]) TH_LOG("%s: padding byte %zu", what, k);
		}
		cnt->messages++;
		bytes_free(&pt);
		bytes_free(&key);
		bytes_free(&nonce);
		wb_free(&content);
	}
	EXPECT_EQ(n, next) TH_LOG("own leaf %u: listed generations not all checked", own);
	cnt->leaves++;
	close(fd);
	free(gens);
	free(en);
}

enum st_mode {
	ST_RECV_APP,		/* every listed generation, ascending */
	ST_RECV_HS,
	ST_RECV_REVERSE,	/* descending, both ratchets */
	ST_SEND_APP,		/* the kernel's messages, every own leaf */
	ST_SEND_HS,
};

/* @mode over every case of @root for @cs's suite; counts what ran. */
static void st_run_file(struct __test_metadata *_metadata, json_t *root,
			const struct vec_suite *cs, int dev, enum st_mode mode,
			struct vec_counts *cnt)
{
	size_t nth, count = vec_entry_count(root, cs->id);

	ASSERT_LT(0, count) TH_LOG("no secret-tree case for suite %u", cs->id);
	for (nth = 0; nth < count; nth++) {
		struct st_entry s;
		uint32_t own;

		st_load(_metadata, vec_entry(root, cs->id, nth), &s);
		switch (mode) {
		case ST_RECV_APP:
		case ST_RECV_HS:
			st_recv_case(_metadata, cs, dev, &s, mode == ST_RECV_HS,
				     ST_ASCENDING, cnt);
			break;
		case ST_RECV_REVERSE:
			st_recv_case(_metadata, cs, dev, &s, 0, ST_DESCENDING, cnt);
			st_recv_case(_metadata, cs, dev, &s, 1, ST_DESCENDING, cnt);
			break;
		case ST_SEND_APP:
		case ST_SEND_HS:
			for (own = 0; own < s.leaves; own++)
				st_send_case(_metadata, cs, dev, &s, own,
					     mode == ST_SEND_HS, cnt);
			break;
		}
		cnt->cases++;
		st_free(&s);
	}
}

static void print_counts(const char *file, unsigned int suite, const char *what,
			 const struct vec_counts *c)
{
	ksft_print_msg("%s, suite %u, %s: %zu cases, %zu leaves, %zu generations, %zu messages\n",
		       file, suite, what, c->cases, c->leaves, c->generations, c->messages);
}

FIXTURE(secret_tree) {
	const struct vec_suite *cs;
	int dev;
	json_t *root;
	struct vec_counts cnt;
};

FIXTURE_VARIANT(secret_tree) {
	unsigned int suite;
};

ALL_SUITES(secret_tree);

FIXTURE_SETUP(secret_tree)
{
	memset(&self->cnt, 0, sizeof(self->cnt));
	self->dev = -1;
	self->cs = vec_suite(variant->suite);
	ASSERT_NE(NULL, self->cs);
	self->root = vec_load("secret-tree.json");
	ASSERT_NE(NULL, self->root);
	self->dev = open_dev(_metadata, variant->suite);
}

FIXTURE_TEARDOWN(secret_tree)
{
	print_counts("secret-tree.json", variant->suite, "kernel", &self->cnt);
	json_decref(self->root);
	if (self->dev >= 0)
		close(self->dev);
}

/* Application messages sealed with the vector's keys at every listed
 * generation from every leaf decrypt in the kernel, in order. */
TEST_F_TIMEOUT(secret_tree, kernel_decrypts_vector_application_keys, 300)
{
	st_run_file(_metadata, self->root, self->cs, self->dev, ST_RECV_APP, &self->cnt);
}

/* The same through the handshake ratchet: proposals and commits. */
TEST_F_TIMEOUT(secret_tree, kernel_decrypts_vector_handshake_keys, 300)
{
	st_run_file(_metadata, self->root, self->cs, self->dev, ST_RECV_HS, &self->cnt);
}

/* The highest listed generation first, then down: late messages kept in
 * the out-of-order window, raised as far as the case needs. */
TEST_F_TIMEOUT(secret_tree, kernel_decrypts_vector_keys_out_of_order, 300)
{
	st_run_file(_metadata, self->root, self->cs, self->dev, ST_RECV_REVERSE,
		    &self->cnt);
}

/* The kernel's application messages, as every own leaf, open in userspace
 * with the vector's keys at every listed generation. */
TEST_F_TIMEOUT(secret_tree, kernel_encrypts_with_vector_application_keys, 300)
{
	st_run_file(_metadata, self->root, self->cs, self->dev, ST_SEND_APP, &self->cnt);
}

/* The same for proposals and commits (the handshake ratchet). */
TEST_F_TIMEOUT(secret_tree, kernel_encrypts_with_vector_handshake_keys, 300)
{
	st_run_file(_metadata, self->root, self->cs, self->dev, ST_SEND_HS, &self->cnt);
}

/* ======================================================================== */
/* message_protection                                                      */
/* ======================================================================== */

FIXTURE(message_protection) {
	const struct vec_suite *cs;
	int dev;
	json_t *root;
	size_t cases;
	struct mp m;		/* the case being run */
	struct wbuf gc;		/* its GroupContext, encoded in userspace */
};

FIXTURE_VARIANT(message_protection) {
	unsigned int suite;
};

ALL_SUITES(message_protection);

FIXTURE_SETUP(message_protection)
{
	memset(&self->m, 0, sizeof(self->m));
	wb_init(&self->gc);
	self->dev = -1;
	self->cs = vec_suite(variant->suite);
	ASSERT_NE(NULL, self->cs);
	self->root = vec_load("message-protection.json");
	ASSERT_NE(NULL, self->root);
	self->cases = vec_entry_count(self->root, variant->suite);
	ASSERT_LT(0, self->cases) TH_LOG("no message-protection vector for suite %u",
					 variant->suite);
	self->dev = open_dev(_metadata, variant->suite);
}

FIXTURE_TEARDOWN(message_protection)
{
	mp_free(&self->m);
	wb_free(&self->gc);
	json_decref(self->root);
	if (self->dev >= 0)
		close(self->dev);
}

/* The vector's group as member @own of 2 leaves. */
static int mp_group(struct __test_metadata *_metadata,
		    FIXTURE_DATA(message_protection) *self, uint32_t own)
{
	const struct mp *m = &self->m;
	struct gspec g = {
		.cs = self->cs, .gid = m->gid.data, .gid_len = m->gid.len,
		.epoch = m->epoch, .th = m->th.data, .th_len = m->th.len,
		.cth = m->cth.data, .cth_len = m->cth.len, .enc = m->enc.data,
		.sds = m->sds.data, .own = own, .count = 2,
	};
	uint8_t ctx[1024];
	uint64_t epoch = 0;
	int fd, len;

	fd = group_install(self->dev, &g);
	ASSERT_LE(0, fd) TH_LOG("MLS_IOC_GROUP_CREATE (INSTALL), own leaf %u: %s",
				own, strerror(-fd));
	/* The kernel's GroupContext is the one the signatures cover. */
	len = get_context(fd, ctx, sizeof(ctx), &epoch);
	EXPECT_LE(0, len) TH_LOG("MLS_IOC_GET_CONTEXT: %s", strerror(-len));
	if (len >= 0) {
		EXPECT_EQ(m->epoch, epoch);
		EXPECT_BYTES("GroupContext", self->gc.p, self->gc.len, ctx, (size_t)len);
	}
	return fd;
}

/* 1 if @sig verifies over the FramedContentTBS with the kernel's context. */
static int mp_kernel_sig_ok(struct __test_metadata *_metadata,
			    FIXTURE_DATA(message_protection) *self, int fd,
			    uint32_t leaf, const uint8_t *aad, size_t aad_len,
			    unsigned int ct, const uint8_t *content, size_t content_len,
			    const uint8_t *sig, size_t sig_len)
{
	uint8_t ctx[1024];
	int len = get_context(fd, ctx, sizeof(ctx), NULL);

	EXPECT_LE(0, len) TH_LOG("MLS_IOC_GET_CONTEXT: %s", strerror(-len));
	if (len < 0)
		return 0;
	return mp_sig_ok(self->cs, &self->m, ctx, (size_t)len, leaf, aad, aad_len,
			 ct, content, content_len, sig, sig_len);
}

/* application_priv: content_type 1, the application bytes, from leaf 1;
 * the signature the kernel returns verifies. */
static void mp_decrypt_application_priv(struct __test_metadata *_metadata,
		FIXTURE_DATA(message_protection) *self)
{
	struct dec *d = calloc(1, sizeof(*d));
	struct vec_sender_data sd;
	struct vec_pm pm;
	struct bytes pt;
	int fd, ret;

	ASSERT_NE(NULL, d);
	/* the generation the sender used, from the oracle */
	ASSERT_EQ(0, mp_open(self->cs, &self->m, self->m.application_priv.data,
			     self->m.application_priv.len, &pm, &sd, &pt));
	bytes_free(&pt);
	fd = mp_group(_metadata, self, 0);
	ret = do_decrypt(fd, self->m.application_priv.data,
			 self->m.application_priv.len, d);
	ASSERT_EQ(0, ret) TH_LOG("MLS_IOC_DECRYPT application_priv: %s", strerror(-ret));
	EXPECT_EQ(MLS_CONTENT_APPLICATION, d->d.content_type);
	EXPECT_EQ(1, d->d.sender_leaf);
	EXPECT_EQ(sd.generation, d->d.generation);
	EXPECT_EQ(self->m.epoch, d->d.epoch);
	EXPECT_BYTES("authenticated_data", pm.aad, pm.aad_len, d->aad,
		     d->d.authenticated_data.len);
	EXPECT_BYTES("application", self->m.application.data, self->m.application.len,
		     d->content, d->d.content.len);
	EXPECT_TRUE(mp_kernel_sig_ok(_metadata, self, fd, d->d.sender_leaf, d->aad,
				     d->d.authenticated_data.len, MLS_CONTENT_APPLICATION,
				     d->content, d->d.content.len, d->sig,
				     d->d.signature.len))
		TH_LOG("the returned signature does not verify against signature_pub");
	close(fd);
	free(d);
}

/*
 * application_priv with one bit of its tag flipped is refused (-EBADMSG)
 * and burns nothing: the genuine message then decrypts; a replay of it
 * is told apart (-EALREADY).
 */
static void mp_forged_then_genuine_then_replayed_application_priv(struct __test_metadata *_metadata,
		FIXTURE_DATA(message_protection) *self)
{
	const struct bytes *msg = &self->m.application_priv;
	struct dec *d = calloc(1, sizeof(*d));
	uint8_t *forged = malloc(msg->len);
	int fd, ret;

	ASSERT_NE(NULL, d);
	ASSERT_NE(NULL, forged);
	fd = mp_group(_metadata, self, 0);
	memcpy(forged, msg->data, msg->len);
	forged[msg->len - 1] ^= 0x01;		/* the content's tag */
	ret = do_decrypt(fd, forged, msg->len, d);
	EXPECT_EQ(-EBADMSG, ret) TH_LOG("forged: %s", strerror(-ret));
	ret = do_decrypt(fd, msg->data, msg->len, d);
	EXPECT_EQ(0, ret) TH_LOG("genuine after a forgery: %s", strerror(-ret));
	if (!ret)
		EXPECT_BYTES("application", self->m.application.data,
			     self->m.application.len, d->content, d->d.content.len);
	ret = do_decrypt(fd, msg->data, msg->len, d);
	EXPECT_EQ(-EALREADY, ret) TH_LOG("replay: %s", strerror(-ret));
	close(fd);
	free(forged);
	free(d);
}

/* proposal_priv / commit_priv: the plaintext starts with the proposal /
 * commit, then signature<V> (+ confirmation_tag<V>) and zeros; the
 * signature verifies. */
static void mp_handshake(struct __test_metadata *_metadata,
			 FIXTURE_DATA(message_protection) *self, int commit)
{
	const struct bytes *msg = commit ? &self->m.commit_priv : &self->m.proposal_priv;
	const struct bytes *body = commit ? &self->m.commit : &self->m.proposal;
	const char *name = commit ? "commit" : "proposal";
	struct dec *d = calloc(1, sizeof(*d));
	const uint8_t *sig, *tag;
	size_t sig_len, tag_len;
	struct vec_sender_data sd;
	struct vec_pm pm;
	struct bytes pt;
	int fd, ret;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, mp_open(self->cs, &self->m, msg->data, msg->len, &pm, &sd, &pt));
	fd = mp_group(_metadata, self, 0);
	ret = do_decrypt(fd, msg->data, msg->len, d);
	ASSERT_EQ(0, ret) TH_LOG("MLS_IOC_DECRYPT %s_priv: %s", name, strerror(-ret));
	EXPECT_EQ(commit ? MLS_CONTENT_COMMIT : MLS_CONTENT_PROPOSAL, d->d.content_type);
	EXPECT_EQ(1, d->d.sender_leaf);
	EXPECT_EQ(sd.generation, d->d.generation);
	EXPECT_EQ(self->m.epoch, d->d.epoch);
	EXPECT_EQ(0, d->d.signature.len);
	/* the whole plaintext, as the oracle opened it */
	EXPECT_BYTES("PrivateMessageContent", pt.data, pt.len, d->content,
		     d->d.content.len);
	ASSERT_LE(body->len, d->d.content.len);
	EXPECT_BYTES(name, body->data, body->len, d->content, body->len);
	ASSERT_EQ(0, vec_auth_tail_parse(d->content + body->len,
					 d->d.content.len - body->len, commit,
					 &sig, &sig_len, &tag, &tag_len))
		TH_LOG("after the %s: not signature<V>%s then zeros", name,
		       commit ? " confirmation_tag<V>" : "");
	if (commit)
		EXPECT_EQ(self->cs->nh, tag_len);
	EXPECT_TRUE(mp_kernel_sig_ok(_metadata, self, fd, d->d.sender_leaf, d->aad,
				     d->d.authenticated_data.len, d->d.content_type,
				     body->data, body->len, sig, sig_len))
		TH_LOG("the %s signature does not verify against signature_pub", name);
	bytes_free(&pt);
	close(fd);
	free(d);
}

static void mp_decrypt_proposal_priv(struct __test_metadata *_metadata,
		FIXTURE_DATA(message_protection) *self)
{
	mp_handshake(_metadata, self, 0);
}

static void mp_decrypt_commit_priv(struct __test_metadata *_metadata,
		FIXTURE_DATA(message_protection) *self)
{
	mp_handshake(_metadata, self, 1);
}

/*
 * Round trip between two group objects of the same secrets: leaf 0
 * encrypts (application signed in userspace, proposal, commit), leaf 1
 * decrypts; the messages also open in userspace; then leaf 1 answers.
 */
static void mp_round_trip_leaf0_to_leaf1(struct __test_metadata *_metadata,
		FIXTURE_DATA(message_protection) *self)
{
	static const uint8_t aad[] = "round trip aad";
	const struct vec_suite *cs = self->cs;
	struct mp *m = &self->m;
	struct enc *en = calloc(1, sizeof(*en));
	struct dec *d = calloc(1, sizeof(*d));
	struct bytes pong_sig = { 0 };
	unsigned int ct;
	int a, b, ret;

	ASSERT_NE(NULL, en);
	ASSERT_NE(NULL, d);
	a = mp_group(_metadata, self, 0);
	b = mp_group(_metadata, self, 1);

	for (ct = MLS_CONTENT_APPLICATION; ct <= MLS_CONTENT_COMMIT; ct++) {
		const struct bytes *body = ct == MLS_CONTENT_APPLICATION ? &m->application :
					   ct == MLS_CONTENT_PROPOSAL ? &m->proposal :
					   &m->commit;
		struct vec_sender_data sd;
		struct bytes sig, pt;
		struct wbuf tbs, content;
		struct vec_pm pm;
		char what[64];
		uint8_t tag[VEC_MAX_HASH];

		snprintf(what, sizeof(what), "content type %u", ct);
		wb_init(&tbs);
		vec_framed_tbs(&tbs, m->gid.data, m->gid.len, m->epoch, 0, aad,
			       sizeof(aad), ct, body->data, body->len, self->gc.p,
			       self->gc.len);
		ASSERT_EQ(0, tbs.err);
		ASSERT_EQ(0, vec_sign_with_label(cs, m->sig_priv.data, m->sig_priv.len,
						 m->sig_pub.data, m->sig_pub.len,
						 "FramedContentTBS", tbs.p, tbs.len, &sig));
		wb_init(&content);
		if (ct == MLS_CONTENT_APPLICATION) {
			ret = do_encrypt(a, ct, aad, sizeof(aad), body->data, body->len,
					 sig.data, sig.len, en);
		} else {
			memset(tag, 0x7a, sizeof(tag));
			wb_raw(&content, body->data, body->len);
			wb_vec(&content, sig.data, sig.len);
			if (ct == MLS_CONTENT_COMMIT)
				wb_vec(&content, tag, cs->nh);
			ASSERT_EQ(0, content.err);
			ret = do_encrypt(a, ct, aad, sizeof(aad), content.p, content.len,
					 NULL, 0, en);
		}
		ASSERT_EQ(0, ret) TH_LOG("%s: MLS_IOC_ENCRYPT: %s", what, strerror(-ret));
		EXPECT_EQ(m->epoch, en->e.epoch);
		/* application: the first of its ratchet; the proposal then the
		 * commit share the handshake ratchet */
		EXPECT_EQ(ct == MLS_CONTENT_COMMIT ? 1 : 0, en->e.generation)
			TH_LOG("%s: generation", what);

		/* userspace opens it with the oracle's keys of leaf 0 */
		ret = mp_open(cs, m, en->msg, en->e.message.len, &pm, &sd, &pt);
		EXPECT_EQ(0, ret) TH_LOG("%s: does not open in userspace", what);
		if (!ret) {
			EXPECT_EQ(0, sd.leaf);
			EXPECT_EQ(en->e.generation, sd.generation);
			EXPECT_BYTES("aad", aad, sizeof(aad), pm.aad, pm.aad_len);
		}
		bytes_free(&pt);

		ret = do_decrypt(b, en->msg, en->e.message.len, d);
		EXPECT_EQ(0, ret) TH_LOG("%s: MLS_IOC_DECRYPT as leaf 1: %s", what,
					 strerror(-ret));
		if (!ret) {
			EXPECT_EQ(ct, d->d.content_type);
			EXPECT_EQ(0, d->d.sender_leaf);
			EXPECT_EQ(en->e.generation, d->d.generation);
			EXPECT_EQ(m->epoch, d->d.epoch);
			EXPECT_BYTES("aad", aad, sizeof(aad), d->aad,
				     d->d.authenticated_data.len);
			if (ct == MLS_CONTENT_APPLICATION) {
				EXPECT_BYTES(what, body->data, body->len, d->content,
					     d->d.content.len);
				EXPECT_BYTES("signature", sig.data, sig.len, d->sig,
					     d->d.signature.len);
				EXPECT_TRUE(mp_kernel_sig_ok(_metadata, self, b,
							     d->d.sender_leaf, d->aad,
							     d->d.authenticated_data.len, ct,
							     d->content, d->d.content.len,
							     d->sig, d->d.signature.len));
			} else {
				size_t k;

				ASSERT_LE(content.len, d->d.content.len);
				EXPECT_BYTES(what, content.p, content.len, d->content,
					     content.len);
				for (k = content.len; k < d->d.content.len; k++)
					EXPECT_EQ(0, d->content[k]);
				EXPECT_TRUE(mp_kernel_sig_ok(_metadata, self, b,
							     d->d.sender_leaf, d->aad,
							     d->d.authenticated_data.len, ct,
							     body->data, body->len,
							     sig.data, sig.len));
			}
		}
		bytes_free(&sig);
		wb_free(&tbs);
		wb_free(&content);
	}

	/* and back: leaf 1 to leaf 0, signed with the vector's key too */
	{
		struct wbuf tbs;

		wb_init(&tbs);
		vec_framed_tbs(&tbs, m->gid.data, m->gid.len, m->epoch, 1, NULL, 0,
			       MLS_CONTENT_APPLICATION, (const uint8_t *)"pong", 4,
			       self->gc.p, self->gc.len);
		ASSERT_EQ(0, tbs.err);
		ASSERT_EQ(0, vec_sign_with_label(cs, m->sig_priv.data, m->sig_priv.len,
						 m->sig_pub.data, m->sig_pub.len,
						 "FramedContentTBS", tbs.p, tbs.len, &pong_sig));
		wb_free(&tbs);
	}
	ret = do_encrypt(b, MLS_CONTENT_APPLICATION, NULL, 0, "pong", 4, pong_sig.data,
			 pong_sig.len, en);
	ASSERT_EQ(0, ret) TH_LOG("leaf 1: MLS_IOC_ENCRYPT: %s", strerror(-ret));
	ret = do_decrypt(a, en->msg, en->e.message.len, d);
	EXPECT_EQ(0, ret) TH_LOG("leaf 0: MLS_IOC_DECRYPT: %s", strerror(-ret));
	if (!ret) {
		EXPECT_EQ(1, d->d.sender_leaf);
		EXPECT_BYTES("pong", "pong", 4, d->content, d->d.content.len);
		EXPECT_BYTES("pong signature", pong_sig.data, pong_sig.len, d->sig,
			     d->d.signature.len);
		EXPECT_TRUE(mp_kernel_sig_ok(_metadata, self, a, d->d.sender_leaf, d->aad,
					     d->d.authenticated_data.len,
					     MLS_CONTENT_APPLICATION, d->content,
					     d->d.content.len, d->sig, d->d.signature.len));
	}
	bytes_free(&pong_sig);
	close(a);
	close(b);
	free(en);
	free(d);
}

typedef void (*mp_fn)(struct __test_metadata *_metadata,
		      FIXTURE_DATA(message_protection) *self);

/* @fn over every case of the file for the variant's suite. */
static void mp_each_case(struct __test_metadata *_metadata,
			 FIXTURE_DATA(message_protection) *self, mp_fn fn)
{
	size_t nth;

	for (nth = 0; nth < self->cases; nth++) {
		ASSERT_EQ(0, mp_load(vec_entry(self->root, self->cs->id, nth), &self->m))
			TH_LOG("message-protection case %zu of suite %u", nth, self->cs->id);
		wb_free(&self->gc);
		mp_context(self->cs, &self->m, &self->gc);
		ASSERT_EQ(0, self->gc.err);
		fn(_metadata, self);
		mp_free(&self->m);
	}
	ksft_print_msg("message-protection.json, suite %u: %zu cases\n", self->cs->id,
		       self->cases);
}

TEST_F(message_protection, decrypt_application_priv)
{
	mp_each_case(_metadata, self, mp_decrypt_application_priv);
}

TEST_F(message_protection, forged_then_genuine_then_replayed_application_priv)
{
	mp_each_case(_metadata, self, mp_forged_then_genuine_then_replayed_application_priv);
}

TEST_F(message_protection, decrypt_proposal_priv)
{
	mp_each_case(_metadata, self, mp_decrypt_proposal_priv);
}

TEST_F(message_protection, decrypt_commit_priv)
{
	mp_each_case(_metadata, self, mp_decrypt_commit_priv);
}

TEST_F(message_protection, round_trip_leaf0_to_leaf1)
{
	mp_each_case(_metadata, self, mp_round_trip_leaf0_to_leaf1);
}

/* ======================================================================== */
/* derived: files of the same schema with other values                      */
/* ======================================================================== */

/*
 * The tests above must read whatever a file in the vectors' schema holds,
 * not the layout of the official files. Here the oracle (vectors.c)
 * writes such files at run time, for the variant's suite: secret-tree
 * cases with other leaf counts and generations (listed unsorted), and
 * key-schedule cases with other epoch counts, two cases each. The same
 * code runs over them, and must fail once the second case is corrupted.
 */

#define DV_ST_CASES	2
#define DV_KS_CASES	2

static const uint32_t dv_leaves[DV_ST_CASES] = { 5, 11 };
static const uint32_t dv_gens[DV_ST_CASES][3] = { { 64, 1, 7 }, { 31, 100, 5 } };
static const size_t dv_epochs[DV_KS_CASES] = { 3, 6 };

static void dv_fill(uint8_t *p, size_t n, unsigned int tag)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(tag * 131 + i * 17 + 5);
}

/* A secret-tree case: @leaves leaves, each listing @gens (in that order). */
static json_t *dv_st_case(const struct vec_suite *cs, unsigned int tag,
			  uint32_t leaves, const uint32_t *gens, size_t ngens)
{
	uint8_t enc[VEC_MAX_HASH], sds[VEC_MAX_HASH], ct[40];
	uint8_t key[VEC_MAX_KEY], nonce[VEC_NONCE];
	json_t *e = json_object(), *sd = json_object(), *ls = json_array();
	uint32_t leaf;
	size_t i;
	int bad = !e || !sd || !ls;

	dv_fill(enc, cs->nh, tag);
	dv_fill(sds, cs->nh, tag + 1);
	dv_fill(ct, sizeof(ct), tag + 2);
	bad |= json_object_set_new(e, "cipher_suite", json_integer(cs->id));
	bad |= vec_set_hex(sd, "sender_data_secret", sds, cs->nh);
	bad |= vec_set_hex(sd, "ciphertext", ct, sizeof(ct));
	bad |= vec_sender_data_key(cs, sds, ct, sizeof(ct), key, nonce);
	bad |= vec_set_hex(sd, "key", key, cs->nk);
	bad |= vec_set_hex(sd, "nonce", nonce, VEC_NONCE);
	bad |= json_object_set_new(e, "sender_data", sd);
	bad |= vec_set_hex(e, "encryption_secret", enc, cs->nh);
	for (leaf = 0; leaf < leaves; leaf++) {
		json_t *l = json_array();

		bad |= !l;
		for (i = 0; l && i < ngens; i++) {
			json_t *g = json_object();

			bad |= !g || json_object_set_new(g, "generation", json_integer(gens[i]));
			bad |= vec_ratchet_key(cs, enc, leaves, leaf, VEC_RATCHET_HANDSHAKE,
					       gens[i], key, nonce);
			bad |= vec_set_hex(g, "handshake_key", key, cs->nk);
			bad |= vec_set_hex(g, "handshake_nonce", nonce, VEC_NONCE);
			bad |= vec_ratchet_key(cs, enc, leaves, leaf, VEC_RATCHET_APPLICATION,
					       gens[i], key, nonce);
			bad |= vec_set_hex(g, "application_key", key, cs->nk);
			bad |= vec_set_hex(g, "application_nonce", nonce, VEC_NONCE);
			bad |= json_array_append_new(l, g);
		}
		bad |= json_array_append_new(ls, l);
	}
	bad |= json_object_set_new(e, "leaves", ls);
	if (bad) {
		json_decref(e);
		return NULL;
	}
	return e;
}

/* A key-schedule case of @n epochs. */
static json_t *dv_ks_case(const struct vec_suite *cs, unsigned int tag, size_t n)
{
	uint8_t gid[24], init[VEC_MAX_HASH], commit[VEC_MAX_HASH], psk[VEC_MAX_HASH];
	uint8_t th[VEC_MAX_HASH], cth[VEC_MAX_HASH], ctx[16], out[64];
	json_t *e = json_object(), *eps = json_array();
	struct vec_epoch_secrets s;
	int bad = !e || !eps;
	size_t i;

	dv_fill(gid, sizeof(gid) - tag % 8, tag);
	dv_fill(init, cs->nh, tag + 1);
	bad |= json_object_set_new(e, "cipher_suite", json_integer(cs->id));
	bad |= vec_set_hex(e, "group_id", gid, sizeof(gid) - tag % 8);
	bad |= vec_set_hex(e, "initial_init_secret", init, cs->nh);
	for (i = 0; i < n; i++) {
		json_t *ep = json_object(), *ex = json_object();
		char label[48];
		size_t ctx_len = 3 + i, len = 20 + i;
		struct wbuf gc;

		dv_fill(commit, cs->nh, tag + 10 + (unsigned int)i);
		/* a zero psk_secret in every other epoch, as "no PSK" */
		if (i % 2)
			memset(psk, 0, cs->nh);
		else
			dv_fill(psk, cs->nh, tag + 20 + (unsigned int)i);
		dv_fill(th, cs->nh, tag + 30 + (unsigned int)i);
		dv_fill(cth, cs->nh, tag + 40 + (unsigned int)i);
		dv_fill(ctx, ctx_len, tag + 50 + (unsigned int)i);
		snprintf(label, sizeof(label), "derived exporter %u/%zu", tag, i);
		wb_init(&gc);
		vec_group_context(&gc, cs, gid, sizeof(gid) - tag % 8, i, th, cs->nh,
				  cth, cs->nh, NULL, 0);
		bad |= !ep || !ex || gc.err;
		bad |= vec_key_schedule(cs, init, commit, NULL, psk, gc.p, gc.len, &s);
		bad |= vec_exporter(cs, s.exporter, (const uint8_t *)label, strlen(label),
				    ctx, ctx_len, out, len);
		bad |= vec_set_hex(ep, "tree_hash", th, cs->nh);
		bad |= vec_set_hex(ep, "commit_secret", commit, cs->nh);
		bad |= vec_set_hex(ep, "psk_secret", psk, cs->nh);
		bad |= vec_set_hex(ep, "confirmed_transcript_hash", cth, cs->nh);
		bad |= vec_set_hex(ep, "group_context", gc.p, gc.len);
		bad |= vec_set_hex(ep, "joiner_secret", s.joiner, cs->nh);
		bad |= vec_set_hex(ep, "welcome_secret", s.welcome, cs->nh);
		bad |= vec_set_hex(ep, "init_secret", s.init, cs->nh);
		bad |= vec_set_hex(ep, "sender_data_secret", s.sender_data, cs->nh);
		bad |= vec_set_hex(ep, "encryption_secret", s.encryption, cs->nh);
		bad |= vec_set_hex(ep, "exporter_secret", s.exporter, cs->nh);
		bad |= vec_set_hex(ep, "epoch_authenticator", s.authentication, cs->nh);
		bad |= vec_set_hex(ep, "external_secret", s.external, cs->nh);
		bad |= vec_set_hex(ep, "confirmation_key", s.confirm, cs->nh);
		bad |= vec_set_hex(ep, "membership_key", s.membership, cs->nh);
		bad |= vec_set_hex(ep, "resumption_psk", s.resumption, cs->nh);
		bad |= json_object_set_new(ex, "label", json_string(label));
		bad |= vec_set_hex(ex, "context", ctx, ctx_len);
		bad |= json_object_set_new(ex, "length", json_integer((json_int_t)len));
		bad |= vec_set_hex(ex, "secret", out, len);
		bad |= json_object_set_new(ep, "exporter", ex);
		bad |= json_array_append_new(eps, ep);
		memcpy(init, s.init, cs->nh);
		wb_free(&gc);
	}
	bad |= json_object_set_new(e, "epochs", eps);
	if (bad) {
		json_decref(e);
		return NULL;
	}
	return e;
}

/* Flip a bit of the hex string obj[key]. */
static int dv_corrupt(json_t *obj, const char *key)
{
	struct bytes b;
	int ret;

	if (vec_get_hex(obj, key, &b) || !b.len)
		return -1;
	b.data[0] ^= 0x01;
	ret = vec_set_hex(obj, key, b.data, b.len);
	bytes_free(&b);
	return ret;
}

FIXTURE(derived) {
	const struct vec_suite *cs;
	int dev;
	char dir[64];
	char st_path[96], ks_path[96];
	json_t *st, *ks;	/* as read back from the files */
};

FIXTURE_VARIANT(derived) {
	unsigned int suite;
};

ALL_SUITES(derived);

FIXTURE_SETUP(derived)
{
	json_t *st = json_array(), *ks = json_array(), *other;
	unsigned int i;

	self->dev = -1;
	self->st = self->ks = NULL;
	self->cs = vec_suite(variant->suite);
	ASSERT_NE(NULL, self->cs);
	ASSERT_NE(NULL, st);
	ASSERT_NE(NULL, ks);
	snprintf(self->dir, sizeof(self->dir), "/tmp/mls-vectors-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->st_path, sizeof(self->st_path), "%s/secret-tree.json", self->dir);
	snprintf(self->ks_path, sizeof(self->ks_path), "%s/key-schedule.json", self->dir);
	/* A case of another suite first: the runner must pick its own. */
	other = dv_st_case(vec_suite(self->cs->id % 7 + 1), 99, 2, dv_gens[0], 3);
	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, json_array_append_new(st, other));
	for (i = 0; i < DV_ST_CASES; i++) {
		json_t *e = dv_st_case(self->cs, 7 * i + 1, dv_leaves[i], dv_gens[i], 3);

		ASSERT_NE(NULL, e);
		ASSERT_EQ(0, json_array_append_new(st, e));
	}
	for (i = 0; i < DV_KS_CASES; i++) {
		json_t *e = dv_ks_case(self->cs, 5 * i + 3, dv_epochs[i]);

		ASSERT_NE(NULL, e);
		ASSERT_EQ(0, json_array_append_new(ks, e));
	}
	ASSERT_EQ(0, json_dump_file(st, self->st_path, JSON_INDENT(1)));
	ASSERT_EQ(0, json_dump_file(ks, self->ks_path, JSON_INDENT(1)));
	json_decref(st);
	json_decref(ks);
	self->st = vec_load_path(self->st_path);
	ASSERT_NE(NULL, self->st);
	self->ks = vec_load_path(self->ks_path);
	ASSERT_NE(NULL, self->ks);
	self->dev = open_dev(_metadata, variant->suite);
}

FIXTURE_TEARDOWN(derived)
{
	json_decref(self->st);
	json_decref(self->ks);
	unlink(self->st_path);
	unlink(self->ks_path);
	rmdir(self->dir);
	if (self->dev >= 0)
		close(self->dev);
}

/* The secret-tree tests over the derived file: every case, leaf and
 * listed generation ran. */
TEST_F_TIMEOUT(derived, secret_tree_file, 600)
{
	static const struct { enum st_mode mode; const char *name; size_t per_gen; } m[] = {
		{ ST_RECV_APP, "decrypt in order", 1 },
		{ ST_RECV_HS, "decrypt handshake in order", 1 },
		{ ST_RECV_REVERSE, "decrypt out of order", 2 },
		{ ST_SEND_APP, "encrypt", 1 },
		{ ST_SEND_HS, "encrypt handshake", 1 },
	};
	size_t i, leaves = 0, gens = 0, c;

	for (c = 0; c < DV_ST_CASES; c++) {
		leaves += dv_leaves[c];
		gens += 3 * dv_leaves[c];
	}
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct vec_counts cnt = { 0 };

		st_run_file(_metadata, self->st, self->cs, self->dev, m[i].mode, &cnt);
		print_counts(self->st_path, self->cs->id, m[i].name, &cnt);
		EXPECT_EQ(DV_ST_CASES, cnt.cases) TH_LOG("%s", m[i].name);
		EXPECT_EQ(leaves * m[i].per_gen, cnt.leaves) TH_LOG("%s", m[i].name);
		EXPECT_EQ(gens * m[i].per_gen, cnt.generations) TH_LOG("%s", m[i].name);
	}
}

/* The key-schedule tests over the derived file: every case and epoch. */
TEST_F_TIMEOUT(derived, key_schedule_file, 300)
{
	static const ks_fn fn[] = {
		ks_create_then_commit, ks_join_every_epoch, ks_past_contexts,
	};
	size_t i, epochs = 0, c;

	for (c = 0; c < DV_KS_CASES; c++)
		epochs += dv_epochs[c];
	for (i = 0; i < sizeof(fn) / sizeof(fn[0]); i++) {
		struct vec_counts cnt = { 0 };

		ks_run_file(_metadata, self->ks, self->cs, self->dev, fn[i], &cnt);
		ksft_print_msg("%s, suite %u: %zu cases, %zu epochs\n", self->ks_path,
			       self->cs->id, cnt.cases, cnt.epochs);
		EXPECT_EQ(DV_KS_CASES, cnt.cases);
		EXPECT_EQ(epochs, cnt.epochs);
	}
}

/* What a run in a child reports: 0 passed, 1 failed, else broken. */
struct dv_run {
	json_t *root;
	const struct vec_suite *cs;
	int dev;
	int st_mode;	/* -1: the key schedule */
};

static int dv_run_child(const struct dv_run *r)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct __test_metadata m;
		struct vec_counts cnt = { 0 };

		memset(&m, 0, sizeof(m));
		m.name = "corrupted file";
		m.passed = 1;
		if (setjmp(m.env) == 0) {
			if (r->st_mode < 0)
				ks_run_file(&m, r->root, r->cs, r->dev,
					    ks_create_then_commit, &cnt);
			else
				st_run_file(&m, r->root, r->cs, r->dev,
					    (enum st_mode)r->st_mode, &cnt);
		}
		_exit(m.passed ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * One flipped bit in the second case of this suite, and the same test
 * code fails: in a secret-tree file, one key of one leaf's generation
 * (the receiving and the sending tests both catch it); in a key-schedule
 * file, one epoch's exporter secret. Each run is in a child; the
 * untouched file passes there first. The child's failure report is
 * printed above the result: it is expected.
 */
TEST_F_TIMEOUT(derived, corrupted_second_case_fails, 600)
{
	struct dv_run r = { .cs = self->cs, .dev = self->dev };
	json_t *e, *g;
	int mode;

	for (mode = ST_RECV_APP; mode <= ST_SEND_APP; mode += ST_SEND_APP - ST_RECV_APP) {
		r.root = self->st;
		r.st_mode = mode;
		EXPECT_EQ(0, dv_run_child(&r)) TH_LOG("untouched secret-tree file, mode %d",
						      mode);
	}
	r.root = self->ks;
	r.st_mode = -1;
	EXPECT_EQ(0, dv_run_child(&r)) TH_LOG("untouched key-schedule file");

	/* The second case of the suite: leaf 2's application key at 31. */
	e = vec_entry(self->st, self->cs->id, 1);
	ASSERT_NE(NULL, e);
	g = json_array_get(json_array_get(json_object_get(e, "leaves"), 2), 0);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(31, json_integer_value(json_object_get(g, "generation")));
	ASSERT_EQ(0, dv_corrupt(g, "application_key"));
	for (mode = ST_RECV_APP; mode <= ST_SEND_APP; mode += ST_SEND_APP - ST_RECV_APP) {
		r.root = self->st;
		r.st_mode = mode;
		ksft_print_msg("a run over a corrupted secret-tree file (mode %d), which must fail:\n",
			       mode);
		EXPECT_EQ(1, dv_run_child(&r)) TH_LOG("corrupted secret-tree file, mode %d",
						      mode);
	}

	/* The second case: epoch 4's exporter secret. */
	e = vec_entry(self->ks, self->cs->id, 1);
	ASSERT_NE(NULL, e);
	g = json_object_get(json_array_get(json_object_get(e, "epochs"), 4), "exporter");
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, dv_corrupt(g, "secret"));
	r.root = self->ks;
	r.st_mode = -1;
	ksft_print_msg("a run over a corrupted key-schedule file, which must fail:\n");
	EXPECT_EQ(1, dv_run_child(&r)) TH_LOG("corrupted key-schedule file");
}

TEST_HARNESS_MAIN
