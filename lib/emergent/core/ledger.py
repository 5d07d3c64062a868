"""The results ledger: every headline number a chapter measures, with what it speaks to.

A chapter calls :func:`record` once per headline number. Records land in
``_build/results/<chapter>.json`` (or ``$EMERGENT_RESULTS``), together with the profile, device
and library version that produced them; the results page of the book is generated from them.
"""

from __future__ import annotations

import json
import math
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

from emergent import __version__
from emergent.core.profiles import build_dir, device_description, profile_name

# The chapters that record results, in the book's order: slug (its package's name) -> title.
CHAPTERS = {
    "emergence": "What is emergence?",
    "scaling": "Scaling laws",
    "mirage": "The metric mirage",
    "compression": "Compression is intelligence",
    "knowledge": "Where knowledge lives",
    "grokking": "Grokking",
}
RESULTS_VARIABLE = "EMERGENT_RESULTS"
VERDICTS = ("confirmed", "refuted", "differs", "corrected", "new")


def results_dir() -> Path:
    """``$EMERGENT_RESULTS`` if set, else ``_build/results`` in the book."""
    return Path(os.environ.get(RESULTS_VARIABLE) or build_dir() / "results")


def _check_chapter(chapter: str) -> None:
    if chapter not in CHAPTERS:
        raise ValueError(f"Unknown chapter {chapter!r}; chapter slugs are {', '.join(CHAPTERS)}.")


def record(
    chapter: str,
    key: str,
    value: float,
    unit: str,
    claim: str = "",
    source: str = "",
    verdict: str = "",
    note: str = "",
) -> None:
    """Record one headline number in the chapter's results file (nothing is returned, so a
    chapter cell that ends with a record shows no echo of it).

    ``claim`` is the published figure or seed claim the number speaks to, ``source`` its citation
    key in the book's bibliography, ``verdict`` one of confirmed / refuted / differs / corrected / new,
    and ``note`` a few words on why. Recording the same key again replaces the earlier value.
    """
    _check_chapter(chapter)
    if not key.isidentifier():
        raise ValueError(f"Ledger keys are identifiers like 'alpha_N', got {key!r}.")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"Ledger value for {key!r} must be a number, got {value!r}.") from None
    if not math.isfinite(value):
        raise ValueError(f"Ledger value for {key!r} must be finite, got {value}.")
    if verdict and verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}.")
    entry = {
        "key": key,
        "value": value,
        "unit": unit,
        "claim": claim,
        "source": source,
        "verdict": verdict,
        "note": note,
    }
    path = results_dir() / f"{chapter}.json"
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


def read(chapter: str) -> dict:
    """The ledger of one chapter as written by :func:`record`."""
    _check_chapter(chapter)
    path = results_dir() / f"{chapter}.json"
    if not path.exists():
        raise FileNotFoundError(f"No results for chapter {chapter!r} at {path}: build that chapter first.")
    return json.loads(path.read_text())


def read_all() -> dict[str, dict]:
    """Every chapter's ledger that exists, in the book's chapter order."""
    return {c: read(c) for c in CHAPTERS if (results_dir() / f"{c}.json").exists()}
