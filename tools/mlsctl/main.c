// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl [OPTIONS] OBJECT COMMAND: the command line of mls.
 * Data on stdout, diagnostics on stderr; exit 0, 1 (usage), 2 (the
 * operation failed). mlsctl(8) is the manual.
 */
#include "mlsctl.h"

#include <string.h>

static const struct cmd objects[] = {
	{ "version", cmd_version, "module and API version, ciphersuites",
	  usage_version },
	{ "group", cmd_group, "create, join, show, commit, destroy groups",
	  NULL },
	{ "encrypt", cmd_encrypt, "sign and encrypt a message", usage_encrypt },
	{ "decrypt", cmd_decrypt, "decrypt and verify a message", usage_decrypt },
	{ "key", cmd_key, "signature keys: generate, public", NULL },
	{ "member", cmd_member, "run a group with the MLS client, file by file",
	  NULL },
	{ "monitor", cmd_monitor, "print the module's events as they happen",
	  usage_monitor },
	{ "stats", cmd_stats, "counters and latency histograms (sysfs)",
	  usage_stats },
	{ "health", cmd_health, "the module's health, one word", usage_health },
	{ "drain", cmd_drain, "drain the module for shutdown, or cancel",
	  usage_drain },
	{ "persist", cmd_persist, "what mls-persistd stored (status)", NULL },
	/*
	 * The event buffer's objects (endpoint record / state / breaker /
	 * throttled) go here, one file each, once its ioctls are in
	 * uapi/linux/mls.h.
	 */
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: mlsctl [OPTIONS] OBJECT COMMAND [ARGS]\n\nobjects:\n");
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		fprintf(f, "  %-15s %s\n", objects[i].name, objects[i].summary);
	fprintf(f, "  %-15s %s\n", "help", "this list; OBJECT help: its commands");
	fprintf(f, "\noptions:\n"
		"  -j, --json      JSON output (schema: mlsctl(8))\n"
		"  -h, --help      this list\n"
		"\nSecrets and keys are read from files (\"-\": stdin), never from\n"
		"the command line. Exit status: 0 ok, 1 usage, 2 the operation failed.\n");
}

int main(int argc, char **argv)
{
	struct mlsctl_opts o = { 0 };
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--json") == 0) {
			o.json = true;
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		}
		fprintf(stderr, "mlsctl: unknown option %s\n", argv[i]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	return run_cmd("mlsctl", objects, ARRAY_SIZE(objects),
		       &o, argc - i, argv + i);
}
