"""The results page: every headline number the chapters measured, beside what it speaks to.

Chapters write their numbers with :func:`emergent.core.ledger.record`; this module reads every chapter's
ledger and writes one Markdown table (MyST, so citations render) for the book's last page.
"""

from __future__ import annotations

import numpy as np

from emergent.core.contents import chapters
from emergent.core.ledger import read_all

VERDICT_MARKS = {
    "confirmed": "✔ confirmed",
    "refuted": "✘ refuted",
    "differs": "≠ differs",
    "corrected": "✎ corrected",
    "inconclusive": "? inconclusive",
    "illustration": "◦ illustration",
    "identity": "= identity",
    "new": "• new",
    "not measured": "– not measured",
}
HOW = {
    "seeds": "{n} seeds",
    "bootstrap": "bootstrap, {n} items",
    "leave-one-out": "range of {n} leave-one-out refits",
}


def format_value(value: float | None) -> str:
    """Four significant figures, without scientific notation for everyday sizes."""
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e6:
        return f"{value:.4g}"
    return f"{value:.3e}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _claim(entry: dict) -> str:
    claim = _cell(entry.get("claim", "")) or "-"
    source = entry.get("source", "")
    return f"{claim} {{cite:p}}`{source}`" if source else claim


def _measured(entry: dict) -> str:
    """The value and unit, then its interval and how it was obtained, where the record has one."""
    text = f"{format_value(entry['value'])} {_cell(entry.get('unit', ''))}".strip()
    method = entry.get("method")
    if method in HOW:
        how = HOW[method].format(n=entry.get("samples", "?"))
        text += f" [{format_value(entry['low'])}, {format_value(entry['high'])}; {how}]"
    elif method == "exact":
        text += " (exact)"
    return text


JUDGED = ("confirmed", "differs", "corrected", "refuted", "inconclusive")  # verdicts a rule gave
VERDICT_COLOURS = {  # Okabe-Ito: told apart with any colour vision
    "confirmed": "#009E73",
    "differs": "#E69F00",
    "corrected": "#CC79A7",
    "refuted": "#D55E00",
    "inconclusive": "#999999",
    "illustration": "#56B4E9",  # drawn hollow: one trained model, no verdict
}


def _ordered(ledgers: dict[str, dict]) -> list[tuple[str, str, dict]]:
    """``(chapter, title, ledger)`` in the book's order; a ledger of an unknown chapter is refused."""
    titles = chapters()
    unknown = set(ledgers) - set(titles)
    if unknown:
        raise ValueError(
            f"Unknown chapters in the ledgers: {sorted(unknown)}; the table of contents has {list(titles)}."
        )
    return [(c, titles[c], ledgers[c]) for c in titles if c in ledgers]


def results_markdown(ledgers: dict[str, dict] | None = None) -> str:
    """One section per chapter with a table of its records: the verdict first, then what was
    tested (with its source), the number measured and the rule that judged it."""
    ledgers = read_all() if ledgers is None else ledgers
    if not ledgers:
        return "No chapter has recorded results yet: build the chapters first."
    parts = []
    for _, title, ledger in _ordered(ledgers):
        parts.append(f"### {title}\n")
        parts.append(
            f"Measured with the `{ledger['profile']}` profile on {ledger['device']} "
            f"({ledger.get('machine', 'unknown machine')}), library version {ledger['library_version']}.\n"
        )
        parts.append(
            "| verdict, and why | what was tested | measured [90% interval] "
            "| decision rule, fixed before measuring |"
        )
        parts.append("|---|---|---|---|")
        for entry in ledger["records"].values():
            verdict = f"**{VERDICT_MARKS.get(entry.get('verdict', ''), '-')}**"
            if entry.get("verdict") == "illustration" and entry.get("reading"):
                verdict += f" (one model; the rule reads *{entry['reading']}*)"
            why = _cell(entry.get("note", ""))
            rule = _cell(entry.get("rule", "")) or "-"
            parts.append(
                f"| {verdict}{': ' + why if why else ''} | {_claim(entry)} "
                f"| {_measured(entry)} | {rule} |"
            )
        parts.append("")
    return "\n".join(parts)


def verdict_counts(ledgers: dict[str, dict] | None = None) -> dict[str, int]:
    """How many records carry each verdict, over the whole book."""
    ledgers = read_all() if ledgers is None else ledgers
    counts: dict[str, int] = {}
    for ledger in ledgers.values():
        for entry in ledger["records"].values():
            verdict = entry.get("verdict") or "none"
            counts[verdict] = counts.get(verdict, 0) + 1
    return counts


