// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl encrypt / decrypt: one PrivateMessage, signed over
 * FramedContentTBS and protected in the kernel, or opened and verified.
 */
#include "mlsctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What one message may hold: the kernel's own cap is lower. */
#define INPUT_MAX	(64U << 20)

const char usage_encrypt[] =
	"ID [sign-key FILE] [aad HEX] [type application|proposal|commit]\n"
	"        [in FILE] [out FILE]\n"
	"\n"
	"Encrypts the content read from FILE (default stdin) as a PrivateMessage\n"
	"of group ID's current epoch and writes the MLSMessage to FILE (default\n"
	"stdout; hex when stdout is a terminal). An application message is\n"
	"signed over FramedContentTBS with the private key in sign-key (PEM, or\n"
	"the raw RFC 9420 key, binary or hex), which it requires: the kernel\n"
	"sends no unsigned application message. A proposal or commit is the raw\n"
	"content a control plane built, and is not signed here.\n";

const char usage_decrypt[] =
	"ID [verify-key FILE] [sender-key LEAF FILE]... [in FILE] [out FILE]\n"
	"\n"
	"Decrypts the MLSMessage read from FILE (default stdin; binary or hex)\n"
	"with group ID and writes its content to FILE (default stdout). With\n"
	"verify-key (any sender) or sender-key (the member at leaf LEAF), the\n"
	"signature of an application message is verified and a message that\n"
	"fails is not printed; the public keys are PEM or raw, binary or hex.\n";

static int parse_type(const char *s, uint32_t *type)
{
	if (strcmp(s, "application") == 0)
		*type = MLS_CONTENT_APPLICATION;
	else if (strcmp(s, "proposal") == 0)
		*type = MLS_CONTENT_PROPOSAL;
	else if (strcmp(s, "commit") == 0)
		*type = MLS_CONTENT_COMMIT;
	else
		return usage_error("type: application, proposal or commit, not \"%s\"", s);
	return EXIT_OK;
}

const char *content_type_name(uint32_t type)
{
	switch (type) {
	case MLS_CONTENT_APPLICATION:
		return "application";
	case MLS_CONTENT_PROPOSAL:
		return "proposal";
	case MLS_CONTENT_COMMIT:
		return "commit";
	}
	return "unknown";
}

/* Binary to a file or a pipe, hex to a terminal. */
static int write_output(const char *out, const void *p, size_t len)
{
	if (!out && isatty(STDOUT_FILENO)) {
		print_hex(stdout, p, len);
		printf("\n");
		return 0;
	}
	fflush(stdout);
	return write_file(out ? out : "-", p, len, false);
}

