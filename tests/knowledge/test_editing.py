"""Rank-one editing (ROME) and the fine-tuning baseline on a tiny model of a small synthetic world."""

import pytest
import torch

from emergent.knowledge import editing


def test_rank_one_update_hits_the_target():
    torch.manual_seed(0)
    W, k, v = torch.randn(8, 3), torch.randn(8), torch.randn(3)
    A = torch.randn(8, 8)
    C_inv = torch.linalg.inv(A @ A.T + torch.eye(8))
    delta = editing.rank_one_update(W, C_inv @ k, k, v)
    assert torch.linalg.matrix_rank(delta) == 1
    assert torch.allclose(k @ (W + delta), v, atol=1e-4)
    # keys "orthogonal" to k under C (C⁻¹k · k' = 0) are untouched
    other = torch.linalg.solve(C_inv, torch.randn(8))
    other = other - (C_inv @ k) @ other / ((C_inv @ k) @ (C_inv @ k)) * (C_inv @ k)
    assert torch.allclose(other @ delta, torch.zeros(3), atol=1e-4)
    with pytest.raises(ValueError, match="Shapes"):
        editing.rank_one_update(W, k, k, torch.randn(4))


def test_harmonic_mean():
    assert editing.harmonic_mean([1.0, 1.0]) == 1.0
    assert editing.harmonic_mean([1.0, 0.5]) == pytest.approx(2 / 3)
    assert editing.harmonic_mean([1.0, 0.0]) == 0.0
    with pytest.raises(ValueError):
        editing.harmonic_mean([])


@pytest.mark.slow
def test_rome_edit_changes_one_matrix_by_rank_one_and_succeeds(trained):
    kb, model, _ = trained
    layer = model.config.n_layer - 1  # tiny template-trained models look facts up at the last token
    editor = editing.Editor(model, kb, layer, position="last")
    entity, relation, new = editing.choose_edits(model, kb, 1, seed=1)[0]
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    delta_w = editor.rome_delta_w(entity, relation, new)
    assert torch.linalg.matrix_rank(delta_w, rtol=1e-4) == 1
    with editor.applied(delta_w):
        changed = [n for n, p in model.named_parameters() if not torch.equal(p, before[n])]
        assert changed == [f"transformer.h.{layer}.mlp.c_proj.weight"]
        metrics = editing.evaluate_edit(model, kb, entity, relation, new)
    assert metrics["efficacy"] == 1.0
    assert metrics["same_subject"] >= 0.9
    assert metrics["specificity"] >= 0.6  # neighbours share a name part in a 6 × 6 name pool
    # undone afterwards
    assert all(torch.equal(p, before[n]) for n, p in model.named_parameters())


@pytest.mark.slow
def test_fine_tuning_baseline_and_bad_input(trained):
    kb, model, _ = trained
    editor = editing.Editor(model, kb, 1)
    entity, relation, new = editing.choose_edits(model, kb, 1, seed=2)[0]
    delta_w = editor.fine_tune_delta_w(entity, relation, new, steps=30, learning_rate=1e-2)
    with editor.applied(delta_w):
        assert editing.evaluate_edit(model, kb, entity, relation, new)["efficacy"] == 1.0
    with pytest.raises(ValueError, match="Layer index"):
        editing.Editor(model, kb, 5)
    with pytest.raises(ValueError, match="Entity"):
        editor.rome_delta_w(999, "city", "oslo")
    with pytest.raises(ValueError, match="not an answer"):
        editor.rome_delta_w(0, "city", "doctor")
    with pytest.raises(ValueError, match="position"):
        editing.Editor(model, kb, 0, position="middle")
    subject_edit = editing.Editor(model, kb, 0).rome_delta_w(
        entity, relation, new
    )  # ROME's own site
    assert torch.linalg.matrix_rank(subject_edit, rtol=1e-4) == 1
    with pytest.raises(ValueError, match="method"):
        editing.run_edits(editor, [(0, "city", "oslo")], method="retrain")
