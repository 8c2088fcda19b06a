// SPDX-License-Identifier: GPL-2.0
/*
 * mls-bench: the measured speed of the mls data plane against its
 * baselines (Documentation/dev-tools/bench.rst).
 *
 * usage: mls-bench [--scale F] [--cap SECONDS] [--sections LIST]
 *                  [--suites LIST] [--sizes LIST] [--threads LIST]
 *                  [--ops LIST] [--mem-groups LIST] [--no-kernel] [--quick]
 *
 * LISTs are comma-separated; every option is described in
 * Documentation/dev-tools/bench.rst.
 *
 * Prints progress lines ("# ..."), then the table between
 * "=== mls-bench table begin ===" and "=== mls-bench table end ===", and
 * one JSON document between "=== mls-bench json begin ===" and
 * "=== mls-bench json end ===".
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define MB_SUITES	2
#define MB_SIZES	4

static const unsigned int suites[MB_SUITES] = { 1, 3 };
static const size_t sizes[MB_SIZES] = { 64, 1024, 16384, 65536 };
/* Calls per cell at --scale 1, chosen to keep the whole run under ~10 min. */
static const unsigned long size_iters[MB_SIZES] = { 5000, 3000, 1000, 300 };

#define RT_ITERS	20000
#define RESTORE_GROUPS	10000	/* groups imported at once (persist) */
#define COMMIT_ITERS_2	1500
#define COMMIT_ITERS_1K	300
#define MEM_COMMITS	4	/* past epochs made per group */
#define DEC_OUT_OF_ORDER 64
#define DEC_MAX_FORWARD	4096
#define ROUNDS		3	/* interleaved rounds per row */

static struct {
	double scale;
	double cap_s;
	bool kernel;
	char sections[128];
	char mem_groups[128];
	char suites[64];
	char sizes[64];
	char threads[16];
	char ops[32];
} opt = {
	.scale = 1.0,
	.cap_s = 4.0,
	.kernel = true,
	.sections = "rt,data,batch,commit,persist,trace,mem,far,probe",
	.mem_groups = "1,100,10000",
	.suites = "1,3",
	.sizes = "64,1024,16384,65536",
	.threads = "1,2",
	.ops = "encrypt,decrypt",
};

static int ctl = -1;
static int failures;
static struct mb_json *J;
static struct mb_text T;
static uint8_t sig[MB_SIG_LEN];

static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

/* Whether @name is one of the comma-separated @list. */
static bool listed(const char *list, const char *name)
{
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

static bool listed_num(const char *list, unsigned long long v)
{
	char name[32];

	snprintf(name, sizeof(name), "%llu", v);
	return listed(list, name);
}

static bool section(const char *name)
{
	return listed(opt.sections, name);
}

static unsigned long scaled(unsigned long n)
{
	unsigned long v = (unsigned long)((double)n * opt.scale);

	return v < 10 ? 10 : v;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	memset(p, 0, n);
	return p;
}

static void read_first_line(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");

	snprintf(out, cap, "unknown");
	if (!f)
		return;
	if (fgets(out, (int)cap, f))
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

/* ------------------------------------------------------------- header */

static void cpu_info(char *model, size_t cap, char *flags, size_t fcap)
{
	static const char *const want[] = { "aes", "pclmulqdq", "avx", "avx2",
					    "sha_ni", "movbe" };
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	size_t i, n = 0;

	snprintf(model, cap, "unknown");
	flags[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v += 2;
		v[strcspn(v, "\n")] = 0;
		if (!strncmp(line, "model name", 10)) {
			snprintf(model, cap, "%s", v);
		} else if (!strncmp(line, "flags", 5)) {
			for (i = 0; i < ARRAY_SIZE(want); i++) {
				char pat[32];

				snprintf(pat, sizeof(pat), " %s ", want[i]);
				if (strstr(line, pat) || (strlen(v) >= strlen(want[i]) &&
				    !strcmp(v + strlen(v) - strlen(want[i]), want[i])))
					n += (size_t)snprintf(flags + n, fcap - n, "%s%s",
							      n ? " " : "", want[i]);
			}
			break;
		}
	}
	fclose(f);
}

static long long mod_param(const char *name)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), "/sys/module/mls/parameters/%s", name);
	read_first_line(path, buf, sizeof(buf));
	return strcmp(buf, "unknown") ? atoll(buf) : -1;
}

static void header(void)
{
	static const char *const params[] = {
		"max_groups", "max_leaves", "max_message", "out_of_order",
		"out_of_order_max", "max_forward", "max_forward_max",
		"epochs_kept", "padding_block",
	};
	char date[64], model[256], flags[128], clk[64];
	struct utsname u;
	struct mls_version v;
	time_t now = time(NULL);
	size_t i;

	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	uname(&u);
	cpu_info(model, sizeof(model), flags, sizeof(flags));
	read_first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			clk, sizeof(clk));

	mb_json_str(J, "tool", "mls-bench");
	mb_json_int(J, "format", 1);
	mb_json_str(J, "date", date);
	mb_json_str(J, "kernel", u.release);
	mb_json_str(J, "machine", u.machine);
	mb_json_str(J, "cpu", model);
	mb_json_str(J, "cpu_flags", flags);
	mb_json_int(J, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	mb_json_str(J, "clocksource", clk);
	mb_json_str(J, "openssl", OpenSSL_version(OPENSSL_VERSION));

	mb_text_printf(&T, "mls-bench, %s\n", date);
	mb_text_printf(&T, "kernel %s, %ld CPUs: %s [%s], clocksource %s\n",
		       u.release, sysconf(_SC_NPROCESSORS_ONLN), model, flags, clk);
	mb_text_printf(&T, "%s\n", OpenSSL_version(OPENSSL_VERSION));
	mb_text_printf(&T, "Emulated machine (QEMU TCG): compare ratios within this run, not absolute numbers.\n");

	mb_json_obj(J, "module");
	if (ctl >= 0 && k_version(ctl, &v) == 0) {
		mb_json_int(J, "api_version", v.api_version);
		mb_json_int(J, "features", (long long)v.features);
		mb_json_int(J, "suites", (long long)v.suites);
		mb_text_printf(&T, "mls API %u, features %#llx, suites %#llx; parameters:",
			       v.api_version, (unsigned long long)v.features,
			       (unsigned long long)v.suites);
	} else {
		mb_json_null(J, "api_version");
		mb_text_printf(&T, "mls module: not available; parameters:");
	}
	mb_json_obj(J, "parameters");
	for (i = 0; i < ARRAY_SIZE(params); i++) {
		long long p = mod_param(params[i]);

		mb_json_int(J, params[i], p);
		mb_text_printf(&T, " %s=%lld", params[i], p);
	}
	mb_json_end(J);
	mb_json_end(J);
	mb_text_printf(&T, "\n");

	mb_json_obj(J, "plan");
	mb_json_num(J, "scale", opt.scale);
	mb_json_num(J, "time_cap_s", opt.cap_s);
	mb_json_int(J, "rounds", ROUNDS);
	mb_json_arr(J, "iterations_per_size");
	for (i = 0; i < MB_SIZES; i++) {
		mb_json_obj(J, NULL);
		mb_json_int(J, "size", (long long)sizes[i]);
		mb_json_int(J, "iterations", (long long)scaled(size_iters[i]));
		mb_json_end(J);
	}
	mb_json_end(J);
	mb_json_int(J, "roundtrip_iterations", (long long)scaled(RT_ITERS));
	mb_json_int(J, "commit_iterations_2", (long long)scaled(COMMIT_ITERS_2));
	mb_json_int(J, "commit_iterations_1000", (long long)scaled(COMMIT_ITERS_1K));
	mb_json_int(J, "memory_commits_per_group", MEM_COMMITS);
	mb_json_int(J, "signature_bytes", MB_SIG_LEN);
	mb_json_int(J, "authenticated_data_bytes", 0);
	mb_json_int(J, "decrypt_out_of_order", DEC_OUT_OF_ORDER);
	mb_json_int(J, "decrypt_max_forward", DEC_MAX_FORWARD);
	mb_json_end(J);
	mb_text_printf(&T, "Calls per cell (each cell stops early after %.1f s):", opt.cap_s);
	for (i = 0; i < MB_SIZES; i++)
		mb_text_printf(&T, " %zu B: %lu;", sizes[i], scaled(size_iters[i]));
	mb_text_printf(&T, " round trips: %lu; commits: %lu (2 leaves), %lu (1000 leaves).\n",
		       scaled(RT_ITERS), scaled(COMMIT_ITERS_2), scaled(COMMIT_ITERS_1K));
	mb_text_printf(&T, "Messages: application data of the size shown, a %d-byte signature, no authenticated_data, no padding.\n",
		       MB_SIG_LEN);
}

/* --------------------------------------------------------- interop check */

/*
 * The userspace implementation must do exactly the kernel's work: it
 * opens what the kernel sealed and the kernel opens what it sealed, from
 * epochs both derived from the same inputs.
 */
