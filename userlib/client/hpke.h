/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * HPKE (RFC 9180), mode_base, on OpenSSL 3.0 primitives, and MLS's
 * EncryptWithLabel / DecryptWithLabel (RFC 9420 §5.1.3).
 *
 * KEMs: DHKEM(P-256, P-384, P-521, X25519, X448) with HKDF-SHA256,
 * -SHA384, -SHA512; AEADs: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305
 * and export-only. Keys cross this interface serialized as RFC 9180
 * §7.1.1 says: SerializePublicKey (uncompressed points, raw X25519/X448
 * keys) and SerializePrivateKey (Nsk bytes).
 *
 * Every function returns 0 or a negative errno and never aborts:
 * -EOPNOTSUPP an unknown algorithm, -EINVAL a malformed or invalid
 * input (a key of the wrong length, a point not on the curve, a scalar
 * out of range, an all-zero X25519/X448 shared secret), -ENOSPC an
 * output buffer too small, -EBADMSG a ciphertext that does not open,
 * -EOVERFLOW a context's sequence number exhausted, -ENOMEM, -EIO
 * (OpenSSL failed otherwise). Private keys, shared secrets and the
 * intermediate values of the key schedule are erased with
 * OPENSSL_cleanse before return, on every path; an output that holds a
 * secret is erased too when the function fails.
 */
#ifndef MLSC_HPKE_H
#define MLSC_HPKE_H

#include <stddef.h>
#include <stdint.h>

#include "suite.h"

struct mlsc_hpke_kem;
struct mlsc_hpke_kdf;
struct mlsc_hpke_aead;

/* An HPKE ciphersuite: the algorithms by their RFC 9180 §7 ids. */
struct mlsc_hpke_suite {
	const struct mlsc_hpke_kem *kem;
	const struct mlsc_hpke_kdf *kdf;
	const struct mlsc_hpke_aead *aead;
};

/* The suite (@kem, @kdf, @aead); -EOPNOTSUPP if one is unknown. */
int mlsc_hpke_suite_init(struct mlsc_hpke_suite *hs, uint16_t kem,
			 uint16_t kdf, uint16_t aead);
/* The HPKE suite of the MLS ciphersuite @s. */
int mlsc_hpke_suite_mls(struct mlsc_hpke_suite *hs,
			const struct mlsc_suite *s);

/* Sizes of the KEM (Npk = Nenc, Nsk, Nsecret) and the KDF (Nh). */
size_t mlsc_hpke_npk(const struct mlsc_hpke_suite *hs);
size_t mlsc_hpke_nsk(const struct mlsc_hpke_suite *hs);
size_t mlsc_hpke_nsecret(const struct mlsc_hpke_suite *hs);
size_t mlsc_hpke_nh(const struct mlsc_hpke_suite *hs);
/* The AEAD's Nk and Nn: 0 for export-only. Nt is MLSC_TAG. */
size_t mlsc_hpke_nk(const struct mlsc_hpke_suite *hs);
size_t mlsc_hpke_nn(const struct mlsc_hpke_suite *hs);

/* ---- the KEM (RFC 9180 §4.1, §7.1) ------------------------------------ */

/*
 * DeriveKeyPair(@ikm) (§7.1.3): the private key into @sk (*@sk_len in:
 * its size, out: Nsk), the public key into @pk (*@pk_len: Npk). @ikm must
 * hold at least Nsk bytes (§7.1.3's requirement on the entropy).
 */
int mlsc_hpke_derive_key_pair(const struct mlsc_hpke_suite *hs,
			      const uint8_t *ikm, size_t ikm_len,
			      uint8_t *sk, size_t *sk_len,
			      uint8_t *pk, size_t *pk_len);

/* GenerateKeyPair(): DeriveKeyPair of Nsk fresh random bytes. */
int mlsc_hpke_generate_key_pair(const struct mlsc_hpke_suite *hs,
				uint8_t *sk, size_t *sk_len,
				uint8_t *pk, size_t *pk_len);

/*
 * The public key of the serialized private key @sk (which is checked:
 * Nsk bytes, and for the NIST curves a scalar in [1, n-1]).
 */
int mlsc_hpke_public_key(const struct mlsc_hpke_suite *hs,
			 const uint8_t *sk, size_t sk_len,
			 uint8_t *pk, size_t *pk_len);

/* DeserializePublicKey (§7.1.1) and its validation alone: 0 or -EINVAL. */
int mlsc_hpke_check_public_key(const struct mlsc_hpke_suite *hs,
			       const uint8_t *pk, size_t pk_len);

/*
 * Encap(pkR) (§4.1): the shared secret (Nsecret bytes) and enc (Npk
 * bytes, *@enc_len in: the buffer's size). The ephemeral key is
 * DeriveKeyPair(@ikm_e), or a random one when @ikm_e is NULL (the
 * deterministic form is for known-answer tests, RFC 9180 appendix A).
 */
