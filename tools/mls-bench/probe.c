// SPDX-License-Identifier: GPL-2.0
/*
 * Probes for the analysis, with counters rather than a profiler (perf does
 * not work in the TCG guest):
 *
 *  - which kernel crypto drivers back the module's AEADs and hashes
 *    (/proc/crypto: driver, priority, async, refcnt);
 *  - those drivers through AF_ALG: seal throughput at each size, and the
 *    cost of one setkey, against the kernel's best driver for the same
 *    algorithm. The module rekeys its AEAD for every part of every
 *    message, so the setkey cost is a fixed cost per message;
 *  - the speed of one pass over a message's bytes, in userspace and in the
 *    kernel (copy_to_user, copy_from_user, clear_user): the price of each
 *    extra copy or wipe of a message the kernel path makes.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_alg.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

struct crypto_entry {
	char name[128];
	char driver[128];
	char module[64];
	char type[32];
	int priority;
	int refcnt;
	bool async;
	bool internal;
};

#define MAX_ENTRIES 512

static struct crypto_entry entries[MAX_ENTRIES];
static size_t nentries;

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
}

static void read_proc_crypto(void)
{
	FILE *f = fopen("/proc/crypto", "r");
	struct crypto_entry cur;
	char line[256];
	bool have = false;

	nentries = 0;
	if (!f)
		return;
	memset(&cur, 0, sizeof(cur));
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char key[64], *val;
		size_t kl;

		if (!colon) {
			if (have && nentries < MAX_ENTRIES)
				entries[nentries++] = cur;
			memset(&cur, 0, sizeof(cur));
			have = false;
			continue;
		}
		kl = (size_t)(colon - line);
		if (kl >= sizeof(key))
			continue;
		memcpy(key, line, kl);
		key[kl] = 0;
		trim(key);
		val = colon + 1;
		while (*val == ' ')
			val++;
		trim(val);
		have = true;
		if (!strcmp(key, "name"))
			snprintf(cur.name, sizeof(cur.name), "%s", val);
		else if (!strcmp(key, "driver"))
			snprintf(cur.driver, sizeof(cur.driver), "%s", val);
		else if (!strcmp(key, "module"))
			snprintf(cur.module, sizeof(cur.module), "%s", val);
		else if (!strcmp(key, "type"))
			snprintf(cur.type, sizeof(cur.type), "%s", val);
		else if (!strcmp(key, "priority"))
			cur.priority = atoi(val);
		else if (!strcmp(key, "refcnt"))
			cur.refcnt = atoi(val);
		else if (!strcmp(key, "async"))
			cur.async = !strcmp(val, "yes");
		else if (!strcmp(key, "internal"))
			cur.internal = !strcmp(val, "yes");
	}
	if (have && nentries < MAX_ENTRIES)
		entries[nentries++] = cur;
	fclose(f);
}

static const char *const probe_names[] = {
	"gcm(aes)", "rfc7539(chacha20,poly1305)", "ctr(aes)", "ghash", "aes",
	"chacha20", "poly1305", "sha256", "sha384", "sha512",
};

/*
 * The driver the module uses for @name: the instance holding the most
 * references (the module keeps one tfm per CPU for each AEAD), the
 * highest priority first among equals.
 */
static const struct crypto_entry *module_driver(const char *name)
{
	const struct crypto_entry *best = NULL;
	size_t i;

	for (i = 0; i < nentries; i++) {
		const struct crypto_entry *e = &entries[i];

		if (strcmp(e->name, name) || e->internal ||
		    strcmp(e->type, "aead"))
			continue;
		if (!best || e->refcnt > best->refcnt ||
		    (e->refcnt == best->refcnt && e->priority > best->priority))
			best = e;
	}
	return best;
}

int mb_module_driver(const char *name, char *driver, size_t cap)
{
	const struct crypto_entry *e;

	if (!nentries)
		read_proc_crypto();
	e = module_driver(name);
	if (!e)
		return -ENOENT;
	snprintf(driver, cap, "%s", e->driver);
	return 0;
}

