// SPDX-License-Identifier: GPL-2.0
/*
 * mls-evbench: records per second of the event buffer, for 1 and 2
 * threads, on one hot endpoint and on distinct endpoints, measured three
 * ways: through MLS_IOC_EVBUF_RECORD (one system call per record), through
 * MLS_IOC_EVBUF_BENCH (a loop of records inside the kernel: the state word
 * and the clock reading of each record), and with the same loop reading
 * the clock once per 256 records (the state word alone).
 *
 * The module changes its state words with compare-and-swap, or, loaded
 * with evbuf_lock=spinlock, under one table-wide spinlock. Run the tool in
 * each mode with -o FILE (results are appended: run it again for more
 * rounds), then --compare CAS_FILE SPINLOCK_FILE prints the medians side
 * by side (tools/vm/jobs/evbench alternates the modes for a few rounds).
 *
 * usage: mls-evbench [-n IOCTL_RECORDS] [-k LOOP_RECORDS] [-r RUNS] [-o FILE]
 *        (-o appends this run's medians to FILE)
 *        mls-evbench --compare CAS_FILE SPINLOCK_FILE
 *
 * Exit status: 0, 1 (usage), 2 (a kernel or system error).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/mls.h>

#define MAX_THREADS	2
#define NSCEN		4
#define NMETHOD		3

enum method { M_IOCTL, M_LOOP, M_WORD };

struct scenario {
	const char *key;
	const char *what;
	int threads;
	bool hot;	/* all threads on one endpoint */
};

static const struct scenario scenarios[NSCEN] = {
	{ "hot1", "one endpoint, 1 thread", 1, true },
	{ "hot2", "one endpoint, 2 threads", 2, true },
	{ "own1", "distinct endpoints, 1 thread", 1, false },
	{ "own2", "distinct endpoints, 2 threads", 2, false },
};

static const char *const method_key[NMETHOD] = { "ioctl", "loop", "word" };

static const char *const method_what[NMETHOD] = {
	"Through MLS_IOC_EVBUF_RECORD, one system call per record:",
	"In a loop inside the kernel (MLS_IOC_EVBUF_BENCH), a clock reading per record:",
	"The same loop with one clock reading per 256 records: the state word alone:",
};

struct result {
	double rate;		/* records per second, all threads */
	double ns;		/* nanoseconds per record, per thread */
	double retries;		/* CAS retries per record */
	unsigned long long throttled;	/* records the rate limit refused */
	unsigned long long contended;	/* records denied after too many lost races */
};

/* An endpoint's counters, before and after a run. */
struct counters {
	unsigned long long retries, throttled, contended;
};

