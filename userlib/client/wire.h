/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The structures of RFC 9420 as the codec (codec.h) reads and writes
 * them. Each mlsc_io_<struct>() both parses and serializes; parsed
 * opaque fields point into the input, arrays live in the reader's arena.
 * The bodies of a select are the members of an anonymous union: only the
 * one its tag names is meaningful. A select tag that the RFC does not
 * define makes the input -EBADMSG,
 * as its body cannot be delimited; extension types and the values of
 * uint16 lists (versions, suites, types) are carried as they are.
 */
#ifndef MLSC_WIRE_H
#define MLSC_WIRE_H

#include "codec.h"

/* §6 */
enum {
	MLSC_VERSION_MLS10		= 1,
};

enum mlsc_wire_format {
	MLSC_WIRE_PUBLIC_MESSAGE	= 1,
	MLSC_WIRE_PRIVATE_MESSAGE	= 2,
	MLSC_WIRE_WELCOME		= 3,
	MLSC_WIRE_GROUP_INFO		= 4,
	MLSC_WIRE_KEY_PACKAGE		= 5,
};

enum mlsc_content_type {
	MLSC_CONTENT_APPLICATION	= 1,
	MLSC_CONTENT_PROPOSAL		= 2,
	MLSC_CONTENT_COMMIT		= 3,
};

enum mlsc_sender_type {
	MLSC_SENDER_MEMBER		= 1,
	MLSC_SENDER_EXTERNAL		= 2,
	MLSC_SENDER_NEW_MEMBER_PROPOSAL	= 3,
	MLSC_SENDER_NEW_MEMBER_COMMIT	= 4,
};

/* §5.3 */
enum mlsc_credential_type {
	MLSC_CREDENTIAL_BASIC		= 1,
	MLSC_CREDENTIAL_X509		= 2,
};

/* §7.2 */
enum mlsc_leaf_node_source {
	MLSC_LEAF_SOURCE_KEY_PACKAGE	= 1,
	MLSC_LEAF_SOURCE_UPDATE		= 2,
	MLSC_LEAF_SOURCE_COMMIT		= 3,
};

/* §7.8 */
enum mlsc_node_type {
	MLSC_NODE_LEAF			= 1,
	MLSC_NODE_PARENT		= 2,
};

/* §8.4 */
enum mlsc_psk_type {
	MLSC_PSK_EXTERNAL		= 1,
	MLSC_PSK_RESUMPTION		= 2,
};

/* §12.1 */
enum mlsc_proposal_type {
	MLSC_PROPOSAL_ADD		= 1,
	MLSC_PROPOSAL_UPDATE		= 2,
	MLSC_PROPOSAL_REMOVE		= 3,
	MLSC_PROPOSAL_PSK		= 4,
	MLSC_PROPOSAL_REINIT		= 5,
	MLSC_PROPOSAL_EXTERNAL_INIT	= 6,
	MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS = 7,
};

/* §12.4 */
enum mlsc_proposal_or_ref_type {
	MLSC_POR_PROPOSAL		= 1,
	MLSC_POR_REFERENCE		= 2,
};

/* §13.5 */
enum mlsc_extension_type {
	MLSC_EXT_APPLICATION_ID		= 1,
	MLSC_EXT_RATCHET_TREE		= 2,
	MLSC_EXT_REQUIRED_CAPABILITIES	= 3,
	MLSC_EXT_EXTERNAL_PUB		= 4,
	MLSC_EXT_EXTERNAL_SENDERS	= 5,
};

struct mlsc_extension {
	uint16_t type;
	struct mlsc_slice data;
};

struct mlsc_extensions {
	struct mlsc_extension *v;
	size_t n;
};

/* §5.3: Credential; x509 holds certificates<V> of opaque cert_data<V>. */
struct mlsc_credential {
	uint16_t type;
	union {
		struct mlsc_slice identity;	/* basic */
		struct {			/* x509 */
			struct mlsc_slice *certs;
			size_t n_certs;
		};
	};
};

/* §7.2 */
struct mlsc_capabilities {
	uint16_t *versions;
	size_t n_versions;
	uint16_t *cipher_suites;
	size_t n_cipher_suites;
	uint16_t *extensions;
	size_t n_extensions;
	uint16_t *proposals;
	size_t n_proposals;
	uint16_t *credentials;
	size_t n_credentials;
};

struct mlsc_lifetime {
	uint64_t not_before;
	uint64_t not_after;
};

