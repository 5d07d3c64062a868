import pytest

from emergent.core import ledger, syllabus
from emergent.core.cache import load_or_train
from emergent.core.syllabus import Page, models_from, problems, read_page, weekly_plan

BLOCK = """# {title}

:::{{admonition}} Learning objectives
:class: objectives

After this page you will be able to:

- fit a line to two points;
- explain why a line
  needs two points.

**Builds on:** {builds_on}

**Exercises:** {exercises}
:::

Prose.

```{{exercise}} Fit it
Do it.
```
"""


def write_book(root, pages):
    """A book in ``root``: a table of contents listing ``pages`` ({stem: (builds_on, exercises)})."""
    (root / "book").mkdir()
    toc = "format: jb-book\nroot: book/intro\nparts:\n  - chapters:\n"
    for stem, (builds_on, exercises) in pages.items():
        links = ", ".join(f"[{p}]({p}.md)" for p in builds_on) or "none"
        text = BLOCK.format(title=stem, builds_on=links, exercises=exercises)
        (root / "book" / f"{stem}.md").write_text(text)
        toc += f"      - file: book/{stem}\n"
    (root / "_toc.yml").write_text(toc)


def test_a_block_is_read_into_objectives_prerequisites_and_exercises(tmp_path):
    write_book(tmp_path, {"01_lines": ([], "Fit it")})
    page = read_page(tmp_path / "book" / "01_lines.md")
    assert page.objectives == ("fit a line to two points", "explain why a line needs two points")
    assert page.builds_on == () and page.exercises == ("Fit it",)


def test_a_late_prerequisite_and_wrong_exercises_are_problems(tmp_path):
    write_book(tmp_path, {"01_a": (["02_b"], "Fit it"), "02_b": ([], "none")})
    pages = syllabus.course(tmp_path)
    found = problems(pages, tmp_path)
    assert any("01_a builds on 02_b" in p for p in found)
    assert any("02_b lists exercises ()" in p for p in found)
    right = tmp_path / "right"
    right.mkdir()
    write_book(right, {"01_a": ([], "Fit it"), "02_b": (["01_a"], "Fit it")})
    assert problems(syllabus.course(right), right) == []


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace(":::{admonition} Learning objectives", "Objectives"), "no learning"),
        (lambda t: t.replace("- fit a line", "- a line"), "begin with a verb"),
        (lambda t: t.replace("**Exercises:** Fit it\n", ""), r"Exercises:\*\*' line"),
        (lambda t: t.replace("**Builds on:** none", "**Builds on:** the intro"), "links no page"),
    ],
)
def test_a_malformed_block_says_what_to_fix(tmp_path, edit, message):
    write_book(tmp_path, {"01_lines": ([], "Fit it")})
    path = tmp_path / "book" / "01_lines.md"
    path.write_text(edit(path.read_text()))
    with pytest.raises(ValueError, match=message):
        read_page(path)


def pages(*stems_and_needs):
    return [Page(stem, stem, ("fit",), tuple(needs), ()) for stem, needs in stems_and_needs]


def test_a_weekly_plan_keeps_the_reading_order_in_even_blocks():
    book = pages(("01_a", []), ("02_b", ["01_a"]), ("03_c", []), ("04_d", ["02_b"]))
    assert [[p.stem for p in week] for week in weekly_plan(book, 2)] == [
        ["01_a", "02_b"],
        ["03_c", "04_d"],
    ]
    assert len(weekly_plan(book, 4)) == 4
    with pytest.raises(ValueError, match="weeks must lie between 1 and"):
        weekly_plan(book, 5)
    with pytest.raises(ValueError, match="before its prerequisites"):
        weekly_plan(pages(("01_a", ["02_b"]), ("02_b", [])), 2)


def test_a_model_belongs_to_the_first_page_that_uses_it():
    book = pages(("01_a", []), ("02_b", []), ("03_c", []))
    used = {"01_a": ["family-1"], "02_b": ["family-1", "own-2"], "03_c": ["own-2", "family-1"]}
    assert models_from(book, used) == {"01_a": [], "02_b": ["01_a"], "03_c": ["01_a", "02_b"]}


def test_a_chapter_ledger_lists_the_cached_models_it_used(tmp_path, monkeypatch):
    import torch

    from emergent.core.training import History

    monkeypatch.setenv("EMERGENT_CACHE", str(tmp_path / "cache"))
    ledger.begin("scaling")
    load_or_train("toy", {"a": 1}, lambda: (torch.nn.Linear(2, 2), History()), code=[],
                  build=lambda: torch.nn.Linear(2, 2))  # fmt: skip
    ledger.begin("mirage")
    load_or_train("toy", {"a": 1}, lambda: (torch.nn.Linear(2, 2), History()), code=[],
                  build=lambda: torch.nn.Linear(2, 2))  # fmt: skip
    scaling, mirage = ledger.read("scaling")["models"], ledger.read("mirage")["models"]
    assert scaling == mirage and scaling[0].startswith("toy-")


def test_the_notebook_form_quotes_the_block():
    text = BLOCK.format(title="t", builds_on="none", exercises="none")
    quoted = syllabus.notebook_markdown(text)
    assert ":::" not in quoted.split("```")[0] and "> **Learning objectives**" in quoted
    assert "> - fit a line to two points;" in quoted and ":class:" not in quoted
