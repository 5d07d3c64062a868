"""Reading the family's answers: exact match by format and length, limits, lines, mistakes.

The chapter asks every member the same held-out problems of every length, in both formats, with
:func:`emergent.reasoning.family.composition_scores`. :class:`Answers` holds those scores and reads
them the ways the chapter needs: exact match on a group of lengths, a model's *limit* (the longest
problem it answers with at least 90% exact match), how often a scratchpad is well formed, how
often each line is right given that the lines before it were, and the kind of every mistake.

The functions after it turn those readings into the estimates the chapter's claims judge, returning
:func:`emergent.core.claims.missing` where a quantity cannot be measured in this run.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from emergent.core import claims
from emergent.core.claims import Estimate, Missing, Rule
from emergent.reasoning.errors import ERROR_TYPES, classify_error
from emergent.reasoning.tasks import FORMATS, STEPS

LIMIT_LEVEL = 0.9  # a model "solves" a length when it answers at least this share exactly


@dataclass(frozen=True)
class Answers:
    """The family's scored answers: ``scores[(model_key, form, length)]`` is what
    :func:`~emergent.reasoning.family.composition_scores` returned for that model, format and length.

    A model key names a member, e.g. ``("width", 32)`` or ``("layers", 2)``.
    """

    scores: dict

    def __post_init__(self):
        for key in self.scores:
            if len(key) != 3 or key[1] not in FORMATS:
                raise ValueError(
                    f"scores are keyed by (model, format, length), format one of {FORMATS}; "
                    f"got {key!r}."
                )

    @property
    def lengths(self) -> list[int]:
        """Every problem length that was scored, shortest first."""
        return sorted({n for _, _, n in self.scores})

    def _scored(self, model, form: str, length: int) -> dict:
        if (model, form, length) not in self.scores:
            raise KeyError(f"no scores for model {model!r}, format {form!r}, length {length}.")
        return self.scores[model, form, length]

    def exact(self, model, form: str, length: int) -> float:
        """Exact match of ``model`` in ``form`` on the problems of ``length`` steps."""
        return float(self._scored(model, form, length)["correct"].mean())

    def correct(self, model, form: str, lengths=None) -> np.ndarray:
        """One 0/1 per problem: right or not, over the problems of every length in ``lengths``
        (all lengths when None), concatenated in order of length."""
        lengths = self.lengths if lengths is None else lengths
        return np.concatenate([self._scored(model, form, n)["correct"] for n in lengths])

    def limit(self, model, form: str, level: float = LIMIT_LEVEL) -> int:
        """The longest problem ``model`` answers with at least ``level`` exact match (0 if none)."""
        solved = [n for n in self.lengths if self.exact(model, form, n) >= level]
        return max(solved) if solved else 0

    def _written(self, model):
        """(problem, written) pairs of every scratchpad answer of ``model``, in order of length."""
        return [
            (p, w)
            for n in self.lengths
            for p, w in zip(
                self._scored(model, "scratchpad", n)["problems"],
                self._scored(model, "scratchpad", n)["written"],
            )
        ]

    def well_formed(self, model) -> float:
        """The share of ``model``'s scratchpads that can be read as eight lines, '>' and an answer."""
        return float(np.mean([w.well_formed for _, w in self._written(model)]))

    def line_by_line(self, model) -> np.ndarray:
        """Per scratchpad line i: the share right, among well-formed answers whose lines before i
        were all right (NaN where no answer got that far)."""
        rows = [(w.lines, p.running) for p, w in self._written(model) if w.well_formed]
        accuracy = []
        for i in range(STEPS):
            alive = [(a, b) for a, b in rows if a[:i] == b[:i]]
            accuracy.append(np.mean([a[i] == b[i] for a, b in alive]) if alive else np.nan)
        return np.array(accuracy)

    def mistakes(self, model) -> dict:
        """``{(length, index): kind}`` for every scratchpad answer of ``model``: the kind of mistake
        (one of :data:`~emergent.reasoning.errors.ERROR_TYPES`) or None where the answer is right."""
        return {
            (n, i): classify_error(p, w)
            for n in self.lengths
            for i, (p, w) in enumerate(
                zip(
                    self._scored(model, "scratchpad", n)["problems"],
                    self._scored(model, "scratchpad", n)["written"],
                )
            )
        }


