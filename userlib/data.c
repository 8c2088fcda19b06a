// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/* The data plane: encrypt and decrypt, and the clear header of a message. */
#include <libmls.h>

#include "lib.h"

#include <string.h>

/*
 * MLSMessage(PrivateMessage) without its padding: version, wire format,
 * group_id<V>, epoch, content type, authenticated_data<V>, the sealed
 * sender data<V> (12 + 16 bytes) and ciphertext<V> holding
 * application_data<V> || signature<V> || padding and the tag. Varint
 * lengths take at most 4 bytes.
 */
static size_t encrypt_guess(size_t aad_len, size_t content_len, size_t sig_len)
{
	return 2 + 2 + 4 + MLS_MAX_GROUP_ID_LEN + 8 + 1 + 4 + aad_len +
	       1 + 28 + 4 + 4 + content_len + 4 + sig_len + 16 + 64;
}

MLS_EXPORT int mls_encrypt_ex(int gfd, const struct mls_encrypt_opts *opts,
			      uint32_t content_type,
			      const void *authenticated_data,
			      size_t authenticated_data_len,
			      const void *content, size_t content_len,
			      const void *signature, size_t signature_len,
			      struct mls_sent *out)
{
	struct mls_encrypt e;
	size_t cap;
	int ret, i;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if ((!authenticated_data && authenticated_data_len) ||
	    (!content && content_len) || (!signature && signature_len) ||
	    authenticated_data_len > UINT32_MAX || content_len > UINT32_MAX ||
	    signature_len > UINT32_MAX)
		return -EINVAL;
	/* The padding goes inside the ciphertext: room for it too. */
	cap = encrypt_guess(authenticated_data_len, content_len, signature_len) +
	      (opts ? opts->padding_block : 0);
	for (i = 0; i < MLS_RETRIES; i++) {
		if (cap > UINT32_MAX)
			return -EINVAL;
		ret = mls_bytes_alloc(&out->message, cap);
		if (ret)
			return ret;
		memset(&e, 0, sizeof(e));
		e.content_type = content_type;
		if (opts) {
			e.flags = opts->flags;
			e.epoch = opts->epoch;
			e.padding_block = opts->padding_block;
		}
		mls_buf_set(&e.authenticated_data, authenticated_data,
			    authenticated_data_len);
		mls_buf_set(&e.content, content, content_len);
		mls_buf_set(&e.signature, signature, signature_len);
		mls_buf_set(&e.message, out->message.data, cap);
		ret = mls_ioctl(gfd, MLS_IOC_ENCRYPT, &e);
		if (ret == 0 && e.message.len <= cap) {
			out->message.len = e.message.len;
			out->epoch = e.epoch;
			out->generation = e.generation;
			return 0;
		}
		mls_bytes_free(&out->message);
		if (ret != -ENOSPC)
			return ret ? ret : -EPROTO;
		/* No generation was used: ask again with what it needs. */
		cap = e.message.len;
	}
	return -ENOSPC;
}

MLS_EXPORT int mls_encrypt(int gfd, uint32_t content_type,
			   const void *authenticated_data,
			   size_t authenticated_data_len,
			   const void *content, size_t content_len,
			   const void *signature, size_t signature_len,
			   struct mls_sent *out)
{
	return mls_encrypt_ex(gfd, NULL, content_type, authenticated_data,
			      authenticated_data_len, content, content_len,
			      signature, signature_len, out);
}

static int batch(int gfd, unsigned long cmd, void *entries, uint32_t count,
		 uint32_t entry_size, struct mls_batch *status)
{
	struct mls_batch b;
	int ret;

	memset(&b, 0, sizeof(b));
	b.count = count;
	b.entries = (uint64_t)(uintptr_t)entries;
	b.entry_size = entry_size;
	ret = mls_ioctl(gfd, cmd, &b);
	if (status)
		*status = b;
	return ret;
}

MLS_EXPORT int mls_encrypt_batch(int gfd, struct mls_encrypt_entry *entries,
				 uint32_t count, struct mls_batch *status)
{
	return batch(gfd, MLS_IOC_ENCRYPT_BATCH, entries, count,
		     sizeof(*entries), status);
}

MLS_EXPORT int mls_decrypt_batch(int gfd, struct mls_decrypt_entry *entries,
				 uint32_t count, struct mls_batch *status)
{
	return batch(gfd, MLS_IOC_DECRYPT_BATCH, entries, count,
		     sizeof(*entries), status);
}

MLS_EXPORT void mls_received_free(struct mls_received *r)
{
	if (!r)
		return;
	mls_bytes_free(&r->block);
	memset(r, 0, sizeof(*r));
}

static size_t grow(size_t cap, uint32_t needed)
{
	return needed > cap ? needed : cap;
}

