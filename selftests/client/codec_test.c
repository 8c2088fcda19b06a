// SPDX-License-Identifier: GPL-2.0
/*
 * The codec's strictness: varints (boundaries, non-minimal encodings, the
 * 0b11 prefix), opaque vectors and their limits, optional<T>, lists whose
 * elements overrun them, trailing bytes, undefined select tags on read
 * and on write; then every truncation of real messages and 20,000
 * seeded mutations of them: each is -EBADMSG or parses to a structure
 * that serializes back to exactly the mutated bytes (the encoding is
 * canonical), never a crash (AddressSanitizer, UBSan) or a leak (LSan).
 */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mls_client.h>

#include "codec.h"
#include "tap.h"
#include "vectors.h"
#include "wire.h"

#define FUZZ_ROUNDS	20000
#define FUZZ_SEED	0x6d6c7343u

static int parse(const void *p, size_t len, mlsc_io_fn fn, size_t size)
{
	struct mlsc_arena arena;
	_Alignas(max_align_t) uint8_t obj[4096];
	int err;

	if (size > sizeof(obj))
		abort();
	mlsc_arena_init(&arena);
	err = mlsc_decode(p, len, &arena, obj, size, fn);
	mlsc_arena_free(&arena);
	return err;
}

#define PARSE(bytes, fn, type)						\
	parse((bytes), sizeof(bytes), (mlsc_io_fn)(fn), sizeof(type))

static void io_opaque(struct mlsc_io *io, struct mlsc_slice *s)
{
	mlsc_io_opaque(io, s);
}

static void io_opaque4(struct mlsc_io *io, struct mlsc_slice *s)
{
	mlsc_io_opaque_max(io, s, 4);
}

struct u16s {
	uint16_t *v;
	size_t n;
};

static void io_u16s(struct mlsc_io *io, struct u16s *l)
{
	mlsc_io_u16_list(io, &l->v, &l->n);
}

struct opt {
	bool present;
	uint32_t v;
};

static void io_opt(struct mlsc_io *io, struct opt *o)
{
	if (mlsc_io_optional(io, &o->present))
		mlsc_io_u32(io, &o->v);
}

static void varints(void)
{
	static const uint32_t vals[] = { 0, 1, 63, 64, 16383, 16384,
					 MLSC_VARINT_MAX };
	static const size_t sizes[] = { 1, 1, 1, 2, 2, 4, 4 };
	bool good = true;

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct mlsc_wbuf w = { 0 };
		struct mlsc_io io;
		uint32_t v = vals[i], back = ~0U;

		mlsc_io_writer(&io, &w);
		mlsc_io_varint(&io, &v);
		good = good && !mlsc_io_finish(&io) && w.len == sizes[i] &&
		       mlsc_varint_decode(w.p, w.len, &back) == (int)w.len &&
		       back == vals[i];
		mlsc_wbuf_free(&w);
	}
	tap_ok(good, "varint boundaries 0, 63, 64, 16383, 16384, 2^30-1 "
	       "take 1, 1, 1, 2, 2, 4, 4 bytes and decode back");

	{
		struct mlsc_wbuf w = { 0 };
		struct mlsc_io io;
		uint32_t v = MLSC_VARINT_MAX + 1;

		mlsc_io_writer(&io, &w);
		mlsc_io_varint(&io, &v);
		tap_ok(mlsc_io_finish(&io) == -EMSGSIZE && !w.len,
		       "2^30 cannot be written as a varint: -EMSGSIZE");
		mlsc_wbuf_free(&w);
	}

	static const uint8_t nonmin1[] = { 0x40, 0x3f };
	static const uint8_t nonmin2[] = { 0x80, 0x00, 0x3f, 0xff };
	static const uint8_t nonmin3[] = { 0x80, 0x00, 0x00, 0x00 };
	static const uint8_t prefix11[] = { 0xc0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t trunc[] = { 0x80, 0x01, 0x00 };
	uint32_t v;

	tap_ok(mlsc_varint_decode(nonmin1, 2, &v) == -EBADMSG &&
	       mlsc_varint_decode(nonmin2, 4, &v) == -EBADMSG &&
	       mlsc_varint_decode(nonmin3, 4, &v) == -EBADMSG,
	       "a varint that is not minimal: -EBADMSG");
	tap_ok(mlsc_varint_decode(prefix11, 8, &v) == -EBADMSG,
	       "the varint prefix 0b11: -EBADMSG");
	tap_ok(mlsc_varint_decode(trunc, 3, &v) == -EBADMSG &&
	       mlsc_varint_decode(trunc, 0, &v) == -EBADMSG,
	       "a truncated varint: -EBADMSG");
}

