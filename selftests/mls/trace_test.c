// SPDX-License-Identifier: GPL-2.0
/*
 * The module's tracepoints (kmod/trace.h), read back through tracefs: each
 * test enables events/mls/ in a trace instance of its own (a ring buffer
 * nobody else writes to), runs operations with raw ioctls, then reads the
 * instance's "trace" file and checks every record and field against what
 * the operation returned. The raw ring buffer (per_cpu/cpuN/trace_pipe_raw)
 * and the text are then searched for every secret and every payload byte
 * the test used: none may be there.
 *
 * Documentation/admin-guide/monitoring.rst ("Tracepoints") lists the
 * events and their fields.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/mls.h>

#include "kselftest_harness.h"
#include "group_util.h"

#define NO_LEAF		4294967295ULL
#define MAX_RECS	512
#define MAX_FIELDS	16
#define TEXT_MAX	(1 << 20)
#define RAW_MAX		(8 << 20)

struct rec {
	char event[32];
	unsigned int n;
	char key[MAX_FIELDS][24];
	char val[MAX_FIELDS][80];
};

/* What the current test used that no record may contain. */
static struct {
	const void *p[64];
	size_t len[64];
	unsigned int n;
} banned;

static void ban(const void *p, size_t len)
{
	if (banned.n < 64) {
		banned.p[banned.n] = p;
		banned.len[banned.n++] = len;
	}
}

/* ------------------------------------------------------------ tracefs */

static const char *tracefs_root(void)
{
	if (!access("/sys/kernel/tracing/events", F_OK))
		return "/sys/kernel/tracing";
	if (!access("/sys/kernel/debug/tracing/events", F_OK))
		return "/sys/kernel/debug/tracing";
	/* The directory exists in every kernel built with tracing. */
	if (!access("/sys/kernel/tracing", F_OK) &&
	    !mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
		return "/sys/kernel/tracing";
	return NULL;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* The whole of a small file, NUL-terminated; its length or -errno. */
static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (got < cap - 1 && (n = read(fd, buf + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	return (ssize_t)got;
}

FIXTURE(trace) {
	char inst[256];
	int ctl;
	char *text;
	struct rec *recs;
	unsigned int nrecs;
};

static void path_of(char *out, size_t cap, const char *inst, const char *rel)
{
	snprintf(out, cap, "%s/%s", inst, rel);
}

static int set_enabled(const char *inst, bool on)
{
	char p[512];

	path_of(p, sizeof(p), inst, "events/mls/enable");
	return write_file(p, on ? "1" : "0");
}

FIXTURE_SETUP(trace)
{
	const char *root = tracefs_root();
	char p[512], buf[16];

	self->ctl = -1;
	self->inst[0] = 0;
	banned.n = 0;
	/* The body skips too (NEED_TRACEFS): this harness runs it after a skip. */
	if (!root && access("/sys/kernel/tracing", F_OK))
		SKIP(return, "kernel built without tracing (no /sys/kernel/tracing)");
	ASSERT_NE(NULL, root) TH_LOG("tracefs cannot be mounted");
	snprintf(self->inst, sizeof(self->inst), "%s/instances/mls_trace_test.%d",
		 root, (int)getpid());
	ASSERT_EQ(0, mkdir(self->inst, 0700)) TH_LOG("%s: %s", self->inst, strerror(errno));
	path_of(p, sizeof(p), self->inst, "events/mls");
	ASSERT_EQ(0, access(p, F_OK)) TH_LOG("no events/mls: the module has no tracepoints");
	ASSERT_EQ(0, set_enabled(self->inst, true));
	path_of(p, sizeof(p), self->inst, "events/mls/mls_encrypt/enable");
	ASSERT_LT(0, read_file(p, buf, sizeof(buf)));
	ASSERT_EQ('1', buf[0]);
	self->ctl = ctl_open();
	ASSERT_LE(0, self->ctl);
	self->text = malloc(TEXT_MAX);
	self->recs = calloc(MAX_RECS, sizeof(*self->recs));
	ASSERT_NE(NULL, self->text);
	ASSERT_NE(NULL, self->recs);
}

FIXTURE_TEARDOWN(trace)
{
	if (self->inst[0]) {
		set_enabled(self->inst, false);
		rmdir(self->inst);
	}
	if (self->ctl >= 0)
		close(self->ctl);
	free(self->text);
	free(self->recs);
}

#define NEED_TRACEFS() do {						\
	if (!self->inst[0])							\
		SKIP(return, "kernel built without tracing");			\
} while (0)

/* ----------------------------------------------------------- records */

/* "   task-1  [000] ..... 1.2: mls_encrypt: kid=1 epoch=0 ..." */
static bool parse_line(char *line, struct rec *r)
{
	char *p = strstr(line, ": mls_"), *name, *tok, *save = NULL;

	if (!p || line[0] == '#')
		return false;
	name = p + 2;
	p = strstr(name, ": ");
	if (!p)
		return false;
	*p = 0;
	memset(r, 0, sizeof(*r));
	snprintf(r->event, sizeof(r->event), "%s", name);
	for (tok = strtok_r(p + 2, " ", &save); tok && r->n < MAX_FIELDS;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq = 0;
		snprintf(r->key[r->n], sizeof(r->key[0]), "%s", tok);
		snprintf(r->val[r->n], sizeof(r->val[0]), "%s", eq + 1);
		r->n++;
	}
	return true;
}

/* Read the instance's records (not consumed). */
static int load(FIXTURE_DATA(trace) *self)
{
	char p[512], *line, *save = NULL;
	ssize_t n;

	path_of(p, sizeof(p), self->inst, "trace");
	n = read_file(p, self->text, TEXT_MAX);
	if (n < 0)
		return (int)n;
	self->nrecs = 0;
	for (line = strtok_r(self->text, "\n", &save); line && self->nrecs < MAX_RECS;
	     line = strtok_r(NULL, "\n", &save))
		if (parse_line(line, &self->recs[self->nrecs]))
			self->nrecs++;
	/* The text is parsed in place: read it again for the searches. */
	return (int)read_file(p, self->text, TEXT_MAX) < 0 ? -EIO : 0;
}

static int clear(FIXTURE_DATA(trace) *self)
{
	char p[512];

	path_of(p, sizeof(p), self->inst, "trace");
	return write_file(p, "");
}

static const char *field(const struct rec *r, const char *key)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], key))
			return r->val[i];
	return NULL;
}

