// SPDX-License-Identifier: GPL-2.0
/*
 * The client's HPKE (userlib/client/hpke.c), on the host, under
 * AddressSanitizer, LeakSanitizer and UBSan:
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
 * $MLS_VECTORS is the directory of the RFC 9420 vectors. All run in one
 * process, so that a leak anywhere fails the program.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "hpke.h"
#include "suite.h"
#include "tap.h"
#include "vectors.h"

#define HPKE_VECTORS_DEFAULT \
	"/usr/share/gocode/src/github.com/cloudflare/circl/hpke/testdata/" \
	"vectors_v08_779d028.json"

#define HEX(obj, key, b) REQUIRE(!vec_get_hex(obj, key, b))

/* ---- crypto-basics.json ------------------------------------------------- */

static bool basics_case(json_t *c, unsigned int id)
{
	json_t *e = json_object_get(c, "encrypt_with_label");
	const struct mlsc_suite *s = mlsc_suite_get(id);
	struct bytes priv = { 0 }, pub = { 0 }, ctx = { 0 }, pt = { 0 };
	struct bytes kem = { 0 }, ct = { 0 };
	uint8_t out[4096], kem2[MLSC_MAX_PK], ct2[4096 + MLSC_TAG];
	uint8_t pk[MLSC_MAX_PK];
	size_t out_len, kem2_len, ct2_len, pk_len = sizeof(pk);
	struct mlsc_hpke_suite hs;
	const char *label;
	bool good = true;

	REQUIRE(s != NULL);
	REQUIRE(e != NULL);
	label = json_string_value(json_object_get(e, "label"));
	REQUIRE(label != NULL);
	HEX(e, "priv", &priv);
	HEX(e, "pub", &pub);
	HEX(e, "context", &ctx);
	HEX(e, "plaintext", &pt);
	HEX(e, "kem_output", &kem);
	HEX(e, "ciphertext", &ct);
	REQUIRE(pt.len <= 4096);

	/* The private key is the public key's. */
	REQUIRE(mlsc_hpke_suite_mls(&hs, s) == 0);
	REQUIRE(mlsc_hpke_public_key(&hs, priv.data, priv.len, pk,
				     &pk_len) == 0);
	EXPECT(bytes_eq(&pub, pk, pk_len));

	/* DecryptWithLabel of the listed ciphertext. */
	out_len = sizeof(out);
	REQUIRE(mlsc_decrypt_with_label(s, priv.data, priv.len, label,
					ctx.data, ctx.len, kem.data, kem.len,
					ct.data, ct.len, out, &out_len) == 0);
	EXPECT(bytes_eq(&pt, out, out_len));

	/* Tampered: a ciphertext bit, the label, the context. */
	ct.data[0] ^= 1;
	out_len = sizeof(out);
	EXPECT(mlsc_decrypt_with_label(s, priv.data, priv.len, label,
				       ctx.data, ctx.len, kem.data, kem.len,
				       ct.data, ct.len, out, &out_len) ==
	       -EBADMSG);
	ct.data[0] ^= 1;
	EXPECT(mlsc_decrypt_with_label(s, priv.data, priv.len, "Other",
				       ctx.data, ctx.len, kem.data, kem.len,
				       ct.data, ct.len, out, &out_len) ==
	       -EBADMSG);
	EXPECT(mlsc_decrypt_with_label(s, priv.data, priv.len, label,
				       ctx.data, ctx.len - 1, kem.data,
				       kem.len, ct.data, ct.len, out,
				       &out_len) == -EBADMSG);

	/* EncryptWithLabel to pub, then DecryptWithLabel. */
	kem2_len = sizeof(kem2);
	ct2_len = sizeof(ct2);
	REQUIRE(mlsc_encrypt_with_label(s, pub.data, pub.len, label, ctx.data,
					ctx.len, pt.data, pt.len, kem2,
					&kem2_len, ct2, &ct2_len) == 0);
	EXPECT(kem.len == kem2_len);
	EXPECT(ct.len == ct2_len);
	out_len = sizeof(out);
	REQUIRE(mlsc_decrypt_with_label(s, priv.data, priv.len, label,
					ctx.data, ctx.len, kem2, kem2_len, ct2,
					ct2_len, out, &out_len) == 0);
	EXPECT(bytes_eq(&pt, out, out_len));
out:
	bytes_free(&priv);
	bytes_free(&pub);
	bytes_free(&ctx);
	bytes_free(&pt);
	bytes_free(&kem);
	bytes_free(&ct);
	return good;
}

