"""A body of bytes whose entropy is known exactly: the chapter's synthetic source.

**The addition source.** Lines such as ``07+58=065`` followed by a newline: two operands drawn
   uniformly from ``0 .. 10**digits - 1``, written with a fixed width, then their sum. Only the
   operands are random; the plus sign, the equals sign, the sum and the newline follow from them.
   So the information in ``n`` lines is *exactly* ``n * 2 * digits * log2(10)`` bits: no compressor,
   however clever, can do better on average, and one that has learned to add can get close.

The chapter's real text, the standard library's own source, lives in :mod:`emergent.core.text_corpus`,
since the scaling chapter's IsoFLOP sweep reads it too.
"""

from __future__ import annotations

import math

import numpy as np


def addition_line_length(digits: int) -> int:
    """Bytes per line: two operands, '+', '=', a sum one digit wider, and a newline."""
    return 2 * digits + 1 + 1 + (digits + 1) + 1


def addition_lines(count: int, seed: int, digits: int = 2) -> bytes:
    """``count`` lines ``a+b=c`` with ``a, b`` uniform on ``0 .. 10**digits - 1`` (fixed width)."""
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a non-negative integer, got {count!r}.")
    if not isinstance(digits, int) or not 1 <= digits <= 6:
        raise ValueError(f"digits must be an integer from 1 to 6, got {digits!r}.")
    rng = np.random.default_rng(seed)
    operands = rng.integers(0, 10**digits, size=(count, 2))
    lines = (f"{a:0{digits}d}+{b:0{digits}d}={a + b:0{digits + 1}d}\n" for a, b in operands)
    return "".join(lines).encode("ascii")


def addition_information_bits(count: int, digits: int = 2) -> float:
    """Exact information content of ``count`` lines: ``-log2 P(text)`` under the true source.

    Every outcome is equally likely, so this is the same for every sample, and it is also the
    entropy of the source: the physical limit for any lossless code of these bytes.
    """
    return count * 2 * digits * math.log2(10)


def addition_entropy_rate(digits: int = 2) -> float:
    """The source's entropy rate in bits per byte."""
    return 2 * digits * math.log2(10) / addition_line_length(digits)
