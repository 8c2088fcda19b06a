// SPDX-License-Identifier: GPL-2.0
/*
 * The client's HPKE (userlib/client/hpke.c), on the host, under
 * AddressSanitizer and UBSan:
 *  - crypto-basics.json: every encrypt_with_label case (all seven
 *    suites) decrypts to its plaintext, and an encryption to its pub
 *    decrypts again; tampered inputs do not open;
 *  - key-schedule.json: DeriveKeyPair(external_secret) gives external_pub,
 *    for every epoch of every suite;
 *  - RFC 9180's mode_base test vectors (the CFRG's test-vectors.json of
 *    draft-08, as Debian ships it with CIRCL, which tests its RFC 9180
 *    code with it; $HPKE_VECTORS names another copy):
 *    DeriveKeyPair, Encap/Decap, the key schedule, every encryption (each
 *    sequence number) and every export;
 *  - round trips, bad inputs, and the erasure of a context.
 * $MLS_VECTORS is the directory of the RFC 9420 vectors.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "hpke.h"
#include "suite.h"

#include "kselftest_harness.h"

#define HPKE_VECTORS_DEFAULT \
	"/usr/share/gocode/src/github.com/cloudflare/circl/hpke/testdata/" \
	"vectors_v08_779d028.json"

struct buf {
	uint8_t *p;
	size_t len;
};

static int unhex(const char *hex, struct buf *b)
{
	size_t n = strlen(hex), i;

	b->p = NULL;
	b->len = 0;
	if (n % 2)
		return -1;
	b->p = malloc(n / 2 + 1);
	if (!b->p)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(b->p);
			b->p = NULL;
			return -1;
		}
		b->p[i] = v;
	}
	b->len = n / 2;
	return 0;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
}

static int buf_eq(const struct buf *b, const uint8_t *p, size_t len)
{
	return b->len == len && (!len || !memcmp(b->p, p, len));
}

/* The hex string member @key of @obj into @b; -1 if absent or malformed. */
static int get_hex(json_t *obj, const char *key, struct buf *b)
{
	const char *s = json_string_value(json_object_get(obj, key));

	b->p = NULL;
	b->len = 0;
	return s ? unhex(s, b) : -1;
}

static json_t *load(const char *path)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);

	if (!root)
		fprintf(stderr, "# %s: %s (line %d)\n", path, err.text,
			err.line);
	return root;
}

static json_t *load_mls(const char *file)
{
	const char *dir = getenv("MLS_VECTORS");
	char path[4096];

	if (!dir || !*dir)
		dir = "/mls/vectors";
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return load(path);
}

#define HEX(obj, key, b) ASSERT_EQ(0, get_hex(obj, key, b))

/* ---- crypto-basics.json ------------------------------------------------- */

