// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl: every command, its output (JSON parsed with jansson and held to
 * the schema of mlsctl(8), key for key), its exit status (0 ok, 1 usage,
 * 2 the operation failed, with the errno's words on stderr) and its
 * refusal of bad arguments. mlsctl is run from PATH (/mls/bin in the VM)
 * with stdout and stderr kept apart.
 *
 * The scenario tests are the `make run` demo in miniature: two members,
 * a join from the joiner secret, signed messages both ways, a rotation, a
 * late message, and one past retention.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "kselftest_harness.h"

#define MAX_ARGS	48

struct run {
	int status;		/* exit status, or -1 */
	char *out;		/* stdout, NUL-terminated */
	size_t out_len;
	char *err;		/* stderr */
};

static char *slurp(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;

	if (!buf)
		abort();
	lseek(fd, 0, SEEK_SET);
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static int tmpfd(void)
{
	char path[] = "/tmp/mlsctl_test.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		abort();
	unlink(path);
	return fd;
}

/*
 * Run "mlsctl ARGS..." (NULL-terminated) with @in (may be NULL) on its
 * stdin, as @uid if not -1. Returns the exit status (-1 if killed).
 */
static int vrun(struct run *r, int uid, const void *in, size_t in_len, va_list ap)
{
	char *argv[MAX_ARGS + 2];
	int fin = tmpfd(), fout = tmpfd(), ferr = tmpfd(), n = 0, st;
	const char *a;
	pid_t pid;

	argv[n++] = "mlsctl";
	while ((a = va_arg(ap, const char *)) && n < MAX_ARGS)
		argv[n++] = (char *)a;
	argv[n] = NULL;
	if (in && write(fin, in, in_len) != (ssize_t)in_len)
		abort();
	lseek(fin, 0, SEEK_SET);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		dup2(fin, 0);
		dup2(fout, 1);
		dup2(ferr, 2);
		if (uid >= 0 && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(126);
		execvp("mlsctl", argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(fout, &r->out_len);
	r->err = slurp(ferr, NULL);
	close(fin);
	close(fout);
	close(ferr);
	return r->status;
}

static int run(struct run *r, ...)
{
	va_list ap;
	int ret;

	va_start(ap, r);
	ret = vrun(r, -1, NULL, 0, ap);
	va_end(ap);
	return ret;
}

static int run_in(struct run *r, const char *in, ...)
{
	va_list ap;
	int ret;

	va_start(ap, in);
	ret = vrun(r, -1, in, strlen(in), ap);
	va_end(ap);
	return ret;
}

static int run_as(struct run *r, int uid, ...)
{
	va_list ap;
	int ret;

	va_start(ap, uid);
	ret = vrun(r, uid, NULL, 0, ap);
	va_end(ap);
	return ret;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = NULL;
	r->err = NULL;
}

/*
 * Hold a JSON object to a schema: "key:T,key:T|n,..." with T one of
 * i (integer), s (string), b (boolean), a (array), o (object); "|n"
 * allows null. Every key must be there, and no other: 0, or the index
 * (1-based) of the first mismatch, -1 for an unknown key.
 */
static int schema(json_t *obj, const char *spec)
{
	char buf[1024], *save = NULL, *tok;
	size_t nkeys = 0;
	int idx = 0;

	if (!json_is_object(obj))
		return 1000;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		json_t *v;
		bool ok;

		idx++;
		if (!colon)
			return idx;
		*colon = '\0';
		v = json_object_get(obj, tok);
		if (!v)
			return idx;
		nkeys++;
		if (json_is_null(v) && strstr(colon + 1, "|n"))
			continue;
		switch (colon[1]) {
		case 'i':
			ok = json_is_integer(v) && json_integer_value(v) >= 0;
			break;
		case 's':
			ok = json_is_string(v);
			break;
		case 'b':
			ok = json_is_boolean(v);
			break;
		case 'a':
			ok = json_is_array(v);
			break;
		case 'o':
			ok = json_is_object(v);
			break;
		default:
			ok = false;
		}
		if (!ok)
			return idx;
	}
	return json_object_size(obj) == nkeys ? 0 : -1;
}

/* stdout as one JSON document, or NULL (and the reason logged). */
static json_t *parse(struct __test_metadata *_metadata, const struct run *r)
{
	json_error_t e;
	json_t *j = json_loads(r->out, 0, &e);

	if (!j)
		TH_LOG("not JSON (%s at %d): %s", e.text, e.position, r->out);
	/* One line, ended by a newline. */
	else if (r->out_len == 0 || r->out[r->out_len - 1] != '\n' ||
		 strchr(r->out, '\n') != r->out + r->out_len - 1)
		TH_LOG("JSON not on one line: %s", r->out);
	return j;
}

static bool is_hex(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

/* An Ed25519 key pair (RFC 8032 test 1), as hex */
#define ED25519_PRIV_HEX \
	"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n"
#define ED25519_PUB_HEX \
	"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

#define VERSION_SCHEMA "module_version:s,api_version:i,features:i," \
	"feature_names:a,suites:a"
#define GROUP_SCHEMA "id:i,group_id:s,suite:i,suite_name:s|n,state:s,mode:s," \
	"owner_uid:i,owner_gid:i,flags:a,own_leaf:i,leaf_count:i,epoch:i," \
	"oldest_epoch:i,policy:o"
#define POLICY_SCHEMA "out_of_order:i,max_forward:i,epochs_kept:i," \
	"epoch_max_age_ms:i,padding_block:i,encrypt_rate:i,encrypt_burst:i"
#define DECRYPT_SCHEMA "id:i,epoch:i,sender_leaf:i,generation:i,content_type:s," \
	"authenticated_data:s,content:s,text:s|n,signature:s,verified:b"
#define ENCRYPT_SCHEMA "id:i,epoch:i,generation:i,content_type:s,signed:b,message:s"

static int have_dev(void)
{
	return access("/dev/mls", R_OK | W_OK) == 0;
}

static int have_mlsctl(void)
{
	return system("command -v mlsctl >/dev/null 2>&1") == 0;
}

#define NEED_MLSCTL() do {						\
	if (!have_mlsctl())						\
		SKIP(return, "mlsctl is not on PATH");			\
} while (0)

#define NEED_DEV() do {							\
	NEED_MLSCTL();							\
	if (!have_dev())						\
		SKIP(return, "no /dev/mls (module not loaded)");	\
} while (0)

/* A scratch directory for keys, secrets and messages. */
static void scratch(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/mlsctl_test.XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

static void rm_scratch(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", dir);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
}

static const char *at(const char *dir, const char *name)
{
	static char paths[8][256];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

/* "mlsctl group create ..." -> the id it printed, or 0. */
static unsigned long create(struct __test_metadata *_metadata, ...)
{
	struct run r;
	unsigned long id = 0;
	va_list ap;
	char *end;

	va_start(ap, _metadata);
	vrun(&r, -1, NULL, 0, ap);
	va_end(ap);
	if (r.status == 0) {
		id = strtoul(r.out, &end, 10);
		if (end == r.out || strcmp(end, "\n"))
			id = 0;
	}
	if (!id)
		TH_LOG("create failed (%d): %s%s", r.status, r.out, r.err);
	run_free(&r);
	return id;
}

static void destroy(unsigned long id)
{
	struct run r;
	char ids[24];

	snprintf(ids, sizeof(ids), "%lu", id);
	run(&r, "group", "destroy", ids, NULL);
	run_free(&r);
}

/* ------------------------------------------------------------ no kernel */

/* Tests that run mlsctl many times: under emulation, more than 30 s. */
#define LONG_TIMEOUT	300

FIXTURE(cli) {
	int unused;
};

FIXTURE_SETUP(cli)
{
}

FIXTURE_TEARDOWN(cli)
{
}

TEST_F_TIMEOUT(cli, help_everywhere, LONG_TIMEOUT)
{
	static const char *const groups[] = {
		"create", "join", "list", "show", "commit", "set", "destroy",
		"export-secret", "authenticator", "context",
	};
	struct run r;
	size_t i;

	NEED_MLSCTL();
	EXPECT_EQ(0, run(&r, "help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "objects:"));
	EXPECT_STREQ("", r.err);
	run_free(&r);
	EXPECT_EQ(0, run(&r, "-h", NULL));
	EXPECT_NE(NULL, strstr(r.out, "-j, --json"));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "group", "help", NULL));
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		EXPECT_NE(NULL, strstr(r.out, groups[i]));
	run_free(&r);
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		EXPECT_EQ(0, run(&r, "group", groups[i], "help", NULL));
		EXPECT_EQ(0, strncmp(r.out, "usage: mlsctl group ", 20)) TH_LOG("%s", r.out);
		EXPECT_STREQ("", r.err);
		run_free(&r);
	}
	EXPECT_EQ(0, run(&r, "key", "help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "generate"));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "key", "generate", "help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "usage: mlsctl key generate"));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "key", "public", "--help", NULL));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "encrypt", "help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "usage: mlsctl encrypt ID"));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "decrypt", "help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "usage: mlsctl decrypt ID"));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "version", "help", NULL));
	run_free(&r);
	/* Prefixes: "gr cr help" is "group create help" */
	EXPECT_EQ(0, run(&r, "gr", "cr", "help", NULL));
	EXPECT_EQ(0, strncmp(r.out, "usage: mlsctl group create", 26));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "e", "help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "encrypt"));
	run_free(&r);
}

