// SPDX-License-Identifier: GPL-2.0
/*
 * What a PrivateMessage holds once decrypted, fed to the parsers directly
 * (the AEAD in front of them is the kernel's crypto API, not fuzzed here):
 * kmod/wire.c's mls_sender_data_parse() and mls_content_parse().
 *
 * The input is a content type byte, then the content plaintext; its first
 * MLS_SENDER_DATA_LEN bytes also serve as a SenderData. Accepted
 * application content must re-encode to the input: data<V>, signature<V>,
 * then only zero padding (§6.3.1); anything else must be refused.
 */
#include "fuzz.h"
#include "../kmod/codec.h"
#include "../kmod/wire.h"

#include <asm/unaligned.h>

static void sender_data(const u8 *data, size_t size)
{
	struct mls_sender s;
	u8 *sd;

	if (size < MLS_SENDER_DATA_LEN)
		return;
	sd = fuzz_dup(data, MLS_SENDER_DATA_LEN);
	FUZZ_CHECK(mls_sender_data_parse(sd, &s) == 0);
	FUZZ_CHECK(s.leaf == get_unaligned_be32(sd));
	FUZZ_CHECK(s.generation == get_unaligned_be32(sd + 4));
	FUZZ_CHECK(!memcmp(s.guard, sd + 8, MLS_REUSE_GUARD_LEN));
	free(sd);
}

static void content(u8 type, const u8 *data, size_t size)
{
	u8 *pt = fuzz_dup(data, size), *out;
	struct mls_content c;
	struct mls_wbuf w;
	int ret;

	ret = mls_content_parse(type, pt, size, &c);
	if (type != MLS_CONTENT_APPLICATION) {
		FUZZ_CHECK(ret == 0 && c.data == pt && c.data_len == size &&
			   !c.sig && !c.sig_len);
		free(pt);
		return;
	}
	FUZZ_CHECK(ret == 0 || ret == -EBADMSG);
	if (!ret) {
		FUZZ_CHECK(fuzz_within(c.data, c.data_len, pt, size));
		FUZZ_CHECK(fuzz_within(c.sig, c.sig_len, pt, size));
		out = calloc(1, size ? size : 1);
		FUZZ_CHECK(out);
		mls_wbuf_init(&w, out, size);
		mls_put_vec(&w, c.data, c.data_len);
		mls_put_vec(&w, c.sig, c.sig_len);
		FUZZ_CHECK(mls_wbuf_err(&w) == 0 && w.len <= size);
		/* The rest of @out is zero: the padding must have been too. */
		FUZZ_CHECK(!memcmp(out, pt, size));
		free(out);
	} else {
		FUZZ_CHECK(!c.sig || c.data);
	}
	free(pt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	sender_data(data + 1, size - 1);
	content(data[0], data + 1, size - 1);
	return 0;
}
