// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* Buffers libmls hands out, and the TLS presentation-language writer. */
#include <libmls.h>

#include "lib.h"

#include <stdlib.h>
#include <string.h>

MLS_EXPORT void mls_bytes_free(struct mls_bytes *b)
{
	int saved = errno;

	if (!b)
		return;
	if (b->data) {
		explicit_bzero(b->data, b->len);
		free(b->data);
	}
	errno = saved;
	b->data = NULL;
	b->len = 0;
}

int mls_bytes_alloc(struct mls_bytes *b, size_t len)
{
	b->data = mls_malloc(len);
	b->len = b->data ? len : 0;
	return b->data ? 0 : -ENOMEM;
}

void mls_wb_init(struct mls_wbuf *w, size_t hint)
{
	w->len = 0;
	w->err = 0;
	w->cap = hint ? hint : 64;
	w->p = mls_malloc(w->cap);
	if (!w->p) {
		w->cap = 0;
		w->err = -ENOMEM;
	}
}

/* Grow by doubling; a new buffer each time so that the old is wiped. */
static int wb_room(struct mls_wbuf *w, size_t n)
{
	size_t cap = w->cap;
	uint8_t *p;

	if (w->err)
		return w->err;
	if (n > SIZE_MAX / 2 - w->len) {
		w->err = -EOVERFLOW;
		return w->err;
	}
	if (w->len + n <= w->cap)
		return 0;
	while (cap < w->len + n)
		cap *= 2;
	p = mls_malloc(cap);
	if (!p) {
		w->err = -ENOMEM;
		return w->err;
	}
	memcpy(p, w->p, w->len);
	explicit_bzero(w->p, w->len);
	free(w->p);
	w->p = p;
	w->cap = cap;
	return 0;
}

void mls_wb_raw(struct mls_wbuf *w, const void *p, size_t n)
{
	if (!n || wb_room(w, n))
		return;
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

void mls_wb_u8(struct mls_wbuf *w, uint8_t v)
{
	mls_wb_raw(w, &v, 1);
}

void mls_wb_u16(struct mls_wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	mls_wb_raw(w, b, sizeof(b));
}

void mls_wb_u32(struct mls_wbuf *w, uint32_t v)
{
	mls_wb_u16(w, (uint16_t)(v >> 16));
	mls_wb_u16(w, (uint16_t)v);
}

void mls_wb_u64(struct mls_wbuf *w, uint64_t v)
{
	mls_wb_u32(w, (uint32_t)(v >> 32));
	mls_wb_u32(w, (uint32_t)v);
}

void mls_wb_varint(struct mls_wbuf *w, size_t n)
{
	if (n < 64)
		mls_wb_u8(w, (uint8_t)n);
	else if (n < 16384)
		mls_wb_u16(w, (uint16_t)(0x4000 | n));
	else if (n < (1U << 30))
		mls_wb_u32(w, (uint32_t)(0x80000000U | n));
	else if (!w->err)
		w->err = -EMSGSIZE;
}

void mls_wb_vec(struct mls_wbuf *w, const void *p, size_t n)
{
	mls_wb_varint(w, n);
	mls_wb_raw(w, p, n);
}

int mls_wb_finish(struct mls_wbuf *w, struct mls_bytes *out)
{
	int err = w->err;

	if (err) {
		if (w->p) {
			explicit_bzero(w->p, w->len);
			free(w->p);
		}
		out->data = NULL;
		out->len = 0;
	} else {
		out->data = w->p;
		out->len = w->len;
	}
	w->p = NULL;
	w->len = 0;
	w->cap = 0;
	return err;
}
