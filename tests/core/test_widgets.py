import matplotlib

matplotlib.use("Agg")

import pytest

from emergent.core.widgets import explore


def draw(ax, alpha, length):
    ax.plot([0, 1], [0, alpha * length])


def test_static_output_draws_one_panel_per_combination(monkeypatch):
    monkeypatch.setenv("EMERGENT_STATIC", "1")
    fig = explore(draw, {"alpha": (0.1, 1.0, 0.1), "length": (1, 9)}, static={"alpha": [0.2, 0.5], "length": [1, 3, 5]})
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 6
    assert fig.axes[0].get_title() == "alpha = 0.2, length = 1"


def test_live_output_is_an_ipywidget(monkeypatch):
    import ipywidgets

    monkeypatch.delenv("EMERGENT_STATIC", raising=False)
    widget = explore(draw, {"alpha": (0.1, 1.0, 0.1), "length": (1, 9)}, static={"alpha": [0.2]})
    assert isinstance(widget, ipywidgets.interactive)
    assert {child.description for child in widget.children if hasattr(child, "description")} >= {"alpha", "length"}


def test_static_values_must_name_controls():
    with pytest.raises(ValueError, match="not among the controls"):
        explore(draw, {"alpha": (0.1, 1.0)}, static={"beta": [1]})
