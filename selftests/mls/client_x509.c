// SPDX-License-Identifier: GPL-2.0
/* X.509 credentials for the client's VM tests, with OpenSSL. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "client_x509.h"

/* A certificate of @pub for CN=@cn, signed by @key as @issuer (NULL: self). */
static X509 *issue(EVP_PKEY *pub, const char *cn, EVP_PKEY *key,
		   X509 *issuer)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *name;

	if (!x)
		return NULL;
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 86400) ||
	    !X509_set_pubkey(x, pub) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) :
					       name) ||
	    /* Ed25519 signs the message itself: no digest */
	    X509_sign(x, key, NULL) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int x509_ca_new(const char *cn, struct x509_ca *ca)
{
	memset(ca, 0, sizeof(*ca));
	ca->key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!ca->key)
		return -ENOMEM;
	ca->cert = issue(ca->key, cn, ca->key, NULL);
	if (!ca->cert) {
		x509_ca_free(ca);
		return -EIO;
	}
	return 0;
}

void x509_ca_free(struct x509_ca *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	memset(ca, 0, sizeof(*ca));
}

/* @cert issued by @ca for @cn and @sig's public key, DER in @der. */
static int cert_der(const struct x509_ca *ca, const char *cn,
		    const struct mls_sig_key *sig, struct mls_bytes *der)
{
	struct mls_bytes pub = { 0 };
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	unsigned char *p;
	int len, err;

	err = mls_sig_key_export(sig, MLS_KEY_PUBLIC, &pub);
	if (!err) {
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
						 pub.data, pub.len);
		x = pk ? issue(pk, cn, ca->key, ca->cert) : NULL;
		err = x ? 0 : -EIO;
	}
	len = err ? -1 : i2d_X509(x, NULL);
	der->data = len > 0 ? malloc((size_t)len) : NULL;
	if (!err && !der->data)
		err = -ENOMEM;
	p = der->data;
	if (!err && i2d_X509(x, &p) != len)
		err = -EIO;
	der->len = err ? 0 : (size_t)len;
	X509_free(x);
	EVP_PKEY_free(pk);
	mls_bytes_free(&pub);
	return err;
}

int member_new_x509(unsigned int suite, const char *cn,
		    const struct x509_ca *ca, struct member *m)
{
	static const uint16_t creds[] = { MLS_CREDENTIAL_BASIC,
					  MLS_CREDENTIAL_X509 };
	uint64_t now = (uint64_t)time(NULL);
	struct mls_bytes der = { 0 };
	struct mlsc_cert cert;
	struct mlsc_keypkg_params p = {
		.cipher_suite = (uint16_t)suite,
		.credential = { .type = MLS_CREDENTIAL_X509,
				.certs = &cert, .n_certs = 1 },
		.not_before = now - 3600, .not_after = now + 86400,
		.credential_types = creds, .n_credential_types = 2,
	};
	int err;

	memset(m, 0, sizeof(*m));
	m->suite = suite;
	if (suite != 1 && suite != 3)
		return -EOPNOTSUPP;
	err = mls_sig_key_generate(suite, &m->sig);
	if (!err)
		err = cert_der(ca, cn, m->sig, &der);
	cert = (struct mlsc_cert){ der.data, der.len };
	if (!err)
		err = mlsc_keypkg_create(&p, m->sig, &m->kp_msg, &m->priv);
	if (!err)
		err = mlsc_keypkg_parse(m->kp_msg.data, m->kp_msg.len, &m->kp);
	mls_bytes_free(&der);
	return err;
}

/* The first certificate of an X.509 credential, or NULL. */
static X509 *first_cert(const struct mlsc_cred *cred)
{
	const unsigned char *p;
	X509 *x;

	if (cred->type != MLS_CREDENTIAL_X509 || !cred->n_certs)
		return NULL;
	p = cred->certs[0].data;
	x = d2i_X509(NULL, &p, (long)cred->certs[0].len);
	/* DER, the whole of it */
	if (x && p != (const unsigned char *)cred->certs[0].data +
		      cred->certs[0].len) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

int x509_check(void *arg, const struct mlsc_cred *cred,
	       const void *signature_key, size_t signature_key_len,
	       uint16_t suite)
{
	const struct x509_ca *ca = arg;
	X509 *x = first_cert(cred);
	uint8_t pub[64];
	size_t len = sizeof(pub);
	int err = -EKEYREJECTED;

	(void)suite;
	if (x &&
	    !X509_NAME_cmp(X509_get_issuer_name(x),
			   X509_get_subject_name(ca->cert)) &&
	    X509_verify(x, ca->key) == 1 &&
	    EVP_PKEY_get_raw_public_key(X509_get0_pubkey(x), pub, &len) &&
	    len == signature_key_len && !memcmp(pub, signature_key, len))
		err = 0;
	X509_free(x);
	return err;
}

int x509_same_subject(void *arg, const struct mlsc_cred *old_cred,
		      const struct mlsc_cred *new_cred, uint16_t suite)
{
	X509 *o = first_cert(old_cred), *n = first_cert(new_cred);
	int err = -EPERM;

	(void)arg;
	(void)suite;
	if (o && n && !X509_NAME_cmp(X509_get_subject_name(o),
				     X509_get_subject_name(n)))
		err = 0;
	X509_free(o);
	X509_free(n);
	return err;
}