int cmd_encrypt(const struct mlsctl_opts *o, int argc, char **argv)
{
	const char *key_path = NULL, *in = "-", *out = NULL;
	struct mls_bytes aad = { NULL, 0 }, content = { NULL, 0 };
	struct mls_sig_key *key = NULL;
	struct mls_group_info info;
	uint32_t id, type = MLS_CONTENT_APPLICATION;
	struct mls_sent sent = { { NULL, 0 }, 0, 0 };
	int i, r, fd = -1, ret = EXIT_USAGE;
	struct jw w;

	if (argc < 1 || !parse_id(argv[0], &id))
		return usage_error("encrypt: needs a group id");
	for (i = 1; i < argc; i++) {
		const char *word = argv[i];

		if (!arg_next(argc, argv, &i))
			goto out;
		if (strcmp(word, "sign-key") == 0) {
			key_path = argv[i];
		} else if (strcmp(word, "aad") == 0) {
			mls_bytes_free(&aad);
			if (!parse_hex(argv[i], &aad)) {
				usage_error("aad: \"%s\" is not hex", argv[i]);
				goto out;
			}
		} else if (strcmp(word, "type") == 0) {
			if (parse_type(argv[i], &type))
				goto out;
		} else if (strcmp(word, "in") == 0) {
			in = argv[i];
		} else if (strcmp(word, "out") == 0) {
			out = argv[i];
		} else {
			usage_error("encrypt: unknown argument \"%s\"", word);
			goto out;
		}
	}
	if (key_path && type != MLS_CONTENT_APPLICATION) {
		usage_error("encrypt: only an application message is signed here");
		goto out;
	}
	if (!key_path && type == MLS_CONTENT_APPLICATION) {
		usage_error("encrypt: an application message is signed: give sign-key");
		goto out;
	}
	if (key_path && strcmp(key_path, "-") == 0 && strcmp(in, "-") == 0) {
		usage_error("encrypt: the key and the content cannot both come from stdin");
		goto out;
	}

	fd = open_group(id);
	if (fd < 0) {
		ret = EXIT_KERNEL;
		goto out;
	}
	r = mls_group_info(fd, &info, NULL, NULL);
	if (r) {
		ret = op_error(r, "group %" PRIu32, id);
		goto out;
	}
	if (key_path && load_key(key_path, info.suite, KEY_SIGN, &key))
		goto out;
	r = read_file(in, INPUT_MAX, &content);
	if (r) {
		usage_error("encrypt: in %s: %s", in, strerror(-r));
		goto out;
	}
	if (key)
		r = mls_send(fd, key, content.data, content.len, aad.data, aad.len,
			     &sent);
	else
		r = mls_encrypt(fd, type, aad.data, aad.len, content.data,
				content.len, NULL, 0, &sent);	/* a handshake */
	if (r) {
		ret = op_error(r, "encrypt %" PRIu32, id);
		goto out;
	}
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_u64(&w, "id", id);
		jw_u64(&w, "epoch", sent.epoch);
		jw_u64(&w, "generation", sent.generation);
		jw_str(&w, "content_type", content_type_name(type));
		jw_bool(&w, "signed", !!key);
		jw_hex(&w, "message", sent.message.data, sent.message.len);
		jw_obj_end(&w);
		if (out)
			r = write_file(out, sent.message.data, sent.message.len, false);
	} else {
		r = write_output(out, sent.message.data, sent.message.len);
	}
	if (r) {
		ret = op_error(r, "out %s", out ? out : "stdout");
		goto out;
	}
	ret = EXIT_OK;
out:
	mls_bytes_free(&sent.message);
	mls_bytes_free(&content);
	mls_bytes_free(&aad);
	mls_sig_key_free(key);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* ---------------------------------------------------------------- decrypt */

#define MAX_SENDER_KEYS	64

struct keyring {
	struct mls_sig_key *any;
	struct {
		uint32_t leaf;
		struct mls_sig_key *key;
	} leaves[MAX_SENDER_KEYS];
	size_t n;
};

static int keyring_lookup(void *arg, uint32_t leaf, uint64_t epoch,
			  const struct mls_sig_key **key)
{
	const struct keyring *k = arg;
	size_t i;

	(void)epoch;
	for (i = 0; i < k->n; i++) {
		if (k->leaves[i].leaf == leaf) {
			*key = k->leaves[i].key;
			return 0;
		}
	}
	if (!k->any)
		return -ENOKEY;
	*key = k->any;
	return 0;
}

static void keyring_free(struct keyring *k)
{
	size_t i;

	mls_sig_key_free(k->any);
	for (i = 0; i < k->n; i++)
		mls_sig_key_free(k->leaves[i].key);
	memset(k, 0, sizeof(*k));
}

/* The message from @in: binary (it starts with 00 01), or hex text. */
static int read_message(const char *in, struct mls_bytes *msg)
{
	struct mls_bytes raw, hex;
	char *text;
	int r;

	r = read_file(in, INPUT_MAX, &raw);
	if (r) {
		usage_error("decrypt: in %s: %s", in, strerror(-r));
		return EXIT_USAGE;
	}
	if (raw.len && raw.data[0] == 0) {
		*msg = raw;
		return EXIT_OK;
	}
	text = malloc(raw.len + 1);
	if (!text) {
		mls_bytes_free(&raw);
		return op_error(-ENOMEM, "decrypt");
	}
	memcpy(text, raw.data, raw.len);
	/* Trailing whitespace and newline of a hex line. */
	while (raw.len && strchr(" \t\r\n", text[raw.len - 1]))
		raw.len--;
	text[raw.len] = '\0';
	mls_bytes_free(&raw);
	if (!parse_hex(text, &hex) || !hex.len) {
		free(text);
		return usage_error("decrypt: in %s: not an MLSMessage, binary or hex", in);
	}
	free(text);
	*msg = hex;
	return EXIT_OK;
}