TEST_F_TIMEOUT(cli, usage_errors_exit_1, LONG_TIMEOUT)
{
	static const char *const cases[][8] = {
		{ NULL },				/* no object */
		{ "-x", "version", NULL },		/* unknown option */
		{ "bogus", NULL },			/* unknown object */
		{ "group", NULL },			/* no command */
		{ "group", "bogus", NULL },
		{ "group", "c", NULL },			/* ambiguous: create commit context */
		{ "version", "extra", NULL },
		{ "group", "show", "abc", NULL },
		{ "group", "show", "1", "2", NULL },
		{ "group", "show", "-1", NULL },
		{ "group", "show", "99999999999", NULL },
		{ "group", "create", "suite", NULL },	/* a value missing */
		{ "group", "create", "suite", "9", NULL },
		{ "group", "create", "suite", "x", NULL },
		{ "group", "create", "group-id", "xyz", NULL },
		{ "group", "create", "group-id", "abc", NULL },	/* odd hex */
		{ "group", "create", "mode", "0999", NULL },
		{ "group", "create", "mode", "12345", NULL },
		{ "group", "create", "bogus", NULL },
		{ "group", "create", "joiner-secret", "/nonexistent", NULL },
		{ "group", "create", "init-secret", "/nonexistent", NULL },
		{ "group", "create", "epoch", "-3", NULL },
		{ "group", "join", "suite", "1", NULL },	/* missing words */
		{ "group", "commit", NULL },
		{ "group", "commit", "x", NULL },
		{ "group", "commit", "1", "leaf", "1", NULL },
		{ "-j", "group", "commit", "1", "joiner-secret-out", "-", NULL },
		{ "group", "commit", "1", "bogus", NULL },
		{ "group", "set", "1", NULL },			/* nothing to set */
		{ "group", "set", "1", "epochs-kept", NULL },
		{ "group", "set", "1", "epochs-kept", "x", NULL },
		{ "group", "set", "1", "bogus", "1", NULL },
		{ "group", "destroy", NULL },
		{ "group", "destroy", "1", "2", NULL },
		{ "group", "export-secret", "1", NULL },	/* no label */
		{ "group", "export-secret", "1", "label", "x", "length", "0", NULL },
		{ "group", "export-secret", "1", "label", "x", "length", "1025", NULL },
		{ "group", "export-secret", "1", "label", "x", "context", "zz", NULL },
		{ "group", "authenticator", NULL },
		{ "group", "context", "1", "epoch", NULL },
		{ "group", "context", "1", "epoch", "x", NULL },
		{ "encrypt", NULL },
		{ "encrypt", "1", "aad", "q", NULL },
		{ "encrypt", "1", "type", "bogus", NULL },
		{ "encrypt", "1", "bogus", "x", NULL },
		{ "encrypt", "1", "sign-key", NULL },
		{ "encrypt", "1", "sign-key", "k", "type", "commit", NULL },
		{ "encrypt", "1", "sign-key", "-", NULL },	/* key and content on stdin */
		{ "decrypt", NULL },
		{ "decrypt", "1", "sender-key", "x", "k", NULL },
		{ "decrypt", "1", "sender-key", "1", NULL },
		{ "decrypt", "1", "bogus", "x", NULL },
		{ "key", NULL },
		{ "key", "generate", "suite", "0", NULL },
		{ "key", "generate", "bogus", "1", NULL },
		{ "key", "public", "in", "/nonexistent", NULL },
		{ "key", "public", "suite", "8", NULL },
	};
	struct run r;
	size_t i;

	NEED_MLSCTL();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *const *c = cases[i];

		char line[256] = "";
		int k;

		for (k = 0; k < 8 && c[k]; k++) {
			strncat(line, " ", sizeof(line) - strlen(line) - 1);
			strncat(line, c[k], sizeof(line) - strlen(line) - 1);
		}
		run(&r, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
		EXPECT_EQ(1, r.status) TH_LOG("mlsctl%s: %s", line, r.err);
		EXPECT_STREQ("", r.out) TH_LOG("case %zu wrote to stdout", i);
		EXPECT_NE(0, strlen(r.err)) TH_LOG("case %zu said nothing", i);
		run_free(&r);
	}
}

