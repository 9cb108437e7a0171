/*
 * dkim.c - the DKIM signing engine (RFC 6376, RFC 8463): one object per
 * message. See dkim.h for the order of calls.
 *
 * Every header field is counted against the limits (struct
 * sp_header_limits); past one, everything kept is dropped. A field is kept
 * only when it may be signed (its name is in sign_headers, or From:),
 * already canonicalised, and only the bottom-most SP_DKIM_MAX_INSTANCES of
 * each name, in a ring per name: those are the ones h= can list (RFC 6376
 * 5.4.2). From: is checked; the top-most existing DKIM-Signature fields
 * with d= and s= are kept whole. At the end of the header the selected
 * fields are hashed once, bottom-up per name. The body streams through the
 * canonicaliser into one SHA-256 shared by every signer (they share c=).
 * At the end each signer whose d= and s= an existing signature carries
 * checks it with its own key (RFC 6376 6.1.3: body hash, then b= over the
 * h= fields) and is skipped when it verifies; every other signer copies
 * the header hash, adds its own DKIM-Signature field and signs: RSA
 * PKCS#1 v1.5 over the SHA-256 digest, Ed25519 over the 32-byte digest
 * (RFC 8463 3).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "signpost/canon.h"
#include "signpost/dkim.h"
#include "signpost/dkim_sig.h"
#include "signpost/taglist.h"
#include "signpost/mailaddr.h"

enum dkim_state {
	ST_HEADERS,             /* taking header fields */
	ST_BODY,                /* From: checked, header hashed: taking body */
	ST_FAILED,              /* end_headers refused, or over a limit: never sign */
	ST_DONE,                /* final was called */
};

#define NO_SLOT ((size_t)-1)

/*
 * The kept instances of one signable name: the bottom-most
 * SP_DKIM_MAX_INSTANCES, canonical (CRLF included), in a ring where
 * instance number k (counted from the top) sits at k % MAX.
 */
struct name_slot {
	size_t seen;            /* instances in the header */
	struct sp_buf *inst;    /* NULL until the first */
};

/* An existing DKIM-Signature field, kept whole to check it at the end. */
struct existing_sig {
	char *sdid;             /* d= */
	char *selector;         /* s= */
	struct sp_sig_found tags;       /* when complete */
	bool complete;          /* every tag a check needs is there */
	sp_err why;             /* !complete: what is missing */
	char *name;             /* as written */
	size_t name_len;
	char *value;
	size_t value_len;
};

struct signer {
	char *sdid;
	const struct sp_key *key;
	bool skipped;           /* an existing signature of ours verifies */
};

struct sp_dkim {
	const struct sp_sign_opts *opts;
	struct sp_header_limits limits;
	enum dkim_state state;
	sp_err why;             /* ST_FAILED: the reason */
	bool over_limit;

	size_t n_fields;        /* every header field so far */
	size_t header_bytes;    /* their names, values and line ends */
	struct name_slot *slots;        /* per sign_headers entry, + From: */
	size_t n_slots;
	size_t n_from;
	char *from_value;       /* the first From: value */
	size_t from_len;
	char *from_domain;
	struct existing_sig *sigs;
	size_t n_sigs;

	struct signer *signers;
	size_t n_signers;
	struct sp_list notes;

	struct sp_list h;       /* h= names, in hash order */
	EVP_MD_CTX *hh;         /* SHA-256 of the selected header fields */
	EVP_MD_CTX *bh;         /* SHA-256 of the canonical body */
	bool bh_failed;         /* an EVP_DigestUpdate on the body failed */
	struct sp_body_canon body;
	bool body_ready;
};

/* Fill err with the failing OpenSSL call and its reason; clear the queue. */
static bool
ossl_fail(sp_err *err, const char *what)
{
	unsigned long e = ERR_get_error();
	const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;

	sp_err_set(err, "%s failed%s%s", what, reason ? ": " : "",
	    reason ? reason : "");
	ERR_clear_error();
	return false;
}