int cmd_decrypt(const struct mlsctl_opts *o, int argc, char **argv)
{
	const char *in = "-", *out = NULL, *any_path = NULL;
	const char *leaf_paths[MAX_SENDER_KEYS];
	uint32_t leaf_ids[MAX_SENDER_KEYS];
	struct mls_received rec;
	struct mls_bytes msg = { NULL, 0 };
	struct mls_group_info info;
	struct keyring ring;
	size_t nleaf = 0, k;
	uint32_t id;
	int i, r, fd = -1, ret = EXIT_USAGE;
	bool verify;
	struct jw w;

	memset(&ring, 0, sizeof(ring));
	memset(&rec, 0, sizeof(rec));
	if (argc < 1 || !parse_id(argv[0], &id))
		return usage_error("decrypt: needs a group id");
	for (i = 1; i < argc; i++) {
		const char *word = argv[i];

		if (!arg_next(argc, argv, &i))
			goto out;
		if (strcmp(word, "verify-key") == 0) {
			any_path = argv[i];
		} else if (strcmp(word, "sender-key") == 0) {
			if (nleaf == MAX_SENDER_KEYS) {
				usage_error("decrypt: at most %d sender keys", MAX_SENDER_KEYS);
				goto out;
			}
			if (!parse_u32(argv[i], &leaf_ids[nleaf])) {
				usage_error("sender-key: bad leaf \"%s\"", argv[i]);
				goto out;
			}
			if (!arg_next(argc, argv, &i))
				goto out;
			leaf_paths[nleaf++] = argv[i];
		} else if (strcmp(word, "in") == 0) {
			in = argv[i];
		} else if (strcmp(word, "out") == 0) {
			out = argv[i];
		} else {
			usage_error("decrypt: unknown argument \"%s\"", word);
			goto out;
		}
	}
	verify = any_path || nleaf;

	fd = open_group(id);
	if (fd < 0) {
		ret = EXIT_KERNEL;
		goto out;
	}
	if (verify) {
		r = mls_group_info(fd, &info, NULL, NULL);
		if (r) {
			ret = op_error(r, "group %" PRIu32, id);
			goto out;
		}
		if (any_path && load_key(any_path, info.suite, KEY_VERIFY, &ring.any))
			goto out;
		for (k = 0; k < nleaf; k++) {
			ring.leaves[k].leaf = leaf_ids[k];
			if (load_key(leaf_paths[k], info.suite, KEY_VERIFY,
				     &ring.leaves[k].key))
				goto out;
			ring.n = k + 1;
		}
	}
	if (read_message(in, &msg))
		goto out;
	if (verify)
		r = mls_recv(fd, keyring_lookup, &ring, msg.data, msg.len, &rec);
	else
		r = mls_decrypt(fd, msg.data, msg.len, &rec);
	if (r) {
		ret = op_error(r, "decrypt %" PRIu32, id);
		goto out;
	}
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_u64(&w, "id", id);
		jw_u64(&w, "epoch", rec.epoch);
		jw_u64(&w, "sender_leaf", rec.sender_leaf);
		jw_u64(&w, "generation", rec.generation);
		jw_str(&w, "content_type", content_type_name(rec.content_type));
		jw_hex(&w, "authenticated_data", rec.authenticated_data,
		       rec.authenticated_data_len);
		jw_hex(&w, "content", rec.content, rec.content_len);
		if (rec.content_type == MLS_CONTENT_APPLICATION &&
		    is_text(rec.content, rec.content_len))
			jw_strn(&w, "text", (const char *)rec.content, rec.content_len);
		else
			jw_null(&w, "text");
		jw_hex(&w, "signature", rec.signature, rec.signature_len);
		jw_bool(&w, "verified", verify);
		jw_obj_end(&w);
		r = out ? write_file(out, rec.content, rec.content_len, false) : 0;
	} else {
		fflush(stdout);
		r = write_file(out ? out : "-", rec.content, rec.content_len, false);
	}
	if (r) {
		ret = op_error(r, "out %s", out ? out : "stdout");
		goto out;
	}
	ret = EXIT_OK;
out:
	mls_received_free(&rec);
	mls_bytes_free(&msg);
	keyring_free(&ring);
	if (fd >= 0)
		close(fd);
	return ret;
}
