/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Proposals from outside the group (RFC 9420 §12.1.8): senders named by
 * the external_senders GroupContext extension (§12.1.8.1, sender type
 * external) and joiners proposing their own Add (new_member_proposal).
 */
#ifndef MLSC_EXT_SENDER_H
#define MLSC_EXT_SENDER_H

#include <stdbool.h>

#include <mls_client.h>

#include "wire.h"

/* §12.1.8.1: ExternalSender */
struct mlsc_external_sender {
	struct mlsc_slice signature_key;
	struct mlsc_credential credential;
};

void mlsc_io_external_sender(struct mlsc_io *io,
			     struct mlsc_external_sender *s);

/*
 * The ExternalSender list of an external_senders extension's @data (all
 * of it, arrays in @arena): 0, -EBADMSG.
 */
int mlsc_external_senders_parse(const struct mlsc_slice *data,
				 struct mlsc_arena *arena,
				 struct mlsc_external_sender **v, size_t *n);

/*
 * The signature key of external sender @index of GroupContext
 * extensions @exts into @key (pointing into @exts or @arena): 0;
 * -ERANGE when there is no such sender (no extension, or @index past
 * its list); -EBADMSG for a malformed or repeated extension.
 */
int mlsc_external_sender_key(const struct mlsc_extensions *exts,
			     uint32_t index, struct mlsc_arena *arena,
			     struct mlsc_slice *key);

/*
 * RFC 9420 §5.3.1: the credential of each external sender in the
 * external_senders extension of @exts (if any) is validated when the
 * extension takes effect, through @opts' credential callback as a
 * leaf's is (without one: basic accepted, X.509 -EKEYREJECTED). 0, the
 * callback's error, -EKEYREJECTED, -EBADMSG (a malformed or repeated
 * extension), -ENOMEM.
 */
int mlsc_external_senders_check(const struct mlsc_extensions *exts,
				 uint16_t suite,
				 const struct mlsc_validate_opts *opts);

struct mlsc_group_view;
struct mlsc_resolved;

/*
 * mlsc_external_senders_check() for each GroupContextExtensions among
 * the @n proposals @r of a Commit, at its committer and its receivers,
 * but those member @self proposed: its own choice of senders, like a
 * creator's, needs no judge. -EPROTO for a malformed extension.
 */
int mlsc_gce_senders_check(const struct mlsc_group_view *v, uint32_t self,
			   const struct mlsc_resolved *r, size_t n);

/*
 * May a sender of @sender_type (MLSC_SENDER_*) propose @proposal_type?
 * Members: any type but ExternalInit (which only an external Commit
 * carries); external senders (§12.1.8): Add, Remove, PreSharedKey,
 * ReInit, GroupContextExtensions; new members: Add only.
 */
bool mlsc_sender_may_propose(uint8_t sender_type, uint16_t proposal_type);

#endif /* MLSC_EXT_SENDER_H */
