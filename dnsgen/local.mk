# dnsgen/: the DNS record generator, key maker and checker.
bin_PROGRAMS += dnsgen/dnsgen
dnsgen_dnsgen_SOURCES = dnsgen/dnsgen.c dnsgen/dnsgen.h dnsgen/records.c \
	dnsgen/keygen.c \
	dnsgen/check.c dnsgen/judge.c dnsgen/judge.h dnsgen/resolve.c \
	dnsgen/resolve.h dnsgen/answer.c dnsgen/stspolicy.c \
	dnsgen/spfeval.c dnsgen/spfeval.h dnsgen/spfmacro.c dnsgen/spfcheck.c \
	dnsgen/spfcheck.h dnsgen/tlscheck.h dnsgen/tlscheck.c dnsgen/stscheck.c \
	dnsgen/stsparse.c dnsgen/danecheck.c \
	dnsgen/servers.c dnsgen/servers.h dnsgen/lifecycle.c \
	dnsgen/rotate.c dnsgen/rotate.h dnsgen/rotate_steps.c dnsgen/rotate_dns.c \
	dnsgen/status.c \
	dnsgen/publish.c dnsgen/publish.h dnsgen/tsigkey.c dnsgen/tsigkey.h
dnsgen_dnsgen_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(SSL_CFLAGS) \
	$(LDNS_CFLAGS)
# libcurl and libssl serve only check's HTTPS and STARTTLS, libldns only
# publish's UPDATE and TSIG: never the milter.
dnsgen_dnsgen_LDADD = $(SIGNPOST_LIBS) $(RESOLV_LIBS) $(CURL_LIBS) \
	$(SSL_LIBS) $(LDNS_LIBS)
# dnsgen(1)
dist_man_MANS += dnsgen/dnsgen.1