int mlsc_hpke_encap(const struct mlsc_hpke_suite *hs,
		    const uint8_t *pk_r, size_t pk_r_len,
		    const uint8_t *ikm_e, size_t ikm_e_len,
		    uint8_t *shared_secret, uint8_t *enc, size_t *enc_len);

/* Decap(enc, skR) (§4.1): the shared secret, Nsecret bytes. */
int mlsc_hpke_decap(const struct mlsc_hpke_suite *hs,
		    const uint8_t *enc, size_t enc_len,
		    const uint8_t *sk_r, size_t sk_r_len,
		    uint8_t *shared_secret);

/* ---- contexts (§5) ----------------------------------------------------- */

/*
 * The encryption context of one sender or one recipient. It holds
 * secrets: mlsc_hpke_ctx_clear() erases it, and must be called when it
 * is no longer needed (also after a failed setup, where it is harmless).
 */
struct mlsc_hpke_ctx {
	struct mlsc_hpke_suite suite;
	uint8_t key[MLSC_MAX_KEY];
	uint8_t base_nonce[MLSC_NONCE];
	uint8_t exporter_secret[MLSC_MAX_HASH];
	uint64_t seq;
};

void mlsc_hpke_ctx_clear(struct mlsc_hpke_ctx *ctx);

/* SetupBaseS(pkR, info) (§5.1.1): @ctx and enc (*@enc_len: Npk). */
int mlsc_hpke_setup_base_s(struct mlsc_hpke_ctx *ctx,
			   const struct mlsc_hpke_suite *hs,
			   const uint8_t *pk_r, size_t pk_r_len,
			   const uint8_t *info, size_t info_len,
			   uint8_t *enc, size_t *enc_len);

/* SetupBaseS with the ephemeral key DeriveKeyPair(@ikm_e) (tests). */
int mlsc_hpke_setup_base_s_derand(struct mlsc_hpke_ctx *ctx,
				  const struct mlsc_hpke_suite *hs,
				  const uint8_t *pk_r, size_t pk_r_len,
				  const uint8_t *info, size_t info_len,
				  const uint8_t *ikm_e, size_t ikm_e_len,
				  uint8_t *enc, size_t *enc_len);

/* SetupBaseR(enc, skR, info) (§5.1.1). */
int mlsc_hpke_setup_base_r(struct mlsc_hpke_ctx *ctx,
			   const struct mlsc_hpke_suite *hs,
			   const uint8_t *enc, size_t enc_len,
			   const uint8_t *sk_r, size_t sk_r_len,
			   const uint8_t *info, size_t info_len);

/*
 * Seal(aad, pt) (§5.2): @pt_len + MLSC_TAG bytes into @ct (*@ct_len in:
 * its size, out: the length); the sequence number moves on.
 * -EOPNOTSUPP with the export-only AEAD.
 */
int mlsc_hpke_seal(struct mlsc_hpke_ctx *ctx,
		   const uint8_t *aad, size_t aad_len,
		   const uint8_t *pt, size_t pt_len,
		   uint8_t *ct, size_t *ct_len);

/*
 * Open(aad, ct) (§5.2): the plaintext into @pt (*@pt_len in: its size,
 * out: @ct_len - MLSC_TAG). -EBADMSG if it does not authenticate; the
 * sequence number moves on only on success.
 */
int mlsc_hpke_open(struct mlsc_hpke_ctx *ctx,
		   const uint8_t *aad, size_t aad_len,
		   const uint8_t *ct, size_t ct_len,
		   uint8_t *pt, size_t *pt_len);

/* Export(exporter_context, L) (§5.3); L at most 255 * Nh. */
int mlsc_hpke_export(const struct mlsc_hpke_ctx *ctx,
		     const uint8_t *exp_ctx, size_t exp_ctx_len,
		     uint8_t *out, size_t out_len);

/* ---- MLS (RFC 9420 §5.1.3) --------------------------------------------- */

/*
 * EncryptWithLabel(PublicKey, Label, Context, Plaintext): SealBase to
 * @pk with info = EncryptContext { "MLS 1.0 " + @label, @context } and
 * an empty aad. kem_output (Npk bytes) into @kem_output, the ciphertext
 * (@pt_len + MLSC_TAG) into @ct; the lengths in/out as above.
 */
int mlsc_encrypt_with_label(const struct mlsc_suite *s,
			    const uint8_t *pk, size_t pk_len,
			    const char *label,
			    const uint8_t *context, size_t context_len,
			    const uint8_t *pt, size_t pt_len,
			    uint8_t *kem_output, size_t *kem_output_len,
			    uint8_t *ct, size_t *ct_len);

/* DecryptWithLabel(PrivateKey, Label, Context, KEMOutput, Ciphertext). */
int mlsc_decrypt_with_label(const struct mlsc_suite *s,
			    const uint8_t *sk, size_t sk_len,
			    const char *label,
			    const uint8_t *context, size_t context_len,
			    const uint8_t *kem_output, size_t kem_output_len,
			    const uint8_t *ct, size_t ct_len,
			    uint8_t *pt, size_t *pt_len);

#endif /* MLSC_HPKE_H */
