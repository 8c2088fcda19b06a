// SPDX-License-Identifier: GPL-2.0
/*
 * The selftests' userspace RFC 9420 library: see vectors.h.
 */
#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

static const struct vec_suite suites[] = {
	{ 1, "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519", "SHA256", 32, 16,
	  "AES-128-GCM", VEC_SIG_ED25519, NULL, NULL },
	{ 2, "MLS_128_DHKEMP256_AES128GCM_SHA256_P256", "SHA256", 32, 16,
	  "AES-128-GCM", VEC_SIG_ECDSA, "SHA256", "prime256v1" },
	{ 3, "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519", "SHA256", 32, 32,
	  "ChaCha20-Poly1305", VEC_SIG_ED25519, NULL, NULL },
	{ 4, "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448", "SHA512", 64, 32,
	  "AES-256-GCM", VEC_SIG_ED448, NULL, NULL },
	{ 5, "MLS_256_DHKEMP521_AES256GCM_SHA512_P521", "SHA512", 64, 32,
	  "AES-256-GCM", VEC_SIG_ECDSA, "SHA512", "secp521r1" },
	{ 6, "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448", "SHA512", 64, 32,
	  "ChaCha20-Poly1305", VEC_SIG_ED448, NULL, NULL },
	{ 7, "MLS_256_DHKEMP384_AES256GCM_SHA384_P384", "SHA384", 48, 32,
	  "AES-256-GCM", VEC_SIG_ECDSA, "SHA384", "secp384r1" },
};

const struct vec_suite *vec_suite(unsigned int id)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

/* ---- bytes and hex ---------------------------------------------------- */

static int unhex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vec_unhex(const char *hex, struct bytes *out)
{
	size_t n, i;

	out->data = NULL;
	out->len = 0;
	if (!hex)
		return -1;
	n = strlen(hex);
	if (n % 2)
		return -1;
	/* one spare byte so that an empty value is still a valid pointer */
	out->data = malloc(n / 2 + 1);
	if (!out->data)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = unhex_nibble(hex[2 * i]), lo = unhex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out->data);
			out->data = NULL;
			return -1;
		}
		out->data[i] = (uint8_t)(hi << 4 | lo);
	}
	out->len = n / 2;
	return 0;
}

char *vec_hex(const uint8_t *p, size_t len)
{
	static const char d[] = "0123456789abcdef";
	size_t shown = len > 4096 ? 4096 : len, i;
	char *s = malloc(2 * shown + 4);

	if (!s)
		return NULL;
	for (i = 0; i < shown; i++) {
		s[2 * i] = d[p[i] >> 4];
		s[2 * i + 1] = d[p[i] & 15];
	}
	s[2 * shown] = 0;
	if (shown < len)
		strcat(s, "...");
	return s;
}