static void crypto_basics(void)
{
	json_t *root = vec_load("crypto-basics.json"), *c;
	unsigned int seen = 0;
	size_t i;

	if (!tap_ok(json_array_size(root) > 0,
		    "crypto-basics.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c) {
		unsigned int id = json_integer_value(json_object_get(c,
							"cipher_suite"));
		bool good = basics_case(c, id);

		tap_ok(good, "crypto-basics.json case %zu (suite %u): "
		       "encrypt_with_label opens, tampered does not, and "
		       "encrypts to pub again", i, id);
		if (good)
			seen |= 1U << id;
	}
	/* Each case is a test of its own; the file decides the suites. */
	tap_diag("crypto-basics.json: %zu encrypt_with_label cases, suites "
		 "passed %#x", json_array_size(root), seen);
	json_decref(root);
}

/* ---- key-schedule.json: external_pub = DeriveKeyPair(external_secret) --- */

static bool external_pub_case(const struct mlsc_suite *s,
			      const struct mlsc_hpke_suite *hs, json_t *ep)
{
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], pk2[MLSC_MAX_PK];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk);
	size_t pk2_len = sizeof(pk2);
	struct bytes secret = { 0 }, pub = { 0 };
	bool good = true;

	HEX(ep, "external_secret", &secret);
	HEX(ep, "external_pub", &pub);
	REQUIRE(mlsc_hpke_derive_key_pair(hs, secret.data, secret.len, sk,
					  &sk_len, pk, &pk_len) == 0);
	EXPECT(bytes_eq(&pub, pk, pk_len));
	EXPECT(s->nsk == sk_len);
	/* The private key gives the same public key. */
	REQUIRE(mlsc_hpke_public_key(hs, sk, sk_len, pk2, &pk2_len) == 0);
	EXPECT(bytes_eq(&pub, pk2, pk2_len));
out:
	bytes_free(&secret);
	bytes_free(&pub);
	return good;
}

static void key_schedule_external_pub(void)
{
	json_t *root = vec_load("key-schedule.json"), *c, *epochs, *ep;
	unsigned int seen = 0;
	size_t i, j, cases = 0;

	if (!tap_ok(json_array_size(root) > 0,
		    "key-schedule.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c) {
		unsigned int id = json_integer_value(json_object_get(c,
							"cipher_suite"));
		const struct mlsc_suite *s = mlsc_suite_get(id);
		struct mlsc_hpke_suite hs;
		bool all = true;

		epochs = json_object_get(c, "epochs");
		if (!tap_ok(s && !mlsc_hpke_suite_mls(&hs, s) &&
			    json_array_size(epochs) > 0,
			    "key-schedule.json case %zu: suite %u is known "
			    "and has epochs", i, id))
			continue;
		json_array_foreach(epochs, j, ep) {
			all &= tap_ok(external_pub_case(s, &hs, ep),
				      "key-schedule.json case %zu (suite %u) "
				      "epoch %zu: DeriveKeyPair(external_secret) "
				      "gives external_pub", i, id, j);
			cases++;
		}
		if (all)
			seen |= 1U << id;
	}
	tap_diag("key-schedule.json: %zu external_pub cases, suites passed "
		 "%#x", cases, seen);
	json_decref(root);
}

/* ---- RFC 9180 test vectors, mode_base ----------------------------------- */

static bool check_pair(const struct mlsc_hpke_suite *hs, json_t *v,
		       const char *ikm_key, const char *sk_key,
		       const char *pk_key)
{
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk);
	struct bytes ikm = { 0 }, skm = { 0 }, pkm = { 0 };
	bool good = true;

	HEX(v, ikm_key, &ikm);
	HEX(v, sk_key, &skm);
	HEX(v, pk_key, &pkm);
	REQUIRE(mlsc_hpke_derive_key_pair(hs, ikm.data, ikm.len, sk, &sk_len,
					  pk, &pk_len) == 0);
	if (!EXPECT(bytes_eq(&skm, sk, sk_len)))
		tap_diag("%s", sk_key);
	if (!EXPECT(bytes_eq(&pkm, pk, pk_len)))
		tap_diag("%s", pk_key);
out:
	bytes_free(&ikm);
	bytes_free(&skm);
	bytes_free(&pkm);
	return good;
}

