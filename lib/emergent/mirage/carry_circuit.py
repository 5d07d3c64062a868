"""Where a tiny GPT-2 computes the carry: activation patching between problems that differ only in it.

The answer is written units first, so the model predicts answer digit ``i`` at the position that
holds digit ``i - 1``. Digit ``i`` is ``(a_i + b_i + c_i) mod 10``, where the carry ``c_i`` is set
by the digits one place lower. To find the carry's path through the model, take two problems that
differ *only* in the carry into digit ``i``: replace the operand digits one place lower,
``a_{i-1}, b_{i-1}``, by another pair whose sum differs by exactly 10. Every answer digit written
so far stays the same (the lower digit's sum mod 10 does not change), so the two runs see the same
tokens everywhere except at those two operand positions; the carry, and with it the digit to
predict, differs.

Running the *clean* problem while copying one component's output at the predicting position from
the *corrupted* problem (activation patching, in the manner of Wang et al. 2023 and Hanna et al.
2023) says how much of the carry that component carries. The effect is measured on the logit
difference between the two answers and normalised: 0 when the patch changes nothing, 1 when the
clean run then predicts exactly as the corrupted one does.

Components are the attention heads (the input of each layer's ``attn.c_proj``, one slice per
head) and the MLP neurons (the input of each layer's ``mlp.c_proj``), both at the predicting
position only. Everything downstream of a patch is recomputed, so a head's effect includes what
it does through later layers.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from emergent.scaling.addition import answer_start, make_batch

# --------------------------------------------------------------------------------------------
# 1. Pairs of problems that differ only in one carry
# --------------------------------------------------------------------------------------------


@dataclass
class CarryPairs:
    """Clean and corrupted problems, the answer digit each pair is judged on, and the two answers."""

    clean: torch.Tensor  # (N, T) token ids of the clean problems, answers written out
    corrupt: (
        torch.Tensor
    )  # (N, T) the same problems with the lower digits changed so the carry flips
    position: (
        torch.Tensor
    )  # (N,) where answer digit i is predicted (the position holding digit i - 1)
    clean_answer: torch.Tensor  # (N,) digit i of the clean answer
    corrupt_answer: (
        torch.Tensor
    )  # (N,) digit i of the corrupted answer (one more or one less, mod 10)
    carry: torch.Tensor  # (N,) the carry into digit i in the clean problem (0 or 1)
    digit: torch.Tensor  # (N,) i, the answer digit judged (1 .. digits)

    def half(self, which: int) -> "CarryPairs":
        """Alternate pairs: ``half(0)`` to choose components on, ``half(1)`` to measure them on."""
        if which not in (0, 1):
            raise ValueError(f"which must be 0 or 1, got {which!r}.")
        return CarryPairs(*(getattr(self, name)[which::2] for name in self.__dataclass_fields__))

    def __len__(self) -> int:
        return len(self.clean)


def _digit(values: np.ndarray, place: int) -> np.ndarray:
    return (values // 10**place) % 10


def carry_pairs(digits: int, width: int, count: int, seed: int = 0) -> CarryPairs:
    """``count`` pairs of ``digits``-digit problems that differ only in the carry into one answer digit.

    For each pair an answer digit ``i`` in ``1 .. digits`` is drawn, then ``(a, b)`` with
    ``a_{i-1} + b_{i-1} != 9`` (a sum of 9 cannot be moved by 10 within single digits), and the lower
    pair is replaced by one whose sum is 10 more or 10 less. Half of the clean problems carry, half do not.
    """
    if not isinstance(digits, (int, np.integer)) or not 1 <= digits <= width:
        raise ValueError(f"digits must be an integer from 1 to width ({width}), got {digits!r}.")
    if not isinstance(count, (int, np.integer)) or count < 2:
        raise ValueError(f"count must be an integer of at least 2, got {count!r}.")
    rng = np.random.default_rng([seed, digits, count])
    place = rng.integers(
        1, digits + 1, size=count
    )  # answer digit i; the carry comes from place i - 1
    want_carry = (
        np.arange(count) // 2
    ) % 2 == 1  # F F T T F F ...: each half() holds carries and non-carries
    lower_a, lower_b = np.zeros(count, np.int64), np.zeros(count, np.int64)
    new_a, new_b = np.zeros(count, np.int64), np.zeros(count, np.int64)
    for n in range(
        count
    ):  # lower digits: a sum of 10..18 (carry) or 0..8 (none), and a partner 10 away
        total = rng.integers(10, 19) if want_carry[n] else rng.integers(0, 9)
        partner = total - 10 if want_carry[n] else total + 10
        lower_a[n] = rng.integers(max(0, total - 9), min(9, total) + 1)
        new_a[n] = rng.integers(max(0, partner - 9), min(9, partner) + 1)
        lower_b[n], new_b[n] = total - lower_a[n], partner - new_a[n]
    high = 10**digits
    a, b = rng.integers(0, high, size=count), rng.integers(0, high, size=count)
    lower_place = 10 ** (place - 1)
    a = (
        a - _digit(a, place - 1) * lower_place + lower_a * lower_place
    )  # set digit i-1 of each operand
    b = b - _digit(b, place - 1) * lower_place + lower_b * lower_place
    a_corrupt = a - lower_a * lower_place + new_a * lower_place
    b_corrupt = b - lower_b * lower_place + new_b * lower_place
    # the carry into place i-1 must be the same in both: it is, since only place i-1 changed
    clean, _ = make_batch(a, b, np.full(count, digits), width)
    corrupt, _ = make_batch(a_corrupt, b_corrupt, np.full(count, digits), width)
    position = answer_start(width) - 1 + place  # predicts answer digit i
    return CarryPairs(
        clean=clean,
        corrupt=corrupt,
        position=torch.as_tensor(position),
        clean_answer=torch.as_tensor(_digit(a + b, place)),
        corrupt_answer=torch.as_tensor(_digit(a_corrupt + b_corrupt, place)),
        carry=torch.as_tensor(want_carry.astype(np.int64)),
        digit=torch.as_tensor(place),
    )


# --------------------------------------------------------------------------------------------
# 2. Reading and writing components at the predicting position
# --------------------------------------------------------------------------------------------


def _blocks(model):
    return model.transformer.h


def _site(model, layer: int, kind: str):
    if not 0 <= layer < len(_blocks(model)):
        raise ValueError(f"layer must lie in 0..{len(_blocks(model)) - 1}, got {layer}.")
    if kind == "heads":
        return _blocks(model)[layer].attn.c_proj  # its input: every head's output, side by side
    if kind == "neurons":
        return _blocks(model)[layer].mlp.c_proj  # its input: the MLP's activations after the GELU
    raise ValueError(f"kind must be 'heads' or 'neurons', got {kind!r}.")


@torch.no_grad()
def site_inputs(model, ids: torch.Tensor, position: torch.Tensor) -> dict:
    """``{(kind, layer): (N, width)}``: what each site reads at each row's predicting position."""
    seen, hooks = {}, []
    rows = torch.arange(len(ids))
    for layer in range(len(_blocks(model))):
        for kind in ("heads", "neurons"):

            def keep(module, inputs, key=(kind, layer)):
                seen[key] = inputs[0][rows, position].clone()

            hooks.append(_site(model, layer, kind).register_forward_pre_hook(keep))
    try:
        model(input_ids=ids)
    finally:
        for hook in hooks:
            hook.remove()
    return seen


