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
#define MLSC_VERSION_MINOR	9

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
/* the opts are the head of a struct mlsc_validate_opts_ext (0.4) */
#define MLSC_VALIDATE_EXT		(1U << 1)

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

/*
 * The application's judgement that @new_cred names the same participant
 * as @old_cred: called when an external commit removes the leaf holding
 * @old_cred and joins with @new_cred (a resync, RFC 9420 §12.2), after
 * both passed the credential callback. Return 0 if they are the same
 * participant, or a negative errno to refuse the commit.
 */
typedef int (*mlsc_same_member_fn)(void *arg, const struct mlsc_cred *old_cred,
				   const struct mlsc_cred *new_cred,
				   uint16_t suite);

/*
 * mlsc_validate_opts with what libmlsclient 0.4 added; pass &ext.base
 * with MLSC_VALIDATE_EXT set in base.flags. Without a same_member_cb an
 * external commit may remove only a leaf with a basic credential and
 * the same identity as the new leaf's; any other resync is refused
 * (-EPROTO). With one, the types must match and the callback decides
 * (for basic credentials, after the identities compared equal).
 */
struct mlsc_validate_opts_ext {
	struct mlsc_validate_opts base;
	mlsc_same_member_fn same_member_cb;
	void *same_member_arg;
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

/**
 * mlsc_keypkg_priv_export() - the private keys of @priv, as
 *	mlsc_keypkg_priv_import() takes them back (SerializePrivateKey)
 * @init_priv: its init_key's (mls_bytes_free(), which wipes)
 * @enc_priv: its leaf's encryption_key's; empty if @priv has none (it
 *	was imported without, or went into a group)
 *
 * To keep a KeyPackage's private half until its Welcome comes, in a
 * file only its owner reads. Returns 0; -ENOKEY (the init key was
 * used up), -EINVAL, -ENOMEM. (0.3)
 */
int mlsc_keypkg_priv_export(const struct mlsc_keypkg_priv *priv,
			    struct mls_bytes *init_priv,
			    struct mls_bytes *enc_priv);

/** mlsc_keypkg_priv_free() - wipe and release (NULL is ignored) */
void mlsc_keypkg_priv_free(struct mlsc_keypkg_priv *priv);
/* --------------------------------------------------- joining (§12.4.3.1) */

/*
 * A Welcome being joined: its GroupSecrets decrypted, the join staged in
 * the kernel (which keeps the joiner_secret's extract), its GroupInfo
 * decrypted. Released with mlsc_welcome_free().
 */
struct mlsc_joiner;

/* A member of a group, joined through the kernel; mlsc_group_free(). */
struct mlsc_group;

/*
 * A pre-shared key a Welcome's GroupSecrets may name (§8.4). External:
 * @id and its value @secret, given by value. Resumption: @group_fd, a
 * group fd whose MLS group_id is the psk_group_id; the kernel reads its
 * resumption_psk, which never leaves it. Both: matched by id or group_id
 * to what the GroupSecrets list.
 */
struct mlsc_psk {
	uint8_t type;			/* MLS_PSK_EXTERNAL, MLS_PSK_RESUMPTION */
	const void *id;
	size_t id_len;
	const void *secret;
	size_t secret_len;
	int group_fd;
};

/* What opening a Welcome takes. */
struct mlsc_welcome_keys {
	/* The KeyPackage the Welcome answers: KeyPackage or MLSMessage. */
	const void *key_package;
	size_t key_package_len;
	/* Its init_key's HPKE private key (SerializePrivateKey). */
	const void *init_priv;
	size_t init_priv_len;
	/*
	 * The PSKs the GroupSecrets may name; others are ignored. Fewer
	 * than SIZE_MAX / sizeof(struct mlsc_psk) (-EINVAL otherwise).
	 */
	const struct mlsc_psk *psks;
	size_t n_psks;
	/* How long the kernel keeps the staged join; 0: its default. */
	uint32_t timeout_ms;
};

/**
 * mlsc_welcome_open() - decrypt a Welcome and stage its join in the kernel
 * @ctl_fd: /dev/mls (mls_open())
 * @msg: an MLSMessage(Welcome), @len bytes
 * @k: the KeyPackage, its init private key and the PSKs
 * @out: the opened Welcome, for mlsc_welcome_join()
 *
 * Returns 0; -ENOKEY if the Welcome has no secrets for @k's KeyPackage
 * (it is for someone else); -EBADMSG if a byte string is malformed or
 * the GroupSecrets or the GroupInfo do not decrypt; -ENOENT if the
 * GroupSecrets name a PSK @k does not give; -EPROTO if the suites of
 * the Welcome, KeyPackage and GroupInfo differ, and (since 0.8) if the
 * GroupSecrets name a resumption PSK of usage reinit (only
 * mlsc_reinit_welcome_open() opens such a Welcome), or more than one
 * of usage branch, or one of usage branch while the GroupInfo's epoch
 * is not 1 (§12.4.3.1: a branch PSK, resolved from the group @k->psks
 * gives for its psk_group_id, is the only such PSK and starts a new
 * group); -EINVAL; -ENOMEM;
 * and the errors of MLS_IOC_JOIN_STAGE. The joiner_secret and
 * welcome_secret are erased before return.
 */
int mlsc_welcome_open(int ctl_fd, const void *msg, size_t len,
		      const struct mlsc_welcome_keys *k,
		      struct mlsc_joiner **out);

/**
 * mlsc_welcome_free() - release a Welcome, close its staged join, wipe
 *	its secrets (NULL is ignored)
 */
void mlsc_welcome_free(struct mlsc_joiner *w);

#define MLSC_JOIN_F_EPHEMERAL	(1U << 0)	/* MLS_GROUP_F_EPHEMERAL */
#define MLSC_JOIN_F_ALL		MLSC_JOIN_F_EPHEMERAL

/* What joining takes beyond the Welcome. */
struct mlsc_join_args {
	uint32_t flags;			/* MLSC_JOIN_F_* */
	uint16_t mode;			/* the group's mode; 0: 0600 */
	/*
	 * The ratchet tree (optional<Node> ratchet_tree<V>), when the
	 * GroupInfo has no ratchet_tree extension; else NULL.
	 */
	const void *ratchet_tree;
	size_t ratchet_tree_len;
	/* The leaf's HPKE private key (SerializePrivateKey); kept. */
	const void *encryption_priv;
	size_t encryption_priv_len;
	/*
	 * How the tree's leaves are validated (credentials, lifetimes);
	 * NULL: basic credentials only, lifetimes checked against now.
	 */
	const struct mlsc_validate_opts *validate;
};

/**
 * mlsc_welcome_join() - join the group of an opened Welcome
 * @w: from mlsc_welcome_open(); its staged join is used up on success
 * @a: the tree if not in the GroupInfo, the leaf's private key, flags
 * @out: the member
 *
 * Validates the tree (mlsc_tree_validate(): tree and parent hashes, every
 * leaf per §7.3, unique keys; the signer's and one's own leaf are
 * there), verifies the GroupInfo's signature with the
 * signer's leaf, joins in the kernel and verifies the GroupInfo's
 * confirmation_tag there; a group that fails is destroyed.
 *
 * Returns 0; -ENODATA without a tree; -EPROTO if the tree fails
 * validation (and for keys of a path secret that do not match it);
 * -EKEYREJECTED if the signature or a private key does not verify;
 * -EBADMSG for a malformed tree or a wrong confirmation_tag; -EALREADY
 * if @w was joined already; -EINVAL; -ENOMEM; the errors of
 * MLS_IOC_GROUP_JOIN. A leaf's credential, and since 0.6 each external
 * sender's of the GroupContext's external_senders extension (§5.3.1),
 * go through @a->validate's credential_cb: its error, or -EKEYREJECTED
 * for an X.509 one without a callback.
 */
int mlsc_welcome_join(struct mlsc_joiner *w, const struct mlsc_join_args *a,
		      struct mlsc_group **out);

/**
 * mlsc_welcome_check() - verify an opened Welcome without a tree
 * @w: from mlsc_welcome_open(); its staged join is used up
 * @signer: the signer's public signature key, known otherwise
 *
 * Verifies the GroupInfo's signature with @signer and its
 * confirmation_tag through the kernel, in a group keyed with the
 * GroupContext and destroyed before return. Returns 0, -EKEYREJECTED,
 * -EBADMSG (the tag), -EALREADY, -EINVAL, or the kernel's errors.
 */
int mlsc_welcome_check(struct mlsc_joiner *w,
		       const struct mls_sig_key *signer);

/* The group fd of @g (owned by @g), for libmls; -EINVAL for NULL. */
int mlsc_group_fd(const struct mlsc_group *g);

/* @g's own leaf index, or -EINVAL for NULL. */
int64_t mlsc_group_own_leaf(const struct mlsc_group *g);

/**
 * mlsc_group_free() - wipe @g's private keys and tree, close its fd
 *	(the kernel's group lives on unless ephemeral); NULL is ignored
 */
void mlsc_group_free(struct mlsc_group *g);


/* ----------------------- following a group: proposals and commits (§12) */

/*
 * mlsc_process_opts.flags. MLSC_PROCESS_F_OUTSIDERS (0.5): take
 * proposals from outside the group (§12.1.8, sender type external or
 * new_member_proposal); without it they are -EOPNOTSUPP, as in 0.4, so
 * that a caller that does not look at mlsc_processed.sender_type never
 * takes one for a member's.
 */
#define MLSC_PROCESS_F_OUTSIDERS	(1U << 0)
#define MLSC_PROCESS_F_ALL		MLSC_PROCESS_F_OUTSIDERS

/* What processing a message may need from the application. */
struct mlsc_process_opts {
	uint32_t flags;			/* MLSC_PROCESS_F_*; 0 */
	/*
	 * The PSKs a Commit's PreSharedKey proposals may name: external
	 * ones by value, resumption ones by group fd (see struct
	 * mlsc_psk). A resumption PSK of this group itself needs no entry.
	 * Fewer than SIZE_MAX / sizeof(struct mlsc_psk) (-EINVAL otherwise).
	 */
	const struct mlsc_psk *psks;
	size_t n_psks;
	/*
	 * How the leaves and KeyPackages a Commit brings are validated
	 * (credentials, lifetimes); NULL: basic credentials only,
	 * lifetimes checked against now.
	 */
	const struct mlsc_validate_opts *validate;
};

/* RFC 9420 §6 SenderType values, as mlsc_processed.sender_type (0.5). */
#define MLS_SENDER_MEMBER		1
#define MLS_SENDER_EXTERNAL		2
#define MLS_SENDER_NEW_MEMBER_PROPOSAL	3
#define MLS_SENDER_NEW_MEMBER_COMMIT	4

/* mlsc_processed.sender_leaf of a sender without leaf or index */
#define MLSC_SENDER_NONE		UINT32_MAX

/* mlsc_processed.flags */
#define MLSC_PROCESSED_F_REMOVED (1U << 0) /* the Commit removed this member */

/* What mlsc_group_process() found; released with mlsc_processed_free(). */
struct mlsc_processed {
	uint32_t content_type;		/* MLS_CONTENT_* */
	uint32_t flags;			/* MLSC_PROCESSED_F_* */
	/*
	 * A member's leaf (an external commit's joiner: the leaf it took).
	 * With MLSC_PROCESS_F_OUTSIDERS (0.5), for sender_type
	 * MLS_SENDER_EXTERNAL the sender's index in the external_senders
	 * extension, not a leaf; for MLS_SENDER_NEW_MEMBER_PROPOSAL
	 * UINT32_MAX (MLSC_SENDER_NONE).
	 */
	uint32_t sender_leaf;
	uint32_t sender_type;		/* MLS_SENDER_* (0.5; reserved before) */
	/* application, proposal: the message's epoch; commit: the new one */
	uint64_t epoch;
	struct mls_bytes data;		/* application: application_data */
	struct mls_bytes authenticated_data;
	struct mls_bytes proposal_ref;	/* proposal: its ProposalRef */
};

/**
 * mlsc_group_process() - process one MLSMessage received in @g's group
 * @g: the member
 * @msg: the MLSMessage, a PublicMessage or a PrivateMessage, @len bytes
 * @opts: PSKs and validation options; NULL for none
 * @out: what the message was (mlsc_processed_free())
 *
 * A PublicMessage's membership_tag is verified by the kernel
 * (MLS_IOC_MEMBERSHIP_TAG), a PrivateMessage is decrypted by it
 * (MLS_IOC_DECRYPT); then the sender's signature over FramedContentTBS
 * is verified with its leaf's key. An application message (only as a
 * PrivateMessage) comes out in @out->data. A Proposal is kept, under
 * its ProposalRef, until the epoch ends. A Commit is applied (§12.4.2):
 * its proposals resolved and validated (§12.2), applied to a copy of
 * the tree, its UpdatePath decrypted and checked (parent hashes), the
 * next epoch prepared in the kernel from the commit_secret and the PSKs
 * (MLS_IOC_COMMIT_PREPARE), its confirmation_tag verified against it,
 * and merged; only then does @g take the new tree, keys, GroupContext
 * and transcript. On any failure the pending epoch is discarded and @g
 * and its kernel group are as they were.
 *
 * A Commit that removes this member sets %MLSC_PROCESSED_F_REMOVED: the
 * kernel group stays in its epoch (it cannot key the next one) and the
 * application destroys it.
 *
 * On failure @out is left empty (all zero). Returns 0, or
 *  * -EINVAL: a NULL argument, unknown flags;
 *  * -EBADMSG: malformed bytes, another group, a sender that is not a
 *    member's leaf, an application message in a PublicMessage, a bad
 *    membership tag, a PrivateMessage that does not open, a bad
 *    UpdatePath (a key, a parent hash, a ciphertext), a bad
 *    confirmation_tag;
 *  * -EKEYREJECTED: the signature does not verify;
 *  * -ESTALE, -EAGAIN: a proposal or commit of an earlier or later epoch;
 *  * -EALREADY: one's own commit (the committer merges its
 *    own: the Commit it made last, pending or merged, as PublicMessage
 *    or PrivateMessage, is refused before the kernel is asked
 *    anything); one's own proposal that @g holds already (made with
 *    mlsc_group_propose() or taken back before); also the kernel's
 *    replay errno for a PrivateMessage processed once already;
 *  * -EPROTO: an invalid proposal or proposal list (§12.2: among them
 *    an Update of the committer's own, two Updates or Removes of one
 *    leaf), a missing
 *    UpdatePath that the list requires (§12.4), a tree whose keys or
 *    parent hashes are not valid;
 *  * -ENOENT: a proposal reference this epoch did not bring, or a PSK
 *    @opts does not give;
 *  * -ENOKEY: no private key to decrypt the UpdatePath with; or a
 *    Commit of this member's own Update (§12.1.2) whose new private
 *    key this instance of the member does not hold (the key is kept
 *    with the proposal mlsc_group_propose() made, in memory only);
 *  * -EOPNOTSUPP: a capability a member lacks, an external commit in a
 *    suite whose KEM the kernel lacks (4, 5, 6);
 *  * -EBUSY: @g joined by an external commit not merged yet;
 *  * -ESHUTDOWN: a proposal or commit of a group a ReInit ended
 *    (since 0.6, mlsc_group_reinit());
 *  * -EKEYEXPIRED: a lifetime;
 *  * -ENOSPC: too many proposals cached in the epoch: 4096 of
 *    members, and apart from those 64 from outside the group, so that
 *    outsiders can never crowd out the members' proposals;
 *  * -ENOMEM, -EIO, and the errors of the kernel's ioctls.
 *
 * A PrivateMessage proposal or commit that the kernel opened and that
 * then failed (a PSK @opts did not give, a proposal reference not yet
 * received, ...) can be processed again: the kernel has used up its
 * generation, so @g keeps the decrypted content of the last such
 * message of the epoch (wiped when the epoch changes, when another one
 * replaces it, or with @g) and a second call with the same bytes
 * starts from it. Only after a success is the same message a replay.
 *
 * Since 0.8, one's own proposal as a PublicMessage that @g does not
 * hold (@g loaded from a saved state, which keeps no proposal) is
 * taken back: membership tag and signature verified as any member's,
 * then kept like them, so that @g follows a Commit that names it. An
 * own Update taken back this way lacks its new private key: a Commit
 * of it is -ENOKEY. The kernel opens no PrivateMessage of one's own.
 *
 * Since 0.4, a Commit from a new member (an external commit, see
 * mlsc_external_join()) is followed too: no membership tag, its
 * signature verified with its UpdatePath's leaf, which takes the
 * leftmost blank leaf after its Remove (@out->sender_leaf), its list
 * checked as §12.2 and §12.4.3.2 say (-EPROTO: no UpdatePath, a
 * proposal by reference, not exactly one ExternalInit, more than one
 * Remove, a Remove of a member whose identity the new leaf does not
 * carry, any other proposal type), the epoch prepared in the kernel
 * with its kem_output (MLS_COMMIT_F_EXTERNAL_INIT).
 *
 * Since 0.5, with %MLSC_PROCESS_F_OUTSIDERS in @opts->flags (else they
 * are -EOPNOTSUPP, as in 0.4), proposals from outside the group
 * (§12.1.8) are followed too, as PublicMessages without membership
 * tag whose FramedContentTBS has no GroupContext (§6.1);
 * @out->sender_type tells the sender type.
 * An external sender's (sender type external) is verified with the
 * signature key of its index in the external_senders GroupContext
 * extension (-ERANGE: no such entry, or no extension) and may be an
 * Add, Remove, PreSharedKey, ReInit or GroupContextExtensions; a new
 * member's (new_member_proposal) is an Add verified with its own
 * KeyPackage's leaf key. Another type is -EPROTO, a Commit from either
 * -EBADMSG. Both are kept by ProposalRef like a member's, and a Commit
 * that names them by reference is checked against the same rules.
 */
int mlsc_group_process(struct mlsc_group *g, const void *msg, size_t len,
		       const struct mlsc_process_opts *opts,
		       struct mlsc_processed *out);

/** mlsc_processed_free() - wipe and release @p's bytes (NULL is ignored) */
void mlsc_processed_free(struct mlsc_processed *p);

/* ------------------------------ running a group: create, commit, welcome */

/* What a new group is (RFC 9420 §11). */
struct mlsc_group_params {
	const void *group_id;		/* 1 to MLS_MAX_GROUP_ID_LEN bytes */
	size_t group_id_len;
	uint32_t flags;			/* MLSC_JOIN_F_*, MLSC_GROUP_F_EXT */
	uint16_t mode;			/* the group's mode; 0: 0600 */
};

/* the params are the head of a struct mlsc_group_params_ext (0.5) */
#define MLSC_GROUP_F_EXT	(1U << 8)

/* RFC 9420 §13.5 ExtensionType values a GroupContext may carry. */
#define MLS_EXT_REQUIRED_CAPABILITIES	3
#define MLS_EXT_EXTERNAL_SENDERS	5

/*
 * mlsc_group_params with what libmlsclient 0.5 added; pass &ext.base
 * with MLSC_GROUP_F_EXT set in base.flags.
 *
 * @extensions: the GroupContext's extensions (§8.1), each type once,
 *	none of a GroupInfo's own (ratchet_tree, external_pub). An
 *	external_senders extension (§12.1.8.1) is the encoded
 *	ExternalSender external_senders<V> (each a SignaturePublicKey of
 *	the suite's scheme and a Credential); build it with
 *	mlsc_external_senders_encode(). A required_capabilities one must
 *	parse, and the creator's leaf meet it.
 */
struct mlsc_group_params_ext {
	struct mlsc_group_params base;
	const struct mlsc_ext *extensions;
	size_t n_extensions;
};

/* One ExternalSender (§12.1.8.1). */
struct mlsc_external_sender_spec {
	const struct mls_sig_key *signature_key;	/* its public key */
	struct mlsc_cred credential;
};

/**
 * mlsc_external_senders_encode() - the extension_data of an
 *	external_senders extension (since 0.5)
 * @senders: the external senders, @n of them; an external proposal
 *	names its sender by its index in this list
 * @out: the encoded list (mls_bytes_free())
 *
 * Returns 0; -EINVAL (a NULL argument, an unknown credential type),
 * -ENOMEM.
 */
int mlsc_external_senders_encode(const struct mlsc_external_sender_spec *senders,
				 size_t n, struct mls_bytes *out);

/**
 * mlsc_group_create() - a new group of one member, in epoch 0
 * @ctl_fd: /dev/mls
 * @p: the group_id, flags and mode
 * @kp: the creator's KeyPackage and private keys (mlsc_keypkg_create()):
 *	its LeafNode is leaf 0, its encryption key the leaf's; both private
 *	keys are erased from @kp on success (it must not be published)
 * @out: the member
 *
 * The kernel draws the epoch_secret; the GroupContext has the tree hash
 * of the one-leaf tree, no extension (since 0.5, with
 * %MLSC_GROUP_F_EXT, those of struct mlsc_group_params_ext) and an
 * empty confirmed transcript hash; the interim transcript hash comes
 * from the kernel's first confirmation tag. Returns 0; -ENOKEY (@kp
 * has no encryption key any more), -EPROTONOSUPPORT, -EINVAL (also an
 * extension refused as struct mlsc_group_params_ext says),
 * -EOPNOTSUPP (an extension or requirement the creator's leaf does not
 * support), -ENOMEM, or the errors of MLS_IOC_GROUP_CREATE.
 */
int mlsc_group_create(int ctl_fd, const struct mlsc_group_params *p,
		      struct mlsc_keypkg_priv *kp, struct mlsc_group **out);

/* RFC 9420 §12.1 ProposalType values a committer proposes by value. */
#define MLSC_PROPOSE_ADD		1
/* a member's own Update: mlsc_group_propose() only, never by value */
#define MLSC_PROPOSE_UPDATE		2
#define MLSC_PROPOSE_REMOVE		3
#define MLSC_PROPOSE_PSK		4
#define MLSC_PROPOSE_REINIT		5	/* since 0.6 */
#define MLSC_PROPOSE_GCE		7	/* GroupContextExtensions, 0.6 */
/*
 * Since 0.3: a PreSharedKey proposal (type 4 on the wire) of a
 * resumption PSK. Not an RFC value: the client's own, for
 * struct mlsc_proposal_spec only.
 */
#define MLSC_PROPOSE_PSK_RESUMPTION	0x8004

/**
 * struct mlsc_resumption_psk - a resumption PSK a Commit proposes
 *	(since 0.3)
 * @group_fd: a group fd (mlsc_group_fd(), or any group fd of libmls)
 *	whose MLS group_id becomes the psk_group_id; the Commit's own group
 *	or another one
 * @reserved: must be zero
 * @epoch: psk_epoch, an epoch that group still keeps (its current one or
 *	an earlier one)
 *
 * The PSK's value, that epoch's resumption_psk, never leaves the kernel:
 * it is resolved there when the Commit's epoch is prepared. Its usage is
 * application (§8.6): reinit and branch PSKs do not belong in an ordinary
 * Commit. §11.2 says a PreSharedKey proposal of usage reinit "MUST be
 * considered invalid", §12.1.4 allows it "as part of a
 * reinitialization"; the library takes it in the first Commit of the
 * group a ReInit starts, mlsc_reinit_create()'s own (since 0.8), and
 * refuses it in every other Commit, sent or received.
 */
struct mlsc_resumption_psk {
	int32_t group_fd;
	uint32_t reserved;
	uint64_t epoch;
};

/**
 * struct mlsc_gce_spec - a GroupContextExtensions proposal (since 0.6)
 * @extensions: the whole new list of the GroupContext's extensions
 *	(§12.1.7), each type once, as struct mlsc_group_params_ext says
 *	of a new group's: none of a GroupInfo's own, an external_senders
 *	list of keys of the suite's scheme, a required_capabilities that
 *	parses; an empty list removes them all
 * @n_extensions: their number
 *
 * Every member's leaf must support the extensions and meet the
 * required_capabilities the list sets (-EOPNOTSUPP otherwise).
 */
struct mlsc_gce_spec {
	const struct mlsc_ext *extensions;
	size_t n_extensions;
};

/**
 * struct mlsc_reinit_spec - a ReInit proposal (§12.1.5, since 0.6)
 * @group_id: the new group's group_id, 1 to MLS_MAX_GROUP_ID_LEN bytes
 * @version: its protocol version, 1 (mls10)
 * @cipher_suite: its suite, one this library knows
 * @reserved: must be zero
 * @extensions: its GroupContext extensions, each type once (checked as
 *	the new group's creator will check them, not here)
 */
struct mlsc_reinit_spec {
	const void *group_id;
	size_t group_id_len;
	uint16_t version;
	uint16_t cipher_suite;
	uint32_t reserved;
	const struct mlsc_ext *extensions;
	size_t n_extensions;
};

/*
 * One proposal of a Commit, by value.
 *
 *  * MLSC_PROPOSE_ADD: @key_package.
 *  * MLSC_PROPOSE_REMOVE: @leaf.
 *  * MLSC_PROPOSE_PSK, an external PSK: @psk_id and its value @psk.
 *  * MLSC_PROPOSE_PSK_RESUMPTION (since 0.3): @psk points to a
 *    struct mlsc_resumption_psk and @psk_len is its size; @psk_id is
 *    NULL and @psk_id_len 0.
 *  * MLSC_PROPOSE_GCE (since 0.6): @psk points to a struct
 *    mlsc_gce_spec and @psk_len is its size.
 *  * MLSC_PROPOSE_REINIT (since 0.6): @psk points to a struct
 *    mlsc_reinit_spec and @psk_len is its size.
 *  * MLSC_PROPOSE_UPDATE: only for mlsc_group_propose(), every other
 *    field zero or NULL; in a Commit by value it is -EINVAL (§12.2: the
 *    committer's new leaf comes in its UpdatePath).
 */
struct mlsc_proposal_spec {
	uint16_t type;				/* MLSC_PROPOSE_* */
	const struct mlsc_keypkg *key_package;	/* add */
	uint32_t leaf;				/* remove */
	const void *psk_id;			/* psk: an external PSK */
	size_t psk_id_len;
	const void *psk;			/* or a resumption PSK */
	size_t psk_len;
};

#define MLSC_COMMIT_F_PATH		(1U << 0) /* an UpdatePath always */
#define MLSC_COMMIT_F_PRIVATE		(1U << 1) /* a PrivateMessage */
#define MLSC_COMMIT_F_RATCHET_TREE	(1U << 2) /* the tree in the GroupInfo */
/*
 * The args are the head of a struct mlsc_commit_args_ext (0.5). Not in
 * MLSC_COMMIT_F_ALL: that mask is the behaviour flags, valid with a
 * plain struct mlsc_commit_args, and a caller that passes all of them
 * must not make the library read an extension past its struct; this
 * one tells the layout and is set on purpose, as MLSC_GROUP_F_EXT is.
 */
#define MLSC_COMMIT_F_EXT		(1U << 3)
/*
 * Since 0.7, with MLSC_COMMIT_F_EXT: the struct mlsc_commit_args_ext
 * has its @psks and @n_psks, which a 0.5 or 0.6 caller's struct lacks
 * (a layout flag too, not in MLSC_COMMIT_F_ALL).
 */
#define MLSC_COMMIT_F_PSKS		(1U << 4)
#define MLSC_COMMIT_F_ALL		(MLSC_COMMIT_F_PATH | \
					 MLSC_COMMIT_F_PRIVATE | \
					 MLSC_COMMIT_F_RATCHET_TREE)

