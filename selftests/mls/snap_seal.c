// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots opened and sealed again in userspace (snap_seal.h): as
 * kmod/seal.c, the AES-256-GCM key and nonce are HKDF-SHA256 with the
 * snapshot's salt, the keyring payload and the label "mls 1.0 snapshot
 * seal" (44 bytes: key, then nonce); the header is the AAD.
 */
#include "snap_seal.h"

#include <string.h>

#include <openssl/crypto.h>

#include "vectors.h"

#define SNAP_KEY_LEN	32
#define SNAP_NONCE_LEN	12
#define PERSISTENT	(1U << 4)	/* MLS_GROUP_F_PERSISTENT */
#define EPOCH_LIVE	(1U << 2)
#define EPOCH_FINAL	(1U << 3)

static const struct vec_suite seal_suite = {
	.md = "SHA256",
	.nh = 32,
	.nk = SNAP_KEY_LEN,
	.aead = "AES-256-GCM",
};

static const char seal_label[] = "mls 1.0 snapshot seal";

size_t snap_hdr_len(const uint8_t *snap, size_t len)
{
	size_t n;

	if (len < SNAP_HDR_FIXED)
		return 0;
	n = SNAP_HDR_FIXED + snap[SNAP_OFF_GID_LEN];
	return n <= len ? n : 0;
}

/* The key (32 bytes) and nonce (12) of the snapshot with salt @salt. */
static int seal_key(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt,
		    uint8_t okm[SNAP_KEY_LEN + SNAP_NONCE_LEN])
{
	uint8_t prk[32];
	int ret;

	ret = vec_hkdf_extract(&seal_suite, salt, SNAP_SALT_LEN, ikm, ikm_len,
			       prk) ||
	      vec_hkdf_expand(&seal_suite, prk, sizeof(prk),
			      (const uint8_t *)seal_label,
			      sizeof(seal_label) - 1, okm,
			      SNAP_KEY_LEN + SNAP_NONCE_LEN);
	OPENSSL_cleanse(prk, sizeof(prk));
	return ret ? -1 : 0;
}

int snap_unseal(const uint8_t *ikm, size_t ikm_len, const uint8_t *snap,
		size_t len, uint8_t *body, size_t *body_len)
{
	uint8_t okm[SNAP_KEY_LEN + SNAP_NONCE_LEN];
	size_t h = snap_hdr_len(snap, len);
	int ret;

	if (!h || len - h < SNAP_TAG_LEN)
		return -1;
	ret = seal_key(ikm, ikm_len, snap + SNAP_OFF_SALT, okm) ||
	      vec_aead_open(&seal_suite, okm, okm + SNAP_KEY_LEN, snap, h,
			    snap + h, len - h, body);
	OPENSSL_cleanse(okm, sizeof(okm));
	if (ret)
		return -1;
	*body_len = len - h - SNAP_TAG_LEN;
	return 0;
}

int snap_reseal(const uint8_t *ikm, size_t ikm_len, const uint8_t *hdr,
		size_t hdr_len, const uint8_t *body, size_t body_len,
		uint8_t *out)
{
	uint8_t okm[SNAP_KEY_LEN + SNAP_NONCE_LEN];
	static const uint8_t no_salt[SNAP_SALT_LEN];
	const uint8_t *salt = no_salt;
	int ret;

	/* A header cut short has no salt: the kernel stops before it. */
	if (hdr_len >= SNAP_OFF_SALT + SNAP_SALT_LEN)
		salt = hdr + SNAP_OFF_SALT;
	memmove(out, hdr, hdr_len);
	ret = seal_key(ikm, ikm_len, salt, okm) ||
	      vec_aead_seal(&seal_suite, okm, okm + SNAP_KEY_LEN, out, hdr_len,
			    body, body_len, out + hdr_len);
	OPENSSL_cleanse(okm, sizeof(okm));
	return ret ? -1 : 0;
}

/* --- the fields of a body ------------------------------------------------ */

struct walk {
	const uint8_t *p;
	size_t len, off;
	struct snap_field *f;
	size_t n, cap;
	int bad;
};

