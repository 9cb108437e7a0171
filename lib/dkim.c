/*
 * dkim.c - the DKIM signing engine (RFC 6376, RFC 8463): one object per
 * message. See dkim.h for the order of calls.
 *
 * Header fields are kept only when they may be signed (their name is in
 * sign_headers, or From:), already canonicalised; From: is checked and the
 * d=/s= of existing DKIM-Signature fields remembered. At the end of the
 * header the selected fields are hashed once, bottom-up per name (RFC 6376
 * 5.4.2), and dropped. The body streams through the canonicaliser into one
 * SHA-256 shared by every signer (they share c=). Each signer copies the
 * header hash, adds its own DKIM-Signature field and signs: RSA PKCS#1 v1.5
 * over the SHA-256 digest, Ed25519 over the 32-byte digest (RFC 8463 3).
 */
#include "config.h"

#include <pthread.h>
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
	ST_FAILED,              /* end_headers refused: never sign */
	ST_DONE,                /* final was called */
};

/* From: when sign_headers does not name it (it is signed anyway). */
#define FROM_UNLISTED ((size_t)-1)

struct field {
	char *name;             /* lower-case, trailing white space trimmed */
	size_t sign_idx;        /* first entry of sign_headers naming it */
	struct sp_buf canon;    /* canonical form, CRLF included */
};

struct existing_sig {
	char *sdid;
	char *selector;
};

struct signer {
	char *sdid;
	const struct sp_key *key;
};

struct sp_dkim {
	const struct sp_sign_opts *opts;
	enum dkim_state state;
	sp_err why;             /* ST_FAILED: end_headers' reason */

	struct field *fields;   /* h= candidates, top to bottom */
	size_t n_fields, cap_fields;
	size_t n_from;
	char *from_value;       /* the first From: value */
	size_t from_len;
	char *from_domain;
	struct existing_sig *sigs;
	size_t n_sigs;

	struct signer *signers;
	size_t n_signers;

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

	d->opts = opts;
	d->state = ST_HEADERS;
	return d;
}

static void
free_fields(struct sp_dkim *d)
{
	for (size_t i = 0; i < d->n_fields; i++) {
		free(d->fields[i].name);
		sp_buf_free(&d->fields[i].canon);
	}
	free(d->fields);
	d->fields = NULL;
	d->n_fields = d->cap_fields = 0;
}

void
sp_dkim_free(struct sp_dkim *d)
{
	if (d == NULL)
		return;
	free_fields(d);
	free(d->from_value);
	free(d->from_domain);
	for (size_t i = 0; i < d->n_sigs; i++) {
		free(d->sigs[i].sdid);
		free(d->sigs[i].selector);
	}
	free(d->sigs);
	for (size_t i = 0; i < d->n_signers; i++)
		free(d->signers[i].sdid);
	free(d->signers);
	sp_list_free(&d->h);
	EVP_MD_CTX_free(d->hh);
	EVP_MD_CTX_free(d->bh);
	if (d->body_ready)
		sp_body_canon_free(&d->body);
	free(d);
}

/*
 * May a field named `lname` be signed, and where does sign_headers first
 * name it (a name listed twice counts once)? Received is never signed:
 * every hop adds one (and Postfix hides its own). From: always is.
 */
