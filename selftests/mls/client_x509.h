/* SPDX-License-Identifier: GPL-2.0 */
/*
 * X.509 credentials for the client's VM tests (client_x509.c): a test CA
 * that certifies a member's Ed25519 signature key (suites 1 and 3), and
 * the judgements an application gives the library for them.
 */
#ifndef MLS_CLIENT_X509_H
#define MLS_CLIENT_X509_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client_util.h"

/* A certification authority: its key and self-signed certificate. */
struct x509_ca {
	EVP_PKEY *key;
	X509 *cert;
};

/* A new CA named @cn into @ca: 0, or -ENOMEM / -EIO. */
int x509_ca_new(const char *cn, struct x509_ca *ca);
void x509_ca_free(struct x509_ca *ca);
/*
 * A member of @suite (1 or 3) whose KeyPackage has an X.509 credential:
 * a certificate of @ca for subject CN=@cn and @m's new signature key,
 * capabilities listing basic and X.509. 0, or -errno.
 */
int member_new_x509(unsigned int suite, const char *cn,
		    const struct x509_ca *ca, struct member *m);
/*
 * A credential_cb whose @arg is a struct x509_ca: 0 for an X.509
 * credential whose first certificate @arg issued (its signature checks)
 * for @signature_key; -EKEYREJECTED for anything else.
 */
int x509_check(void *arg, const struct mlsc_cred *cred,
	       const void *signature_key, size_t signature_key_len,
	       uint16_t suite);
/*
 * A same_member_cb: 0 when both X.509 credentials' first certificates
 * name the same subject, -EPERM otherwise.
 */
int x509_same_subject(void *arg, const struct mlsc_cred *old_cred,
		      const struct mlsc_cred *new_cred, uint16_t suite);

#endif /* MLS_CLIENT_X509_H */
