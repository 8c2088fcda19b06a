// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency of the data plane, once per ciphersuite: threads encrypting
 * on one member (each generation used exactly once), threads decrypting
 * on the other in shuffled order (each message opened exactly once), and
 * the leak check: no installed or derived secret ever comes out of an
 * ioctl DESIGN.md does not allow to return it, nor out of sysfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/mls.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "kselftest_harness.h"
#include "group_util.h"

#define PER_THREAD	10000
#define SLOT		320	/* bytes of one stored message (text, signature, header) */

struct tmsg {
	uint32_t len;
	uint32_t gen;
	uint64_t epoch;
	uint32_t tid, idx;
	int err;
};

struct batch {
	size_t n;
	uint8_t *bufs;
	struct tmsg *m;
	unsigned int suite;	/* whose stand_in_sig() the messages carry */
};

static int batch_alloc(struct batch *b, size_t n)
{
	b->n = n;
	b->bufs = calloc(n, SLOT);
	b->m = calloc(n, sizeof(*b->m));
	return b->bufs && b->m ? 0 : -ENOMEM;
}

static void batch_free(struct batch *b)
{
	free(b->bufs);
	free(b->m);
	memset(b, 0, sizeof(*b));
}

static size_t text_of(char *out, size_t cap, uint32_t tid, uint32_t idx)
{
	return (size_t)snprintf(out, cap, "thread %02u message %05u", tid, idx);
}

struct enc_thread {
	int fd;
	uint32_t tid;
	size_t count, base;
	struct batch *b;
	pthread_barrier_t *bar;
};

static void *enc_worker(void *arg)
{
	struct enc_thread *t = arg;
	uint8_t sig[SIG_MAX];
	size_t sig_len = stand_in_sig(t->b->suite, sig);
	struct mls_encrypt e;
	char text[64];
	size_t i;

	pthread_barrier_wait(t->bar);
	for (i = 0; i < t->count; i++) {
		struct tmsg *m = &t->b->m[t->base + i];
		size_t len = text_of(text, sizeof(text), t->tid, (uint32_t)i);

		enc_init(&e, MLS_CONTENT_APPLICATION, NULL, 0, text, len, sig, sig_len,
			 t->b->bufs + (t->base + i) * SLOT, SLOT);
		m->tid = t->tid;
		m->idx = (uint32_t)i;
		m->err = xioctl(t->fd, MLS_IOC_ENCRYPT, &e);
		m->len = e.message.len;
		m->gen = e.generation;
		m->epoch = e.epoch;
	}
	return NULL;
}

