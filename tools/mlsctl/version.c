// SPDX-License-Identifier: GPL-2.0
/* mlsctl version: what the module reports about itself. */
#include "mlsctl.h"

#include <libmls.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void read_sysfs(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mls/%s", name);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int cmd_version(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mls_version v;
	char modver[64];
	int fd, ret, s, first = 1;

	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		printf("usage: mlsctl [-j] version\n");
		return EXIT_OK;
	}
	if (argc > 0) {
		fprintf(stderr, "mlsctl version: unexpected argument \"%s\"\n", argv[0]);
		return EXIT_USAGE;
	}
	fd = mls_open(0);
	if (fd < 0) {
		fprintf(stderr, "mlsctl: /dev/mls: %s\n", strerror(-fd));
		return EXIT_KERNEL;
	}
	ret = mls_get_version(fd, &v);
	close(fd);
	if (ret < 0) {
		fprintf(stderr, "mlsctl: version: %s\n", strerror(-ret));
		return EXIT_KERNEL;
	}
	read_sysfs("version", modver, sizeof(modver));

	if (o->json) {
		printf("{\"module_version\":\"%s\",\"api_version\":%u,"
		       "\"features\":%llu,\"suites\":[", modver, v.api_version,
		       (unsigned long long)v.features);
		for (s = 0; s < 64; s++)
			if (v.suites & (1ULL << s)) {
				printf("%s%d", first ? "" : ",", s);
				first = 0;
			}
		printf("]}\n");
		return EXIT_OK;
	}
	printf("module version: %s\napi version:    %u\nfeatures:       0x%llx\nciphersuites:  ",
	       modver, v.api_version, (unsigned long long)v.features);
	for (s = 0; s < 64; s++)
		if (v.suites & (1ULL << s))
			printf(" %d", s);
	printf("\n");
	return EXIT_OK;
}
