// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace HPKE sender of hpke_user.c, the joining side of an
 * external commit, against RFC 9180 appendix A.1.1 and A.3.1 (mode_base,
 * exported values), against the external_pub of every epoch of
 * key-schedule.json, and against the external init round trips that the
 * module's self-test holds (kmod/hpke_selftest.h). It needs no kernel:
 * it also runs on the build host.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hpke_user.h"
#include "vectors.h"

#include "kselftest_harness.h"

static void unhex(struct __test_metadata *_metadata, const char *hex,
		  struct bytes *out)
{
	ASSERT_EQ(0, vec_unhex(hex, out));
}

#define INFO_A	"4f6465206f6e2061204772656369616e2055726e"

struct rfc_vector {
	unsigned int suite;
	const char *ikm_e, *ikm_r, *pk_r, *enc;
	const char *exported[3];
};

/* RFC 9180 A.1.1 (X25519) and A.3.1 (P-256), with their exported values
 * for the contexts "", 0x00 and "TestContext", L = 32. */
static const struct rfc_vector rfc_vectors[] = {
	{ 1,
	  "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
	  "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
	  "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
	  "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
	  { "3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee",
	    "2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5",
	    "e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931" } },
	{ 2,
	  "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e",
	  "668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550",
	  "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a"
	  "826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0",
	  "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325a"
	  "c98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
	  { "5e9bc3d236e1911d95e65b576a8a86d478fb827e8bdfe77b741b289890490d4d",
	    "6cff87658931bda83dc857e6353efe4987a201b849658d9b047aab4cf216e796",
	    "d8f1ea7942adbba7412c6d431c62d01371ea476b823eb697e1f6e6cae1dab85a" } },
};

TEST(rfc9180_base_mode)
{
	static const struct { const char *p; size_t len; } ctxs[3] = {
		{ "", 0 }, { "", 1 }, { "TestContext", 11 },
	};
	size_t i, j;

	for (i = 0; i < sizeof(rfc_vectors) / sizeof(rfc_vectors[0]); i++) {
		const struct rfc_vector *v = &rfc_vectors[i];
		struct bytes ikm_e, ikm_r, pk_r, enc, info, exp;
		uint8_t got_enc[HPKE_MAX_ENC], pub[HPKE_MAX_ENC], out[32];
		size_t enc_len, pub_len = sizeof(pub);

		unhex(_metadata, v->ikm_e, &ikm_e);
		unhex(_metadata, v->ikm_r, &ikm_r);
		unhex(_metadata, v->pk_r, &pk_r);
		unhex(_metadata, v->enc, &enc);
		unhex(_metadata, INFO_A, &info);

		ASSERT_EQ(0, hpke_derive_public(v->suite, ikm_r.data, ikm_r.len,
						pub, &pub_len));
		EXPECT_TRUE(bytes_eq(&pk_r, pub, pub_len));
		for (j = 0; j < 3; j++) {
			enc_len = sizeof(got_enc);
			ASSERT_EQ(0, hpke_setup_base_s_export(v->suite,
				ikm_e.data, ikm_e.len, pk_r.data, pk_r.len,
				info.data, info.len,
				(const uint8_t *)ctxs[j].p, ctxs[j].len,
				got_enc, &enc_len, out, sizeof(out)));
			unhex(_metadata, v->exported[j], &exp);
			EXPECT_TRUE(bytes_eq(&enc, got_enc, enc_len))
				TH_LOG("suite %u enc", v->suite);
			EXPECT_TRUE(bytes_eq(&exp, out, sizeof(out)))
				TH_LOG("suite %u exported value %zu", v->suite, j);
			bytes_free(&exp);
		}
		bytes_free(&ikm_e);
		bytes_free(&ikm_r);
		bytes_free(&pk_r);
		bytes_free(&enc);
		bytes_free(&info);
	}
}

/* external_pub of every epoch of key-schedule.json: suites 1, 2, 3 and 7;
 * 4, 5 and 6 (X448, P-521) are refused as the kernel refuses them. */