/* @nthreads threads encrypt @per messages each on @fd, all at once. */
static int run_encrypt(int fd, unsigned int nthreads, size_t per, struct batch *b)
{
	struct enc_thread t[8];
	pthread_t th[8];
	pthread_barrier_t bar;
	unsigned int i;

	if (nthreads > 8 || batch_alloc(b, nthreads * per))
		return -EINVAL;
	b->suite = grp_suite(fd);
	pthread_barrier_init(&bar, NULL, nthreads);
	for (i = 0; i < nthreads; i++) {
		t[i] = (struct enc_thread){ fd, i, per, i * per, b, &bar };
		if (pthread_create(&th[i], NULL, enc_worker, &t[i]))
			return -EAGAIN;
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
	return 0;
}

/*
 * Every message encrypted, in epoch 0, each generation 0..n-1 exactly
 * once. Returns the number of violations; @by_gen[g] = index of message g.
 */
static size_t check_generations(struct __test_metadata *_metadata, const struct batch *b,
				uint32_t *by_gen)
{
	size_t i, bad = 0;
	uint8_t *seen = calloc(b->n, 1);

	if (!seen)
		return b->n;
	for (i = 0; i < b->n; i++) {
		const struct tmsg *m = &b->m[i];

		if (m->err) {
			if (!bad++)
				TH_LOG("message %zu: encrypt %d", i, m->err);
			continue;
		}
		if (m->epoch != 0 || m->gen >= b->n || seen[m->gen]) {
			if (!bad++)
				TH_LOG("message %zu: epoch %llu generation %u (%s)", i,
				       (unsigned long long)m->epoch, m->gen,
				       m->gen < b->n && seen[m->gen] ? "used twice" : "out of range");
			continue;
		}
		seen[m->gen] = 1;
		by_gen[m->gen] = (uint32_t)i;
	}
	free(seen);
	return bad;
}

/*
 * The window the receiver can take: its out_of_order and max_forward set
 * to their caps. Messages are shuffled within consecutive chunks of that
 * many generations (all of them when the caps allow).
 */
static size_t set_window(struct __test_metadata *_metadata, int fd, size_t n)
{
	long long oo = mod_param("out_of_order_max"), mf = mod_param("max_forward_max");
	struct mls_policy pol = { 0 };
	size_t w;

	if (oo <= 0 || mf <= 0)
		return 0;
	pol.out_of_order = (__u32)oo;
	pol.max_forward = (__u32)mf;
	if (grp_policy(fd, MLS_POLICY_OUT_OF_ORDER | MLS_POLICY_MAX_FORWARD, &pol))
		return 0;
	w = (size_t)(oo < mf ? oo : mf);
	if (w > n)
		w = n;
	TH_LOG("%zu messages shuffled in windows of %zu (out_of_order_max %lld, max_forward_max %lld)",
	       n, w, oo, mf);
	return w;
}

static void shuffle_chunks(uint32_t *order, size_t n, size_t w)
{
	size_t s;

	for (s = 0; s < n; s += w)
		shuffle_u32(order + s, n - s < w ? n - s : w);
}

/* Decrypt message @i of @b on @fd and check it; 0 or -errno or -EPROTO. */
static int dec_check(int fd, const struct batch *b, uint32_t i, struct dec *d)
{
	const struct tmsg *m = &b->m[i];
	char text[64];
	size_t len;
	int r = grp_decrypt(fd, b->bufs + (size_t)i * SLOT, m->len, d);
	uint8_t sig[SIG_MAX];
	size_t sig_len;

	if (r)
		return r;
	sig_len = stand_in_sig(b->suite, sig);
	len = text_of(text, sizeof(text), m->tid, m->idx);
	if (d->gen != m->gen || d->epoch != m->epoch || d->leaf != 0 ||
	    d->content_len != len || memcmp(d->content, text, len) ||
	    d->sig_len != sig_len || memcmp(d->sig, sig, sig_len))
		return -EPROTO;
	return 0;
}

/*
 * The concurrency tests run on three suites that together cover the three
 * hashes, both AEADs and both AES key sizes (generation bookkeeping does
 * not depend on the suite; under emulation each suite costs a minute or
 * more). The leak check below runs on all seven.
 */
FIXTURE(threads) {
	struct pair p;
	struct batch b;
	uint32_t *order;
};

FIXTURE_VARIANT(threads) {
	unsigned int suite;
};

FIXTURE_VARIANT_ADD(threads, suite1_aes128gcm_sha256_x25519) { .suite = 1 };
FIXTURE_VARIANT_ADD(threads, suite6_chacha20poly1305_sha512_x448) { .suite = 6 };
FIXTURE_VARIANT_ADD(threads, suite7_aes256gcm_sha384_p384) { .suite = 7 };

FIXTURE_SETUP(threads)
{
	ASSERT_EQ(0, pair_make(&self->p, variant->suite));
	ASSERT_EQ(0, grp_policy1(self->p.a, MLS_POLICY_PADDING_BLOCK, 0));
}

FIXTURE_TEARDOWN(threads)
{
	pair_close(&self->p);
	batch_free(&self->b);
	free(self->order);
}

struct dec_thread {
	int fd;
	unsigned int tid, nthreads;
	bool all;		/* every message of the chunk, not a share */
	const struct batch *b;
	const uint32_t *order;
	size_t n, w;
	pthread_barrier_t *bar;
	int *res;		/* per message index */
	size_t bad;
};

static void *dec_worker(void *arg)
{
	struct dec_thread *t = arg;
	struct dec *d = calloc(1, sizeof(*d));
	uint32_t *mine = calloc(t->w, sizeof(*mine));
	size_t s, j;

	pthread_barrier_wait(t->bar);
	for (s = 0; s < t->n; s += t->w) {
		size_t end = s + t->w < t->n ? s + t->w : t->n, k = 0;

		/* This thread's messages of the chunk, in an order of its own. */
		for (j = s; j < end; j++)
			if (t->all || j % t->nthreads == t->tid)
				mine[k++] = t->order[j];
		if (t->all)
			shuffle_u32(mine, k);
		for (j = 0; j < k; j++) {
			int r = d && mine ? dec_check(t->fd, t->b, mine[j], d) : -ENOMEM;

			t->res[mine[j]] = r;
			if (r && !t->all)
				t->bad++;
		}
		/* The next chunk only once this one is done everywhere. */
		pthread_barrier_wait(t->bar);
	}
	free(d);
	free(mine);
	return NULL;
}

/*
 * @nthreads threads decrypt the messages of @self->b on B in the order
 * @self->order, window by window of @w; with @all each thread tries every
 * message, else each takes its share. Results in @res[thread][message].
 */
static int run_decrypt(FIXTURE_DATA(threads) *self, unsigned int nthreads, bool all,
		       size_t w, int **res, size_t *bad)
{
	struct dec_thread t[4];
	pthread_t th[4];
	pthread_barrier_t bar;
	unsigned int k;

	if (nthreads > 4)
		return -EINVAL;
	pthread_barrier_init(&bar, NULL, nthreads);
	for (k = 0; k < nthreads; k++) {
		t[k] = (struct dec_thread){ self->p.b, k, nthreads, all, &self->b, self->order,
					    self->b.n, w, &bar, res[k], 0 };
		if (pthread_create(&th[k], NULL, dec_worker, &t[k]))
			return -EAGAIN;
	}
	*bad = 0;
	for (k = 0; k < nthreads; k++) {
		pthread_join(th[k], NULL);
		*bad += t[k].bad;
	}
	pthread_barrier_destroy(&bar);
	return 0;
}

/*
 * Encrypt @per messages in each of @enc_threads threads on A; then
 * decrypt all on B in shuffled order with @dec_threads threads, each
 * taking its share concurrently.
 */
static void encrypt_then_decrypt(struct __test_metadata *_metadata,
				 FIXTURE_DATA(threads) *self, unsigned int enc_threads,
				 unsigned int dec_threads)
{
	struct dec *d = calloc(1, sizeof(*d));
	int *res[4] = { NULL };
	size_t n, w, i, bad = 0;
	uint64_t t0, t1;
	unsigned int k;

	ASSERT_NE(NULL, d);
	t0 = now_ms();
	ASSERT_EQ(0, run_encrypt(self->p.a, enc_threads, PER_THREAD, &self->b));
	t1 = now_ms();
	n = self->b.n;
	self->order = calloc(n, sizeof(*self->order));
	ASSERT_NE(NULL, self->order);
	/* Every (epoch, generation) exactly once. */
	EXPECT_EQ(0, check_generations(_metadata, &self->b, self->order));
	if (!_metadata->passed)
		goto out;
	w = set_window(_metadata, self->p.b, n);
	ASSERT_LT(0, w);
	shuffle_chunks(self->order, n, w);
	for (k = 0; k < dec_threads; k++) {
		res[k] = calloc(n, sizeof(int));
		ASSERT_NE(NULL, res[k]);
	}
	ASSERT_EQ(0, run_decrypt(self, dec_threads, false, w, res, &bad));
	EXPECT_EQ(0, bad);
	for (i = 0; i < n && bad; i++) {
		for (k = 0; k < dec_threads; k++)
			if (res[k][i])
				break;
		if (k < dec_threads) {
			TH_LOG("thread %u: message %zu (generation %u): %d", k, i,
			       self->b.m[i].gen, res[k][i]);
			break;
		}
	}
	TH_LOG("%u threads encrypt %llu ms, %u threads decrypt %llu ms", enc_threads,
	       (unsigned long long)(t1 - t0), dec_threads,
	       (unsigned long long)(now_ms() - t1));
	/* Every one is consumed now: a replay of any is EALREADY. */
	for (i = 0; i < n; i += 997)
		EXPECT_EQ(-EALREADY, dec_check(self->p.b, &self->b, (uint32_t)i, d));
out:
	for (k = 0; k < 4; k++)
		free(res[k]);
	free(d);
}

/* 2 threads x 10,000 on A; B decrypts all in shuffled order. */
TEST_F_TIMEOUT(threads, encrypt_2_threads, 600)
{
	encrypt_then_decrypt(_metadata, self, 2, 1);
}

/* 4 threads x 10,000 on A; 2 threads decrypt them on B concurrently. */
TEST_F_TIMEOUT(threads, encrypt_4_threads_decrypt_2_threads, 600)
{
	encrypt_then_decrypt(_metadata, self, 4, 2);
}

/*
 * Two threads decrypt the same messages at the same time: each message
 * opens exactly once, the other attempt is a replay (EALREADY).
 */
TEST_F_TIMEOUT(threads, decrypt_race_same_messages, 600)
{
	int *res[2];
	size_t n, w, i, once = 0, twice = 0, other = 0, bad;
	unsigned int k;

	ASSERT_EQ(0, run_encrypt(self->p.a, 2, PER_THREAD / 4, &self->b));
	n = self->b.n;
	self->order = calloc(n, sizeof(*self->order));
	ASSERT_NE(NULL, self->order);
	ASSERT_EQ(0, check_generations(_metadata, &self->b, self->order));
	w = set_window(_metadata, self->p.b, n);
	ASSERT_LT(0, w);
	shuffle_chunks(self->order, n, w);
	for (k = 0; k < 2; k++) {
		res[k] = calloc(n, sizeof(int));
		ASSERT_NE(NULL, res[k]);
	}
	ASSERT_EQ(0, run_decrypt(self, 2, true, w, res, &bad));
	for (i = 0; i < n; i++) {
		int a = res[0][i], b = res[1][i];

		if ((a == 0) + (b == 0) == 1 && (a == -EALREADY || b == -EALREADY)) {
			once++;
			continue;
		}
		if (a == 0 && b == 0)
			twice++;
		else
			other++;
		if (twice + other == 1)
			TH_LOG("message %zu (generation %u): %d and %d", i, self->b.m[i].gen, a, b);
	}
	EXPECT_EQ(n, once);
	EXPECT_EQ(0, twice);
	EXPECT_EQ(0, other);
	for (k = 0; k < 2; k++)
		free(res[k]);
}

/* ------------------------------------------------------------ leaks */

struct hay {
	uint8_t *p;
	size_t len, cap;
};

static void hay_add(struct hay *h, const void *p, size_t n)
{
	if (!n)
		return;
	if (h->len + n > h->cap) {
		size_t cap = (h->len + n) * 2;
		uint8_t *q = realloc(h->p, cap);

		if (!q)
			abort();
		h->p = q;
		h->cap = cap;
	}
	memcpy(h->p + h->len, p, n);
	h->len += n;
}

static struct hay *g_files;
static size_t g_nfiles;

static int add_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	uint8_t buf[4096];
	ssize_t r;
	int fd;

	(void)st;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		hay_add(g_files, buf, (size_t)r);
	close(fd);
	g_nfiles++;
	return 0;
}