/* Secrets come from files: a value on the command line is a file name. */
TEST(secrets_never_on_argv)
{
	struct run r;

	NEED_MLSCTL();
	EXPECT_EQ(1, run(&r, "group", "join", "suite", "1", "group-id", "00",
			 "joiner-secret",
			 "0000000000000000000000000000000000000000000000000000000000000000",
			 "epoch", "1", "leaf", "1", "leaves", "2", NULL));
	EXPECT_NE(NULL, strstr(r.err, "No such file or directory")) TH_LOG("%s", r.err);
	run_free(&r);
}

TEST_F_TIMEOUT(cli, key_generate_public, LONG_TIMEOUT)
{
	static const char *const schemes[] = {
		NULL, "ed25519", "ecdsa_secp256r1_sha256", "ed25519", "ed448",
		"ecdsa_secp521r1_sha512", "ed448", "ecdsa_secp384r1_sha384",
	};
	static const size_t pub_len[] = { 0, 32, 65, 32, 57, 133, 57, 97 };
	char dir[64], suite[4];
	struct stat st;
	struct run r;
	json_t *j;
	int s;

	NEED_MLSCTL();
	scratch(dir, sizeof(dir));
	for (s = 1; s <= 7; s++) {
		snprintf(suite, sizeof(suite), "%d", s);
		ASSERT_EQ(0, run(&r, "key", "generate", "suite", suite, "out",
				 at(dir, "k.pem"), NULL));
		EXPECT_STREQ("", r.out);
		run_free(&r);
		ASSERT_EQ(0, stat(at(dir, "k.pem"), &st));
		EXPECT_EQ(0600, st.st_mode & 0777);
		ASSERT_EQ(0, run(&r, "key", "public", "in", at(dir, "k.pem"), NULL));
		EXPECT_EQ(0, strncmp(r.out, "-----BEGIN PUBLIC KEY-----\n", 27));
		run_free(&r);
		ASSERT_EQ(0, run(&r, "-j", "key", "public", "in", at(dir, "k.pem"), NULL));
		j = parse(_metadata, &r);
		ASSERT_NE(NULL, j);
		EXPECT_EQ(0, schema(j, "scheme:s,scheme_id:i,public_key:s"));
		EXPECT_STREQ(schemes[s], json_string_value(json_object_get(j, "scheme")));
		EXPECT_TRUE(is_hex(json_string_value(json_object_get(j, "public_key")),
				   2 * pub_len[s]));
		json_decref(j);
		run_free(&r);
	}
	/* To stdout, and read back from stdin */
	ASSERT_EQ(0, run(&r, "key", "generate", NULL));
	EXPECT_EQ(0, strncmp(r.out, "-----BEGIN PRIVATE KEY-----\n", 28));
	{
		struct run p;

		EXPECT_EQ(0, run_in(&p, r.out, "key", "public", NULL));
		EXPECT_EQ(0, strncmp(p.out, "-----BEGIN PUBLIC KEY-----\n", 27));
		run_free(&p);
		/* a raw private key needs a suite; with it, hex is fine */
		EXPECT_EQ(0, run_in(&p, ED25519_PRIV_HEX, "-j", "key", "public",
				    "suite", "1", NULL));
		EXPECT_NE(NULL, strstr(p.out, ED25519_PUB_HEX)) TH_LOG("%s", p.out);
		run_free(&p);
		EXPECT_EQ(1, run_in(&p, "d75a98", "key", "public", NULL));
		run_free(&p);
	}
	run_free(&r);
	rm_scratch(dir);
}

/* ------------------------------------------------------------ the kernel */

