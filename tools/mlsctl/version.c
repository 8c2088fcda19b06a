// SPDX-License-Identifier: GPL-2.0
/* mlsctl version: what the module reports about itself. */
#include "mlsctl.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

const char usage_version[] = "\n"
	"Prints the module version (sysfs), the API version, the feature\n"
	"bits and the supported ciphersuites.\n";

/* Indexed by bit number; a bit this table does not know prints as "bitN". */
static const char *const feature_names[] = {
	[0] = "version_ioctl",		/* MLS_FEATURE_VERSION_IOCTL */
	[1] = "groups",			/* MLS_FEATURE_GROUPS */
	[2] = "evbuf",			/* MLS_FEATURE_EVBUF */
	[3] = "events",			/* MLS_FEATURE_EVENTS */
	[4] = "handshake",		/* MLS_FEATURE_HANDSHAKE */
	[5] = "batch",			/* MLS_FEATURE_BATCH */
	[6] = "persist",		/* MLS_FEATURE_PERSIST */
	[7] = "reserve",		/* MLS_FEATURE_RESERVE */
	[8] = "drain",			/* MLS_FEATURE_DRAIN */
	[9] = "decrypt_zerocopy",	/* MLS_FEATURE_DECRYPT_ZEROCOPY */
	[10] = "commit_final",		/* MLS_FEATURE_COMMIT_FINAL */
};

static const char *feature_name(unsigned int bit, char *buf, size_t len)
{
	if (bit < ARRAY_SIZE(feature_names) && feature_names[bit])
		return feature_names[bit];
	snprintf(buf, len, "bit%u", bit);
	return buf;
}

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
	char modver[64], unknown[8];
	unsigned int b;
	struct jw w;
	int fd, ret;

	if (argc > 0)
		return usage_error("version: unexpected argument \"%s\"", argv[0]);
	fd = open_ctl();
	if (fd < 0)
		return EXIT_KERNEL;
	ret = mls_get_version(fd, &v);
	close(fd);
	if (ret < 0)
		return op_error(ret, "version");
	read_sysfs("version", modver, sizeof(modver));

	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "module_version", modver);
		jw_u64(&w, "api_version", v.api_version);
		jw_u64(&w, "features", v.features);
		jw_arr(&w, "feature_names");
		for (b = 0; b < 64; b++)
			if (v.features & (1ULL << b))
				jw_str(&w, NULL, feature_name(b, unknown, sizeof(unknown)));
		jw_arr_end(&w);
		jw_arr(&w, "suites");
		for (b = 0; b < 64; b++)
			if (v.suites & (1ULL << b))
				jw_u64(&w, NULL, b);
		jw_arr_end(&w);
		jw_obj_end(&w);
		return EXIT_OK;
	}
	printf("module version: %s\napi version:    %u\nfeatures:       0x%" PRIx64,
	       modver, v.api_version, (uint64_t)v.features);
	for (b = 0; b < 64; b++)
		if (v.features & (1ULL << b))
			printf(" %s", feature_name(b, unknown, sizeof(unknown)));
	printf("\nciphersuites:\n");
	for (b = 0; b < 64; b++)
		if (v.suites & (1ULL << b))
			printf("  %2u %s\n", b, mls_suite_name(b) ? mls_suite_name(b) : "");
	return EXIT_OK;
}
