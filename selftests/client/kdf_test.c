// SPDX-License-Identifier: GPL-2.0
/*
 * The client's hash and KDF (userlib/client/kdf.c), on the host, under
 * AddressSanitizer, LeakSanitizer and UBSan:
 *  - crypto-basics.json: every case's expand_with_label, derive_secret,
 *    derive_tree_secret (ExpandWithLabel over the generation) and
 *    ref_hash, all seven suites;
 *  - KDF.Extract: RFC 5869's SHA-256 cases A.1 and A.3 (empty salt), and
 *    an empty IKM, which is a zero-length message, not a missing one;
 *  - bad inputs: unknown suites, lengths ExpandWithLabel cannot give.
 * $MLS_VECTORS is the directory of the RFC 9420 vectors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "kdf.h"
#include "suite.h"
#include "tap.h"
#include "vectors.h"

#define HEX(obj, key, b) REQUIRE(!vec_get_hex(obj, key, b))

static bool basics_case(json_t *c, const struct mlsc_suite *s)
{
	json_t *ewl = json_object_get(c, "expand_with_label");
	json_t *ds = json_object_get(c, "derive_secret");
	json_t *dts = json_object_get(c, "derive_tree_secret");
	json_t *rh = json_object_get(c, "ref_hash");
	struct bytes secret = { 0 }, ctx = { 0 }, want = { 0 };
	struct bytes secret2 = { 0 }, want2 = { 0 }, secret3 = { 0 };
	struct bytes want3 = { 0 }, value = { 0 }, want4 = { 0 };
	uint64_t length = 0, length3 = 0, generation = 0;
	uint8_t out[1024], gen[4];
	bool good = true;

	REQUIRE(s != NULL);
	REQUIRE(ewl && ds && dts && rh);

	HEX(ewl, "secret", &secret);
	HEX(ewl, "context", &ctx);
	HEX(ewl, "out", &want);
	REQUIRE(!vec_get_u64(ewl, "length", &length));
	REQUIRE(length == want.len && length <= sizeof(out));
	REQUIRE(secret.len == s->nh);
	EXPECT(mlsc_expand_with_label(s, secret.data,
				      vec_get_str(ewl, "label"), ctx.data,
				      ctx.len, out, length) == 0 &&
	       bytes_eq(&want, out, length));

	HEX(ds, "secret", &secret2);
	HEX(ds, "out", &want2);
	REQUIRE(secret2.len == s->nh && want2.len == s->nh);
	EXPECT(mlsc_derive_secret(s, secret2.data, vec_get_str(ds, "label"),
				  out) == 0 && bytes_eq(&want2, out, s->nh));

	/* DeriveTreeSecret: ExpandWithLabel(secret, label, generation, L). */
	HEX(dts, "secret", &secret3);
	HEX(dts, "out", &want3);
	REQUIRE(!vec_get_u64(dts, "length", &length3));
	REQUIRE(!vec_get_u64(dts, "generation", &generation));
	REQUIRE(length3 == want3.len && length3 <= sizeof(out));
	REQUIRE(secret3.len == s->nh && generation <= UINT32_MAX);
	gen[0] = generation >> 24;
	gen[1] = generation >> 16;
	gen[2] = generation >> 8;
	gen[3] = generation;
	EXPECT(mlsc_expand_with_label(s, secret3.data,
				      vec_get_str(dts, "label"), gen,
				      sizeof(gen), out, length3) == 0 &&
	       bytes_eq(&want3, out, length3));

	HEX(rh, "value", &value);
	HEX(rh, "out", &want4);
	REQUIRE(want4.len == s->nh);
	EXPECT(mlsc_ref_hash(s, vec_get_str(rh, "label"), value.data,
			     value.len, out) == 0 &&
	       bytes_eq(&want4, out, s->nh));
out:
	bytes_free(&secret);
	bytes_free(&ctx);
	bytes_free(&want);
	bytes_free(&secret2);
	bytes_free(&want2);
	bytes_free(&secret3);
	bytes_free(&want3);
	bytes_free(&value);
	bytes_free(&want4);
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
		bool good = basics_case(c, mlsc_suite_get(id));

		tap_ok(good, "crypto-basics.json case %zu (suite %u): "
		       "expand_with_label, derive_secret, derive_tree_secret "
		       "and ref_hash", i, id);
		if (good && id < 32)
			seen |= 1U << id;
	}
	tap_diag("crypto-basics.json: %zu cases, suites passed %#x",
		 json_array_size(root), seen);
	json_decref(root);
}

/* RFC 5869 A.1 and A.3, and HMAC-SHA256(0^32, "") for an empty IKM. */
static bool extract(void)
{
	static const char *const prk_a1 =
		"077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5";
	static const char *const prk_a3 =
		"19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04";
	static const char *const prk_empty =
		"b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
	const struct mlsc_suite *s = mlsc_suite_get(1);
	struct bytes a1 = { 0 }, a3 = { 0 }, empty = { 0 };
	uint8_t ikm[22], salt[13], out[MLSC_MAX_HASH];
	bool good = true;
	size_t i;

	REQUIRE(s && s->nh == 32);
	REQUIRE(!vec_unhex(prk_a1, &a1) && !vec_unhex(prk_a3, &a3) &&
		!vec_unhex(prk_empty, &empty));
	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = i;
	EXPECT(mlsc_kdf_extract(s, salt, sizeof(salt), ikm, sizeof(ikm),
				out) == 0 && bytes_eq(&a1, out, 32));
	EXPECT(mlsc_kdf_extract(s, NULL, 0, ikm, sizeof(ikm), out) == 0 &&
	       bytes_eq(&a3, out, 32));
	EXPECT(mlsc_kdf_extract(s, NULL, 0, NULL, 0, out) == 0 &&
	       bytes_eq(&empty, out, 32));
out:
	bytes_free(&a1);
	bytes_free(&a3);
	bytes_free(&empty);
	return good;
}

static bool bad_inputs(void)
{
	const struct mlsc_suite *s = mlsc_suite_get(1);
	uint8_t secret[MLSC_MAX_HASH] = { 0 }, out[MLSC_MAX_HASH];
	bool good = true;

	EXPECT(mlsc_hash(NULL, "", 0, out) == -EINVAL);
	EXPECT(mlsc_kdf_extract(NULL, NULL, 0, secret, 1, out) == -EINVAL);
	EXPECT(mlsc_derive_secret(NULL, secret, "x", out) == -EINVAL);
	EXPECT(mlsc_ref_hash(NULL, "x", secret, 1, out) == -EINVAL);
	EXPECT(mlsc_expand_with_label(s, secret, "x", NULL, 0, out, 0) ==
	       -EINVAL);
	/* HKDF gives at most 255 * Nh bytes; the length is a uint16. */
	EXPECT(mlsc_expand_with_label(s, secret, "x", NULL, 0, out,
				      255 * 32 + 1) == -EINVAL);
	EXPECT(mlsc_expand_with_label(s, secret, "x", NULL, 0, out,
				      0x10000) == -EINVAL);
	return good;
}

int main(void)
{
	crypto_basics();
	tap_ok(extract(), "KDF.Extract: RFC 5869 A.1 and A.3, and an empty "
	       "IKM");
	tap_ok(bad_inputs(), "unknown suites and impossible lengths are "
	       "refused");
	return tap_done();
}
