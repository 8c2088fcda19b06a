// SPDX-License-Identifier: GPL-2.0
/*
 * Running one measured cell on 1 or 2 threads: calls handed out in order
 * (an atomic ticket), one CLOCK_MONOTONIC read per call, per-call samples
 * for the percentiles, and the page allocator's counters around the cell.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct mb_worker {
	const struct mb_run *r;
	unsigned int thread;
	uint64_t *samples;
	unsigned long n;
	uint64_t start, end;
	int err;
	unsigned long errors;
	pthread_barrier_t *barrier;
	unsigned long *next;
	int *stop;
	uint64_t *t0;		/* the earliest start, for the time cap */
};

static void *mb_worker_main(void *p)
{
	struct mb_worker *w = p;
	const struct mb_run *r = w->r;
	uint64_t cap_ns = (uint64_t)(r->time_cap_s * 1e9);
	uint64_t prev, t;

	if (r->warm)
		r->warm(r->arg, w->thread, 0);
	pthread_barrier_wait(w->barrier);
	prev = mb_now_ns();
	w->start = prev;
	__atomic_compare_exchange_n(w->t0, &(uint64_t){ 0 }, prev, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	for (;;) {
		unsigned long i;
		int ret;

		if (__atomic_load_n(w->stop, __ATOMIC_RELAXED))
			break;
		i = __atomic_fetch_add(w->next, 1, __ATOMIC_RELAXED);
		if (i >= r->iters)
			break;
		ret = r->fn(r->arg, w->thread, i);
		t = mb_now_ns();
		if (ret < 0) {
			if (!w->err)
				w->err = ret;
			w->errors++;
		}
		w->samples[w->n++] = t - prev;
		prev = t;
		if (cap_ns && t - __atomic_load_n(w->t0, __ATOMIC_RELAXED) > cap_ns)
			__atomic_store_n(w->stop, 1, __ATOMIC_RELAXED);
	}
	w->end = prev;
	if (r->done)
		r->done(r->arg, w->thread, 0);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank. */
static double percentile_us(const uint64_t *s, unsigned long n, double p)
{
	unsigned long k;

	if (!n)
		return 0;
	k = (unsigned long)ceil(p * (double)n);
	if (k < 1)
		k = 1;
	return (double)s[k - 1] / 1e3;
}

void mb_acc_init(struct mb_acc *a)
{
	memset(a, 0, sizeof(*a));
}

void mb_round(const struct mb_run *r, struct mb_acc *a)
{
	struct mb_worker w[MB_MAX_THREADS];
	pthread_t tid[MB_MAX_THREADS];
	pthread_barrier_t barrier;
	unsigned long next = r->offset, n = 0;
	unsigned long long pg0, pg1;
	uint64_t start = UINT64_MAX, end = 0, t0 = 0;
	unsigned int k, threads = r->threads;
	struct mb_run rr = *r;
	int stop = 0;

	if (threads < 1 || threads > MB_MAX_THREADS || !r->iters)
		return;
	/* The workers compare the ticket with offset + iters. */
	rr.iters = r->offset + r->iters;
	a->threads = threads;
	a->payload = r->payload;
	if (a->n + r->iters > a->cap) {
		a->cap = a->n + r->iters;
		a->samples = realloc(a->samples, a->cap * sizeof(uint64_t));
		if (!a->samples)
			abort();
	}
	pthread_barrier_init(&barrier, NULL, threads);
	for (k = 0; k < threads; k++) {
		w[k] = (struct mb_worker){
			.r = &rr, .thread = k, .barrier = &barrier,
			.next = &next, .stop = &stop, .t0 = &t0,
		};
		w[k].samples = malloc(r->iters * sizeof(uint64_t));
		if (!w[k].samples)
			abort();
		/* Touched now, so that the cell's page count is the op's. */
		memset(w[k].samples, 1, r->iters * sizeof(uint64_t));
	}
	pg0 = mb_pgalloc();
	for (k = 0; k < threads; k++)
		if (pthread_create(&tid[k], NULL, mb_worker_main, &w[k]))
			abort();
	for (k = 0; k < threads; k++)
		pthread_join(tid[k], NULL);
	pg1 = mb_pgalloc();
	pthread_barrier_destroy(&barrier);

	for (k = 0; k < threads; k++) {
		if (w[k].n) {
			if (w[k].start < start)
				start = w[k].start;
			if (w[k].end > end)
				end = w[k].end;
			memcpy(a->samples + a->n, w[k].samples,
			       w[k].n * sizeof(uint64_t));
			a->n += w[k].n;
			n += w[k].n;
		}
		if (!a->err)
			a->err = w[k].err;
		a->errors += w[k].errors;
		free(w[k].samples);
	}
	a->rounds++;
	if (pg1 >= pg0)
		a->pages += pg1 - pg0;
	if (n && end > start) {
		double el = (double)(end - start) / 1e9;

		a->elapsed_s += el;
		if ((double)n / el > a->best_ops)
			a->best_ops = (double)n / el;
	}
}

void mb_finish(struct mb_acc *a, struct mb_result *res)
{
	uint64_t sum = 0;
	unsigned long i;

	memset(res, 0, sizeof(*res));
	res->threads = a->threads;
	res->rounds = a->rounds;
	res->err = a->err;
	res->errors = a->errors;
	res->ran = a->rounds > 0;
	if (a->n) {
		qsort(a->samples, a->n, sizeof(uint64_t), cmp_u64);
		for (i = 0; i < a->n; i++)
			sum += a->samples[i];
		res->iters = a->n;
		res->elapsed_s = a->elapsed_s;
		res->ops_per_s = a->best_ops;
		res->ops_per_s_overall = a->elapsed_s > 0 ?
					 (double)a->n / a->elapsed_s : 0;
		res->mb_per_s = res->ops_per_s * (double)a->payload / 1e6;
		res->min_us = (double)a->samples[0] / 1e3;
		res->p10_us = percentile_us(a->samples, a->n, 0.10);
		res->p50_us = percentile_us(a->samples, a->n, 0.50);
		res->p99_us = percentile_us(a->samples, a->n, 0.99);
		res->mean_us = (double)sum / (double)a->n / 1e3;
		res->pages_per_call = (double)a->pages / (double)a->n;
	}
	free(a->samples);
	a->samples = NULL;
}

void mb_run(const struct mb_run *r, struct mb_result *res)
{
	struct mb_acc a;

	mb_acc_init(&a);
	mb_round(r, &a);
	mb_finish(&a, res);
}

unsigned long long mb_pgalloc(void)
{
	FILE *f = fopen("/proc/vmstat", "r");
	unsigned long long sum = 0, v;
	char name[64];

	if (!f)
		return 0;
	while (fscanf(f, "%63s %llu", name, &v) == 2)
		if (!strncmp(name, "pgalloc_", 8))
			sum += v;
	fclose(f);
	return sum;
}