/* What a Commit is made of. */
struct mlsc_commit_args {
	uint32_t flags;				/* MLSC_COMMIT_F_* */
	const struct mlsc_proposal_spec *proposals;
	size_t n_proposals;
	const struct mls_sig_key *sig_key;	/* the committer's */
	const void *authenticated_data;
	size_t authenticated_data_len;
	/* how added KeyPackages are validated; NULL: basic, now */
	const struct mlsc_validate_opts *validate;
};

/*
 * mlsc_commit_args with what libmlsclient 0.5 added; pass &ext.base with
 * MLSC_COMMIT_F_EXT set in base.flags.
 *
 * @proposal_refs: ProposalRefs (mlsc_processed.proposal_ref) of
 *	proposals this member received in the current epoch, from members
 *	or from outside the group (an external sender, a new member), or
 *	made itself (mlsc_group_propose()), to commit by reference. Adds
 *	and Removes: the Removes applied with those by value, the Adds
 *	likewise, each new member welcomed. A KeyPackage is validated
 *	with base.validate, as by value. Since 0.6 also
 *	GroupContextExtensions and ReInit, checked with the whole list.
 *	Since 0.7 also PreSharedKeys, their values from @psks.
 * @psks: read only with %MLSC_COMMIT_F_PSKS (since 0.7): the values of
 *	the PSKs the PreSharedKey proposals by reference name, as
 *	mlsc_process_opts.psks gives them to the members that process
 *	the Commit (struct mlsc_psk): external ones by id and value,
 *	resumption ones of another group by its group fd. A resumption
 *	PSK of this group itself needs no entry; entries no proposal
 *	names are ignored. The PSKs by value carry their own values.
 * @n_psks: their number
 */
