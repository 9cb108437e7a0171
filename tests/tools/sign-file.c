/*
 * sign-file - sign a message file with the signpost engine, for tests.
 *
 *   sign-file -k KEY.pem -d DOMAIN -s SELECTOR [-k ... -d ... -s ...]
 *             [-c HEADER/BODY] [-t UNIXTIME] [-x EXPIRE] [-H SIGN_HEADERS]
 *             [-O OVERSIGN_HEADERS] [--allow-weak-rsa] [--chunk BYTES]
 *             [--records-out FILE] MESSAGE|-
 *
 * Reads the message (LF or CRLF line ends; header fields split at the first
 * colon, folded lines joined; the body is everything after the first empty
 * line), feeds it to the engine exactly as the milter does, and prints the
 * signed message: the DKIM-Signature fields, then the message, all with
 * CRLF line ends. Keys are loaded through sp_key_load (so their files must
 * be private, as for the milter). Signing options come from the
 * configuration parser, so defaults and syntax are the product's own.
 * --records-out writes "SELECTOR._domainkey.DOMAIN VALUE" per key.
 * --chunk feeds the body in pieces of that size (default 65536).
 *
 * Exit status: 0 signed, 1 refused by the engine (reason on stderr),
 * 2 usage, key or I/O error.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/conf.h"
#include "signpost/dkim.h"
#include "signpost/keys.h"
#include "signpost/util.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2

struct field {
	const char *name, *value;
	size_t name_len, value_len;
};

struct message {
	char *data;
	size_t len;
	struct field *fields;
	size_t n_fields, fields_cap;
	size_t header_end;      /* bytes of header fields (line ends included) */
	size_t body;            /* offset of the body; == len when none */
	bool has_separator;     /* an empty line ended the header */
};

static void
usage(void)
{
	fputs("usage: sign-file -k KEY.pem -d DOMAIN -s SELECTOR "
	    "[-k KEY -d DOMAIN -s SELECTOR]...\n"
	    "           [-c HEADER/BODY] [-t UNIXTIME] [-x EXPIRE] "
	    "[-H SIGN_HEADERS] [-O OVERSIGN_HEADERS]\n"
	    "           [--allow-weak-rsa] [--chunk BYTES] "
	    "[--records-out FILE] MESSAGE|-\n", stderr);
	exit(EXIT_USAGE);
}

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("sign-file: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static void
read_all(const char *path, struct message *m)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct sp_buf b = SP_BUF_INIT;
	char chunk[65536];
	size_t n;

	if (fp == NULL)
		die("%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sp_buf_append(&b, chunk, n);
	if (ferror(fp))
		die("%s: read error", path);
	if (fp != stdin)
		fclose(fp);
	m->len = b.len;
	m->data = sp_buf_steal(&b);
}

/* One line [start, *next): returns its length without the line end. */
static size_t
line_at(const struct message *m, size_t start, size_t *next)
{
	const char *nl = memchr(m->data + start, '\n', m->len - start);
	size_t end = nl != NULL ? (size_t)(nl - m->data) : m->len;

	*next = nl != NULL ? end + 1 : end;
	if (nl != NULL && end > start && m->data[end - 1] == '\r')
		end--;
	return end - start;
}

static void
parse_message(const char *path, struct message *m)
{
	size_t pos = 0, next, n, lineno = 0;
	struct field *f = NULL;

	while (pos < m->len) {
		const char *line = m->data + pos, *colon;

		n = line_at(m, pos, &next);
		lineno++;
		if (n == 0) {                   /* the empty line */
			m->header_end = pos;
			m->body = next;
			m->has_separator = true;
			return;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			if (f == NULL)
				die("%s:%zu: folded line before any header field",
				    path, lineno);
			f->value_len = (size_t)(line + n - f->value);
		} else {
			colon = memchr(line, ':', n);
			if (colon == NULL)
				die("%s:%zu: header line without a colon", path,
				    lineno);
			m->fields = sp_xgrow(m->fields, &m->fields_cap, m->n_fields + 1,
			    sizeof(*m->fields));
			f = &m->fields[m->n_fields++];
			f->name = line;
			f->name_len = (size_t)(colon - line);
			f->value = colon + 1;
			f->value_len = (size_t)(line + n - f->value);
		}
		pos = next;
	}
	m->header_end = m->len;
	m->body = m->len;
}

/* Write bytes with every bare LF made CRLF. */
static void
put_crlf(const char *p, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n' || (i > 0 && p[i - 1] == '\r'))
			continue;
		fwrite(p + start, 1, i - start, stdout);
		fputs("\r\n", stdout);
		start = i + 1;
	}
	fwrite(p + start, 1, n - start, stdout);
}

struct signer_args {
	struct sp_list keys, domains, selectors;
};

/*
 * The signing options as the product reads them: a [signing] section made
 * from our flags, through the configuration parser.
 */
static struct sp_config *
make_config(const char *canon, const char *sign, const char *over,
    bool weak)
{
	struct sp_buf text = SP_BUF_INIT;
	struct sp_config *conf;
	sp_err err;

	sp_buf_puts(&text, "[signing]\n");
	if (canon != NULL)
		sp_buf_printf(&text, "canonicalization = %s\n", canon);
	if (sign != NULL)
		sp_buf_printf(&text, "sign_headers = %s\n", sign);
	if (over != NULL)
		sp_buf_printf(&text, "oversign_headers = %s\n", over);
	if (weak)
		sp_buf_puts(&text, "allow_weak_rsa = yes\n");
	conf = sp_config_parse("sign-file options", text.data, text.len, &err);
	sp_buf_free(&text);
	if (conf == NULL)
		die("%s", err.msg);
	return conf;
}

