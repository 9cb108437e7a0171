# tests/keys.mk: the keys tests (TAP).
