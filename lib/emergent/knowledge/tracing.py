"""Causal tracing (Meng et al. 2022): which hidden states carry a fact, found by corrupting the
subject's embeddings and restoring one state at a time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from transformers import GPT2LMHeadModel

from emergent.knowledge.hooks import (
    as_ids,
    check_gpt2,
    forward_hooks,
    hidden_state_of,
    module_at,
    with_hidden_state,
)


def embedding_noise_scale(model: GPT2LMHeadModel, token_ids, factor: float = 3.0) -> float:
    """``factor`` × the standard deviation of the token embeddings of ``token_ids`` (e.g. every
    name part of every subject). Meng et al. corrupt with noise three times this large."""
    check_gpt2(model)
    ids = torch.as_tensor(list(token_ids), dtype=torch.long)
    if ids.numel() == 0:
        raise ValueError("Give the token ids of the subjects whose embeddings set the noise scale.")
    if factor < 0:
        raise ValueError(f"factor must be non-negative, got {factor}.")
    return factor * float(model.transformer.wte.weight.detach()[ids].std())


@dataclass
class Trace:
    """What one causal trace measured for one prompt."""

    clean: float  # p(answer) on the clean prompt
    corrupted: float  # p(answer) with the subject's embeddings corrupted (mean over noise samples)
    restored: np.ndarray  # (n_layer, T): p(answer) with one state (or window) restored
    kind: str

    @property
    def indirect_effect(self) -> np.ndarray:
        """restored − corrupted, per layer × position.  (n_layer, T)"""
        return self.restored - self.corrupted

    @property
    def total_effect(self) -> float:
        return self.clean - self.corrupted


@torch.no_grad()
def causal_trace(
    model: GPT2LMHeadModel,
    ids,
    subject: range,
    answer: int,
    noise: float,
    kind: str = "hidden",
    samples: int = 10,
    window: int = 1,
    seed: int = 0,
) -> Trace:
    """Corrupt the subject's token embeddings with Gaussian noise of standard deviation ``noise``, then
    restore the clean output of one module at one (layer, position) and measure p(answer) again.

    ``kind`` is ``"hidden"`` (the residual stream after block l), ``"mlp"`` or ``"attn"`` (the
    sublayer's output; restored over ``window`` layers centred on l, as Meng et al. do). All
    (layer, position) restorations of one layer run as one batch over ``samples`` noise draws, with
    the same noise draws for every restoration.
    """
    check_gpt2(model)
    ids = as_ids(ids)
    T, L = len(ids), model.config.n_layer
    if kind not in ("hidden", "mlp", "attn"):
        raise ValueError(f"kind must be 'hidden', 'mlp' or 'attn', got {kind!r}.")
    subject = range(subject.start, subject.stop) if isinstance(subject, range) else subject
    if len(subject) == 0 or min(subject) < 0 or max(subject) >= T:
        raise ValueError(
            f"subject must be a non-empty range of positions inside the prompt (0..{T - 1}), got {subject}."
        )
    if noise < 0 or samples < 1 or window < 1:
        raise ValueError("noise must be non-negative, samples and window at least 1.")
    dev = next(model.parameters()).device
    answer = int(answer)

    # clean run: remember every module output we may restore
    clean = {}
    pairs = [
        (
            module_at(model, kind, l),
            (lambda l: lambda m, i, o: clean.__setitem__(l, hidden_state_of(o)[0].clone()))(l),  # noqa: B023 (bound by the outer lambda)
        )
        for l in range(L)
    ]
    with forward_hooks(pairs):
        p_clean = float(
            model(input_ids=ids[None].to(dev)).logits[0, -1].float().softmax(-1)[answer]
        )

    generator = torch.Generator().manual_seed(seed)
    d = model.config.n_embd
    draws = (
        torch.randn(samples, len(subject), d, generator=generator).to(dev) * noise
    )  # (S, |s|, d)
    positions = list(subject)

    def corrupt(batch_rows: int):
        def hook(module, inputs, output):
            out = output.clone()
            reps = batch_rows // samples
            out[:, positions] += draws.repeat(reps, 1, 1)
            return out

        return hook

    # corrupted run, no restoration
    with forward_hooks([(model.transformer.wte, corrupt(samples))]):
        logits = model(input_ids=ids[None].repeat(samples, 1).to(dev)).logits[:, -1].float()
    p_corrupt = float(logits.softmax(-1)[:, answer].mean())

    restored = np.zeros((L, T))
    batch = (
        ids[None].repeat(T * samples, 1).to(dev)
    )  # rows: position t, sample s -> t * samples + s
    rows_at = torch.arange(T * samples, device=dev)
    position_of_row = rows_at // samples
    for layer in range(L):
        lo = max(0, layer - (window - 1) // 2) if kind != "hidden" else layer
        hi = min(L, lo + window) if kind != "hidden" else layer + 1

        def restore(l):
            def hook(module, inputs, output):
                h = hidden_state_of(output).clone()
                h[rows_at, position_of_row] = clean[l][position_of_row]
                return with_hidden_state(output, h)

            return hook

        pairs = [(model.transformer.wte, corrupt(T * samples))] + [
            (module_at(model, kind, l), restore(l)) for l in range(lo, hi)
        ]
        with forward_hooks(pairs):
            probs = model(input_ids=batch).logits[:, -1].float().softmax(-1)[:, answer]
        restored[layer] = probs.view(T, samples).mean(1).cpu().numpy()
    return Trace(clean=p_clean, corrupted=p_corrupt, restored=restored, kind=kind)


def mlp_sites(model: GPT2LMHeadModel, prompts, noise: float, samples: int = 10) -> tuple[int, int]:
    """The two MLP sites of causal tracing: the layer whose MLP output at the last subject token, and the
    layer whose MLP output at the last token, restores most of the answer's probability on average."""
    if not prompts:
        raise ValueError("give the prompts (facts the model knows) to trace.")
    traces = [
        causal_trace(model, p.ids, p.subject, p.answer, noise, kind="mlp", samples=samples)
        for p in prompts
    ]
    subject = np.mean(
        [t.indirect_effect[:, p.last_subject] for t, p in zip(traces, prompts)], axis=0
    )
    last = np.mean([t.indirect_effect[:, len(p.ids) - 1] for t, p in zip(traces, prompts)], axis=0)
    return int(np.argmax(subject)), int(np.argmax(last))


def summarise_positions(effect: np.ndarray, subject: range, T: int) -> dict[str, np.ndarray]:
    """Collapse a (layer, position) map to the positions Meng et al. show: first subject token, middle
    subject tokens, last subject token, first token after the subject, later tokens, last token.
    Each entry is a (n_layer,) profile (mean over the positions it covers; NaN if none)."""
    groups = {
        "first subject": [subject[0]],
        "middle subject": list(subject[1:-1]),
        "last subject": [subject[-1]],
        "first after": [subject[-1] + 1] if subject[-1] + 1 < T - 1 else [],
        "further tokens": list(range(subject[-1] + 2, T - 1)),
        "last token": [T - 1],
    }
    if len(subject) == 1:
        groups["first subject"] = []
    out = {}
    for name, cols in groups.items():
        cols = [c for c in cols if 0 <= c < T]
        out[name] = effect[:, cols].mean(1) if cols else np.full(effect.shape[0], np.nan)
    return out