/* What anyone asking for @name without restriction gets. */
static const struct crypto_entry *best_driver(const char *name)
{
	const struct crypto_entry *best = NULL;
	size_t i;

	for (i = 0; i < nentries; i++) {
		const struct crypto_entry *e = &entries[i];

		if (strcmp(e->name, name) || e->internal ||
		    strcmp(e->type, "aead"))
			continue;
		if (!best || e->priority > best->priority)
			best = e;
	}
	return best;
}

void mb_probe_crypto_drivers(struct mb_probe_ctx *p)
{
	size_t i, k;

	read_proc_crypto();
	mb_json_arr(p->json, "crypto_drivers");
	mb_text_printf(p->text, "\nKernel crypto drivers (/proc/crypto; the module's tfms hold references):\n");
	mb_text_printf(p->text, "  %-28s %-44s %5s %6s %5s\n", "name", "driver",
		       "prio", "refcnt", "async");
	for (k = 0; k < ARRAY_SIZE(probe_names); k++) {
		for (i = 0; i < nentries; i++) {
			const struct crypto_entry *e = &entries[i];

			if (strcmp(e->name, probe_names[k]) || e->internal)
				continue;
			mb_text_printf(p->text, "  %-28s %-44s %5d %6d %5s\n",
				       e->name, e->driver, e->priority,
				       e->refcnt, e->async ? "yes" : "no");
			mb_json_obj(p->json, NULL);
			mb_json_str(p->json, "name", e->name);
			mb_json_str(p->json, "driver", e->driver);
			mb_json_str(p->json, "type", e->type);
			mb_json_int(p->json, "priority", e->priority);
			mb_json_int(p->json, "refcnt", e->refcnt);
			mb_json_bool(p->json, "async", e->async);
			mb_json_end(p->json);
		}
	}
	mb_json_end(p->json);
}

/* ----------------------------------------------------------------- AF_ALG */

struct afalg {
	int tfm, op;
	size_t size;
	uint8_t *in, *out;
	uint8_t iv[MB_NONCE_LEN];
};

static int afalg_bind(const char *driver, const uint8_t *key, size_t keylen)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "aead");
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", driver);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_ALG, ALG_SET_KEY, key, (socklen_t)keylen) ||
	    setsockopt(fd, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, MB_TAG_LEN)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static int afalg_seal(void *arg, unsigned int thread, unsigned long i)
{
	struct afalg *a = arg;
	char cbuf[CMSG_SPACE(sizeof(__u32)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + MB_NONCE_LEN) +
		  CMSG_SPACE(sizeof(__u32))] = { 0 };
	struct iovec iov = { a->in, a->size };
	struct msghdr msg = {
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct cmsghdr *c;
	struct af_alg_iv *iv;
	ssize_t n;

	(void)thread;
	memcpy(a->iv, &i, sizeof(i));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(__u32));
	*(__u32 *)CMSG_DATA(c) = ALG_OP_ENCRYPT;
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*iv) + MB_NONCE_LEN);
	iv = (struct af_alg_iv *)CMSG_DATA(c);
	iv->ivlen = MB_NONCE_LEN;
	memcpy(iv->iv, a->iv, MB_NONCE_LEN);
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
	c->cmsg_len = CMSG_LEN(sizeof(__u32));
	*(__u32 *)CMSG_DATA(c) = 0;
	if (sendmsg(a->op, &msg, 0) != (ssize_t)a->size)
		return -errno ?: -EIO;
	n = read(a->op, a->out, a->size + MB_TAG_LEN);
	if (n != (ssize_t)(a->size + MB_TAG_LEN))
		return n < 0 ? -errno : -EIO;
	return 0;
}

struct setkey_arg {
	int tfm;
	size_t keylen;
	uint8_t key[MB_MAX_NK];
};

static int afalg_setkey(void *arg, unsigned int thread, unsigned long i)
{
	struct setkey_arg *s = arg;

	(void)thread;
	s->key[0] = (uint8_t)i;
	if (setsockopt(s->tfm, SOL_ALG, ALG_SET_KEY, s->key, (socklen_t)s->keylen))
		return -errno;
	return 0;
}