void bytes_free(struct bytes *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

int bytes_eq(const struct bytes *b, const uint8_t *p, size_t len)
{
	return b->len == len && (len == 0 || memcmp(b->data, p, len) == 0);
}

/* ---- the JSON vectors --------------------------------------------------- */

const char *vec_dir(void)
{
	const char *d = getenv("MLS_VECTORS");

	return d && *d ? d : MLS_VECTORS_DEFAULT_DIR;
}

json_t *vec_load(const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", vec_dir(), file);
	return vec_load_path(path);
}

json_t *vec_load_path(const char *path)
{
	json_error_t err;
	json_t *root;

	root = json_load_file(path, 0, &err);
	if (!root) {
		fprintf(stderr, "# %s: %s (line %d)\n", path, err.text, err.line);
		return NULL;
	}
	if (!json_is_array(root)) {
		fprintf(stderr, "# %s: not a JSON array\n", path);
		json_decref(root);
		return NULL;
	}
	return root;
}

json_t *vec_entry(json_t *root, unsigned int suite, size_t nth)
{
	size_t i;
	json_t *e;

	json_array_foreach(root, i, e) {
		json_t *cs = json_object_get(e, "cipher_suite");

		if (json_is_integer(cs) && json_integer_value(cs) == (json_int_t)suite) {
			if (nth == 0)
				return e;
			nth--;
		}
	}
	return NULL;
}

size_t vec_entry_count(json_t *root, unsigned int suite)
{
	size_t n = 0;

	while (vec_entry(root, suite, n))
		n++;
	return n;
}

int vec_set_hex(json_t *obj, const char *key, const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *h = malloc(2 * len + 1);
	size_t i;
	int ret;

	if (!h)
		return -1;
	for (i = 0; i < len; i++) {
		h[2 * i] = digits[p[i] >> 4];
		h[2 * i + 1] = digits[p[i] & 15];
	}
	h[2 * len] = 0;
	ret = json_object_set_new(obj, key, json_string(h));
	free(h);
	return ret ? -1 : 0;
}

int vec_get_hex(json_t *obj, const char *key, struct bytes *out)
{
	json_t *v = json_object_get(obj, key);

	out->data = NULL;
	out->len = 0;
	if (!json_is_string(v)) {
		fprintf(stderr, "# vector field %s missing\n", key);
		return -1;
	}
	if (vec_unhex(json_string_value(v), out)) {
		fprintf(stderr, "# vector field %s: bad hex\n", key);
		return -1;
	}
	return 0;
}

int vec_get_u64(json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		fprintf(stderr, "# vector field %s missing\n", key);
		return -1;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

const char *vec_get_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- KDF ---------------------------------------------------------------- */

int vec_hash(const struct vec_suite *cs, const uint8_t *in, size_t len,
	     uint8_t *out)
{
	EVP_MD *md = EVP_MD_fetch(NULL, cs->md, NULL);
	unsigned int n = 0;
	int ok;

	if (!md)
		return -1;
	ok = EVP_Digest(in, len, out, &n, md, NULL) == 1 && n == cs->nh;
	EVP_MD_free(md);
	return ok ? 0 : -1;
}

int vec_hmac(const struct vec_suite *cs, const uint8_t *key, size_t key_len,
	     const uint8_t *in, size_t len, uint8_t *out)
{
	static const uint8_t empty[1];
	size_t n = 0;

	/* An empty key is valid HMAC (zero-padded block). */
	if (!EVP_Q_mac(NULL, "HMAC", NULL, cs->md, NULL,
		       key_len ? key : empty, key_len, in, len, out,
		       VEC_MAX_HASH, &n))
		return -1;
	return n == cs->nh ? 0 : -1;
}

int vec_hkdf_extract(const struct vec_suite *cs, const uint8_t *salt,
		     size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		     uint8_t *prk)
{
	static const uint8_t zeros[VEC_MAX_HASH];

	/* RFC 5869: an absent salt is HashLen zeros. */
	if (!salt_len)
		return vec_hmac(cs, zeros, cs->nh, ikm, ikm_len, prk);
	return vec_hmac(cs, salt, salt_len, ikm, ikm_len, prk);
}

int vec_hkdf_expand(const struct vec_suite *cs, const uint8_t *prk,
		    size_t prk_len, const uint8_t *info, size_t info_len,
		    uint8_t *out, size_t out_len)
{
	uint8_t t[VEC_MAX_HASH];
	size_t t_len = 0, done = 0;
	uint8_t *buf;
	unsigned int i;
	int ret = -1;

	if (out_len > 255 * cs->nh)
		return -1;
	buf = malloc(VEC_MAX_HASH + info_len + 1);
	if (!buf)
		return -1;
	for (i = 1; done < out_len; i++) {
		size_t n = 0, take;

		memcpy(buf, t, t_len);
		n = t_len;
		if (info_len)
			memcpy(buf + n, info, info_len);
		n += info_len;
		buf[n++] = (uint8_t)i;
		if (vec_hmac(cs, prk, prk_len, buf, n, t))
			goto out;
		t_len = cs->nh;
		take = out_len - done < t_len ? out_len - done : t_len;
		memcpy(out + done, t, take);
		done += take;
	}
	ret = 0;
out:
	OPENSSL_cleanse(t, sizeof(t));
	free(buf);
	return ret;
}

int vec_expand_with_label(const struct vec_suite *cs, const uint8_t *secret,
			  const char *label, const uint8_t *ctx, size_t ctx_len,
			  uint8_t *out, size_t out_len)
{
	struct wbuf info;
	size_t llen = strlen(label);
	int ret;

	/* KDFLabel = uint16 length || opaque label<V> || opaque context<V> */
	wb_init(&info);
	wb_u16(&info, (uint16_t)out_len);
	if (tls_varint_size((uint32_t)(8 + llen)) == 0) {
		wb_free(&info);
		return -1;
	}
	{
		uint8_t v[4];
		size_t n = tls_varint_put(v, sizeof(v), (uint32_t)(8 + llen));

		wb_raw(&info, v, n);
	}
	wb_raw(&info, "MLS 1.0 ", 8);
	wb_raw(&info, label, llen);
	wb_vec(&info, ctx, ctx_len);
	ret = info.err ? -1 : vec_hkdf_expand(cs, secret, cs->nh, info.p,
					      info.len, out, out_len);
	wb_free(&info);
	return ret;
}

int vec_derive_secret(const struct vec_suite *cs, const uint8_t *secret,
		      const char *label, uint8_t *out)
{
	return vec_expand_with_label(cs, secret, label, NULL, 0, out, cs->nh);
}

int vec_derive_tree_secret(const struct vec_suite *cs, const uint8_t *secret,
			   const char *label, uint32_t generation,
			   uint8_t *out, size_t out_len)
{
	uint8_t g[4] = {
		(uint8_t)(generation >> 24), (uint8_t)(generation >> 16),
		(uint8_t)(generation >> 8), (uint8_t)generation,
	};

	return vec_expand_with_label(cs, secret, label, g, 4, out, out_len);
}

/* ---- key schedule ------------------------------------------------------- */

int vec_key_schedule(const struct vec_suite *cs, const uint8_t *init_secret,
		     const uint8_t *commit_secret, const uint8_t *joiner_secret,
		     const uint8_t *psk_secret, const uint8_t *gc, size_t gc_len,
		     struct vec_epoch_secrets *o)
{
	static const uint8_t zeros[VEC_MAX_HASH];
	uint8_t prk[VEC_MAX_HASH], member[VEC_MAX_HASH];
	size_t nh = cs->nh;
	int ret = -1;

	memset(o, 0, sizeof(*o));
	if (!commit_secret)
		commit_secret = zeros;
	if (!psk_secret)
		psk_secret = zeros;
	if (init_secret) {
		if (vec_hkdf_extract(cs, init_secret, nh, commit_secret, nh, prk) ||
		    vec_expand_with_label(cs, prk, "joiner", gc, gc_len,
					  o->joiner, nh))
			goto out;
	} else {
		if (!joiner_secret)
			goto out;
		memcpy(o->joiner, joiner_secret, nh);
	}
	if (vec_hkdf_extract(cs, o->joiner, nh, psk_secret, nh, member) ||
	    vec_derive_secret(cs, member, "welcome", o->welcome) ||
	    vec_expand_with_label(cs, member, "epoch", gc, gc_len, o->epoch, nh) ||
	    vec_derive_secret(cs, o->epoch, "sender data", o->sender_data) ||
	    vec_derive_secret(cs, o->epoch, "encryption", o->encryption) ||
	    vec_derive_secret(cs, o->epoch, "exporter", o->exporter) ||
	    vec_derive_secret(cs, o->epoch, "external", o->external) ||
	    vec_derive_secret(cs, o->epoch, "confirm", o->confirm) ||
	    vec_derive_secret(cs, o->epoch, "membership", o->membership) ||
	    vec_derive_secret(cs, o->epoch, "resumption", o->resumption) ||
	    vec_derive_secret(cs, o->epoch, "authentication", o->authentication) ||
	    vec_derive_secret(cs, o->epoch, "init", o->init))
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(prk, sizeof(prk));
	OPENSSL_cleanse(member, sizeof(member));
	return ret;
}

int vec_exporter(const struct vec_suite *cs, const uint8_t *exporter_secret,
		 const uint8_t *label, size_t label_len,
		 const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t len)
{
	uint8_t derived[VEC_MAX_HASH], h[VEC_MAX_HASH];
	char *l = malloc(label_len + 1);
	int ret = -1;

	if (!l)
		return -1;
	memcpy(l, label, label_len);
	l[label_len] = 0;
	/* a label with a NUL in it cannot go through the C-string API */
	if (strlen(l) == label_len &&
	    !vec_derive_secret(cs, exporter_secret, l, derived) &&
	    !vec_hash(cs, ctx, ctx_len, h) &&
	    !vec_expand_with_label(cs, derived, "exported", h, cs->nh, out, len))
		ret = 0;
	free(l);
	OPENSSL_cleanse(derived, sizeof(derived));
	return ret;
}

/* ---- secret tree -------------------------------------------------------- */

enum vec_ratchet vec_ratchet_of(unsigned int content_type)
{
	return content_type == VEC_CT_APPLICATION ? VEC_RATCHET_APPLICATION :
						    VEC_RATCHET_HANDSHAKE;
}

static unsigned int node_level(uint32_t x)
{
	unsigned int k = 0;

	while (x & 1) {
		x >>= 1;
		k++;
	}
	return k;
}

int vec_tree_leaf_secret(const struct vec_suite *cs, const uint8_t *enc_secret,
			 uint32_t leaf_count, uint32_t leaf, uint8_t *out)
{
	uint8_t s[VEC_MAX_HASH], next[VEC_MAX_HASH];
	uint32_t width = 1, root, x, target = 2 * leaf;

	if (leaf_count == 0 || leaf >= leaf_count || leaf_count > (1u << 30))
		return -1;
	while (width < leaf_count)
		width <<= 1;
	root = width - 1;	/* (2 * width - 1) nodes, root in the middle */
	memcpy(s, enc_secret, cs->nh);
	for (x = root; x != target;) {
		unsigned int k = node_level(x);
		int left = target < x;

		if (vec_expand_with_label(cs, s, "tree",
					  (const uint8_t *)(left ? "left" : "right"),
					  left ? 4 : 5, next, cs->nh))
			return -1;
		memcpy(s, next, cs->nh);
		x = left ? x ^ (1u << (k - 1)) : x ^ (3u << (k - 1));
	}
	memcpy(out, s, cs->nh);
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(next, sizeof(next));
	return 0;
}

int vec_ratchet_key(const struct vec_suite *cs, const uint8_t *enc_secret,
		    uint32_t leaf_count, uint32_t leaf, enum vec_ratchet type,
		    uint32_t generation, uint8_t *key, uint8_t *nonce)
{
	uint8_t s[VEC_MAX_HASH], next[VEC_MAX_HASH];
	uint32_t g;
	int ret = -1;

	if (vec_tree_leaf_secret(cs, enc_secret, leaf_count, leaf, next) ||
	    vec_expand_with_label(cs, next,
				  type == VEC_RATCHET_APPLICATION ? "application" :
								    "handshake",
				  NULL, 0, s, cs->nh))
		goto out;
	for (g = 0; g < generation; g++) {
		if (vec_derive_tree_secret(cs, s, "secret", g, next, cs->nh))
			goto out;
		memcpy(s, next, cs->nh);
	}
	if (vec_derive_tree_secret(cs, s, "key", generation, key, cs->nk) ||
	    vec_derive_tree_secret(cs, s, "nonce", generation, nonce, VEC_NONCE))
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(next, sizeof(next));
	return ret;
}

int vec_sender_data_key(const struct vec_suite *cs, const uint8_t *sds,
			const uint8_t *ciphertext, size_t ct_len,
			uint8_t *key, uint8_t *nonce)
{
	size_t sample = ct_len < cs->nh ? ct_len : cs->nh;

	if (vec_expand_with_label(cs, sds, "key", ciphertext, sample, key, cs->nk) ||
	    vec_expand_with_label(cs, sds, "nonce", ciphertext, sample, nonce,
				  VEC_NONCE))
		return -1;
	return 0;
}

/* ---- AEAD ---------------------------------------------------------------- */

static int aead(const struct vec_suite *cs, int enc, const uint8_t *key,
		const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		const uint8_t *in, size_t in_len, uint8_t *out)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cs->aead, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t body = enc ? in_len : in_len - VEC_TAG;
	int n, ok = 0;

	if (!c || !ctx || (!enc && in_len < VEC_TAG) || body > 0x7fffffff ||
	    aad_len > 0x7fffffff)
		goto out;
	if (EVP_CipherInit_ex2(ctx, c, NULL, NULL, enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, VEC_NONCE, NULL) != 1 ||
	    (size_t)EVP_CIPHER_CTX_get_key_length(ctx) != cs->nk ||
	    EVP_CipherInit_ex2(ctx, NULL, key, nonce, enc, NULL) != 1)
		goto out;
	if (aad_len && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1)
		goto out;
	if (body && EVP_CipherUpdate(ctx, out, &n, in, (int)body) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, VEC_TAG,
					(void *)(in + body)) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + body, &n) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, VEC_TAG,
				       out + body) != 1)
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok ? 0 : -1;
}

