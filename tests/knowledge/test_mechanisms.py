"""Knockout, sparse probing, mass editing, localisation, capacity and attribution, each on a case whose
answer is known: a planted neuron, a planted least-squares problem, a planted influential sentence."""

import numpy as np
import pytest
import torch

from emergent.core.seeding import seed_everything
from emergent.knowledge import attribution, capacity, knockout, localisation, mass_editing, neurons
from emergent.knowledge.logit_lens import first_confident_layer, recall_stages
from emergent.knowledge.knowledge_base import WorldConfig, make_knowledge_base


# --- attention knockout -------------------------------------------------------------------------


def test_the_knockout_mask_is_causal_and_cuts_only_the_last_tokens_edges():
    mask = knockout.knockout_mask(4, [1, 2])[0, 0]
    assert torch.isinf(mask[3, [1, 2]]).all() and mask[3, 0] == 0 and mask[3, 3] == 0
    assert torch.isinf(mask.triu(1)[mask.triu(1) != 0]).all()  # the future is never visible
    assert (mask[:3].tril() == 0).all()  # earlier tokens keep all their edges
    with pytest.raises(ValueError, match="only backwards"):
        knockout.knockout_mask(3, [3])
    with pytest.raises(ValueError, match="nothing to normalise"):
        knockout.knockout_mask(2, [0, 1])
    assert knockout.windows(4, 1) == [[0], [1], [2], [3]] and knockout.windows(4, 2)[0] == [0, 1]


def test_cutting_every_earlier_edge_in_every_layer_makes_the_last_token_blind_to_the_prompt(
    trained,
):
    kb, model, _ = trained
    seed_everything(0)
    a, b = kb.prompt(0, kb.templates_for("city")[0]), kb.prompt(1, kb.templates_for("city")[0])
    assert a.ids[-1] == b.ids[-1] and a.ids != b.ids  # same last word, different people
    everything = list(range(len(a.ids) - 1))
    layers = range(model.config.n_layer)
    cut_a = knockout.answer_probability(model, a.ids, a.answer, everything, layers)
    cut_b = knockout.answer_probability(model, b.ids, a.answer, everything, layers)
    assert cut_a == pytest.approx(cut_b, abs=1e-6)  # nothing of the name reaches it any more
    clean = knockout.answer_probability(model, a.ids, a.answer)
    assert clean == pytest.approx(
        knockout.answer_probability(model, a.ids, a.answer, [], layers), abs=1e-6
    )
    assert abs(clean - cut_a) > 0.01
    profile = knockout.knockout_profile(model, [a, b])
    assert profile.subject.shape == (2, model.config.n_layer)


# --- sparse probing ------------------------------------------------------------------------------


def test_a_planted_neuron_is_found_and_a_spread_feature_needs_several():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 40))
    labels = rng.random(600) < 0.5
    planted = x.copy()
    planted[:, 7] = labels + 0.05 * rng.normal(size=600)
    assert neurons.rank_neurons(planted, labels)[0] == 7
    f1_one, chosen = neurons.sparse_probe(
        planted[:400], labels[:400], planted[400:], labels[400:], 1
    )
    assert list(chosen) == [7] and f1_one > 0.95
    spread = x.copy()
    signal = labels.astype(float) - 0.5
    for n in (3, 11, 19, 27):  # each neuron carries a weak share of the feature
        spread[:, n] = signal + 0.8 * rng.normal(size=600)
    curve = neurons.probe_curve(spread[:400], labels[:400], spread[400:], labels[400:], ks=(1, 4))
    assert curve[1] > curve[0] + 0.05
    with pytest.raises(ValueError, match="both classes"):
        neurons.rank_neurons(x, np.ones(600, dtype=bool))


# --- editing many facts ---------------------------------------------------------------------------


def test_the_batch_update_writes_the_residuals_and_alphaedit_spares_the_ordinary_keys():
    rng = np.random.default_rng(1)
    keys, residual = rng.normal(size=(3, 8)), rng.normal(size=(3, 4))
    delta = mass_editing.mass_update(keys, residual, 1e-9 * np.eye(8)).numpy()
    assert np.allclose(
        keys @ delta, residual, atol=1e-5
    )  # no preservation: the edits are written exactly
    assert np.abs(mass_editing.mass_update(keys, residual, 1e6 * np.eye(8)).numpy()).max() < 1e-4
    basis = np.linalg.qr(rng.normal(size=(8, 8)))[0]
    used, unused = basis[:, :5], basis[:, 5:]  # ordinary keys live in the first five directions
    C = used @ np.diag([5.0, 4.0, 3.0, 2.0, 1.0]) @ used.T
    P = mass_editing.null_space_projection(C, share=0.1).numpy()
    assert np.allclose(P, unused @ unused.T, atol=1e-8)
    edit_keys = rng.normal(size=(2, 8))
    change = mass_editing.null_space_update(edit_keys, residual[:2], P).numpy()
    ordinary = rng.normal(size=(10, 5)) @ used.T
    assert np.allclose(ordinary @ change, 0, atol=1e-8)
    assert np.allclose(edit_keys @ change, residual[:2], atol=1e-3)


