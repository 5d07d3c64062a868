"""How readable the chapters' code is, counted from their files.

    python scripts/page_stats.py [book/NN_slug.md ...]     (default: every chapter)
    python scripts/page_stats.py --check                   (exit 1 if the book breaks a limit)

Per page: code cells, visible and hidden cells over 15 lines, the share of code lines that build
Markdown in code, leftover ``claims.claim("<slug>", ...)`` calls and code lines over 100
characters. ``make lint`` runs it with ``--check``. A ``hide-input`` cell counts as visible: its
code is one click away on the site and in plain view in Colab; only ``remove-input`` and
``remove-cell`` keep a cell's code off the page.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
LONG_CELL = 15  # lines
LINE_WIDTH = 100  # characters: what the site's code box shows without scrolling
# The limits the whole book keeps (make lint): at most this many visible cells over LONG_CELL
# lines, each with its reason in a comment; at most this share of code lines building Markdown.
MAX_LONG_VISIBLE = 5
MAX_MARKDOWN_SHARE = 0.08
# A cell that calls Markdown(...) builds prose in code: all its lines count as Markdown-building.
MARKDOWN_CALL = re.compile(r"\bMarkdown\(")
SLUG_CLAIM = re.compile(r"claims\.claim\(\s*\"")


@dataclass
class PageStats:
    page: str
    code_cells: int
    code_lines: int
    long_visible: list[int]
    long_hidden: list[int]
    markdown_lines: int
    slug_claims: int
    wide_lines: int
    unexplained: list[int]  # visible cells over LONG_CELL lines with no comment saying why

    @property
    def markdown_share(self) -> float:
        return self.markdown_lines / self.code_lines if self.code_lines else 0.0


def page_stats(path: Path) -> PageStats:
    notebook = jupytext.read(path)
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    long_visible, long_hidden, lines, markdown, claims_left, wide = [], [], 0, 0, 0, 0
    unexplained = []
    for index, cell in enumerate(cells):
        source = [line for line in cell.source.splitlines() if line.strip()]
        lines += len(source)
        markdown += len(source) if MARKDOWN_CALL.search(cell.source) else 0
        claims_left += len(SLUG_CLAIM.findall(cell.source))
        wide += sum(len(line) > LINE_WIDTH for line in source)
        if len(source) > LONG_CELL:
            tags = cell.metadata.get("tags", [])
            hidden = "remove-input" in tags or "remove-cell" in tags
            (long_hidden if hidden else long_visible).append(index)
            if not hidden and not any(line.lstrip().startswith("#") for line in source):
                unexplained.append(index)
    return PageStats(
        path.name,
        len(cells),
        lines,
        long_visible,
        long_hidden,
        markdown,
        claims_left,
        wide,
        unexplained,
    )


def chapter_pages() -> list[Path]:
    return sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))


def main(args: list[str]) -> int:
    check = "--check" in args
    pages = [Path(p) for p in args if p != "--check"] or chapter_pages()
    print(f"{'page':34} cells  lines  long(vis)  long(hid)  markdown  claim(slug)  >100 chars")
    total = PageStats("all", 0, 0, [], [], 0, 0, 0, [])
    for path in pages:
        s = page_stats(path)
        print(
            f"{s.page:34} {s.code_cells:5d} {s.code_lines:6d} {len(s.long_visible):10d}"
            f" {len(s.long_hidden):10d} {s.markdown_share:8.1%} {s.slug_claims:12d} {s.wide_lines:11d}"
        )
        for field in ("code_cells", "code_lines", "markdown_lines", "slug_claims", "wide_lines"):
            setattr(total, field, getattr(total, field) + getattr(s, field))
        total.long_visible += s.long_visible
        total.long_hidden += s.long_hidden
        total.unexplained += [f"{s.page} cell {i}" for i in s.unexplained]
    print(
        f"{'all':34} {total.code_cells:5d} {total.code_lines:6d} {len(total.long_visible):10d}"
        f" {len(total.long_hidden):10d} {total.markdown_share:8.1%} {total.slug_claims:12d}"
        f" {total.wide_lines:11d}"
    )
    if not check:
        return 0
    broken = [
        f"{len(total.long_visible)} visible cells over {LONG_CELL} lines (at most {MAX_LONG_VISIBLE})"
        * (len(total.long_visible) > MAX_LONG_VISIBLE),
        f"{total.markdown_share:.1%} of code lines build Markdown (at most {MAX_MARKDOWN_SHARE:.0%})"
        * (total.markdown_share > MAX_MARKDOWN_SHARE),
        f'{total.slug_claims} claims.claim("<slug>", ...) calls: use the chapter\'s ch.claim'
        * (total.slug_claims > 0),
        f"{total.wide_lines} code lines over {LINE_WIDTH} characters" * (total.wide_lines > 0),
        f"cells over {LONG_CELL} lines with no comment saying why: {', '.join(total.unexplained)}"
        * bool(total.unexplained),
    ]
    for problem in filter(None, broken):
        print(f"limit broken: {problem}")
    return 1 if any(broken) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