static void interop(void)
{
	size_t k;

	mb_json_arr(J, "interop");
	for (k = 0; k < MB_SUITES; k++) {
		const struct mb_suite *s = mb_suite(suites[k]);
		static const char text[] = "interop: kernel <-> userspace";
		struct us_epoch use, usr;
		struct mb_inputs in;
		struct us_received r;
		uint8_t msg[512], pt[512], auth[MB_MAX_NH];
		int sfd = -1, rfd = -1, ret;
		const char *what = "ok";
		uint32_t gen = 0;
		long n;

		mb_inputs_random(&in, s, 7);
		if (us_epoch_from_inputs(&use, &in, 0, 2) ||
		    us_epoch_from_inputs(&usr, &in, 1, 2))
			abort();
		sfd = k_group_create(ctl, &in, 0, 2, MLS_GROUP_F_EPHEMERAL, NULL);
		rfd = k_group_create(ctl, &in, 1, 2, MLS_GROUP_F_EPHEMERAL, NULL);
		if (sfd < 0 || rfd < 0) {
			what = "group create failed";
			ret = sfd < 0 ? sfd : rfd;
			goto done;
		}
		ret = k_authenticator(sfd, auth, sizeof(auth));
		if (ret < 0) {
			what = "epoch_authenticator failed";
			goto done;
		}
		if ((size_t)ret != s->nh || memcmp(auth, use.authentication, s->nh)) {
			what = "key schedule differs (epoch_authenticator)";
			ret = -EBADMSG;
			goto done;
		}
		n = k_encrypt(sfd, (const uint8_t *)text, sizeof(text), sig,
			      sizeof(sig), msg, sizeof(msg), NULL);
		if (n < 0) {
			what = "kernel encrypt failed";
			ret = (int)n;
			goto done;
		}
		ret = us_unprotect(&usr, msg, (size_t)n, pt, sizeof(pt), &r);
		if (ret || r.data_len != sizeof(text) || memcmp(r.data, text, sizeof(text)) ||
		    r.sig_len != sizeof(sig) || r.sender != 0) {
			what = "userspace cannot open the kernel's message";
			ret = ret ?: -EBADMSG;
			goto done;
		}
		/* Generation 0 went to the kernel sender; take 1. */
		n = us_protect(&use, (const uint8_t *)text, sizeof(text), sig,
			       sizeof(sig), msg, sizeof(msg), &gen);
		n = n < 0 ? n : us_protect(&use, (const uint8_t *)text, sizeof(text),
					   sig, sizeof(sig), msg, sizeof(msg), &gen);
		if (n < 0) {
			what = "userspace protect failed";
			ret = (int)n;
			goto done;
		}
		n = k_decrypt(rfd, msg, (size_t)n, pt, sizeof(pt), auth, sizeof(auth), NULL);
		if (n != sizeof(text) || memcmp(pt, text, sizeof(text))) {
			what = "the kernel cannot open userspace's message";
			ret = n < 0 ? (int)n : -EBADMSG;
			goto done;
		}
		ret = 0;
done:
		if (ret)
			failures++;
		progress("interop suite %u: %s%s%s", s->id, what, ret ? ": " : "",
			 ret ? strerror(-ret) : "");
		mb_text_printf(&T, "Interop check, suite %u: %s%s%s\n", s->id, what,
			       ret ? ": " : "", ret ? strerror(-ret) : "");
		mb_json_obj(J, NULL);
		mb_json_int(J, "suite", s->id);
		mb_json_bool(J, "ok", !ret);
		mb_json_str(J, "detail", what);
		mb_json_end(J);
		if (sfd >= 0)
			close(sfd);
		if (rfd >= 0)
			close(rfd);
		us_epoch_free(&use);
		us_epoch_free(&usr);
	}
	mb_json_end(J);
}

/* ---------------------------------------------------------- round trips */

static int op_version(void *arg, unsigned int thread, unsigned long i)
{
	struct mls_version v;

	(void)arg, (void)thread, (void)i;
	return k_version(ctl, &v);
}

static int op_getppid(void *arg, unsigned int thread, unsigned long i)
{
	(void)arg, (void)thread, (void)i;
	return syscall(SYS_getppid) > 0 ? 0 : -EIO;
}

static int op_nothing(void *arg, unsigned int thread, unsigned long i)
{
	(void)arg, (void)thread, (void)i;
	return 0;
}

static void roundtrips(void)
{
	static const struct {
		const char *name, *what;
		mb_op_fn fn;
		bool kernel;
	} rt[] = {
		{ "clock_read", "one clock read (the timing's own cost)", op_nothing, false },
		{ "syscall_getppid", "null system call (getppid)", op_getppid, false },
		{ "ioctl_get_version", "ioctl round trip (MLS_IOC_GET_VERSION on /dev/mls)", op_version, true },
	};
	struct mb_acc acc[ARRAY_SIZE(rt)];
	struct mb_result res[ARRAY_SIZE(rt)];
	unsigned long per = scaled(RT_ITERS) / ROUNDS;
	unsigned int r;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(rt); k++)
		mb_acc_init(&acc[k]);
	for (r = 0; r < ROUNDS; r++) {
		for (k = 0; k < ARRAY_SIZE(rt); k++) {
			struct mb_run run = {
				.fn = rt[k].fn, .threads = 1, .iters = per,
				.time_cap_s = opt.cap_s / ROUNDS,
			};

			if (!rt[k].kernel || ctl >= 0)
				mb_round(&run, &acc[k]);
		}
	}
	mb_text_printf(&T, "\nRound trips (1 thread, %lu calls in %d rounds; rate: the best round):\n",
		       per * ROUNDS, ROUNDS);
	mb_json_obj(J, "roundtrip");
	for (k = 0; k < ARRAY_SIZE(rt); k++) {
		mb_finish(&acc[k], &res[k]);
		progress("round trip %s: %.0f /s, p50 %.2f us", rt[k].name,
			 res[k].ops_per_s, res[k].p50_us);
		mb_text_printf(&T, "  %-52s %10.0f /s  p50 %8.2f us  p99 %8.2f us\n",
			       rt[k].what, res[k].ops_per_s, res[k].p50_us, res[k].p99_us);
		mb_json_result(J, rt[k].name, &res[k]);
	}
	mb_json_end(J);
}

/* ------------------------------------------------------------ data plane */

struct cell {
	const struct mb_suite *s;
	size_t size;
	uint8_t *data;
	size_t cap;			/* one message's buffer */
	uint8_t *out[MB_MAX_THREADS];	/* per-thread output */
	uint8_t *sigout[MB_MAX_THREADS];
	/* pre-encrypted batches for decrypt: kernel's and userspace's */
	uint8_t *kbatch, *ubatch;
	size_t *klen, *ulen;
	/* kernel */
	int sfd, rfd;
	struct mb_inputs in;		/* the pair's, for more receivers */
	/* userspace */
	struct us_epoch use, usr;
	/* raw */
	uint8_t key[MB_MAX_NK];
	uint8_t tag[MB_MAX_THREADS][MB_TAG_LEN];
	uint8_t *rawct;
	uint8_t rawtag[MB_TAG_LEN];
};

static int op_k_enc(void *arg, unsigned int t, unsigned long i)
{
	struct cell *c = arg;
	long n;

	(void)i;
	n = k_encrypt(c->sfd, c->data, c->size, sig, sizeof(sig), c->out[t],
		      c->cap, NULL);
	return n < 0 ? (int)n : 0;
}

static int op_k_dec(void *arg, unsigned int t, unsigned long i)
{
	struct cell *c = arg;
	long n;

	n = k_decrypt(c->rfd, c->kbatch + i * c->cap, c->klen[i], c->out[t],
		      c->cap, c->sigout[t], 2 * MB_SIG_LEN, NULL);
	if (n < 0)
		return (int)n;
	return (size_t)n == c->size ? 0 : -EBADMSG;
}

static int op_u_warm(void *arg, unsigned int t, unsigned long i)
{
	struct cell *c = arg;

	(void)t, (void)i;
	us_thread_warm(c->s);
	return 0;
}

static int op_u_done(void *arg, unsigned int t, unsigned long i)
{
	(void)arg, (void)t, (void)i;
	us_thread_exit();
	return 0;
}

static int op_u_enc(void *arg, unsigned int t, unsigned long i)
{
	struct cell *c = arg;
	uint32_t gen;
	long n;

	(void)i;
	n = us_protect(&c->use, c->data, c->size, sig, sizeof(sig), c->out[t],
		       c->cap, &gen);
	return n < 0 ? (int)n : 0;
}

static int op_u_dec(void *arg, unsigned int t, unsigned long i)
{
	struct cell *c = arg;
	struct us_received r;
	int ret;

	ret = us_unprotect(&c->usr, c->ubatch + i * c->cap, c->ulen[i],
			   c->out[t], c->cap, &r);
	if (ret)
		return ret;
	return r.data_len == c->size ? 0 : -EBADMSG;
}

static void raw_nonce(uint8_t *nonce, unsigned long i)
{
	memset(nonce, 0, MB_NONCE_LEN);
	memcpy(nonce, &i, sizeof(i));
}

static int op_r_warm(void *arg, unsigned int t, unsigned long i)
{
	struct cell *c = arg;

	(void)t, (void)i;
	us_thread_warm(c->s);
	return us_raw_setkey(c->s, c->key);
}

static int op_r_enc(void *arg, unsigned int t, unsigned long i)
{
	struct cell *c = arg;
	uint8_t nonce[MB_NONCE_LEN];

	raw_nonce(nonce, i + 1);
	return us_raw_seal(c->s, nonce, c->data, c->size, c->out[t], c->tag[t]);
}

