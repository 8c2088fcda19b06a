// SPDX-License-Identifier: GPL-2.0
/*
 * The codec against the RFC 9420 vectors: messages.json (every field of
 * every case parses as its structure and serializes back to the same
 * bytes; the MLSMessages through the public API too) and
 * deserialization.json (every varint header decodes to its length and
 * re-encodes to the same bytes).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mls_client.h>

#include "codec.h"
#include "tap.h"
#include "vectors.h"
#include "wire.h"

/* Remove's body, and ExternalInit's (§12.1), have no struct of their own. */
static void io_remove(struct mlsc_io *io, uint32_t *removed)
{
	mlsc_io_u32(io, removed);
}

static void io_kem_output(struct mlsc_io *io, struct mlsc_slice *s)
{
	mlsc_io_opaque(io, s);
}

union any_struct {
	struct mlsc_mls_message msg;
	struct mlsc_ratchet_tree tree;
	struct mlsc_group_secrets gs;
	struct mlsc_key_package kp;
	struct mlsc_leaf_node leaf;
	uint32_t remove;
	struct mlsc_psk_id psk;
	struct mlsc_reinit reinit;
	struct mlsc_slice slice;
	struct mlsc_extensions ext;
	struct mlsc_commit commit;
};

struct field {
	const char *key;
	mlsc_io_fn fn;
	/* MLSMessages: the wire format and content type they must have */
	int wire_format;
	int content_type;
};

#define F(key, fn) { key, (mlsc_io_fn)(fn), 0, 0 }
#define M(key, wf, ct) { key, (mlsc_io_fn)mlsc_io_mls_message, wf, ct }

