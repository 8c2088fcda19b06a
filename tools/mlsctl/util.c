// SPDX-License-Identifier: GPL-2.0
/* mlsctl helpers: dispatch, diagnostics, arguments, files, JSON. */
#include "mlsctl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ dispatch */

static void list_cmds(FILE *f, const char *path, const struct cmd *cmds, size_t n)
{
	size_t i;

	fprintf(f, "usage: %s COMMAND [ARGS]\n\ncommands:\n", path);
	for (i = 0; i < n; i++)
		fprintf(f, "  %-15s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "  %-15s %s\n", "help", "this list; COMMAND help: its usage");
}

/* An exact name, else a unique prefix (as ip(8) does); NULL if none. */
static const struct cmd *find_cmd(const struct cmd *cmds, size_t n,
				  const char *word, bool *ambiguous)
{
	const struct cmd *found = NULL;
	size_t i, len = strlen(word);

	*ambiguous = false;
	for (i = 0; i < n; i++) {
		if (strcmp(cmds[i].name, word) == 0)
			return &cmds[i];
		if (len && strncmp(cmds[i].name, word, len) == 0) {
			if (found)
				*ambiguous = true;
			found = &cmds[i];
		}
	}
	return *ambiguous ? NULL : found;
}

int run_cmd(const char *path, const struct cmd *cmds, size_t n,
	    const struct mlsctl_opts *o, int argc, char **argv)
{
	const struct cmd *c;
	char sub[128];
	bool ambiguous;
	size_t i;

	if (argc < 1) {
		list_cmds(stderr, path, cmds, n);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "--help") == 0) {
		list_cmds(stdout, path, cmds, n);
		return EXIT_OK;
	}
	c = find_cmd(cmds, n, argv[0], &ambiguous);
	if (!c) {
		fprintf(stderr, "%s: %s command \"%s\"", path,
			ambiguous ? "ambiguous" : "unknown", argv[0]);
		if (ambiguous) {
			fprintf(stderr, ": one of");
			for (i = 0; i < n; i++)
				if (strncmp(cmds[i].name, argv[0], strlen(argv[0])) == 0)
					fprintf(stderr, " %s", cmds[i].name);
		}
		fprintf(stderr, "\n");
		list_cmds(stderr, path, cmds, n);
		return EXIT_USAGE;
	}
	snprintf(sub, sizeof(sub), "%s %s", path, c->name);
	if (cmd_help(sub, c->usage, argc - 1, argv + 1))
		return EXIT_OK;
	return c->fn(o, argc - 1, argv + 1);
}

bool cmd_help(const char *path, const char *usage, int argc, char **argv)
{
	if (argc < 1 || !usage)
		return false;
	if (strcmp(argv[0], "help") && strcmp(argv[0], "-h") &&
	    strcmp(argv[0], "--help"))
		return false;
	printf("usage: %s %s", path, usage);
	return true;
}

/* --------------------------------------------------------- diagnostics */

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mlsctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (mlsctl help)\n");
	return EXIT_USAGE;
}

struct errdesc {
	int err;
	const char *name;
	const char *meaning;
};

/* The error vocabulary of mls (Documentation/userspace-api/mls.rst). */
static const struct errdesc errdescs[] = {
	{ ENOENT, "ENOENT", "no such group, or it was destroyed" },
	{ EACCES, "EACCES", "the group's owner and mode do not allow it" },
	{ EPERM, "EPERM", "not permitted" },
	{ EINVAL, "EINVAL", "the kernel refused an argument" },
	{ EFAULT, "EFAULT", "bad address" },
	{ EBADMSG, "EBADMSG", "malformed message, or authentication failed" },
	{ EKEYEXPIRED, "EKEYEXPIRED",
	  "the epoch's keys are erased: past retention (epochs-kept, epoch-max-age)" },
	{ EAGAIN, "EAGAIN", "epoch not reached yet, or rate limited" },
	{ EALREADY, "EALREADY", "this generation was already consumed: a replay" },
	{ ERANGE, "ERANGE", "generation beyond the maximum forward distance" },
	{ EOVERFLOW, "EOVERFLOW", "epoch or generation exhausted" },
	{ ESTALE, "ESTALE",
	  "stale epoch: a commit names the current epoch + 1, or a message or "
	  "state of another epoch" },
	{ EBUSY, "EBUSY", "busy: another commit of this group is in progress, or pending" },
	{ ETIMEDOUT, "ETIMEDOUT",
	  "timed out: a pending commit or staged join outlived its commit timeout" },
	{ ECANCELED, "ECANCELED", "the pending commit was discarded" },
	{ ESHUTDOWN, "ESHUTDOWN", "the module is drained (mlsctl drain cancel resumes it)" },
	{ EPIPE, "EPIPE",
	  "a ReInit ended the group: nothing is sent in it any more, and no "
	  "message of its last epoch is taken" },
	{ ECONNREFUSED, "ECONNREFUSED", "the sender's circuit breaker is open" },
	{ ENOSPC, "ENOSPC", "no room: max_groups reached, or a buffer too small" },
	{ ENOKEY, "ENOKEY",
	  "no key: no verification key for this sender, or a Welcome for another "
	  "KeyPackage" },
	{ ENODATA, "ENODATA",
	  "the epoch was installed without this secret, or a Welcome without its tree" },
	{ ENOMSG, "ENOMSG", "not an application message" },
	{ ENOTTY, "ENOTTY", "the module does not know this request" },
	{ EOPNOTSUPP, "EOPNOTSUPP", "not supported" },
	{ E2BIG, "E2BIG", "argument too large" },
	{ ENOMEM, "ENOMEM", "out of memory" },
	{ EMFILE, "EMFILE", "no file descriptor left" },
	{ ENFILE, "ENFILE", "no file descriptor left in the system" },
	{ EPROTO, "EPROTO",
	  "unexpected answer from the kernel, or an invalid proposal, tree or path" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT",
	  "an unknown version or ciphersuite" },
	{ EKEYREJECTED, "EKEYREJECTED", "a signature or a key does not verify" },
	{ EEXIST, "EEXIST", "already a member's key" },
	{ EIO, "EIO", "cryptographic library error" },
};

