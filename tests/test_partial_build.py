"""A chapter that fails to execute does not take the site down: the rest is built, the build fails."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
mystnb:
  execution_timeout: {timeout}
---

# {title}

```{{code-cell}} ipython3
{code}
```
"""


def write_book(folder: Path) -> None:
    """The book's own configuration and extensions, with three tiny chapters, one of them broken."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["sphinx"]["local_extensions"] = {
        name: str(ROOT / path) for name, path in config["sphinx"]["local_extensions"].items()
    }
    config["bibtex_bibfiles"] = [str(ROOT / "book" / "references.bib")]
    (folder / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (folder / "_toc.yml").write_text(
        yaml.safe_dump(
            {
                "format": "jb-book",
                "root": "book/intro",
                "chapters": [
                    {"file": "book/01_first"},
                    {"file": "book/02_broken"},
                    {"file": "book/03_slow"},
                ],
            }
        )
    )
    book = folder / "book"
    book.mkdir()
    shutil.copytree(ROOT / "book" / "_static", book / "_static")
    (book / "intro.md").write_text("# A small book\n\nThree chapters.\n")
    pages = {
        "01_first": ("First", 60, 'print("the first chapter ran")'),
        "02_broken": (
            "Broken",
            60,
            'print("before the error")\nraise RuntimeError("a deliberate error")',
        ),
        "03_slow": ("Slow", 3, "import time\ntime.sleep(30)"),
    }
    for name, (title, timeout, code) in pages.items():
        (book / f"{name}.md").write_text(PAGE.format(title=title, timeout=timeout, code=code))


@pytest.mark.slow
def test_a_broken_chapter_leaves_the_others_built_and_fails_the_build(tmp_path):
    write_book(tmp_path)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    done = subprocess.run(
        [str(jupyter_book), "build", str(tmp_path), "--warningiserror", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = done.stdout + done.stderr
    assert done.returncode != 0, "a chapter failed: the build must fail"
    assert (
        "chapters that failed to execute" in log
        and "book/02_broken" in log
        and "book/03_slow" in log
    )
    site = tmp_path / "_build" / "html" / "book"
    first = (site / "01_first.html").read_text()
    assert "the first chapter ran" in first and "did not finish" not in first
    broken = (site / "02_broken.html").read_text()
    assert "did not finish" in broken and "RuntimeError" in broken and "before the error" in broken
    slow = (site / "03_slow.html").read_text()
    assert "did not finish" in slow and "CellTimeoutError" in slow
    assert (tmp_path / "_build" / "html" / "reports" / "book" / "02_broken.err.log").is_file()
