"""Induction heads: the data, the model, the measures, and the phase change itself."""

import time

import pytest
import torch

from emergent.core.checks import CheckFailed
from emergent.emergence import exercises as emergence
from emergent.emergence.induction import (
    AttentionOnly,
    AttentionOnlyTransformer,
    RepeatData,
    Recipe,
    copying_scores,
    default_setup,
    evaluation_tokens,
    icl_score,
    icl_with_heads_ablated,
    icl_without,
    induction_run,
    prefix_matching_scores,
    previous_token_scores,
    repeated_segments,
    two_copies,
)
from emergent.core.transitions import (
    formation_step,
    phase_change_step,
    steepest_rise,
    transition_width,
)

# -- data ---------------------------------------------------------------------------------------


def test_sequences_repeat_with_a_period_that_varies():
    data = RepeatData()
    tokens, periods = repeated_segments(500, data, torch.Generator().manual_seed(0))
    assert tokens.shape == (500, data.length) and periods.shape == (500,)
    assert tokens.min() >= 0 and tokens.max() < data.vocab_size
    assert periods.min() >= data.min_period and periods.max() <= data.max_period
    assert (
        len(set(periods.tolist())) == data.max_period - data.min_period + 1
    )  # every period occurs
    for row, period in zip(tokens[:50], periods[:50]):
        p = int(period)
        assert torch.equal(row[p:], row[: data.length - p])
    # the token the ICL score's late position predicts is always a repeat, the early one never is
    assert data.late_position + 1 >= data.max_period and data.early_position + 1 < data.min_period


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(min_period=20, max_period=10), "must not exceed"),
        (dict(max_period=40), "two copies"),
        (dict(early_position=20), "early_position"),
        (dict(late_position=10), "late_position"),
        (dict(vocab_size=1), "at least 2"),
    ],
)
def test_bad_data_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RepeatData(**kwargs)


def test_bad_batch_and_model_settings_are_refused():
    with pytest.raises(ValueError, match="batch_size"):
        repeated_segments(0, RepeatData(), torch.Generator())
    with pytest.raises(ValueError, match="divisible"):
        AttentionOnly(n_embd=30, n_head=4)
    with pytest.raises(ValueError, match="layers must be 1 or 2"):
        default_setup(3)
    with pytest.raises(ValueError, match="period"):
        two_copies(2, 40, 32, torch.Generator())


# -- model and measures -------------------------------------------------------------------------


def test_model_shapes_and_causal_patterns():
    model = AttentionOnlyTransformer(AttentionOnly(n_layer=2, n_head=4, n_embd=32))
    tokens = two_copies(3, 10, 32, torch.Generator().manual_seed(0))
    logits, patterns = model(tokens, return_patterns=True)
    assert logits.shape == (3, 20, 32)
    assert len(patterns) == 2 and patterns[0].shape == (3, 4, 20, 20)
    torch.testing.assert_close(patterns[1].sum(-1), torch.ones(3, 4, 20))
    assert torch.all(patterns[0].triu(diagonal=1) == 0)  # no position looks ahead
    with pytest.raises(ValueError, match="context"):
        model(torch.zeros(1, 65, dtype=torch.long))


def test_icl_score_and_its_bad_input():
    losses = torch.tensor([3.0, 2.5, 2.0, 0.5])
    assert icl_score(losses, 0, 3) == pytest.approx(-2.5)
    with pytest.raises(ValueError, match="early"):
        icl_score(losses, 3, 1)


def test_prefix_matching_recognises_a_hand_built_induction_pattern():
    """A fake model whose single head attends exactly where an induction head would."""

    class Fake(torch.nn.Module):
        shape = AttentionOnly(n_layer=1, n_head=2, n_embd=8)

        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(
                torch.zeros(1)
            )  # tells the measures which device to use

        def forward(self, tokens, return_patterns=False):
            B, T = tokens.shape
            pattern = torch.zeros(B, 2, T, T)
            pattern[:, :, 0, 0] = 1
            for t in range(1, T):
                pattern[:, 1, t, t - 1] = 1  # head 1: previous token
                earlier = (tokens[:, :t] == tokens[:, t : t + 1]).nonzero()
                for b in range(B):
                    match = earlier[earlier[:, 0] == b, 1]
                    target = int(match[-1]) + 1 if len(match) else 0
                    pattern[b, 0, t, target] = 1  # head 0: induction
            return torch.zeros(B, T, 32), [pattern]

    scores = prefix_matching_scores(Fake(), period=12, count=8)
    assert scores[0, 0] == pytest.approx(1.0) and scores[0, 1] < 0.1
    previous = previous_token_scores(Fake(), period=12, count=8)
    assert previous[0, 1] == pytest.approx(1.0)