static long long num(const struct rec *r, const char *key)
{
	const char *v = field(r, key);

	return v ? strtoll(v, NULL, 0) : -999999;
}

static unsigned long long unum(const struct rec *r, const char *key)
{
	const char *v = field(r, key);

	return v ? strtoull(v, NULL, 0) : 999999999ULL;
}

/* The records of @event about group @kid (any kid if 0), in order. */
static unsigned int find(FIXTURE_DATA(trace) *self, const char *event,
			 uint32_t kid, const struct rec **out, unsigned int cap)
{
	unsigned int i, n = 0;

	for (i = 0; i < self->nrecs; i++) {
		const struct rec *r = &self->recs[i];

		if (strcmp(r->event, event))
			continue;
		if (kid && unum(r, "kid") != kid)
			continue;
		if (n < cap)
			out[n] = r;
		n++;
	}
	return n;
}

/* Exactly one record of @event for @kid, or fail the test. */
#define ONE(event, kid) ({							\
	const struct rec *__r[4] = { NULL };					\
	unsigned int __n = find(self, (event), (kid), __r, 4);			\
	ASSERT_EQ(1, __n) TH_LOG("%u records %s kid %u", __n, (event),		\
				 (unsigned int)(kid));				\
	__r[0];									\
})

static void hex(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = 0;
}

/*
 * Nothing banned is in the text (as bytes or in hex) nor in the raw ring
 * buffer, which this consumes.
 */