static bool check_base_vector(json_t *v, size_t *n_enc, size_t *n_exp)
{
	struct bytes info = { 0 }, ikm_e = { 0 }, sk_r = { 0 }, pk_r = { 0 };
	struct bytes enc = { 0 }, ss = { 0 }, key = { 0 }, nonce = { 0 };
	struct bytes exp_secret = { 0 };
	/* one encryption's or export's values */
	struct bytes aad = { 0 }, pt = { 0 }, ct = { 0 }, n = { 0 };
	struct bytes ectx = { 0 }, val = { 0 };
	uint8_t got_enc[MLSC_MAX_PK], got_ss[MLSC_MAX_HASH];
	size_t enc_len = sizeof(got_enc), i;
	struct mlsc_hpke_ctx s = { 0 }, r = { 0 };
	struct mlsc_hpke_suite hs;
	bool good = true;
	json_t *e;

	REQUIRE(mlsc_hpke_suite_init(&hs,
		json_integer_value(json_object_get(v, "kem_id")),
		json_integer_value(json_object_get(v, "kdf_id")),
		json_integer_value(json_object_get(v, "aead_id"))) == 0);
	good &= check_pair(&hs, v, "ikmR", "skRm", "pkRm");
	good &= check_pair(&hs, v, "ikmE", "skEm", "pkEm");

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
	REQUIRE(mlsc_hpke_encap(&hs, pk_r.data, pk_r.len, ikm_e.data,
				ikm_e.len, got_ss, got_enc, &enc_len) == 0);
	EXPECT(bytes_eq(&enc, got_enc, enc_len));
	EXPECT(bytes_eq(&ss, got_ss, mlsc_hpke_nsecret(&hs)));
	memset(got_ss, 0, sizeof(got_ss));
	REQUIRE(mlsc_hpke_decap(&hs, enc.data, enc.len, sk_r.data, sk_r.len,
				got_ss) == 0);
	EXPECT(bytes_eq(&ss, got_ss, mlsc_hpke_nsecret(&hs)));

	/* The key schedule, on both sides. */
	enc_len = sizeof(got_enc);
	REQUIRE(mlsc_hpke_setup_base_s_derand(&s, &hs, pk_r.data, pk_r.len,
					      info.data, info.len, ikm_e.data,
					      ikm_e.len, got_enc,
					      &enc_len) == 0);
	EXPECT(bytes_eq(&enc, got_enc, enc_len));
	REQUIRE(mlsc_hpke_setup_base_r(&r, &hs, enc.data, enc.len, sk_r.data,
				       sk_r.len, info.data, info.len) == 0);
	EXPECT(bytes_eq(&key, s.key, mlsc_hpke_nk(&hs)));
	EXPECT(bytes_eq(&key, r.key, mlsc_hpke_nk(&hs)));
	EXPECT(bytes_eq(&nonce, s.base_nonce, mlsc_hpke_nn(&hs)));
	EXPECT(bytes_eq(&nonce, r.base_nonce, mlsc_hpke_nn(&hs)));
	EXPECT(bytes_eq(&exp_secret, s.exporter_secret, mlsc_hpke_nh(&hs)));
	EXPECT(bytes_eq(&exp_secret, r.exporter_secret, mlsc_hpke_nh(&hs)));

	/* Every encryption, in sequence: Seal on one side, Open on the other. */
	json_array_foreach(json_object_get(v, "encryptions"), i, e) {
		uint8_t out[1024], nonce_i[MLSC_NONCE];
		size_t out_len = sizeof(out), k;

		HEX(e, "aad", &aad);
		HEX(e, "plaintext", &pt);
		HEX(e, "ciphertext", &ct);
		HEX(e, "nonce", &n);
		REQUIRE(ct.len <= sizeof(out));
		/* ComputeNonce(seq) of the sender's context. */
		memcpy(nonce_i, s.base_nonce, MLSC_NONCE);
		for (k = 0; k < 8; k++)
			nonce_i[MLSC_NONCE - 1 - k] ^= (uint8_t)(s.seq >> (8 * k));
		EXPECT(i == s.seq);
		EXPECT(bytes_eq(&n, nonce_i, mlsc_hpke_nn(&hs)));
		REQUIRE(mlsc_hpke_seal(&s, aad.data, aad.len, pt.data, pt.len,
				       out, &out_len) == 0);
		if (!EXPECT(bytes_eq(&ct, out, out_len)))
			tap_diag("seq %zu", i);
		out_len = sizeof(out);
		REQUIRE(mlsc_hpke_open(&r, aad.data, aad.len, ct.data, ct.len,
				       out, &out_len) == 0);
		if (!EXPECT(bytes_eq(&pt, out, out_len)))
			tap_diag("seq %zu", i);
		bytes_free(&aad);
		bytes_free(&pt);
		bytes_free(&ct);
		bytes_free(&n);
		(*n_enc)++;
	}
	if (!mlsc_hpke_nk(&hs)) {
		uint8_t out[MLSC_TAG];
		size_t out_len = sizeof(out);

		EXPECT(mlsc_hpke_seal(&s, NULL, 0, NULL, 0, out, &out_len) ==
		       -EOPNOTSUPP);
	}

	json_array_foreach(json_object_get(v, "exports"), i, e) {
		uint8_t out[1024];
		json_int_t len = json_integer_value(json_object_get(e, "L"));

		HEX(e, "exporter_context", &ectx);
		HEX(e, "exported_value", &val);
		REQUIRE(len > 0);
		REQUIRE(len <= (json_int_t)sizeof(out));
		REQUIRE(mlsc_hpke_export(&s, ectx.data, ectx.len, out, len) == 0);
		EXPECT(bytes_eq(&val, out, len));
		memset(out, 0, sizeof(out));
		REQUIRE(mlsc_hpke_export(&r, ectx.data, ectx.len, out, len) == 0);
		EXPECT(bytes_eq(&val, out, len));
		bytes_free(&ectx);
		bytes_free(&val);
		(*n_exp)++;
	}
out:
	mlsc_hpke_ctx_clear(&s);
	mlsc_hpke_ctx_clear(&r);
	bytes_free(&info);
	bytes_free(&ikm_e);
	bytes_free(&sk_r);
	bytes_free(&pk_r);
	bytes_free(&enc);
	bytes_free(&ss);
	bytes_free(&key);
	bytes_free(&nonce);
	bytes_free(&exp_secret);
	bytes_free(&aad);
	bytes_free(&pt);
	bytes_free(&ct);
	bytes_free(&n);
	bytes_free(&ectx);
	bytes_free(&val);
	return good;
}

