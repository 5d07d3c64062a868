"""The two designs of training text learn the same world; a model trained on biographies can be edited."""

import random

import pytest
import torch

from emergent.knowledge import editing
from emergent.knowledge.fact_model import FactRecipe, context_length, recall, fact_model_run
from emergent.knowledge.knowledge_base import WorldConfig, make_knowledge_base

SMALL_WORLD = WorldConfig(n_entities=24, n_first=6, n_last=6, relations=("city", "job"))
BIOGRAPHIES = FactRecipe(
    n_layer=2,
    n_embd=32,
    n_head=4,
    steps=600,
    batch_size=32,
    learning_rate=5e-3,
    design="biographies",
)


def test_design_is_checked_and_context_fits_a_biography():
    with pytest.raises(ValueError, match="design"):
        FactRecipe(design="essays")
    kb = make_knowledge_base(SMALL_WORLD)
    longest = max(
        len(kb.biography(e, random.Random(s))[0]) for e in range(kb.n_entities) for s in range(5)
    )
    assert longest <= context_length(kb)


@pytest.mark.slow
def test_biographies_teach_the_facts_and_a_last_token_edit_rewrites_one():
    kb = make_knowledge_base(SMALL_WORLD)
    model, history = fact_model_run(SMALL_WORLD, BIOGRAPHIES)
    assert (
        recall(model, kb, kb.prompts()) >= 0.95
    )  # asked one sentence at a time, not in a biography
    layer = model.config.n_layer - 1
    editor = editing.Editor(model, kb, layer, position="last", text=kb.biographies())
    entity, relation, new = editing.choose_edits(model, kb, 1, seed=0)[0]
    delta_w = editor.rome_delta_w(entity, relation, new)
    assert torch.linalg.matrix_rank(delta_w, rtol=1e-4) == 1
    with editor.applied(delta_w):
        metrics = editing.evaluate_edit(model, kb, entity, relation, new)
    assert metrics["efficacy"] == 1.0 and metrics["same_subject"] >= 0.9
