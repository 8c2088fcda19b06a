// SPDX-License-Identifier: GPL-2.0
/*
 * KeyPackages (userlib/client/keypkg*.c, leaf.c) on the host, under
 * AddressSanitizer, LeakSanitizer and UBSan:
 *  - messages.json: every case's mls_key_package parses, validates
 *    (§10.1, signatures included) and serializes to the same bytes;
 *  - welcome.json: every case's key_package validates, its KeyPackageRef
 *    is the one exactly one of the Welcome's secrets lists, the private
 *    init key imports against it and opens that entry;
 *  - create -> serialize -> parse -> validate in all seven suites, the
 *    KeyPackageRef agreeing both ways;
 *  - bad inputs: a tampered signature, the wrong suite, init_key equal
 *    to encryption_key, an expired lifetime, every truncation;
 *  - credentials: X.509 refused without a callback, judged by one with;
 *  - the private keys: wiped when used, and in the freed handle.
 * Lifetimes are checked against a fixed "now": messages.json's key
 * packages were valid from 2023-03-08 to 2023-05-31, so "now" is in
 * April 2023 for them, and 2025 must find them expired; welcome.json's
 * lifetimes are [0, 2^64 - 1].
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>
#include <sanitizer/asan_interface.h>

#include "hpke.h"
#include "keypkg.h"
#include "leaf.h"
#include "tap.h"
#include "vectors.h"

/* 2023-04-01, and 2025-01-01 */
static const struct mlsc_validate_opts vec_opts = { .now = 1680307200 };
static const struct mlsc_validate_opts vec_late = { .now = 1735689600 };

/* ---- messages.json ---------------------------------------------------- */

static bool messages_case(json_t *c)
{
	struct bytes msg = { 0 };
	struct mlsc_keypkg *kp = NULL;
	struct mls_bytes again = { 0 };
	bool good = true;

	REQUIRE(!vec_get_hex(c, "mls_key_package", &msg));
	REQUIRE(mlsc_keypkg_parse(msg.data, msg.len, &kp) == 0);
	EXPECT(mlsc_keypkg_validate(kp, 0, &vec_opts) == 0);
	EXPECT(mlsc_keypkg_validate(kp, (uint16_t)mlsc_keypkg_suite(kp),
				    &vec_opts) == 0);
	EXPECT(mlsc_keypkg_validate(kp, 0, &vec_late) == -EKEYEXPIRED);
	REQUIRE(mlsc_keypkg_serialize(kp, &again) == 0);
	EXPECT(bytes_eq(&msg, again.data, again.len));
out:
	mls_bytes_free(&again);
	mlsc_keypkg_free(kp);
	bytes_free(&msg);
	return good;
}

