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


def execute(chapter: Path, timeout: int) -> float:
    notebook = jupytext.read(chapter)
    limit = notebook.metadata.get("mystnb", {}).get("execution_timeout", timeout)
    os.environ.setdefault("EMERGENT_STATIC", "1")
    client = NotebookClient(notebook, timeout=limit, kernel_name="python3",
                            resources={"metadata": {"path": str(chapter.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    finally:
        seconds = time.perf_counter() - start
        out = ROOT / "_build" / "executed" / f"{chapter.stem}.ipynb"
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