struct mlsc_commit_args_ext {
	struct mlsc_commit_args base;
	const struct mls_bytes *proposal_refs;
	size_t n_proposal_refs;
	const struct mlsc_psk *psks;		/* since 0.7 */
	size_t n_psks;
};

/* What mlsc_commit_create() made; mlsc_commit_out_free(). */
struct mlsc_commit_out {
	struct mls_bytes commit;	/* the MLSMessage to send */
	struct mls_bytes welcome;	/* MLSMessage(Welcome); empty: no Add */
	uint64_t epoch;			/* the epoch the Commit leads to */
};

/**
 * mlsc_commit_create() - make a Commit and prepare its epoch in the kernel
 * @g: the committer
 * @a: the proposals (Removes, Adds, external and resumption PSKs), flags,
 *	signature key
 * @out: the Commit, and the Welcome for the members it adds
 *
 * An empty list commits an update of the committer's own leaf. A
 * Remove, or no proposal at all, always brings an UpdatePath; Adds and
 * PSKs only with MLSC_COMMIT_F_PATH. The epoch waits in the kernel as
 * a pending commit until mlsc_commit_merge() or mlsc_commit_discard().
 * A resumption PSK's value is the kernel's: the members that process
 * the Commit resolve it there too, a PSK of their own group by
 * themselves, one of another group from mlsc_process_opts.psks.
 *
 * Since 0.5, with %MLSC_COMMIT_F_EXT, proposals received in the epoch
 * are committed by reference too (struct mlsc_commit_args_ext). A
 * reference this member did not receive in the epoch is -ENOENT, one
 * to a proposal other than Add, Update (since 0.7), Remove, PreSharedKey
 * (since 0.7), GroupContextExtensions or ReInit (those two since 0.6)
 * -EOPNOTSUPP, the same reference twice -EINVAL; the checks of the
 * proposals by value apply to them, and across both lists. A
 * PreSharedKey by reference needs its value as its receivers do: an
 * external PSK's, or a resumption PSK's of another group, from the psks
 * of %MLSC_COMMIT_F_PSKS, else -ENOKEY; a resumption PSK of this group
 * is resolved in the kernel, as by value. Another member's Update
 * (§12.1.2) is committed by reference with an UpdatePath, applied
 * before the Removes (§12.3); one's own Update is -EINVAL (§12.2: the
 * committer's new leaf comes in its UpdatePath), as are two Updates
 * from one member or an Update and a Remove of one leaf.
 *
 * Before anything is signed, the list (by value and by reference) is
 * checked with the very function its receivers use (§12.2, with the
 * current GroupContext and its required_capabilities), and the new
 * tree, UpdatePath applied, for a key held twice (§7.3): what they
 * would refuse is refused here with their errno, -EPROTO (e.g. an Add
 * whose encryption_key another Add or a parent node already holds) or
 * -EOPNOTSUPP (an Add whose leaf lacks a required capability), so that
 * no Commit is merged by its maker and refused by the group.
 *
 * Since 0.6 the list may hold a GroupContextExtensions (its list the
 * provisional and the new GroupContext's extensions; an UpdatePath
 * always) and a ReInit (alone; once merged the group is over, see
 * mlsc_group_reinit(), and this call is -ESHUTDOWN).
 *
 * Returns 0; -EINVAL (a bad argument or flag, a Remove of oneself or
 * twice the same leaf, an Update by value or one's own by reference,
 * two Updates or an Update and a Remove of one leaf, a GCE or ReInit twice or a bad spec of one (see
 * mlsc_group_propose()), the same KeyPackage twice, a PSK id twice or of
 * a bad length, a resumption PSK twice or with a bad struct
 * mlsc_resumption_psk, more than MLS_MAX_PSKS PSKs by value and by
 * reference, %MLSC_COMMIT_F_PSKS without %MLSC_COMMIT_F_EXT or with a
 * NULL psks), -ENOKEY (a PreSharedKey by reference whose value is not
 * given, since 0.7), -ERANGE (a Remove past
 * the tree), -ENOENT (a Remove of a blank leaf), -EEXIST (an Add whose
 * keys a member already has), -EOPNOTSUPP (another proposal type, a
 * required capability missing), -EPROTO (a list or tree receivers
 * refuse, see above), -EPROTONOSUPPORT (a ReInit's version or suite),
 * -EBUSY (a commit of @g is pending), -ESHUTDOWN (a ReInit ended the
 * group), the errors of
 * mlsc_keypkg_validate() for a KeyPackage, those of MLS_IOC_GROUP_INFO
 * for a resumption PSK's group fd (-EBADF), -ENOMEM, -EIO, and those of
 * MLS_IOC_COMMIT_PREPARE (for a resumption PSK: -EKEYEXPIRED, an epoch
 * its group no longer keeps; -EAGAIN, one it has not reached). On error
 * nothing changed.
 */
