"""Sphinx extension: every figure of a code cell carries the cell's description as alt text.

A chapter describes the figures a cell draws in the cell's metadata, as MyST-NB reads it::

    ```{code-cell} ipython3
    ---
    mystnb:
      image:
        alt: Test loss against model size, both on log scales ... Notice whether ...
    ---

MyST-NB gives that text to the images it renders from the cell's PNG outputs. A figure with sliders
(``emergent.core.widgets.explore``) is an HTML output with its own ``<img>`` tags; this extension
writes the same description into them, so that a screen reader gets it from every figure alike.
"""

from __future__ import annotations

import html
import re

from docutils import nodes
from sphinx.transforms import SphinxTransform

IMG_ALT = re.compile(r'(<img\b[^>]*?\balt=")[^"]*(")')


def cell_alt(cell: nodes.Element) -> str:
    """The description a code cell's metadata gives its figures ("" if none)."""
    metadata = cell.get("cell_metadata") or {}
    return str(((metadata.get("mystnb") or {}).get("image") or {}).get("alt") or "")


def with_alt(markup: str, alt: str) -> str:
    """HTML with every ``<img>``'s alt text replaced by ``alt``."""
    escaped = html.escape(alt)
    return IMG_ALT.sub(lambda match: match[1] + escaped + match[2], markup)


class DescribeFigures(SphinxTransform):
    default_priority = 500

    def apply(self, **kwargs) -> None:
        for cell in self.document.findall(nodes.container):
            if cell.get("nb_element") != "cell_code" or not cell_alt(cell):
                continue
            alt = cell_alt(cell)
            for image in cell.findall(nodes.image):
                image["alt"] = alt
            for raw in list(cell.findall(nodes.raw)):
                raw.replace(raw.children[0], nodes.Text(with_alt(raw.astext(), alt)))


def setup(app):
    app.add_transform(DescribeFigures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
