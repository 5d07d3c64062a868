"""An emergent ability you can watch appear: induction heads in a tiny attention-only transformer.

The story, top to bottom:

1. **Data** - each sequence repeats a random segment of tokens. The segment's length (the
   *period*) is drawn afresh for every sequence from a wide range, so the only good way to predict
   a token in a later copy is to find where the current token occurred before and copy the token
   that followed it. That is what an *induction head* does (Olsson et al., 2022).
2. **Model** - an attention-only transformer (no MLPs), with one or two layers. An induction head
   needs two attention layers working together: a *previous-token head* in layer 1 writes "the token
   before me was A" into each position, and the induction head in layer 2 looks for that.
3. **Measures** - the *in-context-learning score* (loss at a late token minus loss at an early
   token: negative when the context helps), and the *prefix-matching score* of each head (how much it
   attends to the token after the previous occurrence of the current token).
4. **Training** - the book's trainer (:func:`emergent.core.training.train`) with AdamW, logging the
   loss and the ICL score as it goes, so the abrupt change (the *phase change*) can be plotted and
   measured with the readings of :mod:`emergent.core.transitions`;
   :func:`induction_run` caches the 2-layer model and its 1-layer control.

In the default profile (one CPU thread) both models train in under a minute on a free core; the
2-layer model's ICL score falls from about 0 to about -3.1 nats between steps ~200 and ~300 of
1000, while the 1-layer control ends near -0.8 nats.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Iterable

import torch
import torch.nn as nn
import torch.nn.functional as F

import emergent.core.attention
from emergent.core.attention import causal_attention
from emergent.core.cache import load_or_train
from emergent.core.config import Config, check_positive_int
from emergent.core.profiles import choose, device
from emergent.core.seeding import seed_everything
from emergent.core.training import every, train

# --------------------------------------------------------------------------------------------
# 1. Data: a random segment, repeated, with a period that differs per sequence
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatData(Config):
    """How the training sequences are made: ``tokens[t] = segment[t % period]``.

    The segment's tokens are drawn independently and uniformly (repeats allowed). Two choices make
    induction the only good solution:

    - the period is drawn afresh for every sequence, so no fixed offset (which a 1-layer model could
      read off its position embeddings) points at the earlier copy;
    - the segment is at least half as long as the vocabulary, so the context holds most of the
      vocabulary and "predict a token already seen" (a trick one layer *can* learn) gains little.
      With *distinct* segment tokens that trick is much stronger (a token seen in the last few
      positions cannot come next), and the 2-layer model also learns more slowly.
    """

    vocab_size: int = 32  # small alphabet: a segment of 16-31 draws covers about half of it or more
    length: int = 64  # tokens per sequence: at least two copies of the longest segment fit
    min_period: int = 16  # shortest segment; must exceed early_position + 1 (see ICL score)
    max_period: int = 31  # longest segment; the period varies over 16 values, no offset to memorise
    early_position: int = (
        3  # ICL score: loss when predicting token 4, always still in the first copy
    )
    late_position: int = 62  # ...minus loss when predicting token 63, always a repeat

    def __post_init__(self):
        check_positive_int(self, "vocab_size", "length", "min_period", "max_period", minimum=2)
        if not self.min_period <= self.max_period:
            raise ValueError(
                f"min_period ({self.min_period}) must not exceed max_period ({self.max_period})."
            )
        if 2 * self.max_period > self.length:
            raise ValueError(
                f"length ({self.length}) must hold two copies of the longest segment (2 * max_period = "
                f"{2 * self.max_period}): lengthen the sequences or shorten max_period."
            )
        if not 0 <= self.early_position < self.min_period - 1:
            raise ValueError(
                f"early_position ({self.early_position}) must lie in [0, min_period - 2] so that the token it "
                "predicts is always new (in the first copy of the segment)."
            )
        if not self.max_period - 1 <= self.late_position <= self.length - 2:
            raise ValueError(
                f"late_position ({self.late_position}) must lie in [max_period - 1, length - 2] = "
                f"[{self.max_period - 1}, {self.length - 2}] so that the token it predicts is always a repeat."
            )


def repeated_segments(
    batch_size: int, data: RepeatData, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of sequences that repeat a random segment; returns ``(tokens, periods)``.

    ``tokens`` is (B, T) with ``tokens[b, t] = segment_b[t % period_b]``; ``periods`` is (B,).
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    segments = torch.randint(
        0, data.vocab_size, (batch_size, data.max_period), generator=generator
    )  # (B, P)
    periods = torch.randint(
        data.min_period, data.max_period + 1, (batch_size,), generator=generator
    )  # (B,)
    positions = torch.arange(data.length)  # (T,)
    index = (
        positions[None, :] % periods[:, None]
    )  # (B, T): where in its segment each token comes from
    return segments.gather(1, index), periods


def two_copies(
    batch_size: int, period: int, vocab_size: int, generator: torch.Generator
) -> torch.Tensor:
    """(B, 2*period) sequences made of one random segment of distinct tokens, written twice.

    The probe for the prefix-matching score: with distinct tokens, each token of the second copy has
    exactly one earlier occurrence, so "where an induction head should look" is unambiguous.
    """
    if not 1 <= period <= vocab_size:
        raise ValueError(f"period must lie in [1, vocab_size={vocab_size}], got {period}.")
    segments = torch.rand(batch_size, vocab_size, generator=generator).argsort(dim=1)[:, :period]
    return torch.cat([segments, segments], dim=1)


# --------------------------------------------------------------------------------------------
# 2. Model: attention-only transformer that can hand back its attention patterns
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttentionOnly(Config):
    """The shape of an attention-only transformer."""

    vocab_size: int = 32  # matches RepeatData
    context: int = 64  # longest sequence (learned position embeddings)
    n_layer: int = 2  # 2 can form induction heads; 1 is the control that cannot
    n_head: int = 4  # room for a previous-token head and an induction head
    n_embd: int = 64  # the width; tiny, so one CPU thread trains it in well under a minute

    def __post_init__(self):
        check_positive_int(self, "vocab_size", "context", "n_layer", "n_head", "n_embd")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head}).")


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention that can return its pattern (the maths: :func:`causal_attention`)."""

    def __init__(self, shape: AttentionOnly):
        super().__init__()
        self.heads = shape.n_head
        self.qkv = nn.Linear(shape.n_embd, 3 * shape.n_embd)
        self.out = nn.Linear(shape.n_embd, shape.n_embd)

    def forward(
        self, x: torch.Tensor, silenced: Iterable[int] = ()
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The layer's update to the residual stream, and its pattern; heads in ``silenced`` add nothing."""
        q, k, v = self.qkv(x).split(x.shape[-1], dim=2)  # each (B, T, C)
        mixed, pattern = causal_attention(q, k, v, self.heads)  # (B, T, C), (B, H, T, T)
        silenced = list(silenced)
        if silenced:  # zero-ablation: the head's weighted values never reach the output projection
            B, T, C = mixed.shape
            mixed = mixed.view(B, T, self.heads, C // self.heads).clone()
            mixed[:, :, silenced] = 0.0
            mixed = mixed.view(B, T, C)
        return self.out(mixed), pattern


class AttentionOnlyTransformer(nn.Module):
    """Token + position embeddings, a stack of (LayerNorm, attention) residual blocks, an unembedding."""

    def __init__(self, shape: AttentionOnly):
        super().__init__()
        self.shape = shape
        self.embed = nn.Embedding(shape.vocab_size, shape.n_embd)
        self.position = nn.Embedding(shape.context, shape.n_embd)
        self.norms = nn.ModuleList(nn.LayerNorm(shape.n_embd) for _ in range(shape.n_layer))
        self.attention = nn.ModuleList(CausalSelfAttention(shape) for _ in range(shape.n_layer))
        self.final_norm = nn.LayerNorm(shape.n_embd)
        self.unembed = nn.Linear(shape.n_embd, shape.vocab_size, bias=False)

    def forward(
        self,
        tokens: torch.Tensor,
        return_patterns: bool = False,
        ablate: Iterable[tuple[int, int]] = (),
    ):
        """Logits (B, T, V); with ``return_patterns`` also a list of (B, H, T, T) patterns, one per layer.

        ``ablate`` lists ``(layer, head)`` pairs (from 0) whose output is set to zero: a knockout.
        """
        B, T = tokens.shape
        if T > self.shape.context:
            raise ValueError(
                f"sequence length {T} exceeds the model's context of {self.shape.context}."
            )
        ablate = [tuple(pair) for pair in ablate]
        for layer, head in ablate:
            if not (0 <= layer < self.shape.n_layer and 0 <= head < self.shape.n_head):
                raise ValueError(
                    f"cannot ablate head ({layer}, {head}): the model has layers 0..{self.shape.n_layer - 1} "
                    f"and heads 0..{self.shape.n_head - 1}."
                )
        x = self.embed(tokens) + self.position(torch.arange(T, device=tokens.device))  # (B, T, C)
        patterns = []
        for index, (norm, attention) in enumerate(zip(self.norms, self.attention)):
            update, pattern = attention(
                norm(x), silenced=[h for layer, h in ablate if layer == index]
            )
            x = x + update  # the residual stream: each layer adds to it, none overwrites it
            patterns.append(pattern)
        logits = self.unembed(self.final_norm(x))  # (B, T, V)
        return (logits, patterns) if return_patterns else logits


# --------------------------------------------------------------------------------------------
# 3. Measures: per-position loss, ICL score, prefix-matching score
# --------------------------------------------------------------------------------------------


@torch.no_grad()
def loss_by_position(model: AttentionOnlyTransformer, tokens: torch.Tensor) -> torch.Tensor:
    """(T-1,) mean cross-entropy (nats) of predicting token t+1 from tokens 0..t, for each t."""
    logits = model(tokens)[:, :-1]  # (B, T-1, V)
    losses = F.cross_entropy(logits.transpose(1, 2), tokens[:, 1:], reduction="none")  # (B, T-1)
    return losses.mean(dim=0)


def icl_score(position_losses: torch.Tensor, early: int, late: int) -> float:
    """In-context-learning score: loss at a late position minus loss at an early one (nats).

    Negative means tokens late in the context are predicted better than early ones: the model
    uses its context. Olsson et al. (2022) use the 500th minus the 50th token.
    """
    if not 0 <= early < late < len(position_losses):
        raise ValueError(
            f"need 0 <= early < late < {len(position_losses)}, got early={early}, late={late}."
        )
    return float(position_losses[late] - position_losses[early])


@torch.no_grad()
def prefix_matching_scores(
    model: AttentionOnlyTransformer, period: int = 20, count: int = 64, seed: int = 1
):
    """(layers, heads) mean attention from each token of a segment's second copy to the token
    that followed its first occurrence (position t - period + 1). An induction head scores near 1."""
    tokens = two_copies(count, period, model.shape.vocab_size, torch.Generator().manual_seed(seed))
    _, patterns = model(tokens.to(next(model.parameters()).device), return_patterns=True)
    queries = torch.arange(period, 2 * period)  # positions in the second copy
    targets = queries - period + 1  # the token after the earlier occurrence of the same token
    scores = [p[:, :, queries, targets].mean(dim=(0, 2)) for p in patterns]  # each (H,)
    return torch.stack(scores).cpu()  # (L, H)


@torch.no_grad()
def previous_token_scores(
    model: AttentionOnlyTransformer, period: int = 20, count: int = 64, seed: int = 1
):
    """(layers, heads) mean attention from each position t >= 1 to position t - 1."""
    tokens = two_copies(count, period, model.shape.vocab_size, torch.Generator().manual_seed(seed))
    _, patterns = model(tokens.to(next(model.parameters()).device), return_patterns=True)
    queries = torch.arange(1, 2 * period)
    return torch.stack([p[:, :, queries, queries - 1].mean(dim=(0, 2)) for p in patterns]).cpu()


@torch.no_grad()
def copying_scores(model: AttentionOnlyTransformer) -> torch.Tensor:
    """(layers, heads) copying score of each head's OV circuit, as in Olsson et al. (2022).

    The OV circuit ``unembed . W_O . W_V . embed`` (with the LayerNorm gains, their centring left
    out) says which token's logit goes up when the head attends to a token. The score is
    ``sum(eigenvalues) / sum(|eigenvalues|)``: near +1 for a head that raises the logit of the very
    token it attends to (it copies), near -1 for one that suppresses it, near 0 for neither.
    """
    width, heads = model.shape.n_embd, model.shape.n_head
    size = width // heads
    embed, unembed = model.embed.weight.double(), model.unembed.weight.double()  # (V, C), (V, C)
    final_gain = model.final_norm.weight.double()
    scores = torch.zeros(model.shape.n_layer, heads)
    for layer, (norm, attention) in enumerate(zip(model.norms, model.attention)):
        value = attention.qkv.weight[
            2 * width :
        ].double()  # (C, C): the value projection, heads stacked
        out = attention.out.weight.double()  # (C, C)
        for head in range(heads):
            rows = slice(head * size, (head + 1) * size)
            ov = (
                (unembed * final_gain)
                @ out[:, rows]
                @ value[rows]
                @ (embed * norm.weight.double()).T
            )  # (V, V)
            eigenvalues = torch.linalg.eigvals(ov)
            scores[layer, head] = float(eigenvalues.real.sum() / eigenvalues.abs().sum())
    return scores


@torch.no_grad()
def icl_without(
    model: AttentionOnlyTransformer, tokens: torch.Tensor, data: "RepeatData", heads
) -> float:
    """ICL score of the model on ``tokens`` with every ``(layer, head)`` in ``heads`` knocked out."""
    logits = model(tokens, ablate=heads)[:, :-1]
    losses = F.cross_entropy(logits.transpose(1, 2), tokens[:, 1:], reduction="none").mean(dim=0)
    return icl_score(losses, data.early_position, data.late_position)


def icl_with_heads_ablated(
    model: AttentionOnlyTransformer, tokens: torch.Tensor, data: "RepeatData"
) -> torch.Tensor:
    """(layers, heads) ICL score of the model with one head knocked out at a time."""
    scores = torch.zeros(model.shape.n_layer, model.shape.n_head)
    for layer in range(model.shape.n_layer):
        for head in range(model.shape.n_head):
            scores[layer, head] = icl_without(model, tokens, data, [(layer, head)])
    return scores


# --------------------------------------------------------------------------------------------
# 4. Training, the phase change, and the cached pair of runs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe(Config):
    """How the model is trained."""

    steps: int = (
        1000  # the 2-layer phase change comes after a few hundred steps; the rest shows it stays
    )
    batch_size: int = 32  # small batches keep a step cheap; the task is easy to sample
    learning_rate: float = 3e-3  # AdamW, constant after warm-up: no schedule to blur the transition
    warmup_steps: int = 50
    weight_decay: float = 0.0  # not needed: the data are fresh every step, nothing to overfit
    evaluate_every: int = 10  # ICL score resolution along training: the rise takes ~100 steps
    eval_sequences: int = 200  # a fixed evaluation batch, so the ICL curve is not noisy
    seed: int = 0

    def __post_init__(self):
        if (
            self.steps < 1
            or self.batch_size < 1
            or self.evaluate_every < 1
            or self.eval_sequences < 1
        ):
            raise ValueError(
                "steps, batch_size, evaluate_every and eval_sequences must all be positive."
            )
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}.")


def evaluation_tokens(data: RepeatData, recipe: Recipe) -> torch.Tensor:
    """The fixed batch every ICL score of a run is measured on (drawn apart from the training data)."""
    tokens, _ = repeated_segments(
        recipe.eval_sequences, data, torch.Generator().manual_seed(recipe.seed + 1)
    )
    return tokens


def train_induction(shape: AttentionOnly, data: RepeatData, recipe: Recipe, progress: bool = True):
    """Train from scratch with the book's trainer; return ``(model, history)``.

    ``history.losses`` is the training loss at every step; each evaluation row holds the
    ``icl_score``, the ``eval_loss`` (mean loss on a fixed evaluation batch), and every head's
    ``prefix_matching`` and ``copying`` scores (``(layers, heads)`` nested lists).
    """
    if shape.vocab_size != data.vocab_size or shape.context < data.length:
        raise ValueError(
            f"model (vocab {shape.vocab_size}, context {shape.context}) does not fit the data "
            f"(vocab {data.vocab_size}, length {data.length}): make the vocabularies equal and context >= length."
        )
    generator = seed_everything(recipe.seed)
    dev = device()
    model = AttentionOnlyTransformer(shape).to(dev)
    eval_tokens = evaluation_tokens(data, recipe).to(dev)

    def loss_at(model, step: int) -> torch.Tensor:
        tokens, _ = repeated_segments(recipe.batch_size, data, generator)
        tokens = tokens.to(dev)
        logits = model(tokens)[:, :-1]  # (B, T-1, V)
        return F.cross_entropy(logits.reshape(-1, shape.vocab_size), tokens[:, 1:].reshape(-1))

    def evaluate(model) -> dict:  # the head scores too, so that the head can be watched forming
        per_position = loss_by_position(model, eval_tokens)
        return {
            "icl_score": icl_score(per_position, data.early_position, data.late_position),
            "eval_loss": float(per_position.mean()),
            "prefix_matching": prefix_matching_scores(model).tolist(),
            "copying": copying_scores(model).tolist(),
        }

    history = train(
        model,
        loss_at,
        recipe.steps,
        learning_rate=recipe.learning_rate,
        weight_decay=recipe.weight_decay,
        warmup_steps=recipe.warmup_steps,
        evaluate=evaluate,
        evaluate_at=every(recipe.evaluate_every),
        progress=progress,
        description=f"{shape.n_layer}-layer attention-only",
    )
    return model.cpu(), history


def default_setup(layers: int, seed: int = 0) -> tuple[AttentionOnly, RepeatData, Recipe]:
    """The book's sizes for the active profile (``full``: a wider model, bigger batches, longer)."""
    if layers not in (1, 2):
        raise ValueError(f"layers must be 1 or 2, got {layers}.")
    data = RepeatData()
    shape = AttentionOnly(n_layer=layers, n_embd=choose(64, 128))
    recipe = Recipe(steps=choose(1000, 3000), batch_size=choose(32, 128), seed=seed)
    return shape, data, recipe


def induction_run(layers: int, seed: int = 0, progress: bool = True):
    """``(model, history)`` for the book's 1- or 2-layer run with one seed (data, initialisation and
    evaluation batch), trained once and then read from the cache."""
    shape, data, recipe = default_setup(layers, seed)
    config = {
        "task": "repeated-segments, independent uniform tokens",
        "model": shape.as_dict(),
        "data": data.as_dict(),
        "recipe": recipe.as_dict(),
    }
    return load_or_train(
        f"induction-{layers}layer" + (f"-seed{seed}" if seed else ""),
        config,
        lambda: train_induction(shape, data, recipe, progress=progress),
        code=[sys.modules[__name__], emergent.core.attention],
        build=lambda: AttentionOnlyTransformer(shape),
    )
