"""Repeatable runs: one seed for Python, NumPy and PyTorch, deterministic kernels, fixed threads."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from emergent.core.threads import default_threads


def set_threads(threads: int | None = None) -> int:
    """Fix the number of CPU threads torch uses.

    A fixed count keeps timings comparable and results repeatable (reductions split over a
    different number of threads can round differently). Defaults to ``$EMERGENT_THREADS`` or
    the number of cores, at most 4: tiny models gain nothing from more.
    """
    if threads is None:
        threads = default_threads()
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}.")
    torch.set_num_threads(threads)
    return threads


def seed_everything(seed: int = 0, threads: int | None = None) -> torch.Generator:
    """Seed every random number generator and ask PyTorch for deterministic kernels.

    Returns a ``torch.Generator`` seeded with ``seed`` for code that wants its own stream.
    Same seed, same profile, same machine: same numbers.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    # cuBLAS needs this set before it is first used to be deterministic.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    set_threads(threads)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    if torch.backends.cudnn.is_available():
        torch.backends.cudnn.benchmark = False
    return torch.Generator().manual_seed(seed)
