/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * KeyPackages (RFC 9420 §10): the public handle and the private keys
 * kept for one until a Welcome uses them.
 */
#ifndef MLSC_KEYPKG_H
#define MLSC_KEYPKG_H

#include <mls_client.h>

#include "codec.h"
#include "suite.h"
#include "wire.h"

struct mlsc_keypkg {
	uint8_t *bytes;			/* the MLSMessage; kp points in here */
	size_t len;
	struct mlsc_arena arena;
	struct mlsc_key_package kp;
	struct mlsc_slice raw;		/* the KeyPackage's own encoding */
	struct mlsc_cert *certs;	/* an X.509 chain as the API shows it */
};

/*
 * The private keys stay here until used: the init key until the Welcome
 * that names this KeyPackage has been opened, the encryption key until
 * the group's state takes it. Both are wiped as soon as they are used
 * up, and when the handle is freed.
 */
struct mlsc_keypkg_priv {
	uint16_t suite;
	struct mlsc_keypkg *kp;
	uint8_t ref[MLSC_MAX_HASH];	/* KeyPackageRef, ref_len bytes */
	size_t ref_len;
	size_t init_sk_len;		/* 0: used and wiped */
	size_t enc_sk_len;		/* 0: taken, or never known */
	uint8_t init_sk[MLSC_MAX_SK];
	uint8_t enc_sk[MLSC_MAX_SK];
};

/* Parse the MLSMessage(KeyPackage) at @msg into @kp (copied): -EBADMSG. */
int mlsc_keypkg_decode(const uint8_t *msg, size_t len,
		       struct mlsc_keypkg **kp);

/* KeyPackageTBS (§10) of @kp into @out (mlsc_wbuf_free()). */
int mlsc_keypkg_tbs(const struct mlsc_key_package *kp,
		    struct mlsc_wbuf *out);

/*
 * §10.1 on a parsed KeyPackage, of ciphersuite @suite (0: any known
 * suite). See mlsc_keypkg_validate(3) for the errors.
 */
int mlsc_key_package_check(const struct mlsc_key_package *kp,
			   uint16_t suite,
			   const struct mlsc_validate_opts *opts);

/* KeyPackageRef of @kp into @out (Nh bytes). */
int mlsc_keypkg_ref_raw(const struct mlsc_keypkg *kp, uint8_t *out,
			size_t *len);

/*
 * Does @ref (as in EncryptedGroupSecrets.new_member) name @priv's
 * KeyPackage?
 */
bool mlsc_keypkg_priv_matches(const struct mlsc_keypkg_priv *priv,
			      const struct mlsc_slice *ref);

/* The init key has been used (GroupSecrets decrypted): wipe it. */
void mlsc_keypkg_priv_erase_init(struct mlsc_keypkg_priv *priv);

/*
 * Move the encryption private key out into @sk (*@len in: its size, out:
 * the key's): it is wiped here. -ENOKEY if there is none (any more),
 * -ENOSPC.
 */
int mlsc_keypkg_priv_take_enc(struct mlsc_keypkg_priv *priv, uint8_t *sk,
			      size_t *len);

/*
 * A handle for @kp (taken over, freed on error too) with its ref and
 * copies of the private keys (a length 0: none).
 */
int mlsc_keypkg_priv_new(struct mlsc_keypkg *kp, const uint8_t *init_sk,
			 size_t init_sk_len, const uint8_t *enc_sk,
			 size_t enc_sk_len, struct mlsc_keypkg_priv **out);

/*
 * The Credential @in as the codec writes it, into @c (pointing into @in,
 * arrays in @arena): 0, -EINVAL (an unknown type, a NULL or empty
 * field), -ENOMEM.
 */
int mlsc_cred_take(struct mlsc_arena *arena, const struct mlsc_cred *in,
		   struct mlsc_credential *c);

/* Wipe every secret of @priv, without freeing it. */
void mlsc_keypkg_priv_wipe(struct mlsc_keypkg_priv *priv);

#endif /* MLSC_KEYPKG_H */