def verdict_sentence(counts: dict[str, int]) -> str:
    """The verdict counts as a sentence: the judged claims first, then the numbers not judged."""
    if not counts:
        return "No chapter has recorded results yet."
    judged = {v: counts[v] for v in JUDGED if counts.get(v)}
    others = {v: n for v, n in counts.items() if v not in JUDGED}
    total = sum(judged.values())
    words = {"differs": "differ"} if total != 1 else {}
    text = (
        f"Over the whole book, {total} claim{'s were' if total != 1 else ' was'} judged by a rule"
    )
    if judged:
        shown = [f"{n} {words.get(v, v) if n != 1 else v}" for v, n in judged.items()]
        text += ": " + (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0])
    text += "."
    if others:
        described = {  # (one, several)
            "illustration": (
                "illustration on one trained model, which a rule reads but does not judge",
                "illustrations on one trained model, which a rule reads but does not judge",
            ),
            "new": (
                "new number with no published counterpart",
                "new numbers with no published counterpart",
            ),
            "identity": ("identity", "identities"),
            "not measured": ("not measured in this profile",) * 2,
            "none": ("plain record", "plain records"),
        }
        rest = [f"{n} {described.get(v, (v, v))[n != 1]}" for v, n in others.items()]
        text += " Besides these, " + ", ".join(rest) + "."
    return text


def _plotted_rows(ledgers: dict[str, dict]) -> list[tuple[str, dict]]:
    """``(chapter title, record)`` of every judged claim and every illustration, in book order."""
    rows = []
    for _, title, ledger in _ordered(ledgers):
        for entry in ledger["records"].values():
            shown = entry.get("verdict") in JUDGED or entry.get("verdict") == "illustration"
            if shown and entry.get("low") is not None:
                rows.append((title, entry))
    return rows


def _shorten(text: str, length: int = 64) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def forest_plot(ledgers: dict[str, dict] | None = None):
    """Every judged claim as a row: its 90% interval and value against the values its rule turns
    on (grey ticks), coloured by verdict and grouped by chapter; illustrations (one trained model)
    are drawn hollow. Each row has its own scale, since
    the claims measure different quantities: what a row shows is where the interval lies against
    its rule. Returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    ledgers = read_all() if ledgers is None else ledgers
    rows = _plotted_rows(ledgers)
    if not rows:
        raise ValueError("No judged claim in the ledgers: build the chapters first.")
    said = [entry.get("claim") or entry["key"] for _, entry in rows]
    headings = len({title for title, _ in rows})  # one line per chapter above its claims
    height = 0.26 * (len(rows) + headings) + 1.0
    fig, ax = plt.subplots(figsize=(9.5, height))
    y, previous = 0, None
    for title, entry in rows:
        if title != previous:
            ax.text(-0.02, y, title, ha="right", va="center", fontweight="bold", fontsize=9)
            y, previous = y + 1, title
        label = entry.get("claim") or entry["key"]
        if said.count(label) > 1:  # the same claim measured twice: name which measurement
            label = f"{entry['key'].replace('_', ' ')}: {label}"
        _draw_row(ax, y, entry, label)
        y += 1
    ax.set_ylim(y - 0.4, -0.6)
    ax.set_xlim(0, 1)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(
        "each row on its own scale: the interval, its value (dot) and the rule's values (ticks)"
    )
    handles = [
        Line2D(
            [],
            [],
            color=colour,
            marker="o",
            lw=2,
            label=verdict,
            mfc="white" if verdict == "illustration" else colour,
        )
        for verdict, colour in VERDICT_COLOURS.items()
    ]
    ax.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=6,
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout()
    return fig


def _draw_row(ax, y: float, entry: dict, label: str) -> None:
    value, low, high = entry["value"], entry["low"], entry["high"]
    marks = [m for m in entry.get("rule_marks", []) if m is not None]
    points = [low, high, value, *marks]
    logarithmic = min(points) > 0 and max(points) / min(points) > 100
    scale = (lambda v: float(np.log10(v))) if logarithmic else float
    left, right = min(map(scale, points)), max(map(scale, points))
    pad = 0.08 * (right - left) or 1.0

    def x(v: float) -> float:
        return (scale(v) - left + pad) / (right - left + 2 * pad)

    colour = VERDICT_COLOURS[entry["verdict"]]
    ax.plot([x(low), x(high)], [y, y], color=colour, lw=2.2, solid_capstyle="butt")
    hollow = entry["verdict"] == "illustration"
    ax.plot([x(value)], [y], "o", color=colour, ms=4.5, mfc="white" if hollow else colour)
    for mark in marks:
        ax.plot([x(mark)] * 2, [y - 0.35, y + 0.35], color="#444444", lw=1)
    ax.text(
        -0.02,
        y,
        _shorten(label),
        ha="right",
        va="center",
        fontsize=7.5,
    )