def test_phase_change_and_abruptness_measures():
    steps = list(range(0, 1001, 10))
    sharp = [0.0 if s < 300 else (-3.0 if s >= 400 else -3.0 * (s - 300) / 100) for s in steps]
    assert phase_change_step(steps, sharp) == 350
    assert 70 <= transition_width(steps, sharp) <= 90
    start, share = steepest_rise(steps, sharp, window=200)
    assert share == pytest.approx(1.0) and 200 <= start <= 300
    gradual = [-3.0 * s / 1000 for s in steps]
    assert steepest_rise(steps, gradual, window=200)[1] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="never learned"):
        phase_change_step(steps, [0.1] * len(steps))
    with pytest.raises(ValueError, match="did not fall"):
        steepest_rise(steps, [0.0] * len(steps), window=100)


def test_recipe_and_model_must_fit_the_data():
    from emergent.emergence.induction import train_induction

    with pytest.raises(ValueError, match="does not fit"):
        train_induction(AttentionOnly(vocab_size=16), RepeatData(), Recipe(steps=1), progress=False)
    with pytest.raises(ValueError, match="learning_rate"):
        Recipe(learning_rate=0)


# -- the phenomenon, in the default profile -------------------------------------------------------
# Both models are the book's own: trained once into the book's cache (see conftest.py), where the
# emergence chapter finds them; every later call reads them from disk.


@pytest.fixture(scope="module")
def runs(book_models):
    with book_models():
        return {layers: induction_run(layers, progress=False) for layers in (2, 1)}


@pytest.mark.slow
def test_two_layers_learn_in_context_and_one_layer_does_not(runs):
    (_, two), (_, one) = runs[2], runs[1]
    final2, final1 = two.column("icl_score")[-1], one.column("icl_score")[-1]
    assert final2 < 0 and final1 <= 0.1
    assert final2 <= 3 * final1, f"2-layer ICL {final2:.2f} is not 3x the 1-layer {final1:.2f}"
    assert final2 < -2.0  # context saves more than 2 nats on a late token


@pytest.mark.slow
def test_the_rise_is_abrupt(runs):
    model, history = runs[2]
    steps = default_setup(2)[2].steps
    start, share = steepest_rise(
        history.column("step"), history.column("icl_score"), window=int(0.2 * steps)
    )
    assert share >= 0.7, f"only {share:.0%} of the rise happened in the steepest 20% of training"
    # the half-way crossing lies inside that window, and the 10%-90% rise takes under a fifth of training
    assert (
        start
        <= phase_change_step(history.column("step"), history.column("icl_score"))
        <= start + 0.2 * steps
    )
    assert transition_width(history.column("step"), history.column("icl_score")) <= 0.2 * steps
    # the training loss falls with it: much lower after the phase change than before it
    losses = history.losses
    before = losses[max(0, start - 50) : start + 1]
    assert sum(losses[-50:]) / 50 < sum(before) / len(before) - 0.5


@pytest.mark.slow
def test_an_induction_head_forms_only_in_the_two_layer_model(runs):
    two, one = runs[2][0], runs[1][0]
    scores2, scores1 = prefix_matching_scores(two), prefix_matching_scores(one)
    assert scores2[1].max() > 0.5  # layer 2 holds an induction head
    assert scores1.max() < 0.25
    assert previous_token_scores(two)[0].max() > 0.5  # ...fed by a previous-token head in layer 1


@pytest.mark.slow
def test_second_request_reads_the_cache(runs, book_models):
    start = time.perf_counter()
    with book_models():
        model, history = induction_run(2, progress=False)
    assert time.perf_counter() - start < 5
    assert history.column("icl_score") == runs[2][1].column("icl_score")
    assert all(
        torch.equal(a, b)
        for a, b in zip(model.state_dict().values(), runs[2][0].state_dict().values())
    )


@pytest.mark.slow
def test_check_find_induction_head(runs):
    model = runs[2][0]

    def reference(m):
        scores = prefix_matching_scores(m)
        return divmod(int(scores.argmax()), scores.shape[1])

    assert emergence.check_find_induction_head(reference, model)
    with pytest.raises(CheckFailed, match="highest prefix-matching score"):
        emergence.check_find_induction_head(
            lambda m: (0, 0) if reference(m) != (0, 0) else (0, 1), model
        )
    with pytest.raises(CheckFailed, match="two integers"):
        emergence.check_find_induction_head(lambda m: "layer 1", model)


# -- the head's mechanism: copying, knockout, formation ------------------------------------------


def _identity_model(sign: float) -> AttentionOnlyTransformer:
    """One layer, one head, every map the identity (times ``sign`` at the output): OV = sign * I."""
    model = AttentionOnlyTransformer(
        AttentionOnly(vocab_size=8, context=8, n_layer=1, n_head=1, n_embd=8)
    )
    with torch.no_grad():
        eye = torch.eye(8)
        model.embed.weight.copy_(eye)
        model.unembed.weight.copy_(eye)
        model.attention[0].qkv.weight[16:].copy_(eye)
        model.attention[0].out.weight.copy_(sign * eye)
    return model


