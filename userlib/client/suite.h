/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The seven ciphersuites of RFC 9420 §17.1: the HPKE algorithms (RFC 9180
 * §7) each names, their sizes, the hash and the signature scheme.
 */
#ifndef MLSC_SUITE_H
#define MLSC_SUITE_H

#include <stddef.h>
#include <stdint.h>

/* RFC 9180 §7.1, §7.2, §7.3 */
#define MLSC_KEM_P256		0x0010
#define MLSC_KEM_P384		0x0011
#define MLSC_KEM_P521		0x0012
#define MLSC_KEM_X25519		0x0020
#define MLSC_KEM_X448		0x0021
#define MLSC_KDF_SHA256		0x0001
#define MLSC_KDF_SHA384		0x0002
#define MLSC_KDF_SHA512		0x0003
#define MLSC_AEAD_AES128GCM	0x0001
#define MLSC_AEAD_AES256GCM	0x0002
#define MLSC_AEAD_CHACHA20POLY1305 0x0003
#define MLSC_AEAD_EXPORT_ONLY	0xffff

/* TLS SignatureScheme (RFC 8446 §4.2.3) */
#define MLSC_SIG_ECDSA_P256_SHA256	0x0403
#define MLSC_SIG_ECDSA_P384_SHA384	0x0503
#define MLSC_SIG_ECDSA_P521_SHA512	0x0603
#define MLSC_SIG_ED25519		0x0807
#define MLSC_SIG_ED448			0x0808

/* The largest sizes over all suites. */
#define MLSC_MAX_HASH	64	/* Nh of SHA-512 */
#define MLSC_MAX_KEY	32	/* Nk */
#define MLSC_NONCE	12	/* Nn of every AEAD */
#define MLSC_TAG	16	/* Nt of every AEAD */
#define MLSC_MAX_PK	133	/* Npk = Nenc of DHKEM(P-521) */
#define MLSC_MAX_SK	66	/* Nsk of DHKEM(P-521) */

/* One MLS ciphersuite (RFC 9420 §17.1). */
struct mlsc_suite {
	uint16_t id;
	const char *name;	/* MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 */
	uint16_t kem, kdf, aead;	/* the HPKE algorithms */
	uint16_t sig_scheme;
	const char *md;		/* OpenSSL name of the hash: "SHA256" */
	size_t nh;		/* KDF.Nh, the hash's length */
	size_t nk, nn;		/* AEAD.Nk, AEAD.Nn */
	size_t npk, nsk;	/* KEM.Npk (= Nenc), KEM.Nsk */
};

/* The suite numbered @id (1..7), or NULL. */
const struct mlsc_suite *mlsc_suite_get(uint16_t id);

#endif /* MLSC_SUITE_H */
