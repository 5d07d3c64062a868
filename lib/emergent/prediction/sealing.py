"""Sealed forecasts: written down, with the time and the data they used, before the model exists.

:func:`seal` writes every forecast to ``<results>/prediction_sealed.json`` together with the moment
it was made, the models the forecaster saw, and, for each model forecast, whether a trained copy
was already on disk (a later build finds the previous build's models in the cache; the forecaster
never reads them, but the seal says so rather than hide it). :func:`open_seal` reads it back, so the
page that compares forecast and measurement shows what was written before the measurement.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from emergent.core.ledger import results_dir
from emergent.prediction.evidence import Member
from emergent.prediction.forecasts import Forecast

SEAL_FILE = "prediction_sealed.json"


@dataclass(frozen=True)
class Target:
    """A model to be forecast: its name, size, and whether it was on disk when the seal was made."""

    name: str
    parameters: int
    trained_before_seal: bool


def seal_path() -> Path:
    return results_dir() / SEAL_FILE


def seal(forecasts: list[Forecast], seen: list[Member], targets: list[Target]) -> dict:
    """Write the forecasts down, with a timestamp, before any target is trained; return what was written."""
    if not forecasts:
        raise ValueError("nothing to seal: give at least one forecast.")
    sizes = {t.parameters for t in targets}
    stray = [f for f in forecasts if f.target not in sizes]
    if stray:
        raise ValueError(
            f"forecast for {stray[0].target:,} parameters, which is not among the targets {sorted(sizes)}."
        )
    largest_seen = max(m.parameters for m in seen)
    if any(t.parameters <= largest_seen for t in targets):
        raise ValueError("every target must be larger than every model the forecaster saw.")
    record = {
        "sealed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seen": [
            {"name": m.name, "parameters": m.parameters, "checkpoints": len(m.checkpoints)}
            for m in seen
        ],
        "targets": [t.__dict__ for t in targets],
        "forecasts": [
            {
                "method": f.method,
                "target": f.target,
                "value": f.value,
                "low": f.estimate().low,
                "high": f.estimate().high,
                "decided": f.decided,
                "note": f.note,
            }
            for f in forecasts
        ],
    }
    path = seal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(record, indent=1))
    os.replace(partial, path)  # the seal appears whole or not at all
    return record


def open_seal() -> dict:
    """The forecasts as sealed by this build."""
    path = seal_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"No sealed forecasts at {path}: run the cell that seals them first."
        )
    return json.loads(path.read_text())


def sealed_value(record: dict, method: str, target: int) -> dict:
    """One sealed forecast (value, low, high, decided, note) by method and target size."""
    for forecast in record["forecasts"]:
        if forecast["method"] == method and forecast["target"] == target:
            return forecast
    raise KeyError(f"no sealed forecast by {method!r} for {target:,} parameters.")
