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
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <libmls.h>
#include <mls_client.h>

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
	"oldest_epoch:i,policy:o,recv_unsaved:i"
#define POLICY_SCHEMA "out_of_order:i,max_forward:i,epochs_kept:i," \
	"epoch_max_age_ms:i,padding_block:i,encrypt_rate:i,encrypt_burst:i," \
	"commit_timeout_ms:i,recv_save:i,recv_save_strict:b"
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
	static const char *const members[] = {
		"keypackage", "create", "join", "add", "remove", "update",
		"commit", "propose", "reinit", "reinit-create", "reinit-join",
		"process", "send", "receive", "show",
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
	EXPECT_EQ(0, run(&r, "member", "help", NULL));
	for (i = 0; i < ARRAY_SIZE(members); i++)
		EXPECT_NE(NULL, strstr(r.out, members[i]));
	run_free(&r);
	for (i = 0; i < ARRAY_SIZE(members); i++) {
		EXPECT_EQ(0, run(&r, "member", members[i], "help", NULL));
		EXPECT_EQ(0, strncmp(r.out, "usage: mlsctl member ", 21)) TH_LOG("%s", r.out);
		EXPECT_STREQ("", r.err);
		run_free(&r);
	}
	/* an exact name before a longer one it begins */
	EXPECT_EQ(0, run(&r, "member", "reinit", "help", NULL));
	EXPECT_EQ(0, strncmp(r.out, "usage: mlsctl member reinit state", 33))
		TH_LOG("%s", r.out);
	run_free(&r);
	EXPECT_EQ(0, run(&r, "member", "reinit-j", "help", NULL));
	EXPECT_EQ(0, strncmp(r.out, "usage: mlsctl member reinit-join ", 33))
		TH_LOG("%s", r.out);
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
	EXPECT_EQ(0, run(&r, "monitor", "help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "usage: mlsctl monitor [count N] [timeout MS]"));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "stats", "help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "usage: mlsctl stats [prometheus]"));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "health", "--help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "usage: mlsctl health"));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "drain", "help", NULL));
	EXPECT_NE(NULL, strstr(r.out,
			       "usage: mlsctl drain [destroy] [timeout MS] | cancel"));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "help", NULL));
	EXPECT_NE(NULL, strstr(r.out, "monitor"));
	EXPECT_NE(NULL, strstr(r.out, "stats"));
	EXPECT_NE(NULL, strstr(r.out, "health"));
	EXPECT_NE(NULL, strstr(r.out, "drain"));
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
		{ "encrypt", "1", NULL },			/* application, unsigned */
		{ "encrypt", "1", "type", "application", NULL },
		{ "decrypt", NULL },
		{ "decrypt", "1", "sender-key", "x", "k", NULL },
		{ "decrypt", "1", "sender-key", "1", NULL },
		{ "decrypt", "1", "bogus", "x", NULL },
		{ "key", NULL },
		{ "key", "generate", "suite", "0", NULL },
		{ "key", "generate", "bogus", "1", NULL },
		{ "key", "public", "in", "/nonexistent", NULL },
		{ "key", "public", "suite", "8", NULL },
		{ "monitor", "bogus", NULL },
		{ "monitor", "count", NULL },
		{ "monitor", "count", "0", NULL },
		{ "monitor", "count", "x", NULL },
		{ "monitor", "--count", "-1", NULL },
		{ "monitor", "timeout", NULL },
		{ "monitor", "timeout", "1s", NULL },
		{ "monitor", "--timeout", "99999999999", NULL },
		{ "stats", "bogus", NULL },
		{ "stats", "--prometheus", "x", NULL },
		{ "-j", "stats", "prometheus", NULL },	/* two formats */
		{ "health", "extra", NULL },
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

/* Every feature bit, in bit order, with the name mlsctl gives it. */
#define ALL_FEATURES (MLS_FEATURE_VERSION_IOCTL | MLS_FEATURE_GROUPS | \
	MLS_FEATURE_EVBUF | MLS_FEATURE_EVENTS | MLS_FEATURE_HANDSHAKE | \
	MLS_FEATURE_BATCH | MLS_FEATURE_PERSIST | MLS_FEATURE_RESERVE | \
	MLS_FEATURE_DRAIN | MLS_FEATURE_DECRYPT_ZEROCOPY | \
	MLS_FEATURE_COMMIT_FINAL)
static const char *const feature_names[] = {
	"version_ioctl", "groups", "evbuf", "events", "handshake", "batch",
	"persist", "reserve", "drain", "decrypt_zerocopy", "commit_final",
};

TEST(version)
{
	struct run r;
	json_t *j, *s;
	size_t i;

	NEED_DEV();
	ASSERT_EQ(0, run(&r, "version", NULL));
	EXPECT_NE(NULL, strstr(r.out, "api version:    1"));
	EXPECT_NE(NULL, strstr(r.out, " events handshake batch persist reserve drain decrypt_zerocopy commit_final\n"));
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
	/* The module of this tree sets every bit the uapi header names. */
	EXPECT_EQ(ALL_FEATURES, json_integer_value(json_object_get(j, "features")));
	s = json_object_get(j, "feature_names");
	ASSERT_EQ(ARRAY_SIZE(feature_names), json_array_size(s));
	for (i = 0; i < ARRAY_SIZE(feature_names); i++)
		EXPECT_STREQ(feature_names[i], json_string_value(json_array_get(s, i)));
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
	/* A group it may not see (mode 0600) is not even named. */
	EXPECT_EQ(NULL, strstr(r.err, ids)) TH_LOG("%s", r.err);
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
	/* unsigned: not sent (usage), nothing written */
	unlink(at(d, "m"));
	EXPECT_EQ(1, run_in(&r, "z", "encrypt", self->k.p.as, "out", at(d, "m"), NULL));
	EXPECT_NE(NULL, strstr(r.err, "sign-key")) TH_LOG("%s", r.err);
	run_free(&r);
	EXPECT_NE(0, access(at(d, "m"), F_OK));
	/* signed: decrypts without a key, unverified, with its signature */
	ASSERT_EQ(0, run_in(&r, "z", "encrypt", self->k.p.as, "sign-key",
			    at(d, "alice.key"), "out", at(d, "m"), NULL));
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "decrypt", self->k.p.bs, "in", at(d, "m"), NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(0, schema(j, DECRYPT_SCHEMA));
	EXPECT_TRUE(json_is_false(json_object_get(j, "verified")));
	EXPECT_NE(0, strlen(json_string_value(json_object_get(j, "signature"))));
	json_decref(j);
	run_free(&r);
	/* a key of the wrong kind for the suite: usage */
	put(d, "junk.pub", "not a key\n");
	EXPECT_EQ(1, run(&r, "decrypt", self->k.p.bs, "verify-key", at(d, "junk.pub"),
			 "in", at(d, "m"), NULL));
	run_free(&r);
	/* binary content; a commit message */
	ASSERT_EQ(0, run_in(&r, "\x01\x02\x03", "encrypt", self->k.p.as, "sign-key",
			    at(d, "alice.key"), "out", at(d, "bin"), NULL));
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
			 "64", "commit-timeout", "1234", NULL));
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
	EXPECT_EQ(1234, json_integer_value(json_object_get(p, "commit_timeout_ms")));
	json_decref(j);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "group", "show", ids, NULL));
	EXPECT_NE(NULL, strstr(r.out, "epochs-kept 3 epoch-max-age 5000"));
	EXPECT_NE(NULL, strstr(r.out, " commit-timeout 1234\n")) TH_LOG("%s", r.out);
	run_free(&r);
	/* 0 is no timeout the kernel takes: EINVAL, exit status 2 */
	EXPECT_EQ(2, run(&r, "group", "set", ids, "commit-timeout", "0", NULL));
	EXPECT_NE(NULL, strstr(r.err, "EINVAL")) TH_LOG("%s", r.err);
	run_free(&r);
	/* The receive-save policy: persistent groups only, 0 for any. */
	EXPECT_EQ(2, run(&r, "group", "set", ids, "recv-save", "4", NULL));
	EXPECT_NE(NULL, strstr(r.err, "EINVAL")) TH_LOG("%s", r.err);
	run_free(&r);
	EXPECT_EQ(1, run(&r, "group", "set", ids, "recv-save-strict", "2", NULL));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "group", "set", ids, "recv-save", "0", NULL));
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "group", "show", ids, NULL));
	j = parse(_metadata, &r);
	p = json_object_get(j, "policy");
	EXPECT_EQ(0, json_integer_value(json_object_get(p, "recv_save")));
	EXPECT_TRUE(json_is_false(json_object_get(p, "recv_save_strict")));
	EXPECT_EQ(0, json_integer_value(json_object_get(j, "recv_unsaved")));
	json_decref(j);
	run_free(&r);
	destroy(id);
}

/* ================================================ monitor, stats, health */

/* A command left running: its output kept in files we read as it goes. */
struct bg {
	pid_t pid;
	int out, err;		/* read ends */
	int status;		/* once done */
	bool done;
};

/* A temporary file open twice: the child appends, we read from 0. */
static void tmp_pair(int *wfd, int *rfd)
{
	char path[] = "/tmp/mlsctl_test.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		abort();
	*wfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	*rfd = open(path, O_RDONLY | O_CLOEXEC);
	if (*wfd < 0 || *rfd < 0)
		abort();
	close(fd);
	unlink(path);
}

static void bg_start(struct bg *b, ...)
{
	char *argv[MAX_ARGS + 2];
	int wout, werr, n = 0;
	const char *a;
	va_list ap;

	memset(b, 0, sizeof(*b));
	tmp_pair(&wout, &b->out);
	tmp_pair(&werr, &b->err);
	argv[n++] = "mlsctl";
	va_start(ap, b);
	while ((a = va_arg(ap, const char *)) && n < MAX_ARGS)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	b->pid = fork();
	if (b->pid < 0)
		abort();
	if (b->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(wout, 1);
		dup2(werr, 2);
		execvp("mlsctl", argv);
		_exit(127);
	}
	close(wout);
	close(werr);
}

/* What @fd's file holds, from its start. */
static char *read_all_fd(int fd)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;

	if (!buf)
		abort();
	while ((r = pread(fd, buf + n, cap - n, (off_t)n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
	}
	buf[n] = '\0';
	return buf;
}

static bool bg_reap(struct bg *b)
{
	int st;

	if (!b->done && waitpid(b->pid, &st, WNOHANG) == b->pid) {
		b->done = true;
		b->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	return b->done;
}

/* Wait up to @ms for @needle in the output (or for the end): found? */
static bool bg_wait_for(struct bg *b, const char *needle, int ms)
{
	char *out;
	bool found;

	for (;;) {
		out = read_all_fd(b->out);
		found = strstr(out, needle) != NULL;
		free(out);
		if (found || ms <= 0 || bg_reap(b))
			return found;
		usleep(50000);
		ms -= 50;
	}
}

/* Send @sig (0: none) and wait for the end: the exit status, -1 if killed. */
static int bg_stop(struct bg *b, int sig, char **out, char **err)
{
	int i;

	if (sig && !bg_reap(b))
		kill(b->pid, sig);
	for (i = 0; i < 400 && !bg_reap(b); i++)
		usleep(50000);
	if (!b->done) {
		kill(b->pid, SIGKILL);
		waitpid(b->pid, NULL, 0);
		b->done = true;
		b->status = -2;
	}
	*out = read_all_fd(b->out);
	*err = read_all_fd(b->err);
	close(b->out);
	close(b->err);
	return b->status;
}

/* Skip when the module has no events (an older one). */
#define NEED_EVENTS() do {						\
	struct run __r;							\
	NEED_DEV();							\
	run(&__r, "monitor", "timeout", "1", NULL);			\
	if (__r.status == 2 && strstr(__r.err, "no generic netlink family")) { \
		run_free(&__r);						\
		SKIP(return, "no generic netlink family \"mls\"");	\
	}								\
	run_free(&__r);							\
} while (0)

/*
 * The monitor has joined the events once it shows one of a probe group
 * (created and destroyed at once): false if it never does.
 */
static bool monitor_ready(struct bg *b)
{
	struct run r;
	int i;

	for (i = 0; i < 40; i++) {
		run(&r, "group", "create", "ephemeral", NULL);
		run_free(&r);
		if (bg_wait_for(b, "group_destroyed", 500))
			return true;
		if (bg_reap(b))
			return false;
	}
	return false;
}

/* "2026-11-21T15:30:00.123456Z" */
static bool is_rfc3339_us(const char *t)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t i;

	if (!t || strlen(t) != sizeof(pat) - 1)
		return false;
	for (i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != pat[i])
			return false;
	}
	return true;
}

#define EV_CREATED_SCHEMA "time:s,event:s,id:i,group_id:s,suite:i,state:s," \
	"epoch:i,oldest_epoch:i,own_leaf:i,leaf_count:i,members:i,owner_uid:i," \
	"mode:s,flags:a"
#define EV_EPOCH_SCHEMA "time:s,event:s,id:i,group_id:s,old_epoch:i,epoch:i," \
	"leaf_count:i,members:i"
#define EV_MEMBER_SCHEMA "time:s,event:s,id:i,group_id:s,epoch:i,leaf:i"
#define EV_DESTROYED_SCHEMA "time:s,event:s,id:i,group_id:s,epoch:i"

/* monitor -j: one JSON line per event, for what mlsctl itself does. */
TEST_F_TIMEOUT(cli, monitor_json_lines, LONG_TIMEOUT)
{
	static const char *const want[] = {
		"group_created", "epoch_changed", "member_added", "group_destroyed",
	};
	static const char *const schemas[] = {
		EV_CREATED_SCHEMA, EV_EPOCH_SCHEMA, EV_MEMBER_SCHEMA, EV_DESTROYED_SCHEMA,
	};
	char dir[64], ids[24], needle[96], *out, *err, *line, *save = NULL;
	unsigned long id;
	size_t seen = 0;
	struct run r;
	struct bg b;
	json_t *j;

	NEED_EVENTS();
	scratch(dir, sizeof(dir));
	bg_start(&b, "-j", "monitor", "timeout", "200000", NULL);
	ASSERT_TRUE(monitor_ready(&b));

	id = create(_metadata, "group", "create", "group-id", "6d6f6e", "mode",
		    "0640", NULL);
	ASSERT_NE(0, id);
	snprintf(ids, sizeof(ids), "%lu", id);
	put(dir, "c1", hexfill('7', "1"));
	ASSERT_EQ(0, run(&r, "group", "commit", ids, "leaves", "2", "commit-secret",
			 at(dir, "c1"), NULL));
	run_free(&r);
	destroy(id);
	snprintf(needle, sizeof(needle),
		 "\"event\":\"group_destroyed\",\"id\":%lu,\"group_id\":\"6d6f6e\"", id);
	EXPECT_TRUE(bg_wait_for(&b, needle, 20000));
	/* SIGTERM: a clean end */
	EXPECT_EQ(0, bg_stop(&b, SIGTERM, &out, &err));
	EXPECT_STREQ("", err);

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t e;

		j = json_loads(line, 0, &e);
		ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", line);
		EXPECT_TRUE(is_rfc3339_us(json_string_value(json_object_get(j, "time"))))
			TH_LOG("%s", line);
		EXPECT_TRUE(json_is_string(json_object_get(j, "event")));
		/* kernel ids are reused: the probes' may be this one */
		if (json_integer_value(json_object_get(j, "id")) != (json_int_t)id ||
		    !json_is_string(json_object_get(j, "group_id")) ||
		    strcmp(json_string_value(json_object_get(j, "group_id")), "6d6f6e")) {
			json_decref(j);
			continue;
		}
		ASSERT_GT(ARRAY_SIZE(want), seen) TH_LOG("one more: %s", line);
		EXPECT_STREQ(want[seen], json_string_value(json_object_get(j, "event")));
		EXPECT_EQ(0, schema(j, schemas[seen])) TH_LOG("%s", line);
		EXPECT_STREQ("6d6f6e", json_string_value(json_object_get(j, "group_id")));
		switch (seen) {
		case 0:
			EXPECT_STREQ("0640", json_string_value(json_object_get(j, "mode")));
			EXPECT_STREQ("active", json_string_value(json_object_get(j, "state")));
			EXPECT_EQ(1, json_integer_value(json_object_get(j, "leaf_count")));
			break;
		case 1:
			EXPECT_EQ(0, json_integer_value(json_object_get(j, "old_epoch")));
			EXPECT_EQ(1, json_integer_value(json_object_get(j, "epoch")));
			EXPECT_EQ(2, json_integer_value(json_object_get(j, "members")));
			break;
		case 2:
			EXPECT_EQ(1, json_integer_value(json_object_get(j, "leaf")));
			break;
		case 3:
			EXPECT_EQ(1, json_integer_value(json_object_get(j, "epoch")));
			break;
		}
		seen++;
		json_decref(j);
	}
	EXPECT_EQ(ARRAY_SIZE(want), seen);
	free(out);
	free(err);
	rm_scratch(dir);
}