static int op_r_dec(void *arg, unsigned int t, unsigned long i)
{
	struct cell *c = arg;
	uint8_t nonce[MB_NONCE_LEN];

	(void)i;
	raw_nonce(nonce, 0);
	return us_raw_open(c->s, nonce, c->rawct, c->size, c->rawtag, c->out[t]);
}

static void cell_init(struct cell *c, const struct mb_suite *s, size_t size)
{
	unsigned int t;

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->size = size;
	c->cap = size + MB_SIG_LEN + MB_MSG_OVERHEAD;
	c->data = xmalloc(size);
	mb_random(c->data, size);
	for (t = 0; t < MB_MAX_THREADS; t++) {
		c->out[t] = xmalloc(c->cap);
		c->sigout[t] = xmalloc(2 * MB_SIG_LEN);
	}
	c->sfd = c->rfd = -1;
	mb_random(c->key, sizeof(c->key));
}

static void cell_free(struct cell *c)
{
	unsigned int t;

	for (t = 0; t < MB_MAX_THREADS; t++) {
		free(c->out[t]);
		free(c->sigout[t]);
	}
	free(c->data);
	free(c->kbatch);
	free(c->ubatch);
	free(c->klen);
	free(c->ulen);
	free(c->rawct);
}

/* Sender (leaf 0) and receiver (leaf 1) made from the same inputs. */
static int kernel_pair(struct cell *c, bool receiver)
{
	struct mb_inputs in;
	struct mls_policy p = {
		.out_of_order = DEC_OUT_OF_ORDER,
		.max_forward = DEC_MAX_FORWARD,
	};
	int ret;

	mb_inputs_random(&in, c->s, 1);
	c->in = in;
	c->sfd = k_group_create(ctl, &in, 0, 2, MLS_GROUP_F_EPHEMERAL, NULL);
	if (c->sfd < 0 || !receiver)
		return c->sfd < 0 ? c->sfd : 0;
	c->rfd = k_group_create(ctl, &in, 1, 2, MLS_GROUP_F_EPHEMERAL, NULL);
	if (c->rfd < 0)
		return c->rfd;
	ret = k_set_policy(c->rfd, MLS_POLICY_OUT_OF_ORDER | MLS_POLICY_MAX_FORWARD, &p);
	if (ret)
		progress("warning: MLS_IOC_SET_POLICY on the receiver: %s", strerror(-ret));
	return 0;
}

static void kernel_pair_close(struct cell *c)
{
	if (c->sfd >= 0)
		close(c->sfd);
	if (c->rfd >= 0)
		close(c->rfd);
	c->sfd = c->rfd = -1;
}

static void user_pair(struct cell *c)
{
	struct mb_inputs in;

	mb_inputs_random(&in, c->s, 1);
	if (us_epoch_from_inputs(&c->use, &in, 0, 2) ||
	    us_epoch_from_inputs(&c->usr, &in, 1, 2))
		abort();
}

/* One row: the three implementations of one (op, suite, size, threads). */
struct row {
	const char *op;
	unsigned int suite;
	size_t size;
	unsigned int threads;
	struct mb_result k, u, r;
	struct mb_result f;	/* the module's driver through AF_ALG */
};

/* The kernel's batch for decrypt: @iters messages from the sender. */
static int kernel_batch(struct cell *c, unsigned long iters)
{
	unsigned long i;
	long n;

	c->kbatch = xmalloc(iters * c->cap);
	c->klen = xmalloc(iters * sizeof(*c->klen));
	for (i = 0; i < iters; i++) {
		n = k_encrypt(c->sfd, c->data, c->size, sig, sizeof(sig),
			      c->kbatch + i * c->cap, c->cap, NULL);
		if (n < 0)
			return (int)n;
		c->klen[i] = (size_t)n;
	}
	return 0;
}

static void user_batch(struct cell *c, unsigned long iters)
{
	unsigned long i;
	uint32_t gen;
	long n;

	c->ubatch = xmalloc(iters * c->cap);
	c->ulen = xmalloc(iters * sizeof(*c->ulen));
	us_thread_warm(c->s);
	for (i = 0; i < iters; i++) {
		n = us_protect(&c->use, c->data, c->size, sig, sizeof(sig),
			       c->ubatch + i * c->cap, c->cap, &gen);
		if (n < 0)
			abort();
		c->ulen[i] = (size_t)n;
	}
}

/*
 * Measure one row: set up the three implementations, then ROUNDS rounds
 * of kernel, userspace, raw, each round on the next slice of the calls.
 */
static void row_measure(struct row *w, const struct mb_suite *s, bool dec,
			size_t size, unsigned long iters, unsigned int threads)
{
	struct mb_acc ak, au, ar, af;
	struct mb_floor fl;
	struct cell c;
	unsigned long per = iters / ROUNDS ? iters / ROUNDS : 1;
	int kerr = -ENODEV, ferr = -ENODEV;
	unsigned int r;

	cell_init(&c, s, size);
	if (ctl >= 0) {
		kerr = kernel_pair(&c, dec);
		if (!kerr && dec)
			kerr = kernel_batch(&c, iters);
		ferr = mb_floor_init(&fl, s, size, dec, threads);
		if (ferr)
			progress("warning: AF_ALG floor: %s", strerror(-ferr));
	}
	user_pair(&c);
	if (dec) {
		uint8_t nonce[MB_NONCE_LEN];

		user_batch(&c, iters);
		c.rawct = xmalloc(size);
		raw_nonce(nonce, 0);
		if (us_raw_setkey(s, c.key) ||
		    us_raw_seal(s, nonce, c.data, size, c.rawct, c.rawtag))
			abort();
	}

	mb_acc_init(&ak);
	mb_acc_init(&au);
	mb_acc_init(&ar);
	mb_acc_init(&af);
	for (r = 0; r < ROUNDS; r++) {
		unsigned long off = r * per;
		struct mb_run run = {
			.arg = &c, .offset = off,
			.iters = r == ROUNDS - 1 ? iters - off : per,
			.threads = threads, .payload = size,
			.time_cap_s = opt.cap_s / ROUNDS,
		};

		if (!run.iters)
			continue;
		if (!kerr) {
			run.fn = dec ? op_k_dec : op_k_enc;
			mb_round(&run, &ak);
		}
		run.fn = dec ? op_u_dec : op_u_enc;
		run.warm = op_u_warm;
		run.done = op_u_done;
		mb_round(&run, &au);
		run.fn = dec ? op_r_dec : op_r_enc;
		run.warm = op_r_warm;
		mb_round(&run, &ar);
		if (!ferr) {
			struct mb_run fr = run;

			fr.fn = mb_floor_op;
			fr.arg = &fl;
			fr.warm = NULL;
			fr.done = NULL;
			mb_round(&fr, &af);
		}
	}
	mb_finish(&af, &w->f);
	if (ctl >= 0)
		mb_floor_free(&fl);
	mb_finish(&ak, &w->k);
	mb_finish(&au, &w->u);
	mb_finish(&ar, &w->r);
	if (kerr && ctl >= 0) {
		w->k.ran = true;
		w->k.err = kerr;
		w->k.errors = 1;
	}
	failures += (w->k.errors || (ctl >= 0 && !w->k.ran)) + !!w->u.errors +
		    !!w->r.errors;
	kernel_pair_close(&c);
	us_epoch_free(&c.use);
	us_epoch_free(&c.usr);
	cell_free(&c);
}

static double ratio(const struct mb_result *a, const struct mb_result *b)
{
	if (!a->ran || !b->ran || a->errors || b->errors || b->ops_per_s <= 0)
		return 0;
	return a->ops_per_s / b->ops_per_s;
}

/* Per-call latency, the other way round: > 1 when @a is faster. */
static double ratio_p50(const struct mb_result *a, const struct mb_result *b)
{
	if (!a->ran || !b->ran || a->errors || b->errors || a->p50_us <= 0)
		return 0;
	return b->p50_us / a->p50_us;
}

/* The same with the fastest calls: the cost without interference. */
static double ratio_min(const struct mb_result *a, const struct mb_result *b)
{
	if (!a->ran || !b->ran || a->errors || b->errors || a->min_us <= 0)
		return 0;
	return b->min_us / a->min_us;
}

/*
 * The module's cost over its AEAD floor: kernel p50 / AF_ALG p50 of the
 * same driver and bytes (1.10: 10% over the cipher). 0 when unmeasured.
 */
static double over_floor(const struct mb_result *k, const struct mb_result *f)
{
	if (!k->ran || !f->ran || k->errors || f->errors || f->p50_us <= 0)
		return 0;
	return k->p50_us / f->p50_us;
}

/* A ratio in the JSON document: null when one side was not measured. */
static void json_ratio(const char *key, double v)
{
	if (v > 0)
		mb_json_num(J, key, v);
	else
		mb_json_null(J, key);
}

static void text_result(const struct mb_result *r, bool pages)
{
	if (!r->ran) {
		mb_text_printf(&T, " %10s %8s %8s %8s%s", "n/a", "", "", "",
			       pages ? "       " : "");
		return;
	}
	if (r->errors || !r->iters) {
		mb_text_printf(&T, " %10s %-26s%s", "ERROR",
			       r->err ? strerror(-r->err) : "no call ran",
			       pages ? "       " : "");
		return;
	}
	mb_text_printf(&T, " %10.0f %8.2f %8.2f %8.2f", r->ops_per_s, r->mb_per_s,
		       r->p50_us, r->p99_us);
	if (pages)
		mb_text_printf(&T, " %6.2f", r->pages_per_call);
}

