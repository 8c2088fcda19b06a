// SPDX-License-Identifier: GPL-2.0
/*
 * HPKE (RFC 9180) mode_base sender and exporter, for the joining side of
 * an external commit: a thin layer over the client's HPKE
 * (userlib/client/hpke.c), limited to the suites the kernel serves.
 */
#include "hpke_user.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hpke.h"

#define EXTERNAL_INIT_LABEL	"MLS 1.0 external init secret"

/*
 * The HPKE suite of MLS suite @id, of those the kernel serves: 4, 5 and 6
 * (X448 and P-521, which it does not have) answer -EOPNOTSUPP.
 */
static int suite_find(unsigned int id, struct mlsc_hpke_suite *hs)
{
	if (id >= 4 && id <= 6)
		return -EOPNOTSUPP;
	if (id > 0xffff)
		return -EINVAL;
	return mlsc_hpke_suite_mls(hs, mlsc_suite_get(id));
}

int hpke_derive_public(unsigned int suite, const uint8_t *ikm, size_t ikm_len,
		       uint8_t *pub, size_t *pub_len)
{
	struct mlsc_hpke_suite hs;
	uint8_t sk[MLSC_MAX_SK];
	size_t sk_len = sizeof(sk);
	int ret;

	ret = suite_find(suite, &hs);
	if (ret)
		return ret;
	ret = mlsc_hpke_derive_key_pair(&hs, ikm, ikm_len, sk, &sk_len, pub,
					pub_len);
	OPENSSL_cleanse(sk, sizeof(sk));
	return ret;
}

int hpke_setup_base_s_export(unsigned int suite,
			     const uint8_t *ikm_e, size_t ikm_e_len,
			     const uint8_t *pub, size_t pub_len,
			     const uint8_t *info, size_t info_len,
			     const uint8_t *exp_ctx, size_t exp_ctx_len,
			     uint8_t *enc, size_t *enc_len,
			     uint8_t *out, size_t out_len)
{
	struct mlsc_hpke_suite hs;
	struct mlsc_hpke_ctx ctx;
	int ret;

	ret = suite_find(suite, &hs);
	if (ret)
		return ret;
	if (ikm_e)
		ret = mlsc_hpke_setup_base_s_derand(&ctx, &hs, pub, pub_len,
						    info, info_len, ikm_e,
						    ikm_e_len, enc, enc_len);
	else
		ret = mlsc_hpke_setup_base_s(&ctx, &hs, pub, pub_len, info,
					     info_len, enc, enc_len);
	if (!ret)
		ret = mlsc_hpke_export(&ctx, exp_ctx, exp_ctx_len, out,
				       out_len);
	mlsc_hpke_ctx_clear(&ctx);
	if (ret)
		OPENSSL_cleanse(out, out_len);
	return ret;
}

int hpke_encap_export(unsigned int suite, const uint8_t *pub, size_t pub_len,
		      uint8_t *kem_output, size_t *kem_len,
		      uint8_t *init_secret)
{
	struct mlsc_hpke_suite hs;
	int ret;

	ret = suite_find(suite, &hs);
	if (ret)
		return ret;
	return hpke_setup_base_s_export(suite, NULL, 0, pub, pub_len, NULL, 0,
					(const uint8_t *)EXTERNAL_INIT_LABEL,
					strlen(EXTERNAL_INIT_LABEL),
					kem_output, kem_len, init_secret,
					mlsc_hpke_nh(&hs));
}