int mlsc_commit_create(struct mlsc_group *g, const struct mlsc_commit_args *a,
		       struct mlsc_commit_out *out);

/**
 * mlsc_commit_merge() - the delivery service accepted the Commit: its
 *	epoch becomes current in the kernel and in @g (tree, own keys,
 *	GroupContext, transcript hash)
 *
 * Returns 0; -ENOENT (nothing pending), or the errors of
 * MLS_IOC_COMMIT_MERGE (-ETIMEDOUT: the kernel discarded it; the
 * pending commit is then dropped here too).
 */
int mlsc_commit_merge(struct mlsc_group *g);

/**
 * mlsc_commit_discard() - the Commit was rejected: the pending epoch is
 *	erased in the kernel and here; @g stays as it was. 0, -ENOENT, or
 *	the errors of MLS_IOC_COMMIT_DISCARD.
 */
int mlsc_commit_discard(struct mlsc_group *g);

/** mlsc_commit_out_free() - release what mlsc_commit_create() made */
void mlsc_commit_out_free(struct mlsc_commit_out *out);

/**
 * mlsc_group_ratchet_tree() - the group's ratchet tree, for a joiner
 *	whose Welcome does not carry it (optional<Node> ratchet_tree<V>),
 *	into @out (mls_bytes_free()); 0, -EINVAL, -ENOMEM
 */