static void check_banned(struct __test_metadata *_metadata,
			 FIXTURE_DATA(trace) *self)
{
	char p[512], *hx = malloc(2 * 4096 + 1);
	uint8_t *raw = malloc(RAW_MAX);
	size_t rawlen = 0, tlen;
	unsigned int cpu, i;

	ASSERT_NE(NULL, hx);
	ASSERT_NE(NULL, raw);
	ASSERT_EQ(0, load(self));
	tlen = strlen(self->text);
	for (cpu = 0;; cpu++) {
		ssize_t n;
		int fd;

		snprintf(p, sizeof(p), "%s/per_cpu/cpu%u/trace_pipe_raw", self->inst, cpu);
		fd = open(p, O_RDONLY | O_NONBLOCK);
		if (fd < 0)
			break;
		while (rawlen + 4096 <= RAW_MAX &&
		       (n = read(fd, raw + rawlen, 4096)) > 0)
			rawlen += (size_t)n;
		close(fd);
	}
	ASSERT_LT(0, cpu);
	for (i = 0; i < banned.n; i++) {
		EXPECT_FALSE(memmem_found(raw, rawlen, banned.p[i], banned.len[i]))
			TH_LOG("banned bytes %u in the ring buffer", i);
		EXPECT_FALSE(memmem_found(self->text, tlen, banned.p[i], banned.len[i]))
			TH_LOG("banned bytes %u in the trace text", i);
		if (banned.len[i] <= 4096) {
			hex(hx, banned.p[i], banned.len[i]);
			EXPECT_FALSE(memmem_found(self->text, tlen, hx, strlen(hx)))
				TH_LOG("banned bytes %u in hex in the trace text", i);
		}
	}
	free(hx);
	free(raw);
}

static void ban_pair(const struct pair *p)
{
	ban(p->in.init, p->nh);
	ban(p->in.commit, p->nh);
	ban(p->in.psk, p->nh);
	ban(p->es.epoch, p->nh);
	ban(p->es.encryption, p->nh);
	ban(p->es.sender_data, p->nh);
	ban(p->es.exporter, p->nh);
	ban(p->es.init, p->nh);
}

/* ------------------------------------------------------------- format */

/*
 * Every event has exactly the fields documented: a field added later
 * must be looked at (and documented) before this passes again.
 */
TEST_F(trace, formats_have_the_documented_fields)
{
	static const struct {
		const char *event;
		const char *fields;
	} want[] = {
		{ "mls_encrypt", "epoch kid leaf generation len msg_len content_type err" },
		{ "mls_decrypt", "epoch kid leaf generation len msg_len content_type err" },
		{ "mls_commit", "old_epoch new_epoch kid phase err" },
		{ "mls_group_created", "epoch kid own_leaf leaf_count suite group_id_len group_id_shown joined group_id" },
		{ "mls_group_destroyed", "epoch kid" },
		{ "mls_group_ended", "epoch kid" },
		{ "mls_epoch_expired", "epoch kid" },
		{ "mls_throttled", "kind uid kid leaf id" },
		{ "mls_breaker_changed", "kind uid kid leaf id old_state new_state" },
		{ "mls_payload_rejected", "kind uid kid leaf id err" },
	};
	char p[512], got[512];
	unsigned int i, nevents = 0;
	struct dirent *de;
	DIR *d;

	NEED_TRACEFS();
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		char *line, *save = NULL;

		snprintf(p, sizeof(p), "%s/events/mls/%s/format", self->inst, want[i].event);
		ASSERT_LT(0, read_file(p, self->text, TEXT_MAX)) TH_LOG("%s", p);
		got[0] = 0;
		for (line = strtok_r(self->text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *f = strstr(line, "field:"), *semi, *name;

			if (!f || strstr(line, "common_"))
				continue;
			semi = strchr(f, ';');
			if (!semi)
				continue;
			*semi = 0;
			name = strrchr(f, ' ');
			name = name ? name + 1 : f + 6;
			/* "u8 group_id[32]" */
			if (strchr(name, '['))
				*strchr(name, '[') = 0;
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
				 got[0] ? " " : "", name);
		}
		EXPECT_STREQ(want[i].fields, got) TH_LOG("%s", want[i].event);
	}
	/* And there is no other event. */
	snprintf(p, sizeof(p), "%s/events/mls", self->inst);
	d = opendir(p);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "mls_", 4))
			nevents++;
	closedir(d);
	EXPECT_EQ(ARRAY_SIZE(want), nevents);
}

/* ------------------------------------------------------------ data path */