static void vectors(void)
{
	static const uint8_t ok[] = { 0x03, 'a', 'b', 'c' };
	static const uint8_t empty[] = { 0x00 };
	static const uint8_t past_end[] = { 0x04, 'a', 'b', 'c' };
	static const uint8_t trailing[] = { 0x02, 'a', 'b', 'c' };
	static const uint8_t nonmin[] = { 0x40, 0x03, 'a', 'b', 'c' };
	static const uint8_t huge[] = { 0xbf, 0xff, 0xff, 0xff, 'a' };
	static const uint8_t five[] = { 0x05, 1, 2, 3, 4, 5 };

	tap_ok(!PARSE(ok, io_opaque, struct mlsc_slice) &&
	       !PARSE(empty, io_opaque, struct mlsc_slice),
	       "opaque<V> of 3 and of 0 bytes parse");
	tap_ok(PARSE(past_end, io_opaque, struct mlsc_slice) == -EBADMSG,
	       "a length past the end: -EBADMSG");
	tap_ok(parse(huge, sizeof(huge), (mlsc_io_fn)io_opaque,
		     sizeof(struct mlsc_slice)) == -EBADMSG,
	       "a length of 2^30-1 over 1 byte: -EBADMSG");
	tap_ok(PARSE(trailing, io_opaque, struct mlsc_slice) == -EBADMSG,
	       "a byte left after the structure: -EBADMSG");
	tap_ok(PARSE(nonmin, io_opaque, struct mlsc_slice) == -EBADMSG,
	       "a length in a non-minimal varint: -EBADMSG");
	tap_ok(PARSE(ok, io_opaque4, struct mlsc_slice) == 0 &&
	       PARSE(five, io_opaque4, struct mlsc_slice) == -EBADMSG,
	       "a vector over its limit: -EBADMSG");
	tap_ok(parse(NULL, 0, (mlsc_io_fn)io_opaque,
		     sizeof(struct mlsc_slice)) == -EBADMSG,
	       "nothing at all: -EBADMSG");

	{
		struct mlsc_slice s = { five, 5 };
		struct mlsc_wbuf w = { 0 };
		struct mlsc_io io;

		mlsc_io_writer(&io, &w);
		io_opaque4(&io, &s);
		tap_ok(mlsc_io_finish(&io) == -EMSGSIZE,
		       "writing a vector over its limit: -EMSGSIZE");
		mlsc_wbuf_free(&w);
	}
}

static void lists(void)
{
	static const uint8_t u16s[] = { 0x04, 0, 1, 0, 2 };
	static const uint8_t odd[] = { 0x03, 0, 1, 0 };
	static const uint8_t over[] = { 0x04, 0, 1, 0, 2, 3 };
	/* extensions<V> whose one extension's data runs past the vector */
	static const uint8_t ext_over[] = { 0x04, 0x00, 0x01, 0x02, 'x', 'y' };
	static const uint8_t ext_ok[] = { 0x05, 0x00, 0x01, 0x02, 'x', 'y' };
	struct mlsc_arena arena;
	struct u16s l;

	mlsc_arena_init(&arena);
	tap_ok(!MLSC_DECODE(u16s, sizeof(u16s), &arena, &l, io_u16s) &&
	       l.n == 2 && l.v[0] == 1 && l.v[1] == 2,
	       "uint16 list<V> of two parses");
	mlsc_arena_free(&arena);
	tap_ok(PARSE(odd, io_u16s, struct u16s) == -EBADMSG,
	       "a uint16 list of an odd length: -EBADMSG");
	tap_ok(PARSE(over, io_u16s, struct u16s) == -EBADMSG,
	       "a list followed by a stray byte: -EBADMSG");
	tap_ok(PARSE(ext_over, mlsc_io_extensions, struct mlsc_extensions) ==
	       -EBADMSG && !PARSE(ext_ok, mlsc_io_extensions,
				   struct mlsc_extensions),
	       "an element that runs past its vector's end: -EBADMSG");
}

