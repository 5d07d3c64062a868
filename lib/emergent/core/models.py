"""Tiny GPT-2 models: the factory, the loader and the parameter count.

Every language model in the book is a ``transformers.GPT2LMHeadModel`` built from a
``GPT2Config``. That keeps the book honest twice over: the architecture is the published one,
and every analysis function that accepts our tiny models also accepts the real GPT-2 weights
(``GPT2LMHeadModel.from_pretrained("gpt2")``) where a reader has internet. They are trained by
:func:`emergent.core.training.train_language_model`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
from transformers import GPT2Config, GPT2LMHeadModel
from transformers.utils import logging as transformers_logging

from emergent.core.config import Config, check_positive_int
from emergent.core.profiles import device as default_device
from emergent.core.profiles import static_output

transformers_logging.disable_progress_bar()  # one bar per training run is enough


HEAD_DIM = 8  # dimensions per attention head that the book aims for
MOST_HEADS = 4


def head_count(width: int) -> int:
    """The book's one rule for how many heads a tiny GPT-2 of ``width`` gets: about
    ``HEAD_DIM`` dimensions each, at most ``MOST_HEADS``, and a number that divides the width
    (GPT-2 splits the width evenly between its heads: width 28 gets 2 heads, not 3)."""
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive whole number, got {width!r}.")
    heads = max(1, min(MOST_HEADS, width // HEAD_DIM))
    while width % heads:
        heads -= 1
    return heads


@dataclass(frozen=True)
class TinyGPT2(Config):
    """The shape of a tiny GPT-2. Defaults give a ~0.1M-parameter model that trains in seconds."""

    vocab_size: int = 64  # synthetic corpora have small alphabets
    n_positions: int = 64  # longest sequence the model will ever see
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 64  # d_model; the MLP is 4x wider, as in GPT-2
    dropout: float = 0.0  # tiny models on synthetic data do not overfit the way large ones do

    def __post_init__(self):
        check_positive_int(self, "vocab_size", "n_positions", "n_layer", "n_head", "n_embd")
        if self.n_embd % self.n_head:
            raise ValueError(
                f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head}): each head "
                f"gets n_embd / n_head dimensions. Try n_embd={self.n_head * max(1, self.n_embd // self.n_head)}."
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}.")

    def to_gpt2_config(self) -> GPT2Config:
        return GPT2Config(
            vocab_size=self.vocab_size,
            n_positions=self.n_positions,
            n_layer=self.n_layer,
            n_head=self.n_head,
            n_embd=self.n_embd,
            resid_pdrop=self.dropout,
            embd_pdrop=self.dropout,
            attn_pdrop=self.dropout,
            bos_token_id=0,
            eos_token_id=0,
        )


def tiny_gpt2(shape: TinyGPT2, seed: int = 0) -> GPT2LMHeadModel:
    """A freshly initialised GPT-2 of the given shape; the seed fixes the initial weights."""
    torch.manual_seed(seed)
    return _ready(GPT2LMHeadModel(shape.to_gpt2_config()))


def load_gpt2(name_or_folder: str) -> GPT2LMHeadModel:
    """Load a GPT-2 with ``from_pretrained``: a cache folder of the book's, or ``"gpt2"`` from the hub."""
    return _ready(GPT2LMHeadModel.from_pretrained(name_or_folder))


def real_gpt2_available(timeout: float = 2.0) -> bool:
    """Should a cell that needs the published GPT-2 weights run here?

    ``EMERGENT_REAL_GPT2=1`` or ``0`` decides. Otherwise: never while the book is built for the web
    site (the build downloads nothing), and elsewhere only if the Hugging Face hub answers within
    ``timeout`` seconds, as it does on Colab.
    """
    import socket

    choice = os.environ.get("EMERGENT_REAL_GPT2", "")
    if choice in ("0", "1"):
        return choice == "1"
    if static_output():
        return False
    try:
        socket.create_connection(("huggingface.co", 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _ready(model: GPT2LMHeadModel) -> GPT2LMHeadModel:
    # transformers guesses the loss from the class name, fails for "GPT2LMHeadModel" and warns at
    # every first forward pass; name it, since next-token cross-entropy is what GPT-2 is trained on.
    model.loss_type = "ForCausalLM"
    return model.eval()


def non_embedding_parameters(shape: "TinyGPT2") -> int:
    """Kaplan's N for a model of ``shape``: parameters outside the token and position tables."""
    return count_parameters(tiny_gpt2(shape), embeddings=False)


def count_parameters(model: torch.nn.Module, embeddings: bool = True) -> int:
    """Number of parameters. ``embeddings=False`` leaves out token and position embeddings.

    Kaplan et al. (2020) count *non-embedding* parameters: for tiny models the embedding tables
    are a large share of the total and would bend a scaling law fitted to the total.
    The tied output head of GPT-2 shares the token-embedding matrix, so it is counted once.
    """
    seen, total = set(), 0
    for name, parameter in model.named_parameters():
        if id(parameter) in seen:
            continue
        seen.add(id(parameter))
        if not embeddings and (name.endswith("wte.weight") or name.endswith("wpe.weight")):
            continue
        total += parameter.numel()
    return total


def to_device(model: torch.nn.Module, dev: torch.device | None = None) -> torch.nn.Module:
    """Move a model to the book's device (CUDA when present)."""
    return model.to(dev or default_device())
