"""Reading and patching a GPT-2's hidden states with forward hooks, on the standard module names
(``transformer.h[l]`` for block ``l``, ``.attn``, ``.mlp``); shared by the knowledge pages' analyses
and by editing."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from transformers import GPT2LMHeadModel


def check_gpt2(model) -> None:
    """Raise a clear error unless ``model`` is a transformers GPT-2 (ours or the published one)."""
    if not isinstance(model, GPT2LMHeadModel):
        raise TypeError(f"Expected a transformers GPT2LMHeadModel, got {type(model).__name__}.")


def as_ids(ids) -> torch.Tensor:
    """One prompt's token ids as a 1-D long tensor, with a clear error for anything else."""
    ids = torch.as_tensor(ids, dtype=torch.long)
    if ids.ndim != 1 or ids.numel() == 0:
        raise ValueError(
            f"Pass one prompt as a non-empty 1-D sequence of token ids, got shape {tuple(ids.shape)}."
        )
    return ids


def check_layer(model, layer: int) -> None:
    """Raise a clear error unless ``layer`` indexes one of the model's blocks."""
    n = model.config.n_layer
    if not isinstance(layer, (int, np.integer)) or not 0 <= layer < n:
        raise ValueError(
            f"Layer index must be in 0..{n - 1} for this {n}-layer model, got {layer!r}."
        )


def with_hidden_state(output, new):
    """Blocks and attention return a tensor or a tuple whose first element is the hidden state."""
    if isinstance(output, tuple):
        return (new,) + tuple(output[1:])
    return new


def hidden_state_of(output) -> torch.Tensor:
    """The hidden state in a block's or attention's output (a tensor, or a tuple led by one)."""
    return output[0] if isinstance(output, tuple) else output


@contextmanager
def forward_hooks(pairs):
    """Register ``(module, hook)`` pairs for the duration of a ``with`` block, and always remove them."""
    handles = [module.register_forward_hook(fn) for module, fn in pairs]
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def module_at(model, kind: str, layer: int):
    """Block ``layer`` itself (``"hidden"``), or its ``"mlp"`` or ``"attn"``."""
    block = model.transformer.h[layer]
    return {"hidden": block, "mlp": block.mlp, "attn": block.attn}[kind]