struct worker {
	int fd;
	int cpu;
	enum method method;
	unsigned long count;
	char id[MLS_EVBUF_ID_SIZE];
	pthread_barrier_t *go;
	struct counters before;
	int err;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_id(char *id, const char *name)
{
	memset(id, 0, MLS_EVBUF_ID_SIZE);
	snprintf(id, MLS_EVBUF_ID_SIZE, "evbench.%s", name);
}

/* An endpoint whose rate never throttles: every record is one state change. */
static int make_endpoint(int fd, const char *name)
{
	struct mls_evbuf_config c = { 0 };

	c.flags = MLS_EVBUF_F_CREATE;
	set_id(c.id, name);
	c.mask = MLS_EVBUF_CFG_RATE;
	c.rate = MLS_EVBUF_MAX_RATE;
	c.burst = MLS_EVBUF_MAX_BURST;
	return ioctl(fd, MLS_IOC_EVBUF_CONFIG, &c) ? -errno : 0;
}

static void remove_endpoint(int fd, const char *name)
{
	struct mls_evbuf_remove r = { 0 };

	set_id(r.id, name);
	ioctl(fd, MLS_IOC_EVBUF_REMOVE, &r);
}

static void endpoint_counters(int fd, const char *id, struct counters *c)
{
	struct mls_evbuf_state st = { 0 };

	memcpy(st.id, id, sizeof(st.id));
	memset(c, 0, sizeof(*c));
	if (ioctl(fd, MLS_IOC_EVBUF_STATE, &st))
		return;
	c->retries = st.cas_retries;
	c->throttled = st.throttled_events;
	c->contended = st.contended;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct mls_evbuf_record r = { 0 };
	struct mls_evbuf_bench b = { 0 };
	cpu_set_t set;
	unsigned long i;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	memcpy(r.id, w->id, sizeof(r.id));
	memcpy(b.id, w->id, sizeof(b.id));
	pthread_barrier_wait(w->go);
	if (w->method != M_IOCTL) {
		b.count = (__u32)w->count;
		b.flags = w->method == M_WORD ? MLS_EVBUF_F_BATCH_CLOCK : 0;
		if (ioctl(w->fd, MLS_IOC_EVBUF_BENCH, &b))
			w->err = errno;
		return NULL;
	}
	for (i = 0; i < w->count; i++) {
		if (ioctl(w->fd, MLS_IOC_EVBUF_RECORD, &r) &&
		    errno != EAGAIN && errno != ECONNREFUSED) {
			w->err = errno;
			return NULL;
		}
	}
	return NULL;
}

static int measure(int fd, const struct scenario *s, enum method m,
		   unsigned long count, struct result *res)
{
	struct worker w[MAX_THREADS];
	pthread_barrier_t go;
	pthread_t th[MAX_THREADS];
	struct counters after;
	double t0, t1;
	int i, err = 0;

	pthread_barrier_init(&go, NULL, (unsigned int)s->threads + 1);
	for (i = 0; i < s->threads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].fd = fd;
		w[i].cpu = i;
		w[i].method = m;
		w[i].count = count;
		w[i].go = &go;
		set_id(w[i].id, s->hot ? "hot" : i ? "own1" : "own0");
		if (!s->hot || !i)
			endpoint_counters(fd, w[i].id, &w[i].before);
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	pthread_barrier_wait(&go);
	t0 = now_s();
	for (i = 0; i < s->threads; i++)
		pthread_join(th[i], NULL);
	t1 = now_s();
	pthread_barrier_destroy(&go);

	memset(res, 0, sizeof(*res));
	for (i = 0; i < s->threads; i++) {
		if (w[i].err)
			err = w[i].err;
		if (s->hot && i)
			continue;
		endpoint_counters(fd, w[i].id, &after);
		res->retries += (double)(after.retries - w[i].before.retries);
		res->throttled += after.throttled - w[i].before.throttled;
		res->contended += after.contended - w[i].before.contended;
	}
	if (err) {
		fprintf(stderr, "mls-evbench: %s: %s\n", s->key, strerror(err));
		return -1;
	}
	res->rate = (double)count * s->threads / (t1 - t0);
	res->ns = (t1 - t0) * 1e9 / (double)count;
	res->retries /= (double)count * s->threads;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median run of @runs, by rate. */
static int measure_median(int fd, const struct scenario *s, enum method m,
			  unsigned long count, int runs, struct result *out)
{
	struct result r[16];
	double rates[16];
	int i;

	for (i = 0; i < runs; i++) {
		if (measure(fd, s, m, count, &r[i]))
			return -1;
		rates[i] = r[i].rate;
	}
	qsort(rates, (size_t)runs, sizeof(double), cmp_double);
	for (i = 0; i < runs; i++)
		if (r[i].rate == rates[runs / 2])
			break;
	*out = r[i];
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mls-evbench [-n IOCTL_RECORDS] [-k LOOP_RECORDS] [-r RUNS] [-o FILE]\n"
		"       mls-evbench --compare CAS_FILE SPINLOCK_FILE\n");
}

#define MAX_ROUNDS	64

static int cmp_result(const void *a, const void *b)
{
	const struct result *x = a, *y = b;

	return x->rate < y->rate ? -1 : x->rate > y->rate;
}

/*
 * Lines "lock MODE" and "scenario method rate ns retries throttled
 * contended", one round after another: the median round of each cell.
 */
static int load(const char *path, struct result res[NSCEN][NMETHOD], char *lock,
		size_t len, int *rounds)
{
	static struct result all[NSCEN][NMETHOD][MAX_ROUNDS];
	int n[NSCEN][NMETHOD] = { { 0 } };
	char key[32], mkey[32], line[256];
	FILE *f = fopen(path, "r");
	struct result r;
	int s, m;

	if (!f) {
		fprintf(stderr, "mls-evbench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "lock %31s", key) == 1) {
			snprintf(lock, len, "%s", key);
			continue;
		}
		if (sscanf(line, "%31s %31s %lf %lf %lf %llu %llu", key, mkey, &r.rate,
			   &r.ns, &r.retries, &r.throttled, &r.contended) != 7)
			continue;
		for (s = 0; s < NSCEN; s++)
			for (m = 0; m < NMETHOD; m++)
				if (!strcmp(key, scenarios[s].key) &&
				    !strcmp(mkey, method_key[m]) && n[s][m] < MAX_ROUNDS)
					all[s][m][n[s][m]++] = r;
	}
	fclose(f);
	*rounds = n[0][0];
	for (s = 0; s < NSCEN; s++) {
		for (m = 0; m < NMETHOD; m++) {
			if (!n[s][m])
				return -1;
			qsort(all[s][m], (size_t)n[s][m], sizeof(r), cmp_result);
			res[s][m] = all[s][m][n[s][m] / 2];
		}
	}
	return 0;
}

static int compare(const char *cas_path, const char *spin_path)
{
	static struct result cas[NSCEN][NMETHOD], spin[NSCEN][NMETHOD];
	char lock_a[32] = "?", lock_b[32] = "?";
	int s, m, rounds_a, rounds_b;

	if (load(cas_path, cas, lock_a, sizeof(lock_a), &rounds_a) ||
	    load(spin_path, spin, lock_b, sizeof(lock_b), &rounds_b)) {
		fprintf(stderr, "mls-evbench: incomplete result files\n");
		return 2;
	}
	printf("medians of %d rounds (%s) and %d rounds (%s)\n", rounds_a, lock_a,
	       rounds_b, lock_b);
	for (m = 0; m < NMETHOD; m++) {
		printf("\n%s\n", method_what[m]);
		printf("%-31s %13s %9s %13s %9s %9s %11s\n", "", lock_a, "ns/rec",
		       lock_b, "ns/rec", "ratio", "retries/rec");
		for (s = 0; s < NSCEN; s++)
			printf("%-31s %13.0f %9.1f %13.0f %9.1f %8.2fx %11.4f\n",
			       scenarios[s].what, cas[s][m].rate, cas[s][m].ns,
			       spin[s][m].rate, spin[s][m].ns,
			       cas[s][m].rate / spin[s][m].rate, cas[s][m].retries);
		printf("%-31s %12.2fx %9s %12.2fx\n", "scaling, distinct, 2 vs 1",
		       cas[3][m].rate / cas[2][m].rate, "",
		       spin[3][m].rate / spin[2][m].rate);
		printf("%-31s %12.2fx %9s %12.2fx\n", "scaling, one endpoint, 2 vs 1",
		       cas[1][m].rate / cas[0][m].rate, "",
		       spin[1][m].rate / spin[0][m].rate);
	}
	printf("\nrecords/s: all threads together; ns/rec: time per record seen by one thread;\n"
	       "ratio: %s over %s; retries/rec: CAS retries per record (%s).\n",
	       lock_a, lock_b, lock_a);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n_ioctl = 200000, n_loop = 2000000;
	struct result res[NSCEN][NMETHOD];
	struct mls_evbuf_info info = { 0 };
	const char *out = NULL, *lock;
	int runs = 3, fd, opt, s, m, rc = 0;
	FILE *f = NULL;

	if (argc == 4 && !strcmp(argv[1], "--compare"))
		return compare(argv[2], argv[3]);
	while ((opt = getopt(argc, argv, "n:k:r:o:h")) != -1) {
		switch (opt) {
		case 'n':
			n_ioctl = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			n_loop = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
			return 1;
		}
	}
	if (optind != argc || !n_ioctl || !n_loop || n_loop > 100000000 ||
	    runs < 1 || runs > 16) {
		usage();
		return 1;
	}

	fd = open("/dev/mls", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, MLS_IOC_EVBUF_INFO, &info)) {
		fprintf(stderr, "mls-evbench: /dev/mls: %s\n", strerror(errno));
		return 2;
	}
	lock = info.lock == MLS_EVBUF_LOCK_SPINLOCK ? "spinlock" : "cas";
	if (make_endpoint(fd, "hot") || make_endpoint(fd, "own0") ||
	    make_endpoint(fd, "own1")) {
		fprintf(stderr, "mls-evbench: creating endpoints: %s\n", strerror(errno));
		rc = 2;
		goto out;
	}
	if (out) {
		f = fopen(out, "a");
		if (!f) {
			fprintf(stderr, "mls-evbench: %s: %s\n", out, strerror(errno));
			rc = 2;
			goto out;
		}
		fprintf(f, "lock %s\n", lock);
	}