TEST_F(trace, encrypt_and_decrypt_records_match_the_ioctls)
{
	static const char aad[] = "trace-test authenticated data 0123";
	/* Suite 1 signs with Ed25519: the kernel takes 64 bytes. */
	static const uint8_t sig[64] = "trace-test signature....";
	static struct msg m[2];
	static struct dec d;
	const struct rec *r[4];
	char text[2][64];
	struct pair p;
	unsigned int i;

	NEED_TRACEFS();
	ASSERT_EQ(0, pair_make(&p, 1));
	ASSERT_EQ(0, grp_policy1(p.a, MLS_POLICY_PADDING_BLOCK, 0));
	ban_pair(&p);
	ASSERT_EQ(0, clear(self));

	for (i = 0; i < 2; i++) {
		uint8_t salt[8];
		char sh[17];

		rand_bytes(salt, sizeof(salt));
		hex(sh, salt, sizeof(salt));
		snprintf(text[i], sizeof(text[i]), "plaintext %u never traced %s", i, sh);
		ban(text[i], strlen(text[i]));
		ASSERT_EQ(0, grp_encrypt(p.a, MLS_CONTENT_APPLICATION, aad, strlen(aad),
					 text[i], strlen(text[i]), sig, sizeof(sig), &m[i]));
		ASSERT_EQ(0, dec_msg(p.b, &m[i], &d));
		ASSERT_EQ(strlen(text[i]), d.content_len);
		ASSERT_EQ(i, d.gen);
	}
	ban(aad, strlen(aad));
	ban(sig, sizeof(sig));

	ASSERT_EQ(0, load(self));
	ASSERT_EQ(2, find(self, "mls_encrypt", p.a_id, r, 4));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(m[i].epoch, unum(r[i], "epoch"));
		EXPECT_EQ(0, unum(r[i], "leaf"));
		EXPECT_EQ(m[i].gen, unum(r[i], "generation"));
		EXPECT_STREQ("application", field(r[i], "type"));
		EXPECT_EQ(strlen(text[i]), unum(r[i], "len"));
		EXPECT_EQ(m[i].len, unum(r[i], "msg_len"));
		EXPECT_EQ(0, num(r[i], "err"));
	}
	EXPECT_EQ(0, find(self, "mls_encrypt", p.b_id, r, 4));
	ASSERT_EQ(2, find(self, "mls_decrypt", p.b_id, r, 4));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(m[i].epoch, unum(r[i], "epoch"));
		EXPECT_EQ(0, unum(r[i], "leaf"));
		EXPECT_EQ(m[i].gen, unum(r[i], "generation"));
		EXPECT_STREQ("application", field(r[i], "type"));
		EXPECT_EQ(strlen(text[i]), unum(r[i], "len"));
		EXPECT_EQ(m[i].len, unum(r[i], "msg_len"));
		EXPECT_EQ(0, num(r[i], "err"));
	}
	/* Nothing else happened. */
	EXPECT_EQ(4, self->nrecs);
	check_banned(_metadata, self);
	pair_close(&p);
}

