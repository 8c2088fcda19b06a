/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * libmlsclient: an RFC 9420 (MLS) client over mls.ko and libmls.
 *
 * The client is the control plane that libmls leaves to the application:
 * the wire format of RFC 9420, the ratchet tree, HPKE, KeyPackages and
 * Welcome processing. Every epoch secret stays in the kernel; the client
 * holds only what a member must hold itself (its signature key, its HPKE
 * private keys, the path secrets of its own commits), and erases them
 * after use. Documentation/userspace-api/client.rst tells which secret
 * lives where.
 *
 * Conventions, as libmls's:
 *  - Every function returns 0 (or a non-negative value where documented)
 *    on success and -errno on failure; none touches errno.
 *  - There is no global state. Objects are opaque handles, released with
 *    their *_free() function; byte strings the client allocates are
 *    struct mls_bytes, released (and wiped) with mls_bytes_free().
 *  - Malformed wire bytes are -EBADMSG, whatever is wrong with them.
 */
#ifndef MLS_CLIENT_H
#define MLS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <libmls.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLSC_VERSION_MAJOR	0
#define MLSC_VERSION_MINOR	1

/* RFC 9420 §6 WireFormat values beyond libmls's MLS_WIRE_FORMAT_*. */
#define MLS_WIRE_FORMAT_WELCOME		3
#define MLS_WIRE_FORMAT_GROUP_INFO	4
#define MLS_WIRE_FORMAT_KEY_PACKAGE	5

/* ---------------------------------------------------------------- codec */

/* A parsed MLSMessage (RFC 9420 §6). */
struct mlsc_message;

/**
 * mlsc_message_parse() - parse one MLSMessage
 * @data: its bytes, copied (the caller may free them after the call)
 * @len: their number
 * @out: the message, released with mlsc_message_free()
 *
 * Every byte must belong to the message. Returns 0, -EBADMSG when the
 * bytes are not exactly one well-formed MLSMessage of version mls10
 * (truncated, trailing bytes, a length past its end, a varint that is
 * not minimal, an undefined wire format or select tag), -EINVAL for a
 * NULL argument, -ENOMEM.
 */
int mlsc_message_parse(const void *data, size_t len,
		       struct mlsc_message **out);

/**
 * mlsc_message_wire_format() - the message's WireFormat
 *	(MLS_WIRE_FORMAT_*), or -EINVAL for NULL
 */
int mlsc_message_wire_format(const struct mlsc_message *msg);

/**
 * mlsc_message_serialize() - the message's bytes, serialized again from
 *	its parsed fields into @out (mls_bytes_free()); 0, -EINVAL, -ENOMEM
 */
int mlsc_message_serialize(const struct mlsc_message *msg,
			   struct mls_bytes *out);

/**
 * mlsc_message_free() - release a message (NULL is ignored)
 */
void mlsc_message_free(struct mlsc_message *msg);


/* ---------------------------------------------------------- credentials */

/* RFC 9420 §5.3 CredentialType values. */
#define MLS_CREDENTIAL_BASIC		1
#define MLS_CREDENTIAL_X509		2

/* One DER certificate of an X.509 credential. */
struct mlsc_cert {
	const void *data;
	size_t len;
};

/*
 * A Credential (§5.3) as the application gives it or is shown it: a basic
 * credential's identity, or an X.509 credential's certificate chain (the
 * end-entity certificate first). The bytes belong to whoever made it.
 */
struct mlsc_cred {
	uint16_t type;			/* MLS_CREDENTIAL_* */
	const void *identity;		/* basic */
	size_t identity_len;
	const struct mlsc_cert *certs;	/* x509 */
	size_t n_certs;
};

/*
 * The application's judgement of a credential: called for every leaf
 * the client validates with the credential, the leaf's signature public
 * key (raw, as in the LeafNode) and the ciphersuite. Return 0 to accept
 * it, or a negative errno to refuse it (the validation then fails with
 * that value). This is where an X.509 chain is checked and bound to the
 * signature key.
 */
typedef int (*mlsc_credential_fn)(void *arg, const struct mlsc_cred *cred,
				  const void *signature_key,
				  size_t signature_key_len, uint16_t suite);

/* mlsc_validate_opts.flags */
#define MLSC_VALIDATE_NO_LIFETIME	(1U << 0) /* do not check lifetimes */

/*
 * What validation needs from the application. Without a callback, basic
 * credentials are accepted and X.509 ones refused (-EKEYREJECTED).
 */
struct mlsc_validate_opts {
	uint64_t now;			/* seconds since the Unix epoch */
	uint32_t flags;			/* MLSC_VALIDATE_* */
	mlsc_credential_fn credential_cb;
	void *credential_arg;
};

/* ----------------------------------------------------------- KeyPackages */

/* A parsed KeyPackage (RFC 9420 §10), public: no private key in it. */
struct mlsc_keypkg;

/*
 * The private half of a KeyPackage the client created (or was given):
 * the HPKE init and encryption private keys, kept until used and erased
 * when released or consumed.
 */
struct mlsc_keypkg_priv;

/* An extension (§13): type and extension_data. */
struct mlsc_ext {
	uint16_t type;
	const void *data;
	size_t len;
};

/*
 * What a new KeyPackage says. Lists left empty take the defaults: the
 * versions [mls10], the suites [@cipher_suite], the credential types
 * [@credential.type]; no extension or proposal type beyond the RFC's
 * defaults.
 */
