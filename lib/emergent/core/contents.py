"""The book's chapters in reading order, read from its table of contents (``_toc.yml``).

The table of contents is the one place the chapter list is written. A chapter file is named
``NN_slug.md``: ``NN`` is its place in the reading order and ``slug`` the name its results ledger
goes by; its title is its first ``# `` heading. Outside the book (a notebook opened in Colab, say)
there is no table of contents, and :func:`chapters` is empty.
"""

from __future__ import annotations

import re
from pathlib import Path

from emergent.core.profiles import project_dir

CHAPTER_FILE = re.compile(r"^\d\d_(?P<slug>[a-z][a-z0-9_]*)$")
_TOC_ENTRY = re.compile(r"^\s*-?\s*file:\s*(?P<path>\S+)\s*$", re.MULTILINE)


def chapter_files(root: Path | None = None) -> list[Path]:
    """The chapter files (``NN_slug.md``) that ``_toc.yml`` lists, in its order."""
    root = project_dir() if root is None else Path(root)
    if root is None:
        return []
    toc = (root / "_toc.yml").read_text()
    paths = [root / f"{match['path']}.md" for match in _TOC_ENTRY.finditer(toc)]
    return [path for path in paths if CHAPTER_FILE.match(path.stem)]


def slug_of(path: Path) -> str:
    """``book/08_grokking.md`` -> ``grokking``."""
    match = CHAPTER_FILE.match(Path(path).stem)
    if match is None:
        raise ValueError(
            f"{path} is not a chapter file: chapter files are named NN_slug.md, e.g. 08_grokking.md."
        )
    return match["slug"]


def title_of(path: Path) -> str:
    """A page's first ``# `` heading."""
    for line in Path(path).read_text().splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{path} has no '# ' title line.")


def chapters(root: Path | None = None) -> dict[str, str]:
    """Every chapter's slug and title, in reading order (empty outside the book)."""
    return {slug_of(path): title_of(path) for path in chapter_files(root)}