TEST_F(trace, failed_decrypts_and_encrypts_carry_their_errno)
{
	static struct msg m, bad;
	static struct dec d;
	static char secret_text[201];
	struct mls_policy pol = { .encrypt_rate = 1, .encrypt_burst = 1 };
	const struct rec *r[8];
	uint8_t junk[64];
	struct pair p;

	NEED_TRACEFS();
	/* Long enough that the tag is out of the sender data's sample. */
	memset(secret_text, 'x', 200);
	memcpy(secret_text, "never traced ", 13);
	ASSERT_EQ(0, pair_make(&p, 3));
	ban_pair(&p);
	ban(secret_text, strlen(secret_text));
	ASSERT_EQ(0, enc_text(p.a, secret_text, &m));
	bad = m;
	bad.buf[bad.len - 1] ^= 1;
	ASSERT_EQ(0, clear(self));

	/* A forgery: the sender data authenticates, the content does not. */
	ASSERT_EQ(-EBADMSG, dec_msg(p.b, &bad, &d));
	ASSERT_EQ(0, dec_msg(p.b, &m, &d));
	/* A replay. */
	ASSERT_EQ(-EALREADY, dec_msg(p.b, &m, &d));
	/* Not a message at all. */
	memset(junk, 0x5a, sizeof(junk));
	ASSERT_EQ(-EBADMSG, grp_decrypt(p.b, junk, sizeof(junk), &d));

	ASSERT_EQ(0, load(self));
	ASSERT_EQ(4, find(self, "mls_decrypt", p.b_id, r, 8));
	EXPECT_EQ(-EBADMSG, num(r[0], "err"));
	EXPECT_EQ(m.epoch, unum(r[0], "epoch"));
	EXPECT_EQ(0, unum(r[0], "leaf"));
	EXPECT_EQ(m.gen, unum(r[0], "generation"));
	EXPECT_EQ(0, unum(r[0], "len"));
	EXPECT_EQ(bad.len, unum(r[0], "msg_len"));
	EXPECT_EQ(0, num(r[1], "err"));
	EXPECT_EQ(strlen(secret_text), unum(r[1], "len"));
	EXPECT_EQ(-EALREADY, num(r[2], "err"));
	EXPECT_EQ(0, unum(r[2], "leaf"));
	EXPECT_EQ(m.gen, unum(r[2], "generation"));
	EXPECT_EQ(0, unum(r[2], "len"));
	EXPECT_EQ(-EBADMSG, num(r[3], "err"));
	EXPECT_EQ(NO_LEAF, unum(r[3], "leaf"));
	EXPECT_EQ(0, unum(r[3], "generation"));
	EXPECT_EQ(sizeof(junk), unum(r[3], "msg_len"));
	check_banned(_metadata, self);

	/* Encrypt: no room for the message, then refused by the group's rate. */
	ASSERT_EQ(0, clear(self));
	{
		static const uint8_t sig[64] = "a stand-in Ed25519 signature";
		struct mls_encrypt e;
		uint8_t out[16];

		enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, secret_text,
			 strlen(secret_text), sig, sizeof(sig), out, sizeof(out));
		ASSERT_EQ(-ENOSPC, xioctl(p.a, MLS_IOC_ENCRYPT, &e));
	}
	ASSERT_EQ(0, grp_policy(p.a, MLS_POLICY_ENCRYPT_RATE, &pol));
	ASSERT_EQ(0, enc_text(p.a, "one", &m));
	ASSERT_EQ(-EAGAIN, enc_text(p.a, "two", &m));
	ASSERT_EQ(0, load(self));
	ASSERT_EQ(3, find(self, "mls_encrypt", p.a_id, r, 8));
	EXPECT_EQ(-ENOSPC, num(r[0], "err"));
	EXPECT_EQ(strlen(secret_text), unum(r[0], "len"));
	EXPECT_EQ(0, unum(r[0], "msg_len"));
	EXPECT_EQ(0, num(r[1], "err"));
	EXPECT_EQ(m.gen, unum(r[1], "generation"));
	EXPECT_EQ(-EAGAIN, num(r[2], "err"));
	EXPECT_EQ(0, unum(r[2], "generation"));
	r[0] = ONE("mls_throttled", p.a_id);
	EXPECT_STREQ("encrypt", field(r[0], "kind"));
	EXPECT_EQ(NO_LEAF, unum(r[0], "leaf"));
	check_banned(_metadata, self);
	pair_close(&p);
}

/* ---------------------------------------------------------- control path */