struct mlsc_keypkg_params {
	uint16_t cipher_suite;
	struct mlsc_cred credential;
	uint64_t not_before, not_after;	/* the lifetime, Unix seconds */
	const uint16_t *versions;	/* capabilities */
	size_t n_versions;
	const uint16_t *cipher_suites;
	size_t n_cipher_suites;
	const uint16_t *extension_types;
	size_t n_extension_types;
	const uint16_t *proposal_types;
	size_t n_proposal_types;
	const uint16_t *credential_types;
	size_t n_credential_types;
	const struct mlsc_ext *leaf_extensions;	/* LeafNode.extensions */
	size_t n_leaf_extensions;
	const struct mlsc_ext *extensions;	/* KeyPackage.extensions */
	size_t n_extensions;
};

/**
 * mlsc_keypkg_create() - a new KeyPackage and its private keys
 * @params: what it says (suite, credential, lifetime, capabilities,
 *	extensions)
 * @sig_key: the member's signature key, of the suite's scheme; it signs
 *	the LeafNode and the KeyPackage
 * @msg: the MLSMessage(KeyPackage) to publish (mls_bytes_free())
 * @priv: the fresh HPKE init and encryption private keys, with the
 *	KeyPackage and its ref (mlsc_keypkg_priv_free())
 *
 * Returns 0; -EINVAL (a NULL or inconsistent parameter, a key of another
 * scheme, a lifetime that ends before it begins, an unknown credential
 * type), -EPROTONOSUPPORT (unknown suite), -ENOMEM, -EIO.
 */
int mlsc_keypkg_create(const struct mlsc_keypkg_params *params,
		       const struct mls_sig_key *sig_key,
		       struct mls_bytes *msg, struct mlsc_keypkg_priv **priv);

/**
 * mlsc_keypkg_parse() - parse an MLSMessage(KeyPackage)
 *
 * The bytes are copied. Nothing is validated: see mlsc_keypkg_validate().
 * Returns 0, -EBADMSG (malformed, or not a KeyPackage), -EINVAL, -ENOMEM.
 */
int mlsc_keypkg_parse(const void *msg, size_t len, struct mlsc_keypkg **out);

/**
 * mlsc_keypkg_validate() - RFC 9420 §10.1
 * @kp: the KeyPackage
 * @suite: the group's ciphersuite, or 0 for any suite the client knows
 * @opts: "now", flags and the credential callback (NULL: now is 0, so
 *	every lifetime but [0, ...] fails, and X.509 is refused)
 *
 * Checks the version (mls10) and the suite, the KeyPackage's signature
 * and its LeafNode's (made with the leaf's signature key), that init_key
 * and encryption_key are valid HPKE public keys and differ, and the
 * LeafNode as §7.3 says for source key_package: the credential type is
 * among its capabilities, the credential is accepted, the lifetime
 * covers opts->now, its extensions are listed in its capabilities.
 * Returns 0; -EBADMSG (a signature, a key), -EPROTONOSUPPORT (version or
 * suite), -EKEYEXPIRED, -EKEYREJECTED (X.509 without a callback) or the
 * callback's error, -EOPNOTSUPP (a capability missing), -EINVAL, -ENOMEM.
 */
int mlsc_keypkg_validate(const struct mlsc_keypkg *kp, uint16_t suite,
			 const struct mlsc_validate_opts *opts);

/**
 * mlsc_keypkg_ref() - KeyPackageRef (§5.2): RefHash("MLS 1.0 KeyPackage
 *	Reference", KeyPackage) into @ref (mls_bytes_free()), Nh bytes.
 *	0, -EINVAL, -EPROTONOSUPPORT, -ENOMEM, -EIO
 */
int mlsc_keypkg_ref(const struct mlsc_keypkg *kp, struct mls_bytes *ref);

/**
 * mlsc_keypkg_serialize() - the MLSMessage(KeyPackage) again, into @msg
 *	(mls_bytes_free()); 0, -EINVAL, -ENOMEM
 */
int mlsc_keypkg_serialize(const struct mlsc_keypkg *kp, struct mls_bytes *msg);

/** mlsc_keypkg_suite() - the KeyPackage's cipher_suite, or -EINVAL */
int mlsc_keypkg_suite(const struct mlsc_keypkg *kp);

/**
 * mlsc_keypkg_credential() - the LeafNode's credential into @cred, which
 *	points into @kp (valid until mlsc_keypkg_free()); 0 or -EINVAL
 */
int mlsc_keypkg_credential(const struct mlsc_keypkg *kp,
			   struct mlsc_cred *cred);

/** mlsc_keypkg_free() - release a KeyPackage (NULL is ignored) */
void mlsc_keypkg_free(struct mlsc_keypkg *kp);

/**
 * mlsc_keypkg_priv_import() - the private half of a KeyPackage made
 *	elsewhere
 * @msg: the MLSMessage(KeyPackage), @len bytes (copied)
 * @init_priv: the HPKE private key of its init_key (required)
 * @enc_priv: that of its leaf's encryption_key, or NULL
 *
 * Each key must be the private key of the public key it goes with.
 * Returns 0, -EBADMSG, -EPROTONOSUPPORT, -EKEYREJECTED (a key that does
 * not match), -EINVAL, -ENOMEM.
 */
int mlsc_keypkg_priv_import(const void *msg, size_t len,
			    const void *init_priv, size_t init_priv_len,
			    const void *enc_priv, size_t enc_priv_len,
			    struct mlsc_keypkg_priv **out);

/** mlsc_keypkg_priv_ref() - the KeyPackageRef of @priv's KeyPackage */
int mlsc_keypkg_priv_ref(const struct mlsc_keypkg_priv *priv,
			 struct mls_bytes *ref);

/** mlsc_keypkg_priv_free() - wipe and release (NULL is ignored) */
void mlsc_keypkg_priv_free(struct mlsc_keypkg_priv *priv);

#ifdef __cplusplus
}
#endif

#endif /* MLS_CLIENT_H */