struct sp_dkim *
sp_dkim_new(const struct sp_sign_opts *opts)
{
	struct sp_dkim *d = sp_xcalloc(1, sizeof(*d));
	const struct sp_list *sign = opts->sign_headers;

	d->opts = opts;
	d->state = ST_HEADERS;
	if (opts->limits != NULL) {
		d->limits = *opts->limits;
	} else {
		d->limits.fields = SP_DEFAULT_MAX_HEADER_FIELDS;
		d->limits.bytes = SP_DEFAULT_MAX_HEADER_BYTES;
		d->limits.field_bytes = SP_DEFAULT_MAX_FIELD_BYTES;
	}
	d->n_slots = (sign != NULL ? sign->n : 0) + 1;
	d->slots = sp_xcalloc(d->n_slots, sizeof(*d->slots));
	return d;
}

static void
free_fields(struct sp_dkim *d)
{
	for (size_t i = 0; i < d->n_slots; i++) {
		struct name_slot *sl = &d->slots[i];

		for (size_t k = 0; sl->inst != NULL &&
		    k < SP_DKIM_MAX_INSTANCES; k++)
			sp_buf_free(&sl->inst[k]);
		free(sl->inst);
		sl->inst = NULL;
	}
}

static void
free_existing(struct sp_dkim *d)
{
	for (size_t i = 0; i < d->n_sigs; i++) {
		free(d->sigs[i].sdid);
		free(d->sigs[i].selector);
		sp_sig_found_free(&d->sigs[i].tags);
		free(d->sigs[i].name);
		free(d->sigs[i].value);
	}
	free(d->sigs);
	d->sigs = NULL;
	d->n_sigs = 0;
}

void
sp_dkim_free(struct sp_dkim *d)
{
	if (d == NULL)
		return;
	free_fields(d);
	free(d->slots);
	free(d->from_value);
	free(d->from_domain);
	free_existing(d);
	for (size_t i = 0; i < d->n_signers; i++)
		free(d->signers[i].sdid);
	free(d->signers);
	sp_list_free(&d->notes);
	sp_list_free(&d->h);
	EVP_MD_CTX_free(d->hh);
	EVP_MD_CTX_free(d->bh);
	if (d->body_ready)
		sp_body_canon_free(&d->body);
	free(d);
}

/*
 * The slot of a field named `lname`: the first entry of sign_headers
 * naming it (a name listed twice counts once), the last slot for From:
 * when the list does not name it, NO_SLOT when it is not signed. Received
 * is never signed: every hop adds one (and Postfix hides its own).
 */
static size_t
slot_of(const struct sp_dkim *d, const char *lname)
{
	const struct sp_list *sign = d->opts->sign_headers;

	if (strcmp(lname, "received") == 0)
		return NO_SLOT;
	for (size_t i = 0; sign != NULL && i < sign->n; i++)
		if (sp_strcasecmp(sign->v[i], lname) == 0)
			return i;
	return strcmp(lname, "from") == 0 ? d->n_slots - 1 : NO_SLOT;
}

/* SHA-256, fetched once: an implicit fetch per message costs time. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
fetch_sha256(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *
sha256(void)
{
	pthread_once(&sha256_once, fetch_sha256);
	return sha256_md != NULL ? sha256_md : EVP_sha256();
}

/* Remember a DKIM-Signature field with d= and s=, the top-most first. */
static void
keep_existing_signature(struct sp_dkim *d, const char *name, size_t name_len,
    const char *value, size_t value_len)
{
	struct existing_sig *e;
	char *sdid, *sel;

	if (d->n_sigs == SP_DKIM_MAX_EXISTING)
		return;
	sdid = sp_taglist_value(value, value_len, "d");
	sel = sp_taglist_value(value, value_len, "s");
	if (sdid == NULL || sel == NULL) {
		free(sdid);
		free(sel);
		return;
	}
	if (d->sigs == NULL)
		d->sigs = sp_xcalloc(SP_DKIM_MAX_EXISTING, sizeof(*d->sigs));
	e = &d->sigs[d->n_sigs++];
	e->sdid = sdid;
	e->selector = sel;
	e->complete = sp_sig_found_parse(value, value_len, &e->tags, &e->why);
	e->name = sp_xstrndup(name, name_len);
	e->name_len = name_len;
	e->value = sp_xstrndup(value, value_len);
	e->value_len = value_len;
}

/* Past a limit: say which, drop everything kept, take nothing more. */
static bool
over_limit(struct sp_dkim *d, sp_err *err, const char *what, size_t limit,
    const char *name)
{
	sp_err_set(&d->why, "header over the limit: %s (%s = %zu)", what,
	    name, limit);
	sp_err_set(err, "%s", d->why.msg);
	d->state = ST_FAILED;
	d->over_limit = true;
	free_fields(d);
	free_existing(d);
	return false;
}