/* monitor, text: one line per event; SIGINT ends it cleanly. */
TEST_F_TIMEOUT(cli, monitor_text_sigint, LONG_TIMEOUT)
{
	char needle[160], *out, *err, *p;
	unsigned long id;
	struct run r;
	struct bg b;

	NEED_EVENTS();
	bg_start(&b, "monitor", NULL);
	ASSERT_TRUE(monitor_ready(&b));
	ASSERT_EQ(0, run(&r, "-j", "group", "create", "ephemeral", "group-id",
			 "74657874", NULL));
	id = strtoul(strstr(r.out, ":") + 1, NULL, 10);
	run_free(&r);
	snprintf(needle, sizeof(needle), " group_destroyed group %lu group-id 74657874 epoch 0\n", id);
	EXPECT_TRUE(bg_wait_for(&b, needle, 20000));
	EXPECT_EQ(0, bg_stop(&b, SIGINT, &out, &err));
	EXPECT_STREQ("", err);
	snprintf(needle, sizeof(needle), " group_created group %lu group-id 74657874 "
		 "suite 1 state active epoch 0 oldest-epoch 0 own-leaf 0 leaves 1 "
		 "members 1 owner 0 mode 0600 flags ephemeral\n", id);
	p = strstr(out, needle);
	ASSERT_NE(NULL, p) TH_LOG("%s", out);
	/* the time stamp before it, at the start of its line */
	ASSERT_LE(27, p - out);
	EXPECT_TRUE(p - out == 27 || p[-28] == '\n');
	{
		char t[28];

		memcpy(t, p - 27, 27);
		t[27] = '\0';
		EXPECT_TRUE(is_rfc3339_us(t)) TH_LOG("%s", t);
	}
	free(out);
	free(err);
}

/* count and timeout: the end a script can wait for. */
TEST_F_TIMEOUT(cli, monitor_count_timeout, LONG_TIMEOUT)
{
	char *out, *err, *line, *save = NULL;
	struct run r;
	struct bg b;
	int i, lines = 0;

	NEED_EVENTS();
	/* A timeout alone is a normal end. */
	EXPECT_EQ(0, run(&r, "monitor", "timeout", "200", NULL));
	EXPECT_STREQ("", r.err);
	run_free(&r);
	/* A count not reached in time is not. */
	EXPECT_EQ(2, run(&r, "-j", "monitor", "--count", "100000", "--timeout", "300", NULL));
	EXPECT_NE(NULL, strstr(r.err, "ETIMEDOUT")) TH_LOG("%s", r.err);
	run_free(&r);
	/* A count reached: exit 0 by itself, that many lines. */
	bg_start(&b, "-j", "monitor", "count", "2", "timeout", "100000", NULL);
	for (i = 0; i < 40 && !bg_reap(&b); i++) {
		run(&r, "group", "create", "ephemeral", NULL);
		run_free(&r);
		usleep(200000);
	}
	EXPECT_EQ(0, bg_stop(&b, 0, &out, &err));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);

		EXPECT_NE(NULL, j) TH_LOG("%s", line);
		json_decref(j);
		lines++;
	}
	EXPECT_EQ(2, lines);
	free(out);
	free(err);
}

/* Events name every user's groups: CAP_NET_ADMIN only. */
TEST(monitor_unprivileged)
{
	struct run r;

	NEED_EVENTS();
	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	EXPECT_EQ(2, run_as(&r, 1000, "monitor", "timeout", "100", NULL));
	EXPECT_NE(NULL, strstr(r.err, "CAP_NET_ADMIN")) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	run_free(&r);
}

/*
 * A monitor that falls behind (stopped while a burst of events fills its
 * socket): a "lost" line with the groups as they are now, then the events
 * go on.
 */
TEST_F_TIMEOUT(cli, monitor_lost_then_groups, LONG_TIMEOUT)
{
	char needle[96], *out, *err, *line, *save = NULL;
	struct mls_group_new g;
	uint32_t keep, kid;
	uint8_t gid[4] = { 'k', 'e', 'e', 'p' };
	int ctl, keepfd, fd, i, lost = 0, found = 0;
	struct bg b;
	json_t *j, *a, *e;
	size_t k;

	NEED_EVENTS();
	bg_start(&b, "-j", "monitor", "timeout", "200000", NULL);
	ASSERT_TRUE(monitor_ready(&b));
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	memset(&g, 0, sizeof(g));
	g.suite = 1;
	g.flags = MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, gid, sizeof(gid));
	g.roster.leaf_count = 1;
	keepfd = mls_group_create(ctl, &g);
	ASSERT_LE(0, keepfd);
	keep = g.id;
	snprintf(needle, sizeof(needle),
		 "\"event\":\"group_created\",\"id\":%u,\"group_id\":\"6b656570\"", keep);
	ASSERT_TRUE(bg_wait_for(&b, needle, 20000));

	ASSERT_EQ(0, kill(b.pid, SIGSTOP));
	for (i = 0; i < 1500; i++) {
		g.flags = MLS_GROUP_F_EPHEMERAL;
		fd = mls_group_create(ctl, &g);
		ASSERT_LE(0, fd);
		close(fd);
	}
	ASSERT_EQ(0, kill(b.pid, SIGCONT));
	/*
	 * The monitor first prints what its socket still holds, then the
	 * loss and a dump: generous bounds, for a KASAN kernel on a busy
	 * host. They bound a wait; they measure nothing.
	 */
	EXPECT_TRUE(bg_wait_for(&b, "\"event\":\"lost\"", 120000));
	/* and after it, the events of now */
	g.flags = MLS_GROUP_F_EPHEMERAL;
	mls_buf_set(&g.group_id, "after", 5);
	fd = mls_group_create(ctl, &g);
	ASSERT_LE(0, fd);
	kid = g.id;
	close(fd);
	snprintf(needle, sizeof(needle),
		 "\"event\":\"group_destroyed\",\"id\":%u,\"group_id\":\"6166746572\"", kid);
	EXPECT_TRUE(bg_wait_for(&b, needle, 120000));
	EXPECT_EQ(0, bg_stop(&b, SIGTERM, &out, &err));
	EXPECT_STREQ("", err);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		j = json_loads(line, 0, NULL);
		ASSERT_NE(NULL, j) TH_LOG("%s", line);
		if (!json_is_string(json_object_get(j, "event")) ||
		    strcmp(json_string_value(json_object_get(j, "event")), "lost")) {
			json_decref(j);
			continue;
		}
		lost++;
		EXPECT_EQ(0, schema(j, "time:s,event:s,groups:a")) TH_LOG("%s", line);
		a = json_object_get(j, "groups");
		json_array_foreach(a, k, e) {
			EXPECT_TRUE(json_is_integer(json_object_get(e, "id")));
			if (json_integer_value(json_object_get(e, "id")) != keep)
				continue;
			found++;
			EXPECT_EQ(0, schema(e, "id:i,group_id:s,suite:i,state:s,"
					    "epoch:i,oldest_epoch:i,own_leaf:i,"
					    "leaf_count:i,members:i,owner_uid:i,mode:s,"
					    "flags:a,recv_save:i,recv_save_strict:b,"
					    "recv_unsaved:i,stats:o")) TH_LOG("%s", line);
			/* Not persistent: the policy off, nothing counted. */
			EXPECT_EQ(0, json_integer_value(json_object_get(e, "recv_save")));
			EXPECT_TRUE(json_is_false(json_object_get(e, "recv_save_strict")));
			EXPECT_EQ(0, json_integer_value(json_object_get(e, "recv_unsaved")));
			EXPECT_EQ(0, schema(json_object_get(e, "stats"),
					    "messages_encrypted:i,messages_decrypted:i,"
					    "bytes_encrypted:i,bytes_decrypted:i,"
					    "auth_failures:i,replays:i,epochs_rotated:i,"
					    "commits_prepared:i,commits_merged:i,"
					    "commits_discarded:i,commits_timed_out:i,"
					    "commit_conflicts:i,tag_failures:i"));
			EXPECT_STREQ("6b656570", json_string_value(json_object_get(e, "group_id")));
		}
		json_decref(j);
	}
	EXPECT_LE(1, lost);
	EXPECT_EQ(lost, found);
	close(keepfd);
	close(ctl);
	free(out);
	free(err);
}

/* --------------------------------------------------------------- stats */

static const char *const stat_names[] = {
	"groups_active", "messages_encrypted", "messages_decrypted",
	"bytes_encrypted", "bytes_decrypted", "auth_failures", "replays",
	"epochs_rotated", "epochs_expired", "commit_conflicts",
	"commits_prepared", "commits_merged", "commits_discarded",
	"commits_timed_out", "tag_failures", "throttled",
	"breaker_trips", "breakers_open",
};
static const char *const op_names[] = {
	"encrypt", "decrypt", "commit", "commit_pending",
};

#define STATS_SCHEMA "health:s|n,counters:o,latency:o,groups:a,absent:a"
#define LAT_SCHEMA "count:i,sum_ns:i|n,buckets:a"

static const char *sysroot(void)
{
	const char *r = getenv("MLSCTL_SYSFS");

	return r ? r : "/sys/kernel/mls";
}

/* A file of the sysfs tree, newline cut; NULL if absent. */
static char *sys_read(const char *rel)
{
	char path[512];
	int fd;
	char *s;

	snprintf(path, sizeof(path), "%s/%s", sysroot(), rel);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	s = read_all_fd(fd);
	close(fd);
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static bool sys_u64(const char *rel, unsigned long long *v)
{
	char *s = sys_read(rel), *end;
	bool ok;

	if (!s)
		return false;
	*v = strtoull(s, &end, 10);
	ok = end != s && !*end;
	free(s);
	return ok;
}

static bool sys_hist(const char *op, unsigned long long b[32])
{
	char rel[64], *s, *p, *end;
	int i;

	snprintf(rel, sizeof(rel), "latency/%s_ns", op);
	s = sys_read(rel);
	if (!s)
		return false;
	p = s;
	for (i = 0; i < 32; i++) {
		b[i] = strtoull(p, &end, 10);
		if (end == p)
			break;
		p = end;
	}
	free(s);
	return i == 32;
}

static json_t *stats_json(struct __test_metadata *_metadata)
{
	struct run r;
	json_t *j;

	run(&r, "-j", "stats", NULL);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	j = parse(_metadata, &r);
	run_free(&r);
	if (j)
		EXPECT_EQ(0, schema(j, STATS_SCHEMA));
	return j;
}

static long long counter(json_t *j, const char *name)
{
	json_t *v = json_object_get(json_object_get(j, "counters"), name);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static long long lat_count(json_t *j, const char *op)
{
	json_t *v = json_object_get(json_object_get(j, "latency"), op);

	return json_is_object(v) ? json_integer_value(json_object_get(v, "count")) : -1;
}

static json_t *stats_group(json_t *j, unsigned long id)
{
	json_t *g;
	size_t i;

	json_array_foreach(json_object_get(j, "groups"), i, g)
		if (json_integer_value(json_object_get(g, "id")) == (json_int_t)id)
			return g;
	return NULL;
}

/* Groups made from now on get a sysfs directory (group_sysfs): 0 or -errno. */
static int set_group_sysfs(bool on)
{
	int fd = open("/sys/module/mls/parameters/group_sysfs", O_WRONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = write(fd, on ? "Y\n" : "N\n", 2) == 2 ? 0 : -errno;
	close(fd);
	return r;
}

/* group_sysfs as it is: 1 (Y), 0 (N), or -errno. */
static int group_sysfs(void)
{
	int fd = open("/sys/module/mls/parameters/group_sysfs", O_RDONLY | O_CLOEXEC);
	char c = 0;
	int r;

	if (fd < 0)
		return -errno;
	r = read(fd, &c, 1) == 1 ? (c == 'Y') : -EIO;
	close(fd);
	return r;
}

/* Group @id has no directory under /sys/kernel/mls/groups. */
static bool no_group_dir(unsigned long id)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/kernel/mls/groups/%lu", id);
	return access(path, F_OK) == -1 && errno == ENOENT;
}

#define NEED_SYSFS_STATS() do {						\
	NEED_DEV();							\
	if (access("/sys/kernel/mls/stats", F_OK))			\
		SKIP(return, "no /sys/kernel/mls/stats (an older module)"); \
} while (0)

/* -j stats says what sysfs says, file by file. */
TEST(stats_match_sysfs)
{
	unsigned long long v, b[32];
	char rel[64], *h;
	json_t *j, *l, *arr;
	size_t i, k;

	NEED_SYSFS_STATS();
	j = stats_json(_metadata);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(0, json_array_size(json_object_get(j, "absent")));
	h = sys_read("health");
	ASSERT_NE(NULL, h);
	EXPECT_STREQ(h, json_string_value(json_object_get(j, "health")));
	free(h);
	EXPECT_EQ(ARRAY_SIZE(stat_names), json_object_size(json_object_get(j, "counters")));
	for (i = 0; i < ARRAY_SIZE(stat_names); i++) {
		snprintf(rel, sizeof(rel), "stats/%s", stat_names[i]);
		ASSERT_TRUE(sys_u64(rel, &v)) TH_LOG("%s", rel);
		EXPECT_EQ((long long)v, counter(j, stat_names[i])) TH_LOG("%s", rel);
	}
	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		unsigned long long sum = 0, n = 0;

		l = json_object_get(json_object_get(j, "latency"), op_names[i]);
		EXPECT_EQ(0, schema(l, LAT_SCHEMA));
		ASSERT_TRUE(sys_hist(op_names[i], b));
		arr = json_object_get(l, "buckets");
		ASSERT_EQ(32, json_array_size(arr));
		for (k = 0; k < 32; k++) {
			EXPECT_EQ((json_int_t)b[k], json_integer_value(json_array_get(arr, k)));
			n += b[k];
		}
		EXPECT_EQ((json_int_t)n, json_integer_value(json_object_get(l, "count")));
		snprintf(rel, sizeof(rel), "latency/%s_sum_ns", op_names[i]);
		ASSERT_TRUE(sys_u64(rel, &sum));
		EXPECT_EQ((json_int_t)sum, json_integer_value(json_object_get(l, "sum_ns")));
	}
	json_decref(j);
}

/* The counters move by what was done, and the group's own too. */
TEST_F_TIMEOUT(cli, stats_after_operations, LONG_TIMEOUT)
{
	static const char *const msgs[] = { "abc", "defg", "hi" };
	char dir[64], ids[24];
	json_t *j0, *j1, *g;
	unsigned long id;
	struct run r;
	size_t i;

	NEED_SYSFS_STATS();
	scratch(dir, sizeof(dir));
	/* No directory for the group: stats lists it from netlink. */
	ASSERT_EQ(0, set_group_sysfs(false));
	j0 = stats_json(_metadata);
	ASSERT_NE(NULL, j0);
	id = create(_metadata, "group", "create", NULL);
	ASSERT_NE(0, id);
	EXPECT_TRUE(no_group_dir(id));
	snprintf(ids, sizeof(ids), "%lu", id);
	ASSERT_EQ(0, run(&r, "key", "generate", "out", at(dir, "k.pem"), NULL));
	run_free(&r);
	for (i = 0; i < ARRAY_SIZE(msgs); i++) {
		ASSERT_EQ(0, run_in(&r, msgs[i], "encrypt", ids, "sign-key", at(dir, "k.pem"),
				    "out", at(dir, "m"), NULL))
			TH_LOG("%s", r.err);
		run_free(&r);
	}
	put(dir, "c1", hexfill('4', "1"));
	ASSERT_EQ(0, run(&r, "group", "commit", ids, "commit-secret", at(dir, "c1"), NULL));
	run_free(&r);
	EXPECT_EQ(2, run(&r, "group", "commit", ids, "epoch", "9", NULL));
	run_free(&r);
	j1 = stats_json(_metadata);
	ASSERT_NE(NULL, j1);

	EXPECT_EQ(1, counter(j1, "groups_active") - counter(j0, "groups_active"));
	EXPECT_EQ(3, counter(j1, "messages_encrypted") - counter(j0, "messages_encrypted"));
	EXPECT_EQ(9, counter(j1, "bytes_encrypted") - counter(j0, "bytes_encrypted"));
	EXPECT_EQ(0, counter(j1, "messages_decrypted") - counter(j0, "messages_decrypted"));
	EXPECT_EQ(1, counter(j1, "epochs_rotated") - counter(j0, "epochs_rotated"));
	EXPECT_EQ(1, counter(j1, "commit_conflicts") - counter(j0, "commit_conflicts"));
	EXPECT_EQ(3, lat_count(j1, "encrypt") - lat_count(j0, "encrypt"));
	EXPECT_EQ(0, lat_count(j1, "decrypt") - lat_count(j0, "decrypt"));
	EXPECT_EQ(1, lat_count(j1, "commit") - lat_count(j0, "commit"));
	/* the group, as root may see it in the netlink dump */
	g = stats_group(j1, id);
	ASSERT_NE(NULL, g);
	EXPECT_EQ(0, schema(g, "id:i,group_id:s,suite:i,state:s,mode:s,flags:s,"
			    "epoch:i,oldest_epoch:i,own_leaf:i,leaf_count:i,members:i,"
			    "messages_encrypted:i,messages_decrypted:i,bytes_encrypted:i,"
			    "bytes_decrypted:i,auth_failures:i,replays:i,epochs_rotated:i,"
			    "commits_prepared:i,commits_merged:i,commits_discarded:i,"
			    "commits_timed_out:i,commit_conflicts:i,tag_failures:i"));
	EXPECT_EQ(3, json_integer_value(json_object_get(g, "messages_encrypted")));
	EXPECT_EQ(9, json_integer_value(json_object_get(g, "bytes_encrypted")));
	EXPECT_EQ(1, json_integer_value(json_object_get(g, "epoch")));
	EXPECT_EQ(1, json_integer_value(json_object_get(g, "members")));
	EXPECT_STREQ("0600", json_string_value(json_object_get(g, "mode")));
	EXPECT_STREQ("active", json_string_value(json_object_get(g, "state")));
	EXPECT_EQ(1, json_integer_value(json_object_get(g, "commit_conflicts")));
	EXPECT_EQ(1, json_integer_value(json_object_get(g, "epochs_rotated")));
	EXPECT_EQ(NULL, stats_group(j0, id));
	json_decref(j0);
	/* and the table */
	ASSERT_EQ(0, run(&r, "stats", NULL));
	EXPECT_NE(NULL, strstr(r.out, "counters\n"));
	EXPECT_NE(NULL, strstr(r.out, "  messages_encrypted"));
	EXPECT_NE(NULL, strstr(r.out, "latency "));
	{
		char want[48];

		snprintf(want, sizeof(want), "group %lu:", id);
		EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);
	}
	run_free(&r);
	destroy(id);
	j0 = stats_json(_metadata);
	ASSERT_NE(NULL, j0);
	EXPECT_EQ(-1, counter(j0, "groups_active") - counter(j1, "groups_active"));
	EXPECT_EQ(NULL, stats_group(j0, id));
	json_decref(j0);
	json_decref(j1);
	rm_scratch(dir);
}

