/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The ciphersuite's hash and KDF as RFC 9420 uses them (§5.1, §5.2, §8):
 * Hash, KDF.Extract, ExpandWithLabel, DeriveSecret and RefHash. HPKE's
 * own labeled forms (RFC 9180 §4) are in hpke.c, on the same HKDF.
 *
 * Every function returns 0, -EINVAL (unknown suite, a length HKDF cannot
 * give) or -ENOMEM/-EIO (OpenSSL); on error the output is wiped.
 */
#ifndef MLSC_KDF_H
#define MLSC_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "suite.h"

/*
 * HKDF-Extract (@mode EVP_KDF_HKDF_MODE_EXTRACT_ONLY, @out_len the
 * hash's length) or HKDF-Expand (EXPAND_ONLY) with the OpenSSL digest
 * named @md. OpenSSL erases its copy of the key when done.
 */
int mlsc_hkdf(const char *md, int mode, const uint8_t *salt, size_t salt_len,
	      const uint8_t *key, size_t key_len, const uint8_t *info,
	      size_t info_len, uint8_t *out, size_t out_len);

/* Hash(@p) into @out, of s->nh bytes. */
int mlsc_hash(const struct mlsc_suite *s, const void *p, size_t len,
	      uint8_t *out);

/* KDF.Extract(@salt, @ikm) into @out, of s->nh bytes. */
int mlsc_kdf_extract(const struct mlsc_suite *s, const uint8_t *salt,
		     size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		     uint8_t *out);

/*
 * ExpandWithLabel(@secret, @label, @ctx, @len) (§8): @secret has s->nh
 * bytes, @label is without the "MLS 1.0 " prefix.
 */
int mlsc_expand_with_label(const struct mlsc_suite *s, const uint8_t *secret,
			   const char *label, const uint8_t *ctx,
			   size_t ctx_len, uint8_t *out, size_t len);

/* DeriveSecret(@secret, @label) = ExpandWithLabel(@secret, @label, "", Nh). */
int mlsc_derive_secret(const struct mlsc_suite *s, const uint8_t *secret,
		       const char *label, uint8_t *out);

/*
 * RefHash(@label, @value) (§5.2) into @out, of s->nh bytes: @label is the
 * whole label, e.g. "MLS 1.0 KeyPackage Reference".
 */
int mlsc_ref_hash(const struct mlsc_suite *s, const char *label,
		  const uint8_t *value, size_t len, uint8_t *out);

#endif /* MLSC_KDF_H */