/* Count the field against the limits of struct sp_header_limits. */
static bool
within_limits(struct sp_dkim *d, size_t name_len, size_t value_len,
    sp_err *err)
{
	size_t field = name_len + 1 + value_len;
	char what[80];

	if (field > d->limits.field_bytes) {
		snprintf(what, sizeof(what), "a field of %zu bytes", field);
		return over_limit(d, err, what, d->limits.field_bytes,
		    "max_field_bytes");
	}
	if (++d->n_fields > d->limits.fields) {
		snprintf(what, sizeof(what), "more than %zu fields",
		    d->limits.fields);
		return over_limit(d, err, what, d->limits.fields,
		    "max_header_fields");
	}
	d->header_bytes += field + 2;   /* CRLF */
	if (d->header_bytes > d->limits.bytes) {
		snprintf(what, sizeof(what), "more than %zu bytes",
		    d->limits.bytes);
		return over_limit(d, err, what, d->limits.bytes,
		    "max_header_bytes");
	}
	return true;
}

/* Keep the field's canonical form as the newest instance of its name. */
static void
keep_instance(struct sp_dkim *d, size_t slot, const char *name,
    size_t name_len, const char *value, size_t value_len)
{
	struct name_slot *sl = &d->slots[slot];
	struct sp_buf *b;

	if (sl->inst == NULL)
		sl->inst = sp_xcalloc(SP_DKIM_MAX_INSTANCES, sizeof(*sl->inst));
	b = &sl->inst[sl->seen++ % SP_DKIM_MAX_INSTANCES];
	sp_buf_reset(b);
	sp_canon_header(d->opts->header_canon, name, name_len, value,
	    value_len, true, b);
}

bool
sp_dkim_header(struct sp_dkim *d, const char *name, size_t name_len,
    const char *value, size_t value_len, sp_err *err)
{
	size_t n, slot;
	char *lname;

	if (d->state == ST_FAILED && d->over_limit) {
		sp_err_set(err, "%s", d->why.msg);
		return false;
	}
	if (d->state != ST_HEADERS)
		SP_BUG("header field after the end of the header");
	if (!within_limits(d, name_len, value_len, err))
		return false;
	if (!sp_header_name_check(name, name_len, &n)) {
		sp_err_set(err, "malformed header field name \"%.*s\"",
		    name_len > 60 ? 60 : (int)name_len, name);
		return false;
	}
	lname = sp_xstrndup(name, n);
	sp_str_lower(lname);
	if (strcmp(lname, "from") == 0 && d->n_from++ == 0) {
		d->from_value = sp_xstrndup(value, value_len);
		d->from_len = value_len;
	}
	if (strcmp(lname, "dkim-signature") == 0)
		keep_existing_signature(d, name, name_len, value, value_len);
	slot = slot_of(d, lname);
	free(lname);
	if (slot != NO_SLOT)
		keep_instance(d, slot, name, name_len, value, value_len);
	return true;
}

bool
sp_dkim_over_limit(const struct sp_dkim *d)
{
	return d->over_limit;
}

/* RFC 5322 3.6.2: From: holds exactly one mailbox for us to sign. */
static bool
check_from(struct sp_dkim *d, sp_err *err)
{
	struct sp_mailbox_list l;
	sp_err why;

	if (d->n_from == 0) {
		sp_err_set(err, "no From: header");
		return false;
	}
	if (d->n_from > 1) {
		sp_err_set(err, "%zu From: headers", d->n_from);
		return false;
	}
	if (!sp_mailbox_list_parse(d->from_value, d->from_len, &l, &why)) {
		sp_err_set(err, "unparsable From: %s", why.msg);
		return false;
	}
	if (l.n != 1) {
		if (l.n == 0)
			sp_err_set(err, "From: holds no address");
		else
			sp_err_set(err, "From: holds %zu addresses", l.n);
		sp_mailbox_list_free(&l);
		return false;
	}
	d->from_domain = sp_xstrdup(l.v[0].domain);
	sp_mailbox_list_free(&l);
	return true;
}

/* Was list entry i already named before it (case-insensitively)? */
static bool
listed_before(const struct sp_list *l, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (sp_strcasecmp(l->v[k], l->v[i]) == 0)
			return true;
	return false;
}

