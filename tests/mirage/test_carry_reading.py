import numpy as np
import pytest
from emergent.core import claims
from emergent.mirage import carry_circuit as circuit
from emergent.mirage import carry_reading


def _found(carry_heads, d_prime):
    """A reading of a made-up 2-layer, 2-head model with 8 MLP neurons (no model is run)."""
    shares = np.zeros((2, 2, len(circuit.READ_FROM)))
    shares[0, 1, 2] = shares[0, 1, 3] = 0.4  # head (0, 1) reads a_{i-1} and b_{i-1}: 80%
    shares[1, :, 4] = 1.0  # the others look at the lower digits
    other = [(l, h) for l in range(2) for h in range(2) if (l, h) not in carry_heads]
    return carry_reading.CarryCircuit(
        None,
        None,
        np.zeros((2, 2)),
        carry_heads,
        other,
        [0.1, 0.9],
        1,
        8,
        np.linspace(0, 0.7, 8),
        list(range(8))[::-1],
        shares,
        np.asarray(d_prime),
    )


def test_attention_to_the_lower_digits():
    found = _found([(0, 1)], [0.2] * 8)
    assert found.reads_lower(found.carry_heads) == pytest.approx(0.8)
    assert found.reads_lower(found.other_heads) == pytest.approx(0.0)
    assert np.isnan(found.reads_lower([]))


def test_no_carry_head_is_not_measured_and_shows_a_dash():
    found = _found([], [0.2] * 8)
    estimate = carry_reading.component_estimate(found, "carry_heads", 0.1)
    assert isinstance(estimate, claims.Missing) and "0.1" in estimate.reason
    assert carry_reading.effect_text(estimate) == "—"
    assert carry_reading.effect_text(claims.exact(0.834)) == "83%"


def test_neurons_needed_is_the_first_count_past_the_share():
    assert carry_reading.neurons_needed([1, 2, 4, 8], [0.1, 0.5, 0.85, 0.9]) == 4
    assert carry_reading.neurons_needed([1, 2], [0.1, 0.5]) is None


def test_groups_name_their_components_and_refuse_an_unknown_one():
    found = _found([(0, 1)], [0.2] * 8)
    assert found.components("carry_MLP") == {("neurons", 1): list(range(8))}
    assert found.components("a_few_neurons") == {("neurons", 1): [7, 6, 5, 4, 3, 2, 1, 0]}
    with pytest.raises(KeyError, match="carry_heads"):
        found.components("everything")


def test_describe_pair_names_both_problems():
    pairs = circuit.carry_pairs(3, 4, count=4, seed=0)
    text = carry_reading.describe_pair(pairs, 0)
    assert text.startswith("clean ") and "corrupted" in text and "carry in" in text
    with pytest.raises(IndexError):
        carry_reading.describe_pair(pairs, 99)
