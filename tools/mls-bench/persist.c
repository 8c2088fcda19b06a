// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots (Documentation/admin-guide/persistence.rst): what persistence
 * costs. Export and import per group, the snapshot's bytes per group and
 * per kept epoch, the latency a commit gains when it is made durable
 * (export, write and fsync of the file, MLS_IOC_GROUP_SAVED), the time
 * to restore many groups, and encrypt on a persistent group (its
 * reservation saved again as it runs out) against a plain one.
 *
 * The sealing key is a random logon key in a session keyring of the
 * benchmark's own, named as the module's seal_key parameter says.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/keyctl.h>

#define SNAP_CAP	(1U << 20)
#define LAT_ITERS	300	/* export/import, commit rows at --scale 1 */
#define ENC_ITERS	20000	/* encrypt calls per row at --scale 1 */
#define EPOCHS_MAX	64

/* An Ed25519 signature's size, as the data-plane rows send. */
static uint8_t sig[MB_SIG_LEN];

static int seal_key_add(void)
{
	char desc[256] = "mls:seal";
	uint8_t k[32];
	FILE *f;
	long id;

	f = fopen("/sys/module/mls/parameters/seal_key", "r");
	if (f) {
		if (fgets(desc, sizeof(desc), f))
			desc[strcspn(desc, "\n")] = 0;
		fclose(f);
	}
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
		return -errno;
	mb_random(k, sizeof(k));
	id = syscall(SYS_add_key, "logon", desc, k, sizeof(k),
		     KEY_SPEC_SESSION_KEYRING);
	memset(k, 0, sizeof(k));
	return id < 0 ? -errno : 0;
}

/* Latencies of single calls, summed up as struct mb_result. */
struct lat {
	uint64_t *ns;
	unsigned long n, cap;
	int err;
	unsigned long errors;
};

static void lat_init(struct lat *l, unsigned long cap)
{
	memset(l, 0, sizeof(*l));
	l->ns = calloc(cap ? cap : 1, sizeof(*l->ns));
	if (!l->ns)
		abort();
	l->cap = cap;
}

