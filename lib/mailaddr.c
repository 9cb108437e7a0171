/*
 * mailaddr.c - RFC 5322 section 3.4 address lists, for the From: field the
 * signing engine must find exactly one mailbox in.
 *
 * Two steps: a lexer turns the value into tokens (atoms, quoted strings,
 * domain literals, specials), dropping CFWS (comments and folding white
 * space, RFC 5322 3.2.2) and checking UTF-8 (RFC 6532); then one function
 * per grammar rule walks the tokens. Because CFWS is gone before parsing,
 * the obsolete forms of RFC 5322 4.4 (comments between the dots of a
 * local part or domain, "J. Q. Public" as a phrase, empty list elements,
 * source routes) need no extra code.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/mailaddr.h"

enum tok_type {
	TOK_END,
	TOK_ATOM,               /* 1*atext */
	TOK_QUOTED,             /* quoted-string, quotes included */
	TOK_LITERAL,            /* domain-literal, brackets included */
	TOK_SPECIAL,            /* one of < > @ , ; : . */
};

struct tok {
	enum tok_type type;
	const char *p;
	size_t n;
};

struct lexer {
	const unsigned char *s;
	size_t len, pos;
	struct tok *v;
	size_t n, cap;
	sp_err *err;
};

struct parser {
	const struct tok *t;
	size_t i;
	struct sp_mailbox_list *out;
	sp_err *err;
};

/* ---- lexer ---- */

/* RFC 5322 3.2.3 atext (ASCII part). */
static bool
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool
is_fws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
lex_fail(struct lexer *lx, const char *why)
{
	sp_err_set(lx->err, "%s", why);
	return false;
}

static void
lex_push(struct lexer *lx, enum tok_type type, size_t start)
{
	if (lx->n == lx->cap) {
		lx->cap = lx->cap ? lx->cap * 2 : 16;
		lx->v = sp_xrealloc(lx->v, lx->cap, sizeof(*lx->v));
	}
	lx->v[lx->n].type = type;
	lx->v[lx->n].p = (const char *)lx->s + start;
	lx->v[lx->n].n = lx->pos - start;
	lx->n++;
}

/*
 * One character inside a quoted string, comment or domain literal: a
 * quoted-pair, FWS, printable ASCII, obsolete control characters
 * (RFC 5322 4.1) or UTF-8. NUL is never allowed.
 */
static bool
lex_inner_char(struct lexer *lx)
{
	unsigned char c = lx->s[lx->pos];
	size_t n;

	if (c == '\0')
		return lex_fail(lx, "NUL byte");
	if (c == '\\') {
		if (lx->pos + 1 >= lx->len || lx->s[lx->pos + 1] == '\0')
			return lex_fail(lx, "backslash at the end");
		lx->pos++;
		c = lx->s[lx->pos];
	}
	if (c < 0x80) {
		lx->pos++;
		return true;
	}
	n = sp_utf8_sequence(lx->s + lx->pos, lx->len - lx->pos);
	if (n == 0)
		return lex_fail(lx, "invalid UTF-8");
	lx->pos += n;
	return true;
}

/* RFC 5322 3.2.2 comment, nested. */
static bool
lex_comment(struct lexer *lx)
{
	unsigned depth = 0;

	do {
		if (lx->pos >= lx->len)
			return lex_fail(lx, "unterminated comment");
		if (lx->s[lx->pos] == '(') {
			depth++;
			lx->pos++;
		} else if (lx->s[lx->pos] == ')') {
			depth--;
			lx->pos++;
		} else if (!lex_inner_char(lx)) {
			return false;
		}
	} while (depth > 0);
	return true;
}

/* quoted-string (3.2.4) or domain-literal (3.4.1): up to `close`. */
static bool
lex_delimited(struct lexer *lx, enum tok_type type, unsigned char close,
    const char *unterminated)
{
	size_t start = lx->pos++;

	for (;;) {
		if (lx->pos >= lx->len)
			return lex_fail(lx, unterminated);
		if (lx->s[lx->pos] == close)
			break;
		if (type == TOK_LITERAL && lx->s[lx->pos] == '[')
			return lex_fail(lx, "'[' inside a domain literal");
		if (!lex_inner_char(lx))
			return false;
	}
	lx->pos++;
	lex_push(lx, type, start);
	return true;
}

static bool
lex_atom(struct lexer *lx)
{
	size_t start = lx->pos, n;

	while (lx->pos < lx->len) {
		unsigned char c = lx->s[lx->pos];

		if (is_atext(c)) {
			lx->pos++;
		} else if (c >= 0x80) {
			n = sp_utf8_sequence(lx->s + lx->pos, lx->len - lx->pos);
			if (n == 0)
				return lex_fail(lx, "invalid UTF-8");
			lx->pos += n;
		} else {
			break;
		}
	}
	lex_push(lx, TOK_ATOM, start);
	return true;
}