TEST(crypto_basics_encrypt_with_label)
{
	json_t *root = load_mls("crypto-basics.json"), *c;
	unsigned int seen = 0;
	size_t i, cases = 0;

	ASSERT_NE(NULL, root);
	ASSERT_TRUE(json_is_array(root));
	json_array_foreach(root, i, c) {
		json_t *e = json_object_get(c, "encrypt_with_label");
		unsigned int id = json_integer_value(json_object_get(c,
							"cipher_suite"));
		const struct mlsc_suite *s = mlsc_suite_get(id);
		struct buf priv, pub, ctx, pt, kem, ct;
		uint8_t out[4096], kem2[MLSC_MAX_PK], ct2[4096 + MLSC_TAG];
		uint8_t pk[MLSC_MAX_PK];
		size_t out_len, kem2_len, ct2_len, pk_len = sizeof(pk);
		struct mlsc_hpke_suite hs;
		const char *label;

		ASSERT_NE(NULL, s) TH_LOG("suite %u", id);
		ASSERT_NE(NULL, e) TH_LOG("suite %u: no encrypt_with_label", id);
		label = json_string_value(json_object_get(e, "label"));
		ASSERT_NE(NULL, label);
		HEX(e, "priv", &priv);
		HEX(e, "pub", &pub);
		HEX(e, "context", &ctx);
		HEX(e, "plaintext", &pt);
		HEX(e, "kem_output", &kem);
		HEX(e, "ciphertext", &ct);
		ASSERT_LE(pt.len, 4096);

		/* The private key is the public key's. */
		ASSERT_EQ(0, mlsc_hpke_suite_mls(&hs, s));
		ASSERT_EQ(0, mlsc_hpke_public_key(&hs, priv.p, priv.len, pk,
						  &pk_len));
		EXPECT_TRUE(buf_eq(&pub, pk, pk_len)) TH_LOG("suite %u", id);

		/* DecryptWithLabel of the listed ciphertext. */
		out_len = sizeof(out);
		ASSERT_EQ(0, mlsc_decrypt_with_label(s, priv.p, priv.len, label,
						     ctx.p, ctx.len, kem.p,
						     kem.len, ct.p, ct.len,
						     out, &out_len))
			TH_LOG("suite %u", id);
		EXPECT_TRUE(buf_eq(&pt, out, out_len)) TH_LOG("suite %u", id);

		/* Tampered: a ciphertext bit, the label, the context. */
		ct.p[0] ^= 1;
		out_len = sizeof(out);
		EXPECT_EQ(-EBADMSG, mlsc_decrypt_with_label(s, priv.p,
				priv.len, label, ctx.p, ctx.len, kem.p,
				kem.len, ct.p, ct.len, out, &out_len));
		ct.p[0] ^= 1;
		EXPECT_EQ(-EBADMSG, mlsc_decrypt_with_label(s, priv.p,
				priv.len, "Other", ctx.p, ctx.len, kem.p,
				kem.len, ct.p, ct.len, out, &out_len));
		EXPECT_EQ(-EBADMSG, mlsc_decrypt_with_label(s, priv.p,
				priv.len, label, ctx.p, ctx.len - 1, kem.p,
				kem.len, ct.p, ct.len, out, &out_len));

		/* EncryptWithLabel to pub, then DecryptWithLabel. */
		kem2_len = sizeof(kem2);
		ct2_len = sizeof(ct2);
		ASSERT_EQ(0, mlsc_encrypt_with_label(s, pub.p, pub.len, label,
						     ctx.p, ctx.len, pt.p,
						     pt.len, kem2, &kem2_len,
						     ct2, &ct2_len));
		EXPECT_EQ(kem.len, kem2_len);
		EXPECT_EQ(ct.len, ct2_len);
		out_len = sizeof(out);
		ASSERT_EQ(0, mlsc_decrypt_with_label(s, priv.p, priv.len, label,
						     ctx.p, ctx.len, kem2,
						     kem2_len, ct2, ct2_len,
						     out, &out_len));
		EXPECT_TRUE(buf_eq(&pt, out, out_len));

		seen |= 1U << id;
		cases++;
		buf_free(&priv);
		buf_free(&pub);
		buf_free(&ctx);
		buf_free(&pt);
		buf_free(&kem);
		buf_free(&ct);
	}
	json_decref(root);
	/* Every suite is in the file, each case ran. */
	EXPECT_EQ(0xfeU, seen);
	fprintf(stderr, "# crypto-basics.json: %zu encrypt_with_label cases\n",
		cases);
	ASSERT_LT(0, cases);
}

/* ---- key-schedule.json: external_pub = DeriveKeyPair(external_secret) --- */

TEST(key_schedule_external_pub)
{
	json_t *root = load_mls("key-schedule.json"), *c, *epochs, *ep;
	unsigned int seen = 0;
	size_t i, j, cases = 0;

	ASSERT_NE(NULL, root);
	json_array_foreach(root, i, c) {
		unsigned int id = json_integer_value(json_object_get(c,
							"cipher_suite"));
		const struct mlsc_suite *s = mlsc_suite_get(id);
		struct mlsc_hpke_suite hs;

		ASSERT_NE(NULL, s) TH_LOG("suite %u", id);
		ASSERT_EQ(0, mlsc_hpke_suite_mls(&hs, s));
		epochs = json_object_get(c, "epochs");
		ASSERT_TRUE(json_is_array(epochs));
		json_array_foreach(epochs, j, ep) {
			uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK];
			size_t sk_len = sizeof(sk), pk_len = sizeof(pk);
			uint8_t pk2[MLSC_MAX_PK];
			size_t pk2_len = sizeof(pk2);
			struct buf secret, pub;

			HEX(ep, "external_secret", &secret);
			HEX(ep, "external_pub", &pub);
			ASSERT_EQ(0, mlsc_hpke_derive_key_pair(&hs, secret.p,
							       secret.len, sk,
							       &sk_len, pk,
							       &pk_len));
			EXPECT_TRUE(buf_eq(&pub, pk, pk_len))
				TH_LOG("suite %u epoch %zu", id, j);
			EXPECT_EQ(s->nsk, sk_len);
			/* The private key gives the same public key. */
			ASSERT_EQ(0, mlsc_hpke_public_key(&hs, sk, sk_len, pk2,
							  &pk2_len));
			EXPECT_TRUE(buf_eq(&pub, pk2, pk2_len));
			buf_free(&secret);
			buf_free(&pub);
			cases++;
		}
		seen |= 1U << id;
	}
	json_decref(root);
	EXPECT_EQ(0xfeU, seen);
	fprintf(stderr, "# key-schedule.json: %zu external_pub cases\n",
		cases);
	ASSERT_LT(0, cases);
}