static void messages(void)
{
	json_t *root = vec_load("messages.json"), *c;
	size_t i, ok = 0;

	if (!tap_ok(json_is_array(root) && json_array_size(root) > 0,
		    "messages.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c)
		if (tap_ok(messages_case(c), "messages.json case %zu: the "
			   "key package parses, validates, re-serializes", i))
			ok++;
	tap_diag("messages.json: %zu of %zu key packages valid", ok,
		 json_array_size(root));
	json_decref(root);
}

/* ---- welcome.json ----------------------------------------------------- */

static bool welcome_case(json_t *c)
{
	struct bytes kpb = { 0 }, wb = { 0 }, init = { 0 };
	struct mlsc_keypkg *kp = NULL;
	struct mlsc_keypkg_priv *priv = NULL;
	struct mls_bytes ref = { 0 }, pref = { 0 };
	struct mlsc_mls_message m;
	struct mlsc_arena arena;
	uint8_t pt[4096];
	size_t pt_len = sizeof(pt), hits = 0;
	uint64_t suite = 0;
	bool good = true;

	mlsc_arena_init(&arena);
	REQUIRE(!vec_get_u64(c, "cipher_suite", &suite));
	REQUIRE(!vec_get_hex(c, "key_package", &kpb));
	REQUIRE(!vec_get_hex(c, "welcome", &wb));
	REQUIRE(!vec_get_hex(c, "init_priv", &init));
	REQUIRE(mlsc_keypkg_parse(kpb.data, kpb.len, &kp) == 0);
	EXPECT(mlsc_keypkg_validate(kp, (uint16_t)suite, &vec_opts) == 0);
	EXPECT(mlsc_keypkg_validate(kp, (uint16_t)suite, &vec_late) == 0);
	REQUIRE(mlsc_keypkg_ref(kp, &ref) == 0);
	REQUIRE(MLSC_DECODE(wb.data, wb.len, &arena, &m,
			    mlsc_io_mls_message) == 0);
	REQUIRE(m.wire_format == MLSC_WIRE_WELCOME);
	for (size_t i = 0; i < m.welcome.n_secrets; i++) {
		const struct mlsc_encrypted_group_secrets *e =
			&m.welcome.secrets[i];
		struct mlsc_slice r = { ref.data, ref.len };

		if (!mlsc_slice_eq(&e->new_member, &r))
			continue;
		hits++;
		REQUIRE(mlsc_keypkg_priv_import(kpb.data, kpb.len, init.data,
						init.len, NULL, 0, &priv) == 0);
		REQUIRE(mlsc_keypkg_priv_ref(priv, &pref) == 0);
		EXPECT(pref.len == ref.len &&
		       !memcmp(pref.data, ref.data, ref.len));
		EXPECT(mlsc_keypkg_priv_matches(priv, &e->new_member));
		/* the kept init key opens the GroupSecrets */
		EXPECT(mlsc_decrypt_with_label(
			       mlsc_suite_get((uint16_t)suite), priv->init_sk,
			       priv->init_sk_len, "Welcome",
			       m.welcome.encrypted_group_info.p,
			       m.welcome.encrypted_group_info.len,
			       e->secrets.kem_output.p,
			       e->secrets.kem_output.len,
			       e->secrets.ciphertext.p,
			       e->secrets.ciphertext.len, pt, &pt_len) == 0);
	}
	EXPECT(hits == 1);
	/* a private key that is not the init key's is refused */
	if (init.len) {
		struct mlsc_keypkg_priv *bad = NULL;

		init.data[init.len - 1] ^= 1;
		EXPECT(mlsc_keypkg_priv_import(kpb.data, kpb.len, init.data,
					       init.len, NULL, 0, &bad) ==
		       -EKEYREJECTED);
		EXPECT(bad == NULL);
	}
out:
	explicit_bzero(pt, sizeof(pt));
	mlsc_keypkg_priv_free(priv);
	mls_bytes_free(&ref);
	mls_bytes_free(&pref);
	mlsc_keypkg_free(kp);
	mlsc_arena_free(&arena);
	bytes_free(&kpb);
	bytes_free(&wb);
	bytes_free(&init);
	return good;
}

static void welcome(void)
{
	json_t *root = vec_load("welcome.json"), *c;
	size_t i;

	if (!tap_ok(json_is_array(root) && json_array_size(root) > 0,
		    "welcome.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c)
		tap_ok(welcome_case(c), "welcome.json case %zu: the key package "
		       "validates, its ref is in the Welcome, its init key "
		       "opens it", i);
	tap_diag("welcome.json: %zu cases", json_array_size(root));
	json_decref(root);
}

/* ---- created ones ----------------------------------------------------- */

#define NOW	1700000000ULL

static const struct mlsc_validate_opts now_opts = { .now = NOW };

static void params_basic(struct mlsc_keypkg_params *p, uint16_t suite)
{
	static const char id[] = "alice";

	memset(p, 0, sizeof(*p));
	p->cipher_suite = suite;
	p->credential.type = MLS_CREDENTIAL_BASIC;
	p->credential.identity = id;
	p->credential.identity_len = sizeof(id) - 1;
	p->not_before = NOW - 3600;
	p->not_after = NOW + 86400;
}

/* Sign @kp's KeyPackageTBS again with @key, into @arena. */
static int resign(struct mlsc_key_package *kp, const struct mls_sig_key *key,
		  struct mlsc_arena *arena)
{
	uint8_t *sig = mlsc_arena_alloc(arena, MLS_SIGNATURE_MAX);
	size_t len = MLS_SIGNATURE_MAX;
	struct mlsc_wbuf tbs;
	int err;

	if (!sig)
		return -ENOMEM;
	err = mlsc_keypkg_tbs(kp, &tbs);
	if (err)
		return err;
	err = mls_sign_with_label(key, "KeyPackageTBS", tbs.p, tbs.len, sig,
				  &len);
	mlsc_wbuf_free(&tbs);
	kp->signature.p = sig;
	kp->signature.len = len;
	return err;
}

static bool round_trip(uint16_t suite)
{
	struct mlsc_keypkg_params p;
	struct mls_sig_key *key = NULL;
	struct mlsc_keypkg_priv *priv = NULL;
	struct mlsc_keypkg *kp = NULL;
	struct mls_bytes msg = { 0 }, again = { 0 }, r1 = { 0 }, r2 = { 0 };
	struct mlsc_validate_opts late = { .now = NOW + 86401 };
	struct mlsc_validate_opts early = { .now = NOW - 3601 };
	struct mlsc_key_package same;
	struct mlsc_arena arena;
	struct mlsc_cred cred;
	bool good = true;

	mlsc_arena_init(&arena);
	params_basic(&p, suite);
	REQUIRE(mls_sig_key_generate(suite, &key) == 0);
	REQUIRE(mlsc_keypkg_create(&p, key, &msg, &priv) == 0);
	REQUIRE(mlsc_keypkg_parse(msg.data, msg.len, &kp) == 0);
	EXPECT(mlsc_keypkg_validate(kp, suite, &now_opts) == 0);
	EXPECT(mlsc_keypkg_suite(kp) == suite);
	REQUIRE(mlsc_keypkg_serialize(kp, &again) == 0);
	EXPECT(again.len == msg.len && !memcmp(again.data, msg.data, msg.len));
	REQUIRE(mlsc_keypkg_ref(kp, &r1) == 0);
	REQUIRE(mlsc_keypkg_priv_ref(priv, &r2) == 0);
	EXPECT(r1.len == mls_suite_hash_len(suite) && r1.len == r2.len &&
	       !memcmp(r1.data, r2.data, r1.len));
	EXPECT(mlsc_keypkg_credential(kp, &cred) == 0 &&
	       cred.type == MLS_CREDENTIAL_BASIC && cred.identity_len == 5 &&
	       !memcmp(cred.identity, "alice", 5));
	/* the private keys are those of the published public keys */
	{
		struct mlsc_hpke_suite hs;
		uint8_t pk[MLSC_MAX_PK];
		size_t pk_len = sizeof(pk);

		REQUIRE(mlsc_hpke_suite_mls(&hs, mlsc_suite_get(suite)) == 0);
		EXPECT(mlsc_hpke_public_key(&hs, priv->init_sk,
					    priv->init_sk_len, pk,
					    &pk_len) == 0 &&
		       pk_len == kp->kp.init_key.len &&
		       !memcmp(pk, kp->kp.init_key.p, pk_len));
		pk_len = sizeof(pk);
		EXPECT(mlsc_hpke_public_key(&hs, priv->enc_sk,
					    priv->enc_sk_len, pk,
					    &pk_len) == 0 &&
		       pk_len == kp->kp.leaf_node.encryption_key.len &&
		       !memcmp(pk, kp->kp.leaf_node.encryption_key.p, pk_len));
	}

	/* the lifetime, the suite */
	EXPECT(mlsc_keypkg_validate(kp, suite, &late) == -EKEYEXPIRED);
	EXPECT(mlsc_keypkg_validate(kp, suite, &early) == -EKEYEXPIRED);
	EXPECT(mlsc_keypkg_validate(kp, suite % 7 + 1, &now_opts) ==
	       -EPROTONOSUPPORT);

	/* init_key == encryption_key, signed properly all the same */
	same = kp->kp;
	same.init_key = same.leaf_node.encryption_key;
	REQUIRE(resign(&same, key, &arena) == 0);
	EXPECT(mlsc_key_package_check(&same, suite, &now_opts) == -EBADMSG);
	/* a leaf of source update in a KeyPackage, re-signed */
	same = kp->kp;
	same.leaf_node.source = MLSC_LEAF_SOURCE_UPDATE;
	REQUIRE(resign(&same, key, &arena) == 0);
	EXPECT(mlsc_key_package_check(&same, suite, &now_opts) == -EBADMSG);
	/* and the untouched one re-signed still passes: resign() is sound */
	same = kp->kp;
	REQUIRE(resign(&same, key, &arena) == 0);
	EXPECT(mlsc_key_package_check(&same, suite, &now_opts) == 0);

	/* a flipped bit in each signature */
	for (int which = 0; which < 2; which++) {
		struct mlsc_keypkg *bad = NULL;
		const struct mlsc_slice *sig = which ?
			&kp->kp.signature : &kp->kp.leaf_node.signature;
		size_t at = (size_t)(sig->p - kp->bytes) + sig->len / 2;

		msg.data[at] ^= 0x10;
		EXPECT(mlsc_keypkg_parse(msg.data, msg.len, &bad) == 0 &&
		       mlsc_keypkg_validate(bad, suite, &now_opts) == -EBADMSG);
		msg.data[at] ^= 0x10;
		mlsc_keypkg_free(bad);
	}
	/* every truncation */
	for (size_t n = 0; n < msg.len; n++) {
		struct mlsc_keypkg *bad = (struct mlsc_keypkg *)&bad;

		if (!EXPECT(mlsc_keypkg_parse(msg.data, n, &bad) == -EBADMSG &&
			    bad == NULL)) {
			tap_diag("truncated to %zu of %zu bytes", n, msg.len);
			break;
		}
	}
	/* a key of another scheme (suite 2's P-256 or 1's Ed25519) */
	{
		unsigned int os = mls_suite_signature_scheme(suite) ==
				  MLS_SIG_ED25519 ? 2 : 1;
		struct mls_sig_key *other = NULL;
		struct mlsc_keypkg_priv *x = (void *)&x;
		struct mls_bytes m2 = { 0 };

		REQUIRE(mls_sig_key_generate(os, &other) == 0);
		EXPECT(mlsc_keypkg_create(&p, other, &m2, &x) == -EINVAL &&
		       x == NULL && m2.data == NULL);
		mls_sig_key_free(other);
	}
	/* a lifetime that ends before it begins */
	p.not_before = p.not_after + 1;
	{
		struct mlsc_keypkg_priv *x = NULL;
		struct mls_bytes m2 = { 0 };

		EXPECT(mlsc_keypkg_create(&p, key, &m2, &x) == -EINVAL);
	}
out:
	mls_bytes_free(&msg);
	mls_bytes_free(&again);
	mls_bytes_free(&r1);
	mls_bytes_free(&r2);
	mlsc_keypkg_free(kp);
	mlsc_keypkg_priv_free(priv);
	mls_sig_key_free(key);
	mlsc_arena_free(&arena);
	return good;
}

/* ---- credentials ------------------------------------------------------ */

struct seen {
	int ret;
	int calls;
	size_t n_certs;
	struct mls_bytes spub;
	bool key_matches;
};

static int judge(void *arg, const struct mlsc_cred *cred,
		 const void *sig_key, size_t sig_key_len, uint16_t suite)
{
	struct seen *s = arg;

	(void)suite;
	s->calls++;
	s->n_certs = cred->type == MLS_CREDENTIAL_X509 ? cred->n_certs : 0;
	s->key_matches = sig_key_len == s->spub.len &&
			 !memcmp(sig_key, s->spub.data, sig_key_len);
	return s->ret;
}

static bool credentials(void)
{
	static const uint8_t c0[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	static const uint8_t c1[] = { 0x30, 0x03, 0x02, 0x01, 0x02 };
	const struct mlsc_cert certs[] = { { c0, sizeof(c0) },
					   { c1, sizeof(c1) } };
	const uint16_t types[] = { MLS_CREDENTIAL_BASIC, MLS_CREDENTIAL_X509 };
	struct seen seen = { 0 };
	struct mlsc_validate_opts opts = {
		.now = NOW, .credential_cb = judge, .credential_arg = &seen,
	};
	struct mlsc_keypkg_params p;
	struct mls_sig_key *key = NULL;
	struct mlsc_keypkg_priv *priv = NULL;
	struct mlsc_keypkg *kp = NULL;
	struct mls_bytes msg = { 0 };
	struct mlsc_cred cred;
	bool good = true;

	params_basic(&p, 1);
	p.credential.type = MLS_CREDENTIAL_X509;
	p.credential.certs = certs;
	p.credential.n_certs = 2;
	p.credential_types = types;
	p.n_credential_types = 2;
	REQUIRE(mls_sig_key_generate(1, &key) == 0);
	REQUIRE(mls_sig_key_export(key, MLS_KEY_PUBLIC, &seen.spub) == 0);
	REQUIRE(mlsc_keypkg_create(&p, key, &msg, &priv) == 0);
	REQUIRE(mlsc_keypkg_parse(msg.data, msg.len, &kp) == 0);
	EXPECT(mlsc_keypkg_validate(kp, 1, &now_opts) == -EKEYREJECTED);
	EXPECT(mlsc_keypkg_validate(kp, 1, NULL) == -EKEYREJECTED);
	EXPECT(mlsc_keypkg_validate(kp, 1, &opts) == 0);
	EXPECT(seen.calls == 1 && seen.n_certs == 2 && seen.key_matches);
	seen.ret = -EPERM;
	EXPECT(mlsc_keypkg_validate(kp, 1, &opts) == -EPERM);
	EXPECT(mlsc_keypkg_credential(kp, &cred) == 0 &&
	       cred.type == MLS_CREDENTIAL_X509 && cred.n_certs == 2 &&
	       cred.certs[1].len == sizeof(c1) &&
	       !memcmp(cred.certs[1].data, c1, sizeof(c1)));
	/* a credential type the leaf does not list among its own */
	mlsc_keypkg_free(kp);
	kp = NULL;
	mls_bytes_free(&msg);
	mlsc_keypkg_priv_free(priv);
	priv = NULL;
	p.n_credential_types = 1;
	seen.ret = 0;
	REQUIRE(mlsc_keypkg_create(&p, key, &msg, &priv) == 0);
	REQUIRE(mlsc_keypkg_parse(msg.data, msg.len, &kp) == 0);
	EXPECT(mlsc_keypkg_validate(kp, 1, &opts) == -EOPNOTSUPP);
	/* an unknown credential type cannot be made */
	mls_bytes_free(&msg);
	mlsc_keypkg_priv_free(priv);
	priv = NULL;
	p.credential.type = 7;
	EXPECT(mlsc_keypkg_create(&p, key, &msg, &priv) == -EINVAL);
out:
	mls_bytes_free(&msg);
	mls_bytes_free(&seen.spub);
	mlsc_keypkg_free(kp);
	mlsc_keypkg_priv_free(priv);
	mls_sig_key_free(key);
	return good;
}

/* An extension the leaf carries must be among its capabilities. */
static bool extensions(void)
{
	static const uint8_t data[] = { 1, 2, 3 };
	const struct mlsc_ext ext = { 0xff01, data, sizeof(data) };
	const uint16_t listed[] = { 0xff01 };
	struct mlsc_keypkg_params p;
	struct mls_sig_key *key = NULL;
	struct mlsc_keypkg_priv *priv = NULL;
	struct mlsc_keypkg *kp = NULL;
	struct mls_bytes msg = { 0 };
	bool good = true;

	params_basic(&p, 3);
	p.leaf_extensions = &ext;
	p.n_leaf_extensions = 1;
	p.extensions = &ext;
	p.n_extensions = 1;
	REQUIRE(mls_sig_key_generate(3, &key) == 0);
	REQUIRE(mlsc_keypkg_create(&p, key, &msg, &priv) == 0);
	REQUIRE(mlsc_keypkg_parse(msg.data, msg.len, &kp) == 0);
	EXPECT(mlsc_keypkg_validate(kp, 3, &now_opts) == -EOPNOTSUPP);
	mlsc_keypkg_free(kp);
	kp = NULL;
	mls_bytes_free(&msg);
	mlsc_keypkg_priv_free(priv);
	priv = NULL;
	p.extension_types = listed;
	p.n_extension_types = 1;
	REQUIRE(mlsc_keypkg_create(&p, key, &msg, &priv) == 0);
	REQUIRE(mlsc_keypkg_parse(msg.data, msg.len, &kp) == 0);
	EXPECT(mlsc_keypkg_validate(kp, 3, &now_opts) == 0);
	EXPECT(kp->kp.extensions.n == 1 &&
	       kp->kp.leaf_node.extensions.n == 1);
out:
	mls_bytes_free(&msg);
	mlsc_keypkg_free(kp);
	mlsc_keypkg_priv_free(priv);
	mls_sig_key_free(key);
	return good;
}

/* ---- the private keys ------------------------------------------------- */

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool wiping(void)
{
	struct mlsc_keypkg_params p;
	struct mls_sig_key *key = NULL;
	struct mlsc_keypkg_priv *priv = NULL;
	struct mls_bytes msg = { 0 };
	uint8_t sk[MLSC_MAX_SK], copy[MLSC_MAX_SK];
	size_t sk_len = sizeof(sk), small = 1;
	bool good = true;

	params_basic(&p, 7);
	REQUIRE(mls_sig_key_generate(7, &key) == 0);
	REQUIRE(mlsc_keypkg_create(&p, key, &msg, &priv) == 0);
	REQUIRE(priv->init_sk_len && priv->enc_sk_len == priv->init_sk_len);
	EXPECT(!all_zero(priv->init_sk, priv->init_sk_len));
	mlsc_keypkg_priv_erase_init(priv);
	EXPECT(priv->init_sk_len == 0 &&
	       all_zero(priv->init_sk, sizeof(priv->init_sk)));
	memcpy(copy, priv->enc_sk, priv->enc_sk_len);
	EXPECT(mlsc_keypkg_priv_take_enc(priv, sk, &small) == -ENOSPC);
	REQUIRE(mlsc_keypkg_priv_take_enc(priv, sk, &sk_len) == 0);
	EXPECT(!memcmp(sk, copy, sk_len));
	EXPECT(priv->enc_sk_len == 0 &&
	       all_zero(priv->enc_sk, sizeof(priv->enc_sk)));
	EXPECT(mlsc_keypkg_priv_take_enc(priv, sk, &sk_len) == -ENOKEY);
	explicit_bzero(sk, sizeof(sk));
	explicit_bzero(copy, sizeof(copy));
	mlsc_keypkg_priv_free(priv);
	priv = NULL;

	/*
	 * The freed handle: AddressSanitizer keeps freed memory in its
	 * quarantine, poisoned; unpoisoned for a moment, its key bytes
	 * show what free left in them.
	 */
	REQUIRE(mlsc_keypkg_priv_import(msg.data, msg.len, NULL, 0, NULL, 0,
					&priv) == -EINVAL);
	{
		struct mlsc_keypkg_priv *fresh = NULL;
		struct mls_bytes m2 = { 0 };
		uint8_t *init, *enc;
		size_t n;

		REQUIRE(mlsc_keypkg_create(&p, key, &m2, &fresh) == 0);
		init = fresh->init_sk;
		enc = fresh->enc_sk;
		n = fresh->init_sk_len;
		EXPECT(!all_zero(init, n) && !all_zero(enc, n));
		mlsc_keypkg_priv_free(fresh);
		mls_bytes_free(&m2);
#if defined(__SANITIZE_ADDRESS__)
		__asan_unpoison_memory_region(init, MLSC_MAX_SK);
		__asan_unpoison_memory_region(enc, MLSC_MAX_SK);
		EXPECT(all_zero(init, MLSC_MAX_SK) && all_zero(enc, MLSC_MAX_SK));
		__asan_poison_memory_region(init, MLSC_MAX_SK);
		__asan_poison_memory_region(enc, MLSC_MAX_SK);
#else
		EXPECT(!"built without AddressSanitizer: cannot look");
#endif
	}
out:
	mls_bytes_free(&msg);
	mlsc_keypkg_priv_free(priv);
	mls_sig_key_free(key);
	return good;
}

static void bad_args(void)
{
	struct mlsc_keypkg *kp = (struct mlsc_keypkg *)&kp;
	struct mls_bytes b;

	tap_ok(mlsc_keypkg_parse(NULL, 3, &kp) == -EINVAL && kp == NULL &&
	       mlsc_keypkg_parse("x", 1, NULL) == -EINVAL &&
	       mlsc_keypkg_validate(NULL, 1, NULL) == -EINVAL &&
	       mlsc_keypkg_ref(NULL, &b) == -EINVAL &&
	       mlsc_keypkg_serialize(NULL, &b) == -EINVAL &&
	       mlsc_keypkg_suite(NULL) == -EINVAL &&
	       mlsc_keypkg_credential(NULL, NULL) == -EINVAL &&
	       mlsc_keypkg_priv_ref(NULL, &b) == -EINVAL &&
	       mlsc_keypkg_create(NULL, NULL, &b, NULL) == -EINVAL,
	       "NULL arguments: -EINVAL");
	mlsc_keypkg_free(NULL);
	mlsc_keypkg_priv_free(NULL);
}

int main(void)
{
	messages();
	welcome();
	for (uint16_t s = 1; s <= 7; s++)
		tap_ok(round_trip(s), "suite %u: create, serialize, parse, "
		       "validate, ref; tampered, expired, wrong suite, "
		       "init_key == encryption_key, truncated: refused", s);
	tap_ok(credentials(), "X.509: refused by default, judged by the "
	       "application's callback with the leaf's signature key");
	tap_ok(extensions(), "leaf extensions must be listed in capabilities");
	tap_ok(wiping(), "private keys: wiped when used and when freed");
	bad_args();
	return tap_done();
}