/*
 * Every output is shorter than the message: one block of three times its
 * length never gets -ENOSPC, but the sizes the kernel writes back are
 * honoured all the same.
 */
MLS_EXPORT int mls_decrypt(int gfd, const void *msg, size_t len,
			   struct mls_received *out)
{
	size_t aad_cap, content_cap, sig_cap;
	struct mls_decrypt d;
	uint8_t *p;
	int ret, i;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!msg || !len || len > UINT32_MAX)
		return -EINVAL;
	aad_cap = len;
	content_cap = len;
	sig_cap = len;
	for (i = 0; i < MLS_RETRIES; i++) {
		if (aad_cap > UINT32_MAX || content_cap > UINT32_MAX ||
		    sig_cap > UINT32_MAX)
			return -EINVAL;
		ret = mls_bytes_alloc(&out->block, aad_cap + content_cap + sig_cap);
		if (ret)
			return ret;
		p = out->block.data;
		memset(&d, 0, sizeof(d));
		mls_buf_set(&d.message, msg, len);
		mls_buf_set(&d.authenticated_data, p, aad_cap);
		mls_buf_set(&d.content, p + aad_cap, content_cap);
		mls_buf_set(&d.signature, p + aad_cap + content_cap, sig_cap);
		ret = mls_ioctl(gfd, MLS_IOC_DECRYPT, &d);
		if (ret == 0 && d.authenticated_data.len <= aad_cap &&
		    d.content.len <= content_cap && d.signature.len <= sig_cap) {
			out->authenticated_data = p;
			out->authenticated_data_len = d.authenticated_data.len;
			out->content = p + aad_cap;
			out->content_len = d.content.len;
			out->signature = p + aad_cap + content_cap;
			out->signature_len = d.signature.len;
			out->epoch = d.epoch;
			out->content_type = d.content_type;
			out->sender_leaf = d.sender_leaf;
			out->generation = d.generation;
			return 0;
		}
		mls_bytes_free(&out->block);
		if (ret != -ENOSPC)
			return ret ? ret : -EPROTO;
		/* Nothing was consumed: ask again with what it needs. */
		aad_cap = grow(aad_cap, d.authenticated_data.len);
		content_cap = grow(content_cap, d.content.len);
		sig_cap = grow(sig_cap, d.signature.len);
	}
	return -ENOSPC;
}

/* A varint length (§2.1.2): bytes used, or 0 if malformed or truncated. */
static size_t varint_get(const uint8_t *p, size_t len, size_t *v)
{
	size_t n, i, x;

	if (!len)
		return 0;
	switch (p[0] >> 6) {
	case 0:
		n = 1;
		break;
	case 1:
		n = 2;
		break;
	case 2:
		n = 4;
		break;
	default:
		return 0;
	}
	if (len < n)
		return 0;
	x = p[0] & 0x3f;
	for (i = 1; i < n; i++)
		x = x << 8 | p[i];
	/* A length that fits a shorter encoding must use it. */
	if ((n == 2 && x < 64) || (n == 4 && x < 16384))
		return 0;
	*v = x;
	return n;
}

static int get_vec(const uint8_t *m, size_t len, size_t *off,
		   const uint8_t **p, size_t *n)
{
	size_t used = varint_get(m + *off, len - *off, n);

	if (!used || len - *off - used < *n)
		return -EBADMSG;
	*p = m + *off + used;
	*off += used + *n;
	return 0;
}

MLS_EXPORT int mls_message_peek(const void *msg, size_t len,
				struct mls_message_header *h)
{
	const uint8_t *m = msg, *esd, *ct;
	size_t off = 4, esd_len, ct_len;
	int i;

	if (!h || (!msg && len))
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	if (len < 4)
		return -EBADMSG;
	h->version = (uint16_t)(m[0] << 8 | m[1]);
	h->wire_format = (uint16_t)(m[2] << 8 | m[3]);
	if (h->version != 1 || h->wire_format != MLS_WIRE_FORMAT_PRIVATE_MESSAGE)
		goto bad;
	if (get_vec(m, len, &off, &h->group_id, &h->group_id_len) ||
	    len - off < 9)
		goto bad;
	for (i = 0; i < 8; i++)
		h->epoch = h->epoch << 8 | m[off++];
	h->content_type = m[off++];
	if (h->content_type < MLS_CONTENT_APPLICATION ||
	    h->content_type > MLS_CONTENT_COMMIT)
		goto bad;
	/* The rest must be there too, and nothing after it. */
	if (get_vec(m, len, &off, &h->authenticated_data,
		    &h->authenticated_data_len) ||
	    get_vec(m, len, &off, &esd, &esd_len) ||
	    get_vec(m, len, &off, &ct, &ct_len) || off != len)
		goto bad;
	return 0;
bad:
	memset(h, 0, sizeof(*h));
	return -EBADMSG;
}
