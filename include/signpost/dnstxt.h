/*
 * dnstxt.h - the text inside TXT records (lib/dnstxt.c): splitting and
 * quoting it, JSON strings, SPF terms (RFC 7208) and DMARC tags (RFC 7489),
 * and the comparisons `dnsgen check` makes between an expected record and
 * one found in DNS. Pure.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_DNSTXT_H
#define SIGNPOST_DNSTXT_H

#include <stdbool.h>
#include <stddef.h>

#include "signpost/util.h"

/*
 * TXT text: split into <character-string>s of at most 255 bytes (RFC 1035
 * section 3.3.14), quote one string for a master file ("\"" and "\\"
 * escaped, bytes outside printable ASCII as \DDD), and the whole RDATA:
 * one quoted string, or several separated by `sep`.
 */
#define SP_TXT_STRING_MAX 255
void sp_txt_split(const char *text, struct sp_list *out);
/* How many strings sp_txt_split makes of len bytes (one for none). */
size_t sp_txt_count(size_t len);
void sp_txt_quote(struct sp_buf *out, const char *s, size_t len);
/* The same escaping without the quotes, for bytes shown to a person. */
void sp_txt_escape(struct sp_buf *out, const void *data, size_t len);
/* Only the bytes outside printable ASCII as \DDD (for messages). */
void sp_txt_printable(struct sp_buf *out, const char *s);
void sp_txt_rdata(struct sp_buf *out, const char *text, const char *sep);
/* A JSON string literal (UTF-8 kept, controls and bad bytes as \u00XX). */
void sp_json_string(struct sp_buf *out, const char *s);

/*
 * SPF (RFC 7208): `terms` is what follows "v=spf1 ". Counts the terms that
 * cost a DNS lookup (include, a, mx, ptr, exists, redirect; section 4.6.4).
 * False with a message for a term that is not SPF at all.
 */
bool sp_spf_check_terms(const char *terms, unsigned *lookups, sp_err *err);
#define SP_SPF_MAX_LOOKUPS 10
#define SP_SPF_MAX_BYTES 450

/*
 * DMARC (RFC 7489 section 6.3): `tags` is what follows "v=DMARC1; ".
 * p required (none|quarantine|reject); sp/np likewise; adkim/aspf r|s;
 * pct 0..100; fo 0|1|d|s joined by ':'; rf afrf; ri a 32-bit number;
 * rua/ruf comma-separated mailto: URIs with an optional !SIZE; no tag twice,
 * no unknown tag.
 */
bool sp_dmarc_check_tags(const char *tags, sp_err *err);

/* Is this TXT text an SPF / DMARC record (by its version tag)? */
bool sp_txt_is_spf(const char *text);
bool sp_txt_is_dmarc(const char *text);

/*
 * Comparisons for `check`. SPF: the same terms in the same order (case and
 * runs of spaces ignored). DMARC: the same tags with the same values in any
 * order, whitespace ignored. DKIM: the same key (k=, default rsa, and p=,
 * whitespace ignored) and v=DKIM1 if v= is present; `why` says what differs.
 */
bool sp_spf_same(const char *expected, const char *found);
bool sp_dmarc_same(const char *expected, const char *found);
bool sp_dkim_same_key(const char *expected, const char *found, sp_err *why);

#endif
