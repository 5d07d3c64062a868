"""Readings of knowledge-editing results that the editing page reports and judges.

The results are those of :func:`emergent.knowledge.editing.run_edits` (one dict per method,
``{"summary": {...}, "per_edit": [{metric: value}, ...]}``) and of
:func:`emergent.knowledge.mass_editing.evaluate_batch`; these functions pick out the per-edit
numbers a claim is judged on and lay the summaries out as plain-text tables.
"""

from __future__ import annotations

import numpy as np

SCORES = ("ES", "PS", "NS")  # Meng et al.'s efficacy, paraphrase and neighbourhood scores


def per_edit(results: dict, method: str, metric: str) -> np.ndarray:
    """One score per edit of ``method`` (edits without a usable neighbour give none, and are left out)."""
    values = np.array([r[metric] for r in results[method]["per_edit"]], dtype=float)
    return values[~np.isnan(values)]


def paired(results: dict, first: str, second: str, metric: str) -> np.ndarray:
    """Per edit, the score of method ``first`` minus that of ``second`` on the same edit."""
    a, b = results[first]["per_edit"], results[second]["per_edit"]
    if len(a) != len(b):
        raise ValueError(f"{first} has {len(a)} edits and {second} {len(b)}: pair the same edits.")
    gap = np.array([x[metric] - y[metric] for x, y in zip(a, b)])
    return gap[~np.isnan(gap)]


def mean_score_gap(first: list[dict], second: list[dict]) -> np.ndarray:
    """Per edit, the mean of ES, PS and NS under one method minus that under another (same edits,
    same order); edits where either mean is undefined are left out."""
    if len(first) != len(second):
        raise ValueError(f"{len(first)} and {len(second)} edits: pair the same edits.")
    gap = np.array(
        [
            np.mean([a[m] for m in SCORES]) - np.mean([b[m] for m in SCORES])
            for a, b in zip(first, second)
        ],
        dtype=float,
    )
    return gap[~np.isnan(gap)]


def which_sites(sites: list[str]) -> str:
    """ "both sites", "the <site> only" or "neither site", for the sites (of two) where something holds."""
    if len(sites) > 2:
        raise ValueError(f"there are two sites, got {sites}.")
    return {0: "neither site", 2: "both sites"}.get(len(sites)) or f"the {sites[0]} only"


def summary_table(results: dict, columns: list[str], label: str = "method", width: int = 17) -> str:
    """A plain-text table of each method's summary numbers (one row per method)."""
    lines = [f"{label:16s}" + "".join(f"{c:>{width}s}" for c in columns)]
    for method, r in results.items():
        lines.append(f"{method:16s}" + "".join(f"{r['summary'][c]:{width}.3f}" for c in columns))
    return "\n".join(lines)


def published_table(published: dict, results: dict) -> str:
    """Meng et al.'s ES, PS, NS and S in percent beside this book's, one row per method."""
    lines = [f"{'':30s}{'ES':>8s}{'PS':>8s}{'NS':>8s}{'S':>8s}"]
    for name, row in published.items():
        lines.append(f"{'GPT-2 XL, ' + name:30s}" + "".join(f"{x:8.1f}" for x in row))
    for method, r in results.items():
        s = r["summary"]
        row = [100 * s[k] for k in ("ES", "PS", "NS", "score")]
        lines.append(f"{'this book, ' + method:30s}" + "".join(f"{x:8.1f}" for x in row))
    return "\n".join(lines)


def approaches_table(results: dict, retrain_seconds: float) -> str:
    """Retraining, fine-tuning and the rank-one edit side by side: seconds per edit, paraphrase and
    specificity, and what each changes."""
    keys = ("seconds_per_edit", "paraphrase", "specificity")
    rows = [
        (
            "retrain on corrected data",
            retrain_seconds,
            "by construction",
            "by construction",
            "whole model, every edit",
        )
    ]
    for name, method, what in [
        ("fine-tune one layer (FT)", "FT", "one matrix, full rank"),
        ("fine-tune, L∞-bounded (FT+L)", "FT+L", "one matrix, small entries"),
        ("rank-one edit, subject site", "subject site", "one matrix, rank one"),
        ("rank-one edit, last-token site", "last-token site", "one matrix, rank one"),
    ]:
        rows.append((name, *(results[method]["summary"][k] for k in keys), what))

    def cell(x) -> str:
        return f"{x:17.3f}" if isinstance(x, float) else f"{x:>17s}"

    lines = [
        f"{'approach':32s}{'seconds':>9s}{'paraphrase':>17s}{'specificity':>17s}   what changes"
    ]
    for name, seconds, paraphrase, specificity, what in rows:
        lines.append(f"{name:32s}{seconds:9.2f}{cell(paraphrase)}{cell(specificity)}   {what}")
    return "\n".join(lines)


def mass_table(mass_results: dict, columns: list[str]) -> str:
    """A plain-text table of batch-editing results keyed by (site, method, number of edits)."""
    lines = [f"{'site':16s}{'method':>12s}{'edits':>7s}" + "".join(f"{c:>14s}" for c in columns)]
    for (site, method, n), r in mass_results.items():
        lines.append(
            f"{site:16s}{method:>12s}{n:>7d}" + "".join(f"{r['summary'][c]:14.3f}" for c in columns)
        )
    return "\n".join(lines)