static void rfc9180_base_mode(void)
{
	const char *path = getenv("HPKE_VECTORS");
	size_t i, base = 0, other = 0, n_enc = 0, n_exp = 0;
	unsigned int kems = 0, kdfs = 0, aeads = 0;
	json_t *root, *v;

	if (!path || !*path)
		path = HPKE_VECTORS_DEFAULT;
	root = vec_load_path(path);
	if (!tap_ok(json_array_size(root) > 0,
		    "%s loads (make deps installs it)", path))
		return;
	json_array_foreach(root, i, v) {
		unsigned int kem = json_integer_value(json_object_get(v, "kem_id"));
		unsigned int kdf = json_integer_value(json_object_get(v, "kdf_id"));
		unsigned int aead = json_integer_value(json_object_get(v, "aead_id"));
		size_t enc0 = n_enc, exp0 = n_exp;
		bool good;

		if (json_integer_value(json_object_get(v, "mode")) != 0) {
			/* psk, auth, auth_psk: MLS uses mode_base only. */
			other++;
			continue;
		}
		good = check_base_vector(v, &n_enc, &n_exp);
		tap_ok(good, "RFC 9180 case %zu (mode_base, KEM %#x, KDF %#x, "
		       "AEAD %#x): DeriveKeyPair, Encap/Decap, the key schedule, "
		       "%zu encryptions, %zu exports", i, kem, kdf, aead,
		       n_enc - enc0, n_exp - exp0);
		kems |= 1U << (kem & 31);
		kdfs |= 1U << (kdf & 31);
		aeads |= 1U << (aead & 7);
		base++;
	}
	json_decref(root);
	tap_diag("%s: %zu mode_base cases (%zu encryptions, %zu exports)",
		 path, base, n_enc, n_exp);
	tap_diag("%zu cases of the psk, auth and auth_psk modes: not used by MLS",
		 other);
	tap_ok(base > 0, "RFC 9180 vectors: mode_base cases are there");
	/* The published file has P-256, P-521, X25519, X448, SHA-256 and
	 * SHA-512, the three AEADs and export-only. */
	tap_diag("KEM bits %#x, KDF bits %#x, AEAD bits %#x", kems, kdfs, aeads);
}