static const struct errdesc *errdesc_of(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errdescs); i++)
		if (errdescs[i].err == err)
			return &errdescs[i];
	return NULL;
}

const char *errno_name(int err)
{
	const struct errdesc *d = errdesc_of(err < 0 ? -err : err);

	return d ? d->name : NULL;
}

int op_error(int err, const char *fmt, ...)
{
	const struct errdesc *d;
	va_list ap;

	if (err < 0)
		err = -err;
	d = errdesc_of(err);
	fprintf(stderr, "mlsctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (d)
		fprintf(stderr, ": %s (%s: %s)\n", strerror(err), d->name, d->meaning);
	else
		fprintf(stderr, ": %s (errno %d)\n", strerror(err), err);
	return EXIT_KERNEL;
}

/* ------------------------------------------------------------ arguments */

bool arg_next(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		usage_error("\"%s\" needs a value", argv[*i]);
		return false;
	}
	(*i)++;
	return true;
}

bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

bool parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (!parse_u64(s, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

bool parse_id(const char *s, uint32_t *id)
{
	uint64_t x;
	char *end;

	/* Decimal only: "010" is ten, as ip(8) takes an ifindex. */
	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > UINT32_MAX)
		return false;
	*id = (uint32_t)x;
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits of @s[0..@n), whitespace skipped, into @out (capacity @cap). */
static bool unhex(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
	size_t i, k = 0;
	int hi = -1, v;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')
			continue;
		v = hexval((unsigned char)s[i]);
		if (v < 0)
			return false;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (k >= cap)
			return false;
		out[k++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	*len = k;
	return hi < 0;
}

bool parse_hex(const char *s, struct mls_bytes *out)
{
	size_t n = strlen(s), len;

	out->data = malloc(n / 2 + 1);
	out->len = 0;
	if (!out->data)
		return false;
	if (n % 2 || !unhex(s, n, out->data, n / 2, &len)) {
		mls_bytes_free(out);
		return false;
	}
	out->len = len;
	return true;
}

/* ---------------------------------------------------------------- files */

int read_file(const char *path, size_t max, struct mls_bytes *out)
{
	size_t cap = 4096, len = 0;
	uint8_t *buf = NULL, *nbuf;
	int fd, err = 0;
	ssize_t n;

	out->data = NULL;
	out->len = 0;
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len == cap || !buf) {
			if (buf)
				cap *= 2;
			nbuf = malloc(cap);
			if (!nbuf) {
				err = -ENOMEM;
				break;
			}
			if (buf) {
				memcpy(nbuf, buf, len);
				explicit_bzero(buf, len);
				free(buf);
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			err = -EFBIG;
			break;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (err) {
		if (buf) {
			explicit_bzero(buf, len);
			free(buf);
		}
		return err;
	}
	out->data = buf;
	out->len = len;
	return 0;
}

int read_secret(const char *what, const char *path, size_t len, uint8_t *out)
{
	struct mls_bytes b;
	size_t got = 0;
	bool ok;
	int err;

	err = read_file(path, 1 << 16, &b);
	if (err) {
		fprintf(stderr, "mlsctl: %s %s: %s\n", what, path, strerror(-err));
		return EXIT_USAGE;
	}
	if (b.len == len) {
		memcpy(out, b.data, len);
		ok = true;
	} else {
		ok = unhex((const char *)b.data, b.len, out, len, &got) && got == len;
	}
	mls_bytes_free(&b);
	if (!ok) {
		fprintf(stderr, "mlsctl: %s %s: want %zu bytes, raw or as hex\n",
			what, path, len);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int write_file(const char *path, const void *p, size_t len, bool secret)
{
	const uint8_t *b = p;
	int fd, err = 0;
	ssize_t n;

	if (strcmp(path, "-") == 0) {
		fd = STDOUT_FILENO;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  secret ? 0600 : 0644);
		if (fd < 0)
			return -errno;
		/* An existing file keeps its mode: a secret's must be 0600. */
		if (secret && fchmod(fd, 0600)) {
			err = -errno;
			close(fd);
			return err;
		}
	}
	while (len) {
		n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		b += n;
		len -= (size_t)n;
	}
	if (fd != STDOUT_FILENO && close(fd) && !err)
		err = -errno;
	return err;
}

int write_secret(const char *path, const void *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	size_t i;
	char *hex = malloc(2 * len + 1);
	int err;

	if (!hex)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[2 * len] = '\n';
	if (strcmp(path, "-") == 0)
		fflush(stdout);
	err = write_file(path, hex, 2 * len + 1, true);
	explicit_bzero(hex, 2 * len + 1);
	free(hex);
	return err;
}

/* Raw bytes, or hex text decoded, as a key in @format. */
static int import_raw(unsigned int suite, enum mls_key_format format,
		      const struct mls_bytes *b, struct mls_sig_key **key)
{
	struct mls_bytes raw = { NULL, 0 };
	int err;

	err = mls_sig_key_import(suite, format, b->data, b->len, key);
	if (!err)
		return 0;
	raw.data = malloc(b->len / 2 + 1);
	if (raw.data && unhex((const char *)b->data, b->len, raw.data,
			      b->len / 2, &raw.len))
		err = mls_sig_key_import(suite, format, raw.data, raw.len, key);
	mls_bytes_free(&raw);
	return err;
}

int load_key(const char *path, unsigned int suite, enum key_use use,
	     struct mls_sig_key **key)
{
	static const char *const kinds[] = { "private", "public", "" };
	struct mls_bytes b;
	int err;

	*key = NULL;
	err = read_file(path, 1 << 16, &b);
	if (err) {
		fprintf(stderr, "mlsctl: key %s: %s\n", path, strerror(-err));
		return EXIT_USAGE;
	}
	if (b.len > 10 && memcmp(b.data, "-----BEGIN", 10) == 0) {
		err = -EINVAL;
		/* A private key file serves as a public key too. */
		if (use != KEY_SIGN)
			err = mls_sig_key_import(suite, MLS_KEY_PEM_PUBLIC, b.data,
						 b.len, key);
		if (err)
			err = mls_sig_key_import(suite, MLS_KEY_PEM_PRIVATE,
						 b.data, b.len, key);
	} else {
		/* Raw Ed25519 keys are 32 bytes either way: the use decides. */
		err = import_raw(suite, use == KEY_VERIFY ? MLS_KEY_PUBLIC :
				 MLS_KEY_PRIVATE, &b, key);
	}
	mls_bytes_free(&b);
	if (err) {
		fprintf(stderr, "mlsctl: key %s: not a %s%skey of suite %u's %s\n",
			path, kinds[use], use == KEY_SOURCE ? "" : " ", suite,
			"signature scheme (PEM, or raw bytes or hex)");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* --------------------------------------------------- device and groups */

int open_ctl(void)
{
	int fd = mls_open(0);

	if (fd == -ENOENT || fd == -ENXIO || fd == -ENODEV)
		fprintf(stderr, "mlsctl: /dev/mls: %s (is the mls module loaded?)\n",
			strerror(-fd));
	else if (fd < 0)
		op_error(fd, "/dev/mls");
	return fd;
}

int open_group(uint32_t id)
{
	int ctl = open_ctl(), fd;

	if (ctl < 0)
		return ctl;
	fd = mls_group_open(ctl, id);
	close(ctl);
	if (fd < 0)
		op_error(fd, "group %" PRIu32, id);
	return fd;
}

/* --------------------------------------------------------------- output */

void print_hex(FILE *f, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", b[i]);
}

bool is_text(const uint8_t *p, size_t n)
{
	size_t i = 0, k, more;
	uint32_t cp;

	while (i < n) {
		uint8_t c = p[i];

		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') ||
			    c == 0x7f)
				return false;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			more = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= more)
			return false;
		for (k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond Unicode. */
		if ((more == 1 && cp < 0x80) || (more == 2 && cp < 0x800) ||
		    (more == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += more + 1;
	}
	return true;
}

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

static void jw_quoted(struct jw *w, const char *s, size_t n)
{
	size_t i;

	fputc('"', w->f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(w->f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", w->f);
		else if (c == '\t')
			fputs("\\t", w->f);
		else if (c == '\r')
			fputs("\\r", w->f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(w->f, "\\u%04x", c);
		else
			fputc(c, w->f);
	}
	fputc('"', w->f);
}

/* The comma and the key before a value. */
static void jw_key(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (key) {
		jw_quoted(w, key, strlen(key));
		fputc(':', w->f);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	fputc(c, w->f);
	if (w->depth < JW_DEPTH - 1)
		w->depth++;
	w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
	if (w->depth == 0)
		fputc('\n', w->f);
}

void jw_obj(struct jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr(struct jw *w, const char *key)
{
	jw_open(w, key, '[');
}

void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	jw_key(w, key);
	fputs("null", w->f);
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_strn(w, key, s, strlen(s));
}

void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	jw_key(w, key);
	jw_quoted(w, s, n);
}

void jw_hex(struct jw *w, const char *key, const void *p, size_t n)
{
	jw_key(w, key);
	fputc('"', w->f);
	print_hex(w->f, p, n);
	fputc('"', w->f);
}
