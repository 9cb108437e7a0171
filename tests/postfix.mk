# tests/postfix.mk: the postfix tests (TAP).