/* ---- round trips -------------------------------------------------------- */

#define RT_PT_MAX	70000
#define RT_CTX_MAX	16384

static bool round_trip(uint16_t id, const uint8_t *pt, const uint8_t *context,
		       uint8_t *ct, uint8_t *out)
{
	static const size_t pt_sizes[] = { 0, 1, 63, 1000, RT_PT_MAX };
	static const size_t ctx_sizes[] = { 0, 63, 64, RT_CTX_MAX };
	const struct mlsc_suite *s = mlsc_suite_get(id);
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], kem[2][MLSC_MAX_PK];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk), a, b;
	struct mlsc_hpke_suite hs;
	bool good = true;

	REQUIRE(s != NULL);
	REQUIRE(mlsc_hpke_suite_mls(&hs, s) == 0);
	REQUIRE(mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
					    &pk_len) == 0);
	EXPECT(s->nsk == sk_len);
	EXPECT(s->npk == pk_len);
	for (a = 0; a < sizeof(pt_sizes) / sizeof(pt_sizes[0]); a++) {
		for (b = 0; b < sizeof(ctx_sizes) / sizeof(ctx_sizes[0]); b++) {
			size_t kem_len = sizeof(kem[0]);
			size_t ct_len = RT_PT_MAX + MLSC_TAG;
			size_t out_len = RT_PT_MAX;

			REQUIRE(mlsc_encrypt_with_label(s, pk, pk_len,
				"UpdatePathNode", context, ctx_sizes[b], pt,
				pt_sizes[a], kem[a % 2], &kem_len, ct,
				&ct_len) == 0);
			EXPECT(s->npk == kem_len);
			EXPECT(pt_sizes[a] + MLSC_TAG == ct_len);
			REQUIRE(mlsc_decrypt_with_label(s, sk, sk_len,
				"UpdatePathNode", context, ctx_sizes[b],
				kem[a % 2], kem_len, ct, ct_len, out,
				&out_len) == 0);
			REQUIRE(pt_sizes[a] == out_len);
			EXPECT((out_len ? memcmp(pt, out, out_len) : 0) == 0);
		}
		/* A fresh ephemeral key every time. */
		if (a)
			EXPECT(memcmp(kem[0], kem[1], s->npk) != 0);
	}
out:
	return good;
}

static void round_trips(void)
{
	uint8_t *pt = malloc(RT_PT_MAX), *ct = malloc(RT_PT_MAX + MLSC_TAG);
	uint8_t *out = malloc(RT_PT_MAX), *context = malloc(RT_CTX_MAX);
	uint16_t id;

	if (tap_ok(pt && ct && out && context &&
		   RAND_bytes(pt, RT_PT_MAX) == 1 &&
		   RAND_bytes(context, RT_CTX_MAX) == 1,
		   "round trips: random plaintext and context"))
		for (id = 1; id <= 7; id++)
			tap_ok(round_trip(id, pt, context, ct, out),
			       "round trip, suite %u: EncryptWithLabel then "
			       "DecryptWithLabel, plaintexts of 0 to %d bytes, "
			       "contexts of 0 to %d, a fresh kem_output each "
			       "time", id, RT_PT_MAX, RT_CTX_MAX);
	free(pt);
	free(ct);
	free(out);
	free(context);
}