TEST(version)
{
	struct run r;
	json_t *j, *s;
	size_t i;

	NEED_DEV();
	ASSERT_EQ(0, run(&r, "version", NULL));
	EXPECT_NE(NULL, strstr(r.out, "api version:    1"));
	EXPECT_NE(NULL, strstr(r.out, "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519"));
	EXPECT_STREQ("", r.err);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "version", NULL));
	j = parse(_metadata, &r);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(0, schema(j, VERSION_SCHEMA));
	EXPECT_EQ(1, json_integer_value(json_object_get(j, "api_version")));
	s = json_object_get(j, "suites");
	ASSERT_EQ(7, json_array_size(s));
	for (i = 0; i < 7; i++)
		EXPECT_EQ((json_int_t)i + 1, json_integer_value(json_array_get(s, i)));
	s = json_object_get(j, "feature_names");
	ASSERT_EQ(3, json_array_size(s));
	EXPECT_STREQ("version_ioctl", json_string_value(json_array_get(s, 0)));
	EXPECT_STREQ("groups", json_string_value(json_array_get(s, 1)));
	EXPECT_STREQ("evbuf", json_string_value(json_array_get(s, 2)));
	json_decref(j);
	run_free(&r);
	/* --json and a prefix */
	ASSERT_EQ(0, run(&r, "--json", "ver", NULL));
	j = parse(_metadata, &r);
	EXPECT_NE(NULL, j);
	json_decref(j);
	run_free(&r);
}

TEST(group_create_show_list_destroy)
{
	unsigned long id, id2;
	char ids[24], ids2[24];
	struct run r;
	json_t *j, *g, *e;
	size_t i;
	int found;

	NEED_DEV();
	id = create(_metadata, "group", "create", NULL);
	ASSERT_NE(0, id);
	snprintf(ids, sizeof(ids), "%lu", id);
	id2 = create(_metadata, "group", "create", "suite", "3", "group-id",
		     "6d6c732d74657374", "mode", "0640", NULL);
	ASSERT_NE(0, id2);
	snprintf(ids2, sizeof(ids2), "%lu", id2);

	/* text */
	ASSERT_EQ(0, run(&r, "group", "show", ids2, NULL));
	EXPECT_NE(NULL, strstr(r.out, "group-id 6d6c732d74657374 suite 3"));
	EXPECT_NE(NULL, strstr(r.out, "state active epoch 0"));
	EXPECT_NE(NULL, strstr(r.out, "mode 0640"));
	run_free(&r);
	ASSERT_EQ(0, run(&r, "group", "list", NULL));
	EXPECT_NE(NULL, strstr(r.out, ids));
	run_free(&r);

	/* JSON: one group */
	ASSERT_EQ(0, run(&r, "-j", "group", "show", ids2, NULL));
	j = parse(_metadata, &r);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(0, schema(j, GROUP_SCHEMA));
	EXPECT_EQ(0, schema(json_object_get(j, "policy"), POLICY_SCHEMA));
	EXPECT_EQ((json_int_t)id2, json_integer_value(json_object_get(j, "id")));
	EXPECT_STREQ("6d6c732d74657374", json_string_value(json_object_get(j, "group_id")));
	EXPECT_EQ(3, json_integer_value(json_object_get(j, "suite")));
	EXPECT_STREQ("MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519",
		     json_string_value(json_object_get(j, "suite_name")));
	EXPECT_STREQ("active", json_string_value(json_object_get(j, "state")));
	EXPECT_STREQ("0640", json_string_value(json_object_get(j, "mode")));
	EXPECT_EQ(0, json_array_size(json_object_get(j, "flags")));
	EXPECT_EQ(0, json_integer_value(json_object_get(j, "own_leaf")));
	EXPECT_EQ(1, json_integer_value(json_object_get(j, "leaf_count")));
	EXPECT_EQ(0, json_integer_value(json_object_get(j, "epoch")));
	json_decref(j);
	run_free(&r);

	/* JSON: every group, and the list */
	ASSERT_EQ(0, run(&r, "-j", "group", "show", NULL));
	j = parse(_metadata, &r);
	ASSERT_TRUE(json_is_array(j));
	found = 0;
	json_array_foreach(j, i, g) {
		EXPECT_EQ(0, schema(g, GROUP_SCHEMA));
		e = json_object_get(g, "id");
		found += json_integer_value(e) == (json_int_t)id ||
			 json_integer_value(e) == (json_int_t)id2;
	}
	EXPECT_EQ(2, found);
	json_decref(j);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "group", "list", NULL));
	j = parse(_metadata, &r);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(0, schema(j, "groups:a"));
	found = 0;
	json_array_foreach(json_object_get(j, "groups"), i, e)
		found += json_integer_value(e) == (json_int_t)id;
	EXPECT_EQ(1, found);
	json_decref(j);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "group", "create", "ephemeral", NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(0, schema(j, "id:i"));
	/* ephemeral: gone with mlsctl's descriptor */
	snprintf(ids, sizeof(ids), "%lld", json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	run_free(&r);
	EXPECT_EQ(2, run(&r, "group", "show", ids, NULL));
	run_free(&r);

	/* destroy: then ENOENT, in words */
	snprintf(ids, sizeof(ids), "%lu", id);
	ASSERT_EQ(0, run(&r, "group", "destroy", ids, NULL));
	EXPECT_STREQ("", r.out);
	run_free(&r);
	EXPECT_EQ(2, run(&r, "group", "show", ids, NULL));
	EXPECT_NE(NULL, strstr(r.err, "No such file or directory (ENOENT: no such group"))
		TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	run_free(&r);
	EXPECT_EQ(2, run(&r, "group", "destroy", ids, NULL));
	run_free(&r);
	EXPECT_EQ(2, run(&r, "-j", "group", "show", "4294967295", NULL));
	EXPECT_STREQ("", r.out);
	run_free(&r);
	destroy(id2);
}