@pytest.mark.slow
def test_memit_edits_a_batch_of_facts(trained):
    from emergent.knowledge.editing import choose_edits

    kb, model, _ = trained
    edits = choose_edits(model, kb, 4, seed=3)
    editor = mass_editing.MassEditor(model, kb, [0, 1], position="last")
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    with editor.applied(editor.updates(edits, "memit", progress=False)):
        result = mass_editing.evaluate_batch(model, kb, edits)["summary"]
    assert result["efficacy"] >= 0.75 and result["same_subject"] >= 0.5
    assert all(torch.equal(p, before[n]) for n, p in model.named_parameters())  # undone
    with pytest.raises(ValueError, match="increasing"):
        mass_editing.MassEditor(model, kb, [1, 0])


# --- localisation, two stages, capacity ----------------------------------------------------------


def test_localisation_gain_is_what_the_tracing_effect_adds_to_the_layer():
    rng = np.random.default_rng(2)
    tracing = rng.random((30, 4))
    by_layer = np.tile([0.9, 0.6, 0.3, 0.0], (30, 1))
    assert (
        localisation.localisation_gain(tracing, by_layer + 0.01 * rng.normal(size=(30, 4)))["gain"]
        < 0.01
    )
    driven = by_layer + tracing
    result = localisation.localisation_gain(tracing, driven)
    assert result["layer_and_tracing"] == pytest.approx(1.0) and result["gain"] > 0.1
    assert localisation.rewrite_score(0.2, 0.6) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="probabilities"):
        localisation.rewrite_score(0.2, 1.5)


def test_recall_stages_read_promotion_then_boosting_off_a_lens():
    assert recall_stages([5, 0, 0, 0], [0.01, 0.2, 0.45, 0.9]) == (1, 3)
    assert first_confident_layer([0.9, 0.4, 0.8]) == 2
    assert recall_stages([3, 2, 1], [0.1, 0.2, 0.3]) == (-1, -1)


def test_bits_per_fact_count_what_a_model_has_learned(trained):
    kb, model, _ = trained
    bits = capacity.fact_bits(model, kb)
    assert len(bits) == kb.n_entities * len(kb.relations)
    assert (bits >= 0).all() and bits.sum() <= capacity.world_bits(kb) + 1e-6
    assert bits.mean() > 0.5 * capacity.world_bits(kb) / len(
        bits
    )  # a trained model knows most of its world
    assert capacity.bits_learned([0.125, 1.0], [8, 8]) == pytest.approx(3.0)
    assert capacity.steps_for_exposures(kb, 100, 64) == int(np.ceil(100 * 48 / 64))
    table = capacity.bits_by_relation(
        bits, kb
    )  # rows are relations: each matches that relation alone
    for row, relation in zip(table, kb.relations):
        np.testing.assert_allclose(row, capacity.fact_bits(model, kb, [relation]), atol=1e-4)
    with pytest.raises(ValueError, match="one value per fact"):
        capacity.bits_by_relation(bits[:-1], kb)


# --- attribution ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_tracin_ranks_planted_sentences_near_the_top():
    # Five facts are each stated by one training sentence only, and asked with another template.
    # One planted sentence's rank among ~370 moves by several places between CPUs (AVX-512 and AVX2
    # kernels sum in different orders, and 400 steps of training carry the difference into the
    # weights), and a single fact can rank low (another person living in the same city shares the
    # answer's gradient). So the test asks for the median fact: its planted sentence must outrank
    # 80% of the others. Measured on both kernels and three seeds, the median is 0.96 to 0.99;
    # chance is 0.5.
    seed_everything(0)
    kb = make_knowledge_base(
        WorldConfig(n_entities=16, n_first=5, n_last=5, relations=("city", "job"))
    )
    facts = [(entity, "city") for entity in (1, 4, 7, 10, 13)]
    planted = [kb.prompt(entity, kb.templates_for(relation)[0]) for entity, relation in facts]
    sentences = [p for p in kb.prompts() if (p.entity, p.relation) not in facts] + planted
    model, checkpoints = attribution.train_small(
        kb, attribution.SmallRecipe(steps=400, checkpoints=2), sentences, progress=False
    )
    questions = [kb.prompt(entity, kb.templates_for(relation)[1]) for entity, relation in facts]
    scores = attribution.tracin_scores(model, checkpoints, kb, sentences, questions, progress=False)
    first_planted = len(sentences) - len(facts)
    outranked = [
        float((scores[:, j] < scores[first_planted + j, j]).mean()) for j in range(len(facts))
    ]
    assert np.median(outranked) > 0.8, outranked


def test_precision_counts_the_facts_own_sentences_among_the_top_scores():
    kb = make_knowledge_base(
        WorldConfig(n_entities=6, n_first=3, n_last=3, relations=("city", "job"))
    )
    prompts = kb.prompts(held_out=False)
    own = np.array([(p.entity, p.relation) == (2, "job") for p in prompts])
    scores = own.astype(float)  # a perfect attribution ranks exactly the fact's own sentences first
    assert attribution.precision_at_own(scores, prompts, (2, "job")) == 1.0
    assert attribution.precision_at_own(-scores, prompts, (2, "job")) == 0.0
    with pytest.raises(ValueError, match="no training sentence"):
        attribution.precision_at_own(scores, prompts, (99, "job"))


def test_the_probe_split_keeps_each_person_on_one_side():
    kb = make_knowledge_base(
        WorldConfig(n_entities=20, n_first=5, n_last=5, relations=("city", "job"))
    )
    prompts = kb.prompts(held_out=False)
    test = neurons.split_by_entity(prompts, test_share=0.3, seed=1)
    tested = {p.entity for p, t in zip(prompts, test) if t}
    assert len(tested) == 6 and not tested & {p.entity for p, t in zip(prompts, test) if not t}