int vec_aead_seal(const struct vec_suite *cs, const uint8_t *key,
		  const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		  const uint8_t *pt, size_t pt_len, uint8_t *out)
{
	return aead(cs, 1, key, nonce, aad, aad_len, pt, pt_len, out);
}

int vec_aead_open(const struct vec_suite *cs, const uint8_t *key,
		  const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		  const uint8_t *ct, size_t ct_len, uint8_t *out)
{
	return aead(cs, 0, key, nonce, aad, aad_len, ct, ct_len, out);
}

/* ---- TLS presentation language ------------------------------------------ */

size_t tls_varint_size(uint32_t v)
{
	if (v < (1u << 6))
		return 1;
	if (v < (1u << 14))
		return 2;
	if (v < (1u << 30))
		return 4;
	return 0;
}

size_t tls_varint_put(uint8_t *p, size_t cap, uint32_t v)
{
	size_t n = tls_varint_size(v);

	if (!n || n > cap)
		return 0;
	switch (n) {
	case 1:
		p[0] = (uint8_t)v;
		break;
	case 2:
		p[0] = (uint8_t)(0x40 | v >> 8);
		p[1] = (uint8_t)v;
		break;
	default:
		p[0] = (uint8_t)(0x80 | v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
		break;
	}
	return n;
}

size_t tls_varint_get(const uint8_t *p, size_t len, uint32_t *v)
{
	size_t n, i;
	uint32_t x;

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
	if (tls_varint_size(x) != n)	/* non-minimal */
		return 0;
	*v = x;
	return n;
}

void wb_init(struct wbuf *w)
{
	memset(w, 0, sizeof(*w));
}

void wb_free(struct wbuf *w)
{
	if (w->p)
		OPENSSL_cleanse(w->p, w->cap);
	free(w->p);
	wb_init(w);
}

void wb_raw(struct wbuf *w, const void *p, size_t n)
{
	if (w->err)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *np;

		while (cap < w->len + n)
			cap *= 2;
		np = realloc(w->p, cap);
		if (!np) {
			w->err = 1;
			return;
		}
		w->p = np;
		w->cap = cap;
	}
	if (n)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

void wb_u8(struct wbuf *w, uint8_t v)
{
	wb_raw(w, &v, 1);
}

void wb_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wb_raw(w, b, 2);
}

