// SPDX-License-Identifier: GPL-2.0
/*
 * The RFC 9420 structures mlsctl member reads and writes itself: an
 * Extension extensions<V> list (a GroupContextExtensions proposal's
 * content, §12.1.7) and the ReInit that ended a group (§12.1.5), the
 * file STATE.reinit. The variable-length integers are §2.1.2's, and
 * must be minimal, as the client reads them.
 */
#include "member.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A §2.1.2 varint at *@p (before @end), minimal; false if not one. */
static bool get_varint(const uint8_t **p, const uint8_t *end, size_t *v)
{
	size_t n, x;

	if (*p >= end)
		return false;
	n = (size_t)1 << (**p >> 6);
	if (n == 8 || (size_t)(end - *p) < n)
		return false;
	x = **p & 0x3f;
	for (size_t i = 1; i < n; i++)
		x = x << 8 | (*p)[i];
	if ((n == 2 && x < 64) || (n == 4 && x < 16384))
		return false;
	*p += n;
	*v = x;
	return true;
}

/* opaque<V> at *@p: its bytes in @out (pointing into the buffer). */
static bool get_vec(const uint8_t **p, const uint8_t *end,
		    const uint8_t **out, size_t *len)
{
	if (!get_varint(p, end, len) || (size_t)(end - *p) < *len)
		return false;
	*out = *p;
	*p += *len;
	return true;
}

static size_t put_varint(uint8_t *w, size_t v)
{
	if (v < 64) {
		w[0] = (uint8_t)v;
		return 1;
	}
	if (v < 16384) {
		w[0] = (uint8_t)(0x40 | v >> 8);
		w[1] = (uint8_t)v;
		return 2;
	}
	w[0] = (uint8_t)(0x80 | v >> 24);
	w[1] = (uint8_t)(v >> 16);
	w[2] = (uint8_t)(v >> 8);
	w[3] = (uint8_t)v;
	return 4;
}

int ext_list_parse(const struct mls_bytes *b, struct mlsc_ext *ext,
		   size_t max, size_t *n)
{
	const uint8_t *p = b->data, *end = b->data + b->len, *list;
	size_t len;

	*n = 0;
	if (!b->len || !get_vec(&p, end, &list, &len) || p != end)
		return -EBADMSG;
	for (p = list, end = list + len; p < end; (*n)++) {
		const uint8_t *data;
		size_t dlen;
		uint16_t type;

		if (end - p < 2)
			return -EBADMSG;
		type = (uint16_t)(p[0] << 8 | p[1]);
		p += 2;
		if (!get_vec(&p, end, &data, &dlen))
			return -EBADMSG;
		if (*n == max)
			return -E2BIG;
		ext[*n].type = type;
		ext[*n].data = data;
		ext[*n].len = dlen;
	}
	return 0;
}

int reinit_encode(const struct mlsc_reinit_params *r, struct mls_bytes *out)
{
	size_t len = 4 + r->group_id.len + 4 + r->extensions.len;
	uint8_t *w;

	if (r->group_id.len >= (1U << 30))
		return -EINVAL;
	out->data = malloc(len);
	if (!out->data)
		return -ENOMEM;
	w = out->data;
	w += put_varint(w, r->group_id.len);
	memcpy(w, r->group_id.data, r->group_id.len);
	w += r->group_id.len;
	*w++ = (uint8_t)(r->version >> 8);
	*w++ = (uint8_t)r->version;
	*w++ = (uint8_t)(r->cipher_suite >> 8);
	*w++ = (uint8_t)r->cipher_suite;
	/* extensions<V>: encoded already, with its length */
	memcpy(w, r->extensions.data, r->extensions.len);
	w += r->extensions.len;
	out->len = (size_t)(w - out->data);
	return 0;
}

int reinit_decode(const struct mls_bytes *b, struct reinit_view *v)
{
	const uint8_t *p = b->data, *end = b->data + b->len, *list;
	struct mlsc_ext ext[MEMBER_MAX_EXT];
	struct mls_bytes exts;
	size_t len, n;

	if (!get_vec(&p, end, &v->group_id, &v->group_id_len) ||
	    !v->group_id_len || end - p < 4)
		return -EBADMSG;
	v->version = (uint16_t)(p[0] << 8 | p[1]);
	v->cipher_suite = (uint16_t)(p[2] << 8 | p[3]);
	p += 4;
	v->extensions = p;
	if (!get_vec(&p, end, &list, &len) || p != end)
		return -EBADMSG;
	v->extensions_len = (size_t)(end - v->extensions);
	exts.data = (uint8_t *)v->extensions;
	exts.len = v->extensions_len;
	return ext_list_parse(&exts, ext, ARRAY_SIZE(ext), &n);
}

int msg_content_type(const struct mls_bytes *b)
{
	const uint8_t *p = b->data, *end = b->data + b->len, *skip;
	struct mls_message_header h;
	size_t len;

	if (b->len < 4 || p[0] != 0 || p[1] != 1)	/* mls10 */
		return -EBADMSG;
	if (p[2] == 0 && p[3] == MLS_WIRE_FORMAT_PRIVATE_MESSAGE)
		return mls_message_peek(b->data, b->len, &h) ?
		       -EBADMSG : (int)h.content_type;
	if (p[2] != 0 || p[3] != MLS_WIRE_FORMAT_PUBLIC_MESSAGE)
		return -EBADMSG;
	/* FramedContent (§6): group_id<V>, epoch, sender, aad<V>, type */
	p += 4;
	if (!get_vec(&p, end, &skip, &len) || end - p < 9)
		return -EBADMSG;
	p += 8;
	switch (*p++) {
	case MLS_SENDER_MEMBER:
	case MLS_SENDER_EXTERNAL:
		if (end - p < 4)
			return -EBADMSG;
		p += 4;
		break;
	case MLS_SENDER_NEW_MEMBER_PROPOSAL:
	case MLS_SENDER_NEW_MEMBER_COMMIT:
		break;
	default:
		return -EBADMSG;
	}
	if (!get_vec(&p, end, &skip, &len) || p >= end)
		return -EBADMSG;
	return *p;
}