@contextmanager
def patched(model, position: torch.Tensor, replacements: dict):
    """Inside: the sites named in ``replacements`` read, at each row's predicting position, the given
    values on the given columns. ``replacements`` maps ``(kind, layer)`` to ``(columns, values)``."""
    hooks = []

    def make(columns, values):
        def swap(module, inputs):
            x = inputs[0].clone()
            rows = torch.arange(len(x))
            x[rows[:, None], position[:, None], columns[None, :]] = values[:, columns]
            return (x,)

        return swap

    for (kind, layer), (columns, values) in replacements.items():
        hooks.append(
            _site(model, layer, kind).register_forward_pre_hook(
                make(torch.as_tensor(columns), values)
            )
        )
    try:
        yield
    finally:
        for hook in hooks:
            hook.remove()


def head_columns(model, head: int) -> torch.Tensor:
    """The columns of ``attn.c_proj``'s input that belong to ``head``."""
    size = model.config.n_embd // model.config.n_head
    if not 0 <= head < model.config.n_head:
        raise ValueError(f"head must lie in 0..{model.config.n_head - 1}, got {head}.")
    return torch.arange(head * size, (head + 1) * size)


# --------------------------------------------------------------------------------------------
# 3. Effects
# --------------------------------------------------------------------------------------------


