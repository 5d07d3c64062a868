"""The smallest end-to-end example of the book's machinery: a tiny GPT-2 learns to copy.

The task: a random string of ``length`` tokens, a separator, then the same string again::

    7 3 3 12 5 9 | 0 | 7 3 3 12 5 9
    random         sep  copied: predictable

The first half is pure chance, so only the copied half counts towards the loss. A model that has
learned the task predicts every copied token with certainty. The page "The model zoo and the two
profiles" uses it to show the factory, the trainer and the cache working together.
"""

from __future__ import annotations

import sys

import torch

from emergent.core.cache import load_or_train
from emergent.core.models import TinyGPT2, count_parameters, tiny_gpt2
from emergent.core.profiles import device
from emergent.core.seeding import seed_everything
from emergent.core.training import train_language_model

SEPARATOR = 0  # token 0 separates the string from its copy; the string uses tokens 1..V-1


def copy_batch(batch_size: int, length: int, vocab_size: int, generator: torch.Generator):
    """``(input_ids, labels)`` for a batch of copy problems; label -100 hides the unpredictable half."""
    if length < 1:
        raise ValueError(f"length must be at least 1 (a string to copy), got {length}.")
    if vocab_size < 3:
        raise ValueError(
            f"vocab_size must be at least 3 (a separator and two symbols), got {vocab_size}."
        )
    string = torch.randint(1, vocab_size, (batch_size, length), generator=generator)  # (B, L)
    separator = torch.full((batch_size, 1), SEPARATOR)
    tokens = torch.cat([string, separator, string], dim=1)  # (B, 2L + 1)
    labels = tokens.clone()
    labels[:, : length + 1] = -100  # GPT-2 shifts labels inside: these are the string and separator
    return tokens, labels


def copy_accuracy(
    model, vocab_size: int, length: int = 6, count: int = 512, seed: int = 1
) -> float:
    """Share of copied tokens the model predicts right (greedy), on fresh strings."""
    generator = torch.Generator().manual_seed(seed)
    tokens, _ = copy_batch(count, length, vocab_size, generator)
    with torch.no_grad():
        logits = model(input_ids=tokens.to(model.device)).logits.cpu()  # (B, 2L + 1, V)
    predicted = logits[:, length:-1].argmax(-1)  # made at the separator and the copy's own tokens
    return (predicted == tokens[:, length + 1 :]).float().mean().item()


def copy_run(shape: TinyGPT2, steps: int, batch_size: int = 32, length: int = 6, seed: int = 0):
    """``(model, history)``: a GPT-2 trained to copy, from the cache when an identical one was trained before."""
    if 2 * length + 1 > shape.n_positions:
        raise ValueError(
            f"A copy problem of length {length} has {2 * length + 1} tokens, more than the model's "
            f"n_positions={shape.n_positions}; use a shorter length or a larger n_positions."
        )
    config = {
        "task": "copy",
        "shape": shape.as_dict(),
        "steps": steps,
        "batch_size": batch_size,
        "length": length,
        "seed": seed,
        "learning_rate": 3e-3,
    }

    def train():
        generator = seed_everything(seed)
        model = tiny_gpt2(shape, seed=seed).to(device())
        history = train_language_model(
            model,
            lambda step: copy_batch(batch_size, length, shape.vocab_size, generator),
            steps=steps,
            learning_rate=config["learning_rate"],
            description=f"copying ({count_parameters(model):,} parameters)",
        )
        return model, history

    return load_or_train("copy", config, train, code=[sys.modules[__name__]])