/* ---- RFC 9180 test vectors, mode_base ----------------------------------- */

static void check_pair(struct __test_metadata *_metadata,
		       const struct mlsc_hpke_suite *hs, json_t *v,
		       const char *ikm_key, const char *sk_key,
		       const char *pk_key)
{
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk);
	struct buf ikm, skm, pkm;

	HEX(v, ikm_key, &ikm);
	HEX(v, sk_key, &skm);
	HEX(v, pk_key, &pkm);
	ASSERT_EQ(0, mlsc_hpke_derive_key_pair(hs, ikm.p, ikm.len, sk, &sk_len,
					       pk, &pk_len));
	EXPECT_TRUE(buf_eq(&skm, sk, sk_len)) TH_LOG("%s", sk_key);
	EXPECT_TRUE(buf_eq(&pkm, pk, pk_len)) TH_LOG("%s", pk_key);
	buf_free(&ikm);
	buf_free(&skm);
	buf_free(&pkm);
}

static void check_base_vector(struct __test_metadata *_metadata, json_t *v,
			      size_t *n_enc, size_t *n_exp)
{
	struct buf info, ikm_e, sk_r, pk_r, enc, ss, key, nonce, exp_secret;
	uint8_t got_enc[MLSC_MAX_PK], got_ss[MLSC_MAX_HASH];
	size_t enc_len = sizeof(got_enc), i;
	struct mlsc_hpke_ctx s, r;
	struct mlsc_hpke_suite hs;
	json_t *e;

	ASSERT_EQ(0, mlsc_hpke_suite_init(&hs,
		json_integer_value(json_object_get(v, "kem_id")),
		json_integer_value(json_object_get(v, "kdf_id")),
		json_integer_value(json_object_get(v, "aead_id"))));
	check_pair(_metadata, &hs, v, "ikmR", "skRm", "pkRm");
	check_pair(_metadata, &hs, v, "ikmE", "skEm", "pkEm");

	HEX(v, "info", &info);
	HEX(v, "ikmE", &ikm_e);
	HEX(v, "skRm", &sk_r);
	HEX(v, "pkRm", &pk_r);
	HEX(v, "enc", &enc);
	HEX(v, "shared_secret", &ss);
	HEX(v, "key", &key);
	HEX(v, "base_nonce", &nonce);
	HEX(v, "exporter_secret", &exp_secret);

	/* Encap and Decap. */
	ASSERT_EQ(0, mlsc_hpke_encap(&hs, pk_r.p, pk_r.len, ikm_e.p, ikm_e.len,
				     got_ss, got_enc, &enc_len));
	EXPECT_TRUE(buf_eq(&enc, got_enc, enc_len));
	EXPECT_TRUE(buf_eq(&ss, got_ss, mlsc_hpke_nsecret(&hs)));
	memset(got_ss, 0, sizeof(got_ss));
	ASSERT_EQ(0, mlsc_hpke_decap(&hs, enc.p, enc.len, sk_r.p, sk_r.len,
				     got_ss));
	EXPECT_TRUE(buf_eq(&ss, got_ss, mlsc_hpke_nsecret(&hs)));

	/* The key schedule, on both sides. */
	enc_len = sizeof(got_enc);
	ASSERT_EQ(0, mlsc_hpke_setup_base_s_derand(&s, &hs, pk_r.p, pk_r.len,
						   info.p, info.len, ikm_e.p,
						   ikm_e.len, got_enc,
						   &enc_len));
	EXPECT_TRUE(buf_eq(&enc, got_enc, enc_len));
	ASSERT_EQ(0, mlsc_hpke_setup_base_r(&r, &hs, enc.p, enc.len, sk_r.p,
					    sk_r.len, info.p, info.len));
	EXPECT_TRUE(buf_eq(&key, s.key, mlsc_hpke_nk(&hs)));
	EXPECT_TRUE(buf_eq(&key, r.key, mlsc_hpke_nk(&hs)));
	EXPECT_TRUE(buf_eq(&nonce, s.base_nonce, mlsc_hpke_nn(&hs)));
	EXPECT_TRUE(buf_eq(&nonce, r.base_nonce, mlsc_hpke_nn(&hs)));
	EXPECT_TRUE(buf_eq(&exp_secret, s.exporter_secret, mlsc_hpke_nh(&hs)));
	EXPECT_TRUE(buf_eq(&exp_secret, r.exporter_secret, mlsc_hpke_nh(&hs)));

	/* Every encryption, in sequence: Seal on one side, Open on the other. */
	json_array_foreach(json_object_get(v, "encryptions"), i, e) {
		struct buf aad, pt, ct, n;
		uint8_t out[1024], nonce_i[MLSC_NONCE];
		size_t out_len = sizeof(out), k;

		HEX(e, "aad", &aad);
		HEX(e, "plaintext", &pt);
		HEX(e, "ciphertext", &ct);
		HEX(e, "nonce", &n);
		ASSERT_LE(ct.len, sizeof(out));
		/* ComputeNonce(seq) of the sender's context. */
		memcpy(nonce_i, s.base_nonce, MLSC_NONCE);
		for (k = 0; k < 8; k++)
			nonce_i[MLSC_NONCE - 1 - k] ^= (uint8_t)(s.seq >> (8 * k));
		EXPECT_EQ(i, s.seq);
		EXPECT_TRUE(buf_eq(&n, nonce_i, mlsc_hpke_nn(&hs)));
		ASSERT_EQ(0, mlsc_hpke_seal(&s, aad.p, aad.len, pt.p, pt.len,
					    out, &out_len));
		EXPECT_TRUE(buf_eq(&ct, out, out_len)) TH_LOG("seq %zu", i);
		out_len = sizeof(out);
		ASSERT_EQ(0, mlsc_hpke_open(&r, aad.p, aad.len, ct.p, ct.len,
					    out, &out_len));
		EXPECT_TRUE(buf_eq(&pt, out, out_len)) TH_LOG("seq %zu", i);
		buf_free(&aad);
		buf_free(&pt);
		buf_free(&ct);
		buf_free(&n);
		(*n_enc)++;
	}
	if (!mlsc_hpke_nk(&hs)) {
		uint8_t out[MLSC_TAG];
		size_t out_len = sizeof(out);

		EXPECT_EQ(-EOPNOTSUPP, mlsc_hpke_seal(&s, NULL, 0, NULL, 0,
						      out, &out_len));
	}

	json_array_foreach(json_object_get(v, "exports"), i, e) {
		struct buf ctx, val;
		uint8_t out[1024];
		json_int_t len = json_integer_value(json_object_get(e, "L"));

		HEX(e, "exporter_context", &ctx);
		HEX(e, "exported_value", &val);
		ASSERT_LT(0, len);
		ASSERT_LE(len, (json_int_t)sizeof(out));
		ASSERT_EQ(0, mlsc_hpke_export(&s, ctx.p, ctx.len, out, len));
		EXPECT_TRUE(buf_eq(&val, out, len));
		memset(out, 0, sizeof(out));
		ASSERT_EQ(0, mlsc_hpke_export(&r, ctx.p, ctx.len, out, len));
		EXPECT_TRUE(buf_eq(&val, out, len));
		buf_free(&ctx);
		buf_free(&val);
		(*n_exp)++;
	}

	mlsc_hpke_ctx_clear(&s);
	mlsc_hpke_ctx_clear(&r);
	buf_free(&info);
	buf_free(&ikm_e);
	buf_free(&sk_r);
	buf_free(&pk_r);
	buf_free(&enc);
	buf_free(&ss);
	buf_free(&key);
	buf_free(&nonce);
	buf_free(&exp_secret);
}

