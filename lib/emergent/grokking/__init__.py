"""The grokking chapter: modular addition, the Fourier analysis, Nanda's transformer, the mixture test."""
