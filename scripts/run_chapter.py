"""Execute chapters from a clean kernel, as the book build does, and report seconds per chapter.

    python scripts/run_chapter.py book/08_grokking.md [more chapters...]
    python scripts/run_chapter.py grokking            (a chapter's slug works too)

Used while writing a chapter (much faster than building the whole site) and by the benchmark.
Exits non-zero if any cell fails; the executed notebook is written to _build/executed/.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import jupytext

from emergent.core.contents import chapter_files, slug_of
from emergent.core.notebooks import execute_notebook

ROOT = Path(__file__).resolve().parent.parent


def executed_path(chapter: Path) -> Path:
    """Where the executed notebook of ``chapter`` is written."""
    return ROOT / "_build" / "executed" / f"{chapter.stem}.ipynb"


def cell_seconds(notebook) -> list[float]:
    """Seconds each executed code cell took, from the timestamps nbclient records in its metadata."""
    from datetime import datetime

    seconds = []
    for cell in notebook.cells:
        stamps = cell.get("metadata", {}).get("execution", {})
        if (
            cell.cell_type == "code"
            and "iopub.execute_input" in stamps
            and "shell.execute_reply" in stamps
        ):
            start, end = (
                datetime.fromisoformat(stamps[key].replace("Z", "+00:00"))
                for key in ("iopub.execute_input", "shell.execute_reply")
            )
            seconds.append((end - start).total_seconds())
    return seconds


def timeout_of(chapter: Path, default: int) -> int:
    """The chapter's cell time limit (its front matter's ``mystnb: execution_timeout``), else ``default``."""
    return jupytext.read(chapter).metadata.get("mystnb", {}).get("execution_timeout", default)


def execute(chapter: Path, timeout: int) -> float:
    notebook = jupytext.read(chapter)
    os.environ.setdefault("EMERGENT_STATIC", "1")
    return execute_notebook(
        notebook, chapter.parent, timeout_of(chapter, timeout), write_to=executed_path(chapter)
    )


def chapter_file(name: str) -> Path:
    """A chapter's file from its path, its file name (``08_grokking``) or its slug (``grokking``)."""
    path = Path(name)
    if path.suffix == ".md" and path.is_file():
        return path
    for candidate in chapter_files(ROOT):
        if name in (candidate.stem, slug_of(candidate)):
            return candidate
    known = ", ".join(slug_of(c) for c in chapter_files(ROOT))
    raise SystemExit(f"no chapter {name!r}: give a file (book/08_grokking.md) or a slug ({known}).")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("chapters", nargs="+", type=chapter_file)
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds per cell if the chapter sets none"
    )
    args = parser.parse_args()
    failed = False
    for chapter in args.chapters:
        try:
            seconds = execute(chapter.resolve(), args.timeout)
            print(f"{chapter}: executed in {seconds:.1f} s")
        except Exception as error:  # report and go on to the next chapter
            failed = True
            print(f"{chapter}: FAILED\n{error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