TEST_F(trace, commit_oneshot_and_epoch_expired)
{
	static struct msg old;
	static struct dec d;
	uint8_t cs[MLS_MAX_HASH_LEN];
	const struct rec *r[4];
	struct mls_commit c;
	struct pair p;

	NEED_TRACEFS();
	ASSERT_EQ(0, pair_make(&p, 1));
	ASSERT_EQ(0, enc_text(p.a, "sent in epoch 0", &old));
	/* No past epoch kept: the commit erases epoch 0 at once. */
	ASSERT_EQ(0, grp_policy1(p.b, MLS_POLICY_EPOCHS_KEPT, 0));
	ASSERT_EQ(0, clear(self));
	ASSERT_EQ(0, pair_commit(&p));
	ban_pair(&p);
	/* Epoch 1 again: stale. */
	rand_bytes(cs, p.nh);
	ban(cs, p.nh);
	commit_init(&c, p.suite, cs, p.in.psk, &p.in, 0, p.leaf_count, NULL, 0);
	ASSERT_EQ(-ESTALE, grp_commit(p.a, &c));
	ASSERT_EQ(-EKEYEXPIRED, dec_msg(p.b, &old, &d));

	ASSERT_EQ(0, load(self));
	ASSERT_EQ(2, find(self, "mls_commit", p.a_id, r, 4));
	EXPECT_STREQ("oneshot", field(r[0], "phase"));
	EXPECT_EQ(0, unum(r[0], "old_epoch"));
	EXPECT_EQ(1, unum(r[0], "new_epoch"));
	EXPECT_EQ(0, num(r[0], "err"));
	EXPECT_STREQ("oneshot", field(r[1], "phase"));
	EXPECT_EQ(0, unum(r[1], "old_epoch"));
	EXPECT_EQ(1, unum(r[1], "new_epoch"));
	EXPECT_EQ(-ESTALE, num(r[1], "err"));
	r[0] = ONE("mls_commit", p.b_id);
	EXPECT_STREQ("oneshot", field(r[0], "phase"));
	EXPECT_EQ(0, unum(r[0], "old_epoch"));
	EXPECT_EQ(1, unum(r[0], "new_epoch"));
	EXPECT_EQ(0, num(r[0], "err"));
	r[0] = ONE("mls_epoch_expired", p.b_id);
	EXPECT_EQ(0, unum(r[0], "epoch"));
	EXPECT_EQ(0, find(self, "mls_epoch_expired", p.a_id, r, 4));
	r[0] = ONE("mls_decrypt", p.b_id);
	EXPECT_EQ(-EKEYEXPIRED, num(r[0], "err"));
	EXPECT_EQ(0, unum(r[0], "epoch"));
	EXPECT_EQ(NO_LEAF, unum(r[0], "leaf"));
	check_banned(_metadata, self);
	pair_close(&p);
}

/* A FINAL commit ends the group: once, for the member that merged it. */
TEST_F(trace, group_ended)
{
	uint8_t cs[MLS_MAX_HASH_LEN];
	struct grp_inputs next;
	struct mls_commit c;
	const struct rec *r;
	struct pair p;

	NEED_TRACEFS();
	ASSERT_EQ(0, pair_make(&p, 1));
	ASSERT_EQ(0, clear(self));
	rand_bytes(cs, p.nh);
	ban(cs, p.nh);
	pair_commit_arg(&p, &c, &next, 0, cs);
	c.flags = MLS_COMMIT_F_FINAL;
	ASSERT_EQ(0, grp_commit(p.a, &c));
	/* Refused: no second end, no event. */
	pair_commit_arg(&p, &c, &next, 0, cs);
	c.flags = MLS_COMMIT_F_FINAL;
	ASSERT_EQ(-EPIPE, grp_commit(p.a, &c));

	ASSERT_EQ(0, load(self));
	r = ONE("mls_group_ended", p.a_id);
	EXPECT_EQ(1, unum(r, "epoch"));
	EXPECT_EQ(0, find(self, "mls_group_ended", p.b_id, NULL, 0));
	check_banned(_metadata, self);
	pair_close(&p);
}

