"""Time the test suite and the execution of every chapter; print one table.

    python scripts/benchmark.py                 # cold: an empty model cache, so every model trains
    python scripts/benchmark.py --warm          # reuse the cache in _build/model-cache
    python scripts/benchmark.py --no-tests book/08_grokking.md
    python scripts/benchmark.py --load          # the same, with a 2-thread CPU-bound job alongside

Machines of the same kind differ by up to 3x, so every run also times a fixed reference workload
(a tiny GPT-2 trained for a fixed number of steps, alone on the machine; the median of five runs)
and reports each row in units of it too: the budgets are stated in those units, which travel
between machines.

Budgets, default profile (BUDGET_UNITS; on the book's 2-core machine): tests <= 2 min, the whole
book <= 45 min, no chapter over 8 min. Each chapter runs from a clean kernel, as the book build runs it. Cold means empty
caches: the tests get one of their own (they train the few book models they check into it), and
the chapters another, which they fill in table-of-contents order as a first build does: a chapter
that reuses an earlier chapter's models (the prediction chapter loads the scaling family) finds
them trained, so each row counts the training that chapter adds.

With ``--load`` the target is that every chapter takes at most about 2.5 times its time on a quiet
machine: the chapters' kernels see the job when they start and make torch's idle threads sleep
instead of spin (emergent.core.threads). The table also gives each chapter's longest cell against
its cell time limit, which should be at least TIMEOUT_MARGIN times that cell under load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import nbformat  # noqa: E402
from run_chapter import cell_seconds, executed_path, execute, timeout_of  # noqa: E402

from emergent.core.profiles import device_description, profile_name  # noqa: E402
from emergent.core.seeding import set_threads  # noqa: E402
from emergent.core.threads import busy_cores, choose_wait_policy, default_threads  # noqa: E402

# Budgets in units of the reference workload, which takes about 6 s on the 2-core machine the book
# is built on: there they are 2 min for the tests, 8 min per chapter and 45 min for the whole book (the
# chapters' own budgets add up to about that: five minutes for the prediction chapter, six for
# reasoning, eight for each page of the knowledge chapter, and so on).
BUDGET_UNITS = {"tests": 20, "chapter": 80, "book": 450}
# The reference is the median of several runs: single runs on one quiet 2-core machine were seen to
# spread from 4.1 to 5.8 s, enough to move the whole book by a hundred units.
REFERENCE_RUNS = 5
LOAD_THREADS = 2  # the concurrent job: a 2-thread matrix-multiply loop, like another test suite
# A chapter's cell time limit (front matter, ``mystnb: execution_timeout``) is at least this many
# times its longest cell as measured here on the slow 2-core machine with the job alongside.
TIMEOUT_MARGIN = 3


def reference_seconds(steps: int = 300) -> float:
    """Seconds to train a fixed tiny GPT-2 (2 layers, width 64) for ``steps`` steps on fixed batches."""
    import torch

    from emergent.core.models import TinyGPT2, tiny_gpt2
    from emergent.core.training import train_language_model

    model = tiny_gpt2(
        TinyGPT2(vocab_size=16, n_positions=32, n_layer=2, n_head=4, n_embd=64), seed=0
    )

    def batch(step: int):
        tokens = torch.randint(0, 16, (32, 32), generator=torch.Generator().manual_seed(step))
        return tokens, tokens

    start = time.perf_counter()
    train_language_model(
        model, batch, steps=steps, learning_rate=1e-3, warmup_steps=10, progress=False
    )
    return time.perf_counter() - start


LOAD = f"""
import time, torch
torch.set_num_threads({LOAD_THREADS})
a = torch.randn(384, 384)
end = time.time() + float(__import__("sys").argv[1])
while time.time() < end:
    a = torch.tanh(a @ a)
"""


def start_load(limit_seconds: float) -> subprocess.Popen:
    """A CPU-bound job alongside the benchmark; it stops by itself after ``limit_seconds``."""
    return subprocess.Popen([sys.executable, "-c", LOAD, str(limit_seconds)])


def chapters_in_order() -> list[Path]:
    """Every executable page in table-of-contents order (pages with code cells)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [
        page["file"]
        for part in toc.get("parts", [])
        for chapter in part.get("chapters", [])
        for page in [chapter, *chapter.get("sections", [])]
    ]  # a chapter's own sections follow it
    pages = [ROOT / f"{name}.md" for name in files]
    return [page for page in pages if "```{code-cell}" in page.read_text()]


