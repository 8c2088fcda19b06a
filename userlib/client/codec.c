// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* The TLS presentation language (RFC 9420 §2.1): reader and writer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "internal.h"

void mlsc_arena_init(struct mlsc_arena *a)
{
	a->ptrs = NULL;
	a->n = 0;
	a->cap = 0;
}

/* Each block remembers its size so that it can be wiped when freed. */
struct arena_block {
	size_t size;
	max_align_t data[];
};

void *mlsc_arena_alloc(struct mlsc_arena *a, size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		void **p = mlsc_realloc(a->ptrs, cap * sizeof(*p));

		if (!p)
			return NULL;
		a->ptrs = p;
		a->cap = cap;
	}
	b = mlsc_calloc(1, sizeof(*b) + size);
	if (!b)
		return NULL;
	b->size = size;
	a->ptrs[a->n++] = b;
	return b->data;
}

void mlsc_arena_free(struct mlsc_arena *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct arena_block *b = a->ptrs[i];

		explicit_bzero(b->data, b->size);
		free(b);
	}
	free(a->ptrs);
	mlsc_arena_init(a);
}

void mlsc_wbuf_free(struct mlsc_wbuf *w)
{
	if (w->p) {
		explicit_bzero(w->p, w->cap);
		free(w->p);
	}
	w->p = NULL;
	w->len = 0;
	w->cap = 0;
}

int mlsc_bytes_dup(struct mls_bytes *out, const void *p, size_t len)
{
	out->data = mlsc_malloc(len);
	if (!out->data) {
		out->len = 0;
		return -ENOMEM;
	}
	if (len)
		memcpy(out->data, p, len);
	out->len = len;
	return 0;
}

void mlsc_io_reader(struct mlsc_io *io, const uint8_t *p, size_t len,
		    struct mlsc_arena *arena)
{
	memset(io, 0, sizeof(*io));
	io->p = p;
	io->end = len;
	io->arena = arena;
}

void mlsc_io_writer(struct mlsc_io *io, struct mlsc_wbuf *w)
{
	memset(io, 0, sizeof(*io));
	io->writing = true;
	io->w = w;
}

int mlsc_io_fail(struct mlsc_io *io, int err)
{
	if (!io->err)
		io->err = err;
	return io->err;
}

int mlsc_io_finish(struct mlsc_io *io)
{
	if (!io->writing && !io->err && io->off != io->end)
		mlsc_io_fail(io, -EBADMSG);
	return io->err;
}

/* Grow by doubling into a new buffer, so that the old one is wiped. */
static uint8_t *wb_room(struct mlsc_io *io, size_t n)
{
	struct mlsc_wbuf *w = io->w;
	size_t cap = w->cap ? w->cap : 64;
	uint8_t *p;

	if (io->err)
		return NULL;
	if (n > SIZE_MAX / 4 - w->len) {
		mlsc_io_fail(io, -EMSGSIZE);
		return NULL;
	}
	if (w->len + n <= w->cap)
		return w->p + w->len;
	while (cap < w->len + n)
		cap *= 2;
	p = mlsc_malloc(cap);
	if (!p) {
		mlsc_io_fail(io, -ENOMEM);
		return NULL;
	}
	if (w->p) {
		memcpy(p, w->p, w->len);
		explicit_bzero(w->p, w->cap);
		free(w->p);
	}
	w->p = p;
	w->cap = cap;
	return w->p + w->len;
}

/* Reading: the next @n bytes, or NULL (truncated: -EBADMSG). */
static const uint8_t *rd_take(struct mlsc_io *io, size_t n)
{
	const uint8_t *p;

	if (io->err)
		return NULL;
	if (n > io->end - io->off) {
		mlsc_io_fail(io, -EBADMSG);
		return NULL;
	}
	p = io->p + io->off;
	io->off += n;
	return p;
}