static bool
lex_token(struct lexer *lx)
{
	unsigned char c = lx->s[lx->pos];

	if (is_fws(c)) {
		lx->pos++;
		return true;
	}
	switch (c) {
	case '(':
		return lex_comment(lx);
	case ')':
		return lex_fail(lx, "unbalanced ')'");
	case '"':
		return lex_delimited(lx, TOK_QUOTED, '"',
		    "unterminated quoted string");
	case '[':
		return lex_delimited(lx, TOK_LITERAL, ']',
		    "unterminated domain literal");
	case ']':
		return lex_fail(lx, "unbalanced ']'");
	case '\\':
		return lex_fail(lx, "backslash outside quotes");
	case '<': case '>': case '@': case ',': case ';': case ':': case '.':
		lx->pos++;
		lex_push(lx, TOK_SPECIAL, lx->pos - 1);
		return true;
	default:
		if (is_atext(c) || c >= 0x80)
			return lex_atom(lx);
		return lex_fail(lx, "control character");
	}
}

static bool
lex(const char *value, size_t len, struct lexer *lx, sp_err *err)
{
	memset(lx, 0, sizeof(*lx));
	lx->s = (const unsigned char *)value;
	lx->len = len;
	lx->err = err;
	while (lx->pos < lx->len)
		if (!lex_token(lx))
			return false;
	lex_push(lx, TOK_END, lx->pos);
	return true;
}

/* ---- parser: one function per rule of RFC 5322 3.4 ---- */

static const struct tok *
cur(const struct parser *ps)
{
	return &ps->t[ps->i];
}

static bool
is_special(const struct parser *ps, char c)
{
	return cur(ps)->type == TOK_SPECIAL && cur(ps)->p[0] == c;
}

/* word = atom / quoted-string */
static bool
is_word(const struct parser *ps)
{
	return cur(ps)->type == TOK_ATOM || cur(ps)->type == TOK_QUOTED;
}

/* "unexpected '<'", "unexpected end", ... for the current token. */
static bool
unexpected(struct parser *ps, const char *where)
{
	const struct tok *t = cur(ps);

	switch (t->type) {
	case TOK_END:
		sp_err_set(ps->err, "unexpected end%s", where);
		break;
	case TOK_SPECIAL:
		sp_err_set(ps->err, "unexpected '%c'%s", t->p[0], where);
		break;
	case TOK_LITERAL:
		sp_err_set(ps->err, "unexpected domain literal%s", where);
		break;
	default:
		sp_err_set(ps->err, "unexpected \"%.*s\"%s",
		    t->n > 40 ? 40 : (int)t->n, t->p, where);
		break;
	}
	return false;
}

static bool
fail(struct parser *ps, const char *why)
{
	sp_err_set(ps->err, "%s", why);
	return false;
}

/* local-part = dot-atom / quoted-string / obs-local-part (word *("." word)) */
static bool
local_part(struct parser *ps, struct sp_buf *out)
{
	if (is_special(ps, '@'))
		return fail(ps, "empty local part");
	for (;;) {
		if (!is_word(ps))
			return unexpected(ps, " in local part");
		sp_buf_append(out, cur(ps)->p, cur(ps)->n);
		ps->i++;
		if (!is_special(ps, '.'))
			return true;
		sp_buf_putc(out, '.');
		ps->i++;
	}
}

/* Append a token with its ASCII letters lower-cased (domains compare so). */
static void
append_lower(struct sp_buf *out, const struct tok *t)
{
	for (size_t k = 0; k < t->n; k++) {
		char c = t->p[k];

		sp_buf_putc(out, c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
	}
}

/* domain = dot-atom / domain-literal / obs-domain (atom *("." atom)) */
static bool
domain(struct parser *ps, struct sp_buf *out)
{
	if (cur(ps)->type == TOK_LITERAL) {
		append_lower(out, cur(ps));
		ps->i++;
		return true;
	}
	if (cur(ps)->type != TOK_ATOM)
		return cur(ps)->type == TOK_END ? fail(ps, "no domain after @") :
		    unexpected(ps, " in domain");
	for (;;) {
		append_lower(out, cur(ps));
		ps->i++;
		if (!is_special(ps, '.'))
			return true;
		sp_buf_putc(out, '.');
		ps->i++;
		if (cur(ps)->type != TOK_ATOM)
			return fail(ps, "empty label in domain");
	}
}

/* addr-spec = local-part "@" domain */
static bool
addr_spec(struct parser *ps)
{
	struct sp_buf local = SP_BUF_INIT, dom = SP_BUF_INIT;
	struct sp_mailbox_list *l = ps->out;

	if (!local_part(ps, &local))
		goto fail;
	if (!is_special(ps, '@')) {
		if (cur(ps)->type == TOK_END || is_special(ps, ',') ||
		    is_special(ps, '>') || is_special(ps, ';'))
			fail(ps, "no @ in address");
		else
			unexpected(ps, " in local part");
		goto fail;
	}
	ps->i++;
	if (!domain(ps, &dom))
		goto fail;
	l->v = sp_xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n].local = sp_buf_steal(&local);
	l->v[l->n].domain = sp_buf_steal(&dom);
	l->n++;
	return true;
fail:
	sp_buf_free(&local);
	sp_buf_free(&dom);
	return false;
}

