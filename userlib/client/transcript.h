/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The transcript hashes (RFC 9420 §8.2). They are public: the committer
 * and every receiver compute them from the Commit's AuthenticatedContent
 * and put the confirmed one into the next epoch's GroupContext, whose
 * confirmation tag the kernel computes and verifies.
 *
 *   confirmed[n] = Hash(interim[n-1] || ConfirmedTranscriptHashInput)
 *   interim[n]   = Hash(confirmed[n] || InterimTranscriptHashInput)
 *
 * ConfirmedTranscriptHashInput is wire_format || FramedContent ||
 * signature<V>, InterimTranscriptHashInput is confirmation_tag<V>. A new
 * group starts with an empty confirmed hash and an interim hash over it
 * and the first epoch's tag (§8.2, §11).
 */
#ifndef MLSC_TRANSCRIPT_H
#define MLSC_TRANSCRIPT_H

#include <stdint.h>

#include "suite.h"
#include "wire.h"

/*
 * confirmed_transcript_hash of the Commit in @content (a commit content,
 * sent as @wire_format with @signature), after @interim (s->nh bytes),
 * into @confirmed (s->nh bytes). 0, -EINVAL (no suite, not a commit, an
 * unknown wire format), -ENOMEM, -EMSGSIZE, or -EIO (OpenSSL).
 */
int mlsc_transcript_confirmed(const struct mlsc_suite *s,
			      const uint8_t *interim, uint16_t wire_format,
			      const struct mlsc_framed_content *content,
			      const struct mlsc_slice *signature,
			      uint8_t *confirmed);

/*
 * interim_transcript_hash after @confirmed and the Commit's
 * @confirmation_tag, into @interim (s->nh bytes). @confirmed has s->nh
 * bytes, or none in a new group's epoch 0. 0, -EINVAL (no suite, another
 * length), -ENOMEM, -EMSGSIZE or -EIO.
 */
int mlsc_transcript_interim(const struct mlsc_suite *s,
			    const struct mlsc_slice *confirmed,
			    const struct mlsc_slice *confirmation_tag,
			    uint8_t *interim);

#endif /* MLSC_TRANSCRIPT_H */
