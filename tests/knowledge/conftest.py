"""A small world and a tiny model that has learned it, shared by the knowledge tests (trained once per test run)."""

import pytest

from emergent.knowledge.fact_model import FactRecipe, fact_model_run
from emergent.knowledge.knowledge_base import WorldConfig, make_knowledge_base

SMALL_WORLD = WorldConfig(n_entities=24, n_first=6, n_last=6, relations=("city", "job"))
SMALL_RECIPE = FactRecipe(
    n_layer=2, n_embd=32, n_head=4, steps=300, batch_size=64, learning_rate=5e-3
)


@pytest.fixture(scope="session")
def trained():
    """``(knowledge base, model, history)`` of a 2-layer GPT-2 trained on the small world."""
    return (make_knowledge_base(SMALL_WORLD), *fact_model_run(SMALL_WORLD, SMALL_RECIPE))