static void data_plane(void)
{
	static const char *const ops[] = { "encrypt", "decrypt" };
	struct row rows[2 * MB_SUITES * MB_SIZES * MB_MAX_THREADS];
	size_t nrows = 0, k, o, z, i;
	unsigned int t;

	memset(rows, 0, sizeof(rows));
	for (k = 0; k < MB_SUITES; k++) {
		const struct mb_suite *s = mb_suite(suites[k]);

		if (!listed_num(opt.suites, s->id))
			continue;
		for (o = 0; o < ARRAY_SIZE(ops); o++) {
			if (!listed(opt.ops, ops[o]))
				continue;
			for (z = 0; z < MB_SIZES; z++) {
				if (!listed_num(opt.sizes, sizes[z]))
					continue;
				for (t = 1; t <= MB_MAX_THREADS; t++) {
					struct row *w;
					unsigned long iters = scaled(size_iters[z]);

					if (!listed_num(opt.threads, t))
						continue;
					w = &rows[nrows++];

					w->op = ops[o];
					w->suite = s->id;
					w->size = sizes[z];
					w->threads = t;
					row_measure(w, s, o == 1, sizes[z], iters, t);
					progress("%s suite %u %6zu B %u thr: kernel %.0f/s (%lu calls%s) user %.0f/s raw %.0f/s  k/u %.2f",
						 w->op, w->suite, w->size, t,
						 w->k.ops_per_s, w->k.iters,
						 w->k.errors ? ", ERRORS" : "",
						 w->u.ops_per_s, w->r.ops_per_s,
						 ratio(&w->k, &w->u));
				}
			}
		}
	}

	mb_text_printf(&T, "\nData plane: messages per second (best of %d interleaved rounds), MB/s of application data, latency per call in us\n"
		       "(p50, p99 over every call); pg/op: pages the page allocator handed out per call; k/u: kernel / userspace\n"
		       "msg/s; k/u50: userspace p50 / kernel p50; k/umn: the same with each side's fastest call (the cost\n"
		       "without the host's interference); k/raw: kernel / raw AEAD msg/s. Ratios > 1: the kernel is faster.\n"
		       "flr p50: the module's own AEAD driver through AF_ALG (sendmsg + read, key set once), the same bytes;\n"
		       "k/flr: kernel p50 / flr p50, the module's cost over its AEAD floor (1.10 = 10%% over; lower is better).\n",
		       ROUNDS);
	mb_text_printf(&T, "%-7s %5s %6s %3s |%10s %8s %8s %8s %6s |%10s %8s %8s %8s |%10s %8s %8s %8s | %5s %5s %5s %5s | %8s %5s\n",
		       "op", "suite", "size", "thr", "kernel/s", "MB/s", "p50", "p99", "pg/op",
		       "user/s", "MB/s", "p50", "p99", "raw/s", "MB/s", "p50", "p99",
		       "k/u", "k/u50", "k/umn", "k/raw", "flr p50", "k/flr");
	mb_json_arr(J, "data_plane");
	for (i = 0; i < nrows; i++) {
		struct row *w = &rows[i];

		mb_text_printf(&T, "%-7s %5u %6zu %3u |", w->op, w->suite, w->size,
			       w->threads);
		text_result(&w->k, true);
		mb_text_printf(&T, " |");
		text_result(&w->u, false);
		mb_text_printf(&T, " |");
		text_result(&w->r, false);
		mb_text_printf(&T, " | %5.2f %5.2f %5.2f %5.2f", ratio(&w->k, &w->u),
			       ratio_p50(&w->k, &w->u), ratio_min(&w->k, &w->u),
			       ratio(&w->k, &w->r));
		if (w->f.ran && !w->f.errors)
			mb_text_printf(&T, " | %8.2f %5.2f\n", w->f.p50_us,
				       over_floor(&w->k, &w->f));
		else
			mb_text_printf(&T, " | %8s %5s\n", "n/a", "");

		mb_json_obj(J, NULL);
		mb_json_str(J, "op", w->op);
		mb_json_int(J, "suite", w->suite);
		mb_json_int(J, "size", (long long)w->size);
		mb_json_int(J, "threads", w->threads);
		mb_json_result(J, "kernel", &w->k);
		mb_json_result(J, "userspace", &w->u);
		mb_json_result(J, "raw_aead", &w->r);
		json_ratio("ratio_kernel_userspace", ratio(&w->k, &w->u));
		json_ratio("ratio_kernel_userspace_p50", ratio_p50(&w->k, &w->u));
		json_ratio("ratio_kernel_userspace_min", ratio_min(&w->k, &w->u));
		json_ratio("ratio_kernel_raw", ratio(&w->k, &w->r));
		mb_json_result(J, "aead_floor", &w->f);
		json_ratio("kernel_over_floor_p50", over_floor(&w->k, &w->f));
		mb_json_end(J);
	}
	mb_json_end(J);
}

/* ------------------------------------------------------------- batches */

#define BATCH_N		64	/* messages per batch: max_batch's default */
#define BATCH_ITERS	150	/* batches per cell at --scale 1 */

/* One batch cell: @iters batches of BATCH_N messages of @size bytes. */
struct bcell {
	struct cell c;
	unsigned long iters;
	struct mls_encrypt_entry enc[BATCH_N];
	struct mls_decrypt_entry dec[BATCH_N];
	uint8_t *msgs;			/* BATCH_N outputs, or the inputs */
	/*
	 * Decrypt: the kernel's messages, opened by single calls on
	 * c.rfd and by batches on rfd2 (a second receiver of the same
	 * epoch); userspace's.
	 */
	int rfd2;
	uint8_t *kd, *ub;
	size_t *kdl, *ubl;
};

static int op_kb_single(void *arg, unsigned int t, unsigned long i)
{
	struct bcell *b = arg;
	unsigned int k;
	long n;

	(void)t;
	for (k = 0; k < BATCH_N; k++) {
		if (b->kd) {
			size_t at = i * BATCH_N + k;

			n = k_decrypt(b->c.rfd, b->kd + at * b->c.cap, b->kdl[at],
				      b->msgs + k * b->c.cap, b->c.cap,
				      b->c.sigout[0], 2 * MB_SIG_LEN, NULL);
		} else {
			n = k_encrypt(b->c.sfd, b->c.data, b->c.size, sig,
				      sizeof(sig), b->msgs + k * b->c.cap,
				      b->c.cap, NULL);
		}
		if (n < 0)
			return (int)n;
	}
	return 0;
}

static int op_kb_batch(void *arg, unsigned int t, unsigned long i)
{
	struct bcell *b = arg;
	unsigned int k;
	int r;

	(void)t;
	for (k = 0; k < BATCH_N; k++) {
		uint8_t *out = b->msgs + k * b->c.cap;

		if (b->kd) {
			size_t at = i * BATCH_N + k;
			struct mls_decrypt *d = &b->dec[k].op;

			memset(&b->dec[k], 0, sizeof(b->dec[k]));
			d->flags = MLS_DECRYPT_F_ZEROCOPY;
			k_buf(&d->message, b->kd + at * b->c.cap, b->kdl[at]);
			k_buf(&d->content, out, b->c.cap);
			k_buf(&d->signature, b->c.sigout[0], 2 * MB_SIG_LEN);
		} else {
			struct mls_encrypt *e = &b->enc[k].op;

			memset(&b->enc[k], 0, sizeof(b->enc[k]));
			e->content_type = MLS_CONTENT_APPLICATION;
			k_buf(&e->content, b->c.data, b->c.size);
			k_buf(&e->signature, sig, sizeof(sig));
			k_buf(&e->message, out, b->c.cap);
		}
	}
	r = b->kd ? k_batch(b->rfd2, true, b->dec, BATCH_N, sizeof(b->dec[0])) :
		    k_batch(b->c.sfd, false, b->enc, BATCH_N, sizeof(b->enc[0]));
	if (r < 0)
		return r;
	if (r != BATCH_N)
		return -EFAULT;
	for (k = 0; k < BATCH_N; k++) {
		int e = b->kd ? b->dec[k].error : b->enc[k].error;

		if (e)
			return e;
	}
	return 0;
}

static int op_ub(void *arg, unsigned int t, unsigned long i)
{
	struct bcell *b = arg;
	struct us_received rv;
	unsigned int k;
	uint32_t gen;
	long n;

	(void)t;
	for (k = 0; k < BATCH_N; k++) {
		if (b->ub) {
			size_t at = i * BATCH_N + k;

			n = us_unprotect(&b->c.usr, b->ub + at * b->c.cap,
					 b->ubl[at], b->msgs + k * b->c.cap,
					 b->c.cap, &rv);
		} else {
			n = us_protect(&b->c.use, b->c.data, b->c.size, sig,
				       sizeof(sig), b->msgs + k * b->c.cap,
				       b->c.cap, &gen);
		}
		if (n < 0)
			return (int)n;
	}
	return 0;
}