TEST(rfc9180_base_mode)
{
	const char *path = getenv("HPKE_VECTORS");
	size_t i, base = 0, other = 0, n_enc = 0, n_exp = 0;
	unsigned int kems = 0, kdfs = 0, aeads = 0;
	json_t *root, *v;

	if (!path || !*path)
		path = HPKE_VECTORS_DEFAULT;
	root = load(path);
	ASSERT_NE(NULL, root) TH_LOG("%s: missing (make deps installs it)",
				     path);
	ASSERT_TRUE(json_is_array(root));
	json_array_foreach(root, i, v) {
		if (json_integer_value(json_object_get(v, "mode")) != 0) {
			/* psk, auth, auth_psk: MLS uses mode_base only. */
			other++;
			continue;
		}
		check_base_vector(_metadata, v, &n_enc, &n_exp);
		kems |= 1U << (json_integer_value(json_object_get(v, "kem_id")) & 31);
		kdfs |= 1U << json_integer_value(json_object_get(v, "kdf_id"));
		aeads |= 1U << (json_integer_value(json_object_get(v, "aead_id")) & 7);
		base++;
	}
	json_decref(root);
	fprintf(stderr,
		"# %s: %zu mode_base cases (%zu encryptions, %zu exports)\n"
		"# %zu cases of the psk, auth and auth_psk modes: not used by MLS\n",
		path, base, n_enc, n_exp, other);
	ASSERT_LT(0, base);
	/* The published file has P-256, P-521, X25519, X448, SHA-256 and
	 * SHA-512, the three AEADs and export-only. */
	fprintf(stderr, "# KEM bits %#x, KDF bits %#x, AEAD bits %#x\n",
		kems, kdfs, aeads);
}

