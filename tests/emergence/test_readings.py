"""Reading the induction circuit: which heads do what, and what their knockouts leave."""

import pytest
import torch
from emergent.emergence import readings
from emergent.emergence.induction import (
    AttentionOnly,
    AttentionOnlyTransformer,
    loss_by_position,
    two_copies,
)
from emergent.emergence.readings import (
    KNOCKOUTS,
    Circuit,
    SeedReading,
    circuit_of,
    first_step_above,
    knockout_shares,
    losses_along_sequence,
    read_circuit,
    read_seed,
    shares_by_knockout,
)

# A 2-layer, 3-head model's scores: layer 2 head 1 is a strong induction head, layer 2 head 2 a
# weak one, layer 1 head 0 a previous-token head; layer 1 head 2 does nothing in particular.
PREFIX = [[0.05, 0.10, 0.02], [0.20, 0.90, 0.40]]
PREVIOUS = [[0.80, 0.10, 0.05], [0.10, 0.02, 0.01]]


def test_circuit_sorts_heads_by_their_scores():
    circuit = read_circuit(PREFIX, PREVIOUS, threshold=0.3)
    assert circuit.strongest == (1, 1)
    assert circuit.induction == [(1, 1), (1, 2)]
    assert circuit.previous == [(0, 0)]
    assert circuit.others == [(0, 1), (0, 2), (1, 0)]


def test_previous_token_heads_are_only_looked_for_in_layer_one():
    # layer 2 head 0 attends to the previous token too, but cannot feed an induction head
    circuit = read_circuit(PREFIX, [[0.0, 0.0, 0.0], [0.9, 0.0, 0.0]])
    assert circuit.previous == [] and (1, 0) in circuit.others


def test_bad_score_tables_are_refused():
    with pytest.raises(ValueError, match="one shape"):
        read_circuit(PREFIX, [[0.1, 0.2]])
    with pytest.raises(ValueError, match="threshold"):
        read_circuit(PREFIX, PREVIOUS, threshold=1.5)


def fake_icl(table):
    """An ICL score that depends only on which heads are knocked out: intact -4, each head
    knocked out adds its cost (the score rises towards 0 and past it)."""
    return lambda heads: -4.0 + sum(table.get(head, 0.0) for head in heads)


def test_knockout_shares_are_shares_of_the_intact_score():
    circuit = Circuit((1, 1), [(1, 1), (1, 2)], [(0, 0)], [(0, 1), (1, 0)])
    cost = {(1, 1): 3.0, (1, 2): 2.0, (0, 0): 4.0, (0, 1): 0.4, (1, 0): 1.2}
    shares = knockout_shares(fake_icl(cost), circuit)
    assert shares["strongest"] == pytest.approx(0.25)  # -1 of -4 left
    assert shares["induction"] == pytest.approx(-0.25)  # +1: late tokens now predicted worse
    assert shares["previous"] == pytest.approx(0.0)
    assert shares["others"] == pytest.approx((0.9 + 0.7) / 2)  # each alone, then the mean


def test_a_missing_kind_of_head_is_none_not_a_share():
    shares = knockout_shares(fake_icl({}), Circuit((1, 0), [(1, 0)], [], []))
    assert shares["previous"] is None and shares["others"] is None
    assert shares["strongest"] == pytest.approx(1.0)


def test_a_model_that_ignores_its_context_has_no_share_to_knock_out():
    with pytest.raises(ValueError, match="does not use its"):
        knockout_shares(lambda heads: 0.2, Circuit((1, 0), [(1, 0)], [], []))


def test_seeds_line_up_by_knockout():
    circuit = Circuit((1, 1), [(1, 1)], [], [(0, 0)])
    one = SeedReading(circuit, 300, 280, 0.02, dict(zip(KNOCKOUTS, (0.1, 0.1, None, 0.9))))
    two = SeedReading(circuit, 250, 260, -0.01, dict(zip(KNOCKOUTS, (0.3, 0.2, 0.5, 1.0))))
    lined = shares_by_knockout([one, two])
    assert lined == {
        "strongest": [0.1, 0.3],
        "induction": [0.1, 0.2],
        "previous": [None, 0.5],
        "others": [0.9, 1.0],
    }
    assert "(no such head)" in str(one) and "layer 2, head 1" in str(one)
    with pytest.raises(ValueError, match="no seeds"):
        shares_by_knockout([])


class History:
    """The two columns of a training history that a reading uses, built by hand."""

    def __init__(self, rows):
        self.rows = rows

    def column(self, name):
        return [row[name] for row in self.rows]


def test_read_seed_times_the_strongest_head_against_the_jump(monkeypatch):
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(AttentionOnly(n_layer=2, n_head=2, n_embd=16))
    strongest = circuit_of(model).strongest  # an untrained model's reading: some head is strongest
    rising = [[[0.0, 0.0], [0.0, 0.0]] for _ in range(5)]
    for i, value in enumerate((0.0, 0.0, 0.2, 0.8, 1.0)):  # half-formed at the fourth evaluation
        rising[i][strongest[0]][strongest[1]] = value
    icl = [0.0, -0.5, -2.5, -3.0, -3.0]  # half-way at the third
    history = History(
        [{"step": 100 * i, "prefix_matching": rising[i], "icl_score": icl[i]} for i in range(5)]
    )
    # the knockouts: knocking out the strongest head costs 3 of the intact -4 nats, others nothing
    monkeypatch.setattr(
        readings,
        "icl_without",
        lambda model, tokens, data, heads: fake_icl({strongest: 3.0})(heads),
    )
    reading = read_seed(model, history, tokens=None, data=None, training_steps=1000)
    assert reading.circuit.strongest == strongest
    assert (reading.formed, reading.jumped) == (300, 200)
    assert reading.offset == pytest.approx(0.1)
    assert reading.shares["strongest"] == pytest.approx(0.25)


def test_losses_along_sequence_agree_with_the_models_measures():
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(AttentionOnly(n_layer=2, n_head=2, n_embd=16))
    tokens = two_copies(3, 20, 32, torch.Generator().manual_seed(1))
    torch.testing.assert_close(
        losses_along_sequence(model, tokens), loss_by_position(model, tokens)
    )
    knocked = losses_along_sequence(model, tokens, [(1, 0)])
    assert knocked.shape == (39,) and not torch.allclose(knocked, loss_by_position(model, tokens))


def test_first_step_above_a_level():
    steps = [0, 10, 20, 30]
    assert first_step_above(steps, [0.1, 0.4, 0.6, 0.9], 0.5) == 20
    assert first_step_above(steps, [0.1, 0.4, 0.5, 0.5], 0.5) is None  # reaching is not exceeding
    with pytest.raises(ValueError, match="equal length"):
        first_step_above(steps, [0.1], 0.5)
