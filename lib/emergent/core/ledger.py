"""The results ledger: every headline number a chapter measures, with what it speaks to.

A chapter opens its ledger with :func:`begin`, which starts it afresh, so that no record survives
from an earlier build. It then records each headline number once, usually through
:func:`emergent.core.claims.claim`, which adds the interval, the decision rule and the verdict.
A number the active profile does not measure is recorded by :func:`not_measured`, with the reason.
Records land in ``_build/results/<chapter>.json`` (or ``$EMERGENT_RESULTS``), together with the
profile, device and library version that produced them; the results page is generated from them.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
from datetime import datetime, timezone
from pathlib import Path

from emergent import __version__
from emergent.core.contents import chapters
from emergent.core.profiles import build_dir, device_description, profile_name

# A chapter's slug is its file's name without the NN_ prefix (``08_grokking.md`` -> ``grokking``); a
# page that continues a chapter adds its topic (``grokking_emergence``). The list of chapters is the
# book's table of contents (emergent.core.contents), so it is written once.
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
RESULTS_VARIABLE = "EMERGENT_RESULTS"
VERDICTS = (
    "confirmed",
    "differs",
    "refuted",
    "corrected",
    "inconclusive",
    "illustration",
    "identity",
    "new",
    "not measured",
)
_begun: set[str] = set()  # chapters whose ledger this process has started afresh
_active: list[str] = []  # the chapter this process runs: the last one begun


def results_dir() -> Path:
    """``$EMERGENT_RESULTS`` if set, else ``_build/results`` in the book."""
    return Path(os.environ.get(RESULTS_VARIABLE) or build_dir() / "results")


def _check_chapter(chapter: str) -> None:
    """Inside the book, a slug must name a chapter of its table of contents; outside it (a notebook
    in Colab), any slug of the right form is taken."""
    known = chapters()
    if known and chapter not in known:
        raise ValueError(
            f"Unknown chapter {chapter!r}; the table of contents has {', '.join(known)}."
        )
    if not SLUG.match(chapter):
        raise ValueError(
            f"A chapter slug is lower-case letters, digits and '_', like 'grokking'; got {chapter!r}."
        )


def _path(chapter: str) -> Path:
    return results_dir() / f"{chapter}.json"


def begin(chapter: str) -> None:
    """Start the chapter's ledger afresh: records of an earlier build are deleted."""
    _check_chapter(chapter)
    _path(chapter).unlink(missing_ok=True)
    _begun.add(chapter)
    _active[:] = [chapter]


def active_chapter() -> str:
    """The chapter whose ledger this process began last ("" before any): the one being run."""
    return _active[0] if _active else ""


def note_model(entry: str) -> None:
    """Record in the running chapter's ledger that it uses the cached model ``entry``.

    The syllabus reads these lists: a model that an earlier chapter also uses is trained there when
    the book is built in order, and here when this chapter is opened alone (in Colab, say). Nothing
    is recorded outside a chapter.
    """
    chapter = active_chapter()
    if not chapter:
        return
    path = _path(chapter)
    data = read(chapter) if path.exists() else {"chapter": chapter, "records": {}}
    if entry not in data.setdefault("models", []):
        data["models"].append(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1))


def _number(key: str, value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"Ledger value for {key!r} must be a number, got {value!r}.") from None
    if not math.isfinite(value):
        raise ValueError(f"Ledger value for {key!r} must be finite, got {value}.")
    return value


def record(
    chapter: str,
    key: str,
    value: float,
    unit: str,
    claim: str = "",
    source: str = "",
    verdict: str = "",
    note: str = "",
    **interval,
) -> None:
    """Record one headline number in the chapter's results file (nothing is returned, so a
    chapter cell that ends with a record shows no echo of it).

    ``claim`` is the published figure or seed claim the number speaks to, ``source`` its citation
    key in the book's bibliography, ``verdict`` one of :data:`VERDICTS`, and ``note`` a few words on
    why. ``interval`` holds ``low``, ``high``, ``method``, ``samples``, ``rule``, ``rule_marks`` (the
    values the rule's verdict turns on), ``evidence`` (what the verdict rests on) and ``reading``
    (what the rule reads, the only reading of an illustration) when the record comes from a claim. Recording the same key again replaces the earlier value.
    """
    _check_chapter(chapter)
    if chapter not in _begun:
        raise RuntimeError(
            f"Open the ledger first with ledger.begin({chapter!r}): it starts the chapter's "
            "results afresh, so that no record of an earlier build survives."
        )
    if not key.isidentifier():
        raise ValueError(f"Ledger keys are identifiers like 'alpha_N', got {key!r}.")
    if verdict != "not measured":
        value = _number(key, value)
    if verdict and verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}.")
    fields = {"low", "high", "method", "samples", "rule", "rule_marks", "evidence", "reading"}
    unknown = set(interval) - fields
    if unknown:
        raise TypeError(
            f"Unknown ledger fields {sorted(unknown)}; a record may add {', '.join(sorted(fields))}."
        )
    entry = {
        "key": key,
        "value": value,
        "unit": unit,
        "claim": claim,
        "source": source,
        "verdict": verdict,
        "note": note,
        **interval,
    }
    path = _path(chapter)
    data = read(chapter) if path.exists() else {"chapter": chapter, "records": {}}
    data.update(
        profile=profile_name(),
        device=device_description(),
        machine=f"{platform.system()} {platform.machine()}",
        library_version=__version__,
        updated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    data["records"][key] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


def not_measured(chapter: str, key: str, reason: str, claim: str = "", source: str = "") -> None:
    """Record that the active profile does not measure ``key``, and why."""
    record(chapter, key, None, "", claim=claim, source=source, verdict="not measured", note=reason)


def read(chapter: str) -> dict:
    """The ledger of one chapter as written by :func:`record`."""
    _check_chapter(chapter)
    path = results_dir() / f"{chapter}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"No results for chapter {chapter!r} at {path}: build that chapter first."
        )
    return json.loads(path.read_text())


def read_all() -> dict[str, dict]:
    """Every chapter's ledger that exists, in the book's chapter order (outside the book, where
    there is no table of contents, every ledger in the results folder, by name). Other files a
    chapter keeps there (the prediction chapter's sealed forecasts) are not ledgers and are skipped."""
    found = {path.stem for path in results_dir().glob("*.json")}
    known = chapters()  # reads _toc.yml and every chapter's title: once
    order = [c for c in known if c in found] if known else sorted(found)
    ledgers = {c: read(c) for c in order}
    return {c: data for c, data in ledgers.items() if isinstance(data, dict) and "records" in data}