/* ---- round trips -------------------------------------------------------- */

TEST(round_trip_all_suites)
{
	static const size_t pt_sizes[] = { 0, 1, 63, 1000, 70000 };
	static const size_t ctx_sizes[] = { 0, 63, 64, 16384 };
	uint8_t *pt = malloc(70000), *ct = malloc(70000 + MLSC_TAG);
	uint8_t *out = malloc(70000), *context = malloc(16384);
	uint16_t id;

	ASSERT_NE(NULL, pt);
	ASSERT_NE(NULL, ct);
	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, context);
	ASSERT_EQ(1, RAND_bytes(pt, 70000));
	ASSERT_EQ(1, RAND_bytes(context, 16384));
	for (id = 1; id <= 7; id++) {
		const struct mlsc_suite *s = mlsc_suite_get(id);
		uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], kem[2][MLSC_MAX_PK];
		size_t sk_len = sizeof(sk), pk_len = sizeof(pk), a, b;
		struct mlsc_hpke_suite hs;

		ASSERT_NE(NULL, s);
		ASSERT_EQ(0, mlsc_hpke_suite_mls(&hs, s));
		ASSERT_EQ(0, mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
							 &pk_len));
		EXPECT_EQ(s->nsk, sk_len);
		EXPECT_EQ(s->npk, pk_len);
		for (a = 0; a < sizeof(pt_sizes) / sizeof(pt_sizes[0]); a++) {
			for (b = 0; b < sizeof(ctx_sizes) / sizeof(ctx_sizes[0]); b++) {
				size_t kem_len = sizeof(kem[0]);
				size_t ct_len = 70000 + MLSC_TAG;
				size_t out_len = 70000;

				ASSERT_EQ(0, mlsc_encrypt_with_label(s, pk,
					pk_len, "UpdatePathNode", context,
					ctx_sizes[b], pt, pt_sizes[a],
					kem[a % 2], &kem_len, ct, &ct_len));
				EXPECT_EQ(s->npk, kem_len);
				EXPECT_EQ(pt_sizes[a] + MLSC_TAG, ct_len);
				ASSERT_EQ(0, mlsc_decrypt_with_label(s, sk,
					sk_len, "UpdatePathNode", context,
					ctx_sizes[b], kem[a % 2], kem_len, ct,
					ct_len, out, &out_len));
				ASSERT_EQ(pt_sizes[a], out_len);
				EXPECT_EQ(0, out_len ? memcmp(pt, out, out_len)
						     : 0);
			}
			/* A fresh ephemeral key every time. */
			if (a)
				EXPECT_NE(0, memcmp(kem[0], kem[1], s->npk));
		}
	}
	free(pt);
	free(ct);
	free(out);
	free(context);
}

