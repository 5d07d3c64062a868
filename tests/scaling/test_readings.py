"""The scaling chapter's readings, on losses and sweeps constructed by hand (no training)."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from emergent.scaling import flops
from emergent.scaling.family import non_embedding_parameters
from emergent.scaling.isoflop import text_shape
from emergent.scaling.readings import (
    flop_rows,
    flop_table,
    isoflop_profiles,
    loss_drops,
    plot_isoflop_curves,
    plot_isoflop_profiles,
)
from emergent.scaling.text_data import TextData


def test_loss_drops_finds_the_knee():
    # steady small steps, then two big ones: 2.0 -> 1.8 -> 1.6 -> 0.4 -> 0.1
    drops = loss_drops([2.0, 1.8, 1.6, 0.4, 0.1])
    assert drops.factors == pytest.approx([2.0 / 1.8, 1.8 / 1.6, 4.0, 4.0])
    assert drops.largest_two == [2, 3]
    assert drops.share == pytest.approx(math.log(16) / math.log(20))
    with pytest.raises(ValueError, match="at least 3"):
        loss_drops([1.0, 0.5])
    with pytest.raises(ValueError, match="positive"):
        loss_drops([1.0, 0.0, 0.5])


def sweep():
    """Two budgets; the first has its valley at N = 100 (inside), the second falls to the edge."""
    rows = []
    for n, loss in ((10, 2.0), (100, 1.0), (1000, 2.0)):
        rows.append({"compute": 1e6, "N": n, "N_total": 2 * n, "loss": loss})
    for n, loss in ((10, 3.0), (100, 2.0), (1000, 1.0)):
        rows.append({"compute": 1e7, "N": n, "N_total": 2 * n, "loss": loss})
    return rows


def test_isoflop_profiles_fit_each_budget():
    first, second = isoflop_profiles(sweep())
    assert first.compute == 1e6 and first.best_size == pytest.approx(100)
    assert first.bracketed and first.best_loss == pytest.approx(1.0)
    assert first.best_tokens == pytest.approx(1e6 / 600)
    assert second.best_size == pytest.approx(1000) and not second.bracketed  # no valley: the edge
    assert isoflop_profiles(sweep(), size="N_total")[0].best_size == pytest.approx(200)
    with pytest.raises(ValueError, match="no runs"):
        isoflop_profiles([])


def test_plots_draw_one_series_per_budget():
    fig, (left, right) = plt.subplots(1, 2)
    plot_isoflop_profiles(left, isoflop_profiles(sweep()))
    plot_isoflop_curves(right, sweep(), "N")
    assert len(left.lines) == 6  # points, parabola and star per budget
    assert [line.get_xdata().tolist() for line in right.lines] == [[10, 100, 1000]] * 2
    plt.close(fig)


def test_flop_rows_split_the_true_count_by_part():
    data = TextData()
    (row,) = flop_rows([(2, 16)], data)
    shape = text_shape(2, 16, data)
    assert row["size"] == "2x16"
    assert row["six_n"] == 6 * non_embedding_parameters(shape)
    assert row["blocks"] + row["attention_context"] + row["unembedding"] == row["true"]
    assert row["true"] == flops.training_flops_per_token(shape)
    table = flop_table([row]).splitlines()
    assert (
        len(table) == 2
        and table[1].startswith("2x16")
        and table[1].endswith(f"{row['true'] / row['six_n']:.1f}")
    )


def test_exact_match_over_training_draws_one_line_per_member():
    import matplotlib.pyplot as plt

    from emergent.core.training import History
    from emergent.scaling.readings import plot_exact_match_over_training

    def member(rise_at):
        history = History(losses=[1.0])
        history.evaluations = [
            {"step": s, "exact_5": float(s >= rise_at)} for s in range(0, 1001, 100)
        ]
        return (None, None, history)

    fig, ax = plt.subplots()
    plot_exact_match_over_training(ax, [member(300), member(800)], ["1x8", "2x16"], 5)
    assert [line.get_label() for line in ax.lines] == ["1x8", "2x16"]
    with pytest.raises(KeyError, match="exact_7"):
        plot_exact_match_over_training(ax, [member(300)], ["1x8"], 7)
    with pytest.raises(ValueError, match="one name per member"):
        plot_exact_match_over_training(ax, [member(300)], [], 5)
    plt.close(fig)


def test_late_changes_flag_the_run_of_one_seed_that_is_still_falling():
    import numpy as np

    from emergent.core.models import TinyGPT2
    from emergent.core.training import History
    from emergent.scaling.readings import late_changes, member_names

    def run(width, drop_at):
        history = History(losses=[1.0])
        history.evaluations = [
            {"step": s, "loss": 2.0 if s < drop_at else 0.1} for s in range(0, 1001, 100)
        ]
        return (TinyGPT2(n_layer=2, n_head=width // 4, n_embd=width), None, history)

    families = {0: [run(8, 300), run(16, 200)], 1: [run(8, 1000), run(16, 300)]}
    late = late_changes(families)
    assert late.shape == (2, 2)
    assert np.array_equal(late > 0.05, [[False, False], [True, False]])
    assert member_names(families[0]) == ["2x8", "2x16"]
