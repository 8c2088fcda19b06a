// SPDX-License-Identifier: GPL-2.0
/*
 * The client's VerifyWithLabel over raw signature keys (leaf.c), which
 * goes through libmls's mls_verify_with_label(): crypto-basics.json's
 * sign_with_label, every case (all seven suites): the listed signature
 * verifies; a signature made with libmls's mls_sign_with_label() and the
 * case's private key verifies; a flipped bit in the content or the
 * signature, and a public key that is not one, are refused. libmls's own
 * test (selftests/mls/libmls_test.c, keys.crypto_basics_vector) judges
 * mls_sign_with_label() against the same cases in the VM.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "leaf.h"
#include "tap.h"
#include "vectors.h"

static bool check(json_t *c, size_t i)
{
	json_t *o = json_object_get(c, "sign_with_label");
	struct bytes priv = { 0 }, pub = { 0 }, content = { 0 }, sig = { 0 };
	struct mls_sig_key *key = NULL;
	uint8_t mine[MLS_SIGNATURE_MAX];
	size_t len = sizeof(mine);
	struct mlsc_slice p, s, m;
	const char *label = vec_get_str(o, "label");
	uint64_t suite = 0;
	bool good = false;

	if (!o || !label || vec_get_u64(c, "cipher_suite", &suite) ||
	    vec_get_hex(o, "priv", &priv) || vec_get_hex(o, "pub", &pub) ||
	    vec_get_hex(o, "content", &content) ||
	    vec_get_hex(o, "signature", &sig)) {
		tap_diag("case %zu: fields missing", i);
		goto out;
	}
	p = (struct mlsc_slice){ pub.data, pub.len };
	s = (struct mlsc_slice){ sig.data, sig.len };
	if (mlsc_verify_with_label((uint16_t)suite, &p, label, content.data,
				   content.len, &s)) {
		tap_diag("case %zu: the listed signature", i);
		goto out;
	}
	if (mls_sig_key_import((unsigned int)suite, MLS_KEY_PRIVATE,
			       priv.data, priv.len, &key) ||
	    mls_sign_with_label(key, label, content.data, content.len, mine,
				&len)) {
		tap_diag("case %zu: signing", i);
		goto out;
	}
	m = (struct mlsc_slice){ mine, len };
	if (mlsc_verify_with_label((uint16_t)suite, &p, label, content.data,
				   content.len, &m)) {
		tap_diag("case %zu: our signature", i);
		goto out;
	}
	mine[len / 2] ^= 0x04;
	sig.data[0] ^= 0x01;
	if (mlsc_verify_with_label((uint16_t)suite, &p, label, content.data,
				   content.len, &m) != -EBADMSG ||
	    mlsc_verify_with_label((uint16_t)suite, &p, label, content.data,
				   content.len, &s) != -EBADMSG) {
		tap_diag("case %zu: a flipped signature bit verifies", i);
		goto out;
	}
	sig.data[0] ^= 0x01;
	if (content.len) {
		content.data[0] ^= 0x01;
		if (mlsc_verify_with_label((uint16_t)suite, &p, label,
					   content.data, content.len,
					   &s) != -EBADMSG) {
			tap_diag("case %zu: a flipped content bit", i);
			goto out;
		}
		content.data[0] ^= 0x01;
	}
	/* the wrong label, and a public key that is not one */
	p.len = pub.len - 1;
	if (mlsc_verify_with_label((uint16_t)suite, &p, label, content.data,
				   content.len, &s) != -EBADMSG) {
		tap_diag("case %zu: a truncated key", i);
		goto out;
	}
	p.len = pub.len;
	good = mlsc_verify_with_label((uint16_t)suite, &p, "other",
				      content.data, content.len,
				      &s) == -EBADMSG;
	if (!good)
		tap_diag("case %zu: another label", i);
out:
	mls_sig_key_free(key);
	bytes_free(&priv);
	bytes_free(&pub);
	bytes_free(&content);
	bytes_free(&sig);
	return good;
}

int main(void)
{
	json_t *root = vec_load("crypto-basics.json"), *c;
	size_t i;

	if (tap_ok(json_is_array(root) && json_array_size(root) > 0,
		   "crypto-basics.json loads from %s", vec_dir())) {
		json_array_foreach(root, i, c)
			tap_ok(check(c, i), "crypto-basics.json case %zu: "
			       "sign_with_label verifies, signs, refuses "
			       "tampering", i);
		tap_diag("crypto-basics.json: %zu sign_with_label cases",
			 json_array_size(root));
	}
	json_decref(root);
	return tap_done();
}
