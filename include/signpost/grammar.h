/*
 * grammar.h - one checker per grammar rule that more than one part of
 * signpost needs: host names, DKIM selectors, header field names, address
 * literals. Each returns NULL when the text follows the rule, else a short
 * reason ("has a label longer than 63 characters") that the caller puts
 * after the text it names. The config parser, the key loader, the signer
 * and dnsgen all call these; none keeps a copy.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#ifndef SIGNPOST_GRAMMAR_H
#define SIGNPOST_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 1035 2.3.4: a label is at most 63 bytes, a name at most 253 as text. */
#define SP_DNS_LABEL_MAX 63
#define SP_DNS_NAME_MAX 253

/*
 * A host name (RFC 1123 section 2.1, RFC 3696 section 2): LDH labels of
 * 1..63 bytes (letters, digits, '-' not first or last), at most 253 bytes,
 * without the trailing dot. A label may be all digits except the last:
 * no top-level domain is, and "192.0.2.1" is an address, not a name.
 */
const char *sp_host_name_problem(const char *name);

/* A name as written: lower-case, one trailing dot dropped (caller frees). */
char *sp_host_name_lower(const char *text);

/*
 * A DKIM selector (RFC 6376 section 3.1: sub-domain *("." sub-domain), a
 * sub-domain being an LDH label of RFC 5321 section 4.1.2), `len` bytes.
 * Labels may be all digits ("2026"). No '_', no '/', no "..": a selector
 * is also a key file name.
 */
const char *sp_selector_problem(const char *selector, size_t len);

/*
 * The selector, and the name of its key record,
 * SELECTOR._domainkey.DOMAIN (RFC 6376 section 3.6.2.1), fits in 253 bytes.
 */
const char *sp_dkim_key_name_problem(const char *selector, const char *domain);

/* RFC 5322 section 3.6.8: field-name = 1*ftext, bytes 33..126 except ':'. */
const char *sp_field_name_problem(const char *name, size_t len);

/*
 * A field name a DKIM-Signature can list in h= (RFC 6376 section 3.5):
 * a field-name that also fits a tag value (section 3.2: no ';').
 */
const char *sp_dkim_field_name_problem(const char *name, size_t len);

/*
 * Does the text look like an address rather than a name: IPv4 or IPv6 in
 * presentation form, "[...]" or "IPv6:..." (RFC 5321 section 4.1.3)?
 */
bool sp_is_address_literal(const char *text);

/*
 * A URI that reports or incident notices are sent to (TLS-RPT rua, RFC 8460
 * section 3; CAA iodef, RFC 8659 section 4.4): "mailto:LOCAL@HOST" or
 * "https://HOST[:PORT][/PATH]". Printable ASCII only, and none of
 * space, '"', ';' or ',' (they end a TXT tag or separate the list;
 * write them %3B, %2C). A '!' in a mailto: needs %21 (RFC 8460 3).
 */
const char *sp_report_uri_problem(const char *uri);

#endif
