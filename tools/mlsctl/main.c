// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl [OPTIONS] OBJECT COMMAND: the command line of mls.
 * Data on stdout, diagnostics on stderr; exit 0, 1 (usage), 2 (kernel).
 */
#include "mlsctl.h"

#include <stdio.h>
#include <string.h>

struct object {
	const char *name;
	int (*fn)(const struct mlsctl_opts *o, int argc, char **argv);
	const char *help;
};

static const struct object objects[] = {
	{ "version", cmd_version, "module and API version, ciphersuites" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: mlsctl [-j] OBJECT [COMMAND] [ARGS]\n\nobjects:\n");
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		fprintf(f, "  %-12s %s\n", objects[i].name, objects[i].help);
	fprintf(f, "\noptions:\n  -j  JSON output\n");
}

/* Unique-prefix match, as ip(8) does. */
static const struct object *find_object(const char *word)
{
	const struct object *found = NULL;
	size_t i, n = strlen(word);

	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		if (strcmp(objects[i].name, word) == 0)
			return &objects[i];
		if (n && strncmp(objects[i].name, word, n) == 0) {
			if (found)
				return NULL;
			found = &objects[i];
		}
	}
	return found;
}

int main(int argc, char **argv)
{
	struct mlsctl_opts o = { 0 };
	const struct object *obj;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--json") == 0) {
			o.json = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "mlsctl: unknown option %s\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	obj = find_object(argv[i]);
	if (!obj) {
		fprintf(stderr, "mlsctl: unknown or ambiguous object \"%s\"\n", argv[i]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return obj->fn(&o, argc - i - 1, argv + i + 1);
}