/* Every readable file under @dir, not following links. */
static size_t hay_add_tree(struct hay *h, const char *dir)
{
	g_files = h;
	g_nfiles = 0;
	nftw(dir, add_file, 16, FTW_PHYS);
	return g_nfiles;
}

struct needle {
	const char *what;
	uint8_t b[MLS_MAX_HASH_LEN];
	size_t len;
};

#define MAX_NEEDLES	512
#define WINDOW		12	/* a leak of this many consecutive bytes counts */

struct needles {
	struct needle n[MAX_NEEDLES];
	size_t count;
};

static void needle_add(struct needles *ns, const char *what, const uint8_t *b, size_t len)
{
	if (ns->count < MAX_NEEDLES && len) {
		struct needle *n = &ns->n[ns->count++];

		n->what = what;
		memcpy(n->b, b, len);
		n->len = len;
	}
}

/* A recognisable pattern: tag, index, and an LCG so no window repeats. */
static void pattern(uint8_t *b, size_t n, uint8_t tag)
{
	uint32_t x = 0x9e3779b9u * tag;
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16) ^ tag;
	}
	b[0] = tag;
}

/* The first needle any window of which is in @h, or NULL. */
static const struct needle *leak_find(const struct needles *ns, const struct hay *h, size_t *at)
{
	size_t i, off;

	for (i = 0; i < ns->count; i++) {
		const struct needle *n = &ns->n[i];
		size_t w = n->len < WINDOW ? n->len : WINDOW;

		for (off = 0; off + w <= n->len; off++) {
			const uint8_t *hit = memmem(h->p, h->len, n->b + off, w);

			if (hit) {
				*at = (size_t)(hit - h->p);
				return n;
			}
		}
	}
	return NULL;
}

static void add_file_path(struct hay *h, const char *path)
{
	uint8_t buf[4096];
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		hay_add(h, buf, (size_t)r);
	close(fd);
}

