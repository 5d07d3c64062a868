"""Execute chapters from a clean kernel, as the book build does, and report seconds per chapter.

    python scripts/run_chapter.py book/06_grokking.md [more chapters...]

Used while writing a chapter (much faster than building the whole site) and by the benchmark.
Exits non-zero if any cell fails; the executed notebook is written to _build/executed/.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

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
        if cell.cell_type == "code" and "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start, end = (datetime.fromisoformat(stamps[key].replace("Z", "+00:00"))
                          for key in ("iopub.execute_input", "shell.execute_reply"))
            seconds.append((end - start).total_seconds())
    return seconds


def timeout_of(chapter: Path, default: int) -> int:
    """The chapter's cell time limit (its front matter's ``mystnb: execution_timeout``), else ``default``."""
    return jupytext.read(chapter).metadata.get("mystnb", {}).get("execution_timeout", default)


def execute(chapter: Path, timeout: int) -> float:
    notebook = jupytext.read(chapter)
    limit = timeout_of(chapter, timeout)
    os.environ.setdefault("EMERGENT_STATIC", "1")
    client = NotebookClient(notebook, timeout=limit, kernel_name="python3",
                            resources={"metadata": {"path": str(chapter.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    finally:
        seconds = time.perf_counter() - start
        out = executed_path(chapter)
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, out)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell if the chapter sets none")
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