int mlsc_group_ratchet_tree(const struct mlsc_group *g, struct mls_bytes *out);

/** mlsc_group_epoch() - @g's current epoch, or -EINVAL for NULL */
int64_t mlsc_group_epoch(const struct mlsc_group *g);

/* ------------------------------------- a member between two programs (0.3) */

/**
 * mlsc_group_save() - a member's state as bytes, to load it back later
 * @g: the member
 * @sig_key: its signature private key, saved with it; NULL: none
 * @out: the bytes (mls_bytes_free(), which wipes them)
 *
 * What the client holds beside the kernel's group, in the documented,
 * versioned format of Documentation/userspace-api/client.rst ("Saving a
 * member"): the kernel id of the group, the GroupContext, the ratchet
 * tree, the own leaf index, the interim transcript hash, the leaf's
 * HPKE private key and the path secrets of its direct path, the
 * signature private key if given, and the same for a pending commit.
 * No epoch secret: those stay in the kernel, under its kernel id.
 * Proposals received by reference in the epoch are not saved. The
 * bytes hold private keys: keep them as a private key file (mode 0600).
 * Returns 0; -EINVAL (a NULL argument, a key of another scheme),
 * -ENOMEM, and the errors of MLS_IOC_GROUP_INFO.
 */
int mlsc_group_save(const struct mlsc_group *g,
		    const struct mls_sig_key *sig_key, struct mls_bytes *out);

/**
 * mlsc_group_load() - a member back from mlsc_group_save()'s bytes
 * @ctl_fd: /dev/mls
 * @data: the bytes, @len of them (not kept)
 * @out: the member, on the kernel group reopened by its kernel id
 *	(MLS_IOC_GROUP_OPEN: its owner and mode rules apply)
 * @sig_key: the saved signature key (NULL if none was saved); NULL: not
 *	wanted
 *
 * The bytes are parsed strictly and checked before the kernel is asked:
 * the tree's hash must be the GroupContext's, the own leaf a member,
 * every private key that of its node's public key. Then the kernel's
 * group must be that group in that epoch. Returns 0; -EBADMSG (bytes
 * that are not a saved member: truncated, trailing bytes, a field of
 * the wrong size, keys that do not match the tree);
 * -EPROTONOSUPPORT (an unknown format version or ciphersuite); -ENOENT
 * (no group under the kernel id, or another group); -ESTALE (the
 * kernel's group is in another epoch: the bytes are older or newer);
 * -EACCES; -EINVAL; -ENOMEM; and the errors of MLS_IOC_GROUP_OPEN.
 */
int mlsc_group_load(int ctl_fd, const void *data, size_t len,
		    struct mlsc_group **out, struct mls_sig_key **sig_key);

/* ------------------------------------- external commits (§12.4.3.2, 0.4) */

#define MLSC_GROUP_INFO_F_RATCHET_TREE	(1U << 0) /* the tree in the GroupInfo */
#define MLSC_GROUP_INFO_F_ALL		MLSC_GROUP_INFO_F_RATCHET_TREE

/**
 * mlsc_group_info_export() - a GroupInfo for external joiners (since 0.4)
 * @g: the member
 * @flags: MLSC_GROUP_INFO_F_*
 * @sig_key: the member's signature key (that of its leaf)
 * @out: the MLSMessage(GroupInfo) (mls_bytes_free())
 *
 * The current epoch's GroupContext, an external_pub extension with the
 * epoch's external public key (MLS_IOC_EXTERNAL_PUB: its private half
 * stays in the kernel), with %MLSC_GROUP_INFO_F_RATCHET_TREE the
 * ratchet_tree extension, the epoch's confirmation_tag from the kernel,
 * signed by @g's leaf. A joiner commits with mlsc_external_join().
 * Returns 0; -EINVAL (a NULL argument, unknown flags, a key that is not
 * the leaf's); -EOPNOTSUPP (a suite whose KEM the kernel lacks: 4, 5,
 * 6); -ESTALE (the kernel's group is in another epoch); -ENOMEM; the
 * errors of MLS_IOC_EXTERNAL_PUB and MLS_IOC_CONFIRMATION_TAG.
 */
int mlsc_group_info_export(const struct mlsc_group *g, uint32_t flags,
			   const struct mls_sig_key *sig_key,
			   struct mls_bytes *out);