static void afalg_driver(struct mb_probe_ctx *p, const char *role,
			 const char *alg, const char *driver, size_t keylen)
{
	static const size_t sizes[] = { 64, 1024, 16384, 65536 };
	struct setkey_arg sk = { .keylen = keylen };
	struct mb_result res;
	struct mb_run run;
	size_t k;

	mb_random(sk.key, sizeof(sk.key));
	mb_json_obj(p->json, NULL);
	mb_json_str(p->json, "role", role);
	mb_json_str(p->json, "algorithm", alg);
	mb_json_str(p->json, "driver", driver);

	sk.tfm = afalg_bind(driver, sk.key, keylen);
	if (sk.tfm < 0) {
		mb_text_printf(p->text, "  %-7s %-44s AF_ALG bind: %s\n", role,
			       driver, strerror(-sk.tfm));
		mb_json_int(p->json, "bind_errno", -sk.tfm);
		mb_json_end(p->json);
		return;
	}
	run = (struct mb_run){
		.fn = afalg_setkey, .arg = &sk, .threads = 1,
		.iters = (unsigned long)(4000 * p->scale) + 1,
		.time_cap_s = p->time_cap_s,
	};
	mb_run(&run, &res);
	mb_text_printf(p->text, "  %-7s %-40s setkey       min %8.2f us  p50 %8.2f us (%lu calls)\n",
		       role, driver, res.min_us, res.p50_us, res.iters);
	mb_json_result(p->json, "setkey", &res);

	mb_json_arr(p->json, "seal");
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct afalg a = { .tfm = sk.tfm, .size = sizes[k] };
		unsigned long iters = sizes[k] >= 16384 ? 400 : 2000;

		a.op = accept(sk.tfm, NULL, 0);
		a.in = calloc(1, sizes[k]);
		a.out = calloc(1, sizes[k] + MB_TAG_LEN);
		if (a.op < 0 || !a.in || !a.out)
			abort();
		run = (struct mb_run){
			.fn = afalg_seal, .arg = &a, .threads = 1,
			.iters = (unsigned long)((double)iters * p->scale) + 1,
			.payload = sizes[k], .time_cap_s = p->time_cap_s,
		};
		mb_run(&run, &res);
		mb_text_printf(p->text, "  %-7s %-40s seal %6zu B min %8.2f us  p50 %8.2f us%s\n",
			       role, driver, sizes[k], res.min_us, res.p50_us,
			       res.errors ? " (errors)" : "");
		mb_json_obj(p->json, NULL);
		mb_json_int(p->json, "size", (long long)sizes[k]);
		mb_json_result(p->json, "result", &res);
		mb_json_end(p->json);
		close(a.op);
		free(a.in);
		free(a.out);
	}
	mb_json_end(p->json);
	close(sk.tfm);
	mb_json_end(p->json);
}

void mb_probe_afalg(struct mb_probe_ctx *p)
{
	static const struct {
		const char *alg;
		size_t keylen;
	} algs[] = {
		{ "gcm(aes)", 16 },
		{ "rfc7539(chacha20,poly1305)", 32 },
	};
	size_t k;

	read_proc_crypto();
	mb_text_printf(p->text, "\nThe kernel's AEAD drivers through AF_ALG, the module's and the best one (a seal: sendmsg, which copies\n"
		       "the input, and read; the same overhead in every row). min: the fastest call, without interference.\n");
	mb_json_arr(p->json, "afalg");
	for (k = 0; k < ARRAY_SIZE(algs); k++) {
		const struct crypto_entry *m = module_driver(algs[k].alg);
		const struct crypto_entry *b = best_driver(algs[k].alg);
		char mdrv[128], bdrv[128];

		if (!m) {
			mb_text_printf(p->text, "  %s: not in /proc/crypto\n",
				       algs[k].alg);
			continue;
		}
		/* Copies: the table is read again by the next bind. */
		snprintf(mdrv, sizeof(mdrv), "%s", m->driver);
		snprintf(bdrv, sizeof(bdrv), "%s", b ? b->driver : "");
		afalg_driver(p, "module", algs[k].alg, mdrv, algs[k].keylen);
		if (b && strcmp(bdrv, mdrv))
			afalg_driver(p, "best", algs[k].alg, bdrv, algs[k].keylen);
	}
	mb_json_end(p->json);
}

/* ----------------------------------------------------------------- memory */

