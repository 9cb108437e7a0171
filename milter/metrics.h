/*
 * metrics.h - what signpost-milter counts for the operator, and the file
 * it writes them to (metrics_file, Prometheus text exposition format, for
 * node_exporter's textfile collector). The counters are updated without
 * locks from libmilter's threads; one writer thread turns them into the
 * file every MT_METRICS_INTERVAL seconds (metrics.c).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_MILTER_METRICS_H
#define SIGNPOST_MILTER_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "signpost/keys.h"
#include "signpost/util.h"

/* Seconds between two writes of metrics_file (also written at start and exit). */
#define MT_METRICS_INTERVAL 5

/* How a message ended: each message is counted once, at its end. */
enum mt_outcome {
	MT_OUTCOME_SIGNED,
	MT_OUTCOME_UNSIGNED,            /* passed on unsigned; see the reason */
	MT_OUTCOME_ERROR_TEMPFAIL,      /* failed inside us, on_error = tempfail */
	MT_OUTCOME_ERROR_ACCEPT,        /* failed inside us, on_error = accept */
	MT_OUTCOME_ABORTED,             /* the MTA aborted it or hung up */
	MT_OUTCOME_COUNT
};

/* Why a message passed unsigned: a short, fixed list (bounded series). */
enum mt_unsigned_reason {
	MT_UNSIGNED_INCOMPLETE,         /* ended before its header did */
	MT_UNSIGNED_CLIENT,             /* not internal_hosts, not authenticated */
	MT_UNSIGNED_HEADER_LIMIT,       /* max_header_fields/_bytes, max_field_bytes */
	MT_UNSIGNED_BAD_HEADER,         /* a malformed header field name */
	MT_UNSIGNED_FROM,               /* no From:, several, or no one address */
	MT_UNSIGNED_DOMAIN,             /* From: domain not configured */
	MT_UNSIGNED_ALREADY_SIGNED,     /* our own signature is there and verifies */
	MT_UNSIGNED_COUNT
};

/* ---- counters: any thread, lock-free ---- */

/* A message ended; `reason` counts only for MT_OUTCOME_UNSIGNED. */
void mt_metrics_message(enum mt_outcome outcome,
    enum mt_unsigned_reason reason);
/* One DKIM-Signature added. */
void mt_metrics_signature(enum sp_key_type type);
/* The signatures of one message took `ns` nanoseconds to compute. */
void mt_metrics_signing_time(uint64_t ns);
/* A SIGHUP reload succeeded or failed. */
void mt_metrics_reload(bool ok);

/* ---- the file ---- */

/*
 * -t: the directory of `path` exists and `user` (NULL: the user running
 * us) can write it.
 */
bool mt_metrics_check_dir(const char *path, const char *user, uid_t uid,
    gid_t gid, sp_err *err);
/*
 * In the worker, after dropping privileges: write the file once (so an
 * unwritable directory stops the start with a clear error) and start the
 * writer thread. `path` NULL: no metrics, nothing to do.
 */
bool mt_metrics_start(const char *path, sp_err *err);
/* At exit: stop the writer thread and write the file a last time. */
void mt_metrics_stop(void);

#endif
