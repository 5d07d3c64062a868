"""The chapter's task, written as text the models read and write: composing rearrangements.

The six ways to rearrange three cards form the group S3; each is one token, ``0`` to ``5``, with ``0``
leaving the cards as they are. A prompt lists eight rearrangements to be done one after the other and
asks for the overall effect. A problem of ``n`` steps has ``8 - n`` do-nothing ``0`` in front::

    D00052413=2.           direct: the answer at once
    S00052413=00054023>2.  scratchpad: the effect so far after each of the eight, then '>' and the answer

S3 is not commutative, so the steps cannot be taken in any order, and every running effect depends
on the one before: the answer has serial depth ``n``. With a scratchpad each written line needs one
look-up of the table below, whatever ``n`` is.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from emergent.core.tokens import CharTokenizer

SYMBOLS = "012345"  # the six elements of S3
ALPHABET = SYMBOLS + "=>.DS"
TOKENIZER = CharTokenizer(ALPHABET)
TOKEN = TOKENIZER.index
PAD = TOKEN["."]
FORMATS = ("direct", "scratchpad")
TAG = {"direct": "D", "scratchpad": "S"}
STEPS = 8  # rearrangements listed in every prompt

# The six rearrangements of three cards, in lexicographic order; token i means ARRANGEMENTS[i]:
# the card in position j moves to position ARRANGEMENTS[i][j].
ARRANGEMENTS = tuple(itertools.permutations(range(3)))


def then(first: int, second: int) -> int:
    """The single rearrangement equal to doing ``first``, then ``second``."""
    a, b = ARRANGEMENTS[first], ARRANGEMENTS[second]
    return ARRANGEMENTS.index(tuple(b[a[j]] for j in range(3)))


TABLE = tuple(tuple(then(a, b) for b in range(6)) for a in range(6))  # TABLE[a][b] = a, then b


encode, decode = TOKENIZER.encode, TOKENIZER.decode  # characters to token ids, and back


def _check_format(form: str) -> None:
    if form not in FORMATS:
        raise ValueError(f"unknown format {form!r}; the formats are {', '.join(FORMATS)}.")


def _check_length(length) -> None:
    if (
        isinstance(length, bool)
        or not isinstance(length, (int, np.integer))
        or not 1 <= length <= STEPS
    ):
        raise ValueError(f"a problem has from 1 to {STEPS} steps, got {length!r}.")


# --- composing permutations --------------------------------------------------------------------


@dataclass(frozen=True)
class Composition:
    """A problem: do the rearrangements of ``steps`` one after the other (a string of ``STEPS`` tokens)."""

    steps: str

    def __post_init__(self):
        if len(self.steps) != STEPS or not set(self.steps) <= set(SYMBOLS):
            raise ValueError(f"a problem is {STEPS} tokens from {SYMBOLS!r}, got {self.steps!r}.")

    @property
    def running(self) -> str:
        """The overall effect after each step: the scratchpad's lines."""
        return running_effects(self.steps)

    @property
    def answer(self) -> str:
        return self.running[-1]

    @property
    def length(self) -> int:
        """Steps after the leading do-nothing ``0``: the problem's serial depth."""
        return STEPS - (len(self.steps) - len(self.steps.lstrip("0")))


def random_composition(rng: np.random.Generator, length: int) -> Composition:
    """``length`` random steps after ``8 - length`` leading ``0``; the first real step is never ``0``
    (so the problem has exactly ``length`` steps), the others may be."""
    _check_length(length)
    first = str(int(rng.integers(1, 6)))
    rest = "".join(str(int(x)) for x in rng.integers(0, 6, size=length - 1))
    return Composition("0" * (STEPS - length) + first + rest)


def composition_prompt(problem: Composition, form: str) -> str:
    """``"S00052413="``: the format's tag, the eight steps, '='."""
    _check_format(form)
    return f"{TAG[form]}{problem.steps}="


def composition_answer(problem: Composition, form: str) -> str:
    """What a model should write after the prompt: ``"2."`` directly, ``"00054023>2."`` with a scratchpad."""
    _check_format(form)
    return f"{problem.answer}." if form == "direct" else format_scratchpad(problem.steps)


@dataclass(frozen=True)
class Written:
    """A model's answer read back: its scratchpad lines (none for the direct format) and its answer."""

    lines: str
    answer: str
    well_formed: bool


def parse_answer(text: str, form: str) -> Written:
    """Read what a model wrote after the prompt; text after the first '.' is ignored.

    Direct: one symbol and '.'. Scratchpad: eight symbols, '>', one symbol, '.'. Anything else is not
    well formed; its answer is then whatever follows the last '>', or the last symbol written.
    """
    _check_format(form)
    body, dot, _ = text.partition(".")
    if form == "direct":
        return Written("", body[-1:], bool(dot) and len(body) == 1 and body in SYMBOLS)
    lines, arrow, answer = body.rpartition(">")
    if not arrow:
        lines, answer = body, body[-1:]
    ok = (
        bool(dot and arrow)
        and len(lines) == STEPS
        and set(lines) <= set(SYMBOLS)
        and len(answer) == 1
        and answer in SYMBOLS
    )
    return Written(lines, answer, ok)


def running_effects(steps: str) -> str:
    """The overall effect after each of ``steps`` (a string of symbols): ``running_effects("52")`` is ``"54"``."""
    effect, written = 0, []
    for step in steps:
        if step not in SYMBOLS:
            raise ValueError(f"{step!r} is not a rearrangement; they are {SYMBOLS!r}.")
        effect = TABLE[effect][int(step)]
        written.append(str(effect))
    return "".join(written)


def format_scratchpad(steps: str) -> str:
    """What a model should write after ``steps`` with a scratchpad: the running effects, '>', the answer, '.'."""
    running = running_effects(steps)
    if not running:
        raise ValueError("a problem needs at least one step.")
    return f"{running}>{running[-1]}."


def serial_depth(problem: Composition) -> int:
    """How many running effects depend on one another: steps from the first one that changes anything.

    Counted from the scratchpad itself (the running effect stays ``0`` until the first real step), not
    read from the leading zeros, so a test can check the two agree.
    """
    changed = [i for i, effect in enumerate(problem.running) if effect != "0"]
    return STEPS - changed[0] if changed else 0