/* A context used for many messages: each Seal opens in order only. */
static bool context_sequence(void)
{
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx s = { 0 }, r = { 0 };
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], enc[MLSC_MAX_PK];
	uint8_t ct[3][8 + MLSC_TAG], out[8], e1[64], e2[64];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk), enc_len = sizeof(enc);
	bool good = true;
	size_t len;
	int i;

	REQUIRE(mlsc_hpke_suite_init(&hs, MLSC_KEM_P384, MLSC_KDF_SHA384,
				     MLSC_AEAD_AES256GCM) == 0);
	REQUIRE(mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
					    &pk_len) == 0);
	REQUIRE(mlsc_hpke_setup_base_s(&s, &hs, pk, pk_len,
				       (const uint8_t *)"info", 4, enc,
				       &enc_len) == 0);
	REQUIRE(mlsc_hpke_setup_base_r(&r, &hs, enc, enc_len, sk, sk_len,
				       (const uint8_t *)"info", 4) == 0);
	for (i = 0; i < 3; i++) {
		len = sizeof(ct[i]);
		REQUIRE(mlsc_hpke_seal(&s, NULL, 0,
				       (const uint8_t *)"message", 8,
				       ct[i], &len) == 0);
	}
	/* Out of order: the second first does not open, nor moves seq. */
	len = sizeof(out);
	EXPECT(mlsc_hpke_open(&r, NULL, 0, ct[1], sizeof(ct[1]), out,
			      &len) == -EBADMSG);
	EXPECT(r.seq == 0);
	for (i = 0; i < 3; i++) {
		len = sizeof(out);
		REQUIRE(mlsc_hpke_open(&r, NULL, 0, ct[i], sizeof(ct[i]),
				       out, &len) == 0);
		EXPECT(memcmp(out, "message", 8) == 0);
	}
	REQUIRE(mlsc_hpke_export(&s, (const uint8_t *)"x", 1, e1, 64) == 0);
	REQUIRE(mlsc_hpke_export(&r, (const uint8_t *)"x", 1, e2, 64) == 0);
	EXPECT(memcmp(e1, e2, 64) == 0);

	/* The last sequence number is refused (RFC 9180 §5.2). */
	s.seq = UINT64_MAX;
	len = sizeof(ct[0]);
	EXPECT(mlsc_hpke_seal(&s, NULL, 0, out, 8, ct[0], &len) == -EOVERFLOW);
	r.seq = UINT64_MAX;
	len = sizeof(out);
	EXPECT(mlsc_hpke_open(&r, NULL, 0, ct[0], sizeof(ct[0]), out,
			      &len) == -EOVERFLOW);
out:
	mlsc_hpke_ctx_clear(&s);
	mlsc_hpke_ctx_clear(&r);
	return good;
}

/* ---- bad inputs --------------------------------------------------------- */

static bool bad_keys(uint16_t kem)
{
	uint8_t zero[MLSC_MAX_PK] = { 0 };
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], enc[MLSC_MAX_PK];
	uint8_t ss[MLSC_MAX_HASH], bad[MLSC_MAX_PK];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk);
	size_t enc_len = sizeof(enc), npk, nsk, len;
	struct mlsc_hpke_suite hs;
	bool good = true;

	REQUIRE(mlsc_hpke_suite_init(&hs, kem, MLSC_KDF_SHA256,
				     MLSC_AEAD_AES128GCM) == 0);
	npk = mlsc_hpke_npk(&hs);
	nsk = mlsc_hpke_nsk(&hs);
	REQUIRE(mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
					    &pk_len) == 0);
	EXPECT(mlsc_hpke_check_public_key(&hs, pk, pk_len) == 0);

	/* Wrong lengths. */
	EXPECT(mlsc_hpke_check_public_key(&hs, pk, npk - 1) == -EINVAL);
	EXPECT(mlsc_hpke_encap(&hs, pk, npk + 1, NULL, 0, ss, enc,
			       &enc_len) == -EINVAL);
	EXPECT(mlsc_hpke_decap(&hs, pk, npk, sk, nsk - 1, ss) == -EINVAL);
	len = npk - 1;
	EXPECT(mlsc_hpke_encap(&hs, pk, npk, NULL, 0, ss, enc, &len) ==
	       -ENOSPC);
	len = npk - 1;
	EXPECT(mlsc_hpke_public_key(&hs, sk, nsk, enc, &len) == -ENOSPC);

	/* The all-zero public key: the identity encoding is not a point,
	 * and X25519's/X448's zero point gives an all-zero shared secret,
	 * which DH refuses. */
	enc_len = sizeof(enc);
	EXPECT(mlsc_hpke_encap(&hs, zero, npk, NULL, 0, ss, enc, &enc_len) ==
	       -EINVAL);
	EXPECT(mlsc_hpke_decap(&hs, zero, npk, sk, nsk, ss) == -EINVAL);

	if (kem == MLSC_KEM_X25519 || kem == MLSC_KEM_X448)
		goto out;
	/* A point off the curve, and the compressed form. */
	memcpy(bad, pk, npk);
	bad[npk - 1] ^= 1;
	EXPECT(mlsc_hpke_check_public_key(&hs, bad, npk) == -EINVAL);
	EXPECT(mlsc_hpke_decap(&hs, bad, npk, sk, nsk, ss) == -EINVAL);
	memcpy(bad, pk, npk);
	bad[0] = 0x02;
	EXPECT(mlsc_hpke_check_public_key(&hs, bad, npk) == -EINVAL);
	/* Scalars 0 and the all-ones (above the order). */
	len = sizeof(enc);
	EXPECT(mlsc_hpke_public_key(&hs, zero, nsk, enc, &len) == -EINVAL);
	memset(bad, 0xff, nsk);
	EXPECT(mlsc_hpke_public_key(&hs, bad, nsk, enc, &len) == -EINVAL);
	EXPECT(mlsc_hpke_decap(&hs, pk, npk, bad, nsk, ss) == -EINVAL);
