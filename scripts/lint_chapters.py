"""Run ``ruff check`` over the chapters' code cells, as the library's code is checked.

    python scripts/lint_chapters.py [book/NN_slug.md ...]     (default: every chapter)

Each chapter is read with jupytext and its code cells are handed to ruff as one Python file, so a
name used before the cell that defines it, an unused import or a shadowed name is reported with
the chapter's name and the line in that file. A few rules do not fit a notebook and are left out:
an import in a later cell (a solution imports what a student needs), a trailing ``;`` that keeps a
cell from echoing its last value, and two short plotting statements on one line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_IGNORES = [
    "E402",  # an import below the first cell, e.g. in an exercise's solution
    "E702",  # `ax.plot(...); ax.legend()`: short plotting statements on one line
    "E703",  # a trailing `;` stops a cell from echoing its last value
    "B008",  # a widget's default argument computed from the page's numbers
    "B023",  # a lambda used at once, inside the loop that defines it
]


def chapter_code(path: Path) -> str:
    """The chapter's code cells, one after another, as a Python file."""
    return jupytext.writes(jupytext.read(path), fmt="py:percent")


def lint(path: Path) -> int:
    ruff = Path(sys.executable).with_name("ruff")
    command = [
        str(ruff) if ruff.exists() else "ruff",
        "check",
        "--output-format",
        "concise",
        "--quiet",
        "--extend-ignore",
        ",".join(NOTEBOOK_IGNORES),
        "--stdin-filename",
        f"{path.stem}.py",
        "-",
    ]
    result = subprocess.run(command, input=chapter_code(path), text=True, cwd=ROOT)
    return result.returncode


def main(args: list[str]) -> int:
    pages = [Path(a) for a in args] or sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
    failed = [page.name for page in pages if lint(page) != 0]
    if failed:
        print(f"ruff found problems in {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
