/*
 * milter-client-msg.c - a message as an MTA holds it for a milter: the
 * header fields split into name and value (folded lines joined by a bare
 * LF, as Postfix's queue file keeps them), the body with CRLF line ends;
 * and the message rebuilt with the milter's header edits applied at the
 * positions Postfix's cleanup server would apply them.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter-client-proto.h"

/* One line of the input: [p, p+len) without its LF (and CR before it). */
struct line {
	const char *p;
	size_t len;
	bool had_lf;
};

static bool
next_line(const char **pos, const char *end, struct line *l)
{
	const char *nl;

	if (*pos >= end)
		return false;
	l->p = *pos;
	nl = memchr(*pos, '\n', (size_t)(end - *pos));
	l->had_lf = nl != NULL;
	l->len = (size_t)((nl ? nl : end) - *pos);
	*pos = nl ? nl + 1 : end;
	if (l->had_lf && l->len > 0 && l->p[l->len - 1] == '\r')
		l->len--;
	return true;
}

/* RFC 5322 field name (printable ASCII but ':'), optional blanks, ':'. */
static size_t
header_name_len(const struct line *l)
{
	size_t n = 0, i;

	while (n < l->len && l->p[n] > ' ' && l->p[n] < 127 && l->p[n] != ':')
		n++;
	if (n == 0)
		return 0;
	for (i = n; i < l->len && (l->p[i] == ' ' || l->p[i] == '\t'); i++)
		;
	return i < l->len && l->p[i] == ':' ? n : 0;
}

static bool
is_folded(const struct line *l)
{
	return l->len > 0 && (l->p[0] == ' ' || l->p[0] == '\t');
}

/*
 * The field that starts at line l, with the folded lines after it (taken
 * from *pos): built in one pass, as a field of thousands of folded lines
 * must not cost a copy of the field per line.
 */
static void
add_header(struct mc_msg *msg, const struct line *l, size_t name_len,
    const char **pos, const char *end)
{
	const char *colon = memchr(l->p, ':', l->len), *peek = *pos;
	struct sp_buf value = SP_BUF_INIT, raw = SP_BUF_INIT;
	struct mc_header *h;
	struct line fold;

	sp_buf_append(&value, colon + 1, l->len - (size_t)(colon + 1 - l->p));
	sp_buf_append(&raw, l->p, l->len);
	sp_buf_append(&raw, "\r\n", 2);
	while (next_line(&peek, end, &fold) && is_folded(&fold)) {
		sp_buf_append(&value, "\n", 1);
		sp_buf_append(&value, fold.p, fold.len);
		sp_buf_append(&raw, fold.p, fold.len);
		sp_buf_append(&raw, "\r\n", 2);
		*pos = peek;
	}
	msg->hdr = sp_xgrow(msg->hdr, &msg->hdr_cap, msg->nhdr + 1,
	    sizeof(*msg->hdr));
	h = &msg->hdr[msg->nhdr++];
	h->name = sp_xstrndup(l->p, name_len);
	h->value = sp_buf_steal(&value);
	h->raw = sp_buf_steal(&raw);
}

static void
body_line(struct sp_buf *b, const struct line *l)
{
	sp_buf_append(b, l->p, l->len);
	sp_buf_append(b, "\r\n", 2);   /* Postfix ends even a last partial line */
}

void
mc_msg_parse(struct mc_msg *msg, const char *data, size_t len, bool raw_body)
{
	const char *pos = data, *end = data + len, *body_start = end;
	struct line l;
	size_t n;

	memset(msg, 0, sizeof(*msg));
	sp_buf_init(&msg->body);
	while (next_line(&pos, end, &l)) {
		if ((n = header_name_len(&l)) > 0) {
			add_header(msg, &l, n, &pos, end);
		} else {
			/* An empty line ends the header; anything else starts the body. */
			body_start = l.len == 0 && l.had_lf ? pos : l.p;
			break;
		}
	}
	if (raw_body) {
		sp_buf_append(&msg->body, body_start, (size_t)(end - body_start));
		return;
	}
	pos = body_start;
	while (next_line(&pos, end, &l))
		body_line(&msg->body, &l);
}

