"""The chapter's figures draw what they say: the interval's ends and slices, one bar per compressor."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from emergent.compression import arithmetic_coding as ac
from emergent.compression import figures

TABLE = [1, 1, 2]
MESSAGE = [2, 0, 1]


def test_the_interval_is_labelled_with_its_ends_and_sliced_by_the_table():
    trace = ac.interval_trace(MESSAGE, TABLE)
    fig, ax = plt.subplots()
    figures.draw_interval(ax, trace, MESSAGE, TABLE, step=1)  # after "c": [0.5, 1)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.5000", "1.0000"]
    bars = ax.patches  # the background, then one slice per symbol
    assert [round(b.get_width(), 6) for b in bars] == [1, 0.25, 0.25, 0.5]
    assert [b.get_alpha() for b in bars[1:]] == [0.85, 0.3, 0.3]  # the next symbol is "a"
    plt.close(fig)


def test_the_last_step_has_no_next_symbol_and_a_bad_step_is_refused():
    trace = ac.interval_trace(MESSAGE, TABLE)
    fig, ax = plt.subplots()
    figures.draw_interval(ax, trace, MESSAGE, TABLE, step=len(MESSAGE))
    assert len(ax.patches) == 1
    with pytest.raises(ValueError, match="step must lie"):
        figures.draw_interval(ax, trace, MESSAGE, TABLE, step=len(MESSAGE) + 1)
    plt.close(fig)


def test_the_bar_chart_has_one_bar_per_compressor(monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()))
    figures.bar_chart(
        {"xz -9e": 2.0, "tiny GPT-2 + range coder": 1.5, "entropy (the limit)": 1.3}, "title"
    )
    (ax,) = shown[0].axes
    assert [round(b.get_width(), 3) for b in ax.patches] == [2.0, 1.5, 1.3]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "xz -9e",
        "tiny GPT-2 + range coder",
        "entropy (the limit)",
    ]
    plt.close(shown[0])
    with pytest.raises(ValueError, match="at least one"):
        figures.bar_chart({}, "empty")
