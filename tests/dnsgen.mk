# tests/dnsgen.mk: the dnsgen tests (TAP).
