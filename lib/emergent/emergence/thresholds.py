"""Where abilities appeared: the published emergence thresholds, and why many-step tasks look sudden.

Two things live here, both used by the chapter "What is emergence?":

1. **The thresholds as data.** Wei et al. (2022, Table 1) list, for each ability that was reported
   as emergent, the smallest model (training FLOPs and parameters) at which it first beat random
   performance. The table ships with the package as ``data/emergent_thresholds.csv``, one row per
   ability, in the order of the published table; :func:`load_thresholds` reads it.
2. **Composition of sub-steps.** If a task succeeds only when all ``k`` of its independent sub-steps
   succeed, its success rate is the product of the sub-step accuracies. Each sub-step can improve
   smoothly with scale while the product stays near zero for a long time and then climbs:
   :func:`task_success`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from typing import Sequence

import numpy as np

DATA_FILE = "emergent_thresholds.csv"
FAMILIES = ("few-shot prompting", "augmented prompting")


# --------------------------------------------------------------------------------------------
# 1. The published thresholds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """One row of the published table: an ability and the scale at which it emerged."""

    family: str  # "few-shot prompting" or "augmented prompting" (the table's two halves)
    ability: str  # as written in the table
    train_flops: (
        float | None
    )  # training FLOPs of the smallest model with the ability (None: "Many")
    params: float | None  # its parameter count (None: "Many")
    params_text: str  # the parameter count as printed in the table ("13B", "40M", "Many")
    model: str  # model family (GPT-3, Gopher, PaLM, ...)
    reference: str  # the paper that reported it, as the table cites it
    bibkey: str  # that paper's key in the book's bibliography


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def load_thresholds(family: str | None = None) -> list[Threshold]:
    """The rows of the published thresholds table, in the table's order.

    ``family`` keeps only ``"few-shot prompting"`` or ``"augmented prompting"`` rows.
    """
    if family is not None and family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES} or None, got {family!r}.")
    text = (
        resources.files("emergent.emergence")
        .joinpath("data", DATA_FILE)
        .read_text(encoding="utf-8")
    )
    rows = []
    for row in csv.DictReader(text.splitlines()):
        rows.append(
            Threshold(
                family=row["family"],
                ability=row["ability"],
                train_flops=_number(row["train_flops"]),
                params=_number(row["params"]),
                params_text=row["params_text"],
                model=row["model"],
                reference=row["reference"],
                bibkey=row["bibkey"],
            )
        )
    return [r for r in rows if family is None or r.family == family]


def parse_parameter_count(text: str) -> float | None:
    """``"13B"`` -> 1.3e10, ``"40M"`` -> 4e7, ``"Many"`` -> None (the table's own notation)."""
    cleaned = text.strip()
    if cleaned.lower() == "many":
        return None
    scale = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
    if not cleaned or cleaned[-1].upper() not in scale:
        raise ValueError(f"a parameter count looks like '13B' or '40M' (or 'Many'), got {text!r}.")
    try:
        return float(cleaned[:-1]) * scale[cleaned[-1].upper()]
    except ValueError:
        raise ValueError(
            f"a parameter count looks like '13B' or '40M' (or 'Many'), got {text!r}."
        ) from None


def flops_rule_of_thumb(params: float, tokens: float) -> float:
    """Training compute of a dense transformer, C ~ 6 N D FLOPs (Kaplan et al., 2020)."""
    if params <= 0 or tokens <= 0:
        raise ValueError(f"params and tokens must be positive, got {params} and {tokens}.")
    return 6.0 * params * tokens


# --------------------------------------------------------------------------------------------
# 2. Composition: a task made of k sub-steps
# --------------------------------------------------------------------------------------------


def _check_probability(p, name: str = "accuracy") -> np.ndarray:
    try:
        values = np.asarray(p, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {p!r}.") from None
    if np.any(np.isnan(values)) or np.any(values < 0) or np.any(values > 1):
        raise ValueError(f"{name} must lie in [0, 1] (a probability, not a percentage), got {p!r}.")
    return values


def _check_steps(k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"the number of sub-steps k must be an integer, got {k!r}.")
    if k <= 0:
        raise ValueError(f"a task has at least one sub-step: k must be >= 1, got {k}.")
    return int(k)


def task_success(step_accuracy, k: int | None = None):
    """Success rate of a task that needs every one of its independent sub-steps right.

    Two ways to call it:

    - ``task_success(p, k)``: ``k`` sub-steps, each right with probability ``p`` -> ``p ** k``.
      ``p`` may be an array (e.g. one accuracy per model size); the result has its shape.
    - ``task_success([p1, p2, ...])``: sub-steps with different accuracies -> their product.

    Raises ValueError for ``k <= 0``, an empty list, or accuracies outside [0, 1].
    """
    if k is None:
        values = _check_probability(step_accuracy, "each sub-step accuracy")
        if values.ndim != 1 or values.size == 0:
            raise ValueError(
                "without k, pass a non-empty list of sub-step accuracies, e.g. [0.9, 0.8, 0.7]; "
                "or pass one accuracy and k, e.g. task_success(0.6, 5)."
            )
        return float(np.prod(values))
    k = _check_steps(k)
    values = _check_probability(step_accuracy, "step_accuracy")
    result = values**k
    return float(result) if result.ndim == 0 else result


def step_accuracy_needed(task_target: float, k: int) -> float:
    """The per-step accuracy a k-step task needs to reach ``task_target`` success: target ** (1/k)."""
    k = _check_steps(k)
    target = float(_check_probability(task_target, "task_target"))
    return target ** (1.0 / k)


def composition_table(low: float, high: float, steps: Sequence[int]) -> list[dict]:
    """For each k in ``steps``: task success at per-step accuracy ``low`` and ``high``, and the gain."""
    _check_probability([low, high], "low and high")
    rows = []
    for k in steps:
        a, b = task_success(low, k), task_success(high, k)
        rows.append(
            {"k": _check_steps(k), "low": a, "high": b, "gain": b / a if a > 0 else math.inf}
        )
    return rows
