"""The carry circuit of one model, read off by activation patching.

:mod:`emergent.mirage.carry_circuit` supplies the machinery (pairs of problems that differ only in
one carry, a :class:`~emergent.mirage.carry_circuit.Patcher`); this module uses it the way the
mirage chapter does:

1. :func:`read_carry_circuit` chooses the components on one half of the pairs: the heads that alone
   move more than a set share of the gap, the MLP layer that moves most, its neurons ranked by their
   effect; and it measures where each head looks and how well each neuron tells a carry from none.
2. :func:`component_estimate` measures a group of components on the *other* half, with a bootstrap
   interval over the pairs, so that choosing the strongest cannot flatter the measurement.
3. :func:`neuron_curves` patches more and more neurons, strongest first and at random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emergent.core import claims
from emergent.mirage import carry_circuit as circuit

# The groups of components the chapter judges: the ledger key and what the claim says of each.
GROUPS = {
    "carry_heads": (
        "carry_heads_patch_effect",
        "a few attention heads bring the carry to the position that needs it",
    ),
    "other_heads": ("other_heads_patch_effect", "no other head carries it"),
    "carry_MLP": (
        "carry_mlp_patch_effect",
        "the carry passes through one MLP layer",
    ),
    "a_few_neurons": ("carry_top8_neurons_patch_effect", "a handful of neurons compute the carry"),
}

FEW_NEURONS = 8  # "a handful": the strongest neurons patched together in the last group
NEURON_COUNTS = (
    1,
    2,
    4,
    8,
    16,
    32,
    64,
    128,
)  # neurons patched along the curves (capped at the width)


@dataclass
class CarryCircuit:
    """What :func:`read_carry_circuit` found in one model (layers and heads counted from 0)."""

    choose_on: circuit.Patcher  # the half of the pairs that chooses the components
    measure_on: circuit.Patcher  # the other half, that measures them
    head_table: np.ndarray  # (layers, heads) effect of each head alone, chosen half
    carry_heads: list[tuple[int, int]]  # heads whose effect alone exceeds the threshold
    other_heads: list[tuple[int, int]]
    whole_mlp: list[float]  # effect of each layer's whole MLP, chosen half
    carry_layer: int  # the layer whose MLP moves most
    mlp_width: int
    neuron_table: np.ndarray  # effect of each neuron of the carry layer alone, chosen half
    ranked_neurons: list[int]  # the carry layer's neurons, strongest first
    shares: (
        np.ndarray
    )  # (layers, heads, places) where each head attends from the predicting position
    d_prime: np.ndarray  # per neuron of the carry layer: how well it alone tells carry from none

    def components(self, group: str) -> dict:
        """The components of one of :data:`GROUPS`, as the patcher takes them."""
        site = ("neurons", self.carry_layer)
        chosen = {
            "carry_heads": lambda: circuit.heads_as_components(
                self.choose_on.model, self.carry_heads
            ),
            "other_heads": lambda: circuit.heads_as_components(
                self.choose_on.model, self.other_heads
            ),
            "carry_MLP": lambda: {site: list(range(self.mlp_width))},
            "a_few_neurons": lambda: {site: self.ranked_neurons[:FEW_NEURONS]},
        }
        if group not in chosen:
            raise KeyError(f"no group {group!r}; the groups are {', '.join(chosen)}.")
        return chosen[group]()

    def reads_lower(self, heads) -> float:
        """Mean share of attention that ``heads`` give to a_{i-1} and b_{i-1} (NaN for no heads)."""
        if not heads:
            return float("nan")
        return float(np.mean([self.shares[l, h, 2] + self.shares[l, h, 3] for l, h in heads]))


def read_carry_circuit(
    model, pairs: circuit.CarryPairs, width: int, head_effect: float
) -> CarryCircuit:
    """Choose the carry's components in ``model`` on the first half of ``pairs`` (see the module).

    ``head_effect`` is the share of the gap a head must move alone to count as a carry head.
    """
    if not 0 < head_effect < 1:
        raise ValueError(f"head_effect is a share of the gap between 0 and 1, got {head_effect}.")
    choose_on, measure_on = (
        circuit.Patcher(model, pairs.half(0)),
        circuit.Patcher(model, pairs.half(1)),
    )
    head_table = circuit.head_effects(choose_on)
    carry_heads = [pair for pair in circuit.all_heads(model) if head_table[pair] > head_effect]
    other_heads = [pair for pair in circuit.all_heads(model) if pair not in carry_heads]
    mlp_width = 4 * model.config.n_embd
    whole_mlp = [
        choose_on.effect({("neurons", layer): list(range(mlp_width))})
        for layer in range(model.config.n_layer)
    ]
    carry_layer = int(np.argmax(whole_mlp))
    neuron_table = circuit.neuron_effects(choose_on, carry_layer)
    ranked = [int(n) for n in np.argsort(-neuron_table, kind="stable")]
    shares = circuit.attention_shares(model, pairs, width)
    activations = circuit.site_inputs(model, pairs.clean, pairs.position)[("neurons", carry_layer)]
    d_prime = circuit.separation(activations.numpy(), pairs.carry.numpy())
    return CarryCircuit(
        choose_on,
        measure_on,
        head_table,
        carry_heads,
        other_heads,
        whole_mlp,
        carry_layer,
        mlp_width,
        neuron_table,
        ranked,
        shares,
        d_prime,
    )


def component_estimate(found: CarryCircuit, group: str, head_effect: float):
    """The share of the gap ``group`` moves on the measuring half, with a bootstrap interval over
    its pairs; :func:`claims.missing` when there is nothing to patch (no head passed ``head_effect``)."""
    if group == "carry_heads" and not found.carry_heads:
        return claims.missing(f"no head moved over {head_effect} of the gap alone")
    items = found.measure_on.items(found.components(group))
    return claims.bootstrap(items, statistic=circuit.ratio_of_means)


def neuron_curves(found: CarryCircuit, draws: int = 3, seed: int = 0):
    """Share of the gap moved on the measuring half by the k strongest neurons of the carry layer,
    and by k neurons drawn at random (mean of ``draws`` draws), for k in :data:`NEURON_COUNTS`."""
    counts = [k for k in NEURON_COUNTS[:-1]] + [min(NEURON_COUNTS[-1], found.mlp_width)]
    rng, site = np.random.default_rng(seed), ("neurons", found.carry_layer)
    strongest = [found.measure_on.effect({site: found.ranked_neurons[:k]}) for k in counts]
    drawn = [
        np.mean(
            [
                found.measure_on.effect(
                    {site: rng.choice(found.mlp_width, k, replace=False).tolist()}
                )
                for _ in range(draws)
            ]
        )
        for k in counts
    ]
    return counts, strongest, drawn


def neurons_needed(counts, curve, share: float = 0.8):
    """The fewest neurons along ``counts`` whose patching moves at least ``share``; None if none does."""
    return next((k for k, effect in zip(counts, curve) if effect >= share), None)


def describe_pair(pairs: circuit.CarryPairs, n: int) -> str:
    """One pair in words: both problems, the answer digit judged, its carry and the two answers."""
    from emergent.scaling.addition import decode

    if not 0 <= n < len(pairs):
        raise IndexError(f"pair {n} does not exist; there are {len(pairs)}.")
    return (
        f"clean {decode(pairs.clean[n])}  corrupted {decode(pairs.corrupt[n])}  judged: answer digit "
        f"{int(pairs.digit[n])} (carry in {int(pairs.carry[n])}), {int(pairs.clean_answer[n])} vs "
        f"{int(pairs.corrupt_answer[n])}"
    )


def effect_text(estimate) -> str:
    """A group's measured share of the gap as a percentage, or a dash when it was not measured."""
    return f"{estimate.value:.0%}" if isinstance(estimate, claims.Estimate) else "—"
