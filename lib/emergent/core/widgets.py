"""Live controls in Jupyter and Colab, static figures on the web site.

A widget needs a running kernel; the rendered site has none, and would show an empty box. So a
chapter describes an interactive figure once - a drawing function and its controls - and
:func:`explore` shows ipywidgets sliders when a reader runs the notebook, or a grid of static
panels (small multiples over chosen values) when the book is built for the site.
"""

from __future__ import annotations

import itertools
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
        raise ValueError(f"static values given for {sorted(unknown)}, which are not among the controls {sorted(controls)}.")
    if static_output():
        return _static_grid(draw, controls, static, columns, title)
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


def _static_grid(draw, controls, static, columns, title):
    fixed = {name: _default(c) for name, c in controls.items() if name not in static}
    names = list(static)
    combos = list(itertools.product(*(static[n] for n in names)))
    fig, axes = small_multiples(len(combos), columns=columns)
    for ax, combo in zip(axes, combos):
        values = {**fixed, **dict(zip(names, combo))}
        draw(ax, **values)
        setting = ", ".join(f"{n} = {v:g}" if isinstance(v, (int, float)) else f"{n} = {v}" for n, v in zip(names, combo))
        # Keep what the drawing says about itself, under the setting that made it, unless it already
        # names every value of the setting.
        own = ax.get_title()
        if own and all(f"{v:g}" in own if isinstance(v, (int, float)) else str(v) in own for v in combo):
            ax.set_title(own, fontsize=9)
        else:
            ax.set_title(f"{setting}\n{own}" if own else setting, fontsize=8 if own else 9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    plt.show()
    return fig