#define EV_PREPARED_SCHEMA "time:s,event:s,id:i,group_id:s,epoch:i,pending_epoch:i"
#define EV_DISCARDED_SCHEMA EV_PREPARED_SCHEMA ",error:s,errno:i"

/* @fd's one-leaf commit to @epoch, staged (libmls, as a control plane). */
static int stage(int fd, uint64_t epoch)
{
	uint8_t secret[32] = { 5 }, tree[32] = { 6 }, cth[32] = { 7 };
	struct mls_commit c;

	memset(&c, 0, sizeof(c));
	mls_buf_set(&c.commit_secret, secret, 32);
	c.context.epoch = epoch;
	mls_buf_set(&c.context.tree_hash, tree, 32);
	mls_buf_set(&c.context.confirmed_transcript_hash, cth, 32);
	c.roster.leaf_count = 1;
	return mls_commit_prepare(fd, &c);
}

/*
 * A control plane's pending commits as mlsctl shows them: the counters
 * and the pending-commit histogram of stats move by exactly what was
 * done, module-wide and in the group's directory; monitor prints each
 * event, as text and as JSON, in order.
 */
TEST_F_TIMEOUT(cli, pending_commits_stats_and_monitor, LONG_TIMEOUT)
{
	static const char *const want[] = {
		"commit_prepared", "commit_conflict", "epoch_changed",
		"commit_prepared", "commit_discarded", "group_destroyed",
	};
	char ids[24], needle[192], *out, *err, *line, *save = NULL;
	uint8_t zeros[32] = { 0 };
	json_t *j0, *j1, *g;
	unsigned long id;
	struct bg bt, bj;
	size_t seen = 0;
	struct run r;
	int ctl, fd;

	NEED_EVENTS();
	NEED_SYSFS_STATS();
	bg_start(&bt, "monitor", NULL);
	ASSERT_TRUE(monitor_ready(&bt));
	bg_start(&bj, "-j", "monitor", NULL);
	ASSERT_TRUE(monitor_ready(&bj));
	ASSERT_EQ(0, set_group_sysfs(false));
	id = create(_metadata, "group", "create", "group-id", "70656e64", NULL);
	ASSERT_NE(0, id);
	EXPECT_TRUE(no_group_dir(id));
	snprintf(ids, sizeof(ids), "%lu", id);
	ASSERT_EQ(0, run(&r, "group", "set", ids, "commit-timeout", "60000", NULL));
	run_free(&r);
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	fd = mls_group_open(ctl, (uint32_t)id);
	ASSERT_LE(0, fd);
	j0 = stats_json(_metadata);
	ASSERT_NE(NULL, j0);

	ASSERT_EQ(0, stage(fd, 1));
	EXPECT_EQ(-EBUSY, stage(fd, 1));
	ASSERT_EQ(0, mls_commit_merge(fd, 1));
	ASSERT_EQ(0, stage(fd, 2));
	ASSERT_EQ(0, mls_commit_discard(fd, 2));
	EXPECT_EQ(-EBADMSG, mls_confirmation_tag_verify(fd, 0, zeros, 32, NULL));
	j1 = stats_json(_metadata);
	ASSERT_NE(NULL, j1);
	EXPECT_EQ(2, counter(j1, "commits_prepared") - counter(j0, "commits_prepared"));
	EXPECT_EQ(1, counter(j1, "commits_merged") - counter(j0, "commits_merged"));
	EXPECT_EQ(1, counter(j1, "commits_discarded") - counter(j0, "commits_discarded"));
	EXPECT_EQ(0, counter(j1, "commits_timed_out") - counter(j0, "commits_timed_out"));
	EXPECT_EQ(1, counter(j1, "commit_conflicts") - counter(j0, "commit_conflicts"));
	EXPECT_EQ(1, counter(j1, "tag_failures") - counter(j0, "tag_failures"));
	EXPECT_EQ(1, counter(j1, "epochs_rotated") - counter(j0, "epochs_rotated"));
	EXPECT_EQ(1, lat_count(j1, "commit_pending") - lat_count(j0, "commit_pending"));
	EXPECT_EQ(0, lat_count(j1, "commit") - lat_count(j0, "commit"));
	g = stats_group(j1, id);
	ASSERT_NE(NULL, g);
	EXPECT_EQ(2, json_integer_value(json_object_get(g, "commits_prepared")));
	EXPECT_EQ(1, json_integer_value(json_object_get(g, "commits_merged")));
	EXPECT_EQ(1, json_integer_value(json_object_get(g, "commits_discarded")));
	EXPECT_EQ(0, json_integer_value(json_object_get(g, "commits_timed_out")));
	EXPECT_EQ(1, json_integer_value(json_object_get(g, "commit_conflicts")));
	EXPECT_EQ(1, json_integer_value(json_object_get(g, "tag_failures")));
	json_decref(j0);
	json_decref(j1);
	/* the table has them too */
	ASSERT_EQ(0, run(&r, "stats", NULL));
	EXPECT_NE(NULL, strstr(r.out, "\n  commits_prepared ")) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "\n  commit_pending ")) TH_LOG("%s", r.out);
	snprintf(needle, sizeof(needle), "group %lu: group_id 70656e64 ", id);
	EXPECT_NE(NULL, strstr(r.out, needle)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, " commits_prepared 2 commits_merged 1 "
			       "commits_discarded 1 commits_timed_out 0 "
			       "commit_conflicts 1 tag_failures 1")) TH_LOG("%s", r.out);
	run_free(&r);

	close(fd);
	close(ctl);
	destroy(id);
	snprintf(needle, sizeof(needle), " group_destroyed group %lu group-id 70656e64 "
		 "epoch 1\n", id);
	EXPECT_TRUE(bg_wait_for(&bt, needle, 20000));
	snprintf(needle, sizeof(needle),
		 "\"event\":\"group_destroyed\",\"id\":%lu,\"group_id\":\"70656e64\"", id);
	EXPECT_TRUE(bg_wait_for(&bj, needle, 20000));

	/* text: each event with its fields */
	EXPECT_EQ(0, bg_stop(&bt, SIGTERM, &out, &err));
	EXPECT_STREQ("", err);
	snprintf(needle, sizeof(needle), " commit_prepared group %lu group-id 70656e64 "
		 "epoch 0 pending-epoch 1\n", id);
	EXPECT_NE(NULL, strstr(out, needle)) TH_LOG("%s", out);
	snprintf(needle, sizeof(needle), " commit_conflict group %lu group-id 70656e64 "
		 "epoch 0 error EBUSY\n", id);
	EXPECT_NE(NULL, strstr(out, needle)) TH_LOG("%s", out);
	snprintf(needle, sizeof(needle), " commit_discarded group %lu group-id 70656e64 "
		 "epoch 1 pending-epoch 2 error ECANCELED\n", id);
	EXPECT_NE(NULL, strstr(out, needle)) TH_LOG("%s", out);
	free(out);
	free(err);

	/* JSON: the same, in order */
	EXPECT_EQ(0, bg_stop(&bj, SIGTERM, &out, &err));
	EXPECT_STREQ("", err);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *ev;

		j0 = json_loads(line, 0, NULL);
		ASSERT_NE(NULL, j0) TH_LOG("not JSON: %s", line);
		ev = json_string_value(json_object_get(j0, "event"));
		if (json_integer_value(json_object_get(j0, "id")) != (json_int_t)id ||
		    !json_is_string(json_object_get(j0, "group_id")) ||
		    strcmp(json_string_value(json_object_get(j0, "group_id")), "70656e64") ||
		    !strcmp(ev, "group_created")) {
			json_decref(j0);
			continue;
		}
		ASSERT_GT(ARRAY_SIZE(want), seen) TH_LOG("one more: %s", line);
		EXPECT_STREQ(want[seen], ev) TH_LOG("%s", line);
		switch (seen) {
		case 0:
		case 3:
			EXPECT_EQ(0, schema(j0, EV_PREPARED_SCHEMA)) TH_LOG("%s", line);
			EXPECT_EQ(seen ? 1 : 0, json_integer_value(json_object_get(j0, "epoch")));
			EXPECT_EQ(seen ? 2 : 1,
				  json_integer_value(json_object_get(j0, "pending_epoch")));
			break;
		case 4:
			EXPECT_EQ(0, schema(j0, EV_DISCARDED_SCHEMA)) TH_LOG("%s", line);
			EXPECT_EQ(1, json_integer_value(json_object_get(j0, "epoch")));
			EXPECT_EQ(2, json_integer_value(json_object_get(j0, "pending_epoch")));
			EXPECT_STREQ("ECANCELED", json_string_value(json_object_get(j0, "error")));
			EXPECT_EQ(ECANCELED, json_integer_value(json_object_get(j0, "errno")));
			break;
		}
		seen++;
		json_decref(j0);
	}
	EXPECT_EQ(ARRAY_SIZE(want), seen);
	free(out);
	free(err);
}

/* Another user reads the groups whose mode lets them, no others. */
TEST(stats_other_user)
{
	unsigned long priv, shared;
	struct run r;
	json_t *j;

	NEED_SYSFS_STATS();
	if (geteuid() != 0)
		SKIP(return, "needs root to act as another user");
	ASSERT_EQ(0, set_group_sysfs(false));
	priv = create(_metadata, "group", "create", "mode", "0600", NULL);
	shared = create(_metadata, "group", "create", "mode", "0604", NULL);
	ASSERT_NE(0, priv);
	ASSERT_NE(0, shared);
	ASSERT_EQ(0, run_as(&r, 1000, "-j", "stats", NULL)) TH_LOG("%s", r.err);
	j = parse(_metadata, &r);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(0, schema(j, STATS_SCHEMA));
	EXPECT_EQ(NULL, stats_group(j, priv));
	EXPECT_NE(NULL, stats_group(j, shared));
	EXPECT_EQ(0, json_integer_value(json_object_get(stats_group(j, shared), "epoch")));
	EXPECT_STREQ("0604", json_string_value(json_object_get(stats_group(j, shared),
								 "mode")));
	/* the module-wide files are everyone's */
	EXPECT_LE(0, counter(j, "groups_active"));
	json_decref(j);
	run_free(&r);
	destroy(priv);
	destroy(shared);
}

/*
 * With group_sysfs on, the group's line says what its directory says,
 * file by file: the same names, the same values.
 */
TEST(stats_group_matches_sysfs)
{
	static const char *const files[] = {
		"group_id", "suite", "state", "mode", "flags", "epoch",
		"oldest_epoch", "own_leaf", "leaf_count", "members",
		"messages_encrypted", "messages_decrypted", "bytes_encrypted",
		"bytes_decrypted", "auth_failures", "replays", "epochs_rotated",
		"commits_prepared", "commits_merged", "commits_discarded",
		"commits_timed_out", "commit_conflicts", "tag_failures",
	};
	char rel[96], want[64];
	unsigned long id;
	json_t *j, *g, *v;
	int was;
	size_t i;
	char *f;

	NEED_SYSFS_STATS();
	was = group_sysfs();
	ASSERT_LE(0, was);
	ASSERT_EQ(0, set_group_sysfs(true));
	id = create(_metadata, "group", "create", "group-id", "0a0b0c", "mode", "0640",
		    NULL);
	EXPECT_EQ(0, set_group_sysfs(was == 1));
	ASSERT_NE(0, id);
	j = stats_json(_metadata);
	ASSERT_NE(NULL, j);
	g = stats_group(j, id);
	ASSERT_NE(NULL, g);
	/* its files and the id: no more, no fewer */
	EXPECT_EQ(ARRAY_SIZE(files) + 1, json_object_size(g));
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(rel, sizeof(rel), "groups/%lu/%s", id, files[i]);
		f = sys_read(rel);
		ASSERT_NE(NULL, f) TH_LOG("%s", rel);
		v = json_object_get(g, files[i]);
		if (json_is_integer(v))
			snprintf(want, sizeof(want), "%lld", (long long)json_integer_value(v));
		else
			snprintf(want, sizeof(want), "%s", json_is_string(v) ?
				 json_string_value(v) : "(none)");
		EXPECT_STREQ(f, want) TH_LOG("%s", rel);
		free(f);
	}
	json_decref(j);
	destroy(id);
}

/*
 * A drained module's group: stats, sysfs and mlsctl group name its state
 * alike ("shutting-down"). The drain lasts its wait for the calls in
 * flight (no persistent group to wait for), and is cancelled.
 */
TEST(stats_state_while_drained)
{
	struct run r = {};
	unsigned long id;
	char rel[96];
	json_t *j, *g;
	int was, ctl;
	char *f;

	NEED_SYSFS_STATS();
	if (getuid() != 0)
		SKIP(return, "the drain needs CAP_SYS_ADMIN");
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	was = group_sysfs();
	ASSERT_LE(0, was);
	ASSERT_EQ(0, set_group_sysfs(true));
	id = create(_metadata, "group", "create", "group-id", "0d0e0f", NULL);
	EXPECT_EQ(0, set_group_sysfs(was == 1));
	ASSERT_NE(0, id);
	ASSERT_EQ(0, mls_drain(ctl, 0, 1, NULL));
	j = stats_json(_metadata);
	g = j ? stats_group(j, id) : NULL;
	snprintf(rel, sizeof(rel), "groups/%lu/state", id);
	f = sys_read(rel);
	snprintf(rel, sizeof(rel), "%lu", id);
	EXPECT_EQ(0, run(&r, "group", "show", rel, NULL));
	EXPECT_EQ(0, mls_drain(ctl, MLS_DRAIN_F_CANCEL, 0, NULL));
	ASSERT_NE(NULL, g);
	EXPECT_STREQ("shutting-down", json_string_value(json_object_get(g, "state")));
	EXPECT_STREQ("shutting-down", f);
	EXPECT_NE(NULL, strstr(r.out, "state shutting-down ")) TH_LOG("%s", r.out);
	run_free(&r);
	free(f);
	json_decref(j);
	destroy(id);
	close(ctl);
}

/*
 * mlsctl drain: its words, a drain and its cancel, the errors in words.
 * The teardown cancels whatever the test left drained, so that the
 * suites after this one find the module in service.
 */
FIXTURE(drain) {
	int ctl;
};

