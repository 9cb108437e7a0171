# tests/engine.mk: the engine tests (TAP).