static uint64_t field(struct walk *w, unsigned int width, int is_len)
{
	uint64_t v;

	if (w->bad || w->len - w->off < width) {
		w->bad = 1;
		return 0;
	}
	v = snap_get_be(w->p + w->off, width);
	if (w->n < w->cap)
		w->f[w->n++] = (struct snap_field){
			.off = (uint32_t)w->off, .width = (uint8_t)width,
			.is_len = (uint8_t)is_len,
		};
	w->off += width;
	return v;
}

static void skip(struct walk *w, uint64_t n)
{
	if (w->bad || w->len - w->off < n)
		w->bad = 1;
	else
		w->off += n;
}

static void walk_ratchet(struct walk *w, size_t nh, size_t nk)
{
	uint64_t kept, i;

	skip(w, nh);
	field(w, 8, 0);		/* next */
	field(w, 8, 0);		/* floor */
	field(w, 8, 0);		/* consumed */
	kept = field(w, 4, 1);
	for (i = 0; i < kept && !w->bad; i++) {
		field(w, 4, 0);	/* generation */
		skip(w, nk + 12);
	}
}

static void walk_epoch(struct walk *w, size_t nh, size_t nk, int full)
{
	uint64_t flags, n, i;

	field(w, 8, 0);			/* epoch */
	flags = field(w, 1, 0);
	field(w, 4, 0);			/* age_ms */
	field(w, 4, 0);			/* own_leaf */
	field(w, 4, 1);			/* leaf_count */
	skip(w, field(w, 4, 1));	/* occupied */
	skip(w, field(w, 4, 1));	/* context */
	/*
	 * A final epoch (version 3): resumption_psk, cth, exporter and
	 * authenticator, nothing else; no tree. Unless in version 3's full
	 * layout (@full), which lays it out as any other.
	 */
	if ((flags & EPOCH_FINAL) && !full) {
		skip(w, nh);
		skip(w, field(w, 1, 1));
		if (flags & EPOCH_LIVE)
			skip(w, 2 * nh);
		return;
	}
	skip(w, 3 * nh);
	skip(w, field(w, 1, 1));	/* cth */
	if (flags & EPOCH_LIVE)
		skip(w, 4 * nh);
	field(w, 1, 0);			/* retired */
	field(w, 4, 0);			/* retired_leaf */
	n = field(w, 4, 1);		/* nodes */
	for (i = 0; i < n && !w->bad; i++) {
		field(w, 4, 0);
		skip(w, nh);
	}
	n = field(w, 4, 1);		/* leaves */
	for (i = 0; i < n && !w->bad; i++) {
		field(w, 4, 0);
		field(w, 1, 0);
		walk_ratchet(w, nh, nk);
		walk_ratchet(w, nh, nk);
	}
}

int snap_body_fields(const uint8_t *body, size_t len, unsigned int version,
		     size_t nh, size_t nk, struct snap_field *f, size_t cap)
{
	struct walk w = { .p = body, .len = len, .f = f, .cap = cap };
	uint64_t flags, n, i;
	int full;

	field(&w, 2, 0);		/* suite */
	field(&w, 4, 0);		/* kernel id */
	flags = field(&w, 4, 0);
	for (i = 0; i < 3; i++)		/* own_leaf, uid, gid */
		field(&w, 4, 0);
	field(&w, 2, 0);		/* mode */
	for (i = 0; i < 8; i++)		/* policy */
		field(&w, 4, 0);
	full = (int)field(&w, 1, 0);	/* has_init */
	if (full)
		skip(&w, nh);
	/*
	 * Version 3's body is version 2's, its final epoch with what that
	 * keeps only; or, in the full layout the earlier module wrote
	 * (has_init 1), version 2's whole.
	 */
	if (version < 1 || version > 3)
		return -1;
	full = full && version >= 3;
	if (flags & PERSISTENT) {	/* limits */
		field(&w, 8, 0);
		field(&w, 8, 0);
	}
	if ((flags & PERSISTENT) && version >= 2) {	/* recv_save, its flags */
		field(&w, 4, 0);
		field(&w, 4, 0);
	}
	n = field(&w, 4, 1);
	for (i = 0; i < n && !w.bad; i++)
		walk_epoch(&w, nh, nk, full);
	return w.bad || w.off != len ? -1 : (int)w.n;
}