#define MLSC_EXTERNAL_F_EPHEMERAL	MLSC_JOIN_F_EPHEMERAL
#define MLSC_EXTERNAL_F_REMOVE		(1U << 1) /* resync: remove @remove_leaf */
/*
 * Since 0.9: the args are the head of a struct mlsc_external_args_ext.
 * A layout flag, set on purpose and not in MLSC_EXTERNAL_F_ALL (as
 * MLSC_COMMIT_F_EXT): a caller that passes all the behaviour flags must
 * not make the library read past its struct. A library before 0.9
 * refuses it with -EINVAL.
 */
#define MLSC_EXTERNAL_F_EXT		(1U << 2)
#define MLSC_EXTERNAL_F_ALL		(MLSC_EXTERNAL_F_EPHEMERAL | \
					 MLSC_EXTERNAL_F_REMOVE)

/* What joining by an external commit takes beyond the GroupInfo. */
struct mlsc_external_args {
	uint32_t flags;			/* MLSC_EXTERNAL_F_* */
	uint16_t mode;			/* the group's mode; 0: 0600 */
	uint16_t reserved;		/* must be zero */
	/* resync (MLSC_EXTERNAL_F_REMOVE): one's old leaf, removed */
	uint32_t remove_leaf;
	/*
	 * The ratchet tree (optional<Node> ratchet_tree<V>) when the
	 * GroupInfo has no ratchet_tree extension; else NULL.
	 */
	const void *ratchet_tree;
	size_t ratchet_tree_len;
	/*
	 * The new leaf's content: the credential, capabilities and leaf
	 * extensions of this KeyPackage's LeafNode (mlsc_keypkg_create()),
	 * whose signature key must be @sig_key's. Its private keys are not
	 * used: the leaf gets a fresh key from the UpdatePath.
	 */
	const struct mlsc_keypkg_priv *leaf;
	const struct mls_sig_key *sig_key;
	const void *authenticated_data;
	size_t authenticated_data_len;
	/* how the tree's leaves are validated; NULL: basic, now */
	const struct mlsc_validate_opts *validate;
};

/*
 * mlsc_external_args with what libmlsclient 0.9 added; pass &ext.base
 * with MLSC_EXTERNAL_F_EXT set in base.flags.
 *
 * @psks: the external PSKs the Commit injects (RFC 9420 §12.4.3.2
 *	allows PreSharedKey proposals in an external commit), each
 *	MLS_PSK_EXTERNAL with its psk_id @id (1 to MLS_MAX_PSK_ID_LEN
 *	bytes) and value @secret (1 to MLS_MAX_PSK_LEN bytes); @group_fd
 *	is not read. Each becomes a PreSharedKey proposal with a fresh
 *	psk_nonce, after the ExternalInit (and a resync's Remove), in this
 *	order, and keys the new epoch (§8.4) in the joiner's kernel as in
 *	the members', who must be given the same entries in
 *	mlsc_process_opts.psks. A resumption PSK (MLS_PSK_RESUMPTION) is
 *	-EOPNOTSUPP: its value is a resumption_psk of a group's epoch,
 *	which a joiner, not yet a member, does not hold.
 * @n_psks: their number, at most MLS_MAX_PSKS; 0: none (as without
 *	the flag)
 */
struct mlsc_external_args_ext {
	struct mlsc_external_args base;
	const struct mlsc_psk *psks;
	size_t n_psks;
};

/**
 * mlsc_external_join() - join a group by an external commit (since 0.4)
 * @ctl_fd: /dev/mls
 * @group_info: an MLSMessage(GroupInfo) with an external_pub extension
 *	(mlsc_group_info_export()), @len bytes
 * @a: the new leaf, signature key, resync, tree, flags
 * @out: the new member, in the Commit's epoch, waiting for the delivery
 *	service: mlsc_commit_merge() when it accepted the Commit,
 *	mlsc_commit_discard() (which destroys the kernel group; then only
 *	mlsc_group_free() is left) when it did not
 * @commit: the Commit to send (mls_bytes_free())
 *
 * Verifies the GroupInfo's signature with its signer's leaf, then the
 * tree (as mlsc_welcome_join() does), encapsulates to external_pub
 * (SetupBaseS) for the ExternalInit proposal's kem_output and the
 * init_secret (the HPKE export "MLS 1.0 external init secret"), places
 * the new leaf at the leftmost blank leaf after the Remove, makes the
 * UpdatePath, and creates the kernel group at the next epoch from the
 * init_secret, the commit_secret and the new GroupContext
 * (MLS_GROUP_F_FROM_INPUTS); the init_secret is erased at once. The
 * confirmation_tag comes from the kernel. The Commit is a PublicMessage
 * from sender new_member_commit, signed with @a->sig_key, without a
 * membership_tag. Until merged, the member neither commits nor
 * processes (-EBUSY). A Commit the group's members would refuse is not
 * made: before anything is signed or keyed, the new leaf, the proposals
 * (one ExternalInit, at most one Remove, by value) and a resync's new
 * credential are checked as a member checks them (§12.4.3.2, §12.2),
 * under @a->validate, whose same_member_cb should be the group's.
 *
 * Since 0.9, with %MLSC_EXTERNAL_F_EXT, @a heads a struct
 * mlsc_external_args_ext whose external PSKs the Commit proposes and
 * the new epoch is keyed with: the kernel group is created from the
 * PSKs' list (struct mls_group_new psks), whose psk_secret never
 * reaches userspace. A member without one of them refuses the Commit
 * (mlsc_group_process(): -ENOENT) and stays in its epoch.
 *
 * Returns 0; -EINVAL (a bad argument or flag, @a->leaf of another
 * suite or signature key, a Remove of a blank leaf or past the tree;
 * with %MLSC_EXTERNAL_F_EXT: a PSK of no known type, an id or value
 * empty, NULL or too long, the same psk_id twice, more than
 * MLS_MAX_PSKS PSKs, @psks NULL with @n_psks);
 * -EBADMSG (malformed bytes, not a GroupInfo, a bad external_pub);
 * -ENOKEY (no external_pub extension); -ENODATA (no tree);
 * -EKEYREJECTED (the signature does not verify); -EPROTO (the tree is
 * not valid, the signer's leaf blank); -EPERM (a resync whose new
 * credential does not stand for the removed leaf's: another identity,
 * or not a basic credential without a same_member_cb); -EEXIST (the
 * new leaf's signature key is another leaf's); -EOPNOTSUPP (a suite
 * whose KEM the kernel lacks: 4, 5, 6; the new leaf lacks a capability
 * the group requires; since 0.9 a resumption PSK in the PSKs of
 * %MLSC_EXTERNAL_F_EXT, which a joiner does not hold); the error of @a->validate's credential_cb (for
 * a leaf and, since 0.6, an external sender of the external_senders
 * extension) or same_member_cb; -ENOMEM; -EIO; and the errors of MLS_IOC_GROUP_CREATE
 * and MLS_IOC_CONFIRMATION_TAG. On failure no kernel group is left.
 */
int mlsc_external_join(int ctl_fd, const void *group_info, size_t len,
		       const struct mlsc_external_args *a,
		       struct mlsc_group **out, struct mls_bytes *commit);

/* ------------------------ proposals from outside the group (§12.1.8, 0.5) */

/*
 * A proposal of an external sender (sender type external): the group
 * and epoch it is for, as their GroupContext says, and who sends it.
 */
struct mlsc_external_proposal_args {
	const void *group_id;		/* 1 to MLS_MAX_GROUP_ID_LEN bytes */
	size_t group_id_len;
	uint64_t epoch;
	uint16_t cipher_suite;
	uint16_t reserved;		/* must be zero */
	/* the sender's index in the group's external_senders extension */
	uint32_t sender_index;
	/* its signature key, that of the extension's entry */
	const struct mls_sig_key *sig_key;
	/* MLSC_PROPOSE_ADD (@key_package) or MLSC_PROPOSE_REMOVE (@leaf) */
	const struct mlsc_proposal_spec *proposal;
	const void *authenticated_data;
	size_t authenticated_data_len;
};

