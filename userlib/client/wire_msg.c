// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * RFC 9420 messages: PreSharedKeyID (§8.4), Proposal (§12.1), UpdatePath
 * (§7.6), Commit (§12.4), FramedContent and PublicMessage (§6.2),
 * PrivateMessage (§6.3), Welcome, GroupSecrets and GroupInfo (§12.4.3),
 * MLSMessage (§6).
 */
#include <string.h>

#include "internal.h"
#include "wire.h"

void mlsc_io_psk_id(struct mlsc_io *io, struct mlsc_psk_id *psk)
{
	mlsc_io_u8(io, &psk->type);
	switch (psk->type) {
	case MLSC_PSK_EXTERNAL:
		mlsc_io_opaque(io, &psk->psk_id);
		break;
	case MLSC_PSK_RESUMPTION:
		mlsc_io_u8(io, &psk->usage);
		mlsc_io_opaque(io, &psk->psk_group_id);
		mlsc_io_u64(io, &psk->psk_epoch);
		break;
	default:
		mlsc_io_bad_tag(io);
	}
	mlsc_io_opaque(io, &psk->psk_nonce);
}

void mlsc_io_reinit(struct mlsc_io *io, struct mlsc_reinit *r)
{
	mlsc_io_opaque(io, &r->group_id);
	mlsc_io_u16(io, &r->version);
	mlsc_io_u16(io, &r->cipher_suite);
	mlsc_io_extensions(io, &r->extensions);
}

void mlsc_io_proposal(struct mlsc_io *io, struct mlsc_proposal *p)
{
	mlsc_io_u16(io, &p->type);
	switch (p->type) {
	case MLSC_PROPOSAL_ADD:
		mlsc_io_key_package(io, &p->add);
		break;
	case MLSC_PROPOSAL_UPDATE:
		mlsc_io_leaf_node(io, &p->update);
		break;
	case MLSC_PROPOSAL_REMOVE:
		mlsc_io_u32(io, &p->remove);
		break;
	case MLSC_PROPOSAL_PSK:
		mlsc_io_psk_id(io, &p->psk);
		break;
	case MLSC_PROPOSAL_REINIT:
		mlsc_io_reinit(io, &p->reinit);
		break;
	case MLSC_PROPOSAL_EXTERNAL_INIT:
		mlsc_io_opaque(io, &p->external_init);
		break;
	case MLSC_PROPOSAL_GROUP_CONTEXT_EXTENSIONS:
		mlsc_io_extensions(io, &p->gce);
		break;
	default:
		mlsc_io_bad_tag(io);
	}
}

void mlsc_io_hpke_ciphertext(struct mlsc_io *io,
			     struct mlsc_hpke_ciphertext *c)
{
	mlsc_io_opaque(io, &c->kem_output);
	mlsc_io_opaque(io, &c->ciphertext);
}

static void io_update_path_node(struct mlsc_io *io,
				struct mlsc_update_path_node *n)
{
	mlsc_io_opaque(io, &n->encryption_key);
	mlsc_io_array(io, &n->secrets, &n->n_secrets, mlsc_io_hpke_ciphertext);
}

void mlsc_io_update_path(struct mlsc_io *io, struct mlsc_update_path *u)
{
	mlsc_io_leaf_node(io, &u->leaf_node);
	mlsc_io_array(io, &u->nodes, &u->n_nodes, io_update_path_node);
}

static void io_proposal_or_ref(struct mlsc_io *io,
			       struct mlsc_proposal_or_ref *por)
{
	mlsc_io_u8(io, &por->type);
	switch (por->type) {
	case MLSC_POR_PROPOSAL:
		mlsc_io_proposal(io, &por->proposal);
		break;
	case MLSC_POR_REFERENCE:
		mlsc_io_opaque(io, &por->reference);
		break;
	default:
		mlsc_io_bad_tag(io);
	}
}

void mlsc_io_commit(struct mlsc_io *io, struct mlsc_commit *c)
{
	mlsc_io_array(io, &c->proposals, &c->n_proposals, io_proposal_or_ref);
	if (mlsc_io_optional(io, &c->has_path))
		mlsc_io_update_path(io, &c->path);
}

static void io_sender(struct mlsc_io *io, struct mlsc_sender *s)
{
	mlsc_io_u8(io, &s->type);
	switch (s->type) {
	case MLSC_SENDER_MEMBER:
	case MLSC_SENDER_EXTERNAL:
		mlsc_io_u32(io, &s->index);
		break;
	case MLSC_SENDER_NEW_MEMBER_PROPOSAL:
	case MLSC_SENDER_NEW_MEMBER_COMMIT:
		s->index = 0;
		break;
	default:
		mlsc_io_bad_tag(io);
	}
}

