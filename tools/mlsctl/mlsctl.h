/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLSCTL_H
#define MLSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libmls.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit statuses (mlsctl(8)). */
enum {
	EXIT_OK		= 0,
	EXIT_USAGE	= 1,	/* bad arguments, unreadable input */
	EXIT_KERNEL	= 2,	/* the operation failed (kernel or crypto) */
	EXIT_DEGRADED	= 3,	/* mlsctl health: the module is degraded */
	EXIT_UNHEALTHY	= 4,	/* mlsctl health: unhealthy (or a word unknown) */
};

struct mlsctl_opts {
	bool json;
};

/*
 * One word of the command line: an object (group, encrypt...) or a
 * command of an object (create, list...). @usage is printed by "help".
 */
struct cmd {
	const char *name;
	int (*fn)(const struct mlsctl_opts *o, int argc, char **argv);
	const char *summary;
	const char *usage;
};

/*
 * Run the command @argv[0] names (a unique prefix will do) out of @cmds,
 * with the words after it; "help" (or none, if @need_word) lists them.
 * @path is the words so far, for messages ("mlsctl group").
 */
int run_cmd(const char *path, const struct cmd *cmds, size_t n,
	    const struct mlsctl_opts *o, int argc, char **argv);
/* The usage of one command: "help" as its only word prints it (true). */
bool cmd_help(const char *path, const char *usage, int argc, char **argv);

/* Objects (main.c's table) */
int cmd_version(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_group(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_encrypt(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_decrypt(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_key(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_member(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_monitor(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_stats(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_health(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_drain(const struct mlsctl_opts *o, int argc, char **argv);
int cmd_persist(const struct mlsctl_opts *o, int argc, char **argv);

extern const char usage_version[], usage_encrypt[], usage_decrypt[];
extern const char usage_monitor[], usage_stats[], usage_health[];
extern const char usage_drain[];

/* A group's MLS_GROUP_STATE_* as a word ("active"), and its flags' names. */
const char *state_name(uint32_t state);
extern const char *const flag_names[5];	/* bit i: MLS_GROUP_F_* 1 << i */
/* A message's MLS_CONTENT_* as a word ("application"), or "unknown". */
const char *content_type_name(uint32_t type);

/* ---- diagnostics (stderr) ---- */

/* "mlsctl: ..." and EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "mlsctl: WHAT: strerror (ENAME: meaning)" and EXIT_KERNEL; @err < 0. */
int op_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The symbolic name of an errno value ("EKEYEXPIRED"), or NULL. */
const char *errno_name(int err);

/* ---- arguments ---- */

/* Word @i's value (@argv[@i + 1]); false and a message if it is missing. */
bool arg_next(int argc, char **argv, int *i);
bool parse_u32(const char *s, uint32_t *v);
bool parse_u64(const char *s, uint64_t *v);
/* A group's kernel id. */
bool parse_id(const char *s, uint32_t *id);
/* Hex (even length; "" is empty) into a fresh buffer. */
bool parse_hex(const char *s, struct mls_bytes *out);

/* ---- files ("-" is stdin / stdout) ---- */

/* All of @path, at most @max bytes; -errno. */
int read_file(const char *path, size_t max, struct mls_bytes *out);
/*
 * A secret of exactly @len bytes from @path: the raw bytes, or hex text
 * (whitespace ignored). EXIT_OK, or EXIT_USAGE with a message.
 */
int read_secret(const char *what, const char *path, size_t len, uint8_t *out);
/* Write @len bytes to @path (mode 0600 when @secret), "-" for stdout. */
int write_file(const char *path, const void *p, size_t len, bool secret);
/* A secret as hex and a newline, to @path (0600) or stdout. */
int write_secret(const char *path, const void *p, size_t len);
/* What a key file is for. */
enum key_use {
	KEY_SIGN,	/* a private key: PEM or raw */
	KEY_VERIFY,	/* a public key: PEM (public or private) or raw public */
	KEY_SOURCE,	/* a key to take the public half of: PEM or raw private */
};

/*
 * A signature key from @path: PEM, or the raw RFC 9420 encoding (binary
 * or hex) of @suite's scheme. EXIT_OK, or EXIT_USAGE with a message.
 */
int load_key(const char *path, unsigned int suite, enum key_use use,
	     struct mls_sig_key **key);

/* ---- the device and groups ---- */

/* /dev/mls, or -errno with a message (module not loaded...). */
int open_ctl(void);
/* A group fd on kernel id @id, or -errno with a message. */
int open_group(uint32_t id);

/* ---- output ---- */

void print_hex(FILE *f, const void *p, size_t len);

/*
 * A JSON writer: one compact document per command; closing the outermost
 * container ends the line.
 */
#define JW_DEPTH 8
struct jw {
	FILE *f;
	int depth;
	bool first[JW_DEPTH];
};

void jw_init(struct jw *w, FILE *f);
/* Containers: @key is NULL inside an array and at the top. */
void jw_obj(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* A string, escaped; @s must be UTF-8. */
void jw_str(struct jw *w, const char *key, const char *s);
void jw_strn(struct jw *w, const char *key, const char *s, size_t n);
void jw_hex(struct jw *w, const char *key, const void *p, size_t n);

/* Printable UTF-8 text (tab, newline allowed): a JSON "text" may show it. */
bool is_text(const uint8_t *p, size_t n);

#endif /* MLSCTL_H */
