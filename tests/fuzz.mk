# tests/fuzz.mk: libFuzzer targets, one per parser of untrusted bytes, each
# with a small seed corpus in tests/fuzz/corpus/NAME/. They are built only
# in a tree of their own, configured with CC=clang --enable-fuzzing (where
# everything is compiled with coverage, ASan and UBSan); scripts/fuzz sets
# that tree up, and scripts/check runs every target for a bounded time.
#   scripts/fuzz NAME [SECONDS]      one target (see README.md, Tests)
#   make fuzz / make fuzz-NAME       in the fuzzing tree: build them
# A new target: tests/fuzz/fuzz_NAME.c, its lines here, and a seed corpus
# tests/fuzz/corpus/NAME/ (scripts/fuzz finds the targets by their corpus).
FUZZ_TARGETS = tests/fuzz/fuzz_canon tests/fuzz/fuzz_conf \
	tests/fuzz/fuzz_mailaddr tests/fuzz/fuzz_taglist tests/fuzz/fuzz_keys \
	tests/fuzz/fuzz_dns tests/fuzz/fuzz_milter tests/fuzz/fuzz_spf \
	tests/fuzz/fuzz_sts
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/fuzz_util.h \
	tests/fuzz/milter_standin.h

FUZZ_LIBS = $(SIGNPOST_LIBS)
FUZZ_LINK = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
FUZZ_UTIL = tests/fuzz/fuzz_util.c

tests_fuzz_fuzz_canon_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_canon_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_conf_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_conf_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_mailaddr_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_mailaddr_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_taglist_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_taglist_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_keys_SOURCES = tests/fuzz/fuzz_keys.c $(FUZZ_UTIL)
tests_fuzz_fuzz_keys_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_keys_LDFLAGS = $(FUZZ_LINK)
# What dnsgen check does with an answer (decode, judge), against the records
# dnsgen builds from a config; dnsgen's main() is renamed out of the way.
tests_fuzz_fuzz_dns_SOURCES = tests/fuzz/fuzz_dns.c $(FUZZ_UTIL) \
	$(dnsgen_dnsgen_SOURCES)
tests_fuzz_fuzz_dns_CPPFLAGS = $(AM_CPPFLAGS) -Dmain=dnsgen_main
tests_fuzz_fuzz_dns_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(SSL_CFLAGS) \
	-Wno-missing-prototypes
tests_fuzz_fuzz_dns_LDADD = $(dnsgen_dnsgen_LDADD)
tests_fuzz_fuzz_dns_LDFLAGS = $(FUZZ_LINK)
# dnsgen's SPF evaluator over an include tree made of the input.
tests_fuzz_fuzz_spf_SOURCES = tests/fuzz/fuzz_spf.c $(FUZZ_UTIL) \
	dnsgen/spfeval.c dnsgen/spfmacro.c dnsgen/answer.c
tests_fuzz_fuzz_spf_LDADD = $(FUZZ_LIBS) $(RESOLV_LIBS)
tests_fuzz_fuzz_spf_LDFLAGS = $(FUZZ_LINK)
# The MTA-STS policy reader of dnsgen check.
tests_fuzz_fuzz_sts_SOURCES = tests/fuzz/fuzz_sts.c dnsgen/stsparse.c
tests_fuzz_fuzz_sts_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_sts_LDFLAGS = $(FUZZ_LINK)
# The milter's real callbacks, driven through a stand-in for libmilter.
tests_fuzz_fuzz_milter_SOURCES = tests/fuzz/fuzz_milter.c $(FUZZ_UTIL) \
	tests/fuzz/milter_standin.c milter/filter.c milter/snapshot.c \
	milter/metrics.c
tests_fuzz_fuzz_milter_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/milter
tests_fuzz_fuzz_milter_LDADD = $(FUZZ_LIBS) $(LIBS)
tests_fuzz_fuzz_milter_LDFLAGS = $(FUZZ_LINK)

if FUZZING
noinst_PROGRAMS += $(FUZZ_TARGETS)
fuzz: $(FUZZ_TARGETS)
fuzz-canon: tests/fuzz/fuzz_canon$(EXEEXT)
fuzz-conf: tests/fuzz/fuzz_conf$(EXEEXT)
fuzz-mailaddr: tests/fuzz/fuzz_mailaddr$(EXEEXT)
fuzz-taglist: tests/fuzz/fuzz_taglist$(EXEEXT)
fuzz-keys: tests/fuzz/fuzz_keys$(EXEEXT)
fuzz-dns: tests/fuzz/fuzz_dns$(EXEEXT)
fuzz-milter: tests/fuzz/fuzz_milter$(EXEEXT)
fuzz-spf: tests/fuzz/fuzz_spf$(EXEEXT)
fuzz-sts: tests/fuzz/fuzz_sts$(EXEEXT)
else
fuzz fuzz-canon fuzz-conf fuzz-mailaddr fuzz-taglist fuzz-keys fuzz-dns fuzz-milter \
fuzz-spf fuzz-sts:
	@echo "The fuzz targets are built in a tree of their own:" >&2; \
	echo "  scripts/fuzz NAME [SECONDS]   (builds _build/fuzz and runs one)" >&2; \
	echo "  or: mkdir fuzz && cd fuzz && $(abs_top_srcdir)/configure CC=clang --enable-fuzzing && make fuzz" >&2; \
	exit 2
endif
.PHONY: fuzz fuzz-canon fuzz-conf fuzz-mailaddr fuzz-taglist fuzz-keys \
	fuzz-dns fuzz-milter fuzz-spf