void mlsc_io_framed_content(struct mlsc_io *io,
			    struct mlsc_framed_content *fc)
{
	mlsc_io_opaque(io, &fc->group_id);
	mlsc_io_u64(io, &fc->epoch);
	io_sender(io, &fc->sender);
	mlsc_io_opaque(io, &fc->authenticated_data);
	mlsc_io_u8(io, &fc->content_type);
	switch (fc->content_type) {
	case MLSC_CONTENT_APPLICATION:
		mlsc_io_opaque(io, &fc->application_data);
		break;
	case MLSC_CONTENT_PROPOSAL:
		mlsc_io_proposal(io, &fc->proposal);
		break;
	case MLSC_CONTENT_COMMIT:
		mlsc_io_commit(io, &fc->commit);
		break;
	default:
		mlsc_io_bad_tag(io);
	}
}

void mlsc_io_auth_data(struct mlsc_io *io, struct mlsc_auth_data *a,
		       uint8_t content_type)
{
	mlsc_io_opaque(io, &a->signature);
	if (content_type == MLSC_CONTENT_COMMIT)
		mlsc_io_opaque(io, &a->confirmation_tag);
}

void mlsc_io_public_message(struct mlsc_io *io,
			    struct mlsc_public_message *m)
{
	mlsc_io_framed_content(io, &m->content);
	mlsc_io_auth_data(io, &m->auth, m->content.content_type);
	if (m->content.sender.type == MLSC_SENDER_MEMBER)
		mlsc_io_opaque(io, &m->membership_tag);
}

void mlsc_io_private_message(struct mlsc_io *io,
			     struct mlsc_private_message *m)
{
	mlsc_io_opaque(io, &m->group_id);
	mlsc_io_u64(io, &m->epoch);
	mlsc_io_u8(io, &m->content_type);
	if (m->content_type < MLSC_CONTENT_APPLICATION ||
	    m->content_type > MLSC_CONTENT_COMMIT)
		mlsc_io_bad_tag(io);
	mlsc_io_opaque(io, &m->authenticated_data);
	mlsc_io_opaque(io, &m->encrypted_sender_data);
	mlsc_io_opaque(io, &m->ciphertext);
}

static void io_encrypted_group_secrets(struct mlsc_io *io,
				       struct mlsc_encrypted_group_secrets *e)
{
	mlsc_io_opaque(io, &e->new_member);
	mlsc_io_hpke_ciphertext(io, &e->secrets);
}

void mlsc_io_welcome(struct mlsc_io *io, struct mlsc_welcome *w)
{
	mlsc_io_u16(io, &w->cipher_suite);
	mlsc_io_array(io, &w->secrets, &w->n_secrets,
		      io_encrypted_group_secrets);
	mlsc_io_opaque(io, &w->encrypted_group_info);
}

void mlsc_io_group_secrets(struct mlsc_io *io, struct mlsc_group_secrets *s)
{
	mlsc_io_opaque(io, &s->joiner_secret);
	if (mlsc_io_optional(io, &s->has_path_secret))
		mlsc_io_opaque(io, &s->path_secret);
	mlsc_io_array(io, &s->psks, &s->n_psks, mlsc_io_psk_id);
}

void mlsc_io_group_info(struct mlsc_io *io, struct mlsc_group_info *gi)
{
	mlsc_io_group_context(io, &gi->group_context);
	mlsc_io_extensions(io, &gi->extensions);
	mlsc_io_opaque(io, &gi->confirmation_tag);
	mlsc_io_u32(io, &gi->signer);
	mlsc_io_opaque(io, &gi->signature);
}

/* Other versions may lay out what follows differently: refused. */
void mlsc_io_mls_message(struct mlsc_io *io, struct mlsc_mls_message *m)
{
	mlsc_io_u16(io, &m->version);
	if (m->version != MLSC_VERSION_MLS10)
		mlsc_io_bad_tag(io);
	mlsc_io_u16(io, &m->wire_format);
	switch (m->wire_format) {
	case MLSC_WIRE_PUBLIC_MESSAGE:
		mlsc_io_public_message(io, &m->pub);
		break;
	case MLSC_WIRE_PRIVATE_MESSAGE:
		mlsc_io_private_message(io, &m->priv);
		break;
	case MLSC_WIRE_WELCOME:
		mlsc_io_welcome(io, &m->welcome);
		break;
	case MLSC_WIRE_GROUP_INFO:
		mlsc_io_group_info(io, &m->group_info);
		break;
	case MLSC_WIRE_KEY_PACKAGE:
		mlsc_io_key_package(io, &m->key_package);
		break;
	default:
		mlsc_io_bad_tag(io);
	}
}

int mlsc_decode(const uint8_t *p, size_t len, struct mlsc_arena *arena,
		void *obj, size_t size, mlsc_io_fn fn)
{
	struct mlsc_io io;

	memset(obj, 0, size);
	mlsc_io_reader(&io, p, len, arena);
	fn(&io, obj);
	return mlsc_io_finish(&io);
}

int mlsc_encode(const void *obj, mlsc_io_fn fn, struct mlsc_wbuf *out)
{
	struct mlsc_io io;
	int err;

	memset(out, 0, sizeof(*out));
	mlsc_io_writer(&io, out);
	/* the writer only reads the object */
	fn(&io, (void *)obj);
	err = mlsc_io_finish(&io);
	if (err)
		mlsc_wbuf_free(out);
	return err;
}