def time_tests(cold: bool) -> tuple[float, bool]:
    env = dict(os.environ)
    if cold:
        env["EMERGENT_CACHE"] = tempfile.mkdtemp(prefix="emergent-benchmark-test-cache-")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, env=env
    )
    return time.perf_counter() - start, result.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "chapters", nargs="*", type=Path, help="chapters to time (default: all, in order)"
    )
    parser.add_argument(
        "--warm", action="store_true", help="keep the model cache instead of starting empty"
    )
    parser.add_argument("--no-tests", action="store_true", help="do not time the test suite")
    parser.add_argument(
        "--load", action="store_true", help=f"run a {LOAD_THREADS}-thread CPU-bound job alongside"
    )
    args = parser.parse_args()
    set_threads()  # as each chapter will, so the table reports the threads the chapters used
    runs = sorted(reference_seconds() for _ in range(REFERENCE_RUNS))  # alone, before any load
    load = start_load(limit_seconds=4 * 3600) if args.load else None
    try:
        return run_benchmark(args, runs, waiting_at_start(settle=3.0 if load else 0.0))
    finally:
        if load is not None:
            load.kill()


def waiting_at_start(settle: float) -> str:
    """How each chapter's kernel will make idle threads wait, judged as it will judge (emergent.core.threads)."""
    if "OMP_WAIT_POLICY" in os.environ:
        return f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}, set before the benchmark"
    time.sleep(settle)  # let the job get going
    busy = busy_cores(window=0.5)
    if busy is None:
        return "OpenMP's default (the load is not readable here)"
    policy = choose_wait_policy(busy, default_threads(), len(os.sched_getaffinity(0)))
    return f"{'sleep (OMP_WAIT_POLICY=PASSIVE)' if policy else 'spin (OpenMP default)'}, {busy:.1f} cores busy"


def run_benchmark(args, reference_runs: list[float], waiting: str) -> int:
    """Time the tests and the chapters; print the table a row at a time, in seconds and in reference units."""
    if not args.warm:
        os.environ["EMERGENT_CACHE"] = tempfile.mkdtemp(prefix="emergent-benchmark-cache-")
    print_header(args, reference_runs, waiting)
    reference = statistics.median(reference_runs)
    results = []  # (seconds, ok) of every chapter, for the whole-book row
    tests_ok = True
    if not args.no_tests:
        seconds, tests_ok = time_tests(cold=not args.warm)
        print_row("tests", seconds, reference, BUDGET_UNITS["tests"], tests_ok)
    chapters = [path.resolve() for path in args.chapters] or chapters_in_order()
    for chapter in chapters:
        start = time.perf_counter()
        try:
            execute(chapter, timeout=600)
            ok = True
        except Exception as error:  # report the failure in the table and go on
            print(f"{chapter.name}: FAILED ({type(error).__name__})", file=sys.stderr)
            ok = False
        seconds = time.perf_counter() - start
        results.append((seconds, ok))
        print_row(
            chapter.stem,
            seconds,
            reference,
            BUDGET_UNITS["chapter"],
            ok,
            longest_cell(chapter, since=time.time() - seconds),
            timeout_of(chapter, 600),
        )
    all_ok = tests_ok and all(
        ok for _, ok in results
    )  # a failing test suite fails the run, as before
    print_row(
        "whole book (sum of chapters)",
        sum(seconds for seconds, _ in results),
        reference,
        BUDGET_UNITS["book"],
        all_ok,
    )
    return 0 if all_ok else 1


def longest_cell(chapter: Path, since: float) -> float | None:
    """Seconds of the chapter's slowest cell in this run; None if it wrote no executed notebook."""
    executed = executed_path(chapter)
    if (
        not executed.is_file() or executed.stat().st_mtime < since
    ):  # none, or one from an earlier run
        return None
    return max(cell_seconds(nbformat.read(executed, as_version=4)), default=0.0)


def print_header(args, runs: list[float], waiting: str) -> None:
    profile, device = profile_name(), device_description()
    cache = "warm cache" if args.warm else "cold cache"
    load = f", a {LOAD_THREADS}-thread job alongside" if args.load else ", nothing alongside"
    spread = ", ".join(f"{r:.1f}" for r in runs)
    print(
        f"\nreference workload: {statistics.median(runs):.1f} s, the median of {len(runs)} runs "
        f"({spread} s, alone); profile {profile}, {cache}{load}; {device}"
    )
    print(f"idle threads at the chapters' start: {waiting}")
    print(
        "\n| what | seconds | reference units | budget (units) | longest cell (s) | cell limit (s) | status |"
        "\n|---|---:|---:|---:|---:|---:|---|",
        flush=True,
    )


def print_row(
    name: str,
    seconds: float,
    reference: float,
    budget: float,
    ok: bool,
    longest: float | None = None,
    limit: float | None = None,
) -> None:
    """One row as soon as it is measured, so an interrupted run still leaves its table so far."""
    status = "FAILED" if not ok else ("ok" if seconds / reference <= budget else "over budget")
    if ok and longest is not None and TIMEOUT_MARGIN * longest > limit:
        status += f"; cell limit under {TIMEOUT_MARGIN}x the longest cell"
    cells = (
        f"{longest:.1f}" if longest is not None else "-",
        f"{limit}" if limit is not None else "-",
    )
    print(
        f"| {name} | {seconds:.1f} | {seconds / reference:.1f} | {budget} | {cells[0]} | {cells[1]} | {status} |",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
