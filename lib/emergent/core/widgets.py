"""Live controls in Jupyter and Colab, moving figures on the web site.

A widget needs a running kernel; the rendered site has none, and would show an empty box. So a
chapter describes an interactive figure once - a drawing function and its controls - and
:func:`explore` shows ipywidgets sliders when a reader runs the notebook. When the book is built
for the site it renders one image per chosen setting instead, and shows them under sliders that
run in the browser with no kernel (a few lines of JavaScript switch the image). The grid of all
the settings side by side (small multiples) stays in the same block: it is what a reader without
JavaScript sees, and what a printed page shows.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
from typing import Callable

import matplotlib.pyplot as plt

from emergent.core.plots import small_multiples
from emergent.core.profiles import static_output


def explore(
    draw: Callable[..., None],
    controls: dict,
    static: dict[str, list],
    columns: int = 3,
    title: str = "",
):
    """Show ``draw(ax, **values)`` under live controls, or as static small multiples.

    ``controls`` maps each argument of ``draw`` to an ipywidgets abbreviation, e.g.
    ``{"alpha": (0.1, 1.0, 0.05), "length": (1, 10)}`` or a list of options.
    ``static`` maps arguments to the values the static grid shows; arguments left out take the
    midpoint of their control. Returns the widget, or the static figure.
    """
    unknown = set(static) - set(controls)
    if unknown:
        raise ValueError(
            f"static values given for {sorted(unknown)}, which are not among the controls {sorted(controls)}."
        )
    if static_output():
        return moving_figure(draw, controls, static, columns, title)
    import ipywidgets

    out = ipywidgets.interactive(_draw_one(draw), **controls)
    from IPython.display import display

    display(out)
    return out


def _draw_one(draw):
    def show(**values):
        fig, ax = plt.subplots()
        draw(ax, **values)
        plt.show()

    return show


def _default(control):
    if isinstance(control, tuple) and len(control) >= 2:
        low, high = control[0], control[1]
        middle = (low + high) / 2
        return type(low)(middle) if isinstance(low, int) and isinstance(high, int) else middle
    if isinstance(control, (list, tuple)) and control:
        return control[0]
    return control


def _png(fig, dpi: int = 80) -> str:
    """The figure as a base64 PNG, closed afterwards (the frames are many, memory is not)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _label(value) -> str:
    return (
        f"{value:g}"
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else str(value)
    )


def frames(draw, controls: dict, static: dict[str, list]) -> dict[str, str]:
    """One PNG per setting of the static values: ``{"i|j|...": base64}``, indices into ``static``."""
    fixed = {name: _default(c) for name, c in controls.items() if name not in static}
    names = list(static)
    images = {}
    for indices in itertools.product(*(range(len(static[n])) for n in names)):
        fig, ax = plt.subplots(figsize=(5.6, 3.8))
        draw(ax, **fixed, **{n: static[n][i] for n, i in zip(names, indices)})
        images["|".join(map(str, indices))] = _png(fig)
    return images


# Runs once per page: every moving figure's sliders pick the frame named by their positions.
_SCRIPT = """<script>(function () {
  document.querySelectorAll(".emergent-frames:not([data-ready])").forEach(function (block) {
    var data = JSON.parse(block.querySelector("script.frames-data").textContent);
    var image = block.querySelector("img.frames-image"), sliders = block.querySelectorAll("input.frames-slider");
    function show() {
      var key = [];
      sliders.forEach(function (s, n) { key.push(s.value); s.nextElementSibling.textContent = data.labels[n][s.value]; });
      image.src = "data:image/png;base64," + data.frames[key.join("|")];
    }
    sliders.forEach(function (s) { s.addEventListener("input", show); });
    block.querySelector(".frames-live").style.display = "block";
    block.querySelector(".frames-fallback").style.display = "none";
    block.setAttribute("data-ready", "1");
    show();
  });
})();</script>"""
_STYLE = (
    "<style>.emergent-frames .frames-live{display:none}.emergent-frames label{margin-right:1.5em}"
    ".emergent-frames img{max-width:100%}"
    "@media print{.emergent-frames .frames-live{display:none!important}"
    ".emergent-frames .frames-fallback{display:block!important}}</style>"
)


class MovingFigure:
    """Sliders over pre-rendered frames, for a page without a kernel; the grid is its fallback."""

    def __init__(self, static: dict[str, list], images: dict[str, str], grid: str, title: str = ""):
        self.static, self.images, self.grid, self.title = static, images, grid, title

    def _repr_html_(self) -> str:
        names = list(self.static)
        start = [len(self.static[n]) // 2 for n in names]
        sliders = "".join(
            f'<label>{html.escape(n)} <input class="frames-slider" type="range" min="0" max="{len(self.static[n]) - 1}" '
            f'step="1" value="{i}" aria-label="{html.escape(n)}"> <output>{html.escape(_label(self.static[n][i]))}</output>'
            f"</label>"
            for n, i in zip(names, start)
        )
        data = json.dumps(
            {"frames": self.images, "labels": [[_label(v) for v in self.static[n]] for n in names]}
        )
        first = self.images["|".join(map(str, start))]
        caption = f"<p><strong>{html.escape(self.title)}</strong></p>" if self.title else ""
        return (
            f'{_STYLE}<div class="emergent-frames">{caption}'
            f'<div class="frames-live"><div class="frames-controls">{sliders}</div>'
            f'<img class="frames-image" alt="{html.escape(self.title or "figure")}" src="data:image/png;base64,{first}"></div>'
            f'<div class="frames-fallback"><img alt="every setting side by side" src="data:image/png;base64,{self.grid}"></div>'
            f'<script type="application/json" class="frames-data">{data}</script></div>{_SCRIPT}'
        )

    def _repr_png_(self):  # where HTML is not shown (a plain notebook viewer), the grid
        return base64.b64decode(self.grid)


def moving_figure(
    draw, controls: dict, static: dict[str, list], columns: int = 3, title: str = ""
) -> MovingFigure:
    """Frames for the browser's sliders, and the grid of all of them; displayed, and returned."""
    from IPython.display import display

    images = frames(draw, controls, static)
    figure = MovingFigure(
        static, images, _png(grid_figure(images, static, columns, title), dpi=100), title
    )
    display(figure)
    return figure


def _setting(names, values) -> str:
    return ", ".join(f"{n} = {_label(v)}" for n, v in zip(names, values))


def grid_figure(images: dict[str, str], static: dict[str, list], columns: int = 3, title: str = ""):
    """Every frame side by side, each under its setting: the fallback for print and no JavaScript.

    Made from the frames themselves, so the grid shows exactly what the sliders show and nothing is
    drawn twice.
    """
    import matplotlib.image

    names = list(static)
    settings = list(itertools.product(*(range(len(static[n])) for n in names)))
    fig, axes = small_multiples(len(settings), columns=columns, width=4.2, height=3.0)
    for ax, indices in zip(axes, settings):
        picture = matplotlib.image.imread(
            io.BytesIO(base64.b64decode(images["|".join(map(str, indices))])), format="png"
        )
        ax.imshow(picture)
        ax.set_axis_off()
        ax.set_title(_setting(names, [static[n][i] for n, i in zip(names, indices)]), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
