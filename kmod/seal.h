/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sealing of snapshots: AES-256-GCM under a key derived (HKDF-SHA256,
 * a label of its own) from a kernel keyring key that the administrator
 * names with the module parameter seal_key.
 */
#ifndef _MLS_SEAL_H
#define _MLS_SEAL_H

#include <linux/string.h>
#include <linux/types.h>

#define MLS_SEAL_SALT_LEN	32
#define MLS_SEAL_KEY_LEN	32
#define MLS_SEAL_NONCE_LEN	12
#define MLS_SEAL_TAG_LEN	16
/* The shortest keyring payload accepted as sealing key material. */
#define MLS_SEAL_MIN_IKM	32

/* The key and nonce of one snapshot; wipe with mls_seal_wipe(). */
struct mls_seal_key {
	u8 key[MLS_SEAL_KEY_LEN];
	u8 nonce[MLS_SEAL_NONCE_LEN];
};

extern char *mls_seal_key_desc;

int mls_seal_key_get(const u8 *salt, struct mls_seal_key *k);
int mls_seal(const struct mls_seal_key *k, u8 *buf, size_t aad_len,
	     size_t pt_len);
int mls_unseal(const struct mls_seal_key *k, u8 *buf, size_t aad_len,
	       size_t ct_len);

static inline void mls_seal_wipe(struct mls_seal_key *k)
{
	memzero_explicit(k, sizeof(*k));
}

#endif /* _MLS_SEAL_H */
