"""Fourier analysis of a residue embedding: which frequencies carry it.

A model that adds modulo ``p`` embeds each residue ``r`` as a vector ``E[r]`` (a row of a ``(p, d)``
matrix). Take the discrete Fourier transform *along the residue axis*, column by column: the
energy at frequency ``k`` says how much of the embedding varies like ``cos(2 pi k r / p)`` and
``sin(2 pi k r / p)``. Nanda et al. (2023) found that a network that has grokked modular addition
uses only a handful of such *key frequencies* (it computes ``a + b`` with the identity
``cos(w(a+b)) = cos(wa)cos(wb) - sin(wa)sin(wb)``); before it generalises, the energy is spread over
all of them.

For a real signal frequencies ``k`` and ``p - k`` are mirror images, so the spectrum is reported
for ``k = 1 .. (p-1)//2`` (each counting both). Frequency 0, the mean over residues, says nothing
about which residue is which and is left out.
"""

from __future__ import annotations

import numpy as np


def _as_embedding(embedding) -> np.ndarray:
    matrix = np.asarray(embedding, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(
            f"embedding must be a (p, d) matrix (one row per residue), got shape {matrix.shape}."
        )
    if matrix.shape[0] < 3:
        raise ValueError(f"embedding needs at least 3 residues (rows), got {matrix.shape[0]}.")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("embedding contains NaN or infinite values.")
    return matrix


def fourier_spectrum(embedding) -> np.ndarray:
    """Share of the embedding's (mean-free) energy at each frequency ``k = 1 .. p//2``.

    Returns an array ``s`` with ``s[k-1]`` the share at frequency ``k``; the shares sum to 1
    (for even ``p`` the Nyquist frequency ``p/2`` is counted with ``k = p//2``).
    """
    matrix = _as_embedding(embedding)
    p = matrix.shape[0]
    if np.allclose(
        matrix, matrix.mean(axis=0), rtol=0, atol=1e-12 * max(1.0, np.abs(matrix).max())
    ):
        raise ValueError(
            "embedding is constant across residues: it has no Fourier structure to analyse."
        )
    coefficients = np.fft.rfft(matrix, axis=0)  # (p//2 + 1, d), complex; row k is frequency k
    energy = (np.abs(coefficients[1:]) ** 2).sum(axis=1)  # (p//2,), frequency 0 dropped
    energy[: (p - 1) // 2] *= (
        2  # k and p - k carry the same energy; the Nyquist row (even p) does not double
    )
    return energy / energy.sum()


def key_frequencies(embedding, k: int) -> list[int]:
    """The ``k`` frequencies carrying the most energy, in increasing order."""
    spectrum = fourier_spectrum(embedding)
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= len(spectrum):
        raise ValueError(
            f"k must be an integer between 1 and {len(spectrum)} (the number of frequencies), got {k!r}."
        )
    top = np.argsort(spectrum, kind="stable")[::-1][:k]
    return sorted(int(i) + 1 for i in top)


def frequencies_above(embedding, share: float) -> list[int]:
    """Every frequency holding more than ``share`` of the embedding's energy, strongest first."""
    spectrum = fourier_spectrum(embedding)
    if not 0 < share < 1:
        raise ValueError(f"share must lie strictly between 0 and 1, got {share!r}.")
    order = np.argsort(spectrum, kind="stable")[::-1]
    return [int(i) + 1 for i in order if spectrum[i] > share]


def strongest_first(embedding) -> list[int]:
    """All frequencies ``1 .. p//2``, ranked by the energy they carry, strongest first."""
    return [int(i) + 1 for i in np.argsort(fourier_spectrum(embedding), kind="stable")[::-1]]


def top_k_share(embedding, k: int) -> float:
    """Share of the energy in the ``k`` strongest frequencies: near ``k / ((p-1)/2)`` if spread, near 1 if sparse."""
    spectrum = fourier_spectrum(embedding)
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= len(spectrum):
        raise ValueError(f"k must be an integer between 1 and {len(spectrum)}, got {k!r}.")
    return float(np.sort(spectrum)[::-1][:k].sum())


def gini(values) -> float:
    """Gini coefficient of non-negative values: 0 when all are equal, (n-1)/n when one holds everything."""
    x = np.sort(np.asarray(values, dtype=float).ravel())
    if x.size == 0 or np.any(x < 0):
        raise ValueError("gini needs a non-empty array of non-negative values.")
    if x.sum() == 0:
        return 0.0
    n = x.size
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * x).sum()) / (n * x.sum()) - (n + 1) / n)


def fourier_gini(embedding) -> float:
    """Gini coefficient of the Fourier spectrum: a sparsity measure that needs no choice of ``k``."""
    return gini(fourier_spectrum(embedding))


def synthetic_embedding(
    p: int, frequencies, dim: int = 32, noise: float = 0.0, seed: int = 0
) -> np.ndarray:
    """A ``(p, dim)`` embedding built from known cosines and sines, plus optional Gaussian noise.

    Each column is a random mix of ``cos(2 pi f r / p)`` and ``sin(2 pi f r / p)`` over the planted
    ``frequencies``; the test of the analysis is that it finds them again.
    """
    if not isinstance(p, (int, np.integer)) or p < 3:
        raise ValueError(f"p must be an integer of at least 3, got {p!r}.")
    frequencies = [int(f) for f in frequencies]
    if not frequencies or any(not 1 <= f <= (p - 1) // 2 for f in frequencies):
        raise ValueError(
            f"frequencies must be a non-empty list of integers in 1..{(p - 1) // 2}, got {frequencies}."
        )
    rng = np.random.default_rng(seed)
    residues = np.arange(p)[:, None]  # (p, 1)
    matrix = np.zeros((p, dim))
    for f in frequencies:
        angle = 2 * np.pi * f * residues / p  # (p, 1)
        matrix += np.cos(angle) * rng.normal(size=dim) + np.sin(angle) * rng.normal(size=dim)
    return matrix + noise * rng.normal(size=(p, dim))
