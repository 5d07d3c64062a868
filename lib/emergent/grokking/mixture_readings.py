"""Reading the mixture experiment: means over seeds, the five readings, gaps paired by seed.

:func:`emergent.grokking.mixture.mixture_grid` returns one row per run (the cell's settings, its
seed and its final accuracies). This module turns those rows into what the page reads off them:

- :func:`mean_over_seeds`, the mean of one column over the seeds of one cell of the grid;
- :func:`read_mixture`, every mean the readings need, in one :class:`MixtureReadings`;
- :func:`supported`, the five readings of the hypothesis, each decided by the rule the page
  fixes before the grid is trained;
- :func:`paired_gaps`, the per-seed difference between two cells, for a claim over seeds;
- :func:`percentages` and :func:`accuracy_table`, the numbers as the page prints and glues them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FEW, MANY = 0.5, 0.9  # "under 50%" and "over 90%" mean test accuracy, in the page's rules
ALL_HELD = 0.99  # "memorises" a training set: at least 99% training accuracy


def _matches(row: dict, where: dict) -> bool:
    missing = set(where) - set(row)
    if missing:
        raise KeyError(f"rows have no column {sorted(missing)}; they have {sorted(row)}.")
    return all(row[k] == v for k, v in where.items())


def seed_values(rows: Sequence[dict], column: str, **where) -> list[float]:
    """``column`` of every row (one per seed) in the cell picked by ``where`` (column=value)."""
    values = [row[column] for row in rows if _matches(row, where)]
    if not values:
        raise ValueError(f"no row has {where}; is that value part of the grid?")
    return values


def mean_over_seeds(rows: Sequence[dict], column: str, **where) -> float:
    """Mean of ``column`` over the seeds of the cell picked by ``where`` (NaNs ignored: a run
    with no lookup examples has no lookup accuracy)."""
    return float(np.nanmean(seed_values(rows, column, **where)))


@dataclass(frozen=True)
class MixtureReadings:
    """The means over seeds that the page's readings are decided on."""

    task_counts: tuple[int, ...]  # addition examples, columns of ``test``
    widths: tuple[int, ...]  # hidden widths, rows of ``test``, narrowest first
    lookup_counts: tuple[int, ...]  # lookup examples of the competition runs
    test: np.ndarray  # (widths, task_counts): mean addition test accuracy
    lookup_memorised: np.ndarray  # (widths,): mean lookup-table training accuracy
    competition: np.ndarray  # (lookup_counts,): mean addition test accuracy
    # addition examples at which the narrowest is under FEW and the widest over MANY:
    emerging: tuple[int, ...]
    task_memorised: float | None  # least mean addition training accuracy at those counts, any width


def read_mixture(
    task_rows: Sequence[dict],
    competition_rows: Sequence[dict],
    task_counts: Sequence[int],
    widths: Sequence[int],
    lookup_counts: Sequence[int],
) -> MixtureReadings:
    """Means over seeds from the two grids: ``task_rows`` over addition examples x width,
    ``competition_rows`` over lookup examples at one width."""
    if len(widths) < 2 or len(task_counts) < 2 or len(lookup_counts) < 2:
        raise ValueError(
            "the readings compare ends of each axis: give at least two widths, two "
            "numbers of addition examples and two numbers of lookup examples."
        )
    test = np.array(
        [
            [mean_over_seeds(task_rows, "test_acc", task_examples=t, hidden=h) for t in task_counts]
            for h in widths
        ]
    )
    lookup_memorised = np.array(
        [mean_over_seeds(task_rows, "lookup_train_acc", hidden=h) for h in widths]
    )
    competition = np.array(
        [mean_over_seeds(competition_rows, "test_acc", lookup_examples=n) for n in lookup_counts]
    )
    narrowest, widest = test[0], test[-1]
    emerging = tuple(
        t for t, lo, hi in zip(task_counts, narrowest, widest) if lo < FEW and hi > MANY
    )
    task_memorised = min(
        (
            mean_over_seeds(task_rows, "task_train_acc", task_examples=t, hidden=h)
            for t in emerging
            for h in widths
        ),
        default=None,
    )
    return MixtureReadings(
        tuple(task_counts),
        tuple(widths),
        tuple(lookup_counts),
        test,
        lookup_memorised,
        competition,
        emerging,
        task_memorised,
    )


def supported(read: MixtureReadings) -> dict[str, bool]:
    """Each reading's verdict by its rule (the page states the rules before the grid is trained):

    - ``threshold``: at every width, under FEW with the fewest addition examples, over MANY with
      the most;
    - ``memorise_more``: lookup-table training accuracy never falls with width, and the narrowest
      network holds less than ALL_HELD of it;
    - ``emergence_with_width``: at some number of addition examples the narrowest network is
      under FEW and the widest over MANY;
    - ``width_not_data``: with the fewest addition examples no width reaches FEW;
    - ``competition``: test accuracy never rises as lookup examples are added, and falls overall.
    """
    test, memorised, competition = read.test, read.lookup_memorised, read.competition
    return {
        "threshold": bool(np.all(test[:, 0] < FEW) and np.all(test[:, -1] > MANY)),
        "memorise_more": bool(np.all(np.diff(memorised) >= 0) and memorised[0] < ALL_HELD),
        "emergence_with_width": bool(read.emerging),
        "width_not_data": bool(np.all(test[:, 0] < FEW)),
        "competition": bool(np.all(np.diff(competition) <= 0) and competition[0] > competition[-1]),
    }


def paired_gaps(
    rows: Sequence[dict], seeds: Sequence[int], first: dict, second: dict, **fixed
) -> list[float]:
    """Per seed, test accuracy in cell ``first`` minus in cell ``second`` (both also ``fixed``)."""

    def test_accuracy(seed: int, cell: dict) -> float:
        return seed_values(rows, "test_acc", seed=seed, **{**fixed, **cell})[0]

    return [test_accuracy(s, first) - test_accuracy(s, second) for s in seeds]


def percentages(values: Sequence[float], labels: Sequence | None = None) -> str:
    """``"12%, 40%, 95%"``, or ``"0: 95%, 200: 90%"`` with ``labels``."""
    if labels is not None and len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values.")
    if labels is None:
        return ", ".join(f"{v:.0%}" for v in values)
    return ", ".join(f"{label}: {v:.0%}" for label, v in zip(labels, values))


def point_changes(values: Sequence[float]) -> str:
    """The change from each value to the next, in percentage points: ``"-3.1, +0.4"``."""
    if len(values) < 2:
        raise ValueError(f"need at least two values to change between, got {len(values)}.")
    return ", ".join(f"{100 * (b - a):+.1f}" for a, b in itertools.pairwise(values))


def accuracy_table(read: MixtureReadings) -> str:
    """The mean test accuracy grid as text: one line per width, one column per addition count."""
    head = "addition examples " + "  ".join(f"{t:>5d}" for t in read.task_counts)
    rows = [
        f"width {h:>4d}:       " + "  ".join(f"{a:5.0%}" for a in row)
        for h, row in zip(read.widths, read.test)
    ]
    return "\n".join([head, *rows])


def draw_accuracy_grid(ax, read: MixtureReadings):
    """Mean test accuracy (%) as an image, widths up, addition examples across; returns the image
    (for a colour bar)."""
    ax.grid(False)
    image = ax.imshow(
        100 * read.test, origin="lower", cmap="viridis", vmin=0, vmax=100, aspect="auto"
    )
    ax.set_xticks(range(len(read.task_counts)), [str(t) for t in read.task_counts])
    ax.set_yticks(range(len(read.widths)), [str(h) for h in read.widths])
    return image
