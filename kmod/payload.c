// SPDX-License-Identifier: GPL-2.0
/*
 * The gzip decompression-bomb check: RFC 1952 members around RFC 1951
 * deflate data.
 *
 * A member's trailer holds ISIZE, its uncompressed size modulo 2^32, and
 * nothing in the stream proves it: a crafted member claims 100 bytes and
 * inflates to a gigabyte, or the bomb sits in an earlier member whose
 * trailer nobody reads. So the last ISIZE only rejects early, for free;
 * then every member's deflate data is decoded without being inflated: the
 * decoder reads the Huffman codes and adds up the lengths they stand for,
 * and never writes a byte of output. It stops as soon as the sum passes
 * the bound. The cost is one pass over the payload, whatever the payload
 * claims or would become; the CRC-32, which only the inflated bytes could
 * prove, is not checked.
 *
 * The decoder follows Mark Adler's puff.c (zlib's contrib/puff), the
 * reference inflater written for clarity: canonical Huffman codes decoded
 * bit by bit from their per-length counts.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "payload.h"
#include "quota.h"

#include <asm/unaligned.h>
#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>

#define GZ_ID1		0x1f
#define GZ_ID2		0x8b
#define GZ_CM_DEFLATE	8

/* Member header flags (FLG). */
#define GZ_FHCRC	BIT(1)
#define GZ_FEXTRA	BIT(2)
#define GZ_FNAME	BIT(3)
#define GZ_FCOMMENT	BIT(4)
#define GZ_FRESERVED	0xe0

#define GZ_HEADER_MIN	10	/* ID1 ID2 CM FLG MTIME(4) XFL OS */
#define GZ_TRAILER	8	/* CRC32 ISIZE */

#define DF_MAXBITS	15	/* longest code */
#define DF_MAXLCODES	286	/* literal/length codes */
#define DF_MAXDCODES	30	/* distance codes */
#define DF_FIXLCODES	288	/* literal/length codes of the fixed code */
#define DF_WINDOW	32768	/* farthest a distance may reach back */

struct df_huffman {
	u16 count[DF_MAXBITS + 1];	/* codes of each length */
	u16 symbol[DF_FIXLCODES];	/* symbols ordered by code */
};

struct df_state {
	const u8 *in;
	size_t len;
	size_t pos;		/* next byte of @in */
	u32 bitbuf;
	u32 bitcnt;
	bool short_input;	/* read past the end */
	u64 member_out;		/* bytes this member stands for */
	u64 total_out;		/* all members */
	u64 budget;
	struct df_huffman lencode;
	struct df_huffman distcode;
	u16 lengths[DF_MAXLCODES + DF_MAXDCODES];
};

/* @need bits (at most 16), least significant first; 0 past the end. */
static u32 df_bits(struct df_state *s, u32 need)
{
	u32 val = s->bitbuf;

	while (s->bitcnt < need) {
		if (s->pos == s->len) {
			s->short_input = true;
			return 0;
		}
		val |= (u32)s->in[s->pos++] << s->bitcnt;
		s->bitcnt += 8;
	}
	s->bitbuf = val >> need;
	s->bitcnt -= need;
	return val & (BIT(need) - 1);
}

