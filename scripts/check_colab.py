"""Run every generated chapter notebook the way Google Colab would, offline.

    python scripts/check_colab.py             # after `make book`
    python scripts/check_colab.py --cold      # also retrain every model (as a first Colab run does)

Colab starts a notebook in an empty working folder, with torch, transformers, numpy, matplotlib
and ipywidgets already installed but not this book's library: the notebook's own first cell
installs it. This check builds that situation here:

1. a wheel of the library stands in for the repository the first cell installs from in Colab
   (``EMERGENT_INSTALL`` points the cell at it);
2. a fresh virtual environment gets the pinned packages but not the library;
3. each notebook from ``_build/html/_notebooks`` is copied to an empty folder and executed top to
   bottom from a clean kernel of that environment, with the library uninstalled before each one.

By default the models the build trained are reused (the cache is what a second Colab session
would have on its drive), so the check covers installation and every code path in minutes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "_build" / "colab"
VENV = WORK / "venv"
PYTHON = VENV / "bin" / "python"


def run(*command, **kwargs):
    subprocess.run([str(part) for part in command], check=True, **kwargs)


def build_wheel() -> Path:
    dist = WORK / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", dist, ROOT)
    return next(dist.glob("*.whl"))


def fresh_environment() -> None:
    """A virtual environment with the pinned packages (Colab's pre-installed ones), not the library."""
    marker = VENV / ".requirements"
    requirements = (ROOT / "requirements.txt").read_text()
    if marker.is_file() and marker.read_text() == requirements:
        return
    shutil.rmtree(VENV, ignore_errors=True)
    run(sys.executable, "-m", "venv", VENV)
    run(PYTHON, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.txt")
    marker.write_text(requirements)


def execute(notebook: Path, timeout: int) -> float:
    """Run inside the fresh environment: execute one notebook in its own empty folder."""
    import nbformat
    from nbclient import NotebookClient

    folder = Path(tempfile.mkdtemp(prefix="colab-"))
    copy = folder / notebook.name
    shutil.copy(notebook, copy)
    book = nbformat.read(copy, as_version=4)
    start = time.perf_counter()
    NotebookClient(book, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    nbformat.write(book, copy)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", action="store_true", help="an empty model cache: retrain everything")
    parser.add_argument("--execute", type=Path, help=argparse.SUPPRESS)  # the inner step, in the fresh venv
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args()
    if args.execute:
        print(f"{args.execute.name}: executed in {execute(args.execute, args.timeout):.1f} s")
        return 0

    notebooks = sorted((ROOT / "_build" / "html" / "_notebooks").glob("*.ipynb"))
    if not notebooks:
        print("No notebooks in _build/html/_notebooks: run `make book` first.", file=sys.stderr)
        return 2
    wheel = build_wheel()
    fresh_environment()
    env = {**os.environ, "EMERGENT_INSTALL": str(wheel)}
    env.pop("EMERGENT_STATIC", None)  # Colab has a live kernel: widgets are real controls
    if args.cold:
        env["EMERGENT_CACHE"] = tempfile.mkdtemp(prefix="colab-cache-")
    else:
        env.setdefault("EMERGENT_CACHE", str(ROOT / "_build" / "model-cache"))
    failures = 0
    for notebook in notebooks:
        run(PYTHON, "-m", "pip", "uninstall", "--quiet", "--yes", "emergent-book")
        missing = subprocess.run([PYTHON, "-c", "import emergent"], capture_output=True).returncode != 0
        result = subprocess.run([PYTHON, __file__, "--execute", notebook, "--timeout", str(args.timeout)], env=env)
        ok = missing and result.returncode == 0
        failures += not ok
        if not missing:
            print(f"{notebook.name}: the library was importable before the first cell ran", file=sys.stderr)
        print(f"{'ok  ' if ok else 'FAIL'} {notebook.name}")
    print(f"Colab check: {len(notebooks) - failures} of {len(notebooks)} notebooks ran top to bottom.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