TEST(key_schedule_external_pub)
{
	json_t *root = vec_load("key-schedule.json"), *e, *ep;
	unsigned int suite, checked = 0;
	size_t i;

	ASSERT_NE(NULL, root);
	for (suite = 1; suite <= 7; suite++) {
		e = vec_entry(root, suite, 0);
		ASSERT_NE(NULL, e) TH_LOG("no key-schedule vector for suite %u",
					  suite);
		ASSERT_LT(0, json_array_size(json_object_get(e, "epochs")));
		json_array_foreach(json_object_get(e, "epochs"), i, ep) {
			struct bytes secret, want;
			uint8_t pub[HPKE_MAX_ENC];
			size_t len = sizeof(pub);
			int ret;

			ASSERT_EQ(0, vec_get_hex(ep, "external_secret", &secret));
			ASSERT_EQ(0, vec_get_hex(ep, "external_pub", &want));
			ret = hpke_derive_public(suite, secret.data, secret.len,
						 pub, &len);
			if (suite >= 4 && suite <= 6) {
				EXPECT_EQ(-EOPNOTSUPP, ret);
			} else {
				EXPECT_EQ(0, ret);
				EXPECT_TRUE(bytes_eq(&want, pub, len))
					TH_LOG("suite %u epoch %zu", suite, i);
				checked++;
			}
			bytes_free(&secret);
			bytes_free(&want);
		}
	}
	EXPECT_LT(0, checked);
	json_decref(root);
}

struct ext_vector {
	unsigned int suite;
	const char *ikm_e, *enc, *init;
};

/* kmod/hpke_selftest.h's round trips: to the external_pub of epoch 0 of
 * key-schedule.json, ikmE = SHA-256("mls external init test " || suite). */
static const struct ext_vector ext_vectors[] = {
	{ 1, "8c32b2e2c146c8a97366420acfdb5a496ca651e5577a0c598b783d7344c9048f",
	  "a86777f0dbf24d27d3bf41549f4857216666e446627e0bc18105b86543feea70",
	  "c5a64bee290c4f666f7817107af286744fe09c2f38d42a6973c77806c383f8fa" },
	{ 2, "39457d3ed2681e3559bf88765a4b83e5f68ba6610d63671df0843ce46e5b3625",
	  "04c1274e753c7cd715adc63c8483eed62474ca7d4789b585ac2c2c4b3c8f19e4"
	  "6d8d5215d25d523a11e050cb4a864808e3d158a29fef50ed2d470281ea02d87d27",
	  "372ec22333726edca2fbb7381af8fa8e52df5f2971be2e36a3dec3121b8af9be" },
	{ 3, "c98597eaf823c54a966957dbd2c2ba98a9dcb59101105542cc919dc7a2a708d8",
	  "18fdabdd074b9f4f1a8f095af25dfc5314dd9cda43085c996c8207fd13b6e912",
	  "6f978690d63fd60f600eaa2c825853ef2ccf5ea096e5d1ccaee66240b0cafc09" },
	{ 7, "5ba1ab25db6d881eb180cdc6939e38183cbc70c08542ec4555af075c4afcd7a8",
	  "04a731ec9783685671801e2f8fbcedcaec3af246184a61109af81e03535c98d0"
	  "ed7e71b7dfa2c706fcd692940fd1872c6ca5c402b66de9a981ecb640c7557f36"
	  "95c43be845ffa208a11d61c741407641cc2459edf35445bc0b14c26894fdfa8f6f",
	  "a1196bb3de9292c5fd0e51de0b0af8274ada7a8f3c1efdf701849e91583d508b"
	  "f3c9b0e10fc8cb6e815712cbd05035b2" },
};

