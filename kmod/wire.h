/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire format of a PrivateMessage in its MLSMessage (RFC 9420 §6,
 * §6.3): parsing the received bytes, and the SenderData and
 * PrivateMessageContent plaintexts once decrypted. Pure functions over
 * byte buffers: no keys, no groups, no allocation.
 */
#ifndef _MLS_WIRE_H
#define _MLS_WIRE_H

#include "suite.h"

#include <uapi/linux/mls.h>

#include <linux/types.h>

/* RFC 9420 §6: ProtocolVersion mls10 and WireFormat mls_private_message. */
#define MLS_PROTOCOL_VERSION_10		1
#define MLS_WIRE_FORMAT_PRIVATE		2
#define MLS_SENDER_DATA_LEN		12	/* leaf, generation, reuse_guard */
#define MLS_REUSE_GUARD_LEN		4

/* uint16 version || uint16 wire_format, before the PrivateMessage. */
#define MLS_MSG_HDR_LEN		4
#define MLS_SENDER_DATA_SEALED	(MLS_SENDER_DATA_LEN + MLS_TAG_LEN)

/**
 * struct mls_msg_header - the public part of a PrivateMessage
 * @group_id: points into the message
 * @group_id_len: its length
 * @epoch: the epoch
 * @content_type: the content type
 */
struct mls_msg_header {
	const u8 *group_id;
	size_t group_id_len;
	u64 epoch;
	u8 content_type;
};

/**
 * struct mls_wire - a parsed MLSMessage; pointers into it
 * @h: the public header
 * @sd_aad_len: SenderDataAAD, from the group_id's length on
 * @aad_len: PrivateContentAAD, from the group_id's length on
 * @ad: authenticated_data
 * @ad_len: its length
 * @esd: the sealed sender data, MLS_SENDER_DATA_SEALED bytes
 * @ct: the content ciphertext and its tag
 * @ct_len: their length
 */
struct mls_wire {
	struct mls_msg_header h;
	size_t sd_aad_len;
	size_t aad_len;
	const u8 *ad;
	size_t ad_len;
	const u8 *esd;
	const u8 *ct;
	size_t ct_len;
};

/* SenderData, decrypted. */
struct mls_sender {
	u32 leaf;
	u32 generation;
	u8 guard[MLS_REUSE_GUARD_LEN];
};

/**
 * struct mls_content - a PrivateMessageContent plaintext, parsed; pointers
 *	into it
 * @data: application: application_data; else the whole plaintext,
 *	padding included
 * @data_len: its length
 * @sig: application: signature; else NULL
 * @sig_len: its length
 */
struct mls_content {
	const u8 *data;
	size_t data_len;
	const u8 *sig;
	size_t sig_len;
};

static inline bool mls_content_type_ok(u8 type)
{
	return type >= MLS_CONTENT_APPLICATION && type <= MLS_CONTENT_COMMIT;
}

int mls_wire_parse(const u8 *msg, size_t len, struct mls_wire *m);
int mls_message_peek(const u8 *msg, size_t len, struct mls_msg_header *h);
int mls_sender_data_parse(const u8 *sd, struct mls_sender *s);
int mls_content_parse(u8 type, const u8 *pt, size_t len,
		      struct mls_content *c);

#endif /* _MLS_WIRE_H */