TEST_F(trace, group_created_joined_destroyed)
{
	uint8_t gid[40], joiner[MLS_MAX_HASH_LEN];
	char gid_hex[2 * 32 + 1];
	struct mls_group_new n;
	struct grp_inputs in;
	const struct rec *r;
	__u32 kid1, kid2;
	int fd, fd2;

	NEED_TRACEFS();
	ASSERT_EQ(0, clear(self));
	rand_bytes(gid, sizeof(gid));
	new_plain(&n, 1, gid, sizeof(gid), MLS_GROUP_F_EPHEMERAL);
	fd = grp_create(self->ctl, &n);
	ASSERT_LE(0, fd);
	kid1 = n.id;

	/* A join from a Welcome: leaf 2 of 3, at epoch 7, suite 3. */
	inputs_random(&in, 3);
	in.epoch = 7;
	rand_bytes(joiner, suite_nh(3));
	ban(joiner, suite_nh(3));
	ban(in.psk, suite_nh(3));
	new_join(&n, &in, joiner, 2, 3, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	fd2 = grp_join(self->ctl, &n);
	ASSERT_LE(0, fd2);
	kid2 = n.id;
	ASSERT_EQ(0, grp_destroy(fd));
	close(fd);
	close(fd2);

	ASSERT_EQ(0, load(self));
	r = ONE("mls_group_created", kid1);
	EXPECT_EQ(0, unum(r, "joined"));
	EXPECT_EQ(1, unum(r, "suite"));
	EXPECT_EQ(0, unum(r, "epoch"));
	EXPECT_EQ(0, unum(r, "own_leaf"));
	EXPECT_EQ(1, unum(r, "leaf_count"));
	EXPECT_EQ(sizeof(gid), unum(r, "group_id_len"));
	/* A bounded prefix of the group_id: its first 32 bytes. */
	hex(gid_hex, gid, 32);
	EXPECT_STREQ(gid_hex, field(r, "group_id"));
	r = ONE("mls_group_created", kid2);
	EXPECT_EQ(1, unum(r, "joined"));
	EXPECT_EQ(3, unum(r, "suite"));
	EXPECT_EQ(7, unum(r, "epoch"));
	EXPECT_EQ(2, unum(r, "own_leaf"));
	EXPECT_EQ(3, unum(r, "leaf_count"));
	EXPECT_EQ(in.group_id_len, unum(r, "group_id_len"));
	hex(gid_hex, in.group_id, in.group_id_len);
	EXPECT_STREQ(gid_hex, field(r, "group_id"));
	/* Destroyed by ioctl, and by its last fd: once each. */
	r = ONE("mls_group_destroyed", kid1);
	EXPECT_EQ(0, unum(r, "epoch"));
	r = ONE("mls_group_destroyed", kid2);
	EXPECT_EQ(7, unum(r, "epoch"));
	check_banned(_metadata, self);
}

/* ----------------------------------------------------------- endpoints */

/* This test process's endpoint names: "trace<pid>.". */
static const char *ep_prefix(void)
{
	static char prefix[32];

	snprintf(prefix, sizeof(prefix), "trace%d.", (int)getpid());
	return prefix;
}

#define EP_PREFIX	ep_prefix()

static void ep_name(char *id, const char *name)
{
	ep_id_of(id, EP_PREFIX, name);
}

static int ep_new(int ctl, const char *name, __u32 rate, __u32 thr)
{
	struct mls_evbuf_config c = {
		.flags = MLS_EVBUF_F_CREATE | MLS_EVBUF_F_EXCL,
		.mask = MLS_EVBUF_CFG_ALL,
		.rate = rate, .burst = 1, .fail_threshold = thr,
		.half_open_probes = 1, .open_base_ms = 100000,
		.open_max_ms = 100000,
	};

	ep_name(c.id, name);
	return xioctl(ctl, MLS_IOC_EVBUF_CONFIG, &c);
}

#define ep_record(ctl, name, flags, p, len) \
	ep_record_in(ctl, EP_PREFIX, name, flags, p, len)
#define ep_report(ctl, name, result)	ep_report_in(ctl, EP_PREFIX, name, result)
#define ep_set(ctl, name, state)	ep_set_in(ctl, EP_PREFIX, name, state)
#define ep_rm(ctl, name)		ep_rm_in(ctl, EP_PREFIX, name)

/* The records of @event about user endpoint @name. */
static unsigned int find_ep(FIXTURE_DATA(trace) *self, const char *event,
			    const char *name, const struct rec **out, unsigned int cap)
{
	char id[MLS_EVBUF_ID_SIZE];
	unsigned int i, n = 0;

	ep_name(id, name);
	for (i = 0; i < self->nrecs; i++) {
		const struct rec *r = &self->recs[i];
		const char *v = field(r, "id");

		if (strcmp(r->event, event) || !v || strcmp(v, id))
			continue;
		if (n < cap)
			out[n] = r;
		n++;
	}
	return n;
}

#define EXPECT_USER_EP(r) do {							\
	EXPECT_STREQ("user", field((r), "kind"));				\
	EXPECT_EQ(getuid(), unum((r), "uid"));					\
	EXPECT_EQ(0, unum((r), "kid"));						\
	EXPECT_EQ(NO_LEAF, unum((r), "leaf"));					\
} while (0)

