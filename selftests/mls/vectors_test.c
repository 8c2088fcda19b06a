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
 *
 * The vectors are read from $MLS_VECTORS (default /mls/vectors).
 * A suite the kernel does not support fails; nothing is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
TEST_F(oracle, crypto_basics)
{
	const struct vec_suite *cs = self->cs;
	json_t *root = vec_load("crypto-basics.json"), *e, *o;
	struct bytes secret, ctx, out, priv, pub, content, sig, mysig;
	uint8_t buf[VEC_MAX_HASH * 4];
	uint64_t len, gen;

	ASSERT_NE(NULL, root);
	e = vec_entry(root, cs->id, 0);
	ASSERT_NE(NULL, e) TH_LOG("no crypto-basics vector for suite %u", cs->id);

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
TEST_F(oracle, key_schedule)
{
	const struct vec_suite *cs = self->cs;
	json_t *root = vec_load("key-schedule.json"), *e, *ep, *ex;
	struct bytes gid, init, v[16];
	struct vec_epoch_secrets s;
	uint8_t next_init[VEC_MAX_HASH], out[1024];
	size_t i;

	ASSERT_NE(NULL, root);
	e = vec_entry(root, cs->id, 0);
	ASSERT_NE(NULL, e) TH_LOG("no key-schedule vector for suite %u", cs->id);
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
TEST_F(oracle, message_protection)
{
	const struct vec_suite *cs = self->cs;
	json_t *root = vec_load("message-protection.json"), *e;
	const uint8_t *app, *sig, *tag;
	size_t app_len, sig_len, tag_len;
	struct vec_sender_data sd;
	struct vec_pm pm;
	struct bytes pt;
	struct wbuf gc;
	struct mp m;

	ASSERT_NE(NULL, root);
	e = vec_entry(root, cs->id, 0);
	ASSERT_NE(NULL, e) TH_LOG("no message-protection vector for suite %u", cs->id);
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
	json_decref(root);
}

/* ======================================================================== */
/* key_schedule                                                            */
/* ======================================================================== */

#define KS_MAX_EPOCHS 16

struct ks_epoch {
	struct bytes commit_secret, psk_secret, tree_hash, cth, group_context;
	struct bytes joiner, welcome, authenticator, exp_ctx, exp_secret;
	const char *exp_label;
	uint64_t exp_len;
};

FIXTURE(key_schedule) {
	const struct vec_suite *cs;
	int dev;
	json_t *root;
	struct bytes gid, init;
	size_t n;
	struct ks_epoch ep[KS_MAX_EPOCHS];
};

FIXTURE_VARIANT(key_schedule) {
	unsigned int suite;
};

ALL_SUITES(key_schedule);

FIXTURE_SETUP(key_schedule)
{
	json_t *e, *ep, *ex;
	size_t i;

	self->cs = vec_suite(variant->suite);
	ASSERT_NE(NULL, self->cs);
	self->root = vec_load("key-schedule.json");
	ASSERT_NE(NULL, self->root);
	e = vec_entry(self->root, variant->suite, 0);
	ASSERT_NE(NULL, e) TH_LOG("no key-schedule vector for suite %u", variant->suite);
	ASSERT_EQ(0, vec_get_hex(e, "group_id", &self->gid));
	ASSERT_EQ(0, vec_get_hex(e, "initial_init_secret", &self->init));
	self->n = json_array_size(json_object_get(e, "epochs"));
	ASSERT_LE(2, self->n);
	ASSERT_GE(KS_MAX_EPOCHS, self->n);
	json_array_foreach(json_object_get(e, "epochs"), i, ep) {
		struct ks_epoch *k = &self->ep[i];

		ex = json_object_get(ep, "exporter");
		ASSERT_EQ(0, vec_get_hex(ep, "commit_secret", &k->commit_secret));
		ASSERT_EQ(0, vec_get_hex(ep, "psk_secret", &k->psk_secret));
		ASSERT_EQ(0, vec_get_hex(ep, "tree_hash", &k->tree_hash));
		ASSERT_EQ(0, vec_get_hex(ep, "confirmed_transcript_hash", &k->cth));
		ASSERT_EQ(0, vec_get_hex(ep, "group_context", &k->group_context));
		ASSERT_EQ(0, vec_get_hex(ep, "joiner_secret", &k->joiner));
		ASSERT_EQ(0, vec_get_hex(ep, "welcome_secret", &k->welcome));
		ASSERT_EQ(0, vec_get_hex(ep, "epoch_authenticator", &k->authenticator));
		ASSERT_EQ(0, vec_get_hex(ex, "context", &k->exp_ctx));
		ASSERT_EQ(0, vec_get_hex(ex, "secret", &k->exp_secret));
		ASSERT_EQ(0, vec_get_u64(ex, "length", &k->exp_len));
		k->exp_label = vec_get_str(ex, "label");
		ASSERT_NE(NULL, k->exp_label);
	}
	self->dev = open_dev(_metadata, variant->suite);
}

FIXTURE_TEARDOWN(key_schedule)
{
	size_t i;

	for (i = 0; i < self->n && i < KS_MAX_EPOCHS; i++) {
		struct ks_epoch *k = &self->ep[i];

		bytes_free(&k->commit_secret);
		bytes_free(&k->psk_secret);
		bytes_free(&k->tree_hash);
		bytes_free(&k->cth);
		bytes_free(&k->group_context);
		bytes_free(&k->joiner);
		bytes_free(&k->welcome);
		bytes_free(&k->authenticator);
		bytes_free(&k->exp_ctx);
		bytes_free(&k->exp_secret);
	}
	bytes_free(&self->gid);
	bytes_free(&self->init);
	json_decref(self->root);
	if (self->dev >= 0)
		close(self->dev);
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
			   FIXTURE_DATA(key_schedule) *self, int fd, size_t i,
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
static void ks_commit(struct __test_metadata *_metadata,
		      FIXTURE_DATA(key_schedule) *self, int fd, size_t i,
		      const char *how)
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

static int ks_create(FIXTURE_DATA(key_schedule) *self)
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
TEST_F(key_schedule, create_then_commit_every_epoch)
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
TEST_F(key_schedule, join_every_epoch_then_commit)
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

/* After the last commit, GET_CONTEXT names each kept past epoch. */
TEST_F(key_schedule, past_epoch_contexts)
{
	uint8_t ctx[1024];
	size_t i;
	int fd;

	fd = ks_create(self);
	ASSERT_LE(0, fd) TH_LOG("MLS_IOC_GROUP_CREATE (FROM_INPUTS): %s", strerror(-fd));
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

/* ======================================================================== */
/* secret_tree                                                              */
/* ======================================================================== */

static const uint8_t st_gid[] = "secret-tree vector group";
static const uint8_t st_th[VEC_MAX_HASH] = { 0x11 };
static const uint8_t st_cth[VEC_MAX_HASH] = { 0x22 };
#define ST_EPOCH 0

FIXTURE(secret_tree) {
	const struct vec_suite *cs;
	int dev;
	json_t *root;
	size_t count;
};

FIXTURE_VARIANT(secret_tree) {
	unsigned int suite;
};

ALL_SUITES(secret_tree);

FIXTURE_SETUP(secret_tree)
{
	self->cs = vec_suite(variant->suite);
	ASSERT_NE(NULL, self->cs);
	self->root = vec_load("secret-tree.json");
	ASSERT_NE(NULL, self->root);
	self->count = vec_entry_count(self->root, variant->suite);
	ASSERT_LT(0, self->count) TH_LOG("no secret-tree vector for suite %u",
					 variant->suite);
	self->dev = open_dev(_metadata, variant->suite);
}

FIXTURE_TEARDOWN(secret_tree)
{
	json_decref(self->root);
	if (self->dev >= 0)
		close(self->dev);
}

struct st_entry {
	struct bytes enc, sds;
	uint32_t leaves;
};

static void st_load(struct __test_metadata *_metadata, json_t *e,
		    struct st_entry *s)
{
	ASSERT_EQ(0, vec_get_hex(e, "encryption_secret", &s->enc));
	ASSERT_EQ(0, vec_get_hex(json_object_get(e, "sender_data"),
				 "sender_data_secret", &s->sds));
	s->leaves = (uint32_t)json_array_size(json_object_get(e, "leaves"));
	ASSERT_LT(0, s->leaves);
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
 * Seal in userspace, with the vector's key and nonce, a message of
 * @content_type from @leaf at @gen, and decrypt it in the kernel on @fd.
 */
static void st_recv_one(struct __test_metadata *_metadata, const struct vec_suite *cs,
			json_t *e, const struct st_entry *s, int fd,
			uint32_t leaf, uint32_t gen, unsigned int content_type)
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
	ASSERT_EQ(0, st_vector_key(e, leaf, type, gen, &key, &nonce))
		TH_LOG("%s: not in the vector", what);
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
	EXPECT_EQ(0, ret) TH_LOG("%s: MLS_IOC_DECRYPT: %s", what, strerror(-ret));
	if (!ret) {
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

/* Every leaf's messages at generations 0 then 15 (a forward jump). */
static void st_recv(struct __test_metadata *_metadata,
		    FIXTURE_DATA(secret_tree) *self, int handshake)
{
	size_t nth, tested = 0;

	for (nth = 0; nth < self->count; nth++) {
		json_t *e = vec_entry(self->root, self->cs->id, nth);
		struct st_entry s;
		uint32_t leaf;
		int g0, g1;

		st_load(_metadata, e, &s);
		if (s.leaves < 2) {
			/* the only leaf is our own: nobody to receive from */
			bytes_free(&s.enc);
			bytes_free(&s.sds);
			continue;
		}
		/* own leaf 0 receives from the others; own leaf n-1 from leaf 0 */
		g0 = st_group(self->dev, self->cs, &s, 0);
		ASSERT_LE(0, g0) TH_LOG("%u leaves, own leaf 0: MLS_IOC_GROUP_CREATE: %s",
					s.leaves, strerror(-g0));
		g1 = st_group(self->dev, self->cs, &s, s.leaves - 1);
		ASSERT_LE(0, g1) TH_LOG("%u leaves, own leaf %u: MLS_IOC_GROUP_CREATE: %s",
					s.leaves, s.leaves - 1, strerror(-g1));
		for (leaf = 0; leaf < s.leaves; leaf++) {
			int fd = leaf == 0 ? g1 : g0;

			st_recv_one(_metadata, self->cs, e, &s, fd, leaf, 0,
				    handshake ? VEC_CT_PROPOSAL : VEC_CT_APPLICATION);
			st_recv_one(_metadata, self->cs, e, &s, fd, leaf, 15,
				    handshake ? VEC_CT_COMMIT : VEC_CT_APPLICATION);
			tested++;
		}
		close(g0);
		close(g1);
		bytes_free(&s.enc);
		bytes_free(&s.sds);
	}
	EXPECT_LT(0, tested) TH_LOG("no multi-leaf secret-tree vector");
}

/* Application messages sealed with the vector's keys at generations 0 and
 * 15 from every leaf decrypt in the kernel. */
TEST_F_TIMEOUT(secret_tree, kernel_decrypts_vector_application_keys, 300)
{
	st_recv(_metadata, self, 0);
}

/* The same through the handshake ratchet: a proposal at generation 0, a
 * commit at generation 15. */
TEST_F_TIMEOUT(secret_tree, kernel_decrypts_vector_handshake_keys, 300)
{
	st_recv(_metadata, self, 1);
}

/*
 * Generation 15 first, then generation 0 (a late message kept in the
 * out-of-order window, set to 32 here), for every sending leaf.
 */
TEST_F_TIMEOUT(secret_tree, kernel_decrypts_vector_keys_out_of_order, 300)
{
	struct mls_set_policy p;
	size_t nth, tested = 0;

	memset(&p, 0, sizeof(p));
	p.mask = MLS_POLICY_OUT_OF_ORDER | MLS_POLICY_MAX_FORWARD;
	p.policy.out_of_order = 32;
	p.policy.max_forward = 100;
	for (nth = 0; nth < self->count; nth++) {
		json_t *e = vec_entry(self->root, self->cs->id, nth);
		struct st_entry s;
		uint32_t leaf;
		int g0, g1;

		st_load(_metadata, e, &s);
		if (s.leaves < 2) {
			bytes_free(&s.enc);
			bytes_free(&s.sds);
			continue;
		}
		g0 = st_group(self->dev, self->cs, &s, 0);
		ASSERT_LE(0, g0) TH_LOG("MLS_IOC_GROUP_CREATE: %s", strerror(-g0));
		g1 = st_group(self->dev, self->cs, &s, s.leaves - 1);
		ASSERT_LE(0, g1) TH_LOG("MLS_IOC_GROUP_CREATE: %s", strerror(-g1));
		ASSERT_EQ(0, ioctl(g0, MLS_IOC_SET_POLICY, &p))
			TH_LOG("MLS_IOC_SET_POLICY: %s", strerror(errno));
		ASSERT_EQ(0, ioctl(g1, MLS_IOC_SET_POLICY, &p))
			TH_LOG("MLS_IOC_SET_POLICY: %s", strerror(errno));
		for (leaf = 0; leaf < s.leaves; leaf++) {
			int fd = leaf == 0 ? g1 : g0;

			st_recv_one(_metadata, self->cs, e, &s, fd, leaf, 15,
				    VEC_CT_APPLICATION);
			st_recv_one(_metadata, self->cs, e, &s, fd, leaf, 0,
				    VEC_CT_APPLICATION);
			st_recv_one(_metadata, self->cs, e, &s, fd, leaf, 15,
				    VEC_CT_COMMIT);
			st_recv_one(_metadata, self->cs, e, &s, fd, leaf, 0,
				    VEC_CT_PROPOSAL);
			tested++;
		}
		close(g0);
		close(g1);
		bytes_free(&s.enc);
		bytes_free(&s.sds);
	}
	EXPECT_LT(0, tested);
}

/* A single-leaf tree: a message "from" the own (only) leaf is refused. */
TEST_F(secret_tree, single_leaf_own_sender_refused)
{
	size_t nth, tested = 0;

	for (nth = 0; nth < self->count; nth++) {
		json_t *e = vec_entry(self->root, self->cs->id, nth);
		struct vec_sender_data sd = { 0, 0, { 0 } };
		struct bytes key, nonce;
		struct wbuf pt, msg;
		struct st_entry s;
		struct dec *d;
		int fd, ret;

		st_load(_metadata, e, &s);
		if (s.leaves != 1) {
			bytes_free(&s.enc);
			bytes_free(&s.sds);
			continue;
		}
		fd = st_group(self->dev, self->cs, &s, 0);
		ASSERT_LE(0, fd) TH_LOG("MLS_IOC_GROUP_CREATE: %s", strerror(-fd));
		ASSERT_EQ(0, st_vector_key(e, 0, VEC_RATCHET_APPLICATION, 0, &key, &nonce));
		wb_init(&pt);
		wb_init(&msg);
		vec_app_content(&pt, (const uint8_t *)"x", 1, NULL, 0, 0);
		ASSERT_EQ(0, vec_pm_seal(self->cs, s.sds.data, st_gid, sizeof(st_gid) - 1,
					 ST_EPOCH, VEC_CT_APPLICATION, NULL, 0, &sd,
					 key.data, nonce.data, pt.p, pt.len, &msg));
		d = calloc(1, sizeof(*d));
		ASSERT_NE(NULL, d);
		ret = do_decrypt(fd, msg.p, msg.len, d);
		EXPECT_EQ(-EBADMSG, ret) TH_LOG("own leaf as sender: %s", strerror(-ret));
		tested++;
		free(d);
		wb_free(&pt);
		wb_free(&msg);
		bytes_free(&key);
		bytes_free(&nonce);
		bytes_free(&s.enc);
		bytes_free(&s.sds);
		close(fd);
	}
	EXPECT_LT(0, tested) TH_LOG("no single-leaf secret-tree vector");
}

/* Own leaves whose sending ratchets are checked in an n-leaf tree. */
static int st_send_leaf(uint32_t leaves, uint32_t leaf)
{
	if (leaves <= 8)
		return 1;
	return leaf == 0 || leaf == 1 || leaf == 2 || leaf == leaves / 2 - 1 ||
	       leaf == leaves / 2 || leaf == leaves - 2 || leaf == leaves - 1;
}

/*
 * The kernel encrypts 16 messages as @own (generations 0..15); each opens
 * in userspace: generations 0 and 15 with the vector's key and nonce, the
 * others with the oracle's.
 */
static void st_send_one(struct __test_metadata *_metadata, const struct vec_suite *cs,
			json_t *e, const struct st_entry *s, int dev, uint32_t own,
			int handshake)
{
	struct enc *en = calloc(1, sizeof(*en));
	uint32_t i;
	int fd;

	ASSERT_NE(NULL, en);
	fd = st_group(dev, cs, s, own);
	ASSERT_LE(0, fd) TH_LOG("%u leaves, own leaf %u: MLS_IOC_GROUP_CREATE: %s",
				s->leaves, own, strerror(-fd));
	for (i = 0; i < 16; i++) {
		unsigned int ct = handshake ? (i % 2 ? VEC_CT_COMMIT : VEC_CT_PROPOSAL) :
					      VEC_CT_APPLICATION;
		enum vec_ratchet type = vec_ratchet_of(ct);
		uint8_t app[64], sig[139], aad[16];
		uint8_t okey[VEC_MAX_KEY], ononce[VEC_NONCE];
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
		memset(sig, 0x40 + (int)i, sizeof(sig));
		memset(aad, (int)i, sizeof(aad));
		wb_init(&content);
		if (handshake) {
			wb_raw(&content, app, strlen((char *)app));
			wb_vec(&content, sig, sizeof(sig));
			if (ct == VEC_CT_COMMIT)
				wb_vec(&content, sig, cs->nh);
			ret = do_encrypt(fd, ct, aad, i, content.p, content.len, NULL, 0, en);
		} else {
			/* No key in this vector: a stand-in the suite's length. */
			ret = do_encrypt(fd, ct, aad, i, app, strlen((char *)app), sig,
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
		EXPECT_BYTES(what, aad, i, pm.aad, pm.aad_len);
		ASSERT_EQ(0, vec_pm_open_sender(cs, s->sds.data, &pm, &sd))
			TH_LOG("%s: sender data does not open", what);
		EXPECT_EQ(own, sd.leaf) TH_LOG("%s", what);
		EXPECT_EQ(i, sd.generation) TH_LOG("%s", what);

		key.data = nonce.data = NULL;
		if (i == 0 || i == 15) {
			ASSERT_EQ(0, st_vector_key(e, own, type, i, &key, &nonce));
			key_p = key.data;
			nonce_p = nonce.data;
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
		bytes_free(&pt);
		bytes_free(&key);
		bytes_free(&nonce);
		wb_free(&content);
	}
	close(fd);
	free(en);
}

static void st_send(struct __test_metadata *_metadata,
		    FIXTURE_DATA(secret_tree) *self, int handshake)
{
	size_t nth, tested = 0;

	for (nth = 0; nth < self->count; nth++) {
		json_t *e = vec_entry(self->root, self->cs->id, nth);
		struct st_entry s;
		uint32_t own;

		st_load(_metadata, e, &s);
		for (own = 0; own < s.leaves; own++) {
			if (!st_send_leaf(s.leaves, own))
				continue;
			st_send_one(_metadata, self->cs, e, &s, self->dev, own, handshake);
			tested++;
		}
		bytes_free(&s.enc);
		bytes_free(&s.sds);
	}
	EXPECT_LT(0, tested);
}

/* The kernel's application messages (generations 0..15) open in userspace
 * with the vector's keys at 0 and 15, for several own leaves. */
TEST_F_TIMEOUT(secret_tree, kernel_encrypts_with_vector_application_keys, 300)
{
	st_send(_metadata, self, 0);
}

/* The same for proposals and commits (the handshake ratchet). */
TEST_F_TIMEOUT(secret_tree, kernel_encrypts_with_vector_handshake_keys, 300)
{
	st_send(_metadata, self, 1);
}

/* ======================================================================== */
/* message_protection                                                      */
/* ======================================================================== */

FIXTURE(message_protection) {
	const struct vec_suite *cs;
	int dev;
	json_t *root;
	struct mp m;
	struct wbuf gc;		/* the GroupContext, encoded in userspace */
};

FIXTURE_VARIANT(message_protection) {
	unsigned int suite;
};

ALL_SUITES(message_protection);

FIXTURE_SETUP(message_protection)
{
	json_t *e;

	memset(&self->m, 0, sizeof(self->m));
	wb_init(&self->gc);
	self->cs = vec_suite(variant->suite);
	ASSERT_NE(NULL, self->cs);
	self->root = vec_load("message-protection.json");
	ASSERT_NE(NULL, self->root);
	e = vec_entry(self->root, variant->suite, 0);
	ASSERT_NE(NULL, e) TH_LOG("no message-protection vector for suite %u",
				  variant->suite);
	ASSERT_EQ(0, mp_load(e, &self->m));
	mp_context(self->cs, &self->m, &self->gc);
	ASSERT_EQ(0, self->gc.err);
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
TEST_F(message_protection, decrypt_application_priv)
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
TEST_F(message_protection, forged_then_genuine_then_replayed_application_priv)
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

TEST_F(message_protection, decrypt_proposal_priv)
{
	mp_handshake(_metadata, self, 0);
}

TEST_F(message_protection, decrypt_commit_priv)
{
	mp_handshake(_metadata, self, 1);
}

/*
 * Round trip between two group objects of the same secrets: leaf 0
 * encrypts (application signed in userspace, proposal, commit), leaf 1
 * decrypts; the messages also open in userspace; then leaf 1 answers.
 */
TEST_F(message_protection, round_trip_leaf0_to_leaf1)
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

TEST_HARNESS_MAIN