/* Everything a group fd gives back, with whole output buffers. */
static void harvest_group(struct hay *h, int fd, unsigned int nh)
{
	static uint8_t buf[MLS_MAX_EXPORTER_LEN];
	static const size_t lens[] = { 1, 16, 32, 48, 64, 100, 1024 };
	struct mls_group_info info;
	struct mls_get_context gc;
	struct mls_authenticator au;
	struct mls_exporter ex;
	char path[64], label[8];
	unsigned int i;
	uint64_t e;

	memset(buf, 0, sizeof(buf));
	memset(&info, 0, sizeof(info));
	mbuf(&info.group_id, buf, sizeof(buf));
	xioctl(fd, MLS_IOC_GROUP_INFO, &info);
	hay_add(h, &info, sizeof(info));
	hay_add(h, buf, sizeof(buf));
	for (e = 0; e <= info.epoch; e++) {
		memset(buf, 0, sizeof(buf));
		memset(&gc, 0, sizeof(gc));
		gc.flags = MLS_CONTEXT_F_EPOCH;
		gc.epoch = e;
		mbuf(&gc.context, buf, sizeof(buf));
		xioctl(fd, MLS_IOC_GET_CONTEXT, &gc);
		hay_add(h, &gc, sizeof(gc));
		hay_add(h, buf, sizeof(buf));
	}
	/* Too small on purpose: nothing may be written. */
	memset(buf, 0, sizeof(buf));
	memset(&au, 0, sizeof(au));
	mbuf(&au.authenticator, buf, nh - 1);
	xioctl(fd, MLS_IOC_EPOCH_AUTHENTICATOR, &au);
	hay_add(h, &au, sizeof(au));
	hay_add(h, buf, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	mbuf(&au.authenticator, buf, sizeof(buf));
	xioctl(fd, MLS_IOC_EPOCH_AUTHENTICATOR, &au);
	hay_add(h, &au, sizeof(au));
	hay_add(h, buf, sizeof(buf));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(buf, 0, sizeof(buf));
		memset(&ex, 0, sizeof(ex));
		snprintf(label, sizeof(label), "l%u", i);
		mbuf(&ex.label, label, strlen(label));
		mbuf(&ex.context, "ctx", i & 1 ? 3 : 0);
		mbuf(&ex.secret, buf, lens[i]);
		xioctl(fd, MLS_IOC_EXPORTER, &ex);
		hay_add(h, &ex, sizeof(ex));
		hay_add(h, buf, sizeof(buf));
	}
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	add_file_path(h, path);
}

/* A message from @tx to @rx, everything of both calls in the haystack. */
static void harvest_message(struct hay *h, int tx, int rx, __u32 ctype)
{
	static uint8_t out[MSG_MAX], aad[1024], content[MSG_MAX], sig[1024];
	uint8_t app_sig[SIG_MAX];
	size_t app_sig_len = stand_in_sig(grp_suite(tx), app_sig);
	struct mls_encrypt e;
	struct mls_decrypt d;

	memset(out, 0, sizeof(out));
	/* First too small (ENOSPC), then right. */
	enc_init(&e, ctype, "aad", 3, "some content", 12,
		 ctype == MLS_CONTENT_APPLICATION ? app_sig : NULL,
		 ctype == MLS_CONTENT_APPLICATION ? app_sig_len : 0, out, 8);
	xioctl(tx, MLS_IOC_ENCRYPT, &e);
	hay_add(h, &e, sizeof(e));
	hay_add(h, out, sizeof(out));
	mbuf(&e.message, out, sizeof(out));
	xioctl(tx, MLS_IOC_ENCRYPT, &e);
	hay_add(h, &e, sizeof(e));
	hay_add(h, out, sizeof(out));
	memset(aad, 0, sizeof(aad));
	memset(content, 0, sizeof(content));
	memset(sig, 0, sizeof(sig));
	memset(&d, 0, sizeof(d));
	mbuf(&d.message, out, e.message.len);
	mbuf(&d.authenticated_data, aad, 1);
	mbuf(&d.content, content, 1);
	mbuf(&d.signature, sig, 1);
	xioctl(rx, MLS_IOC_DECRYPT, &d);
	hay_add(h, &d, sizeof(d));
	mbuf(&d.message, out, e.message.len);
	mbuf(&d.authenticated_data, aad, sizeof(aad));
	mbuf(&d.content, content, sizeof(content));
	mbuf(&d.signature, sig, sizeof(sig));
	xioctl(rx, MLS_IOC_DECRYPT, &d);
	hay_add(h, &d, sizeof(d));
	hay_add(h, aad, sizeof(aad));
	hay_add(h, content, sizeof(content));
	hay_add(h, sig, sizeof(sig));
	/* The sender fed its own message, and a forged one. */
	xioctl(tx, MLS_IOC_DECRYPT, &d);
	hay_add(h, &d, sizeof(d));
	hay_add(h, content, sizeof(content));
}

/* The raw bytes of the netlink group dump (every group, every attribute). */
static size_t hay_add_netlink_dump(struct hay *h)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct sockaddr_nl peer;
	unsigned char *buf = NULL;
	size_t total = 0;
	bool done = false;
	int fam, n;

	if (!sk || genl_connect(sk))
		goto out;
	fam = genl_ctrl_resolve(sk, MLS_GENL_NAME);
	if (fam < 0 || genl_send_simple(sk, fam, MLS_CMD_GET_GROUP, MLS_GENL_VERSION,
					NLM_F_DUMP) < 0)
		goto out;
	while (!done && (n = nl_recv(sk, &peer, &buf, NULL)) > 0) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		int left = n;

		hay_add(h, buf, (size_t)n);
		total += (size_t)n;
		for (; nlmsg_ok(nh, left); nh = nlmsg_next(nh, &left))
			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR)
				done = true;
		free(buf);
		buf = NULL;
	}
out:
	if (sk)
		nl_socket_free(sk);
	return total;
}

/* The leaf secrets and first ratchet keys of a secret tree. */
static void needles_tree(struct needles *ns, unsigned int suite, const uint8_t *encryption,
			 uint32_t leaf_count)
{
	unsigned int nh = suite_nh(suite), nk = suite_nk(suite);
	uint8_t leaf[MLS_MAX_HASH_LEN], key[32], nonce[NONCE_LEN];
	uint32_t l, g;

	for (l = 0; l < leaf_count && l < 2; l++) {
		if (tree_leaf_secret(suite, encryption, leaf_count, l, leaf))
			continue;
		needle_add(ns, "leaf secret", leaf, nh);
		for (g = 0; g < 3; g++) {
			if (ratchet_key(suite, leaf, "application", g, key, nonce))
				continue;
			needle_add(ns, "application key", key, nk);
			needle_add(ns, "application nonce", nonce, NONCE_LEN);
			if (ratchet_key(suite, leaf, "handshake", g, key, nonce))
				continue;
			needle_add(ns, "handshake key", key, nk);
			needle_add(ns, "handshake nonce", nonce, NONCE_LEN);
		}
	}
}