/* The lower-case name h= uses for a slot. */
static void
slot_name(const struct sp_dkim *d, size_t slot, char *out, size_t size)
{
	const char *name = slot == d->n_slots - 1 ? "from" :
	    d->opts->sign_headers->v[slot];

	snprintf(out, size, "%s", name);
	sp_str_lower(out);
}

/*
 * The k-th instance of a slot counted from the bottom (k = 0: the last),
 * or NULL when the header has fewer. *missing: it exists but is not kept.
 */
static const struct sp_buf *
instance_from_bottom(const struct sp_dkim *d, size_t slot, size_t k,
    bool *missing)
{
	const struct name_slot *sl = &d->slots[slot];

	*missing = false;
	if (k >= sl->seen)
		return NULL;
	if (k >= SP_DKIM_MAX_INSTANCES) {
		*missing = true;
		return NULL;
	}
	return &sl->inst[(sl->seen - 1 - k) % SP_DKIM_MAX_INSTANCES];
}

/* The kept fields of one slot, bottom-up (RFC 6376 5.4.2). */
static void
select_instances(struct sp_dkim *d, size_t slot, struct sp_buf *out)
{
	char name[256];
	const struct sp_buf *b;
	bool missing;

	slot_name(d, slot, name, sizeof(name));
	for (size_t k = 0;
	    (b = instance_from_bottom(d, slot, k, &missing)) != NULL; k++) {
		sp_list_add(&d->h, name);
		sp_buf_append(out, b->data, b->len);
	}
}

/*
 * h=: From first unless sign_headers names it, then each name of
 * sign_headers once per instance present (the bottom-most
 * SP_DKIM_MAX_INSTANCES), then one more (null) entry for each present
 * name of oversign_headers all of whose instances are listed, so an
 * added copy breaks the signature. Absent names are never listed: a
 * later hop may add them. The selected fields are hashed in one update.
 */
