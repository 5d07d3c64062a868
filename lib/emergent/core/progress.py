"""Progress bars: a live bar where a reader runs the code, none on the rendered site.

In Jupyter and Colab, ``tqdm.auto`` draws an ipywidgets bar; in a terminal, a text bar. The web
site has no kernel behind it, so a widget bar would be an empty box there (and text bars would
fill the page with intermediate states): while the book is built for the site the bar is off.
"""

from __future__ import annotations

from tqdm import std
from tqdm.auto import tqdm as auto_tqdm

from emergent.core.profiles import static_output


def progress_bar(iterable=None, **options):
    """``tqdm(iterable, **options)``, switched off while the site is being built."""
    if static_output():
        return std.tqdm(iterable, **{**options, "disable": True})
    return auto_tqdm(iterable, **options)
