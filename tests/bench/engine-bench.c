/*
 * engine-bench - the signing engine's benchmark (not a test: numbers only).
 * tests/bench/engine-bench.sh runs it beside `openssl speed` and reports
 * medians and ratios.
 *
 *   engine-bench sign rsa|ed25519 SECONDS
 *       Sign 4 KiB messages through the whole engine (new, header fields,
 *       end_headers, add_signer, body, final, free) on one thread for
 *       SECONDS of CPU time; prints "sign ALG SIGS_PER_CPU_SECOND".
 *   engine-bench body simple|relaxed MIB
 *       Canonicalise and hash a MIB-mebibyte message body of realistic text
 *       lines, fed in 64 KiB chunks as a milter receives it; prints
 *       "body MODE MB_PER_CPU_SECOND PEAK_RSS_KIB" (MB = 10^6 bytes; rates
 *       per CPU second, as openssl speed counts).
 *   engine-bench sha256 MIB
 *       Raw SHA-256 (EVP, 16 KiB updates) over the same bytes, same process
 *       setup; prints "sha256 MB_PER_SECOND PEAK_RSS_KIB".
 *
 * The text is generated once into a 1 MiB pool and fed repeatedly, so the
 * measured memory is the engine's, not a 100 MiB copy of the message.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <openssl/evp.h>

#include "signpost/conf.h"
#include "signpost/dkim.h"
#include "signpost/keys.h"
#include "signpost/util.h"

#define POOL_SIZE (1u << 20)
#define CHUNK (64u << 10)

static uint32_t seed = 0x9e3779b9u;

static uint32_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

/*
 * CPU seconds used by this (single-threaded) process: `openssl speed`
 * counts CPU time too, so on a busy machine both rates stay comparable.
 */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
peak_rss_kib(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/*
 * Mail-like text: words of 1-12 letters, lines of 20-76 characters with
 * CRLF, now and then two spaces after a full stop, a trailing space, a
 * tab-indented line, an empty line (a paragraph break).
 */
static void
gen_text(struct sp_buf *b, size_t size)
{
	while (b->len < size) {
		size_t width = 20 + rnd() % 57, start = b->len;
		unsigned kind = rnd() % 20;

		if (kind == 0) {
			sp_buf_puts(b, "\r\n");
			continue;
		}
		if (kind == 1)
			sp_buf_putc(b, '\t');
		while (b->len - start < width) {
			size_t wl = 1 + rnd() % 12;

			for (size_t i = 0; i < wl; i++)
				sp_buf_putc(b, (char)('a' + rnd() % 26));
			if (rnd() % 9 == 0)
				sp_buf_puts(b, ".  ");
			else
				sp_buf_putc(b, ' ');
		}
		if (rnd() % 4 != 0)     /* most lines lose the last space */
			b->len--;
		sp_buf_puts(b, "\r\n");
	}
	b->len = size;
}

static struct sp_key *
make_key(const char *alg)
{
	EVP_PKEY *pk = strcmp(alg, "rsa") == 0 ?
	    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048) :
	    EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct sp_key *k;
	sp_err err;

	if (pk == NULL) {
		fprintf(stderr, "engine-bench: cannot make a %s key\n", alg);
		exit(2);
	}
	k = sp_key_from_pkey(pk, "example.com", "bench", NULL, &err);
	if (k == NULL) {
		fprintf(stderr, "engine-bench: %s\n", err.msg);
		exit(2);
	}
	return k;
}

static const char *const fields[][2] = {
	{ "Received", " from client.example.net (client.example.net [192.0.2.10])\r\n"
	  "\tby mail.example.com (Postfix) with ESMTPSA id 4Xyz1234AbC\r\n"
	  "\tfor <suzie@example.net>; Tue, 14 Nov 2023 22:13:20 +0000 (UTC)" },
	{ "From", " Joe SixPack <joe@example.com>" },
	{ "To", " Suzie Q <suzie@example.net>" },
	{ "Subject", " Quarterly figures and the plan for next week" },
	{ "Date", " Tue, 14 Nov 2023 22:13:20 +0000" },
	{ "Message-ID", " <20231114221320.12345.abcdef@example.com>" },
	{ "MIME-Version", " 1.0" },
	{ "Content-Type", " text/plain; charset=utf-8" },
	{ "Content-Transfer-Encoding", " 8bit" },
	{ "User-Agent", " bench/1.0" },
};

