"""Looking inside a GPT-2: where the parameters are, what the MLP neurons store, what each layer
already "knows" (the logit lens), and which hidden states carry a fact (causal tracing).

Every function takes a ``transformers.GPT2LMHeadModel`` and plain token ids, so the same code runs on
the book's tiny models and on the published GPT-2 weights (``GPT2LMHeadModel.from_pretrained("gpt2")``
with its own tokenizer). Hidden states are read and patched with forward hooks on the standard module
names: ``transformer.wte`` (token embeddings), ``transformer.h[l]`` (block ``l``), ``.attn`` and ``.mlp``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel

# --------------------------------------------------------------------------------------------
# Where the parameters are
# --------------------------------------------------------------------------------------------

PUBLISHED_GPT2 = {  # (n_layer, n_embd) of the four published GPT-2 sizes (Radford et al. 2019)
    "gpt2": (12, 768),
    "gpt2-medium": (24, 1024),
    "gpt2-large": (36, 1280),
    "gpt2-xl": (48, 1600),
}


def block_parameters(d: int, d_ff: int | None = None) -> dict[str, int]:
    """Parameters of one GPT-2 block with model width ``d`` and MLP width ``d_ff`` (default 4d).

    Attention: the fused query/key/value projection (d × 3d + 3d) and the output projection
    (d × d + d): 4d² + 4d. MLP: d × d_ff + d_ff up, d_ff × d + d down: 8d² + 5d when d_ff = 4d.
    The two layer norms hold 2d each.
    """
    if not isinstance(d, int) or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}.")
    d_ff = 4 * d if d_ff is None else d_ff
    if not isinstance(d_ff, int) or d_ff < 1:
        raise ValueError(f"d_ff must be a positive integer, got {d_ff!r}.")
    return {"attention": 4 * d * d + 4 * d, "mlp": 2 * d * d_ff + d_ff + d, "layer_norm": 4 * d}


def parameter_share(model_or_config) -> dict:
    """Attention, MLP, layer-norm and embedding parameters of a GPT-2, counted from its modules
    (a model) or from the shapes in its configuration (a ``GPT2Config``: nothing is downloaded).

    Returns per-layer lists and totals, with ``mlp_share`` = MLP / (attention + MLP) parameters.
    """
    if isinstance(model_or_config, GPT2LMHeadModel):
        model = model_or_config
        layers = []
        for block in model.transformer.h:
            count = lambda module: sum(p.numel() for p in module.parameters())
            layers.append({"attention": count(block.attn), "mlp": count(block.mlp),
                           "layer_norm": count(block.ln_1) + count(block.ln_2)})
        embeddings = model.transformer.wte.weight.numel() + model.transformer.wpe.weight.numel()
        final_norm = sum(p.numel() for p in model.transformer.ln_f.parameters())
    elif isinstance(model_or_config, GPT2Config):
        c = model_or_config
        layers = [block_parameters(c.n_embd, c.n_inner) for _ in range(c.n_layer)]
        embeddings = c.vocab_size * c.n_embd + c.n_positions * c.n_embd
        final_norm = 2 * c.n_embd
    else:
        raise TypeError(f"Pass a GPT2LMHeadModel or a GPT2Config, got {type(model_or_config).__name__}.")
    attention = sum(l["attention"] for l in layers)
    mlp = sum(l["mlp"] for l in layers)
    norms = sum(l["layer_norm"] for l in layers) + final_norm
    return {
        "layers": layers,
        "attention": attention,
        "mlp": mlp,
        "layer_norm": norms,
        "embeddings": embeddings,
        "total": attention + mlp + norms + embeddings,
        "mlp_share": mlp / (attention + mlp),
        "mlp_share_of_total": mlp / (attention + mlp + norms + embeddings),
    }


def published_config(name: str) -> GPT2Config:
    """The ``GPT2Config`` of a published GPT-2 size, built from its shape alone (no download)."""
    if name not in PUBLISHED_GPT2:
        raise ValueError(f"Unknown GPT-2 size {name!r}; choose one of {list(PUBLISHED_GPT2)}.")
    n_layer, n_embd = PUBLISHED_GPT2[name]
    return GPT2Config(n_layer=n_layer, n_embd=n_embd, n_head=n_embd // 64, vocab_size=50257, n_positions=1024)


# --------------------------------------------------------------------------------------------
# Small helpers shared by the analyses (and by the editing module)
# --------------------------------------------------------------------------------------------


def check_gpt2(model) -> None:
    """Raise a clear error unless ``model`` is a transformers GPT-2 (ours or the published one)."""
    if not isinstance(model, GPT2LMHeadModel):
        raise TypeError(f"Expected a transformers GPT2LMHeadModel, got {type(model).__name__}.")


def _as_ids(ids) -> torch.Tensor:
    ids = torch.as_tensor(ids, dtype=torch.long)
    if ids.ndim != 1 or ids.numel() == 0:
        raise ValueError(f"Pass one prompt as a non-empty 1-D sequence of token ids, got shape {tuple(ids.shape)}.")
    return ids


def check_layer(model, layer: int) -> None:
    """Raise a clear error unless ``layer`` indexes one of the model's blocks."""
    n = model.config.n_layer
    if not isinstance(layer, (int, np.integer)) or not 0 <= layer < n:
        raise ValueError(f"Layer index must be in 0..{n - 1} for this {n}-layer model, got {layer!r}.")


