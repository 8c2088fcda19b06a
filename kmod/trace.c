// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints of trace.h, made here once.
 *
 * Copyright (C) 2026 The mls authors.
 */

#include "evbuf.h"

#include <uapi/linux/mls.h>

#include <linux/build_bug.h>

/* trace.h records an endpoint's kind as the uapi names it. */
static_assert(MLS_EVBUF_KIND_USER == (int)MLS_ENDPOINT_USER);
static_assert(MLS_EVBUF_KIND_SENDER == (int)MLS_ENDPOINT_SENDER);
static_assert(MLS_EVBUF_KIND_ENCRYPT == (int)MLS_ENDPOINT_ENCRYPT);

/* sparse does not follow the tracepoint machinery (as net/tls/trace.c). */
#ifndef __CHECKER__
#define CREATE_TRACE_POINTS
#include "trace.h"
#endif
