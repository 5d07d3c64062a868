"""Chapter 4, Compression is intelligence: arithmetic coding, a language-model compressor, the sources."""