struct mlsc_leaf_node {
	struct mlsc_slice encryption_key;
	struct mlsc_slice signature_key;
	struct mlsc_credential credential;
	struct mlsc_capabilities capabilities;
	uint8_t source;
	union {
		struct mlsc_lifetime lifetime;	/* key_package */
		struct mlsc_slice parent_hash;	/* commit */
	};
	struct mlsc_extensions extensions;
	struct mlsc_slice signature;
};

/* §7.1 */
struct mlsc_parent_node {
	struct mlsc_slice encryption_key;
	struct mlsc_slice parent_hash;
	uint32_t *unmerged_leaves;
	size_t n_unmerged;
};

/* §10 */
struct mlsc_key_package {
	uint16_t version;
	uint16_t cipher_suite;
	struct mlsc_slice init_key;
	struct mlsc_leaf_node leaf_node;
	struct mlsc_extensions extensions;
	struct mlsc_slice signature;
};

/* §12.4.3.3: optional<Node> ratchet_tree<V>; type 0: a blank node. */
struct mlsc_node {
	uint8_t type;
	union {
		struct mlsc_leaf_node leaf;
		struct mlsc_parent_node parent;
	};
};

struct mlsc_ratchet_tree {
	struct mlsc_node *nodes;
	size_t n;
};

/* §8.1 */
struct mlsc_group_context {
	uint16_t version;
	uint16_t cipher_suite;
	struct mlsc_slice group_id;
	uint64_t epoch;
	struct mlsc_slice tree_hash;
	struct mlsc_slice confirmed_transcript_hash;
	struct mlsc_extensions extensions;
};

/* §8.4 */
struct mlsc_psk_id {
	uint8_t type;
	union {
		struct mlsc_slice psk_id;	/* external */
		struct {			/* resumption */
			uint8_t usage;
			struct mlsc_slice psk_group_id;
			uint64_t psk_epoch;
		};
	};
	struct mlsc_slice psk_nonce;
};

/* §12.1 */
struct mlsc_reinit {
	struct mlsc_slice group_id;
	uint16_t version;
	uint16_t cipher_suite;
	struct mlsc_extensions extensions;
};

struct mlsc_proposal {
	uint16_t type;
	union {
		struct mlsc_key_package add;
		struct mlsc_leaf_node update;
		uint32_t remove;
		struct mlsc_psk_id psk;
		struct mlsc_reinit reinit;
		struct mlsc_slice external_init;	/* kem_output */
		struct mlsc_extensions gce;
	};
};

/* §7.6 */
struct mlsc_hpke_ciphertext {
	struct mlsc_slice kem_output;
	struct mlsc_slice ciphertext;
};

struct mlsc_update_path_node {
	struct mlsc_slice encryption_key;
	struct mlsc_hpke_ciphertext *secrets;
	size_t n_secrets;
};

struct mlsc_update_path {
	struct mlsc_leaf_node leaf_node;
	struct mlsc_update_path_node *nodes;
	size_t n_nodes;
};

/* §12.4 */
struct mlsc_proposal_or_ref {
	uint8_t type;
	union {
		struct mlsc_proposal proposal;
		struct mlsc_slice reference;
	};
};

struct mlsc_commit {
	struct mlsc_proposal_or_ref *proposals;
	size_t n_proposals;
	bool has_path;
	struct mlsc_update_path path;
};

/* §6 */
struct mlsc_sender {
	uint8_t type;
	uint32_t index;			/* member: leaf, external: sender */
};

struct mlsc_framed_content {
	struct mlsc_slice group_id;
	uint64_t epoch;
	struct mlsc_sender sender;
	struct mlsc_slice authenticated_data;
	uint8_t content_type;
	union {
		struct mlsc_slice application_data;
		struct mlsc_proposal proposal;
		struct mlsc_commit commit;
	};
};

struct mlsc_auth_data {
	struct mlsc_slice signature;
	struct mlsc_slice confirmation_tag;	/* commit */
};

struct mlsc_public_message {
	struct mlsc_framed_content content;
	struct mlsc_auth_data auth;
	struct mlsc_slice membership_tag;	/* member sender */
};

struct mlsc_private_message {
	struct mlsc_slice group_id;
	uint64_t epoch;
	uint8_t content_type;
	struct mlsc_slice authenticated_data;
	struct mlsc_slice encrypted_sender_data;
	struct mlsc_slice ciphertext;
};