static void lat_add(struct lat *l, uint64_t t0, int r)
{
	if (r < 0) {
		if (!l->err)
			l->err = r;
		l->errors++;
		return;
	}
	if (l->n < l->cap)
		l->ns[l->n++] = mb_now_ns() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void lat_finish(struct lat *l, struct mb_result *r)
{
	double sum = 0;
	unsigned long i;

	memset(r, 0, sizeof(*r));
	r->ran = true;
	r->err = l->err;
	r->errors = l->errors;
	r->iters = l->n;
	r->threads = 1;
	r->rounds = 1;
	if (l->n) {
		qsort(l->ns, l->n, sizeof(*l->ns), cmp_u64);
		for (i = 0; i < l->n; i++)
			sum += (double)l->ns[i];
		r->elapsed_s = sum / 1e9;
		r->mean_us = sum / (double)l->n / 1e3;
		r->ops_per_s = r->mean_us > 0 ? 1e6 / r->mean_us : 0;
		r->ops_per_s_overall = r->ops_per_s;
		r->min_us = (double)l->ns[0] / 1e3;
		r->p10_us = (double)l->ns[l->n / 10] / 1e3;
		r->p50_us = (double)l->ns[l->n / 2] / 1e3;
		r->p99_us = (double)l->ns[l->n * 99 / 100] / 1e3;
	}
	free(l->ns);
	l->ns = NULL;
}

static unsigned long scaled(const struct mb_persist_ctx *p, unsigned long n)
{
	unsigned long v = (unsigned long)((double)n * p->scale);

	return v ? v : 1;
}

static void row(struct mb_persist_ctx *p, const char *name, const char *key,
		const struct mb_result *r)
{
	if (r->errors || !r->iters) {
		p->failures++;
		mb_text_printf(p->text, "  %-40s %7lu | %-10s %s\n", name, r->iters,
			       "ERROR", r->err ? strerror(-r->err) : "no call ran");
	} else {
		mb_text_printf(p->text, "  %-40s %7lu | %10.1f %10.1f %10.1f %10.1f\n",
			       name, r->iters, r->min_us, r->p50_us, r->p99_us,
			       r->mean_us);
	}
	mb_json_result(p->json, key, r);
}

/* A group of @flags at epoch 1, its inputs in @in; fd or -errno. */
static int group_new(int ctl, struct mb_inputs *in, uint32_t flags, uint32_t *id)
{
	mb_inputs_random(in, mb_suite(1), 1);
	return k_group_create(ctl, in, 0, 2, flags, id);
}

static int commit_next(int fd, struct mb_inputs *in)
{
	in->epoch++;
	mb_random(in->commit, in->suite->nh);
	return k_commit(fd, in, 0, 2);
}

/* Bytes of a snapshot, 1 and 1 + kept epochs (each with a message sent). */
static void sizes(struct mb_persist_ctx *p, uint8_t *buf, unsigned int kept)
{
	uint8_t msg[256], data[64] = { 0 };
	size_t len0 = 0, lenk = 0, len;
	struct mb_inputs in;
	unsigned int i;
	int fd, r = 0;

	fd = group_new(p->ctl, &in, MLS_GROUP_F_EPHEMERAL, NULL);
	if (fd < 0) {
		p->failures++;
		return;
	}
	if (k_encrypt(fd, data, sizeof(data), sig, sizeof(sig), msg, sizeof(msg), NULL) < 0)
		r = -EIO;
	r = r ?: k_export(fd, buf, SNAP_CAP, &len0, NULL);
	for (i = 0; !r && i < kept; i++)
		r = commit_next(fd, &in) ?:
		    (k_encrypt(fd, data, sizeof(data), sig, sizeof(sig), msg,
			       sizeof(msg), NULL) < 0 ? -EIO : 0);
	r = r ?: k_export(fd, buf, SNAP_CAP, &lenk, NULL);
	close(fd);
	if (r) {
		p->failures++;
		mb_text_printf(p->text, "  snapshot size: ERROR %s\n", strerror(-r));
		return;
	}
	len = kept ? (lenk - len0) / kept : 0;
	mb_text_printf(p->text, "  snapshot bytes, 2 leaves, suite 1: %zu with the current epoch only; %zu with %u past epochs kept: %zu per kept epoch\n",
		       len0, lenk, kept, len);
	mb_json_obj(p->json, "snapshot_bytes");
	mb_json_int(p->json, "one_epoch", (long long)len0);
	mb_json_int(p->json, "epochs_kept", kept);
	mb_json_int(p->json, "all_epochs", (long long)lenk);
	mb_json_int(p->json, "per_kept_epoch", (long long)len);
	mb_json_end(p->json);
}

/*
 * Export and import of one group with @past past epochs: each round
 * exports (timed), destroys, imports what it exported (timed).
 */
static void export_import(struct mb_persist_ctx *p, uint8_t *buf,
			  unsigned int past, const char *key)
{
	unsigned long n = scaled(p, LAT_ITERS), i;
	struct mb_result er, ir;
	struct lat le, li;
	struct mb_inputs in;
	char name[64];
	size_t len = 0;
	uint64_t t0;
	int fd, r = 0;

	lat_init(&le, n);
	lat_init(&li, n);
	fd = group_new(p->ctl, &in, 0, NULL);
	r = fd < 0 ? fd : 0;
	for (i = 0; !r && i < past; i++)
		r = commit_next(fd, &in);
	for (i = 0; !r && i < n; i++) {
		t0 = mb_now_ns();
		r = k_export(fd, buf, SNAP_CAP, &len, NULL);
		lat_add(&le, t0, r);
		r = r ?: k_group_destroy(fd);
		if (r)
			break;
		close(fd);
		t0 = mb_now_ns();
		fd = k_import(p->ctl, buf, len, 0);
		lat_add(&li, t0, fd);
		r = fd < 0 ? fd : 0;
	}
	if (r && !le.err && !li.err) {
		le.err = r;
		le.errors++;
	}
	if (fd >= 0) {
		k_group_destroy(fd);
		close(fd);
	}
	lat_finish(&le, &er);
	lat_finish(&li, &ir);
	mb_json_obj(p->json, key);
	mb_json_int(p->json, "epochs", past + 1);
	mb_json_int(p->json, "snapshot_bytes", (long long)len);
	snprintf(name, sizeof(name), "export, %u epoch%s (%zu B)", past + 1,
		 past ? "s" : "", len);
	row(p, name, "export", &er);
	snprintf(name, sizeof(name), "import, %u epoch%s", past + 1, past ? "s" : "");
	row(p, name, "import", &ir);
	mb_json_end(p->json);
}

/* A snapshot to a file as a store keeps it: write, fsync, close. */
static int write_file(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t w;
	int r = 0;

	if (fd < 0)
		return -errno;
	w = write(fd, buf, len);
	if (w != (ssize_t)len)
		r = w < 0 ? -errno : -EIO;
	if (!r && fsync(fd))
		r = -errno;
	close(fd);
	return r;
}

/*
 * Commit alone against commit made durable, on a persistent group:
 * rounds alternate between the two.
 */
static void commit_durable(struct mb_persist_ctx *p, uint8_t *buf)
{
	unsigned long n = scaled(p, LAT_ITERS), i;
	static const char path[] = "mls-bench.snap";
	struct mb_result cr, dr;
	struct lat lc, ld;
	struct mb_inputs in;
	uint64_t t0, seq = 0;
	size_t len;
	int fd, r;

	lat_init(&lc, n);
	lat_init(&ld, n);
	fd = group_new(p->ctl, &in, MLS_GROUP_F_PERSISTENT | MLS_GROUP_F_EPHEMERAL,
		       NULL);
	r = fd < 0 ? fd : 0;
	for (i = 0; !r && i < 2 * n; i++) {
		t0 = mb_now_ns();
		r = commit_next(fd, &in);
		if (!r && (i & 1))
			r = k_export(fd, buf, SNAP_CAP, &len, &seq) ?:
			    write_file(path, buf, len) ?: k_saved(fd, seq);
		lat_add(i & 1 ? &ld : &lc, t0, r);
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	lat_finish(&lc, &cr);
	lat_finish(&ld, &dr);
	mb_json_obj(p->json, "commit_durable");
	row(p, "commit alone (persistent group)", "commit", &cr);
	row(p, "commit + export + write + fsync + SAVED", "durable", &dr);
	mb_json_num(p->json, "added_p50_us", dr.p50_us - cr.p50_us);
	mb_json_end(p->json);
	if (cr.iters && dr.iters)
		mb_text_printf(p->text, "  commit to durable adds %.1f us at the median (%.1fx the commit)\n",
			       dr.p50_us - cr.p50_us,
			       cr.p50_us > 0 ? dr.p50_us / cr.p50_us : 0);
}

/*
 * Restore @n groups: made, exported, destroyed; then each snapshot
 * imported (timed, each call and all of them), its fd closed.
 */
static void restore(struct mb_persist_ctx *p, unsigned long n)
{
	struct mb_inputs in;
	struct mb_result ir;
	uint8_t **snaps;
	size_t *lens;
	uint32_t *ids;
	struct lat li;
	unsigned long i, made = 0;
	uint64_t t0, all;
	int fd, r = 0;

	snaps = calloc(n, sizeof(*snaps));
	lens = calloc(n, sizeof(*lens));
	ids = calloc(n, sizeof(*ids));
	if (!snaps || !lens || !ids)
		abort();
	for (i = 0; !r && i < n; i++) {
		uint8_t tmp[8192];

		fd = group_new(p->ctl, &in, 0, &ids[i]);
		if (fd < 0) {
			r = fd;
			break;
		}
		r = k_export(fd, tmp, sizeof(tmp), &lens[i], NULL) ?:
		    k_group_destroy(fd);
		close(fd);
		if (!r) {
			snaps[i] = malloc(lens[i]);
			if (!snaps[i])
				abort();
			memcpy(snaps[i], tmp, lens[i]);
			made++;
		}
	}
	lat_init(&li, made);
	if (r) {
		li.err = r;
		li.errors++;
	}
	all = mb_now_ns();
	for (i = 0; i < made; i++) {
		t0 = mb_now_ns();
		fd = k_import(p->ctl, snaps[i], lens[i], 0);
		lat_add(&li, t0, fd);
		if (fd >= 0)
			close(fd);
	}
	all = mb_now_ns() - all;
	for (i = 0; i < made; i++) {
		fd = k_group_open(p->ctl, ids[i]);
		if (fd >= 0) {
			k_group_destroy(fd);
			close(fd);
		}
		free(snaps[i]);
	}
	free(snaps);
	free(lens);
	free(ids);
	lat_finish(&li, &ir);
	mb_json_obj(p->json, "restore");
	mb_json_int(p->json, "groups", (long long)made);
	mb_json_num(p->json, "total_s", (double)all / 1e9);
	row(p, "import, one of many (1 epoch)", "import", &ir);
	mb_json_end(p->json);
	mb_text_printf(p->text, "  restore of %lu groups (import of each snapshot): %.2f s\n",
		       made, (double)all / 1e9);
}

struct enc_cell {
	int fd;
	bool persistent;
	uint8_t *buf;
	uint8_t data[1024];
	size_t size;
	uint8_t out[1024 + MB_MSG_OVERHEAD];
	unsigned long saves;
};

/* One encrypt; a persistent group out of reservation saves and goes on. */
static int op_enc(void *arg, unsigned int t, unsigned long i)
{
	struct enc_cell *c = arg;
	uint64_t seq;
	size_t len;
	long r;

	(void)t, (void)i;
	r = k_encrypt(c->fd, c->data, c->size, sig, sizeof(sig), c->out,
		      sizeof(c->out), NULL);
	if (r == -ENOBUFS && c->persistent) {
		c->saves++;
		r = k_export(c->fd, c->buf, SNAP_CAP, &len, &seq) ?:
		    k_saved(c->fd, seq) ?:
		    k_encrypt(c->fd, c->data, c->size, sig, sizeof(sig), c->out,
			      sizeof(c->out), NULL);
	}
	return r < 0 ? (int)r : 0;
}

static void encrypt_rows(struct mb_persist_ctx *p, uint8_t *buf)
{
	static const size_t size[] = { 64, 1024 };
	unsigned int k, j;

	mb_json_arr(p->json, "encrypt");
	for (k = 0; k < ARRAY_SIZE(size); k++) {
		struct mb_result res[2];
		unsigned long saves = 0;

		for (j = 0; j < 2; j++) {
			struct enc_cell c = { .persistent = j, .buf = buf, .size = size[k] };
			struct mb_run run = {
				.fn = op_enc, .arg = &c, .threads = 1,
				.iters = scaled(p, ENC_ITERS), .payload = size[k],
				.time_cap_s = 10,
			};
			struct mb_inputs in;
			uint64_t seq;
			size_t len;

			memset(&res[j], 0, sizeof(res[j]));
			c.fd = group_new(p->ctl, &in, MLS_GROUP_F_EPHEMERAL |
					 (j ? MLS_GROUP_F_PERSISTENT : 0), NULL);
			if (c.fd < 0 || (j && (k_export(c.fd, buf, SNAP_CAP, &len, &seq) ||
					       k_saved(c.fd, seq)))) {
				res[j].ran = true;
				res[j].errors = 1;
				res[j].err = c.fd < 0 ? c.fd : -EIO;
			} else {
				mb_random(c.data, sizeof(c.data));
				mb_run(&run, &res[j]);
			}
			if (c.fd >= 0)
				close(c.fd);
			if (j)
				saves = c.saves;
		}
		mb_json_obj(p->json, NULL);
		mb_json_int(p->json, "size", (long long)size[k]);
		mb_json_result(p->json, "plain", &res[0]);
		mb_json_result(p->json, "persistent", &res[1]);
		mb_json_int(p->json, "saves", (long long)saves);
		mb_json_end(p->json);
		for (j = 0; j < 2; j++) {
			if (res[j].errors || !res[j].iters) {
				p->failures++;
				mb_text_printf(p->text, "  encrypt %5zu B %-11s ERROR %s\n", size[k],
					       j ? "persistent" : "plain",
					       res[j].err ? strerror(-res[j].err) : "");
				continue;
			}
			mb_text_printf(p->text, "  encrypt %5zu B %-11s %10.0f/s %8.2f MB/s p50 %7.2f us p99 %7.2f us\n",
				       size[k], j ? "persistent" : "plain",
				       res[j].ops_per_s, res[j].mb_per_s, res[j].p50_us,
				       res[j].p99_us);
		}
		if (res[0].ops_per_s > 0 && res[1].iters)
			mb_text_printf(p->text, "  encrypt %5zu B persistent/plain %.2f (%lu saves of the reservation)\n",
				       size[k], res[1].ops_per_s / res[0].ops_per_s, saves);
	}
	mb_json_end(p->json);
}

void mb_persist(struct mb_persist_ctx *p)
{
	long long kept = 10;
	uint8_t *buf;
	FILE *f;
	int r;

	f = fopen("/sys/module/mls/parameters/epochs_kept", "r");
	if (f) {
		if (fscanf(f, "%lld", &kept) != 1 || kept < 0 || kept > EPOCHS_MAX)
			kept = 10;
		fclose(f);
	}
	mb_random(sig, sizeof(sig));
	mb_text_printf(p->text, "\nSnapshots (MLS_IOC_GROUP_EXPORT / IMPORT, suite 1, 2 leaves, 1 thread; us per call):\n");
	mb_text_printf(p->text, "  %-40s %7s | %10s %10s %10s %10s\n", "", "calls", "min",
		       "p50", "p99", "mean");
	mb_json_obj(p->json, "persist");
	r = seal_key_add();
	buf = malloc(SNAP_CAP);
	if (r || !buf) {
		p->failures++;
		mb_text_printf(p->text, "  no sealing key: %s\n", strerror(r ? -r : ENOMEM));
		mb_json_end(p->json);
		free(buf);
		return;
	}
	export_import(p, buf, 0, "one_epoch");
	export_import(p, buf, (unsigned int)kept, "all_epochs");
	sizes(p, buf, (unsigned int)kept);
	commit_durable(p, buf);
	restore(p, p->restore_groups);
	encrypt_rows(p, buf);
	mb_json_end(p->json);
	mb_text_printf(p->text, "  the file is written to the test machine's RAM-backed root (fsync does no I/O there)\n");
	free(buf);
}