	printf("mls-evbench: state changes by %s, %ld CPUs online, median of %d runs\n",
	       lock, sysconf(_SC_NPROCESSORS_ONLN), runs);
	printf("%-31s %-6s %13s %9s %11s %9s %9s\n", "", "", "records/s", "ns/rec",
	       "retries/rec", "throttled", "contended");
	for (m = 0; m < NMETHOD; m++) {
		for (s = 0; s < NSCEN; s++) {
			if (measure_median(fd, &scenarios[s], (enum method)m,
					   m == M_IOCTL ? n_ioctl : n_loop, runs, &res[s][m])) {
				rc = 2;
				goto out;
			}
			printf("%-31s %-6s %13.0f %9.1f %11.4f %9llu %9llu\n",
			       scenarios[s].what, method_key[m], res[s][m].rate,
			       res[s][m].ns, res[s][m].retries, res[s][m].throttled,
			       res[s][m].contended);
			if (f)
				fprintf(f, "%s %s %.1f %.2f %.6f %llu %llu\n", scenarios[s].key,
					method_key[m], res[s][m].rate, res[s][m].ns,
					res[s][m].retries, res[s][m].throttled,
					res[s][m].contended);
		}
	}
out:
	if (f)
		fclose(f);
	remove_endpoint(fd, "hot");
	remove_endpoint(fd, "own0");
	remove_endpoint(fd, "own1");
	close(fd);
	return rc;
}