TEST_F(trace, endpoint_throttled_breaker_changed_payload_rejected)
{
	static const char payload[] = "a payload that is said to be gzip, never traced";
	const struct rec *r[4];

	NEED_TRACEFS();
	ASSERT_EQ(0, clear(self));
	ban(payload, strlen(payload));
	/* Rate 1/s, burst 1: the second record is throttled. */
	ASSERT_EQ(0, ep_new(self->ctl, "thr", 1, 5));
	ASSERT_EQ(0, ep_record(self->ctl, "thr", 0, NULL, 0));
	ASSERT_EQ(-EAGAIN, ep_record(self->ctl, "thr", 0, NULL, 0));
	/* Two failures open the breaker; then by hand. */
	ASSERT_EQ(0, ep_new(self->ctl, "brk", 0, 2));
	ASSERT_EQ(0, ep_report(self->ctl, "brk", MLS_EVBUF_FAILURE));
	ASSERT_EQ(0, ep_report(self->ctl, "brk", MLS_EVBUF_FAILURE));
	ASSERT_EQ(0, ep_set(self->ctl, "brk", MLS_EVBUF_FORCED_OPEN));
	/* Said to be gzip, and is not. */
	ASSERT_EQ(0, ep_new(self->ctl, "gz", 0, 5));
	ASSERT_EQ(-EBADMSG, ep_record(self->ctl, "gz", MLS_EVBUF_F_GZIP, payload,
				      strlen(payload)));

	ASSERT_EQ(0, load(self));
	ASSERT_EQ(1, find_ep(self, "mls_throttled", "thr", r, 4));
	EXPECT_USER_EP(r[0]);
	ASSERT_EQ(2, find_ep(self, "mls_breaker_changed", "brk", r, 4));
	EXPECT_USER_EP(r[0]);
	EXPECT_STREQ("closed", field(r[0], "old"));
	EXPECT_STREQ("open", field(r[0], "new"));
	EXPECT_STREQ("open", field(r[1], "old"));
	EXPECT_STREQ("forced-open", field(r[1], "new"));
	ASSERT_EQ(1, find_ep(self, "mls_payload_rejected", "gz", r, 4));
	EXPECT_USER_EP(r[0]);
	EXPECT_EQ(-EBADMSG, num(r[0], "err"));
	EXPECT_EQ(0, find_ep(self, "mls_throttled", "brk", r, 4));
	check_banned(_metadata, self);
	EXPECT_EQ(0, ep_rm(self->ctl, "thr"));
	EXPECT_EQ(0, ep_rm(self->ctl, "brk"));
	EXPECT_EQ(0, ep_rm(self->ctl, "gz"));
}

/* Disabled: the same operations leave nothing in the buffer. */
TEST_F(trace, nothing_recorded_when_disabled)
{
	static struct msg m;
	static struct dec d;
	struct pair p;

	NEED_TRACEFS();
	ASSERT_EQ(0, set_enabled(self->inst, false));
	ASSERT_EQ(0, clear(self));
	ASSERT_EQ(0, pair_make(&p, 1));
	ASSERT_EQ(0, enc_text(p.a, "not traced", &m));
	ASSERT_EQ(0, dec_msg(p.b, &m, &d));
	ASSERT_EQ(0, pair_commit(&p));
	pair_close(&p);
	ASSERT_EQ(0, load(self));
	EXPECT_EQ(0, self->nrecs);
	/* Enabled again, the next operation is there. */
	ASSERT_EQ(0, set_enabled(self->inst, true));
	ASSERT_EQ(0, pair_make(&p, 1));
	ASSERT_EQ(0, enc_text(p.a, "traced", &m));
	ASSERT_EQ(0, load(self));
	EXPECT_EQ(1, find(self, "mls_encrypt", p.a_id, NULL, 0));
	pair_close(&p);
}

TEST_HARNESS_MAIN