@torch.no_grad()
def logit_difference(model, ids: torch.Tensor, pairs: CarryPairs) -> torch.Tensor:
    """(N,) logit of the corrupted answer minus that of the clean answer, at the predicting position."""
    logits = model(input_ids=ids).logits[torch.arange(len(ids)), pairs.position]  # (N, vocab)
    rows = torch.arange(len(ids))
    return (logits[rows, pairs.corrupt_answer] - logits[rows, pairs.clean_answer]).double()


def patch_effect(clean, corrupt, patched) -> float:
    """Share of the clean-to-corrupted gap that a patch moves: ``mean(patched - clean) / mean(corrupt - clean)``.

    Each argument holds one logit difference per pair. 0: the patch changed nothing; 1: the clean
    run now prefers the corrupted answer exactly as much as the corrupted run does.
    """
    clean, corrupt, patched = (np.asarray(x, dtype=float) for x in (clean, corrupt, patched))
    if not clean.shape == corrupt.shape == patched.shape or clean.ndim != 1 or len(clean) == 0:
        raise ValueError(
            f"give three 1-D arrays of equal, non-zero length; got shapes {clean.shape}, {corrupt.shape}, "
            f"{patched.shape}."
        )
    gap = float((corrupt - clean).mean())
    if gap <= 0:
        raise ValueError(
            f"the corrupted runs do not prefer their own answer (mean gap {gap:.3g} <= 0): nothing to move."
        )
    return float((patched - clean).mean()) / gap


class Patcher:
    """Clean and corrupted runs of one set of pairs, ready to patch any set of components."""

    def __init__(self, model, pairs: CarryPairs):
        self.model, self.pairs = model, pairs
        self.corrupt_inputs = site_inputs(model, pairs.corrupt, pairs.position)
        self.clean_difference = logit_difference(model, pairs.clean, pairs)
        self.corrupt_difference = logit_difference(model, pairs.corrupt, pairs)
        if float((self.corrupt_difference - self.clean_difference).mean()) <= 0:
            raise ValueError(
                "the model does not tell the two answers apart (the corrupted run does not prefer its "
                "own answer): patching has nothing to move. Use a model that has learned to carry."
            )

    def patched_difference(self, components: dict) -> torch.Tensor:
        """(N,) the clean run's logit difference with ``{(kind, layer): columns}`` taken from the corrupted run."""
        replacements = {
            site: (torch.as_tensor(columns), self.corrupt_inputs[site])
            for site, columns in components.items()
        }
        with patched(self.model, self.pairs.position, replacements):
            return logit_difference(self.model, self.pairs.clean, self.pairs)

    def effect(self, components: dict) -> float:
        """Normalised effect of patching ``components`` (see :func:`patch_effect`)."""
        return patch_effect(
            self.clean_difference, self.corrupt_difference, self.patched_difference(components)
        )

    def items(self, components: dict) -> np.ndarray:
        """(N, 2) per pair: what the patch moved, and the pair's whole gap (rows for a bootstrap of the ratio)."""
        moved = self.patched_difference(components) - self.clean_difference
        return np.stack(
            [moved.numpy(), (self.corrupt_difference - self.clean_difference).numpy()], axis=1
        )


def ratio_of_means(items) -> float:
    """The effect from :meth:`Patcher.items` rows: mean moved over mean gap."""
    items = np.asarray(items, dtype=float)
    return float(items[:, 0].mean() / items[:, 1].mean())