/* obs-route = obs-domain-list ":" ; obs-domain-list = *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain]) */
static bool
obs_route(struct parser *ps)
{
	struct sp_buf ignored = SP_BUF_INIT;
	bool ok = true;

	while (ok && (is_special(ps, ',') || is_special(ps, '@'))) {
		if (is_special(ps, ',')) {
			ps->i++;
			continue;
		}
		ps->i++;
		ok = domain(ps, &ignored);
		sp_buf_reset(&ignored);
	}
	sp_buf_free(&ignored);
	if (!ok)
		return false;
	if (!is_special(ps, ':'))
		return unexpected(ps, " in source route");
	ps->i++;
	return true;
}

/* angle-addr = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr */
static bool
angle_addr(struct parser *ps)
{
	ps->i++;                        /* "<" */
	if ((is_special(ps, '@') || is_special(ps, ',')) && !obs_route(ps))
		return false;
	if (is_special(ps, '>'))
		return fail(ps, "empty address <>");
	if (!addr_spec(ps))
		return false;
	if (!is_special(ps, '>'))
		return cur(ps)->type == TOK_END ? fail(ps, "missing '>'") :
		    unexpected(ps, " before '>'");
	ps->i++;
	return true;
}

/* display-name = phrase = 1*word / obs-phrase (word *(word / "." / CFWS)) */
static bool
display_name(struct parser *ps, size_t start, size_t end)
{
	if (start < end && ps->t[start].type == TOK_SPECIAL)
		return fail(ps, "display name starts with '.'");
	return true;
}

/* group = display-name ":" [group-list] ";" [CFWS] */
static bool mailbox_or_group(struct parser *ps, bool in_group);

static bool
group(struct parser *ps)
{
	ps->i++;                        /* ":" */
	for (;;) {
		while (is_special(ps, ','))
			ps->i++;
		if (is_special(ps, ';')) {
			ps->i++;
			return true;
		}
		if (cur(ps)->type == TOK_END)
			return fail(ps, "group without ';'");
		if (!mailbox_or_group(ps, true))
			return false;
		if (!is_special(ps, ',') && !is_special(ps, ';'))
			return cur(ps)->type == TOK_END ?
			    fail(ps, "group without ';'") :
			    unexpected(ps, " after address in group");
	}
}

/*
 * address = mailbox / group; mailbox = name-addr / addr-spec. What follows
 * the leading words decides: "@" an addr-spec, "<" a name-addr, ":" a group.
 */
static bool
mailbox_or_group(struct parser *ps, bool in_group)
{
	size_t start = ps->i;

	while (is_word(ps) || is_special(ps, '.'))
		ps->i++;
	if (is_special(ps, '@')) {
		ps->i = start;
		return addr_spec(ps);
	}
	if (is_special(ps, '<'))
		return display_name(ps, start, ps->i) && angle_addr(ps);
	if (is_special(ps, ':')) {
		if (in_group)
			return fail(ps, "group inside a group");
		if (start == ps->i)
			return fail(ps, "group without a name");
		return display_name(ps, start, ps->i) && group(ps);
	}
	if (start == ps->i)
		return unexpected(ps, "");
	return fail(ps, "no @ in address");
}

/* mailbox-list / address-list, with obs-mbox-list's empty elements */
static bool
address_list(struct parser *ps)
{
	if (cur(ps)->type == TOK_END)
		return fail(ps, "empty");
	for (;;) {
		while (is_special(ps, ','))
			ps->i++;
		if (cur(ps)->type == TOK_END)
			return true;
		if (!mailbox_or_group(ps, false))
			return false;
		if (cur(ps)->type == TOK_END)
			return true;
		if (!is_special(ps, ','))
			return unexpected(ps, " after address");
	}
}

bool
sp_mailbox_list_parse(const char *value, size_t len,
    struct sp_mailbox_list *out, sp_err *err)
{
	struct lexer lx;
	struct parser ps;
	bool ok;

	out->v = NULL;
	out->n = out->cap = 0;
	ok = lex(value, len, &lx, err);
	if (ok) {
		ps.t = lx.v;
		ps.i = 0;
		ps.out = out;
		ps.err = err;
		ok = address_list(&ps);
	}
	free(lx.v);
	if (!ok)
		sp_mailbox_list_free(out);
	return ok;
}

void
sp_mailbox_list_free(struct sp_mailbox_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].local);
		free(l->v[i].domain);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