FIXTURE_SETUP(drain)
{
	self->ctl = mls_open(0);
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(drain)
{
	int r = mls_drain(self->ctl, MLS_DRAIN_F_CANCEL, 0, NULL);

	EXPECT_TRUE(r == 0 || r == -EALREADY) TH_LOG("cancel: %d", r);
	close(self->ctl);
}

/* The drain's state in sysfs ("none", "draining", "drained"), or "". */
static void drain_state(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/mls/drain", "re");

	buf[0] = '\0';
	if (f && fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

TEST_F_TIMEOUT(drain, words, LONG_TIMEOUT)
{
	static const char *const bad[][5] = {
		{ "drain", "cancel", "destroy", NULL },
		{ "drain", "--cancel", "timeout", "5", NULL },
		{ "drain", "timeout", NULL },
		{ "drain", "timeout", "soon", NULL },
		{ "drain", "timeout", "4294967296", NULL },
		{ "drain", "now", NULL },
	};
	struct run r;
	char st[32];

	NEED_MLSCTL();
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(1, run(&r, bad[i][0], bad[i][1], bad[i][2], bad[i][3],
				 NULL)) TH_LOG("case %zu: %s", i, r.err);
		EXPECT_STREQ("", r.out);
		EXPECT_NE(NULL, strstr(r.err, "(mlsctl help)")) TH_LOG("%s", r.err);
		run_free(&r);
	}
	/* nothing was asked of the kernel */
	drain_state(st, sizeof(st));
	EXPECT_STREQ("none", st);
}

TEST_F_TIMEOUT(drain, drain_and_cancel, LONG_TIMEOUT)
{
	struct run r;
	char st[32];
	json_t *j;

	NEED_MLSCTL();
	if (getuid() != 0)
		SKIP(return, "the drain needs CAP_SYS_ADMIN");
	/* not drained: nothing to cancel */
	EXPECT_EQ(2, run(&r, "drain", "cancel", NULL));
	EXPECT_STREQ("", r.out);
	EXPECT_NE(NULL, strstr(r.err, "EALREADY")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "not drained")) TH_LOG("%s", r.err);
	run_free(&r);

	/* not root: refused, and said why */
	EXPECT_EQ(2, run_as(&r, 1000, "drain", "timeout", "1", NULL));
	EXPECT_STREQ("", r.out);
	EXPECT_NE(NULL, strstr(r.err, "EPERM")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "CAP_SYS_ADMIN")) TH_LOG("%s", r.err);
	run_free(&r);
	drain_state(st, sizeof(st));
	EXPECT_STREQ("none", st);

	EXPECT_EQ(0, run(&r, "drain", "timeout", "1", NULL)) TH_LOG("%s", r.err);
	EXPECT_EQ(0, strncmp(r.out, "saved ", 6)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, " destroyed 0\n")) TH_LOG("%s", r.out);
	run_free(&r);
	drain_state(st, sizeof(st));
	EXPECT_STREQ("drained", st);

	/* drained: a new group is refused with the drain's words */
	EXPECT_EQ(2, run(&r, "group", "create", "group-id", "0d0e0f", NULL));
	EXPECT_NE(NULL, strstr(r.err, "ESHUTDOWN")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "mlsctl drain cancel")) TH_LOG("%s", r.err);
	run_free(&r);

	/* a second drain waits again; JSON, its schema */
	ASSERT_EQ(0, run(&r, "-j", "drain", "--timeout", "1", NULL)) TH_LOG("%s", r.err);
	j = json_loads(r.out, 0, NULL);
	ASSERT_NE(NULL, j) TH_LOG("%s", r.out);
	EXPECT_EQ(0, schema(j, "drain:s,saved:i,not_saved:i,destroyed:i"))
		TH_LOG("%s", r.out);
	EXPECT_STREQ("drained", json_string_value(json_object_get(j, "drain")));
	EXPECT_EQ(0, json_integer_value(json_object_get(j, "destroyed")));
	json_decref(j);
	run_free(&r);

	ASSERT_EQ(0, run(&r, "-j", "drain", "--cancel", NULL)) TH_LOG("%s", r.err);
	j = json_loads(r.out, 0, NULL);
	ASSERT_NE(NULL, j) TH_LOG("%s", r.out);
	EXPECT_EQ(0, schema(j, "drain:s")) TH_LOG("%s", r.out);
	EXPECT_STREQ("cancelled", json_string_value(json_object_get(j, "drain")));
	json_decref(j);
	run_free(&r);
	drain_state(st, sizeof(st));
	EXPECT_STREQ("none", st);

	/* in service again */
	EXPECT_EQ(0, run(&r, "drain", "timeout", "1", NULL));
	run_free(&r);
	EXPECT_EQ(0, run(&r, "drain", "cancel", NULL));
	EXPECT_STREQ("cancelled\n", r.out);
	run_free(&r);
	EXPECT_EQ(2, run(&r, "drain", "cancel", NULL));
	run_free(&r);
}

/* ---------------------------------------------------------- Prometheus */

/* One sample of the exposition. */
struct sample {
	char name[128];
	char labels[128];	/* as written between the braces */
	double value;
};

struct family {
	char name[128];
	char type[16];
	bool help, sampled, closed;
	/* histograms */
	double last_le, last_bucket, inf, sum, count;
	bool has_inf, has_sum, has_count;
	int buckets;
};

struct expo {
	struct sample s[512];
	size_t ns;
	struct family f[64];
	size_t nf;
};

static bool name_ok(const char *s, size_t n, bool colon)
{
	size_t i;

	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      (colon && s[i] == ':')))
			return false;
	return true;
}

static struct family *family_of(struct expo *x, const char *name, bool add)
{
	size_t i;

	for (i = 0; i < x->nf; i++)
		if (strcmp(x->f[i].name, name) == 0)
			return &x->f[i];
	if (!add || x->nf == ARRAY_SIZE(x->f))
		return NULL;
	memset(&x->f[x->nf], 0, sizeof(x->f[0]));
	snprintf(x->f[x->nf].name, sizeof(x->f[0].name), "%s", name);
	return &x->f[x->nf++];
}

/* A float of the format: strtod's forms, +Inf, -Inf, NaN. */
static bool value_of(const char *s, double *v)
{
	char *end;

	if (strcmp(s, "+Inf") == 0) {
		*v = 1.0 / 0.0;
		return true;
	}
	if (strcmp(s, "-Inf") == 0) {
		*v = -1.0 / 0.0;
		return true;
	}
	if (strcmp(s, "NaN") == 0) {
		*v = 0.0 / 0.0;
		return true;
	}
	if (!*s || *s == ' ')
		return false;
	*v = strtod(s, &end);
	return !*end;
}

/* Labels 'a="x",b="y"': well formed? The value of @want in @out if asked. */
static bool labels_ok(const char *l, const char *want, char *out, size_t outlen)
{
	const char *p = l, *eq;

	while (*p) {
		eq = strchr(p, '=');
		if (!eq || !name_ok(p, (size_t)(eq - p), false) || eq[1] != '"')
			return false;
		if (want && strlen(want) == (size_t)(eq - p) &&
		    strncmp(p, want, (size_t)(eq - p)) == 0 && out)
			snprintf(out, outlen, "%.*s", (int)strcspn(eq + 2, "\""), eq + 2);
		p = eq + 2;
		while (*p && *p != '"') {
			if (*p == '\\') {
				if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
					return false;
				p++;
			}
			p++;
		}
		if (*p != '"')
			return false;
		p++;
		if (*p == ',')
			p++;
		else if (*p)
			return false;
	}
	return true;
}

/*
 * The text exposition format 0.0.4, held strictly: every line a HELP, a
 * TYPE or a sample; one HELP and one TYPE per family, before its samples;
 * a family's samples together; histograms with increasing le, cumulative
 * non-decreasing buckets ending with +Inf, and _count equal to it. The
 * number of problems (each logged).
 */
static int prom_check(struct __test_metadata *_metadata, const char *text,
		      struct expo *x)
{
	char *copy = strdup(text), *line, *save = NULL, *sp, *brace, *val;
	struct family *cur = NULL, *f;
	int bad = 0;
	size_t i;

	memset(x, 0, sizeof(*x));
	if (!*text || text[strlen(text) - 1] != '\n') {
		TH_LOG("prometheus: does not end with a newline");
		bad++;
	}
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], base[128], le[64] = "";
		struct sample *s;

		if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0) {
			bool help = line[2] == 'H';

			sp = strchr(line + 7, ' ');
			if (!sp || !name_ok(line + 7, (size_t)(sp - line - 7), true)) {
				TH_LOG("prometheus: bad line: %s", line);
				bad++;
				continue;
			}
			snprintf(name, sizeof(name), "%.*s", (int)(sp - line - 7), line + 7);
			f = family_of(x, name, true);
			if (!f || f->sampled || (help ? f->help : f->type[0] != 0)) {
				TH_LOG("prometheus: misplaced or second %s", line);
				bad++;
				continue;
			}
			if (help) {
				f->help = true;
				if (!sp[1]) {
					TH_LOG("prometheus: empty HELP: %s", line);
					bad++;
				}
			} else {
				if (strcmp(sp + 1, "counter") && strcmp(sp + 1, "gauge") &&
				    strcmp(sp + 1, "histogram") && strcmp(sp + 1, "summary") &&
				    strcmp(sp + 1, "untyped")) {
					TH_LOG("prometheus: bad type: %s", line);
					bad++;
				}
				snprintf(f->type, sizeof(f->type), "%s", sp + 1);
			}
			continue;
		}
		if (line[0] == '#') {
			TH_LOG("prometheus: unexpected comment: %s", line);
			bad++;
			continue;
		}
		/* a sample: name[{labels}] value (no time stamp) */
		if (x->ns == ARRAY_SIZE(x->s))
			return bad + 1;
		s = &x->s[x->ns++];
		memset(s, 0, sizeof(*s));
		brace = strchr(line, '{');
		sp = strchr(line, ' ');
		if (!sp || (brace && brace > sp)) {
			brace = NULL;
		}
		if (brace) {
			char *close = strstr(brace, "} ");

			if (!close) {
				TH_LOG("prometheus: bad labels: %s", line);
				bad++;
				continue;
			}
			snprintf(s->name, sizeof(s->name), "%.*s", (int)(brace - line), line);
			snprintf(s->labels, sizeof(s->labels), "%.*s",
				 (int)(close - brace - 1), brace + 1);
			val = close + 2;
		} else if (sp) {
			snprintf(s->name, sizeof(s->name), "%.*s", (int)(sp - line), line);
			val = sp + 1;
		} else {
			TH_LOG("prometheus: bad sample: %s", line);
			bad++;
			continue;
		}
		if (!name_ok(s->name, strlen(s->name), true) ||
		    !labels_ok(s->labels, "le", le, sizeof(le)) ||
		    strchr(val, ' ') || !value_of(val, &s->value)) {
			TH_LOG("prometheus: bad sample: %s", line);
			bad++;
			continue;
		}
		/* its family: the name, or a histogram's without its suffix */
		snprintf(base, sizeof(base), "%s", s->name);
		f = family_of(x, base, false);
		if (!f) {
			static const char *const sfx[] = { "_bucket", "_sum", "_count" };
			size_t k, n = strlen(base);

			for (k = 0; k < ARRAY_SIZE(sfx) && !f; k++) {
				size_t m = strlen(sfx[k]);

				if (n > m && strcmp(base + n - m, sfx[k]) == 0) {
					base[n - m] = '\0';
					f = family_of(x, base, false);
					if (f && strcmp(f->type, "histogram"))
						f = NULL;
					if (!f)
						base[n - m] = sfx[k][0];
				}
			}
		}
		if (!f || !f->type[0] || !f->help) {
			TH_LOG("prometheus: sample without HELP and TYPE: %s", line);
			bad++;
			continue;
		}
		if (f != cur) {
			if (f->closed || f->sampled) {
				TH_LOG("prometheus: %s's samples are not together", f->name);
				bad++;
			}
			if (cur)
				cur->closed = true;
			cur = f;
		}
		f->sampled = true;
		if (strcmp(f->type, "histogram")) {
			size_t n = strlen(f->name);

			/* suffixes of histograms only (promtool says so too) */
			if ((n > 6 && !strcmp(f->name + n - 6, "_count")) ||
			    (n > 4 && !strcmp(f->name + n - 4, "_sum")) ||
			    (n > 7 && !strcmp(f->name + n - 7, "_bucket"))) {
				TH_LOG("prometheus: %s %s has a histogram's suffix",
				       f->type, f->name);
				bad++;
			}
			if (!strcmp(f->type, "counter") &&
			    (n < 6 || strcmp(f->name + n - 6, "_total"))) {
				TH_LOG("prometheus: counter %s without _total", f->name);
				bad++;
			}
			continue;
		}
		if (strcmp(s->name + strlen(f->name), "_bucket") == 0) {
			double lev;

			if (!value_of(le, &lev) || f->has_inf ||
			    (f->buckets && lev <= f->last_le) || s->value < f->last_bucket) {
				TH_LOG("prometheus: bucket out of order: %s", line);
				bad++;
			}
			f->last_le = lev;
			f->last_bucket = s->value;
			f->buckets++;
			if (strcmp(le, "+Inf") == 0) {
				f->has_inf = true;
				f->inf = s->value;
			}
		} else if (strcmp(s->name + strlen(f->name), "_sum") == 0) {
			f->has_sum = true;
			f->sum = s->value;
		} else {
			f->has_count = true;
			f->count = s->value;
		}
	}
	for (i = 0; i < x->nf; i++) {
		f = &x->f[i];
		if (!f->sampled) {
			TH_LOG("prometheus: %s has no sample", f->name);
			bad++;
		}
		if (strcmp(f->type, "histogram"))
			continue;
		if (!f->has_inf || !f->has_sum || !f->has_count || f->count != f->inf) {
			TH_LOG("prometheus: histogram %s: +Inf %d sum %d count %d (%g, %g)",
			       f->name, f->has_inf, f->has_sum, f->has_count, f->count, f->inf);
			bad++;
		}
	}
	free(copy);
	return bad;
}

static const struct sample *sample_of(const struct expo *x, const char *name,
				      const char *labels)
{
	size_t i;

	for (i = 0; i < x->ns; i++)
		if (strcmp(x->s[i].name, name) == 0 &&
		    strcmp(x->s[i].labels, labels ? labels : "") == 0)
			return &x->s[i];
	return NULL;
}

/* promtool check metrics: its exit status (what it said is logged). */
static int promtool(struct __test_metadata *_metadata, const char *text)
{
	char path[] = "/tmp/mlsctl_test.XXXXXX", cmd[128], line[512];
	int fd = mkstemp(path), ret;
	FILE *p;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	snprintf(cmd, sizeof(cmd), "promtool check metrics <%s 2>&1", path);
	p = popen(cmd, "r");
	if (!p)
		abort();
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		TH_LOG("promtool: %s", line);
	}
	ret = pclose(p);
	unlink(path);
	return WIFEXITED(ret) ? WEXITSTATUS(ret) : -1;
}

static bool have_promtool(void)
{
	return system("command -v promtool >/dev/null 2>&1") == 0;
}

/* The exposition parses strictly and says what sysfs says. */
TEST(stats_prometheus_strict)
{
	unsigned long long v, b[32], cum, sum;
	char rel[64], name[96], labels[64], *h;
	const struct sample *s;
	struct expo *x = malloc(sizeof(*x));
	struct run r;
	size_t i, k;
	int ones = 0;

	NEED_SYSFS_STATS();
	ASSERT_NE(NULL, x);
	ASSERT_EQ(0, run(&r, "stats", "--prometheus", NULL));
	EXPECT_STREQ("", r.err);
	EXPECT_EQ(0, prom_check(_metadata, r.out, x));
	for (i = 0; i < ARRAY_SIZE(stat_names); i++) {
		bool gauge = !strcmp(stat_names[i], "groups_active") ||
			     !strcmp(stat_names[i], "breakers_open");

		snprintf(rel, sizeof(rel), "stats/%s", stat_names[i]);
		ASSERT_TRUE(sys_u64(rel, &v));
		snprintf(name, sizeof(name), "mls_%s%s", stat_names[i], gauge ? "" : "_total");
		s = sample_of(x, name, NULL);
		ASSERT_NE(NULL, s) TH_LOG("no %s", name);
		EXPECT_EQ((double)v, s->value) TH_LOG("%s", name);
		EXPECT_STREQ(gauge ? "gauge" : "counter", family_of(x, name, false)->type);
	}
	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		ASSERT_TRUE(sys_hist(op_names[i], b));
		snprintf(name, sizeof(name), "mls_%s_duration_seconds_bucket", op_names[i]);
		cum = 0;
		for (k = 0; k < 31; k++) {
			char le[32];

			cum += b[k];
			/* 2^(k+1) ns in seconds, written exactly */
			snprintf(le, sizeof(le), "%.9f", (double)(1ULL << (k + 1)) / 1e9);
			while (le[strlen(le) - 1] == '0')
				le[strlen(le) - 1] = '\0';
			if (le[strlen(le) - 1] == '.')
				le[strlen(le) - 1] = '\0';
			snprintf(labels, sizeof(labels), "le=\"%s\"", le);
			s = sample_of(x, name, labels);
			ASSERT_NE(NULL, s) TH_LOG("%s{%s}", name, labels);
			EXPECT_EQ((double)cum, s->value);
		}
		cum += b[31];
		s = sample_of(x, name, "le=\"+Inf\"");
		ASSERT_NE(NULL, s);
		EXPECT_EQ((double)cum, s->value);
		snprintf(name, sizeof(name), "mls_%s_duration_seconds_count", op_names[i]);
		s = sample_of(x, name, NULL);
		ASSERT_NE(NULL, s);
		EXPECT_EQ((double)cum, s->value);
		snprintf(rel, sizeof(rel), "latency/%s_sum_ns", op_names[i]);
		ASSERT_TRUE(sys_u64(rel, &sum));
		snprintf(name, sizeof(name), "mls_%s_duration_seconds_sum", op_names[i]);
		s = sample_of(x, name, NULL);
		ASSERT_NE(NULL, s);
		EXPECT_TRUE(s->value * 1e9 > (double)sum - 1 && s->value * 1e9 < (double)sum + 1);
	}
	h = sys_read("health");
	ASSERT_NE(NULL, h);
	for (i = 0; i < x->ns; i++) {
		char state[32] = "";

		if (strcmp(x->s[i].name, "mls_health_state"))
			continue;
		ASSERT_TRUE(labels_ok(x->s[i].labels, "state", state, sizeof(state)));
		EXPECT_EQ(strcmp(state, h) == 0 ? 1.0 : 0.0, x->s[i].value) TH_LOG("%s", state);
		ones += x->s[i].value == 1.0;
	}
	EXPECT_EQ(1, ones);
	EXPECT_STREQ("gauge", family_of(x, "mls_health_state", false)->type);
	free(h);
	run_free(&r);
	free(x);
}

