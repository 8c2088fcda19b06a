// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing a received PrivateMessage (RFC 9420 §6.3): the MLSMessage
 * around it, and the SenderData and PrivateMessageContent plaintexts once
 * protect.c has decrypted them. Every byte a remote party chooses goes
 * through here first, so this file stands alone, to be fuzzed on its own
 * (Documentation/dev-tools/fuzzing.rst).
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "wire.h"
#include "codec.h"

#include <linux/string.h>

/**
 * mls_wire_parse() - parse an MLSMessage carrying a PrivateMessage
 * @msg: the message
 * @len: its length
 * @m: (out) its parts; pointers into @msg
 *
 * The whole message must parse, so that the header that chooses the epoch
 * is never taken from bytes that mls_unprotect() would reject.
 *
 * Return: 0, or -EBADMSG.
 */
int mls_wire_parse(const u8 *msg, size_t len, struct mls_wire *m)
{
	size_t esd_len;
	u16 version, wire_format;
	struct mls_rbuf r;

	mls_rbuf_init(&r, msg, len);
	mls_get_u16(&r, &version);
	mls_get_u16(&r, &wire_format);
	mls_get_vec(&r, &m->h.group_id, &m->h.group_id_len);
	mls_get_u64(&r, &m->h.epoch);
	mls_get_u8(&r, &m->h.content_type);
	m->sd_aad_len = r.off - MLS_MSG_HDR_LEN;
	mls_get_vec(&r, &m->ad, &m->ad_len);
	m->aad_len = r.off - MLS_MSG_HDR_LEN;
	mls_get_vec(&r, &m->esd, &esd_len);
	mls_get_vec(&r, &m->ct, &m->ct_len);
	if (mls_rbuf_done(&r) || version != MLS_PROTOCOL_VERSION_10 ||
	    wire_format != MLS_WIRE_FORMAT_PRIVATE ||
	    !mls_content_type_ok(m->h.content_type) ||
	    esd_len != MLS_SENDER_DATA_SEALED || m->ct_len < MLS_TAG_LEN)
		return -EBADMSG;
	return 0;
}

/**
 * mls_message_peek() - parse the public header, to choose the epoch
 * @msg: the MLSMessage
 * @len: its length
 * @h: (out) its header; pointers into @msg
 *
 * The whole message is checked as mls_unprotect() parses it.
 *
 * Return: 0, or -EBADMSG (not an mls10 PrivateMessage, malformed).
 */
int mls_message_peek(const u8 *msg, size_t len, struct mls_msg_header *h)
{
	struct mls_wire m;
	int ret;

	ret = mls_wire_parse(msg, len, &m);
	if (!ret)
		*h = m.h;
	return ret;
}

/**
 * mls_sender_data_parse() - parse a decrypted SenderData
 * @sd: MLS_SENDER_DATA_LEN bytes
 * @s: (out) leaf, generation and reuse_guard
 *
 * Return: 0, or -EBADMSG.
 */
int mls_sender_data_parse(const u8 *sd, struct mls_sender *s)
{
	const u8 *guard;
	struct mls_rbuf r;

	mls_rbuf_init(&r, sd, MLS_SENDER_DATA_LEN);
	mls_get_u32(&r, &s->leaf);
	mls_get_u32(&r, &s->generation);
	if (mls_get_bytes(&r, MLS_REUSE_GUARD_LEN, &guard) ||
	    mls_rbuf_done(&r))
		return -EBADMSG;
	memcpy(s->guard, guard, MLS_REUSE_GUARD_LEN);
	return 0;
}

/**
 * mls_content_parse() - parse a decrypted PrivateMessageContent
 * @type: its content type
 * @pt: the plaintext, padding included
 * @len: its length
 * @c: (out) its parts; pointers into @pt
 *
 * Application content must parse exactly, and §6.3.1 makes any non-zero
 * padding byte an error. Proposals and commits carry no length the kernel
 * could find their end by, so their plaintext goes to userspace whole.
 *
 * Return: 0, or -EBADMSG.
 */
int mls_content_parse(u8 type, const u8 *pt, size_t len,
		      struct mls_content *c)
{
	struct mls_rbuf rb;

	*c = (struct mls_content){};
	if (type != MLS_CONTENT_APPLICATION) {
		c->data = pt;
		c->data_len = len;
		return 0;
	}
	mls_rbuf_init(&rb, pt, len);
	if (mls_get_vec(&rb, &c->data, &c->data_len) ||
	    mls_get_vec(&rb, &c->sig, &c->sig_len) ||
	    memchr_inv(pt + rb.off, 0, len - rb.off))
		return -EBADMSG;
	return 0;
}