static bool
hash_headers(struct sp_dkim *d, sp_err *err)
{
	const struct sp_list *over = d->opts->oversign_headers;
	struct sp_buf all = SP_BUF_INIT;
	bool ok;

	select_instances(d, d->n_slots - 1, &all);
	for (size_t i = 0; i + 1 < d->n_slots; i++)
		select_instances(d, i, &all);
	for (size_t i = 0; over != NULL && i < over->n; i++) {
		char lname[256];
		size_t slot;

		if (strlen(over->v[i]) >= sizeof(lname) || listed_before(over, i))
			continue;
		strcpy(lname, over->v[i]);
		sp_str_lower(lname);
		slot = slot_of(d, lname);
		if (slot != NO_SLOT && d->slots[slot].seen > 0 &&
		    d->slots[slot].seen <= SP_DKIM_MAX_INSTANCES)
			sp_list_add(&d->h, lname);
	}
	d->hh = EVP_MD_CTX_new();
	ok = d->hh != NULL && EVP_DigestInit_ex(d->hh, sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(d->hh, all.data, all.len) == 1;
	sp_buf_free(&all);
	return ok ? true : ossl_fail(err, "header hash");
}

static void
body_sink(void *arg, const void *data, size_t len)
{
	struct sp_dkim *d = arg;

	if (EVP_DigestUpdate(d->bh, data, len) != 1)
		d->bh_failed = true;
}

static bool
start_body(struct sp_dkim *d, sp_err *err)
{
	d->bh = EVP_MD_CTX_new();
	if (d->bh == NULL || EVP_DigestInit_ex(d->bh, sha256(), NULL) != 1)
		return ossl_fail(err, "EVP_DigestInit_ex");
	sp_body_canon_init(&d->body, d->opts->body_canon, body_sink, d);
	d->body_ready = true;
	return true;
}

bool
sp_dkim_end_headers(struct sp_dkim *d, sp_err *err)
{
	if (d->state == ST_FAILED && d->over_limit) {
		sp_err_set(err, "%s", d->why.msg);
		return false;
	}
	if (d->state != ST_HEADERS)
		SP_BUG("the header ended twice");
	if (!check_from(d, &d->why) || !hash_headers(d, &d->why) ||
	    !start_body(d, &d->why)) {
		d->state = ST_FAILED;
		free_fields(d);
		free_existing(d);
		sp_err_set(err, "%s", d->why.msg);
		return false;
	}
	/* Hashed: kept only to check existing signatures at the end. */
	if (d->n_sigs == 0)
		free_fields(d);
	d->state = ST_BODY;
	return true;
}

const char *
sp_dkim_from_domain(const struct sp_dkim *d)
{
	return d->state == ST_BODY || d->state == ST_DONE ? d->from_domain : NULL;
}

bool
sp_dkim_has_signature(const struct sp_dkim *d, const char *sdid,
    const char *selector)
{
	for (size_t i = 0; i < d->n_sigs; i++)
		if (sp_strcasecmp(d->sigs[i].sdid, sdid) == 0 &&
		    sp_strcasecmp(d->sigs[i].selector, selector) == 0)
			return true;
	return false;
}

/*
 * A d= or s= value we put in a tag list: dot-separated labels of letters,
 * digits, '-' and '_' (RFC 6376 3.5 sub-domains; '_' as DNS allows). This
 * also keeps ';' and white space out of the field.
 */
static bool
dns_name_ok(const char *s)
{
	bool label_start = true;

	if (s == NULL || *s == '\0' || strlen(s) > 253)
		return false;
	for (; *s != '\0'; s++) {
		char c = *s;

		if (c == '.') {
			if (label_start)
				return false;
			label_start = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		label_start = false;
	}
	return !label_start;
}

bool
sp_dkim_add_signer(struct sp_dkim *d, const char *sdid,
    const struct sp_key *key, sp_err *err)
{
	if (d->state == ST_DONE)
		SP_BUG("signer added after the end");
	if (!dns_name_ok(sdid)) {
		sp_err_set(err, "bad signing domain \"%s\"", sdid ? sdid : "");
		return false;
	}
	if (key == NULL || key->secret == NULL ||
	    (key->type != SP_KEY_RSA && key->type != SP_KEY_ED25519)) {
		sp_err_set(err, "no usable key for d=%s", sdid);
		return false;
	}
	if (!dns_name_ok(key->selector)) {
		sp_err_set(err, "bad selector \"%s\" for d=%s",
		    key->selector ? key->selector : "", sdid);
		return false;
	}
	d->signers = sp_xrealloc(d->signers, d->n_signers + 1,
	    sizeof(*d->signers));
	d->signers[d->n_signers].sdid = sp_xstrdup(sdid);
	sp_str_lower(d->signers[d->n_signers].sdid);
	d->signers[d->n_signers].key = key;
	d->signers[d->n_signers].skipped = false;
	d->n_signers++;
	return true;
}

void
sp_dkim_body(struct sp_dkim *d, const void *data, size_t len)
{
	switch (d->state) {
	case ST_HEADERS:
		SP_BUG("body before the end of the header");
	case ST_DONE:
		SP_BUG("body after the end");
	case ST_FAILED:
		return;                 /* will not be signed: don't hash */
	case ST_BODY:
		sp_body_canon_update(&d->body, data, len);
		return;
	}
}

size_t
sp_dkim_longest_line(const struct sp_dkim *d)
{
	return d->body_ready ? sp_body_canon_longest_line(&d->body) : 0;
}

/* RSA: PKCS#1 v1.5 over a SHA-256 digest (the DigestInfo is added here). */
static bool
sign_rsa(EVP_PKEY *pkey, const unsigned char *md, size_t md_len,
    unsigned char **sig, size_t *sig_len, sp_err *err)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pkey, NULL);
	bool ok = false;

	*sig = NULL;
	if (pc == NULL || EVP_PKEY_sign_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(pc, sha256()) != 1 ||
	    EVP_PKEY_sign(pc, NULL, sig_len, md, md_len) != 1) {
		ossl_fail(err, "RSA signing setup");
		goto out;
	}
	*sig = sp_xmalloc(*sig_len);
	if (EVP_PKEY_sign(pc, *sig, sig_len, md, md_len) != 1) {
		ossl_fail(err, "EVP_PKEY_sign");
		goto out;
	}
	ok = true;
out:
	EVP_PKEY_CTX_free(pc);
	return ok;
}