static bool
may_sign(const struct sp_dkim *d, const char *lname, size_t *idx)
{
	const struct sp_list *sign = d->opts->sign_headers;

	if (strcmp(lname, "received") == 0)
		return false;
	for (size_t i = 0; sign != NULL && i < sign->n; i++) {
		if (sp_strcasecmp(sign->v[i], lname) == 0) {
			*idx = i;
			return true;
		}
	}
	*idx = FROM_UNLISTED;
	return strcmp(lname, "from") == 0;
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

static void
keep_existing_signature(struct sp_dkim *d, const char *value, size_t len)
{
	char *sdid = sp_taglist_value(value, len, "d");
	char *sel = sp_taglist_value(value, len, "s");

	if (sdid == NULL || sel == NULL) {
		free(sdid);
		free(sel);
		return;
	}
	d->sigs = sp_xrealloc(d->sigs, d->n_sigs + 1, sizeof(*d->sigs));
	d->sigs[d->n_sigs].sdid = sdid;
	d->sigs[d->n_sigs].selector = sel;
	d->n_sigs++;
}

bool
sp_dkim_header(struct sp_dkim *d, const char *name, size_t name_len,
    const char *value, size_t value_len, sp_err *err)
{
	struct field *f;
	size_t n, idx;
	char *lname;

	if (d->state != ST_HEADERS)
		SP_BUG("header field after the end of the header");
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
		keep_existing_signature(d, value, value_len);
	if (!may_sign(d, lname, &idx)) {
		free(lname);
		return true;
	}
	if (d->n_fields == d->cap_fields) {
		d->cap_fields = d->cap_fields ? 2 * d->cap_fields : 16;
		d->fields = sp_xrealloc(d->fields, d->cap_fields,
		    sizeof(*d->fields));
	}
	f = &d->fields[d->n_fields++];
	f->name = lname;
	f->sign_idx = idx;
	sp_buf_init(&f->canon);
	sp_canon_header(d->opts->header_canon, name, name_len, value,
	    value_len, true, &f->canon);
	return true;
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

/* Is a field named `lname` present? */
static bool
present(const struct sp_dkim *d, const char *lname)
{
	for (size_t i = 0; i < d->n_fields; i++)
		if (strcmp(d->fields[i].name, lname) == 0)
			return true;
	return false;
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

/* Every field of sign_headers entry `idx`, bottom-up (RFC 6376 5.4.2). */
static void
select_instances(struct sp_dkim *d, size_t idx, struct sp_buf *out)
{
	for (size_t i = d->n_fields; i-- > 0;) {
		const struct field *f = &d->fields[i];

		if (f->sign_idx != idx)
			continue;
		sp_list_add(&d->h, f->name);
		sp_buf_append(out, f->canon.data, f->canon.len);
	}
}

/*
 * h=: From first unless sign_headers names it, then each name of
 * sign_headers once per instance present, then one more (null) entry for
 * each present name of oversign_headers, so an added copy breaks the
 * signature. Absent names are never listed: a later hop may add them.
 * The selected fields are hashed in one update.
 */
static bool
hash_headers(struct sp_dkim *d, sp_err *err)
{
	const struct sp_list *sign = d->opts->sign_headers;
	const struct sp_list *over = d->opts->oversign_headers;
	struct sp_buf all = SP_BUF_INIT;
	bool ok;

	select_instances(d, FROM_UNLISTED, &all);
	for (size_t i = 0; sign != NULL && i < sign->n; i++)
		select_instances(d, i, &all);
	for (size_t i = 0; over != NULL && i < over->n; i++) {
		char lname[256];
		size_t idx;

		if (strlen(over->v[i]) >= sizeof(lname) || listed_before(over, i))
			continue;
		strcpy(lname, over->v[i]);
		sp_str_lower(lname);
		if (may_sign(d, lname, &idx) && present(d, lname))
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
	if (d->state != ST_HEADERS)
		SP_BUG("the header ended twice");
	if (!check_from(d, &d->why) || !hash_headers(d, &d->why) ||
	    !start_body(d, &d->why)) {
		d->state = ST_FAILED;
		free_fields(d);
		sp_err_set(err, "%s", d->why.msg);
		return false;
	}
	free_fields(d);         /* hashed: no longer needed */
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
	if (key == NULL || key->pkey == NULL ||
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
	bool ok;

	*b64 = NULL;
	if (d->hh == NULL)
		SP_BUG("signing before the header was hashed");
	if (!field_digest(d, value, len, md, &md_len, err))
		return false;
	if (key->type == SP_KEY_ED25519)
		ok = sign_ed25519(key->pkey, md, md_len, &sig, &sig_len, err);
	else
		ok = sign_rsa(key->pkey, md, md_len, &sig, &sig_len, err);
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

bool
sp_dkim_final(struct sp_dkim *d, struct sp_list *signatures, sp_err *err)
{
	struct sp_list made = SP_LIST_INIT;
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
		if ((sig = sign_one(d, &d->signers[i], bh, err)) == NULL) {
			sp_list_free(&made);
			free(bh);
			return false;
		}
		sp_list_add_owned(&made, sig);
	}
	for (size_t i = 0; i < made.n; i++)
		sp_list_add_owned(signatures, made.v[i]);
	free(made.v);
	free(bh);
	return true;
}
