"""The byte-level models the compressor uses: trained on text (and cached), then read for what they
know: the cost of each byte in bits, how far a guess is from the truth, how many bytes the weights
take. The codec that turns their predictions into a stream is :mod:`emergent.compression.lm_compressor`.
"""

from __future__ import annotations

import hashlib
import lzma
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

from emergent.core.cache import load_or_train
from emergent.core.models import TinyGPT2, count_parameters, tiny_gpt2
from emergent.core.profiles import device
from emergent.core.seeding import seed_everything
from emergent.core.text_corpus import byte_windows
from emergent.core.training import train_language_model

from emergent.compression.lm_compressor import BOS, block_length, block_spans


def byte_batches(
    text: bytes, block: int, batch_size: int, generator: torch.Generator, align: int = 1
):
    """A batch maker for :func:`emergent.core.training.train_language_model`: random windows of ``text``.

    Each row is the start token followed by ``block`` bytes, exactly what the compressor's blocks
    look like; GPT-2 shifts the labels inside, so every byte is predicted from the ones before it.
    Windows start at multiples of ``align`` (e.g. the line length of a source whose blocks start
    at line boundaries).
    """
    if len(text) <= block + align:
        raise ValueError(f"Need more than {block + align} bytes of training text, got {len(text)}.")
    if align < 1:
        raise ValueError(f"align must be a positive integer, got {align}.")
    raw = torch.frombuffer(bytearray(text), dtype=torch.uint8).long()

    def batch(step: int):
        starts = (
            torch.randint(0, (len(raw) - block) // align, (batch_size,), generator=generator)
            * align
        )
        ids = byte_windows(raw, starts.tolist(), block, start_token=BOS)  # (batch, block + 1)
        return ids, ids.clone()

    return batch


def byte_model_run(
    name: str,
    text: bytes,
    shape: TinyGPT2,
    steps: int,
    batch_size: int = 32,
    learning_rate: float = 3e-3,
    seed: int = 0,
    align: int = 1,
):
    """A byte-level GPT-2 trained on ``text``, from the cache when the same one was trained before.

    The cache key holds the shape, the recipe and a SHA-256 of the training text.
    """
    if shape.vocab_size != 256:
        raise ValueError(f"A byte-level model needs vocab_size=256, got {shape.vocab_size}.")
    config = {
        "task": "byte-lm",
        "shape": shape.as_dict(),
        "steps": steps,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "seed": seed,
        "align": align,
        "text_bytes": len(text),
        "text_sha256": hashlib.sha256(text).hexdigest(),
    }

    def train():
        generator = seed_everything(seed)
        model = tiny_gpt2(shape, seed=seed).to(device())
        history = train_language_model(
            model,
            byte_batches(text, shape.n_positions - 1, batch_size, generator, align),
            steps=steps,
            learning_rate=learning_rate,
            description=f"{name} ({count_parameters(model):,} parameters)",
        )
        return model, history

    return load_or_train(name, config, train, code=[sys.modules[__name__]])


def byte_costs(model, data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Per byte of ``data`` (blocks as the compressor cuts them): its ideal code length in bits, and
    whether the model's single best guess for it was right.

    One ordinary batched forward pass: fast, and equal to the compressor's ideal length up to float rounding.
    """
    if not data:
        return np.zeros(0), np.zeros(0, dtype=bool)
    block = block_length(model)
    spans = block_spans(len(data), block)
    ids = torch.full((len(spans), block + 1), BOS, dtype=torch.long)
    raw = torch.frombuffer(bytearray(data), dtype=torch.uint8).long()
    for row, (start, stop) in enumerate(spans):
        ids[row, 1 : 1 + stop - start] = raw[start:stop]
    with torch.inference_mode():
        logits = model.to("cpu")(input_ids=ids).logits[:, :-1]  # (blocks, block, 256)
        targets = ids[:, 1:]
        bits = F.cross_entropy(
            logits.reshape(-1, 256), targets.reshape(-1), reduction="none"
        ) / math.log(2)
        guessed = logits.argmax(-1).reshape(-1) == targets.reshape(-1)
    used = torch.cat(
        [
            torch.arange(row * block, row * block + stop - start)
            for row, (start, stop) in enumerate(spans)
        ]
    )
    return bits[used].numpy().astype(float), guessed[used].numpy()


def model_bits_per_byte(model, data: bytes) -> float:
    """Ideal code length of ``data`` under ``model``, in bits per byte."""
    bits, _ = byte_costs(model, data)
    return float(bits.sum() / max(1, len(data)))


def guess_and_correction(model, data: bytes) -> dict:
    """Split the code length into what the model's best guesses cost and what correcting them costs.

    Read the model as a *lossy* compressor (it keeps only its best guess for every byte); the
    arithmetic coder then pays for the bytes where the guess was right (a little, since the guess
    had less than probability 1) and for the bytes where it was wrong (many bits each). Returns the
    share of bytes guessed right and the bits per byte spent on each kind.
    """
    bits, guessed = byte_costs(model, data)
    if not len(bits):
        raise ValueError("data is empty: give at least one byte.")
    return {
        "guessed_right_share": float(guessed.mean()),
        "bits_on_right_guesses": float(bits[guessed].sum() / len(bits)),
        "bits_on_wrong_guesses": float(bits[~guessed].sum() / len(bits)),
        "total_bits_per_byte": float(bits.mean()),
    }


def weight_bytes(model) -> int:
    """Bytes to send the model's float32 weights losslessly, compressed by xz: the first part of a
    two-part code (a tied matrix is sent once)."""
    seen, chunks = set(), []
    for tensor in model.state_dict().values():
        if tensor.data_ptr() in seen or not tensor.is_floating_point():
            continue
        seen.add(tensor.data_ptr())
        chunks.append(tensor.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return len(lzma.compress(b"".join(chunks), preset=9 | lzma.PRESET_EXTREME))
