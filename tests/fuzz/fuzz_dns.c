/*
 * fuzz_dns.c - libFuzzer target for what `dnsgen check` does with the
 * answers DNS servers send (dnsgen/resolve.c decodes them, dnsgen/check.c
 * compares them with the records dnsgen prints, and prints both).
 *
 *   scripts/fuzz dns [SECONDS]          (seeds: tests/fuzz/corpus/dns)
 *
 * It runs the whole of dnsgen_check() (--server 127.0.0.1) for one domain
 * with a key, mail host, MX, SPF, DMARC, services and a PTR, and answers
 * every question with the fuzzer's bytes through a stand-in res_nsend
 * (the one call resolve.c sends through). The first byte picks how:
 *   0  the next 12 bytes are the header (its ID set to the question's),
 *      then the question as asked, then the rest: answer records can name
 *      the asked name with the compression pointer 0xC00C
 *   1  the rest is the whole answer, as it is
 *   2  no answer (the next byte picks the errno)
 * Beyond "does not crash" it checks that the exit status is one SPEC.md
 * allows (0, 1 or 2), and that the questions did come through res_nsend:
 * should resolve.c ever send another way, the target says so instead of
 * quietly fuzzing nothing.
 */
#include "config.h"

#include <errno.h>
#include <resolv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsgen/dnsgen.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *answer;
static size_t answer_len;
static unsigned long questions;         /* res_nsend calls, to see we are asked */
static char conf_path[4200];

int
res_nsend(res_state st, const unsigned char *q, int qlen, unsigned char *ans,
    int anslen)
{
	static const int errnos[] = { ETIMEDOUT, ECONNREFUSED, 0, EHOSTUNREACH };
	size_t room = anslen > 0 ? (size_t)anslen : 0, n, rest;

	(void)st;
	questions++;
	if (answer_len == 0 || answer[0] % 3 == 2 || qlen < 12) {
		errno = errnos[answer_len > 1 ? answer[1] % 4 : 0];
		return -1;
	}
	if (answer[0] % 3 == 1) {
		n = answer_len - 1 < room ? answer_len - 1 : room;
		memcpy(ans, answer + 1, n);
		return (int)n;
	}
	if (answer_len < 13 || room < 12 + (size_t)qlen)
		return -1;
	memcpy(ans, answer + 1, 12);
	memcpy(ans, q, 2);                              /* ID */
	ans[4] = 0, ans[5] = 1;                         /* QDCOUNT */
	memcpy(ans + 12, q + 12, (size_t)qlen - 12);    /* the question */
	n = (size_t)qlen;
	rest = answer_len - 13 < room - n ? answer_len - 13 : room - n;
	memcpy(ans + n, answer + 13, rest);
	return (int)(n + rest);
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
	    "autodiscover = yes\n"
	    "[domain example.com]\nselector = sel\n", keys);
	fuzz_write_file(conf_path, conf, strlen(conf), 0644);
	free(conf);
	/* What dnsgen check prints is exercised, not read. */
	if (freopen("/dev/null", "w", stdout) == NULL)
		fuzz_fail("fuzz_dns", "cannot silence standard output", NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsgen_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.conf_path = conf_path;
	o.server = "127.0.0.1";
	answer = data;
	answer_len = size;
	questions = 0;
	rc = dnsgen_check(&o);
	if (rc != DNSGEN_OK && rc != DNSGEN_MISMATCH && rc != DNSGEN_FAIL)
		fuzz_fail("fuzz_dns", "exit status outside 0, 1, 2", NULL);
	/* Questions must come here, or this target fuzzes nothing. */
	if (questions == 0)
		fuzz_fail("fuzz_dns", "dnsgen check asked nothing through "
		    "res_nsend: make the stand-in answer what it calls now", NULL);
	return 0;
}
