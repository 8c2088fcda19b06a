/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS presentation language as RFC 9420 §2.1.2 uses it: big-endian
 * integers and vectors whose length is a QUIC-style varint of 1, 2 or 4
 * bytes.
 */
#ifndef _MLS_CODEC_H
#define _MLS_CODEC_H

#include <linux/errno.h>
#include <linux/types.h>

/* A varint carries at most 30 bits: a vector is shorter than 1 GiB. */
#define MLS_VARINT_MAX		((1U << 30) - 1)
#define MLS_VARINT_MAX_SIZE	4

/**
 * struct mls_wbuf - bounded writer
 * @p: destination, may be NULL when @cap is 0 (a sizing pass)
 * @len: bytes the encoding needs so far, written or not
 * @cap: size of @p
 * @overflow: @p was too small; nothing past the first put that did not
 *	fit was written, but @len still counts the size the caller needs
 * @invalid: a value cannot be encoded (a vector of 1 GiB or more)
 *
 * The puts never fail one by one: the caller writes a whole structure and
 * checks mls_wbuf_err() once at the end.
 */
struct mls_wbuf {
	u8 *p;
	size_t len;
	size_t cap;
	bool overflow;
	bool invalid;
};

/**
 * struct mls_rbuf - bounds-checked reader over received bytes
 * @p: the bytes
 * @len: their length
 * @off: bytes consumed so far
 * @bad: a get failed; every later get fails too
 */
struct mls_rbuf {
	const u8 *p;
	size_t len;
	size_t off;
	bool bad;
};

static inline void mls_wbuf_init(struct mls_wbuf *w, u8 *p, size_t cap)
{
	*w = (struct mls_wbuf){ .p = p, .cap = cap };
}

/* 0, -ENOSPC (w->len is the size needed) or -EINVAL. */
static inline int mls_wbuf_err(const struct mls_wbuf *w)
{
	if (w->invalid)
		return -EINVAL;
	return w->overflow ? -ENOSPC : 0;
}

static inline void mls_rbuf_init(struct mls_rbuf *r, const u8 *p, size_t len)
{
	*r = (struct mls_rbuf){ .p = p, .len = len };
}

static inline size_t mls_rbuf_left(const struct mls_rbuf *r)
{
	return r->bad ? 0 : r->len - r->off;
}

/* 0 when every get succeeded and every byte was consumed, else -EBADMSG. */
static inline int mls_rbuf_done(const struct mls_rbuf *r)
{
	return !r->bad && r->off == r->len ? 0 : -EBADMSG;
}

/* Bytes of the varint for @v: 1, 2 or 4; 0 if @v cannot be encoded. */
static inline unsigned int mls_varint_size(size_t v)
{
	if (v < (1U << 6))
		return 1;
	if (v < (1U << 14))
		return 2;
	if (v <= MLS_VARINT_MAX)
		return 4;
	return 0;
}

/* Bytes of a whole vector of @len bytes, 0 if it cannot be encoded. */
static inline size_t mls_vec_size(size_t len)
{
	unsigned int n = mls_varint_size(len);

	return n ? n + len : 0;
}

void mls_put_u8(struct mls_wbuf *w, u8 v);
void mls_put_u16(struct mls_wbuf *w, u16 v);
void mls_put_u32(struct mls_wbuf *w, u32 v);
void mls_put_u64(struct mls_wbuf *w, u64 v);
void mls_put_bytes(struct mls_wbuf *w, const void *p, size_t len);
u8 *mls_put_reserve(struct mls_wbuf *w, size_t len);
void mls_put_varint(struct mls_wbuf *w, size_t v);
void mls_put_vec(struct mls_wbuf *w, const void *p, size_t len);

int mls_get_u8(struct mls_rbuf *r, u8 *v);
int mls_get_u16(struct mls_rbuf *r, u16 *v);
int mls_get_u32(struct mls_rbuf *r, u32 *v);
int mls_get_u64(struct mls_rbuf *r, u64 *v);
int mls_get_bytes(struct mls_rbuf *r, size_t len, const u8 **p);
int mls_get_varint(struct mls_rbuf *r, u32 *v);
int mls_get_vec(struct mls_rbuf *r, const u8 **p, size_t *len);

#endif /* _MLS_CODEC_H */