/* promtool (Prometheus's own parser and linter) takes it as it is. */
TEST(stats_prometheus_promtool)
{
	unsigned long id;
	struct run r;

	NEED_SYSFS_STATS();
	if (!have_promtool())
		SKIP(return, "no promtool in PATH");
	ASSERT_EQ(0, set_group_sysfs(false));
	id = create(_metadata, "group", "create", NULL);
	ASSERT_NE(0, id);
	ASSERT_EQ(0, run(&r, "stats", "prometheus", NULL));
	EXPECT_NE(NULL, strstr(r.out, "mls_group_epoch{group=\""));
	EXPECT_EQ(0, promtool(_metadata, r.out)) TH_LOG("%s", r.out);
	run_free(&r);
	destroy(id);
}

/* ------------------------------------------------ a sysfs tree of our own */

/* A tree like /sys/kernel/mls in @dir, with every file but those in @skip. */
static void fake_tree(const char *dir, const char *health, const char *skip)
{
	char path[256];
	size_t i;

	snprintf(path, sizeof(path), "mkdir -p %s/stats %s/latency %s/groups/5", dir,
		 dir, dir);
	if (system(path))
		abort();
	if (health)
		put(dir, "health", health);
	for (i = 0; i < ARRAY_SIZE(stat_names); i++) {
		char v[24];

		snprintf(path, sizeof(path), "stats/%s", stat_names[i]);
		if (skip && strstr(skip, path))
			continue;
		snprintf(v, sizeof(v), "%zu\n", 100 + i);
		put(dir, path, v);
	}
	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		snprintf(path, sizeof(path), "latency/%s_ns", op_names[i]);
		if (!skip || !strstr(skip, path))
			put(dir, path, "1 0 0 0 0 0 0 0 0 0 0 0 4 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2\n");
		snprintf(path, sizeof(path), "latency/%s_sum_ns", op_names[i]);
		if (!skip || !strstr(skip, path))
			put(dir, path, "6000000001\n");
	}
	put(dir, "groups/5/epoch", "3\n");
	put(dir, "groups/5/group_id", "6d6c73\n");
	put(dir, "groups/5/messages_encrypted", "8\n");
	put(dir, "groups/5/state", "active\n");
	put(dir, "groups/5/mode", "0640\n");
}

/* Files an older module lacks: named on stderr, null in JSON, never 0. */
TEST_F_TIMEOUT(cli, stats_absent_files, LONG_TIMEOUT)
{
	struct expo *x = malloc(sizeof(*x));
	char dir[64], root[80];
	json_t *j, *a, *g;
	struct run r;

	NEED_MLSCTL();
	ASSERT_NE(NULL, x);
	scratch(dir, sizeof(dir));
	fake_tree(dir, "degraded\n", "stats/throttled stats/breakers_open "
		  "latency/decrypt_ns latency/commit_sum_ns");
	/* not in the documented format: left out as well */
	put(dir, "stats/replays", "12x\n");
	setenv("MLSCTL_SYSFS", dir, 1);

	ASSERT_EQ(0, run(&r, "-j", "stats", NULL));
	EXPECT_NE(NULL, strstr(r.err, "stats/throttled: absent")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "stats/replays: not in the documented format"));
	j = parse(_metadata, &r);
	ASSERT_NE(NULL, j);
	EXPECT_EQ(0, schema(j, STATS_SCHEMA));
	EXPECT_STREQ("degraded", json_string_value(json_object_get(j, "health")));
	EXPECT_TRUE(json_is_null(json_object_get(json_object_get(j, "counters"), "throttled")));
	EXPECT_TRUE(json_is_null(json_object_get(json_object_get(j, "counters"), "replays")));
	EXPECT_EQ(101, counter(j, "messages_encrypted"));
	EXPECT_TRUE(json_is_null(json_object_get(json_object_get(j, "latency"), "decrypt")));
	EXPECT_EQ(7, lat_count(j, "encrypt"));
	EXPECT_TRUE(json_is_null(json_object_get(json_object_get(json_object_get(j,
		"latency"), "commit"), "sum_ns")));
	a = json_object_get(j, "absent");
	EXPECT_EQ(5, json_array_size(a));
	g = stats_group(j, 5);
	ASSERT_NE(NULL, g);
	EXPECT_EQ(0, schema(g, "id:i,group_id:s,state:s,epoch:i,messages_encrypted:i,"
			    "mode:s"));
	/* a mode is octal, not a number */
	EXPECT_STREQ("0640", json_string_value(json_object_get(g, "mode")));
	json_decref(j);
	run_free(&r);

	/* Prometheus: those metrics left out, the rest well formed. */
	ASSERT_EQ(0, run(&r, "stats", "prometheus", NULL));
	EXPECT_EQ(0, prom_check(_metadata, r.out, x)) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "mls_throttled_total"));
	EXPECT_EQ(NULL, strstr(r.out, "mls_replays_total"));
	EXPECT_EQ(NULL, strstr(r.out, "mls_decrypt_duration"));
	EXPECT_EQ(NULL, strstr(r.out, "mls_commit_duration"));
	EXPECT_NE(NULL, sample_of(x, "mls_encrypt_duration_seconds_bucket", "le=\"0.000000002\""));
	EXPECT_EQ(1.0, sample_of(x, "mls_encrypt_duration_seconds_bucket", "le=\"0.000000002\"")->value);
	EXPECT_EQ(5.0, sample_of(x, "mls_encrypt_duration_seconds_bucket", "le=\"0.000008192\"")->value);
	EXPECT_EQ(5.0, sample_of(x, "mls_encrypt_duration_seconds_bucket", "le=\"2.147483648\"")->value);
	EXPECT_EQ(7.0, sample_of(x, "mls_encrypt_duration_seconds_bucket", "le=\"+Inf\"")->value);
	EXPECT_NE(NULL, strstr(r.out, "\nmls_encrypt_duration_seconds_sum 6.000000001\n"));
	EXPECT_EQ(1.0, sample_of(x, "mls_health_state", "state=\"degraded\"")->value);
	EXPECT_EQ(0.0, sample_of(x, "mls_health_state", "state=\"healthy\"")->value);
	EXPECT_EQ(3.0, sample_of(x, "mls_group_epoch", "group=\"5\"")->value);
	EXPECT_EQ(8.0, sample_of(x, "mls_group_messages_encrypted_total", "group=\"5\"")->value);
	if (have_promtool())
		EXPECT_EQ(0, promtool(_metadata, r.out));
	run_free(&r);

	/* The table: a dash, not a zero. */
	ASSERT_EQ(0, run(&r, "stats", NULL));
	snprintf(root, sizeof(root), "  %-20s %20s\n", "throttled", "-");
	EXPECT_NE(NULL, strstr(r.out, root)) TH_LOG("%s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "group 5: group_id 6d6c73 state active mode 0640 epoch 3"))
		TH_LOG("%s", r.out);
	run_free(&r);

	/* No tree at all: the module is not loaded. */
	snprintf(root, sizeof(root), "%s/none", dir);
	setenv("MLSCTL_SYSFS", root, 1);
	EXPECT_EQ(2, run(&r, "stats", NULL));
	EXPECT_NE(NULL, strstr(r.err, "is the mls module loaded?"));
	EXPECT_STREQ("", r.out);
	run_free(&r);
	EXPECT_EQ(2, run(&r, "health", NULL));
	run_free(&r);
	unsetenv("MLSCTL_SYSFS");
	rm_scratch(dir);
	free(x);
}

/* health: the word, and an exit status scripts can test. */
TEST_F_TIMEOUT(cli, health_exit_status, LONG_TIMEOUT)
{
	static const struct {
		const char *word;
		int status;
	} cases[] = {
		{ "healthy\n", 0 }, { "degraded\n", 3 }, { "unhealthy\n", 4 },
		{ "overloaded\n", 4 },	/* a word of a newer module */
		{ "two words\n", 2 }, { "\n", 2 },
	};
	char dir[64], want[64];
	struct run r;
	json_t *j;
	size_t i;

	NEED_MLSCTL();
	scratch(dir, sizeof(dir));
	fake_tree(dir, NULL, NULL);
	setenv("MLSCTL_SYSFS", dir, 1);
	/* absent: an older module */
	EXPECT_EQ(2, run(&r, "health", NULL));
	EXPECT_NE(NULL, strstr(r.err, "health: absent")) TH_LOG("%s", r.err);
	run_free(&r);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		put(dir, "health", cases[i].word);
		EXPECT_EQ(cases[i].status, run(&r, "health", NULL)) TH_LOG("%s", cases[i].word);
		if (cases[i].status != 2) {
			EXPECT_STREQ(cases[i].word, r.out);
			EXPECT_STREQ("", r.err);
		} else {
			EXPECT_STREQ("", r.out);
		}
		run_free(&r);
		EXPECT_EQ(cases[i].status, run(&r, "-j", "health", NULL));
		if (cases[i].status != 2) {
			j = parse(_metadata, &r);
			EXPECT_EQ(0, schema(j, "health:s"));
			snprintf(want, sizeof(want), "%.*s", (int)strlen(cases[i].word) - 1,
				 cases[i].word);
			EXPECT_STREQ(want, json_string_value(json_object_get(j, "health")));
			json_decref(j);
		}
		run_free(&r);
	}
	unsetenv("MLSCTL_SYSFS");
	rm_scratch(dir);

	/* The module's own: the word sysfs holds, and its status. */
	if (!have_dev() || access("/sys/kernel/mls/health", R_OK))
		return;
	{
		char *h = sys_read("health");
		int st = !strcmp(h, "healthy") ? 0 : !strcmp(h, "degraded") ? 3 : 4;

		EXPECT_EQ(st, run(&r, "health", NULL));
		snprintf(want, sizeof(want), "%s\n", h);
		EXPECT_STREQ(want, r.out);
		run_free(&r);
		free(h);
	}
}

/* ------------------------------------------ member: a group by the client */

/*
 * "mlsctl member ARGS..." must exit @want; stdout stays in *@r (run_free()
 * it), stderr is logged on a mismatch.
 */
#define MEMBER(r, want, ...) do {					\
	int st_ = run((r), "member", __VA_ARGS__, NULL);		\
	EXPECT_EQ((want), st_) TH_LOG("member " #__VA_ARGS__ ": %s%s",	\
				      (r)->out, (r)->err);		\
} while (0)

/* As MEMBER, and stdout must be @out. */
#define MEMBER_OUT(want_out, ...) do {					\
	struct run r_;							\
	MEMBER(&r_, 0, __VA_ARGS__);					\
	EXPECT_STREQ((want_out), r_.out);				\
	run_free(&r_);							\
} while (0)

/* As MEMBER, failing with @want and the errno name @ename on stderr. */
#define MEMBER_FAILS(want, ename, ...) do {				\
	struct run r_;							\
	MEMBER(&r_, (want), __VA_ARGS__);				\
	EXPECT_NE(NULL, strstr(r_.err, (ename))) TH_LOG("%s", r_.err);	\
	EXPECT_STREQ("", r_.out);					\
	run_free(&r_);							\
} while (0)

/* The kernel id "mlsctl member" printed first ("id N ..."), or 0. */
static unsigned long member_id(const char *out)
{
	return strncmp(out, "id ", 3) ? 0 : strtoul(out + 3, NULL, 10);
}

static unsigned long file_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_mode & 07777;
}

/* Copy @from to @to, changing it: cut @cut bytes off the end, then
 * append @add (may be NULL), then, if @at >= 0, xor byte @at with 0xff.
 */
static void mangle(const char *from, const char *to, size_t cut,
		   const char *add, long at)
{
	int in = open(from, O_RDONLY), out;
	size_t len;
	char *b;

	if (in < 0)
		abort();
	b = slurp(in, &len);
	close(in);
	len = cut > len ? 0 : len - cut;
	if (at >= 0 && (size_t)at < len)
		b[at] ^= 0xff;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0 || write(out, b, len) != (ssize_t)len ||
	    (add && write(out, add, strlen(add)) != (ssize_t)strlen(add)))
		abort();
	close(out);
	free(b);
}

FIXTURE(member) {
	char d[64];
	unsigned long ids[4];
};

FIXTURE_VARIANT(member) {
	const char *suite;
};

FIXTURE_VARIANT_ADD(member, cs1) { .suite = "1" };
FIXTURE_VARIANT_ADD(member, cs2) { .suite = "2" };
FIXTURE_VARIANT_ADD(member, cs3) { .suite = "3" };
FIXTURE_VARIANT_ADD(member, cs4) { .suite = "4" };
FIXTURE_VARIANT_ADD(member, cs5) { .suite = "5" };
FIXTURE_VARIANT_ADD(member, cs6) { .suite = "6" };
FIXTURE_VARIANT_ADD(member, cs7) { .suite = "7" };

FIXTURE_SETUP(member)
{
	scratch(self->d, sizeof(self->d));
	memset(self->ids, 0, sizeof(self->ids));
}

FIXTURE_TEARDOWN(member)
{
	for (size_t i = 0; i < ARRAY_SIZE(self->ids); i++)
		if (self->ids[i])
			destroy(self->ids[i]);
	rm_scratch(self->d);
}

/* A KeyPackage of @name in d/NAME.kp, its private half in d/NAME.priv. */
static void member_kp(struct __test_metadata *_metadata, const char *d,
		      const char *suite, const char *name)
{
	char kp[256], priv[256];
	struct run r;
	int s = atoi(suite);
	size_t nh = s <= 3 ? 32 : s == 7 ? 48 : 64;

	snprintf(kp, sizeof(kp), "%s/%s.kp", d, name);
	snprintf(priv, sizeof(priv), "%s/%s.priv", d, name);
	MEMBER(&r, 0, "keypackage", "identity", name, "suite", suite,
	       "private", priv, "out", kp);
	/* the KeyPackageRef: Nh bytes in hex */
	EXPECT_EQ(2 * nh + 1, strlen(r.out)) TH_LOG("%s", r.out);
	EXPECT_EQ(2 * nh, strspn(r.out, "0123456789abcdef"));
	EXPECT_EQ('\n', r.out[2 * nh]);
	run_free(&r);
	EXPECT_EQ(0600, file_mode(priv));
}

/* Alice creates the group, adds Bob and Carol; both join. */
static void member_three(struct __test_metadata *_metadata, const char *d,
			 unsigned long *ids, const char *suite)
{
	char want[64];
	struct run r;

	member_kp(_metadata, d, suite, "alice");
	member_kp(_metadata, d, suite, "bob");
	member_kp(_metadata, d, suite, "carol");
	MEMBER(&r, 0, "create", "state", at(d, "alice.st"), "group-id",
	       "6d656d626572", "private", at(d, "alice.priv"));
	ids[0] = member_id(r.out);
	ASSERT_NE(0, ids[0]);
	snprintf(want, sizeof(want), "id %lu epoch 0 leaf 0\n", ids[0]);
	EXPECT_STREQ(want, r.out);
	run_free(&r);
	EXPECT_EQ(0600, file_mode(at(d, "alice.st")));

	/* the Add is pending until the delivery service's decision */
	snprintf(want, sizeof(want), "id %lu epoch 1 leaf 0 pending\n", ids[0]);
	MEMBER_OUT(want, "add", "state", at(d, "alice.st"), "key-package",
		   at(d, "bob.kp"), "key-package", at(d, "carol.kp"),
		   "out", at(d, "c1"), "welcome", at(d, "w1"));
	snprintf(want, sizeof(want), "id %lu epoch 1 leaf 0 merged\n", ids[0]);
	MEMBER_OUT(want, "commit", "state", at(d, "alice.st"), "merge");

	MEMBER(&r, 0, "join", "state", at(d, "bob.st"), "private",
	       at(d, "bob.priv"), "welcome", at(d, "w1"));
	ids[1] = member_id(r.out);
	ASSERT_NE(0, ids[1]);
	snprintf(want, sizeof(want), "id %lu epoch 1 leaf 1\n", ids[1]);
	EXPECT_STREQ(want, r.out);
	run_free(&r);
	MEMBER(&r, 0, "join", "state", at(d, "carol.st"), "private",
	       at(d, "carol.priv"), "welcome", at(d, "w1"));
	ids[2] = member_id(r.out);
	ASSERT_NE(0, ids[2]);
	snprintf(want, sizeof(want), "id %lu epoch 1 leaf 2\n", ids[2]);
	EXPECT_STREQ(want, r.out);
	run_free(&r);
}

