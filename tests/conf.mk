# tests/conf.mk: the conf tests (TAP).