/* @n messages sealed by the kernel (@user: by userspace) for decrypt. */
static int seal_many(struct bcell *b, bool user, size_t n, uint8_t **buf,
		     size_t **len)
{
	uint32_t gen;
	size_t k;
	long r;

	*buf = xmalloc(n * b->c.cap);
	*len = xmalloc(n * sizeof(**len));
	if (user)
		us_thread_warm(b->c.s);
	for (k = 0; k < n; k++) {
		r = user ? us_protect(&b->c.use, b->c.data, b->c.size, sig,
				      sizeof(sig), *buf + k * b->c.cap,
				      b->c.cap, &gen) :
			   k_encrypt(b->c.sfd, b->c.data, b->c.size, sig,
				     sizeof(sig), *buf + k * b->c.cap, b->c.cap,
				     NULL);
		if (r < 0)
			return (int)r;
		(*len)[k] = (size_t)r;
	}
	return 0;
}

struct brow {
	const char *op;
	unsigned int suite;
	size_t size;
	struct mb_result single, batch, user;
};

static void batch_measure(struct brow *w, const struct mb_suite *s, bool dec,
			  size_t size)
{
	struct mb_acc as, ab, au;
	struct bcell *b = xmalloc(sizeof(*b));
	unsigned long iters = scaled(BATCH_ITERS);
	unsigned long per = iters / ROUNDS ? iters / ROUNDS : 1;
	int err;
	unsigned int r;

	cell_init(&b->c, s, size);
	b->iters = iters;
	b->msgs = xmalloc(BATCH_N * b->c.cap);
	b->rfd2 = -1;
	err = kernel_pair(&b->c, dec);
	user_pair(&b->c);
	if (!err && dec) {
		struct mls_policy p = {
			.out_of_order = DEC_OUT_OF_ORDER,
			.max_forward = DEC_MAX_FORWARD,
		};

		b->rfd2 = k_group_create(ctl, &b->c.in, 1, 2,
					 MLS_GROUP_F_EPHEMERAL, NULL);
		err = b->rfd2 < 0 ? b->rfd2 :
		      k_set_policy(b->rfd2, MLS_POLICY_OUT_OF_ORDER |
				   MLS_POLICY_MAX_FORWARD, &p) ?:
		      seal_many(b, false, iters * BATCH_N, &b->kd, &b->kdl) ?:
		      seal_many(b, true, iters * BATCH_N, &b->ub, &b->ubl);
	}
	mb_acc_init(&as);
	mb_acc_init(&ab);
	mb_acc_init(&au);
	for (r = 0; r < ROUNDS && !err; r++) {
		unsigned long off = r * per;
		struct mb_run run = {
			.arg = b, .offset = off,
			.iters = r == ROUNDS - 1 ? iters - off : per,
			.threads = 1, .payload = size * BATCH_N,
			.time_cap_s = opt.cap_s / ROUNDS,
		};

		run.fn = op_kb_single;
		mb_round(&run, &as);
		run.fn = op_kb_batch;
		mb_round(&run, &ab);
		run.fn = op_ub;
		run.warm = op_u_warm;
		run.done = op_u_done;
		mb_round(&run, &au);
	}
	mb_finish(&as, &w->single);
	mb_finish(&ab, &w->batch);
	mb_finish(&au, &w->user);
	if (err) {
		w->batch.ran = true;
		w->batch.err = err;
		w->batch.errors = 1;
	}
	failures += !!w->single.errors + !!w->batch.errors + !!w->user.errors;
	kernel_pair_close(&b->c);
	if (b->rfd2 >= 0)
		close(b->rfd2);
	us_epoch_free(&b->c.use);
	us_epoch_free(&b->c.usr);
	cell_free(&b->c);
	free(b->msgs);
	free(b->kd);
	free(b->ub);
	free(b->kdl);
	free(b->ubl);
	free(b);
}

/* Messages per second of a batch cell: BATCH_N per call. */
static double bmsgs(const struct mb_result *r)
{
	return r->ran && !r->errors ? r->ops_per_s * BATCH_N : 0;
}

static void batches(void)
{
	static const char *const ops[] = { "encrypt", "decrypt" };
	struct brow rows[2 * MB_SUITES * MB_SIZES];
	size_t nrows = 0, k, o, z, i;

	memset(rows, 0, sizeof(rows));
	for (k = 0; k < MB_SUITES; k++) {
		const struct mb_suite *s = mb_suite(suites[k]);

		if (!listed_num(opt.suites, s->id))
			continue;
		for (o = 0; o < ARRAY_SIZE(ops); o++) {
			if (!listed(opt.ops, ops[o]))
				continue;
			/* Where the system call is the cost: the small sizes. */
			for (z = 0; z < 2; z++) {
				struct brow *w;

				if (!listed_num(opt.sizes, sizes[z]))
					continue;
				w = &rows[nrows++];
				w->op = ops[o];
				w->suite = s->id;
				w->size = sizes[z];
				batch_measure(w, s, o == 1, sizes[z]);
				progress("batch %s suite %u %zu B: single %.0f msg/s batch %.0f user %.0f",
					 w->op, w->suite, w->size, bmsgs(&w->single),
					 bmsgs(&w->batch), bmsgs(&w->user));
			}
		}
	}
	mb_text_printf(&T, "\nBatches: %d messages per call (MLS_IOC_ENCRYPT_BATCH / MLS_IOC_DECRYPT_BATCH) against %d single ioctls and\n"
		       "userspace OpenSSL doing the same %d messages; msg/s (best round), p50 per %d messages in us; b/s: batch / single\n"
		       "msg/s; b/u: batch / userspace msg/s. Ratios > 1: the batch is faster.\n",
		       BATCH_N, BATCH_N, BATCH_N, BATCH_N);
	mb_text_printf(&T, "%-7s %5s %6s | %10s %9s | %10s %9s | %10s %9s | %5s %5s\n",
		       "op", "suite", "size", "single/s", "p50", "batch/s", "p50",
		       "user/s", "p50", "b/s", "b/u");
	mb_json_arr(J, "batch");
	for (i = 0; i < nrows; i++) {
		struct brow *w = &rows[i];
		double bs = bmsgs(&w->single) > 0 ?
			    bmsgs(&w->batch) / bmsgs(&w->single) : 0;
		double bu = bmsgs(&w->user) > 0 ?
			    bmsgs(&w->batch) / bmsgs(&w->user) : 0;

		mb_text_printf(&T, "%-7s %5u %6zu | %10.0f %9.1f | %10.0f %9.1f | %10.0f %9.1f | %5.2f %5.2f%s\n",
			       w->op, w->suite, w->size, bmsgs(&w->single),
			       w->single.p50_us, bmsgs(&w->batch), w->batch.p50_us,
			       bmsgs(&w->user), w->user.p50_us, bs, bu,
			       w->batch.errors ? "  ERROR" : "");
		mb_json_obj(J, NULL);
		mb_json_str(J, "op", w->op);
		mb_json_int(J, "suite", w->suite);
		mb_json_int(J, "size", (long long)w->size);
		mb_json_int(J, "messages_per_call", BATCH_N);
		mb_json_result(J, "kernel_single", &w->single);
		mb_json_result(J, "kernel_batch", &w->batch);
		mb_json_result(J, "userspace", &w->user);
		json_ratio("ratio_batch_single", bs);
		json_ratio("ratio_batch_userspace", bu);
		mb_json_end(J);
	}
	mb_json_end(J);
}

/* --------------------------------------------------------------- commits */

struct commit_cell {
	const struct mb_suite *s;
	uint32_t leaves;
	struct mb_inputs next;
	int fd;
	/* userspace: the current epoch and the kept past ones */
	struct us_epoch *ring;
	unsigned int ring_len, ring_pos;
	struct us_epoch *cur;
};

static int op_k_commit(void *arg, unsigned int t, unsigned long i)
{
	struct commit_cell *c = arg;

	(void)t, (void)i;
	c->next.epoch++;
	return k_commit(c->fd, &c->next, 0, c->leaves);
}

/* Each epoch kept for epochs_kept commits (as the kernel does), then freed. */
static int op_u_commit(void *arg, unsigned int t, unsigned long i)
{
	struct commit_cell *c = arg;
	struct us_epoch *slot = &c->ring[c->ring_pos];
	int ret;

	(void)t, (void)i;
	if (slot->suite)
		us_epoch_free(slot);
	c->next.epoch++;
	ret = us_epoch_next(slot, c->cur, &c->next, c->leaves);
	if (ret)
		return ret;
	c->cur = slot;
	c->ring_pos = (c->ring_pos + 1) % c->ring_len;
	return 0;
}

static int op_c_warm(void *arg, unsigned int t, unsigned long i)
{
	struct commit_cell *c = arg;

	(void)t, (void)i;
	us_thread_warm(c->s);
	return 0;
}

