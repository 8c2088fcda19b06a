/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small userspace RFC 9420 library for the selftests: the oracle the
 * kernel is checked against, itself checked against the official test
 * vectors (crypto-basics, key-schedule, secret-tree, message-protection).
 *
 *  - hex, and the JSON vectors (jansson) from $MLS_VECTORS
 *    (default /mls/vectors, where the test VM puts them);
 *  - the ciphersuites' data-plane parameters;
 *  - HKDF, ExpandWithLabel, DeriveSecret, DeriveTreeSecret (§8), the key
 *    schedule of one epoch and the MLS-Exporter (§8.5);
 *  - the secret tree and its ratchets (§9);
 *  - AEAD seal/open (AES-GCM, ChaCha20-Poly1305);
 *  - the TLS presentation language: varint vectors (§2.1.2), writer and
 *    reader;
 *  - GroupContext (§8.1), FramedContentTBS (§6.1), SignWithLabel;
 *  - PrivateMessage seal and open (§6.3).
 *
 * Everything is OpenSSL 3 (libcrypto). Functions return 0 on success and
 * -1 on failure unless said otherwise; none of them aborts.
 */
#ifndef MLS_SELFTEST_VECTORS_H
#define MLS_SELFTEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define MLS_VECTORS_DEFAULT_DIR	"/mls/vectors"

#define VEC_MAX_HASH	64
#define VEC_MAX_KEY	32
#define VEC_NONCE	12
#define VEC_TAG		16
#define VEC_REUSE_GUARD	4

/* RFC 9420 §6 */
#define VEC_MLS10		1
#define VEC_WIRE_PRIVATE	2
#define VEC_CT_APPLICATION	1
#define VEC_CT_PROPOSAL		2
#define VEC_CT_COMMIT		3
#define VEC_SENDER_MEMBER	1

enum vec_sig_alg {
	VEC_SIG_ED25519,
	VEC_SIG_ED448,
	VEC_SIG_ECDSA,
};

/* The parameters of one RFC 9420 ciphersuite. */
struct vec_suite {
	unsigned int id;
	const char *name;	/* e.g. MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 */
	const char *md;		/* OpenSSL digest: SHA256, SHA384, SHA512 */
	size_t nh;		/* hash and KDF output length */
	size_t nk;		/* AEAD key length */
	const char *aead;	/* OpenSSL cipher name */
	enum vec_sig_alg sig;
	const char *sig_md;	/* ECDSA hash */
	const char *curve;	/* ECDSA group name */
};

/* The suite with RFC 9420 number @id (1..7), or NULL. */
const struct vec_suite *vec_suite(unsigned int id);

/* ---- bytes and hex ---------------------------------------------------- */

struct bytes {
	uint8_t *data;
	size_t len;
};

/* Decode @hex (even length, [0-9a-fA-F]) into a fresh buffer. */
int vec_unhex(const char *hex, struct bytes *out);
/* "0a1b..." of @len bytes, static buffer per call site not needed: the
 * caller frees the result. At most 4096 bytes are shown. */
char *vec_hex(const uint8_t *p, size_t len);
void bytes_free(struct bytes *b);
int bytes_eq(const struct bytes *b, const uint8_t *p, size_t len);

/* ---- the JSON vectors --------------------------------------------------- */

/* The directory of the vectors: $MLS_VECTORS or MLS_VECTORS_DEFAULT_DIR. */
const char *vec_dir(void);
/* Load @file (e.g. "key-schedule.json") from vec_dir(); NULL on error,
 * with the reason on stderr. The caller json_decref()s it. */
