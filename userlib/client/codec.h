/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The TLS presentation language of RFC 9420 §2.1, both ways.
 *
 * One function per structure serves reading and writing: it is handed a
 * struct mlsc_io that either parses bytes into the structure or writes
 * the structure out. Errors are sticky in io->err: once set, every later
 * call does nothing, so a codec function checks the error once at the
 * end. Reading is strict: a truncated input, a varint that is not
 * minimal or has the prefix 0b11, a length past the end of its
 * enclosing vector, an element that does not end exactly where its
 * vector ends, an optional whose presence byte is not 0 or 1, a value
 * the structure does not allow (an unknown select tag) and bytes left
 * over at the end are all -EBADMSG. Out of memory is -ENOMEM, a length
 * that cannot be encoded (2^30 or more) is -EMSGSIZE on write.
 *
 * Parsed opaque vectors are slices that point into the input: the input
 * must outlive what was parsed from it. Arrays of structures come from an
 * arena, freed all at once.
 */
#ifndef MLSC_CODEC_H
#define MLSC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A varint length's upper bound (§2.1.2): 2^30 - 1. */
#define MLSC_VARINT_MAX		0x3fffffffU
/* Vectors nest; past this depth an input is refused (-EBADMSG). */
#define MLSC_MAX_DEPTH		16

/* A run of bytes; parsed ones point into the input. */
struct mlsc_slice {
	const uint8_t *p;
	size_t len;
};

/* Allocations that live and die together. */
struct mlsc_arena {
	void **ptrs;
	size_t n;
	size_t cap;
};

void mlsc_arena_init(struct mlsc_arena *a);
/* Zeroed memory owned by @a, or NULL. */
void *mlsc_arena_alloc(struct mlsc_arena *a, size_t size);
/* Wipe and free all of it. */
void mlsc_arena_free(struct mlsc_arena *a);

/* A growing output buffer, wiped as it grows and when freed. */
struct mlsc_wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

void mlsc_wbuf_free(struct mlsc_wbuf *w);

struct mls_bytes;
/*
 * A malloc'd copy of @len bytes at @p in @out (to be freed with
 * mls_bytes_free()): 0, or -ENOMEM with @out left empty.
 */
int mlsc_bytes_dup(struct mls_bytes *out, const void *p, size_t len);

/* What @w holds, copied to @out as mlsc_bytes_dup() does. */
static inline int mlsc_wbuf_to_bytes(const struct mlsc_wbuf *w,
				     struct mls_bytes *out)
{
	return mlsc_bytes_dup(out, w->p, w->len);
}

struct mlsc_io {
	bool writing;
	int err;
	unsigned int depth;
	/* reading: [p + off, p + end) is what is left */
	const uint8_t *p;
	size_t off;
	size_t end;
	struct mlsc_arena *arena;
	/* writing */
	struct mlsc_wbuf *w;
};

void mlsc_io_reader(struct mlsc_io *io, const uint8_t *p, size_t len,
		    struct mlsc_arena *arena);
void mlsc_io_writer(struct mlsc_io *io, struct mlsc_wbuf *w);
/* Reading: -EBADMSG unless every byte was used. Returns io->err. */
int mlsc_io_finish(struct mlsc_io *io);
/* Record an error (the first one wins); returns it. */
int mlsc_io_fail(struct mlsc_io *io, int err);

void mlsc_io_u8(struct mlsc_io *io, uint8_t *v);
void mlsc_io_u16(struct mlsc_io *io, uint16_t *v);
void mlsc_io_u32(struct mlsc_io *io, uint32_t *v);
void mlsc_io_u64(struct mlsc_io *io, uint64_t *v);
/* Fixed-size opaque x[n]. */
void mlsc_io_fixed(struct mlsc_io *io, uint8_t *p, size_t n);
/* A varint (§2.1.2); reading enforces the minimal encoding. */
void mlsc_io_varint(struct mlsc_io *io, uint32_t *v);
/* opaque x<V>, at most @max bytes (-EBADMSG on read, -EMSGSIZE on write). */
void mlsc_io_opaque_max(struct mlsc_io *io, struct mlsc_slice *s, size_t max);

static inline void mlsc_io_opaque(struct mlsc_io *io, struct mlsc_slice *s)
{
	mlsc_io_opaque_max(io, s, MLSC_VARINT_MAX);
}

/*
 * optional<T>: reads or writes the presence byte. Returns whether the
 * value follows (false on error too).
 */
bool mlsc_io_optional(struct mlsc_io *io, bool *present);

/*
 * T x<V>: a vector of @*n elements of @size bytes each at @*items, each
 * coded by @fn. Reading allocates the array from the arena.
 */
typedef void (*mlsc_io_fn)(struct mlsc_io *io, void *item);
void mlsc_io_list(struct mlsc_io *io, void **items, size_t *n, size_t size,
		  mlsc_io_fn fn);

#define mlsc_io_array(io, arr, n, fn)					\
	mlsc_io_list((io), (void **)(arr), (n), sizeof(**(arr)),	\
		     (mlsc_io_fn)(fn))

/* uint16 x<V> and uint32 x<V>. */
void mlsc_io_u16_list(struct mlsc_io *io, uint16_t **v, size_t *n);
void mlsc_io_u32_list(struct mlsc_io *io, uint32_t **v, size_t *n);

/* Bytes of the minimal varint of @v; 0 when @v > MLSC_VARINT_MAX. */
size_t mlsc_varint_size(uint32_t v);
/*
 * Decode the varint at the start of @p: bytes used, or -EBADMSG
 * (truncated, prefix 0b11, not minimal).
 */
int mlsc_varint_decode(const uint8_t *p, size_t len, uint32_t *v);

/* An undefined select tag: -EBADMSG reading, -EINVAL writing. */
int mlsc_io_bad_tag(struct mlsc_io *io);

bool mlsc_slice_eq(const struct mlsc_slice *a, const struct mlsc_slice *b);

#endif /* MLSC_CODEC_H */
