"""Sphinx extension: every figure of a code cell carries the description written just above the cell.

A chapter describes the figures a cell draws in an HTML comment right before the cell, which no
reader sees, on the site or in a notebook, and which leaves the cell itself as short as it was::

    <!-- alt: Test loss against model size, both on log scales ... Notice whether ... -->
    ```{code-cell} ipython3

This extension gives that text to every ``<img>`` the cell shows: the images MyST-NB renders from
the cell's PNG outputs, and those of a figure with sliders (``emergent.core.widgets.explore``),
which is an HTML output with its own ``<img>`` tags.
"""

from __future__ import annotations

import html
import re

from docutils import nodes
from sphinx.transforms import SphinxTransform

ALT_COMMENT = re.compile(r"^\s*<!--\s*alt:\s*(?P<alt>.*?)\s*-->\s*$", re.DOTALL)
IMG_ALT = re.compile(r'(<img\b[^>]*?\balt=")[^"]*(")')


def described(text: str) -> str:
    """The description an ``<!-- alt: ... -->`` comment holds, on one line ("" for other text)."""
    match = ALT_COMMENT.match(text)
    return " ".join(match["alt"].split()) if match else ""


def with_alt(markup: str, alt: str) -> str:
    """HTML with every ``<img>``'s alt text replaced by ``alt``."""
    escaped = html.escape(alt)
    return IMG_ALT.sub(lambda match: match[1] + escaped + match[2], markup)


class DescribeFigures(SphinxTransform):
    default_priority = 500

    def apply(self, **kwargs) -> None:
        for comment in list(self.document.findall(nodes.raw)):
            alt = described(comment.astext())
            cell = comment.next_node(siblings=True, descend=False)
            if (
                not alt
                or not isinstance(cell, nodes.container)
                or cell.get("nb_element") != "cell_code"
            ):
                continue
            for image in cell.findall(nodes.image):
                image["alt"] = alt
            for raw in list(cell.findall(nodes.raw)):
                raw.replace(raw.children[0], nodes.Text(with_alt(raw.astext(), alt)))


def setup(app):
    app.add_transform(DescribeFigures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
