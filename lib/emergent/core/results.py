"""The results page: every headline number the chapters measured, beside what it speaks to.

Chapters write their numbers with :func:`emergent.core.ledger.record`; this module reads every chapter's
ledger and writes one Markdown table (MyST, so citations render) for the book's last page.
"""

from __future__ import annotations

from emergent.core.contents import chapters
from emergent.core.ledger import read_all

VERDICT_MARKS = {
    "confirmed": "✔ confirmed",
    "refuted": "✘ refuted",
    "differs": "≠ differs",
    "corrected": "✎ corrected",
    "inconclusive": "? inconclusive",
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


def results_markdown(ledgers: dict[str, dict] | None = None) -> str:
    """One section per chapter with a table of its records, and where each number came from."""
    ledgers = read_all() if ledgers is None else ledgers
    if not ledgers:
        return "No chapter has recorded results yet: build the chapters first."
    titles = chapters()
    unknown = set(ledgers) - set(titles)
    if unknown:
        raise ValueError(
            f"Unknown chapters in the ledgers: {sorted(unknown)}; the table of contents has {list(titles)}."
        )
    parts = []
    for chapter in (c for c in titles if c in ledgers):
        ledger = ledgers[chapter]
        parts.append(f"### {titles[chapter]}\n")
        parts.append(
            f"Measured with the `{ledger['profile']}` profile on {ledger['device']} "
            f"({ledger.get('machine', 'unknown machine')}), library version {ledger['library_version']}.\n"
        )
        parts.append(
            "| quantity | measured [90% interval] | published figure or source claim "
            "| decision rule, fixed before measuring | verdict, and why |"
        )
        parts.append("|---|---|---|---|---|")
        for key, entry in ledger["records"].items():
            verdict = VERDICT_MARKS.get(entry.get("verdict", ""), "-")
            why = _cell(entry.get("note", ""))
            rule = _cell(entry.get("rule", "")) or "-"
            parts.append(
                f"| `{key}` | {_measured(entry)} | {_claim(entry)} | {rule} "
                f"| **{verdict}**{': ' + why if why else ''} |"
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
