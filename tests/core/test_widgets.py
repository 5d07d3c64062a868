import matplotlib

matplotlib.use("Agg")

import base64
import json

import pytest

from emergent.core.widgets import MovingFigure, explore, frames, grid_figure


def draw(ax, alpha, length):
    ax.plot([0, 1], [0, alpha * length])


def test_the_grid_shows_every_frame_under_its_setting():
    images = frames(
        draw,
        {"alpha": (0.1, 1.0, 0.1), "length": (1, 9)},
        {"alpha": [0.2, 0.5], "length": [1, 3, 5]},
    )
    fig = grid_figure(images, {"alpha": [0.2, 0.5], "length": [1, 3, 5]})
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 6
    assert fig.axes[0].get_title() == "alpha = 0.2, length = 1"


def test_static_output_is_a_moving_figure_with_one_frame_per_setting_and_the_grid(monkeypatch):
    monkeypatch.setenv("EMERGENT_STATIC", "1")
    figure = explore(
        draw,
        {"alpha": (0.1, 1.0, 0.1), "length": (1, 9)},
        static={"alpha": [0.2, 0.5], "length": [1, 3, 5]},
        title="a line",
    )
    assert isinstance(figure, MovingFigure)
    assert sorted(figure.images) == [f"{i}|{j}" for i in range(2) for j in range(3)]
    assert len(set(figure.images.values())) == 6, "each setting draws its own picture"
    page = figure._repr_html_()
    assert page.count('class="frames-slider"') == 2 and 'max="1"' in page and 'max="2"' in page
    assert "frames-fallback" in page and figure.grid in page  # the grid for print and no JavaScript
    assert base64.b64decode(figure.grid)[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(page.split('class="frames-data">')[1].split("</script>")[0])
    assert data["labels"] == [["0.2", "0.5"], ["1", "3", "5"]]


def test_live_output_is_an_ipywidget(monkeypatch):
    import ipywidgets

    monkeypatch.delenv("EMERGENT_STATIC", raising=False)
    widget = explore(draw, {"alpha": (0.1, 1.0, 0.1), "length": (1, 9)}, static={"alpha": [0.2]})
    assert isinstance(widget, ipywidgets.interactive)
    assert {child.description for child in widget.children if hasattr(child, "description")} >= {
        "alpha",
        "length",
    }


def test_static_values_must_name_controls():
    with pytest.raises(ValueError, match="not among the controls"):
        explore(draw, {"alpha": (0.1, 1.0)}, static={"beta": [1]})
