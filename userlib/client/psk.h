/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * PreSharedKeyIDs (RFC 9420 §8.4) matched to the PSKs the application
 * gives, as the kernel's struct mls_psk list: for a Welcome's
 * GroupSecrets and for a Commit's PreSharedKey proposals.
 */
#ifndef MLSC_PSK_H
#define MLSC_PSK_H

#include <stdbool.h>

#include <mls_client.h>

#include "suite.h"
#include "wire.h"

/* The MLS group_id of group fd @fd equals @id. */
bool mlsc_group_id_is(int fd, const struct mlsc_slice *id);

/*
 * The kernel's list for the @n ids @ids into @out (@n entries, at most
 * MLS_MAX_PSKS), each matched among the @n_given PSKs @given: an
 * external one by psk_id, a resumption one by its group's group_id.
 * @out points into @ids and @given. 0; -EBADMSG (a nonce not Nh bytes),
 * -ENOENT (an id none of @given matches).
 */
int mlsc_psk_list(const struct mlsc_suite *s, const struct mlsc_psk_id *ids,
		  size_t n, const struct mlsc_psk *given, size_t n_given,
		  struct mls_psk *out);

#endif /* MLSC_PSK_H */
