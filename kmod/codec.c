// SPDX-License-Identifier: GPL-2.0
/*
 * TLS presentation-language encoding (RFC 9420 §2.1.2).
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "codec.h"

#include <linux/overflow.h>
#include <linux/string.h>
#include <asm/unaligned.h>

/*
 * Room for @n more bytes, or NULL. Once a put did not fit, nothing more is
 * written, so the bytes in the buffer are always a prefix of the encoding;
 * len keeps counting so that the caller can report the size it needs.
 */
static u8 *mls_wbuf_take(struct mls_wbuf *w, size_t n)
{
	size_t end;
	u8 *p;

	if (check_add_overflow(w->len, n, &end)) {
		w->invalid = true;
		return NULL;
	}
	if (w->overflow || w->invalid || end > w->cap) {
		w->overflow = true;
		w->len = end;
		return NULL;
	}
	p = w->p + w->len;
	w->len = end;
	return p;
}

void mls_put_u8(struct mls_wbuf *w, u8 v)
{
	u8 *p = mls_wbuf_take(w, 1);

	if (p)
		*p = v;
}

void mls_put_u16(struct mls_wbuf *w, u16 v)
{
	u8 *p = mls_wbuf_take(w, 2);

	if (p)
		put_unaligned_be16(v, p);
}

void mls_put_u32(struct mls_wbuf *w, u32 v)
{
	u8 *p = mls_wbuf_take(w, 4);

	if (p)
		put_unaligned_be32(v, p);
}

void mls_put_u64(struct mls_wbuf *w, u64 v)
{
	u8 *p = mls_wbuf_take(w, 8);

	if (p)
		put_unaligned_be64(v, p);
}

void mls_put_bytes(struct mls_wbuf *w, const void *src, size_t len)
{
	u8 *p = mls_wbuf_take(w, len);

	if (p && len)
		memcpy(p, src, len);
}

/**
 * mls_put_reserve() - take room to fill in later
 * @w: the writer
 * @len: bytes to reserve
 *
 * For fields written in place afterwards, such as a ciphertext that an
 * AEAD produces inside the output buffer.
 *
 * Return: the reserved bytes, or NULL if they do not fit.
 */
u8 *mls_put_reserve(struct mls_wbuf *w, size_t len)
{
	return mls_wbuf_take(w, len);
}

/* The shortest of the three forms, as §2.1.2 requires. */
void mls_put_varint(struct mls_wbuf *w, size_t v)
{
	switch (mls_varint_size(v)) {
	case 1:
		mls_put_u8(w, v);
		break;
	case 2:
		mls_put_u16(w, 0x4000 | v);
		break;
	case 4:
		mls_put_u32(w, 0x80000000 | v);
		break;
	default:
		w->invalid = true;
	}
}

void mls_put_vec(struct mls_wbuf *w, const void *p, size_t len)
{
	mls_put_varint(w, len);
	mls_put_bytes(w, p, len);
}

/* @n bytes from the reader, or NULL; a failure sticks. */
static const u8 *mls_rbuf_take(struct mls_rbuf *r, size_t n)
{
	const u8 *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

int mls_get_u8(struct mls_rbuf *r, u8 *v)
{
	const u8 *p = mls_rbuf_take(r, 1);

	*v = p ? *p : 0;
	return p ? 0 : -EBADMSG;
}

int mls_get_u16(struct mls_rbuf *r, u16 *v)
{
	const u8 *p = mls_rbuf_take(r, 2);

	*v = p ? get_unaligned_be16(p) : 0;
	return p ? 0 : -EBADMSG;
}

int mls_get_u32(struct mls_rbuf *r, u32 *v)
{
	const u8 *p = mls_rbuf_take(r, 4);

	*v = p ? get_unaligned_be32(p) : 0;
	return p ? 0 : -EBADMSG;
}

int mls_get_u64(struct mls_rbuf *r, u64 *v)
{
	const u8 *p = mls_rbuf_take(r, 8);

	*v = p ? get_unaligned_be64(p) : 0;
	return p ? 0 : -EBADMSG;
}

/* @len bytes in place: *@p points into the reader's buffer. */
int mls_get_bytes(struct mls_rbuf *r, size_t len, const u8 **p)
{
	*p = mls_rbuf_take(r, len);
	return *p ? 0 : -EBADMSG;
}

/**
 * mls_get_varint() - read a vector length
 * @r: the reader
 * @v: the length, 0 on error
 *
 * A receiver that accepted two encodings of one length would let two byte
 * strings parse to the same message, so §2.1.2 makes a length that is not
 * in its shortest form an error, as is the unused prefix 0b11.
 *
 * Return: 0, or -EBADMSG.
 */
int mls_get_varint(struct mls_rbuf *r, u32 *v)
{
	const u8 *p = mls_rbuf_take(r, 1);
	u32 val;

	*v = 0;
	if (!p)
		return -EBADMSG;
	val = *p & 0x3f;
	switch (*p >> 6) {
	case 0:
		break;
	case 1:
		p = mls_rbuf_take(r, 1);
		if (!p)
			return -EBADMSG;
		val = val << 8 | p[0];
		if (val < (1U << 6))
			goto bad;
		break;
	case 2:
		p = mls_rbuf_take(r, 3);
		if (!p)
			return -EBADMSG;
		val = val << 24 | p[0] << 16 | p[1] << 8 | p[2];
		if (val < (1U << 14))
			goto bad;
		break;
	default:
		goto bad;
	}
	*v = val;
	return 0;
bad:
	r->bad = true;
	return -EBADMSG;
}

/* A vector in place: *@p points into the reader's buffer. */
int mls_get_vec(struct mls_rbuf *r, const u8 **p, size_t *len)
{
	u32 n;

	*p = NULL;
	*len = 0;
	if (mls_get_varint(r, &n))
		return -EBADMSG;
	*p = mls_rbuf_take(r, n);
	if (!*p)
		return -EBADMSG;
	*len = n;
	return 0;
}