/* The kernel refuses: exit 2 with the errno's name and meaning. */
TEST(kernel_errors_exit_2)
{
	char dir[64], ids[24];
	unsigned long id;
	struct run r;

	NEED_DEV();
	scratch(dir, sizeof(dir));
	/*
	 * A secret of the wrong length is a usage error; the kernel's limits
	 * are kernel errors.
	 */
	put(dir, "short", "0011");
	EXPECT_EQ(1, run(&r, "group", "create", "init-secret", at(dir, "short"), NULL));
	EXPECT_NE(NULL, strstr(r.err, "want 32 bytes")) TH_LOG("%s", r.err);
	run_free(&r);
	/* a plain create at epoch 5 */
	EXPECT_EQ(2, run(&r, "group", "create", "epoch", "5", NULL));
	EXPECT_NE(NULL, strstr(r.err, "Invalid argument (EINVAL")) TH_LOG("%s", r.err);
	run_free(&r);
	id = create(_metadata, "group", "create", NULL);
	ASSERT_NE(0, id);
	snprintf(ids, sizeof(ids), "%lu", id);
	EXPECT_EQ(2, run(&r, "group", "commit", ids, "epoch", "7", NULL));
	EXPECT_NE(NULL, strstr(r.err, "(ESTALE:")) TH_LOG("%s", r.err);
	run_free(&r);
	EXPECT_EQ(2, run(&r, "group", "set", ids, "epochs-kept", "100000", NULL));
	EXPECT_NE(NULL, strstr(r.err, "EINVAL")) TH_LOG("%s", r.err);
	run_free(&r);
	EXPECT_EQ(2, run(&r, "group", "context", ids, "epoch", "3", NULL));
	EXPECT_NE(NULL, strstr(r.err, "(EAGAIN:")) TH_LOG("%s", r.err);
	run_free(&r);
	EXPECT_EQ(1, run_in(&r, "garbage", "decrypt", ids, NULL));
	EXPECT_NE(NULL, strstr(r.err, "not an MLSMessage")) TH_LOG("%s", r.err);
	run_free(&r);
	EXPECT_EQ(2, run_in(&r, "00010002ff\n", "decrypt", ids, NULL));
	EXPECT_NE(NULL, strstr(r.err, "(EBADMSG:")) TH_LOG("%s", r.err);
	run_free(&r);
	destroy(id);
	rm_scratch(dir);
}

/* Another user cannot open a 0600 group: EACCES, and show skips it. */
TEST(other_user)
{
	unsigned long id;
	char ids[24];
	struct run r;
	json_t *j, *g;
	size_t i;

	NEED_DEV();
	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	id = create(_metadata, "group", "create", NULL);
	ASSERT_NE(0, id);
	snprintf(ids, sizeof(ids), "%lu", id);
	EXPECT_EQ(2, run_as(&r, 1000, "group", "show", ids, NULL));
	EXPECT_NE(NULL, strstr(r.err, "Permission denied (EACCES")) TH_LOG("%s", r.err);
	run_free(&r);
	EXPECT_EQ(0, run_as(&r, 1000, "-j", "group", "show", NULL));
	j = parse(_metadata, &r);
	ASSERT_TRUE(json_is_array(j));
	json_array_foreach(j, i, g)
		EXPECT_NE((json_int_t)id, json_integer_value(json_object_get(g, "id")));
	EXPECT_NE(NULL, strstr(r.err, ids));
	json_decref(j);
	run_free(&r);
	EXPECT_EQ(2, run_as(&r, 1000, "group", "destroy", ids, NULL));
	run_free(&r);
	destroy(id);
}

/* @nh bytes of @c, as hex and a newline, in a static buffer. */
static const char *hexfill(char c, const char *suite)
{
	static char buf[2 * 64 + 2];
	int s = atoi(suite);
	size_t nh = s <= 3 ? 32 : s == 7 ? 48 : 64;

	memset(buf, c, 2 * nh);
	buf[2 * nh] = '\n';
	buf[2 * nh + 1] = '\0';
	return buf;
}

/* Alice creates and adds Bob, who joins from the joiner secret. */
struct pair_ids {
	unsigned long a, b;
	char as[24], bs[24];
};

static int make_pair(struct __test_metadata *_metadata, const char *dir,
		     const char *suite, struct pair_ids *p)
{
	static const char th[] =
		"1111111111111111111111111111111111111111111111111111111111111111";
	static const char cth[] =
		"2222222222222222222222222222222222222222222222222222222222222222";
	struct run r;

	p->a = create(_metadata, "group", "create", "suite", suite, "group-id",
		      "70616972", NULL);
	if (!p->a)
		return -1;
	snprintf(p->as, sizeof(p->as), "%lu", p->a);
	/* the commit secret as hex (raw bytes would do as well) */
	put(dir, "commit1", hexfill('5', suite));
	if (run(&r, "group", "commit", p->as, "leaves", "2", "commit-secret",
		at(dir, "commit1"), "tree-hash", th, "transcript-hash", cth,
		"joiner-secret-out", at(dir, "joiner"), NULL)) {
		TH_LOG("commit: %s", r.err);
		run_free(&r);
		return -1;
	}
	run_free(&r);
	p->b = create(_metadata, "group", "join", "suite", suite, "group-id", "70616972",
		      "joiner-secret", at(dir, "joiner"), "epoch", "1", "leaf", "1",
		      "leaves", "2", "tree-hash", th, "transcript-hash", cth, NULL);
	if (!p->b)
		return -1;
	snprintf(p->bs, sizeof(p->bs), "%lu", p->b);
	return 0;
}

