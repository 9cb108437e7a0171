/*
 * dnsfmt.c - dnsgen's four output formats for the records dnsrec.c builds:
 * an RFC 1035 master file (zone), input for BIND's nsupdate, JSON for DNS
 * provider APIs, and a table for registrar web forms. Pure: everything is
 * appended to a buffer; see dnsfmt.h.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/dnsfmt.h"
#include "signpost/dnsname.h"
#include "signpost/dnstxt.h"

int
sp_dns_format_parse(const char *name)
{
	static const char *const names[] = {
		[SP_FMT_ZONE] = "zone",
		[SP_FMT_NSUPDATE] = "nsupdate",
		[SP_FMT_JSON] = "json",
		[SP_FMT_TABLE] = "table",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* RDATA as a master file wants it; TXT strings joined by `sep`. */
static void
rdata(struct sp_buf *out, const struct sp_rr *rr, const char *sep)
{
	if (rr->type == SP_RR_TXT)
		sp_txt_rdata(out, rr->value, sep);
	else
		sp_buf_puts(out, rr->value);
}

/*
 * "NAME TTL\tIN\tTYPE\t", NAME padded to width: what "%-*s %u\tIN\t%s\t"
 * prints, without printf's cost on every line (600,000 of them for
 * 100,000 domains).
 */
static void
zone_owner(struct sp_buf *out, const struct sp_rr *rr, int width)
{
	static const char spaces[] = "                                "
	    "                                ";
	char digits[16], *d = digits + sizeof(digits);
	size_t len = strlen(rr->name), pad;
	unsigned ttl = rr->ttl;

	sp_buf_append(out, rr->name, len);
	for (pad = width > 0 && (size_t)width > len ? (size_t)width - len : 0;
	    pad > 0; ) {
		size_t n = pad < sizeof(spaces) - 1 ? pad : sizeof(spaces) - 1;

		sp_buf_append(out, spaces, n);
		pad -= n;
	}
	sp_buf_putc(out, ' ');
	do {
		*--d = (char)('0' + ttl % 10);
		ttl /= 10;
	} while (ttl != 0);
	sp_buf_append(out, d, (size_t)(digits + sizeof(digits) - d));
	sp_buf_puts(out, "\tIN\t");
	sp_buf_puts(out, sp_rr_type_name(rr->type));
	sp_buf_putc(out, '\t');
}

static void
zone_line(struct sp_buf *out, const struct sp_rr *rr, int width)
{
	zone_owner(out, rr, width);
	if (rr->type == SP_RR_TXT && sp_txt_count(strlen(rr->value)) > 1) {
		/* RFC 1035 section 5.1: parentheses continue a record. */
		sp_buf_puts(out, "( ");
		rdata(out, rr, "\n\t\t");
		sp_buf_puts(out, " )");
	} else {
		rdata(out, rr, " ");
	}
	sp_buf_putc(out, '\n');
}

void
sp_rr_format_zone(struct sp_buf *out, const struct sp_rr *rr)
{
	zone_line(out, rr, 0);
}

static int
name_width(const struct sp_dnsrec *r)
{
	size_t w = 0;

	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->rr[i].name) > w)
			w = strlen(r->rr[i].name);
	return w > 64 ? 64 : (int)w;
}

static void
format_zone(struct sp_buf *out, const struct sp_dnsrec *r)
{
	int width = name_width(r);

	sp_buf_printf(out, "; %s: the records signpost needs (dnsgen)\n",
	    r->domain);
	for (size_t i = 0; i < r->n; i++) {
		if (r->rr[i].comment != NULL)
			sp_buf_printf(out, "; %s\n", r->rr[i].comment);
		zone_line(out, &r->rr[i], width);
	}
	if (r->n_ptr == 0)
		return;
	sp_buf_puts(out, "; Reverse DNS is not part of this zone: ask the "
	    "provider of each address\n; to publish these PTR records:\n");
	for (size_t i = 0; i < r->n_ptr; i++) {
		sp_buf_puts(out, ";   ");
		zone_line(out, &r->ptr[i], 0);
	}
}

/*
 * nsupdate(1): per RRset "update delete NAME TYPE", then one "update add"
 * per record; one "send" per domain (an UPDATE message covers one zone).
 * No blank lines: nsupdate sends on a blank line.
 */
static void
format_nsupdate(struct sp_buf *out, const struct sp_dnsrec *r)
{
	sp_buf_printf(out, "; %s: the records signpost needs (dnsgen)\n",
	    r->domain);
	for (size_t i = 0; i < r->n; i++) {
		if (sp_dnsrec_rrset_seen(r, i))
			continue;
		sp_buf_printf(out, "update delete %s %s\n", r->rr[i].name,
		    sp_rr_type_name(r->rr[i].type));
		for (size_t j = i; j < r->n; j++) {
			const struct sp_rr *rr = &r->rr[j];

			if (rr->type != r->rr[i].type ||
			    strcmp(rr->name, r->rr[i].name) != 0)
				continue;
			if (rr->comment != NULL)
				sp_buf_printf(out, "; %s\n", rr->comment);
			sp_buf_printf(out, "update add %s %u %s ", rr->name,
			    rr->ttl, sp_rr_type_name(rr->type));
			rdata(out, rr, " ");
			sp_buf_putc(out, '\n');
		}
	}
	for (size_t i = 0; i < r->n_ptr; i++)
		sp_buf_printf(out, "; reverse DNS, set by the provider of %s: "
		    "%s PTR %s\n", r->ptr[i].address, r->ptr[i].name,
		    r->ptr[i].value);
	sp_buf_puts(out, "send\n");
}