static int
bench_sign(const char *alg, double seconds)
{
	struct sp_config *conf;
	struct sp_key *key = make_key(alg);
	struct sp_buf body = SP_BUF_INIT;
	struct sp_sign_opts o;
	size_t header_bytes = 0;
	unsigned long n = 0;
	double start, t = 0;
	sp_err err;

	conf = sp_config_parse("defaults", "", 0, &err);
	if (conf == NULL) {
		fprintf(stderr, "engine-bench: %s\n", err.msg);
		return 2;
	}
	o = (struct sp_sign_opts){ SP_CANON_RELAXED, SP_CANON_RELAXED,
	    &conf->signing.sign_headers, &conf->signing.oversign_headers,
	    1700000000, 0, NULL };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		header_bytes += strlen(fields[i][0]) + 1 + strlen(fields[i][1]) + 2;
	gen_text(&body, 4096 - header_bytes - 2);
	start = now_s();
	do {
		struct sp_dkim *d = sp_dkim_new(&o);
		struct sp_list sigs = SP_LIST_INIT;

		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			sp_dkim_header(d, fields[i][0], strlen(fields[i][0]),
			    fields[i][1], strlen(fields[i][1]), &err);
		if (!sp_dkim_end_headers(d, &err) ||
		    !sp_dkim_add_signer(d, "example.com", key, &err)) {
			fprintf(stderr, "engine-bench: %s\n", err.msg);
			return 2;
		}
		sp_dkim_body(d, body.data, body.len);
		if (!sp_dkim_final(d, &sigs, &err)) {
			fprintf(stderr, "engine-bench: %s\n", err.msg);
			return 2;
		}
		sp_list_free(&sigs);
		sp_dkim_free(d);
		if (++n % 16 == 0)      /* the CPU clock is a system call */
			t = now_s() - start;
	} while (n % 16 != 0 || t < seconds);
	printf("sign %s %.1f\n", alg, (double)n / t);
	sp_buf_free(&body);
	sp_key_free(key);
	sp_config_free(conf);
	return 0;
}

static int
bench_body(const char *mode, unsigned long mib)
{
	struct sp_config *conf;
	struct sp_buf pool = SP_BUF_INIT;
	struct sp_key *key = make_key("ed25519");
	struct sp_sign_opts o;
	struct sp_list sigs = SP_LIST_INIT;
	struct sp_dkim *d;
	unsigned long long total = (unsigned long long)mib << 20, fed = 0;
	double start, t;
	sp_err err;

	conf = sp_config_parse("defaults", "", 0, &err);
	if (conf == NULL) {
		fprintf(stderr, "engine-bench: %s\n", err.msg);
		return 2;
	}
	o = (struct sp_sign_opts){ SP_CANON_RELAXED,
	    strcmp(mode, "simple") == 0 ? SP_CANON_SIMPLE : SP_CANON_RELAXED,
	    &conf->signing.sign_headers, &conf->signing.oversign_headers,
	    1700000000, 0, NULL };
	gen_text(&pool, POOL_SIZE);
	d = sp_dkim_new(&o);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		sp_dkim_header(d, fields[i][0], strlen(fields[i][0]),
		    fields[i][1], strlen(fields[i][1]), &err);
	if (!sp_dkim_end_headers(d, &err) ||
	    !sp_dkim_add_signer(d, "example.com", key, &err)) {
		fprintf(stderr, "engine-bench: %s\n", err.msg);
		return 2;
	}
	start = now_s();
	while (fed < total) {
		for (size_t off = 0; off < pool.len && fed < total; off += CHUNK) {
			sp_dkim_body(d, pool.data + off, CHUNK);
			fed += CHUNK;
		}
	}
	if (!sp_dkim_final(d, &sigs, &err)) {
		fprintf(stderr, "engine-bench: %s\n", err.msg);
		return 2;
	}
	t = now_s() - start;
	printf("body %s %.1f %ld\n", mode, (double)total / t / 1e6,
	    peak_rss_kib());
	sp_list_free(&sigs);
	sp_dkim_free(d);
	sp_buf_free(&pool);
	sp_key_free(key);
	sp_config_free(conf);
	return 0;
}

static int
bench_sha256(unsigned long mib)
{
	struct sp_buf pool = SP_BUF_INIT;
	unsigned long long total = (unsigned long long)mib << 20, fed = 0;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	double start, t;

	gen_text(&pool, POOL_SIZE);
	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		return 2;
	start = now_s();
	while (fed < total) {
		for (size_t off = 0; off < pool.len && fed < total; off += 16384) {
			if (EVP_DigestUpdate(c, pool.data + off, 16384) != 1)
				return 2;
			fed += 16384;
		}
	}
	if (EVP_DigestFinal_ex(c, md, &md_len) != 1)
		return 2;
	t = now_s() - start;
	printf("sha256 %.1f %ld\n", (double)total / t / 1e6, peak_rss_kib());
	EVP_MD_CTX_free(c);
	sp_buf_free(&pool);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "sign") == 0 &&
	    (strcmp(argv[2], "rsa") == 0 || strcmp(argv[2], "ed25519") == 0))
		return bench_sign(argv[2], atof(argv[3]));
	if (argc == 4 && strcmp(argv[1], "body") == 0 &&
	    (strcmp(argv[2], "simple") == 0 || strcmp(argv[2], "relaxed") == 0))
		return bench_body(argv[2], strtoul(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "sha256") == 0)
		return bench_sha256(strtoul(argv[2], NULL, 10));
	fputs("usage: engine-bench sign rsa|ed25519 SECONDS\n"
	    "       engine-bench body simple|relaxed MIB\n"
	    "       engine-bench sha256 MIB\n", stderr);
	return 2;
}
