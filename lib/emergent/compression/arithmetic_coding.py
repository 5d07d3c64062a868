"""Information, ideal code lengths and arithmetic coding, exactly.

The story of this module, top to bottom:

1. how many bits a symbol *should* cost: ``-log2 p`` (self-information), its average (entropy),
   Kraft's inequality, and the conversions the book needs (nats to bits, per token to per byte);
2. a teaching arithmetic coder with exact rational arithmetic (:class:`fractions.Fraction`): it
   narrows an interval symbol by symbol and sends the shortest binary fraction inside it, so its
   output is at most 2 bits longer than the ideal code length;
3. the same idea at production speed: ``constriction``'s range coder, which works with fixed-point
   integers and 32-bit words instead of unbounded fractions.

A *model* here is either a fixed table of probabilities (or integer frequencies) over the alphabet
``0 .. K-1``, or a function ``model(prefix) -> table`` that may look at the symbols so far. Tables
are normalised exactly, so ``[1, 1, 2]`` means probabilities 1/4, 1/4, 1/2.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, Sequence, Union

import numpy as np

Table = Sequence[Union[int, float, Fraction]]
Model = Union[Table, Callable[[Sequence[int]], Table]]

# --------------------------------------------------------------------------------------------
# 1. Ideal code lengths


def self_information(p: float, base: float = 2.0) -> float:
    """``-log_base p``: the ideal cost of an outcome of probability ``p`` (bits for base 2)."""
    if not 0 < p <= 1:
        raise ValueError(f"A probability must lie in (0, 1] to have a finite code length, got {p}.")
    return -math.log(p) / math.log(base)


def entropy(probabilities: Table, base: float = 2.0) -> float:
    """``sum p log 1/p``: the average ideal code length of one symbol from the distribution."""
    table = normalised(probabilities)
    return sum(float(p) * self_information(float(p), base) for p in table if p > 0)


def kraft_sum(lengths: Sequence[int]) -> float:
    """``sum 2**-l``. A prefix code with these lengths exists if and only if this is at most 1."""
    if any((not isinstance(l, (int, np.integer))) or l < 0 for l in lengths):
        raise ValueError(f"Code lengths must be non-negative integers, got {list(lengths)!r}.")
    return float(sum(Fraction(1, 2 ** int(l)) for l in lengths))


def nats_to_bits(nats: float) -> float:
    """A natural-log loss in bits: divide by ln 2 (multiply by about 1.4427)."""
    return nats / math.log(2)


def bits_per_byte(loss: float, bytes_per_token: float, unit: str = "nats") -> float:
    """Turn a per-token cross-entropy into bits per byte of text.

    ``loss`` is the average loss per token in ``unit`` ("nats", as PyTorch reports it, or "bits");
    ``bytes_per_token`` is how many bytes of raw text one token covers on average.
    """
    if unit not in ("nats", "bits"):
        raise ValueError(f"unit must be 'nats' or 'bits', got {unit!r}.")
    if bytes_per_token <= 0:
        raise ValueError(f"bytes_per_token must be positive, got {bytes_per_token}.")
    if loss < 0:
        raise ValueError(f"A cross-entropy loss cannot be negative, got {loss}.")
    bits = nats_to_bits(loss) if unit == "nats" else loss
    return bits / bytes_per_token


def compression_ratio(bits_per_byte_value: float) -> float:
    """Raw size over compressed size for a code of the given bits per byte (raw text: 8 bits per byte)."""
    if bits_per_byte_value <= 0:
        raise ValueError(f"bits per byte must be positive, got {bits_per_byte_value}.")
    return 8.0 / bits_per_byte_value


def normalised(table: Table) -> list[Fraction]:
    """Exact probabilities from a table of probabilities or frequencies."""
    if isinstance(table, (str, bytes)) or len(table) == 0:
        raise ValueError("A probability table must be a non-empty sequence of numbers.")
    values = []
    for value in table:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"Probabilities must be finite, got {value}.")
        fraction = Fraction(value)  # exact, also for floats
        if fraction < 0:
            raise ValueError(f"Probabilities must be non-negative, got {value}.")
        values.append(fraction)
    total = sum(values)
    if total == 0:
        raise ValueError("A probability table must have a positive sum.")
    return [v / total for v in values]


def _table(model: Model, prefix: Sequence[int]) -> list[Fraction]:
    return normalised(model(prefix) if callable(model) else model)


def _check_symbol(symbol, table: list[Fraction], index: int) -> int:
    if not isinstance(symbol, (int, np.integer)) or not 0 <= symbol < len(table):
        raise ValueError(f"Symbol {index} is {symbol!r}; the alphabet is 0 .. {len(table) - 1}.")
    if table[symbol] == 0:
        raise ValueError(
            f"Symbol {index} ({symbol}) has probability 0 under the model, so it cannot be coded."
        )
    return int(symbol)


def ideal_code_length(message: Sequence[int], model: Model) -> float:
    """``sum_i -log2 p(x_i | x_<i)`` in bits: what an ideal code spends on ``message``."""
    total = 0.0
    for i, symbol in enumerate(message):
        table = _table(model, message[:i])
        symbol = _check_symbol(symbol, table, i)
        total += self_information(float(table[symbol]))
    return total


# --------------------------------------------------------------------------------------------
# 2. The teaching coder: exact interval narrowing


def interval_trace(message: Sequence[int], model: Model) -> list[tuple[Fraction, Fraction]]:
    """``(low, width)`` of the interval before and after each symbol: ``len(message) + 1`` pairs.

    Symbol ``s`` owns the slice ``[c_s, c_s + p_s)`` of the unit interval, where ``c_s`` is the
    total probability of the symbols before it; coding ``s`` zooms into that slice.
    """
    low, width = Fraction(0), Fraction(1)
    trace = [(low, width)]
    for i, symbol in enumerate(message):
        table = _table(model, message[:i])
        symbol = _check_symbol(symbol, table, i)
        low += width * sum(table[:symbol])  # skip the slices of the symbols before s
        width *= table[symbol]  # the width shrinks by p(s): -log2 p(s) more bits of precision
        trace.append((low, width))
    return trace


def shortest_binary_fraction(low: Fraction, width: Fraction) -> str:
    """The fewest bits ``b`` such that every number starting ``0.b`` lies in ``[low, low + width)``.

    That is the dyadic interval ``[m / 2**k, (m + 1) / 2**k)`` inside the target with the smallest
    ``k``; the answer is ``m`` written with ``k`` binary digits.
    """
    if not (0 <= low and width > 0 and low + width <= 1):
        raise ValueError(
            f"[low, low + width) must be a non-empty part of [0, 1), got low={low}, width={width}."
        )
    k = 0
    while True:
        m = math.ceil(low * 2**k)
        if Fraction(m + 1, 2**k) <= low + width:
            return format(m, f"0{k}b") if k else ""
        k += 1


def encode(message: Sequence[int], model: Model) -> str:
    """Arithmetic-code ``message`` and return the code as a string of '0' and '1'."""
    low, width = interval_trace(message, model)[-1]
    return shortest_binary_fraction(low, width)


def decode(bits: str, model: Model, length: int) -> list[int]:
    """Invert :func:`encode`: read ``length`` symbols back from the bit string.

    The number ``v = 0.bits`` lies inside every interval the encoder visited, so at each step the
    symbol whose slice contains ``v`` is the one that was sent.
    """
    if not isinstance(bits, str) or set(bits) - {"0", "1"}:
        raise ValueError(f"bits must be a string of '0' and '1', got {bits!r}.")
    if not isinstance(length, (int, np.integer)) or length < 0:
        raise ValueError(f"length must be a non-negative integer, got {length!r}.")
    value = Fraction(int(bits, 2), 2 ** len(bits)) if bits else Fraction(0)
    low, width = Fraction(0), Fraction(1)
    message: list[int] = []
    for _ in range(length):
        table = _table(model, message)
        start = low
        for symbol, p in enumerate(table):  # noqa: B007 (the symbol found is used after the loop)
            if start <= value < start + width * p:
                break
            start += width * p
        else:
            raise ValueError(
                "These bits do not lie inside any symbol's slice: they were not made by this model."
            )
        message.append(symbol)
        low, width = start, width * p
    return message


# --------------------------------------------------------------------------------------------
# 3. The production coder: constriction's range coder

import constriction  # noqa: E402  (kept beside the code that uses it)

# One model family for every symbol: the probability table arrives with each symbol. perfect=False
# quantises each table to 24-bit integer frequencies by a fast, deterministic rule; encoder and
# decoder must use the same setting.
CATEGORICAL = constriction.stream.model.Categorical(perfect=False)


def _probability_rows(probabilities, count: int) -> np.ndarray:
    rows = np.asarray(probabilities, dtype=np.float64)
    if rows.ndim == 1:
        rows = np.broadcast_to(rows, (count, rows.size))
    if rows.ndim != 2 or rows.shape[0] != count:
        raise ValueError(
            f"Need one probability row per symbol ({count}), got an array of shape {rows.shape}."
        )
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise ValueError("Probabilities must be finite and non-negative.")
    return np.ascontiguousarray(rows)


def range_encode(symbols: Sequence[int], probabilities) -> np.ndarray:
    """Range-code ``symbols`` (one probability row per symbol, or one row for all) into 32-bit words."""
    symbols = np.asarray(symbols, dtype=np.int32)
    rows = _probability_rows(probabilities, symbols.size)
    if symbols.size and (symbols.min() < 0 or symbols.max() >= rows.shape[1]):
        raise ValueError(f"Symbols must lie in 0 .. {rows.shape[1] - 1}.")
    encoder = constriction.stream.queue.RangeEncoder()
    if symbols.size:
        encoder.encode(symbols, CATEGORICAL, rows)
    return encoder.get_compressed()


def range_decode(words: np.ndarray, probabilities, count: int) -> np.ndarray:
    """Invert :func:`range_encode` for ``count`` symbols."""
    rows = _probability_rows(probabilities, count)
    decoder = constriction.stream.queue.RangeDecoder(np.asarray(words, dtype=np.uint32))
    if count == 0:
        return np.zeros(0, dtype=np.int32)
    return decoder.decode(CATEGORICAL, rows)


def _words_from_bits(bits: str) -> np.ndarray:
    """Pack a bit string into 32-bit words, filling the last word with zeros."""
    bits = bits + "0" * (-len(bits) % 32)
    return np.array([int(bits[i : i + 32], 2) for i in range(0, len(bits), 32)], dtype=np.uint32)


def range_decode_bits(bits: str, probabilities, count: int) -> np.ndarray:
    """Decode ``count`` symbols from a bit string made by :func:`range_encode_shortest`."""
    if set(bits) - {"0", "1"}:
        raise ValueError("A code is a string of '0' and '1' characters.")
    return range_decode(_words_from_bits(bits), probabilities, count)


def range_encode_shortest(symbols: Sequence[int], probabilities) -> str:
    """The range coder's output cut to the fewest bits that still pin down the message.

    ``constriction`` ends its stream on a whole 32-bit word, which can cost up to a word or two
    more than the message needs. Its final interval is hidden inside the library, so we find the
    shortest ending by asking the decoder: a candidate ``b`` is accepted when ``b`` followed by
    zeros *and* ``b`` followed by ones both decode to the message, i.e. when every number that
    starts ``0.b`` lies in the final interval, the same rule the teaching coder uses. Every
    candidate is checked by decoding, so the result always round-trips. Meant for short messages:
    each try is a full decode.
    """
    symbols = np.asarray(symbols, dtype=np.int32)
    rows = _probability_rows(probabilities, symbols.size)
    point = "".join(format(int(word), "032b") for word in range_encode(symbols, rows))

    def decodes(bits: str) -> bool:
        try:
            return np.array_equal(range_decode_bits(bits, rows, symbols.size), symbols)
        except AssertionError:  # constriction's way of saying "these bits are not a valid stream"
            return False

    # No ending shorter than the ideal length can fit, so start just below it. At the first length k
    # that fits, the final interval is narrower than four steps of 2**-k and holds the point the
    # range coder chose, so the fitting candidate is within four steps of that point.
    ideal = float(-np.log2(rows[np.arange(symbols.size), symbols]).sum()) if symbols.size else 0.0
    k = max(0, math.floor(ideal) - 2)
    while True:
        nearest = int(point[:k].ljust(k, "0") or "0", 2)
        for m in range(max(0, nearest - 4), min(2**k, nearest + 5)):
            candidate = format(m, f"0{k}b") if k else ""
            if decodes(candidate) and decodes(candidate + "1" * 96):
                return candidate
        k += 1
        if (
            k > len(point) + 64
        ):  # the whole stream always fits; getting here means it does not decode
            raise RuntimeError(
                "The range coder's output does not decode to the message it was given."
            )


# --------------------------------------------------------------------------------------------
# 4. Confidence and code length


def expected_code_length(confidence: float, accuracy: float, alphabet: int) -> float:
    """Average bits per symbol for a model that puts ``confidence`` on its best guess.

    The guess is right a share ``accuracy`` of the time; the remaining probability is spread
    evenly over the other ``alphabet - 1`` symbols. The minimum over ``confidence`` is at
    ``confidence == accuracy``: a calibrated model codes best, an over-confident one pays.
    """
    if not 0 < confidence < 1 or not 0 <= accuracy <= 1:
        raise ValueError(
            f"Need 0 < confidence < 1 and 0 <= accuracy <= 1, got {confidence}, {accuracy}."
        )
    if alphabet < 2:
        raise ValueError(f"An alphabet needs at least 2 symbols, got {alphabet}.")
    wrong = (1 - confidence) / (alphabet - 1)
    return accuracy * -math.log2(confidence) + (1 - accuracy) * -math.log2(wrong)
