// SPDX-License-Identifier: GPL-2.0
/*
 * Mutations of an opened snapshot (snap_fuzz.h). The integer fields of
 * the body are known (snap_body_fields()), so that lengths and counts
 * are set to the values a parser must bound, besides the blind bit and
 * byte changes.
 */
#include "snap_fuzz.h"

#include <string.h>

const char *const snap_mut_names[SNAP_MUT_COUNT] = {
	[SNAP_MUT_BIT] = "bit",
	[SNAP_MUT_BYTE] = "byte",
	[SNAP_MUT_FIELD] = "field",
	[SNAP_MUT_LENGTH] = "length",
	[SNAP_MUT_TRUNCATE] = "truncate",
	[SNAP_MUT_EXTEND] = "extend",
	[SNAP_MUT_COPY] = "copy",
	[SNAP_MUT_INSERT] = "insert",
	[SNAP_MUT_DELETE] = "delete",
	[SNAP_MUT_HEADER] = "header",
};

static const uint8_t boundary_bytes[] = { 0x00, 0xff, 0x7f, 0x80 };

/* A value a field of @width bytes now holding @v is set to. */
static uint64_t boundary_value(struct snap_rng *r, unsigned int width,
			       uint64_t v, int is_len)
{
	uint64_t max = width == 8 ? UINT64_MAX : (1ULL << (8 * width)) - 1;
	uint64_t top = 1ULL << (8 * width - 1);

	switch (snap_rng_below(r, is_len ? 9 : 8)) {
	case 0:
		return 0;
	case 1:
		return max;
	case 2:
		return top;
	case 3:
		return top - 1;
	case 4:
		return (v + 1) & max;
	case 5:
		return (v - 1) & max;
	case 6:
		return 1;
	case 7:
		return snap_rng_next(r) & max;
	default:
		/* A length just past or well past what the body holds. */
		return (v + 1 + snap_rng_below(r, 1U << 16)) & max;
	}
}

static const struct snap_field *pick_field(struct snap_rng *r,
					   const struct snap_plain *p,
					   int want_len)
{
	size_t i, n = 0, k;

	for (i = 0; i < p->nfields; i++)
		n += !want_len || p->fields[i].is_len;
	if (!n)
		return NULL;
	k = snap_rng_below(r, (uint32_t)n);
	for (i = 0; i < p->nfields; i++)
		if ((!want_len || p->fields[i].is_len) && !k--)
			return &p->fields[i];
	return NULL;
}

static void set_field(struct snap_rng *r, struct snap_plain *p, int want_len)
{
	const struct snap_field *f = pick_field(r, p, want_len);
	uint8_t *q;

	if (!f || f->off + f->width > p->body_len)
		return;
	q = p->body + f->off;
	snap_put_be(q, f->width, boundary_value(r, f->width,
						snap_get_be(q, f->width),
						f->is_len));
}

static size_t chunk_len(struct snap_rng *r, size_t max)
{
	size_t n = 1 + snap_rng_below(r, snap_rng_below(r, 2) ? 16 : 256);

	return n < max ? n : max;
}

static void mutate_header(struct snap_rng *r, struct snap_plain *p)
{
	uint8_t *h = p->hdr;

	switch (snap_rng_below(r, 5)) {
	case 0:		/* the epoch, which the body's current one must match */
		snap_put_be(h + SNAP_OFF_EPOCH, 8,
			    boundary_value(r, 8, snap_get_be(h + SNAP_OFF_EPOCH, 8), 0));
		break;
	case 1:
		h[SNAP_OFF_FLAGS + snap_rng_below(r, 2)] ^=
			(uint8_t)(1U << snap_rng_below(r, 8));
		break;
	case 2:		/* the version */
		h[SNAP_OFF_VERSION + 1] ^= (uint8_t)(1U << snap_rng_below(r, 8));
		break;
	case 3:		/* the group_id's length, which moves the AAD's end */
		h[SNAP_OFF_GID_LEN] = boundary_bytes[snap_rng_below(r, 4)];
		break;
	default:	/* a byte of the group_id: another group */
		h[SNAP_HDR_FIXED +
		  snap_rng_below(r, (uint32_t)(p->hdr_len - SNAP_HDR_FIXED))] ^=
			(uint8_t)(1U << snap_rng_below(r, 8));
		break;
	}
}

void snap_mutate(struct snap_rng *r, struct snap_plain *p, enum snap_mut kind)
{
	size_t len = p->body_len, a, b, n;

	if (!len && kind != SNAP_MUT_EXTEND && kind != SNAP_MUT_HEADER)
		kind = SNAP_MUT_EXTEND;
	switch (kind) {
	case SNAP_MUT_BIT:
		p->body[snap_rng_below(r, (uint32_t)len)] ^=
			(uint8_t)(1U << snap_rng_below(r, 8));
		break;
	case SNAP_MUT_BYTE:
		p->body[snap_rng_below(r, (uint32_t)len)] =
			boundary_bytes[snap_rng_below(r, 4)];
		break;
	case SNAP_MUT_FIELD:
		set_field(r, p, 0);
		break;
	case SNAP_MUT_LENGTH:
		set_field(r, p, 1);
		break;
	case SNAP_MUT_TRUNCATE:
		/* Often near the end, where the tree's last ratchet is. */
		n = snap_rng_below(r, 2) ? chunk_len(r, len) : 1 + snap_rng_below(r, (uint32_t)len);
		p->body_len = len - (n < len ? n : len);
		break;
	case SNAP_MUT_EXTEND:
		n = chunk_len(r, p->body_cap - len);
		if (snap_rng_below(r, 2))
			memset(p->body + len, boundary_bytes[snap_rng_below(r, 4)], n);
		else
			for (a = 0; a < n; a++)
				p->body[len + a] = (uint8_t)snap_rng_next(r);
		p->body_len = len + n;
		break;
	case SNAP_MUT_COPY:
		n = chunk_len(r, len);
		a = snap_rng_below(r, (uint32_t)(len - n + 1));
		b = snap_rng_below(r, (uint32_t)(len - n + 1));
		memmove(p->body + b, p->body + a, n);
		break;
	case SNAP_MUT_INSERT: {
		uint8_t tmp[256];

		n = chunk_len(r, len);
		if (n > p->body_cap - len)
			break;
		a = snap_rng_below(r, (uint32_t)(len - n + 1));
		b = snap_rng_below(r, (uint32_t)(len + 1));
		memcpy(tmp, p->body + a, n);
		memmove(p->body + b + n, p->body + b, len - b);
		memcpy(p->body + b, tmp, n);
		p->body_len = len + n;
		break;
	}
	case SNAP_MUT_DELETE:
		n = chunk_len(r, len);
		a = snap_rng_below(r, (uint32_t)(len - n + 1));
		memmove(p->body + a, p->body + a + n, len - a - n);
		p->body_len = len - n;
		break;
	case SNAP_MUT_HEADER:
	default:
		mutate_header(r, p);
		break;
	}
}
