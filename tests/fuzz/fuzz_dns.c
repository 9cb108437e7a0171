/*
 * fuzz_dns.c - libFuzzer target for what `dnsgen check` does with the
 * answers DNS servers send: dns_answer_decode (dnsgen/answer.c) turns any
 * bytes into values, and judge_record (dnsgen/judge.c) compares them with
 * a record dnsgen prints and says what it found.
 *
 *   scripts/fuzz dns [SECONDS]          (seeds: tests/fuzz/corpus/dns)
 *
 * The records are those of one domain with a key, mail host, MX, SPF (the
 * domain's and the HELO name's), DMARC, services, autodiscover, MTA-STS
 * and TLS-RPT. Input: the first byte picks the record
 * asked about and whether the server counts as authoritative; the second
 * picks how the rest is used:
 *   even  the next 12 bytes are the header, then the question as asked is
 *         put in, then the rest (answers can point at the name with 0xC00C)
 *   odd   the rest is the whole message, as it is
 * Beyond "does not crash" it checks what a terminal may be shown: every
 * byte of `found` and `why` is printable ASCII (issue: escape sequences
 * from DNS must never reach the terminal raw), and the verdict is a known one.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/dnsgen.h"
#include "dnsgen/judge.h"
#include "dnsgen/resolve.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dnsgen_zone zone;
static char conf_path[4200];

/* Append `name` (absolute, with its dot) in wire form. */
static size_t
put_name(unsigned char *out, const char *name)
{
	size_t n = 0;

	while (*name != '\0' && strcmp(name, ".") != 0) {
		const char *dot = strchr(name, '.');
		size_t len = dot != NULL ? (size_t)(dot - name) : strlen(name);

		out[n++] = (unsigned char)len;
		memcpy(out + n, name, len);
		n += len;
		name += len + (dot != NULL);
	}
	out[n++] = 0;
	return n;
}

static void
check_printable(const char *what, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') ||
		    (unsigned char)*s > 0x7e)
			fuzz_fail("fuzz_dns", "a byte a terminal would act on "
			    "reaches the output raw in", what);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_scratch_dir();
	char keys[4200], *conf;

	(void)argc, (void)argv;
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/signpost.conf", dir);
	fuzz_make_key(keys, "example.com", "sel");
	conf = sp_xasprintf(
	    "[signing]\nkeys_dir = %s\n"
	    "[dns]\nmail_host = mail.example.com\nipv4 = 192.0.2.25\n"
	    "ipv6 = 2001:db8::25\nmx = 10 mail.example.com\nspf = -all\n"
	    "dmarc = p=reject\nservices = submissions, imaps\n"
	    "autodiscover = yes\nmta_sts = enforce\n"
	    "tls_rpt = mailto:tlsrpt@example.com\n"
	    "[domain example.com]\nselector = sel\n", keys);
	fuzz_write_file(conf_path, conf, strlen(conf), 0644);
	free(conf);
	{
		struct dnsgen_opts o;

		memset(&o, 0, sizeof(o));
		o.conf_path = conf_path;
		if (!dnsgen_load(&o, &zone) || zone.n != 1)
			fuzz_fail("fuzz_dns", "the records to judge against "
			    "cannot be built", conf_path);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sp_dnsrec *rec = &zone.recs[0];
	const struct sp_rr *rr;
	struct dns_result r;
	struct outcome o;
	unsigned char *msg;
	size_t len;

	if (size < 2 || rec->n == 0)
		return 0;
	rr = &rec->rr[data[0] % rec->n];
	msg = malloc(size + 300);
	if (msg == NULL)
		abort();
	if (data[1] % 2 == 0 && size >= 14) {
		memcpy(msg, data + 2, 12);
		msg[4] = 0, msg[5] = 1;                 /* QDCOUNT */
		len = 12 + put_name(msg + 12, rr->name);
		msg[len++] = 0, msg[len++] = (unsigned char)rr->type;
		msg[len++] = 0, msg[len++] = 1;         /* IN */
		memcpy(msg + len, data + 14, size - 14);
		len += size - 14;
	} else {
		len = size - 2;
		memcpy(msg, data + 2, len);
	}
	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	dns_answer_decode(msg, len, "fuzz", rr->name, (int)rr->type, &r);
	judge_record(rr, &r, (data[0] & 0x80) != 0, &o);
	if ((unsigned)o.v >= V_COUNT)
		fuzz_fail("fuzz_dns", "a verdict outside ok/missing/differs/error",
		    NULL);
	check_printable("what was found", o.found);
	check_printable("the reason", o.why);
	outcome_free(&o);
	dns_result_free(&r);
	free(msg);
	return 0;
}