static void optionals(void)
{
	static const uint8_t absent[] = { 0 };
	static const uint8_t present[] = { 1, 0, 0, 0, 7 };
	static const uint8_t two[] = { 2, 0, 0, 0, 7 };
	static const uint8_t absent_more[] = { 0, 0, 0, 0, 7 };

	tap_ok(!PARSE(absent, io_opt, struct opt) &&
	       !PARSE(present, io_opt, struct opt),
	       "optional<T> absent and present parse");
	tap_ok(PARSE(two, io_opt, struct opt) == -EBADMSG,
	       "optional<T> with presence byte 2: -EBADMSG");
	tap_ok(PARSE(absent_more, io_opt, struct opt) == -EBADMSG,
	       "an absent optional followed by its value: -EBADMSG");
}

static void tags(void)
{
	/* MLSMessage: version mls10, wire format 6 */
	static const uint8_t wf6[] = { 0, 1, 0, 6 };
	static const uint8_t v2[] = { 0, 2, 0, 5 };
	/* Credential of type 3 */
	static const uint8_t cred3[] = { 0, 3, 0 };
	/* a Proposal of type 8 (not in RFC 9420) */
	static const uint8_t prop8[] = { 0, 8, 0 };
	struct mlsc_message *msg = NULL;

	tap_ok(mlsc_message_parse(wf6, sizeof(wf6), &msg) == -EBADMSG &&
	       !msg, "an undefined wire format: -EBADMSG, no message");
	tap_ok(mlsc_message_parse(v2, sizeof(v2), &msg) == -EBADMSG,
	       "a protocol version other than mls10: -EBADMSG");
	tap_ok(PARSE(cred3, mlsc_io_credential, struct mlsc_credential) ==
	       -EBADMSG, "an undefined credential type: -EBADMSG");
	tap_ok(PARSE(prop8, mlsc_io_proposal, struct mlsc_proposal) ==
	       -EBADMSG, "an undefined proposal type: -EBADMSG");
	tap_ok(mlsc_message_parse(NULL, 4, &msg) == -EINVAL &&
	       mlsc_message_parse(wf6, 4, NULL) == -EINVAL &&
	       mlsc_message_wire_format(NULL) == -EINVAL,
	       "NULL arguments: -EINVAL");

	{
		struct mlsc_proposal p = { .type = 99 };
		struct mlsc_wbuf w;

		tap_ok(MLSC_ENCODE(&p, mlsc_io_proposal, &w) == -EINVAL &&
		       !w.p, "writing an undefined select tag: -EINVAL");
	}
}

/* The structures of messages.json that the fuzzer mutates. */
static const struct {
	const char *key;
	mlsc_io_fn fn;
	size_t size;
} corpus_fields[] = {
	{ "mls_welcome", (mlsc_io_fn)mlsc_io_mls_message,
	  sizeof(struct mlsc_mls_message) },
	{ "mls_group_info", (mlsc_io_fn)mlsc_io_mls_message,
	  sizeof(struct mlsc_mls_message) },
	{ "mls_key_package", (mlsc_io_fn)mlsc_io_mls_message,
	  sizeof(struct mlsc_mls_message) },
	{ "public_message_commit", (mlsc_io_fn)mlsc_io_mls_message,
	  sizeof(struct mlsc_mls_message) },
	{ "public_message_proposal", (mlsc_io_fn)mlsc_io_mls_message,
	  sizeof(struct mlsc_mls_message) },
	{ "private_message", (mlsc_io_fn)mlsc_io_mls_message,
	  sizeof(struct mlsc_mls_message) },
	{ "ratchet_tree", (mlsc_io_fn)mlsc_io_ratchet_tree,
	  sizeof(struct mlsc_ratchet_tree) },
	{ "group_secrets", (mlsc_io_fn)mlsc_io_group_secrets,
	  sizeof(struct mlsc_group_secrets) },
	{ "commit", (mlsc_io_fn)mlsc_io_commit, sizeof(struct mlsc_commit) },
};

#define N_CORPUS (sizeof(corpus_fields) / sizeof(corpus_fields[0]))