void wb_u32(struct wbuf *w, uint32_t v)
{
	wb_u16(w, (uint16_t)(v >> 16));
	wb_u16(w, (uint16_t)v);
}

void wb_u64(struct wbuf *w, uint64_t v)
{
	wb_u32(w, (uint32_t)(v >> 32));
	wb_u32(w, (uint32_t)v);
}

void wb_zeros(struct wbuf *w, size_t n)
{
	static const uint8_t z[256];

	while (n) {
		size_t k = n > sizeof(z) ? sizeof(z) : n;

		wb_raw(w, z, k);
		n -= k;
	}
}

void wb_vec(struct wbuf *w, const void *p, size_t n)
{
	uint8_t v[4];
	size_t k;

	if (n >= (1u << 30)) {
		w->err = 1;
		return;
	}
	k = tls_varint_put(v, sizeof(v), (uint32_t)n);
	wb_raw(w, v, k);
	wb_raw(w, p, n);
}

void rb_init(struct rbuf *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = 0;
}

const uint8_t *rb_raw(struct rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->err || r->len - r->off < n) {
		r->err = 1;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t rb_u8(struct rbuf *r)
{
	const uint8_t *p = rb_raw(r, 1);

	return p ? p[0] : 0;
}

uint16_t rb_u16(struct rbuf *r)
{
	const uint8_t *p = rb_raw(r, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t rb_u32(struct rbuf *r)
{
	uint32_t hi = rb_u16(r);

	return hi << 16 | rb_u16(r);
}

uint64_t rb_u64(struct rbuf *r)
{
	uint64_t hi = rb_u32(r);

	return hi << 32 | rb_u32(r);
}

void rb_vec(struct rbuf *r, const uint8_t **p, size_t *n)
{
	uint32_t v = 0;
	size_t k;

	*p = NULL;
	*n = 0;
	if (r->err)
		return;
	k = tls_varint_get(r->p + r->off, r->len - r->off, &v);
	if (!k) {
		r->err = 1;
		return;
	}
	r->off += k;
	*p = rb_raw(r, v);
	if (*p)
		*n = v;
}

size_t rb_left(const struct rbuf *r)
{
	return r->err ? 0 : r->len - r->off;
}

/* ---- structures --------------------------------------------------------- */

void vec_group_context(struct wbuf *w, const struct vec_suite *cs,
		       const uint8_t *group_id, size_t gid_len, uint64_t epoch,
		       const uint8_t *tree_hash, size_t th_len,
		       const uint8_t *cth, size_t cth_len,
		       const uint8_t *ext, size_t ext_len)
{
	wb_u16(w, VEC_MLS10);
	wb_u16(w, (uint16_t)cs->id);
	wb_vec(w, group_id, gid_len);
	wb_u64(w, epoch);
	wb_vec(w, tree_hash, th_len);
	wb_vec(w, cth, cth_len);
	wb_vec(w, ext, ext_len);
}

void vec_framed_tbs(struct wbuf *w, const uint8_t *group_id, size_t gid_len,
		    uint64_t epoch, uint32_t leaf, const uint8_t *aad,
		    size_t aad_len, unsigned int content_type,
		    const uint8_t *content, size_t content_len,
		    const uint8_t *gc, size_t gc_len)
{
	wb_u16(w, VEC_MLS10);
	wb_u16(w, VEC_WIRE_PRIVATE);
	/* FramedContent */
	wb_vec(w, group_id, gid_len);
	wb_u64(w, epoch);
	wb_u8(w, VEC_SENDER_MEMBER);
	wb_u32(w, leaf);
	wb_vec(w, aad, aad_len);
	wb_u8(w, (uint8_t)content_type);
	if (content_type == VEC_CT_APPLICATION)
		wb_vec(w, content, content_len);
	else
		wb_raw(w, content, content_len);
	/* member sender with a private or public message: the context */
	wb_raw(w, gc, gc_len);
}

static EVP_PKEY *sig_key(const struct vec_suite *cs, const uint8_t *priv,
			 size_t priv_len, const uint8_t *pub, size_t pub_len)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *d = NULL;

	if (cs->sig != VEC_SIG_ECDSA) {
		int type = cs->sig == VEC_SIG_ED25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448;

		if (priv)
			return EVP_PKEY_new_raw_private_key(type, NULL, priv, priv_len);
		return EVP_PKEY_new_raw_public_key(type, NULL, pub, pub_len);
	}
	bld = OSSL_PARAM_BLD_new();
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     cs->curve, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      pub, pub_len))
		goto out;
	if (priv) {
		d = BN_bin2bn(priv, (int)priv_len, NULL);
		if (!d || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
			goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !pctx || EVP_PKEY_fromdata_init(pctx) != 1 ||
	    EVP_PKEY_fromdata(pctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) != 1)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return pkey;
}

static void sign_content(struct wbuf *w, const char *label,
			 const uint8_t *content, size_t len)
{
	size_t llen = strlen(label);
	uint8_t v[4];

	/* SignContent = opaque label<V> ("MLS 1.0 " + Label) || content<V> */
	wb_raw(w, v, tls_varint_put(v, sizeof(v), (uint32_t)(8 + llen)));
	wb_raw(w, "MLS 1.0 ", 8);
	wb_raw(w, label, llen);
	wb_vec(w, content, len);
}

int vec_sign_with_label(const struct vec_suite *cs, const uint8_t *priv,
			size_t priv_len, const uint8_t *pub, size_t pub_len,
			const char *label, const uint8_t *content, size_t len,
			struct bytes *sig)
{
	EVP_PKEY *pkey = sig_key(cs, priv, priv_len, pub, pub_len);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	struct wbuf tbs;
	size_t n = 0;
	int ret = -1;

	sig->data = NULL;
	sig->len = 0;
	wb_init(&tbs);
	sign_content(&tbs, label, content, len);
	if (!pkey || !mctx || tbs.err ||
	    EVP_DigestSignInit_ex(mctx, NULL, cs->sig_md, NULL, NULL, pkey,
				  NULL) != 1 ||
	    EVP_DigestSign(mctx, NULL, &n, tbs.p, tbs.len) != 1)
		goto out;
	sig->data = malloc(n);
	if (!sig->data || EVP_DigestSign(mctx, sig->data, &n, tbs.p, tbs.len) != 1) {
		bytes_free(sig);
		goto out;
	}
	sig->len = n;
	ret = 0;
out:
	wb_free(&tbs);
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(pkey);
	return ret;
}

int vec_verify_with_label(const struct vec_suite *cs, const uint8_t *pub,
			  size_t pub_len, const char *label,
			  const uint8_t *content, size_t len,
			  const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY *pkey = sig_key(cs, NULL, 0, pub, pub_len);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	struct wbuf tbs;
	int ret = -1, r;

	wb_init(&tbs);
	sign_content(&tbs, label, content, len);
	if (!pkey || !mctx || tbs.err ||
	    EVP_DigestVerifyInit_ex(mctx, NULL, cs->sig_md, NULL, NULL, pkey,
				    NULL) != 1)
		goto out;
	r = EVP_DigestVerify(mctx, sig, sig_len, tbs.p, tbs.len);
	ret = r == 1 ? 1 : 0;
out:
	wb_free(&tbs);
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(pkey);
	return ret;
}

/* ---- PrivateMessage ----------------------------------------------------- */

int vec_pm_parse(const uint8_t *msg, size_t len, struct vec_pm *pm)
{
	struct rbuf r;

	memset(pm, 0, sizeof(*pm));
	rb_init(&r, msg, len);
	if (rb_u16(&r) != VEC_MLS10 || rb_u16(&r) != VEC_WIRE_PRIVATE)
		return -1;
	rb_vec(&r, &pm->group_id, &pm->gid_len);
	pm->epoch = rb_u64(&r);
	pm->content_type = rb_u8(&r);
	rb_vec(&r, &pm->aad, &pm->aad_len);
	rb_vec(&r, &pm->enc_sender_data, &pm->esd_len);
	rb_vec(&r, &pm->ciphertext, &pm->ct_len);
	if (r.err || rb_left(&r))
		return -1;
	return 0;
}

static void sender_data_aad(struct wbuf *w, const uint8_t *gid, size_t gid_len,
			    uint64_t epoch, unsigned int content_type)
{
	wb_vec(w, gid, gid_len);
	wb_u64(w, epoch);
	wb_u8(w, (uint8_t)content_type);
}

static void content_aad(struct wbuf *w, const uint8_t *gid, size_t gid_len,
			uint64_t epoch, unsigned int content_type,
			const uint8_t *aad, size_t aad_len)
{
	sender_data_aad(w, gid, gid_len, epoch, content_type);
	wb_vec(w, aad, aad_len);
}

int vec_pm_open_sender(const struct vec_suite *cs, const uint8_t *sds,
		       const struct vec_pm *pm, struct vec_sender_data *sd)
{
	uint8_t key[VEC_MAX_KEY], nonce[VEC_NONCE], pt[12];
	struct wbuf aad;
	struct rbuf r;
	int ret = -1;

	if (pm->esd_len != sizeof(pt) + VEC_TAG)
		return -1;
	wb_init(&aad);
	sender_data_aad(&aad, pm->group_id, pm->gid_len, pm->epoch,
			pm->content_type);
	if (aad.err ||
	    vec_sender_data_key(cs, sds, pm->ciphertext, pm->ct_len, key, nonce) ||
	    vec_aead_open(cs, key, nonce, aad.p, aad.len, pm->enc_sender_data,
			  pm->esd_len, pt))
		goto out;
	rb_init(&r, pt, sizeof(pt));
	sd->leaf = rb_u32(&r);
	sd->generation = rb_u32(&r);
	memcpy(sd->reuse_guard, rb_raw(&r, VEC_REUSE_GUARD), VEC_REUSE_GUARD);
	ret = 0;
out:
	wb_free(&aad);
	return ret;
}

int vec_pm_open_content(const struct vec_suite *cs, const struct vec_pm *pm,
			const struct vec_sender_data *sd, const uint8_t *key,
			const uint8_t *nonce, struct bytes *pt)
{
	uint8_t n[VEC_NONCE];
	struct wbuf aad;
	int i, ret = -1;

	pt->data = NULL;
	pt->len = 0;
	if (pm->ct_len < VEC_TAG)
		return -1;
	memcpy(n, nonce, VEC_NONCE);
	for (i = 0; i < VEC_REUSE_GUARD; i++)
		n[i] ^= sd->reuse_guard[i];
	wb_init(&aad);
	content_aad(&aad, pm->group_id, pm->gid_len, pm->epoch, pm->content_type,
		    pm->aad, pm->aad_len);
	pt->data = malloc(pm->ct_len - VEC_TAG + 1);
	if (aad.err || !pt->data ||
	    vec_aead_open(cs, key, n, aad.p, aad.len, pm->ciphertext, pm->ct_len,
			  pt->data)) {
		bytes_free(pt);
		goto out;
	}
	pt->len = pm->ct_len - VEC_TAG;
	ret = 0;
out:
	wb_free(&aad);
	return ret;
}

int vec_pm_seal(const struct vec_suite *cs, const uint8_t *sds,
		const uint8_t *group_id, size_t gid_len, uint64_t epoch,
		unsigned int content_type, const uint8_t *aad, size_t aad_len,
		const struct vec_sender_data *sd, const uint8_t *key,
		const uint8_t *nonce, const uint8_t *pt, size_t pt_len,
		struct wbuf *w)
{
	uint8_t n[VEC_NONCE], sdkey[VEC_MAX_KEY], sdnonce[VEC_NONCE];
	uint8_t sdpt[12], esd[12 + VEC_TAG];
	struct wbuf a, s;
	uint8_t *ct = malloc(pt_len + VEC_TAG);
	int i, ret = -1;

	wb_init(&a);
	wb_init(&s);
	if (!ct)
		return -1;
	memcpy(n, nonce, VEC_NONCE);
	for (i = 0; i < VEC_REUSE_GUARD; i++)
		n[i] ^= sd->reuse_guard[i];
	content_aad(&a, group_id, gid_len, epoch, content_type, aad, aad_len);
	if (a.err || vec_aead_seal(cs, key, n, a.p, a.len, pt, pt_len, ct))
		goto out;
	/* sender data */
	wb_u32(&s, sd->leaf);
	wb_u32(&s, sd->generation);
	wb_raw(&s, sd->reuse_guard, VEC_REUSE_GUARD);
	if (s.err || s.len != sizeof(sdpt))
		goto out;
	memcpy(sdpt, s.p, sizeof(sdpt));
	wb_free(&a);
	sender_data_aad(&a, group_id, gid_len, epoch, content_type);
	if (a.err ||
	    vec_sender_data_key(cs, sds, ct, pt_len + VEC_TAG, sdkey, sdnonce) ||
	    vec_aead_seal(cs, sdkey, sdnonce, a.p, a.len, sdpt, sizeof(sdpt), esd))
		goto out;
	wb_u16(w, VEC_MLS10);
	wb_u16(w, VEC_WIRE_PRIVATE);
	wb_vec(w, group_id, gid_len);
	wb_u64(w, epoch);
	wb_u8(w, (uint8_t)content_type);
	wb_vec(w, aad, aad_len);
	wb_vec(w, esd, sizeof(esd));
	wb_vec(w, ct, pt_len + VEC_TAG);
	ret = w->err ? -1 : 0;
out:
	free(ct);
	wb_free(&a);
	wb_free(&s);
	return ret;
}

void vec_app_content(struct wbuf *w, const uint8_t *app, size_t app_len,
		     const uint8_t *sig, size_t sig_len, size_t pad)
{
	wb_vec(w, app, app_len);
	wb_vec(w, sig, sig_len);
	wb_zeros(w, pad);
}

static int all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int vec_app_content_parse(const uint8_t *pt, size_t len,
			  const uint8_t **app, size_t *app_len,
			  const uint8_t **sig, size_t *sig_len)
{
	struct rbuf r;

	rb_init(&r, pt, len);
	rb_vec(&r, app, app_len);
	rb_vec(&r, sig, sig_len);
	if (r.err)
		return -1;
	return all_zero(pt + r.off, len - r.off) ? 0 : -1;
}

int vec_auth_tail_parse(const uint8_t *p, size_t len, int is_commit,
			const uint8_t **sig, size_t *sig_len,
			const uint8_t **tag, size_t *tag_len)
{
	struct rbuf r;

	*tag = NULL;
	*tag_len = 0;
	rb_init(&r, p, len);
	rb_vec(&r, sig, sig_len);
	if (is_commit)
		rb_vec(&r, tag, tag_len);
	if (r.err)
		return -1;
	return all_zero(p + r.off, len - r.off) ? 0 : -1;
}