/* The secrets derived from @es that the kernel keeps: none may come out. */
static void needles_epoch(struct needles *ns, unsigned int suite, const struct epoch_secrets *es,
			  uint32_t leaf_count)
{
	unsigned int nh = suite_nh(suite);

	needle_add(ns, "joiner_secret", es->joiner, nh);
	needle_add(ns, "welcome_secret", es->welcome, nh);
	needle_add(ns, "epoch_secret", es->epoch, nh);
	needle_add(ns, "sender_data_secret", es->sender_data, nh);
	needle_add(ns, "encryption_secret", es->encryption, nh);
	needle_add(ns, "exporter_secret", es->exporter, nh);
	needle_add(ns, "external_secret", es->external, nh);
	needle_add(ns, "confirmation_key", es->confirm, nh);
	needle_add(ns, "membership_key", es->membership, nh);
	needle_add(ns, "resumption_psk", es->resumption, nh);
	needle_add(ns, "next init_secret", es->init, nh);
	needles_tree(ns, suite, es->encryption, leaf_count);
}

/* An epoch's secrets but its joiner and welcome secrets (given or returned). */
static void needles_epoch_keys(struct needles *ns, unsigned int suite,
			       const struct epoch_secrets *es, uint32_t leaf_count)
{
	unsigned int nh = suite_nh(suite);

	needle_add(ns, "staged epoch_secret", es->epoch, nh);
	needle_add(ns, "staged sender_data_secret", es->sender_data, nh);
	needle_add(ns, "staged encryption_secret", es->encryption, nh);
	needle_add(ns, "staged exporter_secret", es->exporter, nh);
	needle_add(ns, "staged external_secret", es->external, nh);
	needle_add(ns, "staged confirmation_key", es->confirm, nh);
	needle_add(ns, "staged membership_key", es->membership, nh);
	needle_add(ns, "staged resumption_psk", es->resumption, nh);
	needle_add(ns, "staged next init_secret", es->init, nh);
	needles_tree(ns, suite, es->encryption, leaf_count);
}

/* A tag call's struct and whole output buffer into the haystack. */
static void harvest_tag(struct hay *h, int fd, unsigned long cmd, __u32 flags, __u64 epoch,
			const void *data, size_t dlen, size_t cap)
{
	static uint8_t out[MLS_MAX_HASH_LEN * 2];
	struct mls_tag t;

	memset(out, 0, sizeof(out));
	memset(&t, 0, sizeof(t));
	t.flags = flags;
	t.epoch = epoch;
	mbuf(&t.data, data, dlen);
	mbuf(&t.tag, out, cap);
	xioctl(fd, cmd, &t);
	hay_add(h, &t, sizeof(t));
	hay_add(h, out, sizeof(out));
}

/* Confirmation and membership tags (current, pending, past epochs), external_pub. */
static void harvest_tags(struct hay *h, int fd, unsigned int nh)
{
	static const size_t lens[] = { 1, 13, 64, 1000 };
	static uint8_t data[1000];
	struct mls_external_pub xp;
	static uint8_t pub[512];
	unsigned int i;
	__u32 pf;

	for (pf = 0; pf <= MLS_TAG_F_PENDING; pf += MLS_TAG_F_PENDING) {
		harvest_tag(h, fd, MLS_IOC_CONFIRMATION_TAG, pf, 0, NULL, 0, nh);
		harvest_tag(h, fd, MLS_IOC_CONFIRMATION_TAG, pf, 0, NULL, 0, nh - 1);
		harvest_tag(h, fd, MLS_IOC_CONFIRMATION_TAG, pf, 0, NULL, 0, 2 * nh);
		memset(&xp, 0, sizeof(xp));
		xp.flags = pf ? MLS_EXTERNAL_PUB_F_PENDING : 0;
		mbuf(&xp.pub, pub, sizeof(pub));
		xioctl(fd, MLS_IOC_EXTERNAL_PUB, &xp);
		hay_add(h, &xp, sizeof(xp));
		hay_add(h, pub, sizeof(pub));
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(data, (int)i, sizeof(data));
		harvest_tag(h, fd, MLS_IOC_MEMBERSHIP_TAG, 0, 0, data, lens[i], nh);
		harvest_tag(h, fd, MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_F_EPOCH, 0, data, lens[i], nh);
		harvest_tag(h, fd, MLS_IOC_MEMBERSHIP_TAG, MLS_TAG_F_EPOCH, 1, data, lens[i],
			    2 * nh);
	}
}

/* The psk_input and the running psk_secret of PSK @i of @n (§8.4). */
static int psk_step(unsigned int suite, const uint8_t *id, size_t idn, unsigned int i,
		    unsigned int n, const uint8_t *psk, uint8_t *input, uint8_t *secret)
{
	unsigned int nh = suite_nh(suite);
	uint8_t label[512], ex[MLS_MAX_HASH_LEN], next[MLS_MAX_HASH_LEN];

	memcpy(label, id, idn);
	label[idn++] = (uint8_t)(i >> 8);
	label[idn++] = (uint8_t)i;
	label[idn++] = (uint8_t)(n >> 8);
	label[idn++] = (uint8_t)n;
	if (hkdf_extract(suite, NULL, 0, psk, nh, ex) ||
	    expand_with_label(suite, ex, "derived psk", label, idn, input, nh) ||
	    hkdf_extract(suite, input, nh, secret, nh, next))
		return -1;
	memcpy(secret, next, nh);
	return 0;
}

