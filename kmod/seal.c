// SPDX-License-Identifier: GPL-2.0
/*
 * The sealing key of snapshots.
 *
 * The administrator names a keyring key with the module parameter
 * seal_key (default "mls:seal"); it is looked up in the caller's keyrings
 * (thread, process, session, user: request_key() without an upcall), as
 * dm-crypt and ecryptfs find theirs. Accepted types are those whose
 * payload userspace cannot read back: "logon", and where the kernel has
 * them "encrypted" and "trusted". A "user" key of that name is refused
 * (-EKEYREJECTED): anyone who can read it could open every snapshot. So
 * is a key whose owner is not root: any user may add a logon key of that
 * name to its own keyrings, and with it open its snapshots (their
 * secrets would leave the kernel) or forge some.
 *
 * Each snapshot has a random salt; its AEAD key and nonce are
 * HKDF-SHA256(salt, payload, "mls 1.0 snapshot seal", 44 bytes), so that
 * no two snapshots share a key and nonce, and the keyring payload is
 * used for nothing else.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "aead.h"
#include "hkdf.h"
#include "seal.h"

#include <keys/encrypted-type.h>
#include <keys/trusted-type.h>
#include <keys/user-type.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/uidgid.h>

char *mls_seal_key_desc = "mls:seal";
module_param_named(seal_key, mls_seal_key_desc, charp, 0444);
MODULE_PARM_DESC(seal_key, "Description of the keyring key (logon, encrypted or trusted) that seals snapshots (default mls:seal)");

/* HKDF-SHA256 and AES-256-GCM, through the suite-driven helpers. */
static const struct mls_suite mls_seal_suite = {
	.hash = MLS_HASH_SHA256,
	.aead = MLS_AEAD_AES_GCM,
	.nh = 32,
	.nk = MLS_SEAL_KEY_LEN,
};

static const char mls_seal_label[] = "mls 1.0 snapshot seal";

static struct key_type * const mls_seal_types[] = {
	&key_type_logon,
#if IS_REACHABLE(CONFIG_ENCRYPTED_KEYS)
	&key_type_encrypted,
#endif
#if IS_REACHABLE(CONFIG_TRUSTED_KEYS)
	&key_type_trusted,
#endif
};

/* The payload of @key (its sem held for reading), or NULL if revoked. */
static const u8 *key_payload(struct key *key, size_t *len)
{
	if (key->type == &key_type_logon) {
		const struct user_key_payload *up = user_key_payload_locked(key);

		if (!up)
			return NULL;
		*len = up->datalen;
		return up->data;
	}
#if IS_REACHABLE(CONFIG_ENCRYPTED_KEYS)
	if (key->type == &key_type_encrypted) {
		const struct encrypted_key_payload *ep =
			dereference_key_locked(key);

		if (!ep)
			return NULL;
		*len = ep->decrypted_datalen;
		return ep->decrypted_data;
	}
#endif
#if IS_REACHABLE(CONFIG_TRUSTED_KEYS)
	if (key->type == &key_type_trusted) {
		const struct trusted_key_payload *tp =
			dereference_key_locked(key);

		if (!tp)
			return NULL;
		*len = tp->key_len;
		return tp->key;
	}
#endif
	return NULL;
}

/* The sealing key of the caller, referenced, or ERR_PTR. */
static struct key *find_key(void)
{
	const char *desc = mls_seal_key_desc;
	struct key *key;
	unsigned int i;

	if (!desc || !*desc)
		return ERR_PTR(-ENOKEY);
	for (i = 0; i < ARRAY_SIZE(mls_seal_types); i++) {
		key = request_key(mls_seal_types[i], desc, NULL);
		if (!IS_ERR(key) || PTR_ERR(key) != -ENOKEY)
			return key;
	}
	/* Not found as a type we accept: say so if it is a user key. */
	key = request_key(&key_type_user, desc, NULL);
	if (IS_ERR(key))
		return key;
	key_put(key);
	return ERR_PTR(-EKEYREJECTED);
}

/**
 * mls_seal_key_get() - the AEAD key and nonce of a snapshot
 * @salt: its MLS_SEAL_SALT_LEN random bytes
 * @k: (out) wiped on error
 *
 * Return: 0, -ENOKEY (no sealing key), -EKEYREJECTED (a user key, a key
 * not owned by root, or a payload shorter than MLS_SEAL_MIN_IKM),
 * -EKEYREVOKED, -EKEYEXPIRED, -ENOMEM.
 */
int mls_seal_key_get(const u8 *salt, struct mls_seal_key *k)
{
	u8 prk[32], okm[MLS_SEAL_KEY_LEN + MLS_SEAL_NONCE_LEN];
	const u8 *ikm;
	struct key *key;
	size_t len = 0;
	int ret;

	key = find_key();
	if (IS_ERR(key)) {
		ret = PTR_ERR(key);
		goto out;
	}
	/* Only a key the administrator made: not one any user can add. */
	if (!uid_eq(key->uid, GLOBAL_ROOT_UID)) {
		key_put(key);
		ret = -EKEYREJECTED;
		goto out;
	}
	down_read(&key->sem);
	/* Revoked or expired: some types keep their payload after that. */
	ret = key_validate(key);
	if (!ret) {
		ikm = key_payload(key, &len);
		if (!ikm)
			ret = -EKEYREVOKED;
		else if (len < MLS_SEAL_MIN_IKM)
			ret = -EKEYREJECTED;
		else
			ret = mls_hkdf_extract(&mls_seal_suite, salt,
					       MLS_SEAL_SALT_LEN, ikm, len, prk);
	}
	up_read(&key->sem);
	key_put(key);
	if (!ret)
		ret = mls_hkdf_expand(&mls_seal_suite, prk,
				      (const u8 *)mls_seal_label,
				      sizeof(mls_seal_label) - 1,
				      okm, sizeof(okm));
	if (!ret) {
		memcpy(k->key, okm, MLS_SEAL_KEY_LEN);
		memcpy(k->nonce, okm + MLS_SEAL_KEY_LEN, MLS_SEAL_NONCE_LEN);
	}
out:
	memzero_explicit(prk, sizeof(prk));
	memzero_explicit(okm, sizeof(okm));
	if (ret)
		mls_seal_wipe(k);
	return ret;
}

/* Seal @pt_len bytes after @aad_len bytes of @buf; the tag follows them. */
int mls_seal(const struct mls_seal_key *k, u8 *buf, size_t aad_len,
	     size_t pt_len)
{
	return mls_aead_seal(&mls_seal_suite, k->key, k->nonce, buf, aad_len,
			     pt_len);
}

/* Open in place; -EBADMSG when the tag does not verify. */
int mls_unseal(const struct mls_seal_key *k, u8 *buf, size_t aad_len,
	       size_t ct_len)
{
	return mls_aead_open(&mls_seal_suite, k->key, k->nonce, buf, aad_len,
			     ct_len);
}