static void
write_records(const char *path, struct sp_key **keys, size_t n)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		die("%s: %s", path, strerror(errno));
	for (size_t i = 0; i < n; i++) {
		char *rec = sp_key_dns_record(keys[i]);

		fprintf(fp, "%s._domainkey.%s %s\n", keys[i]->selector,
		    keys[i]->domain, rec);
		free(rec);
	}
	if (fclose(fp) != 0)
		die("%s: write error", path);
}

static unsigned long
number(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
		die("%s: not a number: %s", opt, s);
	return (unsigned long)v;
}

/* Feed the engine; returns the exit status. */
static int
sign(const struct message *m, const struct sp_sign_opts *opts,
    struct sp_key **keys, size_t n_keys, const struct sp_list *domains,
    size_t chunk)
{
	struct sp_dkim *d = sp_dkim_new(opts);
	struct sp_list sigs = SP_LIST_INIT;
	sp_err err;
	int rc = EXIT_REFUSED;

	for (size_t i = 0; i < m->n_fields; i++) {
		const struct field *f = &m->fields[i];

		if (!sp_dkim_header(d, f->name, f->name_len, f->value,
		    f->value_len, &err))
			goto refused;
	}
	if (!sp_dkim_end_headers(d, &err))
		goto refused;
	for (size_t i = 0; i < n_keys; i++)
		if (!sp_dkim_add_signer(d, domains->v[i], keys[i], &err))
			goto refused;
	for (size_t off = m->body; off < m->len; off += chunk)
		sp_dkim_body(d, m->data + off,
		    m->len - off < chunk ? m->len - off : chunk);
	if (!sp_dkim_final(d, &sigs, &err))
		goto refused;
	for (size_t i = 0; i < sigs.n; i++)
		printf("DKIM-Signature:%s\r\n", sigs.v[i]);
	put_crlf(m->data, m->header_end);
	if (m->header_end > 0 && m->data[m->header_end - 1] != '\n')
		fputs("\r\n", stdout);  /* the file ended inside the header */
	fputs("\r\n", stdout);
	put_crlf(m->data + m->body, m->len - m->body);
	rc = fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_USAGE;
	if (rc != 0)
		fputs("sign-file: write error\n", stderr);
	goto out;
refused:
	fprintf(stderr, "sign-file: not signed: %s\n", err.msg);
out:
	sp_list_free(&sigs);
	sp_dkim_free(d);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "records-out", required_argument, NULL, 'R' },
		{ "allow-weak-rsa", no_argument, NULL, 'w' },
		{ "chunk", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct signer_args sa = { SP_LIST_INIT, SP_LIST_INIT, SP_LIST_INIT };
	const char *canon = NULL, *sign_h = NULL, *over_h = NULL, *records = NULL;
	unsigned long expire = 0, chunk = 65536;
	time_t now = time(NULL);
	bool weak = false;
	struct sp_key_rules rules;
	struct sp_sign_opts opts;
	struct sp_config *conf;
	struct { struct sp_key **v; size_t n; } keys = { NULL, 0 };
	struct message m;
	sp_err err;
	int c, rc;

	while ((c = getopt_long(argc, argv, "k:d:s:c:t:x:H:O:h", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'k': sp_list_add(&sa.keys, optarg); break;
		case 'd': sp_list_add(&sa.domains, optarg); break;
		case 's': sp_list_add(&sa.selectors, optarg); break;
		case 'c': canon = optarg; break;
		case 't': now = (time_t)number("-t", optarg); break;
		case 'x': expire = number("-x", optarg); break;
		case 'H': sign_h = optarg; break;
		case 'O': over_h = optarg; break;
		case 'R': records = optarg; break;
		case 'w': weak = true; break;
		case 'C': chunk = number("--chunk", optarg); break;
		default: usage();
		}
	}
	if (optind + 1 != argc || sa.keys.n == 0 || chunk == 0 ||
	    sa.keys.n != sa.domains.n || sa.keys.n != sa.selectors.n)
		usage();
	conf = make_config(canon, sign_h, over_h, weak);
	if (!sp_key_rules_from_config(conf, false, &rules, &err))
		die("%s", err.msg);
	keys.v = sp_xcalloc(sa.keys.n, sizeof(*keys.v));
	for (size_t i = 0; i < sa.keys.n; i++, keys.n++) {
		keys.v[i] = sp_key_load(sa.keys.v[i], sa.domains.v[i],
		    sa.selectors.v[i], &rules, &err);
		if (keys.v[i] == NULL)
			die("%s", err.msg);
	}
	if (records != NULL)
		write_records(records, keys.v, keys.n);
	memset(&m, 0, sizeof(m));
	read_all(argv[optind], &m);
	parse_message(argv[optind], &m);
	opts = (struct sp_sign_opts){
		.header_canon = conf->signing.header_canon,
		.body_canon = conf->signing.body_canon,
		.sign_headers = &conf->signing.sign_headers,
		.oversign_headers = &conf->signing.oversign_headers,
		.now = now,
		.expire = expire,
	};
	rc = sign(&m, &opts, keys.v, keys.n, &sa.domains, chunk);
	sp_keys_free_array(keys.v, keys.n);
	sp_config_free(conf);
	free(m.fields);
	free(m.data);
	sp_list_free(&sa.keys);
	sp_list_free(&sa.domains);
	sp_list_free(&sa.selectors);
	return rc;
}
