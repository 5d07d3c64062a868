import pytest

from emergent.core.models import TinyGPT2
from emergent.scaling import flops
from emergent.scaling.isoflop import isoflop_grid


def test_flop_count_matches_a_hand_count():
    # One block of width 4, 256 symbols, 64 positions. Per token, forward, a multiply-add = 2 FLOPs:
    #   blocks: QKV 3*4*4 + projection 4*4 + MLP 4*16 + 16*4 = 192 weights -> 384
    #   attention over 64 keys: scores 64*4 + weighted values 64*4 = 512 multiply-adds -> 1024
    #   unembedding: 4*256 = 1024 multiply-adds -> 2048
    shape = TinyGPT2(vocab_size=256, n_positions=64, n_layer=1, n_head=1, n_embd=4)
    assert flops.forward_flops_per_token(shape) == {
        "blocks": 384,
        "attention_context": 1024,
        "unembedding": 2048,
    }
    assert flops.training_flops_per_token(shape) == 3 * (384 + 1024 + 2048)
    # 6 N counts only the blocks, here a ninth of the true cost
    assert flops.training_flops_per_token(shape) / (
        6 * flops.block_weights(shape)
    ) == pytest.approx(9.0)


def test_total_parameters_count_the_tables_once():
    shape = TinyGPT2(vocab_size=256, n_positions=64, n_layer=1, n_head=1, n_embd=4)
    tables = 256 * 4 + 64 * 4  # token table (tied with the unembedding) and position table
    assert flops.total_parameters(shape) > tables + flops.block_weights(
        shape
    )  # plus biases and norms
    assert flops.total_parameters(shape) < tables + flops.block_weights(shape) + 100


def test_bad_context_and_accounting_are_refused():
    with pytest.raises(ValueError, match="context"):
        flops.forward_flops_per_token(TinyGPT2(), context=0)
    with pytest.raises(ValueError, match="kaplan, true"):
        isoflop_grid("chinchilla")


def test_true_budgets_are_the_kaplan_ones_scaled_by_the_stated_factor():
    from emergent.scaling.isoflop import TRUE_BUDGET_FACTOR

    kaplan, true = isoflop_grid("kaplan"), isoflop_grid("true")
    assert [c * TRUE_BUDGET_FACTOR for c in kaplan] == list(true)
    assert list(kaplan.values()) == list(true.values())


def test_isoflop_exponent_recovers_the_exponent_of_synthetic_valleys():
    import numpy as np

    from emergent.scaling.laws import isoflop_exponent

    rows = []
    for c in (1e10, 1e11, 1e12):
        best = 1e-2 * c**0.5  # the optimum grows as C^0.5
        for n in best * np.array([0.25, 0.5, 1.0, 2.0, 4.0]):
            rows.append(
                {"compute": c, "N": n, "D": c / (6 * n), "loss": 1.0 + 0.1 * np.log(n / best) ** 2}
            )
    fit = isoflop_exponent(rows)
    assert fit["a"] == pytest.approx(0.5, abs=1e-6) and all(fit["bracketed"])
    assert fit["tokens_per_parameter"] == pytest.approx(
        np.exp(np.mean(np.log(fit["D_opt"] / fit["N_opt"])))
    )
    assert len(fit["a_refits"]) == 5**3 and fit["a_refits"].min() <= 0.5 <= fit["a_refits"].max()
    with pytest.raises(ValueError, match="at least 2 budgets"):
        isoflop_exponent(rows[:5])