/* An encoded resumption PreSharedKeyID. */
static size_t psk_id_resumption(uint8_t *id, uint8_t usage, const struct grp_inputs *in,
				uint64_t epoch, const uint8_t *nonce, size_t nh)
{
	size_t n = 0;
	int i;

	id[n++] = MLS_PSK_RESUMPTION;
	id[n++] = usage;
	n += put_vec(id + n, in->group_id, in->group_id_len);
	for (i = 7; i >= 0; i--)
		id[n++] = (uint8_t)(epoch >> (8 * i));
	n += put_vec(id + n, nonce, nh);
	return n;
}

/*
 * Install known secrets (FROM_INPUTS, INSTALL, JOIN, COMMIT, COMMIT
 * INSTALL, PSK lists with resumption PSKs, pending commits, staged
 * joins), use every ioctl, and look for the secrets and those the kernel
 * derives from them (confirmation and membership keys, resumption PSKs
 * included) in all that came back, in sysfs, debugfs and the netlink
 * group dump.
 */
FIXTURE(leaks) {
	struct pair p;
};

FIXTURE_VARIANT(leaks) {
	unsigned int suite;
};

FIXTURE_VARIANT_ADD(leaks, suite1_aes128gcm_sha256_x25519) { .suite = 1 };
FIXTURE_VARIANT_ADD(leaks, suite2_aes128gcm_sha256_p256) { .suite = 2 };
FIXTURE_VARIANT_ADD(leaks, suite3_chacha20poly1305_sha256_x25519) { .suite = 3 };
FIXTURE_VARIANT_ADD(leaks, suite4_aes256gcm_sha512_x448) { .suite = 4 };
FIXTURE_VARIANT_ADD(leaks, suite5_aes256gcm_sha512_p521) { .suite = 5 };
FIXTURE_VARIANT_ADD(leaks, suite6_chacha20poly1305_sha512_x448) { .suite = 6 };
FIXTURE_VARIANT_ADD(leaks, suite7_aes256gcm_sha384_p384) { .suite = 7 };

FIXTURE_SETUP(leaks)
{
	/* Only for its /dev/mls fd and suite. */
	ASSERT_EQ(0, pair_make(&self->p, variant->suite));
}

FIXTURE_TEARDOWN(leaks)
{
	pair_close(&self->p);
}