json_t *vec_load(const char *file);
/* The same from a path of its own. */
json_t *vec_load_path(const char *path);
/* obj[key] = the hex of @len bytes at @p (lowercase). */
int vec_set_hex(json_t *obj, const char *key, const uint8_t *p, size_t len);
/* The @nth (0-based) entry of the array @root whose cipher_suite is @suite. */
json_t *vec_entry(json_t *root, unsigned int suite, size_t nth);
/* Number of entries of @root for @suite. */
size_t vec_entry_count(json_t *root, unsigned int suite);
/* obj[key] as hex-decoded bytes / as an integer / as a string. */
int vec_get_hex(json_t *obj, const char *key, struct bytes *out);
int vec_get_u64(json_t *obj, const char *key, uint64_t *out);
const char *vec_get_str(json_t *obj, const char *key);

/* ---- KDF ---------------------------------------------------------------- */

int vec_hash(const struct vec_suite *cs, const uint8_t *in, size_t len,
	     uint8_t *out);
int vec_hmac(const struct vec_suite *cs, const uint8_t *key, size_t key_len,
	     const uint8_t *in, size_t len, uint8_t *out);
/* HKDF-Extract: Nh bytes to @prk. */
int vec_hkdf_extract(const struct vec_suite *cs, const uint8_t *salt,
		     size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		     uint8_t *prk);
int vec_hkdf_expand(const struct vec_suite *cs, const uint8_t *prk,
		    size_t prk_len, const uint8_t *info, size_t info_len,
		    uint8_t *out, size_t out_len);
/* ExpandWithLabel(secret, label, context, len), secret of Nh bytes. */
int vec_expand_with_label(const struct vec_suite *cs, const uint8_t *secret,
			  const char *label, const uint8_t *ctx, size_t ctx_len,
			  uint8_t *out, size_t out_len);
/* DeriveSecret(secret, label): Nh bytes. */
int vec_derive_secret(const struct vec_suite *cs, const uint8_t *secret,
		      const char *label, uint8_t *out);
int vec_derive_tree_secret(const struct vec_suite *cs, const uint8_t *secret,
			   const char *label, uint32_t generation,
			   uint8_t *out, size_t out_len);

/* ---- key schedule (§8) --------------------------------------------------- */

struct vec_epoch_secrets {
	uint8_t joiner[VEC_MAX_HASH];
	uint8_t welcome[VEC_MAX_HASH];
	uint8_t epoch[VEC_MAX_HASH];
	uint8_t sender_data[VEC_MAX_HASH];
	uint8_t encryption[VEC_MAX_HASH];
	uint8_t exporter[VEC_MAX_HASH];
	uint8_t external[VEC_MAX_HASH];
	uint8_t confirm[VEC_MAX_HASH];
	uint8_t membership[VEC_MAX_HASH];
	uint8_t resumption[VEC_MAX_HASH];
	uint8_t authentication[VEC_MAX_HASH];
	uint8_t init[VEC_MAX_HASH];	/* the next epoch's init_secret */
};

/*
 * One epoch of the key schedule. @init_secret NULL: start from
 * @joiner_secret (a joiner); else from init_secret and @commit_secret.
 * NULL commit or psk secret: Nh zeros. @gc: the encoded GroupContext.
 */
int vec_key_schedule(const struct vec_suite *cs, const uint8_t *init_secret,
		     const uint8_t *commit_secret, const uint8_t *joiner_secret,
		     const uint8_t *psk_secret, const uint8_t *gc, size_t gc_len,
		     struct vec_epoch_secrets *out);
/* MLS-Exporter(label, context, length) from an exporter_secret. */
int vec_exporter(const struct vec_suite *cs, const uint8_t *exporter_secret,
		 const uint8_t *label, size_t label_len,
		 const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t len);

/* ---- secret tree (§9) ---------------------------------------------------- */

enum vec_ratchet {
	VEC_RATCHET_HANDSHAKE,
	VEC_RATCHET_APPLICATION,
};

/* The ratchet of a content type: application, or handshake. */
enum vec_ratchet vec_ratchet_of(unsigned int content_type);
/* The secret of leaf @leaf in a tree of @leaf_count leaves (Nh bytes). */
int vec_tree_leaf_secret(const struct vec_suite *cs, const uint8_t *enc_secret,
			 uint32_t leaf_count, uint32_t leaf, uint8_t *out);
