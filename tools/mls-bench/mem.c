// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel memory as the guest sees it: /proc/meminfo (Slab, SUnreclaim...)
 * and /proc/slabinfo (bytes of active objects per cache). The module has
 * no memory accounting of its own yet, so what it holds is measured as
 * the difference these make around creating groups and epochs.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <stdlib.h>
#include <string.h>

int mb_read_meminfo(struct mb_meminfo *m)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];

	memset(m, 0, sizeof(*m));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		long long v;

		if (sscanf(line, "%63[^:]: %lld", name, &v) != 2)
			continue;
		if (!strcmp(name, "Slab"))
			m->slab_kb = v;
		else if (!strcmp(name, "SUnreclaim"))
			m->sunreclaim_kb = v;
		else if (!strcmp(name, "MemFree"))
			m->memfree_kb = v;
		else if (!strcmp(name, "Percpu"))
			m->percpu_kb = v;
		else if (!strcmp(name, "VmallocUsed"))
			m->vmalloc_kb = v;
	}
	fclose(f);
	return 0;
}

struct mb_slab {
	char name[64];
	long long active_objs;
	long long objsize;
};

struct mb_slabinfo {
	struct mb_slab *s;
	size_t n;
};

/* slabinfo 2.1: name active_objs num_objs objsize objperslab pagesperslab ... */
struct mb_slabinfo *mb_read_slabinfo(void)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	struct mb_slabinfo *si;
	char line[512];
	size_t cap = 0;

	if (!f)
		return NULL;
	si = calloc(1, sizeof(*si));
	if (!si)
		abort();
	while (fgets(line, sizeof(line), f)) {
		struct mb_slab e;
		long long num;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %lld %lld %lld", e.name, &e.active_objs,
			   &num, &e.objsize) != 4)
			continue;
		if (si->n == cap) {
			cap = cap ? 2 * cap : 256;
			si->s = realloc(si->s, cap * sizeof(*si->s));
			if (!si->s)
				abort();
		}
		si->s[si->n++] = e;
	}
	fclose(f);
	return si;
}

void mb_slabinfo_free(struct mb_slabinfo *s)
{
	if (!s)
		return;
	free(s->s);
	free(s);
}

static const struct mb_slab *find(const struct mb_slabinfo *s,
				  const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->s[i].name, name))
			return &s->s[i];
	return NULL;
}

struct delta {
	const char *name;
	long long bytes;
	long long objs;
};

static int cmp_delta(const void *a, const void *b)
{
	long long x = ((const struct delta *)a)->bytes;
	long long y = ((const struct delta *)b)->bytes;

	return x > y ? -1 : x < y;
}

long long mb_slab_delta(const struct mb_slabinfo *before,
			const struct mb_slabinfo *after, char *top,
			size_t top_cap, unsigned int ntop)
{
	struct delta *d;
	long long total = 0;
	size_t i, n = 0, len = 0;

	if (top_cap)
		top[0] = 0;
	if (!before || !after)
		return 0;
	d = calloc(after->n, sizeof(*d));
	if (!d)
		abort();
	for (i = 0; i < after->n; i++) {
		const struct mb_slab *a = &after->s[i];
		const struct mb_slab *b = find(before, a->name);
		long long objs = a->active_objs - (b ? b->active_objs : 0);

		d[n++] = (struct delta){ a->name, objs * a->objsize, objs };
		total += objs * a->objsize;
	}
	qsort(d, n, sizeof(*d), cmp_delta);
	for (i = 0; i < n && i < ntop && d[i].bytes > 0; i++) {
		int w = snprintf(top + len, top_cap - len, "%s%s %+lld obj %+lld B",
				 i ? ", " : "", d[i].name, d[i].objs, d[i].bytes);

		if (w < 0 || (size_t)w >= top_cap - len)
			break;
		len += (size_t)w;
	}
	free(d);
	return total;
}
