/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mutations of an opened snapshot (persist_test's fuzz of the import
 * parser): deterministic from a seed, so that a failure replays.
 */
#ifndef MLS_SELFTEST_SNAP_FUZZ_H
#define MLS_SELFTEST_SNAP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "snap_seal.h"

/* splitmix64: the whole state is the seed. */
struct snap_rng {
	uint64_t s;
};

static inline uint64_t snap_rng_next(struct snap_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for n > 0. */
static inline uint32_t snap_rng_below(struct snap_rng *r, uint32_t n)
{
	return (uint32_t)(snap_rng_next(r) % n);
}

enum snap_mut {
	SNAP_MUT_BIT,		/* one bit flipped */
	SNAP_MUT_BYTE,		/* one byte set to 0x00, 0xff, 0x7f or 0x80 */
	SNAP_MUT_FIELD,		/* an integer field to a boundary value */
	SNAP_MUT_LENGTH,	/* a length or count field to 0 or large */
	SNAP_MUT_TRUNCATE,	/* the body cut short */
	SNAP_MUT_EXTEND,	/* bytes appended to the body */
	SNAP_MUT_COPY,		/* a chunk copied over another place */
	SNAP_MUT_INSERT,	/* a chunk copied and inserted elsewhere */
	SNAP_MUT_DELETE,	/* a chunk taken out */
	SNAP_MUT_HEADER,	/* a header field (epoch, flags, group_id) */
	SNAP_MUT_COUNT
};

extern const char *const snap_mut_names[SNAP_MUT_COUNT];

/* What a mutation works on: a header and a body with room to grow. */
struct snap_plain {
	uint8_t *hdr;
	size_t hdr_len;
	uint8_t *body;
	size_t body_len, body_cap;
	const struct snap_field *fields;	/* of the unmodified body */
	size_t nfields;
};

/*
 * Apply one mutation of kind @kind to @p; fields past a changed length
 * may have moved, which is part of the fuzz.
 */
void snap_mutate(struct snap_rng *r, struct snap_plain *p, enum snap_mut kind);

#endif /* MLS_SELFTEST_SNAP_FUZZ_H */
