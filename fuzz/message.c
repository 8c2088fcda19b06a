// SPDX-License-Identifier: GPL-2.0
/*
 * The MLSMessage / PrivateMessage codec: kmod/wire.c's mls_wire_parse()
 * and mls_message_peek() over kmod/codec.c's reader, on any bytes.
 *
 * Beyond memory safety, a message that parses must be the one encoding
 * of what was parsed (RFC 9420 §2.1.2: lengths in their shortest form, no
 * trailing bytes): kmod/codec.c's writer, given the parsed fields, must
 * write the input again, byte for byte. No prefix of it may parse.
 */
#include "fuzz.h"
#include "../kmod/codec.h"
#include "../kmod/wire.h"

static void check_parsed(const u8 *msg, size_t size, const struct mls_wire *m)
{
	struct mls_wbuf w;
	struct mls_wire again;
	u8 *out;

	FUZZ_CHECK(fuzz_within(m->h.group_id, m->h.group_id_len, msg, size));
	FUZZ_CHECK(fuzz_within(m->ad, m->ad_len, msg, size));
	FUZZ_CHECK(fuzz_within(m->esd, MLS_SENDER_DATA_SEALED, msg, size));
	FUZZ_CHECK(fuzz_within(m->ct, m->ct_len, msg, size));
	FUZZ_CHECK(m->ct_len >= MLS_TAG_LEN);
	FUZZ_CHECK(mls_content_type_ok(m->h.content_type));
	FUZZ_CHECK(m->sd_aad_len == mls_vec_size(m->h.group_id_len) + 8 + 1);
	FUZZ_CHECK(m->aad_len == m->sd_aad_len + mls_vec_size(m->ad_len));

	/* A sizing pass, then the real one into a buffer of the input's size. */
	mls_wbuf_init(&w, NULL, 0);
	for (int pass = 0; pass < 2; pass++) {
		out = pass ? malloc(size) : NULL;
		mls_wbuf_init(&w, out, pass ? size : 0);
		mls_put_u16(&w, MLS_PROTOCOL_VERSION_10);
		mls_put_u16(&w, MLS_WIRE_FORMAT_PRIVATE);
		mls_put_vec(&w, m->h.group_id, m->h.group_id_len);
		mls_put_u64(&w, m->h.epoch);
		mls_put_u8(&w, m->h.content_type);
		mls_put_vec(&w, m->ad, m->ad_len);
		mls_put_vec(&w, m->esd, MLS_SENDER_DATA_SEALED);
		mls_put_vec(&w, m->ct, m->ct_len);
		FUZZ_CHECK(w.len == size);
		FUZZ_CHECK(mls_wbuf_err(&w) == (pass ? 0 : (size ? -ENOSPC : 0)));
		if (pass)
			FUZZ_CHECK(!memcmp(out, msg, size));
		free(out);
	}
	/* The encoding is exact: one byte less never parses. */
	FUZZ_CHECK(mls_wire_parse(msg, size - 1, &again) == -EBADMSG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 *msg = fuzz_dup(data, size);
	struct mls_msg_header h;
	struct mls_wire m;
	int ret, peek;

	ret = mls_wire_parse(msg, size, &m);
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	peek = mls_message_peek(msg, size, &h);
	FUZZ_CHECK(peek == ret);
	if (!ret) {
		FUZZ_CHECK(h.group_id == m.h.group_id &&
			   h.group_id_len == m.h.group_id_len &&
			   h.epoch == m.h.epoch &&
			   h.content_type == m.h.content_type);
		check_parsed(msg, size, &m);
	}
	free(msg);
	return 0;
}
