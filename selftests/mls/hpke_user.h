/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The joiner's side of an external commit (RFC 9420 §8.3, §12.4.3.2) in
 * userspace, over the client's HPKE (userlib/client/hpke.c): HPKE (RFC
 * 9180) SetupBaseS to an epoch's external_pub and the exporter that
 * gives the new epoch's init_secret.
 * Also DeriveKeyPair's public half, so that a test can compute an
 * external_pub from an external_secret. Suites 1, 2, 3 and 7, as the
 * kernel serves them; the others answer -EOPNOTSUPP.
 *
 * Functions return 0 or -errno; none of them aborts.
 */
#ifndef MLS_SELFTEST_HPKE_USER_H
#define MLS_SELFTEST_HPKE_USER_H

#include <stddef.h>
#include <stdint.h>

#define HPKE_MAX_ENC		97	/* Npk of DHKEM(P-384) */
#define HPKE_MAX_SECRET		48	/* Nh of the suites served */

/*
 * An external joiner's encapsulation: kem_output (Nenc bytes, *kem_len in:
 * the buffer's size, out: the length) to the epoch's external_pub @pub,
 * and init_secret = context.export("MLS 1.0 external init secret", Nh).
 * The ephemeral key is fresh and random.
 */
int hpke_encap_export(unsigned int suite, const uint8_t *pub, size_t pub_len,
		      uint8_t *kem_output, size_t *kem_len,
		      uint8_t *init_secret);

/*
 * SetupBaseS(pkR = @pub, @info) and Export(@exp_ctx, @out_len), with the
 * ephemeral key DeriveKeyPair(@ikm_e) (NULL: Nsk random bytes), as RFC
 * 9180 appendix A's vectors make it.
 */
int hpke_setup_base_s_export(unsigned int suite,
			     const uint8_t *ikm_e, size_t ikm_e_len,
			     const uint8_t *pub, size_t pub_len,
			     const uint8_t *info, size_t info_len,
			     const uint8_t *exp_ctx, size_t exp_ctx_len,
			     uint8_t *enc, size_t *enc_len,
			     uint8_t *out, size_t out_len);

/* The public key of DeriveKeyPair(@ikm), serialized (an external_pub). */
int hpke_derive_public(unsigned int suite, const uint8_t *ikm, size_t ikm_len,
		       uint8_t *pub, size_t *pub_len);

#endif /* MLS_SELFTEST_HPKE_USER_H */
