"""Profiles: how big the experiments are, chosen by one environment variable.

``EMERGENT_PROFILE=default`` (the default) sizes every experiment for a 2-core laptop CPU: each
chapter runs in minutes, and this is what continuous integration builds. ``EMERGENT_PROFILE=full``
runs the *same code* at a larger scale, meant for a GPU (for example Colab). Chapters never branch on
the profile except to pick sizes, through :func:`choose`.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from emergent.core import threads

PROFILES = ("default", "full")
PROFILE_VARIABLE = "EMERGENT_PROFILE"


def profile_name() -> str:
    """The active profile, read from ``$EMERGENT_PROFILE`` (``default`` when unset)."""
    name = os.environ.get(PROFILE_VARIABLE, "default").strip().lower() or "default"
    if name not in PROFILES:
        raise ValueError(
            f"Unknown profile {name!r} in ${PROFILE_VARIABLE}. "
            f"Use one of {', '.join(PROFILES)} (or unset it for 'default')."
        )
    return name


def choose(default, full):
    """Return ``default`` or ``full`` according to the active profile."""
    return full if profile_name() == "full" else default


def device() -> torch.device:
    """CUDA when a GPU is present, else the CPU. ``EMERGENT_DEVICE`` overrides (e.g. ``cpu``)."""
    wanted = os.environ.get("EMERGENT_DEVICE")
    if wanted:
        return torch.device(wanted)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_description() -> str:
    """A short human description of the device, for the results ledger."""
    dev = device()
    if dev.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(dev)})"
    waiting = (
        threads.WAIT_POLICY_NOTE
    )  # how idle threads wait, which sets the speed on a busy machine
    return f"cpu ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads{'; ' + waiting if waiting else ''})"


def project_dir() -> Path | None:
    """The book's root folder (the one holding ``_config.yml`` and ``_toc.yml``), if we are inside it.

    Chapters execute with their own folder as the working directory, so we walk upwards.
    Returns ``None`` when run elsewhere (e.g. a notebook opened in Colab).
    """
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    return None


def build_dir() -> Path:
    """Where generated files go: ``<project>/_build`` inside the book, ``./_build`` elsewhere."""
    root = project_dir()
    return (root if root is not None else Path.cwd()) / "_build"


def static_output() -> bool:
    """True while the book is being built for the web site (no live kernel behind the page).

    The build sets ``EMERGENT_STATIC=1``; widgets then draw static figures instead of controls.
    """
    return os.environ.get("EMERGENT_STATIC", "0") not in ("", "0", "false", "False")