/* A context used for many messages: each Seal opens in order only. */
TEST(context_sequence)
{
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx s, r;
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], enc[MLSC_MAX_PK];
	uint8_t ct[3][8 + MLSC_TAG], out[8], e1[64], e2[64];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk), enc_len = sizeof(enc);
	size_t len;
	int i;

	ASSERT_EQ(0, mlsc_hpke_suite_init(&hs, MLSC_KEM_P384, MLSC_KDF_SHA384,
					  MLSC_AEAD_AES256GCM));
	ASSERT_EQ(0, mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
						 &pk_len));
	ASSERT_EQ(0, mlsc_hpke_setup_base_s(&s, &hs, pk, pk_len,
					    (const uint8_t *)"info", 4, enc,
					    &enc_len));
	ASSERT_EQ(0, mlsc_hpke_setup_base_r(&r, &hs, enc, enc_len, sk, sk_len,
					    (const uint8_t *)"info", 4));
	for (i = 0; i < 3; i++) {
		len = sizeof(ct[i]);
		ASSERT_EQ(0, mlsc_hpke_seal(&s, NULL, 0,
					    (const uint8_t *)"message", 8,
					    ct[i], &len));
	}
	/* Out of order: the second first does not open, nor moves seq. */
	len = sizeof(out);
	EXPECT_EQ(-EBADMSG, mlsc_hpke_open(&r, NULL, 0, ct[1], sizeof(ct[1]),
					   out, &len));
	EXPECT_EQ(0, r.seq);
	for (i = 0; i < 3; i++) {
		len = sizeof(out);
		ASSERT_EQ(0, mlsc_hpke_open(&r, NULL, 0, ct[i], sizeof(ct[i]),
					    out, &len));
		EXPECT_EQ(0, memcmp(out, "message", 8));
	}
	ASSERT_EQ(0, mlsc_hpke_export(&s, (const uint8_t *)"x", 1, e1, 64));
	ASSERT_EQ(0, mlsc_hpke_export(&r, (const uint8_t *)"x", 1, e2, 64));
	EXPECT_EQ(0, memcmp(e1, e2, 64));

	/* The last sequence number is refused (RFC 9180 §5.2). */
	s.seq = UINT64_MAX;
	len = sizeof(ct[0]);
	EXPECT_EQ(-EOVERFLOW, mlsc_hpke_seal(&s, NULL, 0, out, 8, ct[0], &len));
	r.seq = UINT64_MAX;
	len = sizeof(out);
	EXPECT_EQ(-EOVERFLOW, mlsc_hpke_open(&r, NULL, 0, ct[0], sizeof(ct[0]),
					     out, &len));

	mlsc_hpke_ctx_clear(&s);
	mlsc_hpke_ctx_clear(&r);
}

/* ---- bad inputs --------------------------------------------------------- */