TEST(join_authenticator_exporter_context)
{
	struct pair_ids p;
	struct run r, r2;
	struct stat st;
	char dir[64];
	json_t *j;

	NEED_DEV();
	scratch(dir, sizeof(dir));
	ASSERT_EQ(0, make_pair(_metadata, dir, "1", &p));
	ASSERT_EQ(0, stat(at(dir, "joiner"), &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	EXPECT_EQ(65, st.st_size);	/* hex and a newline */

	ASSERT_EQ(0, run(&r, "group", "authenticator", p.as, NULL));
	ASSERT_EQ(0, run(&r2, "group", "auth", p.bs, NULL));
	EXPECT_STREQ(r.out, r2.out);
	EXPECT_EQ(65, strlen(r.out));
	run_free(&r);
	run_free(&r2);
	ASSERT_EQ(0, run(&r, "-j", "group", "authenticator", p.bs, NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(0, schema(j, "id:i,epoch:i,authenticator:s"));
	EXPECT_EQ(1, json_integer_value(json_object_get(j, "epoch")));
	EXPECT_TRUE(is_hex(json_string_value(json_object_get(j, "authenticator")), 64));
	json_decref(j);
	run_free(&r);

	ASSERT_EQ(0, run(&r, "group", "export-secret", p.as, "label", "app",
			 "context", "00ff", "length", "16", NULL));
	ASSERT_EQ(0, run(&r2, "group", "export-secret", p.bs, "label", "app",
			 "context", "00ff", "length", "16", NULL));
	EXPECT_STREQ(r.out, r2.out);
	EXPECT_EQ(33, strlen(r.out));
	run_free(&r2);
	ASSERT_EQ(0, run(&r2, "-j", "group", "export-secret", p.bs, "label", "app",
			 "context", "00ff", "length", "16", NULL));
	j = parse(_metadata, &r2);
	EXPECT_EQ(0, schema(j, "id:i,epoch:i,label:s|n,context:s,length:i,secret:s"));
	EXPECT_EQ(0, strncmp(json_string_value(json_object_get(j, "secret")), r.out, 32));
	EXPECT_STREQ("app", json_string_value(json_object_get(j, "label")));
	EXPECT_STREQ("00ff", json_string_value(json_object_get(j, "context")));
	json_decref(j);
	run_free(&r);
	run_free(&r2);
	ASSERT_EQ(0, run(&r, "group", "export-secret", p.as, "label", "app", "out",
			 at(dir, "exp"), NULL));
	EXPECT_STREQ("", r.out);
	run_free(&r);
	ASSERT_EQ(0, stat(at(dir, "exp"), &st));
	EXPECT_EQ(0600, st.st_mode & 0777);

	ASSERT_EQ(0, run(&r, "group", "context", p.as, NULL));
	ASSERT_EQ(0, run(&r2, "group", "context", p.bs, "epoch", "1", NULL));
	EXPECT_STREQ(r.out, r2.out);
	/* version 1, suite 1, group_id<V> "pair", epoch 1 */
	EXPECT_EQ(0, strncmp(r.out, "0001000104706169720000000000000001", 34)) TH_LOG("%s", r.out);
	run_free(&r);
	run_free(&r2);
	ASSERT_EQ(0, run(&r, "-j", "group", "context", p.as, NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(0, schema(j, "id:i,epoch:i,context:s"));
	json_decref(j);
	run_free(&r);

	ASSERT_EQ(0, run(&r, "-j", "group", "show", p.bs, NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(1, json_integer_value(json_object_get(j, "own_leaf")));
	EXPECT_EQ(2, json_integer_value(json_object_get(j, "leaf_count")));
	EXPECT_EQ(1, json_integer_value(json_object_get(j, "epoch")));
	json_decref(j);
	run_free(&r);
	destroy(p.a);
	destroy(p.b);
	rm_scratch(dir);
}

/*
 * A pair in @suite, each member with a key: alice's public key as PEM,
 * bob's as the raw hex a LeafNode carries.
 */
struct keyed_pair {
	char dir[64];
	struct pair_ids p;
};

static void keyed_pair_make(struct __test_metadata *_metadata,
			    struct keyed_pair *k, const char *suite)
{
	struct run r;
	json_t *j;

	scratch(k->dir, sizeof(k->dir));
	ASSERT_EQ(0, make_pair(_metadata, k->dir, suite, &k->p));
	ASSERT_EQ(0, run(&r, "key", "generate", "suite", suite, "out",
			 at(k->dir, "alice.key"), NULL));
	run_free(&r);
	ASSERT_EQ(0, run(&r, "key", "generate", "suite", suite, "out",
			 at(k->dir, "bob.key"), NULL));
	run_free(&r);
	ASSERT_EQ(0, run(&r, "key", "public", "in", at(k->dir, "alice.key"), NULL));
	put(k->dir, "alice.pub", r.out);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "key", "public", "in", at(k->dir, "bob.key"), NULL));
	j = parse(_metadata, &r);
	ASSERT_NE(NULL, j);
	put(k->dir, "bob.pub", json_string_value(json_object_get(j, "public_key")));
	json_decref(j);
	run_free(&r);
}

static void keyed_pair_free(struct keyed_pair *k)
{
	if (k->p.a)
		destroy(k->p.a);
	if (k->p.b)
		destroy(k->p.b);
	if (k->dir[0])
		rm_scratch(k->dir);
}

/* Signed messages both ways, in every suite. */
FIXTURE(msgs) {
	struct keyed_pair k;
};

FIXTURE_VARIANT(msgs) {
	const char *suite;
};

FIXTURE_VARIANT_ADD(msgs, cs1) { .suite = "1" };
FIXTURE_VARIANT_ADD(msgs, cs2) { .suite = "2" };
FIXTURE_VARIANT_ADD(msgs, cs3) { .suite = "3" };
FIXTURE_VARIANT_ADD(msgs, cs4) { .suite = "4" };
FIXTURE_VARIANT_ADD(msgs, cs5) { .suite = "5" };
FIXTURE_VARIANT_ADD(msgs, cs6) { .suite = "6" };
FIXTURE_VARIANT_ADD(msgs, cs7) { .suite = "7" };

FIXTURE_SETUP(msgs)
{
	memset(&self->k, 0, sizeof(self->k));
	if (!have_mlsctl() || !have_dev())
		SKIP(return, "no mlsctl or no /dev/mls");
	keyed_pair_make(_metadata, &self->k, variant->suite);
}

FIXTURE_TEARDOWN(msgs)
{
	keyed_pair_free(&self->k);
}

/* What goes wrong, once (suite 1). */
FIXTURE(refusals) {
	struct keyed_pair k;
};

FIXTURE_SETUP(refusals)
{
	memset(&self->k, 0, sizeof(self->k));
	if (!have_mlsctl() || !have_dev())
		SKIP(return, "no mlsctl or no /dev/mls");
	keyed_pair_make(_metadata, &self->k, "1");
}

FIXTURE_TEARDOWN(refusals)
{
	keyed_pair_free(&self->k);
}

#define NEED_PAIR() do {						\
	if (!self->k.p.b)						\
		SKIP(return, "no pair");				\
} while (0)

TEST_F_TIMEOUT(msgs, signed_both_ways, LONG_TIMEOUT)
{
	const char *d = self->k.dir;
	struct run r;
	json_t *j;

	NEED_PAIR();
	/* alice -> bob, signed; bob verifies with alice's PEM key */
	ASSERT_EQ(0, run_in(&r, "hello bob", "encrypt", self->k.p.as, "sign-key",
			    at(d, "alice.key"), "aad", "6869", "out", at(d, "m1"), NULL));
	EXPECT_STREQ("", r.out);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "decrypt", self->k.p.bs, "verify-key", at(d, "alice.pub"),
			 "in", at(d, "m1"), NULL));
	EXPECT_STREQ("hello bob", r.out);
	EXPECT_STREQ("", r.err);
	run_free(&r);
	/* a replay */
	EXPECT_EQ(2, run(&r, "decrypt", self->k.p.bs, "in", at(d, "m1"), NULL));
	EXPECT_NE(NULL, strstr(r.err, "(EALREADY:")) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	run_free(&r);

	/* bob -> alice, JSON both sides, the message as hex */
	ASSERT_EQ(0, run_in(&r, "hello alice", "-j", "encrypt", self->k.p.bs, "sign-key",
			    at(d, "bob.key"), NULL));
	j = parse(_metadata, &r);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(0, schema(j, ENCRYPT_SCHEMA));
	EXPECT_EQ(1, json_integer_value(json_object_get(j, "epoch")));
	EXPECT_EQ(0, json_integer_value(json_object_get(j, "generation")));
	EXPECT_TRUE(json_is_true(json_object_get(j, "signed")));
	EXPECT_STREQ("application", json_string_value(json_object_get(j, "content_type")));
	put(d, "m2.hex", json_string_value(json_object_get(j, "message")));
	json_decref(j);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "decrypt", self->k.p.as, "sender-key", "1",
			 at(d, "bob.pub"), "in", at(d, "m2.hex"), NULL));
	j = parse(_metadata, &r);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(0, schema(j, DECRYPT_SCHEMA));
	EXPECT_EQ(1, json_integer_value(json_object_get(j, "sender_leaf")));
	EXPECT_EQ(1, json_integer_value(json_object_get(j, "epoch")));
	EXPECT_STREQ("hello alice", json_string_value(json_object_get(j, "text")));
	EXPECT_STREQ("68656c6c6f20616c696365", json_string_value(json_object_get(j, "content")));
	EXPECT_TRUE(json_is_true(json_object_get(j, "verified")));
	json_decref(j);
	run_free(&r);
}

/* A rotation, a late message of the old epoch, one past retention. */
TEST_F_TIMEOUT(refusals, rotation_late_expiry, LONG_TIMEOUT)
{
	const char *d = self->k.dir;
	struct run r;
	json_t *j;

	NEED_PAIR();
	/* Two more from alice in epoch 1, delivered late */
	ASSERT_EQ(0, run_in(&r, "late", "encrypt", self->k.p.as, "sign-key",
			    at(d, "alice.key"), "out", at(d, "late1"), NULL));
	run_free(&r);
	ASSERT_EQ(0, run_in(&r, "later", "encrypt", self->k.p.as, "sign-key",
			    at(d, "alice.key"), "out", at(d, "late2"), NULL));
	run_free(&r);

	/* Rotation: both commit epoch 2 with one commit secret, from stdin */
	ASSERT_EQ(0, run_in(&r, hexfill('3', "1"), "-j", "group", "commit",
			    self->k.p.as, "commit-secret", "-", NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(0, schema(j, "id:i,epoch:i"));
	EXPECT_EQ(2, json_integer_value(json_object_get(j, "epoch")));
	json_decref(j);
	run_free(&r);
	ASSERT_EQ(0, run_in(&r, hexfill('3', "1"), "group", "commit",
			    self->k.p.bs, "commit-secret", "-", NULL));
	EXPECT_STREQ("", r.out);
	run_free(&r);
	/* messages of epoch 2 */
	ASSERT_EQ(0, run_in(&r, "new epoch", "encrypt", self->k.p.bs, "sign-key",
			    at(d, "bob.key"), "out", at(d, "m3"), NULL));
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "decrypt", self->k.p.as, "verify-key", at(d, "bob.pub"),
			 "in", at(d, "m3"), NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(2, json_integer_value(json_object_get(j, "epoch")));
	json_decref(j);
	run_free(&r);
	/* the late message of epoch 1 still opens, verified */
	ASSERT_EQ(0, run(&r, "-j", "decrypt", self->k.p.bs, "verify-key",
			 at(d, "alice.pub"), "in", at(d, "late1"), NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(1, json_integer_value(json_object_get(j, "epoch")));
	EXPECT_STREQ("late", json_string_value(json_object_get(j, "text")));
	json_decref(j);
	run_free(&r);
	/* a grace period of 1 ms, long past: the other late message is refused */
	ASSERT_EQ(0, run(&r, "group", "set", self->k.p.bs, "epoch-max-age", "1", NULL));
	run_free(&r);
	usleep(20000);
	EXPECT_EQ(2, run(&r, "decrypt", self->k.p.bs, "verify-key", at(d, "alice.pub"),
			 "in", at(d, "late2"), NULL));
	EXPECT_NE(NULL, strstr(r.err, "Key has expired (EKEYEXPIRED:")) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	run_free(&r);
}

TEST_F_TIMEOUT(refusals, verify_failures, LONG_TIMEOUT)
{
	const char *d = self->k.dir;
	struct run r;
	json_t *j;

	NEED_PAIR();
	/* the wrong key: the signature fails, nothing printed */
	ASSERT_EQ(0, run_in(&r, "x", "encrypt", self->k.p.as, "sign-key",
			    at(d, "alice.key"), "out", at(d, "m"), NULL));
	run_free(&r);
	EXPECT_EQ(2, run(&r, "decrypt", self->k.p.bs, "verify-key", at(d, "bob.pub"),
			 "in", at(d, "m"), NULL));
	EXPECT_NE(NULL, strstr(r.err, "(EBADMSG:")) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	run_free(&r);
	/* no key for this sender */
	ASSERT_EQ(0, run_in(&r, "y", "encrypt", self->k.p.as, "sign-key",
			    at(d, "alice.key"), "out", at(d, "m"), NULL));
	run_free(&r);
	EXPECT_EQ(2, run(&r, "decrypt", self->k.p.bs, "sender-key", "1", at(d, "bob.pub"),
			 "in", at(d, "m"), NULL));
	EXPECT_NE(NULL, strstr(r.err, "(ENOKEY:")) TH_LOG("%s", r.err);
	run_free(&r);
	/* unsigned: decrypts without a key, fails with one */
	ASSERT_EQ(0, run_in(&r, "z", "encrypt", self->k.p.as, "out", at(d, "m"), NULL));
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "decrypt", self->k.p.bs, "in", at(d, "m"), NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(0, schema(j, DECRYPT_SCHEMA));
	EXPECT_TRUE(json_is_false(json_object_get(j, "verified")));
	EXPECT_STREQ("", json_string_value(json_object_get(j, "signature")));
	json_decref(j);
	run_free(&r);
	/* a key of the wrong kind for the suite: usage */
	put(d, "junk.pub", "not a key\n");
	EXPECT_EQ(1, run(&r, "decrypt", self->k.p.bs, "verify-key", at(d, "junk.pub"),
			 "in", at(d, "m"), NULL));
	run_free(&r);
	/* binary content; a commit message */
	ASSERT_EQ(0, run_in(&r, "\x01\x02\x03", "encrypt", self->k.p.as, "out",
			    at(d, "bin"), NULL));
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "decrypt", self->k.p.bs, "in", at(d, "bin"), NULL));
	j = parse(_metadata, &r);
	EXPECT_TRUE(json_is_null(json_object_get(j, "text")));
	EXPECT_STREQ("010203", json_string_value(json_object_get(j, "content")));
	json_decref(j);
	run_free(&r);
	ASSERT_EQ(0, run_in(&r, "commit", "encrypt", self->k.p.as, "type", "commit",
			    "out", at(d, "c"), NULL));
	run_free(&r);
	EXPECT_EQ(2, run(&r, "decrypt", self->k.p.bs, "verify-key", at(d, "alice.pub"),
			 "in", at(d, "c"), NULL));
	EXPECT_NE(NULL, strstr(r.err, "(ENOMSG:")) TH_LOG("%s", r.err);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "decrypt", self->k.p.bs, "in", at(d, "c"), NULL));
	j = parse(_metadata, &r);
	EXPECT_STREQ("commit", json_string_value(json_object_get(j, "content_type")));
	json_decref(j);
	run_free(&r);
}

TEST(group_set_policy)
{
	unsigned long id;
	char ids[24];
	struct run r;
	json_t *j, *p;

	NEED_DEV();
	id = create(_metadata, "group", "create", NULL);
	ASSERT_NE(0, id);
	snprintf(ids, sizeof(ids), "%lu", id);
	ASSERT_EQ(0, run(&r, "group", "set", ids, "epochs-kept", "3", "epoch-max-age",
			 "5000", "out-of-order", "7", "max-forward", "99", "padding",
			 "64", NULL));
	EXPECT_STREQ("", r.out);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "group", "show", ids, NULL));
	j = parse(_metadata, &r);
	p = json_object_get(j, "policy");
	EXPECT_EQ(3, json_integer_value(json_object_get(p, "epochs_kept")));
	EXPECT_EQ(5000, json_integer_value(json_object_get(p, "epoch_max_age_ms")));
	EXPECT_EQ(7, json_integer_value(json_object_get(p, "out_of_order")));
	EXPECT_EQ(99, json_integer_value(json_object_get(p, "max_forward")));
	EXPECT_EQ(64, json_integer_value(json_object_get(p, "padding_block")));
	json_decref(j);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "group", "show", ids, NULL));
	EXPECT_NE(NULL, strstr(r.out, "epochs-kept 3 epoch-max-age 5000"));
	run_free(&r);
	destroy(id);
}

TEST_HARNESS_MAIN