static void
json_record(struct sp_buf *out, const struct sp_rr *rr)
{
	sp_buf_puts(out, "  {\"name\": ");
	sp_json_string(out, rr->name);
	sp_buf_printf(out, ", \"type\": \"%s\", \"ttl\": %u, \"value\": ",
	    sp_rr_type_name(rr->type), rr->ttl);
	sp_json_string(out, rr->value);
	if (rr->type == SP_RR_TXT) {
		struct sp_list parts = SP_LIST_INIT;

		sp_txt_split(rr->value, &parts);
		sp_buf_puts(out, ", \"strings\": [");
		for (size_t i = 0; i < parts.n; i++) {
			if (i > 0)
				sp_buf_puts(out, ", ");
			sp_json_string(out, parts.v[i]);
		}
		sp_buf_putc(out, ']');
		sp_list_free(&parts);
	}
	sp_buf_putc(out, '}');
}

void
sp_dnsrec_format_json_items(struct sp_buf *out, const struct sp_dnsrec *r,
    bool *first)
{
	for (size_t i = 0; i < r->n; i++) {
		sp_buf_puts(out, *first ? "\n" : ",\n");
		json_record(out, &r->rr[i]);
		*first = false;
	}
}

static void
format_json(struct sp_buf *out, const struct sp_dnsrec *recs, size_t n)
{
	bool first = true;

	sp_buf_putc(out, '[');
	for (size_t d = 0; d < n; d++)
		sp_dnsrec_format_json_items(out, &recs[d], &first);
	sp_buf_puts(out, first ? "]\n" : "\n]\n");
}

#define TABLE_VALUE_WIDTH 64

/* A value as a web form wants it: host names without the final dot. */
static char *
table_value(const struct sp_rr *rr)
{
	size_t len = strlen(rr->value);

	if (rr->type != SP_RR_TXT && len > 1 && rr->value[len - 1] == '.' &&
	    rr->value[len - 2] != ' ')
		return sp_xstrndup(rr->value, len - 1);
	return sp_xstrdup(rr->value);
}

static void
table_row(struct sp_buf *out, const char *type, const char *host,
    const char *value, const char *ttl, const int w[3])
{
	sp_buf_printf(out, "%-*s  %-*s  %-*s  %s\n", w[0], type, w[1], host,
	    w[2], value, ttl);
}

static void
format_table(struct sp_buf *out, const struct sp_dnsrec *r)
{
	int w[3] = { 4, 4, 5 };
	char **host = sp_xcalloc(r->n + 1, sizeof(*host));
	char **value = sp_xcalloc(r->n + 1, sizeof(*value));
	bool notes = false;

	for (size_t i = 0; i < r->n; i++) {
		host[i] = sp_dns_relative(r->rr[i].name, r->domain);
		value[i] = table_value(&r->rr[i]);
		if ((int)strlen(sp_rr_type_name(r->rr[i].type)) > w[0])
			w[0] = (int)strlen(sp_rr_type_name(r->rr[i].type));
		if ((int)strlen(host[i]) > w[1])
			w[1] = (int)strlen(host[i]);
		/* A long key value overflows its column rather than pushing
		 * every TTL off the screen. */
		if ((int)strlen(value[i]) > w[2] &&
		    strlen(value[i]) <= TABLE_VALUE_WIDTH)
			w[2] = (int)strlen(value[i]);
	}
	sp_buf_printf(out, "%s\n\n", r->domain);
	table_row(out, "Type", "Host", "Value", "TTL", w);
	for (size_t i = 0; i < r->n; i++) {
		char ttl[16];

		snprintf(ttl, sizeof(ttl), "%u", r->rr[i].ttl);
		table_row(out, sp_rr_type_name(r->rr[i].type), host[i],
		    value[i], ttl, w);
		notes = notes || r->rr[i].comment != NULL;
		free(host[i]);
		free(value[i]);
	}
	free(host);
	free(value);
	if (notes) {
		sp_buf_puts(out, "\nNotes:\n");
		for (size_t i = 0; i < r->n; i++)
			if (r->rr[i].comment != NULL)
				sp_buf_printf(out, "  %s\n", r->rr[i].comment);
	}
	if (r->n_ptr > 0) {
		sp_buf_puts(out, "\nReverse DNS (PTR), set by the provider of "
		    "each address:\n");
		for (size_t i = 0; i < r->n_ptr; i++) {
			char *v = table_value(&r->ptr[i]);

			sp_buf_printf(out, "  %s -> %s\n", r->ptr[i].address, v);
			free(v);
		}
	}
}

void
sp_dnsrec_format(struct sp_buf *out, const struct sp_dnsrec *recs, size_t n,
    enum sp_dns_format fmt)
{
	if (fmt == SP_FMT_JSON) {
		format_json(out, recs, n);
		return;
	}
	for (size_t d = 0; d < n; d++) {
		if (d > 0 && fmt != SP_FMT_NSUPDATE)
			sp_buf_putc(out, '\n');
		switch (fmt) {
		case SP_FMT_ZONE:
			format_zone(out, &recs[d]);
			break;
		case SP_FMT_NSUPDATE:
			format_nsupdate(out, &recs[d]);
			break;
		case SP_FMT_TABLE:
			format_table(out, &recs[d]);
			break;
		case SP_FMT_JSON:
			break;
		}
	}
}