/**
 * mlsc_external_proposal() - a proposal from an external sender
 *	(since 0.5)
 * @a: the group, epoch, sender, key and proposal
 * @out: the MLSMessage (PublicMessage) to send to the group
 *	(mls_bytes_free())
 *
 * RFC 9420 §12.1.8.1: a PublicMessage of sender type external and
 * index @a->sender_index, signed with @a->sig_key over its
 * FramedContentTBS (which for this sender holds no GroupContext), with
 * no membership_tag. The members verify it with the key of that entry
 * of their external_senders extension, keep it by its ProposalRef
 * (mlsc_group_process()), and one commits it by reference
 * (struct mlsc_commit_args_ext). The KeyPackage of an Add is not
 * validated here: the members do. Returns 0; -EINVAL (a bad argument,
 * a key of another scheme, a KeyPackage of another suite);
 * -EPROTONOSUPPORT (unknown suite); -EOPNOTSUPP (a proposal type other
 * than Add and Remove); -ENOMEM; -EIO.
 */
int mlsc_external_proposal(const struct mlsc_external_proposal_args *a,
			   struct mls_bytes *out);

/* A joiner's proposal to add itself (sender type new_member_proposal). */
struct mlsc_new_member_args {
	/* an MLSMessage(GroupInfo) of the group, naming group and epoch */
	const void *group_info;
	size_t group_info_len;
	/* the joiner's KeyPackage, proposed by value */
	const struct mlsc_keypkg *key_package;
	/* the signature key of its LeafNode */
	const struct mls_sig_key *sig_key;
	const void *authenticated_data;
	size_t authenticated_data_len;
};

/**
 * mlsc_new_member_proposal() - a joiner proposes its own Add
 *	(since 0.5)
 * @a: the GroupInfo, KeyPackage and its leaf's signature key
 * @out: the MLSMessage (PublicMessage) to send to the group
 *	(mls_bytes_free())
 *
 * RFC 9420 §12.1.8: an Add of @a->key_package for the group and epoch
 * of the GroupInfo's GroupContext, of sender type new_member_proposal,
 * signed with the KeyPackage's leaf key over FramedContentTBS (without
 * GroupContext), no membership_tag. The GroupInfo's signature is not
 * verified here (that needs the tree, and a proposal for a wrong group
 * or epoch is refused by the members). A member commits the proposal
 * by reference; the joiner then joins with the Welcome, its
 * KeyPackage's private keys, as after any Add. Returns 0; -EINVAL (a
 * NULL argument, @a->sig_key not the leaf's key, a KeyPackage of
 * another suite than the group's); -EBADMSG (not a GroupInfo);
 * -ENOMEM; -EIO.
 */
int mlsc_new_member_proposal(const struct mlsc_new_member_args *a,
			     struct mls_bytes *out);

/* ------------------------------ a member's own proposals (0.6, 0.7) */

#define MLSC_PROPOSE_F_PRIVATE	(1U << 0)	/* a PrivateMessage */
/* the args are the head of a struct mlsc_propose_args_ext (0.7) */
#define MLSC_PROPOSE_F_EXT	(1U << 1)
#define MLSC_PROPOSE_F_ALL	(MLSC_PROPOSE_F_PRIVATE | MLSC_PROPOSE_F_EXT)

/* What a member proposes. */
struct mlsc_propose_args {
	uint32_t flags;				/* MLSC_PROPOSE_F_* */
	uint32_t reserved;			/* must be zero */
	/*
	 * MLSC_PROPOSE_GCE or MLSC_PROPOSE_REINIT; since 0.7 also
	 * MLSC_PROPOSE_ADD, MLSC_PROPOSE_REMOVE, MLSC_PROPOSE_PSK,
	 * MLSC_PROPOSE_PSK_RESUMPTION and MLSC_PROPOSE_UPDATE
	 */
	const struct mlsc_proposal_spec *proposal;
	const struct mls_sig_key *sig_key;	/* the member's */
	const void *authenticated_data;
	size_t authenticated_data_len;
};

/*
 * mlsc_propose_args with what libmlsclient 0.7 added; pass &ext.base
 * with MLSC_PROPOSE_F_EXT set in base.flags.
 *
 * @validate: how an Add's KeyPackage is validated (its credential
 *	through the callback, lifetimes), as mlsc_commit_args.validate
 *	does for a Commit; NULL: basic credentials only, lifetimes
 *	against now.
 */
struct mlsc_propose_args_ext {
	struct mlsc_propose_args base;
	const struct mlsc_validate_opts *validate;
};

/* What mlsc_group_propose() made; mlsc_proposal_out_free(). */
struct mlsc_proposal_out {
	struct mls_bytes message;	/* the MLSMessage to send */
	struct mls_bytes ref;		/* its ProposalRef (§5.2) */
};

/**
 * mlsc_group_propose() - a member's Proposal message (since 0.6)
 * @g: the member
 * @a: the proposal, flags, signature key
 * @out: the message and its ProposalRef
 *
 * RFC 9420 §12.1: a PublicMessage (membership tag from the kernel) or,
 * with %MLSC_PROPOSE_F_PRIVATE, a PrivateMessage (encrypted by the
 * kernel), of sender type member, in the current epoch. The proposal
 * is checked as the Commit that carries it will be (§12.2) and kept in
 * @g's cache of the epoch under @out->ref, so that this member, like
 * the others that process it, can commit it by reference
 * (struct mlsc_commit_args_ext); given back to mlsc_group_process() it
 * is -EALREADY (a member loaded from a saved state takes it back: see
 * mlsc_group_process()).
 *
 * Since 0.7 also an Add, a Remove, an external PSK and a resumption PSK,
 * each checked by the code that checks it in a Commit by value
 * (mlsc_commit_create(); an Add's KeyPackage under the validate options
 * of a struct mlsc_propose_args_ext with %MLSC_PROPOSE_F_EXT, else with
 * basic credentials and the lifetime against now). A PSK proposal carries a PreSharedKeyID
 * with a fresh nonce; an external PSK's value is checked but neither
 * sent nor kept: its committer gives it (%MLSC_COMMIT_F_PSKS), as the
 * receivers of the Commit do.
 *
 * Since 0.7 %MLSC_PROPOSE_UPDATE (§12.1.2) proposes a new LeafNode for @g's own
 * leaf: source update, a fresh HPKE encryption key, the same signature
 * key, credential, capabilities and extensions, signed with @a->sig_key
 * over its LeafNodeTBS with the group_id and the leaf index (§7.2).
 * Only another member may commit it (§12.2; this member's own Commit
 * naming it is -EINVAL). The new private key is kept with the proposal
 * in @g's cache of the epoch and installed as the leaf's key when
 * mlsc_group_process() applies a Commit of it; it is wiped when the
 * epoch ends (a Commit processed or merged), and by mlsc_group_free().
 * mlsc_group_save() does not save the epoch's proposals, nor so this
 * key: a Commit of the Update processed by a group mlsc_group_load()
 * restored is -ENOENT (the reference unknown), and the member then
 * needs to rejoin (an external commit), as for any commit it cannot
 * follow.
 *
 * Returns 0; -EINVAL (a bad argument, flag or spec, an extension type
 * twice or one only a GroupInfo carries, an Add without KeyPackage, a
 * Remove of oneself, a PSK id or value empty or too long, a bad struct
 * mlsc_resumption_psk); -ERANGE (a Remove past the tree); -ENOENT (a
 * Remove of a blank leaf); -EEXIST (an Add whose keys a member already
 * has); -EOPNOTSUPP (another proposal type, an extension or
 * requirement a member's leaf does not support); -EPROTONOSUPPORT (a
 * ReInit to an unknown suite or version); -EBADMSG (an Update's
 * @a->sig_key is not the leaf's signature key); -EKEYREJECTED,
 * -EOPNOTSUPP (an Update's new leaf as §7.3 judges it: its credential,
 * the group's required capabilities); -EBUSY (a commit of @g is
 * pending); -ESHUTDOWN (@g was reinitialized, see mlsc_group_reinit());
 * -ENOSPC (the epoch's cache is full); -ENOMEM; -EIO; the errors of
 * mlsc_keypkg_validate() for an Add's KeyPackage, those of
 * MLS_IOC_GROUP_INFO for a resumption PSK's group fd (-EBADF), and
 * those of MLS_IOC_MEMBERSHIP_TAG or MLS_IOC_ENCRYPT.
 */