static void commits(void)
{
	static const uint32_t leaves[] = { 2, 1000 };
	const struct mb_suite *s = mb_suite(1);
	long long kept = mod_param("epochs_kept");
	size_t k;

	if (kept < 0)
		kept = 10;
	mb_text_printf(&T, "\nCommits (MLS_IOC_COMMIT with the next epoch's context; suite 1, 1 thread, %lld past epochs kept):\n",
		       kept);
	mb_text_printf(&T, "  %-7s %7s |%10s %8s %8s |%10s %8s %8s | %5s %5s %5s\n", "leaves",
		       "calls", "kernel/s", "p50", "p99", "user/s", "p50", "p99", "k/u",
		       "k/u50", "k/umn");
	mb_json_arr(J, "commits");
	for (k = 0; k < ARRAY_SIZE(leaves); k++) {
		struct commit_cell c = { .s = s, .leaves = leaves[k], .fd = -1 }, uc;
		unsigned long iters = scaled(leaves[k] == 2 ? COMMIT_ITERS_2 : COMMIT_ITERS_1K);
		struct mb_result kr = { 0 }, ur = { 0 };
		struct mb_inputs in;
		unsigned int j;

		struct mb_acc ka, ua;
		unsigned long per = iters / ROUNDS ? iters / ROUNDS : 1;
		unsigned int r;
		int kerr = -ENODEV;

		mb_inputs_random(&in, s, 1);
		if (ctl >= 0) {
			c.fd = k_group_create(ctl, &in, 0, leaves[k],
					      MLS_GROUP_F_EPHEMERAL, NULL);
			kerr = c.fd < 0 ? c.fd : 0;
		}
		uc = (struct commit_cell){ .s = s, .leaves = leaves[k], .fd = -1 };
		uc.ring_len = (unsigned int)kept + 1;
		uc.ring = calloc(uc.ring_len, sizeof(*uc.ring));
		if (!uc.ring || us_epoch_from_inputs(&uc.ring[0], &in, 0, leaves[k]))
			abort();
		uc.cur = &uc.ring[0];
		uc.ring_pos = 1 % uc.ring_len;
		uc.next = in;
		c.next = in;

		mb_acc_init(&ka);
		mb_acc_init(&ua);
		for (r = 0; r < ROUNDS; r++) {
			struct mb_run run = {
				.iters = per, .threads = 1,
				.time_cap_s = opt.cap_s / ROUNDS,
			};

			if (!kerr) {
				run.fn = op_k_commit;
				run.arg = &c;
				mb_round(&run, &ka);
			}
			run.fn = op_u_commit;
			run.arg = &uc;
			run.warm = op_c_warm;
			run.done = op_u_done;
			mb_round(&run, &ua);
		}
		mb_finish(&ka, &kr);
		mb_finish(&ua, &ur);
		if (kerr && ctl >= 0) {
			kr.ran = true;
			kr.err = kerr;
			kr.errors = 1;
		}
		if (kr.errors || (ctl >= 0 && !kr.ran))
			failures++;
		if (c.fd >= 0)
			close(c.fd);
		for (j = 0; j < uc.ring_len; j++)
			if (uc.ring[j].suite)
				us_epoch_free(&uc.ring[j]);
		free(uc.ring);

		progress("commit %u leaves: kernel %.0f/s user %.0f/s", leaves[k],
			 kr.ops_per_s, ur.ops_per_s);
		mb_text_printf(&T, "  %-7u %7lu |", leaves[k], kr.iters);
		if (kr.ran && !kr.errors && kr.iters)
			mb_text_printf(&T, "%10.0f %8.2f %8.2f |", kr.ops_per_s, kr.p50_us,
				       kr.p99_us);
		else
			mb_text_printf(&T, "%10s %-17s |", kr.ran ? "ERROR" : "n/a",
				       kr.err ? strerror(-kr.err) : "");
		mb_text_printf(&T, "%10.0f %8.2f %8.2f | %5.2f %5.2f %5.2f\n", ur.ops_per_s,
			       ur.p50_us, ur.p99_us, ratio(&kr, &ur), ratio_p50(&kr, &ur),
			       ratio_min(&kr, &ur));
		mb_json_obj(J, NULL);
		mb_json_int(J, "suite", s->id);
		mb_json_int(J, "leaves", leaves[k]);
		mb_json_result(J, "kernel", &kr);
		mb_json_result(J, "userspace", &ur);
		json_ratio("ratio_kernel_userspace", ratio(&kr, &ur));
		json_ratio("ratio_kernel_userspace_p50", ratio_p50(&kr, &ur));
		json_ratio("ratio_kernel_userspace_min", ratio_min(&kr, &ur));
		mb_json_end(J);
	}
	mb_json_end(J);
	mb_text_printf(&T, "  userspace: the same key schedule (2 Extract, 12 ExpandWithLabel) and a new epoch (context, roster, lazily derived tree), past epochs freed as the kernel frees them\n");
}

/* ---------------------------------------------------------------- memory */

struct snap {
	struct mb_meminfo mi;
	struct mb_slabinfo *si;
	long long mod;		/* /sys/kernel/mls/memory/ sum, or -1 */
};

/* The module's own count: groups + epochs + trees, or -1 (older module). */
static long long module_memory(void)
{
	static const char *const kinds[] = { "groups", "epochs", "trees" };
	char path[128], buf[64];
	long long sum = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/mls/memory/%s", kinds[i]);
		read_first_line(path, buf, sizeof(buf));
		if (!strcmp(buf, "unknown"))
			return -1;
		sum += atoll(buf);
	}
	return sum;
}

static void snapshot(struct snap *s)
{
	/* Let RCU-deferred frees (files, groups, epochs) run first. */
	sync();
	usleep(1500 * 1000);
	mb_read_meminfo(&s->mi);
	s->si = mb_read_slabinfo();
	s->mod = module_memory();
}

struct mem_delta {
	long long slab_b;	/* /proc/slabinfo active objects */
	long long slab_kb;	/* /proc/meminfo Slab */
	long long sunreclaim_kb;
	long long memfree_kb;
	long long mod_b;	/* the module's own count; -1 without one */
	char top[512];
};

static void delta(const struct snap *a, const struct snap *b, struct mem_delta *d)
{
	d->slab_b = mb_slab_delta(a->si, b->si, d->top, sizeof(d->top), 4);
	d->slab_kb = b->mi.slab_kb - a->mi.slab_kb;
	d->sunreclaim_kb = b->mi.sunreclaim_kb - a->mi.sunreclaim_kb;
	d->memfree_kb = a->mi.memfree_kb - b->mi.memfree_kb;
	d->mod_b = a->mod >= 0 && b->mod >= 0 ? b->mod - a->mod : -1;
}