out:
	return good;
}

static bool bad_suites_and_messages(void)
{
	const struct mlsc_suite *s = mlsc_suite_get(1);
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], kem[MLSC_MAX_PK];
	uint8_t ct[4 + MLSC_TAG], out[4];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk), kem_len, ct_len, len;
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx ctx = { 0 };
	bool good = true;
	uint8_t e[32];

	EXPECT(mlsc_suite_get(0) == NULL);
	EXPECT(mlsc_suite_get(8) == NULL);
	EXPECT(mlsc_hpke_suite_init(&hs, 0x0030, 1, 1) == -EOPNOTSUPP);
	EXPECT(mlsc_hpke_suite_init(&hs, 0x0020, 4, 1) == -EOPNOTSUPP);
	EXPECT(mlsc_hpke_suite_init(&hs, 0x0020, 1, 4) == -EOPNOTSUPP);
	EXPECT(mlsc_encrypt_with_label(NULL, pk, 32, "x", NULL, 0, out, 4,
				       kem, &kem_len, ct, &ct_len) == -EINVAL);

	REQUIRE(mlsc_hpke_suite_mls(&hs, s) == 0);
	REQUIRE(mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
					    &pk_len) == 0);
	kem_len = sizeof(kem);
	ct_len = sizeof(ct) - 1;
	EXPECT(mlsc_encrypt_with_label(s, pk, pk_len, "x", NULL, 0,
				       (const uint8_t *)"abcd", 4, kem,
				       &kem_len, ct, &ct_len) == -ENOSPC);
	ct_len = sizeof(ct);
	REQUIRE(mlsc_encrypt_with_label(s, pk, pk_len, "x", NULL, 0,
					(const uint8_t *)"abcd", 4, kem,
					&kem_len, ct, &ct_len) == 0);
	/* Truncated, too short for a tag, the plaintext buffer too small,
	 * another key, another kem_output. */
	len = sizeof(out);
	EXPECT(mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL, 0, kem,
				       kem_len, ct, ct_len - 1, out, &len) ==
	       -EBADMSG);
	EXPECT(mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL, 0, kem,
				       kem_len, ct, MLSC_TAG - 1, out,
				       &len) == -EBADMSG);
	len = sizeof(out) - 1;
	EXPECT(mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL, 0, kem,
				       kem_len, ct, ct_len, out, &len) ==
	       -ENOSPC);
	len = sizeof(out);
	sk[5] ^= 1;
	EXPECT(mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL, 0, kem,
				       kem_len, ct, ct_len, out, &len) ==
	       -EBADMSG);
	sk[5] ^= 1;
	kem[3] ^= 1;
	EXPECT(mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL, 0, kem,
				       kem_len, ct, ct_len, out, &len) ==
	       -EBADMSG);
	kem[3] ^= 1;
	EXPECT(mlsc_decrypt_with_label(s, sk, sk_len, NULL, NULL, 0, kem,
				       kem_len, ct, ct_len, out, &len) ==
	       -EINVAL);
	EXPECT(mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL, 1, kem,
				       kem_len, ct, ct_len, out, &len) ==
	       -EINVAL);
	REQUIRE(mlsc_decrypt_with_label(s, sk, sk_len, "x", NULL, 0, kem,
					kem_len, ct, ct_len, out, &len) == 0);
	EXPECT(memcmp(out, "abcd", 4) == 0);

	/* Export: L of 0 and above 255 * Nh; export-only Seal and Open. */
	REQUIRE(mlsc_hpke_suite_init(&hs, MLSC_KEM_X25519, MLSC_KDF_SHA256,
				     MLSC_AEAD_EXPORT_ONLY) == 0);
	kem_len = sizeof(kem);
	REQUIRE(mlsc_hpke_setup_base_s(&ctx, &hs, pk, pk_len, NULL, 0, kem,
				       &kem_len) == 0);
	EXPECT(mlsc_hpke_export(&ctx, NULL, 0, e, 0) == -EINVAL);
	EXPECT(mlsc_hpke_export(&ctx, NULL, 0, e, 255 * 32 + 1) == -EINVAL);
	EXPECT(mlsc_hpke_export(&ctx, NULL, 0, e, sizeof(e)) == 0);
	len = sizeof(ct);
	EXPECT(mlsc_hpke_seal(&ctx, NULL, 0, out, 4, ct, &len) ==
	       -EOPNOTSUPP);
	len = sizeof(out);
	EXPECT(mlsc_hpke_open(&ctx, NULL, 0, ct, sizeof(ct), out, &len) ==
	       -EOPNOTSUPP);