/* One symbol, or -EBADMSG for a code that is not in @h. */
static int df_decode(struct df_state *s, const struct df_huffman *h)
{
	int code = 0, first = 0, index = 0, len, count;

	for (len = 1; len <= DF_MAXBITS; len++) {
		code |= df_bits(s, 1);
		count = h->count[len];
		if (code - count < first)
			return h->symbol[index + (code - first)];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -EBADMSG;
}

/*
 * The canonical code of @n code lengths: < 0 over-subscribed, 0 complete,
 * > 0 incomplete.
 */
static int df_construct(struct df_huffman *h, const u16 *length, int n)
{
	u16 offs[DF_MAXBITS + 1];
	int symbol, len, left;

	memset(h->count, 0, sizeof(h->count));
	for (symbol = 0; symbol < n; symbol++)
		h->count[length[symbol]]++;
	if (h->count[0] == n)
		return 0;	/* no codes: complete, but nothing decodes */
	left = 1;
	for (len = 1; len <= DF_MAXBITS; len++) {
		left = (left << 1) - h->count[len];
		if (left < 0)
			return left;
	}
	offs[1] = 0;
	for (len = 1; len < DF_MAXBITS; len++)
		offs[len + 1] = offs[len] + h->count[len];
	for (symbol = 0; symbol < n; symbol++)
		if (length[symbol])
			h->symbol[offs[length[symbol]]++] = symbol;
	return left;
}

/* Adds what the literal/length/distance codes of one block stand for. */
static int df_codes(struct df_state *s)
{
	static const u16 lbase[29] = {
		3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
		35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
	static const u8 lext[29] = {
		0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
		3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
	static const u16 dbase[30] = {
		1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
		257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
		8193, 12289, 16385, 24577 };
	static const u8 dext[30] = {
		0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
		7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
	int symbol;
	u32 len, dist;

	for (;;) {
		symbol = df_decode(s, &s->lencode);
		if (symbol < 0 || s->short_input)
			return -EBADMSG;
		if (symbol == 256)
			return 0;
		if (symbol < 256) {
			len = 1;
		} else {
			symbol -= 257;
			if (symbol >= 29)
				return -EBADMSG;
			len = lbase[symbol] + df_bits(s, lext[symbol]);
			symbol = df_decode(s, &s->distcode);
			if (symbol < 0 || symbol >= 30)
				return -EBADMSG;
			dist = dbase[symbol] + df_bits(s, dext[symbol]);
			if (s->short_input || dist > s->member_out)
				return -EBADMSG;
		}
		s->member_out += len;
		s->total_out += len;
		if (s->total_out > s->budget)
			return -EMSGSIZE;
	}
}

static int df_stored(struct df_state *s)
{
	size_t avail;
	u32 len;

	/* The rest of the current byte is padding. */
	s->bitbuf = 0;
	s->bitcnt = 0;
	if (s->len - s->pos < 4)
		return -EBADMSG;
	len = get_unaligned_le16(s->in + s->pos);
	if ((len ^ 0xffff) != get_unaligned_le16(s->in + s->pos + 2))
		return -EBADMSG;
	s->pos += 4;
	/* What is there counts first, as an inflater would have written it. */
	avail = min_t(size_t, len, s->len - s->pos);
	s->pos += avail;
	s->member_out += avail;
	s->total_out += avail;
	if (s->total_out > s->budget)
		return -EMSGSIZE;
	return avail < len ? -EBADMSG : 0;
}

static int df_fixed(struct df_state *s)
{
	int symbol;

	for (symbol = 0; symbol < 144; symbol++)
		s->lengths[symbol] = 8;
	for (; symbol < 256; symbol++)
		s->lengths[symbol] = 9;
	for (; symbol < 280; symbol++)
		s->lengths[symbol] = 7;
	for (; symbol < DF_FIXLCODES; symbol++)
		s->lengths[symbol] = 8;
	df_construct(&s->lencode, s->lengths, DF_FIXLCODES);
	for (symbol = 0; symbol < DF_MAXDCODES; symbol++)
		s->lengths[symbol] = 5;
	df_construct(&s->distcode, s->lengths, DF_MAXDCODES);
	return df_codes(s);
}

static int df_dynamic(struct df_state *s)
{
	static const u8 order[19] = {
		16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
	int nlen, ndist, ncode, index, symbol, err;
	u16 len;

	nlen = df_bits(s, 5) + 257;
	ndist = df_bits(s, 5) + 1;
	ncode = df_bits(s, 4) + 4;
	if (s->short_input || nlen > DF_MAXLCODES || ndist > DF_MAXDCODES)
		return -EBADMSG;

	for (index = 0; index < ncode; index++)
		s->lengths[order[index]] = df_bits(s, 3);
	for (; index < 19; index++)
		s->lengths[order[index]] = 0;
	if (s->short_input || df_construct(&s->lencode, s->lengths, 19))
		return -EBADMSG;

	for (index = 0; index < nlen + ndist;) {
		symbol = df_decode(s, &s->lencode);
		if (symbol < 0 || s->short_input)
			return -EBADMSG;
		if (symbol < 16) {
			s->lengths[index++] = symbol;
			continue;
		}
		len = 0;
		if (symbol == 16) {
			if (!index)
				return -EBADMSG;
			len = s->lengths[index - 1];
			symbol = 3 + df_bits(s, 2);
		} else if (symbol == 17) {
			symbol = 3 + df_bits(s, 3);
		} else {
			symbol = 11 + df_bits(s, 7);
		}
		if (s->short_input || index + symbol > nlen + ndist)
			return -EBADMSG;
		while (symbol--)
			s->lengths[index++] = len;
	}
	if (!s->lengths[256])
		return -EBADMSG;

	/* An incomplete code is only allowed as a single code of length 1. */
	err = df_construct(&s->lencode, s->lengths, nlen);
	if (err && (err < 0 || nlen != s->lencode.count[0] + s->lencode.count[1]))
		return -EBADMSG;
	err = df_construct(&s->distcode, s->lengths + nlen, ndist);
	if (err && (err < 0 || ndist != s->distcode.count[0] + s->distcode.count[1]))
		return -EBADMSG;
	return df_codes(s);
}

/* What one deflate stream from @s->pos stands for, up to its last block. */
static int df_stream(struct df_state *s)
{
	u32 last, type;
	int ret;

	s->bitbuf = 0;
	s->bitcnt = 0;
	s->member_out = 0;
	do {
		last = df_bits(s, 1);
		type = df_bits(s, 2);
		if (s->short_input)
			return -EBADMSG;
		switch (type) {
		case 0:
			ret = df_stored(s);
			break;
		case 1:
			ret = df_fixed(s);
			break;
		case 2:
			ret = df_dynamic(s);
			break;
		default:
			ret = -EBADMSG;
		}
		if (ret)
			return ret;
	} while (!last);
	return 0;
}

static bool gz_magic(const u8 *p, size_t len)
{
	return len >= 2 && p[0] == GZ_ID1 && p[1] == GZ_ID2;
}

/* A NUL-terminated header field at @pos: the offset after its NUL. */
static int gz_skip_string(const u8 *p, size_t len, size_t *pos)
{
	const u8 *nul = memchr(p + *pos, 0, len - *pos);

	if (!nul)
		return -EBADMSG;
	*pos = nul - p + 1;
	return 0;
}

/* The member header at @p: the offset after it in @pos, or -EBADMSG. */
static int gz_header(const u8 *p, size_t len, size_t *pos)
{
	u8 flg;
	int ret;

	*pos = GZ_HEADER_MIN;
	if (len < GZ_HEADER_MIN || !gz_magic(p, len) || p[2] != GZ_CM_DEFLATE)
		return -EBADMSG;
	flg = p[3];
	if (flg & GZ_FRESERVED)
		return -EBADMSG;
	if (flg & GZ_FEXTRA) {
		size_t xlen;

		if (len - *pos < 2)
			return -EBADMSG;
		xlen = get_unaligned_le16(p + *pos);
		*pos += 2;
		if (len - *pos < xlen)
			return -EBADMSG;
		*pos += xlen;
	}
	if (flg & GZ_FNAME) {
		ret = gz_skip_string(p, len, pos);
		if (ret)
			return ret;
	}
	if (flg & GZ_FCOMMENT) {
		ret = gz_skip_string(p, len, pos);
		if (ret)
			return ret;
	}
	if (flg & GZ_FHCRC) {
		u32 crc = crc32_le(~0U, p, *pos) ^ ~0U;

		if (len - *pos < 2 || get_unaligned_le16(p + *pos) != (crc & 0xffff))
			return -EBADMSG;
		*pos += 2;
	}
	return 0;
}

/* One member from @s->pos: header, deflate stream, trailer. */
static int gz_member(struct df_state *s)
{
	size_t hlen;
	int ret;

	ret = gz_header(s->in + s->pos, s->len - s->pos, &hlen);
	if (ret)
		return ret;
	s->pos += hlen;
	ret = df_stream(s);
	if (ret)
		return ret;
	/* The CRC-32 is skipped: only inflated bytes could prove it. */
	if (s->len - s->pos < GZ_TRAILER ||
	    get_unaligned_le32(s->in + s->pos + 4) != (u32)s->member_out)
		return -EBADMSG;
	s->pos += GZ_TRAILER;
	return 0;
}

int mls_payload_check(const u8 *buf, size_t len, bool must_gzip,
		      u32 max_inflated, u32 max_ratio)
{
	struct df_state *s;
	size_t hlen;
	u64 budget;
	int ret;

	if (!gz_magic(buf, len))
		return must_gzip ? -EBADMSG : 0;
	ret = gz_header(buf, len, &hlen);
	if (ret)
		return ret;
	if (len - hlen < GZ_TRAILER)
		return -EBADMSG;
	budget = min_t(u64, max_inflated, (u64)len * max_ratio);
	/* The last member alone claims too much: no need to look further. */
	if (get_unaligned_le32(buf + len - 4) > budget)
		return -EMSGSIZE;

	s = kzalloc(sizeof(*s), MLS_GFP_USER);
	if (!s)
		return -ENOMEM;
	s->in = buf;
	s->len = len;
	s->budget = budget;
	/* Members follow each other to the end; anything else is malformed. */
	do {
		ret = gz_member(s);
	} while (!ret && s->pos < len);
	kfree(s);
	return ret;
}