/*
 * One pass over a message's bytes, in userspace (memcpy) and in the
 * kernel: pread and pwrite of a tmpfs file whose pages exist
 * (copy_to_user, copy_from_user) and read of /dev/zero (clear_user, a
 * stand-in for the memzero of a kernel buffer). Each at 64 B and 64 KiB:
 * the difference is the pass, without the system call.
 */
struct pass_arg {
	uint8_t *src, *dst;
	size_t size;
	int fd;
	int kind;
};

enum { PASS_MEMCPY, PASS_TO_USER, PASS_FROM_USER, PASS_CLEAR_USER, PASS_KINDS };

static const char *const pass_names[PASS_KINDS] = {
	"memcpy (userspace)", "copy_to_user (pread, tmpfs)",
	"copy_from_user (pwrite, tmpfs)", "clear_user (read /dev/zero)",
};

static const char *const pass_keys[PASS_KINDS] = {
	"memcpy", "copy_to_user", "copy_from_user", "clear_user",
};

static int do_pass(void *arg, unsigned int thread, unsigned long i)
{
	struct pass_arg *c = arg;
	ssize_t n = 0;

	(void)thread;
	switch (c->kind) {
	case PASS_MEMCPY:
		c->src[0] = (uint8_t)i;
		memcpy(c->dst, c->src, c->size);
		__asm__ volatile("" : : "r"(c->dst) : "memory");
		return 0;
	case PASS_TO_USER:
		n = pread(c->fd, c->dst, c->size, 0);
		break;
	case PASS_FROM_USER:
		n = pwrite(c->fd, c->src, c->size, 0);
		break;
	case PASS_CLEAR_USER:
		n = read(c->fd, c->dst, c->size);
		break;
	}
	return n == (ssize_t)c->size ? 0 : -EIO;
}

void mb_probe_passes(struct mb_probe_ctx *p)
{
	static const size_t psize[2] = { 64, 65536 };
	struct mb_result res[PASS_KINDS][2];
	struct pass_arg c = { 0 };
	char path[] = "/tmp/mls-bench-pass-XXXXXX";
	int tmp, zero, k, z;

	c.src = calloc(1, 65536);
	c.dst = calloc(1, 65536);
	if (!c.src || !c.dst)
		abort();
	memset(c.src, 1, 65536);
	memset(c.dst, 1, 65536);
	tmp = mkstemp(path);
	zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (tmp >= 0) {
		unlink(path);
		if (pwrite(tmp, c.src, 65536, 0) != 65536) {
			close(tmp);
			tmp = -1;
		}
	}
	memset(res, 0, sizeof(res));
	for (k = 0; k < PASS_KINDS; k++) {
		for (z = 0; z < 2; z++) {
			struct mb_run run = {
				.fn = do_pass, .arg = &c, .threads = 1,
				.iters = (unsigned long)((z ? 2000 : 5000) * p->scale) + 1,
				.payload = psize[z], .time_cap_s = p->time_cap_s,
			};

			c.kind = k;
			c.size = psize[z];
			c.fd = k == PASS_CLEAR_USER ? zero : tmp;
			if (k != PASS_MEMCPY && c.fd < 0)
				continue;
			mb_run(&run, &res[k][z]);
		}
	}
	mb_text_printf(p->text, "\nOne pass over a message's bytes (fastest call at 64 B and at 64 KiB; the pass alone is the difference):\n");
	mb_json_obj(p->json, "passes");
	for (k = 0; k < PASS_KINDS; k++) {
		double d = res[k][1].min_us - res[k][0].min_us;
		double mbs = d > 0 ? (65536.0 - 64) / d : 0;

		mb_text_printf(p->text, "  %-34s %9.2f us %9.2f us  -> %8.1f MB/s, %8.1f us per 64 KiB\n",
			       pass_names[k], res[k][0].min_us, res[k][1].min_us,
			       mbs, d);
		mb_json_obj(p->json, pass_keys[k]);
		mb_json_result(p->json, "size_64", &res[k][0]);
		mb_json_result(p->json, "size_65536", &res[k][1]);
		mb_json_num(p->json, "pass_mb_per_s", mbs);
		mb_json_num(p->json, "pass_us_per_64k", d);
		mb_json_end(p->json);
	}
	mb_json_end(p->json);
	if (tmp >= 0)
		close(tmp);
	if (zero >= 0)
		close(zero);
	free(c.src);
	free(c.dst);
}
