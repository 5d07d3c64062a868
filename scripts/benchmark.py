"""Time the test suite and the execution of every chapter; print one table.

    python scripts/benchmark.py                 # cold: an empty model cache, so every model trains
    python scripts/benchmark.py --warm          # reuse the cache in _build/model-cache
    python scripts/benchmark.py --no-tests book/06_grokking.md

Targets on a 2-core CPU, default profile: tests <= 2 min, the whole book <= 30 min, no chapter
over 8 min. Each chapter runs from a clean kernel, as the book build runs it. Cold means empty
caches: the tests get one of their own (they train the few book models they check into it), and
the chapters another, so every row counts all the training it needs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from run_chapter import execute  # noqa: E402

from emergent.core.profiles import device_description, profile_name  # noqa: E402
from emergent.core.seeding import set_threads  # noqa: E402

TARGETS = {"tests": 120, "chapter": 480, "book": 1800}  # seconds


def chapters_in_order() -> list[Path]:
    """Every executable page in table-of-contents order (pages with code cells)."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [page["file"] for part in toc.get("parts", []) for chapter in part.get("chapters", [])
             for page in [chapter, *chapter.get("sections", [])]]  # a chapter's own sections follow it
    pages = [ROOT / f"{name}.md" for name in files]
    return [page for page in pages if "```{code-cell}" in page.read_text()]


def time_tests(cold: bool) -> tuple[float, bool]:
    env = dict(os.environ)
    if cold:
        env["EMERGENT_CACHE"] = tempfile.mkdtemp(prefix="emergent-benchmark-test-cache-")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, env=env)
    return time.perf_counter() - start, result.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=Path, help="chapters to time (default: all, in order)")
    parser.add_argument("--warm", action="store_true", help="keep the model cache instead of starting empty")
    parser.add_argument("--no-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()
    set_threads()  # as each chapter will, so the table reports the threads the chapters used

    if not args.warm:
        os.environ["EMERGENT_CACHE"] = tempfile.mkdtemp(prefix="emergent-benchmark-cache-")
    rows, failed = [], False
    if not args.no_tests:
        seconds, ok = time_tests(cold=not args.warm)
        rows.append(("tests", seconds, TARGETS["tests"], ok))
    chapters = [path.resolve() for path in args.chapters] or chapters_in_order()
    for chapter in chapters:
        start = time.perf_counter()
        try:
            execute(chapter, timeout=600)
            ok = True
        except Exception as error:  # report the failure in the table and go on
            print(f"{chapter.name}: FAILED ({type(error).__name__})", file=sys.stderr)
            ok = False
        rows.append((chapter.stem, time.perf_counter() - start, TARGETS["chapter"], ok))
    book_seconds = sum(seconds for name, seconds, _, _ in rows if name != "tests")
    rows.append(("whole book (sum of chapters)", book_seconds, TARGETS["book"], all(ok for *_, ok in rows)))

    profile, device = profile_name(), device_description()
    cache = "warm cache" if args.warm else "cold cache"
    print("\n| what | seconds | target | status | profile | device |\n|---|---:|---:|---|---|---|")
    for name, seconds, target, ok in rows:
        status = "FAILED" if not ok else ("ok" if seconds <= target else "over target")
        failed |= not ok
        print(f"| {name} | {seconds:.1f} | {target} | {status} | {profile} ({cache}) | {device} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