int mlsc_group_propose(struct mlsc_group *g, const struct mlsc_propose_args *a,
		       struct mlsc_proposal_out *out);

/** mlsc_proposal_out_free() - release what mlsc_group_propose() made */
void mlsc_proposal_out_free(struct mlsc_proposal_out *out);

/**
 * struct mlsc_reinit_params - what a committed ReInit says (§12.1.5)
 * @group_id: the new group's group_id
 * @version: its protocol version
 * @cipher_suite: its suite
 * @reserved: zero
 * @extensions: its GroupContext extensions, encoded as the RFC's
 *	Extension extensions<V> (with the length prefix)
 */
struct mlsc_reinit_params {
	struct mls_bytes group_id;
	uint16_t version;
	uint16_t cipher_suite;
	uint32_t reserved;
	struct mls_bytes extensions;
};

/**
 * mlsc_group_reinit() - the ReInit that ended @g's group (since 0.6)
 * @g: the member
 * @out: its parameters (mlsc_reinit_params_free())
 *
 * Once a Commit with a ReInit proposal is merged (mlsc_commit_merge()
 * by its committer, mlsc_group_process() by the others), the group is
 * over (§11.2): mlsc_commit_create() and mlsc_group_propose() return
 * -ESHUTDOWN, and one member starts the new group with these
 * parameters (since 0.8, mlsc_reinit_create()), the others join it
 * (mlsc_reinit_welcome_open()). The new epoch itself stays keyed in
 * the kernel, for the exporter and the resumption PSK of the new
 * group's first epoch.
 * Returns 0; -ENOENT (no ReInit was committed); -EINVAL; -ENOMEM.
 */
int mlsc_group_reinit(const struct mlsc_group *g,
		      struct mlsc_reinit_params *out);

/** mlsc_reinit_params_free() - release @p's bytes (NULL is ignored) */
void mlsc_reinit_params_free(struct mlsc_reinit_params *p);

/* ------------------------------------ the group a ReInit starts (0.8) */

/**
 * struct mlsc_reinit_args - what starting the group of a ReInit takes
 *	(since 0.8)
 * @group_flags: the new group's %MLSC_JOIN_F_*
 * @commit_flags: its first Commit's: %MLSC_COMMIT_F_PATH,
 *	%MLSC_COMMIT_F_PRIVATE, %MLSC_COMMIT_F_RATCHET_TREE
 * @mode: the new group's mode; 0: 0600
 * @reserved: must be zero
 * @own: the starter's KeyPackage in the ReInit's suite
 *	(mlsc_keypkg_create()): its leaf becomes leaf 0, as for
 *	mlsc_group_create(); its private keys are erased on success
 * @key_packages: the other members' KeyPackages in the ReInit's suite,
 *	@n_key_packages of them, each added by the first Commit
 * @sig_key: the signature key of @own's leaf (of the new suite's scheme)
 * @authenticated_data: the first Commit's, @authenticated_data_len bytes
 * @validate: how the KeyPackages are validated; NULL: basic, now
 */
struct mlsc_reinit_args {
	uint32_t group_flags;
	uint32_t commit_flags;
	uint16_t mode;
	uint16_t reserved;
	struct mlsc_keypkg_priv *own;
	const struct mlsc_keypkg *const *key_packages;
	size_t n_key_packages;
	const struct mls_sig_key *sig_key;
	const void *authenticated_data;
	size_t authenticated_data_len;
	const struct mlsc_validate_opts *validate;
};

/**
 * mlsc_reinit_create() - start the group of the ReInit that ended @old
 *	(since 0.8)
 * @ctl_fd: /dev/mls
 * @old: a member of the group a merged ReInit ended (mlsc_group_reinit())
 * @a: the starter's KeyPackage and key, the others' KeyPackages, flags
 * @out: the new group's member, its first Commit pending
 * @commit: that Commit, and the Welcome of the members it adds
 *
 * RFC 9420 §11.2: a new group with exactly the ReInit's group_id,
 * version, cipher_suite and GroupContext extensions
 * (mlsc_group_create()), and its first Commit (mlsc_commit_create()):
 * an Add of each of @a->key_packages and a PreSharedKey proposal of a
 * resumption PSK of usage reinit, whose psk_group_id is @old's
 * group_id and psk_epoch @old's last epoch (the one its ReInit Commit
 * started). The kernel resolves the PSK from @old's group, whatever
 * its suite; the Welcome's GroupSecrets name it, so that the joiners
 * resolve it from their own member of @old
 * (mlsc_reinit_welcome_open()). The Commit waits as any other:
 * mlsc_commit_merge() once the delivery service accepted it,
 * mlsc_commit_discard() (the new group then stays in its epoch 0)
 * otherwise; the start cannot be retried on that new group:
 * mlsc_group_free() it and start again with a new KeyPackage. The
 * starter chooses the members: whether they are those of @old is the
 * application's check (§12.4.3.1), and a second start on the same @old
 * makes a second group with the same group_id.
 *
 * Returns 0; -EINVAL (a bad argument, flag or nonzero reserved field,
 * @a->own not of the ReInit's suite); -ENOENT (no ReInit ended @old's
 * group); -EPROTONOSUPPORT (the ReInit's version); the errors of
 * mlsc_group_create() (an extension of the ReInit the starter's leaf
 * does not support: -EOPNOTSUPP) and of mlsc_commit_create() (a
 * KeyPackage: its errors, -EINVAL for one twice); those of
 * MLS_IOC_COMMIT_PREPARE for the PSK (-EKEYEXPIRED: @old's group no
 * longer keeps its last epoch). On error no new group is left, in the
 * kernel or here, and @a->own keeps its private keys.
 */
int mlsc_reinit_create(int ctl_fd, const struct mlsc_group *old,
		       const struct mlsc_reinit_args *a,
		       struct mlsc_group **out, struct mlsc_commit_out *commit);

/**
 * mlsc_reinit_welcome_open() - mlsc_welcome_open() for the Welcome of
 *	the group a ReInit started (since 0.8)
 * @ctl_fd: /dev/mls
 * @old: this member's own member of the group the ReInit ended
 * @msg: the MLSMessage(Welcome), @len bytes
 * @k: the KeyPackage (in the ReInit's suite), its init private key, and
 *	other PSKs the GroupSecrets may name
 * @out: the opened Welcome, for mlsc_welcome_join()
 *
 * The GroupSecrets must name exactly one resumption PSK of usage
 * reinit or branch (§12.4.3.1), and it must be of usage reinit, @old's
 * group_id at @old's last epoch, which the kernel
 * resolves from @old's group; and the GroupInfo must be of the new
 * group §11.2 and §12.4.3.1 describe: epoch 1, and the group_id,
 * version, cipher_suite and extensions of @old's ReInit. A Welcome
 * with a reinit PSK is refused by mlsc_welcome_open() (-EPROTO): only
 * this call opens one, against the group it names.
 *
 * Returns 0; -ENOENT (no ReInit ended @old's group); -EPROTO (no reinit
 * PSK of @old's last epoch, another or a second one, or a branch PSK
 * beside it; a GroupInfo whose
 * group_id, version, suite, extensions or epoch are not the ReInit's
 * new group's); and the errors of mlsc_welcome_open(). On error
 * nothing is kept: no staged join is left in the kernel.
 */
int mlsc_reinit_welcome_open(int ctl_fd, const struct mlsc_group *old,
			     const void *msg, size_t len,
			     const struct mlsc_welcome_keys *k,
			     struct mlsc_joiner **out);

#ifdef __cplusplus
}
#endif

#endif /* MLS_CLIENT_H */