def test_copying_score_of_planted_heads():
    assert (
        abs(float(copying_scores(_identity_model(+1.0))[0, 0]) - 1.0) < 1e-6
    )  # copies what it reads
    assert (
        abs(float(copying_scores(_identity_model(-1.0))[0, 0]) + 1.0) < 1e-6
    )  # suppresses what it reads
    rotate = _identity_model(+1.0)
    with torch.no_grad():  # a cyclic shift has eigenvalues spread round the unit circle: sum near 0
        rotate.unembed.weight.copy_(torch.roll(torch.eye(8), 1, dims=0))
    assert abs(float(copying_scores(rotate)[0, 0])) < 1e-6


def test_knocking_out_a_head_is_the_same_as_zeroing_its_values():
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(
        AttentionOnly(vocab_size=16, context=12, n_layer=2, n_head=4, n_embd=16)
    )
    tokens = torch.randint(0, 16, (3, 12))
    knocked = model(tokens, ablate=[(1, 2)])
    with torch.no_grad():  # head 2 of layer 2 reads values from rows 32 + 8..12 of qkv: zero them
        model.attention[1].qkv.weight[32 + 8 : 32 + 12] = 0.0
        model.attention[1].qkv.bias[32 + 8 : 32 + 12] = 0.0
    assert torch.allclose(knocked, model(tokens), atol=1e-6)
    with pytest.raises(ValueError, match="cannot ablate head"):
        model(tokens, ablate=[(2, 0)])


def test_formation_step_in_either_direction():
    assert formation_step([0, 10, 20, 30], [0.0, 0.1, 0.6, 1.0]) == 20
    assert formation_step([0, 10, 20, 30], [1.0, 0.9, 0.4, 0.0]) == 20
    with pytest.raises(ValueError, match="did not change"):
        formation_step([0, 10], [0.5, 0.5])


@pytest.mark.slow
def test_the_circuit_is_needed_and_forms_with_the_jump(runs):
    model, history = runs[2]
    data, recipe = default_setup(2)[1:]
    tokens = evaluation_tokens(data, recipe)
    intact = history.column("icl_score")[-1]
    prefix = prefix_matching_scores(model)
    strongest = divmod(int(prefix.argmax()), prefix.shape[1])
    inductive = [tuple(pair) for pair in torch.nonzero(prefix > 0.3).tolist()]
    assert all(layer == 1 for layer, _ in inductive), "induction heads sit in the second layer"
    every = icl_without(model, tokens, data, inductive) / intact
    alone = icl_without(model, tokens, data, [strongest]) / intact
    assert every < 0.3, "without its induction heads the model should lose most of its ICL score"
    assert alone > every + 0.3, (
        "one induction head alone is not the whole ability: the others stand in for it"
    )
    singles = icl_with_heads_ablated(model, tokens, data)
    assert float(singles[strongest]) == pytest.approx(alone * intact, abs=1e-5)
    curve = [row[strongest[0]][strongest[1]] for row in history.column("prefix_matching")]
    formed = formation_step(history.column("step"), curve)
    jumped = phase_change_step(history.column("step"), history.column("icl_score"))
    assert abs(formed - jumped) <= 0.1 * recipe.steps, (formed, jumped)
    assert history.column("copying")[-1][strongest[0]][strongest[1]] > 0.5, (
        "an induction head copies"
    )


@pytest.mark.slow
def test_check_knock_out(runs):
    model = runs[2][0]
    data, recipe = default_setup(2)[1:]
    tokens = evaluation_tokens(data, recipe)[:50]
    size = model.shape.n_embd // model.shape.n_head

    def knock_out(model, tokens, layer, head, shift=0):
        def zero_head(module, inputs):
            mixed = inputs[0].clone()
            mixed[
                ...,
                (head + shift) % model.shape.n_head * size : (
                    (head + shift) % model.shape.n_head + 1
                )
                * size,
            ] = 0.0
            return (mixed,)

        hook = model.attention[layer].out.register_forward_pre_hook(zero_head)
        try:
            with torch.no_grad():
                losses = torch.nn.functional.cross_entropy(
                    model(tokens)[:, :-1].transpose(1, 2), tokens[:, 1:], reduction="none"
                ).mean(0)
        finally:
            hook.remove()
        return float(losses[data.late_position] - losses[data.early_position])

    assert emergence.check_knock_out(knock_out, model, tokens, data)
    with pytest.raises(CheckFailed, match="expected"):
        emergence.check_knock_out(lambda *a: knock_out(*a, shift=1), model, tokens, data)
