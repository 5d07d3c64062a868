"""The arithmetic corpus the model family learns: multi-digit addition, answer written backwards.

A problem with ``n`` digits has operands below ``10**n``. It reads ``a+b=`` followed by the sum: the
operands are zero-padded to a fixed width (the longest problems the corpus holds), so every digit of
every operand sits at the same position whatever ``n`` is, and the sum is written with ``n + 1``
digits, *least significant digit first*. Writing the answer backwards lets a left-to-right model produce each digit after the carry it
depends on, which is what makes addition learnable by tiny transformers. Only the answer counts
towards the loss: the operands are random and no model can predict them.

Problems are split for good, by a fixed rule on the operands, into those the models may train on and
those held out for testing; test sets of every length are drawn from the held-out part only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from emergent.core.config import Config
from emergent.core.tokens import CharTokenizer

ALPHABET = "0123456789+=."  # '.' pads a batch of short problems up to the longest one
TOKENIZER = CharTokenizer(ALPHABET)
VOCAB_SIZE = len(ALPHABET)
PAD = ALPHABET.index(".")
IGNORE = -100  # label of positions that do not count towards the loss


encode, decode = TOKENIZER.encode, TOKENIZER.decode  # characters to token ids, and back


def answer_length(digits: int) -> int:
    """Tokens in the answer of an ``digits``-digit problem: the sum has one digit more."""
    return digits + 1


def answer_start(width: int) -> int:
    """Position of the first answer token: after two operands of ``width`` digits, '+' and '='."""
    return 2 * width + 2


def problem_length(digits: int, width: int | None = None) -> int:
    """Tokens in a whole problem: ``width`` + '+' + ``width`` + '=' + ``n + 1``."""
    return answer_start(digits if width is None else width) + digits + 1


def format_problem(a: int, b: int, digits: int, width: int | None = None) -> str:
    """``format_problem(47, 5, 2, width=3)`` is ``'047+005=250'``: the sum 52 written as 052 backwards."""
    _check_digits(digits)
    width = digits if width is None else width
    if width < digits:
        raise ValueError(f"width ({width}) must be at least digits ({digits}).")
    if not (0 <= a < 10**digits and 0 <= b < 10**digits):
        raise ValueError(
            f"operands must lie in 0 .. {10**digits - 1} for {digits} digits, got {a} and {b}."
        )
    return f"{a:0{width}d}+{b:0{width}d}=" + f"{a + b:0{digits + 1}d}"[::-1]


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: scrambles 64-bit integers so that nearby inputs give unrelated outputs."""
    x = x.astype(np.uint64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def is_held_out(a, b):
    """The fixed split: about one pair of operands in ten is reserved for testing, never trained on.

    The rule looks at the operands only, not at the length: padded to the same width, ``5+7`` as a
    one-digit problem and as a three-digit one are the same text, so they must share a side. The
    operands are scrambled by a hash first: a rule that is linear in ``a`` and ``b`` modulo 10 would
    hold out exactly the problems whose sum ends in one particular digit, and the models would never
    see that digit in the units place.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    key = (a.astype(np.uint64) << np.uint64(32)) | b.astype(np.uint64)
    return (_mix(key) % np.uint64(10)) == np.uint64(3)


def _check_digits(digits) -> None:
    if not isinstance(digits, (int, np.integer)) or not 1 <= digits <= 9:
        raise ValueError(f"digits must be an integer from 1 to 9, got {digits!r}.")


@dataclass(frozen=True)
class AdditionData(Config):
    """What the models train on. Every field goes into the cache key of a trained model."""

    min_digits: int = 1
    max_digits: int = 5  # lengths 1..5 are drawn equally often
    batch_size: int = 64
    seed: int = 0  # the stream of training batches
    split: str = (
        "splitmix64-mod10-eq3"  # names the held-out rule, so a new rule means new cache keys
    )

    def __post_init__(self):
        _check_digits(self.min_digits)
        _check_digits(self.max_digits)
        if self.min_digits > self.max_digits:
            raise ValueError(
                f"min_digits ({self.min_digits}) must not exceed max_digits ({self.max_digits})."
            )
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}.")

    @property
    def width(self) -> int:
        """Every operand is padded to this many digits."""
        return self.max_digits

    @property
    def n_positions(self) -> int:
        """Longest sequence a model must handle (the model's ``n_positions``)."""
        return problem_length(self.max_digits, self.width)

    @property
    def tokens_per_batch(self) -> float:
        """Average tokens per batch (all positions the model reads), for compute accounting C = 6ND."""
        lengths = [
            problem_length(n, self.width) for n in range(self.min_digits, self.max_digits + 1)
        ]
        return self.batch_size * float(np.mean(lengths))

    def batches(self):
        """A function ``step -> (input_ids, labels)``: the same batch for the same step, always."""

        def batch(step: int):
            rng = np.random.default_rng([self.seed, step])
            digits = rng.integers(self.min_digits, self.max_digits + 1, size=self.batch_size)
            return make_batch(*_training_pairs(rng, digits), digits, self.width)

        return batch


def _training_pairs(rng: np.random.Generator, digits: np.ndarray):
    """Random operands of the given lengths, redrawn until none is a held-out problem."""
    high = 10 ** digits.astype(np.int64)
    a = (rng.random(len(digits)) * high).astype(np.int64)
    b = (rng.random(len(digits)) * high).astype(np.int64)
    for _ in range(100):
        bad = is_held_out(a, b)
        if not bad.any():
            break
        a[bad] = (rng.random(bad.sum()) * high[bad]).astype(np.int64)
        b[bad] = (rng.random(bad.sum()) * high[bad]).astype(np.int64)
    return a, b


def _digits_of(values: np.ndarray, count: int) -> np.ndarray:
    """``(len(values), count)`` decimal digits, most significant first."""
    powers = 10 ** np.arange(count - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers) % 10


def make_batch(a, b, digits, width: int):
    """Token ids and labels for problems ``a[i] + b[i]`` with ``digits[i]`` digits, right-padded.

    Operands are written with ``width`` digits.

    Labels are ``-100`` everywhere except on the answer, shifted the way ``GPT2LMHeadModel`` expects
    (it compares the prediction at position ``t`` with the label at ``t + 1`` itself).
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    digits = np.broadcast_to(np.asarray(digits, dtype=np.int64), a.shape)
    if a.ndim != 1 or b.shape != a.shape:
        raise ValueError(
            f"a and b must be 1-D arrays of the same length, got shapes {a.shape} and {b.shape}."
        )
    if int(digits.max()) > width:
        raise ValueError(
            f"width ({width}) must be at least the largest number of digits ({int(digits.max())})."
        )
    for n in np.unique(digits):
        _check_digits(int(n))
        rows = digits == n
        if (
            (a[rows] >= 10**n).any()
            or (b[rows] >= 10**n).any()
            or (a[rows] < 0).any()
            or (b[rows] < 0).any()
        ):
            raise ValueError(f"operands of {n}-digit problems must lie in 0 .. {10**n - 1}.")
    start = answer_start(width)
    total = problem_length(int(digits.max()), width)
    ids = np.full((len(a), total), PAD, dtype=np.int64)
    labels = np.full((len(a), total), IGNORE, dtype=np.int64)
    for n in np.unique(digits):
        n = int(n)
        rows = np.flatnonzero(digits == n)
        answer = _digits_of(a[rows] + b[rows], n + 1)[:, ::-1]  # least significant first
        block = np.concatenate(
            [
                _digits_of(a[rows], width),
                np.full((len(rows), 1), TOKENIZER.index["+"]),
                _digits_of(b[rows], width),
                np.full((len(rows), 1), TOKENIZER.index["="]),
                answer,
            ],
            axis=1,
        )
        ids[rows, : start + n + 1] = block
        labels[rows, start : start + n + 1] = answer
    return torch.from_numpy(ids), torch.from_numpy(labels)


def held_out_problems(digits: int, count: int, seed: int = 1234) -> tuple[np.ndarray, np.ndarray]:
    """``count`` held-out problems with ``digits`` digits (distinct where the space allows).

    With one digit only ten held-out pairs exist; they are then repeated to reach ``count``.
    """
    _check_digits(digits)
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}.")
    rng = np.random.default_rng([seed, digits])
    high = 10**digits
    if high * high <= 200_000:  # small spaces: list every held-out pair
        grid_a, grid_b = np.meshgrid(np.arange(high), np.arange(high), indexing="ij")
        mask = is_held_out(grid_a, grid_b)
        pool = np.stack([grid_a[mask], grid_b[mask]], axis=1)
        rng.shuffle(pool)
        picks = pool[np.arange(count) % len(pool)]
        return picks[:, 0].astype(np.int64), picks[:, 1].astype(np.int64)
    seen, a_out, b_out = set(), [], []
    while len(a_out) < count:
        a, b = (
            (rng.random(4 * count) * high).astype(np.int64),
            (rng.random(4 * count) * high).astype(np.int64),
        )
        keep = is_held_out(a, b)
        for x, y in zip(a[keep], b[keep]):
            if (x, y) not in seen and len(a_out) < count:
                seen.add((x, y))
                a_out.append(x)
                b_out.append(y)
    return np.array(a_out, dtype=np.int64), np.array(b_out, dtype=np.int64)