def all_heads(model) -> list[tuple[int, int]]:
    return [
        (layer, head)
        for layer in range(model.config.n_layer)
        for head in range(model.config.n_head)
    ]


def heads_as_components(model, heads) -> dict:
    """``{("heads", layer): columns}`` for a list of ``(layer, head)``."""
    components: dict = {}
    for layer, head in heads:
        key = ("heads", layer)
        columns = head_columns(model, head)
        components[key] = (
            columns if key not in components else torch.cat([components[key], columns])
        )
    return components


def head_effects(patcher: Patcher) -> np.ndarray:
    """(layers, heads) effect of patching each head alone."""
    model = patcher.model
    table = np.zeros((model.config.n_layer, model.config.n_head))
    for layer, head in all_heads(model):
        table[layer, head] = patcher.effect(heads_as_components(model, [(layer, head)]))
    return table


# --------------------------------------------------------------------------------------------
# 4. Carry neurons: which MLP neurons separate "carry" from "no carry"
# --------------------------------------------------------------------------------------------


def separation(activations, labels) -> np.ndarray:
    """Per column, ``(mean | label 1 - mean | label 0) / pooled standard deviation`` (d')."""
    x, y = np.asarray(activations, dtype=float), np.asarray(labels).astype(bool)
    if x.ndim != 2 or len(x) != len(y):
        raise ValueError(
            f"activations must be (items, neurons) with one label per item; got {x.shape} and {len(y)} labels."
        )
    if y.all() or not y.any():
        raise ValueError("labels must hold both classes (some 1s and some 0s).")
    spread = np.sqrt((x[y].var(axis=0) + x[~y].var(axis=0)) / 2) + 1e-9
    return (x[y].mean(axis=0) - x[~y].mean(axis=0)) / spread


def neuron_effects(patcher: Patcher, layer: int) -> np.ndarray:
    """Effect of patching each neuron of ``layer``'s MLP alone."""
    count = patcher.corrupt_inputs[("neurons", layer)].shape[1]
    return np.array([patcher.effect({("neurons", layer): [n]}) for n in range(count)])


# --------------------------------------------------------------------------------------------
# 5. Where each head looks from the predicting position
# --------------------------------------------------------------------------------------------

READ_FROM = ("a_i", "b_i", "a_{i-1}", "b_{i-1}", "lower digits", "answer so far", "elsewhere")


@torch.no_grad()
def attention_shares(model, pairs: CarryPairs, width: int) -> np.ndarray:
    """(layers, heads, len(READ_FROM)): where each head attends from the predicting position, on average.

    Positions are named relative to the digit being written: the operand digits of the same place
    (``a_i, b_i``), of the place below (``a_{i-1}, b_{i-1}``, which decide the carry), of the places
    further down, the answer written so far, and everything else.
    """
    import copy

    eager = copy.deepcopy(model)  # explicit attention weights need the eager implementation
    eager.set_attn_implementation("eager")
    attentions = eager(
        input_ids=pairs.clean, output_attentions=True
    ).attentions  # layers x (N, H, T, T)
    i = pairs.digit
    start = answer_start(width)
    shares = np.zeros((len(attentions), attentions[0].shape[1], len(READ_FROM)))
    for n in range(len(pairs)):
        place = int(i[n])
        named = {
            "a_i": [width - 1 - place] if place < width else [],
            "b_i": [2 * width - place] if place < width else [],
            "a_{i-1}": [width - place],
            "b_{i-1}": [2 * width + 1 - place],
            "lower digits": [width - 1 - k for k in range(place - 1)]
            + [2 * width - k for k in range(place - 1)],
            "answer so far": list(range(start, int(pairs.position[n]) + 1)),
        }
        for layer, attention in enumerate(attentions):
            row = attention[n, :, int(pairs.position[n])].double().numpy()  # (H, T)
            used = 0.0
            for column, name in enumerate(READ_FROM[:-1]):
                shares[layer, :, column] += row[:, named[name]].sum(axis=1) if named[name] else 0.0
                used = used + (row[:, named[name]].sum(axis=1) if named[name] else 0.0)
            shares[layer, :, -1] += 1.0 - used
    return shares / len(pairs)
