// SPDX-License-Identifier: GPL-2.0
/* mlsctl key: signature keys for encrypt and decrypt. */
#include "mlsctl.h"

#include <string.h>

static const char *scheme_name(int scheme)
{
	switch (scheme) {
	case MLS_SIG_ED25519:
		return "ed25519";
	case MLS_SIG_ED448:
		return "ed448";
	case MLS_SIG_ECDSA_SECP256R1_SHA256:
		return "ecdsa_secp256r1_sha256";
	case MLS_SIG_ECDSA_SECP384R1_SHA384:
		return "ecdsa_secp384r1_sha384";
	case MLS_SIG_ECDSA_SECP521R1_SHA512:
		return "ecdsa_secp521r1_sha512";
	}
	return "unknown";
}

static const char usage_generate[] = "[suite N] [out FILE]\n"
	"\n"
	"Generates a key pair for suite N's signature scheme (default 1:\n"
	"Ed25519) and writes the private key, PKCS#8 PEM, to FILE (mode 0600)\n"
	"or stdout.\n";

static bool parse_suite(const char *s, uint32_t *suite)
{
	if (parse_u32(s, suite) && mls_suite_hash_len(*suite))
		return true;
	usage_error("suite: %s is not a ciphersuite (1 to 7)", s);
	return false;
}

static int key_generate(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mls_sig_key *key = NULL;
	struct mls_bytes pem;
	const char *out = NULL;
	uint32_t suite = 1;
	int i, r;

	(void)o;
	for (i = 0; i < argc; i++) {
		const char *word = argv[i];

		if (!arg_next(argc, argv, &i))
			return EXIT_USAGE;
		if (strcmp(word, "suite") == 0) {
			if (!parse_suite(argv[i], &suite))
				return EXIT_USAGE;
		} else if (strcmp(word, "out") == 0) {
			out = argv[i];
		} else {
			return usage_error("key generate: unknown argument \"%s\"", word);
		}
	}
	r = mls_sig_key_generate(suite, &key);
	if (r)
		return op_error(r, "key generate");
	r = mls_sig_key_export(key, MLS_KEY_PEM_PRIVATE, &pem);
	mls_sig_key_free(key);
	if (r)
		return op_error(r, "key generate");
	fflush(stdout);
	r = write_file(out ? out : "-", pem.data, pem.len, true);
	mls_bytes_free(&pem);
	return r ? op_error(r, "out %s", out ? out : "stdout") : EXIT_OK;
}

static const char usage_public[] = "[suite N] [in FILE]\n"
	"\n"
	"Prints the public key of the key in FILE (default stdin; PEM, private\n"
	"or public) as SubjectPublicKeyInfo PEM; with -j, its signature scheme\n"
	"and its raw RFC 9420 encoding (the SignaturePublicKey of a LeafNode).\n"
	"A raw private key (binary or hex) needs its suite.\n";

static int key_public(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mls_sig_key *key = NULL;
	struct mls_bytes pub;
	const char *in = "-";
	uint32_t suite = 0;
	struct jw w;
	int i, r;

	for (i = 0; i < argc; i++) {
		const char *word = argv[i];

		if (!arg_next(argc, argv, &i))
			return EXIT_USAGE;
		if (strcmp(word, "suite") == 0) {
			if (!parse_suite(argv[i], &suite))
				return EXIT_USAGE;
		} else if (strcmp(word, "in") == 0) {
			in = argv[i];
		} else {
			return usage_error("key public: unknown argument \"%s\"", word);
		}
	}
	if (load_key(in, suite, KEY_SOURCE, &key))
		return EXIT_USAGE;
	r = mls_sig_key_export(key, o->json ? MLS_KEY_PUBLIC : MLS_KEY_PEM_PUBLIC,
			       &pub);
	if (r) {
		mls_sig_key_free(key);
		return op_error(r, "key public");
	}
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "scheme", scheme_name(mls_sig_key_scheme(key)));
		jw_u64(&w, "scheme_id", (uint64_t)mls_sig_key_scheme(key));
		jw_hex(&w, "public_key", pub.data, pub.len);
		jw_obj_end(&w);
	} else {
		fwrite(pub.data, 1, pub.len, stdout);
	}
	mls_bytes_free(&pub);
	mls_sig_key_free(key);
	return EXIT_OK;
}

static const struct cmd key_cmds[] = {
	{ "generate", key_generate, "a new private key (PEM)", usage_generate },
	{ "public", key_public, "the public key of a key", usage_public },
};

int cmd_key(const struct mlsctl_opts *o, int argc, char **argv)
{
	return run_cmd("mlsctl key", key_cmds, ARRAY_SIZE(key_cmds),
		       o, argc, argv);
}
