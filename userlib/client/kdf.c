// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * The suite's hash and KDF in RFC 9420's labeled forms (§5.2, §8), on
 * OpenSSL's EVP_Digest and EVP_KDF "HKDF".
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "codec.h"
#include "internal.h"
#include "kdf.h"

#define MLS_LABEL_PREFIX	"MLS 1.0 "
/* HKDF-Expand gives at most 255 blocks of the hash. */
#define HKDF_MAX_ROUNDS		255

int mlsc_hkdf(const char *md, int mode, const uint8_t *salt, size_t salt_len,
	      const uint8_t *key, size_t key_len, const uint8_t *info,
	      size_t info_len, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[6], *p = params;
	int ret = -ENOMEM;

	if (!ctx)
		goto out;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)md, 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)key, key_len);
	if (salt_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
							 (void *)salt, salt_len);
	if (info_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
							 (void *)info, info_len);
	*p = OSSL_PARAM_construct_end();
	ret = EVP_KDF_derive(ctx, out, out_len, params) == 1 ? 0 : -EIO;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	if (ret)
		OPENSSL_cleanse(out, out_len);
	return ret;
}

int mlsc_hash(const struct mlsc_suite *s, const void *p, size_t len,
	      uint8_t *out)
{
	const EVP_MD *md = s ? EVP_get_digestbyname(s->md) : NULL;
	unsigned int n = 0;

	if (!md)
		return -EINVAL;
	if (!EVP_Digest(p, len, out, &n, md, NULL) || n != s->nh)
		return -EIO;
	return 0;
}

int mlsc_kdf_extract(const struct mlsc_suite *s, const uint8_t *salt,
		     size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		     uint8_t *out)
{
	/*
	 * An empty salt is HMAC's empty key, the same as Nh zeros (RFC
	 * 5869 §2.2). An empty IKM is a zero-length message: OpenSSL
	 * takes a zero-length key parameter, but not a NULL pointer.
	 */
	static const uint8_t none[1];

	if (!s)
		return -EINVAL;
	return mlsc_hkdf(s->md, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len,
			 ikm_len ? ikm : none, ikm_len, NULL, 0, out, s->nh);
}

/*
 * Write opaque<V> @label (with @prefix) and opaque<V> @value, after an
 * optional uint16 @length: KDFLabel (§8) and RefHashInput (§5.2).
 */
static int labeled_input(struct mlsc_wbuf *w, const uint16_t *length,
			 const char *prefix, const char *label,
			 const uint8_t *value, size_t len)
{
	size_t prefix_len = strlen(prefix), label_len = strlen(label);
	struct mlsc_slice l = { 0 }, v = { value, len };
	struct mlsc_io io;
	uint8_t *buf;
	uint16_t n;
	int ret;

	buf = mlsc_malloc(prefix_len + label_len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, prefix, prefix_len);
	memcpy(buf + prefix_len, label, label_len);
	l.p = buf;
	l.len = prefix_len + label_len;
	mlsc_io_writer(&io, w);
	if (length) {
		n = *length;
		mlsc_io_u16(&io, &n);
	}
	mlsc_io_opaque(&io, &l);
	mlsc_io_opaque(&io, &v);
	ret = io.err;
	free(buf);
	return ret;
}

int mlsc_expand_with_label(const struct mlsc_suite *s, const uint8_t *secret,
			   const char *label, const uint8_t *ctx,
			   size_t ctx_len, uint8_t *out, size_t len)
{
	struct mlsc_wbuf w = { 0 };
	uint16_t length = len;
	int ret;

	if (!s || !len || len > 0xffff || len > HKDF_MAX_ROUNDS * s->nh)
		return -EINVAL;
	ret = labeled_input(&w, &length, MLS_LABEL_PREFIX, label, ctx,
			    ctx_len);
	if (!ret)
		ret = mlsc_hkdf(s->md, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0,
				secret, s->nh, w.p, w.len, out, len);
	mlsc_wbuf_free(&w);
	return ret;
}

int mlsc_derive_secret(const struct mlsc_suite *s, const uint8_t *secret,
		       const char *label, uint8_t *out)
{
	if (!s)
		return -EINVAL;
	return mlsc_expand_with_label(s, secret, label, NULL, 0, out, s->nh);
}

int mlsc_ref_hash(const struct mlsc_suite *s, const char *label,
		  const uint8_t *value, size_t len, uint8_t *out)
{
	struct mlsc_wbuf w = { 0 };
	int ret;

	if (!s)
		return -EINVAL;
	ret = labeled_input(&w, NULL, "", label, value, len);
	if (!ret)
		ret = mlsc_hash(s, w.p, w.len, out);
	mlsc_wbuf_free(&w);
	return ret;
}
