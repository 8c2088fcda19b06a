// SPDX-License-Identifier: GPL-2.0
/*
 * mlsctl drain: the first half of a graceful shutdown (MLS_IOC_DRAIN),
 * and its cancel. mlsctl(8), "drain", is the manual.
 */
#include "mlsctl.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

const char usage_drain[] = "[destroy] [timeout MS] | cancel\n"
	"\n"
	"Drains the module: the operations that change a group or make a new\n"
	"one fail with ESHUTDOWN from now on, the calls in flight finish, and\n"
	"the drain waits up to MS milliseconds in all (0 or none: the module's\n"
	"drain_timeout_ms) for every persistent group to be saved. Prints\n"
	"\"saved N not-saved N destroyed N\"; the groups not saved are named in\n"
	"the kernel log. destroy: then destroy every group (secrets erased).\n"
	"The module stays drained until mlsctl drain cancel, which resumes the\n"
	"service. Needs CAP_SYS_ADMIN. --destroy, --timeout and --cancel are\n"
	"the same words.\n";

static bool word_is(const char *arg, const char *w)
{
	return strcmp(arg, w) == 0 ||
	       (arg[0] == '-' && arg[1] == '-' && strcmp(arg + 2, w) == 0);
}

/* What MLS_IOC_DRAIN's errors mean to whoever runs the command. */
static int drain_error(int err, bool cancel)
{
	const char *cmd = cancel ? "drain cancel" : "drain";

	switch (-err) {
	case EPERM:
		return op_error(err, "%s: needs CAP_SYS_ADMIN", cmd);
	case EBUSY:
		return op_error(err, "%s: another drain is waiting: let it end "
				"first", cmd);
	case EALREADY:
		return op_error(err, "%s: the module is not drained", cmd);
	case ETIMEDOUT:
		return op_error(err, "%s: calls in flight did not finish in "
				"time; the module stays drained (drain again, or "
				"cancel)", cmd);
	case EINTR:
		return op_error(err, "%s: interrupted; the module stays drained",
				cmd);
	case ENOTTY:
		return op_error(err, "%s: the module has no drain", cmd);
	default:
		return op_error(err, "%s", cmd);
	}
}

int cmd_drain(const struct mlsctl_opts *o, int argc, char **argv)
{
	struct mls_drain d;
	uint32_t flags = 0, timeout_ms = 0;
	bool cancel = false, timeout = false;
	struct jw w;
	int ctl, err;

	for (int i = 0; i < argc; i++) {
		if (word_is(argv[i], "destroy")) {
			flags |= MLS_DRAIN_F_DESTROY;
		} else if (word_is(argv[i], "cancel")) {
			cancel = true;
		} else if (word_is(argv[i], "timeout")) {
			if (!arg_next(argc, argv, &i))
				return EXIT_USAGE;
			if (!parse_u32(argv[i], &timeout_ms))
				return usage_error("drain: timeout: milliseconds, "
						   "not \"%s\"", argv[i]);
			timeout = true;
		} else {
			return usage_error("drain: unknown argument \"%s\"",
					   argv[i]);
		}
	}
	if (cancel && (flags || timeout))
		return usage_error("drain: cancel goes alone");
	if (cancel)
		flags = MLS_DRAIN_F_CANCEL;
	ctl = open_ctl();
	if (ctl < 0)
		return EXIT_KERNEL;
	memset(&d, 0, sizeof(d));
	fflush(stdout);
	err = mls_drain(ctl, flags, timeout_ms, &d);
	close(ctl);
	if (err)
		return drain_error(err, cancel);
	if (o->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "drain", cancel ? "cancelled" : "drained");
		if (!cancel) {
			jw_u64(&w, "saved", d.saved);
			jw_u64(&w, "not_saved", d.not_saved);
			jw_u64(&w, "destroyed", d.destroyed);
		}
		jw_obj_end(&w);
	} else if (cancel) {
		printf("cancelled\n");
	} else {
		printf("saved %u not-saved %u destroyed %u\n", d.saved,
		       d.not_saved, d.destroyed);
	}
	if (d.not_saved)
		fprintf(stderr, "mlsctl: drain: %u persistent group%s not saved "
			"(the kernel log names them)\n", d.not_saved,
			d.not_saved == 1 ? "" : "s");
	return EXIT_OK;
}
