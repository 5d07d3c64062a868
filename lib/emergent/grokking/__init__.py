"""Chapter 6, Grokking: modular addition, the Fourier analysis, Nanda's transformer, the mixture test."""