/* Turn the group_sysfs parameter on or off: 0, or -1 (an older module). */
static int set_group_sysfs(bool on)
{
	int fd = open("/sys/module/mls/parameters/group_sysfs", O_WRONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = write(fd, on ? "Y\n" : "N\n", 2) == 2 ? 0 : -1;
	close(fd);
	return r;
}

static void json_delta(const char *key, const struct mem_delta *d, double per)
{
	mb_json_obj(J, key);
	mb_json_num(J, "count", per);
	mb_json_int(J, "slabinfo_bytes", d->slab_b);
	mb_json_int(J, "meminfo_slab_kb", d->slab_kb);
	mb_json_int(J, "meminfo_sunreclaim_kb", d->sunreclaim_kb);
	mb_json_int(J, "meminfo_memfree_drop_kb", d->memfree_kb);
	mb_json_num(J, "slabinfo_bytes_each", per > 0 ? (double)d->slab_b / per : 0);
	mb_json_num(J, "slab_bytes_each", per > 0 ? (double)d->slab_kb * 1024 / per : 0);
	mb_json_num(J, "sunreclaim_bytes_each",
		    per > 0 ? (double)d->sunreclaim_kb * 1024 / per : 0);
	if (d->mod_b >= 0) {
		mb_json_int(J, "module_bytes", d->mod_b);
		mb_json_num(J, "module_bytes_each", per > 0 ? (double)d->mod_b / per : 0);
	} else {
		mb_json_null(J, "module_bytes");
	}
	mb_json_str(J, "top_caches", d->top);
	mb_json_end(J);
}

/* @n groups; with @sysfs, each with its directory (group_sysfs on). */
static void memory_one(unsigned long n, bool sysfs)
{
	const struct mb_suite *s = mb_suite(1);
	struct mb_inputs in;
	struct snap a, b, c, d;
	struct mem_delta dg, de, dr;
	uint32_t *ids = xmalloc(n * sizeof(*ids));
	unsigned long i, made = 0, committed = 0;
	uint64_t t0, t1, t2;
	int ret = 0;

	mb_inputs_random(&in, s, 1);
	if (sysfs && set_group_sysfs(true)) {
		mb_text_printf(&T, "  %6lu | skipped: no group_sysfs parameter\n", n);
		free(ids);
		return;
	}
	snapshot(&a);
	t0 = mb_now_ns();
	for (i = 0; i < n; i++) {
		int fd;

		memcpy(in.group_id, &i, sizeof(i));
		fd = k_group_create(ctl, &in, 0, 2, 0, &ids[i]);
		if (fd < 0) {
			ret = fd;
			break;
		}
		close(fd);
		made++;
	}
	t1 = mb_now_ns();
	if (sysfs)
		set_group_sysfs(false);
	snapshot(&b);
	for (i = 0; i < made && !ret; i++) {
		struct mb_inputs next = in;
		int fd = k_group_open(ctl, ids[i]), k;

		if (fd < 0) {
			ret = fd;
			break;
		}
		for (k = 0; k < MEM_COMMITS && !ret; k++) {
			next.epoch++;
			ret = k_commit(fd, &next, 0, 2);
		}
		close(fd);
		if (!ret)
			committed++;
	}
	t2 = mb_now_ns();
	snapshot(&c);
	for (i = 0; i < made; i++) {
		int fd = k_group_open(ctl, ids[i]);

		if (fd >= 0) {
			k_group_destroy(fd);
			close(fd);
		}
	}
	snapshot(&d);

	delta(&a, &b, &dg);
	delta(&b, &c, &de);
	delta(&a, &d, &dr);
	if (ret)
		failures++;
	progress("memory %lu groups (%lu made, %lu with %d commits%s%s): %.0f B/group, %.0f B/past epoch (slabinfo)",
		 n, made, committed, MEM_COMMITS, ret ? "; error: " : "",
		 ret ? strerror(-ret) : "",
		 made ? (double)dg.slab_b / (double)made : 0,
		 committed ? (double)de.slab_b / (double)(committed * MEM_COMMITS) : 0);

	mb_text_printf(&T, "  %6lu%s | %9.0f %9.0f %9.0f %7.0f | %9.0f %9.0f %9.0f %7.0f | %8lld %8lld %6lld | %6.1f %6.1f%s%s\n",
		       n, sysfs ? "+sysfs" : "      ",
		       made ? (double)dg.slab_b / (double)made : 0,
		       made ? (double)dg.slab_kb * 1024 / (double)made : 0,
		       made ? (double)dg.sunreclaim_kb * 1024 / (double)made : 0,
		       made && dg.mod_b >= 0 ? (double)dg.mod_b / (double)made : -1,
		       committed ? (double)de.slab_b / (double)(committed * MEM_COMMITS) : 0,
		       committed ? (double)de.slab_kb * 1024 / (double)(committed * MEM_COMMITS) : 0,
		       committed ? (double)de.sunreclaim_kb * 1024 / (double)(committed * MEM_COMMITS) : 0,
		       committed && de.mod_b >= 0 ?
		       (double)de.mod_b / (double)(committed * MEM_COMMITS) : -1,
		       dr.slab_b, dr.sunreclaim_kb, dr.mod_b,
		       (double)(t1 - t0) / 1e9, (double)(t2 - t1) / 1e9,
		       ret ? "  error: " : "", ret ? strerror(-ret) : "");
	mb_text_printf(&T, "         groups: %s\n", dg.top[0] ? dg.top : "-");
	mb_text_printf(&T, "         epochs: %s\n", de.top[0] ? de.top : "-");

	mb_json_obj(J, NULL);
	mb_json_int(J, "groups", (long long)n);
	mb_json_int(J, "group_sysfs", sysfs);
	mb_json_int(J, "made", (long long)made);
	mb_json_int(J, "committed_groups", (long long)committed);
	mb_json_int(J, "past_epochs_per_group", MEM_COMMITS);
	if (ret)
		mb_json_int(J, "first_errno", -ret);
	json_delta("per_group", &dg, (double)made);
	json_delta("per_past_epoch", &de, (double)(committed * MEM_COMMITS));
	json_delta("after_destroy", &dr, 1);
	mb_json_num(J, "create_s", (double)(t1 - t0) / 1e9);
	mb_json_num(J, "commit_s", (double)(t2 - t1) / 1e9);
	mb_json_end(J);

	mb_slabinfo_free(a.si);
	mb_slabinfo_free(b.si);
	mb_slabinfo_free(c.si);
	mb_slabinfo_free(d.si);
	free(ids);
}

static void memory(void)
{
	long long max_groups = mod_param("max_groups");
	char buf[sizeof(opt.mem_groups)], *tok, *save = NULL;
	unsigned long last = 0;

	mb_text_printf(&T, "\nMemory the module holds (suite 1, 2 leaves; no messages). Measured from the guest: /proc/slabinfo\n"
		       "(active objects x object size, all caches) and /proc/meminfo (Slab, SUnreclaim) before and after;\n"
		       "module: the module's own count (/sys/kernel/mls/memory/, bytes asked for, before slab rounding;\n"
		       "no kernfs). +sysfs: the groups made with group_sysfs on (a directory each). Group fds are closed\n"
		       "before each reading, so struct file is not counted; 1 group is below the resolution of both sources.\n");
	mb_text_printf(&T, "  %12s | %37s | %37s | %24s | %13s\n", "",
		       "per group (bytes)", "per past epoch (bytes)",
		       "left after destroy", "time (s)");
	mb_text_printf(&T, "  %12s | %9s %9s %9s %7s | %9s %9s %9s %7s | %8s %8s %6s | %6s %6s\n",
		       "groups", "slabinfo", "Slab", "SUnrecl", "module", "slabinfo", "Slab",
		       "SUnrecl", "module", "slab B", "SUnr kB", "mod B", "create", "commit");
	mb_json_obj(J, "memory");
	mb_json_str(J, "source", "guest /proc/slabinfo (sum over caches of active_objs x objsize) and /proc/meminfo (Slab, SUnreclaim) deltas; module_bytes: /sys/kernel/mls/memory/ (groups + epochs + trees) deltas");
	mb_json_int(J, "max_groups", max_groups);
	mb_json_arr(J, "rows");
	snprintf(buf, sizeof(buf), "%s", opt.mem_groups);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long n = strtoul(tok, NULL, 10);

		if (!n)
			continue;
		if (max_groups >= 0 && (long long)n > max_groups) {
			mb_text_printf(&T, "  %6lu | skipped: max_groups=%lld (load the module with max_groups=20000)\n",
				       n, max_groups);
			continue;
		}
		memory_one(n, false);
		last = n;
	}
	/* The largest count again, each group with its sysfs directory. */
	if (last)
		memory_one(last, true);
	mb_json_end(J);
	mb_json_end(J);
}

/* ------------------------------------------------------------ tracepoints */

/*
 * One row: MLS_IOC_ENCRYPT or _DECRYPT of 64 B (suite 1, 1 thread) with
 * events/mls disabled and enabled, each on groups of its own, round by
 * round in turns so that both see the same background load.
 */
static void trace_row(const char *inst, bool dec, struct mb_result *res,
		      unsigned long long *records)
{
	const struct mb_suite *s = mb_suite(1);
	unsigned long iters = scaled(size_iters[0]);
	unsigned long per = iters / ROUNDS ? iters / ROUNDS : 1;
	unsigned long long before;
	struct mb_acc acc[2];
	struct cell c[2];
	unsigned int m, r;
	int err = 0;

	for (m = 0; m < 2; m++) {
		cell_init(&c[m], s, 64);
		err = err ?: kernel_pair(&c[m], dec);
		if (!err && dec)
			err = kernel_batch(&c[m], iters);
		mb_acc_init(&acc[m]);
	}
	before = mb_trace_records(inst);
	for (r = 0; r < ROUNDS && !err; r++) {
		unsigned long off = r * per;

		for (m = 0; m < 2; m++) {
			struct mb_run run = {
				.fn = dec ? op_k_dec : op_k_enc, .arg = &c[m],
				.offset = off,
				.iters = r == ROUNDS - 1 ? iters - off : per,
				.threads = 1, .payload = 64,
				.time_cap_s = opt.cap_s / ROUNDS,
			};

			err = mb_trace_enable(inst, m == 1);
			if (err)
				break;
			mb_round(&run, &acc[m]);
		}
	}
	mb_trace_enable(inst, false);
	*records = mb_trace_records(inst) - before;
	for (m = 0; m < 2; m++) {
		mb_finish(&acc[m], &res[m]);
		if (err) {
			res[m].ran = true;
			res[m].err = err;
			res[m].errors = 1;
		}
		failures += !!res[m].errors;
		kernel_pair_close(&c[m]);
		cell_free(&c[m]);
	}
}

static void tracing(void)
{
	static const char *const ops[] = { "encrypt", "decrypt" };
	char inst[256];
	unsigned int o, m;
	int err;

	mb_text_printf(&T, "\nTracepoints (events/mls of a trace instance disabled / enabled; suite 1, 64 B, 1 thread,\n"
		       "%lu calls each in %d interleaved rounds; d50, dmin: enabled minus disabled latency, p50 and fastest call):\n",
		       scaled(size_iters[0]), ROUNDS);
	mb_json_arr(J, "tracepoints");
	err = mb_trace_open(inst, sizeof(inst));
	if (err) {
		mb_text_printf(&T, "  n/a: no tracefs or no events/mls (%s)\n", strerror(-err));
		progress("tracepoints: n/a (%s)", strerror(-err));
		mb_json_end(J);
		return;
	}
	mb_text_printf(&T, "  %-7s |%10s %8s %8s |%10s %8s %8s | %6s %7s %7s | %8s\n", "op",
		       "off/s", "p50", "min", "on/s", "p50", "min", "on/off", "d50 us",
		       "dmin us", "records");
	for (o = 0; o < ARRAY_SIZE(ops); o++) {
		struct mb_result res[2] = { 0 };
		unsigned long long records = 0;
		bool ok;

		if (!listed(opt.ops, ops[o]))
			continue;
		trace_row(inst, o == 1, res, &records);
		ok = !res[0].errors && !res[1].errors && res[0].ran && res[1].ran;
		/* Enabled means traced: one record per enabled call. */
		if (ok && records != res[1].iters) {
			progress("tracepoints %s: %llu records for %lu enabled calls",
				 ops[o], records, res[1].iters);
			failures++;
		}
		progress("tracepoints %s: off %.0f/s on %.0f/s, %llu records",
			 ops[o], res[0].ops_per_s, res[1].ops_per_s, records);
		mb_text_printf(&T, "  %-7s |", ops[o]);
		for (m = 0; m < 2; m++) {
			if (ok)
				mb_text_printf(&T, "%10.0f %8.2f %8.2f |", res[m].ops_per_s,
					       res[m].p50_us, res[m].min_us);
			else
				mb_text_printf(&T, "%10s %8s %8s |", "ERROR", "", "");
		}
		if (ok)
			mb_text_printf(&T, " %6.3f %7.2f %7.2f | %8llu\n",
				       ratio(&res[1], &res[0]),
				       res[1].p50_us - res[0].p50_us,
				       res[1].min_us - res[0].min_us, records);
		else
			mb_text_printf(&T, " %6s %7s %7s | %8llu\n", "", "", "", records);
		mb_json_obj(J, NULL);
		mb_json_str(J, "op", ops[o]);
		mb_json_int(J, "suite", 1);
		mb_json_int(J, "size", 64);
		mb_json_result(J, "disabled", &res[0]);
		mb_json_result(J, "enabled", &res[1]);
		json_ratio("ratio_enabled_disabled", ratio(&res[1], &res[0]));
		mb_json_int(J, "records", (long long)records);
		mb_json_end(J);
	}
	mb_json_end(J);
	mb_trace_close(inst);
}