TEST(bad_keys)
{
	static const uint16_t kems[] = {
		MLSC_KEM_P256, MLSC_KEM_P384, MLSC_KEM_P521,
		MLSC_KEM_X25519, MLSC_KEM_X448,
	};
	uint8_t zero[MLSC_MAX_PK] = { 0 };
	size_t i;

	for (i = 0; i < sizeof(kems) / sizeof(kems[0]); i++) {
		uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], enc[MLSC_MAX_PK];
		uint8_t ss[MLSC_MAX_HASH], bad[MLSC_MAX_PK];
		size_t sk_len = sizeof(sk), pk_len = sizeof(pk);
		size_t enc_len = sizeof(enc), npk, nsk, len;
		struct mlsc_hpke_suite hs;

		ASSERT_EQ(0, mlsc_hpke_suite_init(&hs, kems[i], MLSC_KDF_SHA256,
						  MLSC_AEAD_AES128GCM));
		npk = mlsc_hpke_npk(&hs);
		nsk = mlsc_hpke_nsk(&hs);
		ASSERT_EQ(0, mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
							 &pk_len));
		EXPECT_EQ(0, mlsc_hpke_check_public_key(&hs, pk, pk_len));

		/* Wrong lengths. */
		EXPECT_EQ(-EINVAL, mlsc_hpke_check_public_key(&hs, pk, npk - 1));
		EXPECT_EQ(-EINVAL, mlsc_hpke_encap(&hs, pk, npk + 1, NULL, 0,
						   ss, enc, &enc_len));
		EXPECT_EQ(-EINVAL, mlsc_hpke_decap(&hs, pk, npk, sk, nsk - 1,
						   ss));
		len = npk - 1;
		EXPECT_EQ(-ENOSPC, mlsc_hpke_encap(&hs, pk, npk, NULL, 0, ss,
						   enc, &len));
		len = npk - 1;
		EXPECT_EQ(-ENOSPC, mlsc_hpke_public_key(&hs, sk, nsk, enc,
							&len));

		/* The all-zero public key: the identity encoding is not a
		 * point, and X25519's/X448's zero point gives an all-zero
		 * shared secret, which DH refuses. */
		enc_len = sizeof(enc);
		EXPECT_EQ(-EINVAL, mlsc_hpke_encap(&hs, zero, npk, NULL, 0, ss,
						   enc, &enc_len));
		EXPECT_EQ(-EINVAL, mlsc_hpke_decap(&hs, zero, npk, sk, nsk,
						   ss));

		if (kems[i] == MLSC_KEM_X25519 || kems[i] == MLSC_KEM_X448)
			continue;
		/* A point off the curve, and the compressed form. */
		memcpy(bad, pk, npk);
		bad[npk - 1] ^= 1;
		EXPECT_EQ(-EINVAL, mlsc_hpke_check_public_key(&hs, bad, npk));
		EXPECT_EQ(-EINVAL, mlsc_hpke_decap(&hs, bad, npk, sk, nsk, ss));
		memcpy(bad, pk, npk);
		bad[0] = 0x02;
		EXPECT_EQ(-EINVAL, mlsc_hpke_check_public_key(&hs, bad, npk));
		/* Scalars 0 and the all-ones (above the order). */
		len = sizeof(enc);
		EXPECT_EQ(-EINVAL, mlsc_hpke_public_key(&hs, zero, nsk, enc,
							&len));
		memset(bad, 0xff, nsk);
		EXPECT_EQ(-EINVAL, mlsc_hpke_public_key(&hs, bad, nsk, enc,
							&len));
		EXPECT_EQ(-EINVAL, mlsc_hpke_decap(&hs, pk, npk, bad, nsk, ss));
	}
}

