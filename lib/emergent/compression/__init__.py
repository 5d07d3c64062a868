"""The chapter "Compression is intelligence": arithmetic coding (:mod:`arithmetic_coding`), the
compressed stream's format (:mod:`stream`), a language-model compressor (:mod:`lm_compressor`), the
byte-level models it uses (:mod:`byte_models`), the classical compressors it is compared with
(:mod:`classical`), and the sources (:mod:`sources`)."""