/* Ed25519 (pure) over the 32-byte SHA-256 digest: RFC 8463 section 3. */
static bool
sign_ed25519(EVP_PKEY *pkey, const unsigned char *md, size_t md_len,
    unsigned char **sig, size_t *sig_len, sp_err *err)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	bool ok = false;

	*sig = NULL;
	if (mc == NULL || EVP_DigestSignInit(mc, NULL, NULL, NULL, pkey) != 1 ||
	    EVP_DigestSign(mc, NULL, sig_len, md, md_len) != 1) {
		ossl_fail(err, "Ed25519 signing setup");
		goto out;
	}
	*sig = sp_xmalloc(*sig_len);
	if (EVP_DigestSign(mc, *sig, sig_len, md, md_len) != 1) {
		ossl_fail(err, "EVP_DigestSign");
		goto out;
	}
	ok = true;
out:
	EVP_MD_CTX_free(mc);
	return ok;
}

/* Header hash + this signature field (canonical, no CRLF: RFC 6376 3.7). */
static bool
field_digest(struct sp_dkim *d, const char *value, size_t len,
    unsigned char md[EVP_MAX_MD_SIZE], unsigned *md_len, sp_err *err)
{
	struct sp_buf canon = SP_BUF_INIT;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = false;

	sp_canon_header(d->opts->header_canon, SP_SIG_FIELD,
	    strlen(SP_SIG_FIELD), value, len, false, &canon);
	if (c == NULL || EVP_MD_CTX_copy_ex(c, d->hh) != 1 ||
	    EVP_DigestUpdate(c, canon.data, canon.len) != 1 ||
	    EVP_DigestFinal_ex(c, md, md_len) != 1)
		ossl_fail(err, "header hash");
	else
		ok = true;
	EVP_MD_CTX_free(c);
	sp_buf_free(&canon);
	return ok;
}

bool
sp_dkim_sign_value(struct sp_dkim *d, const struct sp_key *key,
    const char *value, size_t len, char **b64, sp_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE], *sig = NULL;
	unsigned md_len;
	size_t sig_len = 0;
	EVP_PKEY *pkey;
	bool ok;

	*b64 = NULL;
	if (d->hh == NULL)
		SP_BUG("signing before the header was hashed");
	if (!field_digest(d, value, len, md, &md_len, err))
		return false;
	/* built from the key's compact form on first use (keys.h) */
	if ((pkey = sp_key_pkey(key)) == NULL) {
		ossl_fail(err, "building the private key");
		return false;
	}
	if (key->type == SP_KEY_ED25519)
		ok = sign_ed25519(pkey, md, md_len, &sig, &sig_len, err);
	else
		ok = sign_rsa(pkey, md, md_len, &sig, &sig_len, err);
	EVP_PKEY_free(pkey);
	if (ok)
		*b64 = sp_base64_encode(sig, sig_len);
	free(sig);
	return ok;
}

/* The body's canonical SHA-256, base64 (bh=). */
static char *
finish_body(struct sp_dkim *d, sp_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len;

	sp_body_canon_final(&d->body);
	if (d->bh_failed) {
		ossl_fail(err, "EVP_DigestUpdate (body)");
		return NULL;
	}
	if (EVP_DigestFinal_ex(d->bh, md, &md_len) != 1) {
		ossl_fail(err, "EVP_DigestFinal_ex (body)");
		return NULL;
	}
	return sp_base64_encode(md, md_len);
}

static char *
sign_one(struct sp_dkim *d, const struct signer *s, const char *bh,
    sp_err *err)
{
	struct sp_buf f = SP_BUF_INIT;
	struct sp_sig_tags tags = {
		.algorithm = s->key->type == SP_KEY_ED25519 ?
		    "ed25519-sha256" : "rsa-sha256",
		.header_canon = d->opts->header_canon,
		.body_canon = d->opts->body_canon,
		.sdid = s->sdid,
		.selector = s->key->selector,
		.t = (long long)d->opts->now,
		.x = d->opts->expire > 0 ?
		    (long long)d->opts->now + (long long)d->opts->expire : 0,
		.h = &d->h,
		.bh = bh,
	};
	size_t col = sp_sig_build(&tags, &f);
	char *b64;

	if (!sp_dkim_sign_value(d, s->key, f.data, f.len, &b64, err)) {
		sp_err_prefix(err, "d=%s s=%s", s->sdid, s->key->selector);
		sp_buf_free(&f);
		return NULL;
	}
	sp_sig_append_b(&f, col, b64);
	free(b64);
	return sp_buf_steal(&f);
}

