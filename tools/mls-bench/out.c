// SPDX-License-Identifier: GPL-2.0
/*
 * Output: a small JSON writer and a growing text buffer for the table.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "bench.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MB_JSON_DEPTH	16

struct mb_json {
	struct mb_text t;
	unsigned int depth;
	bool first[MB_JSON_DEPTH];
	char close[MB_JSON_DEPTH];
};

void mb_text_printf(struct mb_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = t->cap - t->len;

		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if ((size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf)
			abort();
	}
}

struct mb_json *mb_json_new(void)
{
	struct mb_json *j = calloc(1, sizeof(*j));

	if (!j)
		abort();
	mb_text_printf(&j->t, "{");
	j->first[0] = true;
	j->close[0] = '}';
	return j;
}

void mb_json_free(struct mb_json *j)
{
	free(j->t.buf);
	free(j);
}

static void json_string(struct mb_text *t, const char *s)
{
	mb_text_printf(t, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			mb_text_printf(t, "\\%c", c);
		else if (c < 0x20)
			mb_text_printf(t, "\\u%04x", c);
		else
			mb_text_printf(t, "%c", c);
	}
	mb_text_printf(t, "\"");
}

static void json_key(struct mb_json *j, const char *key)
{
	if (!j->first[j->depth])
		mb_text_printf(&j->t, ",");
	j->first[j->depth] = false;
	mb_text_printf(&j->t, "\n%*s", 2 * (int)(j->depth + 1), "");
	if (key) {
		json_string(&j->t, key);
		mb_text_printf(&j->t, ": ");
	}
}

static void json_open(struct mb_json *j, const char *key, char open, char close)
{
	json_key(j, key);
	mb_text_printf(&j->t, "%c", open);
	if (j->depth + 1 >= MB_JSON_DEPTH)
		abort();
	j->depth++;
	j->first[j->depth] = true;
	j->close[j->depth] = close;
}

void mb_json_obj(struct mb_json *j, const char *key)
{
	json_open(j, key, '{', '}');
}

void mb_json_arr(struct mb_json *j, const char *key)
{
	json_open(j, key, '[', ']');
}

void mb_json_end(struct mb_json *j)
{
	if (!j->depth)
		abort();
	if (!j->first[j->depth])
		mb_text_printf(&j->t, "\n%*s", 2 * (int)j->depth, "");
	mb_text_printf(&j->t, "%c", j->close[j->depth]);
	j->depth--;
}

void mb_json_str(struct mb_json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_string(&j->t, v);
}

void mb_json_num(struct mb_json *j, const char *key, double v)
{
	json_key(j, key);
	if (!isfinite(v))
		mb_text_printf(&j->t, "null");
	else if (fabs(v) >= 1e15 || (v != 0 && fabs(v) < 1e-4))
		mb_text_printf(&j->t, "%.6g", v);
	else
		mb_text_printf(&j->t, "%.4f", v);
}

void mb_json_int(struct mb_json *j, const char *key, long long v)
{
	json_key(j, key);
	mb_text_printf(&j->t, "%lld", v);
}

void mb_json_bool(struct mb_json *j, const char *key, bool v)
{
	json_key(j, key);
	mb_text_printf(&j->t, v ? "true" : "false");
}

void mb_json_null(struct mb_json *j, const char *key)
{
	json_key(j, key);
	mb_text_printf(&j->t, "null");
}

void mb_json_result(struct mb_json *j, const char *key,
		    const struct mb_result *r)
{
	if (!r->ran) {
		mb_json_null(j, key);
		return;
	}
	mb_json_obj(j, key);
	mb_json_int(j, "iterations", (long long)r->iters);
	mb_json_int(j, "threads", r->threads);
	mb_json_int(j, "rounds", r->rounds);
	mb_json_num(j, "elapsed_s", r->elapsed_s);
	mb_json_num(j, "ops_per_s", r->ops_per_s);
	mb_json_num(j, "ops_per_s_overall", r->ops_per_s_overall);
	mb_json_num(j, "mb_per_s", r->mb_per_s);
	mb_json_num(j, "min_us", r->min_us);
	mb_json_num(j, "p10_us", r->p10_us);
	mb_json_num(j, "p50_us", r->p50_us);
	mb_json_num(j, "p99_us", r->p99_us);
	mb_json_num(j, "mean_us", r->mean_us);
	mb_json_num(j, "pages_per_call", r->pages_per_call);
	mb_json_int(j, "errors", (long long)r->errors);
	if (r->err)
		mb_json_int(j, "first_errno", -r->err);
	mb_json_end(j);
}

const char *mb_json_text(struct mb_json *j)
{
	while (j->depth)
		mb_json_end(j);
	mb_text_printf(&j->t, "\n}\n");
	/* Closed for good: a second call would add another brace. */
	j->depth = 0;
	return j->t.buf;
}
