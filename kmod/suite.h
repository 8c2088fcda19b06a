/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data-plane half of the RFC 9420 ciphersuites (§17.1): which hash
 * drives HKDF and which AEAD protects messages. Signature and HPKE
 * algorithms belong to the control plane in userspace; the kernel only
 * knows how long a signature of the suite's scheme can be, to refuse an
 * application message whose signature no receiver could accept.
 */
#ifndef _MLS_SUITE_H
#define _MLS_SUITE_H

#include <linux/types.h>

#define MLS_MAX_HASH_LEN	64	/* Nh of SHA-512 */
#define MLS_MAX_KEY_LEN		32	/* Nk of AES-256 and ChaCha20 */
#define MLS_NONCE_LEN		12	/* Nn of every suite */
#define MLS_TAG_LEN		16	/* every suite's AEAD tag */

enum mls_hash_alg {
	MLS_HASH_SHA256,
	MLS_HASH_SHA384,
	MLS_HASH_SHA512,
	MLS_HASH_COUNT,
};

enum mls_aead_alg {
	MLS_AEAD_AES_GCM,
	MLS_AEAD_CHACHA20_POLY1305,
	MLS_AEAD_COUNT,
};

/**
 * struct mls_suite - data-plane parameters of one ciphersuite
 * @id: the RFC 9420 CipherSuite value
 * @hash: hash of the KDF (HKDF over HMAC-hash)
 * @aead: AEAD algorithm
 * @nh: hash output length, the length of every secret
 * @nk: AEAD key length
 * @sig_min: shortest signature of the suite's scheme, in bytes
 * @sig_max: longest one. EdDSA signatures have one length (Ed25519 64,
 *	Ed448 114); ECDSA signatures are DER-encoded (r, s) of variable
 *	length: 8 bytes at least, at most 72 (P-256), 104 (P-384) or
 *	139 (P-521).
 */
struct mls_suite {
	u16 id;
	enum mls_hash_alg hash;
	enum mls_aead_alg aead;
	u8 nh;
	u8 nk;
	u8 sig_min;
	u8 sig_max;
};

const struct mls_suite *mls_suite_find(u16 id);
u64 mls_suite_mask(void);

#endif /* _MLS_SUITE_H */
