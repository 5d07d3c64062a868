"""Causal tracing of many facts, summarised the way Meng et al. draw it.

:func:`trace_kinds` traces every prompt three times (restoring hidden states, MLP outputs and
attention outputs); :func:`grouped_maps` averages the indirect effects into a (position group,
layer) map per kind; :func:`effect_at` and :func:`best_subject_effect` read one fact's effect at
one site, the numbers the page's claims are made of.
"""

from __future__ import annotations

import numpy as np

from emergent.core.progress import progress_bar
from emergent.knowledge.tracing import causal_trace, summarise_positions

# Meng et al.'s position groups; the book's names have two tokens, so there is no middle one.
GROUPS = ["first subject", "last subject", "first after", "further tokens", "last token"]
KINDS = ("hidden", "mlp", "attn")


def trace_kinds(
    model, prompts, noise: float, label: str, samples: int = 10, window: int = 1
) -> dict:
    """Causal traces of every prompt, per kind of state restored: ``{kind: [Trace, ...]}``.

    The kinds are traced in the order of :data:`KINDS`, each over all prompts (the order in which
    the corruption noise is drawn)."""
    if not prompts:
        raise ValueError("give the prompts (facts the model knows) to trace.")
    return {
        kind: [
            causal_trace(
                model, p.ids, p.subject, p.answer, noise, kind=kind, samples=samples, window=window
            )
            for p in progress_bar(prompts, desc=f"tracing {label} ({kind})")
        ]
        for kind in KINDS
    }


def grouped_maps(traces: dict, prompts) -> dict[str, np.ndarray]:
    """Average indirect effect per (position group of :data:`GROUPS`, layer), for each kind traced."""
    out = {}
    for kind, ts in traces.items():
        if len(ts) != len(prompts):
            raise ValueError(f"{len(ts)} {kind} traces for {len(prompts)} prompts.")
        profiles = [
            summarise_positions(t.indirect_effect, p.subject, len(p.ids))
            for t, p in zip(ts, prompts)
        ]
        n_layer = len(profiles[0][GROUPS[0]])
        out[kind] = np.array(
            [
                [np.nanmean([pr[g][layer] for pr in profiles]) for layer in range(n_layer)]
                for g in GROUPS
            ]
        )
    return out


def effect_at(traces: dict, prompts, group: str, layer: int, kind: str = "mlp") -> np.ndarray:
    """Each fact's indirect effect at one site: a position group of :data:`GROUPS` and a layer."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {GROUPS}, got {group!r}.")
    return np.array(
        [
            summarise_positions(t.indirect_effect, p.subject, len(p.ids))[group][layer]
            for t, p in zip(traces[kind], prompts)
        ]
    )


def best_subject_effect(traces: dict, prompts) -> np.ndarray:
    """Each fact's hidden-state effect at the last subject token, at the layer best on average."""
    n_layer = traces["hidden"][0].indirect_effect.shape[0]
    per_layer = np.array(
        [effect_at(traces, prompts, "last subject", layer, "hidden") for layer in range(n_layer)]
    )
    return per_layer[int(np.nanargmax(per_layer.mean(1)))]


def early_site_strength(biographies: float, one_fact: float) -> str:
    """How the one-fact model's early site compares with the biography model's, in words: "hardly
    any early site" (under a quarter), "a weaker early site" (under 1/1.5), "an early site about as
    strong" (up to 1.5 times) or "a stronger early site"."""
    if biographies <= 0:
        raise ValueError(f"the biography model's effect must be positive, got {biographies}.")
    if one_fact < biographies / 4:
        return "hardly any early site"
    if one_fact < biographies / 1.5:
        return "a weaker early site"
    return (
        "an early site about as strong"
        if one_fact <= biographies * 1.5
        else "a stronger early site"
    )