/* §12.4.3 */
struct mlsc_encrypted_group_secrets {
	struct mlsc_slice new_member;		/* KeyPackageRef */
	struct mlsc_hpke_ciphertext secrets;
};

struct mlsc_welcome {
	uint16_t cipher_suite;
	struct mlsc_encrypted_group_secrets *secrets;
	size_t n_secrets;
	struct mlsc_slice encrypted_group_info;
};

struct mlsc_group_secrets {
	struct mlsc_slice joiner_secret;
	bool has_path_secret;
	struct mlsc_slice path_secret;
	struct mlsc_psk_id *psks;
	size_t n_psks;
};

/* §12.4.3 */
struct mlsc_group_info {
	struct mlsc_group_context group_context;
	struct mlsc_extensions extensions;
	struct mlsc_slice confirmation_tag;
	uint32_t signer;
	struct mlsc_slice signature;
};

/* §6: MLSMessage */
struct mlsc_mls_message {
	uint16_t version;
	uint16_t wire_format;
	union {
		struct mlsc_public_message pub;
		struct mlsc_private_message priv;
		struct mlsc_welcome welcome;
		struct mlsc_group_info group_info;
		struct mlsc_key_package key_package;
	};
};

void mlsc_io_extensions(struct mlsc_io *io, struct mlsc_extensions *e);
void mlsc_io_credential(struct mlsc_io *io, struct mlsc_credential *c);
void mlsc_io_capabilities(struct mlsc_io *io, struct mlsc_capabilities *c);
void mlsc_io_leaf_node(struct mlsc_io *io, struct mlsc_leaf_node *l);
void mlsc_io_parent_node(struct mlsc_io *io, struct mlsc_parent_node *p);
void mlsc_io_key_package(struct mlsc_io *io, struct mlsc_key_package *kp);
void mlsc_io_ratchet_tree(struct mlsc_io *io, struct mlsc_ratchet_tree *t);
void mlsc_io_group_context(struct mlsc_io *io, struct mlsc_group_context *gc);
void mlsc_io_psk_id(struct mlsc_io *io, struct mlsc_psk_id *psk);
void mlsc_io_reinit(struct mlsc_io *io, struct mlsc_reinit *r);
void mlsc_io_proposal(struct mlsc_io *io, struct mlsc_proposal *p);
void mlsc_io_hpke_ciphertext(struct mlsc_io *io,
			     struct mlsc_hpke_ciphertext *c);
void mlsc_io_update_path(struct mlsc_io *io, struct mlsc_update_path *u);
void mlsc_io_commit(struct mlsc_io *io, struct mlsc_commit *c);
void mlsc_io_framed_content(struct mlsc_io *io,
			    struct mlsc_framed_content *fc);
/* FramedContentAuthData: its shape depends on @content_type. */
void mlsc_io_auth_data(struct mlsc_io *io, struct mlsc_auth_data *a,
		       uint8_t content_type);
void mlsc_io_public_message(struct mlsc_io *io,
			    struct mlsc_public_message *m);
void mlsc_io_private_message(struct mlsc_io *io,
			     struct mlsc_private_message *m);
void mlsc_io_welcome(struct mlsc_io *io, struct mlsc_welcome *w);
void mlsc_io_group_secrets(struct mlsc_io *io, struct mlsc_group_secrets *s);
void mlsc_io_group_info(struct mlsc_io *io, struct mlsc_group_info *gi);
void mlsc_io_mls_message(struct mlsc_io *io, struct mlsc_mls_message *m);

/*
 * Parse all of @p (@len bytes) as one structure with @fn into @obj (of
 * @size bytes, zeroed first): 0, or -EBADMSG / -ENOMEM. The result
 * points into @p and into @arena.
 */
int mlsc_decode(const uint8_t *p, size_t len, struct mlsc_arena *arena,
		void *obj, size_t size, mlsc_io_fn fn);
/*
 * Serialize @obj with @fn into a fresh buffer @out (the caller frees it
 * with mlsc_wbuf_free()): 0, -ENOMEM or -EMSGSIZE.
 */
int mlsc_encode(const void *obj, mlsc_io_fn fn, struct mlsc_wbuf *out);

#define MLSC_DECODE(p, len, arena, obj, fn)				\
	mlsc_decode((p), (len), (arena), (obj), sizeof(*(obj)),		\
		    (mlsc_io_fn)(fn))
#define MLSC_ENCODE(obj, fn, out)					\
	mlsc_encode((obj), (mlsc_io_fn)(fn), (out))

#endif /* MLSC_WIRE_H */