TEST(bad_suites_and_messages)
{
	const struct mlsc_suite *s = mlsc_suite_get(1);
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], kem[MLSC_MAX_PK];
	uint8_t ct[4 + MLSC_TAG], out[4];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk), kem_len, ct_len, len;
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx ctx;
	uint8_t e[32];

	EXPECT_EQ(NULL, mlsc_suite_get(0));
	EXPECT_EQ(NULL, mlsc_suite_get(8));
	EXPECT_EQ(-EOPNOTSUPP, mlsc_hpke_suite_init(&hs, 0x0030, 1, 1));
	EXPECT_EQ(-EOPNOTSUPP, mlsc_hpke_suite_init(&hs, 0x0020, 4, 1));
	EXPECT_EQ(-EOPNOTSUPP, mlsc_hpke_suite_init(&hs, 0x0020, 1, 4));
	EXPECT_EQ(-EINVAL, mlsc_encrypt_with_label(NULL, pk, 32, "x", NULL, 0,
						   out, 4, kem, &kem_len, ct,
						   &ct_len));

	ASSERT_EQ(0, mlsc_hpke_suite_mls(&hs, s));
	ASSERT_EQ(0, mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
						 &pk_len));
	kem_len = sizeof(kem);
	ct_len = sizeof(ct) - 1;
	EXPECT_EQ(-ENOSPC, mlsc_encrypt_with_label(s, pk, pk_len, "x", NULL, 0,
						   (const uint8_t *)"abcd", 4,
						   kem, &kem_len, ct, &ct_len));
	ct_len = sizeof(ct);
	ASSERT_EQ(0, mlsc_encrypt_with_label(s, pk, pk_len, "x", NULL, 0,
					     (const uint8_t *)"abcd", 4, kem,
					     &kem_len, ct, &ct_len));
	/* Truncated, too short for a tag, the plaintext buffer too small,
	 * another key, another kem_output. */
	len = sizeof(out);
	EXPECT_EQ(-EBADMSG, mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL,
						    0, kem, kem_len, ct,
						    ct_len - 1, out, &len));
	EXPECT_EQ(-EBADMSG, mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL,
						    0, kem, kem_len, ct,
						    MLSC_TAG - 1, out, &len));
	len = sizeof(out) - 1;
	EXPECT_EQ(-ENOSPC, mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL, 0,
						   kem, kem_len, ct, ct_len,
						   out, &len));
	len = sizeof(out);
	sk[5] ^= 1;
	EXPECT_EQ(-EBADMSG, mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL,
						    0, kem, kem_len, ct,
						    ct_len, out, &len));
	sk[5] ^= 1;
	kem[3] ^= 1;
	EXPECT_EQ(-EBADMSG, mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL,
						    0, kem, kem_len, ct,
						    ct_len, out, &len));
	kem[3] ^= 1;
	EXPECT_EQ(-EINVAL, mlsc_decrypt_with_label(s, sk, sk_len, NULL, NULL,
						   0, kem, kem_len, ct, ct_len,
						   out, &len));
	EXPECT_EQ(-EINVAL, mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL,
						   1, kem, kem_len, ct, ct_len,
						   out, &len));
	ASSERT_EQ(0, mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL, 0, kem,
					     kem_len, ct, ct_len, out, &len));
	EXPECT_EQ(0, memcmp(out, "abcd", 4));

	/* Export: L of 0 and above 255 * Nh; export-only Seal and Open. */
	ASSERT_EQ(0, mlsc_hpke_suite_init(&hs, MLSC_KEM_X25519,
					  MLSC_KDF_SHA256,
					  MLSC_AEAD_EXPORT_ONLY));
	kem_len = sizeof(kem);
	ASSERT_EQ(0, mlsc_hpke_setup_base_s(&ctx, &hs, pk, pk_len, NULL, 0,
					    kem, &kem_len));
	EXPECT_EQ(-EINVAL, mlsc_hpke_export(&ctx, NULL, 0, e, 0));
	EXPECT_EQ(-EINVAL, mlsc_hpke_export(&ctx, NULL, 0, e, 255 * 32 + 1));
	EXPECT_EQ(0, mlsc_hpke_export(&ctx, NULL, 0, e, sizeof(e)));
	len = sizeof(ct);
	EXPECT_EQ(-EOPNOTSUPP, mlsc_hpke_seal(&ctx, NULL, 0, out, 4, ct, &len));
	len = sizeof(out);
	EXPECT_EQ(-EOPNOTSUPP, mlsc_hpke_open(&ctx, NULL, 0, ct, sizeof(ct),
					      out, &len));
	mlsc_hpke_ctx_clear(&ctx);
}

/* A context holds secrets: clearing it leaves nothing, and a failed
 * setup leaves nothing either. */
TEST(context_erased)
{
	static const uint8_t zero[sizeof(struct mlsc_hpke_ctx)];
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx ctx;
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], enc[MLSC_MAX_PK];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk), enc_len = sizeof(enc);

	ASSERT_EQ(0, mlsc_hpke_suite_init(&hs, MLSC_KEM_X448, MLSC_KDF_SHA512,
					  MLSC_AEAD_CHACHA20POLY1305));
	ASSERT_EQ(0, mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
						 &pk_len));
	ASSERT_EQ(0, mlsc_hpke_setup_base_s(&ctx, &hs, pk, pk_len, NULL, 0,
					    enc, &enc_len));
	EXPECT_NE(0, memcmp(&ctx, zero, sizeof(ctx)));
	mlsc_hpke_ctx_clear(&ctx);
	EXPECT_EQ(0, memcmp(&ctx, zero, sizeof(ctx)));

	memset(&ctx, 0xa5, sizeof(ctx));
	EXPECT_EQ(-EINVAL, mlsc_hpke_setup_base_r(&ctx, &hs, enc, enc_len - 1,
						  sk, sk_len, NULL, 0));
	EXPECT_EQ(0, memcmp(&ctx, zero, sizeof(ctx)));
}

TEST_HARNESS_MAIN
