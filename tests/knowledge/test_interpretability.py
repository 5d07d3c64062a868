"""Parameter shares, the logit lens, causal tracing and key-value memories, on GPT-2s built from a
configuration (random weights: no download) and on a tiny model trained on the synthetic world."""

import numpy as np
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from emergent.knowledge import logit_lens, memories, parameters, tracing
from emergent.knowledge.fact_model import FactRecipe, recall, fact_model_run
from emergent.knowledge.knowledge_base import WorldConfig, make_knowledge_base

SMALL_WORLD = WorldConfig(n_entities=24, n_first=6, n_last=6, relations=("city", "job"))
SMALL_RECIPE = FactRecipe(
    n_layer=2, n_embd=32, n_head=4, steps=300, batch_size=64, learning_rate=5e-3
)


@pytest.fixture(scope="module")
def random_gpt2():
    torch.manual_seed(0)
    return GPT2LMHeadModel(
        GPT2Config(n_layer=3, n_embd=32, n_head=4, vocab_size=50, n_positions=16)
    ).eval()


@pytest.fixture(scope="module")
def trained():
    return (make_knowledge_base(SMALL_WORLD), *fact_model_run(SMALL_WORLD, SMALL_RECIPE))


def test_parameter_share_counts_match_formula(random_gpt2):
    counted = parameters.parameter_share(random_gpt2)
    computed = parameters.parameter_share(random_gpt2.config)
    for key in ("attention", "mlp", "layer_norm", "embeddings", "total"):
        assert counted[key] == computed[key]
    assert counted["total"] == sum(p.numel() for p in random_gpt2.parameters())
    d = 32
    assert parameters.block_parameters(d) == {
        "attention": 4 * d * d + 4 * d,
        "mlp": 8 * d * d + 5 * d,
        "layer_norm": 4 * d,
    }
    xl = parameters.parameter_share(parameters.published_config("gpt2-xl"))
    assert 0.66 < xl["mlp_share"] < 0.67  # two thirds, as the seed says
    assert abs(xl["total"] - 1_557_611_200) < 1e6  # GPT-2 XL's 1.56 billion parameters
    with pytest.raises(TypeError):
        parameters.parameter_share("gpt2")
    with pytest.raises(ValueError):
        parameters.published_config("gpt5")


def test_logit_lens_ends_at_the_model_output(random_gpt2):
    ids = torch.tensor([1, 5, 7, 9])
    lens = logit_lens.logit_lens(random_gpt2, ids, answer=3)
    assert lens["probability"].shape == (4,)  # embeddings + 3 blocks
    final = random_gpt2(input_ids=ids[None]).logits[0, -1].softmax(-1)[3]
    assert np.isclose(lens["probability"][-1], float(final.detach()), atol=1e-5)
    assert logit_lens.first_top1_layer([3, 0, 0, 0]) == 1
    assert logit_lens.first_top1_layer([0, 2, 0, 0]) == 2
    assert logit_lens.first_top1_layer([0, 0, 1]) == -1


def test_tracing_zero_noise_and_full_restoration(random_gpt2):
    ids = torch.tensor([1, 5, 7, 9, 11])
    quiet = tracing.causal_trace(random_gpt2, ids, range(1, 3), answer=4, noise=0.0, samples=2)
    assert np.allclose(quiet.indirect_effect, 0.0, atol=1e-6)
    assert abs(quiet.total_effect) < 1e-6
    loud = tracing.causal_trace(random_gpt2, ids, range(1, 3), answer=4, noise=1.0, samples=3)
    # restoring the last layer's output at the last position restores the clean prediction exactly
    assert np.isclose(loud.restored[-1, -1], loud.clean, atol=1e-5)
    # restoring a position before the subject changes nothing (it never saw the noise)
    assert np.allclose(loud.restored[:, 0], loud.corrupted, atol=1e-5)
    for kind in ("mlp", "attn"):
        trace = tracing.causal_trace(
            random_gpt2, ids, range(1, 3), answer=4, noise=1.0, kind=kind, samples=2, window=2
        )
        assert trace.restored.shape == (3, 5)


def test_bad_input_is_refused(random_gpt2):
    ids = torch.tensor([1, 2, 3])
    with pytest.raises(ValueError, match="subject"):
        tracing.causal_trace(random_gpt2, ids, range(2, 5), answer=1, noise=1.0)
    with pytest.raises(ValueError, match="kind"):
        tracing.causal_trace(random_gpt2, ids, range(0, 1), answer=1, noise=1.0, kind="ffn")
    with pytest.raises(ValueError, match="Layer index"):
        memories.value_tokens(random_gpt2, 3, 0)
    with pytest.raises(ValueError, match="answer"):
        logit_lens.logit_lens(random_gpt2, ids, answer=999)
    with pytest.raises(TypeError):
        logit_lens.logit_lens(torch.nn.Linear(2, 2), ids, answer=1)


@pytest.mark.slow
def test_trained_model_knows_and_tracing_finds_the_subject(trained):
    kb, model, history = trained
    assert history.extras["recall_train"] > 0.95
    assert recall(model, kb, kb.prompts()) == pytest.approx(history.extras["recall_train"])
    noise = tracing.embedding_noise_scale(model, [i for n in kb.names for i in kb.encode(list(n))])
    p = kb.prompts()[0]
    trace = tracing.causal_trace(model, p.ids, p.subject, p.answer, noise=noise, samples=5)
    assert trace.total_effect > 0.3  # corrupting the name destroys the fact
    # Known at the end, not at the embeddings, over every fact (one fact's rank at the embeddings
    # only says whether its answer happens to be its relation's commonest one).
    ranks = np.array([logit_lens.logit_lens(model, q.ids, q.answer)["rank"] for q in kb.prompts()])
    assert np.mean(ranks[:, -1] == 0) >= 0.95, ranks[:, -1]
    assert np.mean(ranks[:, 0] == 0) <= 0.5, ranks[:, 0]  # about 1 in the answers per relation


@pytest.mark.slow
def test_memory_agreement_above_chance(trained):
    kb, model, _ = trained
    sentences = kb.training_sentences()
    lengths = torch.tensor([len(s) for s in sentences])
    ids = torch.full((len(sentences), int(lengths.max())), kb.pad_id)
    for row, s in enumerate(sentences):
        ids[row, : len(s)] = torch.tensor(s)
    result = memories.memory_agreement(model, model.config.n_layer - 1, ids, lengths)
    assert 0 <= result["chance"] <= result["agreement"] <= 1
