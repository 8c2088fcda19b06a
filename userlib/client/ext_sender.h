/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Proposals from outside the group (RFC 9420 §12.1.8): senders named by
 * the external_senders GroupContext extension (§12.1.8.1, sender type
 * external) and joiners proposing their own Add (new_member_proposal).
 */
#ifndef MLSC_EXT_SENDER_H
#define MLSC_EXT_SENDER_H

#include <stdbool.h>

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
 * May a sender of @sender_type (MLSC_SENDER_*) propose @proposal_type?
 * Members: any type but ExternalInit (which only an external Commit
 * carries); external senders (§12.1.8): Add, Remove, PreSharedKey,
 * ReInit, GroupContextExtensions; new members: Add only.
 */
bool mlsc_sender_may_propose(uint8_t sender_type, uint16_t proposal_type);

#endif /* MLSC_EXT_SENDER_H */
