"""A text corpus for the IsoFLOP sweep: Python's own standard library, read as bytes.

Addition is learned as an algorithm, in a jump; text is a mixture of countless regularities learned
one after another, and its loss falls smoothly with both model size and training tokens. The IsoFLOP
method needs that smoothness, so the sweep runs on text that ships with every Python (no download).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from .corpora import stdlib_split

VOCAB_SIZE = 256  # bytes


@dataclass(frozen=True)
class TextData:
    """Random windows of standard-library source; every field goes into a model's cache key."""

    block: int = 64  # bytes of context per row
    batch_size: int = 32
    train_bytes: int = 1_000_000
    test_bytes: int = 100_000
    seed: int = 0

    def __post_init__(self):
        for name in ("block", "batch_size", "train_bytes", "test_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"TextData.{name} must be a positive integer, got {value!r}.")

    @property
    def n_positions(self) -> int:
        return self.block

    @property
    def tokens_per_batch(self) -> float:
        return float(self.batch_size * self.block)

    def as_dict(self) -> dict:
        return asdict(self)

    def batches(self):
        """``step -> (input_ids, labels)``: random windows of the training text, the same for the same step."""
        train, _ = _split(self.train_bytes, self.test_bytes)

        def batch(step: int):
            rng = np.random.default_rng([self.seed, step])
            starts = rng.integers(0, len(train) - self.block, size=self.batch_size)
            ids = torch.from_numpy(np.stack([train[s : s + self.block] for s in starts]).astype(np.int64))
            return ids, ids.clone()

        return batch


@lru_cache(maxsize=4)
def _split(train_bytes: int, test_bytes: int):
    train, test = stdlib_split(train_bytes, test_bytes)
    return np.frombuffer(train, dtype=np.uint8), np.frombuffer(test, dtype=np.uint8)


@torch.no_grad()
def text_test_loss(model, data: TextData, windows: int = 256) -> float:
    """Mean cross-entropy (nats per byte) on fixed windows of the held-out files."""
    _, test = _split(data.train_bytes, data.test_bytes)
    starts = np.linspace(0, len(test) - data.block - 1, windows).astype(int)
    ids = torch.from_numpy(np.stack([test[s : s + data.block] for s in starts]).astype(np.int64))
    dev = next(model.parameters()).device
    logits = model(input_ids=ids.to(dev)).logits.float().cpu()
    return float(F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB_SIZE), ids[:, 1:].reshape(-1)))