TEST_F_TIMEOUT(leaks, no_secret_leaks, 300)
{
	struct pair *p = &self->p;
	unsigned int suite = p->suite, nh = p->nh;
	struct needles *ns = calloc(1, sizeof(*ns));
	struct hay h = { 0 };
	struct grp_inputs in, next;
	struct epoch_secrets es0, es1;
	struct mls_group_new n;
	struct mls_commit c;
	struct mls_group_list l = { 0 };
	uint8_t init[64], cs0[64], psk[64], enc[64], sd[64], joiner[64], cs1[64], psk1[64];
	uint8_t enc2[64], sd2[64], au[64], jout[64], wout[64];
	static __u32 ids[8192];
	const struct needle *leak;
	int a, b, ia, ib, j, keep;
	size_t at = 0, files;
	__u64 ae;

	ASSERT_NE(NULL, ns);
	pattern(init, nh, 0xa1);
	pattern(cs0, nh, 0xc1);
	pattern(psk, nh, 0x51);
	pattern(enc, nh, 0xe1);
	pattern(sd, nh, 0xd1);
	pattern(joiner, nh, 0x71);
	pattern(cs1, nh, 0xc2);
	pattern(psk1, nh, 0x52);
	pattern(enc2, nh, 0xe2);
	pattern(sd2, nh, 0xd2);
	needle_add(ns, "installed init_secret", init, nh);
	needle_add(ns, "installed commit_secret", cs0, nh);
	needle_add(ns, "installed psk_secret", psk, nh);
	needle_add(ns, "installed encryption_secret", enc, nh);
	needle_add(ns, "installed sender_data_secret", sd, nh);
	needle_add(ns, "installed joiner_secret", joiner, nh);
	needle_add(ns, "commit's commit_secret", cs1, nh);
	needle_add(ns, "commit's psk_secret", psk1, nh);
	needle_add(ns, "commit-installed encryption_secret", enc2, nh);
	needle_add(ns, "commit-installed sender_data_secret", sd2, nh);
	needles_tree(ns, suite, enc, 2);
	needles_tree(ns, suite, enc2, 2);

	/* FROM_INPUTS: A and B at epoch 0, then a commit to epoch 1. */
	inputs_random(&in, suite);
	memcpy(in.init, init, nh);
	memcpy(in.commit, cs0, nh);
	memcpy(in.psk, psk, nh);
	ASSERT_EQ(0, key_schedule(&in, init, cs0, psk, &es0));
	needles_epoch(ns, suite, &es0, 2);
	new_from_inputs(&n, &in, 0, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	a = grp_create(p->ctl, &n);
	ASSERT_LE(0, a);
	hay_add(&h, &n, sizeof(n));
	new_from_inputs(&n, &in, 1, 2, NULL, 0, 0);	/* one outlives its fd */
	b = grp_create(p->ctl, &n);
	ASSERT_LE(0, b);
	keep = (int)n.id;
	hay_add(&h, &n, sizeof(n));
	harvest_message(&h, a, b, MLS_CONTENT_APPLICATION);
	harvest_message(&h, b, a, MLS_CONTENT_PROPOSAL);
	harvest_message(&h, a, b, MLS_CONTENT_COMMIT);
	/* The userspace key schedule is the kernel's (else the needles are moot). */
	ASSERT_EQ((int)nh, grp_authenticator(a, au, sizeof(au), &ae));
	ASSERT_EQ(0, memcmp(au, es0.authentication, nh));

	next = in;
	next.epoch = 1;
	ASSERT_EQ(0, key_schedule(&next, es0.init, cs1, psk1, &es1));
	needles_epoch(ns, suite, &es1, 2);
	for (j = 0; j < 2; j++) {
		commit_init(&c, suite, cs1, psk1, &next, (__u32)j, 2, NULL, 0);
		/* Without RETURN_SECRETS nothing may land in these. */
		memset(jout, 0, sizeof(jout));
		memset(wout, 0, sizeof(wout));
		mbuf(&c.joiner_secret, jout, sizeof(jout));
		mbuf(&c.welcome_secret, wout, sizeof(wout));
		if (grp_commit(j ? b : a, &c) == -EINVAL) {
			/* Refusing the buffers without the flag is fine too. */
			hay_add(&h, &c, sizeof(c));
			mbuf(&c.joiner_secret, NULL, 0);
			mbuf(&c.welcome_secret, NULL, 0);
			ASSERT_EQ(0, grp_commit(j ? b : a, &c));
		}
		hay_add(&h, &c, sizeof(c));
		hay_add(&h, jout, sizeof(jout));
		hay_add(&h, wout, sizeof(wout));
	}
	harvest_message(&h, a, b, MLS_CONTENT_APPLICATION);
	harvest_message(&h, b, a, MLS_CONTENT_APPLICATION);
	harvest_group(&h, a, nh);
	harvest_group(&h, b, nh);

	/*
	 * The handshake: tags of epochs 0 and 1; A and B prepare epoch 2 with
	 * a resumption PSK of epoch 0 (B by kernel id) and an external PSK,
	 * ask the pending epoch's tag, discard, prepare again and merge.
	 */
	harvest_tags(&h, a, nh);
	harvest_tags(&h, b, nh);
	{
		struct epoch_secrets es2, es3;
		struct grp_inputs n2 = next;
		struct mls_psk k[2];
		struct mls_commit_pending cp = { 0 };
		struct mls_join_stage st;
		uint8_t cs2[64], xpsk[64], nonce[64], psk2[64], member[64], joiner3[64];
		uint8_t welcome[64], id[256], input[64], psk3[64];
		size_t idn;
		int r, sfd, jfd;

		pattern(cs2, nh, 0xc3);
		pattern(xpsk, nh, 0x53);
		pattern(joiner3, nh, 0x73);
		rand_bytes(nonce, nh);
		needle_add(ns, "second commit's commit_secret", cs2, nh);
		needle_add(ns, "external PSK", xpsk, nh);
		needle_add(ns, "staged joiner_secret", joiner3, nh);
		/* psk_secret of [resumption(epoch 0), external], in userspace. */
		memset(psk2, 0, sizeof(psk2));
		idn = psk_id_resumption(id, MLS_PSK_USAGE_APPLICATION, &in, 0, nonce, nh);
		ASSERT_EQ(0, psk_step(suite, id, idn, 0, 2, es0.resumption, input, psk2));
		needle_add(ns, "resumption psk_input", input, nh);
		idn = 0;
		id[idn++] = MLS_PSK_EXTERNAL;
		idn += put_vec(id + idn, (const uint8_t *)"ext", 3);
		idn += put_vec(id + idn, nonce, nh);
		ASSERT_EQ(0, psk_step(suite, id, idn, 1, 2, xpsk, input, psk2));
		needle_add(ns, "external psk_input", input, nh);
		needle_add(ns, "psk_secret of the list", psk2, nh);
		n2.epoch = 2;
		ASSERT_EQ(0, key_schedule(&n2, es1.init, cs2, psk2, &es2));
		needles_epoch(ns, suite, &es2, 2);
		memset(k, 0, sizeof(k));
		k[0].type = MLS_PSK_RESUMPTION;
		k[0].usage = MLS_PSK_USAGE_APPLICATION;
		mbuf(&k[0].nonce, nonce, nh);
		k[1].type = MLS_PSK_EXTERNAL;
		mbuf(&k[1].id, "ext", 3);
		mbuf(&k[1].secret, xpsk, nh);
		mbuf(&k[1].nonce, nonce, nh);
		for (r = 0; r < 2; r++) {
			for (j = 0; j < 2; j++) {
				k[0].group = j ? (__u32)keep : (__u32)a;
				k[0].flags = j ? MLS_PSK_F_GROUP_KID : 0;
				commit_init(&c, suite, cs2, NULL, &n2, (__u32)j, 2, NULL, 0);
				c.psks.addr = U64(k);
				c.psks.count = 2;
				ASSERT_EQ(0, xioctl(j ? b : a, MLS_IOC_COMMIT_PREPARE, &c));
				hay_add(&h, &c, sizeof(c));
				harvest_tags(&h, j ? b : a, nh);
				harvest_message(&h, j ? b : a, j ? a : b, MLS_CONTENT_APPLICATION);
				cp.epoch = 2;
				ASSERT_EQ(0, xioctl(j ? b : a, r ? MLS_IOC_COMMIT_MERGE :
						    MLS_IOC_COMMIT_DISCARD, &cp));
			}
		}
		ASSERT_EQ((int)nh, grp_authenticator(a, au, sizeof(au), &ae));
		ASSERT_EQ(0, memcmp(au, es2.authentication, nh));
		harvest_tags(&h, a, nh);
		harvest_message(&h, a, b, MLS_CONTENT_APPLICATION);
		harvest_group(&h, a, nh);

		/* A staged join whose Welcome needs the resumption PSK of epoch 2. */
		memset(psk3, 0, sizeof(psk3));
		idn = psk_id_resumption(id, MLS_PSK_USAGE_BRANCH, &in, 2, nonce, nh);
		ASSERT_EQ(0, psk_step(suite, id, idn, 0, 1, es2.resumption, input, psk3));
		ASSERT_EQ(0, hkdf_extract(suite, joiner3, nh, psk3, nh, member));
		needle_add(ns, "staged psk_input", input, nh);
		needle_add(ns, "staged psk_secret", psk3, nh);
		needle_add(ns, "staged member secret", member, nh);
		k[0].usage = MLS_PSK_USAGE_BRANCH;
		k[0].group = (__u32)a;
		k[0].flags = 0;
		k[0].epoch = 2;
		memset(&st, 0, sizeof(st));
		st.suite = (__u16)suite;
		mbuf(&st.joiner_secret, joiner3, nh);
		st.psks.addr = U64(k);
		st.psks.count = 1;
		memset(welcome, 0, sizeof(welcome));
		mbuf(&st.welcome_secret, welcome, nh - 1);	/* too small first */
		xioctl(p->ctl, MLS_IOC_JOIN_STAGE, &st);
		hay_add(&h, &st, sizeof(st));
		hay_add(&h, welcome, sizeof(welcome));
		mbuf(&st.welcome_secret, welcome, sizeof(welcome));
		sfd = xioctl(p->ctl, MLS_IOC_JOIN_STAGE, &st);
		ASSERT_LE(0, sfd);
		/* welcome_secret is the one output: not a needle, not in the hay. */
		n2.epoch = 7;
		new_join(&n, &n2, joiner3, 1, 2, NULL, 0,
			 MLS_GROUP_F_EPHEMERAL | MLS_GROUP_F_STAGED);
		mbuf(&n.joiner_secret, NULL, 0);
		mbuf(&n.psk_secret, NULL, 0);
		n.staged_fd = sfd;
		jfd = grp_join(p->ctl, &n);
		ASSERT_LE(0, jfd);
		hay_add(&h, &n, sizeof(n));
		{
			uint8_t gc[GC_MAX], *ep = es3.epoch;
			size_t gl = gc_encode(&n2, gc);

			/* epoch_secret = ExpandWithLabel(member, "epoch", GroupContext) */
			memset(&es3, 0, sizeof(es3));
			ASSERT_EQ(0, expand_with_label(suite, member, "epoch", gc, gl, ep, nh));
			ASSERT_EQ(0, derive_secret(suite, ep, "sender data", es3.sender_data));
			ASSERT_EQ(0, derive_secret(suite, ep, "encryption", es3.encryption));
			ASSERT_EQ(0, derive_secret(suite, ep, "exporter", es3.exporter));
			ASSERT_EQ(0, derive_secret(suite, ep, "external", es3.external));
			ASSERT_EQ(0, derive_secret(suite, ep, "confirm", es3.confirm));
			ASSERT_EQ(0, derive_secret(suite, ep, "membership", es3.membership));
			ASSERT_EQ(0, derive_secret(suite, ep, "resumption", es3.resumption));
			ASSERT_EQ(0, derive_secret(suite, ep, "authentication",
						   es3.authentication));
			ASSERT_EQ(0, derive_secret(suite, ep, "init", es3.init));
		}
		needles_epoch_keys(ns, suite, &es3, 2);
		ASSERT_EQ((int)nh, grp_authenticator(jfd, au, sizeof(au), &ae));
		ASSERT_EQ(0, memcmp(au, es3.authentication, nh));
		harvest_tags(&h, jfd, nh);
		harvest_group(&h, jfd, nh);
		close(jfd);
		close(sfd);
	}

	/* INSTALL, then a COMMIT with INSTALL. */
	new_install(&n, &in, enc, sd, 0, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	ia = grp_create(p->ctl, &n);
	ASSERT_LE(0, ia);
	hay_add(&h, &n, sizeof(n));
	new_install(&n, &in, enc, sd, 1, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	ib = grp_create(p->ctl, &n);
	ASSERT_LE(0, ib);
	harvest_message(&h, ia, ib, MLS_CONTENT_APPLICATION);
	harvest_group(&h, ia, nh);
	for (j = 0; j < 2; j++) {
		commit_init(&c, suite, NULL, NULL, &next, (__u32)j, 2, NULL, 0);
		c.flags = MLS_COMMIT_F_INSTALL;
		mbuf(&c.encryption_secret, enc2, nh);
		mbuf(&c.sender_data_secret, sd2, nh);
		ASSERT_EQ(0, grp_commit(j ? ib : ia, &c));
		hay_add(&h, &c, sizeof(c));
	}
	harvest_message(&h, ib, ia, MLS_CONTENT_APPLICATION);
	harvest_group(&h, ib, nh);

	/* JOIN with a known joiner_secret. */
	new_join(&n, &in, joiner, 1, 2, NULL, 0, MLS_GROUP_F_EPHEMERAL);
	j = grp_join(p->ctl, &n);
	ASSERT_LE(0, j);
	hay_add(&h, &n, sizeof(n));
	harvest_group(&h, j, nh);

	l.count = sizeof(ids) / sizeof(ids[0]);
	l.ids = U64(ids);
	xioctl(p->ctl, MLS_IOC_GROUP_LIST, &l);
	hay_add(&h, &l, sizeof(l));
	hay_add(&h, ids, sizeof(ids));

	/* sysfs (and debugfs), with all these groups alive. */
	files = hay_add_tree(&h, "/sys/kernel/mls");
	EXPECT_LT(0, files);
	files = hay_add_tree(&h, "/sys/module/mls");
	EXPECT_LT(0, files);
	hay_add_tree(&h, "/sys/kernel/debug/mls");
	EXPECT_LT(0, hay_add_netlink_dump(&h));
	TH_LOG("%zu needles in %zu bytes of output", ns->count, h.len);

	/* The check can fail: a planted needle is found. */
	{
		struct hay probe = { 0 };

		hay_add(&probe, h.p, h.len < 100 ? h.len : 100);
		hay_add(&probe, ns->n[0].b + 3, WINDOW);
		EXPECT_NE(NULL, leak_find(ns, &probe, &at));
		free(probe.p);
	}
	leak = leak_find(ns, &h, &at);
	EXPECT_EQ(NULL, leak) TH_LOG("%s found at output byte %zu", leak ? leak->what : "", at);

	close(a);
	close(b);
	close(ia);
	close(ib);
	close(j);
	b = grp_open_id(p->ctl, (__u32)keep);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, grp_destroy(b));
	close(b);
	free(h.p);
	free(ns);
}

TEST_HARNESS_MAIN