static void io_raw(struct mlsc_io *io, uint8_t *buf, size_t n)
{
	if (io->writing) {
		uint8_t *p = wb_room(io, n);

		if (p) {
			memcpy(p, buf, n);
			io->w->len += n;
		}
	} else {
		const uint8_t *p = rd_take(io, n);

		if (p)
			memcpy(buf, p, n);
		else
			memset(buf, 0, n);
	}
}

static void io_uint(struct mlsc_io *io, uint64_t *v, unsigned int bytes)
{
	uint8_t b[8];
	uint64_t x = 0;

	if (io->writing)
		for (unsigned int i = 0; i < bytes; i++)
			b[i] = (uint8_t)(*v >> (8 * (bytes - 1 - i)));
	io_raw(io, b, bytes);
	if (io->writing)
		return;
	for (unsigned int i = 0; i < bytes; i++)
		x = x << 8 | b[i];
	*v = x;
}

void mlsc_io_u8(struct mlsc_io *io, uint8_t *v)
{
	uint64_t x = *v;

	io_uint(io, &x, 1);
	*v = (uint8_t)x;
}

void mlsc_io_u16(struct mlsc_io *io, uint16_t *v)
{
	uint64_t x = *v;

	io_uint(io, &x, 2);
	*v = (uint16_t)x;
}

void mlsc_io_u32(struct mlsc_io *io, uint32_t *v)
{
	uint64_t x = *v;

	io_uint(io, &x, 4);
	*v = (uint32_t)x;
}

void mlsc_io_u64(struct mlsc_io *io, uint64_t *v)
{
	io_uint(io, v, 8);
}

void mlsc_io_fixed(struct mlsc_io *io, uint8_t *p, size_t n)
{
	io_raw(io, p, n);
}

size_t mlsc_varint_size(uint32_t v)
{
	if (v < 0x40)
		return 1;
	if (v < 0x4000)
		return 2;
	if (v <= MLSC_VARINT_MAX)
		return 4;
	return 0;
}

static void varint_encode(uint8_t *p, size_t size, uint32_t v)
{
	static const uint8_t prefix[5] = { 0, 0x00, 0x40, 0, 0x80 };

	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * (size - 1 - i)));
	p[0] |= prefix[size];
}

int mlsc_varint_decode(const uint8_t *p, size_t len, uint32_t *v)
{
	size_t size;
	uint32_t x;

	if (!len)
		return -EBADMSG;
	switch (p[0] >> 6) {
	case 0:
		size = 1;
		break;
	case 1:
		size = 2;
		break;
	case 2:
		size = 4;
		break;
	default:
		return -EBADMSG;
	}
	if (len < size)
		return -EBADMSG;
	x = p[0] & 0x3f;
	for (size_t i = 1; i < size; i++)
		x = x << 8 | p[i];
	if (mlsc_varint_size(x) != size)
		return -EBADMSG;
	*v = x;
	return (int)size;
}

void mlsc_io_varint(struct mlsc_io *io, uint32_t *v)
{
	int n;

	if (io->err)
		return;
	if (io->writing) {
		size_t size = mlsc_varint_size(*v);
		uint8_t *p;

		if (!size) {
			mlsc_io_fail(io, -EMSGSIZE);
			return;
		}
		p = wb_room(io, size);
		if (p) {
			varint_encode(p, size, *v);
			io->w->len += size;
		}
		return;
	}
	n = mlsc_varint_decode(io->p + io->off, io->end - io->off, v);
	if (n < 0) {
		*v = 0;
		mlsc_io_fail(io, n);
		return;
	}
	io->off += (size_t)n;
}

void mlsc_io_opaque_max(struct mlsc_io *io, struct mlsc_slice *s, size_t max)
{
	uint32_t len = 0;

	if (io->writing) {
		if (s->len > max || s->len > MLSC_VARINT_MAX) {
			mlsc_io_fail(io, -EMSGSIZE);
			return;
		}
		len = (uint32_t)s->len;
		mlsc_io_varint(io, &len);
		if (len) {
			uint8_t *p = wb_room(io, len);

			if (p) {
				memcpy(p, s->p, len);
				io->w->len += len;
			}
		}
		return;
	}
	s->p = NULL;
	s->len = 0;
	mlsc_io_varint(io, &len);
	if (len > max) {
		mlsc_io_fail(io, -EBADMSG);
		return;
	}
	s->p = rd_take(io, len);
	s->len = s->p ? len : 0;
}