/* ------------------------------------------------------------------ main */

/*
 * A message far ahead: the receiver's first message is the sender's
 * generation @gap, so the decrypt derives @gap ratchet steps to check its
 * tag and again to consume it (without the tree's lock). Suite 1, the
 * median of a few fresh pairs.
 */
static int far_one(uint32_t gap, double *ms)
{
	/* An application message carries its signature (64 B, Ed25519's). */
	static const uint8_t sig[64] = { 0x5a };
	static uint8_t out[256], content[64], sg[64];
	const struct mb_suite *s = mb_suite(1);
	struct mls_policy p = { .max_forward = gap };
	struct mb_inputs in;
	int sfd, rfd, ret = 0;
	uint32_t g = 0, i;
	long n = 0;
	uint64_t t0;

	mb_inputs_random(&in, s, 1);
	sfd = k_group_create(ctl, &in, 0, 2, MLS_GROUP_F_EPHEMERAL, NULL);
	rfd = k_group_create(ctl, &in, 1, 2, MLS_GROUP_F_EPHEMERAL, NULL);
	if (sfd < 0 || rfd < 0) {
		ret = sfd < 0 ? sfd : rfd;
		goto out;
	}
	ret = k_set_policy(rfd, MLS_POLICY_MAX_FORWARD, &p);
	for (i = 0; !ret && i <= gap; i++) {
		n = k_encrypt(sfd, (const uint8_t *)"far", 3, sig, sizeof(sig),
			      out, sizeof(out), &g);
		ret = n < 0 ? (int)n : 0;
	}
	if (!ret) {
		t0 = mb_now_ns();
		n = k_decrypt(rfd, out, (size_t)n, content, sizeof(content), sg,
			      sizeof(sg), &g);
		*ms = (double)(mb_now_ns() - t0) / 1e6;
		ret = n < 0 ? (int)n : g == gap ? 0 : -EIO;
	}
out:
	if (sfd >= 0)
		close(sfd);
	if (rfd >= 0)
		close(rfd);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void far_ahead(void)
{
	long long cap = mod_param("max_forward_max");
	uint32_t gaps[2] = { 1000, cap > 0 ? (uint32_t)cap : 65536 };
	unsigned int reps[2] = { 5, 3 }, k, r;
	double t[5];

	mb_text_printf(&T, "\nFar-ahead decrypt (suite 1; first message is generation N; median):\n");
	mb_json_arr(J, "far_ahead");
	for (k = 0; k < 2; k++) {
		int err = 0;

		progress("far-ahead %u", gaps[k]);
		for (r = 0; r < reps[k] && !err; r++)
			err = far_one(gaps[k], &t[r]);
		mb_json_obj(J, NULL);
		mb_json_int(J, "generations", gaps[k]);
		if (err) {
			failures++;
			mb_json_str(J, "error", strerror(-err));
			mb_text_printf(&T, "  N=%-6u error: %s\n", gaps[k], strerror(-err));
		} else {
			qsort(t, reps[k], sizeof(t[0]), cmp_double);
			mb_json_num(J, "ms", t[reps[k] / 2]);
			mb_json_num(J, "us_per_step", t[reps[k] / 2] * 1e3 / (2.0 * gaps[k]));
			mb_text_printf(&T, "  N=%-6u %9.2f ms  (%.2f us per hash step, 2N steps, none under the tree lock past 16)\n",
				       gaps[k], t[reps[k] / 2],
				       t[reps[k] / 2] * 1e3 / (2.0 * gaps[k]));
		}
		mb_json_end(J);
	}
	mb_json_end(J);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mls-bench [--scale F] [--cap SECONDS] [--sections rt,data,batch,commit,persist,trace,mem,far,probe]\n"
		"                 [--suites 1,3] [--sizes 64,1024,16384,65536] [--threads 1,2]\n"
		"                 [--ops encrypt,decrypt] [--mem-groups 1,100,10000]\n"
		"                 [--no-kernel] [--quick]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "scale", required_argument, NULL, 's' },
		{ "cap", required_argument, NULL, 'c' },
		{ "sections", required_argument, NULL, 'S' },
		{ "mem-groups", required_argument, NULL, 'm' },
		{ "suites", required_argument, NULL, 'u' },
		{ "sizes", required_argument, NULL, 'z' },
		{ "threads", required_argument, NULL, 't' },
		{ "ops", required_argument, NULL, 'o' },
		{ "no-kernel", no_argument, NULL, 'n' },
		{ "quick", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mb_probe_ctx probe;
	uint64_t start = mb_now_ns();
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			opt.scale = atof(optarg);
			break;
		case 'c':
			opt.cap_s = atof(optarg);
			break;
		case 'S':
			snprintf(opt.sections, sizeof(opt.sections), "%s", optarg);
			break;
		case 'm':
			snprintf(opt.mem_groups, sizeof(opt.mem_groups), "%s", optarg);
			break;
		case 'u':
			snprintf(opt.suites, sizeof(opt.suites), "%s", optarg);
			break;
		case 'z':
			snprintf(opt.sizes, sizeof(opt.sizes), "%s", optarg);
			break;
		case 't':
			snprintf(opt.threads, sizeof(opt.threads), "%s", optarg);
			break;
		case 'o':
			snprintf(opt.ops, sizeof(opt.ops), "%s", optarg);
			break;
		case 'n':
			opt.kernel = false;
			break;
		case 'q':
			opt.scale = 0.05;
			opt.cap_s = 1;
			snprintf(opt.mem_groups, sizeof(opt.mem_groups), "1,100");
			break;
		default:
			usage();
		}
	}
	if (opt.scale <= 0)
		usage();

	if (us_init()) {
		fprintf(stderr, "mls-bench: OpenSSL algorithms missing\n");
		return 1;
	}
	mb_random(sig, sizeof(sig));
	if (opt.kernel) {
		ctl = k_open();
		if (ctl < 0) {
			fprintf(stderr, "mls-bench: /dev/mls: %s (--no-kernel to run the baselines alone)\n",
				strerror(-ctl));
			return 1;
		}
	}

	J = mb_json_new();
	header();
	if (ctl >= 0)
		interop();
	if (section("rt"))
		roundtrips();
	if (section("data"))
		data_plane();
	if (section("batch") && ctl >= 0)
		batches();
	if (section("commit"))
		commits();
	if (section("persist") && ctl >= 0) {
		struct mb_persist_ctx pc = {
			.json = J, .text = &T, .ctl = ctl, .scale = opt.scale,
			.restore_groups = scaled(RESTORE_GROUPS),
		};

		mb_persist(&pc);
		failures += pc.failures;
	}
	if (section("trace") && ctl >= 0)
		tracing();
	if (section("mem") && ctl >= 0)
		memory();
	if (section("far") && ctl >= 0)
		far_ahead();

	probe = (struct mb_probe_ctx){ .json = J, .text = &T,
				       .time_cap_s = opt.cap_s, .scale = opt.scale };
	if (section("probe")) {
		mb_json_obj(J, "probes");
		mb_probe_crypto_drivers(&probe);
		mb_probe_afalg(&probe);
		mb_probe_passes(&probe);
		mb_json_end(J);
	}

	mb_json_num(J, "total_s", (double)(mb_now_ns() - start) / 1e9);
	mb_json_int(J, "failures", failures);
	mb_text_printf(&T, "\nTotal %.0f s; %d failure%s.\n",
		       (double)(mb_now_ns() - start) / 1e9, failures,
		       failures == 1 ? "" : "s");

	printf("=== mls-bench table begin ===\n%s=== mls-bench table end ===\n",
	       T.buf ? T.buf : "");
	printf("=== mls-bench json begin ===\n%s=== mls-bench json end ===\n",
	       mb_json_text(J));
	mb_json_free(J);
	free(T.buf);
	if (ctl >= 0)
		close(ctl);
	return failures ? 1 : 0;
}
