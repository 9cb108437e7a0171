# tests/milter.mk: the milter tests (TAP).
