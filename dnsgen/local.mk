# dnsgen/: the DNS record generator, key maker and checker.
bin_PROGRAMS += dnsgen/dnsgen
dnsgen_dnsgen_SOURCES = dnsgen/dnsgen.c dnsgen/dnsgen.h dnsgen/keygen.c \
	dnsgen/check.c dnsgen/judge.c dnsgen/judge.h dnsgen/resolve.c \
	dnsgen/resolve.h dnsgen/answer.c dnsgen/stspolicy.c \
	dnsgen/spfeval.c dnsgen/spfeval.h dnsgen/spfmacro.c dnsgen/spfcheck.c \
	dnsgen/spfcheck.h dnsgen/tlscheck.h dnsgen/tlscheck.c dnsgen/stscheck.c \
	dnsgen/stsparse.c dnsgen/danecheck.c
dnsgen_dnsgen_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(SSL_CFLAGS)
# libcurl and libssl serve only check's HTTPS and STARTTLS: never the milter.
dnsgen_dnsgen_LDADD = $(SIGNPOST_LIBS) $(RESOLV_LIBS) $(CURL_LIBS) \
	$(SSL_LIBS)
# dnsgen(1)
dist_man_MANS += dnsgen/dnsgen.1
