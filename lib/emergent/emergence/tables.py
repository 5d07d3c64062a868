"""Markdown tables for the chapter "What is emergence?", built from the data, not typed by hand."""

from __future__ import annotations

from collections.abc import Sequence

from emergent.emergence.thresholds import Threshold


def _flops(value: float | None) -> str:
    return "many" if value is None else f"{value:.1e}"


def thresholds_table(rows: Sequence[Threshold]) -> str:
    """The published emergence thresholds as a Markdown table, one row per ability, each citing
    the paper that reported it (a MyST ``{cite:t}`` role); "many" where the table gives no scale."""
    if not rows:
        raise ValueError("no thresholds to tabulate: load them with load_thresholds().")
    lines = [
        "| family | ability | training FLOPs | parameters | model | reported in |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.family} | {r.ability} | {_flops(r.train_flops)} | {r.params_text} "
            f"| {r.model} | {{cite:t}}`{r.bibkey}` |"
        )
    return "\n".join(lines)
