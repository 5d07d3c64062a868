"""Compression against ability: bits per byte on held-out text, and two abilities on the same text.

Huang et al. (2024) found the benchmark scores of about thirty language models to be nearly linear
in how well each compresses text of the matching kind. The miniature uses the scaling chapter's
byte-level models of standard-library Python (sizes and training lengths of two IsoFLOP sweeps) and
scores each on the held-out files three ways:

* **bits per byte**: the compression, the model's mean code length per byte of the text;
* **closing a bracket**: where the next byte is ``)``, ``]`` or ``}``, is it the model's first choice?
* **repeating a name**: where a name of four or more characters recurs in the window, does the model,
  given its first character, write the rest of it exactly (every byte its first choice)?
"""

from __future__ import annotations

import math
import re

import numpy as np
import torch
import torch.nn.functional as F

from emergent.scaling.text_data import TextData, held_out_windows

CLOSING = tuple(b")]}")
NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]{3,}")  # identifiers of at least four characters


def repeated_names(window: bytes) -> list[tuple[int, int]]:
    """``(start, end)`` of every name in ``window`` whose whole text already appeared earlier in it."""
    spans, seen = [], set()
    for match in NAME.finditer(window):
        name = match.group()
        if name in seen:
            spans.append(match.span())
        seen.add(name)
    return spans


def name_targets(ids: torch.Tensor) -> list[tuple[int, int, int]]:
    """``(row, first, last)``: the positions whose next byte must be predicted to repeat each name.

    For a repeated name at ``[start, end)`` the model sees its first byte; the bytes ``start + 1 ..
    end - 1`` are predicted at positions ``start .. end - 2``. A name cut off by the window's end
    does not count.
    """
    targets = []
    for row, window in enumerate(ids.tolist()):
        text = bytes(window)
        for start, end in repeated_names(text):
            if end < len(text) and not (chr(text[end]).isalnum() or text[end] == ord("_")):
                targets.append((row, start, end - 2))
    return targets


@torch.no_grad()
def text_abilities(model, data: TextData, windows: int = 512, half: int | None = None) -> dict:
    """Bits per byte, bracket-closing accuracy and name-repeating exact match on held-out text.

    Also returns how many brackets and names were scored (``brackets``, ``names``). ``half`` (0 or 1)
    scores only the even or the odd windows: two halves give a split-half estimate of how noisy each
    measure is.
    """
    if half not in (None, 0, 1):
        raise ValueError(f"half must be None, 0 or 1, got {half!r}.")
    ids = held_out_windows(data, windows)
    ids = ids if half is None else ids[half::2]
    dev = next(model.parameters()).device
    logits = model(input_ids=ids.to(dev)).logits.float().cpu()[:, :-1]  # (windows, block - 1, 256)
    following = ids[:, 1:]  # the byte each position predicts
    nats = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), following.reshape(-1), reduction="none"
    )
    right = logits.argmax(-1) == following  # (windows, block - 1)
    closing = torch.isin(following, torch.tensor(CLOSING))
    names = name_targets(ids)
    named = [bool(right[row, first : last + 1].all()) for row, first, last in names]
    return {
        "bits_per_byte": float(nats.mean()) / math.log(2),
        "bracket_accuracy": float(right[closing].float().mean()) if closing.any() else float("nan"),
        "name_exact_match": float(np.mean(named)) if named else float("nan"),
        "brackets": int(closing.sum()),
        "names": len(named),
    }


def linear_fit(x, y) -> dict:
    """Least-squares line ``y = slope x + intercept`` with Pearson's r and the residuals."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 3:
        raise ValueError(
            f"a line with a correlation needs at least 3 points as equal 1-D arrays, got {x.shape} and {y.shape}."
        )
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        raise ValueError("x or y does not vary: a correlation is undefined.")
    slope, intercept = np.polyfit(x, y, 1)
    return {
        "slope": float(slope),
        "intercept": float(intercept),
        "r": float(np.corrcoef(x, y)[0, 1]),
        "residuals": y - (slope * x + intercept),
    }


def reliability_ceiling(first_half, second_half) -> float:
    """The largest |r| a measure can show with a noiseless partner: the square root of its split-half
    reliability, stepped up to the full length by Spearman and Brown (0 if the halves disagree)."""
    r = float(
        np.corrcoef(np.asarray(first_half, dtype=float), np.asarray(second_half, dtype=float))[0, 1]
    )
    return float(np.sqrt(max(0.0, 2 * r / (1 + r)))) if r > -1 else 0.0