/* Key (Nk) and nonce (12) of (@leaf, @type, @generation). */
int vec_ratchet_key(const struct vec_suite *cs, const uint8_t *enc_secret,
		    uint32_t leaf_count, uint32_t leaf, enum vec_ratchet type,
		    uint32_t generation, uint8_t *key, uint8_t *nonce);
/* Sender-data key (Nk) and nonce (12) for a content ciphertext. */
int vec_sender_data_key(const struct vec_suite *cs, const uint8_t *sds,
			const uint8_t *ciphertext, size_t ct_len,
			uint8_t *key, uint8_t *nonce);

/* ---- AEAD ---------------------------------------------------------------- */

/* @out gets @pt_len + VEC_TAG bytes. */
int vec_aead_seal(const struct vec_suite *cs, const uint8_t *key,
		  const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		  const uint8_t *pt, size_t pt_len, uint8_t *out);
/* @out gets @ct_len - VEC_TAG bytes; -1 when the tag does not verify. */
int vec_aead_open(const struct vec_suite *cs, const uint8_t *key,
		  const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		  const uint8_t *ct, size_t ct_len, uint8_t *out);

/* ---- TLS presentation language ------------------------------------------ */

/* Bytes of the minimal varint for @v (0 if @v >= 2^30). */
size_t tls_varint_size(uint32_t v);
/* Write the minimal varint of @v; bytes written, or 0 (no room, too big). */
size_t tls_varint_put(uint8_t *p, size_t cap, uint32_t v);
/* Read a varint: bytes used, or 0 (truncated, prefix 11, non-minimal). */
size_t tls_varint_get(const uint8_t *p, size_t len, uint32_t *v);

/* A growing buffer. Errors are sticky in @err. */
struct wbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	int err;
};

void wb_init(struct wbuf *w);
void wb_free(struct wbuf *w);
void wb_raw(struct wbuf *w, const void *p, size_t n);
void wb_u8(struct wbuf *w, uint8_t v);
void wb_u16(struct wbuf *w, uint16_t v);
void wb_u32(struct wbuf *w, uint32_t v);
void wb_u64(struct wbuf *w, uint64_t v);
void wb_zeros(struct wbuf *w, size_t n);
/* opaque x<V>: varint length then the bytes */
void wb_vec(struct wbuf *w, const void *p, size_t n);

/* A reader. Errors are sticky in @err. */
struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
	int err;
};

void rb_init(struct rbuf *r, const uint8_t *p, size_t len);
uint8_t rb_u8(struct rbuf *r);
uint16_t rb_u16(struct rbuf *r);
uint32_t rb_u32(struct rbuf *r);
uint64_t rb_u64(struct rbuf *r);
/* n raw bytes (a pointer into the buffer), or NULL */
const uint8_t *rb_raw(struct rbuf *r, size_t n);
/* opaque x<V>: sets @p and @n, or err */
void rb_vec(struct rbuf *r, const uint8_t **p, size_t *n);
size_t rb_left(const struct rbuf *r);

/* ---- structures --------------------------------------------------------- */

/* GroupContext (§8.1); @ext is the content of extensions<V>. */
void vec_group_context(struct wbuf *w, const struct vec_suite *cs,
		       const uint8_t *group_id, size_t gid_len, uint64_t epoch,
		       const uint8_t *tree_hash, size_t th_len,
		       const uint8_t *cth, size_t cth_len,
		       const uint8_t *ext, size_t ext_len);

/*
 * FramedContentTBS (§6.1) of a PrivateMessage sent by member @leaf:
 * version || wire_format(private) || FramedContent || GroupContext.
 * @content: application: the application_data (vector-encoded here);
 * proposal or commit: the encoded Proposal or Commit.
 */
void vec_framed_tbs(struct wbuf *w, const uint8_t *group_id, size_t gid_len,
		    uint64_t epoch, uint32_t leaf, const uint8_t *aad,
		    size_t aad_len, unsigned int content_type,
		    const uint8_t *content, size_t content_len,
		    const uint8_t *gc, size_t gc_len);

