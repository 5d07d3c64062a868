"""Causal traces summarised by position group and layer, on hand-made traces."""

from types import SimpleNamespace

import numpy as np
import pytest
from emergent.knowledge import trace_maps
from emergent.knowledge.tracing import Trace


def made_trace(restored):
    return Trace(
        clean=1.0, corrupted=0.0, restored=np.asarray(restored, dtype=float), kind="hidden"
    )


# two prompts of five tokens, subject at positions 1-2; 2 layers
PROMPTS = [SimpleNamespace(ids=[0, 1, 2, 3, 4], subject=range(1, 3)) for _ in range(2)]
FIRST = made_trace([[0.0, 0.1, 0.8, 0.0, 0.2], [0.0, 0.1, 0.4, 0.0, 0.6]])
SECOND = made_trace([[0.0, 0.3, 0.6, 0.0, 0.0], [0.0, 0.3, 0.2, 0.0, 0.4]])
TRACES = {"hidden": [FIRST, SECOND], "mlp": [FIRST, SECOND]}


def test_grouped_maps_average_over_facts():
    maps = trace_maps.grouped_maps(TRACES, PROMPTS)
    last_subject = trace_maps.GROUPS.index("last subject")
    last_token = trace_maps.GROUPS.index("last token")
    assert maps["hidden"].shape == (len(trace_maps.GROUPS), 2)
    assert np.allclose(maps["mlp"][last_subject], [0.7, 0.3])
    assert np.allclose(maps["mlp"][last_token], [0.1, 0.5])


def test_effect_at_one_site_per_fact():
    assert np.allclose(trace_maps.effect_at(TRACES, PROMPTS, "last subject", 0), [0.8, 0.6])
    with pytest.raises(ValueError):
        trace_maps.effect_at(TRACES, PROMPTS, "middle", 0)


def test_best_subject_effect_takes_the_best_layer_on_average():
    assert np.allclose(trace_maps.best_subject_effect(TRACES, PROMPTS), [0.8, 0.6])


def test_grouped_maps_refuse_mismatched_prompts():
    with pytest.raises(ValueError):
        trace_maps.grouped_maps(TRACES, PROMPTS[:1])


@pytest.mark.parametrize(
    "one_fact, words",
    [
        (0.1, "hardly any early site"),
        (0.5, "a weaker early site"),
        (1.2, "an early site about as strong"),
        (2.0, "a stronger early site"),
    ],
)
def test_early_site_strength(one_fact, words):
    assert trace_maps.early_site_strength(1.0, one_fact) == words
