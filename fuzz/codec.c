// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/codec.c, the TLS presentation language of RFC 9420 §2.1.2, on its
 * own: the input is a program of reads over its own tail.
 *
 * Each step's opcode byte picks a get (u8/16/32/64, bytes, varint,
 * vector); every value read is written again with the matching put into
 * a writer as long as the input, and what was written must equal what
 * was read: a varint that parses is in its shortest form, and a failed
 * get sticks. A second writer of random capacity checks that the bytes
 * written are always a prefix of the encoding and that len counts all.
 */
#include "fuzz.h"
#include "../kmod/codec.h"

#define OPS_MAX		64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mls_wbuf w, small;
	struct mls_rbuf r;
	size_t nops, i, start;
	u8 *in, *out, *cut;
	size_t cap;

	if (size < 2)
		return 0;
	nops = data[0] % OPS_MAX;
	cap = data[1];
	if (size - 2 < nops)
		return 0;
	in = fuzz_dup(data + 2 + nops, size - 2 - nops);
	out = malloc(size);
	cut = malloc(cap ? cap : 1);
	FUZZ_CHECK(out && cut);
	mls_rbuf_init(&r, in, size - 2 - nops);
	mls_wbuf_init(&w, out, size);
	mls_wbuf_init(&small, cut, cap);

	for (i = 0; i < nops; i++) {
		u8 op = data[2 + i];
		const u8 *p = NULL;
		size_t len = 0;
		bool ok;
		u64 v64;
		u32 v32;
		u16 v16;
		u8 v8;

		start = r.off;
		switch (op % 7) {
		case 0:
			ok = !mls_get_u8(&r, &v8);
			if (ok) {
				mls_put_u8(&w, v8);
				mls_put_u8(&small, v8);
			}
			break;
		case 1:
			ok = !mls_get_u16(&r, &v16);
			if (ok) {
				mls_put_u16(&w, v16);
				mls_put_u16(&small, v16);
			}
			break;
		case 2:
			ok = !mls_get_u32(&r, &v32);
			if (ok) {
				mls_put_u32(&w, v32);
				mls_put_u32(&small, v32);
			}
			break;
		case 3:
			ok = !mls_get_u64(&r, &v64);
			if (ok) {
				mls_put_u64(&w, v64);
				mls_put_u64(&small, v64);
			}
			break;
		case 4:
			ok = !mls_get_bytes(&r, op >> 3, &p);
			if (ok) {
				FUZZ_CHECK(fuzz_within(p, op >> 3, in, r.len));
				mls_put_bytes(&w, p, op >> 3);
				mls_put_bytes(&small, p, op >> 3);
			}
			break;
		case 5:
			ok = !mls_get_varint(&r, &v32);
			if (ok) {
				FUZZ_CHECK(v32 <= MLS_VARINT_MAX);
				FUZZ_CHECK(r.off - start == mls_varint_size(v32));
				mls_put_varint(&w, v32);
				mls_put_varint(&small, v32);
			} else {
				FUZZ_CHECK(v32 == 0);
			}
			break;
		default:
			ok = !mls_get_vec(&r, &p, &len);
			if (ok) {
				FUZZ_CHECK(fuzz_within(p, len, in, r.len));
				FUZZ_CHECK(r.off - start == mls_vec_size(len));
				mls_put_vec(&w, p, len);
				mls_put_vec(&small, p, len);
			} else {
				FUZZ_CHECK(!p && !len);
			}
			break;
		}
		/* A failed get sticks; a good one consumed what it wrote. */
		FUZZ_CHECK(ok == !r.bad);
		if (!ok) {
			FUZZ_CHECK(mls_rbuf_left(&r) == 0);
			FUZZ_CHECK(mls_rbuf_done(&r) == -EBADMSG);
			break;
		}
		FUZZ_CHECK(w.len == r.off && !mls_wbuf_err(&w));
		FUZZ_CHECK(!memcmp(out, in, r.off));
	}

	FUZZ_CHECK(small.len == w.len);
	FUZZ_CHECK(mls_wbuf_err(&small) == (w.len > cap ? -ENOSPC : 0));
	if (!small.overflow)
		FUZZ_CHECK(!memcmp(cut, out, w.len));
	FUZZ_CHECK(mls_rbuf_done(&r) == (!r.bad && r.off == r.len ? 0 : -EBADMSG));

	free(cut);
	free(out);
	free(in);
	return 0;
}