/* 0: parsed and serialized back to the same bytes; -EBADMSG; else bad. */
static int parse_canonical(const uint8_t *p, size_t len, size_t f)
{
	struct mlsc_arena arena;
	struct mlsc_wbuf out;
	_Alignas(max_align_t) uint8_t obj[4096];
	int err;

	_Static_assert(sizeof(struct mlsc_mls_message) <= sizeof(obj),
		       "obj holds every structure of the corpus");
	mlsc_arena_init(&arena);
	err = mlsc_decode(p, len, &arena, obj, corpus_fields[f].size,
			  corpus_fields[f].fn);
	if (!err) {
		err = mlsc_encode(obj, corpus_fields[f].fn, &out);
		if (!err && (out.len != len || memcmp(out.p, p, len)))
			err = -EPROTO;
		if (!err)
			mlsc_wbuf_free(&out);
	}
	mlsc_arena_free(&arena);
	return err;
}

static void truncations(json_t *root)
{
	size_t cases = json_array_size(root) < 3 ? json_array_size(root) : 3;
	size_t tried = 0, bad = 0;

	for (size_t i = 0; i < cases; i++) {
		for (size_t f = 0; f < N_CORPUS; f++) {
			struct bytes in = { 0 };
			uint8_t *more;

			if (vec_get_hex(json_array_get(root, i),
					corpus_fields[f].key, &in)) {
				bad++;
				continue;
			}
			/* copies of exactly the right size for ASan */
			for (size_t len = 0; len < in.len; len++) {
				uint8_t *cut = malloc(len ? len : 1);

				memcpy(cut, in.data, len);
				if (parse_canonical(cut, len, f) != -EBADMSG)
					bad++;
				free(cut);
				tried++;
			}
			more = malloc(in.len + 1);
			memcpy(more, in.data, in.len);
			more[in.len] = 0;
			if (parse_canonical(more, in.len + 1, f) != -EBADMSG)
				bad++;
			if (parse_canonical(more, in.len, f))
				bad++;
			tried += 2;
			free(more);
			bytes_free(&in);
		}
	}
	tap_ok(cases && !bad, "%zu truncations and trailing bytes of %zu "
	       "structures of messages.json: -EBADMSG", tried,
	       cases * N_CORPUS);
}

static uint32_t rng_state = FUZZ_SEED;

static uint32_t rnd(void)
{
	/* xorshift32: the same mutations every run */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void fuzz(json_t *root)
{
	size_t accepted = 0, rejected = 0, bad = 0, n = json_array_size(root);

	for (unsigned int round = 0; n && round < FUZZ_ROUNDS; round++) {
		size_t f = rnd() % N_CORPUS, len, pos;
		struct bytes in = { 0 };
		uint8_t *m;
		int err;

		if (vec_get_hex(json_array_get(root, rnd() % n),
				corpus_fields[f].key, &in) || !in.len) {
			bad++;
			bytes_free(&in);
			continue;
		}
		len = in.len;
		m = malloc(len + 8);
		memcpy(m, in.data, len);
		pos = rnd() % len;
		switch (rnd() % 5) {
		case 0:		/* flip a bit */
			m[pos] ^= (uint8_t)(1U << (rnd() % 8));
			break;
		case 1:		/* a random byte */
			m[pos] = (uint8_t)rnd();
			break;
		case 2:		/* a length prefix's worth: 0x40.., 0x80.. */
			m[pos] = (uint8_t)(0x40 << (rnd() % 2)) | (rnd() & 0x3f);
			break;
		case 3:		/* cut somewhere */
			len = pos;
			break;
		default:	/* insert bytes */
			memmove(m + pos + 4, m + pos, len - pos);
			for (int k = 0; k < 4; k++)
				m[pos + k] = (uint8_t)rnd();
			len += 4;
			break;
		}
		err = parse_canonical(m, len, f);
		if (!err)
			accepted++;
		else if (err == -EBADMSG)
			rejected++;
		else
			bad++;
		free(m);
		bytes_free(&in);
	}
	tap_diag("fuzz: %zu rejected, %zu accepted and canonical", rejected,
		 accepted);
	tap_ok(n && !bad && accepted + rejected == FUZZ_ROUNDS,
	       "%d mutations of messages.json structures: -EBADMSG, or parsed "
	       "and serialized back to the same bytes", FUZZ_ROUNDS);
}

int main(void)
{
	json_t *root;

	varints();
	vectors();
	lists();
	optionals();
	tags();

	root = vec_load("messages.json");
	if (tap_ok(json_is_array(root) && json_array_size(root) > 0,
		   "messages.json loads from %s", vec_dir())) {
		truncations(root);
		fuzz(root);
	}
	json_decref(root);
	return tap_done();
}
