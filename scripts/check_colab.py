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

4. two notebooks run again in *Colab's freeze*: an environment with the versions Google Colab's
   image of August 2026 pre-installs (``COLAB_FREEZE``: ipywidgets 7, IPython 7), from an empty
   model cache, as a reader's first session in Colab does. One of them draws live widgets and
   trains the models of the chapter before it;
5. the same two notebooks run once more with other versions inside the library's ranges
   (``OTHER_VERSIONS``: the lowest transformers it admits, among others).

In every environment the first cell must leave each pre-installed package exactly as it found it.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "_build" / "colab"
VENV = WORK / "venv"

# What Google Colab's image of August 2026 pre-installs (Python 3.13.15 there). torch is the one
# exception: Colab has 2.11.0, whose wheel on the package registry is a CUDA build of several GB,
# so the CPU build of 2.13.0 stands in for it. nbclient and nbformat run the notebook here.
COLAB_FREEZE = [
    "torch==2.13.0",
    "transformers==5.15.0",
    "numpy==2.1.3",
    "scipy==1.16.3",
    "matplotlib==3.10.0",
    "scikit-learn==1.6.1",
    "tqdm==4.67.3",
    "ipywidgets==7.7.1",
    "ipykernel==6.17.1",
    "ipython==7.34.0",
    "nbclient==0.11.0",
    "nbformat==5.11.1",
]
# Other versions inside the library's ranges (pyproject.toml), over the pins: the lowest
# transformers it admits, and numpy, scipy and matplotlib between Colab's and the pins.
OTHER_VERSIONS = ["numpy==2.3.5", "transformers==5.0.0", "scipy==1.15.3", "matplotlib==3.10.7"]
# GPT-2 saved, loaded and scored; the mirage chapter draws live widgets and scores the scaling
# chapter's family, which it trains itself from an empty cache.
OTHER_NOTEBOOKS = ["00_model_zoo.ipynb", "04_mirage.ipynb"]
HEAVY = (
    "torch",
    "numpy",
    "transformers",
    "scipy",
    "matplotlib",
    "scikit-learn",
    "tqdm",
    "ipywidgets",
    "ipykernel",
    "ipython",
)


def run(*command, **kwargs):
    subprocess.run([str(part) for part in command], check=True, **kwargs)


def build_wheel() -> Path:
    dist = WORK / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        dist,
        ROOT,
    )
    return next(dist.glob("*.whl"))


def fresh_environment(venv: Path = VENV, other_versions: tuple = (), exactly: tuple = ()) -> Path:
    """A virtual environment with pre-installed packages but not the library; returns its python.

    The packages are the pins with ``other_versions`` of some of them, or ``exactly`` the given
    ones (a Colab freeze)."""
    marker = venv / ".requirements"
    pins = "\n".join(exactly) if exactly else (ROOT / "requirements.txt").read_text()
    wanted = pins + "\n".join(other_versions)
    if not (marker.is_file() and marker.read_text() == wanted):
        shutil.rmtree(venv, ignore_errors=True)
        run(sys.executable, "-m", "venv", venv)
        python = venv / "bin" / "python"
        if exactly:
            run(python, "-m", "pip", "install", "--quiet", *exactly)
        else:
            run(python, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.txt")
        if other_versions:
            run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", *other_versions)
        marker.write_text(wanted)
    return venv / "bin" / "python"


def heavy_versions(python: Path) -> dict:
    """The versions of the heavy packages in an environment, as ``pip`` reports them."""
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True
    ).stdout
    versions = dict(line.split("==", 1) for line in listed.splitlines() if "==" in line)
    return {name: versions.get(name) for name in HEAVY}


def run_notebooks(python: Path, notebooks: list[Path], env: dict, timeout: int) -> int:
    """Each notebook from a clean state: library uninstalled, heavy packages noted before and after."""
    failures = 0
    for notebook in notebooks:
        run(python, "-m", "pip", "uninstall", "--quiet", "--yes", "emergent-book")
        missing = (
            subprocess.run([python, "-c", "import emergent"], capture_output=True).returncode != 0
        )
        before = heavy_versions(python)
        result = subprocess.run(
            [python, __file__, "--execute", notebook, "--timeout", str(timeout)], env=env
        )
        changed = {
            name: (before[name], now)
            for name, now in heavy_versions(python).items()
            if now != before[name]
        }
        ok = missing and result.returncode == 0 and not changed
        failures += not ok
        if not missing:
            print(
                f"{notebook.name}: the library was importable before the first cell ran",
                file=sys.stderr,
            )
        if changed:
            print(
                f"{notebook.name}: the first cell changed pre-installed packages: {changed}",
                file=sys.stderr,
            )
        print(f"{'ok  ' if ok else 'FAIL'} {notebook.name}")
    return failures


def execute(notebook: Path, timeout: int) -> float:
    """Run inside the fresh environment: execute one notebook in its own empty folder."""
    import importlib.util

    import nbformat

    # The library is not installed here (the notebook's first cell installs it), so its one
    # notebook runner is loaded from its file; it imports nothing else from the library.
    spec = importlib.util.spec_from_file_location(
        "notebooks", ROOT / "lib/emergent/core/notebooks.py"
    )
    notebooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(notebooks)
    folder = Path(tempfile.mkdtemp(prefix="colab-"))
    copy = folder / notebook.name
    shutil.copy(notebook, copy)
    book = nbformat.read(copy, as_version=4)
    return notebooks.execute_notebook(book, folder, timeout, write_to=copy)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cold", action="store_true", help="an empty model cache: retrain everything"
    )
    parser.add_argument(
        "--execute", type=Path, help=argparse.SUPPRESS
    )  # the inner step, in the fresh venv
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
    env = {**os.environ, "EMERGENT_INSTALL": str(wheel)}
    env.pop("EMERGENT_STATIC", None)  # Colab has a live kernel: widgets are real controls
    if args.cold:
        env["EMERGENT_CACHE"] = tempfile.mkdtemp(prefix="colab-cache-")
    else:
        env.setdefault("EMERGENT_CACHE", str(ROOT / "_build" / "model-cache"))
    failures = run_notebooks(fresh_environment(), notebooks, env, args.timeout)
    print(
        f"Colab check: {len(notebooks) - failures} of {len(notebooks)} notebooks ran top to bottom."
    )
    other = [n for n in notebooks if n.name in OTHER_NOTEBOOKS]
    python = fresh_environment(WORK / "venv-colab-freeze", exactly=tuple(COLAB_FREEZE))
    print(f"Colab's freeze: {', '.join(f'{k} {v}' for k, v in heavy_versions(python).items())}")
    empty_cache = {**env, "EMERGENT_CACHE": tempfile.mkdtemp(prefix="colab-cache-")}
    freeze_failures = run_notebooks(python, other, empty_cache, args.timeout)
    print(
        f"Colab check, Colab's freeze from an empty cache: {len(other) - freeze_failures} of "
        f"{len(other)} notebooks ran top to bottom."
    )
    python = fresh_environment(WORK / "venv-other-versions", tuple(OTHER_VERSIONS))
    print(
        f"A Colab with other versions: {', '.join(f'{k} {v}' for k, v in heavy_versions(python).items())}"
    )
    other_failures = run_notebooks(python, other, env, args.timeout)
    print(
        f"Colab check, other versions: {len(other) - other_failures} of {len(other)} notebooks ran top to bottom."
    )
    return 1 if failures or freeze_failures or other_failures else 0


if __name__ == "__main__":
    sys.exit(main())
