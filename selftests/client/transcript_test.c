// SPDX-License-Identifier: GPL-2.0
/*
 * The transcript hashes (userlib/client/transcript.c), on the host under
 * AddressSanitizer, LeakSanitizer and UBSan, judged by
 * transcript-hashes.json: for every case, the AuthenticatedContent of a
 * Commit is parsed, confirmed_transcript_hash_after and
 * interim_transcript_hash_after must come out of the client, and the
 * Commit's confirmation tag must be the MAC of the confirmed hash under
 * the case's confirmation_key (§6.1). The client never computes that
 * MAC (the kernel does, over its own key); the test checks it so that a
 * case whose content was not the one hashed cannot pass.
 * $MLS_VECTORS is the directory of the RFC 9420 vectors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "codec.h"
#include "suite.h"
#include "tap.h"
#include "transcript.h"
#include "vectors.h"
#include "wire.h"

#define HEX(obj, key, b) REQUIRE(!vec_get_hex(obj, key, b))

struct authenticated_content {
	uint16_t wire_format;
	struct mlsc_framed_content content;
	struct mlsc_auth_data auth;
};

static void io_authenticated_content(struct mlsc_io *io,
				     struct authenticated_content *ac)
{
	mlsc_io_u16(io, &ac->wire_format);
	mlsc_io_framed_content(io, &ac->content);
	mlsc_io_auth_data(io, &ac->auth, ac->content.content_type);
}

static bool tag_is_mac(const struct mlsc_suite *s, const struct bytes *key,
		       const uint8_t *confirmed, const struct mlsc_slice *tag)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!HMAC(EVP_get_digestbyname(s->md), key->data, key->len,
		  confirmed, s->nh, mac, &n))
		return false;
	return n == tag->len && !memcmp(mac, tag->p, n);
}

static bool transcript_case(json_t *c, const struct mlsc_suite *s)
{
	struct bytes key = { 0 }, ac_bytes = { 0 }, before = { 0 };
	struct bytes want_confirmed = { 0 }, want_interim = { 0 };
	uint8_t confirmed[MLSC_MAX_HASH], interim[MLSC_MAX_HASH];
	struct authenticated_content ac;
	struct mlsc_slice conf = { 0 };
	struct mlsc_arena arena;
	bool good = true;

	mlsc_arena_init(&arena);
	REQUIRE(s != NULL);
	HEX(c, "confirmation_key", &key);
	HEX(c, "authenticated_content", &ac_bytes);
	HEX(c, "interim_transcript_hash_before", &before);
	HEX(c, "confirmed_transcript_hash_after", &want_confirmed);
	HEX(c, "interim_transcript_hash_after", &want_interim);
	REQUIRE(before.len == s->nh && want_confirmed.len == s->nh &&
		want_interim.len == s->nh);
	REQUIRE(MLSC_DECODE(ac_bytes.data, ac_bytes.len, &arena, &ac,
			    io_authenticated_content) == 0);
	REQUIRE(ac.content.content_type == MLSC_CONTENT_COMMIT);

	EXPECT(mlsc_transcript_confirmed(s, before.data, ac.wire_format,
					 &ac.content, &ac.auth.signature,
					 confirmed) == 0 &&
	       bytes_eq(&want_confirmed, confirmed, s->nh));
	conf.p = want_confirmed.data;
	conf.len = want_confirmed.len;
	EXPECT(mlsc_transcript_interim(s, &conf, &ac.auth.confirmation_tag,
				       interim) == 0 &&
	       bytes_eq(&want_interim, interim, s->nh));
	/* Only Nh bytes or none (a new group) are a confirmed hash. */
	conf.len--;
	EXPECT(mlsc_transcript_interim(s, &conf, &ac.auth.confirmation_tag,
				       interim) == -EINVAL);
	conf.len = 0;
	EXPECT(mlsc_transcript_interim(s, &conf, &ac.auth.confirmation_tag,
				       interim) == 0 &&
	       !bytes_eq(&want_interim, interim, s->nh));
	conf.len = want_confirmed.len;
	EXPECT(tag_is_mac(s, &key, want_confirmed.data,
			  &ac.auth.confirmation_tag));

	/* One bit of the previous hash changes the result. */
	before.data[0] ^= 1;
	EXPECT(mlsc_transcript_confirmed(s, before.data, ac.wire_format,
					 &ac.content, &ac.auth.signature,
					 confirmed) == 0 &&
	       !bytes_eq(&want_confirmed, confirmed, s->nh));
	/* Only a Commit, only as Public or PrivateMessage, has one. */
	EXPECT(mlsc_transcript_confirmed(s, before.data, MLSC_WIRE_WELCOME,
					 &ac.content, &ac.auth.signature,
					 confirmed) == -EINVAL);
	ac.content.content_type = MLSC_CONTENT_APPLICATION;
	EXPECT(mlsc_transcript_confirmed(s, before.data, ac.wire_format,
					 &ac.content, &ac.auth.signature,
					 confirmed) == -EINVAL);
	EXPECT(mlsc_transcript_interim(NULL, &conf,
				       &ac.auth.confirmation_tag,
				       interim) == -EINVAL);
out:
	mlsc_arena_free(&arena);
	bytes_free(&key);
	bytes_free(&ac_bytes);
	bytes_free(&before);
	bytes_free(&want_confirmed);
	bytes_free(&want_interim);
	return good;
}

int main(void)
{
	json_t *root = vec_load("transcript-hashes.json"), *c;
	unsigned int seen = 0;
	size_t i;

	if (tap_ok(json_array_size(root) > 0,
		   "transcript-hashes.json loads from %s", vec_dir())) {
		json_array_foreach(root, i, c) {
			unsigned int id = json_integer_value(
				json_object_get(c, "cipher_suite"));
			bool good = transcript_case(c, mlsc_suite_get(id));

			tap_ok(good, "transcript-hashes.json case %zu (suite "
			       "%u): confirmed and interim hashes, and the "
			       "confirmation tag", i, id);
			if (good && id < 32)
				seen |= 1U << id;
		}
		tap_diag("transcript-hashes.json: %zu cases, suites "
			 "passed %#x", json_array_size(root), seen);
	}
	json_decref(root);
	return tap_done();
}