/* ---- existing signatures with our d= and s= (RFC 6376 6.1) ---- */

/* b=, base64 without white space, decoded; NULL when malformed. */
static unsigned char *
unbase64(const char *b64, size_t *len)
{
	size_t n = strlen(b64), pad = 0;
	unsigned char *out;
	int got;

	if (n == 0 || n % 4 != 0 || n > 8192)
		return NULL;
	pad = (b64[n - 1] == '=') + (b64[n - 2] == '=');
	out = sp_xmalloc(n / 4 * 3 + 1);
	got = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	if (got < 0 || (size_t)got < pad) {
		free(out);
		return NULL;
	}
	*len = (size_t)got - pad;
	return out;
}

/* Does b= verify over `md` with the public half of our key? */
static bool
b_verifies(const struct sp_key *key, const char *b64,
    const unsigned char *md, size_t md_len)
{
	unsigned char *sig;
	size_t sig_len;
	EVP_PKEY *pkey;
	bool ok = false;

	if ((sig = unbase64(b64, &sig_len)) == NULL)
		return false;
	if ((pkey = sp_key_pkey(key)) == NULL) {
		ERR_clear_error();
		free(sig);
		return false;
	}
	if (key->type == SP_KEY_ED25519) {
		EVP_MD_CTX *mc = EVP_MD_CTX_new();

		ok = mc != NULL && EVP_DigestVerifyInit(mc, NULL, NULL, NULL,
		    pkey) == 1 && EVP_DigestVerify(mc, sig, sig_len, md,
		    md_len) == 1;
		EVP_MD_CTX_free(mc);
	} else {
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pkey, NULL);

		ok = pc != NULL && EVP_PKEY_verify_init(pc) == 1 &&
		    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
		    EVP_PKEY_CTX_set_signature_md(pc, sha256()) == 1 &&
		    EVP_PKEY_verify(pc, sig, sig_len, md, md_len) == 1;
		EVP_PKEY_CTX_free(pc);
	}
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	free(sig);
	return ok;
}

/*
 * The header hash an existing signature claims (RFC 6376 5.4.2 and 3.7):
 * its h= fields, each name taking the next instance up from the bottom
 * (none left: nothing), then the field itself with b= emptied, no CRLF.
 * false with `why` when it names a field that is not kept.
 */
static bool
existing_header_hash(const struct sp_dkim *d, const struct existing_sig *e,
    unsigned char md[EVP_MAX_MD_SIZE], unsigned *md_len, sp_err *why)
{
	const struct sp_list *h = &e->tags.h;
	size_t *used = sp_xcalloc(d->n_slots, sizeof(*used));
	struct sp_buf all = SP_BUF_INIT, stripped = SP_BUF_INIT;
	EVP_MD_CTX *c = NULL;
	bool ok = false;

	for (size_t i = 0; i < h->n; i++) {
		size_t slot = slot_of(d, h->v[i]);
		const struct sp_buf *b;
		bool missing;

		if (slot == NO_SLOT) {
			sp_err_set(why, "h= names %.40s, which is not kept",
			    h->v[i]);
			goto out;
		}
		b = instance_from_bottom(d, slot, used[slot]++, &missing);
		if (missing) {
			sp_err_set(why, "h= names more %.40s fields than are "
			    "kept", h->v[i]);
			goto out;
		}
		if (b != NULL)
			sp_buf_append(&all, b->data, b->len);
	}
	if (!sp_sig_strip_b(e->value, e->value_len, &stripped))
		SP_BUG("a parsed signature without b=");
	sp_canon_header(d->opts->header_canon, e->name, e->name_len,
	    stripped.data, stripped.len, false, &all);
	c = EVP_MD_CTX_new();
	ok = c != NULL && EVP_DigestInit_ex(c, sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, all.data, all.len) == 1 &&
	    EVP_DigestFinal_ex(c, md, md_len) == 1;
	if (!ok)
		sp_err_set(why, "hashing failed");
out:
	EVP_MD_CTX_free(c);
	sp_buf_free(&all);
	sp_buf_free(&stripped);
	free(used);
	return ok;
}

