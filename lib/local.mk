# lib/: the shared core (config, keys, DKIM canonicalisation and signing,
# DNS record building). No libmilter here: both programs and the tests link it.
noinst_LIBRARIES += lib/libsignpost.a
lib_libsignpost_a_SOURCES = lib/util.c lib/log.c \
	include/signpost/util.h include/signpost/log.h
# grammar rules shared by config, keys, signing and dnsgen
lib_libsignpost_a_SOURCES += lib/grammar.c include/signpost/grammar.h
# keys
lib_libsignpost_a_SOURCES += lib/keys.c include/signpost/keys.h \
	lib/keyperm.c include/signpost/keyperm.h lib/key_decode.c lib/key_int.h lib/keyset.c \
	lib/key_secret.c lib/key_cache.c
# configuration and CIDR lists
lib_libsignpost_a_SOURCES += include/signpost/conf.h lib/conf.c lib/conf_set.c lib/conf_value.c lib/conf_int.h \
	lib/conf_include.c lib/conf_policy.c lib/conf_rotate.c lib/conf_update.c lib/cidr.c include/signpost/cidr.h
# the key lifecycle: its state file and the one clock for schedules
lib_libsignpost_a_SOURCES += lib/clock.c include/signpost/clock.h lib/keystate.c \
	lib/keystate_select.c include/signpost/keystate.h
# tag=value lists (DKIM-Signature fields, DKIM and DMARC records)
lib_libsignpost_a_SOURCES += lib/taglist.c include/signpost/taglist.h
# canonicalisation, From: parsing and the signing engine
lib_libsignpost_a_SOURCES += include/signpost/dkim.h lib/dkim.c lib/dkim_sig.c \
	include/signpost/dkim_sig.h lib/canon.c include/signpost/canon.h \
	lib/mailaddr.c include/signpost/mailaddr.h
# signing policy (which mail the milter signs)
lib_libsignpost_a_SOURCES += lib/policy.c include/signpost/policy.h
# DNS record building (dnsgen)
lib_libsignpost_a_SOURCES += lib/dnsrec.c lib/dnsname.c lib/dnstxt.c \
	lib/dnsfmt.c include/signpost/dnsrec.h include/signpost/dnsname.h \
	include/signpost/dnstxt.h include/signpost/dnsfmt.h \
	lib/mtasts.c include/signpost/mtasts.h lib/tlsa.c include/signpost/tlsa.h

# What a program linking the core needs.
SIGNPOST_LIBS = lib/libsignpost.a $(CRYPTO_LIBS) $(BSD_LIBS)