void
mc_msg_free(struct mc_msg *msg)
{
	for (size_t i = 0; i < msg->nhdr; i++) {
		free(msg->hdr[i].name);
		free(msg->hdr[i].value);
		free(msg->hdr[i].raw);
	}
	free(msg->hdr);
	sp_buf_free(&msg->body);
	memset(msg, 0, sizeof(*msg));
}

/* --- applying the milter's edits -------------------------------------- */

struct hline {
	char *name;      /* NULL: Postfix's own Received:, hidden from the milter */
	char *raw;
};

struct hlist {
	struct hline *v;
	size_t n, cap;
};

static void
hlist_insert(struct hlist *hl, size_t pos, char *name, char *raw)
{
	if (pos > hl->n)
		pos = hl->n;
	hl->v = sp_xgrow(hl->v, &hl->cap, hl->n + 1, sizeof(*hl->v));
	memmove(&hl->v[pos + 1], &hl->v[pos], (hl->n - pos) * sizeof(*hl->v));
	hl->v[pos].name = name;
	hl->v[pos].raw = raw;
	hl->n++;
}

/* "Name:" + value with every line end made CRLF. */
static char *
format_header(const char *name, const char *value, bool leadspc)
{
	struct sp_buf b = SP_BUF_INIT;

	sp_buf_printf(&b, "%s:%s", name, leadspc ? "" : " ");
	for (const char *p = value; *p; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\n')
			sp_buf_putc(&b, '\r');
		sp_buf_putc(&b, *p);
	}
	sp_buf_puts(&b, "\r\n");
	return sp_buf_steal(&b);
}

/* Index of the n-th (1-based) visible header called name, or hl->n. */
static size_t
find_header(const struct hlist *hl, const char *name, uint32_t n)
{
	for (size_t i = 0; i < hl->n; i++) {
		if (hl->v[i].name != NULL && sp_strcasecmp(hl->v[i].name, name) == 0
		    && --n == 0)
			return i;
	}
	return hl->n;
}

static void
apply_mod(struct hlist *hl, const struct mc_mod *m, bool leadspc)
{
	size_t i;

	switch (m->type) {
	case MC_MOD_INSHEADER:   /* index counts Postfix's own Received: too */
		hlist_insert(hl, m->index, sp_xstrdup(m->name),
		    format_header(m->name, m->value, leadspc));
		break;
	case MC_MOD_ADDHEADER:
		hlist_insert(hl, hl->n, sp_xstrdup(m->name),
		    format_header(m->name, m->value, leadspc));
		break;
	case MC_MOD_CHGHEADER:   /* index counts the headers the milter saw */
		i = find_header(hl, m->name, m->index ? m->index : 1);
		if (i == hl->n) {
			if (m->value[0] != '\0')
				hlist_insert(hl, hl->n, sp_xstrdup(m->name),
				    format_header(m->name, m->value, leadspc));
		} else if (m->value[0] == '\0') {
			free(hl->v[i].name);
			free(hl->v[i].raw);
			memmove(&hl->v[i], &hl->v[i + 1], (hl->n - i - 1) * sizeof(*hl->v));
			hl->n--;
		} else {
			free(hl->v[i].raw);
			hl->v[i].raw = format_header(m->name, m->value, leadspc);
		}
		break;
	case MC_MOD_OTHER:
		break;
	}
}

void
mc_msg_render(struct sp_buf *out, const struct mc_msg *msg, const struct mc_result *res,
    bool leadspc, const char *received)
{
	struct hlist hl = { NULL, 0, 0 };

	if (received != NULL)
		hlist_insert(&hl, 0, NULL, sp_xasprintf("Received: %s\r\n", received));
	for (size_t i = 0; i < msg->nhdr; i++)
		hlist_insert(&hl, hl.n, sp_xstrdup(msg->hdr[i].name), sp_xstrdup(msg->hdr[i].raw));
	for (size_t i = 0; i < res->nmods; i++)
		apply_mod(&hl, &res->mods[i], leadspc);
	for (size_t i = 0; i < hl.n; i++) {
		sp_buf_puts(out, hl.v[i].raw);
		free(hl.v[i].name);
		free(hl.v[i].raw);
	}
	free(hl.v);
	sp_buf_puts(out, "\r\n");
	if (res->body_replaced)
		sp_buf_append(out, res->new_body.data, res->new_body.len);
	else
		sp_buf_append(out, msg->body.data, msg->body.len);
}
