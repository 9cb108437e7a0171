# tests/corpus.mk: the corpus tests (TAP).