/* @from sends @text; each of @to (NULL-terminated) receives it. */
static void member_say(struct __test_metadata *_metadata, const char *d,
		       const char *from, const char *text, const char *msg, ...)
{
	const char *to;
	struct run r;
	va_list ap;

	run_in(&r, text, "member", "send", "state", at(d, from), "out",
	       at(d, msg), NULL);
	EXPECT_EQ(0, r.status) TH_LOG("send: %s", r.err);
	run_free(&r);
	va_start(ap, msg);
	while ((to = va_arg(ap, const char *))) {
		MEMBER(&r, 0, "receive", "state", at(d, to), "in", at(d, msg));
		EXPECT_STREQ(text, r.out) TH_LOG("%s receiving %s", to, msg);
		run_free(&r);
	}
	va_end(ap);
}

TEST_F_TIMEOUT(member, life_cycle, LONG_TIMEOUT)
{
	const char *d = self->d;
	char want[64];
	struct run r;
	json_t *j;

	NEED_DEV();
	member_three(_metadata, d, self->ids, variant->suite);

	/* all three exchange messages, each read by the two others */
	member_say(_metadata, d, "alice.st", "hello from alice\n", "m1",
		   "bob.st", "carol.st", NULL);
	member_say(_metadata, d, "bob.st", "bob here\n", "m2",
		   "alice.st", "carol.st", NULL);
	member_say(_metadata, d, "carol.st", "and carol\n", "m3",
		   "alice.st", "bob.st", NULL);
	/* a message is read once */
	MEMBER_FAILS(2, "(EALREADY", "receive", "state", at(d, "bob.st"),
		     "in", at(d, "m1"));

	/* Alice removes Carol, merged at once */
	snprintf(want, sizeof(want), "id %lu epoch 2 leaf 0 merged\n", self->ids[0]);
	MEMBER_OUT(want, "remove", "state", at(d, "alice.st"), "leaf", "2",
		   "out", at(d, "c2"), "merge");
	MEMBER_OUT("commit epoch 2 sender-leaf 0\n", "process", "state",
		   at(d, "bob.st"), "in", at(d, "c2"));
	MEMBER_OUT("commit epoch 2 sender-leaf 0 removed\n", "process", "state",
		   at(d, "carol.st"), "in", at(d, "c2"));
	member_say(_metadata, d, "alice.st", "carol is gone\n", "m4",
		   "bob.st", NULL);
	/* Carol reads nothing of epoch 2 */
	MEMBER(&r, 2, "receive", "state", at(d, "carol.st"), "in", at(d, "m4"));
	EXPECT_STREQ("", r.out);
	run_free(&r);

	/* Bob updates his keys: pending, Alice follows, Bob merges */
	snprintf(want, sizeof(want), "id %lu epoch 3 leaf 1 pending\n", self->ids[1]);
	MEMBER_OUT(want, "update", "state", at(d, "bob.st"), "out", at(d, "c3"));
	MEMBER_OUT("commit epoch 3 sender-leaf 1\n", "process", "state",
		   at(d, "alice.st"), "in", at(d, "c3"));
	snprintf(want, sizeof(want), "id %lu epoch 3 leaf 1 merged\n", self->ids[1]);
	MEMBER_OUT(want, "commit", "state", at(d, "bob.st"), "merge");
	member_say(_metadata, d, "bob.st", "new keys, same bob\n", "m5",
		   "alice.st", NULL);
	MEMBER(&r, 2, "receive", "state", at(d, "carol.st"), "in", at(d, "m5"));
	EXPECT_STREQ("", r.out);
	run_free(&r);
	/* Carol cannot follow the group's commits either */
	MEMBER(&r, 2, "process", "state", at(d, "carol.st"), "in", at(d, "c3"));
	run_free(&r);

	/* the state and the kernel agree */
	ASSERT_EQ(0, run(&r, "-j", "member", "show", "state", at(d, "alice.st"), NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(0, schema(j, "id:i,group_id:s,suite:i,epoch:i,leaf:i,leaves:i,"
			       "kernel_epoch:i"));
	EXPECT_EQ((json_int_t)self->ids[0], json_integer_value(json_object_get(j, "id")));
	EXPECT_STREQ("6d656d626572", json_string_value(json_object_get(j, "group_id")));
	EXPECT_EQ(atoi(variant->suite), json_integer_value(json_object_get(j, "suite")));
	EXPECT_EQ(3, json_integer_value(json_object_get(j, "epoch")));
	EXPECT_EQ(3, json_integer_value(json_object_get(j, "kernel_epoch")));
	EXPECT_EQ(0, json_integer_value(json_object_get(j, "leaf")));
	json_decref(j);
	run_free(&r);
	EXPECT_EQ(0600, file_mode(at(d, "alice.st")));
	EXPECT_EQ(0600, file_mode(at(d, "bob.st")));
}

/*
 * "mlsctl group @what ID" (with "label @label" if not NULL) prints the
 * same secret output for the kernel groups @a and @b.
 */
static void same_group_out(struct __test_metadata *_metadata,
			   unsigned long a, unsigned long b, const char *what,
			   const char *label)
{
	char ia[16], ib[16];
	struct run ra, rb;

	snprintf(ia, sizeof(ia), "%lu", a);
	snprintf(ib, sizeof(ib), "%lu", b);
	ASSERT_EQ(0, run(&ra, "group", what, ia, label ? "label" : NULL, label,
			 NULL));
	ASSERT_EQ(0, run(&rb, "group", what, ib, label ? "label" : NULL, label,
			 NULL));
	EXPECT_LT(32, strlen(ra.out)) TH_LOG("%s", ra.out);
	EXPECT_STREQ(ra.out, rb.out);
	run_free(&ra);
	run_free(&rb);
}

/* The members of kernel ids @a and @b have the same epoch_authenticator. */
static void same_authenticator(struct __test_metadata *_metadata,
			       unsigned long a, unsigned long b)
{
	same_group_out(_metadata, a, b, "authenticator", NULL);
}

/* ... and the same MLS-Exporter output. */
static void same_exporter(struct __test_metadata *_metadata,
			  unsigned long a, unsigned long b)
{
	same_group_out(_metadata, a, b, "export-secret", "mlsctl test");
}

/*
 * Commits with an external PSK (psk-id, psk) and with a resumption PSK:
 * the members that process them, given the external PSK, reach the
 * committer's epoch_authenticator; one without it cannot follow and
 * stays where it was.
 */
TEST_F_TIMEOUT(member, psk_commits, LONG_TIMEOUT)
{
	const char *d = self->d;
	const unsigned long *ids = self->ids;
	char want[64];

	NEED_DEV();
	member_three(_metadata, d, self->ids, variant->suite);
	put(d, "psk", "a secret the members share");

	snprintf(want, sizeof(want), "id %lu epoch 2 leaf 0 merged\n", ids[0]);
	MEMBER_OUT(want, "update", "state", at(d, "alice.st"), "out",
		   at(d, "c2"), "psk-id", "70736b2d31", "psk", at(d, "psk"),
		   "merge");
	/* without the PSK, or with another id: not followed */
	MEMBER_FAILS(2, "(ENOENT", "process", "state", at(d, "carol.st"),
		     "in", at(d, "c2"));
	MEMBER_FAILS(2, "(ENOENT", "process", "state", at(d, "carol.st"),
		     "in", at(d, "c2"), "psk-id", "70736b2d32", "psk",
		     at(d, "psk"));
	snprintf(want, sizeof(want), "id %lu epoch 1 leaf 2\n", ids[2]);
	MEMBER_OUT(want, "show", "state", at(d, "carol.st"));
	MEMBER_OUT("commit epoch 2 sender-leaf 0\n", "process", "state",
		   at(d, "bob.st"), "in", at(d, "c2"), "psk-id", "70736b2d31",
		   "psk", at(d, "psk"));
	MEMBER_OUT("commit epoch 2 sender-leaf 0\n", "process", "state",
		   at(d, "carol.st"), "in", at(d, "c2"), "psk-id", "70736b2d31",
		   "psk", at(d, "psk"));
	same_authenticator(_metadata, ids[0], ids[1]);
	same_authenticator(_metadata, ids[0], ids[2]);

	/* Bob commits the group's resumption PSK of epoch 2 */
	snprintf(want, sizeof(want), "id %lu epoch 3 leaf 1 merged\n", ids[1]);
	MEMBER_OUT(want, "update", "state", at(d, "bob.st"), "out", at(d, "c3"),
		   "resumption-psk", "2", "merge");
	MEMBER_OUT("commit epoch 3 sender-leaf 1\n", "process", "state",
		   at(d, "alice.st"), "in", at(d, "c3"));
	MEMBER_OUT("commit epoch 3 sender-leaf 1\n", "process", "state",
		   at(d, "carol.st"), "in", at(d, "c3"));
	same_authenticator(_metadata, ids[0], ids[1]);
	same_authenticator(_metadata, ids[0], ids[2]);
	member_say(_metadata, d, "carol.st", "after the PSKs\n", "m1",
		   "alice.st", "bob.st", NULL);

	/* an epoch the group has not reached; a PSK id without its secret */
	MEMBER_FAILS(2, "(EAGAIN", "update", "state", at(d, "alice.st"), "out",
		     at(d, "c4"), "resumption-psk", "9");
	MEMBER_FAILS(1, "go together", "update", "state", at(d, "alice.st"),
		     "out", at(d, "c4"), "psk-id", "70736b2d31");
}

/* A Welcome without the tree: the tree comes in its own file. */
TEST_F_TIMEOUT(member, tree_apart_discard, LONG_TIMEOUT)
{
	const char *d = self->d;
	char want[64];
	struct run r;

	NEED_DEV();
	member_kp(_metadata, d, variant->suite, "alice");
	member_kp(_metadata, d, variant->suite, "bob");
	MEMBER(&r, 0, "create", "state", at(d, "alice.st"), "group-id", "74",
	       "private", at(d, "alice.priv"));
	self->ids[0] = member_id(r.out);
	run_free(&r);
	/* a rejected update: discarded, the epoch stays */
	MEMBER(&r, 0, "update", "state", at(d, "alice.st"), "out", at(d, "c0"));
	run_free(&r);
	snprintf(want, sizeof(want), "id %lu epoch 0 leaf 0 discarded\n", self->ids[0]);
	MEMBER_OUT(want, "commit", "state", at(d, "alice.st"), "discard");
	MEMBER_FAILS(2, "(ENOENT", "commit", "state", at(d, "alice.st"), "merge");

	MEMBER(&r, 0, "add", "state", at(d, "alice.st"), "key-package",
	       at(d, "bob.kp"), "out", at(d, "c1"), "welcome", at(d, "w1"),
	       "merge", "tree", at(d, "tree"));
	run_free(&r);
	MEMBER_FAILS(2, "(ENODATA", "join", "state", at(d, "bob.st"), "private",
		     at(d, "bob.priv"), "welcome", at(d, "w1"));
	EXPECT_NE(0, access(at(d, "bob.st"), F_OK));
	MEMBER(&r, 0, "join", "state", at(d, "bob.st"), "private",
	       at(d, "bob.priv"), "welcome", at(d, "w1"), "tree", at(d, "tree"));
	self->ids[1] = member_id(r.out);
	snprintf(want, sizeof(want), "id %lu epoch 1 leaf 1\n", self->ids[1]);
	EXPECT_STREQ(want, r.out);
	run_free(&r);
	member_say(_metadata, d, "bob.st", "tree apart\n", "m1", "alice.st", NULL);
}

/* The refusals do not depend on the suite: suite 1 only. */
FIXTURE(member_bad) {
	char d[64];
	unsigned long ids[8];
};

FIXTURE_SETUP(member_bad)
{
	scratch(self->d, sizeof(self->d));
	memset(self->ids, 0, sizeof(self->ids));
}

FIXTURE_TEARDOWN(member_bad)
{
	for (size_t i = 0; i < ARRAY_SIZE(self->ids); i++)
		if (self->ids[i])
			destroy(self->ids[i]);
	rm_scratch(self->d);
}

/* Bad inputs: every one refused with a clear error, nothing changed. */
TEST_F_TIMEOUT(member_bad, bad_inputs, LONG_TIMEOUT)
{
	const char *d = self->d;
	struct run r;

	NEED_DEV();
	member_three(_metadata, d, self->ids, "1");
	member_kp(_metadata, d, "1", "dave");

	/* missing state file, and one that is not one */
	MEMBER_FAILS(1, "No such file", "show", "state", at(d, "nobody.st"));
	MEMBER_FAILS(2, "(EBADMSG", "show", "state", at(d, "bob.kp"));
	MEMBER_FAILS(2, "(EBADMSG", "show", "state", at(d, "bob.priv"));
	/* truncated, trailing bytes, a flipped byte, another version */
	mangle(at(d, "alice.st"), at(d, "bad.st"), 1, NULL, -1);
	MEMBER_FAILS(2, "(EBADMSG", "show", "state", at(d, "bad.st"));
	mangle(at(d, "alice.st"), at(d, "bad.st"), 0, "x", -1);
	MEMBER_FAILS(2, "(EBADMSG", "show", "state", at(d, "bad.st"));
	mangle(at(d, "alice.st"), at(d, "bad.st"), 0, NULL, 5);
	MEMBER_FAILS(2, "(EPROTONOSUPPORT", "show", "state", at(d, "bad.st"));
	mangle(at(d, "alice.st"), at(d, "bad.st"), 0, NULL, 0);
	MEMBER_FAILS(2, "(EBADMSG", "show", "state", at(d, "bad.st"));
	/* a state older than the kernel's group: refused */
	mangle(at(d, "alice.st"), at(d, "old.st"), 0, NULL, -1);
	MEMBER(&r, 0, "update", "state", at(d, "alice.st"), "out", at(d, "cu"),
	       "merge");
	run_free(&r);
	MEMBER_FAILS(2, "(ESTALE", "send", "state", at(d, "old.st"), "in",
		     at(d, "bob.kp"));
	/* a state file is not overwritten by create or join */
	MEMBER_FAILS(1, "exists", "join", "state", at(d, "bob.st"), "private",
		     at(d, "bob.priv"), "welcome", at(d, "w1"));
	MEMBER_FAILS(1, "exists", "keypackage", "identity", "x", "private",
		     at(d, "bob.priv"));

	/* wrong file types */
	MEMBER_FAILS(2, "(EBADMSG", "join", "state", at(d, "dave.st"),
		     "private", at(d, "dave.priv"), "welcome", at(d, "dave.kp"));
	MEMBER_FAILS(2, "(EBADMSG", "join", "state", at(d, "dave.st"),
		     "private", at(d, "dave.kp"), "welcome", at(d, "w1"));
	MEMBER_FAILS(2, "(EBADMSG", "add", "state", at(d, "alice.st"),
		     "key-package", at(d, "w1"), "out", at(d, "cx"), "welcome",
		     at(d, "wx"));
	MEMBER_FAILS(2, "(EBADMSG", "process", "state", at(d, "bob.st"), "in",
		     at(d, "w1"));
	MEMBER_FAILS(1, "use mlsctl member process", "receive", "state",
		     at(d, "bob.st"), "in", at(d, "c1"));
	/* a Welcome that is not for us */
	MEMBER_FAILS(2, "(ENOKEY", "join", "state", at(d, "dave.st"),
		     "private", at(d, "dave.priv"), "welcome", at(d, "w1"));
	EXPECT_NE(0, access(at(d, "dave.st"), F_OK));
	/* a Commit of an epoch the member has left */
	MEMBER_FAILS(2, "(ESTALE", "process", "state", at(d, "alice.st"),
		     "in", at(d, "cu"));
	/* usage */
	MEMBER_FAILS(1, "required", "add", "state", at(d, "alice.st"));
	MEMBER_FAILS(1, "unknown argument", "send", "state", at(d, "alice.st"),
		     "leaf", "1");
	MEMBER_FAILS(1, "merge or discard", "commit", "state", at(d, "alice.st"));
	MEMBER_FAILS(2, "(ENOENT", "remove", "state", at(d, "alice.st"), "leaf",
		     "3", "out", at(d, "cx"));
	/* another user: the state file is not theirs, nor the kernel group */
	if (geteuid() == 0) {
		const char *copy = "/tmp/mlsctl_test_other.st";

		EXPECT_EQ(1, run_as(&r, 1000, "member", "show", "state",
				    at(d, "bob.st"), NULL));
		EXPECT_NE(NULL, strstr(r.err, "Permission denied")) TH_LOG("%s", r.err);
		run_free(&r);
		mangle(at(d, "bob.st"), copy, 0, NULL, -1);
		ASSERT_EQ(0, chown(copy, 1000, 1000));
		EXPECT_EQ(2, run_as(&r, 1000, "member", "show", "state", copy, NULL));
		EXPECT_NE(NULL, strstr(r.err, "(EACCES")) TH_LOG("%s", r.err);
		run_free(&r);
		unlink(copy);
	}
	/* after all that, the group works */
	MEMBER_OUT("commit epoch 2 sender-leaf 0\n", "process", "state",
		   at(d, "bob.st"), "in", at(d, "cu"));
	member_say(_metadata, d, "alice.st", "still here\n", "m1", "bob.st", NULL);
}

/*
 * In a child: "mlsctl member ARGS..." (NULL-terminated); its exit status.
 * The child closes @fd (-1: none): a lock the test holds stays the test's.
 */
static pid_t member_bg(const char *const *args, int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct run r;

		if (fd >= 0)
			close(fd);

		run(&r, "member", args[0], args[1], args[2], args[3], args[4],
		    args[5], args[6], args[7], NULL);
		_exit(r.status < 0 ? 127 : r.status);
	}
	return pid;
}

static int bg_status(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * The state lock: while another run changes the member, a second one
 * fails at once and changes nothing, or with wait, waits for it. Two
 * runs started together on one state with wait both commit, one from
 * the other's epoch: never two commits from the same state.
 */
TEST_F_TIMEOUT(member_bad, state_lock, LONG_TIMEOUT)
{
	const char *d = self->d;
	char c3[256], c4[256], st[256], want[64];
	pid_t pid, pid2;
	int lfd;

	NEED_DEV();
	member_three(_metadata, d, self->ids, "1");
	snprintf(st, sizeof(st), "%s", at(d, "alice.st"));
	snprintf(c3, sizeof(c3), "%s", at(d, "c3"));
	snprintf(c4, sizeof(c4), "%s", at(d, "c4"));
	lfd = open(at(d, "alice.st.lock"), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, lfd) TH_LOG("no lock file beside the state");
	EXPECT_EQ(0600, file_mode(at(d, "alice.st.lock")));
	ASSERT_EQ(0, flock(lfd, LOCK_EX));

	/* held: refused at once, nothing written; show takes no lock */
	MEMBER_FAILS(2, "in use by another mlsctl", "update", "state", st,
		     "out", at(d, "c2"), "merge");
	MEMBER_FAILS(2, "in use by another mlsctl", "commit", "state", st,
		     "discard");
	EXPECT_NE(0, access(at(d, "c2"), F_OK));
	snprintf(want, sizeof(want), "id %lu epoch 1 leaf 0\n", self->ids[0]);
	MEMBER_OUT(want, "show", "state", st);

	/* wait: still waiting while the lock is held, done once it is not */
	{
		const char *args[] = { "update", "state", st, "out",
				       at(d, "c2w"), "merge", "wait", NULL };

		pid = member_bg(args, lfd);
	}
	ASSERT_LT(0, pid);
	usleep(300 * 1000);
	EXPECT_EQ(0, waitpid(pid, NULL, WNOHANG));
	close(lfd);
	EXPECT_EQ(0, bg_status(pid));
	snprintf(want, sizeof(want), "id %lu epoch 2 leaf 0\n", self->ids[0]);
	MEMBER_OUT(want, "show", "state", st);

	/* two at once: one after the other, epoch 2 to 4 */
	{
		const char *a3[] = { "update", "state", st, "out", c3, "merge",
				     "wait", NULL };
		const char *a4[] = { "update", "state", st, "out", c4, "merge",
				     "wait", NULL };

		pid = member_bg(a3, -1);
		pid2 = member_bg(a4, -1);
	}
	EXPECT_EQ(0, bg_status(pid));
	EXPECT_EQ(0, bg_status(pid2));
	snprintf(want, sizeof(want), "id %lu epoch 4 leaf 0\n", self->ids[0]);
	MEMBER_OUT(want, "show", "state", st);
	/* Bob follows the commit that waited */
	MEMBER_OUT("commit epoch 2 sender-leaf 0\n", "process", "state",
		   at(d, "bob.st"), "in", at(d, "c2w"));
}

TEST_HARNESS_MAIN

/* A line of @n hex digits and a newline (a ref mlsctl printed). */
static bool hex_line(const char *s, size_t n)
{
	return strlen(s) == n + 1 && strspn(s, "0123456789abcdef") == n &&
	       s[n] == '\n';
}

/*
 * GroupContextExtensions: proposed by a member and committed by
 * reference by another, whose receivers give the proposal with the
 * Commit; and by value. The proposer follows a Commit that names its
 * own proposal in a later run, given the proposal as the others are
 * (its state file keeps no proposal): all three then talk.
 */
TEST_F_TIMEOUT(member_bad, gce_by_reference_and_value, LONG_TIMEOUT)
{
	const char *d = self->d;
	char want[160];
	struct run r;
	json_t *j;

	NEED_MLSCTL();
	member_three(_metadata, d, self->ids, "1");
	MEMBER(&r, 0, "propose", "state", at(d, "alice.st"), "extensions-hex",
	       "00", "out", at(d, "p1"));
	EXPECT_TRUE(hex_line(r.out, 64)) TH_LOG("%s", r.out);
	run_free(&r);
	MEMBER_FAILS(1, "proposal needs merge", "commit", "state",
		     at(d, "bob.st"), "out", at(d, "c2"), "proposal", at(d, "p1"));
	snprintf(want, sizeof(want), "id %lu epoch 2 leaf 1 merged\n", self->ids[1]);
	MEMBER_OUT(want, "commit", "state", at(d, "bob.st"), "out", at(d, "c2"),
		   "proposal", at(d, "p1"), "merge");
	/* without the proposal the Commit names, carol cannot follow */
	MEMBER_FAILS(2, "ENOENT", "process", "state", at(d, "carol.st"), "in",
		     at(d, "c2"));
	MEMBER_OUT("commit epoch 2 sender-leaf 1\n", "process", "state",
		   at(d, "carol.st"), "in", at(d, "c2"), "proposal", at(d, "p1"));
	/* the proposer: not without its own proposal, then with it */
	MEMBER_FAILS(2, "ENOENT", "process", "state", at(d, "alice.st"), "in",
		     at(d, "c2"));
	MEMBER_FAILS(2, "given twice", "process", "state", at(d, "alice.st"),
		     "in", at(d, "c2"), "proposal", at(d, "p1"), "proposal",
		     at(d, "p1"));
	MEMBER_OUT("commit epoch 2 sender-leaf 1\n", "process", "state",
		   at(d, "alice.st"), "in", at(d, "c2"), "proposal", at(d, "p1"));
	same_authenticator(_metadata, self->ids[0], self->ids[1]);
	member_say(_metadata, d, "bob.st", "after the GCE\n", "m1", "carol.st",
		   "alice.st", NULL);

	/* by value, and a proposal processed alone shows its ref */
	snprintf(want, sizeof(want), "id %lu epoch 3 leaf 2 merged\n", self->ids[2]);
	MEMBER_OUT(want, "commit", "state", at(d, "carol.st"), "out", at(d, "c3"),
		   "extensions-hex", "00", "merge");
	MEMBER_OUT("commit epoch 3 sender-leaf 2\n", "process", "state",
		   at(d, "bob.st"), "in", at(d, "c3"));
	MEMBER(&r, 0, "propose", "state", at(d, "bob.st"), "extensions-hex", "00",
	       "out", at(d, "p2"));
	snprintf(want, sizeof(want), "proposal epoch 3 sender-leaf 1 ref %.64s\n",
		 r.out);
	run_free(&r);
	MEMBER_OUT(want, "process", "state", at(d, "carol.st"), "in", at(d, "p2"));
	ASSERT_EQ(0, run(&r, "-j", "member", "process", "state", at(d, "carol.st"),
			 "in", at(d, "p2"), NULL)) TH_LOG("%s", r.err);
	j = json_loads(r.out, 0, NULL);
	ASSERT_NE(NULL, j) TH_LOG("%s", r.out);
	EXPECT_EQ(0, schema(j, "content_type:s,epoch:i,sender_type:s,"
			    "sender_leaf:i,removed:b,reinit:b,proposal_ref:s,"
			    "data:s,text:s|n")) TH_LOG("%s", r.out);
	EXPECT_STREQ("member", json_string_value(json_object_get(j, "sender_type")));
	json_decref(j);
	run_free(&r);

	/* refusals of the words */
	MEMBER_FAILS(1, "extensions, extensions-hex or reinit", "propose",
		     "state", at(d, "bob.st"));
	MEMBER_FAILS(1, "reinit needs group-id", "propose", "state",
		     at(d, "bob.st"), "reinit");
	MEMBER_FAILS(1, "go with reinit", "propose", "state", at(d, "bob.st"),
		     "extensions-hex", "00", "group-id", "01");
	MEMBER_FAILS(1, "not both", "propose", "state", at(d, "bob.st"),
		     "extensions-hex", "00", "extensions", at(d, "p2"));
	/* a list whose length says more than there is; a trailing byte */
	MEMBER_FAILS(1, "Extension extensions<V>", "propose", "state",
		     at(d, "bob.st"), "extensions-hex", "05000100");
	MEMBER_FAILS(1, "Extension extensions<V>", "commit", "state",
		     at(d, "bob.st"), "out", at(d, "c4"), "extensions-hex", "0000");
	MEMBER_FAILS(1, "go with out", "commit", "state", at(d, "bob.st"),
		     "merge", "extensions-hex", "00");
	MEMBER_FAILS(2, "not a Proposal", "commit", "state", at(d, "bob.st"),
		     "out", at(d, "c4"), "proposal", at(d, "c3"), "merge");
}

/*
 * A ReInit ends the group: proposed, committed by reference, followed
 * (by its proposer too, given its own proposal);
 * then member reinit tells the new group, and the members make and take
 * no more proposals or Commits (ESHUTDOWN), nor, since the kernel ended
 * the group too, application messages (EPIPE).
 */
TEST_F_TIMEOUT(member_bad, reinit_ends_the_group, LONG_TIMEOUT)
{
	const char *d = self->d;
	char want[96];
	struct run r;
	json_t *j;

	NEED_MLSCTL();
	member_three(_metadata, d, self->ids, "1");
	MEMBER(&r, 0, "propose", "state", at(d, "alice.st"), "reinit",
	       "group-id", "6e6577", "out", at(d, "p1"));
	EXPECT_TRUE(hex_line(r.out, 64)) TH_LOG("%s", r.out);
	run_free(&r);
	MEMBER_FAILS(2, "ENOENT", "reinit", "state", at(d, "bob.st"));
	snprintf(want, sizeof(want), "id %lu epoch 2 leaf 1 merged reinit\n",
		 self->ids[1]);
	MEMBER_OUT(want, "commit", "state", at(d, "bob.st"), "out", at(d, "c2"),
		   "proposal", at(d, "p1"), "merge");
	MEMBER_OUT("commit epoch 2 sender-leaf 1 reinit\n", "process", "state",
		   at(d, "carol.st"), "in", at(d, "c2"), "proposal", at(d, "p1"));
	/* the proposer too, from its own proposal */
	MEMBER_OUT("commit epoch 2 sender-leaf 1 reinit\n", "process", "state",
		   at(d, "alice.st"), "in", at(d, "c2"), "proposal", at(d, "p1"));
	MEMBER_OUT("group-id 6e6577 version 1 suite 1 extensions 00\n", "reinit",
		   "state", at(d, "alice.st"));
	MEMBER_OUT("group-id 6e6577 version 1 suite 1 extensions 00\n", "reinit",
		   "state", at(d, "carol.st"));
	MEMBER_OUT("group-id 6e6577 version 1 suite 1 extensions 00\n", "reinit",
		   "state", at(d, "bob.st"));
	ASSERT_EQ(0, run(&r, "-j", "member", "reinit", "state", at(d, "bob.st"),
			 NULL)) TH_LOG("%s", r.err);
	j = json_loads(r.out, 0, NULL);
	ASSERT_NE(NULL, j) TH_LOG("%s", r.out);
	EXPECT_EQ(0, schema(j, "group_id:s,version:i,suite:i,extensions:s"));
	EXPECT_STREQ("6e6577", json_string_value(json_object_get(j, "group_id")));
	json_decref(j);
	run_free(&r);

	/* the group is over for proposals and Commits */
	MEMBER_FAILS(2, "ReInit ended the group", "update", "state",
		     at(d, "carol.st"), "out", at(d, "c3"));
	MEMBER_FAILS(2, "ESHUTDOWN", "propose", "state", at(d, "bob.st"),
		     "extensions-hex", "00", "out", at(d, "p2"));
	MEMBER_FAILS(2, "ESHUTDOWN", "commit", "state", at(d, "bob.st"),
		     "out", at(d, "c3"), "extensions-hex", "00", "merge");
	MEMBER_FAILS(2, "ReInit ended the group", "process", "state",
		     at(d, "carol.st"), "in", at(d, "c2"));
	/* nor application messages in its last epoch (§12.4.2) */
	for (int i = 0; i < 2; i++) {
		run_in(&r, "the last words\n", "member", "send", "state",
		       at(d, i ? "bob.st" : "carol.st"), "out", at(d, "m1"),
		       NULL);
		EXPECT_EQ(2, r.status) TH_LOG("%s", r.err);
		EXPECT_NE(NULL, strstr(r.err, "(EPIPE")) TH_LOG("%s", r.err);
		EXPECT_STREQ("", r.out);
		run_free(&r);
	}
	/* a new member on the same state path is not the ended one */
	ASSERT_EQ(0, unlink(at(d, "carol.st")));
	member_kp(_metadata, d, "1", "dave");
	MEMBER(&r, 0, "create", "state", at(d, "carol.st"), "group-id", "6e6577",
	       "private", at(d, "dave.priv"));
	self->ids[3] = member_id(r.out);
	run_free(&r);
	MEMBER_FAILS(2, "ENOENT", "reinit", "state", at(d, "carol.st"));
}

/*
 * The whole ReInit: Alice commits a ReInit to suite 2 by value, the
 * three members end; Alice starts the new group (its Commit pending,
 * then merged), Bob and Carol join it from the Welcome with their ended
 * states; messages flow and the three agree on the epoch_authenticator
 * and the exporter. Every refusal on the way leaves no new state.
 */
TEST_F_TIMEOUT(member_bad, reinit_new_group, LONG_TIMEOUT)
{
	static const struct bad_start {
		int status;
		const char *err, *state, *new_state, *private, *kp;
	} bad_starts[] = {
		{ 2, "not of the ReInit's suite 2", "alice.st", "alice2.st",
		  "alice2.priv", "dave.kp" },
		{ 2, "(EINVAL", "alice.st", "alice2.st", "dave.priv", "carol2.kp" },
		{ 1, "No such file", "alice.st", "alice2.st", "alice2.priv",
		  "nobody.kp" },
		{ 1, "No such file", "alice.st", "alice2.st", "nobody.priv",
		  "carol2.kp" },
		{ 1, "No such file", "nobody.st", "alice2.st", "alice2.priv",
		  "carol2.kp" },
		{ 1, "exists", "alice.st", "bob.st", "alice2.priv", "carol2.kp" },
	};
	const char *d = self->d;
	unsigned long *ids = self->ids;
	char want[96];
	struct run r;
	json_t *j;

	NEED_DEV();
	member_three(_metadata, d, ids, "1");
	member_kp(_metadata, d, "2", "alice2");
	member_kp(_metadata, d, "2", "bob2");
	member_kp(_metadata, d, "2", "carol2");
	member_kp(_metadata, d, "1", "dave");
	member_kp(_metadata, d, "2", "dave2");

	/* not ended yet: nothing to start or join */
	MEMBER_FAILS(2, "(ENOENT", "reinit-create", "state", at(d, "alice.st"),
		     "new-state", at(d, "alice2.st"), "private",
		     at(d, "alice2.priv"), "key-package", at(d, "bob2.kp"),
		     "out", at(d, "c3"), "welcome", at(d, "w3"));
	MEMBER_FAILS(2, "no ReInit ended", "reinit-join", "state",
		     at(d, "bob.st"), "new-state", at(d, "bob2.st"), "private",
		     at(d, "bob2.priv"), "welcome", at(d, "w1"));

	/* the ReInit by value: its words */
	MEMBER_FAILS(1, "reinit needs group-id", "commit", "state",
		     at(d, "alice.st"), "out", at(d, "c2"), "reinit", "merge");
	MEMBER_FAILS(1, "go with reinit", "commit", "state", at(d, "alice.st"),
		     "out", at(d, "c2"), "suite", "2", "merge");
	MEMBER_FAILS(1, "go with out", "commit", "state", at(d, "alice.st"),
		     "merge", "reinit", "group-id", "6e6577");
	/* with another proposal: the library refuses, nothing is written */
	put(d, "psk", "a psk");
	MEMBER_FAILS(2, "(EPROTO", "commit", "state", at(d, "alice.st"), "out",
		     at(d, "c2"), "reinit", "group-id", "6e6577", "psk-id",
		     "70736b", "psk", at(d, "psk"), "merge");
	EXPECT_NE(0, access(at(d, "c2"), F_OK));

	/* the ReInit by value, to suite 2: pending, then merged */
	snprintf(want, sizeof(want), "id %lu epoch 2 leaf 0 pending\n", ids[0]);
	MEMBER_OUT(want, "commit", "state", at(d, "alice.st"), "out",
		   at(d, "c2"), "reinit", "group-id", "6e6577", "suite", "2");
	snprintf(want, sizeof(want), "id %lu epoch 2 leaf 0 merged reinit\n",
		 ids[0]);
	MEMBER_OUT(want, "commit", "state", at(d, "alice.st"), "merge");
	MEMBER_OUT("commit epoch 2 sender-leaf 0 reinit\n", "process", "state",
		   at(d, "bob.st"), "in", at(d, "c2"));
	MEMBER_OUT("commit epoch 2 sender-leaf 0 reinit\n", "process", "state",
		   at(d, "carol.st"), "in", at(d, "c2"));
	MEMBER_OUT("group-id 6e6577 version 1 suite 2 extensions 00\n",
		   "reinit", "state", at(d, "carol.st"));

	/* the start's refusals: KeyPackages of suite 1, missing files */
	for (size_t i = 0; i < ARRAY_SIZE(bad_starts); i++) {
		const struct bad_start *b = &bad_starts[i];

		MEMBER_FAILS(b->status, b->err, "reinit-create", "state",
			     at(d, b->state), "new-state", at(d, b->new_state),
			     "private", at(d, b->private), "key-package",
			     at(d, "bob2.kp"), "key-package", at(d, b->kp),
			     "out", at(d, "c3"), "welcome", at(d, "w3"));
	}
	MEMBER_FAILS(1, "\"new-state\" is required", "reinit-create", "state",
		     at(d, "alice.st"), "private", at(d, "alice2.priv"),
		     "key-package", at(d, "bob2.kp"), "out", at(d, "c3"),
		     "welcome", at(d, "w3"));
	EXPECT_NE(0, access(at(d, "alice2.st"), F_OK));
	EXPECT_NE(0, access(at(d, "w3"), F_OK));

	/* the start: pending, then merged */
	MEMBER(&r, 0, "reinit-create", "state", at(d, "alice.st"), "new-state",
	       at(d, "alice2.st"), "private", at(d, "alice2.priv"),
	       "key-package", at(d, "bob2.kp"), "key-package",
	       at(d, "carol2.kp"), "out", at(d, "c3"), "welcome", at(d, "w3"));
	ids[3] = member_id(r.out);
	ASSERT_NE(0, ids[3]);
	snprintf(want, sizeof(want), "id %lu epoch 1 leaf 0 pending\n", ids[3]);
	EXPECT_STREQ(want, r.out);
	run_free(&r);
	EXPECT_EQ(0600, file_mode(at(d, "alice2.st")));
	snprintf(want, sizeof(want), "id %lu epoch 1 leaf 0 merged\n", ids[3]);
	MEMBER_OUT(want, "commit", "state", at(d, "alice2.st"), "merge");
	MEMBER_FAILS(2, "(ENOENT", "reinit", "state", at(d, "alice2.st"));

	/* the join's refusals: the Welcome as an ordinary one, an ordinary
	 * Welcome, a KeyPackage of suite 1, missing files */
	MEMBER_FAILS(2, "member reinit-join", "join", "state", at(d, "bob2.st"),
		     "private", at(d, "bob2.priv"), "welcome", at(d, "w3"));
	MEMBER(&r, 0, "create", "state", at(d, "dave2.st"), "group-id", "6e6577",
	       "private", at(d, "dave2.priv"));
	ids[4] = member_id(r.out);
	run_free(&r);
	MEMBER(&r, 0, "add", "state", at(d, "dave2.st"), "key-package",
	       at(d, "bob2.kp"), "out", at(d, "cd"), "welcome", at(d, "wd"),
	       "merge");
	run_free(&r);
	MEMBER_FAILS(2, "not the Welcome of the group the ReInit", "reinit-join",
		     "state", at(d, "bob.st"), "new-state", at(d, "bob2.st"),
		     "private", at(d, "bob2.priv"), "welcome", at(d, "wd"));
	MEMBER_FAILS(2, "not of the ReInit's suite 2", "reinit-join", "state",
		     at(d, "bob.st"), "new-state", at(d, "bob2.st"), "private",
		     at(d, "bob.priv"), "welcome", at(d, "w3"));
	MEMBER_FAILS(2, "(ENOKEY", "reinit-join", "state", at(d, "bob.st"),
		     "new-state", at(d, "bob2.st"), "private",
		     at(d, "dave2.priv"), "welcome", at(d, "w3"));
	MEMBER_FAILS(1, "No such file", "reinit-join", "state", at(d, "bob.st"),
		     "new-state", at(d, "bob2.st"), "private",
		     at(d, "bob2.priv"), "welcome", at(d, "nowelcome"));
	MEMBER_FAILS(1, "No such file", "reinit-join", "state",
		     at(d, "nobody.st"), "new-state", at(d, "bob2.st"),
		     "private", at(d, "bob2.priv"), "welcome", at(d, "w3"));
	EXPECT_NE(0, access(at(d, "bob2.st"), F_OK));

	/* Bob and Carol join with their ended states, at leaves 1 and 2 */
	for (int leaf = 1; leaf <= 2; leaf++) {
		const char *who = leaf == 1 ? "bob" : "carol";
		char old[32], new[32], priv[32];

		snprintf(old, sizeof(old), "%s.st", who);
		snprintf(new, sizeof(new), "%s2.st", who);
		snprintf(priv, sizeof(priv), "%s2.priv", who);
		MEMBER(&r, 0, "reinit-join", "state", at(d, old), "new-state",
		       at(d, new), "private", at(d, priv), "welcome", at(d, "w3"));
		ids[4 + leaf] = member_id(r.out);
		ASSERT_NE(0, ids[4 + leaf]);
		snprintf(want, sizeof(want), "id %lu epoch 1 leaf %d\n",
			 ids[4 + leaf], leaf);
		EXPECT_STREQ(want, r.out);
		run_free(&r);
		EXPECT_EQ(0600, file_mode(at(d, new)));
	}

	/* the new group lives: messages, and the same secrets */
	member_say(_metadata, d, "alice2.st", "in the new group\n", "m1",
		   "bob2.st", "carol2.st", NULL);
	member_say(_metadata, d, "carol2.st", "suite 2 now\n", "m2",
		   "alice2.st", "bob2.st", NULL);
	same_authenticator(_metadata, ids[3], ids[5]);
	same_authenticator(_metadata, ids[3], ids[6]);
	same_exporter(_metadata, ids[3], ids[5]);
	same_exporter(_metadata, ids[3], ids[6]);
	ASSERT_EQ(0, run(&r, "-j", "member", "show", "state",
			 at(d, "bob2.st"), NULL));
	j = parse(_metadata, &r);
	EXPECT_EQ(2, json_integer_value(json_object_get(j, "suite")));
	EXPECT_STREQ("6e6577", json_string_value(json_object_get(j, "group_id")));
	json_decref(j);
	run_free(&r);
	/* and it commits on, in suite 2 */
	snprintf(want, sizeof(want), "id %lu epoch 2 leaf 1 merged\n", ids[5]);
	MEMBER_OUT(want, "update", "state", at(d, "bob2.st"), "out", at(d, "c4"),
		   "merge");
	MEMBER_OUT("commit epoch 2 sender-leaf 1\n", "process", "state",
		   at(d, "alice2.st"), "in", at(d, "c4"));
	same_authenticator(_metadata, ids[3], ids[5]);
}

/* The bytes of @path into @b (mls_bytes_free()); 0 or -1. */
static int file_bytes(const char *path, struct mls_bytes *b)
{
	int fd = open(path, O_RDONLY);
	size_t len;

	if (fd < 0)
		return -1;
	b->data = (uint8_t *)slurp(fd, &len);
	b->len = len;
	close(fd);
	return 0;
}

static void put_bytes(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, p, len) != (ssize_t)len)
		abort();
	close(fd);
}

