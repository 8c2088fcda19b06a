// SPDX-License-Identifier: GPL-2.0
/*
 * The gzip decompression-bomb check, kmod/payload.c's mls_payload_check(),
 * on any bytes, under the module's default bounds and under tight ones.
 *
 * The property it exists for is checked against zlib: a payload it
 * accepts never inflates to more than its bound. zlib inflates it member
 * by member into a scratch buffer, counting bytes, and stops at the first
 * error (the CRC-32 included, which the check does not verify): every
 * byte zlib produced before stopping is one the check must have counted.
 */
#include "fuzz.h"
#include "../kmod/payload.h"

#include <zlib.h>

/* The module's defaults: evbuf_gzip_max_size and evbuf_gzip_max_ratio. */
#define DEFAULT_MAX_INFLATED	(16U << 20)
#define DEFAULT_MAX_RATIO	100U

/* Bytes zlib inflates @buf to, member after member, up to @limit + 1. */
static unsigned long long zlib_inflated(const u8 *buf, size_t len,
					unsigned long long limit)
{
	static u8 scratch[65536];
	unsigned long long total = 0;
	z_stream z = {};
	int ret;

	if (inflateInit2(&z, 15 + 16) != Z_OK)
		abort();
	z.next_in = (u8 *)buf;
	z.avail_in = len;
	for (;;) {
		z.next_out = scratch;
		z.avail_out = sizeof(scratch);
		ret = inflate(&z, Z_NO_FLUSH);
		total += sizeof(scratch) - z.avail_out;
		if (total > limit)
			break;
		if (ret == Z_STREAM_END) {
			/* Another member, if the input goes on with one. */
			if (z.avail_in < 2 || z.next_in[0] != 0x1f ||
			    z.next_in[1] != 0x8b)
				break;
			inflateReset(&z);
			continue;
		}
		if (ret != Z_OK)
			break;
		if (!z.avail_in && z.avail_out)
			break;
	}
	inflateEnd(&z);
	return total;
}

static void check(const u8 *buf, size_t len, bool must_gzip,
		  u32 max_inflated, u32 max_ratio)
{
	unsigned long long budget;
	bool gzip = len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
	int ret;

	ret = mls_payload_check(buf, len, must_gzip, max_inflated, max_ratio);
	FUZZ_CHECK(ret == 0 || ret == -EMSGSIZE || ret == -EBADMSG);
	if (!gzip) {
		FUZZ_CHECK(ret == (must_gzip ? -EBADMSG : 0));
		return;
	}
	if (ret)
		return;
	budget = (unsigned long long)len * max_ratio;
	if (budget > max_inflated)
		budget = max_inflated;
	FUZZ_CHECK(zlib_inflated(buf, len, budget) <= budget);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 *buf = fuzz_dup(data, size);

	check(buf, size, false, DEFAULT_MAX_INFLATED, DEFAULT_MAX_RATIO);
	check(buf, size, true, 4096, 4);
	free(buf);
	return 0;
}
