// SPDX-License-Identifier: GPL-2.0
/*
 * mls-bench: the module's tracepoints switched on and off, in a trace
 * instance of the benchmark's own (its own ring buffer: the system's
 * trace buffer and its settings are left alone).
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int put(const char *inst, const char *rel, const char *s)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", inst, rel);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

int mb_trace_open(char *inst, size_t cap)
{
	const char *root = NULL;

	if (!access("/sys/kernel/tracing/events", F_OK))
		root = "/sys/kernel/tracing";
	else if (!access("/sys/kernel/debug/tracing/events", F_OK))
		root = "/sys/kernel/debug/tracing";
	else if (!mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
		root = "/sys/kernel/tracing";
	if (!root)
		return -ENODEV;
	snprintf(inst, cap, "%s/instances/mls-bench.%d", root, (int)getpid());
	if (mkdir(inst, 0700))
		return -errno;
	if (put(inst, "events/mls/enable", "0")) {
		rmdir(inst);
		return -ENOENT;
	}
	return 0;
}

int mb_trace_enable(const char *inst, bool on)
{
	return put(inst, "events/mls/enable", on ? "1" : "0");
}

/* Records written so far: the per-cpu "entries" and "overrun" counts. */
unsigned long long mb_trace_records(const char *inst)
{
	unsigned long long total = 0;
	unsigned int cpu;

	for (cpu = 0;; cpu++) {
		char path[512], line[128];
		FILE *f;

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%u/stats", inst, cpu);
		f = fopen(path, "r");
		if (!f)
			break;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v;

			if (sscanf(line, "entries: %llu", &v) == 1 ||
			    sscanf(line, "overrun: %llu", &v) == 1)
				total += v;
		}
		fclose(f);
	}
	return total;
}

void mb_trace_close(const char *inst)
{
	mb_trace_enable(inst, false);
	rmdir(inst);
}
