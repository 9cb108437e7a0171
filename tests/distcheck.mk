# tests/distcheck.mk: what `make distcheck-quick` (scripts/check) runs in the
# unpacked tarball, and `make check-quick`, the unit tests alone. distcheck
# proves the tarball builds, passes its tests, installs and uninstalls; the
# whole suite already runs in scripts/check's two builds, so here it runs
# every unit test plus one end-to-end test through a real Postfix.
# `make distcheck` still runs everything.
DISTCHECK_E2E_TEST = tests/integration/postfix-sign.sh
distcheck-quick:
	@case " $(TESTS) " in *" $(DISTCHECK_E2E_TEST) "*) ;; *) \
	  echo "distcheck-quick: $(DISTCHECK_E2E_TEST) is not a test any more:" \
	    "name another end-to-end test in tests/distcheck.mk" >&2; exit 1;; \
	esac; \
	quick=`for t in $(TESTS); do \
	  case $$t in tests/unit/*) printf '%s ' "$$t";; esac; done`; \
	$(MAKE) $(AM_MAKEFLAGS) distcheck TESTS="$${quick}$(DISTCHECK_E2E_TEST)"
# The unit tests alone (no root, no network, no MTA): what a package build
# runs (debian/rules).
check-quick:
	@quick=`for t in $(TESTS); do \
	  case $$t in tests/unit/*) printf '%s ' "$$t";; esac; done`; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$$quick"
.PHONY: distcheck-quick check-quick
