"""The chapter "Compression is intelligence": arithmetic coding, a language-model compressor, the sources."""