out:
	mlsc_hpke_ctx_clear(&ctx);
	return good;
}

/* A context holds secrets: clearing it leaves nothing, and a failed
 * setup leaves nothing either. */
static bool context_erased(void)
{
	static const uint8_t zero[sizeof(struct mlsc_hpke_ctx)];
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx ctx;
	uint8_t sk[MLSC_MAX_SK], pk[MLSC_MAX_PK], enc[MLSC_MAX_PK];
	size_t sk_len = sizeof(sk), pk_len = sizeof(pk), enc_len = sizeof(enc);
	bool good = true;

	REQUIRE(mlsc_hpke_suite_init(&hs, MLSC_KEM_X448, MLSC_KDF_SHA512,
				     MLSC_AEAD_CHACHA20POLY1305) == 0);
	REQUIRE(mlsc_hpke_generate_key_pair(&hs, sk, &sk_len, pk,
					    &pk_len) == 0);
	REQUIRE(mlsc_hpke_setup_base_s(&ctx, &hs, pk, pk_len, NULL, 0, enc,
				       &enc_len) == 0);
	EXPECT(memcmp(&ctx, zero, sizeof(ctx)) != 0);
	mlsc_hpke_ctx_clear(&ctx);
	EXPECT(memcmp(&ctx, zero, sizeof(ctx)) == 0);

	memset(&ctx, 0xa5, sizeof(ctx));
	EXPECT(mlsc_hpke_setup_base_r(&ctx, &hs, enc, enc_len - 1, sk, sk_len,
				      NULL, 0) == -EINVAL);
	EXPECT(memcmp(&ctx, zero, sizeof(ctx)) == 0);
out:
	return good;
}

int main(void)
{
	static const uint16_t kems[] = {
		MLSC_KEM_P256, MLSC_KEM_P384, MLSC_KEM_P521,
		MLSC_KEM_X25519, MLSC_KEM_X448,
	};
	size_t i;

	crypto_basics();
	key_schedule_external_pub();
	rfc9180_base_mode();
	round_trips();
	tap_ok(context_sequence(), "a context's Seals open in order only, "
	       "both sides export alike, the last sequence number is refused");
	for (i = 0; i < sizeof(kems) / sizeof(kems[0]); i++)
		tap_ok(bad_keys(kems[i]), "KEM %#x: keys of wrong lengths, the "
		       "all-zero key, points off the curve, compressed points "
		       "and out-of-range scalars are refused", kems[i]);
	tap_ok(bad_suites_and_messages(), "unknown suites, short buffers, "
	       "tampered messages and export-only misuse are refused");
	tap_ok(context_erased(), "a cleared context, and one whose setup "
	       "failed, hold nothing");
	return tap_done();
}