/* SignWithLabel / VerifyWithLabel (§5.1.2). @label without "MLS 1.0 ".
 * Ed25519/Ed448: raw keys; ECDSA: private scalar, public uncompressed
 * point, DER signature. @pub is needed for ECDSA signing too. */
int vec_sign_with_label(const struct vec_suite *cs, const uint8_t *priv,
			size_t priv_len, const uint8_t *pub, size_t pub_len,
			const char *label, const uint8_t *content, size_t len,
			struct bytes *sig);
/* 1: valid, 0: invalid, -1: error (bad key...) */
int vec_verify_with_label(const struct vec_suite *cs, const uint8_t *pub,
			  size_t pub_len, const char *label,
			  const uint8_t *content, size_t len,
			  const uint8_t *sig, size_t sig_len);

/* ---- PrivateMessage (§6.3) ---------------------------------------------- */

/* A parsed MLSMessage(PrivateMessage); pointers into the message. */
struct vec_pm {
	const uint8_t *group_id;
	size_t gid_len;
	uint64_t epoch;
	uint8_t content_type;
	const uint8_t *aad;
	size_t aad_len;
	const uint8_t *enc_sender_data;
	size_t esd_len;
	const uint8_t *ciphertext;
	size_t ct_len;
};

/* Parse an MLSMessage holding a PrivateMessage; strict (no trailing byte,
 * minimal varints, version mls10, wire format private). */
int vec_pm_parse(const uint8_t *msg, size_t len, struct vec_pm *pm);

struct vec_sender_data {
	uint32_t leaf;
	uint32_t generation;
	uint8_t reuse_guard[VEC_REUSE_GUARD];
};

/* Open the sender data with the sender_data_secret @sds. */
int vec_pm_open_sender(const struct vec_suite *cs, const uint8_t *sds,
		       const struct vec_pm *pm, struct vec_sender_data *sd);
/* Open the content with the generation's @key and @nonce (reuse_guard
 * from @sd applied here): the PrivateMessageContent plaintext, padding
 * included, to a fresh @pt. */
int vec_pm_open_content(const struct vec_suite *cs, const struct vec_pm *pm,
			const struct vec_sender_data *sd, const uint8_t *key,
			const uint8_t *nonce, struct bytes *pt);

/*
 * Seal one PrivateMessage as (@sd->leaf, @sd->generation, reuse_guard)
 * with the generation's @key and @nonce: @pt is the whole
 * PrivateMessageContent plaintext (padding included). Appends the
 * MLSMessage to @w.
 */
int vec_pm_seal(const struct vec_suite *cs, const uint8_t *sds,
		const uint8_t *group_id, size_t gid_len, uint64_t epoch,
		unsigned int content_type, const uint8_t *aad, size_t aad_len,
		const struct vec_sender_data *sd, const uint8_t *key,
		const uint8_t *nonce, const uint8_t *pt, size_t pt_len,
		struct wbuf *w);

/* PrivateMessageContent of an application message:
 * application_data<V> || signature<V> || @pad zeros. */
void vec_app_content(struct wbuf *w, const uint8_t *app, size_t app_len,
		     const uint8_t *sig, size_t sig_len, size_t pad);
/* Parse it back; checks that the padding is all zeros. */
int vec_app_content_parse(const uint8_t *pt, size_t len,
			  const uint8_t **app, size_t *app_len,
			  const uint8_t **sig, size_t *sig_len);
/* After the Proposal/Commit bytes: signature<V> (and confirmation_tag<V>
 * for a commit) then zeros only. Returns 0 and the pieces, or -1. */
int vec_auth_tail_parse(const uint8_t *p, size_t len, int is_commit,
			const uint8_t **sig, size_t *sig_len,
			const uint8_t **tag, size_t *tag_len);

#endif /* MLS_SELFTEST_VECTORS_H */