/* Does an existing signature verify with signer s's key? If not, why. */
static bool
existing_verifies(const struct sp_dkim *d, const struct existing_sig *e,
    const struct signer *s, const char *bh, sp_err *why)
{
	const struct sp_sig_found *t = &e->tags;
	const char *alg = s->key->type == SP_KEY_ED25519 ?
	    "ed25519-sha256" : "rsa-sha256";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len;

	if (!e->complete) {
		sp_err_set(why, "%s", e->why.msg);
		return false;
	}
	if (strcmp(t->algorithm, alg) != 0) {
		sp_err_set(why, "a=%.40s, not %s", t->algorithm, alg);
		return false;
	}
	if (t->header_canon != d->opts->header_canon ||
	    t->body_canon != d->opts->body_canon) {
		sp_err_set(why, "another c= than ours");
		return false;
	}
	if (t->has_l) {
		sp_err_set(why, "it has l=");
		return false;
	}
	if (t->x > 0 && t->x < (long long)d->opts->now) {
		sp_err_set(why, "it has expired (x=)");
		return false;
	}
	if (strcmp(t->bh, bh) != 0) {
		sp_err_set(why, "the body hash differs");
		return false;
	}
	if (!existing_header_hash(d, e, md, &md_len, why))
		return false;
	if (!b_verifies(s->key, t->b, md, md_len)) {
		sp_err_set(why, "b= does not verify");
		return false;
	}
	return true;
}

/*
 * Skip signer s when an existing signature with its d= and s= verifies
 * with its key; note each one that does not.
 */
static void
check_existing(struct sp_dkim *d, struct signer *s, const char *bh)
{
	for (size_t i = 0; i < d->n_sigs && !s->skipped; i++) {
		const struct existing_sig *e = &d->sigs[i];
		sp_err why;

		if (sp_strcasecmp(e->sdid, s->sdid) != 0 ||
		    sp_strcasecmp(e->selector, s->key->selector) != 0)
			continue;
		if (existing_verifies(d, e, s, bh, &why))
			s->skipped = true;
		else
			sp_list_add_owned(&d->notes, sp_xasprintf("an existing "
			    "signature with d=%s s=%s does not verify (%s): "
			    "signed anew", s->sdid, s->key->selector, why.msg));
	}
}

/* Every signer skipped: "already signed by d=... s=..., s=...". */
static void
all_skipped(const struct sp_dkim *d, sp_err *err)
{
	struct sp_buf b = SP_BUF_INIT;

	sp_buf_printf(&b, "already signed by d=%s s=", d->signers[0].sdid);
	for (size_t i = 0; i < d->n_signers; i++)
		sp_buf_printf(&b, "%s%s", i > 0 ? "," : "",
		    d->signers[i].key->selector);
	sp_buf_puts(&b, " (the signatures verify with our keys)");
	sp_err_set(err, "%s", b.data);
	sp_buf_free(&b);
}

bool
sp_dkim_final(struct sp_dkim *d, struct sp_list *signatures, sp_err *err)
{
	struct sp_list made = SP_LIST_INIT;
	size_t skipped = 0;
	char *bh, *sig;

	switch (d->state) {
	case ST_HEADERS:
		sp_err_set(err, "not signed: the header was never checked");
		return false;
	case ST_FAILED:
		sp_err_set(err, "%s", d->why.msg);
		return false;
	case ST_DONE:
		SP_BUG("final called twice");
	case ST_BODY:
		break;
	}
	d->state = ST_DONE;
	if (d->n_signers == 0) {
		sp_err_set(err, "no signer");
		return false;
	}
	if ((bh = finish_body(d, err)) == NULL)
		return false;
	for (size_t i = 0; i < d->n_signers; i++) {
		check_existing(d, &d->signers[i], bh);
		if (d->signers[i].skipped) {
			skipped++;
			continue;
		}
		if ((sig = sign_one(d, &d->signers[i], bh, err)) == NULL) {
			sp_list_free(&made);
			free(bh);
			return false;
		}
		sp_list_add_owned(&made, sig);
	}
	if (skipped == d->n_signers)
		all_skipped(d, err);
	for (size_t i = 0; i < made.n; i++)
		sp_list_add_owned(signatures, made.v[i]);
	free(made.v);
	free(bh);
	return true;
}

bool
sp_dkim_signer_skipped(const struct sp_dkim *d, size_t i)
{
	return i < d->n_signers && d->signers[i].skipped;
}

const struct sp_list *
sp_dkim_notes(const struct sp_dkim *d)
{
	return &d->notes;
}