bool mlsc_io_optional(struct mlsc_io *io, bool *present)
{
	uint8_t b = *present;

	mlsc_io_u8(io, &b);
	if (b > 1)
		mlsc_io_fail(io, -EBADMSG);
	if (io->err)
		return false;
	*present = b;
	return b;
}

/* Writing: the vector's bytes went out after @start; put the length first. */
static void wb_prefix_len(struct mlsc_io *io, size_t start)
{
	size_t len = io->w->len - start;
	size_t size = mlsc_varint_size((uint32_t)len);
	uint8_t *p;

	if (io->err)
		return;
	if (len > MLSC_VARINT_MAX || !size) {
		mlsc_io_fail(io, -EMSGSIZE);
		return;
	}
	p = wb_room(io, size);
	if (!p)
		return;
	p = io->w->p + start;
	memmove(p + size, p, len);
	varint_encode(p, size, (uint32_t)len);
	io->w->len += size;
}

void mlsc_io_list(struct mlsc_io *io, void **items, size_t *n, size_t size,
		  mlsc_io_fn fn)
{
	size_t saved_end, cap = 0, count = 0;
	uint8_t *arr = NULL;
	uint32_t len = 0;

	if (io->err)
		return;
	if (++io->depth > MLSC_MAX_DEPTH) {
		mlsc_io_fail(io, -EBADMSG);
		goto out;
	}
	if (io->writing) {
		size_t start = io->w->len;

		for (size_t i = 0; i < *n && !io->err; i++)
			fn(io, (uint8_t *)*items + i * size);
		wb_prefix_len(io, start);
		goto out;
	}
	*items = NULL;
	*n = 0;
	mlsc_io_varint(io, &len);
	if (io->err)
		goto out;
	if (len > io->end - io->off) {
		mlsc_io_fail(io, -EBADMSG);
		goto out;
	}
	saved_end = io->end;
	io->end = io->off + len;
	while (io->off < io->end && !io->err) {
		if (count == cap) {
			/* each element takes a byte at least */
			size_t ncap = cap ? cap * 2 : 4;
			uint8_t *p;

			if (ncap > len)
				ncap = len;
			p = mlsc_arena_alloc(io->arena, ncap * size);
			if (!p) {
				mlsc_io_fail(io, -ENOMEM);
				break;
			}
			if (count)
				memcpy(p, arr, count * size);
			arr = p;
			cap = ncap;
		}
		size_t before = io->off;

		fn(io, arr + count * size);
		count++;
		if (!io->err && io->off == before)
			mlsc_io_fail(io, -EBADMSG);
	}
	/* an element that ran past the vector's end was cut short */
	io->end = saved_end;
	if (!io->err) {
		*items = arr;
		*n = count;
	}
out:
	io->depth--;
}

static void io_u16_item(struct mlsc_io *io, uint16_t *v)
{
	mlsc_io_u16(io, v);
}

static void io_u32_item(struct mlsc_io *io, uint32_t *v)
{
	mlsc_io_u32(io, v);
}

void mlsc_io_u16_list(struct mlsc_io *io, uint16_t **v, size_t *n)
{
	mlsc_io_array(io, v, n, io_u16_item);
}

void mlsc_io_u32_list(struct mlsc_io *io, uint32_t **v, size_t *n)
{
	mlsc_io_array(io, v, n, io_u32_item);
}

int mlsc_io_bad_tag(struct mlsc_io *io)
{
	return mlsc_io_fail(io, io->writing ? -EINVAL : -EBADMSG);
}

bool mlsc_slice_eq(const struct mlsc_slice *a, const struct mlsc_slice *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len));
}
