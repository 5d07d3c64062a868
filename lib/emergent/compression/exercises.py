"""Checks for the exercises of the chapter "Compression is intelligence".

Each check runs the student's function on fixed and edge cases and compares it with the library's
reference in :mod:`emergent.compression.arithmetic_coding`.
"""

from __future__ import annotations

from emergent.compression import arithmetic_coding as reference
from emergent.core.checks import check_function, check_value

_TABLES = {
    "fair coin": [0.5, 0.5],
    "biased": [0.9, 0.1],
    "four symbols": [0.5, 0.25, 0.125, 0.125],
    "frequencies": [1, 1, 2],
}


def check_ideal_code_length(student) -> bool:
    """``student(message, probabilities) -> bits``: the sum of ``-log2 p`` over the message."""
    cases = [
        ([0, 1, 0, 1], _TABLES["fair coin"]),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], _TABLES["biased"]),
        ([3, 2, 1, 0], _TABLES["four symbols"]),
        ([2, 2, 0], _TABLES["frequencies"]),
        ([], _TABLES["fair coin"]),
    ]
    return check_function(
        student,
        reference.ideal_code_length,
        cases,
        hint="Add -log2 p(symbol) for every symbol; normalise a table of frequencies by its sum first. "
        "An empty message costs 0 bits.",
        raises=[([2], _TABLES["fair coin"])],
    )


def check_bits_per_byte(student) -> bool:
    """``student(loss, bytes_per_token, unit) -> bits per byte``."""
    cases = [
        (3.0, 1.0, "nats"),
        (3.0, 1.0, "bits"),
        (1.6, 4.0, "nats"),
        (2.0, 3.5, "bits"),
        (0.0, 2.0, "nats"),
    ]
    return check_function(
        student,
        reference.bits_per_byte,
        cases,
        hint="PyTorch's cross-entropy is in nats: divide by ln 2 to get bits, then divide by the bytes "
        "one token covers. Refuse a non-positive bytes_per_token or an unknown unit with ValueError.",
        raises=[(1.0, 0.0, "nats"), (1.0, 4.0, "decibels")],
    )


def check_decode(student) -> bool:
    """``student(bits, probabilities, length) -> list of symbols``, inverting the teaching coder."""
    cases = []
    for message, table in [
        ([0, 1, 1, 0], _TABLES["fair coin"]),
        ([0] * 9 + [1], _TABLES["biased"]),
        ([2, 0, 1, 2, 2], _TABLES["frequencies"]),
        ([3, 3, 0], _TABLES["four symbols"]),
        ([], _TABLES["biased"]),
    ]:
        cases.append((reference.encode(message, table), table, len(message)))
    return check_function(
        student,
        reference.decode,
        cases,
        hint="Read v = 0.b1b2...bk as a fraction. At each step split the current interval [low, low+width) "
        "into slices of width width*p(s) in symbol order, pick the slice that contains v, and zoom in. "
        "Use fractions.Fraction so no rounding creeps in.",
    )


def check_llama_compression(
    answer: float, loss_nats: float = 1.6, bytes_per_token: float = 4.0
) -> bool:
    """The compression ratio (raw bytes / compressed bytes) for a given loss and tokeniser."""
    expected = reference.compression_ratio(
        reference.bits_per_byte(loss_nats, bytes_per_token, "nats")
    )
    return check_value(
        answer,
        expected,
        f"compression ratio at {loss_nats} nats per token and {bytes_per_token} bytes per token",
        hint="bits per byte = loss / ln 2 / bytes per token; the ratio is 8 bits per raw byte over that.",
    )


__all__ = [
    "check_ideal_code_length",
    "check_bits_per_byte",
    "check_decode",
    "check_llama_compression",
]
