"""A text corpus for the IsoFLOP sweep: Python's own standard library, read as bytes.

Addition is learned as an algorithm, in a jump; text is a mixture of countless regularities learned
one after another, and its loss falls smoothly with both model size and training tokens. The IsoFLOP
method needs that smoothness, so the sweep runs on text that ships with every Python (no download).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from emergent.core.config import Config, check_positive_int
from emergent.core.text_corpus import byte_windows, stdlib_split

VOCAB_SIZE = 256  # bytes


@dataclass(frozen=True)
class TextData(Config):
    """Random windows of standard-library source; every field goes into a model's cache key."""

    block: int = 64  # bytes of context per row
    batch_size: int = 32
    train_bytes: int = 1_000_000
    test_bytes: int = 100_000
    seed: int = 0

    def __post_init__(self):
        check_positive_int(self, "block", "batch_size", "train_bytes", "test_bytes")

    @property
    def n_positions(self) -> int:
        return self.block

    @property
    def tokens_per_batch(self) -> float:
        return float(self.batch_size * self.block)

    def batches(self):
        """``step -> (input_ids, labels)``: random windows of the training text, the same for the same step."""
        train, _ = _split(self.train_bytes, self.test_bytes)

        def batch(step: int):
            rng = np.random.default_rng([self.seed, step])
            starts = rng.integers(0, len(train) - self.block, size=self.batch_size)
            ids = byte_windows(train, starts, self.block)
            return ids, ids.clone()

        return batch


@lru_cache(maxsize=4)
def _split(train_bytes: int, test_bytes: int):
    train, test = stdlib_split(train_bytes, test_bytes)
    return (
        torch.frombuffer(bytearray(train), dtype=torch.uint8),
        torch.frombuffer(bytearray(test), dtype=torch.uint8),
    )


def held_out_windows(data: TextData, windows: int = 256) -> torch.Tensor:
    """``(windows, block)`` bytes at fixed, evenly spaced places in the held-out files."""
    if isinstance(windows, bool) or not isinstance(windows, int) or windows < 1:
        raise ValueError(f"windows must be a positive integer, got {windows!r}.")
    _, test = _split(data.train_bytes, data.test_bytes)
    starts = np.linspace(0, len(test) - data.block - 1, windows).astype(int)
    return byte_windows(test, starts, data.block)


@torch.no_grad()
def text_test_loss(model, data: TextData, windows: int = 256) -> float:
    """Mean cross-entropy (nats per byte) on fixed windows of the held-out files."""
    ids = held_out_windows(data, windows)
    dev = next(model.parameters()).device
    logits = model(input_ids=ids.to(dev)).logits.float().cpu()
    return float(F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB_SIZE), ids[:, 1:].reshape(-1)))