static const struct field fields[] = {
	M("mls_welcome", MLSC_WIRE_WELCOME, 0),
	M("mls_group_info", MLSC_WIRE_GROUP_INFO, 0),
	M("mls_key_package", MLSC_WIRE_KEY_PACKAGE, 0),
	F("ratchet_tree", mlsc_io_ratchet_tree),
	F("group_secrets", mlsc_io_group_secrets),
	F("add_proposal", mlsc_io_key_package),
	F("update_proposal", mlsc_io_leaf_node),
	F("remove_proposal", io_remove),
	F("pre_shared_key_proposal", mlsc_io_psk_id),
	F("re_init_proposal", mlsc_io_reinit),
	F("external_init_proposal", io_kem_output),
	F("group_context_extensions_proposal", mlsc_io_extensions),
	F("commit", mlsc_io_commit),
	M("public_message_application", MLSC_WIRE_PUBLIC_MESSAGE,
	  MLSC_CONTENT_APPLICATION),
	M("public_message_proposal", MLSC_WIRE_PUBLIC_MESSAGE,
	  MLSC_CONTENT_PROPOSAL),
	M("public_message_commit", MLSC_WIRE_PUBLIC_MESSAGE,
	  MLSC_CONTENT_COMMIT),
	M("private_message", MLSC_WIRE_PRIVATE_MESSAGE, 0),
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* Internal codec: parse, check the type, serialize, compare. */
static int roundtrip(const struct field *f, const struct bytes *in)
{
	union any_struct obj;
	struct mlsc_arena arena;
	struct mlsc_wbuf out;
	int err;

	mlsc_arena_init(&arena);
	err = mlsc_decode(in->data, in->len, &arena, &obj, sizeof(obj), f->fn);
	if (err) {
		tap_diag("%s: parse: %s", f->key, strerror(-err));
		goto out;
	}
	if (f->wire_format && (obj.msg.wire_format != f->wire_format ||
			       (f->content_type &&
				obj.msg.pub.content.content_type !=
				f->content_type))) {
		tap_diag("%s: wire format %u, content type %u", f->key,
			 obj.msg.wire_format, obj.msg.pub.content.content_type);
		err = -EINVAL;
		goto out;
	}
	err = mlsc_encode(&obj, f->fn, &out);
	if (err) {
		tap_diag("%s: serialize: %s", f->key, strerror(-err));
		goto out;
	}
	if (!bytes_eq(in, out.p, out.len)) {
		tap_diag("%s: serialized to other bytes", f->key);
		err = -EINVAL;
	}
	mlsc_wbuf_free(&out);
out:
	mlsc_arena_free(&arena);
	return err;
}

/* Public API: mlsc_message_parse() and mlsc_message_serialize(). */
static int roundtrip_public(const struct field *f, const struct bytes *in)
{
	struct mlsc_message *msg;
	struct mls_bytes out = { 0 };
	int err = mlsc_message_parse(in->data, in->len, &msg);

	if (err) {
		tap_diag("%s: mlsc_message_parse: %s", f->key, strerror(-err));
		return err;
	}
	if (mlsc_message_wire_format(msg) != f->wire_format)
		err = -EINVAL;
	if (!err)
		err = mlsc_message_serialize(msg, &out);
	if (!err && !bytes_eq(in, out.data, out.len))
		err = -EINVAL;
	if (err)
		tap_diag("%s: public API: %s", f->key, strerror(-err));
	mls_bytes_free(&out);
	mlsc_message_free(msg);
	return err;
}

static void messages(void)
{
	json_t *root = vec_load("messages.json"), *c;
	size_t i, n_fields = 0;

	if (!tap_ok(json_is_array(root) && json_array_size(root) > 0,
		    "messages.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c) {
		bool good = json_object_size(c) == N_FIELDS;

		if (!good)
			tap_diag("case %zu: %zu fields, not %zu", i,
				 json_object_size(c), N_FIELDS);
		for (size_t k = 0; k < N_FIELDS; k++) {
			const struct field *f = &fields[k];
			struct bytes in = { 0 };

			if (vec_get_hex(c, f->key, &in)) {
				tap_diag("case %zu: no %s", i, f->key);
				good = false;
				continue;
			}
			if (roundtrip(f, &in) ||
			    (f->wire_format && roundtrip_public(f, &in)))
				good = false;
			n_fields++;
			bytes_free(&in);
		}
		tap_ok(good, "messages.json case %zu: %zu structures parse and "
		       "serialize back", i, N_FIELDS);
	}
	tap_diag("messages.json: %zu cases, %zu structures",
		 json_array_size(root), n_fields);
	json_decref(root);
}

static void deserialization(void)
{
	json_t *root = vec_load("deserialization.json"), *c;
	size_t i;

	if (!tap_ok(json_is_array(root) && json_array_size(root) > 0,
		    "deserialization.json loads from %s", vec_dir()))
		return;
	json_array_foreach(root, i, c) {
		struct bytes hdr = { 0 };
		uint64_t want = 0;
		uint32_t len = 0;
		int n = -1;
		bool good;

		good = !vec_get_hex(c, "vlbytes_header", &hdr) &&
		       !vec_get_u64(c, "length", &want);
		if (good)
			n = mlsc_varint_decode(hdr.data, hdr.len, &len);
		good = good && n > 0 && (size_t)n == hdr.len && len == want &&
		       mlsc_varint_size(len) == hdr.len;
		if (good) {
			/* and the writer makes the same header */
			struct mlsc_wbuf w = { 0 };
			struct mlsc_io io;

			mlsc_io_writer(&io, &w);
			mlsc_io_varint(&io, &len);
			good = !mlsc_io_finish(&io) && w.len == hdr.len &&
			       !memcmp(w.p, hdr.data, hdr.len);
			mlsc_wbuf_free(&w);
		}
		tap_ok(good, "deserialization.json case %zu: length %llu", i,
		       (unsigned long long)want);
		bytes_free(&hdr);
	}
	tap_diag("deserialization.json: %zu cases", json_array_size(root));
	json_decref(root);
}

int main(void)
{
	messages();
	deserialization();
	return tap_done();
}