def with_hidden_state(output, new):
    """Blocks and attention return a tensor or a tuple whose first element is the hidden state."""
    if isinstance(output, tuple):
        return (new,) + tuple(output[1:])
    return new


def hidden_state_of(output) -> torch.Tensor:
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


def _module(model, kind: str, layer: int):
    block = model.transformer.h[layer]
    return {"hidden": block, "mlp": block.mlp, "attn": block.attn}[kind]


# --------------------------------------------------------------------------------------------
# The logit lens
# --------------------------------------------------------------------------------------------


@torch.no_grad()
def residual_stream(model: GPT2LMHeadModel, ids) -> torch.Tensor:
    """Hidden states after the embeddings and after each block.  (n_layer + 1, T, d)"""
    check_gpt2(model)
    ids = _as_ids(ids)
    states = []
    pairs = [(model.transformer.drop, lambda m, i, o: states.append(hidden_state_of(o)[0].clone()))]
    pairs += [(b, lambda m, i, o: states.append(hidden_state_of(o)[0].clone())) for b in model.transformer.h]
    dev = next(model.parameters()).device
    with forward_hooks(pairs):
        model(input_ids=ids[None].to(dev))
    return torch.stack(states).cpu()


@torch.no_grad()
def logit_lens(model: GPT2LMHeadModel, ids, answer: int, position: int = -1) -> dict:
    """Read the residual stream at ``position`` through the final layer norm and the unembedding after
    every layer (nostalgebraist 2020). Returns the answer's probability and rank (0 = top-1) per
    read-out point (0 = embeddings, l = after block l) and the top token at each.
    """
    check_gpt2(model)
    if not 0 <= int(answer) < model.config.vocab_size:
        raise ValueError(f"answer must be a token id below {model.config.vocab_size}, got {answer}.")
    states = residual_stream(model, ids)[:, position]  # (L+1, d)
    dev = next(model.parameters()).device
    logits = model.lm_head(model.transformer.ln_f(states.to(dev))).float().cpu()  # (L+1, V)
    probs = logits.softmax(-1)
    ranks = (logits > logits[:, [int(answer)]]).sum(-1)
    return {"probability": probs[:, int(answer)].numpy(), "rank": ranks.numpy(), "top": logits.argmax(-1).numpy()}


def first_top1_layer(ranks) -> int:
    """The first read-out point from which the answer stays top-1 to the end (-1 if it never is)."""
    ranks = np.asarray(ranks)
    if ranks.ndim != 1 or ranks.size == 0:
        raise ValueError("Pass the 1-D array of ranks that logit_lens returns.")
    if ranks[-1] != 0:
        return -1
    point = len(ranks) - 1
    while point > 0 and ranks[point - 1] == 0:
        point -= 1
    return int(point)


def first_confident_layer(probabilities, level: float = 0.5) -> int:
    """The first read-out point from which p(answer) stays at or above ``level`` (-1 if it never does)."""
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 1 or probabilities.size == 0:
        raise ValueError("Pass the 1-D array of probabilities that logit_lens returns.")
    if not 0 < level <= 1:
        raise ValueError(f"level is a probability in (0, 1], got {level}.")
    above = probabilities >= level
    if not above[-1]:
        return -1
    point = len(above) - 1
    while point > 0 and above[point - 1]:
        point -= 1
    return int(point)


def recall_stages(ranks, probabilities, level: float = 0.5) -> tuple[int, int]:
    """Haviv et al.'s two stages of recall, read off one logit lens: the read-out point at which the
    answer becomes (and stays) the top guess, and the one at which its probability reaches ``level``."""
    return first_top1_layer(ranks), first_confident_layer(probabilities, level)