/* @v as a minimal 1- or 2-byte varint (RFC 9420 §2.1.2) at @w: its size. */
static size_t varint(uint8_t *w, size_t v)
{
	if (v < 64) {
		w[0] = (uint8_t)v;
		return 1;
	}
	w[0] = (uint8_t)(0x40 | v >> 8);
	w[1] = (uint8_t)v;
	return 2;
}

/* The member of state @path, loaded by the client itself. */
static struct mlsc_group *client_load(int ctl, const char *path,
				      struct mls_sig_key **sig)
{
	struct mlsc_group *g = NULL;
	struct mls_bytes b;

	if (file_bytes(path, &b))
		return NULL;
	if (mlsc_group_load(ctl, b.data, b.len, &g, sig))
		g = NULL;
	mls_bytes_free(&b);
	return g;
}

/*
 * The sender of what member process shows, for each sender type: a
 * member's proposal and Commit, an external sender's proposal (the
 * group's external_senders set by a GroupContextExtensions by value), a
 * new member's proposal, and an external commit (new_member_commit).
 */
TEST_F_TIMEOUT(member_bad, sender_types, LONG_TIMEOUT)
{
	static const uint8_t gid[] = { 'm', 'e', 'm', 'b', 'e', 'r' };
	struct mls_sig_key *ds = NULL, *alice_sig = NULL, *erin_sig = NULL;
	struct mlsc_external_sender_spec es;
	struct mlsc_external_proposal_args xa;
	struct mlsc_new_member_args na;
	struct mlsc_external_args ea;
	struct mlsc_keypkg_params kp;
	struct mlsc_keypkg_priv *erin_priv = NULL;
	struct mlsc_keypkg *erin_kp = NULL;
	struct mlsc_proposal_spec rm;
	struct mlsc_group *alice = NULL, *erin = NULL;
	struct mls_bytes senders = { 0 }, msg = { 0 }, gi = { 0 }, kp_msg = { 0 };
	const char *d = self->d;
	uint8_t ext[512], one[500];
	char want[192];
	struct run r;
	size_t n = 0, m;
	json_t *j;
	int ctl;

	NEED_MLSCTL();
	ctl = mls_open(0);
	ASSERT_LE(0, ctl);
	member_three(_metadata, d, self->ids, "1");

	/* Alice sets an external sender: external_senders (5) by value */
	ASSERT_EQ(0, mls_sig_key_generate(1, &ds));
	memset(&es, 0, sizeof(es));
	es.signature_key = ds;
	es.credential.type = MLS_CREDENTIAL_BASIC;
	es.credential.identity = "ds";
	es.credential.identity_len = 2;
	ASSERT_EQ(0, mlsc_external_senders_encode(&es, 1, &senders));
	/* Extension extensions<V>: one, type 5, its data<V> */
	ASSERT_GT(sizeof(one) - 4, senders.len);
	one[0] = 0;
	one[1] = 5;
	m = 2 + varint(one + 2, senders.len);
	memcpy(one + m, senders.data, senders.len);
	m += senders.len;
	n = varint(ext, m);
	memcpy(ext + n, one, m);
	n += m;
	put_bytes(at(d, "ext"), ext, n);
	snprintf(want, sizeof(want), "id %lu epoch 2 leaf 0 merged\n", self->ids[0]);
	MEMBER_OUT(want, "commit", "state", at(d, "alice.st"), "out", at(d, "c2"),
		   "extensions", at(d, "ext"), "merge");
	/* a member's Commit */
	MEMBER_OUT("commit epoch 2 sender-leaf 0\n", "process", "state",
		   at(d, "bob.st"), "in", at(d, "c2"));
	MEMBER_OUT("commit epoch 2 sender-leaf 0\n", "process", "state",
		   at(d, "carol.st"), "in", at(d, "c2"));

	/* the external sender proposes carol's Remove */
	memset(&rm, 0, sizeof(rm));
	rm.type = MLSC_PROPOSE_REMOVE;
	rm.leaf = 2;
	memset(&xa, 0, sizeof(xa));
	xa.group_id = gid;
	xa.group_id_len = sizeof(gid);
	xa.epoch = 2;
	xa.cipher_suite = 1;
	xa.sender_index = 0;
	xa.sig_key = ds;
	xa.proposal = &rm;
	ASSERT_EQ(0, mlsc_external_proposal(&xa, &msg));
	put_bytes(at(d, "px"), msg.data, msg.len);
	mls_bytes_free(&msg);
	MEMBER(&r, 0, "process", "state", at(d, "bob.st"), "in", at(d, "px"));
	EXPECT_EQ(0, strncmp(r.out, "proposal epoch 2 sender external index 0 ref ",
			     45)) TH_LOG("%s", r.out);
	EXPECT_TRUE(hex_line(r.out + 45, 64)) TH_LOG("%s", r.out);
	run_free(&r);
	ASSERT_EQ(0, run(&r, "-j", "member", "process", "state", at(d, "bob.st"),
			 "in", at(d, "px"), NULL)) TH_LOG("%s", r.err);
	j = json_loads(r.out, 0, NULL);
	ASSERT_NE(NULL, j) TH_LOG("%s", r.out);
	EXPECT_EQ(0, schema(j, "content_type:s,epoch:i,sender_type:s,"
			    "sender_index:i,removed:b,reinit:b,proposal_ref:s,"
			    "data:s,text:s|n")) TH_LOG("%s", r.out);
	EXPECT_STREQ("external", json_string_value(json_object_get(j, "sender_type")));
	EXPECT_EQ(0, json_integer_value(json_object_get(j, "sender_index")));
	json_decref(j);
	run_free(&r);

	/* Erin, from outside: her own Add, then an external commit */
	alice = client_load(ctl, at(d, "alice.st"), &alice_sig);
	ASSERT_NE(NULL, alice);
	ASSERT_EQ(0, mlsc_group_info_export(alice, MLSC_GROUP_INFO_F_RATCHET_TREE,
					    alice_sig, &gi));
	ASSERT_EQ(0, mls_sig_key_generate(1, &erin_sig));
	memset(&kp, 0, sizeof(kp));
	kp.cipher_suite = 1;
	kp.credential.type = MLS_CREDENTIAL_BASIC;
	kp.credential.identity = "erin";
	kp.credential.identity_len = 4;
	kp.not_before = (uint64_t)time(NULL) - 3600;
	kp.not_after = (uint64_t)time(NULL) + 86400;
	ASSERT_EQ(0, mlsc_keypkg_create(&kp, erin_sig, &kp_msg, &erin_priv));
	ASSERT_EQ(0, mlsc_keypkg_parse(kp_msg.data, kp_msg.len, &erin_kp));
	memset(&na, 0, sizeof(na));
	na.group_info = gi.data;
	na.group_info_len = gi.len;
	na.key_package = erin_kp;
	na.sig_key = erin_sig;
	ASSERT_EQ(0, mlsc_new_member_proposal(&na, &msg));
	put_bytes(at(d, "pn"), msg.data, msg.len);
	mls_bytes_free(&msg);
	MEMBER(&r, 0, "process", "state", at(d, "bob.st"), "in", at(d, "pn"));
	EXPECT_EQ(0, strncmp(r.out, "proposal epoch 2 sender new_member_proposal ref ",
			     48)) TH_LOG("%s", r.out);
	EXPECT_TRUE(hex_line(r.out + 48, 64)) TH_LOG("%s", r.out);
	run_free(&r);

	memset(&ea, 0, sizeof(ea));
	ea.flags = MLSC_EXTERNAL_F_EPHEMERAL;
	ea.leaf = erin_priv;
	ea.sig_key = erin_sig;
	ASSERT_EQ(0, mlsc_external_join(ctl, gi.data, gi.len, &ea, &erin, &msg));
	put_bytes(at(d, "cx"), msg.data, msg.len);
	mls_bytes_free(&msg);
	EXPECT_EQ(0, mlsc_commit_merge(erin));
	MEMBER_OUT("commit epoch 3 sender-leaf 3 new_member_commit\n", "process",
		   "state", at(d, "bob.st"), "in", at(d, "cx"));
	ASSERT_EQ(0, run(&r, "-j", "member", "process", "state", at(d, "carol.st"),
			 "in", at(d, "cx"), NULL)) TH_LOG("%s", r.err);
	j = json_loads(r.out, 0, NULL);
	ASSERT_NE(NULL, j) TH_LOG("%s", r.out);
	EXPECT_STREQ("new_member_commit",
		     json_string_value(json_object_get(j, "sender_type")));
	EXPECT_EQ(3, json_integer_value(json_object_get(j, "sender_leaf")));
	EXPECT_EQ(json_null(), json_object_get(j, "proposal_ref"));
	json_decref(j);
	run_free(&r);

	mlsc_group_free(erin);
	mlsc_group_free(alice);
	mlsc_keypkg_free(erin_kp);
	mlsc_keypkg_priv_free(erin_priv);
	mls_bytes_free(&kp_msg);
	mls_bytes_free(&gi);
	mls_bytes_free(&senders);
	mls_sig_key_free(erin_sig);
	mls_sig_key_free(alice_sig);
	mls_sig_key_free(ds);
	close(ctl);
}