def count_kinds(mistakes: dict) -> dict[str, int]:
    """How many mistakes of each kind, in the order of ``ERROR_TYPES`` (right answers not counted)."""
    unknown = {kind for kind in mistakes.values() if kind is not None and kind not in ERROR_TYPES}
    if unknown:
        raise ValueError(
            f"unknown kinds of mistake {sorted(unknown)}; the kinds are {ERROR_TYPES}."
        )
    return {kind: sum(k == kind for k in mistakes.values()) for kind in ERROR_TYPES}


# --- estimates for the chapter's claims -----------------------------------------------------------


def crossover(gain: dict, parameters: dict, pays: Rule | None = None) -> Estimate | Missing:
    """The size from which a scratchpad pays: the parameters of the smallest member whose gain
    ``pays`` (by default: its interval lies above 0), when a smaller member's does not.

    ``gain`` maps each member (smallest first) to its estimated gain, ``parameters`` to its size.
    """
    if list(gain) != list(parameters):
        raise ValueError("gain and parameters must name the same members in the same order.")
    paying = first_paying(gain, pays)
    if paying is None:
        return claims.missing("no member's scratchpad gain lies above 0")
    smallest = next(iter(gain))
    if paying == smallest:
        return claims.missing(
            "the scratchpad pays at every size tried: any crossover lies below "
            f"N = {parameters[smallest]:,}"
        )
    return claims.exact(parameters[paying])


def first_paying(gain: dict, pays: Rule | None = None):
    """The first member (in the order given) whose gain the rule ``pays`` confirms (by default:
    its interval lies above 0), or None."""
    pays = claims.above(0) if pays is None else pays
    return next(
        (member for member, estimate in gain.items() if pays.decide(estimate) == "confirmed"), None
    )


def depth_gain(direct_limits: dict, trained: list) -> Estimate | Missing:
    """How many more steps the deepest trained model composes directly than the shallowest trained
    one; missing when fewer than two depths learned the table."""
    if len(trained) < 2:
        return claims.missing("fewer than two depths learned the table within the budget")
    return claims.exact(direct_limits[trained[-1]] - direct_limits[trained[0]])


def depth_note(direct_limits: dict, trained: list) -> str:
    """``"1 layer: 2, 2 layers: 3; left out, not trained: 4 layers"``: the direct limits compared,
    and the depths left out because they did not learn the table."""
    note = ", ".join(
        f"{layers} layer{'s' if layers > 1 else ''}: {direct_limits[layers]}" for layers in trained
    )
    untrained = [layers for layers in direct_limits if layers not in trained]
    if untrained:
        note += f"; left out, not trained: {', '.join(f'{layers} layers' for layers in untrained)}"
    return note


def share_fixed(fixed) -> Estimate | Missing:
    """The share of the smallest member's mistakes that a larger member gets right (bootstrap over
    them), missing when there are fewer than two mistakes to resample."""
    fixed = np.asarray(fixed, dtype=float)
    if len(fixed) < 2:
        return claims.missing(
            f"the smallest member made {len(fixed)} mistakes: too few to resample"
        )
    return claims.bootstrap(fixed)


def sharpest_jump(means: dict, below: float = 0.1, above: float = 0.5):
    """The first pair of neighbouring members ``(a, b)`` where the mean benefit goes from under
    ``below`` to over ``above``; None if there is no such jump."""
    return next(
        ((a, b) for a, b in itertools.pairwise(means) if means[a] < below and means[b] > above),
        None,
    )