TEST(external_init_vectors)
{
	json_t *root = vec_load("key-schedule.json");
	static const char label[] = "MLS 1.0 external init secret";
	size_t i;

	ASSERT_NE(NULL, root);
	for (i = 0; i < sizeof(ext_vectors) / sizeof(ext_vectors[0]); i++) {
		const struct ext_vector *v = &ext_vectors[i];
		json_t *ep = json_array_get(json_object_get(
			vec_entry(root, v->suite, 0), "epochs"), 0);
		struct bytes secret, ikm_e, enc, init;
		uint8_t pub[HPKE_MAX_ENC], got_enc[HPKE_MAX_ENC];
		uint8_t out[HPKE_MAX_SECRET];
		size_t pub_len = sizeof(pub), enc_len = sizeof(got_enc);

		ASSERT_NE(NULL, ep);
		ASSERT_EQ(0, vec_get_hex(ep, "external_secret", &secret));
		unhex(_metadata, v->ikm_e, &ikm_e);
		unhex(_metadata, v->enc, &enc);
		unhex(_metadata, v->init, &init);
		ASSERT_EQ(0, hpke_derive_public(v->suite, secret.data,
						secret.len, pub, &pub_len));
		ASSERT_EQ(0, hpke_setup_base_s_export(v->suite, ikm_e.data,
			ikm_e.len, pub, pub_len, NULL, 0,
			(const uint8_t *)label, strlen(label),
			got_enc, &enc_len, out, init.len));
		EXPECT_TRUE(bytes_eq(&enc, got_enc, enc_len))
			TH_LOG("suite %u enc", v->suite);
		EXPECT_TRUE(bytes_eq(&init, out, init.len))
			TH_LOG("suite %u init_secret", v->suite);
		bytes_free(&secret);
		bytes_free(&ikm_e);
		bytes_free(&enc);
		bytes_free(&init);
	}
	json_decref(root);
}

/* A fresh ephemeral key per call; the sizes of each suite. */
TEST(encap_random)
{
	static const struct { unsigned int suite; size_t npk, nh; } s[] = {
		{ 1, 32, 32 }, { 2, 65, 32 }, { 3, 32, 32 }, { 7, 97, 48 },
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		uint8_t ikm[48], pub[HPKE_MAX_ENC], enc[2][HPKE_MAX_ENC];
		uint8_t init[2][HPKE_MAX_SECRET];
		size_t pub_len = sizeof(pub), len[2];
		int k;

		memset(ikm, (int)i + 1, sizeof(ikm));
		ASSERT_EQ(0, hpke_derive_public(s[i].suite, ikm, s[i].nh, pub,
						&pub_len));
		ASSERT_EQ(s[i].npk, pub_len);
		for (k = 0; k < 2; k++) {
			len[k] = sizeof(enc[k]);
			ASSERT_EQ(0, hpke_encap_export(s[i].suite, pub, pub_len,
						       enc[k], &len[k],
						       init[k]));
			EXPECT_EQ(s[i].npk, len[k]);
		}
		EXPECT_NE(0, memcmp(enc[0], enc[1], s[i].npk));
		EXPECT_NE(0, memcmp(init[0], init[1], s[i].nh));
	}
}

TEST(bad_inputs)
{
	uint8_t pub[HPKE_MAX_ENC], enc[HPKE_MAX_ENC], init[HPKE_MAX_SECRET];
	uint8_t ikm[32] = { 1 };
	size_t pub_len = sizeof(pub), len;

	ASSERT_EQ(0, hpke_derive_public(2, ikm, sizeof(ikm), pub, &pub_len));

	len = sizeof(enc);
	EXPECT_EQ(-EOPNOTSUPP, hpke_encap_export(5, pub, pub_len, enc, &len,
						 init));
	EXPECT_EQ(-EINVAL, hpke_encap_export(8, pub, pub_len, enc, &len,
					     init));
	EXPECT_EQ(-EINVAL, hpke_encap_export(2, pub, pub_len - 1, enc, &len,
					     init));
	len = 64;
	EXPECT_EQ(-ENOSPC, hpke_encap_export(2, pub, pub_len, enc, &len,
					     init));
	/* Off the curve, and compressed. */
	len = sizeof(enc);
	pub[64] ^= 1;
	EXPECT_EQ(-EINVAL, hpke_encap_export(2, pub, pub_len, enc, &len,
					     init));
	pub[64] ^= 1;
	pub[0] = 0x02;
	EXPECT_EQ(-EINVAL, hpke_encap_export(2, pub, pub_len, enc, &len,
					     init));
	/* X25519's small-order point 0. */
	memset(pub, 0, 32);
	EXPECT_EQ(-EINVAL, hpke_encap_export(1, pub, 32, enc, &len, init));
}

TEST_HARNESS_MAIN