# --------------------------------------------------------------------------------------------
# Causal tracing (Meng et al. 2022)
# --------------------------------------------------------------------------------------------


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
    ids = _as_ids(ids)
    T, L = len(ids), model.config.n_layer
    if kind not in ("hidden", "mlp", "attn"):
        raise ValueError(f"kind must be 'hidden', 'mlp' or 'attn', got {kind!r}.")
    subject = range(subject.start, subject.stop) if isinstance(subject, range) else subject
    if len(subject) == 0 or min(subject) < 0 or max(subject) >= T:
        raise ValueError(f"subject must be a non-empty range of positions inside the prompt (0..{T - 1}), got {subject}.")
    if noise < 0 or samples < 1 or window < 1:
        raise ValueError("noise must be non-negative, samples and window at least 1.")
    dev = next(model.parameters()).device
    answer = int(answer)

    # clean run: remember every module output we may restore
    clean = {}
    pairs = [(_module(model, kind, l), (lambda l: lambda m, i, o: clean.__setitem__(l, hidden_state_of(o)[0].clone()))(l))
             for l in range(L)]
    with forward_hooks(pairs):
        p_clean = float(model(input_ids=ids[None].to(dev)).logits[0, -1].float().softmax(-1)[answer])

    generator = torch.Generator().manual_seed(seed)
    d = model.config.n_embd
    draws = torch.randn(samples, len(subject), d, generator=generator).to(dev) * noise  # (S, |s|, d)
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
    batch = ids[None].repeat(T * samples, 1).to(dev)  # rows: position t, sample s -> t * samples + s
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

        pairs = [(model.transformer.wte, corrupt(T * samples))] + [(_module(model, kind, l), restore(l)) for l in range(lo, hi)]
        with forward_hooks(pairs):
            probs = model(input_ids=batch).logits[:, -1].float().softmax(-1)[:, answer]
        restored[layer] = probs.view(T, samples).mean(1).cpu().numpy()
    return Trace(clean=p_clean, corrupted=p_corrupt, restored=restored, kind=kind)


def mlp_sites(model: GPT2LMHeadModel, prompts, noise: float, samples: int = 10) -> tuple[int, int]:
    """The two MLP sites of causal tracing: the layer whose MLP output at the last subject token, and the
    layer whose MLP output at the last token, restores most of the answer's probability on average."""
    if not prompts:
        raise ValueError("give the prompts (facts the model knows) to trace.")
    traces = [causal_trace(model, p.ids, p.subject, p.answer, noise, kind="mlp", samples=samples) for p in prompts]
    subject = np.mean([t.indirect_effect[:, p.last_subject] for t, p in zip(traces, prompts)], axis=0)
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


# --------------------------------------------------------------------------------------------
# The MLP as key-value memory (Geva et al. 2021)
# --------------------------------------------------------------------------------------------


@torch.no_grad()
def mlp_keys(model: GPT2LMHeadModel, layer: int, sequences: torch.Tensor) -> torch.Tensor:
    """Activation of every MLP neuron ("memory key") of ``layer`` at every position of ``sequences`` (B, T).
    Returns (B, T, d_ff): the coefficients with which the values are added to the residual stream."""
    check_gpt2(model)
    check_layer(model, layer)
    mlp = model.transformer.h[layer].mlp
    keys = []
    with forward_hooks([(mlp.act, lambda m, i, o: keys.append(o.clone()))]) if hasattr(mlp, "act") else forward_hooks([]):
        model(input_ids=sequences.to(next(model.parameters()).device))
    if not keys:
        raise TypeError("This GPT-2's MLP has no 'act' module to read the neuron activations from.")
    return keys[0].cpu()


@torch.no_grad()
def value_tokens(model: GPT2LMHeadModel, layer: int, neuron: int, k: int = 5) -> list[int]:
    """The tokens a neuron's value vector promotes most: its row of the MLP's output matrix read out
    through the unembedding (Geva et al. project values onto the output embeddings)."""
    check_gpt2(model)
    check_layer(model, layer)
    W = model.transformer.h[layer].mlp.c_proj.weight  # Conv1D: (d_ff, d)
    if not 0 <= neuron < W.shape[0]:
        raise ValueError(f"neuron must be in 0..{W.shape[0] - 1}, got {neuron}.")
    scores = model.lm_head.weight @ W[neuron]  # (V,)
    return scores.topk(k).indices.tolist()


@torch.no_grad()
def memory_agreement(model: GPT2LMHeadModel, layer: int, sequences: torch.Tensor, lengths: torch.Tensor,
                     top_triggers: int = 25, seed: int = 0) -> dict:
    """Geva et al.'s agreement: for each neuron, does the top token of its value vector equal the next
    token after one of the ``top_triggers`` prefixes that activate its key most? Returned with the
    same rate for values paired with other neurons' triggers at random (chance).

    ``sequences`` (B, T) are full sentences; ``lengths`` (B,) their true lengths (padding excluded).
    """
    keys = mlp_keys(model, layer, sequences)  # (B, T, F)
    B, T, F = keys.shape
    valid = torch.arange(T)[None, :] < (lengths[:, None] - 1)  # positions that have a next token
    flat = keys.masked_fill(~valid[..., None], float("-inf")).reshape(B * T, F)
    next_tokens = torch.cat([sequences[:, 1:], sequences[:, -1:]], 1).reshape(B * T)
    top = flat.topk(top_triggers, dim=0).indices  # (top_triggers, F)
    followers = next_tokens[top]  # (top_triggers, F)
    W = model.transformer.h[layer].mlp.c_proj.weight
    value_top = (W @ model.lm_head.weight.T).argmax(-1).cpu()  # (F,)
    hits = (followers == value_top[None]).any(0).float()
    generator = torch.Generator().manual_seed(seed)
    shuffled = value_top[torch.randperm(F, generator=generator)]
    chance = (followers == shuffled[None]).any(0).float()
    return {"agreement": float(hits.mean()), "chance": float(chance.mean()), "value_top": value_top,
            "followers": followers}
